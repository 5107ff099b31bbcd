"""Which department handles a ticket: a pure function of the category and the text.

Precedence, first match wins:

1. the category is a conduct category (作风问题) → the discipline department
   (``CONDUCT_CATEGORY``);
2. the text contains a conduct keyword → the discipline department (``CONDUCT_KEYWORD``).
   Conduct complaints never go to the department complained about, even when the text
   names it or a keyword rule points at it;
3. the best keyword rule that applies to the category (a rule with no categories applies to
   all) → its department (``KEYWORD``). Best = highest priority, then the longer matched
   keyword, then the earlier rule;
4. the category's default department (``CATEGORY_DEFAULT``);
5. nothing → ``UNROUTED`` with no department: the dispatcher routes it by hand.

Matching is a substring test after NFKC normalization (full-width ≡ half-width), case
folding and removal of all whitespace, applied to the text and the keywords alike. An
unknown category code has no default and no conduct flag; it never raises.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from bot.config import ConfigError, Settings

__all__ = [
    "CategoryRoute",
    "RouteDecision",
    "RouteReason",
    "RoutingRule",
    "RoutingTable",
    "category_hints_from_settings",
    "normalize_for_matching",
    "route",
    "routing_table_from_settings",
    "suggest_category",
]


@dataclass(frozen=True)
class RoutingRule:
    """Texts containing any of ``keywords`` go to ``department``."""

    keywords: tuple[str, ...]
    department: str
    priority: int
    categories: frozenset[str] = frozenset()  # empty = any category


@dataclass(frozen=True)
class CategoryRoute:
    """A category's default department (None = unrouted) and whether it is about conduct."""

    code: str
    department: str | None
    conduct: bool


@dataclass(frozen=True)
class RoutingTable:
    """Everything ``route`` needs, built once from the settings."""

    categories: Mapping[str, CategoryRoute]
    rules: Sequence[RoutingRule]
    conduct_keywords: tuple[str, ...]
    discipline_department: str


class RouteReason(StrEnum):
    """Why a ticket went where it went; stored with the ticket and shown to the dispatcher."""

    CONDUCT_CATEGORY = "conduct_category"
    CONDUCT_KEYWORD = "conduct_keyword"
    KEYWORD = "keyword"
    CATEGORY_DEFAULT = "category_default"
    UNROUTED = "unrouted"


@dataclass(frozen=True)
class RouteDecision:
    """The department (None when unrouted), the reason and the keyword that decided it."""

    department: str | None
    reason: RouteReason
    matched_keyword: str | None = None


def normalize_for_matching(text: str) -> str:
    """NFKC, case-folded, without any whitespace: the form both sides are compared in."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


# Keywords come from a handful of config lists, so caching their normal form is bounded
# and saves re-normalizing ~200 keywords for every ticket.
_normalized_keyword = lru_cache(maxsize=4096)(normalize_for_matching)


def _longest_match(keywords: Iterable[str], haystack: str) -> str | None:
    """The longest keyword (as configured) found in the normalized haystack; first on ties."""
    best: str | None = None
    best_len = 0
    for keyword in keywords:
        needle = _normalized_keyword(keyword)
        # An empty keyword would match every text; a config typo must not route everything.
        if needle and len(needle) > best_len and needle in haystack:
            best, best_len = keyword, len(needle)
    return best


def route(*, table: RoutingTable, category: str, text: str) -> RouteDecision:
    """Decide the department for a ticket; see the module docstring for the precedence."""
    category_route = table.categories.get(category)
    if category_route is not None and category_route.conduct:
        return RouteDecision(table.discipline_department, RouteReason.CONDUCT_CATEGORY)

    haystack = normalize_for_matching(text)
    conduct_hit = _longest_match(table.conduct_keywords, haystack)
    if conduct_hit is not None:
        return RouteDecision(table.discipline_department, RouteReason.CONDUCT_KEYWORD, conduct_hit)

    best: tuple[int, int, int] | None = None  # (priority, keyword length, -rule index)
    decision: RouteDecision | None = None
    for index, rule in enumerate(table.rules):
        if rule.categories and category not in rule.categories:
            continue
        hit = _longest_match(rule.keywords, haystack)
        if hit is None:
            continue
        rank = (rule.priority, len(_normalized_keyword(hit)), -index)
        if best is None or rank > best:
            best = rank
            decision = RouteDecision(rule.department, RouteReason.KEYWORD, hit)
    if decision is not None:
        return decision

    if category_route is not None and category_route.department is not None:
        return RouteDecision(category_route.department, RouteReason.CATEGORY_DEFAULT)
    return RouteDecision(None, RouteReason.UNROUTED)


def suggest_category(*, hints: Mapping[str, Sequence[str]], text: str) -> str | None:
    """The category whose hint keywords best match the text, or None if none matches.

    Best = most distinct hint keywords found, then the most matched characters (longer
    phrases are more specific), then the earlier category in ``hints``.
    """
    haystack = normalize_for_matching(text)
    best: tuple[int, int] | None = None
    suggestion: str | None = None
    for code, keywords in hints.items():
        found = {n for n in map(_normalized_keyword, keywords) if n and n in haystack}
        if not found:
            continue
        score = (len(found), sum(map(len, found)))
        if best is None or score > best:
            best, suggestion = score, code
    return suggestion


def routing_table_from_settings(settings: Settings) -> RoutingTable:
    """Build the routing table; raises ConfigError if no department has role "discipline"."""
    discipline = [d.code for d in settings.departments if d.role == "discipline"]
    if not discipline:
        # Settings only enforces the roles once departments exist; routing needs one anyway.
        raise ConfigError("departments: exactly one department needs role = 'discipline'")
    categories = {
        c.code: CategoryRoute(code=c.code, department=c.department, conduct=c.conduct)
        for c in settings.categories
    }
    rules = tuple(
        RoutingRule(
            keywords=tuple(r.keywords),
            department=r.department,
            priority=r.priority,
            categories=frozenset(r.categories),
        )
        for r in settings.routing_rules
    )
    return RoutingTable(
        categories=MappingProxyType(categories),
        rules=rules,
        conduct_keywords=tuple(settings.routing.conduct_keywords),
        discipline_department=discipline[0],
    )


def category_hints_from_settings(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Hint keywords per category code, in config order (the order breaks ties)."""
    return {c.code: tuple(c.hint_keywords) for c in settings.categories}
