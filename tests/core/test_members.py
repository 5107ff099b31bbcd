"""Membership as the desk counts it, and the short cache of positive answers (bot/members.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from telegram import (
    Bot,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    User,
)
from telegram.error import BadRequest, NetworkError

from bot.core.permissions import ANONYMOUS_ADMIN_ID, Actor, Membership
from bot.members import Memberships, membership_of

PERSON = User(7_000_000_001, "张科员", is_bot=False)
GROUP = -1_002_000_000_001


def restricted(*, is_member: bool, can_send_messages: bool) -> ChatMemberRestricted:
    rights = dict.fromkeys(
        (
            "can_change_info",
            "can_invite_users",
            "can_pin_messages",
            "can_send_polls",
            "can_send_other_messages",
            "can_add_web_page_previews",
            "can_manage_topics",
            "can_send_audios",
            "can_send_documents",
            "can_send_photos",
            "can_send_videos",
            "can_send_video_notes",
            "can_send_voice_notes",
            "can_edit_tag",
            "can_react_to_messages",
        ),
        True,
    )
    return ChatMemberRestricted(
        PERSON,
        is_member=is_member,
        can_send_messages=can_send_messages,
        until_date=datetime(2030, 1, 1, tzinfo=UTC),
        **rights,
    )


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        (ChatMemberOwner(PERSON, is_anonymous=False), Membership.MEMBER),
        (
            ChatMemberAdministrator(PERSON, *([False] * 12)),
            Membership.MEMBER,
        ),
        (ChatMemberMember(PERSON), Membership.MEMBER),
        (restricted(is_member=True, can_send_messages=True), Membership.MEMBER),
        (restricted(is_member=True, can_send_messages=False), Membership.MUTED),
        (restricted(is_member=False, can_send_messages=True), Membership.NOT_MEMBER),
        (ChatMemberLeft(PERSON), Membership.NOT_MEMBER),
        (
            ChatMemberBanned(PERSON, until_date=datetime(2030, 1, 1, tzinfo=UTC)),
            Membership.NOT_MEMBER,
        ),
    ],
)
def test_what_counts_as_a_member(member: ChatMember, expected: Membership) -> None:
    assert membership_of(member) is expected


class FakeBot:
    """getChatMember only: answers from a script, counts the calls."""

    def __init__(self, *answers: ChatMember | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[int, int]] = []

    async def get_chat_member(self, chat_id: int, user_id: int, **_: Any) -> ChatMember:
        self.calls.append((chat_id, user_id))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_members_are_remembered_for_a_while_and_forgotten_on_request() -> None:
    clock, bot = Clock(), FakeBot(ChatMemberMember(PERSON))
    members = Memberships(ttl=60, clock=clock)
    lookup = members.lookup
    assert await lookup(cast(Bot, bot), GROUP, PERSON.id) is Membership.MEMBER
    clock.now += 59
    assert await lookup(cast(Bot, bot), GROUP, PERSON.id) is Membership.MEMBER
    assert len(bot.calls) == 1
    clock.now += 2  # expired
    await lookup(cast(Bot, bot), GROUP, PERSON.id)
    assert len(bot.calls) == 2
    members.forget(GROUP, PERSON.id)  # left / restricted: ask again
    await lookup(cast(Bot, bot), GROUP, PERSON.id)
    assert len(bot.calls) == 3


async def test_refusals_and_failures_are_never_remembered() -> None:
    members = Memberships(clock=Clock())
    left = FakeBot(ChatMemberLeft(PERSON))
    assert await members.lookup(cast(Bot, left), GROUP, PERSON.id) is Membership.NOT_MEMBER
    assert await members.lookup(cast(Bot, left), GROUP, PERSON.id) is Membership.NOT_MEMBER
    assert len(left.calls) == 2 and len(members) == 0

    down = FakeBot(NetworkError("Bad Gateway"))
    assert await members.lookup(cast(Bot, down), GROUP, PERSON.id) is Membership.UNKNOWN
    unknown = FakeBot(BadRequest("User not found"))
    assert await members.lookup(cast(Bot, unknown), GROUP, PERSON.id) is Membership.NOT_MEMBER
    assert len(members) == 0


async def test_the_cache_is_bounded() -> None:
    members = Memberships(size=3, clock=Clock())
    bot = FakeBot(ChatMemberMember(PERSON))
    for user_id in range(1, 6):
        await members.lookup(cast(Bot, bot), GROUP, user_id)
    assert len(members) == 3
    await members.lookup(cast(Bot, bot), GROUP, 5)  # the newest are kept
    assert len(bot.calls) == 5


async def test_private_chats_and_anonymous_admins_need_no_lookup() -> None:
    members, bot = Memberships(), FakeBot(ChatMemberMember(PERSON))
    own = Actor(PERSON.id, "张科员", PERSON.id, None)
    anonymous = Actor(ANONYMOUS_ADMIN_ID, "Group", GROUP, None, anonymous=True)
    assert (await members.resolve(cast(Bot, bot), own)).membership is Membership.MEMBER
    assert (await members.resolve(cast(Bot, bot), anonymous)).membership is Membership.UNCHECKED
    assert bot.calls == []
