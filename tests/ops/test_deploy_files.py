"""The deployment files stay true: the unit parses and is hardened, the image bakes in no
secret and runs as a user, the health check command works, the alerts name real metrics,
and the commands the deployment guide shows exist."""

from __future__ import annotations

import asyncio
import configparser
import os
import re
import socket
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.cli import _parser
from bot.config import load_settings
from bot.devtools.playground import Scene
from bot.ops.server import start_ops_site
from storage.types import utcnow

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_WORDS = re.compile(r"TOKEN|SECRET|PASSWORD|DATABASE_URL", re.IGNORECASE)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"), source=name)
    return parser


def test_the_systemd_unit_runs_migrations_first_as_its_own_hardened_user() -> None:
    service = unit("dianxiaoer.service")["Service"]
    assert service["User"] == service["Group"] == "dianxiaoer"
    assert service["EnvironmentFile"] == "/etc/dianxiaoer/env"
    assert not SECRET_WORDS.search(service.get("Environment", ""))  # secrets only in the file
    binary = service["ExecStart"].split()[0]
    assert service["ExecStart"] == f"{binary} run"
    assert service["ExecStartPre"] == f"{binary} db upgrade"
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    assert service["CapabilityBoundingSet"] == ""
    assert "WantedBy" in unit("dianxiaoer.service")["Install"]


def test_the_backup_timer_runs_the_backup_service() -> None:
    backup = unit("dianxiaoer-backup.service")["Service"]
    assert "pg_dump --format=custom" in backup["ExecStart"]
    assert "%%" in backup["ExecStart"]  # systemd needs date's % doubled
    assert backup["ReadWritePaths"] in backup["ExecStart"]
    assert unit("dianxiaoer-backup.timer")["Timer"]["Persistent"] == "true"


def test_the_environment_file_names_what_the_desk_reads() -> None:
    env = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    assert set(env) == {
        "DIANXIAOER_BOT_TOKEN",
        "DIANXIAOER_DATABASE_URL",
        "DIANXIAOER_WEBHOOK_SECRET",
    }
    settings = load_settings(None, environ=env)
    assert settings.telegram.token == env["DIANXIAOER_BOT_TOKEN"]
    assert make_url(settings.database.url).drivername == "postgresql+psycopg"


def dockerfile() -> list[str]:
    """Instructions, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return [i.strip() for i in re.sub(r"\\\n\s*", " ", "\n".join(lines)).splitlines() if i.strip()]


def test_the_image_runs_as_a_user_and_bakes_in_no_secret() -> None:
    instructions = dockerfile()
    keyword = [i.split()[0].upper() for i in instructions]
    assert instructions[0] == "FROM python:3.11-slim"
    users = [i.split()[1] for i in instructions if i.upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert keyword.index("USER") < keyword.index("CMD")
    for instruction in instructions:
        if instruction.split()[0].upper() in ("ENV", "ARG", "LABEL"):
            assert not SECRET_WORDS.search(instruction), instruction
    [healthcheck] = [i for i in instructions if i.upper().startswith("HEALTHCHECK")]
    assert "/healthz" in healthcheck
    assert any("fonts-wqy-microhei" in i for i in instructions if i.startswith("RUN"))
    # Everything copied exists and is let through .dockerignore, which starts from nothing.
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split("\n")
    rules = [r.strip() for r in ignore if r.strip() and not r.startswith("#")]
    assert rules[0] == "*"
    for instruction in instructions:
        if instruction.startswith("COPY"):
            for source in instruction.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert f"!{source}" in rules, source
    assert "**/config.toml" in rules and "**/.env" in rules


def _healthcheck_code() -> str:
    [healthcheck] = [i for i in dockerfile() if i.upper().startswith("HEALTHCHECK")]
    return healthcheck.split('python -c "', 1)[1].rsplit('"', 1)[0]


async def _exit_status(code: str, port: int) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        env={**os.environ, "DIANXIAOER_OPS_PORT": str(port)},
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await process.wait()


async def test_the_image_health_check_passes_up_and_fails_without_the_database(
    scene: Scene,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runner = await start_ops_site(
        desk=scene.desk, application=scene.application, listen="127.0.0.1", port=port
    )
    code = _healthcheck_code()
    try:
        assert await _exit_status(code, port) == 0
        engine = scene.desk.engine
        scene.desk.engine = create_engine("sqlite:////nonexistent/dir/desk.db")
        try:
            assert await _exit_status(code, port) != 0  # 503: the container turns unhealthy
        finally:
            scene.desk.engine.dispose()
            scene.desk.engine = engine
    finally:
        await runner.cleanup()
    assert await _exit_status(code, port) != 0  # nothing listening


async def test_the_alerts_name_metrics_the_desk_exports(scene: Scene) -> None:
    await scene.chase_at(utcnow())  # the chaser's timestamp exists once it has run
    from aiohttp.test_utils import TestClient, TestServer

    from bot.ops.server import ops_app

    app = ops_app(desk=scene.desk, application=scene.application)
    async with TestClient(TestServer(app)) as client:
        text = await (await client.get("/metrics")).text()
    exported = set()
    for family in text_string_to_metric_families(text):
        exported |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_count")}
    rules = (DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8")
    named = set(re.findall(r"\bdianxiaoer_[a-z0-9_]+", rules))
    assert len(named) >= 8
    assert named <= exported, named - exported
    scrape = (DEPLOY / "prometheus" / "scrape.yml").read_text(encoding="utf-8")
    assert "job_name: dianxiaoer" in scrape and 'up{job="dianxiaoer"}' in rules


def test_the_guide_shows_only_commands_that_exist() -> None:
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", guide, flags=re.DOTALL))
    program = r"(?:/bin/dianxiaoer|^\s*dianxiaoer|^\s*desk|--env-file \S+ dianxiaoer\S*)"
    shown = set(re.findall(program + r" ([a-z][a-z-]*)", code, flags=re.MULTILINE))
    assert {"db", "check-config", "outbox"} <= shown
    subcommands = next(action.choices for action in _parser()._actions if action.dest == "command")
    assert shown and shown <= set(subcommands), shown - set(subcommands)
    for path in re.findall(r"`(deploy/[\w./-]+)`", guide):
        assert (ROOT / path).exists(), path


def test_the_licence_is_an_spdx_expression_so_installs_print_no_deprecation() -> None:
    import tomllib

    project = tomllib.loads(
        (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    )
    # The table form (`license = { text = … }`) makes setuptools warn on every install.
    assert project["project"]["license"] == "MIT"
    assert "setuptools>=77" in project["build-system"]["requires"]  # reads SPDX strings


def test_the_scripts_install_an_emoji_font_as_they_do_the_cjk_font() -> None:
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    for name in ("run.sh", "test.sh"):
        text = (scripts / name).read_text(encoding="utf-8")
        assert "fonts-noto-color-emoji" in text and "fonts-wqy-microhei" in text, name
