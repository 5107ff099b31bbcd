"""CI's measure of the shipped zone: 5-fold cross-validation on the shipped corpus.

Every example is decided by a model trained on the other four folds — never a score on a
model's own training cases. Figures are printed (pytest -s) for docs/routing.md.
"""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.core.routing import (
    CONDUCT_REASONS,
    Router,
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
)
from bot.core.routing.evaluation import EvalReport, cross_validate, folds

SETTINGS = load_settings(environ={})
TABLE = routing_table_from_settings(SETTINGS)
EXAMPLES = load_shipped_examples()
DEPARTMENTS = sorted(TABLE.departments)

# The module's tests share one fixture: on one test worker, the cross-validation runs once.
# Five models trained (half a minute): slow, left to the full run; tests/routing/test_model.py
# trains one in the everyday run.
pytestmark = [pytest.mark.xdist_group("routing-cross-validation"), pytest.mark.slow]


@pytest.fixture(scope="module")
def report() -> EvalReport:
    result = cross_validate(EXAMPLES, table=TABLE, hints=hints_from_table(TABLE), k=5)
    print(
        f"\n5-fold CV on {len(EXAMPLES)} examples: accuracy {result.accuracy:.3f}, "
        f"conduct recall {result.conduct_recall:.3f}, asked {result.asked}, "
        f"leaks {len(result.leaks)}"
    )
    return result


def test_the_corpus_is_big_enough_for_every_department() -> None:
    assert len(EXAMPLES) >= 400
    per_department = {d: sum(e.department == d for e in EXAMPLES) for d in DEPARTMENTS}
    assert min(per_department.values()) >= 15, per_department


def test_folds_partition_the_corpus_and_stratify() -> None:
    labels = [e.department for e in EXAMPLES]
    parts = folds(labels, 5, seed=0)
    flat = [i for part in parts for i in part]
    assert sorted(flat) == list(range(len(EXAMPLES)))  # each example held out exactly once
    for department in DEPARTMENTS:
        counts = [sum(labels[i] == department for i in part) for part in parts]
        assert max(counts) - min(counts) <= 1, (department, counts)


def test_every_example_is_judged_once_by_a_model_that_never_saw_it(report: EvalReport) -> None:
    assert sorted(r.case.id for r in report.results) == sorted(
        f"example-{i + 1}" for i in range(len(EXAMPLES))
    )


def test_overall_accuracy_is_at_least_85_percent(report: EvalReport) -> None:
    assert report.accuracy >= 0.85


def test_conduct_recall_is_complete(report: EvalReport) -> None:
    missed = [r.case.text for r in report.results if r.conduct_expected and not r.correct]
    assert report.conduct_recall == 1.0, missed


def test_no_conduct_case_goes_to_a_department_it_names(report: EvalReport) -> None:
    assert report.leaks == []


def test_every_conduct_example_is_safe_whatever_the_model_prefers() -> None:
    """Exhaustively over the corpus: each conduct example, each category, with a model
    sure of each department — treated as conduct, it never reaches a named department
    nor the category's."""

    class Sure:
        def __init__(self, department: str) -> None:
            self.department = department

        def predict(self, text: str, category: str | None) -> list[tuple[str, float]]:
            return [(d, 0.99 if d == self.department else 0.0) for d in DEPARTMENTS]

    for example in (e for e in EXAMPLES if e.conduct):
        for category in TABLE.categories:
            own = TABLE.categories[category].department
            plain = Router.build(table=TABLE, model=None).decide(
                text=example.text, category=category, conduct_answer=True
            )
            forbidden = plain.conduct.named_departments | {own} - {None, "discipline"}
            for department in forbidden | {"discipline"}:  # the model sure of each of them
                router = Router.build(table=TABLE, model=Sure(department))  # type: ignore[arg-type]
                decision = router.decide(text=example.text, category=category, conduct_answer=True)
                assert decision.reason in CONDUCT_REASONS
                assert decision.department not in forbidden, example.text
                assert decision.excluded == forbidden
