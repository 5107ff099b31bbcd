"""Nothing leaked: the enterprise's Telegram identity never reaches a group, company and contact
only where the enterprise allowed, evidence copied and never forwarded, the bot token never in
a log line or an error message."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.core.sla import Schedule, add_working_days, add_working_time
from bot.devtools.emulator import BotApiEmulator
from bot.devtools.emulator.records import Chat, MessageRecord
from bot.devtools.playground import Person, Scene
from bot.ops.logsafety import REDACTED, RedactingFilter, redact
from storage.db import transaction
from storage.models import Ticket
from tests.e2e.test_authorization_matrix import without_flood_limits
from tests.e2e.test_department_work import member, newest

ROOT = Path(__file__).resolve().parents[2]

# --- the people ----------------------------------------------------------------------------------


@dataclass
class Enterprise:
    person: Person
    company: str
    uscc: str | None
    contact: str
    phone: str  # as the desk stores it (+86 and eleven digits)
    visibility: str  # all | company | none

    def identity(self) -> dict[str, str]:
        user = self.person.user
        found = {"Telegram user id": str(user.id), "first name": user.first_name}
        if user.last_name:
            found["last name"] = user.last_name
        if user.username:
            found["username"] = user.username
        return found

    def hidden_from_departments(self) -> dict[str, str]:
        """What a department's group must not read, by the enterprise's choice."""
        hidden = {}
        if self.visibility == "none":
            hidden["company"] = self.company
            if self.uscc:
                hidden["USCC"] = self.uscc
        if self.visibility in ("none", "company"):
            hidden["contact"] = self.contact
            hidden["phone"] = self.phone[-11:]
        return hidden


VISIBILITY_LABELS = {
    "all": "企业名称和联系人都可以给部门看",
    "company": "只给企业名称",
    "none": "都不给（由营商环境办转达）",
}


def enterprise(
    scene: Scene,
    *,
    user_id: int,
    first: str,
    last: str,
    username: str,
    company: str,
    uscc: str | None,
    contact: str,
    phone: str,
    visibility: str,
) -> Enterprise:
    person = Person(
        scene,
        scene.emulator.add_user(first, user_id=user_id, last_name=last, username=username),
    )
    return Enterprise(person, company, uscc, contact, phone, visibility)


async def files(
    ent: Enterprise,
    *,
    category: str,
    description: str,
    menu: str = "📝 我要投诉",
    evidence: bool = False,
    reuse_profile: bool = False,
) -> str:
    """The whole filing conversation; returns the ticket number."""
    person = ent.person
    await person.says("/start")
    await person.says(menu)
    await person.taps(category)
    await person.says(description)
    if evidence:
        await person.sends_photo(caption="现场照片")
        await person.sends_document("整改通知书.pdf", b"%PDF-1.4 notice", "application/pdf")
    await person.taps("下一步 ➡️")
    if reuse_profile:
        await person.taps(f"沿用上次：{ent.company}")
    else:
        await person.says(ent.company)
        if ent.uscc:
            await person.says(ent.uscc)
        else:
            await person.taps("跳过")
        await person.says(ent.contact)
        await person.shares_own_phone(ent.phone)
    await person.taps(VISIBILITY_LABELS[ent.visibility])
    await person.taps("✅ 提交")
    return person.last_reply().text.split("工单号：")[1].split()[0]


async def press(person: Person, chat: Chat, message: MessageRecord, label: str) -> None:
    """Press a button on one particular message (several cards share a group)."""
    person.scene.emulator.user_presses(person.user, chat.id, message.message_id, button_text=label)
    await person.scene.settle()


def card_of(scene: Scene, chat: Chat, number: str) -> MessageRecord:
    return next(
        m for m in scene.emulator.bot_messages(chat.id) if number in m.content and "📋" in m.content
    )


async def answer(person: Person, chat: Chat, question: MessageRecord, text: str) -> None:
    await person.says(text, chat_id=chat.id, reply_to=question.message_id)


def ticket_row(scene: Scene, number: str) -> Ticket:
    with transaction(scene.desk.engine) as session:
        return session.exec(select(Ticket).where(Ticket.number == number)).one()


# --- what a group can read -----------------------------------------------------------------------


def _readable(value: Any) -> str:
    """A parameter as its reader sees it (JSON strings decoded, so CJK is not \\u-escaped)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, ensure_ascii=False)


def _is_group(chat_id: Any) -> bool:
    try:
        return int(chat_id) < 0
    except (TypeError, ValueError):
        return False


def group_readings(scene: Scene) -> list[tuple[int, str, str]]:
    """(chat id, where, text) for everything the bot ever put in front of a group: every Bot API
    call's visible parameters (each edit included), every message as it stands now, and the
    contents of every workbook."""
    found = []
    for call in scene.emulator.api_calls:
        chat_id = call.params.get("chat_id")
        if not _is_group(chat_id):
            continue
        for key in ("text", "caption", "reply_markup", "document", "photo"):
            if call.params.get(key) is not None:
                found.append((int(chat_id), f"{call.method}.{key}", _readable(call.params[key])))
    for chat in scene.emulator.world.chats.values():
        if chat.type == "private":
            continue
        for message in scene.emulator.bot_messages(chat.id):
            buttons = json.dumps(message.buttons, ensure_ascii=False)
            found.append((chat.id, f"message {message.message_id}", message.content + buttons))
            if message.document and str(message.document.get("file_name")).endswith(".xlsx"):
                found.append((chat.id, "workbook", _workbook_text(scene, message)))
    return found


def _workbook_text(scene: Scene, message: MessageRecord) -> str:
    assert message.document is not None
    data = scene.emulator.file_bytes(message.document["file_id"])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(
            book.read(name).decode("utf-8", "replace")
            for name in book.namelist()
            if name.endswith(".xml")
        )


def leaks(
    readings: list[tuple[int, str, str]], secrets: dict[str, str], chats: set[int] | None = None
) -> list[str]:
    return [
        f"{what} ({secret!r}) in chat {chat_id}, {where}: {text[:160]!r}"
        for chat_id, where, text in readings
        if chats is None or chat_id in chats
        for what, secret in secrets.items()
        if secret in text
    ]


# --- the stories ---------------------------------------------------------------------------------


@pytest.mark.slow  # a long story on both sides of the desk: 10-15 s
async def test_no_group_ever_reads_who_the_enterprise_is(scene: Scene) -> None:
    without_flood_limits(scene)
    emulator, admin = scene.emulator, scene.admin
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    econ = await scene.department_group("econ", "经济发展局 工单群")
    tax = await scene.department_group("tax", "税务局 工单群")
    leaders = await scene.department_group("leaders", "管委会领导群")
    discipline = await scene.department_group("discipline", "纪工委监察工委 线索群")
    zhang = member(scene, econ.id, "张科员")
    wang = member(scene, tax.id, "王科员")
    chen = member(scene, dispatch.id, "陈科长")
    member(scene, discipline.id, "纪检员")

    everyone = enterprise(
        scene,
        user_id=6640917253,
        first="雯婷",
        last="司徒",
        username="situ_wenting_88",
        company="厦门鹭岛精工有限公司",
        uscc="91350100M000100Y43",
        contact="林经理",
        phone="+8613800138001",
        visibility="all",
    )
    name_only = enterprise(
        scene,
        user_id=6640917254,
        first="Quentin",
        last="Ravelstoke",
        username="qravel_901",
        company="同安明辉食品有限公司",
        uscc=None,
        contact="郭主管",
        phone="+8613900139002",
        visibility="company",
    )
    nobody = enterprise(
        scene,
        user_id=6640917255,
        first="慕白",
        last="欧阳",
        username="ouyang_mubai_7",
        company="翔安星河电子科技有限公司",
        uscc=None,
        contact="苏女士",
        phone="+8613700137003",
        visibility="none",
    )
    enterprises = [everyone, name_only, nobody]

    # 1. Filed with a photo and a document; econ works it to the end, through a reopen.
    first = await files(
        everyone,
        category="政策兑现",
        description="厂区停电三天了，供电所一直不给说法，影响生产。",
        evidence=True,
    )
    card = card_of(scene, econ, first)
    await press(zhang, econ, card, "✅ 签收")
    await answer(zhang, econ, card, "您好，已在核实拨付进度。")
    relayed = everyone.person.last_reply()
    await everyone.person.says("谢谢，请尽快。", reply_to=relayed.message_id)
    await press(zhang, econ, card_of(scene, econ, first), "❓ 需补充材料")
    await answer(zhang, econ, newest(scene, econ.id, "需要企业补充什么"), "请提供项目验收报告。")
    question = everyone.person.last_reply()
    emulator.user_sends_photo(
        everyone.person.user,
        everyone.person.chat_id,
        caption="验收报告照片",
        reply_to=question.message_id,
    )
    await scene.settle()
    await press(zhang, econ, card_of(scene, econ, first), "⏱ 申请延期")
    await zhang.taps("3", chat_id=econ.id)
    await answer(zhang, econ, newest(scene, econ.id, "申请延期 3 个工作日"), "等待财政资金下达")
    await chen.taps("✅ 批准", chat_id=dispatch.id)
    for rating in ("不满意", "满意"):
        await press(zhang, econ, card_of(scene, econ, first), "🏁 办结")
        await answer(zhang, econ, newest(scene, econ.id, "写明办理结果"), "补贴已拨付到账。")
        await everyone.person.taps(rating)
        ask = everyone.person.last_reply()
        await everyone.person.says(f"{rating}：办理还可以更快。", reply_to=ask.message_id)
    assert ticket_row(scene, first).status == "closed"

    # 2. Nothing shared: econ hands it to tax, which answers; the enterprise answers back.
    second = await files(
        nobody, category="政策兑现", description="天然气报装申请了两个月还没通气。"
    )
    await press(zhang, econ, card_of(scene, econ, second), "↪️ 转办/退单")
    await zhang.taps("不属于本部门职责", chat_id=econ.id)
    await chen.taps("税务局", chat_id=dispatch.id)
    tax_card = card_of(scene, tax, second)
    await press(wang, tax, tax_card, "✅ 签收")
    await answer(wang, tax, tax_card, "已收到，正在核实。")
    await nobody.person.says("好的，等您消息。", reply_to=nobody.person.last_reply().message_id)
    # ... and a complaint about an official goes to the discipline office, still anonymous.
    conduct = await files(
        nobody,
        category="作风问题（吃拿卡要、公器私用、红顶中介）",
        description="检查人员暗示要好处费才给通过。",
        reuse_profile=True,
    )
    assert card_of(scene, discipline, conduct)

    # 3. Company name only: a request nobody routed, dispatched by hand, never accepted.
    third = await files(
        name_only,
        menu="🙋 我要办事/提诉求",
        category="其他",
        description="想反映一下园区里的一些情况。",
    )
    dispatch_card = next(
        m for m in emulator.bot_messages(dispatch.id) if third in m.content and m.buttons
    )
    await press(chen, dispatch, dispatch_card, "税务局")

    # 4. The chaser reminds tax and tells the supervisor; the weekly summary goes out.
    schedule = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone)
    due = ticket_row(scene, third).accept_due
    # In working time: three calendar days from a Thursday are barely one working day late.
    for late in (add_working_time(due, 0.5, schedule), add_working_days(due, 3, schedule)):
        await scene.chase_at(late + timedelta(minutes=1))
    assert any(
        third in m.content and "督办" in m.content for m in emulator.bot_messages(dispatch.id)
    )
    today = datetime.now(schedule.zone).date()
    monday = today + timedelta(days=14 - today.weekday())
    await scene.chase_at(
        datetime.combine(monday, datetime.min.time(), schedule.zone) + timedelta(hours=9, minutes=1)
    )
    assert any(m.document for m in emulator.bot_messages(leaders.id))

    # 5. Admins look tickets up in the groups, and see the departments.
    for chat, number in (
        (econ, second),
        (tax, second),
        (tax, third),
        (discipline, conduct),
        (dispatch, first),
        (dispatch, third),
    ):
        emulator.user_sends_text(admin, chat.id, f"/ticket {number}")
    emulator.user_sends_text(admin, dispatch.id, "/departments")
    await scene.settle()
    assert "审计记录" in emulator.last_bot_message(econ.id).content

    # --- what the groups read ---
    readings = group_readings(scene)
    assert len(readings) > 100
    for ent in enterprises:
        assert not leaks(readings, ent.identity()), "\n".join(leaks(readings, ent.identity()))
    department_chats = {econ.id, tax.id, leaders.id, discipline.id}
    for ent in enterprises:
        found = leaks(readings, ent.hidden_from_departments(), department_chats)
        assert not found, "\n".join(found)
    # Not vacuous: what was allowed is there, and the dispatcher's desk sees everything.
    assert leaks(readings, {"company": everyone.company, "contact": everyone.contact}, {econ.id})
    assert leaks(readings, {"company": name_only.company}, {tax.id})
    assert leaks(readings, {"company": nobody.company, "contact": nobody.contact}, {dispatch.id})

    # Evidence is copied into the groups, never forwarded.
    assert not emulator.calls("forwardMessage")
    copies = [c for c in emulator.calls("copyMessage") if _is_group(c.params.get("chat_id"))]
    assert len(copies) >= 3  # photo and document under the card, the answer's photo
    assert not any(
        m.forwarded for c in emulator.world.chats.values() for m in emulator.messages(c.id)
    )

    # Only an admin's private chat shows who filed.
    emulator.user_sends_text(admin, admin.id, f"/ticket {second}")
    await scene.settle()
    assert f"id {nobody.person.user.id}" in emulator.last_bot_message(admin.id).content


# --- the bot token -------------------------------------------------------------------------------

FAKE_TOKEN = "987654321:AAHfakeTokenForRedaction-Test_0123456"


def test_the_filter_redacts_messages_arguments_and_tracebacks() -> None:
    url = f"https://api.telegram.org/bot{FAKE_TOKEN}/getUpdates"
    assert FAKE_TOKEN not in redact(f"POST {url} failed")
    assert redact("bot123:abc") == f"bot{REDACTED}"
    assert redact("nothing secret here: 12:30, id 42") == "nothing secret here: 12:30, id 42"

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(secrets=["s3cr3t-db-password"]))
    log = logging.getLogger("test.logsafety")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("HTTP Request: %s %s", "POST", url)
        log.warning("password is s3cr3t-db-password")
        try:
            raise RuntimeError(f"The token `{FAKE_TOKEN}` was rejected by the server.")
        except RuntimeError:
            log.exception("could not start")
        log.warning("args stay usable: %d tickets", 3)
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert FAKE_TOKEN not in written and "987654321" not in written
    assert "s3cr3t-db-password" not in written
    assert "getUpdates" in written and "was rejected" in written and "3 tickets" in written


async def test_the_token_stays_out_of_the_desks_logs(tmp_path: Path) -> None:
    """The desk in its own process, against an emulator that rejects its token: PTB and httpx
    put the token in the error and in request URLs; stderr must show neither."""
    async with BotApiEmulator() as emulator:  # its own token, so FAKE_TOKEN is refused (401)
        env = {
            **os.environ,
            "DIANXIAOER_BOT_TOKEN": FAKE_TOKEN,
            "DIANXIAOER_BOT_API_URL": emulator.bot_base_url,
            "DIANXIAOER_BOT_FILE_URL": emulator.file_base_url,
            "DIANXIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DIANXIAOER_CONFIG", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "-v",
            "run",
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        except TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail("the desk did not stop after its token was rejected")
    stderr, stdout = err.decode(), out.decode()
    assert process.returncode != 0
    assert "rejected" in stderr, stderr[-2000:]  # the error was reported ...
    assert f"bot{REDACTED}" in stderr, stderr[-2000:]  # ... and a URL was logged, redacted
    for text in (stderr, stdout):
        assert FAKE_TOKEN not in text
        assert FAKE_TOKEN.split(":")[1] not in text
