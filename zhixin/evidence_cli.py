"""``zhixin evidence purge`` and ``zhixin evidence export``: the retention job and the
export of a case's evidence for a legal process."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from infra.settings import Settings
from zhixin.cli_support import _run, _with_services

log = logging.getLogger("zhixin.evidence")


def add_parsers(sub: Any, command_error: type[Exception]) -> None:
    ev = sub.add_parser("evidence", help="evidence files: retention and export")
    evsub = ev.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    purge = evsub.add_parser(
        "purge",
        help="delete the evidence of finished cases past their retention period "
        "(complaints 3 years, tips 5, inquiries 1), and files nothing refers to",
    )
    purge.set_defaults(func=cmd_purge, command_error=command_error)
    export = evsub.add_parser(
        "export", help="copy a case's evidence, with manifest.json and SHA256SUMS, to a folder"
    )
    export.add_argument("tracking_no", metavar="TRACKING_NO")
    export.add_argument("--out", type=Path, required=True, metavar="DIR")
    export.set_defaults(func=cmd_export, command_error=command_error)


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from complaints.evidence_store import purge_expired

    async def action(services: Any) -> int:
        report = await purge_expired(services.sessions, services.evidence_store)
        log.info(
            "evidence purge: %d files of %d cases, %d stored files deleted, %d unreferenced",
            report.files,
            report.cases,
            report.blobs_deleted,
            report.orphans_deleted,
        )
        print(
            f"purged {report.files} files of {report.cases} cases; "
            f"deleted {report.blobs_deleted} stored files and "
            f"{report.orphans_deleted} that nothing referred to"
        )
        return 0

    return _run(_with_services(settings, action))


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from complaints.evidence_store import export_case

    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise args.command_error(f"--out {out}: not an empty folder")

    async def action(services: Any) -> int:
        try:
            written = await export_case(
                services.sessions, services.evidence_store, args.tracking_no, out
            )
        except LookupError:
            raise args.command_error(f"no case with tracking number {args.tracking_no}") from None
        print(f"{len(written)} files of {args.tracking_no.upper()} written to {out}")
        return 0

    return _run(_with_services(settings, action))
