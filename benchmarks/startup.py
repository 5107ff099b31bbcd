"""Start time: from ``python -m bot run`` to the desk's first ``getUpdates`` on the emulator.

The desk runs as a real child process against the local Bot API emulator, as in the fault
tests. The first start is on an empty database (migrations, seeding, the routing model
trained in a worker thread after start); the next starts find the database at head and a
stored routing model, as a restarted production desk does. Each start ends with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.common import Figure, main_for, scratch_database
from bot.devtools.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parent.parent
WARM_STARTS = 5
QUICK_WARM_STARTS = 1
TARGET_SECONDS = 2.0  # "start in under 2 s from process start to the first getUpdates"
WAIT = 60.0


async def one_start(
    emulator: BotApiEmulator, database_url: str, log: Path, *, until_model: bool = False
) -> float:
    """Seconds from spawning the desk to its first getUpdates (then, with ``until_model``,
    the desk runs on until its routing model is stored)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
    env.update(
        DIANXIAOER_BOT_TOKEN=emulator.token,
        DIANXIAOER_BOT_API_URL=emulator.bot_base_url,
        DIANXIAOER_BOT_FILE_URL=emulator.file_base_url,
        DIANXIAOER_DATABASE_URL=database_url,
    )
    before = len(emulator.calls("deleteWebhook"))
    with log.open("a", encoding="utf-8") as out:
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        found = await emulator.world.wait_until(
            lambda: len(emulator.calls("deleteWebhook")) > before or None, WAIT
        )
        if not found:
            raise SystemExit(f"the desk did not poll within {WAIT} s; see {log}")
        # The emulator stamps a call when it answers, and getUpdates long-polls; deleteWebhook,
        # PTB's polling bootstrap, is answered at once and followed by the first getUpdates.
        first = emulator.calls("deleteWebhook")[before].at
        if until_model:
            await model_stored(database_url)
        return first - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def measure(database_url: str, warm_starts: int) -> tuple[float, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "desk.log"
        async with BotApiEmulator() as emulator:
            # The first run stores its routing model, as a desk that ran a while has.
            cold = await one_start(emulator, database_url, log, until_model=True)
            warm = [await one_start(emulator, database_url, log) for _ in range(warm_starts)]
    return cold, warm


async def model_stored(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(text("select count(*) from routingmodel")).scalar():
                    return
            await asyncio.sleep(0.5)
        raise SystemExit(f"no routing model stored within {WAIT} s")
    finally:
        engine.dispose()


def run(quick: bool, backends: list[str]) -> list[Figure]:
    figures: list[Figure] = []
    warm_starts = QUICK_WARM_STARTS if quick else WARM_STARTS
    for backend in backends:
        with scratch_database(backend, "startup") as url:
            cold, warm = asyncio.run(measure(url, warm_starts))
        median = statistics.median(warm)
        figures += [
            Figure("startup", backend, "first start (empty database)", cold, "s"),
            Figure(
                "startup",
                backend,
                f"start with the database at head, median of {len(warm)}",
                median,
                "s",
                f"< {TARGET_SECONDS:g}",
                median < TARGET_SECONDS,
            ),
            Figure("startup", backend, "slowest of those starts", max(warm), "s"),
        ]
    return figures


if __name__ == "__main__":
    main_for(__doc__.splitlines()[0], run)
