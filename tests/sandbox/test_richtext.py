"""Messages become safe HTML from plain text + entities, never from the bot's raw string."""

from __future__ import annotations

from bot.devtools.emulator.records import MessageRecord
from bot.devtools.sandbox.messages import message_html
from bot.devtools.sandbox.richtext import entities_to_html


def test_nested_entities_nest() -> None:
    html = entities_to_html(
        "工单 GX-1 已超期",
        [
            {"type": "bold", "offset": 0, "length": 11},
            {"type": "code", "offset": 3, "length": 4},
        ],
    )
    assert html == "<b>工单 <code>GX-1</code> 已超期</b>"


def test_offsets_count_utf16_so_an_emoji_before_an_entity_takes_two() -> None:
    # "⏰" is one UTF-16 unit, "📊" two: the bold must start right after each.
    html = entities_to_html(
        "📊 每周 ⏰ 提醒",
        [{"type": "bold", "offset": 3, "length": 2}, {"type": "italic", "offset": 8, "length": 2}],
    )
    assert html == "📊 <b>每周</b> ⏰ <i>提醒</i>"


def test_script_in_the_text_stays_text() -> None:
    html = entities_to_html(
        '<script>alert("x")</script> & <b>',
        [{"type": "bold", "offset": 0, "length": 8}],
    )
    assert html == '<b>&lt;script&gt;</b>alert("x")&lt;/script&gt; &amp; &lt;b&gt;'
    assert "<script" not in html


def test_links_keep_only_web_addresses_and_escape_them() -> None:
    html = entities_to_html(
        "bad good",
        [
            {"type": "text_link", "offset": 0, "length": 3, "url": "javascript:alert(1)"},
            {"type": "text_link", "offset": 4, "length": 4, "url": 'https://t.me/c/1/2?a="x'},
        ],
    )
    assert html == (
        'bad <a href="https://t.me/c/1/2?a=&quot;x" target="_blank" '
        'rel="noopener noreferrer">good</a>'
    )


def test_overlapping_entities_still_give_well_formed_html() -> None:
    html = entities_to_html(
        "abcdef",
        [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}],
    )
    assert html == "<b>ab<i>cd</i></b><i>ef</i>"


def test_newlines_spoilers_and_quotes() -> None:
    html = entities_to_html(
        "第一行\n秘密\n引用",
        [
            {"type": "spoiler", "offset": 4, "length": 2},
            {"type": "blockquote", "offset": 7, "length": 2},
        ],
    )
    assert html == '第一行<br><span class="spoiler">秘密</span><br><blockquote>引用</blockquote>'


def test_entities_past_the_end_are_clipped_and_garbage_is_ignored() -> None:
    html = entities_to_html(
        "短",
        [{"type": "bold", "offset": 0, "length": 99}, {"type": "italic", "offset": "x"}],
    )
    assert html == "<b>短</b>"


def _record(**fields: object) -> MessageRecord:
    return MessageRecord(message_id=1, chat_id=1, sender_id=1, date=0, **fields)  # type: ignore[arg-type]


def test_a_bot_message_renders_from_text_and_entities_not_from_its_raw_html() -> None:
    record = _record(
        from_bot=True,
        text="受理 <img>",
        html='<b>受理</b> &lt;img&gt;<img src=x onerror="alert(1)">',
        entities=[{"type": "bold", "offset": 0, "length": 2}],
    )
    assert message_html(record) == "<b>受理</b> &lt;img&gt;"


def test_a_persons_text_is_escaped_and_never_formatted() -> None:
    record = _record(
        from_bot=False,
        text="/start <i>hi</i>",
        entities=[{"type": "bot_command", "offset": 0, "length": 6}],
    )
    assert message_html(record) == "/start &lt;i&gt;hi&lt;/i&gt;"


def test_captions_render_like_text() -> None:
    record = _record(
        from_bot=True,
        caption="图表\n说明",
        caption_entities=[{"type": "italic", "offset": 3, "length": 2}],
    )
    assert message_html(record) == "图表<br><i>说明</i>"
    assert message_html(_record(from_bot=True)) == ""
