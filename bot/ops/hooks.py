"""Named moments of the running desk where a developer tool may hook in; nothing by default.

The moments: ``after_commit`` (the sender sees a committed outbox row of a purpose),
``after_send`` (Telegram accepted the row, nothing recorded yet) and ``before_handle`` (an
update was fetched, no handler ran). The runtime only names them; what happens there is
installed from outside, so that no fault injection ships in the code that runs the desk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import ContextTypes

#: Called with the moment and its label (an outbox purpose, a message text or callback
#: data). It may return an awaitable only where the moment is reached in a coroutine
#: (``before_handle``).
Hook = Callable[[str, str], Awaitable[None] | None]

_hook: Hook | None = None


def install(hook: Hook | None) -> None:
    """Run ``hook`` at every named moment from now on (None removes it)."""
    global _hook
    _hook = hook


def installed() -> bool:
    return _hook is not None


def reach(moment: str, label: str = "") -> None:
    """A moment reached in plain code: the hook acts at once (and may not return)."""
    if _hook is not None:
        _hook(moment, label)


async def before_handle(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler while a hook is installed (group -1, bot/app.py)."""
    if _hook is None:
        return
    label = ""
    if update.callback_query is not None:
        label = update.callback_query.data or ""
    elif update.effective_message is not None:
        label = update.effective_message.text or ""
    waiting = _hook("before_handle", label)
    if waiting is not None:
        await waiting
