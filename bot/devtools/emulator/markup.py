"""reply_markup validation: inline keyboards, reply keyboards, keyboard removal, force reply."""

from __future__ import annotations

import re
from typing import Any

from bot.devtools.emulator.errors import bad_request

JsonDict = dict[str, Any]

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_BUTTON_URL = re.compile(r"^(https?|tg)://\S+$", re.IGNORECASE)
_UNPARSABLE = "can't parse reply keyboard markup JSON object"


def parse_reply_markup(raw: Any, *, inline_only: bool = False) -> JsonDict | None:
    """The markup to store, or None; raises Telegram's errors for invalid markup."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, dict):
        raise bad_request(_UNPARSABLE)
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        return {**raw, "keyboard": _reply_rows(raw["keyboard"])}
    if raw.get("remove_keyboard") or raw.get("force_reply"):
        return dict(raw)
    raise bad_request(_UNPARSABLE)


def _rows(raw: Any) -> list[list[Any]]:
    if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
        raise bad_request(_UNPARSABLE)
    return raw


def _inline_rows(raw: Any) -> list[list[JsonDict]]:
    rows = _rows(raw)
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return [[dict(button) for button in row] for row in rows]


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(button.get(action) is not None for action in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not (isinstance(url, str) and _BUTTON_URL.match(url)):
        raise bad_request("BUTTON_URL_INVALID")


def _reply_rows(raw: Any) -> list[list[JsonDict]]:
    rows = _rows(raw)
    parsed: list[list[JsonDict]] = []
    for row in rows:
        parsed_row: list[JsonDict] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )
            parsed_row.append(dict(button))
        parsed.append(parsed_row)
    return parsed
