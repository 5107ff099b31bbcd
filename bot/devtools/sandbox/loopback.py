"""The sandbox listens on this computer only: it has no login and acts as the desk's admin."""

from __future__ import annotations

import ipaddress


class SandboxRefused(Exception):
    """The sandbox cannot start as asked; the message says why."""


def check_loopback(host: str) -> None:
    """Raise :class:`SandboxRefused` unless ``host`` is a loopback address."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SandboxRefused(
            f"The sandbox only listens on this computer (127.0.0.1), not on {host!r}: "
            "anyone reaching it could act as the desk's admin."
        )
