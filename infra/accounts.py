"""Departments, staff accounts and Open311 API keys: the tables several domains check.

Accounts are created once and stored hashed, and stop working when revoked or when
they expire (``ZHIXIN_TOKEN_DAYS`` after they were issued, 90 by default). They sit
on the ground floor because disclosure (the objection desk), complaints (the case
desk), Open311 and the bot all authenticate against them, and none of those may
import another's web code.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base, UTCDateTime, utcnow
from infra.security import hash_token, new_token


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    scope_zh: Mapped[str] = mapped_column(Text, default="")
    scope_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str) -> str:
        return self.name_en if lang.startswith("en") else self.name_zh


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None for accounts made before tokens expired: ``TOKEN_DAYS`` after created_at
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed into every desk session; a logout moves it on, voiding the old cookies
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def active(self, now: datetime | None = None) -> bool:
        return usable(self.revoked_at, self.expires_at, self.created_at, now)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def active(self, now: datetime | None = None) -> bool:
        return usable(self.revoked_at, self.expires_at, self.created_at, now)


TOKEN_DAYS = 90  # the default of ZHIXIN_TOKEN_DAYS


def usable(
    revoked_at: datetime | None,
    expires_at: datetime | None,
    created_at: datetime | None,
    now: datetime | None = None,
) -> bool:
    """Neither revoked nor expired."""
    if revoked_at is not None:
        return False
    now = now or utcnow()
    if expires_at is None and created_at is not None:
        expires_at = created_at + timedelta(days=TOKEN_DAYS)
    return expires_at is None or now < expires_at


class UnknownDepartment(ValueError):
    pass


async def add_staff(
    session: AsyncSession, department: str, name: str, days: int = TOKEN_DAYS
) -> tuple[Staff, str]:
    """Create a staff account whose token works for ``days``; returns it with its token
    (shown once, stored hashed)."""
    dept = await session.get(Department, department)
    if dept is None or not dept.active:
        codes = ", ".join(await session.scalars(select(Department.code).order_by(Department.code)))
        raise UnknownDepartment(f"unknown department {department!r}; known: {codes}")
    token = new_token("zxs")
    now = utcnow()
    staff = Staff(
        department=department,
        name=name.strip(),
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(staff)
    await session.flush()
    return staff, token


async def staff_for_token(session: AsyncSession, token: str) -> Staff | None:
    """The staff member whose token this is, while it is neither revoked nor expired."""
    staff = await session.scalar(select(Staff).where(Staff.token_hash == hash_token(token)))
    if staff is None or not staff.active():
        return None
    return staff


async def revoke_staff(session: AsyncSession, staff_id: int) -> Staff | None:
    """Revoke a staff token (caller commits); the account, or None when there is none."""
    staff = await session.get(Staff, staff_id)
    if staff is not None and staff.revoked_at is None:
        staff.revoked_at = utcnow()
    return staff


async def list_staff(session: AsyncSession) -> list[Staff]:
    return list(await session.scalars(select(Staff).order_by(Staff.id)))


async def list_api_keys(session: AsyncSession) -> list[ApiKey]:
    return list(await session.scalars(select(ApiKey).order_by(ApiKey.id)))


async def revoke_api_key(session: AsyncSession, key_id: int) -> ApiKey | None:
    """Revoke an API key (caller commits); the key's row, or None when there is none."""
    row = await session.get(ApiKey, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


async def add_api_key(
    session: AsyncSession, name: str, days: int = TOKEN_DAYS
) -> tuple[ApiKey, str]:
    """Create an API key that works for ``days``; returns it with the key (shown once)."""
    key = new_token("zxk")
    now = utcnow()
    row = ApiKey(
        name=name.strip(),
        key_hash=hash_token(key),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    return row, key


async def api_key_valid(session: AsyncSession, key: str) -> ApiKey | None:
    row = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(key)))
    if row is None or not row.active():
        return None
    return row
