"""What the desk waits for from an enterprise between messages, as typed values.

The stored forms (``Reporter.awaiting``, ``Reporter.offer_text``, the draft's flags in
``Draft.data``) are read and written here and nowhere else: one parse/serialise pair at
the storage boundary, so the rest of the core handles values, not strings.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import ClassVar, TypeAlias

from storage.models import Draft, Reporter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddingInfo:
    """The enterprise is sending more information for one of its tickets."""

    TAG: ClassVar[str] = "info"

    ticket_id: int
    #: Messages added so far: the closing 补充完了 says how many, or that none were.
    count: int = 0

    def added_one(self) -> AddingInfo:
        return replace(self, count=self.count + 1)


#: Everything the desk can be waiting for; a new kind of wait joins the union with its
#: own tag in ``serialise_awaiting`` and ``parse_awaiting``.
Awaiting: TypeAlias = AddingInfo

# ASCII digits only: int() would also take "٣" or "³", which no version ever wrote.
_ADDING_INFO = re.compile(r"info:(\d+):(\d+)", re.ASCII)


def serialise_awaiting(value: Awaiting | None) -> str | None:
    """The column's form ("info:<ticket id>:<count>", as every version has stored it)."""
    if value is None:
        return None
    return f"{AddingInfo.TAG}:{value.ticket_id}:{value.count}"


def parse_awaiting(stored: str | None) -> Awaiting | None:
    """The value a stored string means; anything unreadable (a form an older or newer
    version wrote, a hand-edited row) is nothing awaited: the enterprise's next message
    is then read afresh instead of failing."""
    if not stored:
        return None
    found = _ADDING_INFO.fullmatch(stored)
    if found is not None:
        return AddingInfo(ticket_id=int(found[1]), count=int(found[2]))
    log.info("ignoring an unreadable awaiting value %r", stored[:64])
    return None


def awaiting(reporter: Reporter) -> Awaiting | None:
    return parse_awaiting(reporter.awaiting)


def set_awaiting(reporter: Reporter, value: Awaiting | None) -> None:
    reporter.awaiting = serialise_awaiting(value)


# --- the plain message the desk offered to file ------------------------------------------


def offered_text(reporter: Reporter) -> str | None:
    """The text of the last 要提交吗？ offer, while the enterprise has not answered it."""
    return reporter.offer_text or None


def offer(reporter: Reporter, text: str) -> None:
    reporter.offer_text = text


def take_offer(reporter: Reporter) -> str | None:
    """The offered text, which the answer (yes or no) uses up."""
    text = offered_text(reporter)
    reporter.offer_text = None
    return text


# --- the draft's conversation flags -----------------------------------------------------

_EDITING = "editing"
_REQUESTED_KIND = "requested_kind"


def editing(draft: Draft) -> bool:
    """The enterprise went back from the summary to correct a part of the draft."""
    return bool(draft.data.get(_EDITING))


def set_editing(draft: Draft, on: bool) -> None:
    if on:
        draft.data[_EDITING] = True
    else:
        draft.data.pop(_EDITING, None)


def requested_kind(draft: Draft) -> str | None:
    """The kind (complaint, request) asked for from the menu while this draft waited: a
    restart files that kind, not the waiting draft's."""
    kind = draft.data.get(_REQUESTED_KIND)
    return kind if isinstance(kind, str) and kind else None


def set_requested_kind(draft: Draft, kind: str) -> None:
    draft.data[_REQUESTED_KIND] = kind
