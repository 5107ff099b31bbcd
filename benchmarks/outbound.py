"""Outbound: the sender's delivered messages per second against the emulator with
Telegram's flood limits switched on (``bot.devtools.emulator.flood_limits``: 30 messages a second
overall, 20 a minute per group, 429 with retry_after beyond them).

The outbox is filled in one transaction with messages to many private chats and a few
groups (some groups get more than twenty, so their minute limit matters), then the running
desk's sender delivers them through PTB's AIORateLimiter. Delivered/s is measured over the
private messages (the overall limit) and messages per minute per group over each group's
busiest minute; every 429 the emulator answered is counted.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from sqlmodel import Session, func, select

from benchmarks.common import Figure, main_for, scratch_database, settings
from bot.app import rate_limiter
from bot.config import SenderSettings
from bot.devtools.emulator import flood_limits
from bot.devtools.playground import desk_on_emulator
from storage import queries
from storage.models import Outbox

PRIVATE = 540
GROUPS = (30, 30)  # messages per group: ten of each wait for the group's next minute
QUICK_PRIVATE = 40
QUICK_GROUPS = (5, 5)
TIMEOUT = 300.0


def busiest_minute(times: list[float]) -> int:
    """The most messages inside any 60-second window."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 60.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def deliver(
    url: str, private: int, groups: tuple[int, ...], *, configured: bool = True
) -> list[Figure]:
    """``configured``: the desk's own pacing ([sender] defaults); otherwise PTB's default
    limiter (buckets of 30 and 20, as the tests run), for comparison."""
    async with desk_on_emulator(settings(), database_url=url) as scene:
        if configured:
            # desk_on_emulator paces like PTB's default for fast tests; the benchmark wants
            # what a deployed desk does.
            scene.application.bot._rate_limiter = rate_limiter(SenderSettings())
        emulator = scene.emulator
        users = [emulator.add_user(f"企业{n:04d}") for n in range(max(1, private // 2))]
        chats = [emulator.add_group(f"工单群{n}", supergroup=True) for n in range(len(groups))]
        emulator.faults.append(flood_limits())
        emulator.world.api_calls.clear()
        with scene.desk.work(None) as session:
            # Interleaved as a burst would write them: privates and groups mixed.
            targets: list[int] = [users[n % len(users)].id for n in range(private)]
            for chat, count in zip(chats, groups, strict=True):
                step = max(1, len(targets) // count)
                for n in range(count):
                    targets.insert(min(len(targets), n * step + n), chat.id)
            for n, chat_id in enumerate(targets):
                queries.outbox.add_outbox(
                    session=session,
                    row=Outbox(
                        method="sendMessage",
                        chat_id=chat_id,
                        purpose="benchmark",
                        payload={"text": f"第{n}条通知"},
                    ),
                )
        started = time.monotonic()
        scene.desk.kick_sender()
        engine = scene.desk.engine
        while time.monotonic() - started < TIMEOUT:
            with Session(engine) as session:
                left = session.exec(
                    select(func.count())
                    .select_from(Outbox)
                    .where(Outbox.status.in_(("pending", "sending")))  # type: ignore[attr-defined]
                ).one()
            if not left:
                break
            await asyncio.sleep(0.1)
        seconds = time.monotonic() - started
        with Session(engine) as session:
            sent = session.exec(
                select(func.count()).select_from(Outbox).where(Outbox.status == "sent")
            ).one()
        calls = [c for c in emulator.calls("sendMessage")]
        # The first second is the burst: PTB's limiter is a leaky bucket (30 at once, then
        # 30 a second), Telegram's window slides; steady state is what follows.
        flooded = [c.at - started for c in calls if c.error_code == 429]
        burst = sum(1 for t in flooded if t < 1.0)
        steady = len(flooded) - burst
        ok = [c for c in calls if c.ok]
        private_times = sorted(c.at for c in ok if int(c.params["chat_id"]) > 0)
        by_group: dict[str, list[float]] = defaultdict(list)
        for call in ok:
            if int(call.params["chat_id"]) < 0:
                by_group[str(call.params["chat_id"])].append(call.at)
    span = private_times[-1] - private_times[0] if len(private_times) > 1 else 0.0
    rate = (len(private_times) - 1) / span if span else 0.0
    per_group = max((busiest_minute(t) for t in by_group.values()), default=0)
    total = private + sum(groups)
    return [
        Figure("outbound", "", "messages delivered", sent, "msgs", f"= {total}", sent == total),
        Figure("outbound", "", "private chats: delivered/s", rate, "1/s", "~30", None),
        Figure(
            "outbound", "", "busiest group minute", per_group, "msgs/min", "<= 20", per_group <= 20
        ),
        Figure("outbound", "", "all delivered after", seconds, "s"),
        Figure("outbound", "", "429 answers in the first second", burst, ""),
        Figure("outbound", "", "429 answers in steady state", steady, "", "0", steady == 0),
    ]


def run(quick: bool, backends: list[str]) -> list[Figure]:
    private, groups = (QUICK_PRIVATE, QUICK_GROUPS) if quick else (PRIVATE, GROUPS)
    figures: list[Figure] = []
    for backend in backends:
        for configured in (True, False):
            with scratch_database(backend, "outbound") as url:
                found = asyncio.run(deliver(url, private, groups, configured=configured))
            name = "outbound" if configured else "outbound (PTB's default limiter)"
            figures += [
                Figure(name, backend, f.metric, f.value, f.unit, f.target, f.met) for f in found
            ]
    return figures


if __name__ == "__main__":
    main_for(__doc__.splitlines()[0], run)
