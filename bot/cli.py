"""Command line: `dianxiaoer [run|demo|db upgrade|check-config|report weekly|common|outbox …]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.ops import logsafety
from bot.ops.logs import configure_logging
from bot.render import notify

if TYPE_CHECKING:
    from bot.core.routing import RoutingModel

EXIT_CONFIG = 2
#: A command that reads the desk's data found no database where the config points.
EXIT_NO_DATABASE = 3


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
    run = sub.add_parser("run", help="run the desk (the sandbox when no bot token is configured)")
    sandbox = sub.add_parser(
        "sandbox", help="the desk on the local Bot API emulator, played from a web page"
    )
    for command in (run, sandbox):
        _sandbox_options(command)
    sub.add_parser("demo", help="play a scripted conversation on the local Bot API emulator")
    sub.add_parser("check-config", help="validate the config file and exit")
    db = sub.add_parser("db", help="database commands")
    db.add_argument("action", choices=["upgrade"], help="apply migrations up to head")
    report = sub.add_parser("report", help="write a report's files and print its summary")
    report.add_argument(
        "kind",
        choices=["weekly", "common"],
        help="weekly: the overdue summary (每周超期通报); "
        "common: the recurring problems (高频诉求, docs/recurring-problems.md)",
    )
    report.add_argument(
        "--week", help="weekly: ISO week, e.g. 2026-W48 (default: the last full week)"
    )
    report.add_argument(
        "--out", default=".", help="weekly: folder for the .xlsx and .png (default: .)"
    )
    report.add_argument(
        "--since",
        help="common: the first filing date, e.g. 2026-11-01 (default: 4 weeks ago)",
    )
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
    _routing_parser(sub)
    return parser


def _routing_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    routing = sub.add_parser("routing", help="train, measure and explain routing (docs/routing.md)")
    actions = routing.add_subparsers(dest="routing_action", required=True)
    training = actions.add_parser(
        "train", help="train on the corpus and the desk's history; store it as the active model"
    )
    evaluation = actions.add_parser("eval", help="route a labelled TOML file of [[case]]s")
    evaluation.add_argument(
        "file", type=Path, help="TOML with [[case]] id, text, category, expected"
    )
    evaluation.add_argument("--json", action="store_true", help="one JSON object per case")
    explaining = actions.add_parser("explain", help="how one text would be routed, and why")
    explaining.add_argument("text", help="the complaint's text")
    explaining.add_argument("--category", help="the category code the enterprise picked")
    for action in (training, evaluation, explaining):
        # `dianxiaoer routing eval FILE --config zone.toml` reads as naturally as the global
        # form; SUPPRESS keeps an absent one from hiding `dianxiaoer --config … routing`.
        action.add_argument(
            "--config", default=argparse.SUPPRESS, help="TOML config file (as the global --config)"
        )


def _sandbox_options(parser: argparse.ArgumentParser) -> None:
    """--host/--port/--data-dir override [sandbox]; for `run` they apply without a token."""
    parser.add_argument("--host", help="address to listen on, loopback only ([sandbox] host)")
    parser.add_argument(
        "--port", type=int, help="web page port, 0 = any free port ([sandbox] port)"
    )
    parser.add_argument("--data-dir", help="folder for sandbox.db ([sandbox] data_dir)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(fmt="text", level=logging.DEBUG if args.verbose else logging.INFO)
    logsafety.install()  # before anything can log a URL with the bot token in it
    notify.install()  # the core's notices are rendered and stored by the render layer
    quiet = args.command in (None, "run", "demo", "sandbox") and not args.verbose
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
    if not (quiet and not _has_token_hint()):  # [ops] log_format and log_level, -v wins
        ops = settings.ops
        configure_logging(fmt=ops.log_format, level="DEBUG" if args.verbose else ops.log_level)
    logsafety.add_secret(settings.telegram.webhook_secret_token)
    command = args.command or "run"
    if command == "check-config":
        print(
            f"config ok: {len(settings.departments)} departments, "
            f"{len(settings.categories)} categories, {len(settings.routing_rules)} rules"
        )
        return 0
    if command == "db":
        from bot.desk import prepare_database

        engine = prepare_database(settings)  # the URL's password stays out of the journal:
        print(f"database at head: {engine.url.render_as_string(hide_password=True)}")
        return 0
    if command == "report" and args.kind == "common":
        return _report_common(settings, args.since, args.week)
    if command == "report":
        if args.since is not None:
            print("--since is for `report common`; `report weekly` takes --week", file=sys.stderr)
            return EXIT_CONFIG
        return _report(settings, args.week, Path(args.out))
    if command == "outbox":
        return _outbox(settings, args)
    if command == "routing":
        return _routing(settings, args)
    if command == "demo":
        from bot.devtools.demo import run_demo

        return asyncio.run(run_demo(settings))
    if command == "sandbox" or not settings.has_token:
        if command == "run":
            print(
                "No bot token configured (DIANXIAOER_BOT_TOKEN or [telegram] token): "
                "starting the sandbox on the local Bot API emulator instead.",
                flush=True,
            )
        return _sandbox(settings, args)
    return _run_polling(settings)


def _sandbox(settings: Settings, args: argparse.Namespace) -> int:
    """The sandbox until Ctrl-C or SIGTERM (see bot/devtools/sandbox)."""
    from bot.devtools.sandbox.loopback import SandboxRefused, check_loopback

    chosen = settings.sandbox
    host = getattr(args, "host", None) or chosen.host
    try:
        check_loopback(host)
    except SandboxRefused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    data_dir = Path(getattr(args, "data_dir", None) or chosen.data_dir).resolve()
    # The sandbox writes only to its data dir: matplotlib's font cache (the weekly chart)
    # too, so it is set before bot.reports.report imports matplotlib.
    os.environ.setdefault("MPLCONFIGDIR", str(data_dir / "matplotlib"))
    from bot.devtools.sandbox.runner import run_sandbox

    port = chosen.port if getattr(args, "port", None) is None else args.port
    try:
        return asyncio.run(run_sandbox(settings, host=host, port=port, data_dir=data_dir))
    except SandboxRefused as exc:  # e.g. another sandbox holds the data dir
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG


def _missing_database(settings: Settings) -> Path | None:
    """The SQLite file a reading command would open, if it does not exist.

    Opening it would create an empty database and report all zeros — run in the wrong
    folder, that reads as a real week with nothing in it."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database.url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database or "").resolve()
    return None if path.exists() else path


def _refuse_missing_database(settings: Settings) -> bool:
    missing = _missing_database(settings)
    if missing is not None:
        print(
            f"no database at {missing}: nothing to read. Run this in the desk's folder, or "
            "point DIANXIAOER_DATABASE_URL / [database] url at its database.",
            file=sys.stderr,
        )
    return missing is not None


def _report(settings: Settings, week: str | None, out: Path) -> int:
    """Write weekly-2026-W48.xlsx and .png to ``out`` and print the summary as plain text."""
    from zoneinfo import ZoneInfo

    from bot.desk import prepare_database
    from bot.reports.report import build_weekly_report, parse_week, previous_week
    from storage.db import transaction
    from storage.types import utcnow

    now = utcnow()
    try:
        monday = parse_week(week) if week else previous_week(now, ZoneInfo(settings.desk.timezone))
    except ValueError as exc:
        print(f"--week: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if _refuse_missing_database(settings):
        return EXIT_NO_DATABASE
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


def _report_common(settings: Settings, since: str | None, week: str | None) -> int:
    """Print the recurring problems (高频诉求) filed since ``since`` (default: 4 weeks ago)."""
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from bot.desk import prepare_database
    from bot.reports.metrics import RECURRING_WEEKS
    from bot.reports.report import plain_text, recurring_text
    from storage.db import transaction
    from storage.types import utcnow

    if week is not None:
        print("--week is for `report weekly`; `report common` takes --since", file=sys.stderr)
        return EXIT_CONFIG
    now = utcnow()
    today = now.astimezone(ZoneInfo(settings.desk.timezone)).date()
    first = today - timedelta(weeks=RECURRING_WEEKS)
    if since is not None:
        try:
            first = date.fromisoformat(since.strip())
        except ValueError:
            print(
                f"--since: {since!r} is not a date; write it like {first.isoformat()} "
                "(year-month-day)",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        if first > today:
            print(
                f"--since: {first.isoformat()} is after today ({today.isoformat()}); "
                "nothing has been filed yet",
                file=sys.stderr,
            )
            return EXIT_CONFIG
    if _refuse_missing_database(settings):
        return EXIT_NO_DATABASE
    engine = prepare_database(settings)
    try:
        with transaction(engine) as session:
            html = recurring_text(session=session, settings=settings, since=first, now=now)
    finally:
        engine.dispose()
    print(plain_text(html))
    return 0


def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    """`outbox list [--failed|--uncertain|--held|--pending]` and `outbox resend ID…`."""
    from bot.delivery import outbox
    from bot.desk import prepare_database
    from storage.db import transaction

    if _refuse_missing_database(settings):
        return EXIT_NO_DATABASE
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


def _routing(settings: Settings, args: argparse.Namespace) -> int:
    """`routing train` stores a model; `eval` and `explain` only read (bot/core/routing/cli.py)."""
    from bot.core.routing import CorpusError, load_cases, router_from_settings
    from bot.core.routing import cli as routing_cli

    if args.routing_action == "train":
        from bot.core.desk_routing import train_and_store
        from bot.desk import prepare_database

        engine = prepare_database(settings)
        try:
            stored = train_and_store(engine=engine, settings=settings)
        finally:
            engine.dispose()
        print(
            f"model {stored.version}: {stored.n_examples} examples, "
            f"held-out accuracy {stored.accuracy * 100:.1f}%"
        )
        return 0
    model, source = _routing_model(settings)
    print(f"model: {source}", file=sys.stderr)
    router = router_from_settings(settings, model=model)
    if args.routing_action == "explain":
        routing_cli.explain(router, args.text, args.category, sys.stdout)
        return 0
    try:
        cases = load_cases(args.file)
    except CorpusError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    routing_cli.run_eval(router, cases, as_json=args.json, out=sys.stdout)
    return 0


def _routing_model(settings: Settings) -> tuple[RoutingModel, str]:
    """The model the desk would route with: the database's active one when this
    installation can load it, else one trained now on the corpus (what a fresh desk
    trains at start). Never creates or migrates a database."""
    from bot.core.routing import (
        hints_from_table,
        load_shipped_examples,
        routing_table_from_settings,
    )
    from bot.core.routing import train as train_model

    stored = _stored_model(settings)
    if stored is not None:
        return stored, f"{stored.version} (stored, {stored.n_examples} examples)"
    table = routing_table_from_settings(settings)
    model = train_model(load_shipped_examples(settings), hints=hints_from_table(table))
    return model, f"{model.version} (trained now on the corpus, {model.n_examples} examples)"


def _stored_model(settings: Settings) -> RoutingModel | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.core.routing import ModelMismatch, RoutingModel
    from storage import routing as store
    from storage.db import make_engine, transaction

    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None
    engine = make_engine(settings.database.url)
    try:
        with transaction(engine) as session:
            row = store.active_model(session=session)
        return RoutingModel.from_bytes(row.data) if row is not None else None
    except (SQLAlchemyError, ModelMismatch):  # no table yet, or another sklearn: retrain
        return None
    finally:
        engine.dispose()


def _run_polling(settings: Settings) -> int:
    """Polling or webhook, as ``telegram.mode`` says (bot/service.py)."""
    from bot.service import run_service

    return run_service(settings)


if __name__ == "__main__":
    raise SystemExit(main())
