"""同类诉求: finding similar tickets among 10^5 recent ones, p99 per search; building the index.

The index (bot/core/similar.py) holds 100,000 recent tickets synthesised from the shipped
routing corpus (each resampled and perturbed as the routing benchmark does), vectorised
with the routing vectorizer fitted on the corpus — what a fresh install uses. Each search
is what a filing does: vectorise the new text, score it against every indexed ticket of
the window, keep those of other enterprises above ``[common] threshold``, best first, and
check that it reads like the best match's group as a whole (``mean_score`` over ten ids). The
queries are the texts of the labelled set (tests/common/data), none of them indexed.
Also: the time to build the index at start (in the start job's worker thread), the time
to add one ticket (each refresh), and the index's memory.
"""

from __future__ import annotations

import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, current_rss_mb, main_for, percentile
from benchmarks.routing import synthesise
from bot.config import load_settings
from bot.core.routing import load_shipped_examples
from bot.core.similar import SimilarIndex, corpus_representation

NAME = "similar"
SIZE = 100_000
QUICK_SIZE = 10_000
LABELLED = Path(__file__).resolve().parent.parent / "tests/common/data/similar_tickets.toml"
ROUNDS = 3
TARGET_MS = 50.0


def queries() -> list[str]:
    data = tomllib.loads(LABELLED.read_text(encoding="utf-8"))
    return [t for part in ("group", "single") for item in data[part] for t in item["texts"]]


def measure(quick: bool) -> list[Figure]:
    settings = load_settings(environ={})
    rep = corpus_representation(settings)
    size = QUICK_SIZE if quick else SIZE
    texts = [e.text for e in synthesise(load_shipped_examples(settings), size)]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    # Spread over the window: a month of filings, one enterprise each (the worst case:
    # nothing is left out for being the searcher's own).
    rows = [
        (i + 1, i + 1, now - timedelta(days=30) * (1 - i / size), text)
        for i, text in enumerate(texts)
    ]
    before = current_rss_mb()
    started = time.perf_counter()
    index = SimilarIndex(rep, timedelta(days=30))
    index.add(rows)
    build = time.perf_counter() - started
    memory = current_rss_mb() - before
    asked = queries()
    since = now - timedelta(days=30)
    threshold = settings.common.threshold
    index.search(asked[0], since=since, threshold=threshold)  # warm-up
    latencies = []
    found = 0
    for _ in range(1 if quick else ROUNDS):
        for i, text in enumerate(asked):
            started = time.perf_counter()
            hits = index.search(
                text, since=since, threshold=threshold, other_than_reporter=-i, limit=50
            )
            if hits:  # the group check of the best match, as if its group were the top ten
                index.mean_score(text, [h.ticket_id for h in hits[:10]])
            latencies.append((time.perf_counter() - started) * 1000)
            found += bool(hits)
    adds = []
    for i, text in enumerate(asked[:50]):
        started = time.perf_counter()
        index.add([(size + i + 1, size + i + 1, now, text)])
        adds.append((time.perf_counter() - started) * 1000)
    p99 = percentile(latencies, 0.99)
    return [
        Figure(
            NAME,
            "-",
            f"search p50 ({size:,} tickets, {len(latencies)} searches)",
            percentile(latencies, 0.5),
            "ms",
        ),
        Figure(
            NAME,
            "-",
            f"search p99 ({size:,} tickets)",
            p99,
            "ms",
            f"< {TARGET_MS:.0f}",
            p99 < TARGET_MS,
        ),
        Figure(
            NAME, "-", "searches with a hit above the threshold", 100 * found / len(latencies), "%"
        ),
        Figure(NAME, "-", f"index build ({size:,} tickets)", build, "s"),
        Figure(NAME, "-", "add one ticket p99", percentile(adds, 0.99), "ms"),
        Figure(NAME, "-", "index memory (RSS growth)", memory, "MB"),
    ]


def run(quick: bool, backends: list[str]) -> list[Figure]:
    return measure(quick)


if __name__ == "__main__":
    main_for(__doc__.splitlines()[0], run)
    sys.exit(0)
