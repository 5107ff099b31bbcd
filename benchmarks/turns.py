"""The update path case by case: a first message, an intake step, a staff reply relayed —
each 200 people × 5 updates at once, the desk side by side with the PTB echo bot in one
run, no rate limiter on either side.

The cases (each person waits for the answer to an update before sending the next, as in
benchmarks/intake.py, whose driver and echo bot this reuses):

- ``first``: a new enterprise's first message, a complaint in plain words; 200 people at
  once, each playing five new enterprises one after another (1,000 reporters created).
- ``step``: one step of the filing conversation; 200 enterprises who have chosen a
  category (not measured) send the description, tap 下一步, and give the company's name,
  the USCC and the contact's name.
- ``relay``: a department's staff member replies to a ticket's card in the group and the
  desk relays it to the enterprise; 200 tickets filed beforehand (not measured), one staff
  member per card replying five times. "Answered" is the 👍 under the reply (the relay
  itself goes out through the outbox; its delivery is reported separately). The 200
  filings say the same thing, so the desk links them into one 同类诉求 group (~150
  tickets) and every card it refreshes lists that group.
- ``relay_alone``: the same, with the desk linking nothing (``[common] auto_link =
  false``): the relay of 200 unrelated complaints. No target: it shows what the group costs.
- For the relay, its floor as well: a bot that makes the desk's Bot API calls per reply
  (👍, the relay, the card's edit) and keeps nothing.

The echo bot gets the same mix (texts, taps, replies in a group to its own message).
Figures per case: updates/s of both, the ratio (the median of ``--rounds`` rounds, each
measuring echo and desk back to back), latency p50/p99 (queued → the update handled), and
CPU milliseconds per update of the whole process (bot, emulator and driver: the echo's
figure is the floor the emulator and PTB cost).

``--profile CASE`` runs the desk's part of one case once under cProfile and prints its top
entries by cumulative and by own time (what docs/benchmarks.md quotes).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, func, select
from telegram import Bot, Message, ReactionTypeEmoji, Update
from telegram.ext import ContextTypes, MessageHandler, filters

from benchmarks.common import (
    Figure,
    chosen_backends,
    percentile,
    prepared_engine,
    scratch_database,
    settings,
    table,
)
from benchmarks.intake import (
    CATEGORIES,
    CONVERSATION,
    DEPARTMENTS,
    Driver,
    echo_bot,
    polling_bot,
)
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import User
from bot.devtools.playground import Scene, desk_on_emulator
from storage import queries
from storage.db import transaction
from storage.models import Outbox, Purpose

PEOPLE = 200
UPDATES = 5
QUICK_PEOPLE = 4
CASES = ("first", "step", "relay", "relay_alone")
RELAYS = ("relay", "relay_alone")
TARGETS = {
    ("first", "sqlite"): 0.5,
    ("first", "postgres"): 0.4,
    ("step", "sqlite"): 0.5,
    ("relay", "sqlite"): 0.5,
    ("relay", "postgres"): 0.5,
}
FIRST_WORDS = "你好，园区自来水已经停了两天，生产线全部停工，请帮忙协调恢复供水。"
#: The intake steps measured (after /start, the menu and a category).
STEPS: tuple[tuple[str, str], ...] = CONVERSATION[3:8]
REPLY_WORDS = "已联系自来水公司，今天下午恢复供水，请留意。"
SETTLE_WAIT = 120.0


@dataclass(frozen=True)
class Run:
    updates: int
    seconds: float
    cpu_seconds: float
    latencies: list[float]
    api_calls: int = 0  # Bot API calls the bot made while the burst was handled
    delivered_after: float = 0.0  # the desk's outbox empty after the burst (relay)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.updates

    @property
    def calls_per_update(self) -> float:
        return self.api_calls / self.updates


async def _measured(driver: Driver, lanes: list[Callable[[], Awaitable[None]]]) -> Run:
    before, calls_before = len(driver.sent), len(driver.emulator.world.api_calls)
    cpu, started = time.process_time(), time.monotonic()
    await asyncio.gather(*(lane() for lane in lanes))
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu
    sent = driver.sent[before:]
    latencies = [
        driver.done_at[s.update_id] - s.queued for s in sent if s.update_id in driver.done_at
    ]
    calls = len(driver.emulator.world.api_calls) - calls_before
    return Run(len(sent), seconds, cpu_seconds, latencies, calls)


# --- the cases, played against either bot ---------------------------------------------------


async def play_first(driver: Driver, people: int) -> Run:
    emulator = driver.emulator
    lanes_of = [
        [emulator.add_user(f"企业{n:03d}-{k}") for k in range(UPDATES)] for n in range(people)
    ]

    def lane(users: list[User]) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            for user in users:
                await driver.act(user, "text", FIRST_WORDS)

        return go

    return await _measured(driver, [lane(users) for users in lanes_of])


async def play_step(driver: Driver, people: int, *, echo: bool) -> Run:
    emulator = driver.emulator
    users = [emulator.add_user(f"企业{n:04d}") for n in range(people)]
    prepare = (("text", "/start"),) if echo else CONVERSATION[:3]

    async def ready(user: User, category: str) -> None:
        for kind, value in prepare:
            await driver.act(user, kind, value.format(category=category))

    await asyncio.gather(*(ready(u, CATEGORIES[n % len(CATEGORIES)]) for n, u in enumerate(users)))

    def lane(user: User) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            for kind, value in STEPS:
                await driver.act(user, kind, value)

        return go

    return await _measured(driver, [lane(u) for u in users])


async def play_relay_echo(
    driver: Driver, people: int, on_staff: Callable[[User], None] | None = None
) -> Run:
    emulator = driver.emulator
    group = emulator.add_group("回声群", supergroup=True)
    staff = [emulator.add_user(f"工作人员{n:04d}") for n in range(people)]
    for person in staff:
        if on_staff is not None:
            on_staff(person)
    targets: dict[int, int] = {}
    for person in staff:
        emulator.add_member(group.id, person)
        await driver.act(person, "group", "/start", chat_id=group.id)
        targets[person.id] = emulator.last_bot_message(group.id).message_id

    def lane(person: User) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            for _ in range(UPDATES):
                await driver.act(
                    person, "group", REPLY_WORDS, chat_id=group.id, reply_to=targets[person.id]
                )

        return go

    return await _measured(driver, [lane(p) for p in staff])


async def play_relay_desk(scene: Scene, driver: Driver, people: int) -> Run:
    emulator = scene.emulator
    filers = [emulator.add_user(f"企业{n:04d}") for n in range(people)]
    await asyncio.gather(
        *(driver.file(u, CATEGORIES[n % len(CATEGORIES)]) for n, u in enumerate(filers))
    )
    await outbox_empty(scene)
    with Session(scene.desk.engine) as session:
        cards = session.exec(
            select(Outbox.chat_id, Outbox.telegram_message_id).where(
                Outbox.purpose == Purpose.CARD, Outbox.status == "sent"
            )
        ).all()
    assert len(cards) == people, f"{len(cards)} cards delivered of {people}"
    staff: list[tuple[User, int, int]] = []
    for n, (chat_id, message_id) in enumerate(cards):
        assert chat_id is not None and message_id is not None
        person = emulator.add_user(f"工作人员{n:04d}")
        emulator.add_member(chat_id, person)
        staff.append((person, chat_id, message_id))

    def lane(person: User, chat_id: int, card: int) -> Callable[[], Awaitable[None]]:
        async def go() -> None:
            for _ in range(UPDATES):
                await driver.act(person, "group", REPLY_WORDS, chat_id=chat_id, reply_to=card)

        return go

    run = await _measured(driver, [lane(*s) for s in staff])
    started = time.monotonic()
    await outbox_empty(scene)
    filer_ids = {u.id for u in filers}
    relayed = sum(
        1
        for call in emulator.calls("sendMessage")
        if int(call.params.get("chat_id", 0)) in filer_ids
        and REPLY_WORDS in str(call.params.get("text"))
    )
    assert relayed >= people * UPDATES, f"{relayed} relayed of {people * UPDATES}"
    return Run(
        run.updates,
        run.seconds,
        run.cpu_seconds,
        run.latencies,
        run.api_calls,
        time.monotonic() - started,
    )


async def outbox_empty(scene: Scene) -> None:
    deadline = time.monotonic() + SETTLE_WAIT
    while time.monotonic() < deadline:
        with Session(scene.desk.engine) as session:
            left = session.exec(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.status.in_(("pending", "sending")))  # type: ignore[attr-defined]
            ).one()
        if not left:
            return
        scene.desk.kick_sender()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{left} outbox rows still waiting after {SETTLE_WAIT:g} s")


async def echo_case(case: str, people: int) -> Run:
    async with BotApiEmulator() as emulator, echo_bot(emulator, limited=False) as application:
        driver = Driver(emulator, application, tap_any=True)
        driver.watch()
        if case == "first":
            run = await play_first(driver, people)
        elif case == "step":
            run = await play_step(driver, people, echo=True)
        else:
            run = await play_relay_echo(driver, people)
        assert emulator.internal_errors == []
    return run


# --- the relay's floor: the desk's Bot API calls per staff reply, and no database ---------------

_EDITS = count(1)


async def _card_or_relay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start posts a "card"; a reply to it gets what the desk gives one: 👍 under it at
    once, then — in the background, as the desk's outbox does — the words sent to an
    enterprise and the card edited."""
    message = update.effective_message
    assert message is not None and message.from_user is not None
    card = message.reply_to_message
    if card is None:
        await context.bot.send_message(message.chat_id, "工单卡片")
        return
    await message.set_reaction(ReactionTypeEmoji("👍"))
    enterprise = context.bot_data["enterprise_of"][message.from_user.id]
    context.application.create_task(_deliver(context.bot, enterprise, card, message.text or ""))


async def _deliver(bot: Bot, enterprise: int, card: Message, text: str) -> None:
    await bot.send_message(enterprise, f"【经济发展局】{text}")
    await bot.edit_message_text(
        f"工单卡片\n最近答复（第 {next(_EDITS)} 次更新）：{text}",
        chat_id=card.chat_id,
        message_id=card.message_id,
    )


async def relay_floor_case(people: int) -> Run:
    """The relay played against a bot that makes the desk's calls per reply and nothing
    else: what any bot answering as the desk does reaches, whatever its database."""
    async with (
        BotApiEmulator() as emulator,
        polling_bot(
            emulator, [MessageHandler(filters.ALL, _card_or_relay)], limited=False
        ) as application,
    ):
        enterprise_of: dict[int, int] = {}
        application.bot_data["enterprise_of"] = enterprise_of
        driver = Driver(emulator, application, tap_any=True)
        driver.watch()

        def with_an_enterprise(person: User) -> None:
            enterprise_of[person.id] = emulator.add_user(f"企业{len(enterprise_of):04d}").id

        run = await play_relay_echo(driver, people, with_an_enterprise)
        await asyncio.sleep(0.5)  # the last deliveries
        assert emulator.internal_errors == []
        delivered = len(emulator.calls("editMessageText"))
        assert delivered >= people * UPDATES, f"{delivered} cards edited"
    return run


async def desk_case(
    case: str, url: str, people: int, profile: cProfile.Profile | None = None
) -> Run:
    configured = settings()
    if case == "relay_alone":
        configured = configured.model_copy(
            update={"common": configured.common.model_copy(update={"auto_link": False})}
        )
    async with desk_on_emulator(configured, database_url=url) as scene:
        scene.application.bot._rate_limiter = None  # the desk's own capacity (see intake.py)
        for code in DEPARTMENTS:
            await scene.department_group(code, f"{code} 工单群")
        driver = Driver(scene.emulator, scene.application)
        driver.watch()
        if profile is not None:
            driver.profile = profile
        if case == "first":
            run = await play_first(driver, people)
        elif case == "step":
            run = await play_step(driver, people, echo=False)
        else:
            run = await play_relay_desk(scene, driver, people)
        assert scene.emulator.internal_errors == []
    return run


# --- figures --------------------------------------------------------------------------------


async def measure(
    quick: bool, backends: list[str], rounds: int = 3, cases: tuple[str, ...] = CASES
) -> list[Figure]:
    people = QUICK_PEOPLE if quick else PEOPLE
    figures: list[Figure] = []
    for backend in backends:
        for case in cases:
            pairs: list[tuple[Run, Run]] = []
            floors: list[float] = []
            for _ in range(1 if quick else rounds):
                echo = await echo_case(case, people)
                with scratch_database(backend, f"turns_{case}") as url:
                    desk = await desk_case(case, url, people)
                pairs.append((echo, desk))
                if case == "relay":  # (the same calls for relay_alone)
                    floors.append((await relay_floor_case(people)).rate / echo.rate)
                print(  # a long run shows its progress (and keeps what it measured)
                    f"# {case} on {backend}: echo {echo.rate:.0f}/s, desk {desk.rate:.0f}/s, "
                    f"ratio {desk.rate / echo.rate:.3f}, CPU {echo.cpu_ms:.1f} / "
                    f"{desk.cpu_ms:.1f} ms per update, Bot API calls {echo.calls_per_update:.2f}"
                    f" / {desk.calls_per_update:.2f} per update",
                    file=sys.stderr,
                    flush=True,
                )
            figures += figures_of(case, backend, pairs)
            if floors:
                figures.append(
                    Figure(
                        f"{case} ({len(pairs)} rounds, median)",
                        backend,
                        "a bot making the desk's Bot API calls per reply, no database, ÷ echo "
                        "(each round: " + ", ".join(f"{r:.2f}" for r in floors) + ")",
                        statistics.median(floors),
                        "",
                    )
                )
    return figures


def figures_of(case: str, backend: str, pairs: list[tuple[Run, Run]]) -> list[Figure]:
    name = f"{case} ({len(pairs)} rounds, median)"
    ratios = [desk.rate / echo.rate for echo, desk in pairs]
    ratio = statistics.median(ratios)

    def mid(values: list[float]) -> float:
        return statistics.median(values)

    target = TARGETS.get((case, backend))
    found = [
        Figure(name, backend, "echo bot updates/s", mid([e.rate for e, _ in pairs]), "1/s"),
        Figure(name, backend, "desk updates/s", mid([d.rate for _, d in pairs]), "1/s"),
        Figure(
            name,
            backend,
            "desk ÷ echo (each round: " + ", ".join(f"{r:.2f}" for r in ratios) + ")",
            ratio,
            "",
            f">= {target}" if target else "",
            ratio >= target if target else None,
        ),
        Figure(
            name,
            backend,
            "echo latency p99",
            mid([percentile(e.latencies, 0.99) for e, _ in pairs]) * 1000,
            "ms",
        ),
        Figure(
            name,
            backend,
            "desk latency p50",
            mid([percentile(d.latencies, 0.5) for _, d in pairs]) * 1000,
            "ms",
        ),
        Figure(
            name,
            backend,
            "desk latency p99",
            mid([percentile(d.latencies, 0.99) for _, d in pairs]) * 1000,
            "ms",
        ),
        Figure(name, backend, "echo CPU per update", mid([e.cpu_ms for e, _ in pairs]), "ms"),
        Figure(name, backend, "desk CPU per update", mid([d.cpu_ms for _, d in pairs]), "ms"),
        Figure(
            name,
            backend,
            "echo Bot API calls per update (getUpdates included)",
            mid([e.calls_per_update for e, _ in pairs]),
            "",
        ),
        Figure(
            name,
            backend,
            "desk Bot API calls per update (the sender's included)",
            mid([d.calls_per_update for _, d in pairs]),
            "",
        ),
        Figure(
            name,
            backend,
            "updates answered",
            min(len(d.latencies) for _, d in pairs),
            "updates",
            f"= {pairs[0][1].updates}",
            all(len(d.latencies) == d.updates for _, d in pairs),
        ),
    ]
    if case in RELAYS:
        found.append(
            Figure(
                name,
                backend,
                "relays delivered (outbox empty) after the burst",
                mid([d.delivered_after for _, d in pairs]),
                "s",
            )
        )
    return found


SYNC_TURNS = 500


def sqlite_durability(quick: bool) -> list[Figure]:
    """What each SQLite setting costs: a turn-sized write transaction (claim an update,
    create a reporter, commit) under the journal and synchronous modes one could choose.
    The desk ships WAL + NORMAL (``storage.db.make_engine``)."""
    turns = 50 if quick else SYNC_TURNS
    figures = []
    for journal, synchronous in (
        ("WAL", "NORMAL"),
        ("WAL", "FULL"),
        ("WAL", "OFF"),
        ("DELETE", "FULL"),
    ):
        with scratch_database("sqlite", "durability") as url:
            engine = prepared_engine(url, settings())

            @event.listens_for(engine, "connect")
            def pragmas(
                connection: Any, _record: Any, j: str = journal, s: str = synchronous
            ) -> None:
                cursor = connection.cursor()
                cursor.execute(f"PRAGMA journal_mode={j}")
                cursor.execute(f"PRAGMA synchronous={s}")
                cursor.close()

            engine.dispose()  # reconnect with these pragmas (added after the desk's own)
            started = time.perf_counter()
            for n in range(turns):
                with transaction(engine) as session:
                    queries.jobs.claim_update(session=session, update_id=n + 1)
                    queries.reporters.get_or_create_reporter(
                        session=session, telegram_user_id=10_000 + n
                    )
            seconds = time.perf_counter() - started
            engine.dispose()
        marker = " (shipped)" if (journal, synchronous) == ("WAL", "NORMAL") else ""
        figures.append(
            Figure(
                "sqlite durability",
                "sqlite",
                f"journal={journal} synchronous={synchronous}{marker}: one turn's commit",
                seconds * 1000 / turns,
                "ms",
            )
        )
    return figures


def profile_case(case: str, backend: str, people: int, top: int) -> str:
    """The desk's part of one case under cProfile: only while updates are handled."""
    profile = cProfile.Profile()

    async def go() -> Run:
        with scratch_database(backend, f"profile_{case}") as url:
            return await desk_case(case, url, people, profile)

    run = asyncio.run(go())
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs()
    out.write(
        f"# {case} on {backend}: {run.updates} updates profiled "
        f"({run.rate:.0f} updates/s under the profiler)\n"
    )
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--cases", default=",".join(CASES), help=",".join(CASES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=CASES)
    parser.add_argument(
        "--durability", action="store_true", help="only the cost of SQLite's settings"
    )
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args()
    backends = chosen_backends(options.backends)
    if options.profile:
        people = QUICK_PEOPLE if options.quick else PEOPLE
        print(profile_case(options.profile, backends[0], people, options.top))
        return
    if options.durability:
        print(table(sqlite_durability(options.quick)))
        return
    cases = tuple(c for c in options.cases.split(",") if c)
    figures = asyncio.run(measure(options.quick, backends, options.rounds, cases))
    print(table(figures))
    sys.stdout.flush()


def run(quick: bool, backends: list[str]) -> list[Figure]:
    return asyncio.run(measure(quick, backends)) + sqlite_durability(quick)


if __name__ == "__main__":
    main()
