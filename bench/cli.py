"""``python -m bench``: measure CORE's cost per call and print it against its targets.

Examples::

    python -m bench --quick                         # a small smoke run
    python -m bench --backend sqlite --tickets 10000,1000000 --json run.json
    python -m bench --reuse --profile               # keep and reuse data sets
    python -m bench --compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bench import report
from bench.backends import postgres_dsn
from bench.dataset import Scale
from bench.load import default_workers
from bench.runner import Options, Run

T = TypeVar("T")

QUICK_TICKETS = [300]
DEFAULT_TICKETS = [10_000, 1_000_000]


def _numbers(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not values or any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"numbers must be positive: {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``python -m bench``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    data = parser.add_argument_group("data sets")
    data.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both"
    )
    data.add_argument(
        "--tickets", type=_numbers, help="sizes, comma-separated (10000,1000000)"
    )
    data.add_argument(
        "--accounts", type=_numbers, help="accounts per size (default: tickets / 10)"
    )
    data.add_argument("--seed", type=int, default=42, help="seed of the data sets")
    data.add_argument(
        "--reuse", action="store_true", help="keep data sets and use them again"
    )
    data.add_argument(
        "--workdir", type=Path, help="where kept SQLite files go (.benchmarks/data)"
    )
    data.add_argument(
        "--postgres-dsn",
        help="server to create databases on (CORE_BENCH_POSTGRES_DSN)",
    )

    measure = parser.add_argument_group("measuring")
    measure.add_argument("--calls", type=int, help="in-process calls per operation")
    measure.add_argument(
        "--op-seconds",
        type=float,
        help="most seconds of in-process calls per operation",
    )
    measure.add_argument(
        "--rounds",
        type=int,
        help="interleaved rounds the in-process calls are spread over (5)",
    )
    measure.add_argument("--duration", type=float, help="HTTP seconds per operation")
    measure.add_argument(
        "--requests", type=int, help="most HTTP requests per operation"
    )
    measure.add_argument("--concurrency", type=int, help="HTTP client threads")
    measure.add_argument(
        "--workers", type=int, help="core serve workers (2 x cores + 1)"
    )
    measure.add_argument("--no-http", action="store_true", help="skip the HTTP part")
    measure.add_argument("--no-php", action="store_true", help="skip the PHP reference")
    measure.add_argument(
        "--no-install", action="store_true", help="never apt-get install PHP"
    )
    measure.add_argument(
        "--profile", action="store_true", help="profile searchTickets/100 and getTicket"
    )
    measure.add_argument("--quick", action="store_true", help="a small smoke run")

    output = parser.add_argument_group("output")
    output.add_argument("--json", type=Path, help="write every figure to this file")
    output.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="compare two JSON reports"
    )
    return parser


def options_from(args: argparse.Namespace) -> Options:
    """Turn the command line into the run's options; ``--quick`` lowers defaults."""
    quick = args.quick
    tickets = args.tickets or (QUICK_TICKETS if quick else DEFAULT_TICKETS)
    accounts = args.accounts or [max(1, count // 10) for count in tickets]
    if len(accounts) == 1:
        accounts = accounts * len(tickets)
    if len(accounts) != len(tickets):
        raise SystemExit("--accounts needs one value, or one per --tickets size")

    def pick(value: T | None, normal: T, small: T) -> T:
        return value if value is not None else (small if quick else normal)

    return Options(
        backends=["sqlite", "postgresql"] if args.backend == "both" else [args.backend],
        scales=[
            Scale(count, number, args.seed)
            for count, number in zip(tickets, accounts, strict=True)
        ],
        calls=int(pick(args.calls, 200, 10)),
        op_seconds=float(pick(args.op_seconds, 10.0, 2.0)),
        rounds=int(pick(args.rounds, 5, 2)),
        http=not args.no_http,
        duration=float(pick(args.duration, 5.0, 1.0)),
        requests=int(pick(args.requests, 5000, 40)),
        concurrency=int(pick(args.concurrency, 4, 2)),
        workers=int(pick(args.workers, default_workers(), 2)),
        php=not args.no_php,
        install=not args.no_install,
        reuse=args.reuse,
        workdir=args.workdir or Path(".benchmarks/data"),
        postgres_dsn=postgres_dsn(args.postgres_dsn),
        profile=args.profile,
        profile_calls=50 if quick else 200,
    )


def print_report(data: dict[str, Any], out: TextIO | None = None) -> None:
    """Print every table, the scaling, the targets and any profile."""
    out = out or sys.stdout
    results = report.Results(data["results"])
    options = data["options"]
    http_note = f"{options['workers']} workers, {options['concurrency']} clients"
    machine = data["machine"]
    print(
        f"CORE benchmark {machine['date']} on {machine['cpu']} x{machine['cores']},"
        f" Python {machine['python']}, SQLite {machine['sqlite']},"
        f" PostgreSQL {machine.get('postgresql', '-')}, PHP {machine.get('php', '-')},"
        f" fast_xml {'available' if machine.get('fast_xml') else 'absent'}",
        file=out,
    )
    for build in data["builds"]:
        report.print_target(results, build, out, http_note if options["http"] else "")
    report.print_scaling(results, out)
    report.print_verdicts(data["targets"], out)
    for name, profile in data.get("profiles", {}).items():
        report.print_profile(name, profile, out)
    for note in data["notes"]:
        print(f"note: {note}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or compare two runs); return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # Spyne warns each time CORE builds a record of a customized type.
    logging.getLogger("spyne.model.complex").setLevel(logging.ERROR)
    if args.compare:
        first, second = (report.load_json(path) for path in args.compare)
        report.compare(first, second, sys.stdout)
        return 0

    data = Run(options_from(args)).execute()
    results = report.Results(data["results"])
    data["targets"] = report.judge(results)
    data["search_queries"] = {
        f"{backend} {tickets}": report.search_queries(results, backend, tickets)
        for backend, tickets in results.targets()
    }
    data["scaling"] = {
        backend: report.scaling(results, backend)
        for backend in dict.fromkeys(b for b, _ in results.targets())
    }
    print_report(data)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str))
        print(f"wrote {args.json}")
    return 0
