"""Evidence on cases: attach checked files, read them back, purge them after the
retention period, export them for a legal process.

Who reads evidence is decided by who may read the case: the citizen with the access
code (``service.find_case``) and the staff of the case's department
(``casework.case_for_staff``); so a transfer moves access with the case. Adding
evidence is an entry in the case log; after filing it is also announced to the
department (outbox topic ``case.evidence``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.evidence import (
    FINISHED,
    MAX_CASE_BYTES,
    MAX_FILES_PER_CASE,
    N_,
    RETENTION_DAYS,
    EvidenceRefused,
    Prepared,
    Stored,
)
from complaints.models import Case, CaseEvent, Evidence
from complaints.outbox import announce
from infra.blobstore import BlobMissing, BlobStore
from infra.db import utcnow

log = logging.getLogger(__name__)
# a stored blob no row names (a bot conversation that was cancelled) is removed after this
ORPHAN_AGE = timedelta(days=1)


class EvidenceNotFound(LookupError):
    """No such evidence on this case (or it was purged)."""


def describe(item: Evidence) -> dict[str, Any]:
    """The metadata of one file, as the API shows it."""
    return {
        "id": item.id,
        "kind": item.kind,
        "content_type": item.content_type,
        "bytes": item.bytes,
        "sha256": item.sha256,
        "width": item.width,
        "height": item.height,
        "thumbnail": item.thumb_sha256 is not None,
        "channel": item.channel,
        "note": item.note,
        "created_at": item.created_at.isoformat(),
    }


async def usage(session: AsyncSession, case_id: int) -> tuple[int, int]:
    """How many files a case holds and their bytes (purged ones do not count)."""
    row = await session.execute(
        select(func.count(Evidence.id), func.coalesce(func.sum(Evidence.bytes), 0)).where(
            Evidence.case_id == case_id, Evidence.purged_at.is_(None)
        )
    )
    count, total = row.one()
    return int(count), int(total)


def check_room(count: int, total: int, adding: Sequence[Prepared | Stored]) -> None:
    """``EvidenceRefused`` when the files would take the case over its limits."""
    if count + len(adding) > MAX_FILES_PER_CASE:
        raise EvidenceRefused(
            "too_many_files",
            N_("A case may have at most {limit} files; it has {count} already."),
            409,
            limit=MAX_FILES_PER_CASE,
            count=count,
        )
    if total + sum(_size(p) for p in adding) > MAX_CASE_BYTES:
        raise EvidenceRefused(
            "case_too_large",
            N_("The files of a case may add up to at most {limit} MB."),
            413,
            limit=MAX_CASE_BYTES // (1024 * 1024),
        )


def _size(item: Prepared | Stored) -> int:
    return len(item.data) if isinstance(item, Prepared) else item.bytes


async def store_blobs(store: BlobStore, prepared: Prepared) -> Stored:
    """Put a file and its thumbnail in the store (idempotent: names are their hashes)."""
    await store.put(prepared.data)
    if prepared.thumbnail is not None:
        await store.put(prepared.thumbnail)
    return prepared.stored()


async def attach(
    session: AsyncSession,
    store: BlobStore,
    case: Case,
    files: Sequence[Prepared | Stored],
    *,
    actor: str,
    channel: str,
    announce_it: bool = True,
) -> list[Evidence]:
    """Attach checked files to a case in the caller's transaction: the limits are checked
    with the case row locked, the files are stored, the log gets one entry and (after
    filing) the department is told. Caller commits."""
    if not files:
        return []
    # one writer per case at a time: parallel uploads cannot both take the last place
    await session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    count, total = await usage(session, case.id)
    check_room(count, total, files)
    now = utcnow()
    rows = []
    for item in files:
        stored = await store_blobs(store, item) if isinstance(item, Prepared) else item
        row = Evidence(
            case_id=case.id,
            sha256=stored.sha256,
            kind=stored.kind,
            content_type=stored.content_type,
            bytes=stored.bytes,
            width=stored.width,
            height=stored.height,
            thumb_sha256=stored.thumb_sha256,
            channel=channel,
            added_by=actor,
            note=stored.note,
            created_at=now,
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    ids = [r.id for r in rows]
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=actor,
            action="evidence",
            from_status=case.status,
            to_status=case.status,
            data={"evidence": ids, "count": len(ids), "channel": channel},
            public=True,
        )
    )
    if announce_it:
        announce(
            session,
            "case.evidence",
            {
                "case_id": case.id,
                "tracking_no": case.tracking_no,
                "department": case.department,
                "kind": case.kind,
                "count": len(ids),
                "total": count + len(ids),
            },
            at=now,
        )
    await session.flush()
    return rows


async def list_for(session: AsyncSession, case_id: int) -> list[Evidence]:
    return list(
        await session.scalars(
            select(Evidence)
            .where(Evidence.case_id == case_id, Evidence.purged_at.is_(None))
            .order_by(Evidence.id)
        )
    )


async def first_ids(session: AsyncSession, case_ids: list[int]) -> dict[int, int]:
    """The first kept evidence id of each case that has any."""
    if not case_ids:
        return {}
    rows = await session.execute(
        select(Evidence.case_id, func.min(Evidence.id))
        .where(Evidence.case_id.in_(case_ids), Evidence.purged_at.is_(None))
        .group_by(Evidence.case_id)
    )
    return {case_id: first for case_id, first in rows.all()}


async def one(session: AsyncSession, case_id: int, evidence_id: Any) -> Evidence:
    if not isinstance(evidence_id, int) or not 0 < evidence_id < 2**31:
        raise EvidenceNotFound(evidence_id)
    item = await session.get(Evidence, evidence_id)
    if item is None or item.case_id != case_id or item.purged_at is not None:
        raise EvidenceNotFound(evidence_id)
    return item


async def content(store: BlobStore, item: Evidence, thumbnail: bool = False) -> bytes:
    name = item.thumb_sha256 if thumbnail else item.sha256
    if name is None:
        raise EvidenceNotFound(item.id)
    try:
        return await store.get(name)
    except BlobMissing:
        raise EvidenceNotFound(item.id) from None


@dataclass
class PurgeReport:
    cases: int = 0
    files: int = 0
    blobs_deleted: int = 0
    orphans_deleted: int = 0


async def purge_expired(
    sessions: async_sessionmaker[AsyncSession], store: BlobStore, now: datetime | None = None
) -> PurgeReport:
    """Delete the evidence of finished cases whose retention period has passed, record
    it in each case's log, then remove the blobs no kept file needs (and orphans)."""
    now = now or utcnow()
    report = PurgeReport()
    last = (
        select(CaseEvent.case_id, func.max(CaseEvent.at).label("last_at"))
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    candidates: set[str] = set()
    async with sessions() as session:
        for kind, days in RETENTION_DAYS.items():
            cutoff = now - timedelta(days=days)
            cases = list(
                await session.scalars(
                    select(Case)
                    .join(last, last.c.case_id == Case.id)
                    .where(
                        Case.kind == kind,
                        Case.status.in_(FINISHED),
                        last.c.last_at < cutoff,
                        Case.id.in_(select(Evidence.case_id).where(Evidence.purged_at.is_(None))),
                    )
                )
            )
            for case in cases:
                items = await list_for(session, case.id)
                for item in items:
                    item.purged_at = now
                    candidates.add(item.sha256)
                    if item.thumb_sha256:
                        candidates.add(item.thumb_sha256)
                session.add(
                    CaseEvent(
                        case_id=case.id,
                        at=now,
                        actor="system:retention",
                        action="evidence_purged",
                        from_status=case.status,
                        to_status=case.status,
                        data={"evidence": [i.id for i in items], "retention_days": days},
                        public=False,
                    )
                )
                report.cases += 1
                report.files += len(items)
                log.info(
                    "evidence purged: case %s, %d files, retention %d days",
                    case.tracking_no,
                    len(items),
                    days,
                )
        await session.commit()
        needed = await _needed(session)
    for name in sorted(candidates - needed):
        if await store.delete(name):
            report.blobs_deleted += 1
    async for name, modified in store.names():
        if name not in needed and name not in candidates and now - modified > ORPHAN_AGE:
            if await store.delete(name):
                report.orphans_deleted += 1
    if report.orphans_deleted:
        log.info("evidence store: %d unreferenced files removed", report.orphans_deleted)
    return report


async def _needed(session: AsyncSession) -> set[str]:
    """Every blob a kept file or its thumbnail needs."""
    rows = await session.execute(
        select(Evidence.sha256, Evidence.thumb_sha256).where(Evidence.purged_at.is_(None))
    )
    needed: set[str] = set()
    for sha, thumb in rows.all():
        needed.add(sha)
        if thumb:
            needed.add(thumb)
    return needed


async def export_case(
    sessions: async_sessionmaker[AsyncSession],
    store: BlobStore,
    tracking_no: str,
    out_dir: Path,
    actor: str = "operator",
) -> list[Path]:
    """Write a case's kept evidence to ``out_dir`` with ``manifest.json`` and
    ``SHA256SUMS``, and log the export in the case's log. ``LookupError`` for an
    unknown case."""
    async with sessions() as session:
        case = await session.scalar(
            select(Case).where(Case.tracking_no == tracking_no.strip().upper())
        )
        if case is None:
            raise LookupError(tracking_no)
        items = await list_for(session, case.id)
        files: list[tuple[str, bytes]] = []
        manifest = []
        for n, item in enumerate(items, start=1):
            ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
                item.content_type, "bin"
            )
            # names made here from numbers and hashes, never from anything a client sent
            name = f"{n:02d}-{item.sha256[:12]}.{ext}"
            files.append((name, await content(store, item)))
            manifest.append({"file": name, **describe(item), "added_by": item.added_by})
        document = {
            "tracking_no": case.tracking_no,
            "kind": case.kind,
            "department": case.department,
            "exported_at": utcnow().isoformat(),
            "files": manifest,
        }
        written = await asyncio.to_thread(_write_export, out_dir, files, document)
        session.add(
            CaseEvent(
                case_id=case.id,
                at=utcnow(),
                actor=actor,
                action="evidence_exported",
                from_status=case.status,
                to_status=case.status,
                data={"evidence": [i.id for i in items]},
                public=False,
            )
        )
        await session.commit()
    return written


def _write_export(out_dir: Path, files: list[tuple[str, bytes]], manifest: dict) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files:
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files)
    (out_dir / "SHA256SUMS").write_text(sums, encoding="utf-8")
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return written
