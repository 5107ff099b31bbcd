"""Fault injection: hooks that make the next matching calls fail or stall, like Telegram can.

A hook sees ``(method, params)`` before the method runs and returns a :class:`Fault` to
apply or None to pass. The first hook that answers wins; a failed call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Fault:
    """Wait ``delay`` seconds, then fail with ``error_code`` (or run normally if None)."""

    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None  # with 429: sent as parameters.retry_after
    delay: float = 0.0


FaultHook = Callable[[str, JsonDict], Fault | None]


def limited(method: str, fault: Fault, *, times: int = 1) -> FaultHook:
    """Apply ``fault`` to the next ``times`` calls of ``method`` ("*" = any method)."""
    left = times

    def hook(called: str, params: JsonDict) -> Fault | None:
        nonlocal left
        if left <= 0 or (method != "*" and method.lower() != called.lower()):
            return None
        left -= 1
        return fault

    return hook


def flood_wait(method: str, retry_after: int = 1, *, times: int = 1) -> FaultHook:
    """429 Too Many Requests with ``retry_after``; PTB raises RetryAfter."""
    description = f"Too Many Requests: retry after {retry_after}"
    return limited(method, Fault(429, description, retry_after), times=times)


def server_error(method: str, *, status: int = 502, times: int = 1) -> FaultHook:
    """A 5xx from Telegram's side; PTB raises NetworkError."""
    description = {500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Server Error")
    return limited(method, Fault(status, description), times=times)


def slow(method: str, seconds: float, *, times: int = 1) -> FaultHook:
    """Answer normally, but only after ``seconds`` (to trip client timeouts)."""
    return limited(method, Fault(delay=seconds), times=times)
