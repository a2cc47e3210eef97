"""The command line beside the running dashboard: commands handed to the server.

Why: DuckDB lets one process hold a database file for writing, and the
dashboard holds it for as long as it serves (its connections keep the
buffer cache warm; reopening per page would cost every page its cache).
So a second process — a scheduled import, a script asking for ``summary`` —
cannot open the file.  Rather than fail, or make the dashboard let go of
the file between page runs, the dashboard's process listens on a Unix
socket beside it and runs the command itself, on its own connections:
reads see the same data, imports queue behind the dashboard's own writer
lock (``store.write_lock``), and the dashboard's caches, keyed on the data
version, show the new data at the next page run — no restart.

The socket lives in a directory only this OS user can enter (0700) and the
server checks the peer's user id (``SO_PEERCRED``): whoever may use the
socket could open the database file anyway.  Protocol: one JSON request
line ``{"argv", "cwd", "lang", "user"}``; the answer is JSON lines
``{"out": text}`` / ``{"err": text}`` and finally ``{"exit": code}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import socket
import struct
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

__all__ = ["socket_path", "serve", "forward", "stop", "Runner"]

# (argv, cwd, lang, user, out, err) -> exit code: the CLI's in-process entry.
Runner = Callable[[list[str], str, str, str, TextIO, TextIO], int]

_servers: dict[str, _Server] = {}
_servers_lock = threading.Lock()


def _key(db_path: str | os.PathLike[str]) -> str:
    return str(Path(db_path).expanduser().resolve())


def socket_path(db_path: str | os.PathLike[str]) -> Path:
    """Where the server of ``db_path`` listens (short: Unix socket paths are
    limited to ~100 bytes, a database path may be longer)."""
    digest = hashlib.sha1(_key(db_path).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"qa-analytics-{os.getuid()}" / f"{digest}.sock"


class _LineWriter(io.TextIOBase):
    """A text stream that sends each write as one JSON line on the socket."""

    def __init__(self, sock: socket.socket, stream: str, lock: threading.Lock):
        self._sock, self._stream, self._lock = sock, stream, lock

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            data = (json.dumps({self._stream: text}, ensure_ascii=False) + "\n").encode()
            with self._lock:
                self._sock.sendall(data)
        return len(text)


class _Server(threading.Thread):
    def __init__(self, db_path: str, runner: Runner):
        super().__init__(name=f"qa-cli-server:{db_path}", daemon=True)
        self.db_path = db_path
        self.runner = runner
        self.path = socket_path(db_path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        if self.path.exists():
            if _answers(self.path):
                raise RuntimeError(f"another server already listens on {self.path}")
            self.path.unlink()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(self.path))
        os.chmod(self.path, 0o600)
        self.sock.listen(16)
        self._stopped = False

    def run(self) -> None:
        while not self._stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True, name="qa-cli-request").start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            if not _same_user(conn):
                return
            lock = threading.Lock()
            try:
                request = json.loads(_read_line(conn))
                out, err = _LineWriter(conn, "out", lock), _LineWriter(conn, "err", lock)
                code = self.runner(list(request["argv"]), str(request.get("cwd") or "/"),
                                   str(request.get("lang") or "en"), str(request.get("user") or "unknown"), out, err)
            except Exception as exc:  # a broken request or a bug: the client hears it, the server goes on
                with contextlib.suppress(OSError):
                    conn.sendall((json.dumps({"err": f"error: {exc}\n"}) + "\n").encode())
                code = 4
            with contextlib.suppress(OSError):
                with lock:
                    conn.sendall((json.dumps({"exit": int(code)}) + "\n").encode())

    def stop(self) -> None:
        self._stopped = True
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def _same_user(conn: socket.socket) -> bool:
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):  # not Linux: the 0700 directory is the guard
        return True
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _read_line(conn: socket.socket, limit: int = 1 << 20) -> str:
    buf = bytearray()
    while not buf.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit:
            raise ValueError("request too long")
    return buf.decode()


def _answers(path: Path) -> bool:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def serve(db_path: str | os.PathLike[str], runner: Runner | None = None) -> bool:
    """Start (once per process and database) the server that runs CLI
    commands handed over by other processes.  Returns whether one is serving."""
    key = _key(db_path)
    with _servers_lock:
        if key in _servers and _servers[key].is_alive():
            return True
        if runner is None:
            from .cli import run_forwarded

            runner = run_forwarded
        try:
            server = _Server(key, runner)
        except (OSError, RuntimeError):
            return False
        server.start()
        _servers[key] = server
        return True


def stop(db_path: str | os.PathLike[str]) -> None:
    with _servers_lock:
        server = _servers.pop(_key(db_path), None)
    if server is not None:
        server.stop()


def forward(db_path: str | os.PathLike[str], argv: list[str], *, lang: str, user: str,
            out: TextIO, err: TextIO) -> int | None:
    """Run the command in the process that holds ``db_path``; its exit code,
    or None when no server listens there."""
    path = socket_path(db_path)
    if not path.exists():
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(path))
    except OSError:
        s.close()
        return None
    request: dict[str, Any] = {"argv": argv, "cwd": os.getcwd(), "lang": lang, "user": user}
    with s:
        s.sendall((json.dumps(request, ensure_ascii=False) + "\n").encode())
        reader = s.makefile("r", encoding="utf-8")
        for line in reader:
            msg = json.loads(line)
            if "out" in msg:
                out.write(msg["out"])
                out.flush()
            elif "err" in msg:
                err.write(msg["err"])
                err.flush()
            elif "exit" in msg:
                return int(msg["exit"])
    err.write("error: the dashboard's process stopped before the command finished\n")
    return 4
