"""One benchmark run: build each data set, measure every variant, collect rows.

For each backend and size the run measures CORE in-process (as configured
for production, then with Spyne's own serializer) and the PHP reference
in-process, then ``core serve`` over HTTP. The in-process variants are measured
in interleaved rounds (every operation of every variant, then the PHP
reference, then again), so that a machine whose speed drifts during the run
slows them alike and their ratios stay fair. Each measurement becomes a row of
plain data; :mod:`bench.report` prints and judges them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, TextIO

from api.core import Core
from bench import reference
from bench.backends import PostgresBackend, SQLiteBackend, Target, postgres_answers
from bench.dataset import Scale
from bench.inprocess import App, Measurement, call, environ, measure
from bench.load import Limits, run_load, start_server
from bench.machine import load_average, machine_info
from bench.operations import OPERATIONS, Operation, basic_auth, draw_samples
from bench.profile import profile
from bench.report import CORE, PHP, SPYNE
from bench.stats import summary

#: The operations profiled with ``--profile``.
PROFILED = ("searchTickets/100", "getTicket")


@dataclass
class Options:
    """What to measure and how much; see ``python -m bench --help``."""

    backends: list[str]
    scales: list[Scale]
    calls: int = 200
    op_seconds: float = 10.0
    rounds: int = 5
    http: bool = True
    duration: float = 5.0
    requests: int = 5000
    concurrency: int = 4
    workers: int = 5
    php: bool = True
    install: bool = True
    reuse: bool = False
    workdir: Path = Path(".benchmarks/data")
    postgres_dsn: str = ""
    profile: bool = False
    profile_calls: int = 200

    def describe(self) -> dict[str, Any]:
        """Plain data for the JSON report."""
        data = asdict(self)
        data["scales"] = [asdict(scale) for scale in self.scales]
        data["workdir"] = str(self.workdir)
        data.pop("postgres_dsn")
        return data


def fast_xml_supported() -> bool:
    """Whether ``Settings`` can switch CORE's fast XML serializer."""
    from service.app import Settings

    return bool(getattr(Settings(), "fast_xml", None) is not None)


def build_apps(core: Core) -> dict[str, App]:
    """CORE's WSGI application as in production, and on Spyne's serializer.

    As a ``core serve`` worker does once it has built its application, the
    heap is settled afterwards (:func:`service.server.settle_heap`).
    """
    from service.app import Settings, create_app
    from service.server import settle_heap

    if not fast_xml_supported():
        apps = {CORE: create_app(core, Settings())}
    else:
        apps = {
            CORE: create_app(core, Settings(fast_xml=True)),
            SPYNE: create_app(core, Settings(fast_xml=False)),
        }
    settle_heap()
    return apps


@dataclass
class Run:
    """Carries out one benchmark run and holds what it found."""

    options: Options
    out: TextIO = field(default_factory=lambda: sys.stderr)
    rows: list[dict[str, Any]] = field(default_factory=list)
    builds: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def execute(self) -> dict[str, Any]:
        """Run every backend and size; return the report's data."""
        self._check_fast_xml()
        self._check_php()
        self.versions["load_average_at_start"] = load_average()
        self.logs = Path(tempfile.mkdtemp(prefix="core_bench_logs_"))
        for backend in self.options.backends:
            self._backend(backend)
        if not any(self.notes_about("HTTP errors")):
            shutil.rmtree(self.logs, ignore_errors=True)
        return {
            "format": 1,
            "machine": machine_info(**self.versions),
            "options": self.options.describe(),
            "builds": self.builds,
            "results": self.rows,
            "profiles": self.profiles,
            "notes": self.notes,
        }

    def notes_about(self, text: str) -> list[str]:
        """The notes that mention ``text``."""
        return [note for note in self.notes if text in note]

    def say(self, message: str) -> None:
        """Print a progress line with the time since the run started."""
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:8.1f} s] {message}", file=self.out, flush=True)

    def note(self, message: str) -> None:
        """Keep a note for the report, and say it now."""
        self.notes.append(message)
        self.say(f"note: {message}")

    # -- set-up -------------------------------------------------------------------

    def _check_fast_xml(self) -> None:
        supported = fast_xml_supported()
        self.versions["fast_xml"] = supported
        if not supported:
            self.note(
                "service.app.Settings has no fast_xml switch yet: CORE runs Spyne's"
                " own serializer only, so the core-spyne variant and its target"
                " are not measured"
            )

    def _check_php(self) -> None:
        if not self.options.php:
            self.note("the PHP reference is off (--no-php)")
            return
        why = reference.ensure_php(self.options.backends, self.options.install)
        if why is not None:
            self.options.php = False
            self.note(f"the PHP reference is skipped: {why}")
        self.versions["php"] = reference.php_version()

    def _backend(self, name: str) -> None:
        backend: SQLiteBackend | PostgresBackend
        if name == "sqlite":
            backend = SQLiteBackend(self.options.workdir, self.options.reuse)
        else:
            why = postgres_answers(self.options.postgres_dsn)
            if why is not None:
                self.note(f"PostgreSQL is skipped: it does not answer: {why}")
                return
            backend = PostgresBackend(self.options.postgres_dsn, self.options.reuse)
            backend.open()
        try:
            self.versions[name] = backend.version()
            for scale in self.options.scales:
                self._target(backend, scale)
        finally:
            backend.close()

    def _target(self, backend: SQLiteBackend | PostgresBackend, scale: Scale) -> None:
        prefix = f"{backend.name} {scale.tickets:,} tickets"
        self.say(f"{prefix}: preparing the data set")
        target = backend.prepare(scale, lambda text: self.say(f"{prefix}: {text}"))
        self.builds.append(target.describe())
        self.say(f"{prefix}: ready ({'reused' if target.reused else 'built'})")
        bodies = self._inprocess(target, prefix)
        if self.options.http:
            self._http(target, bodies, prefix)

    # -- in-process ---------------------------------------------------------------

    def _inprocess(self, target: Target, prefix: str) -> dict[str, list[bytes]]:
        core = Core.open(target.url)
        try:
            samples = draw_samples(core.db)
            bodies = {op.name: op.bodies(samples) for op in OPERATIONS}
            apps = build_apps(core)
            found, php = self._rounds(target, core, apps, bodies, prefix)
            for (variant, name), measurement in found.items():
                figures = measurement.describe()
                self.rows.append(_row(target, variant, name, inprocess=figures))
            if self.options.php:
                self._php(target, apps[CORE], bodies, php)
            if self.options.profile:
                self._profile(target, core, apps, bodies)
        finally:
            core.close()
        return bodies

    def _rounds(
        self,
        target: Target,
        core: Core,
        apps: dict[str, App],
        bodies: dict[str, list[bytes]],
        prefix: str,
    ) -> tuple[dict[tuple[str, str], Measurement], dict[str, Any]]:
        """Measure every operation of every variant, then PHP, round by round."""
        found: dict[tuple[str, str], Measurement] = {}
        php: dict[str, Any] = {}
        rounds = max(1, self.options.rounds)
        for number in range(1, rounds + 1):
            for operation, (variant, app) in product(OPERATIONS, apps.items()):
                measured = self._measure(
                    core, app, operation, bodies, rounds, cold=number == 1
                )
                key = (variant, operation.name)
                found[key] = found[key].merge(measured) if key in found else measured
            if self.options.php:
                php = _merge_php(php, self._php_round(target, bodies, rounds))
            self.say(f"{prefix}: in-process round {number} of {rounds} done")
        return found, php

    def _measure(
        self,
        core: Core,
        app: App,
        operation: Operation,
        bodies: dict[str, list[bytes]],
        rounds: int,
        *,
        cold: bool,
    ) -> Measurement:
        """One round's share of an operation's in-process calls."""
        return measure(
            app,
            core,
            operation,
            bodies[operation.name],
            calls=max(1, self.options.calls // rounds),
            max_seconds=self.options.op_seconds / rounds,
            cold=cold,
        )

    def _php_round(
        self, target: Target, bodies: dict[str, list[bytes]], rounds: int
    ) -> dict[str, Any]:
        """One round's share of the PHP reference's calls."""
        chosen = [op for op in OPERATIONS if op.php]
        found = reference.run_reference(
            target.php,
            [(op.name, bodies[op.name]) for op in chosen],
            calls=max(1, self.options.calls // rounds),
            max_seconds=self.options.op_seconds / rounds,
        )
        return dict(found["operations"])

    def _php(
        self,
        target: Target,
        app: App,
        bodies: dict[str, list[bytes]],
        found: dict[str, Any],
    ) -> None:
        chosen = [op for op in OPERATIONS if op.php]
        for operation in chosen:
            figures = found[operation.name]
            row = _row(target, PHP, operation.name, inprocess=_php_figures(figures))
            _, answer = call(
                app, environ(bodies[operation.name][0], operation.action, basic_auth())
            )
            row["php_differs"] = reference.same_content(
                answer, figures["sample"].encode("utf-8")
            )
            self.rows.append(row)
        self.say(f"{target.backend} {target.scale.tickets:,} tickets: PHP done")

    def _profile(
        self,
        target: Target,
        core: Core,
        apps: dict[str, App],
        bodies: dict[str, list[bytes]],
    ) -> None:
        for operation in OPERATIONS:
            if operation.name not in PROFILED:
                continue
            for variant, app in apps.items():
                key = f"{target.backend} {target.scale.tickets} {variant}"
                self.profiles[f"{key} {operation.name}"] = profile(
                    app,
                    core,
                    operation,
                    bodies[operation.name],
                    self.options.profile_calls,
                )

    # -- over HTTP ----------------------------------------------------------------

    def _http(
        self, target: Target, bodies: dict[str, list[bytes]], prefix: str
    ) -> None:
        options = self.options
        log = self.logs / f"{target.backend}_{target.scale.tickets}.log"
        server = start_server(target.url, log, options.workers)
        limits = Limits(
            options.requests,
            options.duration,
            options.concurrency,
            warmup=2 * options.workers,
        )
        try:
            for operation in OPERATIONS:
                found = run_load(server, operation, bodies[operation.name], limits)
                self._attach_http(target, operation.name, found.describe(), log)
            self.say(f"{prefix}: HTTP done")
        finally:
            server.stop()

    def _attach_http(
        self, target: Target, operation: str, figures: dict[str, Any], log: Path
    ) -> None:
        figures["workers"] = self.options.workers
        figures["concurrency"] = self.options.concurrency
        for row in self.rows:
            if _same(row, target, CORE, operation):
                row["http"] = figures
        if figures["errors"]:
            self.note(f"HTTP errors in {operation}; the server's log is {log}")


def _row(target: Target, variant: str, operation: str, **parts: Any) -> dict[str, Any]:
    return {
        "backend": target.backend,
        "tickets": target.scale.tickets,
        "accounts": target.scale.accounts,
        "variant": variant,
        "operation": operation,
        **parts,
    }


def _same(row: dict[str, Any], target: Target, variant: str, operation: str) -> bool:
    key = (row["backend"], row["tickets"], row["variant"], row["operation"])
    return key == (target.backend, target.scale.tickets, variant, operation)


def _merge_php(before: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """The PHP reference's figures of several rounds as one: the first call of
    the first round, every later call of all of them, the last round's answer."""
    merged = dict(before)
    for name, figures in more.items():
        if name not in merged:
            merged[name] = dict(figures)
            continue
        kept = dict(merged[name])
        kept["seconds"] = kept["seconds"] + figures["seconds"]
        kept["queries"] = kept["queries"] + figures["queries"]
        kept["errors"] = kept["errors"] + figures["errors"]
        kept["error_sample"] = kept["error_sample"] or figures["error_sample"]
        # The latest answer: it is compared with CORE's right after this round.
        kept["sample"] = figures["sample"]
        merged[name] = kept
    return merged


def _php_figures(figures: dict[str, Any]) -> dict[str, Any]:
    seconds = figures["seconds"]
    queries = figures["queries"]
    constant = queries[0] if queries and len(set(queries)) == 1 else None
    return {
        "n": len(seconds),
        "first_ms": round(figures["first_seconds"] * 1000, 4),
        **summary(seconds, (10, 50, 95)),
        "median_ms": summary(seconds, (50,))["p50_ms"],
        "first_queries": figures["first_queries"],
        "queries_per_call": constant,
        "queries_min": min(queries, default=0),
        "queries_max": max(queries, default=0),
        "errors": figures["errors"],
        "error_sample": figures["error_sample"],
        "response_bytes": len(figures["sample"]),
    }
