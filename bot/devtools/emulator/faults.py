"""Fault injection: hooks that make the next matching calls fail or stall, like Telegram can.

A hook sees ``(method, params)`` before the method runs and returns a :class:`Fault` to
apply or None to pass. The first hook that answers wins; a failed call changes nothing,
except with ``delay_after`` (the call is performed, the answer comes late), ``hold_until``
(the call is performed, the answer waits until the test releases it) and ``drop_after``
(the call is performed, then the connection is cut without an answer): the ways a client
can be late for, or lose, the reply to a request that Telegram did carry out.

For the Bot API being unreachable altogether see ``BotApiEmulator.go_offline``.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

JsonDict = dict[str, Any]
Where = Callable[[JsonDict], bool]


@dataclass(frozen=True)
class Fault:
    """Wait ``delay`` seconds, then fail with ``error_code`` (or run normally if None).

    ``delay_after``: run the method, then wait this long before answering (a client with a
    shorter read timeout gives up although the message exists). ``hold_until``: run the
    method, then answer only once this event is set (people see the message; the bot does
    not know its id yet). ``drop_after``: run the method, then close the connection without
    answering.
    """

    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None  # with 429: how long Telegram asks the bot to wait
    #: With 429, where Telegram says it: the JSON ``parameters.retry_after`` (PTB raises
    #: RetryAfter), or only the ``Retry-After`` header and the description ("Too Many
    #: Requests: retry after N"; PTB raises a plain NetworkError).
    retry_after_in: Literal["parameters", "header"] = "parameters"
    #: Answer like Telegram's front end (nginx) with the Bot API behind it down: an HTML
    #: error page (Content-Type text/html), not JSON. PTB cannot parse it.
    html: bool = False
    delay: float = 0.0
    delay_after: float = 0.0
    hold_until: asyncio.Event | None = None
    drop_after: bool = False


FaultHook = Callable[[str, JsonDict], Fault | None]


def limited(method: str, fault: Fault, *, times: int = 1, where: Where | None = None) -> FaultHook:
    """Apply ``fault`` to the next ``times`` calls of ``method`` ("*" = any method).

    ``where``: only calls whose parameters satisfy it (e.g. one chat) count.
    """
    left = times

    def hook(called: str, params: JsonDict) -> Fault | None:
        nonlocal left
        if left <= 0 or (method != "*" and method.lower() != called.lower()):
            return None
        if where is not None and not where(params):
            return None
        left -= 1
        return fault

    return hook


def to_chat(chat_id: int) -> Where:
    """A ``where`` for calls addressed to one chat."""
    return lambda params: str(params.get("chat_id")) == str(chat_id)


def flood_wait(
    method: str,
    retry_after: int = 1,
    *,
    times: int = 1,
    where: Where | None = None,
    in_header: bool = False,
) -> FaultHook:
    """429 Too Many Requests with ``retry_after``: in the JSON parameters (PTB raises
    RetryAfter), or ``in_header`` (Retry-After header and description only)."""
    description = f"Too Many Requests: retry after {retry_after}"
    fault = Fault(429, description, retry_after, "header" if in_header else "parameters")
    return limited(method, fault, times=times, where=where)


def server_error(
    method: str,
    *,
    status: int = 502,
    times: int = 1,
    where: Where | None = None,
    html: bool = False,
) -> FaultHook:
    """A 5xx from Telegram's side as JSON, or — ``html`` — its front end's HTML error page
    (what an outage of the Bot API looks like); PTB raises NetworkError either way."""
    description = HTTPStatus(status).phrase
    return limited(method, Fault(status, description, html=html), times=times, where=where)


def front_end_page(status: int) -> str:
    """nginx's own error page, as Telegram's front end answers when the Bot API is down."""
    title = f"{status} {HTTPStatus(status).phrase}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def slow(method: str, seconds: float, *, times: int = 1, where: Where | None = None) -> FaultHook:
    """Answer normally, but only after ``seconds`` (to trip client timeouts)."""
    return limited(method, Fault(delay=seconds), times=times, where=where)


def late(method: str, seconds: float, *, times: int = 1, where: Where | None = None) -> FaultHook:
    """Carry the call out at once, but answer only after ``seconds``.

    With a client read timeout shorter than ``seconds`` the client sees a time-out for a
    message that was in fact delivered: the case an outbox must not blindly re-send.
    """
    return limited(method, Fault(delay_after=seconds), times=times, where=where)


def held(
    method: str, release: asyncio.Event, *, times: int = 1, where: Where | None = None
) -> FaultHook:
    """Carry the call out at once, but answer only when ``release`` is set.

    The message is in the chat for everyone to see and answer, while the bot still waits
    to learn its id: a deterministic way to let a person reply to it first.
    """
    return limited(method, Fault(hold_until=release), times=times, where=where)


def cut_off(method: str, *, times: int = 1, where: Where | None = None) -> FaultHook:
    """Carry the call out, then close the connection without an answer."""
    return limited(method, Fault(drop_after=True), times=times, where=where)


#: Methods that post a message, which Telegram's flood limits count.
POSTING = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendanimation",
        "sendsticker",
        "sendmediagroup",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "copymessage",
        "forwardmessage",
    }
)


def flood_limits(
    *,
    per_second: int = 30,
    per_group_minute: int = 20,
    clock: Callable[[], float] = time.monotonic,
) -> FaultHook:
    """Telegram's flood limits, on: at most ``per_second`` messages a second overall and
    ``per_group_minute`` a minute into one group; beyond them 429 with ``retry_after``.

    Windows slide; only calls that went through count (a refused call posts nothing).
    """
    overall: deque[float] = deque()
    groups: dict[str, deque[float]] = {}

    def wait_for(window: deque[float], limit: int, span: float, now: float) -> float:
        while window and now - window[0] >= span:
            window.popleft()
        return span - (now - window[0]) if len(window) >= limit else 0.0

    def hook(method: str, params: JsonDict) -> Fault | None:
        if method.lower() not in POSTING:
            return None
        now = clock()
        chat = str(params.get("chat_id", ""))
        group = groups.setdefault(chat, deque()) if chat.startswith("-") else None
        wait = wait_for(overall, per_second, 1.0, now)
        if group is not None:
            wait = max(wait, wait_for(group, per_group_minute, 60.0, now))
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            return Fault(429, f"Too Many Requests: retry after {seconds}", seconds)
        overall.append(now)
        if group is not None:
            group.append(now)
        return None

    return hook
