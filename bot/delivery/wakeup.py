"""Waking the sender when, and only when, a transaction commits outbox rows.

A turn that wrote no outbox row (a conversation prompt, a refusal) costs the sender
nothing; one that did wakes the sender of its engine the moment it commits, so an
acknowledgement does not wait for the next poll. The sender still polls every
``[sender] interval_seconds`` for what other processes wrote (another instance, the CLI's
``outbox resend``) and for retries that come due.

Noticed by SQLAlchemy session events, not by each caller: whatever adds an ``Outbox`` row
(``storage.queries.outbox.add_outbox``, a notice written by ``bot/render/notify.py``) or
changes rows in bulk (``/bind`` releasing held rows, a resend) marks its session, and the
mark is read once the transaction commits (a rolled-back transaction wakes nobody).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage.models import Outbox

_WROTE_OUTBOX = "dianxiaoer.wrote_outbox"
_QUIET = "dianxiaoer.quiet"
_OUTBOX_TABLE: str = Outbox.__table__.name  # type: ignore[attr-defined]

Wake = Callable[[], None]
#: The senders draining each engine (normally one).
_wakers: weakref.WeakKeyDictionary[Engine, dict[int, Wake]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def on_commit(engine: Engine, key: int, wake: Wake) -> None:
    """Call ``wake`` after every commit on ``engine`` that wrote outbox rows."""
    with _lock:
        _wakers.setdefault(engine, {})[key] = wake


def forget(engine: Engine, key: int) -> None:
    with _lock:
        _wakers.get(engine, {}).pop(key, None)


def quiet(session: Session) -> None:
    """This transaction's outbox writes wake nobody: the sender's own records and claims
    (it reads again by itself when a row it settled had others behind it)."""
    session.info[_QUIET] = True


def thread_safe(loop: asyncio.AbstractEventLoop, wake: Wake) -> Wake:
    """``wake`` run on ``loop``: called directly from the loop's thread, scheduled from
    any other (a job in a worker thread may commit notices)."""
    owner = threading.get_ident()

    def call() -> None:
        if threading.get_ident() == owner:
            wake()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(wake)

    return call


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    if _WROTE_OUTBOX not in session.info and any(
        isinstance(item, Outbox) for item in (*session.new, *session.dirty)
    ):
        session.info[_WROTE_OUTBOX] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_insert):
        return
    table = getattr(state.statement, "table", None)  # an annotated copy of the table
    if getattr(table, "name", None) == _OUTBOX_TABLE:
        state.session.info[_WROTE_OUTBOX] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    wrote = session.info.pop(_WROTE_OUTBOX, False)
    if not wrote or session.info.get(_QUIET):
        return
    bind: Any = session.bind
    engine = getattr(bind, "engine", bind)
    with _lock:
        wakers = list(_wakers.get(engine, {}).values()) if engine is not None else []
    for wake in wakers:
        wake()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    if not session.in_transaction():  # the whole transaction: nothing of it was written
        session.info.pop(_WROTE_OUTBOX, None)
