"""`dianxiaoer routing train` stores a model that `eval` and `explain` then use."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.routing import synthesise
from bot import cli
from bot.core.routing import load_shipped_examples


def test_train_stores_a_model_that_explain_uses(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    monkeypatch.delenv("DIANXIAOER_BOT_TOKEN", raising=False)
    assert cli.main(["routing", "train"]) == 0
    out = capsys.readouterr().out
    examples = len(load_shipped_examples())
    assert out.startswith("model ")
    assert f": {examples} examples, held-out accuracy " in out
    version = out.split()[1].rstrip(":")

    assert cli.main(["routing", "explain", "厂区这个月停电三次", "--category", "utilities"]) == 0
    captured = capsys.readouterr()
    assert f"model: {version} (stored, {examples} examples)" in captured.err
    assert f"model: {version} (held-out accuracy" in captured.out


def test_the_benchmark_synthesises_labelled_variants() -> None:
    corpus = load_shipped_examples()
    made = synthesise(corpus, 300, seed=1)
    assert len(made) == 300
    assert {e.department for e in made} <= {e.department for e in corpus}
    assert sum(e.text not in {c.text for c in corpus} for e in made) > 250
