"""Migrations, seeding and the queries that must hold on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from bot.config import Settings
from storage import queries
from storage.db import current_revision, head_revision, make_engine, transaction, upgrade
from storage.models import Category, Department, RoutingRule
from storage.seed import seed_zone


def test_migrations_reach_head_and_seed_is_idempotent(engine, settings: Settings) -> None:
    assert current_revision(engine) == head_revision() == "0011"
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
