"""Migrations, seeding and the queries that must hold on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from storage import queries
from storage.db import current_revision, head_revision, make_engine, transaction, upgrade
from storage.models import Category, Department, RoutingRule
from storage.seed import seed_zone
from tests.conftest import PG_SERVER


def test_migrations_reach_head_and_seed_is_idempotent(engine, settings: Settings) -> None:
    assert current_revision(engine) == head_revision() == "0012"
    upgrade(engine)  # a second upgrade is a no-op
    with transaction(engine) as session:
        seed_zone(session=session, settings=settings)
    with transaction(engine) as session:
        departments = session.exec(select(Department)).all()
        categories = session.exec(select(Category)).all()
        rules = session.exec(select(RoutingRule)).all()
    assert len(departments) == len(settings.departments)
    assert len(categories) == len(settings.categories)
    assert len(rules) == len(settings.routing_rules)


def test_reseed_keeps_bindings_and_deactivates_removed(engine, settings: Settings) -> None:
    with transaction(engine) as session:
        econ = queries.zone.get_department_by_code(session=session, code="econ")
        assert econ is not None
        econ.chat_id = -100123
        session.add(econ)
    trimmed = settings.model_copy(
        update={
            "departments": settings.departments,
            "categories": [c for c in settings.categories if c.code != "ip"],
        }
    )
    with transaction(engine) as session:
        seed_zone(session=session, settings=trimmed)
    with transaction(engine) as session:
        econ = queries.zone.get_department_by_code(session=session, code="econ")
        ip = queries.zone.get_category_by_code(session=session, code="ip")
        listed = [c.code for c in queries.zone.list_categories(session=session)]
    assert econ is not None and econ.chat_id == -100123
    assert ip is not None and not ip.active
    assert "ip" not in listed


def test_ticket_sequence_is_unique_under_concurrency(engine) -> None:
    """Eight writers taking numbers at once never get the same one."""

    def take(_: int) -> int:
        with transaction(engine) as session:
            return queries.tickets.next_ticket_sequence(session=session, day="20261127")

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(40)))
    assert sorted(numbers) == list(range(1, 41))
    with transaction(engine) as session:
        assert queries.tickets.next_ticket_sequence(session=session, day="20261128") == 1


def test_claim_update_once(engine) -> None:
    with transaction(engine) as session:
        assert queries.jobs.claim_update(session=session, update_id=42)
    with transaction(engine) as session:
        assert not queries.jobs.claim_update(session=session, update_id=42)
        assert queries.jobs.claim_update(session=session, update_id=43)


def test_routing_table_from_database_matches_config(engine, settings: Settings) -> None:
    from bot.core.desk_routing import load_routing_table
    from bot.core.routing import routing_table_from_settings

    with transaction(engine) as session:
        table = load_routing_table(session=session)
    expected = routing_table_from_settings(settings)
    assert table.discipline_department == expected.discipline_department == "discipline"
    assert list(table.rules) == list(expected.rules)
    assert dict(table.categories) == dict(expected.categories)


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x' / 'desk.db'}")
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_migrations_match_the_models(engine) -> None:
    """A model change without a migration fails here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_old_update_ids_are_pruned(engine) -> None:
    from datetime import timedelta

    from storage.models import ProcessedUpdate
    from storage.types import utcnow

    with transaction(engine) as session:
        session.add(ProcessedUpdate(update_id=1, at=utcnow() - timedelta(days=3)))
        session.add(ProcessedUpdate(update_id=2))
    with transaction(engine) as session:
        assert (
            queries.jobs.prune_processed_updates(
                session=session, before=utcnow() - timedelta(days=2)
            )
            == 1
        )
    with transaction(engine) as session:
        assert not queries.jobs.claim_update(session=session, update_id=2)
        assert queries.jobs.claim_update(session=session, update_id=1)


@pytest.fixture
def second_postgres_schema() -> Iterator[str]:
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


def _shape(engine: Engine) -> dict[str, object]:
    """Every table's columns, keys, indexes and constraints, and the stored revision."""
    inspector = inspect(engine)
    shape: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        shape[table] = (
            [
                (c["name"], str(c["type"]), c["nullable"], c["default"])
                for c in inspector.get_columns(table)
            ],
            inspector.get_pk_constraint(table),
            sorted(map(repr, inspector.get_foreign_keys(table))),
            sorted(map(repr, inspector.get_indexes(table))),
            sorted(map(repr, inspector.get_unique_constraints(table))),
            sorted(map(repr, inspector.get_check_constraints(table))),
        )
    with engine.connect() as connection:
        shape["alembic_version"] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
    return shape


def test_the_quick_migration_of_the_test_fixtures_is_the_real_one(
    db_url: str, migrated_db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """``migrated_db_url`` (a copied file, replayed statements) gives exactly what alembic
    gives an empty database: the stories start on it."""
    quick = make_engine(migrated_db_url)
    if db_url.startswith("sqlite"):
        real_url = f"sqlite:///{tmp_path / 'real.db'}"
    else:
        real_url = request.getfixturevalue("second_postgres_schema")
    real = make_engine(real_url)
    upgrade(real)
    try:
        assert _shape(quick) == _shape(real)
        assert current_revision(quick) == head_revision()
    finally:
        quick.dispose()
        real.dispose()
