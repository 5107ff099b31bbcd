"""What every benchmark shares: fresh databases, figures, the result table, the machine."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from storage.db import make_engine, transaction, upgrade
from storage.seed import seed_zone

#: The PostgreSQL server the benchmarks create their scratch schemas in (as the tests do).
PG_SERVER = os.environ.get(
    "DIANXIAOER_BENCH_POSTGRES",
    os.environ.get("DIANXIAOER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
BACKENDS = ("sqlite", "postgres")


@dataclass(frozen=True)
class Figure:
    """One line of the result table."""

    benchmark: str
    backend: str
    metric: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None  # None: no target for this figure

    def cell(self) -> str:
        if abs(self.value) >= 100:
            return f"{self.value:,.0f}"
        if abs(self.value) >= 10:
            return f"{self.value:.1f}"
        return f"{self.value:.3g}"


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table (readable in a terminal too)."""
    head = ("benchmark", "db", "metric", "value", "unit", "target", "met")
    rows = [
        (
            f.benchmark,
            f.backend,
            f.metric,
            f.cell(),
            f.unit,
            f.target,
            "" if f.met is None else ("yes" if f.met else "NO"),
        )
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        lines.append(
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        )
    return "\n".join(lines)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def settings() -> Settings:
    """The embedded example zone, as the tests use it."""
    return load_settings(None, environ={})


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception:  # any failure means: no usable server
        return False
    return True


@contextmanager
def scratch_database(backend: str, label: str) -> Iterator[str]:
    """An empty database URL, removed afterwards: a SQLite file in /tmp, or a PostgreSQL
    schema of its own on :data:`PG_SERVER`."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as folder:
            yield f"sqlite:///{folder}/desk.db"
        return
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepared_engine(url: str, zone: Settings) -> Engine:
    """Migrated to head, the zone seeded: what ``prepare_database`` does."""
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        seed_zone(session=session, settings=zone)
    return engine


def peak_rss_mb() -> float:
    """This process's peak resident set size so far.

    ``VmHWM`` from /proc, not ``getrusage``: Linux carries ``ru_maxrss`` across ``exec``,
    so a child started from a big parent would report the parent's size.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident set size now."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def in_subprocess(module: str, *args: str) -> list[Figure]:
    """Run ``python -m module --json args`` in a fresh interpreter; its figures back.

    Memory figures need a process of their own: whatever ran before in this one (10^6
    tickets loaded, matplotlib imported) would otherwise count.
    """
    done = subprocess.run(
        [sys.executable, "-m", module, "--json", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return [Figure(**item) for item in json.loads(done.stdout.strip().splitlines()[-1])]


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    postgres = ""
    if postgres_available():
        engine = create_engine(PG_SERVER)
        with engine.connect() as connection:
            postgres = str(connection.execute(text("show server_version")).scalar())
        engine.dispose()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": postgres,
    }


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark module takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="comma-separated: sqlite,postgres"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def chosen_backends(value: str) -> list[str]:
    wanted = [b.strip() for b in value.split(",") if b.strip()]
    unknown = set(wanted) - set(BACKENDS)
    if unknown:
        raise SystemExit(f"unknown backends: {sorted(unknown)}")
    if "postgres" in wanted and not postgres_available():
        print(f"PostgreSQL not reachable at {PG_SERVER}: skipped", file=sys.stderr)
        wanted.remove("postgres")
    return wanted


def main_for(description: str, run: Callable[[bool, list[str]], list[Figure]]) -> None:
    """The command line of one benchmark module."""
    options = arguments(description).parse_args()
    figures = run(options.quick, chosen_backends(options.backends))
    if options.json:
        print(json.dumps([asdict(f) for f in figures], ensure_ascii=False))
    else:
        print(table(figures))
