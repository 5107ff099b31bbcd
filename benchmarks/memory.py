"""Memory of an idle desk, and of a desk holding 10^5 tickets after a burst filed through it.

Each figure comes from a fresh interpreter running the real desk on the emulator
(``--child``): the resident set size once it has started and is idle, then after the
burst. Filing 10^5 tickets through the conversation would take hours, so the database is
bulk-loaded with 10^5 tickets first (``benchmarks.loader``, in the parent process so the
loading does not count) and the desk then takes a burst of complete filings through its
handlers plus one chaser run over the 10^3 due tickets: what a desk that has lived a year
holds in memory, and what a burst adds to it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from pathlib import Path

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

SIZE = 100_000
QUICK_SIZE = 500
DUE = 1_000
QUICK_DUE = 20
FILINGS = 200
QUICK_FILINGS = 4


async def child(url: str, filings: int) -> dict[str, float]:
    from benchmarks.intake import CATEGORIES, DEPARTMENTS, Driver
    from bot.devtools.playground import desk_on_emulator

    async with desk_on_emulator(settings(), database_url=url) as scene:
        for code in DEPARTMENTS:
            await scene.department_group(code, f"{code} 工单群")
        await scene.settle()
        gc.collect()
        idle = current_rss_mb()
        if not filings:
            return {"idle_mb": idle, "after_mb": idle, "peak_mb": peak_rss_mb()}
        people = [scene.emulator.add_user(f"企业{n:04d}") for n in range(filings)]
        driver = Driver(scene.emulator, scene.application)
        driver.watch()
        await asyncio.gather(
            *(driver.file(p, CATEGORIES[n % len(CATEGORIES)]) for n, p in enumerate(people))
        )
        # The chaser's scheduled job, as APScheduler runs it; what it queues for the groups
        # is not waited for (group limits pace it over minutes, see outbound.py).
        scene.desk.clock = lambda: NOW
        job_queue = scene.application.job_queue
        assert job_queue is not None
        [job] = job_queue.get_jobs_by_name("chaser")
        await job.run(scene.application)
        gc.collect()
        return {"idle_mb": idle, "after_mb": current_rss_mb(), "peak_mb": peak_rss_mb()}


def in_child(url: str, filings: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--child", url, str(filings)],
        check=False,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode:
        raise RuntimeError(f"memory child failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(backend: str, size: int, due: int, filings: int) -> list[Figure]:
    name = "memory"
    with scratch_database(backend, "memory") as url:
        empty = in_child(url, 0)
    with scratch_database(backend, "memory") as url:
        engine = prepared_engine(url, settings())
        load(engine, size=size, due=due)
        engine.dispose()
        lived = in_child(url, filings)
    label = f"{size:,} tickets"
    return [
        Figure(name, backend, "idle desk, empty database: RSS", empty["idle_mb"], "MB"),
        Figure(name, backend, f"idle desk, {label}: RSS", lived["idle_mb"], "MB"),
        Figure(
            name,
            backend,
            f"{label} + {filings} filed through the bot + chaser: RSS",
            lived["after_mb"],
            "MB",
        ),
        Figure(name, backend, f"{label} + {filings} filed: peak RSS", lived["peak_mb"], "MB"),
    ]


def run(quick: bool, backends: list[str]) -> list[Figure]:
    size, due, filings = (QUICK_SIZE, QUICK_DUE, QUICK_FILINGS) if quick else (SIZE, DUE, FILINGS)
    return [figure for backend in backends for figure in measure(backend, size, due, filings)]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(child(sys.argv[2], int(sys.argv[3])))))
    else:
        main_for(__doc__.splitlines()[0], run)
