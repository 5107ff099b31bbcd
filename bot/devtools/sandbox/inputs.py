"""Reading the page's requests: typed values out of JSON and forms, or a polite 400."""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from bot.devtools.sandbox.sandbox import SandboxError

JsonDict = dict[str, Any]

MAX_WORKING_DAYS = 60.0
MAX_HOURS = 24.0 * 366


async def json_body(request: web.Request) -> JsonDict:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise SandboxError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SandboxError(400, "The request body must be a JSON object.")
    return body


def integer(body: JsonDict, key: str) -> int:
    value = body.get(key)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SandboxError(400, f"Give {key} as a whole number.")
    return value


def optional_integer(body: JsonDict, key: str) -> int | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    return integer(body, key)


def text(body: JsonDict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise SandboxError(400, f"Give {key} as text.")
    return value


def positive_number(body: JsonDict, key: str, limit: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SandboxError(400, f"Give {key} as a number.")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise SandboxError(400, f"Give {key} as a number more than zero.")
    if number > limit:
        raise SandboxError(400, f"Move the clock by at most {limit:g} {key} at a time.")
    return number


def clock_step(body: JsonDict) -> tuple[str, float]:
    """("working_days", n) or ("hours", n): exactly one of the two."""
    given = [key for key in ("working_days", "hours") if body.get(key) is not None]
    if len(given) != 1:
        raise SandboxError(400, "Give either working_days or hours to move the clock.")
    key = given[0]
    limit = MAX_WORKING_DAYS if key == "working_days" else MAX_HOURS
    return key, positive_number(body, key, limit)
