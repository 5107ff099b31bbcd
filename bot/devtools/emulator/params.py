"""Method parameters, read the forgiving way Telegram reads them.

PTB sends forms where every value is a string and nested objects are JSON strings; other
clients send JSON bodies with native types. Both end up here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.devtools.emulator.errors import bad_request

JsonDict = dict[str, Any]

# Parameters whose value is a JSON object/array, sent as a JSON string in forms.
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "reply_parameters", "entities", "caption_entities", "commands",
        "scope", "allowed_updates", "reaction", "link_preview_options", "menu_button",
        "media", "message_ids",
    }
)  # fmt: skip
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
}


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part."""

    data: bytes
    file_name: str | None
    mime_type: str | None


class Params:
    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.uploads = uploads or {}
        self.values: dict[str, Any] = {}
        for name, value in values.items():
            if name in _JSON_PARAMS and isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad_request(
                        _JSON_ERRORS.get(name, f"can't parse {name} JSON object")
                    ) from None
            self.values[name] = value

    def logged(self) -> JsonDict:
        """The parameters for the api_calls log, uploads summarized."""
        summary = {
            name: f"<upload {u.file_name or name}, {len(u.data)} bytes>"
            for name, u in self.uploads.items()
        }
        return {**self.values, **summary}

    def has(self, name: str) -> bool:
        return self.values.get(name) is not None or name in self.uploads

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_float(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        return self.values.get(name)

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id, or a ``@username`` for public groups."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None

    def file(self, name: str) -> Upload | str | None:
        """An uploaded part, or a file_id/URL string; follows ``attach://`` references."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value is not None and value.startswith("attach://"):
            attached = self.uploads.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"can't find attached file {value.removeprefix('attach://')}")
            return attached
        return value
