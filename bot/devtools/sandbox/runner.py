"""`dianxiaoer sandbox`: start everything on 127.0.0.1, print the URL, stop on a signal."""

from __future__ import annotations

import asyncio
import errno
import fcntl
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.devtools.sandbox.loopback import SandboxRefused, check_loopback
from bot.devtools.sandbox.sandbox import open_sandbox
from bot.devtools.sandbox.server import build_app

DATABASE_NAME = "sandbox.db"
LOCK_NAME = "sandbox.lock"
#: A request still running at shutdown gets this long (the event streams end at once).
SHUTDOWN_SECONDS = 5.0


@contextmanager
def hold_data_dir(data_dir: Path) -> Iterator[None]:
    """One sandbox per data dir: a second one would delete the first one's database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_NAME).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxRefused(
                f"Another sandbox is already running with the data dir {data_dir}: "
                "stop it first, or give this one its own --data-dir."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def fresh_database(data_dir: Path) -> str:
    """A new SQLite file in ``data_dir``: the emulated world starts empty, so must the desk."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DATABASE_NAME
    for stale in (
        path,
        path.with_name(f"{DATABASE_NAME}-wal"),
        path.with_name(f"{DATABASE_NAME}-shm"),
    ):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


async def _start_site(runner: web.AppRunner, host: str, port: int) -> int:
    """Listen on ``port``, or on a free port if it is taken; returns the port used."""
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port == 0:
            raise
        print(
            f"Port {port} is already in use on {host}, so the sandbox takes a free one instead.",
            file=sys.stderr,
            flush=True,
        )
        site = web.TCPSite(runner, host, 0)
        await site.start()
    return int(runner.addresses[-1][1])


async def run_sandbox(settings: Settings, *, host: str, port: int, data_dir: Path) -> int:
    """Run until SIGINT or SIGTERM; returns the exit code (0 after a clean stop)."""
    check_loopback(host)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        with hold_data_dir(data_dir):
            await _serve(settings, host=host, port=port, data_dir=data_dir, stop=stop)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return 0


async def _serve(
    settings: Settings, *, host: str, port: int, data_dir: Path, stop: asyncio.Event
) -> None:
    """Everything up, the URL printed, until ``stop``; then down in reverse order."""
    async with open_sandbox(settings, database_url=fresh_database(data_dir)) as sandbox:
        runner = web.AppRunner(
            build_app(sandbox), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS
        )
        await runner.setup()
        try:
            used = await _start_site(runner, host, port)
            shown = f"[{host}]" if ":" in host else host
            print(f"Sandbox: http://{shown}:{used}/", flush=True)
            await stop.wait()
        finally:
            await runner.cleanup()
