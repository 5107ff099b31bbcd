"""The one normal form every routing comparison uses, and the searches on it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache


def normalize_for_matching(text: str) -> str:
    """NFKC, case-folded, without any whitespace: the form both sides are compared in."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


# Keywords come from a handful of config lists, so caching their normal form is bounded
# and saves re-normalizing a few hundred phrases for every ticket.
normalized_keyword = lru_cache(maxsize=8192)(normalize_for_matching)


def longest_match(keywords: Iterable[str], haystack: str) -> str | None:
    """The longest keyword (as configured) found in the normalized haystack; first on ties."""
    best: str | None = None
    best_len = 0
    for keyword in keywords:
        needle = normalized_keyword(keyword)
        # An empty keyword would match every text; a config typo must not route everything.
        if needle and len(needle) > best_len and needle in haystack:
            best, best_len = keyword, len(needle)
    return best


def positions(keywords: Iterable[str], haystack: str) -> list[tuple[int, int, str]]:
    """Every (start, end, keyword) occurrence of the keywords in the normalized haystack."""
    found: list[tuple[int, int, str]] = []
    for keyword in keywords:
        needle = normalized_keyword(keyword)
        if not needle:
            continue
        start = haystack.find(needle)
        while start >= 0:
            found.append((start, start + len(needle), keyword))
            start = haystack.find(needle, start + 1)
    return found
