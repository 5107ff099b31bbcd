"""Routing: decision latency, training time on 10^4 examples, a loaded model's memory, start.

- decision: ``Router.decide`` over every text of the held-out realistic cases and the
  corpus (the model trained on the shipped corpus), p50/p99 per decision;
- training: ``train`` on 10,000 examples synthesised from the corpus (resampled, each
  perturbed: a clause dropped or the clauses rotated, a character deleted, the category
  sometimes changed) — the held-out fit and the final fit both count;
- memory and start, in a fresh interpreter (``--measure``): the resident set after
  importing the desk's modules, then after loading the stored bytes of the 10^4-example
  model (scikit-learn's import included: it is part of what a model costs), and the
  seconds that import+load takes at start.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, current_rss_mb, main_for, percentile
from bot.config import load_settings
from bot.core.routing import (
    LabelledExample,
    Router,
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
    train,
)
from bot.core.routing.corpus import load_cases

NAME = "routing"
REALISTIC = Path(__file__).resolve().parent.parent / "tests/routing/data/realistic_cases.toml"
SIZE = 10_000
QUICK_SIZE = 800
ROUNDS = 5
QUICK_ROUNDS = 1


def synthesise(
    examples: list[LabelledExample], size: int, *, seed: int = 0
) -> list[LabelledExample]:
    """``size`` examples resampled from ``examples``, each perturbed a little."""
    rng = random.Random(seed)
    categories = sorted({e.category for e in examples if e.category})
    made: list[LabelledExample] = []
    while len(made) < size:
        source = rng.choice(examples)
        clauses = [c for c in re.split(r"(?<=[，。,.])", source.text) if c]
        if len(clauses) > 2 and rng.random() < 0.5:
            clauses.pop(rng.randrange(len(clauses)))
        elif len(clauses) > 1:
            shift = rng.randrange(len(clauses))
            clauses = clauses[shift:] + clauses[:shift]
        text = "".join(clauses)
        if len(text) > 4:
            cut = rng.randrange(len(text))
            text = text[:cut] + text[cut + 1 :]
        category = rng.choice(categories) if rng.random() < 0.2 else source.category
        made.append(LabelledExample(text, category, source.department, source.conduct))
    return made


def measure(quick: bool) -> list[Figure]:
    zone = load_settings(environ={})
    table = routing_table_from_settings(zone)
    hints = hints_from_table(table)
    corpus = load_shipped_examples()
    model = train(corpus, hints=hints)
    router = Router.build(table=table, model=model)
    items = [(c.text, c.category) for c in load_cases(REALISTIC)]
    items += [(e.text, e.category) for e in corpus]
    router.decide(text=items[0][0], category=items[0][1])  # warm-up
    latencies = []
    for _ in range(QUICK_ROUNDS if quick else ROUNDS):
        for text, category in items:
            started = time.perf_counter()
            router.decide(text=text, category=category)
            latencies.append((time.perf_counter() - started) * 1000)
    p99 = percentile(latencies, 0.99)

    size = QUICK_SIZE if quick else SIZE
    synthetic = synthesise(corpus, size)
    started = time.perf_counter()
    big = train(synthetic, hints=hints)
    training = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.bin"
        data = big.to_bytes()
        path.write_bytes(data)
        here = subprocess.run(
            [sys.executable, "-m", "benchmarks.routing", "--measure", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        facts = json.loads(here.stdout.strip().splitlines()[-1])
    extra = facts["after_mb"] - facts["before_mb"]
    return [
        Figure(
            NAME,
            "-",
            f"decision p50 ({len(latencies)} decisions)",
            percentile(latencies, 0.5),
            "ms",
        ),
        Figure(NAME, "-", "decision p99", p99, "ms", "< 20", p99 < 20),
        Figure(NAME, "-", f"training on {size} examples", training, "s", "< 60", training < 60),
        Figure(NAME, "-", "model bytes", len(data) / 1024 / 1024, "MB"),
        Figure(NAME, "-", "RSS before model (desk modules)", facts["before_mb"], "MB"),
        Figure(NAME, "-", "extra RSS of the loaded model", extra, "MB", "< 150", extra < 150),
        Figure(
            NAME,
            "-",
            "import sklearn + load model",
            facts["load_s"],
            "s",
            "< 3",
            facts["load_s"] < 3,
        ),
    ]


def measure_here(path: str) -> dict[str, float]:
    """In a fresh interpreter: RSS with the desk's modules, then with the model loaded."""
    import bot.app
    import bot.core.routing

    before = current_rss_mb()
    started = time.perf_counter()
    model = bot.core.routing.RoutingModel.from_bytes(Path(path).read_bytes())
    model.predict("停电三天了", "utilities")  # the first decision builds lazy state too
    load = time.perf_counter() - started
    return {"before_mb": before, "after_mb": current_rss_mb(), "load_s": load}


def run(quick: bool, backends: list[str]) -> list[Figure]:
    return measure(quick)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure_here(sys.argv[2])))
    else:
        main_for(__doc__.splitlines()[0], run)
