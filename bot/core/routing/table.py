"""What the router knows about the zone, built once from the settings."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.config import ConfigError, Settings
from bot.core.routing.conduct import ActPattern, ConductPatterns


@dataclass(frozen=True)
class RoutingRule:
    """Texts containing any of ``keywords`` go to ``department``.

    ``always`` rules decide before the model; the others are hints the model weighs, and
    the route itself while no model is trained.
    """

    keywords: tuple[str, ...]
    department: str
    priority: int
    categories: frozenset[str] = frozenset()  # empty = any category
    always: bool = False


@dataclass(frozen=True)
class CategoryRoute:
    """A category's default department (None = unrouted) and whether it is about conduct."""

    code: str
    department: str | None
    conduct: bool


@dataclass(frozen=True)
class RoutingTable:
    """Everything the router needs, built once from the settings."""

    categories: Mapping[str, CategoryRoute]
    rules: Sequence[RoutingRule]
    conduct_keywords: tuple[str, ...]
    discipline_department: str
    # Department code → the names enterprises use for it (its own names included).
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    conduct: ConductPatterns = field(default_factory=ConductPatterns)
    confidence_threshold: float = 0.25
    conduct_question_at: float = 0.5
    # Departments that take tickets; a model's vote for any other code is ignored.
    departments: frozenset[str] = frozenset()


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
            always=r.always,
        )
        for r in settings.routing_rules
    )
    aliases = {
        d.code: tuple(dict.fromkeys([d.name, d.name_en, *d.aliases]))
        for d in settings.departments
        if d.role in ("department", "discipline")
    }
    conduct = settings.routing.conduct
    patterns = ConductPatterns(
        actors=tuple(conduct.actors),
        actor_patterns=tuple(re.compile(p) for p in conduct.actor_patterns),
        acts=tuple(
            ActPattern(
                kind=a.kind,
                phrases=tuple(a.phrases),
                verbs=tuple(a.verbs),
                objects=tuple(a.objects),
                window=a.window,
            )
            for a in conduct.acts
        ),
        hedges=tuple(conduct.hedges),
        keywords=tuple(settings.routing.conduct_keywords),
    )
    return RoutingTable(
        categories=MappingProxyType(categories),
        rules=rules,
        conduct_keywords=tuple(settings.routing.conduct_keywords),
        discipline_department=discipline[0],
        aliases=MappingProxyType(aliases),
        conduct=patterns,
        confidence_threshold=settings.routing.confidence_threshold,
        conduct_question_at=settings.routing.conduct_question_at,
        departments=frozenset(aliases),
    )


def category_hints_from_settings(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Hint keywords per category code, in config order (the order breaks ties)."""
    return {c.code: tuple(c.hint_keywords) for c in settings.categories}
