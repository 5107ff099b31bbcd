"""What the query modules share: the dialect's upsert and the size of an ``IN (…)`` batch."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session


def upsert_insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL both do)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


#: Ids per ``IN (…)``: far below SQLite's variable limit.
IDS_PER_QUERY = 500
