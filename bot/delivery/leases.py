"""Who may do what when several desk instances share one PostgreSQL database.

- :func:`exclusive`: a named lock for the rest of a transaction (the chaser's run), taken
  with ``pg_try_advisory_xact_lock``: one instance gets it, the others skip; it is released
  by the commit or rollback — or by PostgreSQL when the holder's connection dies.
- :class:`Liveness`: each running instance holds a session-level advisory lock on its own
  id for as long as it lives. Another instance that finds outbox rows ``sending`` under a
  claimant's id asks whether that lock is still held: only a dead instance's rows are
  settled (bot/delivery/outbox.recover_in_flight), never those of one still talking to Telegram.
  PostgreSQL drops the lock the moment the process dies (its connection closes), so a
  replacement does not wait out a lease.

SQLite serves one process (several instances need PostgreSQL): the lock is always granted
and liveness is known in memory.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

log = logging.getLogger(__name__)

#: A stable 64-bit key per name, per database and schema (two desks in two schemas of one
#: database do not lock each other out). Computed by the server: the same everywhere.
_KEY = "hashtextextended(current_database() || '/' || current_schema() || '/' || :name, 0)"

#: SQLite: the instances alive in this process (the only process on that database).
_live_here: set[str] = set()


def new_instance_id() -> str:
    """An id for this running desk: host, process and a random part (restarts differ)."""
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{secrets.token_hex(3)}"


def _postgres(bind: Any) -> bool:
    return bool(bind.dialect.name == "postgresql")


def exclusive(session: Session, name: str) -> bool:
    """Take the lock ``name`` until this transaction ends; False when another instance
    holds it (do not wait: the other one is doing the work)."""
    if not _postgres(session.get_bind()):
        return True
    statement = text(f"SELECT pg_try_advisory_xact_lock({_KEY})")
    return bool(session.execute(statement, {"name": name}).scalar_one())


def alive(session: Session, instance: str) -> bool:
    """Whether the instance ``instance`` still runs (holds its liveness lock)."""
    if not _postgres(session.get_bind()):
        return instance in _live_here
    # Granted only when nobody holds the instance's lock: then it is dead. (The test lock
    # lasts until this transaction ends and harms nobody: the dead do not come back.)
    return not exclusive(session, f"instance:{instance}")


class Liveness:
    """This instance's liveness lock, held on a connection of its own while it runs."""

    def __init__(self, engine: Engine, instance: str) -> None:
        self.engine = engine
        self.instance = instance
        self._connection: Connection | None = None

    def hold(self) -> None:
        """Take (or, after a lost connection, take again) the lock."""
        if not _postgres(self.engine):
            _live_here.add(self.instance)
            return
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()  # never left idle in a transaction
                return
            except DBAPIError:
                log.warning("liveness connection lost; taking the lock again")
                self._close()
        connection = self.engine.connect()
        try:
            connection.execute(
                text(f"SELECT pg_advisory_lock({_KEY})"), {"name": f"instance:{self.instance}"}
            )
            connection.commit()  # the lock is the session's: it outlives this transaction
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def release(self) -> None:
        _live_here.discard(self.instance)
        self._close()

    def _close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):  # already broken: nothing left to close
                connection.invalidate()  # closes the session: the lock goes with it
