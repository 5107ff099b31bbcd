"""Text as Telegram measures and cleans it: UTF-16 offsets, trimming, auto-detected commands."""

from __future__ import annotations

import re
from typing import Any

JsonDict = dict[str, Any]

# Telegram drops these characters from outgoing text (tdlib ``fix_formatted_text``).
_REMOVED = frozenset({"\r", "\u0333", "\u033f", "\u030a"} | {chr(c) for c in range(0x2028, 0x202F)})
# ...and turns every other control character, tab included, into a plain space.
_TO_SPACE = frozenset(chr(c) for c in range(33) if c not in (10, 13))
_TRIMMED = " \n"

# tdlib's find_bot_commands: "/" not glued to a word, 1-64 command chars, optional @username.
_BOT_COMMAND = re.compile(r"(?<![\w/<>\\])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,32})?(?![\w/<>\\])")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with UTF-16 code unit positions."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le", "replace")


def find_bot_commands(text: str) -> list[JsonDict]:
    """``bot_command`` entities Telegram adds to any message text, incoming or outgoing."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for m in _BOT_COMMAND.finditer(text)
    ]


def sort_entities(entities: list[JsonDict]) -> list[JsonDict]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def add_bot_commands(text: str, entities: list[JsonDict]) -> list[JsonDict]:
    """Merge auto-detected commands in where they do not overlap an explicit entity."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    found = [
        c
        for c in find_bot_commands(text)
        if all(c["offset"] + c["length"] <= a or c["offset"] >= b for a, b in taken)
    ]
    return sort_entities([*entities, *found])


def normalize(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Clean text the way Telegram stores it; may return "" (the caller decides if that's ok).

    Control characters become spaces, ``\\r`` and a few invisible characters vanish,
    entities covering only whitespace are dropped, trailing spaces/newlines are cut and
    leading ones too, up to the first entity. Entity offsets follow every change.
    """
    chars: list[str] = []
    old_to_new: list[int] = []
    new = 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        old_to_new.extend([new] * width)
        if ch in _REMOVED:
            continue
        chars.append(" " if ch in _TO_SPACE else ch)
        new += width
    old_to_new.append(new)
    cleaned = "".join(chars)
    last = len(old_to_new) - 1

    kept: list[JsonDict] = []
    for entity in entities:
        start = old_to_new[min(max(int(entity["offset"]), 0), last)]
        end = old_to_new[min(max(int(entity["offset"]) + int(entity["length"]), 0), last)]
        if end > start and utf16_slice(cleaned, start, end).strip(_TRIMMED):
            kept.append({**entity, "offset": start, "length": end - start})

    cleaned = cleaned.rstrip(_TRIMMED)
    limit = utf16_len(cleaned)
    clipped: list[JsonDict] = []
    for entity in kept:
        length = min(entity["offset"] + entity["length"], limit) - entity["offset"]
        if length > 0:
            clipped.append({**entity, "length": length})

    first_entity = min((e["offset"] for e in clipped), default=limit)
    lead = 0
    # Leading blanks are all one UTF-16 unit wide, so a character count is an offset.
    while lead < first_entity and lead < len(cleaned) and cleaned[lead] in _TRIMMED:
        lead += 1
    shifted = [{**e, "offset": e["offset"] - lead} for e in clipped]
    return cleaned[lead:], sort_entities(shifted)
