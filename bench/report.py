"""Printing the figures, judging the targets, and comparing two runs.

A run's figures are rows keyed by backend, size, variant and operation;
variants are ``core`` (CORE as it runs in production), ``core-spyne`` (CORE
with its fast path switched off, Spyne's own serializer) and ``php`` (the PHP
``SoapServer`` reference).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from bench.stats import ratio

CORE = "core"
SPYNE = "core-spyne"
PHP = "php"
#: The most 10,000 -> 1,000,000 tickets may change an operation's cost.
SCALING_LIMIT = 0.20


@dataclass(frozen=True)
class Target:
    """One stated goal: an operation's cost against a reference.

    :param operation: the operation compared.
    :param reference: the variant it is compared with.
    :param limit: the most (``at_most``) or least the ratio may be.
    :param at_most: whether the ratio must stay under ``limit``.
    """

    label: str
    operation: str
    reference: str
    limit: float
    at_most: bool


TARGETS = [
    Target("searchTickets/100 at most 2x PHP", "searchTickets/100", PHP, 2.0, True),
    Target(
        "searchTickets/100 at least 10x faster than Spyne's serializer",
        "searchTickets/100",
        SPYNE,
        10.0,
        False,
    ),
    Target("getTicket at most 1.5x PHP", "getTicket", PHP, 1.5, True),
    Target("getAccount at most 1.5x PHP", "getAccount", PHP, 1.5, True),
]


def median(row: dict[str, Any] | None, key: str = "median_ms") -> float | None:
    """The in-process median of a result row, in milliseconds.

    :param key: another figure of the row instead: ``p10_ms``, say.
    """
    if not row or not row.get("inprocess"):
        return None
    value = row["inprocess"].get(key)
    return float(value) if value is not None else None


class Results:
    """The rows of one run, found by backend, size, variant and operation."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows = list(rows)
        self._index = {_key(row): row for row in self.rows}

    def get(
        self, backend: str, tickets: int, variant: str, operation: str
    ) -> dict[str, Any] | None:
        """Return one row, or ``None`` when it was not measured."""
        return self._index.get((backend, tickets, variant, operation))

    def targets(self) -> list[tuple[str, int]]:
        """The ``(backend, tickets)`` pairs measured, in order."""
        return list(
            dict.fromkeys((row["backend"], row["tickets"]) for row in self.rows)
        )

    def operations(self) -> list[str]:
        """The operations measured, in order."""
        return list(dict.fromkeys(row["operation"] for row in self.rows))


def _key(row: dict[str, Any]) -> tuple[str, int, str, str]:
    return (row["backend"], row["tickets"], row["variant"], row["operation"])


# -- judging ----------------------------------------------------------------------


def judge(results: Results) -> list[dict[str, Any]]:
    """Judge every target on every backend and size; return one verdict each."""
    verdicts = []
    for backend, tickets in results.targets():
        for target in TARGETS:
            verdicts.append(_verdict(results, backend, tickets, target))
    for backend in dict.fromkeys(b for b, _ in results.targets()):
        found = _scaling_verdict(results, backend)
        if found is not None:
            verdicts.append(found)
    return verdicts


def _verdict(
    results: Results, backend: str, tickets: int, target: Target
) -> dict[str, Any]:
    rows = [
        results.get(backend, tickets, variant, target.operation)
        for variant in (CORE, target.reference)
    ]
    value = _ratio(target, *(median(row) for row in rows))
    # The fastest tenth of the calls, where a noisy machine disturbs least.
    quiet = _ratio(target, *(median(row, "p10_ms") for row in rows))
    verdict: dict[str, Any] = {
        "target": target.label,
        "backend": backend,
        "tickets": tickets,
        "ratio": round(value, 3) if value is not None else None,
        "p10_ratio": round(quiet, 3) if quiet is not None else None,
        "limit": target.limit,
    }
    if value is None:
        verdict["status"] = "NOT MEASURED"
    elif target.at_most:
        verdict["status"] = "MET" if value <= target.limit else "NOT MET"
    else:
        verdict["status"] = "MET" if value >= target.limit else "NOT MET"
    return verdict


def _ratio(target: Target, core: float | None, reference: float | None) -> float | None:
    """CORE against the reference, the way round the target states it."""
    return ratio(core, reference) if target.at_most else ratio(reference, core)


def scaling(results: Results, backend: str) -> list[dict[str, Any]]:
    """Each operation's cost at the smallest and the largest size, and the ratio."""
    sizes = sorted({t for b, t in results.targets() if b == backend})
    if len(sizes) < 2:
        return []
    small, large = sizes[0], sizes[-1]
    rows = []
    for operation in results.operations():
        before = median(results.get(backend, small, CORE, operation))
        after = median(results.get(backend, large, CORE, operation))
        value = ratio(after, before)
        rows.append(
            {
                "operation": operation,
                "small": small,
                "large": large,
                "small_ms": before,
                "large_ms": after,
                "ratio": round(value, 3) if value is not None else None,
            }
        )
    return rows


def _scaling_verdict(results: Results, backend: str) -> dict[str, Any] | None:
    rows = [row for row in scaling(results, backend) if row["ratio"] is not None]
    if not rows:
        return None
    worst = max(rows, key=lambda row: abs(row["ratio"] - 1))
    met = abs(worst["ratio"] - 1) <= SCALING_LIMIT
    return {
        "target": (
            f"{worst['small']:,} -> {worst['large']:,} tickets changes no"
            f" operation's cost by more than {SCALING_LIMIT:.0%}"
        ),
        "backend": backend,
        "tickets": worst["large"],
        "ratio": worst["ratio"],
        "limit": 1 + SCALING_LIMIT,
        "worst_operation": worst["operation"],
        "status": "MET" if met else "NOT MET",
    }


# -- printing ---------------------------------------------------------------------


def _ms(value: float | None, width: int = 8) -> str:
    if value is None:
        return "-".rjust(width)
    return (f"{value:.3f}" if value < 10 else f"{value:.1f}").rjust(width)


def _times(value: float | None, width: int = 6) -> str:
    return ("-" if value is None else f"{value:.2f}x").rjust(width)


HEADER = (
    f"{'operation':<29}{'q':>5}{'first':>9}{'median':>9}{'p95':>9}"
    f" |{'spyne':>8}{'÷core':>7} |{'php':>8}{'core÷':>7}"
    f" |{'req/s':>8}{'p50':>8}{'p90':>8}{'p99':>8}"
)


def print_target(
    results: Results, build: dict[str, Any], out: TextIO, http_note: str = ""
) -> None:
    """Print the table of one backend and size."""
    backend, tickets = build["backend"], build["tickets"]
    how = (
        "reused" if build.get("reused") else f"built in {build['build_seconds']:.1f} s"
    )
    print(
        f"\n== {backend}, {tickets:,} tickets, {build['accounts']:,} accounts ({how})",
        file=out,
    )
    print(
        f"{'':<34}{'in-process, ms':^27} | {'Spyne only':^14} |"
        f" {'PHP SoapServer':^14} | {'HTTP, core serve ' + http_note:^32}",
        file=out,
    )
    print(HEADER, file=out)
    for operation in results.operations():
        row = results.get(backend, tickets, CORE, operation)
        if row is not None:
            print(_line(results, row), file=out)
    _print_errors(results, backend, tickets, out)
    _print_queries(results, backend, tickets, out)


def _line(results: Results, row: dict[str, Any]) -> str:
    backend, tickets, operation = row["backend"], row["tickets"], row["operation"]
    inproc = row["inprocess"]
    spyne = median(results.get(backend, tickets, SPYNE, operation))
    php = median(results.get(backend, tickets, PHP, operation))
    core = inproc["median_ms"]
    queries = _queries(inproc)
    http = row.get("http") or {}
    return (
        f"{operation:<29}{queries:>5}"
        f"{_ms(inproc['first_ms'], 9)}{_ms(core, 9)}{_ms(inproc['p95_ms'], 9)}"
        f" |{_ms(spyne)}{_times(ratio(spyne, core), 7)}"
        f" |{_ms(php)}{_times(ratio(core, php), 7)}"
        f" |{_rps(http.get('rps'))}{_ms(http.get('p50_ms'))}"
        f"{_ms(http.get('p90_ms'))}{_ms(http.get('p99_ms'))}"
    )


def _queries(figures: dict[str, Any]) -> str:
    """The queries of one call, or their range where calls differed."""
    if figures["queries_per_call"] is not None:
        return str(figures["queries_per_call"])
    return f"{figures['queries_min']}-{figures['queries_max']}"


def _rps(value: float | None) -> str:
    return ("-" if not value else f"{value:.0f}").rjust(8)


def _print_errors(results: Results, backend: str, tickets: int, out: TextIO) -> None:
    for row in results.rows:
        if (row["backend"], row["tickets"]) != (backend, tickets):
            continue
        for part in ("inprocess", "http"):
            figures = row.get(part) or {}
            if figures.get("errors"):
                sample = figures["error_sample"][:200]
                print(
                    f"  ! {row['variant']} {row['operation']} {part}:"
                    f" {figures['errors']} errors, e.g. {sample}",
                    file=out,
                )
        if row.get("php_differs"):
            print(f"  ! PHP answer differs: {row['php_differs']}", file=out)


def search_queries(results: Results, backend: str, tickets: int) -> dict[str, Any]:
    """The queries per search call by page size, and whether they are constant."""
    found: dict[str, Any] = {}
    for operation in results.operations():
        if operation.startswith("searchTickets/") and "?" not in operation:
            row = results.get(backend, tickets, CORE, operation)
            if row is not None:
                found[operation.split("/")[1]] = row["inprocess"]["queries_per_call"]
    values = set(found.values())
    return {"by_page_size": found, "constant": len(values) == 1 and None not in values}


def _print_queries(results: Results, backend: str, tickets: int, out: TextIO) -> None:
    queries = search_queries(results, backend, tickets)
    sizes = ", ".join(f"{k}: {v}" for k, v in queries["by_page_size"].items())
    verdict = "constant" if queries["constant"] else "NOT constant"
    print(
        f"  queries per searchTickets call by page size: {sizes} ({verdict})", file=out
    )


def print_scaling(results: Results, out: TextIO) -> None:
    """Print how each operation's cost grows with the data, per backend."""
    for backend in dict.fromkeys(b for b, _ in results.targets()):
        rows = scaling(results, backend)
        if not rows:
            continue
        small, large = rows[0]["small"], rows[0]["large"]
        print(
            f"\n== {backend}: CORE in-process median, {small:,} vs {large:,} tickets",
            file=out,
        )
        print(f"{'operation':<29}{small:>12,}{large:>12,}{'ratio':>9}", file=out)
        for row in rows:
            print(
                f"{row['operation']:<29}{_ms(row['small_ms'], 12)}"
                f"{_ms(row['large_ms'], 12)}{_times(row['ratio'], 9)}",
                file=out,
            )


def print_verdicts(verdicts: list[dict[str, Any]], out: TextIO) -> None:
    """Print each target as MET / NOT MET with its ratio of medians, and the
    ratio of the fastest tenth of the calls beside it."""
    print("\n== targets (judged on medians)", file=out)
    for verdict in verdicts:
        value = verdict["ratio"]
        shown = "-" if value is None else f"{value:.2f}x"
        extra = (
            f", worst {verdict['worst_operation']}"
            if "worst_operation" in verdict
            else ""
        )
        if verdict.get("p10_ratio") is not None:
            extra += f" (fastest tenth of the calls: {verdict['p10_ratio']:.2f}x)"
        print(
            f"  [{verdict['status']}] {verdict['backend']} {verdict['tickets']:,}:"
            f" {verdict['target']}: {shown}{extra}",
            file=out,
        )


def print_profile(name: str, data: dict[str, Any], out: TextIO) -> None:
    """Print where one operation's time goes."""
    print(
        f"\n== profile of {name}: {data['ms_per_call']:.3f} ms per call under cProfile",
        file=out,
    )
    for bucket, figures in data["buckets"].items():
        print(
            f"  {bucket:<36}{figures['ms_per_call']:>9.3f} ms {figures['share']:>6.1%}",
            file=out,
        )
    print("  costliest functions (own time per call):", file=out)
    for entry in data["top"][:10]:
        print(
            f"  {entry['own_ms_per_call']:>9.3f} ms {entry['calls_per_call']:>8.1f}x"
            f"  {entry['function'][:90]}",
            file=out,
        )


# -- comparing --------------------------------------------------------------------


def compare(first: dict[str, Any], second: dict[str, Any], out: TextIO) -> None:
    """Print the in-process medians and HTTP throughput of two runs side by side."""
    a, b = Results(first["results"]), Results(second["results"])
    print(
        f"A: {first['machine'].get('date')} {first['machine'].get('revision')}",
        file=out,
    )
    print(
        f"B: {second['machine'].get('date')} {second['machine'].get('revision')}",
        file=out,
    )
    print(
        f"{'backend':<11}{'tickets':>10} {'variant':<11}{'operation':<29}"
        f"{'A ms':>9}{'B ms':>9}{'B÷A':>7}{'A rps':>8}{'B rps':>8}",
        file=out,
    )
    for row in a.rows:
        other = b.get(row["backend"], row["tickets"], row["variant"], row["operation"])
        if other is None:
            continue
        mine, theirs = median(row), median(other)
        print(
            f"{row['backend']:<11}{row['tickets']:>10,} {row['variant']:<11}"
            f"{row['operation']:<29}{_ms(mine, 9)}{_ms(theirs, 9)}"
            f"{_times(ratio(theirs, mine), 7)}"
            f"{_rps((row.get('http') or {}).get('rps'))}"
            f"{_rps((other.get('http') or {}).get('rps'))}",
            file=out,
        )


def load_json(path: str) -> dict[str, Any]:
    """Read a run's JSON report."""
    with open(path, encoding="utf-8") as handle:
        return dict(json.load(handle))
