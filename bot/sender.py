"""Drains the outbox to Telegram: in order, rate-limited, retried, never twice.

A row is sent, then marked sent with Telegram's message id in its own transaction.
Transient failures (flood control, time-outs, network, 5xx) are retried with backoff;
permanent ones (blocked, chat gone, bad request) are recorded and never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Bot, InputFile, Message, MessageId
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.config import SenderSettings
from storage import queries
from storage.db import transaction
from storage.models import Outbox
from storage.types import utcnow

log = logging.getLogger(__name__)

RETURNS: dict[str, type[Message] | type[MessageId]] = {
    "sendMessage": Message,
    "copyMessage": MessageId,
    "editMessageText": Message,
    "editMessageReplyMarkup": Message,
    "sendDocument": Message,
    "sendPhoto": Message,
}
UPLOAD_FIELDS = {"sendDocument": "document", "sendPhoto": "photo"}


class Sender:
    def __init__(self, *, engine: Engine, bot: Bot, settings: SenderSettings) -> None:
        self._engine = engine
        self._bot = bot
        self._settings = settings
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Ask for a drain now (after a handler wrote rows)."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Nothing asked for and nothing being sent right now."""
        return not self._wake.is_set() and not self._lock.locked()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.interval_seconds)
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # the sender must outlive any single failure
                log.exception("outbox drain failed; retrying on the next tick")

    async def drain(self) -> int:
        """Send every due row; returns how many were sent."""
        sent = 0
        async with self._lock:
            while True:
                with transaction(self._engine) as session:
                    rows = queries.due_outbox(
                        session=session, now=utcnow(), limit=self._settings.batch_size
                    )
                if not rows:
                    return sent
                progressed = False
                blocked_chats: set[int] = set()
                for row in rows:
                    assert row.chat_id is not None
                    if row.chat_id in blocked_chats:
                        continue  # keep per-chat order: a later row waits for an earlier one
                    if not await self._send_one(row):
                        blocked_chats.add(row.chat_id)
                        continue
                    sent += 1
                    progressed = True
                if not progressed:
                    return sent

    async def _send_one(self, row: Outbox) -> bool:
        """True when the row is done (sent or given up for good)."""
        kwargs = self._resolve(row)
        if kwargs is None:
            return False
        try:
            with warnings.catch_warnings():
                # The outbox stores raw Bot API payloads: the generic call is the right one.
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self._bot.do_api_request(
                    row.method, api_kwargs=kwargs, return_type=RETURNS.get(row.method)
                )
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                delay = exc.retry_after
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            self._retry(row, f"flood control: {seconds}s", seconds)
            return False
        except Forbidden as exc:
            self._give_up(row, f"forbidden: {exc.message}")
            return True
        except BadRequest as exc:
            if "message is not modified" in exc.message.lower():
                self._mark_sent(row, None)
                return True
            self._give_up(row, f"bad request: {exc.message}")
            return True
        except (NetworkError, TelegramError) as exc:
            self._retry(row, f"{type(exc).__name__}: {exc}", min(300.0, 2.0**row.attempts))
            return False
        message_id = getattr(result, "message_id", None)
        self._mark_sent(row, message_id)
        return True

    def _resolve(self, row: Outbox) -> dict[str, Any] | None:
        """The API arguments; a row referring to an unsent row waits for it."""
        kwargs: dict[str, Any] = {"chat_id": row.chat_id, **row.payload}
        if row.attachment is not None and row.method in UPLOAD_FIELDS:
            kwargs[UPLOAD_FIELDS[row.method]] = InputFile(
                row.attachment, filename=row.attachment_name
            )
        if row.thread_id is not None and row.method in (
            "sendMessage",
            "copyMessage",
            *UPLOAD_FIELDS,
        ):
            kwargs["message_thread_id"] = row.thread_id
        if row.refers_to_outbox_id is None:
            return kwargs
        with transaction(self._engine) as session:
            target = queries.get_outbox(session=session, outbox_id=row.refers_to_outbox_id)
        if (
            target is None
            or target.status in ("failed",)
            or (target.status == "sent" and target.telegram_message_id is None)
        ):
            if row.method.startswith("edit"):
                self._give_up(row, "the message to edit was never sent")
                return None
            return kwargs  # send without the reply rather than never
        if target.status != "sent":
            return None
        if row.method.startswith("edit"):
            kwargs["message_id"] = target.telegram_message_id
        else:
            kwargs["reply_parameters"] = {
                "message_id": target.telegram_message_id,
                "allow_sending_without_reply": True,
            }
        return kwargs

    def _mark_sent(self, row: Outbox, message_id: int | None) -> None:
        with transaction(self._engine) as session:
            fresh = queries.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fresh.status, fresh.sent_at = "sent", utcnow()
            fresh.attempts += 1
            fresh.telegram_message_id = message_id
            session.add(fresh)

    def _retry(self, row: Outbox, error: str, seconds: float) -> None:
        with transaction(self._engine) as session:
            fresh = queries.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fresh.attempts += 1
            fresh.last_error = error
            if fresh.attempts >= self._settings.max_attempts:
                fresh.status = "failed"
            fresh.next_attempt_at = utcnow() + timedelta(seconds=seconds)
            session.add(fresh)
        log.warning("outbox %s: %s (attempt %s)", row.id, error, row.attempts + 1)

    def _give_up(self, row: Outbox, error: str) -> None:
        with transaction(self._engine) as session:
            fresh = queries.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fresh.status, fresh.last_error = "failed", error
            fresh.attempts += 1
            session.add(fresh)
        log.error("outbox %s failed for good: %s", row.id, error)
