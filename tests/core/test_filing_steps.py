"""The filing conversation's step table, and the intake following it step by step."""

from __future__ import annotations

import pytest

from bot.core import intake
from bot.core.filing_steps import CORRECTIONS, FIRST, STEPS, Accepts, Step, next_step
from bot.core.screens import Name
from bot.render import callbacks as cb
from storage import queries
from storage.db import transaction
from tests.core.test_intake import NOW, button, reporter, say

ORDER = [
    Step.CATEGORY,
    Step.DESCRIPTION,
    Step.COMPANY,
    Step.USCC,
    Step.CONTACT_NAME,
    Step.PHONE,
    Step.CONSENT,
    Step.CONFIRM,
]


def walk() -> list[Step]:
    steps, step = [FIRST], STEPS[FIRST].then
    while step is not None:
        assert step not in steps, f"the table loops at {step}"
        steps.append(step)
        step = STEPS[step].then
    return steps


def test_the_table_reads_as_the_conversation_and_covers_every_step() -> None:
    assert set(STEPS) == set(Step)
    assert walk() == ORDER
    assert [STEPS[s].asks for s in ORDER] == [
        Name.ASK_CATEGORY,
        Name.ASK_DESCRIPTION,
        Name.ASK_COMPANY,
        Name.ASK_USCC,
        Name.ASK_CONTACT_NAME,
        Name.ASK_PHONE,
        Name.ASK_CONSENT,
        Name.SUMMARY,
    ]


def test_what_each_step_accepts() -> None:
    buttons = {s for s, rule in STEPS.items() if rule.accepts is Accepts.BUTTONS}
    assert buttons == {Step.CATEGORY, Step.CONSENT, Step.CONFIRM}
    assert STEPS[Step.DESCRIPTION].accepts is Accepts.TEXT_AND_FILES
    assert STEPS[Step.PHONE].accepts is Accepts.TEXT_OR_CONTACT
    assert {s for s, rule in STEPS.items() if rule.accepts is Accepts.TEXT} == {
        Step.COMPANY,
        Step.USCC,
        Step.CONTACT_NAME,
    }


def test_next_step_when_correcting_and_by_shortcut() -> None:
    assert next_step(Step.CATEGORY) is Step.DESCRIPTION
    # A correction from the summary goes back to it, except the company details, which
    # are asked again in full.
    assert next_step(Step.CATEGORY, correcting=True) is Step.CONFIRM
    assert next_step(Step.DESCRIPTION, correcting=True) is Step.CONFIRM
    assert next_step(Step.COMPANY, correcting=True) is Step.USCC
    assert next_step(Step.COMPANY, shortcut=True) is Step.CONSENT
    assert set(CORRECTIONS.values()) <= set(Step) - {Step.CONFIRM}
    with pytest.raises(ValueError):
        next_step(Step.CONFIRM)
    with pytest.raises(ValueError):
        next_step(Step.USCC, shortcut=True)


def stored_step(engine) -> Step:
    with transaction(engine) as session:
        draft = queries.reporters.get_draft(session=session, reporter_id=reporter(session).id)
        assert draft is not None
        return Step(draft.step)


def test_intake_moves_the_draft_as_the_table_says(engine, settings) -> None:
    """Each answer leaves the draft at the step the table names and asks its question."""
    answers = {
        Step.CATEGORY: lambda: button(engine, settings, cb.CATEGORY, "other"),
        Step.DESCRIPTION: lambda: button(engine, settings, cb.DESCRIPTION_DONE),
        Step.COMPANY: lambda: say(engine, settings, "厦门海沧精密机械有限公司"),
        Step.USCC: lambda: button(engine, settings, cb.SKIP_USCC),
        Step.CONTACT_NAME: lambda: say(engine, settings, "林经理"),
        Step.PHONE: lambda: say(engine, settings, "13800138000"),
        Step.CONSENT: lambda: button(engine, settings, cb.VISIBILITY, "none"),
    }
    with transaction(engine) as session:
        first = intake.start_filing(
            session=session, settings=settings, reporter=reporter(session), kind="request", now=NOW
        )
    assert [s.name for s in first] == [STEPS[FIRST].asks]
    for step in ORDER[:-1]:
        assert stored_step(engine) is step
        if step is Step.DESCRIPTION:
            say(engine, settings, "窗口排队两小时。")
        screens = answers[step]()
        following = next_step(step)
        assert stored_step(engine) is following
        assert screens[-1].name is STEPS[following].asks
    # 修改 from the summary: back to the step, and from there straight back to the summary.
    button(engine, settings, cb.CONFIRM, "cat")
    assert stored_step(engine) is CORRECTIONS["cat"]
    assert button(engine, settings, cb.CATEGORY, "other")[-1].name is Name.SUMMARY
    assert stored_step(engine) is Step.CONFIRM


def test_a_typed_answer_to_a_button_step_asks_again(engine, settings) -> None:
    with transaction(engine) as session:
        intake.start_filing(
            session=session, settings=settings, reporter=reporter(session), kind="request", now=NOW
        )
    assert [s.name for s in say(engine, settings, "随便写点")] == [Name.ASK_CATEGORY]
    assert [s.name for s in say(engine, settings)] == [  # a sticker: no text at all
        Name.TEXT_EXPECTED,
        Name.ASK_CATEGORY,
    ]
    assert stored_step(engine) is Step.CATEGORY
