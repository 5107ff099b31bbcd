"""The command line: config errors name the key and exit 2, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.cli import EXIT_CONFIG, main

MIGRATIONS = Path(__file__).resolve().parents[2] / "storage" / "migrations"


def test_check_config_on_embedded_defaults(capsys) -> None:
    assert main(["check-config"]) == 0
    assert "config ok: 16 departments" in capsys.readouterr().out


def test_unknown_key_is_named(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[desk]\nticket_prefx = "GX"\n', encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "desk.ticket_prefx" in err and "unknown key" in err


def test_bad_value_is_named(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[desk]\nticket_prefix = "gx-1"\n', encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == EXIT_CONFIG
    assert "desk.ticket_prefix" in capsys.readouterr().err


def test_broken_toml_and_missing_file(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[desk\n", encoding="utf-8")
    assert main(["--config", str(config), "check-config"]) == EXIT_CONFIG
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "nope.toml"), "check-config"]) == EXIT_CONFIG
    assert "cannot read the file" in capsys.readouterr().err


def test_python_dash_m_bot_prints_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[database]\nurl = 5\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "check-config"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_CONFIG
    assert "database.url" in done.stderr and "Traceback" not in done.stderr


def test_db_upgrade_migrates_and_seeds(db_url: str, monkeypatch, capsys) -> None:
    from storage import queries
    from storage.db import current_revision, head_revision, make_engine, transaction

    monkeypatch.setenv("DIANXIAOER_DATABASE_URL", db_url)
    assert main(["db", "upgrade"]) == 0
    assert "database at head" in capsys.readouterr().out
    engine = make_engine(db_url)
    newest = max((MIGRATIONS / "versions").glob("[0-9]*.py"), key=lambda p: p.name)
    declared = re.search(r'^revision: str = "([^"]+)"', newest.read_text(), re.MULTILINE)
    assert declared is not None
    assert current_revision(engine) == head_revision() == declared[1]
    with transaction(engine) as session:
        assert len(queries.zone.list_departments(session=session)) == 16
    engine.dispose()


def test_reading_commands_refuse_a_database_that_does_not_exist(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """Run in the wrong folder, `report weekly` used to create an empty data/desk.db and
    print an all-zero week; now it names the path it looked at and creates nothing."""
    from bot.cli import EXIT_NO_DATABASE

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIANXIAOER_DATABASE_URL", raising=False)
    for argv in (["report", "weekly", "--out", str(tmp_path / "out")], ["outbox", "list"]):
        assert main(argv) == EXIT_NO_DATABASE
        said = capsys.readouterr()
        assert f"no database at {tmp_path / 'data' / 'desk.db'}" in said.err, argv
        assert "每周超期通报" not in said.out
    assert not (tmp_path / "data").exists() and not (tmp_path / "out").exists()
