"""Error types: what the Bot API answers with, and what the control side raises."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error reply, ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        html: bool = False,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters
        self.headers = headers or {}
        #: Answered as the front end's HTML error page instead of JSON.
        self.html = html

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int, *, in_header: bool = False) -> ApiError:
    """Flood control; ``in_header``: the wait is only in Retry-After and the description."""
    description = f"Too Many Requests: retry after {retry_after}"
    if in_header:
        return ApiError(429, description, headers={"Retry-After": str(retry_after)})
    return ApiError(429, description, {"retry_after": retry_after})


def migrated(new_chat_id: int) -> ApiError:
    """Sending to a basic group that became a supergroup (PTB raises ChatMigrated)."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


class EmulatorError(Exception):
    """The control side (a test or the demo) asked for something impossible."""
