"""The outbox as the operator and the sender see it: `dianxiaoer outbox list/resend`, the
per-chat line, recovery of rows left in flight, and following a migrated group."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.config import Settings
from bot.delivery import outbox as core
from bot.delivery.sender import Sender
from storage import queries
from storage.db import transaction
from storage.models import Department, Outbox
from storage.types import utcnow


def add(engine, *rows: Outbox) -> list[int]:
    with transaction(engine) as session:
        session.add_all(rows)
        session.flush()
        return [r.id or 0 for r in rows]


def row(chat_id: int | None, *, status: str = "pending", purpose: str = "notice", **extra):
    return Outbox(
        method=extra.pop("method", "sendMessage"),
        payload={"text": purpose},
        chat_id=chat_id,
        purpose=purpose,
        status=status,
        **extra,
    )


def stored(engine) -> dict[int, Outbox]:
    with transaction(engine) as session:
        return {r.id or 0: r for r in session.exec(select(Outbox))}


@pytest.fixture
def cli(db_url: str, engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIANXIAOER_CONFIG", raising=False)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    return lambda *argv: main(["outbox", *argv])


def test_list_and_resend(engine, cli, capsys) -> None:
    with transaction(engine) as session:
        econ = queries.zone.get_department_by_code(session=session, code="econ")
        assert econ is not None
        econ_id = econ.id
    sent, failed, uncertain, held, pending, edit = add(
        engine,
        row(-100, status="sent", purpose="card"),
        row(42, status="failed", purpose="ack", last_error="forbidden: bot was blocked"),
        row(-100, status="uncertain", purpose="card", last_error="TimedOut"),
        row(None, purpose="card", held_for_department_id=econ_id),
        row(43, purpose="ack"),
    ) + add(engine, row(-100, status="failed", purpose="card_edit", method="editMessageText"))
    with transaction(engine) as session:  # the edit refers to the uncertain card
        fresh = session.get(Outbox, edit)
        assert fresh is not None
        fresh.refers_to_outbox_id = uncertain
        session.add(fresh)

    assert cli("list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [
        f"#{failed}",
        f"#{uncertain}",
        f"#{held}",
        f"#{edit}",
    ]
    assert "held for econ" in listed[2] and "bot was blocked" in listed[0]
    for flag, expected in (("--uncertain", uncertain), ("--held", held), ("--pending", pending)):
        assert cli("list", flag) == 0
        assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [
            f"#{expected}"
        ]

    assert cli("resend", str(failed), str(uncertain), str(sent), str(held), "999999") == 1
    out = capsys.readouterr().out
    assert f"#{failed}: queued" in out and f"#{uncertain}: queued" in out
    assert f"#{sent}: not failed or uncertain (sent)" in out and "no such row" in out
    assert "/bind" in out  # a held row needs a binding, not a resend
    rows = stored(engine)
    assert rows[failed].status == rows[uncertain].status == "pending"
    assert rows[failed].attempts == 0 and "resent by operator" in (rows[failed].last_error or "")
    assert rows[edit].status == "pending"  # the card's latest state follows it
    assert rows[sent].status == "sent"


def test_the_line_per_chat(engine) -> None:
    later = utcnow() + timedelta(seconds=30)
    first_a, _second_a, first_b, _uncertain_c, after_c = add(
        engine,
        row(-1, next_attempt_at=later),  # flood control: waits 30 s …
        row(-1),  # … and keeps this one waiting behind it
        row(-2),
        row(-3, status="uncertain"),  # not in the line: an operator decides
        row(-3),
    )
    with transaction(engine) as session:
        heads = queries.outbox.due_outbox_heads(session=session, now=utcnow(), limit=10)
        assert [h.row.id for h in heads.due] == [first_b, after_c]
        later_heads = queries.outbox.due_outbox_heads(session=session, now=later, limit=10)
        assert [h.row.id for h in later_heads.due] == [first_a, first_b, after_c]


async def test_rows_left_in_flight_are_settled_at_start(engine, settings: Settings) -> None:
    with transaction(engine) as session:
        dispatcher = queries.zone.get_department_by_role(session=session, role="dispatcher")
        assert dispatcher is not None
        dispatcher.chat_id = -500
        session.add(dispatcher)
    send, edit = add(
        engine,
        row(42, status="sending", purpose="ack"),
        row(-100, status="sending", purpose="card_edit", method="editMessageText"),
    )
    sender = Sender(engine=engine, bot=None, settings=settings.sender, desk_settings=settings)  # type: ignore[arg-type]
    sender.recover()
    rows = stored(engine)
    assert rows[send].status == "uncertain" and rows[edit].status == "pending"
    [notice] = [r for r in rows.values() if r.purpose == core.NOTICE]
    assert notice.chat_id == -500 and f"outbox resend {send}" in notice.payload["text"]
    sender.recover()  # once per start
    assert len(stored(engine)) == 3


def test_a_migrated_group_takes_its_binding_and_rows_along(engine) -> None:
    with transaction(engine) as session:
        econ = queries.zone.get_department_by_code(session=session, code="econ")
        assert econ is not None
        econ.chat_id = -111
        session.add(econ)
    pending, upgraded, other_failure, sent = add(
        engine,
        row(-111),
        row(
            -111,
            status="failed",
            last_error="bad request: group chat was upgraded to a supergroup chat",
        ),
        row(-111, status="failed", last_error="bad request: message is too long"),
        row(-111, status="sent"),
    )
    with transaction(engine) as session:
        assert core.follow_migration(session=session, old_chat_id=-111, new_chat_id=-100222) == (
            1,
            2,
        )
    with transaction(engine) as session:
        assert core.follow_migration(session=session, old_chat_id=-111, new_chat_id=-100222) == (
            0,
            0,
        )
        econ = session.exec(select(Department).where(Department.code == "econ")).one()
        assert econ.chat_id == -100222
    rows = stored(engine)
    assert rows[pending].chat_id == rows[upgraded].chat_id == -100222
    assert rows[upgraded].status == "pending"
    assert rows[other_failure].chat_id == rows[sent].chat_id == -111
