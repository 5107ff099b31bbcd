"""同类诉求 and 共性问题: similar tickets of different enterprises linked into one group,
answered together, and raised to the dispatcher when the group grows (docs/common-problems.md).

- :func:`link_on_filing` — at filing, the most similar recent ticket of another enterprise
  (bot/core/similar.py) above ``[common] threshold``: the new ticket joins its group, or
  the two start one. Sibling cards are edited only when the group reaches 2, 3, 5, 10,
  20 … enterprises (:data:`REFRESH_AT`), one edit per card: otherwise a complaint filed
  by thirty enterprises would be an edit storm against Telegram's per-group limit. Cards
  edited for any other reason show the group as it is then. Nothing is said to any
  enterprise.
- :func:`link` / :func:`unlink` — staff correct the desk; the ticket is marked
  ``common_manual`` and never linked by the desk again.
- :func:`answer_together` — 一并答复: a department's one answer becomes a reply on every
  open ticket of the group it handles, each through ``staff.reply`` (its own event,
  clocks, message to its enterprise in the enterprise's language).
- :func:`maybe_raise` — K enterprises within D days: one 共性问题 notice to the dispatcher
  with the proposed lead (牵头); :func:`confirm_lead` records the choice.
- :func:`similar_own_ticket` — an enterprise about to file what it already filed is
  offered to add to that ticket instead (bot/core/intake.py).

Identities never cross: cards show the other members' numbers and statuses, the
dispatcher's notice and ``CommonGroup.summary`` carry no company, contact or phone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlmodel import Session

from bot.config import Settings
from bot.core import notices, permissions, similar, staff
from bot.core.lifecycle import ACCEPTS_INFO, RELAYS_STAFF_REPLIES, Action, Status
from bot.core.notices import Buttons, Keys, RefreshCard, ToChat, ToDispatcher, UnderCard, say
from bot.core.permissions import Act, Actor, Refused
from bot.core.screens import Label
from bot.core.transition import SYSTEM, Who, transition
from storage import queries
from storage.models import CommonGroup, Department, Purpose, Ticket
from storage.queries.common_groups import GroupMember

#: A group's member, whole (to act on) or as a card shows it.
_Member = TypeVar("_Member", Ticket, GroupMember)

#: Enterprise counts at which every member's card is edited to show the group (one edit
#: per card): when the group forms (the first card learns it has company), and then rarely.
#: A group raised as a 共性问题 has its cards edited once more then (:func:`maybe_raise`).
#: In between, a card shows the group at its next edit (staff act on it, the chaser).
#: Telegram lets a bot post about 20 messages a minute in a group: thirty enterprises
#: filing one complaint must not turn into hundreds of edits (tests/faults/test_flood_control).
REFRESH_AT = frozenset({2, 20, 50, 100, 200, 500})
#: How many of the other members a card lists by number (the count is always whole).
CARD_LISTS = 10
SUMMARY_CHARS = 80
#: How many of the most similar tickets are looked at (the best of the same department wins).
SEARCHED = 50
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)|0\d{2,3}-?\d{7,8}")
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_MAIL = re.compile(r"\S+@\S+\.\w+")


# --- linking ----------------------------------------------------------------------------------


def linkable(ticket: Ticket) -> bool:
    """Conduct complaints are never grouped (their department must never learn of them);
    withdrawn tickets are not a problem anyone waits on."""
    return not ticket.conduct and ticket.status != Status.WITHDRAWN


def department_key(session: Session, ticket: Ticket) -> str | None:
    """Which department a ticket's problem belongs to, for comparing: the department
    handling it, or while unrouted the routing model's first choice (None: neither)."""
    if ticket.department_id is not None:
        department = queries.zone.get_department(
            session=session, department_id=ticket.department_id
        )
        if department is not None and department.role in queries.zone.HANDLING_ROLES:
            return department.code
    return str(ticket.route_top[0][0]) if ticket.route_top else None


def link_on_filing(
    *, session: Session, settings: Settings, ticket: Ticket, now: datetime
) -> CommonGroup | None:
    """Link a ticket just filed to the most similar recent ticket of another enterprise
    whose problem belongs to the same department and, if that ticket is in a group, to
    whose group as a whole the ticket reads alike (measured: the department halves the
    false links among tickets that read alike, the group's mean keeps distractors out,
    docs/common-problems.md)."""
    if not settings.common.auto_link or not linkable(ticket) or ticket.id is None:
        return None
    index = similar.index_for(session=session, settings=settings, now=now, below_id=ticket.id)
    hits = index.search(
        ticket.description,
        since=now - timedelta(days=settings.common.window_days),
        threshold=settings.common.threshold,
        other_than_reporter=ticket.reporter_id,
        exclude=frozenset({ticket.id}),
        limit=SEARCHED,
    )
    found = {
        t.id: t
        for t in queries.common_groups.tickets_by_ids(
            session=session, ticket_ids=[h.ticket_id for h in hits]
        )
    }
    key = department_key(session, ticket)
    unlike: set[int] = set()  # groups the ticket does not read like (checked once each)
    for hit in hits:
        best = found.get(hit.ticket_id)
        if best is None or not linkable(best) or department_key(session, best) != key:
            continue
        if best.common_manual and best.common_group_id is None:
            continue  # staff took it out of a group: the desk does not put it back
        if best.common_group_id is not None and (
            best.common_group_id in unlike
            or not _reads_like_group(
                session, settings, index, ticket.description, best.common_group_id
            )
        ):
            unlike.add(best.common_group_id)
            continue
        group = _group_of(session, settings, best, now, manual=False)
        _join(
            session, settings, ticket, group, now, SYSTEM, with_number=best.number, score=hit.score
        )
        if not maybe_raise(session=session, settings=settings, group=group, now=now, joined=ticket):
            _refresh_siblings(session, settings, group, ticket, now)
        return group
    return None


def _reads_like_group(
    session: Session,
    settings: Settings,
    index: similar.SimilarIndex,
    text: str,
    group_id: int,
) -> bool:
    """Whether a text is similar to a group as a whole: its mean similarity to the group's
    indexed members is at or above the threshold too. One member read alike is not enough:
    measured on the tuning split, this keeps a distractor that shares one member's place or
    window out of the group, and so a lower threshold finds more (docs/common-problems.md)."""
    ids = [m.id for m in queries.common_groups.member_facts(session=session, group_id=group_id)]
    mean = index.mean_score(text, ids)
    return mean is None or mean >= settings.common.threshold


def _group_of(
    session: Session, settings: Settings, ticket: Ticket, now: datetime, *, manual: bool
) -> CommonGroup:
    """The ticket's group, or a new one it starts (its first member)."""
    if ticket.common_group_id is not None:
        group = queries.common_groups.get_group(session=session, group_id=ticket.common_group_id)
        assert group is not None
        return group
    group = queries.common_groups.add_group(
        session=session,
        group=CommonGroup(
            summary=summary_of(ticket.description, [ticket]),
            created_at=now,
            updated_at=now,
        ),
    )
    assert group.id is not None
    ticket.common_group_id = group.id
    ticket.common_manual = ticket.common_manual or manual
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.LINK_COMMON,
        who=SYSTEM,
        now=now,
        detail={"group": group.id, "first": True},
    )
    return group


def _join(
    session: Session,
    settings: Settings,
    ticket: Ticket,
    group: CommonGroup,
    now: datetime,
    who: Who,
    *,
    with_number: str,
    score: float | None = None,
) -> None:
    assert group.id is not None
    ticket.common_group_id = group.id
    group.updated_at = now
    session.add(group)
    detail: dict[str, object] = {"group": group.id, "with": with_number}
    if score is not None:
        detail["score"] = round(score, 3)
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.LINK_COMMON,
        who=who,
        now=now,
        detail=detail,
    )


def enterprises(members: Sequence[_Member]) -> int:
    return len({m.reporter_id for m in members if m.status != Status.WITHDRAWN})


def _refresh_siblings(
    session: Session, settings: Settings, group: CommonGroup, joined: Ticket, now: datetime
) -> None:
    """Edit the other members' cards when the group reaches a count worth showing."""
    assert group.id is not None
    # Counted from the members' facts: in a burst most filings change no sibling's card.
    facts = queries.common_groups.member_facts(session=session, group_id=group.id)
    if enterprises(facts) not in REFRESH_AT:
        return
    for member in queries.common_groups.members(session=session, group_id=group.id):
        if member.id != joined.id and member.status != Status.WITHDRAWN:
            notices.post(RefreshCard(member, now=now), session=session, settings=settings)


def summary_of(text: str, members: list[Ticket]) -> str:
    """The problem in a few words for the dispatcher and leadership: the first complaint,
    cut short, with every member's company, contact, phone and credit code taken out (and
    anything shaped like a phone number, a credit code or an e-mail address)."""
    names = sorted(
        {
            value.strip()
            for m in members
            for value in (m.company_name, m.contact_name, m.phone, m.uscc or "")
            if value and len(value.strip()) >= 2
        },
        key=len,
        reverse=True,
    )
    for name in names:
        text = text.replace(name, "＊＊")
    text = _PHONE.sub("＊＊", text)
    text = _USCC.sub("＊＊", text)
    text = _MAIL.sub("＊＊", text)
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


# --- what a card shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class CardGroup:
    """A ticket's group as its card shows it: other members by number and status only."""

    enterprises: int  # other enterprises in the group
    others: tuple[tuple[str, str], ...]  # (number, status), oldest first
    raised: bool
    lead: Label | None  # the confirmed lead department
    leads: bool  # this card's department leads
    together: int  # open tickets of the group this card's department can answer at once


def card_group(*, session: Session, ticket: Ticket) -> CardGroup | None:
    if ticket.common_group_id is None:
        return None
    group = queries.common_groups.get_group(session=session, group_id=ticket.common_group_id)
    if group is None:
        return None
    members = queries.common_groups.member_facts(session=session, group_id=ticket.common_group_id)
    others = [m for m in members if m.id != ticket.id and m.status != Status.WITHDRAWN]
    if not others:
        return None
    lead = (
        queries.zone.get_department(session=session, department_id=group.lead_department_id)
        if group.lead_department_id
        else None
    )
    return CardGroup(
        enterprises=len({m.reporter_id for m in others if m.reporter_id != ticket.reporter_id}),
        others=tuple((m.number, m.status) for m in others),
        raised=group.raised_at is not None,
        lead=None if lead is None else notices.name_of(lead),
        leads=lead is not None and lead.id == ticket.department_id,
        together=len(_answerable(members, ticket.department_id)),
    )


def _answerable(members: Sequence[_Member], department_id: int | None) -> list[_Member]:
    return [
        m
        for m in members
        if department_id is not None
        and m.department_id == department_id
        and Status(m.status) in RELAYS_STAFF_REPLIES
    ]


# --- staff correct the desk ---------------------------------------------------------------------


def _authorize(session: Session, settings: Settings, ticket: Ticket, actor: Actor) -> Who:
    """The dispatcher (or an admin) for any ticket; a department for its own."""
    try:
        permissions.for_dispatcher(Act.LINK_COMMON, session=session, settings=settings, actor=actor)
    except Refused:
        permissions.for_department(Act.LINK_COMMON, session=session, ticket=ticket, actor=actor)
        return Who.staff(actor)
    return Who.dispatcher(actor)


def unlink(
    *, session: Session, settings: Settings, ticket: Ticket, actor: Actor, now: datetime
) -> CommonGroup:
    """Take a ticket out of its group (it does not belong); a group left with one member
    is no group any more."""
    who = _authorize(session, settings, ticket, actor)
    if ticket.common_group_id is None:
        raise Refused("common_not_linked", ticket)
    group = queries.common_groups.get_group(session=session, group_id=ticket.common_group_id)
    assert group is not None and group.id is not None
    ticket.common_group_id = None
    ticket.common_manual = True
    transition(
        session=session,
        settings=settings,
        ticket=ticket,
        action=Action.UNLINK_COMMON,
        who=who,
        now=now,
        detail={"group": group.id},
    )
    group.updated_at = now
    session.add(group)
    session.flush()
    post = partial(notices.post, session=session, settings=settings)
    post(RefreshCard(ticket, now=now))
    left = queries.common_groups.members(session=session, group_id=group.id)
    if len(left) == 1:
        (alone,) = left
        alone.common_group_id = None
        transition(
            session=session,
            settings=settings,
            ticket=alone,
            action=Action.UNLINK_COMMON,
            who=SYSTEM,
            now=now,
            detail={"group": group.id, "alone": True},
        )
        post(RefreshCard(alone, now=now))
    elif enterprises(left) in REFRESH_AT or enterprises(left) < 2:
        for member in left:
            post(RefreshCard(member, now=now))
    return group


def link(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    target: Ticket,
    actor: Actor,
    now: datetime,
) -> CommonGroup:
    """Link ``ticket`` into ``target``'s group (started if it has none), by hand."""
    who = _authorize(session, settings, ticket, actor)
    if ticket.id == target.id:
        raise Refused("common_same", ticket)
    if not linkable(ticket) or not linkable(target):
        raise Refused("common_not_linkable", ticket)
    if ticket.reporter_id == target.reporter_id:
        raise Refused("common_same_enterprise", ticket)
    if ticket.common_group_id is not None and ticket.common_group_id == target.common_group_id:
        raise Refused("common_already", ticket)
    if ticket.common_group_id is not None:
        unlink(session=session, settings=settings, ticket=ticket, actor=actor, now=now)
    group = _group_of(session, settings, target, now, manual=True)
    ticket.common_manual = True
    _join(session, settings, ticket, group, now, who, with_number=target.number)
    session.flush()
    members = queries.common_groups.members(session=session, group_id=group.id or 0)
    post = partial(notices.post, session=session, settings=settings)
    post(RefreshCard(ticket, now=now))
    raised = maybe_raise(session=session, settings=settings, group=group, now=now, joined=ticket)
    if not raised and (enterprises(members) in REFRESH_AT or len(members) == 2):
        for member in members:
            if member.id != ticket.id:
                post(RefreshCard(member, now=now))
    return group


# --- answering together ----------------------------------------------------------------------


def ask_together(
    *, session: Session, settings: Settings, ticket: Ticket, actor: Actor, now: datetime
) -> None:
    """一并答复 pressed on a card: a ForceReply under it asks for the one answer."""
    department = permissions.for_department(
        Act.ANSWER_TOGETHER, session=session, ticket=ticket, actor=actor
    )
    targets = together_targets(session=session, ticket=ticket, department=department)
    if len(targets) < 2:
        raise Refused("common_nothing_together", ticket)
    asked = notices.post(
        UnderCard(
            ticket,
            Purpose.ASK_COMMON_REPLY,
            say(
                "ask_common_reply",
                number=ticket.number,
                count=len(targets),
                numbers="、".join(t.number for t in targets),
            ),
            Buttons(Keys.FORCE_REPLY),
        ),
        session=session,
        settings=settings,
    )
    staff.record_prompt(session=session, asked=asked, actor=actor, now=now)


def together_targets(*, session: Session, ticket: Ticket, department: Department) -> list[Ticket]:
    """The group's tickets this department may answer now: its own, open to replies."""
    if ticket.common_group_id is None:
        return []
    members = queries.common_groups.members(session=session, group_id=ticket.common_group_id)
    return _answerable(members, department.id)


def answer_together(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    actor: Actor,
    text: str,
    now: datetime,
) -> list[Ticket]:
    """One answer, a reply on every open ticket of the group the department handles."""
    department = permissions.for_department(
        Act.ANSWER_TOGETHER, session=session, ticket=ticket, actor=actor
    )
    targets = together_targets(session=session, ticket=ticket, department=department)
    if not targets:
        raise Refused("common_nothing_together", ticket)
    for target in targets:
        staff.reply(
            session=session,
            settings=settings,
            ticket=target,
            actor=actor,
            text=text,
            attachment=None,
            now=now,
        )
    notices.post(
        UnderCard(
            ticket,
            Purpose.NOTICE,
            say(
                "common_answered",
                count=len(targets),
                numbers="、".join(t.number for t in targets),
            ),
        ),
        session=session,
        settings=settings,
    )
    return targets


# --- 共性问题: raised to the dispatcher -------------------------------------------------------


def _involved(session: Session, members: list[Ticket]) -> list[Department]:
    """The departments handling the group's tickets, most tickets first."""
    counts = Counter(m.department_id for m in members if m.department_id is not None)
    found = []
    for department_id, _ in counts.most_common():
        department = queries.zone.get_department(session=session, department_id=department_id)
        if department is not None and department.role in queries.zone.HANDLING_ROLES:
            found.append(department)
    return found


def maybe_raise(
    *,
    session: Session,
    settings: Settings,
    group: CommonGroup,
    now: datetime,
    joined: Ticket | None = None,
) -> bool:
    """Tell the dispatcher once, when K enterprises reported the problem within D days;
    every member's card but ``joined``'s (posted or edited by the caller) shows it, one
    edit each."""
    if group.raised_at is not None or group.id is None:
        return False
    members = queries.common_groups.members(session=session, group_id=group.id)
    recent = [
        m
        for m in members
        if m.status != Status.WITHDRAWN
        and m.created_at >= now - timedelta(days=settings.common.raise_days)
    ]
    count = enterprises(recent)
    if count < settings.common.raise_enterprises:
        return False
    involved = _involved(session, members)
    proposed = involved[0] if involved else None
    group.raised_at = now
    group.updated_at = now
    group.summary = summary_of(members[0].description, members)
    group.proposed_lead_department_id = proposed.id if proposed else None
    session.add(group)
    options: tuple[object, ...] = (group.id, *((d.code, notices.name_of(d)) for d in involved))
    notices.post(
        ToDispatcher(
            None,
            Purpose.COMMON_PROBLEM,
            say(
                "common_raised",
                summary=group.summary,
                count=count,
                days=settings.common.raise_days,
                departments=_names(involved),
                proposed=notices.name_of(proposed) if proposed else say("common_no_department"),
                numbers="、".join(m.number for m in members if m.status != Status.WITHDRAWN),
            ),
            Buttons(Keys.COMMON_LEAD, options=options) if involved else None,
            meta={"group_id": group.id},
        ),
        session=session,
        settings=settings,
    )
    for member in members:
        if member.status != Status.WITHDRAWN and (joined is None or member.id != joined.id):
            notices.post(RefreshCard(member, now=now), session=session, settings=settings)
    return True


def _names(departments: list[Department]) -> notices.Concat:
    parts: list[object] = []
    for i, department in enumerate(departments):
        if i:
            parts.append("、")
        parts.append(notices.name_of(department))
    return notices.Concat(tuple(parts))


def confirm_lead_of_ticket(
    *,
    session: Session,
    settings: Settings,
    ticket: Ticket,
    department_code: str,
    actor: Actor,
    now: datetime,
) -> tuple[CommonGroup, Department]:
    """/lead by a member's number: the lead of the group the ticket is in (who may confirm
    is asked first, so nobody else learns whether the ticket is linked)."""
    permissions.for_dispatcher(Act.CONFIRM_LEAD, session=session, settings=settings, actor=actor)
    if ticket.common_group_id is None:
        raise Refused("common_not_linked", ticket)
    return confirm_lead(
        session=session,
        settings=settings,
        group_id=ticket.common_group_id,
        department_code=department_code,
        actor=actor,
        now=now,
    )


def confirm_lead(
    *,
    session: Session,
    settings: Settings,
    group_id: int | None,
    department_code: str,
    actor: Actor,
    now: datetime,
) -> tuple[CommonGroup, Department]:
    """The dispatcher confirms (or changes) the department that leads the group's answer."""
    permissions.for_dispatcher(Act.CONFIRM_LEAD, session=session, settings=settings, actor=actor)
    group = (
        queries.common_groups.get_group(session=session, group_id=group_id) if group_id else None
    )
    if group is None or group.id is None:
        raise Refused("stale")
    department = queries.zone.get_department_by_code(session=session, code=department_code)
    if (
        department is None
        or not department.active
        or department.role not in queries.zone.HANDLING_ROLES
    ):
        raise Refused("unknown_department")
    members = queries.common_groups.members(session=session, group_id=group.id)
    if any(m.conduct and department.code in m.route_excluded for m in members):
        raise Refused("conduct_excluded")
    if group.lead_department_id == department.id:
        return group, department
    group.lead_department_id = department.id
    group.lead_confirmed_at = now
    group.lead_confirmed_by = actor.user_id
    group.updated_at = now
    session.add(group)
    post = partial(notices.post, session=session, settings=settings)
    for member in members:
        transition(
            session=session,
            settings=settings,
            ticket=member,
            action=Action.COMMON_LEAD,
            who=Who.dispatcher(actor),
            now=now,
            detail={"group": group.id, "department": department.code},
        )
        if member.status != Status.WITHDRAWN:
            post(RefreshCard(member, now=now))
    post(
        ToChat(
            department,
            None,
            Purpose.COMMON_PROBLEM,
            say(
                "common_lead_told",
                summary=group.summary,
                count=enterprises(members),
                numbers="、".join(m.number for m in members if m.status != Status.WITHDRAWN),
            ),
        )
    )
    post(
        ToDispatcher(
            None,
            Purpose.COMMON_PROBLEM,
            say(
                "common_lead_confirmed",
                department=notices.name_of(department),
                summary=group.summary,
            ),
        )
    )
    return group, department


# --- repeat filings ----------------------------------------------------------------------------


def similar_own_ticket(
    *,
    session: Session,
    settings: Settings,
    reporter_id: int,
    text: str,
    department: str | None,
    now: datetime,
) -> Ticket | None:
    """The enterprise's own open ticket most like ``text`` (above the threshold) whose
    problem belongs to ``department`` (where the new one would be routed), if any."""
    own = [
        t
        for t in queries.common_groups.open_tickets_of_reporter(
            session=session,
            reporter_id=reporter_id,
            statuses=sorted(s.value for s in ACCEPTS_INFO if s is not Status.RESOLVED),
        )
        if not t.conduct and department_key(session, t) == department
    ]
    if not own or not text.strip():
        return None
    index = similar.index_for(session=session, settings=settings, now=now)
    scores = index.rep.similarities(text, [t.description for t in own])
    best = max(range(len(own)), key=lambda i: (scores[i], own[i].id or 0))
    return own[best] if scores[best] >= settings.common.threshold else None


__all__ = [
    "CardGroup",
    "answer_together",
    "ask_together",
    "card_group",
    "confirm_lead",
    "link",
    "link_on_filing",
    "maybe_raise",
    "similar_own_ticket",
    "summary_of",
    "unlink",
]
