"""`dianxiaoer routing eval|explain` output: plain text for people, JSON lines for tools.

Pure: bot/cli.py finds the router (the desk's stored model, or one trained on the corpus)
and passes it in; nothing here needs a bot token, a database or a running desk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from bot.core.routing.corpus import EvalCase
from bot.core.routing.evaluation import CaseResult, EvalReport, evaluate
from bot.core.routing.router import Router, RoutingDecision


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _top(decision: RoutingDecision) -> str:
    return ", ".join(f"{code} {p:.2f}" for code, p in decision.top) or "-"


def case_json(result: CaseResult) -> str:
    """One case as the issue specifies: id, expected, department, reason, confidence,
    conduct, would_ask (``department`` null = left to the dispatcher)."""
    decision = result.decision
    return json.dumps(
        {
            "id": result.case.id,
            "expected": result.case.expected,
            "department": decision.department,
            "reason": decision.reason.value,
            "confidence": round(decision.confidence, 4),
            "conduct": decision.conduct.strength.value,
            "would_ask": decision.would_ask,
        },
        ensure_ascii=False,
    )


def print_report(report: EvalReport, out: TextIO) -> None:
    """Accuracy overall and per department, conduct recall, then every miss with why."""
    results = report.results
    print(
        f"accuracy {_pct(report.accuracy)} ({sum(r.correct for r in results)}/{len(results)})"
        f"  conduct recall {_pct(report.conduct_recall)}"
        f"  asked {report.asked}  conduct to a named department {len(report.leaks)}",
        file=out,
    )
    print("per department (expected: right/cases):", file=out)
    for code, (right, total) in report.per_department().items():
        print(f"  {code:<12} {right:>3}/{total:<3} {_pct(right / total):>6}", file=out)
    misses = report.misses
    print(f"misses ({len(misses)}):", file=out)
    for result in misses:
        print(describe_miss(result), file=out)


def describe_miss(result: CaseResult) -> str:
    decision = result.decision
    signals = "; ".join(decision.conduct.signals) or "none"
    rule = f" rule={decision.rule}" if decision.rule else ""
    return (
        f"  {result.case.id}: expected {result.case.expected}, got "
        f"{decision.department or 'dispatcher'} ({decision.reason.value}"
        f" {decision.confidence:.2f}{rule}) top [{_top(decision)}]"
        f" conduct {decision.conduct.strength.value} [{signals}]"
        f" category {result.case.category or '-'}\n      {result.case.text[:120]}"
    )


def run_eval(
    router: Router, cases: Sequence[EvalCase], *, as_json: bool, out: TextIO
) -> EvalReport:
    report = evaluate(router, cases)
    if as_json:
        for result in report.results:
            print(case_json(result), file=out)
    else:
        print_report(report, out)
    return report


def explain(router: Router, text: str, category: str | None, out: TextIO) -> RoutingDecision:
    """The decision, the conduct signals, the top 3 with confidence, the deciding rule."""
    decision = router.decide(text=text, category=category)
    print(
        f"decision: {decision.department or 'dispatcher'} ({decision.reason.value},"
        f" confidence {decision.confidence:.2f})",
        file=out,
    )
    if decision.would_ask:
        print(
            "would ask: is this about an official's conduct? yes → "
            f"{router.table.discipline_department}, no → the decision above",
            file=out,
        )
    print(f"conduct: {decision.conduct.strength.value}", file=out)
    for signal in decision.conduct.signals:
        print(f"  {signal}", file=out)
    if decision.excluded:
        print(f"never to: {', '.join(sorted(decision.excluded))}", file=out)
    print("top 3:", file=out)
    for code, probability in decision.top:
        print(f"  {code:<12} {probability:.2f}", file=out)
    if not decision.top:
        print("  (no model)" if router.model is None else "  -", file=out)
    if decision.rule:
        print(f"rule: {decision.rule}", file=out)
    model = router.model
    print(
        f"model: {model.version} (held-out accuracy {model.accuracy:.3f})"
        if model
        else "model: none (keyword rules and category defaults)",
        file=out,
    )
    return decision
