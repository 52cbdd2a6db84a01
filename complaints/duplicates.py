"""Likely duplicates: similar text about the same enterprise within 30 days.

A duplicate is linked to the first case (``duplicate_of_id``), never dropped: the
department decides, and the citizen still gets a tracking number.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Case
from nlp.text import normalize, strip_identifiers

WINDOW = timedelta(days=30)
# fuzz.ratio on normalised text without identifiers or punctuation: a retelling of the
# same problem scores 75-95, two different problems with the same shop stay below 60
THRESHOLD = 75.0
MAX_CANDIDATES = 200
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=8192)
def comparable(text: str) -> str:
    """The text with phone numbers, order numbers, punctuation and spacing removed."""
    return _NOISE.sub("", strip_identifiers(normalize(text)))


def similarity(a: str, b: str) -> float:
    """0-100: how alike two complaint texts read."""
    return fuzz.ratio(comparable(a), comparable(b))


async def find_duplicate(
    session: AsyncSession,
    text: str,
    enterprise_uscc: str | None,
    company: str | None,
    now: datetime,
    exclude: tuple[int, ...] = (),
) -> Case | None:
    """The earliest open-window case this one repeats, or None."""
    conditions = []
    if enterprise_uscc:
        conditions.append(Case.enterprise_uscc == enterprise_uscc)
    if company:
        conditions.append(Case.company == company)
    target = comparable(text)
    if not conditions or not target:
        return None  # without an enterprise there is nothing to call "the same"
    stmt = (
        select(Case.id, Case.text, Case.duplicate_of_id)
        .where(or_(*conditions), Case.created_at >= now - WINDOW, Case.created_at <= now)
        .order_by(Case.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if exclude:
        stmt = stmt.where(Case.id.not_in(exclude))
    best: tuple[float, int, int | None] | None = None
    for case_id, other, original in await session.execute(stmt):
        score = fuzz.ratio(target, comparable(other), score_cutoff=THRESHOLD)
        if score and (best is None or score > best[0]):
            best = (score, case_id, original)
    if best is None:
        return None
    # link to the original, so a chain of repeats points at one case
    return await session.get(Case, best[2] or best[1])
