"""Staff accounts and Open311 API keys: created once, stored hashed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import ApiKey, Department, Staff
from zhixin.db import utcnow
from zhixin.security import hash_token, new_token


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
