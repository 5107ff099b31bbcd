"""Starting safely: loopback only, one sandbox per data dir, a fresh database each time."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.devtools.sandbox.loopback import SandboxRefused, check_loopback
from bot.devtools.sandbox.runner import DATABASE_NAME, fresh_database, hold_data_dir


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    check_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.com", ""])
def test_other_hosts_are_refused_with_the_reason(host: str) -> None:
    with pytest.raises(SandboxRefused, match=r"only listens on this computer \(127\.0\.0\.1\)"):
        check_loopback(host)


def test_a_second_sandbox_on_the_same_data_dir_is_refused(tmp_path: Path) -> None:
    with hold_data_dir(tmp_path / "d"):
        second = hold_data_dir(tmp_path / "d")
        with pytest.raises(SandboxRefused, match="Another sandbox is already running"):
            second.__enter__()
        with hold_data_dir(tmp_path / "other"):
            pass
    with hold_data_dir(tmp_path / "d"):  # free again once the first one stopped
        pass


def test_every_start_gets_an_empty_database(tmp_path: Path) -> None:
    for name in (DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm", "keep.txt"):
        (tmp_path / name).write_text("old")
    url = fresh_database(tmp_path)
    assert url == f"sqlite:///{tmp_path / DATABASE_NAME}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
