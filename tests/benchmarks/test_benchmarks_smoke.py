"""The benchmarks at tiny sizes: they run, and what they count is right.

Figures of speed are printed by the benchmarks, never asserted here; these tests check
that the work measured is the work claimed (every ticket filed is in the database, the
chaser finds exactly the due tickets, the report counts what the week received, every
queued message is delivered) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from benchmarks import chaser_scaling, intake, memory, outbound, turns, weekly_report
from benchmarks.common import Figure, percentile, table
from benchmarks.intake import CONVERSATION

# Each benchmark at a tiny size still loads tickets and starts desks: seconds each.
pytestmark = pytest.mark.slow


def _value(figures: list[Figure], metric: str) -> float:
    [found] = [f.value for f in figures if f.metric.endswith(metric)]
    return found


async def test_intake_files_every_complaint_and_answers_every_update(db_url: str) -> None:
    desk = await intake.desk_burst(db_url, 3)
    assert desk.tickets == 3
    assert desk.updates == 3 * len(CONVERSATION)
    assert len(desk.latencies) == desk.updates  # each update got an answer of its own
    assert all(latency > 0 for latency in desk.latencies)
    assert len(desk.acks) == 3  # every filing's acknowledgement, with its number, found
    echo = await intake.echo_burst(3, limited=True)
    assert echo.updates == len(echo.latencies) == 3 * len(CONVERSATION)


@pytest.mark.parametrize("case", turns.CASES)
async def test_each_update_path_is_played_against_both_bots(db_url: str, case: str) -> None:
    people = 2
    desk = await turns.desk_case(case, db_url, people)
    echo = await turns.echo_case(case, people)
    for run in (desk, echo):
        assert run.updates == people * turns.UPDATES
        assert len(run.latencies) == run.updates  # each one handled, none lost
        assert run.cpu_seconds > 0
    if case in turns.RELAYS:  # (desk_case asserts that every reply reached its enterprise)
        assert desk.delivered_after >= 0


async def test_the_relays_floor_makes_the_desks_calls_for_every_reply() -> None:
    people = 2
    floor = await turns.relay_floor_case(people)
    assert floor.updates == len(floor.latencies) == people * turns.UPDATES
    # Per reply: 👍, the words to the enterprise, the card edited (getUpdates besides).
    assert floor.api_calls >= 3 * floor.updates


def test_sqlite_durability_is_measured_for_each_setting() -> None:
    figures = turns.sqlite_durability(quick=True)
    assert len(figures) == 4 and all(f.value > 0 for f in figures)
    assert sum("(shipped)" in f.metric for f in figures) == 1


def test_the_chaser_finds_exactly_the_due_tickets(db_url: str, tmp_path) -> None:
    plans = tmp_path / "plans.txt"
    figures = chaser_scaling.measure_on(db_url, 400, 25, plans=plans)
    assert _value(figures, "due found") == 25
    assert _value(figures, "tickets reminded") == 25
    assert "ticket" in plans.read_text()
    assert "chaser" in table(figures)


def test_the_weekly_report_counts_what_the_week_received(db_url: str) -> None:
    weekly_report.loaded(db_url, 600, 10)
    found = weekly_report.measure_here(db_url)
    assert found["received"] == found["created_in_week"] > 0
    assert found["xlsx_bytes"] > 0 and found["png_bytes"] > 0
    # The 高频诉求 section had groups to rank, and timed alone it ranks what the report did.
    assert found["recurring_week"] > 0 and found["recurring_same"] == 1
    assert found["top_enterprises"] >= 2
    plans = weekly_report.plans_of_the_section(db_url)
    assert "ticket" in plans and "commongroup" in plans


async def test_every_queued_message_is_delivered_within_the_flood_limits(db_url: str) -> None:
    figures = await outbound.deliver(db_url, 12, (3,), configured=True)
    assert _value(figures, "messages delivered") == 15
    assert _value(figures, "busiest group minute") == 3
    # The desk's own pacing stays inside Telegram's windows: not one 429.
    assert _value(figures, "429 answers in the first second") == 0
    assert _value(figures, "429 answers in steady state") == 0


async def test_the_memory_child_measures_a_desk_that_filed(db_url: str) -> None:
    found = await memory.child(db_url, 2)
    assert 0 < found["idle_mb"] <= found["peak_mb"] + 1


def test_percentiles_by_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0


async def test_the_start_benchmark_times_real_starts_of_the_desk(db_url: str) -> None:
    from benchmarks import startup

    cold, warm = await startup.measure(db_url, 1)
    # Both starts reached polling, and the first stored the model the second found.
    assert cold > 0 and len(warm) == 1 and warm[0] > 0
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("select count(*) from routingmodel")).scalar()
    finally:
        engine.dispose()
    assert stored == 1  # the second start trained nothing: it found the stored model
