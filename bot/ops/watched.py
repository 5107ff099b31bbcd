"""What the operators' endpoints read of a running desk; bot.desk.Desk is one, unimported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine

from bot.config import Settings


class Registered(Protocol):
    @property
    def registry(self) -> CollectorRegistry: ...


class WatchedDesk(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def last_chase_at(self) -> datetime | None: ...

    @property
    def metrics(self) -> Registered: ...
