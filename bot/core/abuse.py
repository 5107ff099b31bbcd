"""Abuse limits and blocking: what a flood or a misuser meets, decided in one place.

- Tickets per user in any 24 hours (rolling, counted from the tickets themselves): at the
  limit the user is told from when they can file again; earlier tickets and the draft stay.
- Private messages per user in a sliding minute (counted in memory, see FloodGuard): over
  the limit the user is told once when to continue; the rest is not recorded.
- Users blocked by an admin (``/block``): told politely, and nothing they send is kept.

Admins are exempt from the limits and cannot be blocked; a limit set to 0 is off.
"""

from __future__ import annotations

import logging
import math
import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.config import Settings
from bot.core.notices import Excerpt, Say, say
from bot.core.permissions import is_admin
from bot.core.screens import Name, Screen
from storage import queries
from storage.models import Reporter

log = logging.getLogger(__name__)

TICKET_WINDOW = timedelta(hours=24)
#: Characters of a block reason that the admin's answer repeats.
REASON_LIMIT = 500
_USER_ID = re.compile(r"[0-9]{1,15}")


@dataclass(frozen=True)
class Verdict:
    """Whether a private update may go on; if not, what to tell (None: stay quiet)."""

    allowed: bool
    screen: Screen | None = None
    language: str | None = None  # the user's chosen language, if the desk knows them


ALLOWED = Verdict(True)
MINUTE = 60.0
_MINUTE = timedelta(seconds=MINUTE)


class Guard(Protocol):
    """Counts private messages per user in a sliding minute (see FloodGuard)."""

    def admit(self, user_id: int, now: float, limit: int) -> tuple[bool, float | None]: ...

    def first_notice(self, user_id: int, now: float, until: float | None = None) -> bool: ...


class FloodGuard:
    """Private messages per user in a sliding minute, counted in memory.

    A polling desk is the one consumer of getUpdates (Telegram allows one per bot), so this
    process sees every message; a restart forgets the counts, which only forgives. Keeping
    them out of the database also means a refused message writes nothing at all.
    """

    def __init__(self) -> None:
        self._sent: dict[int, deque[float]] = {}
        self._quiet_until: dict[int, float] = {}
        self._checks = 0

    def admit(self, user_id: int, now: float, limit: int) -> tuple[bool, float | None]:
        """(allowed, until): ``until`` is when to say they may continue, or None when they
        were already told (they hear it once per flood)."""
        sent = self._window(user_id, now)
        if len(sent) < limit:
            sent.append(now)
            return True, None
        until = sent[0] + MINUTE
        return False, until if self.first_notice(user_id, now, until) else None

    def first_notice(self, user_id: int, now: float, until: float | None = None) -> bool:
        """True once until ``until`` (a minute by default): what stops a user is said once."""
        if self._quiet_until.get(user_id, 0.0) > now:
            return False
        self._quiet_until[user_id] = until if until is not None else now + MINUTE
        return True

    def _window(self, user_id: int, now: float) -> deque[float]:
        self._checks += 1
        if self._checks % 1000 == 0:  # forget the quiet ones now and then
            for key in [k for k, v in self._sent.items() if not v or v[-1] <= now - MINUTE]:
                del self._sent[key]
            for key in [k for k, v in self._quiet_until.items() if v <= now]:
                del self._quiet_until[key]
        sent = self._sent.setdefault(user_id, deque())
        while sent and sent[0] <= now - MINUTE:
            sent.popleft()
        return sent


class Stopped(Exception):
    """The gate stopped this update inside its turn: the update is claimed, nothing else
    happened; ``verdict`` says what to tell."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict)
        self.verdict = verdict


def admit(
    *,
    session: Session,
    settings: Settings,
    guard: Guard,
    user_id: int,
    update_id: int,
    now: datetime,
    counts: bool,
) -> Verdict:
    """Before any private handler, in a transaction of its own: blocked users and floods
    stop here (a button press is gated this way, before it is answered).

    ``counts`` is True for a message (text, file, command, edit); a button press does not
    count, but a blocked user's press is refused too. Nothing is written unless the update
    is stopped, and then only its id, so a redelivery of it changes nothing either; a
    redelivered update is let through for the handlers to drop, without counting it twice.
    """
    if is_admin(settings, user_id):
        return ALLOWED
    # Only what counts must not count twice: a press is read in one statement.
    if counts and queries.jobs.update_seen(session=session, update_id=update_id):
        return ALLOWED
    reporter = queries.reporters.get_reporter(session=session, telegram_user_id=user_id)
    verdict = decide(
        settings=settings, guard=guard, user_id=user_id, reporter=reporter, now=now, counts=counts
    )
    if not verdict.allowed:
        queries.jobs.claim_update(session=session, update_id=update_id)
    return verdict


def decide(
    *,
    settings: Settings,
    guard: Guard,
    user_id: int,
    reporter: Reporter | None,
    now: datetime,
    counts: bool,
) -> Verdict:
    """The gate's decision for a user whose reporter (None: a new user) is already read —
    inside the turn that claimed the update, so a redelivery never gets here."""
    if is_admin(settings, user_id):
        return ALLOWED
    moment = now.timestamp()
    limit = settings.abuse.messages_per_minute
    if reporter is not None and reporter.blocked_at is not None:
        # Told on a button press, and once a minute on messages: never a flood back.
        tell = not counts or guard.first_notice(user_id, moment)
        return Verdict(False, Screen(Name.BLOCKED) if tell else None, reporter.language)
    if counts and limit:
        allowed, until = guard.admit(user_id, moment, limit)
        if not allowed:
            screen = _rate_limited(settings, until) if until else None
            return Verdict(False, screen, reporter.language if reporter else None)
    return ALLOWED


class SharedFloodGuard:
    """FloodGuard's counts kept in the database (RateEvent rows), for webhook mode: several
    instances behind one proxy each see only some of a user's messages, so the count must
    be shared. Used inside the gate's transaction; a counted message writes one row, and a
    user's rows older than a minute are deleted as theirs come."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def admit(self, user_id: int, now: float, limit: int) -> tuple[bool, float | None]:
        moment = datetime.fromtimestamp(now, UTC)
        queries.reporters.prune_rate_events(
            session=self.session, telegram_user_id=user_id, before=moment - _MINUTE
        )
        sent = queries.reporters.count_rate_events(
            session=self.session, telegram_user_id=user_id, since=moment - _MINUTE
        )
        if len(sent) < limit:
            queries.reporters.add_rate_event(
                session=self.session, telegram_user_id=user_id, kind="message", at=moment
            )
            return True, None
        until = sent[0].timestamp() + MINUTE
        return False, until if self.first_notice(user_id, now, until) else None

    def first_notice(self, user_id: int, now: float, until: float | None = None) -> bool:
        quiet = queries.reporters.quiet_until(session=self.session, telegram_user_id=user_id)
        if quiet is not None and quiet.timestamp() > now:
            return False
        until_at = datetime.fromtimestamp(until if until is not None else now + MINUTE, UTC)
        queries.reporters.add_rate_event(
            session=self.session, telegram_user_id=user_id, kind="told", at=until_at
        )
        return True


def _rate_limited(settings: Settings, until: float) -> Screen:
    # Said to the minute, rounded up: "after 12:36" is never too early.
    moment = datetime.fromtimestamp(math.ceil(until / MINUTE) * MINUTE, UTC)
    return Screen(Name.RATE_LIMITED, {"until": moment.astimezone(ZoneInfo(settings.desk.timezone))})


def ticket_limit(
    *, session: Session, settings: Settings, reporter: Reporter, now: datetime
) -> dict[str, object] | None:
    """None while this user may file another ticket; else the screen's count and until
    (a moment in the desk's time zone)."""
    limit = settings.abuse.tickets_per_day
    if not limit or is_admin(settings, reporter.telegram_user_id):
        return None
    assert reporter.id is not None
    filed = queries.reporters.ticket_times_after(
        session=session, reporter_id=reporter.id, after=now - TICKET_WINDOW
    )
    if len(filed) < limit:
        return None
    # The oldest tickets must leave the window until only limit - 1 remain.
    until = filed[len(filed) - limit] + TICKET_WINDOW
    return {"count": len(filed), "until": until.astimezone(ZoneInfo(settings.desk.timezone))}


# --- /block and /unblock -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Whom an admin named: a Telegram user id, or the filer of a ticket."""

    reporter: Reporter
    number: str | None  # the ticket number, when named by one


def find_target(*, session: Session, target: str) -> Target | None:
    """A user id (digits) or a ticket number; None when no such ticket exists."""
    text = target.strip()
    if _USER_ID.fullmatch(text):
        reporter = queries.reporters.get_or_create_reporter(
            session=session, telegram_user_id=int(text)
        )
        return Target(reporter, None)
    ticket = queries.tickets.get_ticket_by_number(session=session, number=text.upper())
    if ticket is None:
        return None
    return Target(queries.reporters.reporter_of(session=session, ticket=ticket), ticket.number)


def set_blocked(
    *,
    session: Session,
    settings: Settings,
    target: Target,
    blocked: bool,
    reason: str,
    actor_id: int,
    reveal_identity: bool,
    now: datetime,
) -> Say:
    """Block or unblock; the admin's answer. A ticket's filer is named by the ticket unless
    ``reveal_identity`` (a private chat with the admin)."""
    reporter = target.reporter
    user_id = reporter.telegram_user_id
    if target.number is None:
        who = say("block_who_user", user_id=user_id)
    elif reveal_identity:
        who = say("block_who_ticket_revealed", number=target.number, user_id=user_id)
    else:
        who = say("block_who_ticket", number=target.number)
    if blocked and is_admin(settings, user_id):
        return say("block_admin_refused")
    if blocked == (reporter.blocked_at is not None):
        return say("block_already" if blocked else "unblock_not_blocked", who=who)
    reason = reason.strip()
    reporter.blocked_at = now if blocked else None
    reporter.blocked_by = actor_id if blocked else None
    reporter.blocked_reason = (reason or None) if blocked else None
    reporter.updated_at = now
    session.add(reporter)
    log.info("reporter %s %s by %s", reporter.id, "blocked" if blocked else "unblocked", actor_id)
    if not blocked:
        return say("unblock_done", who=who)
    return say(
        "block_done",
        who=who,
        reason=say("block_reason", reason=Excerpt(reason, REASON_LIMIT)) if reason else "",
    )
