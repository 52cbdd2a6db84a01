"""Likely duplicates: similar text about the same enterprise within 30 days.

A duplicate is linked to the first case (``duplicate_of_id``), never dropped: the
department decides, and the citizen still gets a tracking number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Select, literal, or_, select, union_all
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


@dataclass(frozen=True, slots=True)
class Probe:
    """A new case to check: its text, enterprise and company, when it came in, and the
    cases of the same submission (never its duplicates)."""

    text: str
    enterprise_uscc: str | None
    company: str | None
    now: datetime
    exclude: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    text: str
    original_id: int | None  # what the candidate itself repeats, if anything
    enterprise_uscc: str | None = None
    company: str | None = None


def _query(probe: Probe) -> Select[Any] | None:
    conditions = []
    if probe.enterprise_uscc:
        conditions.append(Case.enterprise_uscc == probe.enterprise_uscc)
    if probe.company:
        conditions.append(Case.company == probe.company)
    if not conditions or not comparable(probe.text):
        return None  # without an enterprise there is nothing to call "the same"
    stmt = (
        select(Case.id, Case.text, Case.duplicate_of_id)
        .where(
            or_(*conditions),
            Case.created_at >= probe.now - WINDOW,
            Case.created_at <= probe.now,
        )
        .order_by(Case.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if probe.exclude:
        stmt = stmt.where(Case.id.not_in(probe.exclude))
    return stmt


async def recent_candidates(session: AsyncSession, probes: list[Probe]) -> list[list[Candidate]]:
    """The stored cases each probe may repeat, newest first: one query for all probes."""
    parts = []
    for i, probe in enumerate(probes):
        stmt = _query(probe)
        if stmt is not None:
            sub = stmt.add_columns(literal(i).label("probe")).subquery()
            parts.append(select(sub))
    found: list[list[Candidate]] = [[] for _ in probes]
    if not parts:
        return found
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    for case_id, text, original, i in await session.execute(query):
        found[i].append(Candidate(case_id, text, original))
    for rows in found:
        rows.sort(key=lambda c: c.id, reverse=True)
    return found


def best_match(text: str, candidates: list[Candidate]) -> Candidate | None:
    """The candidate the text repeats most closely (above the threshold), or None."""
    target = comparable(text)
    if not target:
        return None
    best: tuple[float, Candidate] | None = None
    for candidate in candidates:
        score = fuzz.ratio(target, comparable(candidate.text), score_cutoff=THRESHOLD)
        if score and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


async def find_duplicate(
    session: AsyncSession,
    text: str,
    enterprise_uscc: str | None,
    company: str | None,
    now: datetime,
    exclude: tuple[int, ...] = (),
) -> Case | None:
    """The earliest open-window case this one repeats, or None."""
    probe = Probe(text, enterprise_uscc, company, now, exclude)
    match = best_match(text, (await recent_candidates(session, [probe]))[0])
    if match is None:
        return None
    # link to the original, so a chain of repeats points at one case
    return await session.get(Case, match.original_id or match.id)
