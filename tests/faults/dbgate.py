"""Making the database unavailable for a while, without touching the machine's server.

SQLite: another connection holds the write lock (``BEGIN EXCLUSIVE``) past the busy
timeout. PostgreSQL: the desk reaches the server through a TCP gate in this process that
can refuse new connections and cut open ones ("connection refused", as when the server is
down), while the real server keeps running for everyone else.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from typing import Protocol

from sqlalchemy.engine import make_url


class Outage(Protocol):
    url: str

    def down(self) -> None: ...

    def up(self) -> None: ...

    def close(self) -> None: ...


class SqliteLock:
    def __init__(self, url: str) -> None:
        self.url = url
        self._path = make_url(url).database or ""
        self._holder: sqlite3.Connection | None = None

    def down(self) -> None:
        self._holder = sqlite3.connect(self._path, isolation_level=None, timeout=5)
        self._holder.execute("BEGIN EXCLUSIVE")

    def up(self) -> None:
        if self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None

    def close(self) -> None:
        self.up()


class TcpGate:
    """127.0.0.1:<port> → the PostgreSQL server; ``down()`` refuses and cuts connections."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._target = (parsed.host or "127.0.0.1", parsed.port or 5432)
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = url.replace(f"{self._target[0]}:{self._target[1]}", f"127.0.0.1:{self.port}")
        self.up()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def close(self) -> None:
        self.down()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the gate went down
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
