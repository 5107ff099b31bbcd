"""Routing as the running desk does it: the active model from the database, shared by
every instance, trained at start on a fresh install and again on a schedule.

The engine (bot.core.routing) is pure; this module is where it meets the database:

- :func:`current_router` asks the database which model version is active (one cheap
  query per decision) and keeps the loaded model and its router in memory, so every
  instance routes with the same version as soon as it is stored;
- :func:`train_and_store` trains on the shipped corpus and the desk's own labelled
  history and stores a new active version (the scheduled job and ``dianxiaoer routing
  train`` both call it);
- :func:`ensure_model` runs once right after start, in a worker thread: with no usable
  model stored it trains one. Until it is stored the desk routes with the rules and the
  conduct safeguard alone (``Router.build(model=None)``), so start is never held up.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.routing import (
    CategoryRoute,
    Hints,
    LabelledExample,
    Router,
    RoutingDecision,
    RoutingModel,
    RoutingRule,
    RoutingTable,
    hints_from_table,
    load_shipped_examples,
    router_from_settings,
    routing_table_from_settings,
    train,
)
from bot.core.routing.model import sklearn_version
from storage import queries
from storage import routing as store
from storage.db import transaction
from storage.models import Category, Department
from storage.models import RoutingRule as RoutingRuleRow

log = logging.getLogger(__name__)

#: Loaded models by version and routers by (settings, version): a retrain swaps them out;
#: two of each cover the switch from one version to the next.
_CACHE_SIZE = 2
_lock = threading.Lock()
_models: OrderedDict[str, RoutingModel] = OrderedDict()
_routers: list[tuple[Settings, str | None, Router]] = []
#: The model trained from the shipped corpus alone, by its examples: every fresh install in
#: this process (the test suite, the sandbox) trains it once.
_shipped: dict[tuple[tuple[LabelledExample, ...], Hints], RoutingModel] = {}


def current_router(*, session: Session, settings: Settings) -> Router:
    """The router with the database's active model (rules and safeguard alone before one
    is stored, or when the stored one cannot be loaded by this installation)."""
    active = store.active_model_version(session=session)
    with _lock:
        for cached_settings, cached_version, router in _routers:
            if cached_settings is settings and cached_version == active:
                return router
    model = _load(session, active) if active is not None else None
    router = router_from_settings(settings, model=model)
    with _lock:
        _routers.insert(0, (settings, active if model is not None else None, router))
        del _routers[_CACHE_SIZE:]
    return router


def decide(
    *,
    session: Session,
    settings: Settings,
    text: str,
    category: str | None,
    conduct_answer: bool | None,
) -> RoutingDecision:
    """Where a ticket with this text and category goes (see bot.core.routing.Router.decide)."""
    router = current_router(session=session, settings=settings)
    return router.decide(text=text, category=category, conduct_answer=conduct_answer)


def _load(session: Session, version: str) -> RoutingModel | None:
    with _lock:
        if version in _models:
            _models.move_to_end(version)
            return _models[version]
    stored = store.active_model(session=session)
    if stored is None:
        return None
    if stored.sklearn_version != sklearn_version():
        # A pickled estimator is only safe with the version that made it; the start job
        # retrains (ensure_model) and routing falls back to the rules meanwhile.
        log.warning(
            "routing model %s was trained with scikit-learn %s, %s is installed; not used",
            stored.version,
            stored.sklearn_version,
            sklearn_version(),
        )
        return None
    try:
        model = RoutingModel.from_bytes(stored.data)
    except Exception:  # a damaged or foreign blob must not stop ticket filing
        log.exception("routing model %s could not be loaded; routing by rules", stored.version)
        return None
    with _lock:
        _models[stored.version] = model
        while len(_models) > _CACHE_SIZE:
            _models.popitem(last=False)
    return model


# --- training -------------------------------------------------------------------------------


def history_examples(history: Sequence[store.HistoryExample]) -> list[LabelledExample]:
    """The desk's own labelled tickets as training examples."""
    return [
        LabelledExample(
            text=h.text,
            category=h.category,
            department=h.department,
            conduct=h.conduct,
            reason=f"ticket {h.ticket_number}",
        )
        for h in history
    ]


def training_examples(*, engine: Engine, settings: Settings) -> list[LabelledExample]:
    """The shipped corpus and the desk's own history, in that order."""
    with transaction(engine) as session:
        history = store.routing_history_examples(session=session)
    return [*load_shipped_examples(settings), *history_examples(history)]


def train_and_store(*, engine: Engine, settings: Settings) -> store.StoredModel:
    """Train a new model on everything the desk knows and make it the active version."""
    examples = training_examples(engine=engine, settings=settings)
    return _store(engine, _train(settings, examples))


def _hints(settings: Settings) -> Hints:
    return hints_from_table(routing_table_from_settings(settings))


def _train(settings: Settings, examples: Sequence[LabelledExample]) -> RoutingModel:
    """Train with the zone's rules and aliases as features, as the desk routes with them."""
    return train(examples, hints=_hints(settings))


def _store(engine: Engine, model: RoutingModel) -> store.StoredModel:
    with transaction(engine) as session:
        stored = store.save_model(
            session=session,
            version=model.version,
            trained_at=model.trained_at,
            accuracy=model.accuracy,
            n_examples=model.n_examples,
            sklearn_version=sklearn_version(),
            data=model.to_bytes(),
        )
    log.info(
        "routing model %s stored: %d examples, held-out accuracy %.3f",
        stored.version,
        stored.n_examples,
        stored.accuracy,
    )
    return stored


def has_usable_model(*, engine: Engine) -> bool:
    with transaction(engine) as session:
        stored = store.active_model(session=session)
    return stored is not None and stored.sklearn_version == sklearn_version()


def ensure_model(*, engine: Engine, settings: Settings) -> store.StoredModel | None:
    """At start: train and store a model when none this installation can use is stored,
    or load the stored one.

    A fresh install has no history, so the model depends on the shipped corpus alone and
    is trained once per process however many desks start in it.
    """
    if has_usable_model(engine=engine):
        # Load it now, in the start job's thread: otherwise the first enterprise to file
        # after a restart waits for scikit-learn's import and the unpickling (~1 s).
        with transaction(engine) as session:
            current_router(session=session, settings=settings)
        return None
    examples = training_examples(engine=engine, settings=settings)
    key = (tuple(examples), _hints(settings))
    with _lock:
        model = _shipped.get(key)
    if model is None:
        model = _train(settings, examples)
        with _lock:
            _shipped.clear()
            _shipped[key] = model
    return _store(engine, model)


def retrain_if_learned(*, engine: Engine, settings: Settings) -> store.StoredModel | None:
    """The scheduled retrain: a new version only when the desk has new labelled tickets."""
    examples = training_examples(engine=engine, settings=settings)
    with transaction(engine) as session:
        active = store.active_model(session=session)
    if (
        active is not None
        and active.n_examples == len(examples)
        and active.sklearn_version == sklearn_version()
    ):
        return None
    return _store(engine, _train(settings, examples))


def load_routing_table(*, session: Session) -> RoutingTable:
    """The routing rules as seeded into the database, as the pure router needs them (the
    desk routes from config; this reads back what seeding stored)."""
    departments = {d.id: d.code for d in session.exec(select(Department))}
    categories = {
        c.code: CategoryRoute(
            code=c.code,
            department=departments.get(c.department_id) if c.department_id else None,
            conduct=c.conduct,
        )
        for c in session.exec(select(Category))
    }
    rules = [
        RoutingRule(
            keywords=tuple(r.keywords),
            department=departments[r.department_id],
            priority=r.priority,
            categories=frozenset(r.categories),
            always=r.always,
        )
        for r in session.exec(select(RoutingRuleRow).order_by(col(RoutingRuleRow.position)))
    ]
    discipline = queries.zone.get_department_by_role(session=session, role="discipline")
    conduct = queries.zone.get_setting(session=session, key="conduct_keywords", default=[])
    return RoutingTable(
        categories=categories,
        rules=rules,
        conduct_keywords=tuple(conduct),
        discipline_department=discipline.code if discipline else "",
    )
