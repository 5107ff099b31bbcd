"""The one table of Bot API outcomes, read from the exceptions PTB really raises.

Each case runs PTB's own request code (HTTPXRequest over an httpx mock transport) against
the answer or the transport failure, and classifies what comes out.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.delivery.delivery_outcome import Fate, Verdict, classify
from bot.devtools.emulator import front_end_page

URL = "https://api.telegram.org/botTOKEN/sendMessage"
Answer = Callable[[httpx.Request], httpx.Response]


def json_answer(status: int, body: dict[str, object], **headers: str) -> Answer:
    return lambda request: httpx.Response(status, json=body, headers=headers)


def html_answer(status: int) -> Answer:
    page = front_end_page(status)
    return lambda request: httpx.Response(
        status, text=page, headers={"Content-Type": "text/html", "Server": "nginx/1.18.0"}
    )


def raises(error: type[httpx.TransportError], text: str = "boom") -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error(text, request=request)

    return answer


def error(code: int, description: str, **parameters: object) -> dict[str, object]:
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


async def ptb_outcome(answer: Answer) -> TelegramError:
    """What PTB raises for this answer (its real request code, no network)."""
    request = HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(answer)})
    await request.initialize()
    try:
        await request.post(URL, read_timeout=1)
    except TelegramError as exc:
        return exc
    finally:
        await request.shutdown()
    raise AssertionError("PTB raised nothing")


CASES: list[tuple[str, Answer, Fate, dict[str, object]]] = [
    # The Bot API is down behind Telegram's front end: nginx answers with an HTML page.
    ("502 HTML page", html_answer(502), Fate.RETRY, {"pause": True, "status": 502}),
    ("503 HTML page", html_answer(503), Fate.RETRY, {"pause": True, "status": 503}),
    ("504 HTML page", html_answer(504), Fate.RETRY, {"pause": True, "status": 504}),
    ("500 JSON", json_answer(500, error(500, "Internal Server Error")), Fate.RETRY, {}),
    ("502 JSON", json_answer(502, error(502, "Bad Gateway")), Fate.RETRY, {"status": 502}),
    (
        "429 with parameters.retry_after",
        json_answer(429, error(429, "Too Many Requests: retry after 7", retry_after=7)),
        Fate.FLOOD,
        {"wait": 7.0},
    ),
    (
        "429 with Retry-After header and description only",
        json_answer(429, error(429, "Too Many Requests: retry after 9"), **{"Retry-After": "9"}),
        Fate.FLOOD,
        {"wait": 9.0},
    ),
    ("429 HTML page", html_answer(429), Fate.FLOOD, {"wait": None}),
    (
        "400 message is not modified",
        json_answer(400, error(400, "Bad Request: message is not modified")),
        Fate.DELIVERED,
        {},
    ),
    (
        "400 can't parse entities",
        json_answer(400, error(400, "Bad Request: can't parse entities")),
        Fate.REFUSED,
        {"message": "Can't parse entities"},  # PTB drops the prefix,
    ),
    (
        "400 migrated",
        json_answer(400, error(400, "Bad Request: upgraded", migrate_to_chat_id=-1009)),
        Fate.MIGRATED,
        {"new_chat_id": -1009},
    ),
    (
        "403 blocked",
        json_answer(403, error(403, "Forbidden: bot was blocked by the user")),
        Fate.FORBIDDEN,
        {"message": "Forbidden: bot was blocked by the user"},
    ),
    ("401", json_answer(401, error(401, "Unauthorized")), Fate.RETRY_COUNTED, {}),
    ("409", json_answer(409, error(409, "Conflict: terminated")), Fate.RETRY_COUNTED, {}),
    ("413 JSON", json_answer(413, error(413, "Request Entity Too Large")), Fate.RETRY_COUNTED, {}),
    ("413 HTML page", html_answer(413), Fate.RETRY_COUNTED, {"status": 413}),
    # The transport: never sent, or sent and the answer lost.
    ("connection refused", raises(httpx.ConnectError), Fate.RETRY, {"pause": True}),
    ("connect time-out", raises(httpx.ConnectTimeout), Fate.RETRY, {"pause": True}),
    ("pool time-out", raises(httpx.PoolTimeout), Fate.RETRY, {"pause": True}),
    ("read time-out", raises(httpx.ReadTimeout), Fate.UNKNOWN, {}),
    ("write time-out", raises(httpx.WriteTimeout), Fate.UNKNOWN, {}),
    ("connection cut", raises(httpx.RemoteProtocolError), Fate.UNKNOWN, {}),
    ("connection reset", raises(httpx.ReadError), Fate.UNKNOWN, {}),
    (
        "2xx with an unreadable body",
        lambda request: httpx.Response(200, text="<html>ok</html>"),
        Fate.UNKNOWN,
        {},
    ),
]


@pytest.mark.parametrize(
    ("answer", "fate", "details"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_every_outcome_has_one_reading(
    answer: Answer, fate: Fate, details: dict[str, object]
) -> None:
    verdict = classify(await ptb_outcome(answer))
    assert verdict.fate is fate, verdict
    for name, value in details.items():
        assert getattr(verdict, name) == value, (name, verdict)


async def test_an_html_error_page_is_an_answer_not_a_lost_one() -> None:
    """What the sender once took for "answer lost": PTB's exception for nginx's 502."""
    exc = await ptb_outcome(html_answer(502))
    assert type(exc) is NetworkError and "Bad Gateway (502)" in exc.message
    assert isinstance(exc.__cause__, TelegramError)  # PTB could not parse the page
    verdict = classify(exc)
    assert verdict.reason == "NetworkError: Bad Gateway (502) (TelegramError)"
    assert "<html>" not in verdict.reason  # the page itself stays out of the outbox


async def test_time_outs_before_and_after_the_request_left() -> None:
    before = await ptb_outcome(raises(httpx.ConnectTimeout))
    after = await ptb_outcome(raises(httpx.ReadTimeout))
    assert isinstance(before, TimedOut) and isinstance(after, TimedOut)
    assert classify(before).fate is Fate.RETRY
    assert classify(after).fate is Fate.UNKNOWN


def test_anything_else_is_unknown() -> None:
    assert classify(RuntimeError("bug in a library")) == Verdict(
        Fate.UNKNOWN, "bug in a library", "RuntimeError: bug in a library"
    )
    assert json.dumps(front_end_page(502)).count("502 Bad Gateway") == 2
