"""The sandbox's web server: the page, its static files and the JSON API (SANDBOX_API.md)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.devtools.emulator.records import StoredFile
from bot.devtools.sandbox import inputs
from bot.devtools.sandbox.events import stream_changes
from bot.devtools.sandbox.messages import chat_messages
from bot.devtools.sandbox.sandbox import Sandbox, SandboxError

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
CLOSING_KEY = web.AppKey("closing", asyncio.Event)

_MAGIC_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)


def _json(body: JsonDict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refused request answers {"ok": false, "error": ...} with its 4xx/5xx status."""
    try:
        return await handler(request)
    except SandboxError as exc:
        return _json({"ok": False, "error": exc.message}, status=exc.status)
    except web.HTTPRequestEntityTooLarge:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return _json({"ok": False, "error": f"Files up to {limit} MB, please."}, status=413)
    except web.HTTPNotFound:
        if request.path.startswith("/api/"):
            return _json({"ok": False, "error": "There is no such page in the API."}, 404)
        raise


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def state(request: web.Request) -> web.Response:
    return _json(_sandbox(request).state())


async def messages(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    chat_id = inputs.integer(dict(request.match_info), "chat_id")
    return _json(chat_messages(sandbox.scene.emulator.world, sandbox.chat(chat_id)))


def _content_type(stored: StoredFile) -> str:
    if stored.kind == "photo":  # the emulator files every photo as JPEG; look at the bytes
        for magic, kind in _MAGIC_TYPES:
            if stored.data.startswith(magic):
                return kind
    return stored.mime_type or "application/octet-stream"


async def files(request: web.Request) -> web.Response:
    world = _sandbox(request).scene.emulator.world
    stored = world.files.get(request.match_info["file_id"])
    if stored is None:
        raise SandboxError(404, "There is no such file in the sandbox.")
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if stored.kind != "photo":
        name = stored.file_name or Path(stored.file_path).name
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return web.Response(body=stored.data, content_type=_content_type(stored), headers=headers)


async def events(request: web.Request) -> web.StreamResponse:
    world = _sandbox(request).scene.emulator.world
    return await stream_changes(request, world, request.app[CLOSING_KEY])


async def send(request: web.Request) -> web.Response:
    body = await inputs.json_body(request)
    message_id = await _sandbox(request).send(
        inputs.integer(body, "chat_id"),
        inputs.integer(body, "user_id"),
        inputs.text(body, "text"),
        inputs.optional_integer(body, "reply_to"),
    )
    return _json({"ok": True, "message_id": message_id})


async def press(request: web.Request) -> web.Response:
    body = await inputs.json_body(request)
    answer = await _sandbox(request).press(
        inputs.integer(body, "chat_id"),
        inputs.integer(body, "user_id"),
        inputs.integer(body, "message_id"),
        inputs.text(body, "callback_data"),
    )
    return _json({"ok": True, "answer": answer})


async def contact(request: web.Request) -> web.Response:
    body = await inputs.json_body(request)
    message_id = await _sandbox(request).contact(
        inputs.integer(body, "chat_id"), inputs.integer(body, "user_id")
    )
    return _json({"ok": True, "message_id": message_id})


async def upload(request: web.Request) -> web.Response:
    form = await request.post()  # multipart/form-data; anything else reads as no fields
    file = form.get("file")
    if not isinstance(file, web.FileField):
        raise SandboxError(400, "Choose a file to send.")
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    caption = fields.get("caption")
    message_id = await _sandbox(request).upload(
        inputs.integer(fields, "chat_id"),
        inputs.integer(fields, "user_id"),
        data=file.file.read(),
        file_name=file.filename or "file",
        content_type=file.content_type or "application/octet-stream",
        caption=caption,
        reply_to=inputs.optional_integer(fields, "reply_to"),
    )
    return _json({"ok": True, "message_id": message_id})


async def enterprises(request: web.Request) -> web.Response:
    body = await inputs.json_body(request)
    created = await _sandbox(request).add_enterprise(
        inputs.text(body, "name"), inputs.text(body, "company")
    )
    return _json(created)


async def advance_clock(request: web.Request) -> web.Response:
    body = await inputs.json_body(request)
    sandbox = _sandbox(request)
    unit, amount = inputs.clock_step(body)
    if unit == "working_days":
        moment = sandbox.clock.after_working_days(amount)
    else:
        moment = sandbox.clock.after_hours(amount)
    return _json({"ok": True, "clock": await sandbox.advance(moment)})


async def weekly(request: web.Request) -> web.Response:
    await inputs.json_body(request)
    clock, chat_id = await _sandbox(request).weekly()
    return _json({"ok": True, "clock": clock, "chat_id": chat_id})


def build_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(middlewares=[_errors], client_max_size=MAX_UPLOAD_BYTES)
    app[SANDBOX_KEY] = sandbox
    app[CLOSING_KEY] = asyncio.Event()

    async def on_shutdown(app: web.Application) -> None:
        app[CLOSING_KEY].set()  # ends the event streams, which would hold up the shutdown

    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/", index)
    app.router.add_static("/static", STATIC)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/chats/{chat_id}/messages", messages)
    app.router.add_get("/api/files/{file_id}", files)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/contact", contact)
    app.router.add_post("/api/upload", upload)
    app.router.add_post("/api/enterprises", enterprises)
    app.router.add_post("/api/clock/advance", advance_clock)
    app.router.add_post("/api/weekly", weekly)
    return app
