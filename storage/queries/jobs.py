"""Queries for periodic jobs and inbound idempotency: job runs, reminders sent, claimed updates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col

from storage.models import JobRun, JobState, ProcessedUpdate, ReminderSent
from storage.queries._common import upsert_insert
from storage.types import utcnow

#: The claim, built once per dialect: it runs for every update the desk handles.
_CLAIMS: dict[str, Any] = {}


def claim_update(*, session: Session, update_id: int) -> bool:
    """Record ``update_id``; False when it was already handled.

    One INSERT … ON CONFLICT DO NOTHING (no savepoint): on PostgreSQL a second instance
    claiming the same update waits for the first one's transaction and then gets False.
    """
    dialect = session.get_bind().dialect.name
    statement = _CLAIMS.get(dialect)
    if statement is None:
        statement = _CLAIMS[dialect] = (
            upsert_insert(session)(ProcessedUpdate)
            .values(update_id=bindparam("claimed"), at=bindparam("claimed_at"))
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(col(ProcessedUpdate.update_id))
        )
    # RETURNING, not rowcount: an ORM session reports -1 rows for this on psycopg.
    found = session.execute(statement, {"claimed": update_id, "claimed_at": utcnow()})
    return found.first() is not None


def update_seen(*, session: Session, update_id: int) -> bool:
    """Whether this Telegram update was already handled (without claiming it)."""
    return session.get(ProcessedUpdate, update_id) is not None


def prune_processed_updates(*, session: Session, before: datetime) -> int:
    """Forget update ids older than ``before`` (Telegram redelivers for 24 hours at most)."""
    result = session.execute(delete(ProcessedUpdate).where(col(ProcessedUpdate.at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]


#: (ticket_id, clock, deadline, level, repeat): one reminder, as ``uq_reminder_once`` keys it.
ReminderKey = tuple[int, str, datetime, str, int]


def record_reminders(
    *, session: Session, keys: Sequence[ReminderKey], now: datetime
) -> set[ReminderKey]:
    """Claim reminders (one row each, unique per key) in few statements; returns the keys
    claimed now: the others were already sent (by this or another instance)."""
    if not keys:
        return set()
    insert = upsert_insert(session)
    statement = (
        insert(ReminderSent)
        .on_conflict_do_nothing()
        .returning(
            col(ReminderSent.ticket_id),
            col(ReminderSent.clock),
            col(ReminderSent.deadline),
            col(ReminderSent.level),
            col(ReminderSent.repeat),
        )
    )
    # Many parameter sets: SQLAlchemy sends them as a few multi-row INSERTs ("insertmanyvalues").
    rows = [
        {
            "ticket_id": ticket_id,
            "clock": clock,
            "deadline": deadline,
            "level": level,
            "repeat": repeat,
            "sent_at": now,
        }
        for ticket_id, clock, deadline, level, repeat in keys
    ]
    return {(r[0], r[1], r[2], r[3], r[4]) for r in session.execute(statement, rows)}


def claim_job_run(*, session: Session, job: str, period: str, now: datetime) -> bool:
    """Claim a periodic job's run for a period; False when it already ran."""
    insert = upsert_insert(session)
    statement = (
        insert(JobRun)
        .values(job=job, period=period, at=now)
        .on_conflict_do_nothing()
        .returning(col(JobRun.job))
    )
    return session.execute(statement).first() is not None


def start_job_run(
    *, session: Session, job: str, instance: str, now: datetime, min_gap_seconds: float
) -> bool:
    """Record a periodic job's run; False (and nothing written) when *another* instance ran
    it less than ``min_gap_seconds`` ago: that run was this period's. An instance never
    skips its own runs (its scheduler already keeps their period). Call it under the job's
    lock (bot/delivery/leases.exclusive) so two instances cannot both see the old row."""
    state = session.get(JobState, job)
    if state is None:
        session.add(JobState(job=job, last_run_at=now, last_run_by=instance))
        session.flush()
        return True
    recent = state.last_run_at <= now < state.last_run_at + timedelta(seconds=min_gap_seconds)
    if recent and state.last_run_by != instance:
        return False
    state.last_run_at, state.last_run_by = now, instance
    session.add(state)
    return True


def last_job_run(*, session: Session, job: str) -> datetime | None:
    state = session.get(JobState, job)
    return state.last_run_at if state is not None else None


def last_chaser_run(*, session: Session) -> datetime | None:
    """When the chaser last ran, by any instance (the desk's clock; None: never)."""
    return last_job_run(session=session, job="chaser")
