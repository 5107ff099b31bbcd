"""The weekly report (metrics, XLSX, chart) over 10^6 tickets: time and peak memory.

The database is bulk-loaded first (``benchmarks.loader``), a quarter of the tickets linked
into 同类诉求 groups (``loader.link_common_groups``) so the 高频诉求 section (issue 16) has
its full weight; the report is then built in a fresh interpreter (``--measure URL``) so its
peak RSS counts only what building the report costs on top of an idle interpreter with the
desk's modules imported, not the loading. The section's two rankings are also timed alone,
and their query plans written to ``/tmp/dianxiaoer-bench-weekly-plans.<db>.txt``.
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
from benchmarks.loader import NOW, common_groups_for, link_common_groups, load

SIZE = 1_000_000
QUICK_SIZE = 2_000
DUE = 1_000
QUICK_DUE = 40
TARGET_SECONDS = 5.0
TARGET_MB = 300.0
#: The 高频诉求 section's share of the report's budget: its two rankings, measured alone.
SECTION_TARGET_SECONDS = 1.0
PLANS = Path("/tmp/dianxiaoer-bench-weekly-plans.txt")


def measure_here(url: str) -> dict[str, float]:
    """Build last week's report once (after a warm-up import); time, memory, sanity."""
    from bot.core.sla import Schedule
    from bot.reports.metrics import Week, previous_week, recurring_start
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
        started = time.perf_counter()
        week_ranking, recent_ranking = rankings(
            session, week.start, recurring_start(week), week.end
        )
        section = time.perf_counter() - started
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
        "section_seconds": section,
        "recurring_week": len(report.metrics.recurring.week),
        "recurring_recent": len(report.metrics.recurring.recent),
        "recurring_same": int(
            [p.group_id for p in report.metrics.recurring.week] == week_ranking
            and [p.group_id for p in report.metrics.recurring.recent] == recent_ranking
        ),
        "top_enterprises": max((p.enterprises for p in report.metrics.recurring.recent), default=0),
    }


def rankings(
    session: Session, week_start: datetime, recent_start: datetime, end: datetime
) -> tuple[list[int], list[int]]:
    """The section's two rankings (the week's, the last 4 weeks'), as the report asks them."""
    from bot.reports.metrics import RECURRING_LIMIT, RECURRING_MIN_ENTERPRISES
    from storage.reports import recurring_problems

    found = [
        recurring_problems(
            session=session,
            start=start,
            end=end,
            min_enterprises=RECURRING_MIN_ENTERPRISES,
            limit=RECURRING_LIMIT,
        )
        for start in (week_start, recent_start)
    ]
    return [p.group_id for p in found[0]], [p.group_id for p in found[1]]


def plans_of_the_section(url: str) -> str:
    """The query plans of the section's queries, explained with their own parameters."""
    from benchmarks.chaser_scaling import captured, explain
    from bot.core.sla import Schedule
    from bot.reports.metrics import Week, previous_week, recurring_start
    from storage.db import make_engine

    zone = settings()
    engine = make_engine(url)
    schedule_zone = Schedule.from_settings(zone.sla, zone.desk.timezone).zone
    week = Week(previous_week(NOW, schedule_zone), schedule_zone)
    with captured(engine) as statements, Session(engine) as session:
        rankings(session, week.start, recurring_start(week), week.end)
    try:
        return explain(engine, statements)
    finally:
        engine.dispose()


def _bound(dialect: str, moment: datetime) -> object:
    from datetime import UTC

    utc = moment.astimezone(UTC)
    if dialect == "sqlite":  # stored as naive UTC text
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return utc


def loaded(url: str, size: int, due: int) -> int:
    """Load ``size`` tickets and link a quarter of them into groups; returns how many."""
    engine = prepared_engine(url, settings())
    load(engine, size=size, due=due)
    linked = link_common_groups(engine, groups=common_groups_for(size))
    engine.dispose()
    return linked


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
        if size >= SIZE:
            PLANS.with_suffix(f".{backend}.txt").write_text(
                f"-- {backend}, {size:,} tickets, the 高频诉求 section\n\n"
                + plans_of_the_section(url)
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
        Figure(
            name,
            backend,
            f"{label}: 高频诉求 rankings alone",
            found["section_seconds"],
            "s",
            f"< {SECTION_TARGET_SECONDS:g} s" if big else "",
            found["section_seconds"] < SECTION_TARGET_SECONDS if big else None,
        ),
        Figure(
            name,
            backend,
            f"{label}: 高频诉求 ranked, this week",
            found["recurring_week"],
            "groups",
            "> 0, = the report's",
            bool(found["recurring_same"]) and found["recurring_week"] > 0,
        ),
        Figure(
            name,
            backend,
            f"{label}: 高频诉求 ranked, last 4 weeks",
            found["recurring_recent"],
            "groups",
        ),
        Figure(
            name,
            backend,
            f"{label}: most enterprises in one group (4 weeks)",
            found["top_enterprises"],
            "enterprises",
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
