"""TEST-ONLY crash points: the desk dies by SIGKILL at a chosen worst moment (bot/ops/hooks.py).

The crash tests (tests/faults/test_crash_restart.py) start the desk as a child process with

    DIANXIAOER_CRASH_AT=<point>[:<label>] python -m bot.devtools.crashpoints <the usual arguments>

which installs the hook and runs the command line; ``python -m bot`` never loads this module.
The child kills itself with SIGKILL (no clean-up, no flush, exactly like ``kill -9`` or a
power cut) the first time it reaches ``point`` with a matching ``label``:

- ``after_commit:<purpose>``: the sender sees a committed outbox row of that purpose
  (e.g. ``ack``) before sending anything of it: the ticket is stored, nobody answered yet.
- ``after_send:<purpose>``: Telegram accepted the row, the sender has not recorded it.
- ``before_handle:<text or callback data>``: the update was fetched (and, half a second
  later, confirmed to Telegram by the next poll) but no handler ran.
"""

from __future__ import annotations

import asyncio
import os
import runpy
import signal
from collections.abc import Awaitable

from bot.ops import hooks

ENV = "DIANXIAOER_CRASH_AT"
#: before_handle waits this long so PTB's next getUpdates confirms the update first.
CONFIRM_WAIT_SECONDS = 0.5


def _matches(point: str, label: str) -> bool:
    spec = os.environ.get(ENV)
    if not spec:
        return False
    wanted, _, wanted_label = spec.partition(":")
    return wanted == point and (not wanted_label or wanted_label == label)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def _die_once_confirmed() -> None:
    await asyncio.sleep(CONFIRM_WAIT_SECONDS)
    _die()


def crash_if(point: str, label: str = "") -> Awaitable[None] | None:
    """The hook: die here if the environment asks for it."""
    if not _matches(point, label):
        return None
    if point == "before_handle":
        return _die_once_confirmed()
    _die()
    return None


def main() -> None:
    """``python -m bot`` with the crash points armed (run, not imported: the command line
    launches developer tools, they do not reach back into it)."""
    hooks.install(crash_if)
    runpy.run_module("bot", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
