"""Drains the outbox to Telegram: in order per chat, rate-limited, retried, never twice.

Each row is marked ``sending`` (committed) before the call and ``sent`` with Telegram's
message id after it. The drain works in rounds, one transaction each: record the calls
that were answered, read the next heads of the chats' lines, claim them (see
:meth:`Sender._round`). What a failure means for the row (retry, uncertain, failed, held,
re-pointed) is decided in bot/delivery/outbox.py, each in a transaction of its own:

what a failed call means is read in one place, bot/delivery/delivery_outcome.py (``classify``):

- flood control (429): wait ``retry_after``, the chat's later rows wait behind it;
- Telegram unreachable or answering 5xx (JSON, or its front end's HTML error page): retried
  with backoff for as long as it takes, never counted toward ``max_attempts``;
- a time-out or a cut connection *after* the request went out: a send may have been
  delivered, so it becomes ``uncertain`` (surfaced, not repeated); an edit is retried;
- 403/400: permanent, recorded, told to the dispatcher, never retried; a department's lost
  group puts its rows on hold, a group upgraded to a supergroup re-points them.

If the database is down, the outcome of a call already made is kept in memory and written
as soon as the database answers again; if the process dies first, the row is found
``sending`` at the next start and treated as uncertain (never sent twice by itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session
from telegram import Bot, InputFile, Message, MessageId
from telegram.error import TelegramError
from telegram.warnings import PTBUserWarning

from bot.config import SenderSettings, Settings
from bot.delivery import leases, wakeup
from bot.delivery import outbox as fate
from bot.delivery.delivery_outcome import Fate, Verdict, classify
from bot.ops import hooks, prometheus
from bot.render import notify
from storage import queries
from storage.db import transaction
from storage.models import Outbox
from storage.queries.outbox import Head
from storage.types import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")

RETURNS: dict[str, type[Message] | type[MessageId]] = {
    "sendMessage": Message,
    "copyMessage": MessageId,
    "editMessageText": Message,
    "editMessageReplyMarkup": Message,
    "sendDocument": Message,
    "sendPhoto": Message,
}
UPLOAD_FIELDS = {"sendDocument": "document", "sendPhoto": "photo"}
#: Telegram answers that the bot may no longer post in a group.
CHAT_GONE = (
    "bot is not a member",
    "bot was kicked",
    "group chat was deactivated",
    "group chat was deleted",
    "chat not found",
    "message thread not found",
    "topic_deleted",
)
MAX_BACKOFF_SECONDS = 60.0
#: How often a running sender looks for rows a dead instance left in flight.
RECOVER_SECONDS = 5.0
STOP_GRACE_SECONDS = 2.0


class Outcome(enum.Enum):
    SENT = "sent"  # delivered and recorded
    DONE = "done"  # left the line another way (failed, uncertain, held, re-pointed)
    WAIT = "wait"  # stays first in its chat's line until later
    OFFLINE = "offline"  # Telegram is unreachable: stop this round


#: A call in flight: how it ended, or what it delivered (recorded with the next round).
Task = asyncio.Task[Outcome | fate.Delivered]


@dataclass
class Round:
    """What a round of the drain claimed: the rows to call now, with their API arguments;
    the chats whose first row has to wait; how many rows were dropped instead of sent;
    whether more rows were due than it read or took."""

    ready: list[tuple[Head, dict[str, Any]]] = field(default_factory=list)
    waiting: set[int | None] = field(default_factory=set)
    dropped: int = 0
    more: bool = False


def _delivered(tasks: Iterable[Task]) -> list[fate.Delivered]:
    """What the finished ones among ``tasks`` delivered (a failed or cancelled call: none)."""
    return [
        result
        for task in tasks
        if task.done() and not task.cancelled() and task.exception() is None
        if isinstance(result := task.result(), fate.Delivered)
    ]


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2.0 ** min(attempts, 7))


class Sender:
    def __init__(
        self,
        *,
        engine: Engine,
        bot: Bot,
        settings: SenderSettings,
        desk_settings: Settings | None = None,
        instance: str | None = None,
    ) -> None:
        self._engine = engine
        # Several instances may drain one database: rows are claimed under this id, and
        # only a dead instance's rows in flight are settled (bot/delivery/leases.py).
        self.instance = instance or leases.new_instance_id()
        self._liveness = leases.Liveness(engine, self.instance)
        self._recovered_at: float | None = None
        self._bot = bot
        # The desk's settings say whom to tell about failures and in which language.
        self._desk = desk_settings or Settings(sender=settings)
        self._settings = settings
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._paused_until = 0.0
        #: Chats whose row in flight has rows behind it, as the latest reads saw them.
        self._busy_followed: set[int | None] = set()

    def kick(self) -> None:
        """Ask for a drain now. Every commit that wrote outbox rows does this by itself
        (bot/delivery/wakeup.py); the sender polls too, for other processes' rows."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Nothing asked for and nothing being sent right now."""
        return not self._wake.is_set() and not self._lock.locked()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._liveness.hold()
            wake = wakeup.thread_safe(asyncio.get_running_loop(), self._wake.set)
            wakeup.on_commit(self._engine, id(self), wake)
            self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Let the row in flight finish (briefly), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE_SECONDS)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        wakeup.forget(self._engine, id(self))
        self._liveness.release()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                self.recover()
                await self.drain()
            except asyncio.CancelledError:
                raise
            except (OperationalError, InterfaceError) as exc:
                log.warning("outbox: database unavailable (%s); retrying", type(exc).__name__)
            except Exception:  # the sender must outlive any single failure
                log.exception("outbox drain failed; retrying on the next tick")
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.interval_seconds)
            self._wake.clear()

    def recover(self) -> None:
        """At start, and every RECOVER_SECONDS after: settle the rows a dead instance (a
        previous process, or another instance that was killed) left in flight."""
        now = time.monotonic()
        if self._recovered_at is not None and now < self._recovered_at + RECOVER_SECONDS:
            return
        if self._task is not None:
            self._liveness.hold()  # again, should its connection have been lost
        with transaction(self._engine) as session:

            def alive(instance: str) -> bool:
                return instance == self.instance or leases.alive(session, instance)

            rows = fate.recover_in_flight(session=session, settings=self._desk, alive=alive)
        for row in rows:
            log.warning(
                "outbox %s was in flight when its desk (%s) stopped: %s",
                row.id,
                row.claimed_by,
                row.status,
            )
        self._recovered_at = now

    async def drain(self) -> int:
        """Send every due row; returns how many rows were settled (sent or given up).

        The first rows of different chats go out side by side, ``parallel_chats`` at a
        time, each chat strictly in order: a group held back by its per-minute limit
        delays only its own line, and a freed slot takes the next chat at once. A chat
        whose row has to wait (flood wait, another instance has it) is left for the next
        drain; once Telegram is unreachable nothing new starts.

        The heads are read again only when that can find something new: a settled row
        had others behind it (when it was read, or as a later read saw its busy chat), a
        commit wrote rows (the wake), the last read left some out, or
        ``interval_seconds`` passed (retries coming due).
        """
        settled = 0
        self.recover()
        async with self._lock:
            in_flight: dict[Task, Head] = {}
            self._busy_followed.clear()
            waiting: set[int | None] = set()  # chats to leave alone until the next drain
            delivered: list[fate.Delivered] = []  # answered, recorded with the next round
            offline, look, read_at = False, True, time.monotonic()
            try:
                while True:
                    room = self._settings.parallel_chats - len(in_flight)
                    stale = time.monotonic() >= read_at + self._settings.interval_seconds
                    look = look or stale or self._wake.is_set()
                    busy = offline or self._stopping or not self._may_send()
                    start = look and room > 0 and not busy
                    if start:
                        self._wake.clear()  # the read below sees what woke it
                        read_at = time.monotonic()
                    if start or delivered:
                        skip = {head.row.chat_id for head in in_flight.values()} | waiting
                        taken = await self._round(delivered, skip=skip, room=room if start else 0)
                        delivered = []
                        settled += taken.dropped
                        waiting |= taken.waiting
                        look = taken.more if start else look
                        for head, kwargs in taken.ready:
                            in_flight[asyncio.create_task(self._send_one(head.row, kwargs))] = head
                    if not in_flight and start and look:
                        continue  # rows behind a dropped edit, or beyond what was read
                    if not in_flight:
                        if waiting and settled:  # a reply may wait for a message sent here
                            self._wake.set()
                        return settled
                    done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        head = in_flight.pop(task)
                        outcome = task.result()
                        if isinstance(outcome, fate.Delivered):
                            delivered.append(outcome)
                        if outcome in (Outcome.WAIT, Outcome.OFFLINE):
                            waiting.add(head.row.chat_id)
                        else:  # it left its chat's line: the next row there may go
                            settled += 1
                            behind = head.followed or head.row.chat_id in self._busy_followed
                            look = look or behind
                        self._busy_followed.discard(head.row.chat_id)
                        offline = offline or outcome is Outcome.OFFLINE
            except asyncio.CancelledError:
                for task in in_flight:  # stopping: a call cut short is settled at next start
                    task.cancel()
                raise
            finally:
                if in_flight:  # a failure or a cancellation: let the calls out finish
                    await asyncio.wait(in_flight)
                delivered += _delivered(in_flight)
                if delivered:  # answered calls are recorded whatever stopped the drain
                    await self._persist(self._mark_sent, delivered)

    def _may_send(self) -> bool:
        return time.monotonic() >= self._paused_until

    async def _round(
        self, delivered: list[fate.Delivered], *, skip: set[int | None], room: int
    ) -> Round:
        """Record the calls that were answered and claim the next heads (up to ``room``).

        With something to record this is one transaction that begins with that write:
        the record, the read of the heads and their claim commit together, before any of
        them is called (SQLite: a transaction that read first might not be allowed to
        write). Kept in memory and retried while the database is away. With nothing to
        record, the heads are read and then claimed in a transaction of its own."""
        if not delivered:
            heads, more = self._next_heads(skip=skip, room=room)
            if not heads:
                return Round(more=more)
            with transaction(self._engine) as session:
                wakeup.quiet(session)
                return self._take(session, heads, more)

        def write() -> Round:
            with transaction(self._engine) as session:
                wakeup.quiet(session)  # the drain reads again by itself (Head.followed)
                fate.mark_sent(session=session, delivered=delivered)
                if room <= 0:
                    return Round()
                return self._take(session, *self._due_heads(session, skip=skip, room=room))

        return await self._persist(write)

    def _next_heads(self, *, skip: set[int | None], room: int) -> tuple[list[Head], bool]:
        """:meth:`_due_heads` in a read of its own."""
        if room <= 0:
            return [], False
        with transaction(self._engine) as session:
            return self._due_heads(session, skip=skip, room=room)

    def _due_heads(
        self, session: Session, *, skip: set[int | None], room: int
    ) -> tuple[list[Head], bool]:
        """The due first rows of up to ``room`` chats not already being served, and whether
        more were due than were read or taken."""
        limit = self._settings.batch_size + len(skip)
        heads = queries.outbox.due_outbox_heads(session=session, now=utcnow(), limit=limit)
        self._busy_followed |= heads.busy_followed
        fresh = [head for head in heads.due if head.row.chat_id not in skip]
        for head in fresh[:room]:  # the fault tests' kill point: written, not yet claimed
            hooks.reach("after_commit", head.row.purpose)
        read = len(heads.due) + len(heads.busy_followed)
        return fresh[:room], read >= limit or len(fresh) > room

    def _take(self, session: Session, heads: list[Head], more: bool) -> Round:
        """Resolve the heads and claim those ready to go, in one statement. A head that has
        to wait (its message is not out yet, another instance has it) leaves its chat
        waiting; an edit of a message that was never sent is dropped."""
        taken = Round(more=more)
        ready: list[tuple[Head, dict[str, Any]]] = []
        for head in heads:
            kwargs = self._resolve(session, head)
            if kwargs is not None:
                ready.append((head, kwargs))
            elif head.row.status == "pending":
                taken.waiting.add(head.row.chat_id)
            else:  # dropped: the row behind it is its chat's head now
                taken.dropped += 1
                taken.more = taken.more or head.followed
        rows = [head.row for head, _ in ready]
        mine = fate.mark_in_flight(session=session, rows=rows, instance=self.instance, now=utcnow())
        for head, kwargs in ready:
            if head.row.id in mine:
                taken.ready.append((head, kwargs))
            else:  # another instance sends it (or it moved): look again later
                taken.waiting.add(head.row.chat_id)
        return taken

    async def _send_one(self, row: Outbox, kwargs: dict[str, Any]) -> Outcome | fate.Delivered:
        """Make the call for a claimed row. Delivered: recorded by the drain's next round
        (:meth:`_round`), with the others answered meanwhile; any other outcome is written
        here."""
        assert row.id is not None and row.chat_id is not None
        try:
            with warnings.catch_warnings():
                # The outbox stores raw Bot API payloads: the generic call is the right one.
                warnings.simplefilter("ignore", PTBUserWarning)
                result = await self._bot.do_api_request(
                    row.method,
                    api_kwargs=kwargs,
                    return_type=RETURNS.get(row.method),
                    read_timeout=self._settings.read_timeout_seconds,
                )
        except Exception as exc:  # every failure has one reading: bot/delivery/delivery_outcome.py
            if not isinstance(exc, TelegramError):  # not Telegram's answer: keep the trace
                log.exception("outbox %s: unexpected error", row.id)
            return await self._not_delivered(row, classify(exc))
        hooks.reach("after_send", row.purpose)
        # A reply that went out without the message it answers: an operator's resend of
        # that message puts it under it again (bot/delivery/outbox.resend).
        unanchored = row.refers_to_outbox_id is not None and not (
            "reply_parameters" in kwargs or fate.may_repeat(row.method)
        )
        return fate.Delivered(row.id, row.chat_id, getattr(result, "message_id", None), unanchored)

    # -- the outcomes, each written once the database takes it -------------------------------

    async def _not_delivered(self, row: Outbox, verdict: Verdict) -> Outcome:
        """Act on the verdict: retry (counted or not), record, or leave to an operator."""
        kind = verdict.fate
        if kind is Fate.DELIVERED:  # an edit that was already made
            assert row.id is not None and row.chat_id is not None
            await self._persist(self._mark_sent, [fate.Delivered(row.id, row.chat_id, None)])
            return Outcome.SENT
        if kind is Fate.FLOOD:
            seconds = verdict.wait if verdict.wait is not None else backoff(row.attempts)
            prometheus.flood_waited(self._engine)
            await self._retry(row, f"flood control: retry after {seconds:g}s", seconds, False)
            return Outcome.WAIT
        if kind is Fate.MIGRATED:
            assert verdict.new_chat_id is not None
            await self._migrated(row, verdict.new_chat_id)
            return Outcome.DONE
        if kind is Fate.REFUSED:
            return await self._bad_request(row, verdict.message)
        if kind is Fate.FORBIDDEN:
            await self._forbidden(row, verdict.message)
            return Outcome.DONE
        if kind is Fate.UNKNOWN and not fate.may_repeat(row.method):
            await self._persist(self._uncertain, row, verdict.reason)
            return Outcome.DONE
        # RETRY, RETRY_COUNTED, or an edit in doubt (doing it twice is harmless).
        seconds = backoff(row.attempts)
        await self._retry(row, verdict.reason, seconds, kind is Fate.RETRY_COUNTED)
        if verdict.pause:  # Telegram is down for everyone: stop hammering it for a while
            self._paused_until = time.monotonic() + min(seconds, 5.0)
            return Outcome.OFFLINE
        return Outcome.WAIT

    async def _forbidden(self, row: Outbox, message: str) -> None:
        assert row.chat_id is not None
        error = f"forbidden: {message}"
        if row.chat_id > 0:
            await self._persist(self._unreachable, row, error)
        elif row.held_for_department_id is not None and _chat_gone(message):
            await self._persist(self._chat_lost, row, error)
        else:
            await self._persist(self._give_up, row, error)

    async def _bad_request(self, row: Outbox, message: str) -> Outcome:
        assert row.chat_id is not None
        if row.chat_id < 0 and row.held_for_department_id is not None and _chat_gone(message):
            await self._persist(self._chat_lost, row, f"bad request: {message}")
        else:
            await self._persist(self._give_up, row, f"bad request: {message}")
        return Outcome.DONE

    async def _retry(self, row: Outbox, error: str, seconds: float, counted: bool) -> None:
        def write() -> None:
            with transaction(self._engine) as session:
                fate.retry_later(
                    session=session,
                    settings=self._desk,
                    row_id=row.id or 0,
                    error=error,
                    seconds=seconds,
                    counted=counted,
                )

        await self._persist(write)
        log.warning("outbox %s: %s (attempt %s)", row.id, error, row.attempts + 1)

    async def _migrated(self, row: Outbox, new_chat_id: int) -> None:
        def write() -> None:
            with transaction(self._engine) as session:
                fresh = queries.outbox.get_outbox(session=session, outbox_id=row.id or 0)
                assert fresh is not None and fresh.chat_id is not None
                old = fresh.chat_id
                fresh.status, fresh.chat_id = "pending", new_chat_id
                session.add(fresh)
                session.flush()
                fate.follow_migration(session=session, old_chat_id=old, new_chat_id=new_chat_id)

        await self._persist(write)
        log.warning("chat %s became supergroup %s: rows follow it", row.chat_id, new_chat_id)

    def _mark_sent(self, delivered: list[fate.Delivered]) -> None:
        with transaction(self._engine) as session:
            wakeup.quiet(session)  # the drain reads again by itself (Head.followed)
            fate.mark_sent(session=session, delivered=delivered)

    def _uncertain(self, row: Outbox, error: str) -> None:
        with transaction(self._engine) as session:
            fresh = queries.outbox.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fate.mark_uncertain(session=session, settings=self._desk, row=fresh, error=error)
        log.error("outbox %s: uncertain, not re-sent (%s)", row.id, error)
        prometheus.outbox_failed(self._engine, "uncertain")

    def _give_up(self, row: Outbox, error: str) -> None:
        with transaction(self._engine) as session:
            fresh = queries.outbox.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fate.give_up(session=session, settings=self._desk, row=fresh, error=error)
        log.error("outbox %s failed for good: %s", row.id, error)
        prometheus.outbox_failed(self._engine, "failed")

    def _unreachable(self, row: Outbox, error: str) -> None:
        with transaction(self._engine) as session:
            fresh = queries.outbox.get_outbox(session=session, outbox_id=row.id or 0)
            assert fresh is not None
            fate.enterprise_unreachable(
                session=session, settings=self._desk, row=fresh, error=error, now=utcnow()
            )
        log.error("outbox %s: the enterprise is unreachable (%s)", row.id, error)
        prometheus.outbox_failed(self._engine, "unreachable")

    def _chat_lost(self, row: Outbox, error: str) -> None:
        assert row.chat_id is not None
        thread = row.thread_id if "thread" in error.lower() else None
        with transaction(self._engine) as session:
            fate.chat_lost(
                session=session,
                settings=self._desk,
                chat_id=row.chat_id,
                thread_id=thread,
                reason=error,
            )
            fresh = queries.outbox.get_outbox(session=session, outbox_id=row.id or 0)
            if fresh is not None and fresh.status == "sending":  # not a department's row
                fate.give_up(session=session, settings=self._desk, row=fresh, error=error)
        log.error("outbox %s: the bot lost chat %s (%s); rows held", row.id, row.chat_id, error)
        prometheus.outbox_failed(self._engine, "chat_lost")

    async def _persist(self, write: Callable[..., T], *args: Any) -> T:
        """Write an outcome; while the database is away, keep it and try again."""
        delay = 0.2
        while True:
            try:
                return write(*args)
            except (OperationalError, InterfaceError):
                if self._stopping:
                    raise  # the row stays 'sending': the next start treats it as uncertain
                log.warning("database unavailable; keeping the outcome and retrying")
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)

    # -- arguments ------------------------------------------------------------------------

    def _resolve(self, session: Session, head: Head) -> dict[str, Any] | None:
        """The API arguments; a row referring to an unsent row waits for it (None).

        A row answering a message whose Telegram id is unknown for good (uncertain, failed,
        in another chat) goes out without the reply, with its ``unanchored`` wording (the
        ticket number: notify.tie_to_ticket); an edit of such a message is dropped. What it
        needs of that message came with the head (``head.target``): no query here."""
        row, target = head.row, head.target
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
        if target is not None and target.status in queries.outbox.IN_LINE:
            return None  # the message it answers or edits is not out yet
        exists = (
            target is not None
            and target.status == "sent"
            and target.telegram_message_id is not None
            and target.chat_id == row.chat_id
        )
        if not exists:
            if fate.may_repeat(row.method):
                reason = "the message to edit was never sent"
                if target is not None and target.status == "uncertain":
                    reason = "the message to edit may not exist (its sending is uncertain)"
                elif target is not None and target.status == "sent":
                    reason = "the message to edit is in another chat (rebound or upgraded)"
                fate.give_up(session=session, settings=self._desk, row=row, error=reason)
                log.error("outbox %s failed for good: %s", row.id, reason)
                prometheus.outbox_failed(self._engine, "failed")
                return None
            # Sent without the reply rather than never, saying which ticket it belongs to.
            kwargs.update(row.meta.get(notify.UNANCHORED) or {})
            return kwargs
        assert target is not None
        if fate.may_repeat(row.method):
            kwargs["message_id"] = target.telegram_message_id
        else:
            kwargs["reply_parameters"] = {
                "message_id": target.telegram_message_id,
                "allow_sending_without_reply": True,
            }
        return kwargs


def _chat_gone(message: str) -> bool:
    lowered = message.lower()
    return any(reason in lowered for reason in CHAT_GONE)
