"""Safe HTML for the page from a message's plain text and Telegram entities.

The emulator keeps what the bot sent as plain text + entities (UTF-16 offsets), the form a
Telegram client renders from. Re-rendering from that, rather than passing the bot's raw HTML
string through, means only tags this module writes ever reach the page: every character of
text is escaped, and links keep only http(s) addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlsplit

JsonDict = dict[str, Any]

_SIMPLE_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ('<blockquote class="expandable">', "</blockquote>"),
}
_LINK_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class _Span:
    start: int  # UTF-16 offsets, as Telegram counts them
    end: int
    open: str
    close: str


def _safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) address, else None (no javascript:, no tg:)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc:
        return None
    return parts.geturl()


def _link(url: str) -> tuple[str, str] | None:
    safe = _safe_url(url)
    if safe is None:
        return None
    href = escape(safe, quote=True)
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"


def _tags(entity: JsonDict, covered: str) -> tuple[str, str] | None:
    kind = entity.get("type")
    if kind in _SIMPLE_TAGS:
        return _SIMPLE_TAGS[kind]
    if kind == "text_link":
        return _link(str(entity.get("url", "")))
    if kind == "url":
        return _link(covered if "://" in covered else f"https://{covered}")
    return None  # mentions, commands, hashtags …: plain text on the page


def _utf16_units(text: str) -> list[int]:
    """For each character, its width in UTF-16 code units (2 beyond the BMP)."""
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _spans(text: str, entities: list[JsonDict]) -> list[_Span]:
    widths = _utf16_units(text)
    total = sum(widths)
    starts: list[int] = []
    position = 0
    for width in widths:
        starts.append(position)
        position += width
    spans: list[_Span] = []
    for entity in entities:
        try:
            start = int(entity["offset"])
            end = start + int(entity["length"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(total, end)
        if end <= start:
            continue
        covered = "".join(ch for ch, at in zip(text, starts, strict=True) if start <= at < end)
        tags = _tags(entity, covered)
        if tags is not None:
            spans.append(_Span(start, end, *tags))
    # Outer (longer) spans open first, so properly nested entities nest in the output.
    spans.sort(key=lambda s: (s.start, -s.end))
    return spans


def _escape_char(ch: str) -> str:
    return "<br>" if ch == "\n" else escape(ch, quote=False)


def entities_to_html(text: str, entities: list[JsonDict]) -> str:
    """``text`` as escaped HTML with ``entities`` as tags; newlines become ``<br>``.

    Overlapping (not nested) entities are closed and reopened around each other, so the
    output is always well-formed.
    """
    spans = _spans(text, entities)
    out: list[str] = []
    stack: list[_Span] = []
    pending = list(reversed(spans))  # pop() yields them in start order
    position = 0

    def close_ending_at(at: int) -> None:
        reopen: list[_Span] = []
        while any(span.end <= at for span in stack):
            top = stack.pop()
            out.append(top.close)
            if top.end > at:
                reopen.append(top)
        for span in reversed(reopen):
            out.append(span.open)
            stack.append(span)

    for ch in text:
        close_ending_at(position)
        while pending and pending[-1].start <= position:
            span = pending.pop()
            out.append(span.open)
            stack.append(span)
        out.append(_escape_char(ch))
        position += 2 if ord(ch) > 0xFFFF else 1
    while stack:
        out.append(stack.pop().close)
    return "".join(out)


def plain_to_html(text: str) -> str:
    """Escaped text with newlines as ``<br>`` (no entities)."""
    return "".join(_escape_char(ch) for ch in text)
