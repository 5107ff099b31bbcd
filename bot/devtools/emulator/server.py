"""The HTTP side: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` on aiohttp."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from bot.devtools.emulator.errors import ApiError, too_many_requests
from bot.devtools.emulator.faults import Fault, FaultHook, front_end_page
from bot.devtools.emulator.methods import MethodTable
from bot.devtools.emulator.params import Params, Upload
from bot.devtools.emulator.records import ApiCall
from bot.devtools.emulator.world import World

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Telegram's limit for bot uploads
_NOT_FOUND = ApiError(404, "Not Found")
_UNAUTHORIZED = ApiError(401, "Unauthorized")


def _json(body: JsonDict, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        body,
        status=status,
        headers=headers,
        dumps=lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")),
    )


def _error(error: ApiError) -> web.Response:
    if error.html:
        return web.Response(
            text=front_end_page(error.error_code),
            status=error.error_code,
            content_type="text/html",
            headers={"Server": "nginx/1.18.0", **error.headers},
        )
    return _json(error.to_json(), status=error.error_code, headers=error.headers)


async def read_params(request: web.Request) -> Params:
    """Query string, then a JSON, urlencoded or multipart body; files become uploads."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request") from None
            if isinstance(body, dict):
                values.update(body)
        else:
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[name] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    values[name] = value
    return Params(values, uploads)


class ApiServer:
    def __init__(self, world: World, methods: MethodTable, faults: list[FaultHook]) -> None:
        self.world = world
        self.methods = methods
        self.faults = faults
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._address: tuple[str, int] = ("127.0.0.1", 0)
        self.base_url = ""

    async def start(self, host: str, port: int) -> str:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self.handle_file)
        # handler_cancellation: a bot that hangs up mid long-poll stops waiting here too.
        runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner, self._site = runner, site
        bound_host, bound_port = runner.addresses[0][:2]
        self._address = (bound_host, bound_port)
        self.base_url = f"http://{bound_host}:{bound_port}"
        return self.base_url

    @property
    def online(self) -> bool:
        return self._site is not None

    async def go_offline(self) -> None:
        """Stop listening and cut every open connection: the bot sees connection errors."""
        if self._runner is None or self._site is None:
            return
        await self._site.stop()
        self._site = None
        server = self._runner.server
        if server is not None:
            await server.shutdown(0.05)  # long polls and keep-alive connections included

    async def come_online(self) -> None:
        """Listen again on the same address."""
        if self._runner is None or self._site is not None:
            return
        host, port = self._address
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._site = site

    async def stop(self) -> None:
        if self._runner is not None:
            self.world.updates.close()  # long polls return now instead of holding shutdown
            await self._runner.cleanup()
            self._runner = self._site = None

    async def handle_method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.match_info["token"] != self.world.token:
            return _error(_UNAUTHORIZED)
        entry = self.methods.get(name.lower())
        if entry is None:
            log.warning("bot called %s, which the emulator does not implement", name)
            self.world.record_call(ApiCall(name, {}, False, None, 404, _NOT_FOUND.description))
            return _error(_NOT_FOUND)
        method, handler = entry
        params: Params | None = None
        try:
            params = await read_params(request)
            fault = self.fault_for(method, params)
            if fault is not None:
                await self.apply_fault(fault)
            result = await handler(params)
            if fault is not None and (
                fault.delay_after or fault.drop_after or fault.hold_until is not None
            ):
                # Done, but the answer comes late or never (the bot may give up first).
                self.world.record_call(ApiCall(method, params.logged(), True, result))
                if fault.delay_after:
                    await asyncio.sleep(fault.delay_after)
                if fault.hold_until is not None:
                    await fault.hold_until.wait()
                if fault.drop_after and request.transport is not None:
                    request.transport.abort()
                    raise asyncio.CancelledError
                return _json({"ok": True, "result": result})
        except ApiError as error:
            logged = params.logged() if params else {}
            self.world.record_call(
                ApiCall(method, logged, False, None, error.error_code, error.description)
            )
            return _error(error)
        except Exception as bug:
            # Not a Telegram behaviour: an emulator bug. Logged and kept for test teardown.
            log.exception("emulator bug while handling %s", method)
            self.world.internal_errors.append(bug)
            logged = params.logged() if params else {}
            self.world.record_call(ApiCall(method, logged, False, None, 500, repr(bug)))
            return _error(ApiError(500, "Internal Server Error"))
        self.world.record_call(ApiCall(method, params.logged(), True, result))
        return _json({"ok": True, "result": result})

    def fault_for(self, method: str, params: Params) -> Fault | None:
        for hook in self.faults:
            fault = hook(method, params.logged())
            if fault is not None:
                return fault
        return None

    @staticmethod
    async def apply_fault(fault: Fault) -> None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.error_code == 429 and fault.retry_after is not None and not fault.html:
            raise too_many_requests(fault.retry_after, in_header=fault.retry_after_in == "header")
        if fault.error_code is not None:
            description = fault.description or "Internal Server Error"
            raise ApiError(fault.error_code, description, html=fault.html)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.world.token:
            return _error(_UNAUTHORIZED)
        path = request.match_info["file_path"]
        stored = next((f for f in self.world.files.values() if f.file_path == path), None)
        if stored is None:
            return _error(_NOT_FOUND)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
