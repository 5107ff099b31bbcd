"""Telegram's ``parse_mode=HTML``: validation, plain text and entities.

A port of tdlib's ``parse_html`` (the code behind the Bot API), so errors carry the same
wording, e.g. ``Unsupported start tag "script" at byte offset 0``; the Bot API prefixes
them with ``Bad Request: can't parse entities: ``.

One deliberate difference: Telegram's docs require every ``<``, ``>`` and ``&`` that is
not markup to be escaped, but the real parser lets a bare ``>`` or ``&`` through. With
``strict=True`` (the default) the emulator rejects them too, so an unescaped user string
fails in tests instead of rendering oddly ("a&ltb" shows as "a<b") in production.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.devtools.emulator.text import sort_entities

JsonDict = dict[str, Any]
UserLookup = Callable[[int], JsonDict | None]

_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACES = frozenset(" \t\r\n\0\v\f")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_URL_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite"})
_MENTION_URL = re.compile(r"^tg://user\?id=(\d{1,19})$", re.IGNORECASE)


class HtmlParseError(ValueError):
    """Why Telegram refuses the markup (the part after "can't parse entities: ")."""


@dataclass(frozen=True)
class ParsedHtml:
    text: str
    entities: list[JsonDict]


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output
    out_index: int  # index into the output chunks, to recover the tag's inner text


def parse_html(
    source: str, *, strict: bool = True, lookup_user: UserLookup | None = None
) -> ParsedHtml:
    """Parse Telegram HTML into plain text + entities, or raise :class:`HtmlParseError`."""
    return _Parser(source, strict, lookup_user).run()


def html_to_text(source: str, *, strict: bool = True) -> str:
    """The plain text a user would see (tags stripped, entities unescaped)."""
    return parse_html(source, strict=strict).text


def _decode_entity(s: str, pos: int) -> tuple[str, int] | None:
    """tdlib's decode_html_entity: the character and the position after the reference."""
    end = pos + 1
    if s[end : end + 1] == "#":
        end += 1
        hexadecimal = s[end : end + 1] == "x"
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        end += hexadecimal
        start = end
        while end < len(s) and s[end] in digits:
            end += 1
        if end - pos >= 10 or end == start:
            return None
        code = int(s[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        char = chr(code)
    else:
        while end < len(s) and s[end].isascii() and s[end].isalpha():
            end += 1
        named = _NAMED.get(s[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if s[end : end + 1] == ";" else end


def _checked_url(url: str) -> str | None:
    """A link Telegram would keep, or None (it silently drops the entity then)."""
    url = url.strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url)
    if scheme:
        return url if scheme.group(1).lower() in _URL_SCHEMES and len(url) > scheme.end() else None
    if re.match(r"^[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#]|$)", url):
        return "http://" + url
    return None


class _Parser:
    def __init__(self, source: str, strict: bool, lookup_user: UserLookup | None) -> None:
        self.s = source
        self.strict = strict
        self.lookup_user = lookup_user
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[JsonDict] = []

    def at(self, i: int) -> str:
        # tdlib reads a NUL-terminated buffer; the NUL ends tags the same way here.
        return self.s[i] if i < len(self.s) else "\0"

    def byte_offset(self, i: int) -> int:
        return len(self.s[:i].encode("utf-8", "surrogatepass"))

    def emit(self, char: str) -> None:
        self.out.append(char)
        self.utf16 += 2 if ord(char) > 0xFFFF else 1

    def run(self) -> ParsedHtml:
        i = 0
        while i < len(self.s):
            char = self.s[i]
            if char == "&":
                decoded = _decode_entity(self.s, i)
                if decoded is not None:
                    if 0xD800 <= ord(decoded[0]) <= 0xDFFF:
                        raise HtmlParseError(
                            "Text contains invalid Unicode characters after decoding HTML "
                            "entities, check for unmatched surrogate code units"
                        )
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                self.reject_bare(i, "&", "&amp;")
            if char != "<":
                if char == ">":
                    self.reject_bare(i, ">", "&gt;")
                self.emit(char)
                i += 1
            elif self.at(i + 1) == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        for entity in self.entities:
            if entity["type"] == "code":
                # The language only survives on pre; a lone <code class="language-x"> drops it.
                entity.pop("language", None)
        return ParsedHtml("".join(self.out), sort_entities(self.entities))

    def reject_bare(self, i: int, char: str, escaped: str) -> None:
        if self.strict:
            raise HtmlParseError(
                f'Character "{char}" must be escaped as "{escaped}" at byte offset '
                f"{self.byte_offset(i)} (emulator strict mode; Telegram itself would "
                "show it as is)"
            )

    def skip_spaces(self, i: int) -> int:
        while self.at(i) != "\0" and self.at(i) in _SPACES:
            i += 1
        return i

    def start_tag(self, begin: int) -> int:
        at = self.at
        where = f"at byte offset {self.byte_offset(begin)}"
        i = begin + 1
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        if at(i) == "\0":
            raise HtmlParseError(f"Unclosed start tag {where}")
        tag = self.s[begin + 1 : i].lower()
        if tag not in _TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" {where}')
        argument = ""
        while at(i) != ">":
            i = self.skip_spaces(i)
            if at(i) == ">":
                break
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag {where}")
            name_begin = i
            while at(i) not in _SPACES and at(i) not in "=>":
                i += 1
            name = self.s[name_begin:i]
            if not name:
                raise HtmlParseError(f'Empty attribute name in the tag "{tag}" {where}')
            i = self.skip_spaces(i)
            if at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "1"
                    continue
                raise HtmlParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" {where}'
                )
            i = self.skip_spaces(i + 1)
            if at(i) == "\0":
                raise HtmlParseError(f'Unclosed start tag "{tag}" {where}')
            value, i = self.attribute_value(i)
            if at(i) == "\0":
                raise HtmlParseError(f"Unclosed start tag {where}")
            argument = self.tag_argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        self.stack.append(_Open(tag, argument, self.utf16, len(self.out)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        at = self.at
        if at(i) not in "'\"":
            # An unquoted name token: letters, digits, periods, hyphens; case-insensitive.
            begin = i
            while (at(i).isascii() and at(i).isalnum()) or at(i) in ".-":
                i += 1
            if at(i) not in _SPACES and at(i) != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
                )
            return self.s[begin:i].lower(), i
        quote = at(i)
        i += 1
        chunks: list[str] = []
        while at(i) != quote and at(i) != "\0":
            if at(i) == "&":
                decoded = _decode_entity(self.s, i)
                if decoded is not None:
                    chunks.append(decoded[0])
                    i = decoded[1]
                    continue
            chunks.append(at(i))
            i += 1
        if at(i) == quote:
            i += 1
        return "".join(chunks), i

    @staticmethod
    def tag_argument(tag: str, name: str, value: str, current: str) -> str:
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value[len("language-") :]
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value[len("tg-") :]
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        if tag == "blockquote" and name == "expandable":
            return "1"
        return current

    def end_tag(self, begin: int) -> int:
        at = self.at
        where = f"at byte offset {self.byte_offset(begin)}"
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag {where}")
        i = begin + 2
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = self.s[begin + 2 : i]
        i = self.skip_spaces(i)
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag {where}")
        opened = self.stack[-1]
        # Like tdlib: the end tag is compared case-sensitively with the lowercased start tag.
        if end_name and end_name != opened.tag:
            raise HtmlParseError(
                f'Unmatched end tag {where}, expected "</{opened.tag}>", found "</{end_name}>"'
            )
        self.stack.pop()
        if self.utf16 > opened.offset:
            self.close_entity(opened)
        return i + 1

    def close_entity(self, opened: _Open) -> None:
        span: JsonDict = {"offset": opened.offset, "length": self.utf16 - opened.offset}
        last = self.entities[-1] if self.entities else None
        same_range = (
            last is not None
            and last["offset"] == span["offset"]
            and last["length"] == span["length"]
        )
        tag = opened.tag
        if tag in _SIMPLE:
            self.entities.append({"type": _SIMPLE[tag], **span})
        elif tag == "a":
            self.close_link(opened, span)
        elif tag == "pre":
            if last is not None and same_range and last["type"] == "code" and "language" in last:
                last["type"] = "pre"  # <pre><code class="language-x"> is one pre entity
            else:
                self.entities.append({"type": "pre", **span})
        elif tag == "code":
            if last is not None and same_range and last["type"] == "pre" and opened.argument:
                last["language"] = opened.argument
            elif opened.argument:
                self.entities.append({"type": "code", "language": opened.argument, **span})
            else:
                self.entities.append({"type": "code", **span})
        elif tag == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append({"type": kind, **span})
        elif tag == "tg-emoji":
            if not opened.argument.isdigit() or int(opened.argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                {"type": "custom_emoji", "custom_emoji_id": opened.argument, **span}
            )

    def close_link(self, opened: _Open, span: JsonDict) -> None:
        url = opened.argument or "".join(self.out[opened.out_index :])
        mention = _MENTION_URL.match(url.strip())
        if mention:
            user = self.lookup_user(int(mention.group(1))) if self.lookup_user else None
            if user is not None:
                self.entities.append({"type": "text_mention", "user": user, **span})
            return
        checked = _checked_url(url)
        if checked is not None:
            self.entities.append({"type": "text_link", "url": checked, **span})
