"""kill -9 soak: many more kills, a bigger file, than ``tests/test_kill_import.py`` affords.

Why a bench too: the test's 20 kills of a 50,000-row import keep ``make
test`` short; the moments where a torn write could hide (the WAL being
written, the checkpoint, the commit) are narrow, so a longer run is worth it
now and then.  Same procedure as the test (its helpers are reused): each kill
is followed by an open of the database, a comparison of every table with the
state before and after a clean import, a check of the import log, and a
re-run that must succeed.  The last line is one JSON object:
``{"rows", "kills", per format {"killed", "finished_first", "before",
"after", "neither"}, "seconds"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_kill_import import kill_and_check, kill_plan, pace, prepare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--kills", type=int, default=100, help="per format")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.monotonic()
    result: dict = {"rows": args.rows, "kills_per_format": args.kills}
    with tempfile.TemporaryDirectory() as tmp:
        setup = prepare(Path(tmp), n_rows=args.rows, revised=min(1000, args.rows // 10))
        for fmt in ("xlsx", "csv"):
            counts: Counter[str] = Counter()
            durations = pace(setup, fmt)
            for k, (anchor, fraction) in enumerate(kill_plan(setup, fmt, args.kills, args.seed)):
                how, delay, which = kill_and_check(setup, fmt, k, anchor, fraction, durations, Path(tmp))
                counts["killed" if how.startswith("killed") else "finished_first"] += 1
                counts[which if which in ("before", "after") else "neither"] += 1
                if which not in ("before", "after"):
                    print(f"{fmt} kill {k} ({anchor} +{delay:.3f}s): {how} -> {which}", file=sys.stderr)
            print(f"{fmt}: {counts['before'] + counts['after']}/{args.kills} before or after ({dict(counts)})",
                  file=sys.stderr, flush=True)
            result[fmt] = dict(counts)
            result[f"{fmt}_import_s"] = round(setup["seconds"][fmt], 2)
    result["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
