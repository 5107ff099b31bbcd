"""Driving the sandbox page like a visitor does: panes, chips, buttons, typed answers.

Shared by the browser tests and scripts/screenshot_sandbox.py. Every step acts on what is
visible on the page and then waits until the pane is idle (its action answered and the
chats re-fetched), so the next step sees the bot's answer.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

from playwright.sync_api import FilePayload, Locator, Page, expect

PANE_KINDS = ("enterprise", "department", "supervisor")


def exactly(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@dataclass
class Pane:
    """One of the three chats on the page."""

    page: Page
    kind: str

    @property
    def root(self) -> Locator:
        return self.page.get_by_test_id(f"pane-{self.kind}")

    @property
    def messages(self) -> Locator:
        return self.root.get_by_test_id("message")

    def idle(self) -> None:
        """Wait until this pane's queued actions are done and their answers are shown."""
        expect(self.root).not_to_have_attribute("aria-busy", "true")

    def chip(self, label: str) -> Locator:
        return self.root.get_by_test_id("chip").filter(has_text=exactly(label))

    def choose(self, label: str) -> None:
        """Switch this pane to the enterprise or group whose chip reads `label`."""
        chip = self.chip(label)
        chip.click()
        expect(chip).to_have_attribute("aria-pressed", "true")
        self.idle()

    def says(self, text: str) -> None:
        count = self.messages.count()
        self.root.get_by_test_id("composer-input").fill(text)
        self.root.get_by_test_id("send").click()
        self.idle()
        expect(self.messages).not_to_have_count(count)
        expect(self.root.get_by_test_id("composer-input")).to_have_value("")

    def taps(self, text: str) -> None:
        """Press the newest inline button labelled `text`."""
        button = (
            self.root.get_by_test_id("inline-keyboard")
            .get_by_role("button", name=text, exact=True)
            .last
        )
        button.click()
        self.idle()

    def keys(self, text: str) -> None:
        """Press a reply-keyboard button (under the composer) whose label contains `text`."""
        self.root.get_by_test_id("reply-keyboard").get_by_role("button", name=text).click()
        self.idle()

    def texts(self, *needles: str) -> Locator:
        """Messages whose own text (not a quoted reply) contains every needle."""
        text = self.page.get_by_test_id("message-text")
        for needle in needles:
            text = text.filter(has_text=needle)
        return self.messages.filter(has=text)

    def message(self, *needles: str) -> Locator:
        """The newest message whose own text contains every needle."""
        return self.texts(*needles).last

    def replies(self, needle: str, text: str) -> None:
        """Reply (the message's 回复 action) to the newest message containing `needle`."""
        self.message(needle).get_by_test_id("reply-action").click()
        banner = self.root.get_by_test_id("reply-banner")
        expect(banner).to_be_visible()
        self.says(text)
        expect(banner).to_be_hidden()

    def attaches(self, name: str, mime_type: str, data: bytes) -> None:
        count = self.messages.count()
        self.root.get_by_test_id("attach-input").set_input_files(
            files=[FilePayload(name=name, mimeType=mime_type, buffer=data)]
        )
        self.idle()
        expect(self.messages).not_to_have_count(count)


class SandboxPage:
    """The whole page: three panes and the time bar."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.enterprise = Pane(page, "enterprise")
        self.department = Pane(page, "department")
        self.supervisor = Pane(page, "supervisor")

    def wait_until_live(self) -> None:
        expect(self.page.get_by_test_id("live")).to_have_attribute("data-on", "true")
        expect(self.enterprise.root.get_by_test_id("chip").first).to_be_visible()

    def clock(self) -> str:
        return self.page.get_by_test_id("clock").inner_text()

    def time_button(self, test_id: str) -> None:
        button = self.page.get_by_test_id(test_id)
        before = self.clock()
        button.click()
        expect(button).to_be_enabled(timeout=60_000)
        for pane in (self.enterprise, self.department, self.supervisor):
            pane.idle()
        expect(self.page.get_by_test_id("clock")).not_to_have_text(before)


def file_complaint(
    pane: Pane,
    *,
    category: str,
    description: str,
    company: str,
    uscc: str | None,
    contact: str,
    visibility: str = "只给企业名称",
    photo: bytes | None = None,
    document: tuple[str, str, bytes] | None = None,
) -> str:
    """The enterprise files a complaint through the bot's buttons; returns the ticket number.

    `document` is (file name, MIME type, bytes), attached as evidence like `photo`.
    """
    pane.says("/start")
    pane.keys("📝 我要投诉")
    pane.taps(category)
    pane.says(description)
    if photo is not None:
        pane.attaches("现场照片.png", "image/png", photo)
    if document is not None:
        pane.attaches(*document)
    pane.taps("下一步 ➡️")
    pane.says(company)
    if uscc:
        pane.says(uscc)
    else:
        pane.taps("跳过")
    pane.says(contact)
    pane.keys("分享我的手机号")
    pane.taps(visibility)
    pane.taps("✅ 提交")
    ack = pane.message("已受理")
    expect(ack).to_contain_text("工单号")
    match = re.search(r"工单号：\s*(\S+)", ack.inner_text())
    assert match, ack.inner_text()
    return match.group(1)


def routed_department(pane: Pane, names: list[str]) -> str:
    """The department the acknowledgement names (the enterprise is told where it went)."""
    text = pane.message("已受理").inner_text()
    found = [name for name in names if name in text]
    assert found, text
    return max(found, key=len)


def png(width: int = 160, height: int = 100, rgb: tuple[int, int, int] = (70, 130, 180)) -> bytes:
    """A small solid-colour PNG, made here so the tests need no image files."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
