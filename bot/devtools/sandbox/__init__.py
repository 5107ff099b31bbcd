"""The local sandbox: the real desk on the Bot API emulator, driven from a web page.

``dianxiaoer sandbox`` (and ``dianxiaoer run`` without a bot token) starts, on 127.0.0.1
only, the emulator, the desk against it with a fresh SQLite database, and a web server whose
page shows an enterprise's chat and the department groups side by side, with a clock that
can be moved forward to see reminders, escalations and the weekly summary. The HTTP
contract is in docs/architecture.md ("Sandbox").
"""
