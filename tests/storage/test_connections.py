"""PostgreSQL connections: pinged only after sitting unused, and replaced when lost."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from storage import db
from storage.db import make_engine, transaction
from tests.conftest import PG_SERVER

#: SQLite has no server connection to lose or to ping: these are PostgreSQL's alone.
postgres_only = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@postgres_only
def test_a_burst_of_transactions_pings_no_connection(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    for _ in range(50):
        with transaction(engine) as session:
            assert session.execute(text("select 1")).scalar() == 1
    assert pings == []
    # Unused for longer than the limit: pinged once before it is used again.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.05)
    time.sleep(0.1)
    with transaction(engine) as session:
        session.execute(text("select 1"))
    assert len(pings) == 1
    engine.dispose()


@postgres_only
def test_a_connection_lost_while_unused_is_replaced_before_use(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.05)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        lost = session.execute(text("select pg_backend_pid()")).scalar()
    # The server ends that connection (a restart, an idle timeout, an operator).
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(text("select pg_terminate_backend(:pid)"), {"pid": lost}).scalar()
    admin.dispose()
    time.sleep(0.1)
    with transaction(engine) as session:  # no error: a new connection answers
        assert session.execute(text("select pg_backend_pid()")).scalar() != lost
    engine.dispose()
