"""Upsert the zone (departments, categories, routing rules) from config, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import delete
from sqlmodel import Session, select

from storage.models import Category, Department, DeskSetting, RoutingRule
from storage.types import utcnow

#: DeskSetting key: when this database was first seeded (the desk began), ISO UTC.
STARTED_AT = "started_at"


# The zone as config states it, by shape (bot.config's Settings has it): storage imports no bot.


class DepartmentSpec(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def staff(self) -> Sequence[int]: ...


class CategorySpec(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def department(self) -> str | None: ...
    @property
    def conduct(self) -> bool: ...
    @property
    def priority(self) -> str: ...
    @property
    def hint_keywords(self) -> Sequence[str]: ...


class RoutingRuleSpec(Protocol):
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def department(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def categories(self) -> Sequence[str]: ...
    @property
    def always(self) -> bool: ...


class RoutingSpec(Protocol):
    @property
    def conduct_keywords(self) -> Sequence[str]: ...


class ZoneSpec(Protocol):
    @property
    def departments(self) -> Sequence[DepartmentSpec]: ...
    @property
    def categories(self) -> Sequence[CategorySpec]: ...
    @property
    def routing_rules(self) -> Sequence[RoutingRuleSpec]: ...
    @property
    def routing(self) -> RoutingSpec: ...


def seed_zone(*, session: Session, settings: ZoneSpec) -> None:
    """Make the database hold the zone from config; chat bindings and history are kept.

    Departments and categories missing from config are deactivated, not deleted, because
    tickets still point at them.
    """
    departments = {d.code: d for d in session.exec(select(Department))}
    for dept in settings.departments:
        row = departments.get(dept.code) or Department(
            code=dept.code, name=dept.name, name_en=dept.name_en
        )
        row.name, row.name_en, row.role, row.active = dept.name, dept.name_en, dept.role, True
        row.staff = list(dept.staff)
        session.add(row)
        departments[dept.code] = row
    configured = {d.code for d in settings.departments}
    for code, row in departments.items():
        if code not in configured:
            row.active = False
            session.add(row)
    session.flush()

    categories = {c.code: c for c in session.exec(select(Category))}
    for order, cat in enumerate(settings.categories):
        category = categories.get(cat.code) or Category(
            code=cat.code, name=cat.name, name_en=cat.name_en
        )
        category.name, category.name_en, category.conduct = cat.name, cat.name_en, cat.conduct
        category.department_id = departments[cat.department].id if cat.department else None
        category.hint_keywords = list(cat.hint_keywords)
        category.priority = cat.priority
        category.sort_order, category.active = order, True
        session.add(category)
        categories[cat.code] = category
    configured = {c.code for c in settings.categories}
    for code, category in categories.items():
        if code not in configured:
            category.active = False
            session.add(category)

    session.execute(delete(RoutingRule))
    for position, rule in enumerate(settings.routing_rules):
        department_id = departments[rule.department].id
        assert department_id is not None
        session.add(
            RoutingRule(
                keywords=list(rule.keywords),
                department_id=department_id,
                priority=rule.priority,
                categories=list(rule.categories),
                position=position,
                always=rule.always,
            )
        )
    conduct = session.get(DeskSetting, "conduct_keywords") or DeskSetting(
        key="conduct_keywords", value=[]
    )
    conduct.value = list(settings.routing.conduct_keywords)
    session.add(conduct)
    if session.get(DeskSetting, STARTED_AT) is None:  # the first start; kept ever after
        session.add(DeskSetting(key=STARTED_AT, value=utcnow().isoformat()))
    session.flush()
