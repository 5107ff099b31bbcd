"""Telegram HTML parsing: the accepted subset, tdlib's error wording, and the plain text."""

from __future__ import annotations

import pytest

from bot.devtools.emulator import HtmlParseError, html_to_text, parse_html
from bot.devtools.emulator.text import find_bot_commands, normalize, utf16_len


def test_tags_become_entities_with_utf16_offsets() -> None:
    parsed = parse_html('😀<b>粗体</b> <a href="https://example.com/x">链接</a> <i>i</i>')
    assert parsed.text == "😀粗体 链接 i"
    assert parsed.entities == [
        {"type": "bold", "offset": 2, "length": 2},
        {"type": "text_link", "url": "https://example.com/x", "offset": 5, "length": 2},
        {"type": "italic", "offset": 8, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "entity"),
    [
        ("<strong>x</strong>", {"type": "bold"}),
        ("<em>x</em>", {"type": "italic"}),
        ("<ins>x</ins>", {"type": "underline"}),
        ("<del>x</del>", {"type": "strikethrough"}),
        ("<strike>x</strike>", {"type": "strikethrough"}),
        ('<span class="tg-spoiler">x</span>', {"type": "spoiler"}),
        ("<tg-spoiler>x</tg-spoiler>", {"type": "spoiler"}),
        ("<code>x</code>", {"type": "code"}),
        ("<pre>x</pre>", {"type": "pre"}),
        (
            '<pre><code class="language-python">x</code></pre>',
            {"type": "pre", "language": "python"},
        ),
        ("<blockquote>x</blockquote>", {"type": "blockquote"}),
        ("<blockquote expandable>x</blockquote>", {"type": "expandable_blockquote"}),
        ('<tg-emoji emoji-id="5368324170671202286">x</tg-emoji>', {"type": "custom_emoji"}),
    ],
)
def test_every_supported_tag(source: str, entity: dict[str, str]) -> None:
    parsed = parse_html(source)
    assert parsed.text == "x"
    assert len(parsed.entities) == 1
    assert parsed.entities[0].items() >= entity.items()


def test_entities_and_numeric_references_are_decoded() -> None:
    assert (
        html_to_text("&lt;script&gt; &amp; &quot;q&quot; &#20320;&#x597D;") == '<script> & "q" 你好'
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("你好<br>", 'Unsupported start tag "br" at byte offset 6'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a <", "Unclosed start tag at byte offset 2"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_invalid_markup_gets_tdlib_wording(source: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == reason


@pytest.mark.parametrize("source", ["x > y", "AT&T", "&unknown;"])
def test_bare_gt_and_amp_rejected_only_in_strict_mode(source: str) -> None:
    with pytest.raises(HtmlParseError, match="must be escaped"):
        parse_html(source)
    assert parse_html(source, strict=False).text == source


def test_link_to_a_user_becomes_a_text_mention() -> None:
    parsed = parse_html(
        '<a href="tg://user?id=42">张三</a>', lookup_user=lambda i: {"id": i, "is_bot": False}
    )
    assert parsed.entities == [
        {"type": "text_mention", "user": {"id": 42, "is_bot": False}, "offset": 0, "length": 2}
    ]


def test_normalize_trims_like_telegram() -> None:
    text, entities = normalize(
        "\n  hi\r\n\tthere  \n", [{"type": "bold", "offset": 3, "length": 2}]
    )
    assert text == "hi\n there"
    assert entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert normalize(" \n ", []) == ("", [])


def test_bot_commands_are_found_like_telegram() -> None:
    text = "/start hi /help@dianxiaoer_bot a/b"
    found = [(e["offset"], e["length"]) for e in find_bot_commands(text)]
    assert found == [(0, 6), (10, 20)]
    assert utf16_len("😀a") == 3
