"""Turning a method's text parameters into what Telegram stores: plain text + entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.devtools.emulator.errors import bad_request
from bot.devtools.emulator.html_check import HtmlParseError, UserLookup, parse_html
from bot.devtools.emulator.text import add_bot_commands, normalize, utf16_len

JsonDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024


@dataclass(frozen=True)
class Formatted:
    text: str
    entities: list[JsonDict]
    html: str | None  # the source, when it was HTML


def format_text(
    raw: str | None,
    parse_mode: str | None,
    entities: Any,
    *,
    caption: bool,
    strict_html: bool,
    lookup_user: UserLookup,
) -> Formatted:
    """Parse, clean and length-check a message text (``caption=False``) or caption."""
    source = raw or ""
    html: str | None = None
    mode = (parse_mode or "").strip().lower()
    if isinstance(entities, list) and entities:
        # Explicit entities win over parse_mode, as on Telegram.
        text, found = source, [dict(e) for e in entities if isinstance(e, dict)]
    elif mode == "html":
        try:
            parsed = parse_html(source, strict=strict_html, lookup_user=lookup_user)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        text, found, html = parsed.text, parsed.entities, source
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(f"the emulator does not implement parse_mode {parse_mode}; use HTML")
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        text, found = source, []
    text, found = normalize(text, found)
    if caption:
        if utf16_len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
    return Formatted(text, add_bot_commands(text, found), html)
