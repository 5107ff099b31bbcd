"""The sandbox as a subprocess and the system Chromium's launch settings (no Playwright here)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
READY_LINE = re.compile(r"Sandbox: (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


class Sandbox:
    """A running `python -m bot sandbox` process and the URL it printed."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIANXIAOER_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.log_path = log_path
        self._log = log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        self.url = self._wait_for_url()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _wait_for_url(self) -> str:
        while True:
            try:
                line = self._lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                self.stop()
                raise RuntimeError(
                    f"the sandbox printed no URL in {START_TIMEOUT_S:.0f} s"
                ) from None
            if line is None:
                self.stop()
                raise RuntimeError(
                    "the sandbox exited before printing its URL:\n"
                    + "".join(self.output)
                    + self.log_path.read_text(encoding="utf-8")[-4000:]
                )
            self.output.append(line)
            match = READY_LINE.search(line)
            if match:
                return match.group(1)

    def stop(self) -> int | None:
        """SIGTERM, as a service manager would; the exit code, or None if it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._log.close()
                return None
        self._log.close()
        return self.process.returncode
