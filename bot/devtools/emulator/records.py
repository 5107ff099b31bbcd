"""Plain records of the emulated world: users, chats, topics, files, messages, API calls."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

JsonDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]
FileKind = Literal["photo", "document", "sticker", "voice", "video", "video_note"]


@dataclass
class User:
    """A Telegram account; for a human its private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Topic:
    """A forum topic; its thread id is the id of the service message that created it."""

    thread_id: int
    name: str
    icon_color: int


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    members: set[int] = field(default_factory=set)
    # Who the members are (bot/devtools/emulator/members.py): the group's creator and admins,
    # members restricted from sending (muted), people who left (their clients still show old
    # messages) and people removed by an admin.
    creator: int | None = None
    admins: set[int] = field(default_factory=set)
    muted: set[int] = field(default_factory=set)
    former: set[int] = field(default_factory=set)
    kicked: set[int] = field(default_factory=set)
    # A public group (``username``) may let visitors write without joining (linked
    # discussion groups); visitors can always see its messages and press their buttons.
    join_to_send: bool = True
    bot_is_member: bool = True
    bot_is_admin: bool = False
    # Private chats only: the user pressed Start / blocked the bot.
    started: bool = True
    blocked: bool = False
    topics: dict[int, Topic] = field(default_factory=dict)
    last_message_id: int = 0
    # A basic group upgraded to a supergroup: the supergroup's id (the old chat is frozen).
    migrated_to: int | None = None

    def to_api(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: FileKind
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    # The size Telegram reports, when a test stands in a few bytes for a big file.
    claimed_size: int | None = None

    @property
    def size(self) -> int:
        return self.claimed_size if self.claimed_size is not None else len(self.data)


class Button(NamedTuple):
    """One inline keyboard button; exactly one of callback_data/url is usually set."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class MessageRecord:
    """A message as the emulator keeps it; ``world.message_json`` renders the API shape."""

    message_id: int
    chat_id: int
    sender_id: int
    from_bot: bool
    date: int
    thread_id: int | None = None
    text: str | None = None  # plain text, tags stripped and entities unescaped
    html: str | None = None  # the raw text as sent, when parse_mode was HTML
    entities: list[JsonDict] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[JsonDict] = field(default_factory=list)
    photo: list[JsonDict] | None = None
    document: JsonDict | None = None
    sticker: JsonDict | None = None
    contact: JsonDict | None = None
    voice: JsonDict | None = None
    video: JsonDict | None = None
    video_note: JsonDict | None = None
    location: JsonDict | None = None
    poll: JsonDict | None = None
    service: JsonDict | None = None  # e.g. {"forum_topic_created": {...}}
    reply_to_message_id: int | None = None  # explicit replies only, not a topic's root
    reply_markup: JsonDict | None = None  # any kind, as sent; only inline ones are echoed
    forward_origin: JsonDict | None = None
    copied_from: tuple[int, int] | None = None  # (chat_id, message_id), emulator-only
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False
    reactions: list[JsonDict] = field(default_factory=list)
    delivered_to_bot: bool = False  # user messages: did the bot get an update for it

    @property
    def forwarded(self) -> bool:
        return self.forward_origin is not None

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ("" if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def photo_file_id(self) -> str | None:
        return self.photo[-1]["file_id"] if self.photo else None

    @property
    def document_file_id(self) -> str | None:
        return self.document["file_id"] if self.document else None

    @property
    def inline_keyboard(self) -> list[list[Button]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in rows
        ]

    @property
    def buttons(self) -> list[Button]:
        """The inline keyboard flattened, row by row."""
        return [button for row in self.inline_keyboard for button in row]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    def button(self, text: str) -> Button:
        """The inline button labelled ``text`` (exact match)."""
        for button in self.buttons:
            if button.text == text:
                return button
        labels = [b.text for b in self.buttons]
        raise LookupError(f"no button {text!r} on message {self.message_id}; buttons: {labels}")


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request the bot made, with its outcome."""

    method: str
    params: JsonDict
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    #: When the emulator answered (``time.monotonic()``): latency measurements use it.
    at: float = field(default_factory=time.monotonic, compare=False)


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
