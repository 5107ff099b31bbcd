"""What the people in the emulated world do: the control side that creates updates."""

from __future__ import annotations

from typing import Any

from bot.devtools.emulator.compose import MAX_TEXT
from bot.devtools.emulator.errors import EmulatorError
from bot.devtools.emulator.records import Chat, MessageRecord, User
from bot.devtools.emulator.render import (
    document_json,
    media_json,
    message_json,
    photo_sizes,
    sticker_json,
)
from bot.devtools.emulator.text import find_bot_commands, utf16_len
from bot.devtools.emulator.world import World

JsonDict = dict[str, Any]
UserRef = User | int

_SAMPLE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00emulated photo\xff\xd9"
_SAMPLE_WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 emulated sticker"
_SAMPLE_OGG = b"OggS\x00\x02 emulated voice"
_SAMPLE_MP4 = b"\x00\x00\x00\x18ftypmp42 emulated video"
#: Captions: 1024 for most users, Telegram Premium users write up to 4096.
MAX_USER_CAPTION = 4096


def _check_caption(caption: str | None) -> None:
    if caption is not None and utf16_len(caption) > MAX_USER_CAPTION:
        raise EmulatorError(f"captions hold at most {MAX_USER_CAPTION} UTF-16 units")


class UserActions:
    """Mixin for :class:`BotApiEmulator`; every method returns the Bot API object sent."""

    world: World

    # -- lookups ------------------------------------------------------------------------

    def _user(self, user: UserRef) -> User:
        user_id = user.id if isinstance(user, User) else user
        found = self.world.users.get(user_id)
        if found is None:
            raise EmulatorError(f"unknown user {user_id}; create it with add_user()")
        return found

    def _chat_of(self, user: User, chat_id: int, *, pressing: bool = False) -> Chat:
        """The chat ``user`` is posting (or pressing a button) in, after checking they can.

        Members post unless muted; in a public group that lets visitors write (no
        ``join_to_send``) anyone does. A button is pressed by anyone who sees the message:
        members (muted ones too), anyone in a public group, and people who left (their
        client still shows it)."""
        chat = self.world.chats.get(chat_id)
        if chat is None:
            raise EmulatorError(f"unknown chat {chat_id}")
        if chat.type == "private":
            if chat.id != user.id:
                raise EmulatorError(f"{user.first_name} cannot write in another user's chat")
            if chat.blocked:
                raise EmulatorError(f"{user.first_name} blocked the bot; call unblock_bot first")
            chat.started = True  # writing to a bot is what "Start" does
        elif chat.migrated_to is not None:
            raise EmulatorError(f"{chat.title!r} became supergroup {chat.migrated_to}; post there")
        elif pressing:
            if user.id not in chat.members | chat.former and not chat.username:
                raise EmulatorError(f"{user.first_name} cannot see {chat.title!r}")
        elif user.id in chat.muted:
            raise EmulatorError(f"{user.first_name} is muted in {chat.title!r}")
        elif user.id not in chat.members and (chat.join_to_send or not chat.username):
            raise EmulatorError(f"{user.first_name} is not a member of {chat.title!r}")
        return chat

    def _thread(self, chat: Chat, thread_id: int | None, reply_to: int | None) -> int | None:
        if reply_to is not None:
            target = self.world.message(chat.id, reply_to)
            if target is None:
                raise EmulatorError(f"no message {reply_to} in chat {chat.id} to reply to")
            if thread_id is None:
                thread_id = target.thread_id
        if thread_id is not None and thread_id not in chat.topics:
            raise EmulatorError(f"chat {chat.id} has no forum topic {thread_id}")
        return thread_id

    def _post(
        self,
        user: UserRef,
        chat_id: int,
        *,
        reply_to: int | None,
        thread_id: int | None,
        **content: Any,
    ) -> JsonDict:
        sender = self._user(user)
        chat = self._chat_of(sender, chat_id)
        thread = self._thread(chat, thread_id, reply_to)
        record = self.world.add_message(
            chat, sender, thread_id=thread, reply_to_message_id=reply_to, **content
        )
        return self._deliver(chat, record, "message")

    def _deliver(self, chat: Chat, record: MessageRecord, kind: str) -> JsonDict:
        payload = message_json(self.world, record)
        if self.world.bot_sees(chat, record):
            record.delivered_to_bot = True
            self.world.updates.push(kind, payload)
        return payload

    # -- messages -------------------------------------------------------------------------

    def user_sends_text(
        self,
        user: UserRef,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """A text message; "/cmd" and "/cmd@bot" get bot_command entities like on Telegram."""
        if not text.strip():
            raise EmulatorError("Telegram clients do not send empty messages")
        if utf16_len(text) > MAX_TEXT:
            raise EmulatorError(
                f"a message holds at most {MAX_TEXT} UTF-16 units; Telegram clients split "
                "longer texts into several messages (send them one by one)"
            )
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            text=text,
            entities=find_bot_commands(text),
        )

    def user_sends_photo(
        self,
        user: UserRef,
        chat_id: int,
        *,
        caption: str | None = None,
        data: bytes = _SAMPLE_JPEG,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        _check_caption(caption)
        stored = self.world.add_file("photo", data, mime_type="image/jpeg")
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            photo=photo_sizes(stored),
            caption=caption,
            caption_entities=find_bot_commands(caption or ""),
        )

    def user_sends_document(
        self,
        user: UserRef,
        chat_id: int,
        *,
        file_name: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        file_size: int | None = None,
    ) -> JsonDict:
        """A file; ``file_size`` claims a size ``data`` stands in for (clients send up to
        2 GB, bots may download only 20 MB of it, copying works at any size)."""
        _check_caption(caption)
        stored = self.world.add_file(
            "document", data, file_name=file_name, mime_type=mime_type, claimed_size=file_size
        )
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            document=document_json(stored),
            caption=caption,
            caption_entities=find_bot_commands(caption or ""),
        )

    def user_sends_sticker(
        self,
        user: UserRef,
        chat_id: int,
        *,
        emoji: str = "👍",
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        stored = self.world.add_file("sticker", _SAMPLE_WEBP, mime_type="image/webp")
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            sticker=sticker_json(stored, emoji),
        )

    def user_sends_voice(
        self,
        user: UserRef,
        chat_id: int,
        *,
        duration: int = 5,
        caption: str | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        _check_caption(caption)
        stored = self.world.add_file("voice", _SAMPLE_OGG, mime_type="audio/ogg")
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            voice=media_json(stored, duration=duration),
            caption=caption,
            caption_entities=find_bot_commands(caption or ""),
        )

    def user_sends_video(
        self,
        user: UserRef,
        chat_id: int,
        *,
        duration: int = 12,
        caption: str | None = None,
        file_size: int | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        _check_caption(caption)
        stored = self.world.add_file(
            "video", _SAMPLE_MP4, mime_type="video/mp4", claimed_size=file_size
        )
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            video=media_json(stored, width=1280, height=720, duration=duration),
            caption=caption,
            caption_entities=find_bot_commands(caption or ""),
        )

    def user_sends_video_note(
        self,
        user: UserRef,
        chat_id: int,
        *,
        duration: int = 8,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """A round video message; like on Telegram it has no caption."""
        stored = self.world.add_file("video_note", _SAMPLE_MP4)
        return self._post(
            user,
            chat_id,
            reply_to=reply_to,
            thread_id=thread_id,
            video_note=media_json(stored, length=240, duration=duration),
        )

    def user_sends_location(
        self,
        user: UserRef,
        chat_id: int,
        latitude: float,
        longitude: float,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise EmulatorError("no such place on Earth")
        location = {"latitude": latitude, "longitude": longitude}
        return self._post(user, chat_id, reply_to=reply_to, thread_id=thread_id, location=location)

    def user_sends_poll(
        self,
        user: UserRef,
        chat_id: int,
        question: str,
        options: list[str],
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """A regular anonymous poll, as a client creates it (2-10 options)."""
        if not 1 <= len(question) <= 300 or not 2 <= len(options) <= 10:
            raise EmulatorError("a poll needs a question and 2-10 options")
        poll_id = str(5_000_000_000 + self.world.next_id("callback"))
        poll = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": option, "voter_count": 0, "persistent_id": f"{poll_id}-{n}"}
                for n, option in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,  # required since Bot API 9.6
            "members_only": False,  # required since Bot API 10.0
        }
        return self._post(user, chat_id, reply_to=reply_to, thread_id=thread_id, poll=poll)

    def user_shares_contact(
        self,
        user: UserRef,
        chat_id: int,
        phone_number: str,
        first_name: str,
        *,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> JsonDict:
        """A contact; a "share my phone number" button sends the user's own id as user_id."""
        contact: JsonDict = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._post(user, chat_id, reply_to=reply_to, thread_id=thread_id, contact=contact)

    def user_edits_text(
        self, user: UserRef, chat_id: int, message_id: int, new_text: str
    ) -> JsonDict:
        """The user edits their text message; the bot gets an ``edited_message`` update."""
        editor = self._user(user)
        chat = self._chat_of(editor, chat_id)
        record = self.world.message(chat.id, message_id)
        if record is None or record.sender_id != editor.id or record.text is None:
            raise EmulatorError(f"{editor.first_name} has no text message {message_id} here")
        record.text = new_text
        record.entities = find_bot_commands(new_text)
        record.edit_date = self.world.now()
        record.edit_count += 1
        self.world.changed()
        return self._deliver(chat, record, "edited_message")

    # -- buttons --------------------------------------------------------------------------

    def user_presses(
        self,
        user: UserRef,
        chat_id: int,
        message_id: int,
        callback_data: str | None = None,
        *,
        button_text: str | None = None,
        forge: bool = False,
    ) -> JsonDict:
        """Tap an inline button (by data or label); returns the ``callback_query`` sent.

        ``forge=True`` skips the check that the button exists, to send data no client
        could produce (tampered or stale callback_data).
        """
        presser = self._user(user)
        chat = self._chat_of(presser, chat_id, pressing=True)
        record = self.world.message(chat.id, message_id)
        if record is None:
            raise EmulatorError(f"no message {message_id} in chat {chat_id}")
        if button_text is not None:
            callback_data = record.button(button_text).callback_data
        if callback_data is None:
            raise EmulatorError("give callback_data or the text of a callback button")
        if not forge and callback_data not in {b.callback_data for b in record.buttons}:
            raise EmulatorError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"buttons: {record.buttons} (pass forge=True to send it anyway)"
            )
        query_id = str(4_000_000_000_000_000_000 + self.world.next_id("callback"))
        self.world.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": presser.to_api(),
            "message": message_json(self.world, record),
            "chat_instance": str(abs(chat.id) * 7919 % 10**18),
            "data": callback_data,
        }
        self.world.updates.push("callback_query", query)
        self.world.changed()
        return query

    # -- anything else --------------------------------------------------------------------

    def deliver_raw_update(self, update: JsonDict) -> int | None:
        """Queue any update as is; reusing an update_id re-delivers it (idempotency tests).

        Returns the update_id, or None if the bot's allowed_updates filters it out.
        """
        update_id = self.world.updates.push_raw(update)
        self.world.changed()
        return update_id
