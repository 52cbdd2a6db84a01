"""What the bot remembers: users' language, subscriptions, bound department chats,
deliveries of outbox events and the marks of what it has already announced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base, UTCDateTime, utcnow


class BotUser(Base):
    __tablename__ = "bot_users"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    # True once the user picked a language with /language; until then the language
    # follows the Telegram client's setting.
    lang_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "target", name="uq_subscriptions_chat_kind_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # "category" (a recall category) or "enterprise" (a followed company's USCC)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DepartmentChat(Base):
    __tablename__ = "department_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    bound_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    """A message of an outbox event delivered to one chat; the unique key prevents repeats."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("event_id", "chat_id", name="uq_deliveries_event_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # pending (claimed, not yet confirmed), sent, blocked, failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when a sender last took it on; a pending row older than a lease is taken on again
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BotCursor(Base):
    """How far a watcher has looked (e.g. the newest recall notice already announced)."""

    __tablename__ = "bot_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
