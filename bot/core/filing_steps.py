"""The filing conversation as one table: what each step asks, what answers it, what follows.

:data:`STEPS` is the order of the conversation; ``bot/core/intake.py`` reads it to ask the
question of a draft's step and to move the draft on once it is answered, and never
names the step that comes next itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.screens import Name


class Step(StrEnum):
    CATEGORY = "category"
    DESCRIPTION = "description"
    COMPANY = "company"
    USCC = "uscc"
    CONTACT_NAME = "contact_name"
    PHONE = "phone"
    CONSENT = "consent"
    CONFIRM = "confirm"


class Accepts(StrEnum):
    """What answers a step."""

    #: Only the step's buttons; a message shows the question again.
    BUTTONS = "buttons"
    #: One typed message.
    TEXT = "text"
    #: Any number of messages, photos and files, until 下一步.
    TEXT_AND_FILES = "text_and_files"
    #: A typed phone number, or the enterprise's own contact shared with the button.
    TEXT_OR_CONTACT = "text_or_contact"


@dataclass(frozen=True)
class StepRule:
    asks: Name
    accepts: Accepts
    #: The step after an answer; None for the last one (submitting leaves the table).
    then: Step | None
    #: Where the step's shortcut leads (the company step's 使用上次的信息 fills the
    #: company details at once).
    shortcut: Step | None = None
    #: An answer given while correcting from the summary goes back to the summary.
    back_to_summary: bool = False


S, A = Step, Accepts

#: step -> (question, answer, next step). Read it top to bottom as the conversation.
STEPS: dict[Step, StepRule] = {
    S.CATEGORY: StepRule(Name.ASK_CATEGORY, A.BUTTONS, then=S.DESCRIPTION, back_to_summary=True),
    S.DESCRIPTION: StepRule(
        Name.ASK_DESCRIPTION, A.TEXT_AND_FILES, then=S.COMPANY, back_to_summary=True
    ),
    S.COMPANY: StepRule(Name.ASK_COMPANY, A.TEXT, then=S.USCC, shortcut=S.CONSENT),
    S.USCC: StepRule(Name.ASK_USCC, A.TEXT, then=S.CONTACT_NAME),
    S.CONTACT_NAME: StepRule(Name.ASK_CONTACT_NAME, A.TEXT, then=S.PHONE),
    S.PHONE: StepRule(Name.ASK_PHONE, A.TEXT_OR_CONTACT, then=S.CONSENT),
    S.CONSENT: StepRule(Name.ASK_CONSENT, A.BUTTONS, then=S.CONFIRM),
    S.CONFIRM: StepRule(Name.SUMMARY, A.BUTTONS, then=None),
}

#: Where a new draft begins.
FIRST: Step = S.CATEGORY

#: The summary's 修改 buttons (their callback argument) and the step each goes back to.
CORRECTIONS: dict[str, Step] = {"desc": S.DESCRIPTION, "company": S.COMPANY, "cat": S.CATEGORY}


def next_step(step: Step, *, correcting: bool = False, shortcut: bool = False) -> Step:
    """The step after ``step`` is answered (by its shortcut, when ``shortcut``)."""
    rule = STEPS[step]
    target = rule.shortcut if shortcut else rule.then
    if correcting and rule.back_to_summary:
        target = S.CONFIRM
    if target is None:
        raise ValueError(f"nothing follows {step.value}" + (" by a shortcut" if shortcut else ""))
    return target
