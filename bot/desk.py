"""The running desk: settings, database and sender, shared by every handler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.delivery.leases import new_instance_id
from bot.delivery.sender import Sender
from bot.members import Memberships
from bot.ops.prometheus import DeskMetrics
from storage import queries
from storage.db import make_engine, transaction, upgrade
from storage.seed import seed_zone
from storage.types import utcnow


class DuplicateUpdate(Exception):
    """This Telegram update was already handled; nothing must happen twice."""


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sender: Sender | None = field(default=None)
    #: What time it is for the scheduled jobs; tests and the sandbox move it forward.
    clock: Callable[[], datetime] = field(default=utcnow)
    #: This running desk among several on one database (outbox claims, the chaser's runs).
    instance: str = field(default_factory=new_instance_id)
    #: Prometheus counters and the scrape-time database figures (bot/ops/prometheus.py).
    metrics: DeskMetrics = field(default_factory=DeskMetrics)
    #: When the chaser last finished a run, in real time (for /healthz and /metrics).
    last_chase_at: datetime | None = field(default=None)
    #: Who is a current member of which chat, asked of Telegram and remembered briefly.
    members: Memberships = field(default_factory=Memberships)
    #: Set once the start job has made sure a routing model is stored (bot/jobs.py); the
    #: desk routes by rules until then. Tests and the demo wait for it to be deterministic.
    routing_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.metrics.watch(self)

    @contextmanager
    def work(self, update_id: int | None) -> Iterator[Session]:
        """One transaction for one update; its id is claimed in that same transaction."""
        with transaction(self.engine) as session:
            if update_id is not None and not queries.jobs.claim_update(
                session=session, update_id=update_id
            ):
                raise DuplicateUpdate(update_id)
            yield session

    def kick_sender(self) -> None:
        if self.sender is not None:
            self.sender.kick()


def prepare_database(settings: Settings) -> Engine:
    """Create the engine, migrate to head and upsert the zone from config."""
    engine = make_engine(settings.database.url, echo=settings.database.echo)
    upgrade(engine)
    with transaction(engine) as session:
        seed_zone(session=session, settings=settings)
    return engine
