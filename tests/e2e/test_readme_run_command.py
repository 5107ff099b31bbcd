"""The README's run command with nothing configured starts the sandbox; Ctrl-C stops it cleanly.

The command runs as a real process in its own process group: the test waits for the URL it
prints, fetches the page, does one round trip through the API, stops it with a signal, and
checks the exit code, that no process of the group is left, and the SQLite file.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

START_SECONDS = 90.0

# The desk started as a process, as a user starts it: seconds each.
pytestmark = pytest.mark.slow


def _command() -> list[str]:
    """What scripts/run.sh ends with (`exec .venv/bin/dianxiaoer "$@"`), in this venv."""
    script = Path(sys.executable).with_name("dianxiaoer")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
    return subprocess.Popen(
        [*_command(), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, to check nothing is left behind
    )


def _wait_for_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """The URL from the `Sandbox: http://…/` line, and the lines printed before it."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_SECONDS
    before: list[str] = []
    while time.monotonic() < deadline:
        if not selector.select(timeout=deadline - time.monotonic()):
            break
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Sandbox: "):
            return line.removeprefix("Sandbox: ").strip(), before
        before.append(line)
    process.kill()
    _, err = process.communicate()
    raise AssertionError(f"no URL printed; stdout {before!r}; stderr:\n{err}")


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
        if response.headers.get_content_type() == "application/json":
            return json.loads(body)
        return body.decode()


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _stop(process: subprocess.Popen[str], signum: int) -> str:
    """Send ``signum``; returns stderr after checking exit code 0 and an empty group."""
    group = os.getpgid(process.pid)
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        raise
    assert process.returncode == 0, err
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)  # no process of the group is left
    assert "Traceback" not in err
    return err


def _integrity(database: Path) -> tuple[str, int]:
    connection = sqlite3.connect(database)
    try:
        [check] = connection.execute("PRAGMA integrity_check").fetchone()
        [bound] = connection.execute(
            "SELECT count(*) FROM department WHERE chat_id IS NOT NULL"
        ).fetchone()
    finally:
        connection.close()
    return check, bound


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_without_a_token_run_starts_the_sandbox_and_stops_cleanly(
    tmp_path: Path, signum: int
) -> None:
    data = tmp_path / "sandbox-data"
    process = _start(["run", "--port", "0", "--data-dir", str(data)], cwd=tmp_path)
    try:
        url, before = _wait_for_url(process)
        assert "No bot token configured" in "".join(before)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        assert "<html" in _get(url).lower()

        state = _get(f"{url}api/state")
        lin = next(e for e in state["enterprises"] if e["name"] == "林晓梅")
        sent = _post(
            f"{url}api/send",
            {"chat_id": lin["chat_id"], "user_id": lin["user_id"], "text": "/start"},
        )
        assert sent["ok"] is True
        chat = _get(f"{url}api/chats/{lin['chat_id']}/messages")
        answer = chat["messages"][-1]
        assert answer["from"]["is_bot"] and "您好，林晓梅" in answer["html"]
        assert answer["reply_keyboard"][0][0]["text"] == "📝 我要投诉"
    finally:
        if process.poll() is None:
            _stop(process, signum)
    check, bound = _integrity(data / "sandbox.db")
    assert check == "ok"
    assert bound == len(state["groups"])  # every department's group was bound with /bind


def test_a_taken_port_is_explained_and_a_free_one_used(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _start(
            ["sandbox", "--port", str(port), "--data-dir", str(tmp_path / "d")], cwd=tmp_path
        )
        try:
            url, _ = _wait_for_url(process)
            assert url.startswith("http://127.0.0.1:") and f":{port}/" not in url
            assert _get(f"{url}api/state")["enterprises"]
        finally:
            err = _stop(process, signal.SIGTERM)
    assert f"Port {port} is already in use" in err


def test_the_sandbox_refuses_to_listen_beyond_this_computer(tmp_path: Path) -> None:
    process = _start(["sandbox", "--host", "0.0.0.0", "--port", "0"], cwd=tmp_path)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "only listens on this computer (127.0.0.1)" in err
    assert not (tmp_path / "data").exists()
