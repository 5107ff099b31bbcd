"""Queries on the zone: departments and their chat bindings, categories, the desk's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from storage.models import Category, Department, DeskSetting, OpenPrompt, Outbox, Ticket
from storage.types import utcnow


def list_departments(*, session: Session) -> list[Department]:
    return list(
        session.exec(select(Department).where(col(Department.active)).order_by(col(Department.id)))
    )


#: Roles that handle tickets (the dispatcher dispatches, the leadership only reads reports).
HANDLING_ROLES = ("department", "discipline")


def handling_departments(*, session: Session) -> list[Department]:
    """Departments a ticket can be assigned or transferred to."""
    return [d for d in list_departments(session=session) if d.role in HANDLING_ROLES]


def get_department(*, session: Session, department_id: int) -> Department | None:
    return session.get(Department, department_id)


def get_department_by_code(*, session: Session, code: str) -> Department | None:
    return session.exec(select(Department).where(Department.code == code)).first()


def get_department_by_role(*, session: Session, role: str) -> Department | None:
    return session.exec(
        select(Department).where(Department.role == role, col(Department.active))
    ).first()


def get_department_by_chat(
    *, session: Session, chat_id: int, thread_id: int | None
) -> Department | None:
    query = select(Department).where(Department.chat_id == chat_id, col(Department.active))
    found = list(session.exec(query))
    exact = [d for d in found if d.thread_id == thread_id]
    return exact[0] if exact else None


def list_categories(*, session: Session) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .where(col(Category.active))
            .order_by(col(Category.sort_order), col(Category.id))
        )
    )


def get_category_by_code(*, session: Session, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code)).first()


def get_category(*, session: Session, category_id: int) -> Category | None:
    return session.get(Category, category_id)


def get_setting(*, session: Session, key: str, default: Any = None) -> Any:
    row = session.get(DeskSetting, key)
    return default if row is None else row.value


def departments_bound_to(
    *, session: Session, chat_id: int, thread_id: int | None = None
) -> list[Department]:
    """Departments served in this chat (in any of its topics unless ``thread_id`` is given)."""
    query = select(Department).where(Department.chat_id == chat_id)
    if thread_id is not None:
        query = query.where(Department.thread_id == thread_id)
    return list(session.exec(query.order_by(col(Department.id))))


def move_chat(*, session: Session, old_chat_id: int, new_chat_id: int) -> tuple[int, int]:
    """A group became a supergroup: bindings and undelivered rows follow the new id.

    Returns (departments moved, rows re-pointed). Rows that failed because of the upgrade
    are queued again; rows already sent keep the chat they went to.
    """
    departments = session.execute(
        update(Department).where(col(Department.chat_id) == old_chat_id).values(chat_id=new_chat_id)
    )
    pending = session.execute(
        update(Outbox)
        .where(col(Outbox.chat_id) == old_chat_id, col(Outbox.status) == "pending")
        .values(chat_id=new_chat_id)
    )
    failed = session.execute(
        update(Outbox)
        .where(
            col(Outbox.chat_id) == old_chat_id,
            col(Outbox.status) == "failed",
            or_(
                col(Outbox.last_error).contains("upgraded to a supergroup"),
                col(Outbox.last_error).contains("migrated to supergroup"),
            ),
        )
        .values(chat_id=new_chat_id, status="pending", next_attempt_at=utcnow())
    )
    session.execute(
        update(OpenPrompt).where(col(OpenPrompt.chat_id) == old_chat_id).values(chat_id=new_chat_id)
    )
    rows = int(pending.rowcount) + int(failed.rowcount)  # type: ignore[attr-defined]
    return int(departments.rowcount), rows  # type: ignore[attr-defined]


def desk_began(*, session: Session) -> datetime | None:
    """When the desk began: its first seeding or its first ticket, whichever came first (a
    desk seeded before that fact was kept has only its tickets to say it)."""
    moments = []
    started = session.get(DeskSetting, "started_at")
    if started is not None:
        moments.append(datetime.fromisoformat(started.value))
    first = session.exec(
        select(Ticket.created_at).order_by(col(Ticket.created_at)).limit(1)
    ).first()
    if first is not None:
        moments.append(first)
    return min(moments, default=None)
