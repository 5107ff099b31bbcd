"""Which department handles a ticket (docs/routing.md).

Three layers: the conduct safeguard (``conduct``), config rules marked always, and a
model trained on the zone's corpus and the desk's history (``model``); ``router`` puts
them together. Keyword routing (``keywords``) is the whole router until a model exists.
Nothing here imports scikit-learn until a model is trained or loaded.
"""

from bot.core.routing.conduct import (
    ActPattern,
    ConductAssessment,
    ConductPatterns,
    ConductStrength,
    assess_conduct,
)
from bot.core.routing.corpus import (
    CorpusError,
    EvalCase,
    load_cases,
    load_examples,
    load_shipped_examples,
)
from bot.core.routing.keywords import RouteDecision, RouteReason, route, suggest_category
from bot.core.routing.matching import normalize_for_matching
from bot.core.routing.model import Hints, LabelledExample, ModelMismatch, RoutingModel, train
from bot.core.routing.router import (
    CONDUCT_REASONS,
    Router,
    RoutingDecision,
    hints_from_table,
    router_from_settings,
)
from bot.core.routing.table import (
    CategoryRoute,
    RoutingRule,
    RoutingTable,
    category_hints_from_settings,
    routing_table_from_settings,
)

__all__ = [
    "CONDUCT_REASONS",
    "ActPattern",
    "CategoryRoute",
    "ConductAssessment",
    "ConductPatterns",
    "ConductStrength",
    "CorpusError",
    "EvalCase",
    "Hints",
    "LabelledExample",
    "ModelMismatch",
    "RouteDecision",
    "RouteReason",
    "Router",
    "RoutingDecision",
    "RoutingModel",
    "RoutingRule",
    "RoutingTable",
    "assess_conduct",
    "category_hints_from_settings",
    "hints_from_table",
    "load_cases",
    "load_examples",
    "load_shipped_examples",
    "normalize_for_matching",
    "route",
    "router_from_settings",
    "routing_table_from_settings",
    "suggest_category",
    "train",
]
