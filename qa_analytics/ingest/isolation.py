"""Run the reader on an untrusted file in a child process that may crash, starve or hang.

Why a child process: calamine is Rust, and a Rust allocation failure is not
an exception but an abort of the whole process (a 2 KB upload once took the
Streamlit server down with ``memory allocation of 549756338176 bytes
failed``); a panic prints its backtrace on the terminal; a corrupt .xls can
loop.  Nothing in-process can stop that, so :func:`run_isolated` runs a
function in a fresh child with

* a memory cap, ``RLIMIT_DATA`` (measured: it stops Rust, Arrow and Python
  allocations alike; ``RLIMIT_AS`` also counts reserved address space and
  needs twice the headroom): ``memory_base_mb`` above what the child starts
  with, raised by the reader to what the file justifies once the prescan
  has measured it (``limits.grant_memory``), never beyond ``memory_max_mb``;
* a wall-clock time limit (from the file's size) enforced by the parent,
  and a CPU-time limit a little above it that the kernel enforces even if
  the parent is gone;
* its stdout and stderr in a file, so a panic's backtrace never reaches the
  user's terminal (the first lines become the message).

Why a fork server: forking the multi-threaded Streamlit server (or DuckDB)
is unsafe, and starting a fresh interpreter costs ~0.5 s; a
``multiprocessing`` fork server, started once, imports the reader modules
once and forks a clean child per file in ~10 ms.

Why Arrow IPC files: a sheet of 500,000 rows is ~150 MB of Arrow; the child
writes each ``pyarrow.Table`` of the result (also inside a ``RawSheet``) to
an IPC file and the parent memory-maps it, so nothing is copied through a
pipe or rebuilt from pickles.  The rest of the result is pickled, and the
parent unpickles it allowing only this package's classes and plain data, as
the child has handled hostile bytes.

If the child dies, overruns its memory or its time, the caller gets a
``ReadError`` (``reader_crashed``, ``reader_memory``, ``reader_timeout``)
and goes on.  ``QA_READ_ISOLATION=0`` runs the function in-process instead
(for a debugger); isolation is on by default everywhere, tests included.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import math
import multiprocessing
import os
import pickle
import re
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..core.codes import Problem, define
from .limits import ReadLimits, cap_memory, in_force
from .read import ReadError

__all__ = ["run_isolated", "isolation_enabled", "shutdown", "READER_CRASHED", "READER_MEMORY", "READER_TIMEOUT"]

T = TypeVar("T")
ENV_SWITCH = "QA_READ_ISOLATION"

READER_CRASHED = define(
    "reader_crashed",
    en="the reader crashed on this file ({detail}); the file is damaged or not a spreadsheet",
    zh="读取程序处理该文件时崩溃（{detail}）；文件可能已损坏，或并非电子表格",
)
READER_MEMORY = define(
    "reader_memory",
    en="reading the file needed more memory than a file of its size justifies ({detail}); "
    "the file is damaged or built to exhaust memory",
    zh="读取该文件所需的内存远超同等大小文件的正常需要（{detail}）；文件可能已损坏，或是为耗尽内存而构造的",
)
READER_TIMEOUT = define(
    "reader_timeout",
    en="reading the file took longer than {seconds:,.0f} seconds; the file is damaged or unusually large",
    zh="读取该文件超过 {seconds:,.0f} 秒仍未完成；文件可能已损坏，或异常庞大",
)

# Imported once by the fork server, so that a child starts with them loaded.
PRELOAD = ["pyarrow", "pyarrow.ipc", "fastexcel", "qa_analytics.ingest.read", "qa_analytics.ingest.mapping"]


def isolation_enabled() -> bool:
    """Off only when ``QA_READ_ISOLATION`` is 0/false/no/off."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off")


def run_isolated(fn: Callable[..., T], /, *args: Any, limits: ReadLimits | None = None,
                 timeout: float | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in an isolated child process; its result, or its exception, here.

    ``fn`` must be a module-level function of an importable module (it is
    sent by name).  Tables in the result, also inside dataclasses such as
    ``RawSheet``, come back memory-mapped from Arrow IPC files.  ``limits``
    (default: ``ReadLimits.current()``) are in force in the child; the time
    limit is ``timeout``, else what ``limits`` allow for the files among the
    arguments.  Raises ``ReadError`` when the child crashes, runs out of its
    memory or time; re-raises what ``fn`` raised (a ``ReadError``, a
    ``MappingError``...).  As with any ``multiprocessing`` code, a script
    that calls this must guard its entry point (``if __name__ == "__main__"``):
    the child runs the main script again.
    """
    limits = limits or ReadLimits.current()
    if not isolation_enabled():
        with in_force(limits):
            return fn(*args, **kwargs)
    if timeout is None:
        timeout = limits.read_timeout(_file_bytes(args))
    ctx = _context(fn)
    job = Path(tempfile.mkdtemp(prefix="qa-read-"))
    proc = None
    try:
        proc = ctx.Process(target=_child, args=(str(job), fn, args, kwargs, limits, timeout), daemon=True,
                           name="qa-reader")
        proc.start()
        proc.join(timeout)
        if proc.exitcode is None:
            proc.kill()
            proc.join()
            raise ReadError(READER_TIMEOUT, seconds=timeout)
        outcome = _load(job) if proc.exitcode == 0 else None
        if outcome is None:
            raise _death(proc.exitcode, job, timeout)
    finally:
        if proc is not None and proc.pid is not None and proc.exitcode is None:  # interrupted
            proc.kill()
            proc.join()
        shutil.rmtree(job, ignore_errors=True)
    if outcome[0] == "ok":
        return outcome[1]
    exc, remote = outcome[1], outcome[2]
    if not isinstance(exc, Problem) and remote:
        exc.add_note(f"in the isolated reader:\n{remote}")
    raise exc


def _file_bytes(args: tuple) -> int:
    total = 0
    for a in args:
        if isinstance(a, (str, Path)):
            try:
                total += os.stat(a).st_size
            except (OSError, ValueError):
                pass
    return total


# --- the fork server ------------------------------------------------------------------------

_lock = threading.Lock()
_ctx: Any = None


def _context(fn: Callable) -> Any:
    global _ctx
    with _lock:
        if _ctx is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_preload(fn))
            _ctx = ctx
        return _ctx


def _preload(fn: Callable) -> list[str]:
    """The reader modules, the caller's, and what the main script imports.

    Python 3.11's fork server cannot preload ``__main__`` itself, so every
    child runs the main script again (``streamlit``'s is two lines, but they
    import Streamlit: 0.8 s).  With what it imports preloaded, that costs
    nothing.  Only modules already imported here are named.
    """
    names = list(PRELOAD)
    module = getattr(fn, "__module__", None)
    if module and module != "__main__":
        names.append(module)
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path and getattr(main, "__spec__", None) is None:
        try:
            tree = ast.parse(Path(path).read_bytes())
        except (OSError, SyntaxError, ValueError):
            tree = None
        for node in tree.body if tree else ():
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    names = PRELOAD + [n for n in names[len(PRELOAD):] if n in sys.modules]
    return list(dict.fromkeys(names))


def shutdown() -> None:
    """Stop the fork server (it stops by itself when this process ends); the
    next read starts a new one.  Tests and benchmarks call it to collect the
    children's resource usage."""
    global _ctx
    with _lock:
        from multiprocessing import forkserver

        stop = getattr(forkserver._forkserver, "_stop", None)
        if stop is not None:
            stop()
        _ctx = None


# --- the child ------------------------------------------------------------------------------

RESULT = "result.pickle"
STDERR = "stderr.txt"


def _child(job: str, fn: Callable, args: tuple, kwargs: dict, limits: ReadLimits, timeout: float) -> None:
    """The child's whole life: quiet, capped, run ``fn``, leave the outcome in ``job``."""
    import resource

    log = os.open(os.path.join(job, STDERR), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ["RUST_BACKTRACE"] = "0"  # the panic's message, not its backtrace
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = math.ceil(timeout) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    cap_memory(limits)
    try:
        with in_force(limits):
            outcome: tuple = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: B036  (MemoryError, panics: the parent decides)
        outcome = ("error", _portable(exc), traceback.format_exc(limit=-8))
    try:
        _dump(job, outcome)
    except BaseException as exc:  # noqa: B036  (a result too large for the cap, say)
        _dump(job, ("error", _portable(exc), ""))


def _portable(exc: BaseException) -> BaseException:
    """The exception as the parent should see it (and can unpickle it)."""
    if isinstance(exc, MemoryError):  # Python's, or Arrow's ArrowMemoryError
        return ReadError(READER_MEMORY, detail=_first_line(exc) or "out of memory")
    if type(exc).__name__ == "PanicException":
        return ReadError(READER_CRASHED, detail=f"panic: {_first_line(exc)[:200]}")
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {_first_line(exc)[:300]}")
    return exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _TablePickler(pickle.Pickler):
    """Pickles the result, writing each Arrow table to its own IPC file."""

    def __init__(self, fh, job: str):
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.job = job
        self.count = 0

    def persistent_id(self, obj: Any) -> Any:
        import pyarrow as pa

        if not isinstance(obj, (pa.Table, pa.RecordBatch)):
            return None
        self.count += 1
        name = f"t{self.count}.arrow"
        with pa.OSFile(os.path.join(self.job, name), "wb") as sink, pa.ipc.new_file(sink, obj.schema) as writer:
            writer.write(obj)
        return ("batch" if isinstance(obj, pa.RecordBatch) else "table", name)


def _dump(job: str, outcome: tuple) -> None:
    tmp = os.path.join(job, RESULT + ".tmp")
    with open(tmp, "wb") as fh:
        _TablePickler(fh, job).dump(outcome)
    os.replace(tmp, os.path.join(job, RESULT))


# --- back in the parent ---------------------------------------------------------------------

_SAFE_BUILTINS = {"set", "frozenset", "bytearray", "complex", "slice", "range"}
_SAFE = {
    ("pathlib", "PosixPath"), ("pathlib", "PurePosixPath"), ("pathlib", "Path"),
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("qa_analytics.core.codes", "_rebuild"),
}


class _Unpickler(pickle.Unpickler):
    """Only this package's classes, builtin exceptions and plain data: the
    child handled hostile bytes, and a pickle can name any function."""

    def __init__(self, fh, job: Path):
        super().__init__(fh)
        self.job = job

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins":
            obj = getattr(builtins, name, None)
            if name in _SAFE_BUILTINS or (isinstance(obj, type) and issubclass(obj, BaseException)):
                return obj
        elif (module, name) in _SAFE:
            return super().find_class(module, name)
        elif module.startswith("qa_analytics.") and module in sys.modules:
            obj = getattr(sys.modules[module], name, None)
            if isinstance(obj, type) and (dataclasses.is_dataclass(obj) or issubclass(obj, BaseException)):
                return obj
        raise pickle.UnpicklingError(f"the reader's result names {module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        import pyarrow as pa

        kind, name = pid
        if not (isinstance(name, str) and re.fullmatch(r"t\d+\.arrow", name)):
            raise pickle.UnpicklingError(f"bad table reference {name!r}")
        reader = pa.ipc.open_file(pa.memory_map(str(self.job / name), "r"))  # zero-copy
        data = reader.get_batch(0) if kind == "batch" else reader.read_all()
        data.validate()
        return data


def _load(job: Path) -> tuple | None:
    path = job / RESULT
    if not path.exists():
        return None
    try:
        with path.open("rb") as fh:
            outcome = _Unpickler(fh, job).load()
    except Exception as exc:
        raise ReadError(READER_CRASHED, detail=f"unreadable result: {_first_line(exc)[:200]}") from None
    if not (isinstance(outcome, tuple) and outcome and outcome[0] in ("ok", "error")):
        raise ReadError(READER_CRASHED, detail="unreadable result")
    return outcome


_ALLOC = re.compile(r"memory allocation of (\d+) bytes failed")


def _death(exitcode: int | None, job: Path, timeout: float) -> ReadError:
    """Why the child died, from its exit status and the first lines it wrote."""
    try:
        text = (job / STDERR).read_text("utf-8", "replace")[:20000]
    except OSError:
        text = ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    alloc = _ALLOC.search(text)
    if alloc:
        return ReadError(READER_MEMORY, detail=f"an allocation of {int(alloc.group(1)) / 2**20:,.0f} MB failed")
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig == signal.SIGXCPU:
            return ReadError(READER_TIMEOUT, seconds=timeout)  # its CPU-time limit
        if sig == signal.SIGKILL:
            return ReadError(READER_MEMORY, detail="killed by the system, probably out of memory")
        name = signal.Signals(sig).name if sig in signal.valid_signals() else f"signal {sig}"
        panic = next((i for i, ln in enumerate(lines) if "panicked at" in ln), None)
        if panic is not None:
            return ReadError(READER_CRASHED, detail=_panic_text(lines, panic))
        return ReadError(READER_CRASHED, detail=f"{name}{': ' + lines[0][:200] if lines else ''}")
    panic = next((i for i, ln in enumerate(lines) if "panicked at" in ln), None)
    if panic is not None:
        return ReadError(READER_CRASHED, detail=_panic_text(lines, panic))
    return ReadError(READER_CRASHED, detail=f"exit code {exitcode}{': ' + lines[-1][:200] if lines else ''}")


def _panic_text(lines: list[str], i: int) -> str:
    """``thread 'x' panicked at src/a.rs:1:2:`` and the message on the next line."""
    head = lines[i].split("panicked at", 1)[1].strip().rstrip(":")
    message = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("note:") else ""
    return f"panic at {head}{': ' + message if message else ''}"[:300]
