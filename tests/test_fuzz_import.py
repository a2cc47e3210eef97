"""Broken and hostile files never hurt (issue 13): a bounded, seeded fuzz of the import.

Each of the inputs below is ``tests/fuzzing.make_input(seed)``: a valid
generated export, mutated (bytes, cells, headers, XML inside the zip, text
encodings).  Every one goes through the real ``import_file`` (in a worker
process, so a reader that aborts takes only the worker down) into a copy of a
database that already holds two batches, first as the Import page's dry run
and then for real, and must keep the promises the README makes: no exception
escapes, the report says imported / rejected / checked with a message, a dry
run or a rejected file changes nothing, a re-import adds nothing.  A sample
also goes through the command line, whose contract is exit 0 or 1, JSON on
stdout with a ``code`` on every error, and no traceback or Rust panic on
stderr.

Seeds are fixed, so a run is deterministic and a failure names its
reproducer: ``python tests/fuzzing.py SEED --out DIR`` writes the file.
The long run is ``bench/fuzz_soak.py`` (``make fuzz``).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fuzzing import REPRODUCERS, FuzzInput, make_input
from harness import WorkerPool, cli, crash_text, key_lines, run_guarded

N_INPUTS = 300
SEEDS = list(range(N_INPUTS))
CLI_SEEDS = SEEDS[::10]  # 30 through the command line
TEMPLATE_SEEDS = (1_000_001, 1_000_002)  # the batches already in the database


def reproducer(inp: FuzzInput) -> str:
    skip = " --skip-invalid --rejects-dir /tmp/fz/rej" if inp.skip_invalid else ""
    return (f"seed {inp.seed} [{inp.description[:160]}]; reproduce: python tests/fuzzing.py {inp.seed} "
            f"--out /tmp/fz && python -m qa_analytics --db /tmp/fz/t.duckdb import /tmp/fz/{inp.name}{skip} --json")


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def template_db(fuzz_dir) -> Path:
    """A database holding two earlier imports, so "changed nothing" means something."""
    from qa_analytics import store
    from qa_analytics.ingest.importer import import_file

    db = fuzz_dir / "template.duckdb"
    con = store.connect(db)
    for s in TEMPLATE_SEEDS:
        rep = import_file(con, make_input(s, "valid").write(fuzz_dir / "template"))
        assert rep.status == "imported", rep.message
    con.execute("CHECKPOINT")
    con.close()
    return db


def _check_all(seeds: list[int], folder: Path, template: Path, worker: int) -> dict[int, dict[str, Any]]:
    pool = WorkerPool(timeout=30)
    out = {}
    try:
        for s in seeds:
            inp = make_input(s)
            out[s] = pool.check({
                "key": s, "path": str(inp.write(folder / "in")), "db": str(folder / f"w{worker}.duckdb"),
                "template": str(template), "skip_invalid": inp.skip_invalid, "rejects_dir": str(folder / "rej"),
            })
    finally:
        pool.close()
    return out


@pytest.fixture(scope="module")
def results(fuzz_dir, template_db) -> dict[int, dict[str, Any]]:
    """Every seed's in-process outcome, two workers at a time (two cores)."""
    halves = [SEEDS[0::2], SEEDS[1::2]]
    with ThreadPoolExecutor(2) as ex:
        parts = list(ex.map(lambda k: _check_all(halves[k], fuzz_dir, template_db, k), range(2)))
    return {**parts[0], **parts[1]}


@pytest.mark.parametrize("seed", SEEDS)
def test_import_file_keeps_its_promises(results, seed):
    inp = make_input(seed)
    r = results[seed]
    why = reproducer(inp)
    if r["crash"]:
        pytest.fail(f"{r['crash'][:1500]}\n{why}")
    if r["exception"]:
        pytest.fail(f"an exception escaped import_file:\n{r['exception']}\n{why}")
    assert r["dry_run_status"] in ("checked", "rejected"), f"preview said {r['dry_run_status']!r}; {why}"
    assert r["changed_by_dry_run"] == [], f"a dry run changed tables {r['changed_by_dry_run']}; {why}"
    assert r["status"] in ("imported", "rejected", "checked"), why
    if r["status"] == "rejected":
        assert r["message"], f"a rejection must say why; {why}"
    assert r["changed_on_reject"] == [], f"a rejected file changed tables {r['changed_on_reject']}; {why}"
    assert r["errors_without_code"] == 0, f"{r['errors_without_code']} errors without a code; {why}"
    if r["reimport"] is not None:
        again = r["reimport"]
        assert again["status"] == "imported" and again["rows_imported"] == 0 and again["rows_updated"] == 0, (
            f"re-import was not a no-op: {again}; {why}")
        assert again["tables_changed"] == [], f"re-import changed {again['tables_changed']}; {why}"


def test_the_fuzz_reaches_both_outcomes(results):
    """A fuzz that only ever rejects (or only imports) tests nothing."""
    statuses = [r["status"] for r in results.values()]
    assert statuses.count("imported") >= N_INPUTS // 10
    assert statuses.count("rejected") >= N_INPUTS // 10


@pytest.fixture(scope="module")
def cli_results(fuzz_dir, template_db) -> dict[int, Any]:
    def one(seed: int):
        inp = make_input(seed)
        folder = fuzz_dir / f"cli{seed}"
        folder.mkdir()
        db = folder / "t.duckdb"
        shutil.copyfile(template_db, db)
        args = ["import", str(inp.write(folder)), "--json"]
        if inp.skip_invalid:
            args += ["--skip-invalid", "--rejects-dir", str(folder / "rej")]
        return run_guarded(cli(db, *args), timeout=60)

    with ThreadPoolExecutor(2) as ex:
        return dict(zip(CLI_SEEDS, ex.map(one, CLI_SEEDS)))


def assert_cli_contract(run, why: str, n_reports: int = 1) -> list[dict]:
    """Exit 0 or 1, no crash text, JSON reports whose errors all carry a code."""
    assert not run.timed_out, f"hang: {run.describe()}; {why}"
    assert run.returncode in (0, 1), f"{run.describe()}; stderr: {key_lines(run.stderr)}\n{why}"
    marker = crash_text(run.stderr)
    assert marker is None, f"{marker!r} on stderr: {key_lines(run.stderr)}\n{why}"
    try:
        reports = json.loads(run.stdout)
    except ValueError:
        pytest.fail(f"stdout is not JSON: {run.stdout[:500]!r}; {why}")
    assert isinstance(reports, list) and len(reports) == n_reports, why
    for rep in reports:
        missing = [e for e in rep["errors"] if not e.get("code")]
        assert not missing, f"{len(missing)} of {len(rep['errors'])} errors have no code, e.g. {missing[0]}; {why}"
        assert rep["status"] == "imported" or rep["message"], f"a rejection must say why; {why}"
    return reports


@pytest.mark.parametrize("seed", CLI_SEEDS)
def test_cli_import_contract(cli_results, seed):
    assert_cli_contract(cli_results[seed], reproducer(make_input(seed)))


@pytest.mark.parametrize("name", list(REPRODUCERS))
def test_minimal_reproducer_through_the_cli(name, tmp_path):
    """The smallest file of each failure class the fuzzer found (``python
    tests/fuzzing.py --reproducers --out DIR``): one file, one cause."""
    file_name, build, skip_invalid = REPRODUCERS[name]
    path = tmp_path / file_name
    path.write_bytes(build())
    args = ["import", str(path), "--json"] + (["--skip-invalid", "--rejects-dir", str(tmp_path / "rej")]
                                              if skip_invalid else [])
    run = run_guarded(cli(tmp_path / "t.duckdb", *args), timeout=60)
    assert_cli_contract(run, f"{name}: {build.__doc__}")
