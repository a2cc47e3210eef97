"""The benchmarks keep their contract (a smoke run, tiny sizes): the last
line printed is one JSON object with the figures README quotes.  Their
speed is what the benchmarks measure; no figure is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_bench_prints_its_figures_as_json(tmp_path):
    out = subprocess.run(
        [sys.executable, "bench/import_bench.py", "--rows", "300", "--big-rows", "300", "--repeat", "1",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"import_vs_fastest_read", "import_vs_openpyxl", "peak_rss_mb_500k", "first_import_s"} <= set(figures)
    assert figures["rows"] == 300 and figures["peak_rss_mb_500k"] > 0


def test_layout_soak_prints_its_figures_as_json():
    out = subprocess.run(
        [sys.executable, "bench/layout_soak.py", "--layouts", "12", "--jobs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"layouts", "passed", "failed", "failed_only_by_rounding", "by_system", "by_format", "classes",
            "seconds"} <= set(figures)
    assert figures["layouts"] == 12 == figures["passed"] + figures["failed"]
    assert sum(v["layouts"] for v in figures["by_system"].values()) == 12
    assert all(isinstance(c["seed"], int) for c in figures["classes"].values())
