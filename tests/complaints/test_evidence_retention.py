"""Retention and export of evidence: the purge deletes the files of finished cases whose
period has passed (and says so in each case's log), keeps the others and the files another
case shares; the export writes the files with a manifest and their hashes."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import select, update

from complaints.evidence import RETENTION_DAYS, prepare
from complaints.evidence_store import attach, export_case, purge_expired
from complaints.models import Case, CaseEvent, Evidence
from infra.db import utcnow
from tests.support.desk import ELEVATOR, POLLUTION, file_case
from tests.support.evidence import jpeg_with_gps, pdf, png


async def _with_files(services, tracking_no: str, *files: bytes, status: str | None = None):
    async with services.sessions() as s:
        case = await s.scalar(select(Case).where(Case.tracking_no == tracking_no))
        await attach(
            s,
            services.evidence_store,
            case,
            [prepare(f) for f in files],
            actor="citizen",
            channel="api",
        )
        if status:
            await s.execute(update(Case).where(Case.id == case.id).values(status=status))
        await s.commit()
        return case.id


async def test_purge_deletes_expired_files_and_logs_it(client, services, settings) -> None:
    closed = await file_case(client, ELEVATOR)
    tip = await file_case(client, POLLUTION, kind="tip", anonymous=True)
    still_open = await file_case(client, ELEVATOR + "，第二次")
    shared = png()
    closed_id = await _with_files(
        services, closed["tracking_no"], jpeg_with_gps(), shared, status="closed"
    )
    tip_id = await _with_files(services, tip["tracking_no"], pdf(), status="closed")
    open_id = await _with_files(services, still_open["tracking_no"], shared)
    store = services.evidence_store
    # before the complaint's period is over: nothing goes
    soon = utcnow() + timedelta(days=RETENTION_DAYS["complaint"] - 5)
    assert (await purge_expired(services.sessions, store, soon)).files == 0
    later = utcnow() + timedelta(days=RETENTION_DAYS["complaint"] + 5)
    report = await purge_expired(services.sessions, store, later)
    assert (report.cases, report.files) == (1, 2)
    async with services.sessions() as s:
        rows = {r.id: r for r in await s.scalars(select(Evidence))}
        gone = [r for r in rows.values() if r.case_id == closed_id]
        kept = [r for r in rows.values() if r.case_id in (tip_id, open_id)]
        log = list(await s.scalars(select(CaseEvent).where(CaseEvent.action == "evidence_purged")))
    assert all(r.purged_at is not None for r in gone)
    assert all(r.purged_at is None for r in kept)
    assert [e.case_id for e in log] == [closed_id] and not log[0].public
    assert log[0].data["retention_days"] == RETENTION_DAYS["complaint"]
    names = {n async for n, _at in store.names()}
    photo = next(r for r in gone if r.content_type == "image/jpeg")
    assert photo.sha256 not in names and photo.thumb_sha256 not in names
    # the PNG is shared with the open case: still there
    open_row = next(r for r in kept if r.case_id == open_id)
    assert open_row.sha256 in names
    # the tip keeps its files for five years
    much_later = utcnow() + timedelta(days=RETENTION_DAYS["tip"] + 5)
    report = await purge_expired(services.sessions, store, much_later)
    assert (report.cases, report.files) == (1, 1)
    # the citizen no longer gets a purged file
    resp = await client.get(
        f"/api/v1/cases/{closed['tracking_no']}/evidence",
        headers={"X-Access-Code": closed["access_code"]},
    )
    assert (await resp.json())["items"] == []


async def test_files_no_case_refers_to_are_swept_after_a_day(services) -> None:
    store = services.evidence_store
    name = await store.put(b"left over from a cancelled conversation")
    assert (await purge_expired(services.sessions, store)).orphans_deleted == 0
    report = await purge_expired(services.sessions, store, utcnow() + timedelta(days=2))
    assert report.orphans_deleted == 1
    assert name not in {n async for n, _at in store.names()}


async def test_export_writes_files_manifest_and_hashes(client, services, tmp_path) -> None:
    filed = await file_case(client, ELEVATOR)
    await _with_files(services, filed["tracking_no"], jpeg_with_gps(), pdf())
    out = tmp_path / "legal"
    written = await export_case(
        services.sessions, services.evidence_store, filed["tracking_no"], out
    )
    assert [p.suffix for p in written] == [".jpg", ".pdf"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tracking_no"] == filed["tracking_no"]
    sums = (out / "SHA256SUMS").read_text().splitlines()
    for line, path in zip(sums, written, strict=True):
        digest, name = line.split("  ")
        assert name == path.name and hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert [f["sha256"] for f in manifest["files"]] == [s.split()[0] for s in sums]
    async with services.sessions() as s:
        actions = list(await s.scalars(select(CaseEvent.action).order_by(CaseEvent.id)))
    assert actions[-1] == "evidence_exported"
