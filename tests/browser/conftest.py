"""Browser fixtures: the real sandbox as a subprocess and Debian's headless Chromium.

Without /usr/bin/chromium the browser tests skip with the reason, unless
DIANXIAOER_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
Playwright only drives the system browser: `playwright install` is never needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.process import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    STOP_TIMEOUT_S,
    Sandbox,
    browser_problem,
)

if TYPE_CHECKING:  # Playwright is imported only once the browser is known to be there
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

REQUIRE_BROWSER = os.environ.get("DIANXIAOER_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium_required() -> None:
    problem = browser_problem()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"{problem} (required: DIANXIAOER_REQUIRE_BROWSER=1)")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def sandbox(chromium_required: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    folder = tmp_path_factory.mktemp("sandbox")
    running = Sandbox(folder / "data", folder / "sandbox.log")
    yield running
    code = running.stop()
    assert code is not None, f"the sandbox ignored SIGTERM for {STOP_TIMEOUT_S:.0f} s"


@pytest.fixture(scope="module")
def browser(chromium_required: None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's outcome, so the page fixture can photograph a failure."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, sandbox: Sandbox) -> Iterator[Page]:
    """A fresh tab (own storage) on the sandbox page, 1440×900, Chinese locale."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console {message.type}: {message.text}")

    def outgoing(sent: Request) -> None:
        # The page works offline: everything it loads comes from the sandbox itself.
        if not sent.url.startswith((sandbox.url, "data:", "blob:")):
            problems.append(f"request outside the sandbox: {sent.url}")

    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("console", console)
    tab.on("request", outgoing)
    tab.goto(sandbox.url)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=SCREENSHOTS / f"FAILED-{request.node.name}.png")
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder for this run's screenshots, emptied of an earlier run's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS
