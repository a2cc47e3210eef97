"""What an untrusted file may make the reader do, declared once.

Why limits before work: a 2 KB .xlsx can declare a cell at XFD1048576, and
calamine then allocates the whole 17-billion-cell rectangle; a 118 KB .xlsx
can hold 100 MB of shared strings.  Every number the reader checks is one
field of :class:`ReadLimits`, with its default and the reason for it; each
can be overridden from the environment (``QA_MAX_ROWS=3000000``), and
README lists them all (a test checks that it does).

The memory functions at the bottom are how the isolated reader's child
process caps itself (``qa_analytics.ingest.isolation``): ``RLIMIT_DATA``, which
counts what the process really allocates (heap and private writable
mappings, since Linux 4.7), measured here to stop Rust, Arrow and Python
allocations alike; ``RLIMIT_AS`` also counts reserved address space (code,
thread stacks, allocator arenas) and needed twice the headroom for the same
read.  See README, "Reading untrusted files".
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields

__all__ = ["ReadLimits", "limit_docs", "in_force", "cap_memory", "grant_memory", "memory_cap"]

MB = 2**20


def _limit(default: float, why: str):
    return field(default=default, metadata={"why": why})


@dataclass(frozen=True)
class ReadLimits:
    """Limits on one file; ``ReadLimits.from_env()`` applies ``QA_*`` overrides."""

    max_file_mb: int = _limit(512, "an upload or CSV above this is not an export someone downloaded")
    max_rows: int = _limit(2_000_000, "a year of a province's monitoring is about 1M rows; Excel itself stops at 1,048,576")
    max_columns: int = _limit(1_000, "a QA export has at most a few hundred columns (items, sub-scores, comments)")
    max_cells: int = _limit(50_000_000, "a sheet's rectangle: 1M rows x 50 columns (calamine holds 32 bytes a cell)")
    max_zip_ratio: float = _limit(100, "uncompressed / compressed size of a part; real sheets are 5-20x (Apache POI allows 100)")
    max_part_mb: int = _limit(2048, "one uncompressed part (a sheet's XML): 50M cells at ~40 bytes of XML each")
    max_zip_members: int = _limit(10_000, "parts in a workbook's zip; real ones have tens, with pictures a few hundred")
    max_shared_strings: int = _limit(10_000_000, "distinct texts of an .xlsx (its shared strings): 1M rows x 10 text columns")
    max_string_chars: int = _limit(32_767, "one cell's text: Excel's own limit")
    max_line_chars: int = _limit(4_000_000, "one physical CSV line, read whole before it is split into cells")
    full_scan_mb: int = _limit(4, "sheets up to this uncompressed size are scanned for their farthest cell (~0.06 s)")
    suspicious_ratio: float = _limit(20, "a sheet compressed more than this is scanned whatever its size")
    memory_base_mb: int = _limit(384, "the reader's memory for any file, above what its process starts with")
    memory_per_byte: float = _limit(8, "reader memory per uncompressed byte (3 measured for .xlsx); binary formats 2x")
    memory_max_mb: int = _limit(6144, "the most one file may make the reader take (a 1M-row export's reader: 1.6 GB resident)")
    timeout_s: float = _limit(20, "seconds any file may take to read, plus timeout_s_per_mb")
    timeout_s_per_mb: float = _limit(1.0, "seconds per MB of file (a 40 MB, 500k-row .xlsx reads in 6 s)")
    timeout_max_s: float = _limit(600, "the longest any one file may take")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The defaults, with ``QA_<NAME>`` environment variables applied."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(env_name(f.name))
            if raw is None or not raw.strip():
                continue
            kind = {"int": int, "float": float}[str(f.type)]
            try:
                values[f.name] = int(float(raw)) if kind is int else float(raw)
            except ValueError:
                raise ValueError(f"{env_name(f.name)}={raw!r} is not a number") from None
        return cls(**values)

    @classmethod
    def current(cls) -> ReadLimits:
        """The limits of the read in progress (:func:`in_force`), else from the environment."""
        return _IN_FORCE.get() or cls.from_env()

    def read_timeout(self, file_bytes: int) -> float:
        """Seconds a file of this size may take to read."""
        return min(self.timeout_max_s, self.timeout_s + self.timeout_s_per_mb * file_bytes / MB)


# The limits a caller chose travel with the read (into the isolated child
# too, whose environment is the fork server's, not the caller's).
_IN_FORCE: ContextVar[ReadLimits | None] = ContextVar("qa_read_limits", default=None)


@contextmanager
def in_force(limits: ReadLimits) -> Iterator[ReadLimits]:
    """Within this block, ``ReadLimits.current()`` is ``limits``."""
    token = _IN_FORCE.set(limits)
    try:
        yield limits
    finally:
        _IN_FORCE.reset(token)


def env_name(field_name: str) -> str:
    return "QA_" + field_name.upper()


def limit_docs() -> list[tuple[str, str, float, str]]:
    """``(field, environment variable, default, why)`` for every limit (README's table)."""
    return [(f.name, env_name(f.name), f.default, f.metadata["why"]) for f in fields(ReadLimits)]


# --- the memory cap of an isolated reader (set in its child process) ---------------------------

_cap: dict[str, int] = {}


def _data_bytes() -> int:
    """What this process has allocated now, as RLIMIT_DATA counts it (VmData)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cap_memory(limits: ReadLimits) -> None:
    """Cap this process at what it has now plus ``memory_base_mb``; the file
    may justify more later (:func:`grant_memory`), never beyond ``memory_max_mb``.

    Relative to the start because a child forked from a server inherits its
    allocations, which RLIMIT_DATA counts.
    """
    import resource

    start = _data_bytes()
    soft = start + limits.memory_base_mb * MB
    hard = start + max(limits.memory_base_mb, limits.memory_max_mb) * MB
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    _cap.update(start=start, base=limits.memory_base_mb * MB, soft=soft, hard=hard)


def grant_memory(nbytes: float) -> None:
    """Let this reader use ``nbytes`` more than its base, up to its hard cap
    (no-op outside an isolated reader).  Called once the prescan has measured
    what the file expands to, before the real reader starts."""
    if not _cap:
        return
    import resource

    soft = int(min(_cap["hard"], max(_cap["soft"], _cap["start"] + _cap["base"] + nbytes)))
    if soft != _cap["soft"]:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, _cap["hard"]))
        _cap["soft"] = soft


def memory_cap() -> int | None:
    """The current cap in bytes above the start (for messages), or None when uncapped."""
    return _cap["soft"] - _cap["start"] if _cap else None
