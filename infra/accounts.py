"""Departments, staff accounts and Open311 API keys: the tables several domains check.

Accounts are created once and stored hashed. They sit on the ground floor because
disclosure (the objection desk), complaints (the case desk), Open311 and the bot all
authenticate against them, and none of those may import another's web code.
"""

from __future__ import annotations

from datetime import datetime

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


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UnknownDepartment(ValueError):
    pass


async def add_staff(session: AsyncSession, department: str, name: str) -> tuple[Staff, str]:
    """Create a staff account; returns it with its token (shown once, stored hashed)."""
    dept = await session.get(Department, department)
    if dept is None or not dept.active:
        codes = ", ".join(await session.scalars(select(Department.code).order_by(Department.code)))
        raise UnknownDepartment(f"unknown department {department!r}; known: {codes}")
    token = new_token("zxs")
    staff = Staff(department=department, name=name.strip(), token_hash=hash_token(token))
    session.add(staff)
    await session.flush()
    return staff, token


async def staff_for_token(session: AsyncSession, token: str) -> Staff | None:
    staff = await session.scalar(select(Staff).where(Staff.token_hash == hash_token(token)))
    if staff is None or staff.revoked_at is not None:
        return None
    return staff


async def revoke_staff(session: AsyncSession, staff_id: int) -> None:
    staff = await session.get(Staff, staff_id)
    if staff is not None and staff.revoked_at is None:
        staff.revoked_at = utcnow()


async def add_api_key(session: AsyncSession, name: str) -> tuple[ApiKey, str]:
    key = new_token("zxk")
    row = ApiKey(name=name.strip(), key_hash=hash_token(key))
    session.add(row)
    await session.flush()
    return row, key


async def api_key_valid(session: AsyncSession, key: str) -> ApiKey | None:
    row = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(key)))
    if row is None or row.revoked_at is not None:
        return None
    return row
