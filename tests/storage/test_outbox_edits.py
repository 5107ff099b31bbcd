"""An edit waiting in line takes the newer state instead of a second edit, on both databases."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage import queries
from storage.db import transaction
from storage.models import Outbox, Purpose

CHAT = -1001


def _card(engine: Engine) -> int:
    with transaction(engine) as session:
        card = queries.outbox.add_outbox(
            session=session,
            row=Outbox(
                method="sendMessage",
                payload={"text": "card"},
                chat_id=CHAT,
                purpose=Purpose.CARD,
                status="sent",
                telegram_message_id=7,
            ),
        )
        assert card.id is not None
        return card.id


def _edit(card_id: int, text: str) -> Outbox:
    return Outbox(
        method="editMessageText",
        payload={"text": text},
        chat_id=CHAT,
        refers_to_outbox_id=card_id,
        purpose=Purpose.CARD_EDIT,
    )


def _queue(engine: Engine, row: Outbox) -> bool:
    """What refresh_card does: replace a waiting edit, or queue a new one."""
    with transaction(engine) as session:
        replaced = queries.outbox.replace_pending_edit(session=session, row=row)
        if not replaced:
            queries.outbox.add_outbox(session=session, row=row)
        return replaced


def _edits(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Outbox).where(Outbox.purpose == Purpose.CARD_EDIT).order_by(col(Outbox.id))
        ).all()
        return [(row.status, row.payload["text"]) for row in rows]


def test_a_waiting_edit_takes_the_newest_state(engine: Engine) -> None:
    card = _card(engine)
    assert _queue(engine, _edit(card, "one reply")) is False
    assert _queue(engine, _edit(card, "two replies")) is True
    assert _queue(engine, _edit(card, "three replies")) is True
    assert _edits(engine) == [("pending", "three replies")]


def test_an_edit_being_sent_is_left_alone_and_the_new_state_queued_after(engine: Engine) -> None:
    card = _card(engine)
    _queue(engine, _edit(card, "one reply"))
    with transaction(engine) as session:  # the sender has it (bot/delivery/sender.py)
        [row] = session.exec(select(Outbox).where(Outbox.purpose == Purpose.CARD_EDIT)).all()
        row.status, row.claimed_by = "sending", "me"
        session.add(row)
    assert _queue(engine, _edit(card, "two replies")) is False
    assert _edits(engine) == [("sending", "one reply"), ("pending", "two replies")]


def test_only_an_edit_of_the_same_message_is_replaced(engine: Engine) -> None:
    first, second = _card(engine), _card(engine)
    _queue(engine, _edit(first, "first card"))
    assert _queue(engine, _edit(second, "second card")) is False
    assert sorted(text for _, text in _edits(engine)) == ["first card", "second card"]
