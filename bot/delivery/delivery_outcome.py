"""What a failed Bot API call means: one table that every send and edit goes through.

python-telegram-bot turns every outcome into an exception; this module reads it back into
the only question the outbox asks — was the message delivered, not delivered (and why), or
can nobody know? The sender (bot/delivery/sender.py) then acts on the :class:`Verdict`.

How PTB reports what happened (telegram/request/_baserequest.py, _httpxrequest.py):

- Telegram *answered* with an HTTP status: the exception has no ``__cause__``, or, when the
  body was not JSON (nginx's "502 Bad Gateway" HTML page in front of the Bot API), a
  ``TelegramError("Invalid server response")`` as cause and the message
  ``"Bad Gateway (502). Parsing the server response b'<html>…' failed"``. 400 → BadRequest,
  403 → Forbidden, 401/404 → InvalidToken, 409 → Conflict, JSON ``parameters`` →
  RetryAfter / ChatMigrated; every other status (429 without parameters, 5xx, 413 …) →
  a plain NetworkError whose message is the JSON description or "<phrase> (<code>)".
  An HTTP answer is never "maybe delivered": Telegram did not carry out a failed call.
- The request failed in httpx: the httpx exception is the ``__cause__``. Connection
  refused (ConnectError), a connect or pool time-out: the request never left. A read or
  write time-out, a connection cut (RemoteProtocolError, ReadError …): it may have arrived.
"""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

#: The request never reached Telegram: safe to repeat whatever it was.
NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: "(502)" in PTB's message for a non-JSON error page.
_STATUS_IN_MESSAGE = re.compile(r"\((\d{3})\)")
#: Telegram's JSON 429 without ``parameters``: "Too Many Requests: retry after 35".
_RETRY_AFTER_IN_MESSAGE = re.compile(r"retry after (\d+(?:\.\d+)?)", re.IGNORECASE)
#: JSON error bodies carry only a description: the 5xx phrases name their status.
_SERVER_PHRASES = {status.phrase.lower(): status.value for status in HTTPStatus if status >= 500}
#: The outcome PTB reports for a 2xx answer whose body it cannot read.
_UNREADABLE_ANSWER = "Invalid server response"


class Fate(enum.Enum):
    """What became of a call, and what the outbox does about it."""

    DELIVERED = "delivered"  # done (an edit that changed nothing: "message is not modified")
    FLOOD = "flood"  # not delivered: flood control, wait `wait` seconds; never counted
    RETRY = "retry"  # not delivered, Telegram down or failing (5xx, unreachable); never counted
    RETRY_COUNTED = "retry_counted"  # not delivered, maybe our fault (401, 409, 413 …): counted
    MIGRATED = "migrated"  # not delivered, permanent for this chat id: follow `new_chat_id`
    FORBIDDEN = "forbidden"  # not delivered, permanent: 403 (blocked, removed from the group)
    REFUSED = "refused"  # not delivered, permanent: 400 (bad HTML, message to copy gone …)
    UNKNOWN = "unknown"  # the request went out and the answer was lost: maybe delivered


@dataclass(frozen=True)
class Verdict:
    fate: Fate
    #: Telegram's own words (the description), or the transport's error.
    message: str
    #: What the outbox row records as ``last_error`` (and the dispatcher may read).
    reason: str
    #: FLOOD: Telegram's retry_after, or None when it did not say.
    wait: float | None = None
    #: RETRY: Telegram is unreachable or failing as a whole: pause every chat, not only this.
    pause: bool = False
    #: MIGRATED: the supergroup the rows follow.
    new_chat_id: int | None = None
    #: The HTTP status Telegram answered with, when there was an answer.
    status: int | None = None


def classify(exc: BaseException) -> Verdict:
    """The fate of a call that raised ``exc`` (anything the Bot API call can raise)."""
    message = _message(exc)
    reason = _describe(exc, message)
    if isinstance(exc, RetryAfter):
        return Verdict(Fate.FLOOD, message, reason, wait=_retry_after(exc), status=429)
    if isinstance(exc, ChatMigrated):
        return Verdict(Fate.MIGRATED, message, reason, new_chat_id=exc.new_chat_id, status=400)
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: before NetworkError
        if "message is not modified" in exc.message.lower():
            return Verdict(Fate.DELIVERED, message, reason, status=400)
        return Verdict(Fate.REFUSED, message, reason, status=400)
    if isinstance(exc, Forbidden):
        return Verdict(Fate.FORBIDDEN, message, reason, status=403)
    if isinstance(exc, InvalidToken | Conflict):
        return Verdict(Fate.RETRY_COUNTED, message, reason)
    if isinstance(exc, NetworkError):
        return _network(exc, message, reason)
    if isinstance(exc, TelegramError) and exc.message == _UNREADABLE_ANSWER:
        return Verdict(Fate.UNKNOWN, message, reason)  # a 2xx whose body could not be read
    if isinstance(exc, TelegramError):
        return Verdict(Fate.RETRY_COUNTED, message, reason)
    # Not Telegram's answer (a bug in the HTTP layer …): the call may or may not have gone.
    return Verdict(Fate.UNKNOWN, message, reason)


def _network(exc: NetworkError, message: str, reason: str) -> Verdict:
    cause = exc.__cause__
    if isinstance(cause, NEVER_LEFT):
        return Verdict(Fate.RETRY, message, reason, pause=True)
    if cause is not None and not isinstance(cause, TelegramError):
        return Verdict(Fate.UNKNOWN, message, reason)  # read/write time-out, connection cut
    if isinstance(exc, TimedOut):
        return Verdict(Fate.UNKNOWN, message, reason)  # no cause to say the request stayed here
    # An HTTP answer: Telegram (or its front end) said it did not do it.
    status = _status(exc.message)
    if status == 429:
        return Verdict(Fate.FLOOD, message, reason, wait=_wait_in(exc.message), status=429)
    if status is not None and status >= 500:
        return Verdict(Fate.RETRY, message, reason, pause=True, status=status)
    return Verdict(Fate.RETRY_COUNTED, message, reason, status=status)


def _status(message: str) -> int | None:
    found = _STATUS_IN_MESSAGE.search(message)
    if found:
        return int(found.group(1))
    lowered = message.lower()
    if lowered.startswith("too many requests"):
        return 429
    found_phrase = [code for phrase, code in _SERVER_PHRASES.items() if lowered.startswith(phrase)]
    return found_phrase[0] if found_phrase else None


def _wait_in(message: str) -> float | None:
    found = _RETRY_AFTER_IN_MESSAGE.search(message)
    return float(found.group(1)) if found else None


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        delay = exc.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


def _message(exc: BaseException) -> str:
    """The error's words; PTB's copy of an HTML error page is left out."""
    message = exc.message if isinstance(exc, TelegramError) else str(exc)
    return message.split(". Parsing the server response", 1)[0]


def _describe(exc: BaseException, message: str) -> str:
    """``Type: message (Cause)``."""
    text = f"{type(exc).__name__}: {message}"
    if exc.__cause__ is not None:
        text += f" ({type(exc.__cause__).__name__})"
    return text
