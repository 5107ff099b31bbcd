"""The embedded example zone loads, is internally consistent, and bad configs name their key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from bot.config import ConfigError, Settings, default_config_text, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "bot" / "config.example.toml"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(environ={})


def test_embedded_default_is_the_example_file() -> None:
    assert default_config_text() == EXAMPLE.read_text(encoding="utf-8")


def test_example_loads_from_its_path(settings: Settings) -> None:
    assert load_settings(EXAMPLE, environ={}) == settings


def test_every_schema_key_is_written_out() -> None:
    """Operators read the example as the reference: no setting may be left to a default."""
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    # TOML has no null: these may only be written by leaving them out. An optional list
    # (staff) is documented on the one department that shows it.
    may_omit = {("categories", "department"), ("routing_rules", "categories")}
    # always is shown on the rules that use it; the others keep the default (a model hint).
    documented_once = {
        ("departments", "staff"),
        ("categories", "priority"),
        ("routing_rules", "always"),
    }
    for section, key in documented_once:
        assert any(key in item for item in raw[section]), f"{section}: {key} never shown"
        may_omit.add((section, key))
    assert set(raw) == set(Settings.model_fields)
    for section, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            assert set(raw[section]) == set(annotation.model_fields), section
            continue
        item_model = get_args(annotation)[0]
        for i, item in enumerate(raw[section]):
            missing = {k for k in item_model.model_fields if k not in item}
            missing -= {key for sec, key in may_omit if sec == section}
            assert not missing, f"{section}.{i}: {sorted(missing)}"


def test_secrets_and_database_defaults(settings: Settings) -> None:
    assert settings.telegram.token == ""
    assert not settings.has_token
    assert settings.database.url == "sqlite:///data/desk.db"
    assert settings.desk.admins == []


def test_environment_overrides_token() -> None:
    loaded = load_settings(environ={"DIANXIAOER_BOT_TOKEN": "123:abc"})
    assert loaded.telegram.token == "123:abc"


def test_references_resolve(settings: Settings) -> None:
    departments = {d.code for d in settings.departments}
    categories = {c.code for c in settings.categories}
    for category in settings.categories:
        assert category.department is None or category.department in departments
    for rule in settings.routing_rules:
        assert rule.department in departments
        assert set(rule.categories) <= categories
    assert len(settings.routing_rules) >= 25


def test_exactly_one_dispatcher_and_one_discipline(settings: Settings) -> None:
    roles = [d.role for d in settings.departments]
    assert roles.count("dispatcher") == 1
    assert roles.count("discipline") == 1
    by_role = {d.role: d.code for d in settings.departments if d.role != "department"}
    assert by_role == {"dispatcher": "bizenv", "discipline": "discipline", "leadership": "leaders"}


def test_expected_departments_and_categories(settings: Settings) -> None:
    assert {d.code for d in settings.departments} >= {
        "econ", "sci_tech", "approval", "planning", "ecology", "market", "tax", "hrss",
        "finance", "emergency", "fire", "discipline", "bizenv",
    }  # fmt: skip
    assert [c.code for c in settings.categories] == [
        "approval", "fees", "inspection", "policy", "utilities", "market_access",
        "financing", "ip", "arrears", "conduct", "other",
    ]  # fmt: skip


def test_only_the_conduct_category_is_conduct(settings: Settings) -> None:
    assert [c.code for c in settings.categories if c.conduct] == ["conduct"]


def test_other_has_no_default_department(settings: Settings) -> None:
    other = next(c for c in settings.categories if c.code == "other")
    assert other.department is None


def test_every_category_but_other_has_hints(settings: Settings) -> None:
    for category in settings.categories:
        assert bool(category.hint_keywords) == (category.code != "other"), category.code


def test_names_are_filled_in(settings: Settings) -> None:
    names = [(d.name, d.name_en) for d in settings.departments]
    names += [(c.name, c.name_en) for c in settings.categories]
    for name, name_en in names:
        assert name.strip() and name_en.strip() and name_en.isascii()


def test_keywords_are_not_blank_or_duplicated(settings: Settings) -> None:
    conduct = settings.routing.conduct_keywords
    assert len(conduct) == len(set(conduct))
    # "政策红包" (a policy windfall) is ordinary business language, not a bribe.
    assert "红包" not in conduct
    for rule in settings.routing_rules:
        assert all(k.strip() for k in rule.keywords)
        assert len(rule.keywords) == len(set(rule.keywords))


def _write_broken(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('code = "bizenv"', 'code = "BizEnv"', "departments.0.code"),
        ('code = "discipline"\nname', 'code = "bizenv"\nname', "departments"),
        (
            'department = "econ"\npriority = 200',
            'department = "nope"\npriority = 200',
            "routing_rules.",
        ),
        (
            'department = "approval"\nconduct',
            'department = "no_such"\nconduct',
            "categories.0.department",
        ),
        ('categories = ["fees"]', 'categories = ["nope"]', "routing_rules."),
        ('Commission"\nrole = "discipline"', 'Commission"', "needs role = 'discipline'"),
        ("poll_timeout_seconds = 30", "poll_timeout_seconds = 90", "telegram.poll_timeout_seconds"),
        ("batch_size = 50", "batch_sise = 50", "sender.batch_sise"),
        ('ticket_prefix = "GX"', 'ticket_prefix = "gx"', "desk.ticket_prefix"),
    ],
)
def test_broken_config_names_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(_write_broken(tmp_path, old, new), environ={})
    assert key in str(info.value)


def test_broken_rule_department_names_its_index(tmp_path: Path) -> None:
    path = _write_broken(
        tmp_path, 'department = "fire"\npriority = 300', 'department = "x_fire"\npriority = 300'
    )
    settings_text = path.read_text(encoding="utf-8")
    index = [r["department"] for r in tomllib.loads(settings_text)["routing_rules"]].index("x_fire")
    with pytest.raises(ConfigError, match=rf"routing_rules\.{index}\.department"):
        load_settings(path, environ={})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[desk\nname = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, environ={})
