"""Filing a ticket: the guided conversation over a stored Draft, in filing_steps.py's order.

Every function takes the open session and returns the screens to show. The draft lives
in the database, so a restart or /cancel loses nothing the enterprise typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.config import CategoryConfig, Settings
from bot.core import abuse, common_problems, conversation, feedback
from bot.core.filing_steps import CORRECTIONS, FIRST, STEPS, Accepts, Step, next_step
from bot.core.routing import category_hints_from_settings, suggest_category
from bot.core.screens import FilingButton, Label, Name, Pressed, Screen
from bot.core.tickets import (
    add_info,
    conduct_answer,
    draft_decision,
    finish_adding_info,
    start_adding_info,
    submit_ticket,
)
from bot.core.validation import UsccProblem, check_uscc, clean_text, normalize_phone
from storage import queries
from storage.models import Draft, Reporter

MAX_EVIDENCE = 20


KINDS = ("complaint", "request")
VISIBILITIES = ("all", "company", "none")


@dataclass(frozen=True)
class Attachment:
    """A photo or document the enterprise sent; copied (never forwarded) to departments."""

    kind: str
    file_id: str
    chat_id: int
    message_id: int
    file_name: str | None = None
    caption: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file_id": self.file_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "file_name": self.file_name,
            "caption": self.caption,
        }


@dataclass(frozen=True)
class Incoming:
    """One message from the enterprise, reduced to what the desk uses."""

    text: str | None = None
    attachment: Attachment | None = None
    contact_phone: str | None = None
    contact_is_own: bool = True
    reply_to_message_id: int | None = None


#: Characters that print as nothing and are used to send "empty" messages.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def words(text: str) -> str:
    """The text as stored (clean_text), or "" when nothing in it is visible: a message of
    zero-width joiners or Hangul fillers says nothing, so it is not offered or filed."""
    cleaned = clean_text(text)
    visible = any(
        not ch.isspace() and ch not in _BLANKS and unicodedata.category(ch) not in ("Cf", "Mn")
        for ch in cleaned
    )
    return cleaned if visible else ""


# --- entry points -----------------------------------------------------------------------


def start_filing(
    *, session: Session, settings: Settings, reporter: Reporter, kind: str, now: datetime
) -> list[Screen]:
    """The menu's 我要投诉 / 我要办事: resume offer if a draft waits, else a fresh draft.

    At the daily ticket limit the user hears from when they can file again, before typing.
    """
    assert reporter.id is not None
    if kind not in KINDS:
        return [Screen(Name.STALE_BUTTON)]
    conversation.set_awaiting(reporter, None)
    limited = abuse.ticket_limit(session=session, settings=settings, reporter=reporter, now=now)
    if limited is not None:
        return [Screen(Name.TICKET_LIMIT, limited)]
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    if draft is not None and _has_content(draft):
        draft.active = False
        conversation.set_requested_kind(draft, kind)
        queries.reporters.save_draft(session=session, draft=draft)
        return [Screen(Name.DRAFT_FOUND, _draft_labels(session, draft))]
    return _new_draft(session, reporter, kind)


def resume_or_restart(*, session: Session, reporter: Reporter, choice: str) -> list[Screen]:
    assert reporter.id is not None
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    if draft is None:
        return [Screen(Name.STALE_BUTTON)]
    if choice == "restart":
        kind = conversation.requested_kind(draft) or str(draft.data.get("kind") or "complaint")
        return _new_draft(session, reporter, kind)
    draft.active = True
    queries.reporters.save_draft(session=session, draft=draft)
    return _prompt(session, reporter, draft)


def offer_from_text(
    *, session: Session, settings: Settings, reporter: Reporter, text: str
) -> list[Screen]:
    """A plain message outside any conversation: offer to file it, suggesting a category."""
    conversation.offer(reporter, clean_text(text))
    session.add(reporter)
    category = _suggested_category(settings, text)
    return [
        Screen(
            Name.OFFER,
            {"category": Label(category.name, category.name_en) if category else None},
        )
    ]


def _suggested_category(settings: Settings, text: str) -> CategoryConfig | None:
    """The category the text's words suggest. Read from the settings, not the database: the
    zone's categories are the config's, seeded at start (storage/seed.py), and this runs
    for every first message."""
    code = suggest_category(hints=category_hints_from_settings(settings), text=text)
    return next((c for c in settings.categories if c.code == code), None) if code else None


def accept_offer(
    *, session: Session, settings: Settings, reporter: Reporter, choice: str, now: datetime
) -> list[Screen]:
    if choice in KINDS and conversation.offered_text(reporter):
        limited = abuse.ticket_limit(session=session, settings=settings, reporter=reporter, now=now)
        if limited is not None:
            return [Screen(Name.TICKET_LIMIT, limited)]  # the offered text waits
    text = conversation.take_offer(reporter)
    session.add(reporter)
    if choice not in KINDS:
        return [Screen(Name.OFFER_DECLINED)]
    if not text:
        return [Screen(Name.STALE_BUTTON)]
    return _draft_with(session, settings, reporter, choice, text, [])


def split_off(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    message_id: int | None,
    now: datetime,
) -> list[Screen]:
    """这是新问题，另起工单: a message the desk added to a ticket leaves it for a new draft."""
    assert reporter.id is not None
    found = feedback.own_addition(session=session, reporter=reporter, message_id=message_id)
    if found is None:
        return [Screen(Name.STALE_BUTTON)]
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    if draft is not None and _has_content(draft):
        # One draft per enterprise, and an unfinished one is never overwritten.
        return [Screen(Name.SPLIT_OFF_BLOCKED, {"number": found[0].number})]
    taken = feedback.take_back(
        session=session, settings=settings, reporter=reporter, message_id=message_id, now=now
    )
    assert taken is not None
    ticket, message = taken
    evidence = []
    if message.file_id is not None:
        evidence.append(
            Attachment(
                kind=message.file_kind or "document",
                file_id=message.file_id,
                chat_id=message.source_chat_id or 0,
                message_id=message.source_message_id or 0,
                file_name=message.file_name,
                caption=message.text,
            ).as_dict()
        )
    return [
        Screen(Name.SPLIT_OFF, {"number": ticket.number}),
        *_draft_with(session, settings, reporter, ticket.kind, message.text or "", evidence),
    ]


def _draft_with(
    session: Session,
    settings: Settings,
    reporter: Reporter,
    kind: str,
    text: str,
    evidence: list[dict[str, Any]],
) -> list[Screen]:
    """A fresh draft that starts with what the enterprise already said (and sent)."""
    screens = _new_draft(session, reporter, kind)
    assert reporter.id is not None
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    assert draft is not None
    draft.data["description"] = text
    if evidence:
        draft.data["evidence"] = evidence
    suggested = _suggested_category(settings, text) if text else None
    if suggested is not None:
        draft.data["category"] = suggested.code  # the category is answered: on to the next step
        draft.step = next_step(Step.CATEGORY)
        screens = [_description_saved(draft)]
    queries.reporters.save_draft(session=session, draft=draft)
    return screens


def cancel(*, session: Session, reporter: Reporter) -> list[Screen]:
    """/cancel: leave whatever is in progress; the draft is kept for later."""
    assert reporter.id is not None
    if conversation.awaiting(reporter) is not None:
        conversation.set_awaiting(reporter, None)
        session.add(reporter)
        return [Screen(Name.CANCELLED_ADDING_INFO)]
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    if draft is None or not draft.active:
        return [Screen(Name.NOTHING_TO_CANCEL)]
    draft.active = False
    queries.reporters.save_draft(session=session, draft=draft)
    return [Screen(Name.CANCELLED)]


def pause(*, session: Session, reporter: Reporter) -> None:
    """/start while filing: keep the draft but leave the conversation."""
    assert reporter.id is not None
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    if draft is not None and draft.active:
        draft.active = False
        queries.reporters.save_draft(session=session, draft=draft)


def active_draft(*, session: Session, reporter: Reporter) -> Draft | None:
    assert reporter.id is not None
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    return draft if draft is not None and draft.active else None


# --- answers inside the conversation ---------------------------------------------------------


def on_message(
    *, session: Session, reporter: Reporter, draft: Draft, incoming: Incoming
) -> list[Screen]:
    """A message while a draft is active: what it means depends on what the step accepts."""
    step = Step(draft.step)
    accepts = STEPS[step].accepts
    if accepts is Accepts.TEXT_AND_FILES:
        return _on_description(session, draft, incoming)
    if accepts is Accepts.TEXT_OR_CONTACT and incoming.contact_phone is not None:
        if not incoming.contact_is_own:
            return [Screen(Name.CONTACT_NOT_OWN)]
        shared = normalize_phone(incoming.contact_phone) or incoming.contact_phone[:32]
        return _set_phone(session, reporter, draft, shared)
    text = words(incoming.text or "")
    if not text:
        return [Screen(Name.TEXT_EXPECTED), *_prompt(session, reporter, draft)]
    if accepts is Accepts.BUTTONS:
        return _prompt(session, reporter, draft)  # words answer none of its buttons: ask again
    if step is Step.COMPANY:
        draft.data["company"] = text[:200]
    elif step is Step.USCC:
        result = check_uscc(text)
        if not result.ok:
            return [Screen(Name.USCC_PROBLEM, _uscc_params(result))]
        draft.data["uscc"] = result.normalized
    elif step is Step.CONTACT_NAME:
        draft.data["contact_name"] = text[:100]
    else:  # the phone
        phone = normalize_phone(text)
        if phone is None:
            return [Screen(Name.PHONE_INVALID)]
        return _set_phone(session, reporter, draft, phone)
    return _advance(session, reporter, draft)


def on_button(
    *,
    session: Session,
    settings: Settings,
    reporter: Reporter,
    data: Pressed,
    now: datetime,
) -> list[Screen]:
    """A button of the filing conversation; stale or forged data gets STALE_BUTTON."""
    assert reporter.id is not None
    draft = queries.reporters.get_draft(session=session, reporter_id=reporter.id)
    button = data.filing_button
    if button is FilingButton.CONFIRM and data.arg() == "submit":
        return _submit(session, settings, reporter, draft, now)
    if button is FilingButton.CONDUCT_ANSWER:
        return _answer_conduct(session, settings, reporter, draft, data.arg(), now)
    if button is FilingButton.REPEAT_CHOICE:
        return _repeat_choice(session, settings, reporter, draft, data.arg(), now)
    if draft is None:
        return [Screen(Name.STALE_BUTTON)]
    draft.active = True
    step = Step(draft.step)
    if button is FilingButton.CATEGORY and step is Step.CATEGORY:
        category = queries.zone.get_category_by_code(session=session, code=data.arg() or "")
        if category is None or not category.active:
            return [Screen(Name.STALE_BUTTON), *_prompt(session, reporter, draft)]
        draft.data["category"] = category.code
        return _advance(session, reporter, draft)
    if button is FilingButton.DESCRIPTION_DONE and step is Step.DESCRIPTION:
        if not draft.data.get("description"):
            return [Screen(Name.NEED_DESCRIPTION)]
        return _advance(session, reporter, draft)
    if button is FilingButton.REUSE_PROFILE and step is Step.COMPANY and reporter.company_name:
        draft.data.update(
            company=reporter.company_name,
            uscc=reporter.uscc,
            contact_name=reporter.contact_name,
            phone=reporter.phone,
        )
        return _advance(session, reporter, draft, shortcut=True)
    if button is FilingButton.SKIP_USCC and step is Step.USCC:
        draft.data["uscc"] = None
        return _advance(session, reporter, draft)
    if button is FilingButton.VISIBILITY and step is Step.CONSENT and data.arg() in VISIBILITIES:
        draft.data["visibility"] = data.arg()
        return _advance(session, reporter, draft)
    if button is FilingButton.CONFIRM and step is Step.CONFIRM:
        return _on_confirm_edit(session, reporter, draft, data.arg())
    return [Screen(Name.STALE_BUTTON), *_prompt(session, reporter, draft)]


# --- internals ---------------------------------------------------------------------------


def _new_draft(session: Session, reporter: Reporter, kind: str) -> list[Screen]:
    assert reporter.id is not None
    queries.reporters.delete_draft(session=session, reporter_id=reporter.id)
    session.flush()
    draft = Draft(reporter_id=reporter.id, step=FIRST, data={"kind": kind})
    session.add(draft)
    return _prompt(session, reporter, draft)


def _has_content(draft: Draft) -> bool:
    return bool(draft.data.get("description") or draft.data.get("evidence"))


def _draft_labels(session: Session, draft: Draft) -> dict[str, Any]:
    code = draft.data.get("category")
    category = queries.zone.get_category_by_code(session=session, code=code) if code else None
    return {
        "kind": draft.data.get("kind", "complaint"),
        "category": Label(category.name, category.name_en) if category else None,
    }


def _advance(
    session: Session, reporter: Reporter, draft: Draft, *, shortcut: bool = False
) -> list[Screen]:
    """The draft's step is answered: on to the step the table says follows it."""
    step = next_step(Step(draft.step), correcting=conversation.editing(draft), shortcut=shortcut)
    return _go_to(session, reporter, draft, step)


def _go_to(session: Session, reporter: Reporter, draft: Draft, step: Step) -> list[Screen]:
    draft.step = step
    if step is Step.CONFIRM:
        conversation.set_editing(draft, False)
    queries.reporters.save_draft(session=session, draft=draft)
    return _prompt(session, reporter, draft)


def _prompt(session: Session, reporter: Reporter, draft: Draft) -> list[Screen]:
    """The question of the draft's current step."""
    step = Step(draft.step)
    if step is Step.DESCRIPTION and _has_content(draft):
        return [_description_saved(draft)]  # asking afresh would look as if it were lost
    return [Screen(STEPS[step].asks, _question_params(session, reporter, draft, step))]


def _question_params(
    session: Session, reporter: Reporter, draft: Draft, step: Step
) -> dict[str, Any]:
    if step is Step.CATEGORY:
        categories = [
            (c.code, Label(c.name, c.name_en))
            for c in queries.zone.list_categories(session=session)
        ]
        return {"kind": draft.data.get("kind", "complaint"), "categories": categories}
    if step is Step.COMPANY:
        return {"previous_company": reporter.company_name}
    if step is Step.CONFIRM:
        return _summary(session, draft)
    return {}


def _description_saved(draft: Draft) -> Screen:
    return Screen(
        Name.DESCRIPTION_SAVED,
        {
            "chars": len(draft.data.get("description") or ""),
            "files": len(draft.data.get("evidence") or []),
        },
    )


def _on_description(session: Session, draft: Draft, incoming: Incoming) -> list[Screen]:
    evidence: list[dict[str, Any]] = list(draft.data.get("evidence") or [])
    text = words(incoming.text or "")
    if incoming.attachment is not None:
        if len(evidence) >= MAX_EVIDENCE:
            return [Screen(Name.EVIDENCE_FULL, {"count": MAX_EVIDENCE})]
        evidence.append(incoming.attachment.as_dict())
        draft.data["evidence"] = evidence
        caption = words(incoming.attachment.caption or "")
        if caption and not draft.data.get("description"):
            draft.data["description"] = caption
        queries.reporters.save_draft(session=session, draft=draft)
        return [Screen(Name.EVIDENCE_SAVED, {"files": len(evidence)})]
    if not text:
        return (
            [Screen(Name.UNSUPPORTED)] if incoming.text is None else [Screen(Name.NEED_DESCRIPTION)]
        )
    previous = draft.data.get("description") or ""
    draft.data["description"] = f"{previous}\n{text}" if previous else text
    queries.reporters.save_draft(session=session, draft=draft)
    return [_description_saved(draft)]


def _set_phone(session: Session, reporter: Reporter, draft: Draft, phone: str) -> list[Screen]:
    draft.data["phone"] = phone
    return [Screen(Name.PHONE_SAVED, {"phone": phone}), *_advance(session, reporter, draft)]


def _on_confirm_edit(
    session: Session, reporter: Reporter, draft: Draft, choice: str | None
) -> list[Screen]:
    if choice == "cancel":
        draft.active = False
        queries.reporters.save_draft(session=session, draft=draft)
        return [Screen(Name.CANCELLED)]
    step = CORRECTIONS.get(choice or "")
    if step is None:
        return [Screen(Name.STALE_BUTTON), *_prompt(session, reporter, draft)]
    if step is Step.DESCRIPTION:
        draft.data["description"] = ""
    conversation.set_editing(draft, True)
    return _go_to(session, reporter, draft, step)


def _uscc_params(result: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"problem": result.problem, "length": len(result.normalized)}
    if result.problem is UsccProblem.BAD_CHARACTER:
        params.update(position=result.position, char=result.character)
    elif result.problem is UsccProblem.BAD_CHECK_CHARACTER:
        params.update(expected=result.expected, given=result.normalized[-1:])
    return params


def _summary(session: Session, draft: Draft) -> dict[str, Any]:
    data = draft.data
    category = queries.zone.get_category_by_code(session=session, code=data.get("category") or "")
    return {
        "kind": data.get("kind", "complaint"),
        "category": Label(category.name, category.name_en) if category else None,
        "description": data.get("description") or "",
        "files": len(data.get("evidence") or []),
        "company": data.get("company") or "",
        "uscc": data.get("uscc"),
        "contact": data.get("contact_name") or "",
        "phone": data.get("phone") or "",
        "visibility": data.get("visibility", "none"),
    }


def _submit(
    session: Session, settings: Settings, reporter: Reporter, draft: Draft | None, now: datetime
) -> list[Screen]:
    if draft is None or Step(draft.step) is not Step.CONFIRM:
        latest = queries.tickets.tickets_of_reporter(
            session=session, reporter_id=reporter.id or 0, limit=1
        )
        if latest and draft is None:
            return [Screen(Name.ALREADY_SUBMITTED, {"number": latest[0].number})]
        return [Screen(Name.STALE_BUTTON)]
    limited = abuse.ticket_limit(session=session, settings=settings, reporter=reporter, now=now)
    if limited is not None:
        return [Screen(Name.TICKET_LIMIT_SUBMIT, limited)]  # the draft waits, confirmed
    decision = draft_decision(session=session, settings=settings, draft=draft)
    if "repeat_of" not in draft.data:
        # Asked once per draft: is this what the enterprise already filed and is open?
        same = common_problems.similar_own_ticket(
            session=session,
            settings=settings,
            reporter_id=reporter.id or 0,
            text=draft.data.get("description") or "",
            department=decision.department or (decision.top[0][0] if decision.top else None),
            now=now,
        )
        draft.data["repeat_of"] = same.id if same is not None else None
        queries.reporters.save_draft(session=session, draft=draft)
        if same is not None:
            return [
                Screen(
                    Name.REPEAT_OFFER,
                    {"number": same.number, "status": same.status, "ticket_id": same.id},
                )
            ]
    if decision.would_ask and conduct_answer(draft) is None:
        # One plain question before it goes anywhere; asked once per draft (pressing
        # submit again shows the same question: the answer decides the route).
        draft.data["conduct_asked"] = True
        queries.reporters.save_draft(session=session, draft=draft)
        discipline = queries.zone.get_department_by_role(session=session, role="discipline")
        assert discipline is not None, "the zone has no discipline department"
        label = Label(discipline.name, discipline.name_en)
        return [Screen(Name.CONDUCT_QUESTION, {"discipline": label})]
    submit_ticket(
        session=session,
        settings=settings,
        reporter=reporter,
        draft=draft,
        now=now,
        decision=decision,
    )
    return [Screen(Name.SUBMITTED)]


def _repeat_choice(
    session: Session,
    settings: Settings,
    reporter: Reporter,
    draft: Draft | None,
    choice: str | None,
    now: datetime,
) -> list[Screen]:
    """The answer to the offer of adding to a similar open ticket: "add" puts the draft's
    description and files on that ticket as additional information (the same path as
    /my → 补充信息) and the draft is done; "new" files the ticket as it is."""
    if (
        draft is None
        or Step(draft.step) is not Step.CONFIRM
        or not draft.data.get("repeat_of")
        or choice not in ("add", "new")
    ):
        return [Screen(Name.STALE_BUTTON)]
    if choice == "new":
        draft.data["repeat_of"] = None
        queries.reporters.save_draft(session=session, draft=draft)
        return _submit(session, settings, reporter, draft, now)
    ticket_id = int(draft.data["repeat_of"])
    screen = start_adding_info(session=session, reporter=reporter, ticket_id=ticket_id)
    if screen.name is not Name.ASK_ADD_INFO:
        return [screen]  # closed meanwhile: the draft stays, the enterprise sees why
    add_info(
        session=session,
        settings=settings,
        reporter=reporter,
        text=draft.data.get("description") or "",
        attachment=None,
        now=now,
    )
    for item in draft.data.get("evidence") or []:
        add_info(
            session=session,
            settings=settings,
            reporter=reporter,
            text=None,
            attachment=item,
            now=now,
        )
    queries.reporters.delete_draft(session=session, reporter_id=reporter.id or 0)
    return [finish_adding_info(session=session, reporter=reporter)]


def _answer_conduct(
    session: Session,
    settings: Settings,
    reporter: Reporter,
    draft: Draft | None,
    choice: str | None,
    now: datetime,
) -> list[Screen]:
    """是/否 to the conduct question: recorded on the draft, then the ticket is submitted
    (the enterprise had pressed submit when it was asked)."""
    if (
        draft is None
        or Step(draft.step) is not Step.CONFIRM
        or not draft.data.get("conduct_asked")
        or conduct_answer(draft) is not None
        or choice not in ("yes", "no")
    ):
        return [Screen(Name.STALE_BUTTON)]
    draft.data["conduct_answer"] = choice == "yes"
    queries.reporters.save_draft(session=session, draft=draft)
    return _submit(session, settings, reporter, draft, now)
