"""Log set-up: text for people, JSON lines for collectors, every line redacted.

The ticket lifecycle log itself is written by the core (bot/core/event_log.py).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any, Literal

from bot.ops import logsafety

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, then the record's ``extra`` fields.

    The finished line goes through logsafety once more: ``extra`` values are not scrubbed
    by the record factory, and a token must not reach the log by any road.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return logsafety.redact(json.dumps(line, ensure_ascii=False, default=str))


def log_handler(fmt: Literal["text", "json"], stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler in this format that redacts secrets (the one the CLI installs)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(logsafety.RedactingFilter())
    return handler


def configure_logging(*, fmt: Literal["text", "json"], level: str | int) -> None:
    """Replace the root logger's handlers with one of this format, at this level."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(log_handler(fmt))
    root.setLevel(level)
