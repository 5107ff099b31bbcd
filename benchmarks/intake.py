"""Intake throughput: many enterprises filing complete complaints at once, through the
local Bot API emulator, against a minimal python-telegram-bot echo bot in the same run.

Every enterprise goes through the whole conversation (/start, the menu, a category button,
the description, 下一步, company, USCC, contact, phone, visibility, 提交): eleven updates,
each sent only once the bot has handled the one before, as a person waits for the answer.
All enterprises do this at the same time. The echo bot (one MessageHandler and one
CallbackQueryHandler answering with sendMessage / answerCallbackQuery plus a button to tap)
gets the same update mix from the same number of people, on the same emulator code, in
the same process run.

Latency per update: from the moment the update is queued in the emulator to the bot's
first answer for it (the emulator's log of the Bot API call, ``ApiCall.at``: a message or
edit in that chat, or the answer to that callback query).
"""

from __future__ import annotations

import asyncio
import cProfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, func, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from benchmarks.common import Figure, main_for, percentile, scratch_database, settings
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import User
from bot.devtools.playground import desk_on_emulator
from storage.models import Outbox, Reporter, Ticket

ENTERPRISES = 200
QUICK_ENTERPRISES = 6
CATEGORIES = ("政策兑现", "政务服务/审批", "涉企收费", "要素保障（水电气/用地）")
DEPARTMENTS = ("econ", "approval", "market", "bizenv", "planning", "natres")
STEP_TIMEOUT = 60.0
#: How long to wait for the outbox to empty after the burst (group limits pace the cards).
DELIVERY_WAIT = 90.0

#: (kind, value): "text" says it, "tap" presses the newest button with that label
#: ("{category}" is filled in), "contact" shares the enterprise's own phone.
CONVERSATION: tuple[tuple[str, str], ...] = (
    ("text", "/start"),
    ("text", "📝 我要投诉"),
    ("tap", "{category}"),
    ("text", "园区自来水已经停了两天，生产线全部停工，损失很大，请尽快协调恢复供水。"),
    ("tap", "下一步 ➡️"),
    ("text", "厦门海沧精密机械有限公司"),
    ("text", "91350100M000100Y43"),
    ("text", "林经理"),
    ("contact", "+8613800138000"),
    ("tap", "只给企业名称"),
    ("tap", "✅ 提交"),
)


@dataclass
class Sent:
    """One update a person sent: when it was queued, and where its answer goes."""

    chat_id: int
    queued: float
    callback_id: str | None = None
    update_id: int = 0


@dataclass
class Driver:
    """Plays the people and notices when the bot has handled each update."""

    emulator: BotApiEmulator
    application: Application  # type: ignore[type-arg]
    tap_any: bool = False  # the echo bot's buttons have one label of their own
    sent: list[Sent] = field(default_factory=list)
    handled: int = 0
    #: When each update was handled (``time.monotonic()``), by update id.
    done_at: dict[int, float] = field(default_factory=dict)
    #: When set, profiles the bot while at least one update is being handled.
    profile: cProfile.Profile | None = None
    _busy: int = 0
    _waiting: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def watch(self) -> None:
        """Resolve an update's future once the application has processed it."""
        process = self.application.process_update

        async def processed(update: object) -> None:
            self._busy += 1
            if self._busy == 1 and self.profile is not None:
                self.profile.enable()
            try:
                await process(update)
            finally:
                self._busy -= 1
                if self._busy == 0 and self.profile is not None:
                    self.profile.disable()
                self.handled += 1
                if isinstance(update, Update):
                    self.done_at[update.update_id] = time.monotonic()
                    waiter = self._waiting.pop(update.update_id, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)

        self.application.process_update = processed  # type: ignore[method-assign]

    async def act(
        self,
        user: User,
        kind: str,
        value: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> None:
        """``kind``: text, contact, tap (in the private chat) or group (a text in
        ``chat_id``, answering ``reply_to``)."""
        emulator = self.emulator
        callback_id = None
        if kind == "text":
            emulator.user_sends_text(user, user.id, value)
        elif kind == "group":
            assert chat_id is not None
            emulator.user_sends_text(user, chat_id, value, reply_to=reply_to)
        elif kind == "contact":
            emulator.user_shares_contact(
                user, user.id, value, user.first_name, contact_user_id=user.id
            )
        else:
            message_id, data = self._button(user.id, value)
            callback_id = emulator.user_presses(user, user.id, message_id, data)["id"]
        queued = time.monotonic()
        update_id = emulator.world.updates.last_id
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[update_id] = waiter
        self.sent.append(Sent(chat_id or user.id, queued, callback_id, update_id))
        await asyncio.wait_for(waiter, STEP_TIMEOUT)

    def _button(self, chat_id: int, label: str) -> tuple[int, str]:
        for message in reversed(self.emulator.bot_messages(chat_id)):
            for button in message.buttons:
                if button.callback_data is not None and (self.tap_any or button.text == label):
                    return message.message_id, button.callback_data
        raise LookupError(f"no button {label!r} in chat {chat_id}")

    async def file(self, user: User, category: str) -> None:
        for kind, value in CONVERSATION:
            await self.act(user, kind, value.format(category=category))

    def latencies(self) -> list[float]:
        """Per update: queued → the first Bot API call answering it."""
        by_chat: dict[str, list[float]] = defaultdict(list)
        by_callback: dict[str, float] = {}
        for call in self.emulator.api_calls:
            if not call.ok or call.method == "getUpdates":
                continue
            if call.method == "answerCallbackQuery":
                by_callback.setdefault(str(call.params.get("callback_query_id")), call.at)
            elif "chat_id" in call.params:
                by_chat[str(call.params["chat_id"])].append(call.at)
        found = []
        for sent in self.sent:
            answers = [t for t in by_chat[str(sent.chat_id)] if t >= sent.queued]
            if sent.callback_id is not None and sent.callback_id in by_callback:
                answers.append(by_callback[sent.callback_id])
            if answers:
                found.append(min(answers) - sent.queued)
        return found


@dataclass(frozen=True)
class Outcome:
    updates: int
    seconds: float
    latencies: list[float]
    tickets: int = 0
    delivered_after: float = 0.0  # until every outbox row was sent (the desk only)
    undelivered: int = 0  # outbox rows still waiting when the wait for them ended
    #: Per filing: 提交 tapped → the acknowledgement with the ticket's number delivered.
    acks: list[float] = field(default_factory=list)


async def burst(
    driver: Driver, people: list[User], after: Callable[[], Awaitable[None]] | None = None
) -> Outcome:
    started = time.monotonic()
    await asyncio.gather(
        *(driver.file(person, CATEGORIES[n % len(CATEGORIES)]) for n, person in enumerate(people))
    )
    seconds = time.monotonic() - started
    delivered = 0.0
    if after is not None:
        await after()
        delivered = time.monotonic() - started
    return Outcome(len(driver.sent), seconds, driver.latencies(), delivered_after=delivered)


# --- the desk ---------------------------------------------------------------------------


async def desk_burst(url: str, enterprises: int, *, limited: bool = True) -> Outcome:
    async with desk_on_emulator(settings(), database_url=url) as scene:
        if not limited:
            # The desk's own capacity, without PTB's client-side limiter (30 calls/s overall,
            # one per second per chat) that otherwise sets the pace for both bots.
            scene.application.bot._rate_limiter = None
        for code in DEPARTMENTS:
            await scene.department_group(code, f"{code} 工单群")
        people = [scene.emulator.add_user(f"企业{n:04d}") for n in range(enterprises)]
        scene.emulator.world.api_calls.clear()
        driver = Driver(scene.emulator, scene.application)
        driver.watch()

        async def delivered() -> None:
            engine = scene.desk.engine
            deadline = time.monotonic() + DELIVERY_WAIT
            while time.monotonic() < deadline:
                with Session(engine) as session:
                    left = session.exec(
                        select(func.count())
                        .select_from(Outbox)
                        .where(Outbox.status.in_(("pending", "sending")))  # type: ignore[attr-defined]
                    ).one()
                if not left:
                    return
                scene.desk.kick_sender()
                await asyncio.sleep(0.05)

        outcome = await burst(driver, people, delivered)
        with Session(scene.desk.engine) as session:
            tickets = session.exec(select(func.count()).select_from(Ticket)).one()
            waiting = session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.status.in_(("pending", "sending")))  # type: ignore[attr-defined]
            ).one()
            numbers = session.exec(
                select(Reporter.telegram_user_id, Ticket.number).join(
                    Reporter,
                    Reporter.id == Ticket.reporter_id,  # type: ignore[arg-type]
                )
            ).all()
        assert scene.emulator.internal_errors == []
    return Outcome(
        outcome.updates,
        outcome.seconds,
        outcome.latencies,
        tickets,
        outcome.delivered_after,
        waiting,
        acknowledgements(driver, dict(numbers)),
    )


def acknowledgements(driver: Driver, numbers: dict[int, str]) -> list[float]:
    """Per filing: from its 提交 tap queued to the message carrying the ticket's number
    (the outbox's acknowledgement) answered by the emulator."""
    submitted: dict[int, float] = {}
    for sent in driver.sent:  # each person's last update is the 提交 tap
        submitted[sent.chat_id] = sent.queued
    found = []
    for call in driver.emulator.api_calls:
        chat_id = call.params.get("chat_id")
        if not call.ok or call.method != "sendMessage" or chat_id is None:
            continue
        chat = int(chat_id)
        number = numbers.get(chat)
        if number and chat in submitted and number in str(call.params.get("text", "")):
            found.append(call.at - submitted.pop(chat))
    return found


# --- the echo bot -------------------------------------------------------------------------

_ECHO_BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("好的", callback_data="ok")]])


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    text = update.effective_message.text if update.effective_message else None
    await context.bot.send_message(
        update.effective_chat.id, text or "收到", reply_markup=_ECHO_BUTTON
    )


async def _echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, "收到", reply_markup=_ECHO_BUTTON)


@asynccontextmanager
async def polling_bot(
    emulator: BotApiEmulator, handlers: Sequence[BaseHandler[Any, Any, Any]], *, limited: bool
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """A plain PTB bot polling the emulator with PTB's defaults (``limited``: the same
    client-side limiter the desk uses)."""
    builder = (
        Application.builder()
        .token(emulator.token)
        .base_url(emulator.bot_base_url)
        .base_file_url(emulator.file_base_url)
    )
    if limited:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=0))  # type: ignore[arg-type]
    application = builder.build()
    application.add_handlers(list(handlers))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def echo_bot(
    emulator: BotApiEmulator, *, limited: bool
) -> AbstractAsyncContextManager[Application]:  # type: ignore[type-arg]
    return polling_bot(
        emulator,
        [MessageHandler(filters.ALL, _echo), CallbackQueryHandler(_echo_button)],
        limited=limited,
    )


async def echo_burst(enterprises: int, *, limited: bool) -> Outcome:
    async with BotApiEmulator() as emulator, echo_bot(emulator, limited=limited) as application:
        people = [emulator.add_user(f"企业{n:04d}") for n in range(enterprises)]
        driver = Driver(emulator, application, tap_any=True)
        driver.watch()
        outcome = await burst(driver, people)
        assert emulator.internal_errors == []
    return outcome


# --- figures ------------------------------------------------------------------------------


def figures_of(name: str, backend: str, outcome: Outcome) -> list[Figure]:
    rate = outcome.updates / outcome.seconds
    found = [
        Figure(name, backend, "updates/s", rate, "1/s"),
        Figure(name, backend, "latency p50", percentile(outcome.latencies, 0.5) * 1000, "ms"),
        Figure(name, backend, "latency p99", percentile(outcome.latencies, 0.99) * 1000, "ms"),
        Figure(
            name,
            backend,
            "updates answered",
            len(outcome.latencies),
            "updates",
            f"= {outcome.updates}",
            len(outcome.latencies) == outcome.updates,
        ),
    ]
    if outcome.tickets or backend != "-":
        found += [
            Figure(name, backend, "tickets/s", outcome.tickets / outcome.seconds, "1/s"),
            Figure(
                name,
                backend,
                f"outbox empty after (wait capped at {DELIVERY_WAIT:g} s after the burst)",
                outcome.delivered_after,
                "s",
            ),
            Figure(name, backend, "outbox rows still waiting then", outcome.undelivered, "rows"),
            Figure(
                name,
                backend,
                "acknowledgement (提交 → 已受理 with the number) p50",
                percentile(outcome.acks, 0.5) * 1000,
                "ms",
            ),
            Figure(
                name,
                backend,
                "acknowledgement p99",
                percentile(outcome.acks, 0.99) * 1000,
                "ms",
            ),
            Figure(
                name,
                backend,
                "acknowledgements delivered",
                len(outcome.acks),
                "filings",
                f"= {outcome.tickets}",
                len(outcome.acks) == outcome.tickets,
            ),
        ]
    return found


async def measure(quick: bool, backends: list[str]) -> list[Figure]:
    enterprises = QUICK_ENTERPRISES if quick else ENTERPRISES
    figures: list[Figure] = []
    echo = await echo_burst(enterprises, limited=True)
    figures += figures_of("intake echo bot (AIORateLimiter)", "-", echo)
    raw = await echo_burst(enterprises, limited=False)
    figures += figures_of("intake echo bot (no limiter)", "-", raw)
    echo_rate = echo.updates / echo.seconds
    for backend in backends:
        if backend == "sqlite":
            with scratch_database(backend, "intake") as url:
                free = await desk_burst(url, enterprises, limited=False)
            figures += figures_of("intake desk (no limiter)", backend, free)
            ratio = free.updates / free.seconds / (raw.updates / raw.seconds)
            figures.append(
                Figure(
                    "intake desk (no limiter)",
                    backend,
                    "updates/s ÷ echo bot's (no limiter)",
                    ratio,
                    "",
                    ">= 0.5",
                    ratio >= 0.5,
                )
            )
        with scratch_database(backend, "intake") as url:
            outcome = await desk_burst(url, enterprises)
        name = "intake desk"
        figures += figures_of(name, backend, outcome)
        figures.append(
            Figure(
                name,
                backend,
                "tickets filed",
                outcome.tickets,
                "tickets",
                f"= {enterprises}",
                outcome.tickets == enterprises,
            )
        )
        ratio = outcome.updates / outcome.seconds / echo_rate
        figures.append(
            Figure(
                name,
                backend,
                "updates/s ÷ echo bot's",
                ratio,
                "",
                ">= 0.5" if backend == "sqlite" else "",
                ratio >= 0.5 if backend == "sqlite" else None,
            )
        )
    return figures


def run(quick: bool, backends: list[str]) -> list[Figure]:
    return asyncio.run(measure(quick, backends))


if __name__ == "__main__":
    main_for(__doc__.splitlines()[0], run)
