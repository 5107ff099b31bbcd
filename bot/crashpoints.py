"""TEST-ONLY crash points: let the process die by SIGKILL at a chosen worst moment.

Unset in production, where every function here returns at once. The crash tests
(tests/faults/test_crash_restart.py) start the desk as a child process with

    DIANXIAOER_CRASH_AT=<point>[:<label>]

and the child kills itself with SIGKILL (no clean-up, no flush, exactly like ``kill -9``
or a power cut) the first time it reaches ``point`` with a matching ``label``:

- ``after_commit:<purpose>``: the sender sees a committed outbox row of that purpose
  (e.g. ``ack``) before sending anything of it: the ticket is stored, nobody answered yet.
- ``after_send:<purpose>``: Telegram accepted the row, the sender has not recorded it.
- ``before_handle:<text or callback data>``: the update was fetched (and, half a second
  later, confirmed to Telegram by the next poll) but no handler ran.
"""

from __future__ import annotations

import asyncio
import os
import signal

from telegram import Update
from telegram.ext import ContextTypes

ENV = "DIANXIAOER_CRASH_AT"
#: before_handle waits this long so PTB's next getUpdates confirms the update first.
CONFIRM_WAIT_SECONDS = 0.5


def armed() -> bool:
    return bool(os.environ.get(ENV))


def _matches(point: str, label: str) -> bool:
    spec = os.environ.get(ENV)
    if not spec:
        return False
    wanted, _, wanted_label = spec.partition(":")
    return wanted == point and (not wanted_label or wanted_label == label)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_if(point: str, label: str = "") -> None:
    """Die here if the environment asks for it (test only)."""
    if _matches(point, label):
        _die()


async def before_handle(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler when armed (registered in group -1 by bot.app)."""
    label = ""
    if update.callback_query is not None:
        label = update.callback_query.data or ""
    elif update.effective_message is not None:
        label = update.effective_message.text or ""
    if _matches("before_handle", label):
        await asyncio.sleep(CONFIRM_WAIT_SECONDS)
        _die()
