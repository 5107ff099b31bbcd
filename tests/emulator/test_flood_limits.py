"""Telegram's flood limits as an emulator mode: 30 messages a second overall, 20 a minute
into one group; beyond them a 429 saying how long to wait."""

from __future__ import annotations

from bot.devtools.emulator import flood_limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_thirty_messages_a_second_pass_and_the_next_waits_for_the_window() -> None:
    clock = Clock()
    hook = flood_limits(clock=clock)
    passed = [hook("sendMessage", {"chat_id": 1000 + n}) for n in range(30)]
    assert passed == [None] * 30
    refused = hook("sendMessage", {"chat_id": 2000})
    assert refused is not None and refused.error_code == 429 and refused.retry_after == 1
    assert hook("getMe", {}) is None and hook("answerCallbackQuery", {}) is None  # not posts
    clock.now += 1.0
    assert hook("sendMessage", {"chat_id": 2000}) is None


def test_a_group_gets_twenty_a_minute_while_other_chats_go_on() -> None:
    clock = Clock()
    hook = flood_limits(clock=clock)
    for n in range(20):
        clock.now += 0.5
        assert hook("sendMessage", {"chat_id": "-100123"}) is None, n
    refused = hook("sendDocument", {"chat_id": "-100123"})
    assert refused is not None and refused.error_code == 429
    assert refused.retry_after == 51  # the first of the twenty leaves the minute then
    assert hook("sendMessage", {"chat_id": "-100999"}) is None  # another group
    assert hook("sendMessage", {"chat_id": 42}) is None  # a private chat
    clock.now += 51
    assert hook("sendMessage", {"chat_id": "-100123"}) is None


def test_a_refused_call_does_not_count() -> None:
    clock = Clock()
    hook = flood_limits(per_second=2, clock=clock)
    assert hook("sendMessage", {"chat_id": 1}) is None
    assert hook("sendMessage", {"chat_id": 2}) is None
    for _ in range(5):
        assert hook("sendMessage", {"chat_id": 3}) is not None
    clock.now += 1.0
    assert hook("sendMessage", {"chat_id": 3}) is None
    assert hook("sendMessage", {"chat_id": 4}) is None
