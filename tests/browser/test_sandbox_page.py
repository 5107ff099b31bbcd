"""What a visitor lives through on the sandbox page, in a real (headless) Chromium.

One sandbox runs for the module; each story uses its own ticket. Assertions read what the
page shows; screenshots of each chapter go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.harness import Pane, SandboxPage, file_complaint, png, routed_department

# One sandbox and one Chromium for the module, on one test worker (it also owns the
# screenshots folder, which a run empties first).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

LIN_DESCRIPTION = "厂房消防验收一直排不上号，已经等了两个月，设备进场了却不能投产。"
STAFF_ANSWER = "林经理您好，已联系消防验收窗口，本周四上午安排现场验收。"
RESULT = "已于周四完成现场验收，验收意见书已发企业。"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def department_names(sandbox_page: SandboxPage) -> list[str]:
    return sandbox_page.department.root.get_by_test_id("chip").all_inner_texts()


def card(pane: Pane, number: str) -> Locator:
    """The ticket's card in a group (edited in place as the ticket moves on)."""
    return pane.message("📋", number)


def image_loaded(locator: Locator) -> bool:
    return bool(locator.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_a_complaint_from_filing_to_a_satisfied_rating(page: Page, screenshots: Path) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    ent, dept = desk.enterprise, desk.department
    expect(page.get_by_role("heading", name="企业私聊")).to_be_visible()

    ent.choose("林晓梅")
    number = file_complaint(
        ent,
        category="政务服务/审批",
        description=LIN_DESCRIPTION,
        company="厦门海沧精密机械有限公司",
        uscc="91350100M000100Y43",
        contact="林经理",
        photo=png(),
    )
    expect(ent.message("已受理")).to_contain_text(number)
    page.screenshot(path=screenshots / "01-complaint-filed.png")

    # The card reaches the department the ticket was routed to, without the contact person.
    department = routed_department(ent, department_names(desk))
    dept.choose(department)
    ticket_card = card(dept, number)
    expect(ticket_card).to_contain_text("厂房消防验收")
    expect(ticket_card).to_contain_text("厦门海沧精密机械有限公司")
    expect(ticket_card).not_to_contain_text("林经理")
    expect(ticket_card.get_by_role("button", name="✅ 签收")).to_be_visible()
    evidence = dept.root.get_by_test_id("photo").last
    expect(evidence).to_be_visible()
    assert image_loaded(evidence)
    page.screenshot(path=screenshots / "02-card-in-the-department.png")

    # The department accepts and answers by replying to the card.
    dept.taps("✅ 签收")
    expect(ent.message("签收")).to_contain_text(f"已由{department}签收")
    expect(ticket_card.get_by_role("button", name="✅ 签收")).to_have_count(0)
    ticket_card.get_by_test_id("reply-action").click()
    expect(dept.root.get_by_test_id("reply-banner")).to_contain_text(number)
    dept.says(STAFF_ANSWER)
    expect(dept.root.get_by_test_id("reply-banner")).to_be_hidden()
    relayed = ent.message(STAFF_ANSWER)
    expect(relayed).to_contain_text(f"【{department}】")
    expect(relayed).not_to_contain_text("刘科员")
    expect(ent.messages.last).to_be_in_viewport()  # each pane follows its newest message
    expect(dept.messages.last).to_be_in_viewport()
    page.screenshot(path=screenshots / "03-answer-relayed.png")

    # 办结: the bot asks for the result as a forced reply; the composer is already replying.
    dept.taps("🏁 办结")
    banner = dept.root.get_by_test_id("reply-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("办理结果")
    dept.says(RESULT)
    expect(ent.message("已办结")).to_contain_text(RESULT)

    ent.taps("非常满意")
    expect(ent.message("谢谢您的评价")).to_contain_text(number)
    page.screenshot(path=screenshots / "04-rated-very-satisfied.png")


def test_an_unaccepted_ticket_is_chased_after_a_working_day(page: Page, screenshots: Path) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    ent, dept = desk.enterprise, desk.department

    ent.root.get_by_test_id("new-enterprise").click()
    page.get_by_test_id("new-enterprise-name").fill("吴总")
    page.get_by_test_id("new-enterprise-company").fill("鹭岛新能源科技有限公司")
    page.get_by_test_id("new-enterprise-create").click()
    ent.idle()
    expect(ent.chip("吴总")).to_have_attribute("aria-pressed", "true")
    expect(ent.root.get_by_test_id("chat-title")).to_contain_text("鹭岛新能源科技有限公司")

    number = file_complaint(
        ent,
        category="涉企收费",
        description="物业转供电每度电加价三毛，多次反映没有结果。",
        company="鹭岛新能源科技有限公司",
        uscc=None,
        contact="吴总",
        visibility="企业名称和联系人都可以给部门看",
        document=("电费清单.pdf", "application/pdf", PDF),
    )
    expect(ent.root.get_by_test_id("document-link").last).to_contain_text("电费清单.pdf")
    department = routed_department(ent, department_names(desk))
    dept.choose(department)
    expect(card(dept, number)).to_contain_text("物业转供电")
    expect(card(dept, number)).to_contain_text("吴总")  # this enterprise allowed its contact
    evidence = dept.root.get_by_test_id("document-link").last
    expect(evidence).to_contain_text("电费清单.pdf")
    expect(evidence).to_have_attribute("href", re.compile(r"^/api/files/"))

    before = desk.clock()
    desk.time_button("advance-day")
    assert desk.clock() != before
    reminder = dept.message("催办")
    expect(reminder).to_contain_text(number)
    expect(reminder).to_contain_text("签收已超期")
    page.screenshot(path=screenshots / "05-overdue-reminder.png")


def test_the_dispatcher_routes_a_ticket_no_rule_matched(page: Page, screenshots: Path) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    ent, dept, office = desk.enterprise, desk.department, desk.supervisor

    ent.choose("周女士")
    number = file_complaint(
        ent,
        category="其他",
        description="你好，有个情况想当面跟园区说一下，麻烦安排个时间对接。",
        company="禾木文创工作室",
        uscc=None,
        contact="周女士",
        visibility="企业名称和联系人都可以给部门看",
    )
    expect(ent.message("已受理")).to_contain_text("营商环境办")
    office.choose("营商环境办")
    waiting = office.message("待分派", number)
    expect(waiting).to_be_visible()
    page.screenshot(path=screenshots / "06-waiting-for-dispatch.png")

    # The routing model's candidates carry their probability ("经济发展局 24%").
    waiting.get_by_role("button", name=re.compile(r"^经济发展局( \d+%)?$")).click()
    office.idle()
    expect(page.get_by_test_id("toast").filter(has_text=number)).to_contain_text("经济发展局")
    expect(office.message(number)).to_contain_text("已由 陈科长 分派给 经济发展局")
    dept.choose("经济发展局")
    expect(card(dept, number)).to_contain_text("当面跟园区说一下")
    expect(ent.message("已分派给 经济发展局")).to_be_visible()


def test_the_weekly_summary_reaches_the_leadership_group(page: Page, screenshots: Path) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    boss = desk.supervisor

    desk.time_button("weekly")
    expect(boss.chip("管委会领导")).to_have_attribute("aria-pressed", "true")
    expect(boss.message("每周超期通报")).to_be_visible()
    chart = boss.root.get_by_test_id("photo").last
    expect(chart).to_be_visible()
    assert image_loaded(chart)
    workbook = boss.root.get_by_test_id("document-link").last
    expect(workbook).to_contain_text(".xlsx")
    page.screenshot(path=screenshots / "07-weekly-summary.png")

    with page.expect_download() as download_info:
        workbook.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = Path(download.path())
    assert saved.read_bytes()[:2] == b"PK"  # an XLSX is a zip archive


def test_a_second_tab_sees_new_messages_live(page: Page) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    desk.enterprise.choose("周女士")
    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    other = SandboxPage(other_tab)
    other.wait_until_live()
    other.enterprise.choose("周女士")
    other.enterprise.says("/help")
    # The first tab did nothing: the message arrives through /api/events.
    expect(desk.enterprise.message("/help")).to_be_visible()
    expect(desk.enterprise.messages.last).not_to_contain_text("/help")  # the bot answered too
    other_tab.close()


def test_the_page_switches_between_chinese_and_english(page: Page, screenshots: Path) -> None:
    desk = SandboxPage(page)
    desk.wait_until_live()
    toggle = page.get_by_test_id("language-toggle")
    expect(toggle).to_have_text("English")

    toggle.click()
    expect(page.get_by_role("heading", name="Enterprise chat")).to_be_visible()
    expect(page.get_by_test_id("advance-day")).to_have_text("+1 working day")
    expect(page.get_by_test_id("weekly")).to_have_text("Weekly summary")
    expect(desk.enterprise.root.get_by_test_id("new-enterprise")).to_have_text("+ New enterprise")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=screenshots / "08-english.png")

    page.reload()  # the choice is remembered
    expect(page.get_by_role("heading", name="Department group")).to_be_visible()
    page.get_by_test_id("language-toggle").click()
    expect(page.get_by_role("heading", name="企业私聊")).to_be_visible()
    expect(page.get_by_test_id("advance-day")).to_have_text("+1 工作日")


def _clipped_chips(page: Page, pane: str) -> list[str]:
    """Chips of a pane that its chip area does not show whole (cut off or scrolled away)."""
    return page.evaluate(
        """(pane) => {
          const root = document.querySelector(`[data-testid="pane-${pane}"]`);
          const box = root.querySelector('.chips').getBoundingClientRect();
          return [...root.querySelectorAll('.chips > *')]
            .filter((chip) => {
              const r = chip.getBoundingClientRect();
              return r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5 || r.height === 0;
            })
            .map((chip) => chip.textContent);
        }""",
        pane,
    )


def test_every_chip_and_heading_fits_at_1400_by_900_in_both_languages(
    page: Page, screenshots: Path
) -> None:
    """The 16th department's chip used to sit in a scrolled fourth row; in English the pane
    headings wrapped and cut the chips off."""
    page.set_viewport_size({"width": 1400, "height": 900})
    desk = SandboxPage(page)
    desk.wait_until_live()
    for language in ("zh", "en"):
        if language == "en":
            page.get_by_test_id("language-toggle").click()
            expect(page.get_by_role("heading", name="Department group")).to_be_visible()
        for pane in ("enterprise", "department", "supervisor"):
            assert _clipped_chips(page, pane) == [], (language, pane)
        heights = page.evaluate(
            "() => [...document.querySelectorAll('.pane-heading')]"
            ".map((h) => h.getBoundingClientRect().height)"
        )
        assert heights and all(h < 2 * 15 for h in heights), (language, heights)  # one line
        bar = page.evaluate("() => document.querySelector('.topbar').getBoundingClientRect()")
        assert bar["height"] < 60, (language, bar)  # the top bar stays one line
        page.screenshot(path=screenshots / f"09-chips-1400-{language}.png")
