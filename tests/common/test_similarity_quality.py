"""How well similar tickets are found: pairwise precision and recall on a labelled set.

tests/common/data/similar_tickets.toml holds complaints with their true groups, split in
two. ``[common] threshold`` and the group rule were chosen on the tuning split alone
(docs/common-problems.md, "Measured"): the best recall with a precision of 0.8 or more,
held by the neighbouring settings. Each split is held to floors a little below what it
measured at that threshold, so that a change to the representation or the linking that
makes finding similar tickets worse fails here. The test split measures worse than the
tuning split (P 0.59, R 0.29 against 0.85, 0.47; it was 0.54, 0.14 with the first design):
the precision floor we had set before first measuring it (0.70) is still not met, and we
say so rather than choose a threshold on it (docs/common-problems.md).

The linking is the desk's (bot/core/common_problems.link_on_filing): in filing order, each
ticket searches the index of those filed before it (:meth:`SimilarIndex.search`, other
enterprises only) and joins the group of its best match above the threshold whose problem
belongs to the same department — here the department the routing model, trained on the
shipped corpus as on a fresh install, would send it to — and, when that match is in a
group, to whose members it is similar on average (:meth:`SimilarIndex.mean_score`), or
starts one with it.
"""

from __future__ import annotations

import itertools
import random
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.routing import (
    RoutingModel,
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
    train,
)
from bot.core.similar import SimilarIndex, corpus_representation

DATA = Path(__file__).parent / "data" / "similar_tickets.toml"
#: (precision, recall) each split must reach at ``[common] threshold``.
FLOORS = {"tune": (0.83, 0.45), "test": (0.55, 0.27)}


def labelled(split: str) -> list[tuple[str, str | None]]:
    """(text, true group or None), shuffled into a filing order (fixed seed)."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    items: list[tuple[str, str | None]] = []
    for group in data["group"]:
        if group["split"] == split:
            items += [(text, group["name"]) for text in group["texts"]]
    for single in data["single"]:
        if single["split"] == split:
            items += [(text, None) for text in single["texts"]]
    random.Random(7).shuffle(items)
    return items


@pytest.fixture(scope="module")
def model(settings: Settings) -> RoutingModel:
    """The model a fresh install trains (a few seconds)."""
    hints = hints_from_table(routing_table_from_settings(settings))
    return train(load_shipped_examples(settings), hints=hints)


@pytest.fixture(scope="module")
def settings() -> Settings:
    from bot.config import load_settings

    return load_settings(None, environ={})


def link_all(texts: list[str], settings: Settings, model: RoutingModel) -> list[int | None]:
    """The group each text ends up in, filed one by one, each by its own enterprise."""
    index = SimilarIndex(corpus_representation(settings), timedelta(days=30))
    departments = [p[0][0] for p in model.predict_many([(t, None) for t in texts])]
    start = datetime(2026, 11, 2, tzinfo=UTC)
    groups: list[int | None] = []
    for i, text in enumerate(texts):
        hits = index.search(
            text,
            since=start,
            threshold=settings.common.threshold,
            other_than_reporter=i,
            limit=50,
        )
        group = None
        for hit in hits:
            best = hit.ticket_id
            if departments[best] != departments[i]:
                continue
            if groups[best] is not None:
                members = [j for j, g in enumerate(groups) if g == groups[best]]
                mean = index.mean_score(text, members)
                if mean is not None and mean < settings.common.threshold:
                    continue
            if groups[best] is None:
                groups[best] = best
            group = groups[best]
            break
        groups.append(group)
        index.add([(i, i, start + timedelta(minutes=i), text)])
    return groups


def pairwise(items: list[tuple[str, str | None]], groups: list[int | None]) -> tuple[float, float]:
    true_positive = false_positive = false_negative = 0
    for a, b in itertools.combinations(range(len(items)), 2):
        same = items[a][1] is not None and items[a][1] == items[b][1]
        linked = groups[a] is not None and groups[a] == groups[b]
        true_positive += same and linked
        false_positive += linked and not same
        false_negative += same and not linked
    precision = true_positive / (true_positive + false_positive) if linked_any(groups) else 1.0
    return precision, true_positive / (true_positive + false_negative)


def linked_any(groups: list[int | None]) -> bool:
    return any(g is not None for g in groups)


def test_the_labelled_set_is_big_enough_and_split_apart() -> None:
    tune, test = labelled("tune"), labelled("test")
    assert len(tune) + len(test) >= 150
    for items in (tune, test):
        assert len({g for _, g in items if g}) >= 5  # several groups
        assert sum(g is None for _, g in items) >= 25  # and singletons, many of them distractors
    assert not {g for _, g in tune if g} & {g for _, g in test if g}
    assert not {t for t, _ in tune} & {t for t, _ in test}


@pytest.mark.parametrize("split", ["tune", "test"])
def test_pairwise_precision_and_recall(split: str, settings: Settings, model: RoutingModel) -> None:
    items = labelled(split)
    precision, recall = pairwise(items, link_all([t for t, _ in items], settings, model))
    print(f"{split}: threshold {settings.common.threshold}: P={precision:.3f} R={recall:.3f}")
    precision_floor, recall_floor = FLOORS[split]
    assert precision >= precision_floor, f"{split}: precision {precision:.3f}"
    assert recall >= recall_floor, f"{split}: recall {recall:.3f}"
