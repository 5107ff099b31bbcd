"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL tests use a fresh schema on 127.0.0.1:5432/test per test. Without a server
they skip with the reason, unless DIANXIAOER_REQUIRE_POSTGRES=1 (set by .ci/run), which
turns the skip into a failure.

``db_url`` is an empty database; ``migrated_db_url`` is the same database already at the
migrations' head (what the desk's stories start on), made in milliseconds from what one
real migration per test process left: a copied file on SQLite, the recorded statements
replayed on PostgreSQL (``migrate_like_alembic``).

Everything here is safe under pytest-xdist (scripts/test.sh runs one worker per core):
schemas are random, SQLite files live in each worker's own tmp_path, and advisory locks
are keyed by schema (bot/delivery/leases.py).
"""

from __future__ import annotations

import os
import shutil
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx._transports.default as httpx_transport
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

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

_ssl_context = httpx_transport.create_ssl_context


@cache
def _default_ssl_context() -> ssl.SSLContext:
    return _ssl_context()


def _shared_default_ssl_context(
    verify: Any = True, cert: Any = None, trust_env: bool = True
) -> ssl.SSLContext:
    """httpx's default context, built once: every desk a test starts makes two HTTP clients,
    and each loaded the CA bundle again (35 ms of CPU), for calls that all go to the local
    emulator over plain HTTP. Any other verify/cert setting is built as httpx builds it."""
    if verify is True and cert is None and trust_env:
        return _default_ssl_context()
    return _ssl_context(verify=verify, cert=cert, trust_env=trust_env)


httpx_transport.create_ssl_context = _shared_default_ssl_context


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
    """The embedded example zone. Stories wait for each answer before the next step, so the
    desk's pause after each getUpdates (which batches a burst, docs/benchmarks.md) would
    only make them wait longer: tests poll without it."""
    example = load_settings(None, environ={})
    return example.model_copy(
        update={"telegram": example.telegram.model_copy(update={"poll_interval_seconds": 0.0})}
    )


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


@dataclass(frozen=True)
class Statement:
    """One statement as the driver ran it during a real migration."""

    sql: str
    parameters: Any
    many: bool


@pytest.fixture(scope="session")
def postgres_migration() -> tuple[Statement, ...]:
    """Every statement alembic ran to bring an empty PostgreSQL schema to head, recorded
    once per test process on a schema of its own (and dropped again).

    Replaying them in an empty schema gives what ``upgrade`` gives (the schema-comparison
    test in tests/storage/test_schema.py holds them equal) in a fraction of the time: no
    migration scripts to load, no catalog inspection between statements that matters.
    Every statement is unqualified, so the replay lands in the search_path's schema.
    """
    problem = _postgres_problem()
    if problem:
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    recorded: list[Statement] = []

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, _ctx: Any, many: bool) -> None:
        recorded.append(Statement(sql, parameters, many))

    engine = make_engine(f"{PG_SERVER}?options=-csearch_path%3D{schema}")
    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    assert any("alembic_version" in statement.sql for statement in recorded)
    return tuple(recorded)


def migrate_like_alembic(url: str, statements: tuple[Statement, ...]) -> None:
    """Replay a recorded migration in the (empty) database at ``url``, in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            cursor = connection.connection.cursor()
            for statement in statements:
                if statement.many:
                    cursor.executemany(statement.sql, statement.parameters)
                else:
                    cursor.execute(statement.sql, statement.parameters)
            cursor.close()
    finally:
        engine.dispose()


def migrate_from_template(url: str, request: pytest.FixtureRequest) -> None:
    """Bring the empty database at ``url`` to head the quick way (see ``migrated_db_url``)."""
    if make_url(url).get_backend_name() == "sqlite":
        template: Path = request.getfixturevalue("migrated_sqlite")
        shutil.copyfile(template, url.removeprefix("sqlite:///"))
    else:
        migrate_like_alembic(url, request.getfixturevalue("postgres_migration"))


@pytest.fixture
def migrated_db_url(db_url: str, request: pytest.FixtureRequest) -> str:
    """``db_url``'s database already migrated to head, not seeded: the desk's start finds
    it at head and only seeds the zone. Tests asking for both get the same database."""
    migrate_from_template(db_url, request)
    return db_url


@pytest.fixture
def engine(migrated_db_url: str, settings: Settings) -> Iterator[Engine]:
    """A migrated database holding the example zone."""
    engine = make_engine(migrated_db_url)
    with transaction(engine) as session:
        seed_zone(session=session, settings=settings)
    yield engine
    engine.dispose()


#: Where the tests about what PostgreSQL itself must hold live (schema, migrations,
#: queries, advisory locks, several instances on one database): they run on PostgreSQL in
#: the everyday run too.
POSTGRES_EVERYDAY = ("storage", "instances")


def _slow_on_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or callspec.params.get("db_url") != "postgres":
        return False
    return item.path.parent.name not in POSTGRES_EVERYDAY


@pytest.hookimpl(tryfirst=True)  # before -m selects by the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test's PostgreSQL run is ``slow`` unless PostgreSQL is its subject.

    The everyday run (``-m "not slow"``) runs every test on SQLite, and on PostgreSQL the
    tests of storage/ and instances/; the full run (CI) runs every test on both. A story
    on PostgreSQL repeats its SQLite run with a second desk start and a server round trip
    for every statement: twice the time, for what the storage tests already hold.
    """
    for item in items:
        if _slow_on_postgres(item):
            item.add_marker(pytest.mark.slow)


class XdistGroupsOnPytest9:
    """``xdist_group`` working on pytest 9 (``--dist loadgroup``, scripts/test.sh).

    pytest-xdist 3.8 groups tests by suffixing ``@group`` to each marked item's node id
    through ``item._nodeid``, which pytest 9 no longer reads (the id lives in ``item._id``):
    the marks were silently ignored, so a module's shared fixture (the browser, a trained
    model, the authorization matrix's scene) was built once on each worker that got some
    of its tests. Here the suffix is applied the way pytest 9 stores it; on a pytest where
    xdist's own suffix took effect, nothing is done.
    """

    @pytest.hookimpl(trylast=True)  # after xdist's own attempt
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if not getattr(config.option, "loadgroup", False):  # set on xdist workers only
            return
        for item in items:
            groups = sorted(
                {
                    str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")
                }
            )
            if not groups or "@" in item.nodeid.rpartition("]")[2]:
                continue
            node_id = getattr(item, "_id", None)
            if node_id is not None and hasattr(type(node_id), "parse"):
                suffixed = type(node_id).parse(f"{item.nodeid}@{'_'.join(groups)}")
                item._id = suffixed  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(XdistGroupsOnPytest9(), "xdist-groups-on-pytest-9")
