"""Measuring a router: accuracy overall and per department, conduct recall, every miss.

A case counts as right when the decision's department is the expected one, or — for a
case the discipline office should get — when the desk would ask the conduct question
(the enterprise that reports conduct answers yes, and a yes always goes there). A
ticket left to the dispatcher is a miss. Conduct recall is the share of discipline cases
the desk routes there or asks about.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.routing.corpus import EvalCase
from bot.core.routing.model import Hints, LabelledExample, RoutingModel, train
from bot.core.routing.router import Router, RoutingDecision
from bot.core.routing.table import RoutingTable


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    decision: RoutingDecision
    correct: bool
    conduct_expected: bool

    @property
    def leaked(self) -> bool:
        """A conduct case sent, without the conduct question, to a department it names
        or to its category's department."""
        decision = self.decision
        forbidden = decision.excluded | decision.conduct.named_departments
        return self.conduct_expected and not decision.would_ask and decision.department in forbidden


@dataclass
class EvalReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return _share(sum(r.correct for r in self.results), len(self.results))

    @property
    def conduct_recall(self) -> float:
        conduct = [r for r in self.results if r.conduct_expected]
        return _share(sum(r.correct for r in conduct), len(conduct)) if conduct else 1.0

    @property
    def asked(self) -> int:
        return sum(r.decision.would_ask for r in self.results)

    @property
    def leaks(self) -> list[CaseResult]:
        return [r for r in self.results if r.leaked]

    @property
    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.correct]

    def per_department(self) -> dict[str, tuple[int, int]]:
        """Expected department → (right, cases), in code order."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for result in self.results:
            entry = counts[result.case.expected]
            entry[0] += result.correct
            entry[1] += 1
        return {code: (right, total) for code, (right, total) in sorted(counts.items())}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def judge(case: EvalCase, decision: RoutingDecision, discipline: str) -> CaseResult:
    conduct_expected = case.expected == discipline
    correct = decision.department == case.expected or (conduct_expected and decision.would_ask)
    return CaseResult(case, decision, correct, conduct_expected)


def evaluate(router: Router, cases: Sequence[EvalCase]) -> EvalReport:
    """Route every case as the desk would, before the enterprise answers any question."""
    discipline = router.table.discipline_department
    report = EvalReport()
    for case in cases:
        decision = router.decide(text=case.text, category=case.category)
        report.results.append(judge(case, decision, discipline))
    return report


def as_case(example: LabelledExample, index: int) -> EvalCase:
    return EvalCase(
        id=f"example-{index + 1}",
        text=example.text,
        category=example.category,
        expected=example.department,
    )


def folds(labels: Sequence[str], k: int, *, seed: int) -> list[list[int]]:
    """Stratified folds: each department's examples dealt round-robin after a shuffle."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        by_label[label].append(index)
    rng = random.Random(seed)
    result: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for position, index in enumerate(indices):
            result[(offset + position) % k].append(index)
        offset += len(indices)
    return [sorted(fold) for fold in result]


def cross_validate(
    examples: Sequence[LabelledExample],
    *,
    table: RoutingTable,
    hints: Hints,
    k: int = 5,
    seed: int = 0,
) -> EvalReport:
    """k-fold cross-validation of the whole router: every example is decided by a model
    that never saw it."""
    report = EvalReport()
    for fold in folds([e.department for e in examples], k, seed=seed):
        held = set(fold)
        model: RoutingModel = train(
            [e for i, e in enumerate(examples) if i not in held], hints=hints, seed=seed
        )
        router = Router.build(table=table, model=model)
        part = evaluate(router, [as_case(examples[i], i) for i in fold])
        report.results.extend(part.results)
    return report
