"""The chaser's run time with 10^4, 10^5 and 10^6 tickets in the database, 10^3 of them due.

Each size gets a fresh database, bulk-loaded (see ``benchmarks.loader``). A run is timed
inside a transaction that is rolled back afterwards, so every timed run does the full work
of a first run (claim the reminders, write the messages, edit the cards); the median of
several runs is reported. The chaser's SQL is captured during a run and explained (EXPLAIN
on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) at the largest size.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.common import (
    Figure,
    main_for,
    median,
    prepared_engine,
    scratch_database,
    settings,
)
from benchmarks.loader import NOW, load
from bot.core import chaser
from storage import queries

SIZES = (10_000, 100_000, 1_000_000)
DUE = 1_000
QUICK_SIZES = (300, 1_500)
QUICK_DUE = 40
RUNS = 5
TARGET_SECONDS = 1.0
PLANS = Path("/tmp/dianxiaoer-bench-chaser-plans.txt")


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) the engine runs meanwhile."""
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def one_run(engine: Engine) -> tuple[float, int]:
    """A first run's work, timed, then undone; how many tickets it reminded of."""
    zone = settings()
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        result = chaser.run(session=session, settings=zone, now=NOW)
        session.flush()
        elapsed = time.perf_counter() - started
        reminded = len({d.ticket.id for d in result.sent})
        session.rollback()
    return elapsed, reminded


#: A list of bind parameters, as SQLite (``?, ?``) and psycopg (``%(x_1)s::INTEGER``) show it.
_BINDS = re.compile(r"\((?:\?|%\(\w+\)s(?:::[A-Z ]+)?)(?:, (?:\?|%\(\w+\)s(?:::[A-Z ]+)?)){3,}\)")
_ARRAY = re.compile(r"'\{[^}]{40,}\}'")


def shown(statement: str) -> str:
    """A statement for reading: no column list, long parameter lists as (…)."""
    text = _BINDS.sub("(…)", " ".join(statement.split()))
    return re.sub(r"^SELECT .*? FROM", "SELECT … FROM", text)


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> str:
    """The plan of every distinct SELECT the chaser ran (the same shape explained once)."""
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    out: list[str] = []
    done: set[str] = set()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            readable = shown(statement)
            if not readable.upper().startswith("SELECT") or readable in done:
                continue
            done.add(readable)
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
            plan = "\n".join(
                "  " * (_depth(rows, row) if sqlite else 0) + _ARRAY.sub("'{…}'", str(row[-1]))
                for row in rows
            )
            out.append(f"-- {readable}\n{plan}\n")
    finally:
        raw.close()
    return "\n".join(out)


def _depth(rows: Sequence[Any], row: Any) -> int:
    """Indentation of a SQLite plan line (rows are (id, parent, notused, detail))."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth += 1
        parent = parents.get(parent, 0)
    return depth


def measure_on(url: str, size: int, due: int, *, plans: Path | None) -> list[Figure]:
    """Load ``size`` tickets into the empty database at ``url`` and time the chaser."""
    name = "chaser"
    engine = prepared_engine(url, settings())
    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgres"
    started = time.perf_counter()
    load(engine, size=size, due=due)
    loaded = time.perf_counter() - started
    with Session(engine) as session:
        found = len(
            queries.tickets.chase_candidates(session=session, horizon=NOW + chaser.LOOKAHEAD)
        )
    with captured(engine) as statements:
        _, reminded = one_run(engine)
    times = [one_run(engine)[0] for _ in range(RUNS)]
    if plans is not None:
        plans.write_text(
            f"-- {backend}, {size:,} tickets, {due:,} due\n\n" + explain(engine, statements)
        )
    engine.dispose()
    label = f"{size:,} tickets"
    big = size >= 1_000_000
    return [
        Figure(name, backend, f"{label}: load time", loaded, "s"),
        Figure(name, backend, f"{label}: due found", found, "tickets", f"= {due}", found == due),
        Figure(
            name,
            backend,
            f"{label}: tickets reminded",
            reminded,
            "tickets",
            f"= {due}",
            reminded == due,
        ),
        Figure(name, backend, f"{label}: SQL statements per run", len(statements), ""),
        Figure(
            name,
            backend,
            f"{label}: run time (median of {RUNS})",
            median(times),
            "s",
            f"< {TARGET_SECONDS:g} s" if big else "",
            median(times) < TARGET_SECONDS if big else None,
        ),
    ]


def run(quick: bool, backends: list[str]) -> list[Figure]:
    sizes, due = (QUICK_SIZES, QUICK_DUE) if quick else (SIZES, DUE)
    figures: list[Figure] = []
    for backend in backends:
        for size in sizes:
            plans = PLANS.with_suffix(f".{backend}.txt") if size == sizes[-1] else None
            with scratch_database(backend, "chaser") as url:
                figures += measure_on(url, size, due, plans=plans)
    return figures


if __name__ == "__main__":
    main_for(__doc__.splitlines()[0], run)
