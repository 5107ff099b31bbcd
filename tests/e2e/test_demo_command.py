"""`dianxiaoer demo`: the scripted story plays on the emulator and shows the desk working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_SH_ENDS = 'exec .venv/bin/dianxiaoer "$@"'

# A fresh clone and the whole scripted story in a process.
pytestmark = pytest.mark.slow


def test_the_readme_demo_command_plays_the_story_in_a_fresh_clone(tmp_path: Path) -> None:
    """`bash scripts/run.sh demo`, as the README says, from a fresh clone of the repository.

    run.sh installs the package into the clone's .venv and ends by passing its arguments to
    ``.venv/bin/dianxiaoer``; that install is this test run's own venv, so the command runs
    as this venv's ``dianxiaoer`` with the README's arguments, in the clone.
    """
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run.sh demo" in readme and ".venv/bin/dianxiaoer demo" in readme
    # the test suite's durations are said (docs/testing.md has the measurements)
    assert "with 2 cores the whole suite takes 5 minutes" in " ".join(readme.split())
    assert "the everyday run 1½ minutes" in " ".join(readme.split())
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    run_sh = (clone / "scripts" / "run.sh").read_text(encoding="utf-8")
    assert run_sh.rstrip().endswith(RUN_SH_ENDS)  # arguments pass through to the CLI
    script = Path(sys.executable).with_name("dianxiaoer")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
    done = subprocess.run(
        [*command, "demo"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "demo on the local Bot API emulator" in out
    assert "工单号：GX-" in out and "承办部门：规划建设局" in out
    # The mistyped credit code: it does not check out, compare it with the licence.
    assert "没有通过校验" in out and "对照营业执照" in out and "最后一位应为" not in out
    assert "已由 陈科长 分派给 经济发展局" in out
    assert "Group: 规划建设局 工单群" in out and "[photo]" in out
    assert "Traceback" not in done.stderr
    assert not (clone / "data").exists()  # the demo keeps nothing
