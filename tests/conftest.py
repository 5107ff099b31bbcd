"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL tests use a fresh schema on 127.0.0.1:5432/test per test. Without a server
they skip with the reason, unless DIANXIAOER_REQUIRE_POSTGRES=1 (set by .ci/run), which
turns the skip into a failure.

Everything here is safe under pytest-xdist (scripts/test.sh runs one worker per core):
schemas are random, SQLite files live in each worker's own tmp_path, and advisory locks
are keyed by schema (bot/delivery/leases.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from bot.render import notify
from storage.db import make_engine, transaction, upgrade
from storage.seed import seed_zone

PG_SERVER = os.environ.get(
    "DIANXIAOER_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("DIANXIAOER_REQUIRE_POSTGRES") == "1"

# Tests call the core directly too: its notices need the render layer's writer, as at start.
notify.install()


@cache
def _postgres_problem() -> str | None:
    try:
        engine = create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no usable server
        return f"PostgreSQL not reachable at {PG_SERVER}: {type(exc).__name__}"
    return None


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        return
    problem = _postgres_problem()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"{problem} (required: DIANXIAOER_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings() -> Settings:
    """The embedded example zone."""
    return load_settings(None, environ={})


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per test process: copying it gives what
    ``upgrade`` gives, in a millisecond instead of a fifth of a second."""
    template = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    # Closing the last connection checkpoints the WAL into the file: it is complete alone.
    assert not template.with_name(f"{template.name}-wal").exists()
    return template


@pytest.fixture
def engine(db_url: str, settings: Settings, migrated_sqlite: Path) -> Iterator[Engine]:
    """A migrated database holding the example zone."""
    if db_url.startswith("sqlite:///"):
        shutil.copyfile(migrated_sqlite, db_url.removeprefix("sqlite:///"))
        engine = make_engine(db_url)
    else:
        engine = make_engine(db_url)
        upgrade(engine)
    with transaction(engine) as session:
        seed_zone(session=session, settings=settings)
    yield engine
    engine.dispose()
