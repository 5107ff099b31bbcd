"""Prometheus metrics of one desk, in its own registry (several desks in one process, tests).

Counters and the latency histogram are counted as things happen; ticket, overdue and outbox
figures are read from the database at scrape time (:class:`DatabaseCollector`), so every
instance reports the same truth and a restart loses nothing.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from bot.core.lifecycle import Status
from storage import queries
from storage.db import transaction
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.ops.watched import WatchedDesk

log = logging.getLogger(__name__)

Handling = Coroutine[Any, Any, None]  # what Application.process_update returns

NAMESPACE = "dianxiaoer"
#: Update kinds the desk asks Telegram for (bot/app.ALLOWED_UPDATES) and a few more.
UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
)
#: Handling an update takes milliseconds; seconds mean a slow database or Telegram.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class DeskMetrics:
    """The counters of one desk and the registry /metrics renders."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates_handled = Counter(
            "updates_handled",
            "Telegram updates handled, by kind.",
            ["kind"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "handler_seconds",
            "Time to handle one update (every handler group, database work included).",
            ["kind"],
            namespace=NAMESPACE,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.telegram_429 = Counter(
            "telegram_429",
            "Flood-control answers (429 Too Many Requests) met by the outbox sender.",
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self.outbox_failures = Counter(
            "outbox_failures",
            "Outbox rows that left the line without being delivered, by outcome.",
            ["reason"],
            namespace=NAMESPACE,
            registry=self.registry,
        )
        self._watching = False

    def watch(self, desk: WatchedDesk) -> None:
        """Read this desk's database at scrape time; let its sender find these counters."""
        if not self._watching:
            self.registry.register(DatabaseCollector(desk))
            self._watching = True
        _by_engine[desk.engine] = self

    def instrument(self, process: Callable[[object], Handling]) -> Callable[[object], Handling]:
        """``Application.process_update`` wrapped to count updates and time their handling."""

        async def timed(update: object) -> None:
            kind = update_kind(update)
            started = time.perf_counter()
            try:
                await process(update)
            finally:
                self.handler_seconds.labels(kind).observe(time.perf_counter() - started)
                self.updates_handled.labels(kind).inc()

        return timed


def update_kind(update: object) -> str:
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


# The sender knows its engine, not its desk: this finds the desk's counters from it.
_by_engine: weakref.WeakKeyDictionary[Engine, DeskMetrics] = weakref.WeakKeyDictionary()


def flood_waited(engine: Engine) -> None:
    """The sender met a 429 (called from bot/delivery/sender.py)."""
    if (metrics := _by_engine.get(engine)) is not None:
        metrics.telegram_429.inc()


def outbox_failed(engine: Engine, reason: str) -> None:
    """A row was given up, left uncertain or found unreachable (called from
    bot/delivery/sender.py)."""
    if (metrics := _by_engine.get(engine)) is not None:
        metrics.outbox_failures.labels(reason).inc()


class DatabaseCollector(Collector):
    """Tickets by state, overdue tickets per department and clock, the outbox backlog."""

    def __init__(self, desk: WatchedDesk) -> None:
        self._desk = desk

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time only: never run queries while registering

    def collect(self) -> Iterator[Metric]:
        desk = self._desk
        up = GaugeMetricFamily(
            f"{NAMESPACE}_database_up", "Whether the last scrape could read the database."
        )
        try:
            families = list(self._read(desk.engine, desk.clock()))
        except Exception as exc:  # a scrape must answer even when the database does not
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self, engine: Engine, now: datetime) -> Iterator[Metric]:
        with transaction(engine) as session:
            by_status = queries.tickets.ticket_counts_by_status(session=session)
            overdue = queries.tickets.overdue_counts(session=session, now=now)
            backlog = queries.outbox.outbox_backlog(session=session)
            oldest = queries.outbox.oldest_pending_outbox(session=session)
            chased = queries.jobs.last_chaser_run(session=session) or self._desk.last_chase_at
        tickets = GaugeMetricFamily(f"{NAMESPACE}_tickets", "Tickets by state.", labels=["state"])
        for state in [*Status, *sorted(set(by_status) - set(Status))]:
            tickets.add_metric([str(state)], by_status.get(str(state), 0))
        yield tickets
        late = GaugeMetricFamily(
            f"{NAMESPACE}_overdue_tickets",
            "Open tickets past a deadline, by department and clock (accept, first_reply, resolve).",
            labels=["department", "clock"],
        )
        for code, clock, count in overdue:
            late.add_metric([code or "unassigned", clock], count)
        yield late
        waiting = GaugeMetricFamily(
            f"{NAMESPACE}_outbox_backlog",
            "Outbox rows not delivered yet (held = waiting for a department's /bind).",
            labels=["status"],
        )
        for status, count in backlog.items():
            waiting.add_metric([status], count)
        yield waiting
        age = GaugeMetricFamily(
            f"{NAMESPACE}_outbox_oldest_pending_seconds",
            "Age of the oldest row waiting to be sent (0 when none).",
        )
        age.add_metric([], (utcnow() - oldest).total_seconds() if oldest is not None else 0.0)
        yield age
        if chased is not None:
            last = GaugeMetricFamily(
                f"{NAMESPACE}_chaser_last_run_timestamp_seconds",
                "When the chaser last ran, on any instance (Unix time).",
            )
            last.add_metric([], chased.timestamp())
            yield last
