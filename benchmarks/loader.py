"""Bulk-load a year of tickets straight into the tables, fast enough for 10^6 rows.

The handlers would take hours for a million tickets; what the chaser and the weekly report
read is the rows, so the rows are written directly: SQLite with one ``executemany`` in one
transaction, PostgreSQL with ``COPY``. The shape (see :func:`ticket_rows`):

- ``due`` open tickets with a clock running out before the chaser's horizon (some overdue
  for acceptance, some for the first answer, some for resolution, some only warned);
- ``NOT_DUE_OPEN`` open tickets with far deadlines (extended), which the chaser must skip;
- everything else closed over the past year, a third of them rated.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from storage.models import CommonGroup, JobRun, Outbox, Reporter

#: A Wednesday, 10:00 in Asia/Shanghai: working time, a normal week, calendar data known.
NOW = datetime(2025, 11, 19, 2, 0, tzinfo=UTC)
NOT_DUE_OPEN = 1_000
REPORTERS = 5_000
YEAR = timedelta(days=365)

TICKET_COLUMNS = (
    "number",
    "kind",
    "priority",
    "status",
    "category_id",
    "department_id",
    "reporter_id",
    "description",
    "company_name",
    "uscc",
    "contact_name",
    "phone",
    "share_company",
    "share_contact",
    "route_reason",
    "route_keyword",
    "accept_due",
    "first_reply_due",
    "resolve_due",
    "accepted_at",
    "accepted_by",
    "accepted_by_name",
    "first_reply_at",
    "waiting_since",
    "resolved_at",
    "resolution",
    "closed_at",
    "rating",
    "rating_comment",
    "reopen_count",
    "created_at",
    "updated_at",
)
_DATES = {i for i, name in enumerate(TICKET_COLUMNS) if name.endswith(("_due", "_at", "_since"))}
_BOOLS = {TICKET_COLUMNS.index("share_company"), TICKET_COLUMNS.index("share_contact")}


@dataclass(frozen=True)
class Zone:
    """Ids the rows point at."""

    categories: list[tuple[int, int | None]]  # (category id, its department id)
    departments: list[int]
    reporters: list[int]


def ticket_rows(size: int, due: int, zone: Zone, *, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """``size`` ticket rows in :data:`TICKET_COLUMNS` order (see the module docstring)."""
    rng = random.Random(seed)
    hour = timedelta(hours=1)
    not_due = min(NOT_DUE_OPEN, max(0, size - due))
    for n in range(size):
        category, department = zone.categories[n % len(zone.categories)]
        department = department or zone.departments[n % len(zone.departments)]
        reporter = zone.reporters[n % len(zone.reporters)]
        accepted_at = first_reply_at = resolved_at = closed_at = rating = None
        if n < due:
            # Filed a few working days ago; which clock is due varies.
            created = NOW - timedelta(hours=rng.uniform(10, 120))
            kind = n % 4
            status = "assigned" if kind == 0 else "accepted"
            accept_due = created + 2 * hour
            first_reply_due = created + 7 * hour
            resolve_due = created + 5 * 24 * hour
            if kind != 0:
                accepted_at = created + hour
            if kind in (2, 3):
                first_reply_at = created + 3 * hour
            if kind == 2:  # only the resolution clock, overdue
                resolve_due = NOW - timedelta(hours=rng.uniform(1, 48))
            if kind == 3:  # only the resolution clock, running out: a warning
                resolve_due = NOW + timedelta(minutes=rng.uniform(10, 120))
        elif n < due + not_due:
            created = NOW - timedelta(days=rng.uniform(5, 60))
            status = "accepted"
            accept_due, first_reply_due = created + 2 * hour, created + 7 * hour
            accepted_at, first_reply_at = created + hour, created + 3 * hour
            resolve_due = NOW + timedelta(days=rng.uniform(20, 60))  # extended
        else:
            created = NOW - timedelta(days=7) - rng.random() * YEAR
            status = "closed"
            accept_due = created + 2 * hour
            first_reply_due = created + 7 * hour
            resolve_due = created + 5 * 24 * hour
            accepted_at = created + timedelta(minutes=rng.uniform(5, 180))
            first_reply_at = accepted_at + timedelta(hours=rng.uniform(0.5, 8))
            resolved_at = first_reply_at + timedelta(days=rng.uniform(0.2, 7))
            closed_at = min(resolved_at + timedelta(days=rng.uniform(0, 7)), NOW)
            rating = rng.randint(1, 5) if n % 3 == 0 else None
        updated = closed_at or resolved_at or first_reply_at or accepted_at or created
        yield (
            f"BX-{n:08d}",
            "complaint",
            "normal",
            status,
            category,
            department,
            reporter,
            "企业反映：奖补资金迟迟不到位，影响正常生产经营。",
            f"厦门海沧第{n % 997}精密机械有限公司",
            None,
            "林经理",
            "+8613800138000",
            True,
            False,
            "category",
            None,
            accept_due,
            first_reply_due,
            resolve_due,
            accepted_at,
            None,
            "王科长" if accepted_at else None,
            first_reply_at,
            None,
            resolved_at,
            "已协调解决" if resolved_at else None,
            closed_at,
            rating,
            None,
            0,
            created,
            updated,
        )


def _sqlite_value(index: int, value: Any) -> Any:
    if value is None:
        return None
    if index in _DATES:
        # What SQLAlchemy's SQLite DateTime writes for a UTC moment.
        return (
            value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        )
    if index in _BOOLS:
        return int(value)
    return value


def zone_of(engine: Engine, reporters: int) -> Zone:
    """Bind every department's group, create ``reporters`` enterprises, read the ids."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE department SET chat_id = -1001000000000 - id"))
        connection.execute(
            insert(Reporter),
            [
                {
                    "telegram_user_id": 1_000_000_000 + n,
                    "language": "zh",
                    "created_at": NOW - YEAR,
                    "updated_at": NOW - YEAR,
                }
                for n in range(reporters)
            ],
        )
        categories = connection.execute(
            text("SELECT id, department_id FROM category ORDER BY id")
        ).all()
        departments = connection.execute(
            text("SELECT id FROM department WHERE role = 'department' ORDER BY id")
        ).all()
        ids = connection.execute(text("SELECT id FROM reporter ORDER BY id")).all()
    return Zone(
        categories=[(row[0], row[1]) for row in categories],
        departments=[row[0] for row in departments],
        reporters=[row[0] for row in ids],
    )


def load(engine: Engine, *, size: int, due: int) -> None:
    """Fill an empty, migrated and seeded database with ``size`` tickets (``due`` due)."""
    zone = zone_of(engine, min(REPORTERS, max(size, 1)))
    rows = ticket_rows(size, due, zone)
    columns = ", ".join(TICKET_COLUMNS)
    if engine.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in TICKET_COLUMNS)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            values = (tuple(_sqlite_value(i, v) for i, v in enumerate(row)) for row in rows)
            while chunk := list(itertools.islice(values, 50_000)):  # one transaction still
                cursor.executemany(f"INSERT INTO ticket ({columns}) VALUES ({marks})", chunk)
            raw.commit()
        finally:
            raw.close()
    else:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY ticket ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    _ratings_and_cards(engine, due)
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk change; the planner needs the statistics.
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


#: 同类诉求 groups for the weekly 高频诉求 section (issue 16): one group per this many tickets.
TICKETS_PER_GROUP = 500
#: One ticket in this many belongs to a group.
COMMON_EVERY = 4


def common_groups_for(size: int) -> int:
    """A prime number of groups (so the reporters, ``n % REPORTERS``, of one group are many
    different enterprises), one per ``TICKETS_PER_GROUP`` tickets: 2,003 at 10^6."""
    n = max(3, size // TICKETS_PER_GROUP)
    while any(n % d == 0 for d in range(2, int(n**0.5) + 1)):
        n += 1
    return n


def link_common_groups(engine: Engine, *, groups: int, every: int = COMMON_EVERY) -> int:
    """Put one ticket in ``every`` into one of ``groups`` 同类诉求 groups (ticket id modulo
    ``groups``), over the whole year: a tenth of the groups raised, a lead confirmed for half
    of those. At 10^6 tickets each group has ~125 members, and a week's ~1,800 grouped
    tickets spread over the 2,003 groups so that about a quarter recur within the week.
    Returns the tickets linked."""
    with engine.begin() as connection:
        departments = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM department WHERE role = 'department' ORDER BY id")
            )
        ]
        connection.execute(
            insert(CommonGroup),
            [
                {
                    "created_at": NOW - YEAR,
                    "updated_at": NOW - YEAR,
                    "summary": f"园区第{g}类共性问题：道路、排队或奖补资金",
                    "raised_at": NOW - YEAR if g % 10 == 0 else None,
                    "proposed_lead_department_id": (
                        departments[g % len(departments)] if g % 10 == 0 else None
                    ),
                    "lead_department_id": departments[g % len(departments)]
                    if g % 20 == 0
                    else None,
                }
                for g in range(groups)
            ],
        )
        first = connection.execute(text("SELECT min(id) FROM commongroup")).scalar_one()
        linked = connection.execute(
            text(
                "UPDATE ticket SET common_group_id = :first + (id % :groups) WHERE id % :every = 0"
            ),
            {"first": first, "groups": groups, "every": every},
        ).rowcount
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE ticket"))
            connection.execute(text("ANALYZE commongroup"))
            connection.commit()
    return int(linked)


def _ratings_and_cards(engine: Engine, due: int) -> None:
    """A ``rated`` event per rated ticket, the sent card of every due ticket, and last
    week's summary marked as sent (the weekly report is measured on its own)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ticketevent (ticket_id, at, actor, action, detail) "
                "SELECT id, closed_at, 'enterprise', 'rated', "
                + (
                    "json_object('rating', rating) "
                    if engine.dialect.name == "sqlite"
                    else "json_build_object('rating', rating) "
                )
                + "FROM ticket WHERE rating IS NOT NULL"
            )
        )
        cards = connection.execute(
            text(
                "SELECT id, department_id FROM ticket WHERE status <> 'closed' ORDER BY id LIMIT :n"
            ),
            {"n": due},
        ).all()
        chats = {
            row.id: row.chat_id
            for row in connection.execute(text("SELECT id, chat_id FROM department"))
        }
        if cards:
            connection.execute(
                insert(Outbox),
                [
                    {
                        "created_at": NOW - timedelta(days=1),
                        "method": "sendMessage",
                        "payload": {"text": "card"},
                        "chat_id": chats.get(department) or -1001000000000 - department,
                        "held_for_department_id": department,
                        "ticket_id": ticket,
                        "purpose": "card",
                        "meta": {},
                        "status": "sent",
                        "next_attempt_at": NOW - timedelta(days=1),
                        "sent_at": NOW - timedelta(days=1),
                        "telegram_message_id": 100 + ticket,
                    }
                    for ticket, department in cards
                ],
            )
        connection.execute(
            insert(JobRun),
            [{"job": "weekly_summary", "period": "2025-W46", "at": NOW - timedelta(days=2)}],
        )
