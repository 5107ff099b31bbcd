"""The classifier: training records a held-out accuracy, bytes round-trip, sklearn stays lazy."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.core.routing import (
    LabelledExample,
    ModelMismatch,
    RoutingModel,
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
    train,
)
from bot.core.routing.model import read_header

TABLE = routing_table_from_settings(load_settings(environ={}))
EXAMPLES = load_shipped_examples()
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

# The module's tests share one fixture: on one test worker, the model is trained once.
pytestmark = pytest.mark.xdist_group("routing-model")


@pytest.fixture(scope="module")
def model() -> RoutingModel:
    return train(EXAMPLES, hints=hints_from_table(TABLE), now=NOW)


def test_training_records_version_size_and_held_out_accuracy(model: RoutingModel) -> None:
    assert model.n_examples == len(EXAMPLES)
    assert model.version.startswith("20261202120000-")
    assert 0.5 < model.accuracy <= 1.0
    assert set(model.departments) == {e.department for e in EXAMPLES}


def test_predictions_are_probabilities_best_first(model: RoutingModel) -> None:
    ranked = model.predict("去年申报的研发费用补助到现在还没拨付", "policy")
    assert [d for d, _ in ranked][:1] == ["sci_tech"]
    assert sorted((p for _, p in ranked), reverse=True) == [p for _, p in ranked]
    assert sum(p for _, p in ranked) == pytest.approx(1.0)


def test_the_category_is_an_input_not_the_verdict(model: RoutingModel) -> None:
    text = "增值税留抵退税申请提交一个多月了还没到账"
    assert model.predict(text, "approval")[0][0] == "tax"
    assert model.predict(text, "financing")[0][0] == "tax"


def test_round_trip_through_bytes(model: RoutingModel) -> None:
    data = model.to_bytes()
    loaded = RoutingModel.from_bytes(data)
    assert (loaded.version, loaded.accuracy, loaded.n_examples, loaded.trained_at) == (
        model.version,
        model.accuracy,
        model.n_examples,
        model.trained_at,
    )
    texts = [(e.text, e.category) for e in EXAMPLES[:40]]
    assert loaded.predict_many(texts) == model.predict_many(texts)


def test_bytes_stored_before_the_package_moved_still_load(model: RoutingModel) -> None:
    """A desk's stored model names the module its Hints lived in when it was trained."""
    here = type(model.hints).__module__.encode()
    before = b"x" * (len(here) - len(b".routing.model")) + b".routing.model"
    data = model.to_bytes()
    assert here in data
    loaded = RoutingModel.from_bytes(data.replace(here, before))
    assert loaded.hints == model.hints
    texts = [(e.text, e.category) for e in EXAMPLES[:10]]
    assert loaded.predict_many(texts) == model.predict_many(texts)


def test_bytes_from_another_sklearn_are_refused_before_unpickling(model: RoutingModel) -> None:
    data = model.to_bytes()
    header = read_header(data)
    assert header["sklearn"]
    forged = data.replace(
        json.dumps(header).encode(), json.dumps({**header, "sklearn": "0.1.0"}).encode()
    )
    with pytest.raises(ModelMismatch, match=r"scikit-learn 0\.1\.0"):
        RoutingModel.from_bytes(forged)
    with pytest.raises(ModelMismatch):
        RoutingModel.from_bytes(b"not a model")


def test_training_needs_two_departments() -> None:
    with pytest.raises(ValueError, match="two departments"):
        train([LabelledExample("a", None, "tax"), LabelledExample("b", None, "tax")])


def test_a_department_with_a_single_example_still_trains() -> None:
    examples = [*EXAMPLES[:60], LabelledExample("全新的一类问题", "other", "urban")]
    assert "urban" in train(examples).departments


def test_importing_routing_does_not_load_sklearn() -> None:
    code = "import sys, bot.core.routing, bot.core.tickets; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_fast_arithmetic_agrees_with_the_pipeline(model: RoutingModel) -> None:
    items = [(e.text, e.category) for e in EXAMPLES[::7]]
    rows = model._rows(items)
    expected = model.pipeline.predict_proba(rows)
    classes = [str(c) for c in model.pipeline.classes_]
    for got, want in zip(model.predict_many(items), expected, strict=True):
        assert dict(got) == pytest.approx(dict(zip(classes, want, strict=True)), abs=1e-9)
