"""Staff's and the dispatcher's notices: what the core names renders as the texts always did."""

from __future__ import annotations

import ast
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.notices import Label, Words, say
from bot.render.texts import texts_for
from bot.render.views import CAPTION_LIMIT, message_parts, say_html

ZONE = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
#: What the core must not import: it names texts and buttons, the render layer words them.
RENDER = (
    "telegram",
    "bot.render.notify",
    "bot.render.views",
    "bot.render.texts",
    "bot.render.callbacks",
    "bot.render.menus",
    "html",
)
CORE = (
    "bot/core/staff.py",
    "bot/core/decisions.py",
    "bot/core/group_replies.py",
    "bot/core/prompts.py",
)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_staff_and_decisions_import_no_wording_nor_telegram() -> None:
    for module in CORE:
        names = imported(ROOT / module)
        bad = {n for n in names for r in RENDER if n == r or n.startswith(f"{r}.")}
        assert not bad, (module, bad)


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6000)


@settings(max_examples=40, deadline=None)
@given(text=words, code=st.sampled_from(("not_ours", "wrong_area", "overlap", "other")))
def test_a_transfer_reason_reads_as_its_name_then_the_words(text: str, code: str) -> None:
    for language in ("zh", "en"):
        t = texts_for(language)
        named = () if code == "other" else (say(f"transfer_reasons.{code}"),)
        said = say(
            "transfer_request",
            reason=Words(text, lead=named),
            number="GX-1",
            department=Label("经信局", "Economy <&> Bureau"),
            who="<b>张</b>",
            card="",
        )
        label = t.transfer_reasons[code] if code != "other" else ""
        expected = message_parts(
            t.transfer_request,
            "；".join(part for part in (label, text) if part),
            slot="reason",
            number="GX-1",
            department="Economy &lt;&amp;&gt; Bureau" if language == "en" else "经信局",
            who="&lt;b&gt;张&lt;/b&gt;",
            card="",
        )
        assert say_html(said, language, ZONE) == expected


@settings(max_examples=40, deadline=None)
@given(text=words)
def test_a_relayed_caption_is_cut_where_the_old_relay_cut_it(text: str) -> None:
    for language in ("zh", "en"):
        said = say("ent_relay", body=text, department=Label("税务局", "Tax"), number="GX-2")
        name = "Tax" if language == "en" else "税务局"
        expected = message_parts(
            texts_for(language).ent_relay,
            text,
            first_limit=CAPTION_LIMIT,
            department=name,
            number="GX-2",
        )
        assert say_html(said, language, ZONE, first_limit=CAPTION_LIMIT) == expected
