"""Acting through the page: a complaint filed, accepted and answered; files, contacts, people."""

from __future__ import annotations

from sqlmodel import select

from bot.devtools.sandbox.sandbox import Sandbox
from storage.db import transaction
from storage.models import Ticket
from tests.sandbox.api import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_a_complaint_goes_from_the_enterprise_to_the_department_and_back(
    api: Api, sandbox: Sandbox
) -> None:
    lin = await api.enterprise("林晓梅")
    await api.file_complaint(
        lin, category="政策兑现", text="奖补资金迟迟不到位，申报半年了没有消息"
    )
    with transaction(sandbox.scene.desk.engine) as session:
        ticket = session.exec(select(Ticket)).one()
        number = ticket.number
    assert number in await api.last_bot_html(lin["chat_id"])

    econ = await api.group("econ")
    card = next(m for m in await api.bot_messages(econ["chat_id"]) if number in m["html"])
    labels = [b["text"] for row in card["inline_keyboard"] for b in row]
    assert "✅ 签收" in labels and "林晓梅" not in card["html"]  # only the company is shown

    await api.taps(econ["chat_id"], econ["staff"]["user_id"], "✅ 签收")
    card = next(
        m for m in await api.messages(econ["chat_id"]) if m["message_id"] == card["message_id"]
    )
    assert card["edited"] and "✅ 签收" not in [
        b["text"] for r in card["inline_keyboard"] for b in r
    ]
    with transaction(sandbox.scene.desk.engine) as session:
        assert session.exec(select(Ticket)).one().accepted_at is not None

    await api.says(
        econ["chat_id"],
        econ["staff"]["user_id"],
        "您好，资金已在审核，下周拨付。",
        reply_to=card["message_id"],
    )
    relayed = await api.bot_messages(lin["chat_id"])
    assert any("下周拨付" in m["html"] for m in relayed)
    # The staff's reply shows the bot's 👍: relayed (the README promises it).
    [reply] = [
        m
        for m in await api.messages(econ["chat_id"])
        if "下周拨付" in m["html"] and not m["from"]["is_bot"]
    ]
    assert reply["reactions"] == ["👍"]


async def test_an_image_is_sent_as_a_photo_and_a_pdf_as_a_document(api: Api) -> None:
    zhou = await api.enterprise("周女士")
    chat, user = zhou["chat_id"], zhou["user_id"]
    photo = await api.uploads(
        chat, user, data=PNG, file_name="现场.png", content_type="image/png", caption="现场照片"
    )
    pdf = await api.uploads(
        chat, user, data=b"%PDF-1.4 test", file_name="回执.pdf", content_type="application/pdf"
    )
    messages = {m["message_id"]: m for m in await api.messages(chat)}
    sent_photo, sent_pdf = messages[photo["message_id"]], messages[pdf["message_id"]]
    assert sent_photo["html"] == "现场照片" and sent_photo["document"] is None
    picture = await api.client.get(sent_photo["photo"]["url"])
    assert picture.content_type == "image/png" and await picture.read() == PNG

    assert sent_pdf["photo"] is None
    assert sent_pdf["document"]["file_name"] == "回执.pdf"
    assert sent_pdf["document"]["mime_type"] == "application/pdf"
    download = await api.client.get(sent_pdf["document"]["url"])
    assert await download.read() == b"%PDF-1.4 test"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "%E5%9B%9E%E6%89%A7.pdf" in download.headers["Content-Disposition"]


async def test_sharing_the_own_phone_number(api: Api) -> None:
    lin = await api.enterprise("林晓梅")
    answer = await api.post("/api/contact", {"chat_id": lin["chat_id"], "user_id": lin["user_id"]})
    shared = next(
        m for m in await api.messages(lin["chat_id"]) if m["message_id"] == answer["message_id"]
    )
    assert shared["other"] == "📱 林晓梅 +8613800000001"
    assert shared["html"] == ""


async def test_a_new_enterprise_can_start_talking(api: Api, sandbox: Sandbox) -> None:
    created = await api.post("/api/enterprises", {"name": "黄总", "company": "鹭岛新材料有限公司"})
    assert created["name"] == "黄总" and created["company"] == "鹭岛新材料有限公司"
    state = await api.state()
    assert state["enterprises"][-1] == created
    await api.says(created["chat_id"], created["user_id"], "/start")
    assert "您好，黄总" in await api.last_bot_html(created["chat_id"])
