"""Command line: `dianxiaoer [run|demo|db upgrade|check-config] [--config FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet = args.command in (None, "run", "demo") and not args.verbose
    for noisy in ("httpx", "apscheduler", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if quiet and not _has_token_hint():
        # The demo prints a transcript; log lines would only interleave with it.
        logging.getLogger().setLevel(logging.WARNING)
    try:
        settings = load_settings(_config_path(args.config))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
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
    if command == "demo" or not settings.has_token:
        from bot.demo import run_demo

        if command == "run":
            print(
                "No bot token configured (DIANXIAOER_BOT_TOKEN or [telegram] token): "
                "running the demo on the local Bot API emulator instead.\n"
            )
        return asyncio.run(run_demo(settings))
    return _run_polling(settings)


def _run_polling(settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.desk import Desk, prepare_database

    desk = Desk(settings=settings, engine=prepare_database(settings))
    application = build_application(desk)
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
