"""``zhixin evidence export`` and ``zhixin evidence purge`` as an operator runs them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.conftest import SECRET
from tests.support.desk import ELEVATOR, file_case
from tests.support.evidence import jpeg_with_gps, pdf


def zhixin(args: list[str], settings, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIXIN_")}
    env.update(
        ZHIXIN_SECRET_KEY=SECRET,
        ZHIXIN_DATABASE_URL=settings.database_url,
        ZHIXIN_EVIDENCE_DIR=str(settings.evidence_dir),
        ZHIXIN_CACHE_DIR=os.environ.get("ZHIXIN_CACHE_DIR", ""),
    )
    return subprocess.run(
        [sys.executable, "-m", "zhixin", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=180,
    )


async def test_export_and_purge_from_the_command_line(client, settings, tmp_path) -> None:
    filed = await file_case(client, ELEVATOR)
    for data, name in ((jpeg_with_gps(), "a.jpg"), (pdf(), "b.pdf")):
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name)
        resp = await client.post(
            f"/api/v1/cases/{filed['tracking_no']}/evidence",
            data=form,
            headers={"X-Access-Code": filed["access_code"]},
        )
        assert resp.status == 201
    out = tmp_path / "for-the-court"
    done = zhixin(
        ["evidence", "export", filed["tracking_no"], "--out", str(out)], settings, tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert f"2 files of {filed['tracking_no']}" in done.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    for item in manifest["files"]:
        data = (out / item["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
    # a second export into the same folder would mix two exports: refused
    again = zhixin(
        ["evidence", "export", filed["tracking_no"], "--out", str(out)], settings, tmp_path
    )
    assert again.returncode == 1 and "not an empty folder" in again.stderr
    unknown = zhixin(
        ["evidence", "export", "ZX000", "--out", str(tmp_path / "x")], settings, tmp_path
    )
    assert unknown.returncode == 1 and "ZX000" in unknown.stderr
    # nothing has expired yet: the purge deletes nothing and says so
    purge = zhixin(["evidence", "purge"], settings, tmp_path)
    assert purge.returncode == 0, purge.stderr
    assert "purged 0 files of 0 cases" in purge.stdout
    assert "evidence purge" in purge.stderr  # logged
    assert len(list(settings.evidence_dir.rglob("*/*/*"))) == 3  # photo, thumbnail, PDF
