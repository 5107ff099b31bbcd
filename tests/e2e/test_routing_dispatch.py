"""Stories of what the desk is unsure about: the dispatcher assigns with one press, shown the
model's best three; and the model itself: stored at start, shared, retrained on history."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.core.routing import load_shipped_examples
from bot.devtools.playground import Scene
from bot.jobs import routing_retrain
from storage.db import transaction
from storage.models import RoutingModelRow
from tests.e2e.test_department_work import ticket_row
from tests.e2e.test_filing_a_complaint import file_complaint
from tests.e2e.test_routing_conduct import number_of

#: Says nothing about whose matter it is (the scene's zone trusts no model choice anyway).
VAGUE = "我们公司有点事情想咨询一下，不知道该找哪个部门，情况比较复杂。"
CHOICE = re.compile(r"^(?P<name>.+) (?P<percent>\d+)%$")


def models(scene: Scene) -> list[RoutingModelRow]:
    with transaction(scene.desk.engine) as session:
        return list(session.exec(select(RoutingModelRow).order_by(RoutingModelRow.id)))


async def test_an_unsure_ticket_is_assigned_by_the_dispatcher_in_one_press(
    unsure_scene: Scene,
) -> None:
    scene = unsure_scene
    dispatch = await scene.department_group("bizenv", "营商环境办 督办群")
    ent = scene.person("孙总")
    await file_complaint(ent, category="其他", description=VAGUE)

    number = number_of(ent)
    assert "营商环境办亲自分派" in ent.last_reply().text  # honest: nobody has it yet
    card = next(m for m in scene.emulator.bot_messages(dispatch.id) if number in m.content)
    assert "待分派" in card.text
    ticket = ticket_row(scene)
    assert ticket.status == "unrouted" and len(ticket.route_top) == 3
    labels = [b.text for b in card.buttons]
    best = [CHOICE.match(label) for label in labels[:3]]
    assert all(best), labels
    percents = [int(m["percent"]) for m in best if m]
    assert percents == sorted(percents, reverse=True)
    assert percents == [round(p * 100) for _, p in ticket.route_top]
    assert not any(CHOICE.match(label) for label in labels[3:])  # the others, without a figure
    assert all(len(b.callback_data.encode()) <= 64 for b in card.buttons if b.callback_data)

    top_code = ticket.route_top[0][0]
    first = labels[0]
    name = CHOICE.match(first)["name"]  # type: ignore[index]
    group = await scene.department_group(top_code, f"{name} 工单群")
    dispatcher = scene.person("营商环境办 陈科长")
    scene.emulator.add_member(dispatch.id, dispatcher.user)
    await dispatcher.taps(first, chat_id=dispatch.id)

    assigned = ticket_row(scene)
    assert assigned.status == "assigned" and assigned.department_id is not None
    assert f"已分派给 {name}" in ent.last_reply().text
    assert any(number in m.content for m in scene.emulator.bot_messages(group.id))
    assert (
        "已由 营商环境办 陈科长 分派给" in scene.emulator.message(dispatch.id, card.message_id).text
    )

    # The desk learns from it: the next scheduled retrain stores a version that includes it.
    before = models(scene)
    job = scene.application.job_queue
    assert job is not None
    [retrain] = job.get_jobs_by_name("routing_retrain")
    await retrain.run(scene.application)
    after = models(scene)
    assert len(after) == len(before) + 1
    assert after[-1].active and not any(m.active for m in after[:-1])
    assert after[-1].n_examples == before[-1].n_examples + 1


async def test_the_model_is_stored_at_start_and_shared_after_a_restart(scene: Scene) -> None:
    [stored] = models(scene)
    assert stored.active and stored.n_examples == len(load_shipped_examples(scene.desk.settings))
    assert 0 < stored.accuracy <= 1 and stored.data and stored.sklearn_version
    await scene.restart()
    assert [m.version for m in models(scene)] == [stored.version]  # loaded, not retrained
    # A retrain with nothing new learned stores nothing.
    job = scene.application.job_queue
    assert job is not None
    [retrain] = job.get_jobs_by_name("routing_retrain")
    await retrain.run(scene.application)
    assert [m.version for m in models(scene)] == [stored.version]
    assert routing_retrain is retrain.callback


async def test_a_busy_start_still_trains_the_model_and_chases(scene: Scene) -> None:
    """APScheduler drops a run that starts more than a second late unless told otherwise;
    on a loaded machine that lost the model's training at start (and left the desk waiting
    for it). Every job of the desk runs however late its moment comes, once."""
    job_queue = scene.application.job_queue
    assert job_queue is not None
    jobs = {job.name: job.job for job in job_queue.jobs()}
    assert {"chaser", "housekeeping", "routing_retrain"} <= set(jobs)
    for job in jobs.values():
        assert job.misfire_grace_time is None and job.coalesce
