"""`dianxiaoer demo`: the scripted story plays on the emulator and shows the desk working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_demo_plays_the_story_and_keeps_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
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
    assert not (tmp_path / "data").exists()  # the demo keeps nothing
