"""The health check: is the process useful right now, and if not, which part is missing.

``down`` (HTTP 503) when the database does not answer: nothing can be handled. ``degraded``
(HTTP 200, the process should not be restarted for it) when Telegram is unreachable, the
outbox is stuck or the chaser stopped running: someone should look.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Bot

from storage import queries
from storage.db import transaction
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.ops.watched import WatchedDesk

#: Each check's answer must come within this; a hanging database is a down database.
CHECK_TIMEOUT_SECONDS = 3.0
#: getMe is asked at most this often, however often the endpoint is scraped.
BOT_API_TTL_SECONDS = 30.0
#: A row due to go out for longer than this means the sender is stuck (or Telegram is).
OUTBOX_STALE = timedelta(minutes=10)
#: The chaser counts as stopped after missing this many of its runs.
CHASER_MISSED_RUNS = 3
#: The chaser's first run comes 10 s after the start (bot/jobs.py); allow for it.
CHASER_FIRST_RUN = timedelta(seconds=60)

Check = dict[str, Any]


@dataclass
class Health:
    status: str  # ok | degraded | down
    checks: dict[str, Check]

    @property
    def http_status(self) -> int:
        return 503 if self.status == "down" else 200

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "checks": self.checks}


@dataclass
class HealthChecker:
    """Runs the checks for one desk; remembers Telegram's answer for ``bot_api_ttl`` seconds."""

    desk: WatchedDesk
    bot: Bot
    timeout: float = CHECK_TIMEOUT_SECONDS
    bot_api_ttl: float = BOT_API_TTL_SECONDS
    started_at: datetime = field(default_factory=utcnow)
    _bot_api: tuple[float, Check] | None = None

    async def check(self) -> Health:
        database, outbox, chased = await self._database()
        checks = {
            "database": database,
            "bot_api": await self._bot_api_check(),
            "outbox": outbox,
            "chaser": self._chaser(chased),
        }
        if not database["ok"]:
            status = "down"
        elif all(check["ok"] for check in checks.values()):
            status = "ok"
        else:
            status = "degraded"
        return Health(status=status, checks=checks)

    async def _database(self) -> tuple[Check, Check, datetime | None]:
        started = time.perf_counter()
        try:
            figures = await asyncio.wait_for(
                asyncio.to_thread(_read_database, self.desk.engine), self.timeout
            )
        except Exception as exc:  # any failure to answer is the finding
            problem = {"ok": False, "error": _name(exc)}
            return problem, {"ok": False, "error": "database unavailable"}, None
        database = {"ok": True, "seconds": round(time.perf_counter() - started, 4)}
        pending, oldest, failed, uncertain, chased = figures
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        outbox = {
            "ok": age <= OUTBOX_STALE.total_seconds(),
            "pending": pending,
            "oldest_pending_seconds": round(age, 1),
            "failed": failed,
            "uncertain": uncertain,
        }
        return database, outbox, chased

    async def _bot_api_check(self) -> Check:
        now = time.monotonic()
        if self._bot_api is not None and now - self._bot_api[0] < self.bot_api_ttl:
            return self._bot_api[1]
        try:
            me = await asyncio.wait_for(self.bot.get_me(), self.timeout)
            result: Check = {"ok": True, "username": me.username}
        except Exception as exc:  # unreachable, time-out, rejected token: all mean "not now"
            result = {"ok": False, "error": _name(exc)}
        self._bot_api = (now, result)
        return result

    def _chaser(self, recorded: datetime | None) -> Check:
        """Stale when no instance ran it for a few intervals (the database says when any
        did; without an answer from it, this process's own last run)."""
        interval = timedelta(minutes=self.desk.settings.chaser.interval_minutes)
        last = recorded or self.desk.last_chase_at
        now = utcnow()
        allowed = interval * CHASER_MISSED_RUNS + CHASER_FIRST_RUN
        since = last or self.started_at
        check: Check = {
            "ok": now - since <= allowed,
            "last_run": last.isoformat() if last else None,
        }
        if last is not None:
            check["age_seconds"] = round((now - last).total_seconds(), 1)
        return check


def _read_database(engine: Engine) -> tuple[int, datetime | None, int, int, datetime | None]:
    with transaction(engine) as session:
        session.execute(text("SELECT 1"))
        backlog = queries.outbox.outbox_backlog(session=session)
        oldest = queries.outbox.oldest_pending_outbox(session=session)
        chased = queries.jobs.last_chaser_run(session=session)
    return backlog["pending"], oldest, backlog["failed"], backlog["uncertain"], chased


def _name(exc: BaseException) -> str:
    """The kind of failure, never its message (a URL in it could carry the token)."""
    return "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
