"""What the core asks the adapters to show: a screen name and its data, no wording.

bot.render.views turns a Screen into text and buttons in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Name(StrEnum):
    GREETING = "greeting"
    HELP = "help"
    ASK_CATEGORY = "ask_category"
    ASK_DESCRIPTION = "ask_description"
    DESCRIPTION_SAVED = "description_saved"
    EVIDENCE_SAVED = "evidence_saved"
    NEED_DESCRIPTION = "need_description_first"
    ASK_COMPANY = "ask_company"
    ASK_USCC = "ask_uscc"
    USCC_PROBLEM = "uscc_problem"
    ASK_CONTACT_NAME = "ask_contact_name"
    ASK_PHONE = "ask_phone"
    PHONE_SAVED = "phone_saved"
    PHONE_INVALID = "phone_invalid"
    CONTACT_NOT_OWN = "contact_not_own"
    TEXT_EXPECTED = "text_expected"
    ASK_CONSENT = "ask_consent"
    SUMMARY = "summary"
    CONDUCT_QUESTION = "conduct_question"
    REPEAT_OFFER = "repeat_offer"  # 同类诉求: this looks like one of your own open tickets
    SUBMITTED = "submitted"
    ALREADY_SUBMITTED = "already_submitted"
    CANCELLED = "cancelled"
    CANCELLED_ADDING_INFO = "cancelled_adding_info"
    NOTHING_TO_CANCEL = "nothing_to_cancel"
    DRAFT_FOUND = "draft_found"
    OFFER = "offer"
    OFFER_DECLINED = "offer_declined"
    MY_LIST = "my_list"
    TICKET_DETAIL = "ticket_detail"
    CONFIRM_WITHDRAW = "confirm_withdraw"
    WITHDRAWN = "withdrawn"
    CANNOT_WITHDRAW = "cannot_withdraw"
    ASK_ADD_INFO = "ask_add_info"
    INFO_ADDED = "info_added"
    INFO_NOTHING = "info_added_nothing"
    CANNOT_ADD_INFO = "cannot_add_info"
    UNKNOWN_TICKET = "unknown_ticket"
    STALE_BUTTON = "stale_button"
    UNSUPPORTED = "unsupported_message"
    TICKET_OVER = "ent_ticket_over"
    INFO_FORWARDED = "ent_info_forwarded"
    ADDED_TO_TICKET = "ent_added_to_ticket"
    SPLIT_OFF = "ent_split_off"
    SPLIT_OFF_BLOCKED = "ent_split_off_blocked"
    RATED = "rated"
    COMMENT_SAVED = "ent_comment_saved"
    LANG_PROMPT = "lang_prompt"
    LANG_SET = "lang_set"
    # Bad input and abuse
    FILE_OUTSIDE = "file_outside_ticket"
    EVIDENCE_FULL = "evidence_full"
    EDIT_IGNORED = "edit_not_applied"
    EDIT_IGNORED_FILING = "edit_not_applied_filing"
    TICKET_LIMIT = "ticket_limit"
    TICKET_LIMIT_SUBMIT = "ticket_limit_submit"
    RATE_LIMITED = "rate_limited"
    BLOCKED = "blocked_user"


@dataclass(frozen=True)
class Screen:
    name: Name
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Label:
    """A name the desk holds in both languages (a category, a department)."""

    zh: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.zh


class FilingButton(StrEnum):
    """A button of the filing conversation, by what it means (bot.render.callbacks encodes it)."""

    CATEGORY = "category"
    DESCRIPTION_DONE = "description_done"
    REUSE_PROFILE = "reuse_profile"
    SKIP_USCC = "skip_uscc"
    VISIBILITY = "visibility"
    CONFIRM = "confirm"
    CONDUCT_ANSWER = "conduct_answer"
    REPEAT_CHOICE = "repeat_choice"  # add to the similar open ticket, or file a new one


class Pressed(Protocol):
    """A pressed button as the adapter read it: which filing button, if any, and its
    arguments (untrusted: they come back from the chat)."""

    @property
    def filing_button(self) -> FilingButton | None: ...

    def arg(self, index: int = 0) -> str | None: ...
