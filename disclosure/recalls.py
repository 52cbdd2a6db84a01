"""Reading recall notices: filters, newest first, and keyset paging with opaque cursors.

A cursor names the last notice of a page by its position in the order
(published date, id), both descending. The next page starts strictly after
that position, so notices inserted meanwhile never shift a page: a newer one
appears at the top of a fresh listing, and none is shown twice or skipped.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from disclosure.models import RECALL_CATEGORIES, RecallNotice
from nlp import uscc as uscc_codes


class BadCursor(ValueError):
    """A cursor this service did not hand out."""


class RecallNotFound(LookupError):
    """No recall notice with this id."""


@dataclass(frozen=True, slots=True)
class RecallFilter:
    q: str | None = None
    category: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.category is not None and self.category not in RECALL_CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")


@dataclass(frozen=True, slots=True)
class RecallPage:
    items: list[RecallNotice]
    next_cursor: str | None


def encode_cursor(published: date, recall_id: int) -> str:
    raw = f"{published.isoformat()}|{recall_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ids are 32-bit on PostgreSQL; a larger one in a crafted cursor would fail in the driver
MAX_RECALL_ID = 2**31 - 1


def decode_cursor(cursor: str) -> tuple[date, int]:
    """The (published, id) a cursor points after; BadCursor unless it is one we could
    have handed out (a date and an id the database can hold)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, _, number = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition("|")
        published = date.fromisoformat(day)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadCursor("the cursor is not one this service handed out") from None
    if not (number.isascii() and number.isdigit()) or not 0 < int(number) <= MAX_RECALL_ID:
        raise BadCursor("the cursor is not one this service handed out")
    return published, int(number)


def _filtered(stmt: Select[Any], f: RecallFilter) -> Select[Any]:
    if f.category:
        stmt = stmt.where(RecallNotice.category == f.category)
    if f.since:
        stmt = stmt.where(RecallNotice.published >= f.since)
    if f.until:
        stmt = stmt.where(RecallNotice.published <= f.until)
    if f.q:
        q = unicodedata.normalize("NFKC", f.q).strip()
        fields = (
            RecallNotice.title,
            RecallNotice.product,
            RecallNotice.brand,
            RecallNotice.model,
            RecallNotice.producer,
            RecallNotice.recall_no,
        )
        # Chinese has no case; icontains folds ASCII letters on both backends.
        conditions = [field.icontains(q, autoescape=True) for field in fields]
        if uscc_codes.is_well_formed(q):
            conditions.append(RecallNotice.producer_uscc == uscc_codes.clean(q))
        stmt = stmt.where(or_(*conditions))
    return stmt


async def list_recalls(
    session: AsyncSession, filters: RecallFilter, limit: int = 20, cursor: str | None = None
) -> RecallPage:
    """One page of notices, newest first; ``next_cursor`` is None on the last page."""
    stmt = _filtered(select(RecallNotice), filters)
    if cursor:
        published, recall_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(RecallNotice.published, RecallNotice.id) < (published, recall_id))
    stmt = stmt.order_by(RecallNotice.published.desc(), RecallNotice.id.desc()).limit(limit + 1)
    rows = list(await session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].published, rows[-1].id) if more and rows else None
    return RecallPage(rows, next_cursor)


async def get_recall(session: AsyncSession, recall_id: int) -> RecallNotice:
    recall = await session.get(RecallNotice, recall_id)
    if recall is None:
        raise RecallNotFound(recall_id)
    return recall


def recall_dict(r: RecallNotice) -> dict[str, Any]:
    """Every published field of a notice, JSON-ready."""
    return {
        "id": r.id,
        "recall_no": r.recall_no,
        "title": r.title,
        "product": r.product,
        "brand": r.brand,
        "model": r.model,
        "category": r.category,
        "level": r.level,
        "producer": r.producer,
        "producer_uscc": r.producer_uscc,
        "reason": r.reason,
        "hazard": r.hazard,
        "remedy": r.remedy,
        "quantity": r.quantity,
        "region": r.region,
        "start_date": r.start_date.isoformat(),
        "published": r.published.isoformat(),
        "status": r.status,
        "url": r.url,
        "updated_at": r.updated_at.isoformat() if r.updated_at else None,
    }


# What a list shows of each notice (a subset of ``recall_dict``).
ITEM_FIELDS = (
    "id",
    "recall_no",
    "title",
    "product",
    "brand",
    "category",
    "level",
    "producer",
    "producer_uscc",
    "published",
    "status",
)
SUMMARY_FIELDS = ("id", "recall_no", "title", "product", "category", "published", "status")


def recall_item(r: RecallNotice, fields: tuple[str, ...] = ITEM_FIELDS) -> dict[str, Any]:
    """A notice as a list shows it."""
    full = recall_dict(r)
    return {name: full[name] for name in fields}
