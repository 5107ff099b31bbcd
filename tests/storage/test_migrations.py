"""Upgrading a database that already holds data: every migration keeps it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from storage.db import alembic_config, declared_head, head_revision, make_engine, upgrade


def test_upgrade_from_the_first_release_keeps_tickets(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    now = "2026-11-27 02:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO department (id, code, name, name_en, role, active) "
                "VALUES (1, 'econ', '经济发展局', 'Economic Development', 'department', true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO category (id, code, name, name_en, conduct, hint_keywords, sort_order,"
                " active) VALUES (1, 'policy', '政策兑现', 'Policy', false, '[]', 0, true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reporter (id, telegram_user_id, created_at, updated_at) "
                f"VALUES (1, 42, '{now}', '{now}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ticket (id, number, kind, status, category_id, department_id,"
                " reporter_id, description, company_name, contact_name, phone, share_company,"
                " share_contact, route_reason, accept_due, first_reply_due, resolve_due,"
                " created_at, updated_at) VALUES (1, 'GX-20261127-0001', 'complaint', 'assigned',"
                " 1, 1, 1, '补贴未兑现', '某公司', '王', '13800138000', false, false,"
                f" 'category_default', '{now}', '{now}', '{now}', '{now}', '{now}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox (id, created_at, method, payload, purpose, status, attempts,"
                f" next_attempt_at) VALUES (1, '{now}', 'sendMessage', '{{}}', 'ack', 'sent', 1,"
                f" '{now}')"
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        ticket = connection.execute(text("SELECT number, priority, reopen_count FROM ticket")).one()
        staff = connection.execute(text("SELECT staff FROM department")).scalar_one()
        meta = connection.execute(text("SELECT meta FROM outbox")).scalar_one()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert tuple(ticket) == ("GX-20261127-0001", "normal", 0)
    assert staff in ([], "[]") and meta in ({}, "{}")
    assert revision == head_revision()
    engine.dispose()


def test_stored_events_take_the_lifecycle_action_names_and_give_them_back(db_url: str) -> None:
    from bot.core.lifecycle import Action

    engine = make_engine(db_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    now = "2026-11-27 02:00:00+00:00"
    old = [
        ("submitted", None, "submitted"),
        ("conduct_answered", "submitted", "submitted"),
        ("routed", "submitted", "assigned"),
        ("unrouted", "submitted", "unrouted"),
        ("assigned", "unrouted", "assigned"),
        ("accepted", "assigned", "accepted"),
        ("replied", "accepted", "accepted"),
        ("enterprise_replied", "accepted", "accepted"),
        ("info_added", "accepted", "accepted"),
        ("info_taken_back", "accepted", "accepted"),
        ("asked_info", "accepted", "waiting_info"),
        ("info_received", "waiting_info", "accepted"),
        ("transfer_requested", "accepted", "transfer_requested"),
        ("transfer_approved", "transfer_requested", "assigned"),
        ("transfer_rejected", "transfer_requested", "accepted"),
        ("extension_requested", "accepted", "extension_requested"),
        ("extension_approved", "extension_requested", "accepted"),
        ("extension_rejected", "extension_requested", "accepted"),
        ("resolved", "accepted", "resolved"),
        ("rated", "resolved", "accepted"),
        ("reopened", "resolved", "accepted"),
        ("rated", "resolved", "unrouted"),
        ("reopened_to_dispatcher", "resolved", "unrouted"),
        ("rated", "resolved", "closed"),
        ("rating_comment", "closed", "closed"),
        ("auto_closed", "resolved", "closed"),
        ("withdrawn", "assigned", "withdrawn"),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO reporter (id, telegram_user_id, created_at, updated_at) "
                f"VALUES (1, 42, '{now}', '{now}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO category (id, code, name, name_en, conduct, hint_keywords, sort_order,"
                " active) VALUES (1, 'policy', '政策兑现', 'Policy', false, '[]', 0, true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ticket (id, number, kind, status, category_id, reporter_id,"
                " description, company_name, contact_name, phone, share_company, share_contact,"
                " route_reason, accept_due, first_reply_due, resolve_due, created_at, updated_at,"
                " priority, reopen_count, conduct, route_excluded, route_top) VALUES (1,"
                " 'GX-20261127-0001', 'complaint', 'closed', 1, 1, 'd', 'c', 'n', '1', false,"
                f" false, 'category', '{now}', '{now}', '{now}', '{now}', '{now}', 'normal', 0,"
                " false, '[]', '[]')"
            )
        )
        for number, (action, before, after) in enumerate(old, start=1):
            connection.execute(
                text(
                    "INSERT INTO ticketevent (id, ticket_id, at, actor, action, from_status,"
                    " to_status, detail) VALUES (:id, 1, :at, 'x', :action, :before, :after, '{}')"
                ),
                {"id": number, "at": now, "action": action, "before": before, "after": after},
            )

    def actions() -> list[str]:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT action FROM ticketevent ORDER BY id"))
            return [row[0] for row in rows]

    upgrade(engine)
    renamed = actions()
    assert renamed == [
        "submit",
        "answer_conduct",
        "route",
        "leave_unrouted",
        "assign",
        "accept",
        "reply",
        "enterprise_reply",
        "add_info",
        "take_back_info",
        "ask_info",
        "info_received",
        "request_transfer",
        "approve_transfer",
        "reject_transfer",
        "request_extension",
        "approve_extension",
        "reject_extension",
        "resolve",
        "rate_poor",
        "reopen",
        "rate_poor",
        "reopen_to_dispatcher",
        "rate_satisfied",
        "comment_rating",
        "auto_close",
        "withdraw",
    ]
    # Every action but those that came after the rename (同类诉求, issue 16: no event
    # was ever stored under another name for them).
    later = {Action.LINK_COMMON, Action.UNLINK_COMMON, Action.COMMON_LEAD}
    assert set(renamed) == {action.value for action in Action if action not in later}

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # As storage.db.upgrade does: a batch migration rebuilds the ticket table
            # (0011's downgrade), which referencing rows would refuse with foreign keys on.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
    assert actions() == [action for action, _, _ in old]
    engine.dispose()


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    # upgrade() skips alembic when the stored version equals this cheaply read head.
    assert declared_head() == head_revision() is not None


def test_a_database_behind_head_is_still_migrated(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    upgrade(engine)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert revision == head_revision()
    upgrade(engine)  # at head: nothing to do, nothing fails
    engine.dispose()
