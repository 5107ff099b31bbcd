"""The weekly report (metrics, XLSX, chart) over 10^6 tickets: time and peak memory.

The database is bulk-loaded first (``benchmarks.loader``); the report is then built in a
fresh interpreter (``--measure URL``) so its peak RSS counts only what building the report
costs on top of an idle interpreter with the desk's modules imported, not the loading.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from benchmarks.common import (
    Figure,
    current_rss_mb,
    main_for,
    peak_rss_mb,
    prepared_engine,
    scratch_database,
    settings,
)
from benchmarks.loader import NOW, load

SIZE = 1_000_000
QUICK_SIZE = 2_000
DUE = 1_000
QUICK_DUE = 40
TARGET_SECONDS = 5.0
TARGET_MB = 300.0


def measure_here(url: str) -> dict[str, float]:
    """Build last week's report once (after a warm-up import); time, memory, sanity."""
    from bot.core.sla import Schedule
    from bot.reports.metrics import Week, previous_week
    from bot.reports.report import build_weekly_report
    from storage.db import make_engine

    zone = settings()
    engine = make_engine(url)
    schedule_zone = Schedule.from_settings(zone.sla, zone.desk.timezone).zone
    monday = previous_week(NOW, schedule_zone)
    week = Week(monday, schedule_zone)
    baseline = current_rss_mb()
    with Session(engine) as session:
        started = time.perf_counter()
        report = build_weekly_report(session=session, settings=zone, week_start=monday, now=NOW)
        elapsed = time.perf_counter() - started
        created = session.execute(
            text("SELECT count(*) FROM ticket WHERE created_at >= :start AND created_at < :end"),
            {
                "start": _bound(engine.dialect.name, week.start),
                "end": _bound(engine.dialect.name, week.end),
            },
        ).scalar_one()
    engine.dispose()
    return {
        "seconds": elapsed,
        "peak_mb": peak_rss_mb(),
        "baseline_mb": baseline,
        "received": report.metrics.totals.received,
        "created_in_week": created,
        "xlsx_bytes": len(report.xlsx),
        "png_bytes": len(report.png),
    }


def _bound(dialect: str, moment: datetime) -> object:
    from datetime import UTC

    utc = moment.astimezone(UTC)
    if dialect == "sqlite":  # stored as naive UTC text
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return utc


def loaded(url: str, size: int, due: int) -> None:
    engine = prepared_engine(url, settings())
    load(engine, size=size, due=due)
    engine.dispose()


def measure(backend: str, size: int, due: int) -> list[Figure]:
    with scratch_database(backend, "weekly") as url:
        loaded(url, size, due)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.weekly_report", "--measure", url],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    name, label = "weekly report", f"{size:,} tickets"
    big = size >= SIZE
    return [
        Figure(
            name,
            backend,
            f"{label}: build time",
            found["seconds"],
            "s",
            f"< {TARGET_SECONDS:g} s" if big else "",
            found["seconds"] < TARGET_SECONDS if big else None,
        ),
        Figure(
            name,
            backend,
            f"{label}: peak RSS",
            found["peak_mb"],
            "MB",
            f"< {TARGET_MB:g} MB" if big else "",
            found["peak_mb"] < TARGET_MB if big else None,
        ),
        Figure(name, backend, f"{label}: RSS before building", found["baseline_mb"], "MB"),
        Figure(
            name,
            backend,
            f"{label}: received in the week",
            found["received"],
            "tickets",
            f"= {found['created_in_week']}",
            found["received"] == found["created_in_week"],
        ),
        Figure(
            name,
            backend,
            f"{label}: XLSX + PNG size",
            (found["xlsx_bytes"] + found["png_bytes"]) / 1024,
            "KiB",
        ),
    ]


def run(quick: bool, backends: list[str]) -> list[Figure]:
    size, due = (QUICK_SIZE, QUICK_DUE) if quick else (SIZE, DUE)
    return [figure for backend in backends for figure in measure(backend, size, due)]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure_here(sys.argv[2])))
    else:
        main_for(__doc__.splitlines()[0], run)
