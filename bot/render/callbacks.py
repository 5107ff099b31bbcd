"""callback_data formats, in one place. Every value is untrusted input when it comes back.

Each button's data is ``prefix:arg[:arg]`` and stays far below Telegram's 64-byte limit
(codes are at most 32 ASCII characters, ids are integers).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.screens import FilingButton

KIND = "k"  # k:complaint | k:request
CATEGORY = "c"  # c:<category code>
DESCRIPTION_DONE = "dn"
REUSE_PROFILE = "rp"
SKIP_USCC = "su"
VISIBILITY = "v"  # v:all | v:company | v:none
CONFIRM = "cf"  # cf:submit | cf:desc | cf:company | cf:cat | cf:cancel
DRAFT = "dr"  # dr:resume | dr:restart
OFFER = "of"  # of:complaint | of:request | of:no
SPLIT_OFF = "nw"  # nw:<ticket message id>: "this is a new concern", out of the ticket
OPEN_TICKET = "t"  # t:<ticket id>
MY_LIST = "my"
WITHDRAW = "w"  # w:<ticket id>
WITHDRAW_CONFIRM = "wy"  # wy:<ticket id>
ADD_INFO = "ai"  # ai:<ticket id>
ADD_INFO_DONE = "ad"
LANGUAGE = "lg"  # lg:zh | lg:en
ASSIGN = "as"  # as:<ticket id>:<department code>
STAFF = "st"  # st:<ticket id>:<accept|ask_info|transfer|extension|resolve|together|unlink>
TRANSFER_REASON = "tr"  # tr:<ticket id>:<reason code>
EXTENSION_DAYS = "ex"  # ex:<ticket id>:<days>
TRANSFER_TO = "dt"  # dt:<request id>:<department code>
DECIDE = "dd"  # dd:<request id>:<approve|reject>
RATE = "rt"  # rt:<ticket id>:<1..5>
CONDUCT_ANSWER = "cq"  # cq:yes | cq:no (is it about an official's conduct?)
REPEAT_CHOICE = "rq"  # rq:add | rq:new (add to the enterprise's similar open ticket, or not)
COMMON = "cg"  # cg:<group id>:<department code> (the dispatcher confirms a lead)

#: The filing conversation's buttons, as the core knows them (bot.core.intake).
FILING_BUTTONS = {
    CATEGORY: FilingButton.CATEGORY,
    DESCRIPTION_DONE: FilingButton.DESCRIPTION_DONE,
    REUSE_PROFILE: FilingButton.REUSE_PROFILE,
    SKIP_USCC: FilingButton.SKIP_USCC,
    VISIBILITY: FilingButton.VISIBILITY,
    CONFIRM: FilingButton.CONFIRM,
    CONDUCT_ANSWER: FilingButton.CONDUCT_ANSWER,
    REPEAT_CHOICE: FilingButton.REPEAT_CHOICE,
}

MAX_BYTES = 64
MAX_INT = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def make(prefix: str, *args: str | int) -> str:
    data = ":".join([prefix, *(str(a) for a in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback_data too long: {data!r}")
    return data


@dataclass(frozen=True)
class Parsed:
    prefix: str
    args: tuple[str, ...]

    def int_arg(self, index: int = 0) -> int | None:
        """An integer argument; None when missing, not a number, or beyond what a database
        id can be (forged data must not reach SQL as an out-of-range integer)."""
        try:
            value = int(self.args[index])
        except (IndexError, ValueError):
            return None
        return value if -MAX_INT <= value <= MAX_INT else None

    def arg(self, index: int = 0) -> str | None:
        return self.args[index] if index < len(self.args) else None

    @property
    def filing_button(self) -> FilingButton | None:
        return FILING_BUTTONS.get(self.prefix)


def parse(data: str | None) -> Parsed:
    parts = (data or "").split(":")
    return Parsed(prefix=parts[0], args=tuple(parts[1:]))


def pattern(prefix: str) -> str:
    """A regex for CallbackQueryHandler matching one prefix."""
    return rf"^{prefix}(:|$)"
