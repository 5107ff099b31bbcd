"""The admin commands' answers as Telegram HTML: the render side of bot/core/admin.py and /block."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.admin import BindResult, DepartmentRow, TicketOverview
from bot.core.notices import Say
from bot.render.texts import texts_for
from bot.render.views import clip, fmt_time, say_html
from storage.models import Department


def reply_html(said: Say, settings: Settings) -> str:
    """A direct answer of the core, in the desk's language, as Telegram shows it (no
    white space at its ends)."""
    zone = ZoneInfo(settings.desk.timezone)
    return say_html(said, settings.desk.default_language, zone)[0].strip()


def department_codes_html(departments: Sequence[Department], language: str) -> str:
    """The codes /bind and /assign accept, one department a line."""
    return "\n".join(f"{d.code} — {escape(d.local_name(language))}" for d in departments)


def unknown_code_html(code: str, departments: Sequence[Department], language: str) -> str:
    """/bind or /assign with a code no department has: the codes there are."""
    return texts_for(language).bind_unknown.format(
        code=escape(code[:40]), codes=department_codes_html(departments, language)
    )


def assigned_html(number: str, department: Department, language: str) -> str:
    return texts_for(language).assign_done.format(
        number=escape(number), department=escape(department.local_name(language))
    )


def unknown_group_html(desk_name: str, language: str) -> str:
    """What the desk says in a group nobody bound (before it stays or leaves)."""
    return texts_for(language).unknown_group.format(desk=escape(desk_name))


def bound_html(result: BindResult, language: str) -> str:
    t = texts_for(language)
    place = t.chat_places["topic" if result.topic else "group"]
    return t.bind_ok.format(place=place, department=escape(result.department.local_name(language)))


def unbound_html(department: Department, *, topic: bool, language: str) -> str:
    t = texts_for(language)
    place = t.chat_places["topic" if topic else "group"]
    return t.unbind_ok.format(place=place, department=escape(department.name))


def departments_html(rows: Sequence[DepartmentRow], language: str) -> str:
    """/departments: each department's code, name, bound chat and open tickets."""
    t = texts_for(language)
    lines = [t.departments_header]
    for row in rows:
        d = row.department
        chat = t.departments_unbound
        if d.chat_id is not None:
            chat = f"{d.chat_id}" + (f"/{d.thread_id}" if d.thread_id else "")
        lines.append(
            t.departments_row.format(
                code=d.code, name=escape(d.local_name(language)), chat=chat, open=row.open_tickets
            )
        )
    return "\n".join(lines)


def ticket_overview_html(overview: TicketOverview, language: str, zone: ZoneInfo) -> str:
    """/ticket: the ticket in full as this chat may see it, then its last 40 events."""
    t = texts_for(language)
    ticket, category, department = overview.ticket, overview.category, overview.department
    telegram = "—"
    if overview.telegram_user_id is not None:
        telegram = f"id {overview.telegram_user_id}"
    visibility = "all" if ticket.share_contact else "company" if ticket.share_company else "none"
    show_company, show_contact = overview.show_company, overview.show_contact
    trail = []
    for event in overview.events:
        who = event.detail.get("by") or event.actor
        extra = {k: v for k, v in event.detail.items() if k != "by"}
        action = t.event_codes.get(event.action, event.action)
        line = f"{fmt_time(event.at, zone)} · {action} · {who}"
        if extra:
            line += " · " + ", ".join(f"{k}={clip(str(v), 80)}" for k, v in extra.items())
        trail.append(escape(line))

    def when(moment: datetime | None) -> str:
        return fmt_time(moment, zone) if moment else "—"

    return t.ticket_admin.format(
        number=ticket.number,
        kind=t.kind_names.get(ticket.kind, ticket.kind),
        status=t.status_names.get(ticket.status, ticket.status),
        category=escape(category.name if category else ""),
        department=escape(department.name if department else t.unrouted_department),
        company=escape(ticket.company_name) if show_company else "—",
        uscc=escape(ticket.uscc or "—") if show_company else "—",
        contact=escape(ticket.contact_name) if show_contact else "—",
        phone=escape(ticket.phone) if show_contact else "—",
        telegram=telegram,
        visibility=t.visibility[visibility],
        accepted=escape(
            f"{ticket.accepted_by_name} {when(ticket.accepted_at)}"
            if ticket.accepted_by_name
            else "—"
        ),
        first_reply=when(ticket.first_reply_at),
        accept_due=when(ticket.accept_due),
        first_reply_due=when(ticket.first_reply_due),
        resolve_due=when(ticket.resolve_due),
        rating=t.ratings.get(ticket.rating or 0, "—"),
        reopens=ticket.reopen_count,
        description=escape(clip(ticket.description, 1500)),
        trail="\n".join(trail[-40:]),
    )
