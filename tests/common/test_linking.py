"""Linking similar tickets through the core, on both databases: what is linked and what
never is, the index found by another instance's filings, the summary without identities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.core import common_problems, similar, tickets
from bot.core.filing_steps import Step
from storage import queries
from storage.db import transaction
from storage.models import CommonGroup, Draft, Outbox, Ticket, TicketEvent

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
LATE = "第三批高新技术企业奖励资金公示三个月了还没到账，请尽快拨付。"
LATE_AGAIN = "第三批高新技术企业奖励资金一直没有到账，公示已经过去三个月了。"
OTHER = "园区食堂的饭菜太贵了，希望管委会协调降价。"


def file(
    session: Session,
    settings: Settings,
    user_id: int,
    description: str,
    *,
    now: datetime = NOW,
    company: str = "厦门鹭岛精工有限公司",
    category: str = "policy",
) -> Ticket:
    reporter = queries.reporters.get_or_create_reporter(session=session, telegram_user_id=user_id)
    reporter.language = "zh"
    session.add(reporter)
    session.flush()
    draft = Draft(
        reporter_id=reporter.id or 0,
        step=Step.CONFIRM,
        data={
            "kind": "complaint",
            "category": category,
            "description": description,
            "company": company,
            "uscc": None,
            "contact_name": "林经理",
            "phone": "+8613800138000",
            "visibility": "company",
        },
    )
    session.add(draft)
    session.flush()
    return tickets.submit_ticket(
        session=session, settings=settings, reporter=reporter, draft=draft, now=now
    )


def test_similar_tickets_of_two_enterprises_are_linked_and_one_enterprise_is_not(
    engine: Engine, settings: Settings
) -> None:
    similar.forget(engine)
    with transaction(engine) as session:
        first = file(session, settings, 1, LATE)
        again = file(session, settings, 1, LATE_AGAIN)  # the same enterprise: not linked
        assert first.common_group_id is None and again.common_group_id is None
        other = file(session, settings, 2, OTHER)
        assert other.common_group_id is None
        # Another enterprise writes word for word what the first one wrote the second time:
        # that ticket is its best match.
        second = file(session, settings, 3, LATE_AGAIN, company="同安明辉食品有限公司")
        assert second.common_group_id is not None
        assert again.common_group_id == second.common_group_id
        assert first.common_group_id is None  # one link per filing: to the best match
        group = session.get(CommonGroup, second.common_group_id)
        assert group is not None and group.raised_at is None  # two enterprises, not three
        events = [
            (e.ticket_id, e.actor, e.detail.get("with"))
            for e in session.exec(select(TicketEvent).where(TicketEvent.action == "link_common"))
        ]
        assert events == [(again.id, "system", None), (second.id, "system", again.number)]
        # The matched card is edited to show its company; nothing goes to any enterprise.
        edits = session.exec(select(Outbox).where(Outbox.purpose == "card_edit")).all()
        assert [e.ticket_id for e in edits] == [again.id]
        assert "另有 1 家企业反映同类问题" in edits[0].payload["text"]
        assert second.number in edits[0].payload["text"]
        assert "同安明辉" not in edits[0].payload["text"]
        private = session.exec(select(Outbox).where(Outbox.chat_id == 3)).all()
        assert [r.purpose for r in private] == ["ack"]


def test_what_is_never_linked(engine: Engine, settings: Settings) -> None:
    similar.forget(engine)
    with transaction(engine) as session:
        old = file(session, settings, 1, LATE, now=NOW - timedelta(days=40))  # outside the window
        conduct = file(session, settings, 2, LATE + "检查人员索要好处费才给办理。")
        assert conduct.conduct
        later = file(session, settings, 3, LATE)
        assert old.common_group_id is None and conduct.common_group_id is None
        assert later.common_group_id is None


def test_tickets_filed_by_another_instance_are_found(engine: Engine, settings: Settings) -> None:
    similar.forget(engine)
    similar.build(engine=engine, settings=settings, now=NOW)  # at start: nothing yet
    with transaction(engine) as session:  # "another instance" files, not this index
        first = file(session, settings, 1, LATE)
    index_size = len(similar.build(engine=engine, settings=settings, now=NOW))
    assert index_size == 1
    similar.forget(engine)
    similar.build(engine=engine, settings=settings, now=NOW)
    with transaction(engine) as session:
        other_instance = file(session, settings, 2, LATE_AGAIN)  # refreshed: found
        assert other_instance.common_group_id is not None
        assert session.get(Ticket, first.id).common_group_id == other_instance.common_group_id  # type: ignore[union-attr]


def test_a_ticket_like_one_member_but_not_the_group_is_not_linked(
    engine: Engine, settings: Settings
) -> None:
    similar.forget(engine)
    with transaction(engine) as session:
        first = file(session, settings, 1, LATE)
        second = file(session, settings, 2, LATE_AGAIN, company="同安明辉食品有限公司")
        assert second.common_group_id is not None and first.common_group_id is not None
        # Shares "请尽快拨付" with the first complaint only: alike to one member, not the group.
        asked = "请尽快拨付研发费用补助。"
        index = similar.index_for(session=session, settings=settings, now=NOW)
        threshold = settings.common.threshold
        best = index.search(asked, since=NOW - timedelta(days=30), threshold=threshold)
        assert [h.ticket_id for h in best] == [first.id]
        mean = index.mean_score(asked, [first.id or 0, second.id or 0])
        assert mean is not None and mean < threshold <= best[0].score
        third = file(session, settings, 3, asked, company="集美顺达物流有限公司")
        key = common_problems.department_key
        assert key(session, third) == key(session, first)  # not kept out by the department
        assert third.common_group_id is None
        members = queries.common_groups.members(session=session, group_id=first.common_group_id)
        assert [t.id for t in members] == [first.id, second.id]


def test_a_ticket_taken_out_by_staff_is_not_linked_again_and_k_raises_once(
    engine: Engine, settings: Settings
) -> None:
    similar.forget(engine)
    with transaction(engine) as session:
        first = file(session, settings, 1, LATE)
        second = file(session, settings, 2, LATE_AGAIN)
        assert second.common_group_id is not None
        second.common_group_id, second.common_manual = None, True  # as unlink leaves it
        first.common_group_id = None
        session.add_all([first, second])
        session.flush()
        third = file(session, settings, 3, LATE_AGAIN)
        assert third.common_group_id is not None and third.common_group_id == first.common_group_id
        assert second.common_group_id is None
        fourth = file(session, settings, 4, LATE)
        fifth = file(session, settings, 5, LATE)
        group = session.get(CommonGroup, fifth.common_group_id)
        assert group is not None and group.raised_at is not None
        assert fourth.common_group_id == group.id
        raised = session.exec(select(Outbox).where(Outbox.purpose == "common_problem")).all()
        assert len(raised) == 1  # the third enterprise raised it; the fourth did not again


def test_the_summary_names_nobody() -> None:
    member = Ticket(
        number="GX-1",
        kind="complaint",
        status="assigned",
        category_id=1,
        reporter_id=1,
        description="",
        company_name="厦门鹭岛精工有限公司",
        contact_name="林建国",
        phone="+8613800138001",
        uscc="91350100M000100Y43",
        route_reason="model",
    )
    text = (
        "我是厦门鹭岛精工有限公司的林建国，电话13800138001，信用代码91350100M000100Y43，"
        "邮箱 lin@example.com：奖励资金三个月没到账。"
    )
    summary = common_problems.summary_of(text, [member])
    for secret in ("鹭岛精工", "林建国", "13800138001", "91350100M000100Y43", "lin@example"):
        assert secret not in summary
    assert "奖励资金三个月没到账" in summary
    assert len(common_problems.summary_of("很长" * 100, [member])) == common_problems.SUMMARY_CHARS
