"""Every user-facing sentence, one catalogue per language (Chinese first, English second).

A catalogue is a frozen dataclass, so mypy proves that each language has every text.
Templates use ``str.format`` fields; values put into HTML texts are escaped by the
caller (bot.render.views), never here.
"""

from __future__ import annotations

from bot.render.texts.catalog import Texts
from bot.render.texts.en import EN
from bot.render.texts.zh import ZH

LANGUAGES: dict[str, Texts] = {"zh": ZH, "en": EN}


def texts_for(language: str | None) -> Texts:
    return LANGUAGES.get(language or "zh", ZH)


def language_from_telegram(language_code: str | None, default: str = "zh") -> str:
    """Map Telegram's IETF code (zh-hans, en-US …) to a catalogue."""
    if not language_code:
        return default
    code = language_code.lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return default


__all__ = ["LANGUAGES", "Texts", "language_from_telegram", "texts_for"]
