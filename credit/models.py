"""Grade proposals: a grade computed from the indicator rules, waiting for the authority."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base, UTCDateTime, utcnow

PROPOSAL_STATUSES = ("proposed", "accepted", "overridden")


class GradeProposal(Base):
    """One enterprise's proposed grade for one year, with the evidence that moved it.

    Nothing here is public: only a grade the authority accepted (or set instead, with a
    reason) becomes a ``credit_grades`` row."""

    __tablename__ = "grade_proposals"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_grade_proposals_uscc_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprises.uscc", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    proposed: Mapped[str] = mapped_column(String(3))
    score: Mapped[float] = mapped_column(Float)
    # {"base": {...}, "indicators": [...], "caps": [...], "evidence": n, "reward": {...}}
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reward_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    decided_grade: Mapped[str | None] = mapped_column(String(3))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    override_reason: Mapped[str | None] = mapped_column(Text)
    grade_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_grades.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
