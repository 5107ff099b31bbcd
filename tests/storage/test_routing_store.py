"""Routing's storage on both databases: model versions and the desk's labelled history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.core import desk_routing
from bot.core.routing import (
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
    train,
)
from storage import queries
from storage import routing as store
from storage.db import alembic_config, head_revision, make_engine, transaction, upgrade
from storage.models import Reporter, Ticket, TicketEvent

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _ticket(engine: Engine, number: str, status: str, department: str, *events: Any) -> None:
    """A ticket in ``status`` at ``department`` with (action, detail) events, in order."""
    with transaction(engine) as session:
        reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=42)
        category = queries.zone.get_category_by_code(session=session, code="policy")
        dept = queries.zone.get_department_by_code(session=session, code=department)
        assert isinstance(reporter, Reporter) and category and dept
        ticket = Ticket(
            number=number,
            kind="complaint",
            status=status,
            category_id=category.id or 0,
            department_id=dept.id,
            reporter_id=reporter.id or 0,
            description=f"text of {number}",
            company_name="某公司",
            contact_name="王",
            phone="13800138000",
            route_reason="model",
            accept_due=NOW,
            first_reply_due=NOW,
            resolve_due=NOW,
        )
        session.add(ticket)
        session.flush()
        for action, detail in events:
            session.add(
                TicketEvent(ticket_id=ticket.id or 0, actor="x", action=action, detail=detail)
            )


def test_history_labels_only_what_a_person_decided(engine: Engine) -> None:
    routed = ("route", {"department": "tax"})
    _ticket(engine, "T-routed", "accepted", "tax", routed)  # the desk's own route: no label
    _ticket(
        engine,
        "T-assigned",
        "resolved",
        "econ",
        ("leave_unrouted", {}),
        ("assign", {"department": "econ"}),
    )
    _ticket(
        engine,
        "T-moved",
        "assigned",
        "sci_tech",
        routed,
        ("request_transfer", {"department": "tax"}),
        ("approve_transfer", {"department": "sci_tech", "from": "tax"}),
    )
    _ticket(
        engine,
        "T-rejected",
        "accepted",
        "tax",
        routed,
        ("request_transfer", {"department": "tax"}),
        ("reject_transfer", {"reason": "属于本部门"}),
    )
    _ticket(
        engine,
        "T-withdrawn",
        "withdrawn",
        "econ",
        ("leave_unrouted", {}),
        ("assign", {"department": "econ"}),
        ("withdraw", {}),
    )
    _ticket(
        engine,
        "T-pending",
        "transfer_requested",
        "econ",
        ("assign", {"department": "econ"}),
        ("request_transfer", {"department": "econ"}),
    )
    _ticket(
        engine,
        "T-twice",
        "closed",
        "market",
        ("assign", {"department": "econ"}),
        ("approve_transfer", {"department": "market", "from": "econ"}),
    )
    with transaction(engine) as session:
        history = store.routing_history_examples(session=session)
    labels = {h.ticket_number: h.department for h in history}
    assert labels == {"T-assigned": "econ", "T-moved": "sci_tech", "T-twice": "market"}
    assert all(h.category == "policy" and h.text == f"text of {h.ticket_number}" for h in history)
    with transaction(engine) as session:
        newest = store.routing_history_examples(session=session, limit=1)
    assert [h.ticket_number for h in newest] == ["T-twice"]


def test_the_newest_saved_model_is_the_active_one(engine: Engine) -> None:
    with transaction(engine) as session:
        assert store.active_model(session=session) is None
        assert store.active_model_version(session=session) is None
    facts = {"trained_at": NOW, "accuracy": 0.9, "n_examples": 400, "sklearn_version": "1.9.1"}
    with transaction(engine) as session:
        store.save_model(session=session, version="v1", data=b"one", **facts)
    with transaction(engine) as session:
        store.save_model(session=session, version="v2", data=b"two", **facts)
    with transaction(engine) as session:
        active = store.active_model(session=session)
        assert active is not None and (active.version, active.data) == ("v2", b"two")
        assert store.active_model_version(session=session) == "v2"
    with transaction(engine) as session:  # the same version again is re-activated, not doubled
        store.save_model(session=session, version="v1", data=b"one", **facts)
    with transaction(engine) as session:
        assert store.active_model_version(session=session) == "v1"


def test_the_routing_migration_keeps_tickets_and_flags_old_conduct_ones(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    now = "2026-11-27 02:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO department (id, code, name, name_en, role, active, staff) VALUES"
                " (1, 'discipline', '纪工委', 'Discipline', 'discipline', true, '[]')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO category (id, code, name, name_en, conduct, hint_keywords,"
                " sort_order, active, priority) VALUES (1, 'conduct', '作风问题', 'Conduct',"
                " true, '[]', 0, true, 'normal')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reporter (id, telegram_user_id, created_at, updated_at) "
                f"VALUES (1, 42, '{now}', '{now}')"
            )
        )
        for number, reason in (("GX-1", "conduct_category"), ("GX-2", "category_default")):
            connection.execute(
                text(
                    "INSERT INTO ticket (number, kind, priority, status, category_id,"
                    " department_id, reporter_id, description, company_name, contact_name,"
                    " phone, share_company, share_contact, route_reason, accept_due,"
                    " first_reply_due, resolve_due, created_at, updated_at, reopen_count)"
                    f" VALUES ('{number}', 'complaint', 'normal', 'assigned', 1, 1, 1, '情况',"
                    f" '某公司', '王', '13800138000', false, false, '{reason}', '{now}',"
                    f" '{now}', '{now}', '{now}', '{now}', 0)"
                )
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT number, conduct, conduct_answer, route_confidence, route_top,"
                " route_excluded FROM ticket ORDER BY number"
            )
        ).all()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        models = connection.execute(text("SELECT count(*) FROM routingmodel")).scalar()
    assert revision == head_revision() and models == 0
    assert [(r[0], bool(r[1]), r[2], r[3]) for r in rows] == [
        ("GX-1", True, None, None),
        ("GX-2", False, None, None),
    ]
    assert all(r[4] in ([], "[]") and r[5] in ([], "[]") for r in rows)
    engine.dispose()


def test_every_instance_routes_with_the_newest_stored_version(
    engine: Engine, settings: Settings
) -> None:
    """One desk stores a model at start; another retrains; the first one follows at once."""
    started = desk_routing.ensure_model(engine=engine, settings=settings)
    assert started is not None
    assert desk_routing.ensure_model(engine=engine, settings=settings) is None  # stored already
    with transaction(engine) as session:
        router = desk_routing.current_router(session=session, settings=settings)
    assert router.model is not None and router.model.version == started.version

    # Another instance's retrain (here on a smaller corpus, to be quick) stores a new version.
    examples = load_shipped_examples(settings)
    smaller = train(
        examples[: len(examples) // 3],
        hints=hints_from_table(routing_table_from_settings(settings)),
        now=NOW,
    )
    with transaction(engine) as session:
        store.save_model(
            session=session,
            version=smaller.version,
            trained_at=smaller.trained_at,
            accuracy=smaller.accuracy,
            n_examples=smaller.n_examples,
            sklearn_version=desk_routing.sklearn_version(),
            data=smaller.to_bytes(),
        )
    with transaction(engine) as session:
        router = desk_routing.current_router(session=session, settings=settings)
    assert router.model is not None and router.model.version == smaller.version
    assert router.model.n_examples == len(examples) // 3
