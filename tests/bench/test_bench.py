"""Smoke test of the benchmark harness: a quick run on tiny data sets.

The harness runs as ``python -m bench --quick`` would, once on SQLite and once
on PostgreSQL, and the test checks that its JSON report has every operation
with sane figures. It asserts nothing about how fast anything is: benchmarks
print figures, tests check that they are produced.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench.backends import postgres_answers
from bench.cli import main
from bench.operations import OPERATIONS
from bench.reference import ensure_php
from bench.report import CORE, PHP, SPYNE, TARGETS
from tests.conftest import BACKENDS, postgres_admin_dsn

pytestmark = pytest.mark.slow

SIZES = (200, 400)
STATUSES = {"MET", "NOT MET", "NOT MEASURED"}


def postgres_or_skip() -> str:
    """The admin DSN of the test server, or skip (fail when it is required)."""
    dsn = postgres_admin_dsn()
    why = postgres_answers(dsn)
    if why is not None:
        reason = f"PostgreSQL is not answering at {dsn!r}: {why}"
        if os.environ.get("CORE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return dsn


def quick_run(backend: str, folder: Path, *extra: str) -> dict[str, Any]:
    """Run the harness quickly on ``backend``; return its JSON report."""
    output = folder / "run.json"
    argv = [
        "--quick",
        "--backend",
        backend,
        "--tickets",
        ",".join(str(size) for size in SIZES),
        "--no-install",
        "--workdir",
        str(folder / "data"),
        "--json",
        str(output),
        *extra,
    ]
    if backend == "postgresql":
        argv += ["--postgres-dsn", postgres_or_skip()]
    assert main(argv) == 0
    return dict(json.loads(output.read_text()))


@pytest.fixture(scope="module", params=BACKENDS)
def report(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One quick run per backend, shared by the module's tests."""
    folder = tmp_path_factory.mktemp(f"bench-{request.param}")
    data = quick_run(request.param, folder)
    data["backend"] = request.param
    return data


def rows(report: dict[str, Any], variant: str) -> dict[tuple[int, str], Any]:
    return {
        (row["tickets"], row["operation"]): row
        for row in report["results"]
        if row["variant"] == variant
    }


def test_every_operation_is_measured_in_process(report: dict[str, Any]) -> None:
    found = rows(report, CORE)
    for size in SIZES:
        for operation in OPERATIONS:
            figures = found[(size, operation.name)]["inprocess"]
            assert figures["n"] > 0
            assert figures["errors"] == 0, figures["error_sample"]
            assert 0 < figures["p50_ms"] <= figures["p95_ms"]
            assert figures["first_ms"] > 0
            assert figures["queries_min"] >= 0


def test_variants_are_measured_in_interleaved_rounds(report: dict[str, Any]) -> None:
    options = report["options"]
    assert options["rounds"] > 1
    per_round = options["calls"] // options["rounds"]
    variants = [CORE, SPYNE] + ([PHP] if rows(report, PHP) else [])
    for variant in variants:
        for key, row in rows(report, variant).items():
            # Every round's calls are there; the first round's first is apart.
            assert row["inprocess"]["n"] == per_round * options["rounds"], key


def test_every_operation_is_measured_over_http(report: dict[str, Any]) -> None:
    found = rows(report, CORE)
    for size in SIZES:
        for operation in OPERATIONS:
            figures = found[(size, operation.name)]["http"]
            assert figures["errors"] == 0, figures["error_sample"]
            assert figures["requests"] > 0 and figures["rps"] > 0
            assert 0 < figures["p50_ms"] <= figures["p90_ms"] <= figures["p99_ms"]


def test_a_search_costs_the_same_queries_at_every_page_size(
    report: dict[str, Any],
) -> None:
    for size in SIZES:
        queries = report["search_queries"][f"{report['backend']} {size}"]
        assert queries["constant"], queries
        assert set(queries["by_page_size"]) == {"1", "50", "100", "500"}
        assert all(count > 0 for count in queries["by_page_size"].values())


def test_writes_and_reads_count_their_queries(report: dict[str, Any]) -> None:
    found = rows(report, CORE)
    assert found[(SIZES[0], "ping")]["inprocess"]["queries_per_call"] == 0
    assert found[(SIZES[0], "getTicket")]["inprocess"]["queries_min"] > 0
    assert found[(SIZES[0], "openTicket")]["inprocess"]["queries_min"] > 0


def test_every_target_is_judged(report: dict[str, Any]) -> None:
    verdicts = report["targets"]
    assert {v["status"] for v in verdicts} <= STATUSES
    for target in TARGETS:
        judged = [v for v in verdicts if v["target"] == target.label]
        assert len(judged) == len(SIZES)
        if target.reference == SPYNE:
            # Beside the ratio of medians, that of the fastest tenth of calls.
            assert all(v["p10_ratio"] > 0 for v in judged)
    scaling = [v for v in verdicts if "worst_operation" in v]
    assert len(scaling) == 1 and scaling[0]["ratio"] > 0
    assert {row["operation"] for row in report["scaling"][report["backend"]]} == {
        operation.name for operation in OPERATIONS
    }


def test_the_report_says_what_it_ran_on(report: dict[str, Any]) -> None:
    machine = report["machine"]
    for key in ("date", "cpu", "cores", "python", "sqlite"):
        assert machine[key]
    assert machine.get(report["backend"])
    builds = report["builds"]
    assert [b["tickets"] for b in builds] == list(SIZES)
    assert all(b["rows"]["ticket"] == b["tickets"] for b in builds)
    assert all(b["rows"]["account"] == b["tickets"] // 10 for b in builds)


def test_the_php_reference_answers_like_core(report: dict[str, Any]) -> None:
    if ensure_php([report["backend"]], install=False) is not None:
        pytest.skip("PHP with ext/soap and PDO for this backend is not installed")
    found = rows(report, PHP)
    for operation in (op for op in OPERATIONS if op.php):
        row = found[(SIZES[0], operation.name)]
        assert row["inprocess"]["errors"] == 0, row["inprocess"]["error_sample"]
        assert row["inprocess"]["p50_ms"] > 0
        assert row["php_differs"] is None


def test_runs_compare(
    report: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "a.json"
    saved.write_text(json.dumps(report))
    assert main(["--compare", str(saved), str(saved)]) == 0
    assert "searchTickets/100" in capsys.readouterr().out


def test_a_kept_data_set_is_used_again(tmp_path: Path) -> None:
    extra = ("--no-http", "--no-php", "--reuse")
    first = quick_run("sqlite", tmp_path, *extra)
    second = quick_run("sqlite", tmp_path, *extra)
    assert [b["reused"] for b in first["builds"]] == [False, False]
    assert [b["reused"] for b in second["builds"]] == [True, True]
    assert second["builds"][0]["rows"] == first["builds"][0]["rows"]
