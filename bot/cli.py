"""Command line: `dianxiaoer [run|demo|db upgrade|check-config|report weekly|outbox …]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot import logsafety
from bot.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def _config_path(given: str | None) -> Path | None:
    """--config, else $DIANXIAOER_CONFIG, else ./config.toml if present, else embedded."""
    if given:
        return Path(given)
    if env := os.environ.get("DIANXIAOER_CONFIG"):
        return Path(env)
    local = Path("config.toml")
    return local if local.exists() else None


def _has_token_hint() -> bool:
    return bool(os.environ.get("DIANXIAOER_BOT_TOKEN"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dianxiaoer", description="店小二 营商环境投诉受理台 — the complaint desk bot."
    )
    parser.add_argument("--config", help="TOML config file (default: ./config.toml or embedded)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the desk (the demo when no bot token is configured)")
    sub.add_parser("demo", help="play a scripted conversation on the local Bot API emulator")
    sub.add_parser("check-config", help="validate the config file and exit")
    db = sub.add_parser("db", help="database commands")
    db.add_argument("action", choices=["upgrade"], help="apply migrations up to head")
    report = sub.add_parser("report", help="write a report's files and print its summary")
    report.add_argument(
        "kind", choices=["weekly"], help="weekly: the overdue summary (每周超期通报)"
    )
    report.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: the last full week)")
    report.add_argument("--out", default=".", help="folder for the .xlsx and .png (default: .)")
    outbox = sub.add_parser(
        "outbox", help="deliveries that need an operator (see docs/reliability.md)"
    )
    outbox_sub = outbox.add_subparsers(dest="outbox_action", required=True)
    listing = outbox_sub.add_parser(
        "list", help="failed, uncertain and held messages (default: all three)"
    )
    which = listing.add_mutually_exclusive_group()
    for kind, meaning in (
        ("failed", "given up for good (blocked, bad request …)"),
        ("uncertain", "maybe delivered: the answer was lost (time-out, crash)"),
        ("held", "waiting for a department's chat to be bound (/bind)"),
        ("pending", "queued or being retried"),
    ):
        which.add_argument(
            f"--{kind}", dest="which", action="store_const", const=kind, help=meaning
        )
    listing.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    resend = outbox_sub.add_parser("resend", help="queue failed or uncertain messages again")
    resend.add_argument("ids", nargs="+", type=int, metavar="ID", help="outbox row ids")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logsafety.install()  # before anything can log a URL with the bot token in it
    quiet = args.command in (None, "run", "demo") and not args.verbose
    # httpx logs every request URL (token redacted by logsafety): only with -v.
    for noisy in (
        "apscheduler",
        "aiohttp.access",
        "alembic",
        *(() if args.verbose else ("httpx",)),
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if quiet and not _has_token_hint():
        # The demo prints a transcript; log lines would only interleave with it.
        logging.getLogger().setLevel(logging.WARNING)
    try:
        settings = load_settings(_config_path(args.config))
    except ConfigError as exc:
        print(logsafety.redact(f"config error: {exc}"), file=sys.stderr)
        return EXIT_CONFIG
    logsafety.add_secret(settings.telegram.token)
    command = args.command or "run"
    if command == "check-config":
        print(
            f"config ok: {len(settings.departments)} departments, "
            f"{len(settings.categories)} categories, {len(settings.routing_rules)} rules"
        )
        return 0
    if command == "db":
        from bot.desk import prepare_database

        prepare_database(settings)
        print(f"database at head: {settings.database.url}")
        return 0
    if command == "report":
        return _report(settings, args.week, Path(args.out))
    if command == "outbox":
        return _outbox(settings, args)
    if command == "demo" or not settings.has_token:
        from bot.demo import run_demo

        if command == "run":
            print(
                "No bot token configured (DIANXIAOER_BOT_TOKEN or [telegram] token): "
                "running the demo on the local Bot API emulator instead.\n"
            )
        return asyncio.run(run_demo(settings))
    return _run_polling(settings)


def _report(settings: Settings, week: str | None, out: Path) -> int:
    """Write weekly-2026-W48.xlsx and .png to ``out`` and print the summary as plain text."""
    from zoneinfo import ZoneInfo

    from bot.desk import prepare_database
    from bot.report import build_weekly_report, parse_week, previous_week
    from storage.db import transaction
    from storage.types import utcnow

    now = utcnow()
    try:
        monday = parse_week(week) if week else previous_week(now, ZoneInfo(settings.desk.timezone))
    except ValueError as exc:
        print(f"--week: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    engine = prepare_database(settings)
    try:
        with transaction(engine) as session:
            report = build_weekly_report(
                session=session, settings=settings, week_start=monday, now=now
            )
    finally:
        engine.dispose()
    out.mkdir(parents=True, exist_ok=True)
    for extension, data in (("xlsx", report.xlsx), ("png", report.png)):
        path = out / report.filename(extension)
        path.write_bytes(data)
        print(f"wrote {path}", file=sys.stderr)
    print(report.text)
    return 0


def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    """`outbox list [--failed|--uncertain|--held|--pending]` and `outbox resend ID…`."""
    from bot import outbox
    from bot.desk import prepare_database
    from storage.db import transaction

    engine = prepare_database(settings)
    try:
        with transaction(engine) as session:
            if args.outbox_action == "list":
                rows = outbox.list_rows(
                    session=session, which=args.which or "problems", limit=args.limit
                )
                for row in rows:
                    print(outbox.describe(session, row))
                print(f"{len(rows)} message(s)", file=sys.stderr)
                return 0
            results = outbox.resend(session=session, ids=args.ids)
    finally:
        engine.dispose()
    for result in results:
        print(f"#{result.outbox_id}: {result.note}")
    return 0 if all(result.ok for result in results) else 1


def _run_polling(settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.desk import Desk, prepare_database

    desk = Desk(settings=settings, engine=prepare_database(settings))
    application = build_application(desk)
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
