"""Who may do what: every action × every kind of actor, on the real desk (emulator, SQLite and
PostgreSQL).

MATRIX and MEMBERSHIP below *are* the specification. ``Y``: allowed, and it works. ``.``:
refused with a polite alert or message, and nothing in the database changes (every table but
the update-id log is compared before and after), no desk message in a group is edited, and the
people outside a chat's membership are told exactly why. ``-``: cannot happen (a private chat
cannot reply to a group's message; nobody outside the dispatcher chat ever sees a request for a
reject reason).

Where each actor acts (buttons can be forged from anywhere, so each presses in its own place):

=============  ====================================================================================
owner          the enterprise that filed the ticket (or owns the draft), in its private chat
other_ent      another enterprise with a ticket of its own, in its private chat
staff          a member of the chat bound to the department that holds the action: the ticket's
               department group for card buttons, replies and enterprise buttons; the
               dispatcher's group for dispatcher buttons and /assign
other_staff    a member of another department's bound group (tax), pressing there; for
               dispatcher actions: the requesting department's own staff; for replies: the
               ticket's *previous* department answering its old card after a transfer
unbound        a member of a group no department is bound to any more (the ticket's department
               used it before moving to a new group): stale cards and questions are still there
visitor        somebody who never joined the chat where the action belongs (the department's and
               the dispatcher's groups are public: visitors see cards, press, and may write)
left           a former member of that chat who left (their client still shows the old cards)
muted          a member of that chat whom an admin restricted from sending messages
elsewhere      a member of another department's group (tax) acting in that chat
               (these four act in their private chat for enterprise buttons and commands)
anonymous      an anonymous group admin (GroupAnonymousBot, messages with ``sender_chat``) in the
               chat where the action would otherwise be allowed
admin          a configured admin, in their private chat (/bind and /unbind: in the group)
stranger       somebody with no ticket and no role, in their private chat
=============  ====================================================================================

The buttons ``k`` (start filing), ``of``, ``dr``, ``lg`` and ``my`` act only on the presser's own
draft, language or list, so "who may" is always "anyone, for themselves"; the filing stories
cover them. One scene per database serves the whole matrix: every ticket the actions need is
prepared through the core first; then each action fires all its refusals at once, compares
the database, and lets the allowed actors act (each on its own ticket).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from bot.config import Settings, load_settings
from bot.core import (
    common_problems,
    conversation,
    decisions,
    feedback,
    group_replies,
    staff,
    tickets,
)
from bot.core.conversation import AddingInfo, Awaiting
from bot.core.filing_steps import Step
from bot.core.permissions import ANONYMOUS_ADMIN_ID, Actor, Membership
from bot.devtools.emulator.records import Chat, MessageRecord, User
from bot.devtools.emulator.text import find_bot_commands
from bot.devtools.playground import Person, Scene, desk_on_emulator
from bot.render import callbacks as cb
from bot.render import menus
from bot.render.texts import texts_for
from storage import queries
from storage.db import transaction
from storage.models import (
    CommonGroup,
    Department,
    Draft,
    Outbox,
    ProcessedUpdate,
    Purpose,
    Reporter,
    Ticket,
    TicketMessage,
)
from storage.types import utcnow
from tests.conftest import PG_SERVER, REQUIRE_PG, _postgres_problem

ACTORS = (
    "owner",
    "other_ent",
    "staff",
    "other_staff",
    "unbound",
    "visitor",
    "left",
    "muted",
    "elsewhere",
    "anonymous",
    "admin",
    "stranger",
)
#: Not members of the chat they act in, or not free to speak there (bot/core/permissions.py).
OUTSIDE_MEMBERSHIP = ("visitor", "left", "muted", "elsewhere")

MATRIX = """
action                      owner other_ent staff other_staff unbound anonymous admin stranger
st:accept                     .      .        Y       .          .       .        .      .
st:ask_info                   .      .        Y       .          .       .        .      .
st:transfer                   .      .        Y       .          .       .        .      .
st:extension                  .      .        Y       .          .       .        .      .
st:resolve                    .      .        Y       .          .       .        .      .
tr:not_ours                   .      .        Y       .          .       .        .      .
tr:other                      .      .        Y       .          .       .        .      .
ex:3                          .      .        Y       .          .       .        .      .
as:econ                       .      .        Y       .          .       .        Y      .
dt:tax                        .      .        Y       .          .       .        Y      .
dd:approve                    .      .        Y       .          .       .        Y      .
dd:reject                     .      .        Y       .          .       .        Y      .
cg:lead                       .      .        Y       .          .       .        Y      .
t:open                        Y      .        .       .          .       .        .      .
w:withdraw                    Y      .        .       .          .       .        .      .
wy:withdraw                   Y      .        .       .          .       .        .      .
ai:add_info                   Y      .        .       .          .       .        .      .
ad:done                       Y      .        .       .          .       .        .      .
rt:rate                       Y      .        .       .          .       .        .      .
nw:split_off                  Y      .        .       .          .       .        .      .
c:category                    Y      .        .       .          .       .        .      .
dn:description_done           Y      .        .       .          .       .        .      .
rp:reuse_profile              Y      .        .       .          .       .        .      .
su:skip_uscc                  Y      .        .       .          .       .        .      .
v:visibility                  Y      .        .       .          .       .        .      .
cf:submit                     Y      .        .       .          .       .        .      .
reply:card                    -      -        Y       .          .       .        -      -
reply:ask_question            -      -        Y       .          .       .        -      -
reply:ask_resolution          -      -        Y       .          .       .        -      -
reply:ask_transfer_reason     -      -        Y       .          .       .        -      -
reply:ask_extension_reason    -      -        Y       .          .       .        -      -
reply:ask_reject_reason       -      -        Y       -          -       .        -      -
/bind                         .      .        .       .          .       .        Y      .
/unbind                       .      .        .       .          .       .        Y      .
/departments                  .      .        .       .          .       .        Y      .
/assign                       .      .        .       .          .       .        Y      .
/ticket                       .      .        .       .          .       .        Y      .
/summary                      .      .        .       .          .       .        Y      .
/block                        .      .        .       .          .       .        Y      .
/unblock                      .      .        .       .          .       .        Y      .
"""

#: The same actions by people outside the membership of the chat where they act.
MEMBERSHIP = """
action                      visitor left muted elsewhere
st:accept                      .     .     .       .
st:ask_info                    .     .     .       .
st:transfer                    .     .     .       .
st:extension                   .     .     .       .
st:resolve                     .     .     .       .
tr:not_ours                    .     .     .       .
tr:other                       .     .     .       .
ex:3                           .     .     .       .
as:econ                        .     .     .       .
dt:tax                         .     .     .       .
dd:approve                     .     .     .       .
dd:reject                      .     .     .       .
cg:lead                        .     .     .       .
t:open                         .     .     .       .
w:withdraw                     .     .     .       .
wy:withdraw                    .     .     .       .
ai:add_info                    .     .     .       .
ad:done                        .     .     .       .
rt:rate                        .     .     .       .
c:category                     .     .     .       .
dn:description_done            .     .     .       .
rp:reuse_profile               .     .     .       .
su:skip_uscc                   .     .     .       .
v:visibility                   .     .     .       .
cf:submit                      .     .     .       .
nw:split_off                   .     .     .       .
reply:card                     .     .     .       .
reply:ask_question             .     .     .       .
reply:ask_resolution           .     .     .       .
reply:ask_transfer_reason      .     .     .       .
reply:ask_extension_reason     .     .     .       .
reply:ask_reject_reason        .     .     .       .
/bind                          .     .     .       .
/unbind                        .     .     .       .
/departments                   .     .     .       .
/assign                        .     .     .       .
/ticket                        .     .     .       .
/summary                       .     .     .       .
/block                         .     .     .       .
/unblock                       .     .     .       .
"""


@dataclass(frozen=True)
class Row:
    action: str
    cells: dict[str, str]

    @property
    def allowed(self) -> list[str]:
        return [a for a in ACTORS if self.cells[a] == "Y"]

    @property
    def refused(self) -> list[str]:
        return [a for a in ACTORS if self.cells[a] == "."]


def _parse(*tables: str) -> dict[str, Row]:
    """The tables side by side: each names some of the ACTORS, every one the same actions."""
    cells: dict[str, dict[str, str]] = {}
    for table in tables:
        lines = [line.split() for line in table.strip().splitlines()]
        header, body = lines[0], lines[1:]
        for action, *marks in body:
            assert len(marks) == len(header) - 1 and set(marks) <= {"Y", ".", "-"}, action
            cells.setdefault(action, {}).update(zip(header[1:], marks, strict=True))
    assert all(tuple(sorted(c)) == tuple(sorted(ACTORS)) for c in cells.values())
    return {action: Row(action, {a: c[a] for a in ACTORS}) for action, c in cells.items()}


ROWS = _parse(MATRIX, MEMBERSHIP)

# Buttons whose only subject is the presser's own draft, language or list (see the docstring).
SELF_SERVICE = {
    cb.KIND,
    cb.OFFER,
    cb.DRAFT,
    cb.LANGUAGE,
    cb.MY_LIST,
    cb.CONDUCT_ANSWER,
    cb.REPEAT_CHOICE,  # the presser's own draft: add it to the similar open ticket, or not
}


# --- the world the matrix runs in ----------------------------------------------------------------


@dataclass
class Target:
    """What one attempt acts on: a ticket (and request), its owner, messages to answer."""

    ticket_id: int | None = None
    number: str = ""
    request_id: int | None = None
    owner: Person | None = None
    reply_to: dict[str, int] = field(default_factory=dict)  # place -> message id
    message_id: int | None = None  # a TicketMessage (an enterprise's addition)
    group: Chat | None = None  # /bind, /unbind: where the admin sends it
    common_group_id: int | None = None  # 同类诉求: the group whose lead is confirmed


@dataclass
class World:
    scene: Scene
    chats: dict[str, Chat]  # dept, other, unbound, dispatch, bind_here, unbind_here
    people: dict[str, Person]
    anon: User
    targets: dict[str, list[Target]] = field(default_factory=dict)
    mark: int = 0  # the highest outbox id before the allowed actors act

    @property
    def engine(self) -> Engine:
        return self.scene.desk.engine

    @property
    def settings(self) -> Settings:
        return self.scene.desk.settings

    def actor(self, person: str, place: str) -> Actor:
        p = self.people[person]
        return Actor(
            p.user.id, p.user.first_name, self.chats[place].id, None, membership=Membership.MEMBER
        )


Prepare = Callable[[World, Session, int], Target]


@dataclass(frozen=True)
class Spec:
    """How to prepare, perform and recognise one action of the matrix."""

    kind: str  # press | reply | command
    home: str  # dept | dispatch | private: where the legitimate actor does it
    prepare: Prepare
    perform: Callable[[Target], str]  # callback_data, the reply's text, or the command
    succeeded: Callable[[World, Target, list[MessageRecord], list[str]], str | None]
    answers: str = ""  # replies: the purpose of the desk message answered


# --- preparing tickets through the core ----------------------------------------------------------

DESCRIPTION = "厂区这周停电三次，供电所一直不给说法，生产线全停了。"
FULL_DRAFT = {
    "kind": "complaint",
    "category": "policy",
    "description": DESCRIPTION,
    "company": "厦门海沧精密机械有限公司",
    "uscc": None,
    "contact_name": "林经理",
    "phone": "+8613800138000",
}


def reporter(session: Session, person: Person) -> Reporter:
    found = queries.reporters.get_or_create_reporter(
        session=session, telegram_user_id=person.user.id
    )
    if found.language is None:
        found.language = "zh"
        session.add(found)
    return found


def new_ticket(
    w: World,
    session: Session,
    owner: Person,
    *,
    category: str = "policy",
    description: str = DESCRIPTION,
) -> Ticket:
    filer = reporter(session, owner)
    data = {**FULL_DRAFT, "category": category, "description": description, "visibility": "none"}
    draft = Draft(reporter_id=filer.id or 0, step=Step.CONFIRM, data=data)
    session.add(draft)
    session.flush()
    return tickets.submit_ticket(
        session=session, settings=w.settings, reporter=filer, draft=draft, now=utcnow()
    )


def target_of(ticket: Ticket, owner: Person, **extra: Any) -> Target:
    return Target(ticket_id=ticket.id, number=ticket.number, owner=owner, **extra)


def assigned(w: World, s: Session, i: int) -> Target:
    return target_of(new_ticket(w, s, w.people["owner"]), w.people["owner"])


def accepted(w: World, s: Session, i: int, place: str = "dept") -> Target:
    ticket = new_ticket(w, s, w.people["owner"])
    staff.accept(
        session=s, settings=w.settings, ticket=ticket, actor=w.actor("staff", place), now=utcnow()
    )
    return target_of(ticket, w.people["owner"])


def unrouted(w: World, s: Session, i: int) -> Target:
    ticket = new_ticket(
        w, s, w.people["owner"], category="other", description="想反映一下园区里的一些情况。"
    )
    assert ticket.status == "unrouted"
    return target_of(ticket, w.people["owner"])


def linked(w: World, s: Session, i: int) -> Target:
    """Two enterprises' tickets about one problem, linked by the dispatcher into a group
    (the matrix's desk links nothing by itself: its many tickets share one description)."""
    first = new_ticket(w, s, w.people["owner"])
    second = new_ticket(w, s, w.people["other_ent"])
    common_problems.link(
        session=s,
        settings=w.settings,
        ticket=second,
        target=first,
        actor=w.actor("dispatcher", "dispatch"),
        now=utcnow(),
    )
    assert second.common_group_id is not None
    return target_of(second, w.people["owner"], common_group_id=second.common_group_id)


def leads(department: str) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        with transaction(w.engine) as session:
            group = session.get(CommonGroup, target.common_group_id)
            lead = group and group.lead_department_id
            held_by = session.get(Department, lead) if lead else None
        if held_by is None or held_by.code != department:
            return f"lead {held_by and held_by.code}, expected {department}; answers {texts}"
        return None

    return check


def transfer_requested(w: World, s: Session, i: int) -> Target:
    target = accepted(w, s, i)
    ticket = s.get(Ticket, target.ticket_id)
    assert ticket is not None
    request = staff.request_transfer(
        session=s,
        settings=w.settings,
        ticket=ticket,
        actor=w.actor("staff", "dept"),
        reason_code="not_ours",
        reason_text=None,
        now=utcnow(),
    )
    target.request_id = request.id
    return target


def extension_requested(w: World, s: Session, i: int) -> Target:
    target = accepted(w, s, i)
    ticket = s.get(Ticket, target.ticket_id)
    assert ticket is not None
    request = staff.request_extension(
        session=s,
        settings=w.settings,
        ticket=ticket,
        actor=w.actor("staff", "dept"),
        days=3,
        reason="需要等待区财政资金下达",
        now=utcnow(),
    )
    target.request_id = request.id
    return target


def resolved(w: World, s: Session, i: int) -> Target:
    target = accepted(w, s, i)
    ticket = s.get(Ticket, target.ticket_id)
    assert ticket is not None
    staff.resolve(
        session=s,
        settings=w.settings,
        ticket=ticket,
        actor=w.actor("staff", "dept"),
        resolution="补贴已拨付。",
        now=utcnow(),
    )
    return target


def own_ticket(
    person: str, awaiting: Callable[[Ticket], Awaiting | None] = lambda _: None
) -> Prepare:
    """A ticket of a dedicated enterprise (its reporter state is part of the action)."""

    def prepare(w: World, s: Session, i: int) -> Target:
        owner = w.people[person]
        ticket = new_ticket(w, s, owner)
        filer = reporter(s, owner)
        conversation.set_awaiting(filer, awaiting(ticket))
        s.add(filer)
        return target_of(ticket, owner)

    return prepare


LOOSE = "发票下周寄到。"


def loose_addition(w: World, s: Session, i: int) -> Target:
    """A dedicated enterprise's ticket whose department asked; it answered with a plain message."""
    owner = w.people["splits_off"]
    ticket = new_ticket(w, s, owner)
    actor = w.actor("staff", "dept")
    staff.accept(session=s, settings=w.settings, ticket=ticket, actor=actor, now=utcnow())
    staff.ask_info(
        session=s,
        settings=w.settings,
        ticket=ticket,
        actor=actor,
        question="请提供发票。",
        now=utcnow(),
    )
    added = feedback.enterprise_reply(
        session=s,
        settings=w.settings,
        reporter=reporter(s, owner),
        ticket=ticket,
        text=LOOSE,
        attachment=None,
        now=utcnow() + timedelta(seconds=1),
    )
    return target_of(ticket, owner, message_id=added.params["message_id"])


def taken_out(
    w: World, target: Target, messages: list[MessageRecord], texts: list[str]
) -> str | None:
    assert target.owner is not None
    with transaction(w.engine) as session:
        still_there = session.get(TicketMessage, target.message_id) is not None
        draft = session.get(Draft, reporter(session, target.owner).id)
        description = draft.data.get("description") if draft else None
    if still_there or description != LOOSE:
        return f"message still on the ticket: {still_there}, draft {description!r}; answers {texts}"
    return None


def draft_at(person: str, step: Step, **data: Any) -> Prepare:
    """A dedicated enterprise's draft waiting at ``step``."""

    def prepare(w: World, s: Session, i: int) -> Target:
        owner = w.people[person]
        filer = reporter(s, owner)
        if step is Step.COMPANY:  # an earlier ticket left a profile to reuse
            filer.company_name, filer.contact_name = FULL_DRAFT["company"], "林经理"
            filer.phone = FULL_DRAFT["phone"]
            s.add(filer)
        s.add(Draft(reporter_id=filer.id or 0, step=step, data={"kind": "complaint", **data}))
        return Target(owner=owner)

    return prepare


def nothing(w: World, s: Session, i: int) -> Target:
    return Target()


def in_group(name: str) -> Prepare:
    def prepare(w: World, s: Session, i: int) -> Target:
        return Target(group=w.chats[name])

    return prepare


# --- recognising success -------------------------------------------------------------------------

Check = Callable[[World, Target, list[MessageRecord], list[str]], str | None]


def _ticket(w: World, target: Target) -> Ticket:
    with transaction(w.engine) as session:
        ticket = session.get(Ticket, target.ticket_id)
        assert ticket is not None
        session.expunge(ticket)
        return ticket


def _new_purposes(w: World, target: Target) -> list[str]:
    with transaction(w.engine) as session:
        return list(
            session.exec(
                select(Outbox.purpose).where(
                    Outbox.ticket_id == target.ticket_id, col(Outbox.id) > w.mark
                )
            ).all()
        )


def status_is(expected: str, department: str | None = None) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        ticket = _ticket(w, target)
        if ticket.status != expected:
            return f"status {ticket.status!r}, expected {expected!r}; answers {texts}"
        if department is not None:
            with transaction(w.engine) as session:
                held_by = session.get(Department, ticket.department_id)
                if held_by is None or held_by.code != department:
                    return f"department {held_by and held_by.code}, expected {department}"
        return None

    return check


def posted(purpose: str) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        purposes = _new_purposes(w, target)
        return None if purpose in purposes else f"no {purpose!r} row; new rows {purposes}"

    return check


def shows(*fragments: str, number: bool = False) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        joined = "\n".join(texts)
        wanted = [*fragments, *([target.number] if number else [])]
        missing = [f for f in wanted if f not in joined]
        return f"missing {missing} in {texts}" if missing else None

    return check


def awaiting(expected: Callable[[Target], Awaiting | None]) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        assert target.owner is not None
        with transaction(w.engine) as session:
            state = conversation.awaiting(reporter(session, target.owner))
        want = expected(target)
        return None if state == want else f"awaiting {state!r}, expected {want!r}"

    return check


def draft_step(expected: Step) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        assert target.owner is not None
        with transaction(w.engine) as session:
            draft = session.get(Draft, reporter(session, target.owner).id)
            step = draft.step if draft else None
        return None if step == expected else f"draft at {step!r}, expected {expected!r}"

    return check


def filed(w: World, target: Target, messages: list[MessageRecord], texts: list[str]) -> str | None:
    assert target.owner is not None
    with transaction(w.engine) as session:
        mine = queries.tickets.tickets_of_reporter(
            session=session, reporter_id=reporter(session, target.owner).id or 0
        )
    return None if mine else "no ticket was filed"


def bound(code: str, *, to_target: bool) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        with transaction(w.engine) as session:
            department = queries.zone.get_department_by_code(session=session, code=code)
            assert department is not None
            chat = department.chat_id
        want = target.group.id if to_target and target.group else None
        return None if chat == want else f"{code} bound to {chat}, expected {want}"

    return check


def sends_document(
    w: World, target: Target, messages: list[MessageRecord], texts: list[str]
) -> str | None:
    return None if any(m.document for m in messages) else f"no workbook; got {texts}"


def blocked(expected: bool) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        assert target.owner is not None
        with transaction(w.engine) as session:
            now = reporter(session, target.owner).blocked_at is not None
        return None if now == expected else f"blocked: {now}, expected {expected}; {texts}"

    return check


def already_blocked(person: str) -> Prepare:
    def prepare(w: World, s: Session, i: int) -> Target:
        target = own_ticket(person)(w, s, i)
        assert target.owner is not None
        filer = reporter(s, target.owner)
        filer.blocked_at, filer.blocked_by = utcnow(), w.scene.admin.id
        s.add(filer)
        return target

    return prepare


def both(*checks: Check) -> Check:
    def check(
        w: World, target: Target, messages: list[MessageRecord], texts: list[str]
    ) -> str | None:
        return next((p for c in checks if (p := c(w, target, messages, texts))), None)

    return check


# --- the actions ---------------------------------------------------------------------------------


def press(home: str, prepare: Prepare, data: Callable[[Target], str], succeeded: Check) -> Spec:
    return Spec("press", home, prepare, data, succeeded)


def card(action: str) -> Callable[[Target], str]:
    return lambda t: cb.make(cb.STAFF, t.ticket_id or 0, action)


def answer_to(purpose: str, prepare: Prepare, succeeded: Check, home: str = "dept") -> Spec:
    return Spec("reply", home, prepare, lambda t: "请尽快补充相关材料，谢谢。", succeeded, purpose)


def command(
    text_of: Callable[[Target], str], prepare: Prepare, succeeded: Check, home: str = "dept"
) -> Spec:
    return Spec("command", home, prepare, text_of, succeeded)


SPECS: dict[str, Spec] = {
    "st:accept": press("dept", assigned, card("accept"), status_is("accepted")),
    "st:ask_info": press("dept", accepted, card("ask_info"), posted("ask_question")),
    "st:transfer": press("dept", accepted, card("transfer"), posted("transfer_reasons")),
    "st:extension": press("dept", accepted, card("extension"), posted("extension_days")),
    "st:resolve": press("dept", accepted, card("resolve"), posted("ask_resolution")),
    "tr:not_ours": press(
        "dept",
        accepted,
        lambda t: cb.make(cb.TRANSFER_REASON, t.ticket_id or 0, "not_ours"),
        status_is("transfer_requested"),
    ),
    "tr:other": press(
        "dept",
        accepted,
        lambda t: cb.make(cb.TRANSFER_REASON, t.ticket_id or 0, "other"),
        posted("ask_transfer_reason"),
    ),
    "ex:3": press(
        "dept",
        accepted,
        lambda t: cb.make(cb.EXTENSION_DAYS, t.ticket_id or 0, 3),
        posted("ask_extension_reason"),
    ),
    "as:econ": press(
        "dispatch",
        unrouted,
        lambda t: cb.make(cb.ASSIGN, t.ticket_id or 0, "econ"),
        status_is("assigned", "econ"),
    ),
    "dt:tax": press(
        "dispatch",
        transfer_requested,
        lambda t: cb.make(cb.TRANSFER_TO, t.request_id or 0, "tax"),
        status_is("assigned", "tax"),
    ),
    "dd:approve": press(
        "dispatch",
        extension_requested,
        lambda t: cb.make(cb.DECIDE, t.request_id or 0, "approve"),
        both(status_is("accepted"), posted("extension")),
    ),
    "dd:reject": press(
        "dispatch",
        transfer_requested,
        lambda t: cb.make(cb.DECIDE, t.request_id or 0, "reject"),
        posted("ask_reject_reason"),
    ),
    "cg:lead": press(
        "dispatch",
        linked,
        lambda t: cb.make(cb.COMMON, t.common_group_id or 0, "econ"),
        leads("econ"),
    ),
    "t:open": press(
        "private",
        assigned,
        lambda t: cb.make(cb.OPEN_TICKET, t.ticket_id or 0),
        shows(DESCRIPTION[:8], number=True),
    ),
    "w:withdraw": press(
        "private",
        assigned,
        lambda t: cb.make(cb.WITHDRAW, t.ticket_id or 0),
        shows(number=True),
    ),
    "wy:withdraw": press(
        "private",
        assigned,
        lambda t: cb.make(cb.WITHDRAW_CONFIRM, t.ticket_id or 0),
        status_is("withdrawn"),
    ),
    "ai:add_info": press(
        "private",
        own_ticket("adds_info"),
        lambda t: cb.make(cb.ADD_INFO, t.ticket_id or 0),
        awaiting(lambda t: AddingInfo(ticket_id=t.ticket_id or 0)),
    ),
    "ad:done": press(
        "private",
        own_ticket("done_adding", lambda ticket: AddingInfo(ticket_id=ticket.id or 0, count=1)),
        lambda t: cb.make(cb.ADD_INFO_DONE),
        awaiting(lambda t: None),
    ),
    "rt:rate": press(
        "private",
        resolved,
        lambda t: cb.make(cb.RATE, t.ticket_id or 0, 4),
        status_is("closed"),
    ),
    "nw:split_off": press(
        "private",
        loose_addition,
        lambda t: cb.make(cb.SPLIT_OFF, t.message_id or 0),
        taken_out,
    ),
    "c:category": press(
        "private",
        draft_at("picks_category", Step.CATEGORY),
        lambda t: cb.make(cb.CATEGORY, "policy"),
        draft_step(Step.DESCRIPTION),
    ),
    "dn:description_done": press(
        "private",
        draft_at("described", Step.DESCRIPTION, category="policy", description=DESCRIPTION),
        lambda t: cb.make(cb.DESCRIPTION_DONE),
        draft_step(Step.COMPANY),
    ),
    "rp:reuse_profile": press(
        "private",
        draft_at("returns", Step.COMPANY, category="policy", description=DESCRIPTION),
        lambda t: cb.make(cb.REUSE_PROFILE),
        draft_step(Step.CONSENT),
    ),
    "su:skip_uscc": press(
        "private",
        draft_at(
            "skips_uscc",
            Step.USCC,
            category="policy",
            description=DESCRIPTION,
            company=FULL_DRAFT["company"],
        ),
        lambda t: cb.make(cb.SKIP_USCC),
        draft_step(Step.CONTACT_NAME),
    ),
    "v:visibility": press(
        "private",
        draft_at("consents", Step.CONSENT, **{**FULL_DRAFT, "kind": "complaint"}),
        lambda t: cb.make(cb.VISIBILITY, "all"),
        draft_step(Step.CONFIRM),
    ),
    "cf:submit": press(
        "private",
        draft_at("confirms", Step.CONFIRM, **{**FULL_DRAFT, "visibility": "company"}),
        lambda t: cb.make(cb.CONFIRM, "submit"),
        filed,
    ),
    # Replies: prepared with a history (see _replies_with_history), answered in each place.
    "reply:card": answer_to("card", nothing, posted("relay")),
    "reply:ask_question": answer_to("ask_question", nothing, status_is("waiting_info")),
    "reply:ask_resolution": answer_to("ask_resolution", nothing, status_is("resolved")),
    "reply:ask_transfer_reason": answer_to(
        "ask_transfer_reason", nothing, status_is("transfer_requested")
    ),
    "reply:ask_extension_reason": answer_to(
        "ask_extension_reason", nothing, status_is("extension_requested")
    ),
    "reply:ask_reject_reason": answer_to(
        "ask_reject_reason", nothing, status_is("accepted"), home="dispatch"
    ),
    "/bind": command(
        lambda t: "/bind planning", in_group("bind_here"), bound("planning", to_target=True)
    ),
    "/unbind": command(
        lambda t: "/unbind", in_group("unbind_here"), bound("natres", to_target=False)
    ),
    "/departments": command(lambda t: "/departments", nothing, shows("绑定的群", "econ")),
    "/assign": command(
        lambda t: f"/assign {t.number} econ",
        unrouted,
        status_is("assigned", "econ"),
        home="dispatch",
    ),
    "/ticket": command(lambda t: f"/ticket {t.number}", assigned, shows("审计记录", number=True)),
    "/summary": command(lambda t: "/summary", nothing, sends_document),
    "/block": command(
        lambda t: f"/block {t.number} 反复发送无关内容",
        own_ticket("gets_blocked"),
        blocked(True),
    ),
    "/unblock": command(
        lambda t: f"/unblock {t.number}", already_blocked("gets_unblocked"), blocked(False)
    ),
}

REPLY_PROMPTS = {
    "card": None,
    "ask_question": "ask_info",
    "ask_resolution": "resolve",
    "ask_transfer_reason": "transfer_other",
    "ask_extension_reason": "extension_reason",
}


# --- the scene -----------------------------------------------------------------------------------


@contextmanager
def module_database(backend: str, folder: Path) -> Iterator[str]:
    """Like tests/conftest.py's db_url, for one scene shared by a whole module."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'desk.db'}"
        return
    problem = _postgres_problem()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"{problem} (required: DIANXIAOER_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    # Unique across test workers and concurrent runs on the same server (a counter and an
    # address repeat from one process to the next).
    schema = f"matrix_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


PRIVATE_PEOPLE = (
    "owner",
    "other_ent",
    "stranger",
    "adds_info",
    "done_adding",
    "splits_off",
    "picks_category",
    "described",
    "returns",
    "skips_uscc",
    "consents",
    "confirms",
    "gets_blocked",
    "gets_unblocked",
)


def without_flood_limits(scene: Scene) -> None:
    """The matrix posts hundreds of messages into a few groups within seconds; Telegram's
    20 a minute per group, which the desk's rate limiter keeps, would make that minutes."""
    scene.application.bot._rate_limiter = None


#: How long building the world may wait for its bulk of sends to go out.
BULK_SETTLE_SECONDS = 60.0


# Each backend's scene is built once, on one test worker (xdist_group), as without xdist.
# On PostgreSQL the matrix is a story like the others there: slow, left to the full run.
@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[
        pytest.param("sqlite", marks=pytest.mark.xdist_group("authorization-matrix-sqlite")),
        pytest.param(
            "postgres",
            marks=[pytest.mark.xdist_group("authorization-matrix-postgres"), pytest.mark.slow],
        ),
    ],
)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    folder = tmp_path_factory.mktemp(f"matrix-{request.param}")
    with module_database(request.param, folder) as url:
        zone = load_settings(None, environ={})
        # Its tickets share one description: linking them (同类诉求) is not what it tests.
        zone = zone.model_copy(
            update={"common": zone.common.model_copy(update={"auto_link": False})}
        )
        async with desk_on_emulator(zone, database_url=url) as scene:
            job_queue = scene.application.job_queue
            assert job_queue is not None
            for job in job_queue.jobs():  # no chaser run may change anything mid-comparison
                job.enabled = False
            without_flood_limits(scene)
            yield await _build(scene)


async def _build(scene: Scene) -> World:
    emulator, admin = scene.emulator, scene.admin

    def group(title: str, *members: Person) -> Chat:
        chat = emulator.add_group(title, members=[admin], supergroup=True)
        for person in members:
            emulator.add_member(chat.id, person.user)
        return chat

    people = {name: scene.person(name) for name in PRIVATE_PEOPLE}
    people |= {
        "visitor": scene.person("路过的访客"),
        "left": scene.person("已退群的科员"),
        "muted": scene.person("被禁言的科员"),
        "staff": scene.person("张科员"),
        "tax_staff": scene.person("税务局小王"),
        "old_member": scene.person("旧群成员"),
        "dispatcher": scene.person("陈科长"),
    }
    anon = emulator.add_user("Group", user_id=ANONYMOUS_ADMIN_ID, username="GroupAnonymousBot")
    anon.is_bot = True
    chats = {
        "dispatch": group("营商环境办 督办群", people["dispatcher"]),
        "unbound": group("经济发展局 旧工单群", people["old_member"]),
        "other": group("税务局 工单群", people["tax_staff"]),
        "dept": group("经济发展局 工单群", people["staff"]),
        "bind_here": group("规划建设局 新群"),
        "unbind_here": group("自然资源分局 工单群"),
    }
    for name in ("dispatch", "dept"):
        emulator.add_member(chats[name].id, anon)
        # Public groups whose visitors may write: anyone can see the cards and act on them.
        chat = emulator.chat(chats[name].id)
        chat.username, chat.join_to_send = f"matrix_{name}_{chat.id % 10**6}", False
        for person in ("left", "muted"):
            emulator.add_member(chat.id, people[person].user)
        emulator.member_leaves(chat.id, people["left"].user)
        emulator.restrict_member(chat.id, people["muted"].user, by=admin)
    world = World(scene, chats, people, anon)

    # econ works in its old group first; the others are bound for good.
    for code, name in (
        ("bizenv", "dispatch"),
        ("econ", "unbound"),
        ("tax", "other"),
        ("natres", "unbind_here"),
    ):
        emulator.user_sends_text(admin, chats[name].id, f"/bind {code}")
    for name in (*PRIVATE_PEOPLE, "visitor", "left", "muted", "tax_staff"):
        emulator.user_sends_text(people[name].user, people[name].chat_id, "/help")
    emulator.user_sends_text(admin, admin.id, "/help")
    await scene.settle()
    with transaction(world.engine) as session:
        for person in people.values():
            reporter(session, person)
        reporter(session, Person(scene, anon))
        reporter(session, Person(scene, admin))
        new_ticket(world, session, people["other_ent"])

    replies = await _replies_with_history(world)
    with transaction(world.engine) as session:
        for action, row in ROWS.items():
            spec = SPECS[action]
            if action in replies:
                world.targets[action] = [replies[action]]
                continue
            world.targets[action] = [
                spec.prepare(world, session, i) for i in range(max(1, len(row.allowed)))
            ]
    scene.desk.kick_sender()
    # Hundreds of targets' cards and messages go out here at once: on a loaded machine
    # (PostgreSQL, other test workers) draining them takes longer than one action's wait.
    await scene.settle(timeout=BULK_SETTLE_SECONDS)
    _find_reply_targets(world)
    with transaction(world.engine) as session:
        unsent = [(r.purpose, r.status) for r in session.exec(select(Outbox)) if r.status != "sent"]
    assert not unsent, f"the matrix must start with nothing left to send: {unsent}"
    return world


async def _replies_with_history(w: World) -> dict[str, Target]:
    """Tickets with cards and questions in three groups: econ's old group (now unbound), tax's
    group (which handed it back) and econ's current group, where it is now."""
    scene, admin = w.scene, w.scene.admin
    owner = w.people["owner"]
    admin_actor = Actor(admin.id, admin.first_name, admin.id, None)
    purposes = [s.answers for a, s in SPECS.items() if a.startswith("reply:") and s.home == "dept"]
    made: dict[str, int] = {}

    def work_here(session: Session, ticket: Ticket, who: str, place: str, purpose: str) -> None:
        actor = w.actor(who, place)
        staff.accept(session=session, settings=w.settings, ticket=ticket, actor=actor, now=utcnow())
        how = REPLY_PROMPTS[purpose]
        if how in ("ask_info", "resolve"):
            staff.prompt(
                session=session,
                settings=w.settings,
                ticket=ticket,
                actor=actor,
                action=how,
                now=utcnow(),
            )
        elif how is not None:
            group_replies.ask_for_text(
                session=session,
                settings=w.settings,
                ticket=ticket,
                actor=actor,
                purpose=Purpose(purpose),
                meta={"days": 3} if how == "extension_reason" else {},
                now=utcnow(),
            )

    def hand_on(session: Session, ticket: Ticket, who: str, place: str, to: str) -> None:
        request = staff.request_transfer(
            session=session,
            settings=w.settings,
            ticket=ticket,
            actor=w.actor(who, place),
            reason_code="not_ours",
            reason_text=None,
            now=utcnow(),
        )
        decisions.approve_transfer(
            session=session,
            settings=w.settings,
            request_id=request.id,
            department_code=to,
            actor=admin_actor,
            now=utcnow(),
        )

    with transaction(w.engine) as session:
        for purpose in purposes:
            ticket = new_ticket(w, session, owner)
            made[purpose] = ticket.id or 0
            work_here(session, ticket, "old_member", "unbound", purpose)
            hand_on(session, ticket, "old_member", "unbound", "tax")
            work_here(session, ticket, "tax_staff", "other", purpose)
    scene.desk.kick_sender()
    # econ moves to its new group: the old one is bound to nothing from now on.
    await scene.settle()
    scene.emulator.user_sends_text(admin, w.chats["dept"].id, "/bind econ")
    await scene.settle()
    targets: dict[str, Target] = {}
    with transaction(w.engine) as session:
        for purpose, ticket_id in made.items():
            handled = session.get(Ticket, ticket_id)
            assert handled is not None
            hand_on(session, handled, "tax_staff", "other", "econ")
            work_here(session, handled, "staff", "dept", purpose)
            targets[f"reply:{purpose}"] = target_of(handled, owner)
        # The dispatcher asked for a reason to reject econ's transfer request.
        rejected = transfer_requested(w, session, 0)
        decisions.ask_reject_reason(
            session=session,
            settings=w.settings,
            request_id=rejected.request_id,
            actor=w.actor("dispatcher", "dispatch"),
            now=utcnow(),
        )
        targets["reply:ask_reject_reason"] = rejected
    return targets


def _find_reply_targets(w: World) -> None:
    """The message ids, in each place, of the desk messages the replies answer."""
    with transaction(w.engine) as session:
        for action, spec in SPECS.items():
            if spec.kind != "reply":
                continue
            [target] = w.targets[action]
            for place, chat in w.chats.items():
                message_id = session.exec(
                    select(Outbox.telegram_message_id)
                    .where(
                        Outbox.ticket_id == target.ticket_id,
                        Outbox.chat_id == chat.id,
                        Outbox.purpose == spec.answers,
                    )
                    .order_by(col(Outbox.id).desc())
                ).first()
                if message_id is not None:
                    target.reply_to[place] = message_id


# --- acting --------------------------------------------------------------------------------------


@dataclass
class Attempt:
    actor: str
    chat_id: int
    seen: int  # the bot's messages in the chat before the attempt
    query_id: str | None = None
    message_id: int | None = None  # the message a reply attempt sent


def place_of(w: World, spec: Spec, actor: str, target: Target) -> tuple[User, Chat | int]:
    """Who acts, and in which chat (see the docstring)."""
    p = w.people
    home = "dispatch" if spec.home == "dispatch" else "dept"
    if actor in ("owner", "other_ent", "stranger"):
        person = target.owner if actor == "owner" and target.owner else p[actor]
        return person.user, person.chat_id
    if actor == "admin":
        chat = target.group if spec.kind == "command" and target.group else None
        return w.scene.admin, chat or w.scene.admin.id
    if actor == "staff":
        return (p["dispatcher"] if home == "dispatch" else p["staff"]).user, w.chats[home]
    if actor == "other_staff":
        if home == "dispatch":
            return p["staff"].user, w.chats["dept"]
        return p["tax_staff"].user, w.chats["other"]
    if actor == "unbound":
        return p["old_member"].user, w.chats["unbound"]
    if actor in OUTSIDE_MEMBERSHIP:
        person = p["tax_staff" if actor == "elsewhere" else actor]
        if spec.home == "private" or spec.kind == "command":
            return person.user, person.chat_id
        return person.user, w.chats[home]
    assert actor == "anonymous"
    return w.anon, w.chats[home]


def _chat_id(chat: Chat | int) -> int:
    return chat.id if isinstance(chat, Chat) else chat


def _place_name(w: World, chat_id: int) -> str:
    return next((name for name, chat in w.chats.items() if chat.id == chat_id), "private")


_raw_ids = itertools.count(900_000)


def _anonymous_message(w: World, chat: Chat, text: str, reply_to: int | None) -> None:
    """What Telegram sends when an anonymous admin posts: from GroupAnonymousBot, sender_chat."""
    message: dict[str, Any] = {
        "message_id": next(_raw_ids),
        "date": 0,
        "chat": chat.to_api(),
        "from": w.anon.to_api(),
        "sender_chat": chat.to_api(),
        "text": text,
    }
    if entities := find_bot_commands(text):
        message["entities"] = entities
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": 0,
            "chat": chat.to_api(),
            "from": w.scene.emulator.bot.to_api(),
            "text": "…",
        }
    w.scene.emulator.deliver_raw_update({"message": message})


def attempt(w: World, spec: Spec, actor: str, target: Target) -> Attempt:
    emulator = w.scene.emulator
    user, where = place_of(w, spec, actor, target)
    chat_id = _chat_id(where)
    done = Attempt(actor, chat_id, len(emulator.bot_messages(chat_id)))
    payload = spec.perform(target)
    if spec.kind == "press":
        candidates = emulator.bot_messages(chat_id) or emulator.messages(chat_id)
        with_button = [m for m in candidates if payload in {b.callback_data for b in m.buttons}]
        message = (with_button or candidates)[-1]
        query = emulator.user_presses(user, chat_id, message.message_id, payload, forge=True)
        done.query_id = query["id"]
        return done
    reply_to = None
    if spec.kind == "reply":
        reply_to = target.reply_to[_place_name(w, chat_id)]
    if user is w.anon:
        assert isinstance(where, Chat)
        _anonymous_message(w, where, payload, reply_to)
    elif actor == "muted" and spec.kind == "reply":
        # No client lets a muted member post: this one was muted right after sending,
        # before the desk read the message (nothing awaits in between).
        emulator.restrict_member(chat_id, user, by=w.scene.admin, can_send_messages=True)
        sent = emulator.user_sends_text(user, chat_id, payload, reply_to=reply_to)
        emulator.restrict_member(chat_id, user, by=w.scene.admin)
        done.message_id = sent["message_id"]
    else:
        sent = emulator.user_sends_text(user, chat_id, payload, reply_to=reply_to)
        done.message_id = sent["message_id"]
    return done


def outcome(w: World, done: Attempt) -> tuple[list[MessageRecord], list[str], str | None]:
    """What the actor saw: the bot's new messages in the chat, and the button's alert."""
    emulator = w.scene.emulator
    messages = emulator.bot_messages(done.chat_id)[done.seen :]
    alert = None
    if done.query_id is not None:
        answers = [a for a in emulator.callback_answers if a.callback_query_id == done.query_id]
        assert answers, f"{done.actor}: the button press was never answered"
        alert = answers[-1].text if answers[-1].show_alert else None
    texts = [m.content for m in messages] + ([alert] if alert else [])
    return messages, texts, alert


REFUSALS = texts_for("zh").staff_refusals


def _told(w: World, done: Attempt, texts: list[str]) -> list[str]:
    """What this attempt was answered: its alert, or the desk's replies to its message."""
    if done.message_id is None:
        return texts
    return [
        m.content
        for m in w.scene.emulator.bot_messages(done.chat_id)
        if m.reply_to_message_id == done.message_id
    ]


def _private_of(w: World, actor: str) -> int:
    return w.people["tax_staff" if actor == "elsewhere" else actor].chat_id


def edits_in(w: World) -> dict[tuple[int, int], tuple[int, str]]:
    """Every desk message in the groups, with its edit count and text (are cards unchanged?)."""
    return {
        (chat.id, m.message_id): (m.edit_count, m.text or "")
        for chat in w.chats.values()
        for m in w.scene.emulator.bot_messages(chat.id)
    }


# --- comparing the database ----------------------------------------------------------------------

UNCOMPARED = {ProcessedUpdate.__table__.name}  # type: ignore[attr-defined]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in UNCOMPARED:
                continue
            query = table.select().order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in connection.execute(query)]
    return tables


def differences(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> str:
    lines = []
    for name, rows in after.items():
        old = before.get(name, [])
        if rows != old:
            added = [r for r in rows if r not in old][:3]
            removed = [r for r in old if r not in rows][:3]
            lines.append(f"{name}: +{added} -{removed}")
    return "\n".join(lines)


# --- the matrix ----------------------------------------------------------------------------------


def test_the_matrix_covers_every_button_and_admin_command() -> None:
    prefixes = {
        value
        for name, value in vars(cb).items()
        if name.isupper() and isinstance(value, str) and name != "MAX_BYTES"
    }
    in_table = {a.split(":")[0] for a in ROWS if not a.startswith(("reply:", "/"))}
    assert in_table | SELF_SERVICE == prefixes
    assert set(ROWS) == set(SPECS)
    assert {a for a in ROWS if a.startswith("/")} == {f"/{name}" for name in menus.ADMIN}
    cells = [c for row in ROWS.values() for c in row.cells.values() if c != "-"]
    assert len(cells) == 454 and cells.count("Y") == 45


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("action", list(ROWS))
async def test_who_may(world: World, action: str) -> None:
    row, spec, targets = ROWS[action], SPECS[action], world.targets[action]
    scene = world.scene

    # Everyone who may not, at once: each is told so, and nothing changes.
    before = snapshot(world.engine)
    cards_before = edits_in(world)
    tried = [attempt(world, spec, actor, targets[0]) for actor in row.refused]
    await scene.settle()
    assert not scene.emulator.internal_errors
    changed = differences(before, snapshot(world.engine))
    assert not changed, f"{action}: a refused attempt changed the database:\n{changed}"
    for chat_id in {t.chat_id for t in tried}:
        here = [t for t in tried if t.chat_id == chat_id]
        messages = scene.emulator.bot_messages(chat_id)[min(t.seen for t in here) :]
        alerted = [t for t in here if outcome(world, t)[2]]
        assert len(messages) >= len(here) - len(alerted), (
            f"{action}: {[t.actor for t in here]} were not all answered in {chat_id}"
        )
        for message in messages:
            assert message.content.strip(), f"{action}: an empty answer to {here[0].actor}"
    for done in tried:
        _, texts, _ = outcome(world, done)
        assert all("Traceback" not in t for t in texts)
        outsider = done.actor in ("other_ent", "stranger") or (
            done.actor in ("other_staff", "unbound") and spec.kind != "reply"
        )
        if outsider and targets[0].number:
            assert all(targets[0].number not in t for t in texts), (
                f"{action}: the refusal to {done.actor} names the ticket: {texts}"
            )
        if done.actor in OUTSIDE_MEMBERSHIP and done.chat_id != _private_of(world, done.actor):
            code = "muted" if done.actor == "muted" else "not_member"
            told = _told(world, done, texts)
            assert told == [REFUSALS[code]], f"{action}: {done.actor} was told {told}"
    cards_after = {key: v for key, v in edits_in(world).items() if key in cards_before}
    assert cards_after == cards_before, f"{action}: a refused attempt edited a desk message"

    # Everyone who may: each on a ticket of its own, and each gets what it asked for.
    with transaction(world.engine) as session:
        world.mark = session.exec(select(Outbox.id).order_by(col(Outbox.id).desc())).first() or 0
    allowed = [attempt(world, spec, actor, targets[i]) for i, actor in enumerate(row.allowed)]
    await scene.settle()
    for done, target in zip(allowed, targets, strict=True):
        messages, texts, alert = outcome(world, done)
        problem = spec.succeeded(world, target, messages, texts)
        assert problem is None, f"{action} by {done.actor}: {problem}"
        assert alert is None, f"{action} by {done.actor} was refused: {alert}"
