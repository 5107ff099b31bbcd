"""The routing decision: conduct safeguard, then always-rules, then the model.

Precedence (``Router.decide``):

1. conduct — the conduct category, STRONG conduct signals, or the enterprise's "yes" to
   the conduct question → the discipline office. WEAK signals (or a model that leans to
   the discipline office) set ``would_ask``: the desk asks the enterprise before it
   submits, and the rest of this list is the route for its "no";
2. a config rule marked ``always`` → its department;
3. the model → its best department other than the discipline office (conduct reaches
   the discipline office only through step 1), when its probability reaches
   ``confidence_threshold``; below it the dispatcher assigns, shown the top 3;
4. without a model (a fresh table): the keyword rules, then the category's default.

Whatever decided, a ticket treated as conduct never goes to a department that its text
names nor to the category's department: ``_guard`` enforces it last, for every path.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.config import Settings
from bot.core.routing.conduct import (
    ConductAssessment,
    ConductStrength,
    assess_conduct,
    officials_named,
)
from bot.core.routing.keywords import RouteReason, best_rule
from bot.core.routing.model import Hints, RoutingModel, affirmed
from bot.core.routing.table import RoutingTable, routing_table_from_settings

#: Reasons of decisions that treat the ticket as a conduct complaint.
CONDUCT_REASONS = frozenset(
    {
        RouteReason.CONDUCT_CATEGORY,
        RouteReason.CONDUCT_KEYWORD,
        RouteReason.CONDUCT_SIGNALS,
        RouteReason.CONDUCT_CONFIRMED,
        RouteReason.CONDUCT_NOWHERE,
    }
)


@dataclass(frozen=True)
class RoutingDecision:
    """Where a ticket goes, why, and what the dispatcher and the enterprise are shown."""

    department: str | None  # None → the dispatcher assigns
    reason: RouteReason
    confidence: float  # of the chosen department; 1.0 for conduct and rules
    top: tuple[tuple[str, float], ...]  # up to 3 (department, probability), best first
    conduct: ConductAssessment
    would_ask: bool  # ask the enterprise the conduct question before it submits
    rule: str | None = None  # the keyword of the rule that decided, where one did
    excluded: frozenset[str] = frozenset()  # never route or transfer there (conduct)

    @property
    def is_conduct(self) -> bool:
        return self.reason in CONDUCT_REASONS

    @property
    def matched_keyword(self) -> str | None:
        """The old name of ``rule`` (RouteDecision's), for the ticket's route_keyword."""
        return self.rule


def hints_from_table(table: RoutingTable) -> Hints:
    """The zone knowledge a model trained for this table takes as features."""
    return Hints(
        rules=tuple((r.keywords, r.department, r.categories) for r in table.rules),
        aliases=tuple(sorted(table.aliases.items())),
    )


@dataclass(frozen=True)
class Router:
    """Built once per table and model; immutable, so one instance serves every thread."""

    table: RoutingTable
    model: RoutingModel | None = None

    @classmethod
    def build(cls, *, table: RoutingTable, model: RoutingModel | None) -> Router:
        return cls(table=table, model=model)

    def decide(
        self, *, text: str, category: str | None, conduct_answer: bool | None = None
    ) -> RoutingDecision:
        """Route one complaint. ``conduct_answer`` is the enterprise's answer to the
        conduct question (None: not asked); STRONG signals win over a "no"."""
        table = self.table
        discipline = table.discipline_department
        category_route = table.categories.get(category or "")
        assessment = assess_conduct(
            patterns=table.conduct, aliases=table.aliases, discipline=discipline, text=text
        )
        excluded = set(assessment.named_departments)
        if category_route is not None and category_route.department not in (None, discipline):
            excluded.add(category_route.department)
        predictions = self._predict(text, category)

        if category_route is not None and category_route.conduct:
            assessment = replace(
                assessment,
                strength=ConductStrength.STRONG,
                signals=("category:conduct", *assessment.signals),
            )
            return self._conduct(assessment, RouteReason.CONDUCT_CATEGORY, excluded)
        if assessment.strength is ConductStrength.STRONG:
            return self._conduct(assessment, RouteReason.CONDUCT_SIGNALS, excluded)
        if conduct_answer is True:
            return self._conduct(assessment, RouteReason.CONDUCT_CONFIRMED, excluded)

        leaning = dict(predictions).get(discipline, 0.0)
        if assessment.strength is ConductStrength.NONE and leaning >= table.conduct_question_at:
            # The model's lean stands in for the improper act, never for the official: a
            # text that speaks of no official or department ("你好，想咨询个事") is not
            # asked whether it reports one.
            officials = officials_named(
                patterns=table.conduct, aliases=table.aliases, discipline=discipline, text=text
            )
            if officials:
                assessment = replace(
                    assessment,
                    strength=ConductStrength.WEAK,
                    signals=(f"model:{discipline}:{leaning:.2f}", *officials),
                )
        would_ask = conduct_answer is None and assessment.strength is ConductStrength.WEAK
        decision = self._ordinary(text, category, predictions, assessment, would_ask)
        return _guard(decision)

    def _predict(self, text: str, category: str | None) -> list[tuple[str, float]]:
        if self.model is None:
            return []
        known = self.table.departments
        return [(d, p) for d, p in self.model.predict(text, category) if not known or d in known]

    def _conduct(
        self, assessment: ConductAssessment, reason: RouteReason, excluded: set[str]
    ) -> RoutingDecision:
        discipline = self.table.discipline_department or None
        decision = RoutingDecision(
            department=discipline,
            reason=reason if discipline else RouteReason.CONDUCT_NOWHERE,
            confidence=1.0,
            top=((discipline, 1.0),) if discipline else (),
            conduct=assessment,
            would_ask=False,
            excluded=frozenset(excluded),
        )
        return _guard(decision)

    def _ordinary(
        self,
        text: str,
        category: str | None,
        predictions: list[tuple[str, float]],
        assessment: ConductAssessment,
        would_ask: bool,
    ) -> RoutingDecision:
        """The route of a complaint not treated as conduct (or the route for a "no")."""
        table = self.table
        # Rules apply to what the text says the matter is, not to what it denies: "不是消防
        # 验收的问题" is no fire-acceptance case.
        haystack = affirmed(text)
        candidates = [(d, p) for d, p in predictions if d != table.discipline_department]
        top = tuple(candidates[:3])

        def decided(
            department: str | None, reason: RouteReason, confidence: float, rule: str | None = None
        ) -> RoutingDecision:
            return RoutingDecision(department, reason, confidence, top, assessment, would_ask, rule)

        always = [r for r in table.rules if r.always]
        found = best_rule(always, category=category, haystack=haystack)
        if found is not None:
            return decided(found[0].department, RouteReason.RULE_ALWAYS, 1.0, found[1])
        if self.model is not None:
            if candidates and candidates[0][1] >= table.confidence_threshold:
                return decided(candidates[0][0], RouteReason.MODEL, candidates[0][1])
            best = candidates[0][1] if candidates else 0.0
            return decided(None, RouteReason.LOW_CONFIDENCE, best)
        found = best_rule(table.rules, category=category, haystack=haystack)
        if found is not None:
            return decided(found[0].department, RouteReason.KEYWORD, 1.0, found[1])
        category_route = table.categories.get(category or "")
        if category_route is not None and category_route.department is not None:
            return decided(category_route.department, RouteReason.CATEGORY_DEFAULT, 1.0)
        return decided(None, RouteReason.UNROUTED, 0.0)


def _guard(decision: RoutingDecision) -> RoutingDecision:
    """The last word on every path: conduct never reaches an excluded department, and
    nothing excluded is offered to the dispatcher."""
    top = tuple((d, p) for d, p in decision.top if d not in decision.excluded)
    if decision.is_conduct and decision.department in decision.excluded:
        return replace(decision, department=None, reason=RouteReason.CONDUCT_NOWHERE, top=top)
    return replace(decision, top=top)


def router_from_settings(settings: Settings, *, model: RoutingModel | None) -> Router:
    """The router the desk uses for this config and (optional) trained model."""
    return Router.build(table=routing_table_from_settings(settings), model=model)
