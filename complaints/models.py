"""Cases, the append-only case log, routing lessons and the outbox.

Departments, staff and API keys are shared with other domains: ``infra.accounts``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import Base, UTCDateTime, utcnow

KINDS = ("complaint", "tip", "inquiry")
CHANNELS = ("web", "api", "bot", "open311")
STATUSES = ("received", "accepted", "rejected", "in_progress", "resolved", "closed")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_department_status", "department", "status"),
        Index("ix_cases_created_at", "created_at"),
        # the duplicate check looks up recent cases by enterprise or by company name
        Index("ix_cases_company", "company"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_no: Mapped[str] = mapped_column(String(32), unique=True)
    access_code_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    company: Mapped[str | None] = mapped_column(String(200))
    enterprise_uscc: Mapped[str | None] = mapped_column(
        ForeignKey("enterprises.uscc", ondelete="SET NULL"), index=True
    )
    city: Mapped[str | None] = mapped_column(String(20))
    # where the problem is, when the submitter says (Open311 address_string, lat/long)
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(30))
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    routed_department: Mapped[str] = mapped_column(String(32))
    routing_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    # every rendering of the reasons: {"zh", "en", "staff_zh", "staff_en"} (complaints.labels)
    routing_reasons: Mapped[dict[str, list[str]] | list[str]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="received")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Fernet tokens; the key derives from ZHIXIN_SECRET_KEY and never leaves the process.
    contact_enc: Mapped[str | None] = mapped_column(Text)
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    bot_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accept_due: Mapped[date | None] = mapped_column(Date)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    notify_due: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # when a real-name tip reporter was told the decision (deadline: notify_due)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    recovered_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    penalty_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reward_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    working_days: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", viewonly=True
    )


class CaseEvent(Base):
    """One entry of a case's log. Rows are never updated or deleted (database triggers)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # visible to the citizen (progress) or to staff only (internal notes)
    public: Mapped[bool] = mapped_column(Boolean, default=True)

    case: Mapped[Case] = relationship(back_populates="events")


class RoutingExample(Base):
    """A corrected routing example (from a staff transfer) that the router learns from."""

    __tablename__ = "routing_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    kind: Mapped[str | None] = mapped_column(String(10))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxEvent(Base):
    """An event written in the same transaction as the change it announces."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Evidence(Base):
    """A photo or document attached to a case. The file itself is in the evidence store
    under its SHA-256 (``complaints.evidence_store``); ``purged_at`` is set when the
    retention job deleted it (the row stays, for the record)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # image (re-encoded, no metadata) or document (a PDF, kept as sent)
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(40))
    bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumb_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    # "citizen" or "staff:<id>"
    added_by: Mapped[str] = mapped_column(String(64))
    # a caption or comment sent with the file
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
