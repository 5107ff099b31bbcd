"""[ops] settings: defaults, environment overrides, and the CLI applying the log format."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.ops.logs import JsonFormatter


def test_defaults_keep_the_endpoint_local_and_logs_readable() -> None:
    ops = load_settings(None, environ={}).ops
    assert (ops.listen, ops.port, ops.log_format, ops.log_level) == (
        "127.0.0.1",
        9090,
        "text",
        "INFO",
    )


def test_the_environment_overrides_every_ops_key() -> None:
    ops = load_settings(
        None,
        environ={
            "DIANXIAOER_OPS_LISTEN": "0.0.0.0",
            "DIANXIAOER_OPS_PORT": "0",
            "DIANXIAOER_LOG_FORMAT": "json",
            "DIANXIAOER_LOG_LEVEL": "WARNING",
        },
    ).ops
    assert (ops.listen, ops.port, ops.log_format, ops.log_level) == (
        "0.0.0.0",
        0,
        "json",
        "WARNING",
    )


def test_a_wrong_log_format_names_its_key() -> None:
    with pytest.raises(ConfigError, match=r"ops\.log_format"):
        load_settings(None, environ={"DIANXIAOER_LOG_FORMAT": "xml"})


@pytest.fixture
def root_handlers() -> Iterator[None]:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved:
        root.addHandler(handler)
    root.setLevel(level)


def test_the_cli_logs_in_the_configured_format(
    monkeypatch: pytest.MonkeyPatch, root_handlers: None
) -> None:
    monkeypatch.setenv("DIANXIAOER_LOG_FORMAT", "json")
    monkeypatch.setenv("DIANXIAOER_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("DIANXIAOER_CONFIG", raising=False)
    monkeypatch.chdir("/")  # no ./config.toml: the embedded example
    assert main(["check-config"]) == 0
    [handler] = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonFormatter)
    assert logging.getLogger().level == logging.WARNING
