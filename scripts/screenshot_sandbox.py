"""Make the README's picture of the sandbox page: docs/images/sandbox.png (1440×900).

Starts `python -m bot sandbox` on a free port with a throw-away data folder, plays a short
story in Debian's headless Chromium with the browser tests' steps (tests/browser/harness.py)
and photographs the page mid-story: a ticket card with its buttons in the department group,
the relayed answer in the enterprise chat, and a card waiting to be dispatched.

    .venv/bin/python scripts/screenshot_sandbox.py [--out docs/images/sandbox.png]

Needs /usr/bin/chromium and fonts-wqy-microhei (fonts-noto-color-emoji for colour emoji).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.harness import SandboxPage, file_complaint, png  # noqa: E402
from tests.browser.process import CHROMIUM, CHROMIUM_ARGS, Sandbox  # noqa: E402


def story(desk: SandboxPage) -> None:
    """Two enterprises file; one department accepts and answers; one card waits for dispatch."""
    ent, dept = desk.enterprise, desk.department
    ent.choose("周女士")
    file_complaint(
        ent,
        category="其他",
        description="园区里有没有适合小微企业的场地？希望有人帮忙对接。",
        company="禾木文创工作室",
        uscc=None,
        contact="周女士",
        visibility="企业名称和联系人都可以给部门看",
    )
    ent.choose("林晓梅")
    number = file_complaint(
        ent,
        category="政务服务/审批",
        description="厂房消防验收一直排不上号，已经等了两个月，设备进场了却不能投产。",
        company="厦门海沧精密机械有限公司",
        uscc="91350100M000100Y43",
        contact="林经理",
        photo=png(240, 150, (96, 125, 139)),
    )
    dept.choose("规划建设局")
    dept.taps("✅ 签收")
    card = dept.message("📋", number)
    card.get_by_test_id("reply-action").click()
    dept.says("林经理您好，已联系消防验收窗口，本周四上午安排现场验收。")
    expect(ent.message("【规划建设局】")).to_be_visible()
    expect(desk.supervisor.message("待分派")).to_be_visible()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "sandbox.png")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="dianxiaoer-shot-") as folder:
        sandbox = Sandbox(Path(folder) / "data", Path(folder) / "sandbox.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                context = browser.new_context(
                    viewport={"width": 1440, "height": 900}, locale="zh-CN"
                )
                context.set_default_timeout(30_000)
                page = context.new_page()
                page.goto(sandbox.url)
                desk = SandboxPage(page)
                desk.wait_until_live()
                story(desk)
                expect(page.get_by_test_id("toast")).to_have_count(0, timeout=15_000)
                page.mouse.move(0, 0)  # no hover highlight in the picture
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.out)
                browser.close()
        finally:
            sandbox.stop()
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
