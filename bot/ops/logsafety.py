"""Secrets stay out of logs and error output.

The Bot API puts the bot token in every URL (``https://api.telegram.org/bot<TOKEN>/getMe``), so
httpx's request lines, PTB's ``InvalidToken`` ("The token `…` was rejected") and any traceback
that shows a URL would print it. :func:`install` (called by the CLI before anything else runs)
redacts every log record — message, arguments, exception and stack text — and uncaught
tracebacks; :class:`RedactingFilter` does the same for one handler (tests, embedding).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

REDACTED = "<redacted>"

# bot<digits>:<token chars>, as in Bot API and file URLs.
_BOT_PATH = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# A bare token: the bot's numeric id, a colon, and (at least) 20 token characters.
_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")

_secrets: set[str] = set()
_installed = False


def add_secret(secret: str | None) -> None:
    """Redact this exact string too (the configured token, whatever its shape)."""
    if secret and len(secret) >= 4:
        _secrets.add(secret)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with registered secrets, bot tokens and ``bot<id>:<token>`` paths replaced."""
    for secret in sorted({*_secrets, *secrets}, key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    text = _BOT_PATH.sub("bot" + REDACTED, text)
    return _TOKEN.sub(REDACTED, text)


def _clean(value: Any, secrets: Iterable[str]) -> Any:
    """An argument as is when it holds nothing secret, else its redacted text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = redact(text, secrets)
    return value if cleaned == text and not isinstance(value, str) else cleaned


def scrub(record: logging.LogRecord, secrets: Iterable[str] = ()) -> logging.LogRecord:
    """Redact one record in place: message, arguments, exception and stack text."""
    secrets = tuple(secrets)
    if isinstance(record.msg, str):
        record.msg = redact(record.msg, secrets)
    else:
        record.msg = _clean(record.msg, secrets)
    if isinstance(record.args, dict):
        record.args = {key: _clean(value, secrets) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_clean(value, secrets) for value in record.args)
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = redact(record.stack_info, secrets)
    return record


class RedactingFilter(logging.Filter):
    """A handler filter that redacts every record passing through it (never drops one)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record, self.secrets)
        return True


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))


def install(secrets: Iterable[str] = ()) -> None:
    """Redact every log record from now on, and uncaught tracebacks (idempotent)."""
    global _installed
    for secret in secrets:
        add_secret(secret)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if _installed:
        return
    _installed = True
    make_record: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return scrub(make_record(*args, **kwargs))

    logging.setLogRecordFactory(redacted_record)
    sys.excepthook = _excepthook
