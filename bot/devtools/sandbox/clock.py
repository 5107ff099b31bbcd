"""The sandbox's time control: one offset moves the desk's clock and the messages' dates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.core.sla import Schedule, add_working_days, next_working_moment
from bot.devtools.emulator.world import World
from bot.reports.weekly import scheduled_moment
from storage.types import utcnow

JsonDict = dict[str, Any]

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SandboxClock:
    """Real time plus an offset that only grows; :meth:`now` is the desk's ``clock``."""

    def __init__(self, settings: Settings, world: World) -> None:
        self.schedule = Schedule.from_settings(settings.sla, settings.desk.timezone)
        self.settings = settings
        self.world = world
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def move_to(self, moment: datetime) -> None:
        """Jump forward to ``moment`` (never back: the desk's records only move forward)."""
        step = moment - self.now()
        if step > timedelta(0):
            self.offset += step
        self.world.clock_offset = self.offset.total_seconds()
        self.world.changed()

    def after_working_days(self, days: float) -> datetime:
        """``days`` working days from now, on the desk's working calendar."""
        return add_working_days(self.now(), days, self.schedule)

    def after_hours(self, hours: float) -> datetime:
        """``hours`` of calendar time from now."""
        return self.now() + timedelta(hours=hours)

    def next_weekly_summary(self) -> datetime:
        """One minute after the next weekly-summary time, in working time so the chaser acts."""
        now = self.now()
        moment = scheduled_moment(now, self.settings)
        if moment + timedelta(minutes=1) <= now:
            moment = scheduled_moment(now + timedelta(days=7), self.settings)
        return next_working_moment(moment + timedelta(minutes=1), self.schedule)

    def to_json(self) -> JsonDict:
        local = self.now().astimezone(self.schedule.zone)
        weekday = local.weekday()
        return {
            "now": local.isoformat(timespec="seconds"),
            "offset_seconds": self.offset.total_seconds(),
            "label_zh": f"{local.month}月{local.day}日 周{_WEEKDAYS_ZH[weekday]} {local:%H:%M}",
            "label_en": (
                f"{_WEEKDAYS_EN[weekday]} {local.day} {_MONTHS_EN[local.month - 1]} {local:%H:%M}"
            ),
        }
