"""Keyword routing: the config's rules and category defaults, without a model.

``best_rule`` is what ``Router`` falls back on while no model is trained (a fresh install
before its first training), after the conduct safeguard; ``suggest_category`` proposes a
category while the enterprise writes. ``route`` is the keyword-only router the desk used
before the model, kept whole for its callers; its precedence, first match wins:

1. the category is a conduct category (作风问题) → the discipline department
   (``CONDUCT_CATEGORY``);
2. the text contains a conduct keyword → the discipline department (``CONDUCT_KEYWORD``);
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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.routing.matching import longest_match, normalize_for_matching, normalized_keyword
from bot.core.routing.table import RoutingRule, RoutingTable


class RouteReason(StrEnum):
    """Why a ticket went where it went; stored with the ticket (≤ 24 characters)."""

    CONDUCT_CATEGORY = "conduct_category"  # the enterprise chose the conduct category
    CONDUCT_KEYWORD = "conduct_keyword"  # keyword routing: a conduct keyword
    CONDUCT_SIGNALS = "conduct_signals"  # the safeguard: actor + act (or a conduct keyword)
    CONDUCT_CONFIRMED = "conduct_confirmed"  # the enterprise answered yes to the question
    RULE_ALWAYS = "rule_always"  # a config rule marked always
    MODEL = "model"  # the model, above the confidence threshold
    LOW_CONFIDENCE = "low_confidence"  # the model was unsure: the dispatcher assigns
    CONDUCT_NOWHERE = "conduct_nowhere"  # conduct, but every fit department is excluded
    KEYWORD = "keyword"
    CATEGORY_DEFAULT = "category_default"
    UNROUTED = "unrouted"


@dataclass(frozen=True)
class RouteDecision:
    """The department (None when unrouted), the reason and the keyword that decided it."""

    department: str | None
    reason: RouteReason
    matched_keyword: str | None = None


def best_rule(
    rules: Iterable[RoutingRule], *, category: str | None, haystack: str
) -> tuple[RoutingRule, str] | None:
    """The best applicable rule and its matched keyword (see the module docstring)."""
    best: tuple[int, int, int] | None = None  # (priority, keyword length, -rule index)
    found: tuple[RoutingRule, str] | None = None
    for index, rule in enumerate(rules):
        if rule.categories and category not in rule.categories:
            continue
        hit = longest_match(rule.keywords, haystack)
        if hit is None:
            continue
        rank = (rule.priority, len(normalized_keyword(hit)), -index)
        if best is None or rank > best:
            best, found = rank, (rule, hit)
    return found


def route(*, table: RoutingTable, category: str, text: str) -> RouteDecision:
    """Decide the department by keywords alone; see the module docstring for the precedence."""
    category_route = table.categories.get(category)
    if category_route is not None and category_route.conduct:
        return RouteDecision(table.discipline_department, RouteReason.CONDUCT_CATEGORY)

    haystack = normalize_for_matching(text)
    conduct_hit = longest_match(table.conduct_keywords, haystack)
    if conduct_hit is not None:
        return RouteDecision(table.discipline_department, RouteReason.CONDUCT_KEYWORD, conduct_hit)

    found = best_rule(table.rules, category=category, haystack=haystack)
    if found is not None:
        rule, hit = found
        return RouteDecision(rule.department, RouteReason.KEYWORD, hit)

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
        found = {n for n in map(normalized_keyword, keywords) if n and n in haystack}
        if not found:
            continue
        score = (len(found), sum(map(len, found)))
        if best is None or score > best:
            best, suggestion = score, code
    return suggestion
