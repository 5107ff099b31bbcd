"""The similar-ticket index in a burst: one block per filing would make every search slower."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import load_settings
from bot.core import similar
from bot.core.similar import SimilarIndex, corpus_representation

START = datetime(2026, 12, 1, tzinfo=UTC)
TEXTS = [
    "园区自来水已经停了两天，生产线全部停工",
    "物业转供电每度加价三毛，要求整改",
    "研发补贴申请交了三个月没有回音",
    "园区停水两天了，工厂没法生产，请协调供水",
]


def _rows(n: int) -> list[tuple[int, int, datetime, str]]:
    return [(i, 1000 + i, START + timedelta(minutes=i), TEXTS[i % len(TEXTS)]) for i in range(n)]


def test_a_burst_of_filings_keeps_few_blocks_and_finds_the_same() -> None:
    representation = corpus_representation(load_settings(None, environ={}))
    one_by_one = SimilarIndex(representation, timedelta(days=30))
    at_once = SimilarIndex(representation, timedelta(days=30))
    rows = _rows(200)
    for row in rows:  # a burst: every filing refreshes the index with its own ticket
        one_by_one.add([row])
    at_once.add(rows)
    assert len(one_by_one.blocks) <= similar.MAX_BLOCKS
    assert len(one_by_one) == len(at_once) == 200

    def found(index: SimilarIndex) -> list[tuple[int, float]]:
        hits = index.search(TEXTS[0], since=START, threshold=0.1, limit=200)
        return [(h.ticket_id, round(h.score, 9)) for h in hits]

    assert found(one_by_one) == found(at_once)
    assert len(found(at_once)) >= 50  # every copy of the water complaint, and its rewording
    members = [i for i in range(200) if i % len(TEXTS) in (0, 3)]
    assert one_by_one.mean_score(TEXTS[3], members) == pytest.approx(
        at_once.mean_score(TEXTS[3], members)
    )
