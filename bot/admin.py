"""Admin actions: binding chats to departments and the department overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlmodel import Session

from bot.config import Settings
from bot.texts import texts_for
from storage import queries


def is_admin(settings: Settings, user_id: int | None) -> bool:
    return user_id is not None and user_id in settings.desk.admins


@dataclass(frozen=True)
class BindResult:
    department_name: str
    released: int


def bind(
    *,
    session: Session,
    settings: Settings,
    department_code: str,
    chat_id: int,
    thread_id: int | None,
    actor_id: int,
    now: datetime,
) -> BindResult:
    """Bind a chat (or forum topic) to a department; messages held for it are released.

    A chat can serve one department, so an earlier binding of the same chat is undone.
    """
    department = queries.get_department_by_code(session=session, code=department_code.lower())
    if department is None or not department.active:
        raise LookupError(department_code)
    previous = queries.get_department_by_chat(session=session, chat_id=chat_id, thread_id=thread_id)
    if previous is not None and previous.id != department.id:
        previous.chat_id, previous.thread_id = None, None
        session.add(previous)
    department.chat_id, department.thread_id = chat_id, thread_id
    department.bound_at, department.bound_by = now, actor_id
    session.add(department)
    assert department.id is not None
    released = queries.release_held_outbox(
        session=session, department_id=department.id, chat_id=chat_id, thread_id=thread_id
    )
    language = settings.desk.default_language
    return BindResult(department.name_en if language == "en" else department.name, released)


def department_codes(*, session: Session, settings: Settings) -> str:
    language = settings.desk.default_language
    return "\n".join(
        f"{d.code} — {escape(d.name_en if language == 'en' else d.name)}"
        for d in queries.list_departments(session=session)
    )


def departments_overview(*, session: Session, settings: Settings) -> str:
    t = texts_for(settings.desk.default_language)
    counts = queries.open_ticket_counts(session=session)
    lines = [t.departments_header]
    for d in queries.list_departments(session=session):
        chat = t.departments_unbound
        if d.chat_id is not None:
            chat = f"{d.chat_id}" + (f"/{d.thread_id}" if d.thread_id else "")
        name = d.name_en if settings.desk.default_language == "en" else d.name
        lines.append(
            t.departments_row.format(
                code=d.code, name=escape(name), chat=chat, open=counts.get(d.id or 0, 0)
            )
        )
    return "\n".join(lines)
