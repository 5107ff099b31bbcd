"""`mode = "webhook"` needs its URL and secret; the secret can come from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def write(tmp_path: Path, telegram: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[telegram]\n{telegram}\n", encoding="utf-8")
    return path


def test_polling_stays_the_default() -> None:
    assert load_settings(None, environ={}).telegram.mode == "polling"


@pytest.mark.parametrize(
    ("telegram", "environ", "problem"),
    [
        ('mode = "webhook"', {}, "telegram.webhook_url: required in webhook mode"),
        (
            'mode = "webhook"\nwebhook_url = "https://desk.example.cn/tg"',
            {},
            "telegram.webhook_secret_token: required in webhook mode",
        ),
        (
            'mode = "webhook"\nwebhook_url = "https://desk.example.cn/tg"\n'
            'webhook_secret_token = "has spaces"',
            {},
            "telegram.webhook_secret_token: String should match pattern",
        ),
        ('mode = "hook"', {}, "telegram.mode: Input should be 'polling' or 'webhook'"),
        (
            'mode = "webhook"\nwebhook_url = "https://desk.example.cn/tg"',
            {"DIANXIAOER_WEBHOOK_SECRET": "x" * 257},
            "telegram.webhook_secret_token: String should match pattern",
        ),
    ],
)
def test_a_webhook_without_what_it_needs_is_refused(
    tmp_path: Path, telegram: str, environ: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, telegram), environ=environ)
    assert problem in str(caught.value)


def test_the_secret_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, 'mode = "webhook"\nwebhook_url = "https://desk.example.cn/tg"')
    settings = load_settings(path, environ={"DIANXIAOER_WEBHOOK_SECRET": "abc-DEF_123"})
    telegram = settings.telegram
    assert (telegram.mode, telegram.webhook_secret_token) == ("webhook", "abc-DEF_123")
    assert (telegram.webhook_listen, telegram.webhook_port, telegram.webhook_path) == (
        "127.0.0.1",
        8443,
        "telegram",
    )


def test_the_secret_never_reaches_a_log(tmp_path: Path, monkeypatch, capsys) -> None:
    from bot.cli import main
    from bot.ops import logsafety

    path = write(tmp_path, 'mode = "webhook"\nwebhook_url = "https://desk.example.cn/tg"')
    monkeypatch.setenv("DIANXIAOER_WEBHOOK_SECRET", "Zq9-webhook_SECRET")
    assert main(["--config", str(path), "check-config"]) == 0
    assert "config ok" in capsys.readouterr().out
    assert "Zq9-webhook_SECRET" not in logsafety.redact("setWebhook secret=Zq9-webhook_SECRET")
