"""The desk's scheduled jobs (PTB's JobQueue over APScheduler): their bodies and timetable."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.core import chaser, desk_routing, similar
from bot.delivery import leases
from bot.desk import Desk
from bot.reports import weekly
from storage import queries
from storage.db import transaction
from storage.types import utcnow

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 3600
UPDATE_MEMORY = timedelta(days=2)

#: Another instance's run less than this share of the interval ago was this period's run.
CHASER_PERIOD_SHARE = 0.9


async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hourly: forget old update ids (Telegram never redelivers after 24 hours)."""
    desk: Desk = context.bot_data["desk"]
    with transaction(desk.engine) as session:
        queries.jobs.prune_processed_updates(session=session, before=utcnow() - UPDATE_MEMORY)


async def chase(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chaser's scheduled run."""
    desk: Desk = context.bot_data["desk"]
    with transaction(desk.engine) as session:
        # One run per period however many instances run the job: the lock keeps two from
        # running at once, the JobState row lets a later one of the same period skip
        # (bot/delivery/leases.py). Each reminder is claimed by its own row as well.
        ours = leases.exclusive(session, "chaser") and queries.jobs.start_job_run(
            session=session,
            job="chaser",
            instance=desk.instance,
            now=desk.clock(),
            min_gap_seconds=desk.settings.chaser.interval_minutes * 60 * CHASER_PERIOD_SHARE,
        )
        if ours:
            chaser.run(session=session, settings=desk.settings, now=desk.clock())
            # The weekly summary rides the chaser's period: sent once, by one instance.
            weekly.maybe_send(session=session, settings=desk.settings, now=desk.clock())
    desk.kick_sender()
    desk.last_chase_at = utcnow()  # real time, for /healthz (desk.clock may be moved)


async def routing_at_start(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Right after start: train and store a model if none is stored (a fresh install).

    In a worker thread, so the desk answers from its first second; it routes by the rules
    and the conduct safeguard until the model is stored (bot/core/desk_routing.py).
    """
    desk: Desk = context.bot_data["desk"]
    try:
        await asyncio.to_thread(
            desk_routing.ensure_model, engine=desk.engine, settings=desk.settings
        )
    except Exception:  # the desk keeps routing by rules; the scheduled retrain tries again
        log.exception("training the routing model at start failed")
    try:
        # The index of recent tickets for 同类诉求, with the model's text vectorizer.
        await asyncio.to_thread(
            similar.build, engine=desk.engine, settings=desk.settings, now=desk.clock()
        )
    except Exception:  # the first filing builds it instead
        log.exception("indexing recent tickets for similar ones failed")
    finally:
        desk.routing_ready.set()


async def routing_retrain(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: a new model version when the desk has labelled new tickets since."""
    desk: Desk = context.bot_data["desk"]
    try:
        stored = await asyncio.to_thread(
            desk_routing.retrain_if_learned, engine=desk.engine, settings=desk.settings
        )
        if stored is not None:  # the similar-ticket index follows the new vectorizer
            await asyncio.to_thread(
                similar.build, engine=desk.engine, settings=desk.settings, now=desk.clock()
            )
    except Exception:
        log.exception("retraining the routing model failed")


#: APScheduler skips a run that starts over a second late (its default grace): on a busy
#: machine that dropped the routing model's training at start. A late run still runs, once.
LATE_STILL_RUNS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}


def schedule(job_queue: JobQueue | None, desk: Desk) -> None:  # type: ignore[type-arg]
    """Every job on its timetable; without a job queue, the desk routes by rules at once."""
    if job_queue is None:
        desk.routing_ready.set()
        return
    job_queue.run_repeating(
        housekeeping,
        interval=HOUSEKEEPING_SECONDS,
        first=60,
        name="housekeeping",
        job_kwargs=LATE_STILL_RUNS,
    )
    job_queue.run_repeating(
        chase,
        interval=desk.settings.chaser.interval_minutes * 60,
        first=10,
        name="chaser",
        job_kwargs=LATE_STILL_RUNS,
    )
    job_queue.run_once(routing_at_start, when=0, name="routing_start", job_kwargs=LATE_STILL_RUNS)
    retrain = desk.settings.routing.retrain_hours * 3600
    job_queue.run_repeating(
        routing_retrain,
        interval=retrain,
        first=retrain,
        name="routing_retrain",
        job_kwargs=LATE_STILL_RUNS,
    )
