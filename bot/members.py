"""Is this person a current member of the chat they act in? Asked of Telegram
(``getChatMember``), remembered briefly.

The handlers ask before the core runs (the core is synchronous, inside one transaction)
and hand the answer over on the :class:`~bot.core.permissions.Actor`; ``bot/core/permissions.py``
decides what it means. A lookup is a read that changes nothing, so it is a direct Bot API
call, like answering a button, not an outbox row.

Only positive answers are cached, for ``ttl`` seconds and at most ``size`` entries: someone
who has just joined can act at once, and someone who leaves or is muted is forgotten as soon
as Telegram tells the desk (a ``left_chat_member`` service message, a ``chat_member``
update — the latter only where the bot is an administrator). A failed lookup is
``UNKNOWN``: the person is asked to try again, never let through.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from telegram import Bot, ChatMember, ChatMemberRestricted
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.core.permissions import Actor, Membership, is_anonymous

log = logging.getLogger(__name__)

TTL_SECONDS = 60.0
MAX_ENTRIES = 4096


def membership_of(member: ChatMember) -> Membership:
    """Telegram's ChatMember as the desk counts it."""
    if member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER):
        return Membership.MEMBER
    if isinstance(member, ChatMemberRestricted):
        if not member.is_member:
            return Membership.NOT_MEMBER
        # A muted member does not speak for the department.
        return Membership.MEMBER if member.can_send_messages else Membership.MUTED
    return Membership.NOT_MEMBER  # left, kicked


class Memberships:
    """Membership lookups with a short, bounded cache of positive answers."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        size: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self._members: OrderedDict[tuple[int, int], float] = OrderedDict()  # -> valid until

    async def resolve(self, bot: Bot, actor: Actor) -> Actor:
        """The actor with its membership filled in (private chats: their own chat)."""
        if is_anonymous(actor):
            return actor  # refused as anonymous whatever Telegram says; no call
        if actor.chat_id == actor.user_id:
            return replace(actor, membership=Membership.MEMBER)
        return replace(actor, membership=await self.lookup(bot, actor.chat_id, actor.user_id))

    async def lookup(self, bot: Bot, chat_id: int, user_id: int) -> Membership:
        key = (chat_id, user_id)
        valid_until = self._members.get(key)
        if valid_until is not None and valid_until > self.clock():
            self._members.move_to_end(key)
            return Membership.MEMBER
        self._members.pop(key, None)
        try:
            found = membership_of(await bot.get_chat_member(chat_id, user_id))
        except (BadRequest, Forbidden) as exc:
            # Telegram answered: no such participant (or no such chat for this bot).
            log.info("getChatMember %s/%s refused: %s", chat_id, user_id, exc)
            return Membership.NOT_MEMBER
        except TelegramError as exc:  # network, time-out, 5xx, flood control
            log.warning("getChatMember %s/%s failed: %s", chat_id, user_id, exc)
            return Membership.UNKNOWN
        if found is Membership.MEMBER:
            self._members[key] = self.clock() + self.ttl
            while len(self._members) > self.size:
                self._members.popitem(last=False)
        return found

    def forget(self, chat_id: int, user_id: int) -> None:
        """Telegram said this person left, was removed or restricted: ask again next time."""
        self._members.pop((chat_id, user_id), None)

    def __len__(self) -> int:
        return len(self._members)
