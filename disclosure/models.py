"""Enterprises, their quality-credit grades, recall notices and grade objections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import Base, UTCDateTime, utcnow

GRADES = ("AAA", "AA", "A", "B", "C", "D")
RECALL_CATEGORIES = ("food", "consumer", "vehicle", "drug", "device", "cosmetic")
RECALL_STATUSES = ("ongoing", "completed", "terminated")


class Enterprise(Base):
    __tablename__ = "enterprises"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    grades: Mapped[list[CreditGrade]] = relationship(
        back_populates="enterprise", order_by="CreditGrade.year.desc()"
    )


class CreditGrade(Base):
    __tablename__ = "credit_grades"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_credit_grades_uscc_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc", ondelete="CASCADE"))
    grade: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    authority: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, index=True
    )

    enterprise: Mapped[Enterprise] = relationship(back_populates="grades")


class RecallNotice(Base):
    __tablename__ = "recall_notices"
    __table_args__ = (Index("ix_recall_notices_published_id", "published", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recall_no: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    product: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    level: Mapped[str | None] = mapped_column(String(10))
    producer_uscc: Mapped[str | None] = mapped_column(
        ForeignKey("enterprises.uscc", ondelete="SET NULL"), index=True
    )
    producer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    hazard: Mapped[str | None] = mapped_column(Text)
    remedy: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    published: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="ongoing")
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class GradeObjection(Base):
    """An enterprise's objection (异议) to its grade, for the grading authority's desk."""

    __tablename__ = "grade_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_no: Mapped[str] = mapped_column(String(32), unique=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc", ondelete="CASCADE"))
    grade_id: Mapped[int | None] = mapped_column(ForeignKey("credit_grades.id"))
    reason: Mapped[str] = mapped_column(Text)
    contact_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="received")
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"), default="zhijian")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the objector follows the objection with its number and this code (a keyed hash)
    access_code_hash: Mapped[str | None] = mapped_column(String(64))
    # staff confirmed that the objector speaks for the enterprise (who and when)
    identity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    identity_verified_by: Mapped[str | None] = mapped_column(String(64))

    events: Mapped[list[ObjectionEvent]] = relationship(
        back_populates="objection", order_by="ObjectionEvent.id", viewonly=True
    )


class ObjectionEvent(Base):
    """One entry of an objection's log. Rows are never updated or deleted (database triggers)."""

    __tablename__ = "objection_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("grade_objections.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    # shown on the objector's tracking page (status changes), or to staff only
    public: Mapped[bool] = mapped_column(Boolean, default=True)

    objection: Mapped[GradeObjection] = relationship(back_populates="events")


class DataChange(Base):
    """A mark left by every write to published data, so each running process can refresh
    its in-memory search index and grade table from the rows changed since it last looked."""

    __tablename__ = "data_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(20))  # enterprises, grades, recalls
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
