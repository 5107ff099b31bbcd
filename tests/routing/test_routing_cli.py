"""`dianxiaoer routing eval|explain` as a zone runs them: no token, no database, no desk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import cli
from bot.config import load_settings
from bot.core.routing import (
    RoutingModel,
    hints_from_table,
    load_shipped_examples,
    routing_table_from_settings,
    train,
)

REALISTIC = Path(__file__).parent / "data" / "realistic_cases.toml"
TABLE = routing_table_from_settings(load_settings(environ={}))
# The held-out set R1 wrote apart from the corpus (tests/routing/data). Floors measured on
# 2026-12-02 (docs/routing.md, "Measured"): 90 % accuracy, 97 % conduct recall.
EVAL_ACCURACY_FLOOR = 0.85
EVAL_CONDUCT_RECALL_FLOOR = 0.9

# The module's tests share one fixture: on one test worker, the model is trained once.
pytestmark = pytest.mark.xdist_group("routing-cli")


@pytest.fixture(autouse=True)
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that does not exist: eval must train from the corpus, not create one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", f"sqlite:///{tmp_path}/none.db")
    monkeypatch.delenv("DIANXIAOER_BOT_TOKEN", raising=False)


@pytest.fixture(scope="module")
def model() -> RoutingModel:
    return train(load_shipped_examples(), hints=hints_from_table(TABLE))


@pytest.fixture
def trained(model: RoutingModel, monkeypatch: pytest.MonkeyPatch) -> RoutingModel:
    monkeypatch.setattr(cli, "_routing_model", lambda settings: (model, "test model"))
    return model


CASES = """
[[case]]
id = "c1"
text = "税务所的专管员推荐我们换他认识的代账公司，说换了以后申报好说话"
category = "other"
expected = "discipline"

[[case]]
id = "c2"
text = "增值税留抵退税申请提交一个多月了还没到账"
category = "approval"
expected = "tax"

[[case]]
id = "c3"
text = "有人说给点好处就能快，营业执照变更一直没办下来"
category = "approval"
expected = "approval"

[[case]]
id = "c4"
text = "厂区旁边的河道发臭"
category = "other"
expected = "fire"
"""


def test_eval_json_is_one_object_per_case(
    trained: RoutingModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(CASES, encoding="utf-8")
    assert cli.main(["routing", "eval", str(path), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ["c1", "c2", "c3", "c4"]
    keys = {"id", "expected", "department", "reason", "confidence", "conduct", "would_ask"}
    assert all(set(line) == keys for line in lines)
    c1, c2, c3, _ = lines
    assert (c1["department"], c1["reason"], c1["conduct"]) == (
        "discipline",
        "conduct_signals",
        "strong",
    )
    assert (c2["department"], c2["reason"], c2["confidence"]) == ("tax", "rule_always", 1.0)
    assert c3["would_ask"] is True and c3["conduct"] == "weak"
    assert c3["department"] != "discipline"  # the route for the answer "no"


def test_eval_text_reports_accuracy_departments_recall_and_misses(
    trained: RoutingModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.toml"
    path.write_text(CASES, encoding="utf-8")
    assert cli.main(["routing", "eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("accuracy ")
    assert "conduct recall 100.0%" in out
    assert "  discipline     1/1   100.0%" in out
    assert "misses (" in out
    assert "c4: expected fire, got " in out  # the miss, with its reason and top 3
    assert "厂区旁边的河道发臭" in out


def test_eval_refuses_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[case]]\nid = "x"\ntext = ""\n', encoding="utf-8")
    assert cli.main(["routing", "eval", str(path)]) == cli.EXIT_CONFIG
    assert "case 1: text must be a non-empty string" in capsys.readouterr().err


def test_explain_shows_decision_signals_top_and_rule(
    trained: RoutingModel, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "质监站的王科长说你们老板也不来坐坐，意思意思就好办了"
    assert cli.main(["routing", "explain", text, "--category", "approval"]) == 0
    out = capsys.readouterr().out
    assert "decision: discipline (conduct_signals, confidence 1.00)" in out
    assert "conduct: strong" in out
    assert "actor:department:planning" in out
    assert "never to: approval, planning" in out
    assert cli.main(["routing", "explain", "研发费用加计扣除没享受到", "--category", "policy"]) == 0
    out = capsys.readouterr().out
    assert "decision: tax (rule_always" in out
    assert "rule: 加计扣除" in out
    assert "top 3:" in out


def test_eval_on_the_held_out_realistic_cases(capsys: pytest.CaptureFixture[str]) -> None:
    """The real command path: no stored model, so it trains on the shipped corpus, then
    routes R1's held-out cases (none of them in the corpus)."""
    assert cli.main(["routing", "eval", str(REALISTIC), "--json"]) == 0
    captured = capsys.readouterr()
    assert "trained now on the corpus" in captured.err
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert len(lines) >= 80

    def right(line: dict[str, object]) -> bool:
        conduct_asked = line["expected"] == "discipline" and line["would_ask"]
        return line["department"] == line["expected"] or bool(conduct_asked)

    accuracy = sum(map(right, lines)) / len(lines)
    conduct = [line for line in lines if line["expected"] == "discipline"]
    recall = sum(map(right, conduct)) / len(conduct)
    print(f"\nrealistic cases: accuracy {accuracy:.3f}, conduct recall {recall:.3f}")
    assert accuracy >= EVAL_ACCURACY_FLOOR
    assert recall >= EVAL_CONDUCT_RECALL_FLOOR
    assert not Path("none.db").exists()


def test_config_may_follow_the_subcommand(
    trained: RoutingModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zone = tmp_path / "zone.toml"
    example = Path(cli.__file__).parent / "config.example.toml"
    zone.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text("[routing]\nconfidence_threshold = 7\n", encoding="utf-8")
    assert cli.main(["routing", "explain", "停电", "--config", str(broken)]) == cli.EXIT_CONFIG
    assert "confidence_threshold" in capsys.readouterr().err
    assert cli.main(["--config", str(broken), "routing", "explain", "停电"]) == cli.EXIT_CONFIG
    capsys.readouterr()
    assert cli.main(["routing", "explain", "停电", "--config", str(zone)]) == 0
    assert "decision: " in capsys.readouterr().out
