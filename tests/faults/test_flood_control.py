"""Flood control (429 with retry_after): the sender waits and resumes; every message arrives
once, in order per chat — during a burst of filings and during the weekly summary."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.core.sla import Schedule
from bot.devtools.emulator import flood_wait, to_chat
from bot.devtools.playground import Scene
from tests.faults.conftest import delivered, file_directly, outbox, texts, tickets_in

TOPICS = {
    "policy": "奖补资金迟迟不到位，第{n}次反映",
    "fees": "物业转供电每度加价三毛，第{n}家企业",
    "financing": "贴息资金申请材料交了没有回音，第{n}次",
}


async def test_thirty_enterprises_filing_at_once_under_flood_control(scene: Scene) -> None:
    groups = {
        code: await scene.department_group(code, f"{code} 工单群")
        for code in ("econ", "market", "finance")
    }
    people = [scene.person(f"企业{n:02d}") for n in range(30)]
    # Telegram pushes back: the first send anywhere, then one group and one enterprise;
    # each says "retry after 1 second".
    busy_group, busy_person = groups["market"], people[7]
    scene.emulator.faults.extend(
        [
            flood_wait("sendMessage", 1),
            flood_wait("sendMessage", 1, where=to_chat(busy_group.id)),
            flood_wait("sendMessage", 1, where=to_chat(busy_person.user.id)),
        ]
    )
    numbers = [
        file_directly(
            scene, person, category=list(TOPICS)[n % 3], description=TOPICS[list(TOPICS)[n % 3]]
        )
        for n, person in enumerate(people)
    ]
    await delivered(scene, timeout=20)

    flooded = [c for c in scene.emulator.calls("sendMessage") if c.error_code == 429]
    assert len(flooded) == 3  # the sender did meet flood control, and waited it out
    for person, number in zip(people, numbers, strict=True):
        [ack] = texts(scene, person.user.id)
        assert number in ack and "已受理" in ack
    by_department = {t.number: t.department_id for t in tickets_in(scene)}
    for code, group in groups.items():
        # A card's own number heads it; the numbers of its group's other tickets (同类诉求,
        # one identical complaint from ten enterprises) follow further down.
        cards = [
            min((text.index(n), n) for n in numbers if n in text)[1]
            for text in texts(scene, group.id)[1:]
        ]  # [0] is the /bind confirmation
        assert cards == sorted(cards), f"{code}: out of order"  # numbers grow with time
        assert len(cards) == len(set(cards)) == 10, code  # each card once
        assert len({by_department[n] for n in cards}) == 1
    # Each group of ten identical complaints edits its cards at two moments, never once per
    # filing: the first card when the second enterprise joins, the first two when the third
    # raises it as a 共性问题 (its notice waits for the unbound dispatcher). The first card's
    # two edits were still waiting in line together, so they went out as one, with the
    # newer state: two edits per group, and the first card shows both who joined it.
    assert Counter((r.purpose, r.status) for r in outbox(scene)) == Counter(
        {
            ("ack", "sent"): 30,
            ("card", "sent"): 30,
            ("card_edit", "sent"): 6,
            ("common_problem", "pending"): 3,
        }
    )
    for group in groups.values():
        first_card = texts(scene, group.id)[1]
        assert sum(number in first_card for number in numbers) == 3, first_card


async def test_the_weekly_summary_waits_out_flood_control_in_order(scene: Scene) -> None:
    leaders = await scene.department_group("leaders", "管委会领导群")
    await scene.department_group("econ", "经济发展局 工单群")
    file_directly(scene, scene.person("钟"))
    await scene.settle()
    # The workbook meets flood control: the chart behind it in the same chat must wait.
    scene.emulator.faults.append(flood_wait("sendDocument", 1))
    zone = Schedule.from_settings(scene.desk.settings.sla, scene.desk.settings.desk.timezone).zone
    today = datetime.now(zone).date()
    monday = today + timedelta(days=14 - today.weekday())
    moment = datetime.combine(monday, datetime.min.time(), zone) + timedelta(hours=9, minutes=1)
    await scene.chase_at(moment)
    await delivered(scene)

    summary, workbook, chart = scene.emulator.bot_messages(leaders.id)[-3:]
    assert "超期" in summary.text
    assert workbook.document is not None and workbook.document["file_name"].endswith(".xlsx")
    assert chart.photo_file_id is not None
    assert len(scene.emulator.bot_messages(leaders.id)) == 4  # /bind answer + the three
    [flooded] = [c for c in scene.emulator.api_calls if c.error_code == 429]
    assert flooded.method == "sendDocument"
