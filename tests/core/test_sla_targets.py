"""Deadlines overridden by priority and by category."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_defaults_priority_and_category_layers(settings: Settings) -> None:
    sla = settings.sla
    plain = sla.targets(category="approval")
    assert (plain.accept_hours, plain.first_reply_hours, plain.resolve_days) == (2, 7, 5)
    urgent = sla.targets(category="utilities", priority="urgent")
    assert (urgent.accept_hours, urgent.first_reply_hours, urgent.resolve_days) == (1, 3.5, 3)
    fees = sla.targets(category="fees")
    assert (fees.accept_hours, fees.resolve_days) == (2, 3)  # the category wins on its key only


def test_the_example_marks_outages_urgent(settings: Settings) -> None:
    utilities = next(c for c in settings.categories if c.code == "utilities")
    assert utilities.priority == "urgent"


def test_an_override_for_an_unknown_category_is_named(tmp_path) -> None:
    from bot.config import default_config_text

    config = tmp_path / "config.toml"
    config.write_text(
        default_config_text() + "\n[sla.categories.nope]\nresolve_days = 1\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"sla\.categories\.nope"):
        load_settings(config, environ={})


async def test_an_urgent_ticket_gets_the_shorter_promise(engine, settings) -> None:
    from datetime import UTC, datetime

    from sqlmodel import select

    from bot.core import intake, private_messages
    from bot.core.intake import Incoming
    from bot.render import callbacks as cb
    from storage import queries
    from storage.db import transaction
    from storage.models import Outbox, Ticket

    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai

    def step(**kwargs):
        with transaction(engine) as session:
            reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=9)
            if "button" in kwargs:
                return intake.on_button(
                    session=session,
                    settings=settings,
                    reporter=reporter,
                    data=cb.parse(kwargs["button"]),
                    now=now,
                )
            return private_messages.on_message(
                session=session,
                settings=settings,
                reporter=reporter,
                incoming=Incoming(text=kwargs["text"]),
                now=now,
            )

    with transaction(engine) as session:
        reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=9)
        intake.start_filing(
            session=session, settings=settings, reporter=reporter, kind="complaint", now=now
        )
    step(button="c:utilities")
    step(text="园区突然停电，生产线全停了")
    step(button="dn")
    step(text="某某制造")
    step(button="su")
    step(text="王工")
    step(text="13800000000")
    step(button="v:none")
    step(button="cf:submit")
    with transaction(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        ack = session.exec(select(Outbox).where(Outbox.purpose == "ack")).one()
    assert ticket.priority == "urgent"
    assert ticket.accept_due == datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 1 working hour
    assert "1 个工作小时内签收" in ack.payload["text"]
    assert "3 个工作日内办结" in ack.payload["text"]


def test_waiting_for_the_enterprise_moves_the_resolve_deadline(settings) -> None:
    from datetime import UTC, datetime

    from bot.core.clocks import resume
    from storage.models import Ticket

    def cst(day: int, hour: int) -> datetime:
        return datetime(2026, 11, day, hour - 8, tzinfo=UTC)

    ticket = Ticket(
        number="x",
        kind="complaint",
        status="waiting_info",
        category_id=1,
        reporter_id=1,
        description="d",
        company_name="c",
        contact_name="n",
        phone="1",
        route_reason="keyword",
        accept_due=cst(23, 10),
        first_reply_due=cst(23, 10),
        resolve_due=cst(27, 10),
        waiting_since=cst(23, 10),
    )
    resume(ticket, settings, cst(24, 10))  # waited one working day (7 working hours)
    assert ticket.waiting_since is None
    assert ticket.resolve_due == cst(30, 10)  # Friday 10:00 + 7 working hours = Monday 10:00
