"""The ``zhixin`` command line (``python -m zhixin``).

Exit codes: 0 success, 1 bad input (a message on stderr names what was wrong),
2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.settings import Settings, SettingsError, ensure_demo_secret, load_settings
from zhixin.cli_support import CommandError, _run, _with_services


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="zhixin",
        description="Zhixin (质信): quality-credit grades, recall notices and quality complaints.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("serve", help="run the web service (and the bot when a token is set)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    s.set_defaults(func=cmd_serve)

    b = sub.add_parser("bot", help="run the Telegram bot alone, long polling")
    b.set_defaults(func=cmd_bot)

    db = sub.add_parser("db", help="database schema")
    dbsub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = dbsub.add_parser("upgrade", help="apply Alembic migrations")
    up.set_defaults(func=cmd_db_upgrade)

    d = sub.add_parser("demo", help="load the bundled demo data set (idempotent)")
    d.set_defaults(func=cmd_demo)

    i = sub.add_parser("import", help="import enterprises, grades or recall notices (CSV or XLSX)")
    i.add_argument("kind", choices=["enterprises", "grades", "recalls"])
    i.add_argument("file", type=Path)
    i.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    i.set_defaults(func=cmd_import)

    lk = sub.add_parser("lookup", help="fuzzy enterprise search")
    lk.add_argument("query")
    lk.add_argument("--limit", type=int, default=10)
    lk.add_argument("--json", action="store_true", help="print JSON")
    lk.set_defaults(func=cmd_lookup)

    r = sub.add_parser(
        "route",
        help="route JSON Lines from stdin: one {id, text} in, one result out; "
        "`route train` retrains the model from corpus/",
    )
    r.add_argument(
        "action", nargs="?", choices=["train"], help="train: retrain the model from corpus/"
    )
    r.add_argument(
        "--check",
        action="store_true",
        help="with train: only check that the shipped model was trained on corpus/ as it is",
    )
    r.set_defaults(func=cmd_route)

    st = sub.add_parser("staff", help="department staff accounts")
    stsub = st.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    sa = stsub.add_parser("add", help="create a staff account and print its token once")
    sa.add_argument("--department", required=True, help="department code (departments.md)")
    sa.add_argument("--name", required=True)
    sa.set_defaults(func=cmd_staff_add)

    ak = sub.add_parser("apikey", help="Open311 API keys")
    aksub = ak.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    aa = aksub.add_parser("add", help="create an API key and print it once")
    aa.add_argument("--name", required=True)
    aa.set_defaults(func=cmd_apikey_add)
    from zhixin.cli_accounts import register

    register(stsub, aksub)

    rep = sub.add_parser("report", help="reports")
    repsub = rep.add_subparsers(dest="report_command", required=True, metavar="REPORT")
    rc = repsub.add_parser("campaign", help="a campaign's outcome report")
    rc.add_argument("slug", help="quality-month, 315, or a campaign an operator added")
    rc.add_argument("--year", type=int, required=True)
    rc.add_argument("--format", choices=["html", "csv", "xlsx"], default="html")
    rc.add_argument("--out", type=Path, help="file to write (default: stdout for html/csv)")
    rc.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report")
    rc.set_defaults(func=cmd_report_campaign)
    ra = repsub.add_parser("assessment", help="the annual assessment of departments and cities")
    ra.add_argument("--year", type=int, required=True)
    ra.add_argument("--format", choices=["html", "csv", "xlsx", "json"], default="html")
    ra.add_argument("--out", type=Path, help="file to write (default: stdout, except xlsx)")
    ra.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report")
    ra.set_defaults(func=cmd_report_assessment)

    gr = sub.add_parser("grade", help="quality-credit grade proposals")
    grsub = gr.add_subparsers(dest="grade_command", required=True, metavar="ACTION")
    gp = grsub.add_parser("propose", help="compute grade proposals from the indicator rules")
    gp.add_argument("--year", type=int, required=True, help="the year of evidence to grade")
    gp.set_defaults(func=cmd_grade_propose)

    ca = sub.add_parser("campaign", help="campaign windows (Quality Month, 3·15, operators' own)")
    casub = ca.add_subparsers(dest="campaign_command", required=True, metavar="ACTION")
    cadd = casub.add_parser("add", help="add a campaign window (change one with --replace)")
    cadd.add_argument("slug", help="lower-case letters, digits and hyphens, e.g. winter-safety")
    cadd.add_argument("--name-zh", required=True)
    cadd.add_argument("--name-en", required=True)
    cadd.add_argument("--start", required=True, help="first day, MM-DD")
    cadd.add_argument(
        "--end", required=True, help="last day, MM-DD (before --start: runs over New Year)"
    )
    cadd.add_argument("--replace", action="store_true", help="change an existing operator campaign")
    cadd.set_defaults(func=cmd_campaign_add)
    clist = casub.add_parser("list", help="every campaign and its window")
    clist.set_defaults(func=cmd_campaign_list)
    from zhixin import evidence_cli

    evidence_cli.add_parsers(sub, CommandError)
    return p


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from infra.http_server import run_app
    from zhixin.app import create_app

    settings.require_secret()
    app = create_app(settings)
    if settings.bot_token:
        from bot.runner import attach_to_app

        attach_to_app(app, settings)
    run_app(app, host=args.host, port=args.port)
    return 0


def cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.bot_token:
        raise CommandError("ZHIXIN_BOT_TOKEN is not set")
    settings.require_secret()
    from bot.runner import run_polling

    return _run(run_polling(settings))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from infra.db import make_engine
    from infra.migrate import current_revision, upgrade

    async def go() -> int:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            print(f"database at revision {await current_revision(engine)}")
        finally:
            await engine.dispose()
        return 0

    return _run(go())


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from zhixin.demo import load_demo

    if not settings.secret_key:
        settings = replace(settings, secret_key=ensure_demo_secret())
    return _run(_with_services(settings, load_demo))


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    from disclosure.importer import cli_import

    return _run(cli_import(settings, args.kind, args.file, dry_run=args.dry_run))


def cmd_lookup(args: argparse.Namespace, settings: Settings) -> int:
    from disclosure.service import search_enterprises

    if not 1 <= args.limit <= 100:
        raise CommandError("--limit must be between 1 and 100")
    if not args.query.strip():
        raise CommandError("the query is empty")

    async def action(services: Any) -> int:
        items = search_enterprises(services.published, args.query, args.limit)
        if args.json:
            print(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2))
        elif not items:
            print("no match", file=sys.stderr)
        else:
            for rank, item in enumerate(items, 1):
                grade = item.grade or "-"
                print(f"{rank:>2}. {item.uscc}  {grade:<3}  {item.score:5.1f}  {item.name}")
        return 0

    return _run(_with_services(settings, action))


def cmd_route(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "train":
        return cmd_route_train(args)
    if args.check:
        raise CommandError("--check goes with `zhixin route train`")
    from nlp.jsonl import route_stream

    async def action(services: Any) -> int:
        for line in route_stream(services.router, sys.stdin):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        return 0

    return _run(_with_services(settings, action))


def cmd_route_train(args: argparse.Namespace) -> int:
    """Retrain the router and the mention scorer from ``corpus/`` (or check they are current)."""
    from nlp.corpus import CorpusError
    from nlp.training import model_is_current, train_from_repository, write_artefacts

    if args.check:
        if model_is_current():
            print("the routing model was trained on corpus/ as it is")
            return 0
        raise CommandError("corpus/ changed since the model was trained: run `zhixin route train`")
    try:
        report, mentions = train_from_repository(progress=print)
    except CorpusError as exc:
        raise CommandError(f"corpus: {exc}") from None
    write_artefacts(report, mentions)
    for line in (*mentions.lines, *report.lines):
        print(line)
    print("wrote nlp/data/router_model.npz and nlp/data/mention_model.json")
    return 0


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from infra.accounts import UnknownDepartment, add_staff

    if not args.name.strip():
        raise CommandError("--name is empty")

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            try:
                staff, token = await add_staff(
                    session, args.department, args.name, settings.token_days
                )
            except UnknownDepartment as exc:
                raise CommandError(str(exc)) from None
            await session.commit()
        print(
            f"staff #{staff.id} {staff.name} ({staff.department}); valid until "
            f"{staff.expires_at:%Y-%m-%d}; token, shown once:"
        )
        print(token)
        return 0

    return _run(_with_services(settings, action))


def cmd_apikey_add(args: argparse.Namespace, settings: Settings) -> int:
    from infra.accounts import add_api_key

    if not args.name.strip():
        raise CommandError("--name is empty")

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            row, key = await add_api_key(session, args.name, settings.token_days)
            await session.commit()
        print(
            f"API key #{row.id} for {row.name}; valid until {row.expires_at:%Y-%m-%d}; shown once:"
        )
        print(key)
        return 0

    return _run(_with_services(settings, action))


def cmd_report_campaign(args: argparse.Namespace, settings: Settings) -> int:
    from campaigns.commands import cli_report

    if args.format == "xlsx" and args.out is None:
        raise CommandError("--format xlsx needs --out FILE")
    return _run(cli_report(settings, args.slug, args.year, args.format, args.out, lang=args.lang))


def cmd_report_assessment(args: argparse.Namespace, settings: Settings) -> int:
    from campaigns.commands import cli_assessment

    return _run(cli_assessment(settings, args.year, args.format, args.out, lang=args.lang))


def cmd_grade_propose(args: argparse.Namespace, settings: Settings) -> int:
    from credit.commands import cli_propose

    return _run(cli_propose(settings, args.year))


def cmd_campaign_add(args: argparse.Namespace, settings: Settings) -> int:
    from campaigns.commands import cli_campaign_add

    return _run(
        cli_campaign_add(
            settings,
            args.slug,
            args.name_zh,
            args.name_en,
            args.start,
            args.end,
            replace=args.replace,
        )
    )


def cmd_campaign_list(args: argparse.Namespace, settings: Settings) -> int:
    from campaigns.commands import cli_campaign_list

    return _run(cli_campaign_list(settings))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"zhixin: setting {exc}", file=sys.stderr)
        return 1
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # the SQLite driver logs every statement with its parameters (texts, ciphertexts,
    # hashes) at DEBUG; the engine hides them (infra.db), the driver must stay quiet
    logging.getLogger("aiosqlite").setLevel(
        max(logging.INFO, logging.getLevelName(settings.log_level))
    )
    # Alembic announces its plugins and its context at INFO on every start; `db upgrade`
    # prints the revision itself
    logging.getLogger("alembic").setLevel(
        max(logging.WARNING, logging.getLevelName(settings.log_level))
    )
    from infra.db import database_path_problem

    problem = database_path_problem(settings.database_url)
    if problem:
        print(f"zhixin: setting ZHIXIN_DATABASE_URL: {problem}", file=sys.stderr)
        return 1
    try:
        return args.func(args, settings)
    except (CommandError, SettingsError) as exc:
        print(f"zhixin: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from infra.health import is_database_unavailable

        if not is_database_unavailable(exc):
            raise
        # one line, not a traceback through the driver: the fix is in the setting
        from infra.db import describe_url

        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        where = describe_url(settings.database_url)
        print(f"zhixin: setting ZHIXIN_DATABASE_URL: cannot use {where}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
