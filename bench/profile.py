"""Where CORE's time per call goes: a cProfile of repeated in-process calls.

The own time of every function is summed by where it lives (Spyne, lxml, the
database driver, the table layer, the business API, the service), so the
report can say what dominates a call, and the costliest functions are listed.
"""

from __future__ import annotations

import cProfile
import pstats
from typing import Any

from api.core import Core
from bench.inprocess import App, call, environ
from bench.operations import Operation, basic_auth

#: Buckets by a function's file (or a C function's description), first match wins.
BUCKETS = [
    ("stack formatting (traceback, linecache)", ("/traceback.py", "/linecache.py")),
    ("timestamp parsing (_strptime)", ("/_strptime.py",)),
    ("copy.deepcopy", ("/copy.py",)),
    ("logging", ("/logging/",)),
    ("spyne", ("/spyne/",)),
    ("lxml", ("lxml",)),
    ("database driver", ("sqlite3", "psycopg2", "'execute' of", "'fetchall' of")),
    ("table layer (api/db)", ("/api/db/",)),
    ("business API (api)", ("/api/",)),
    ("service", ("/service/",)),
    ("benchmark harness", ("/bench/",)),
]


def profile(
    app: App, core: Core, operation: Operation, bodies: list[bytes], calls: int
) -> dict[str, Any]:
    """Profile ``calls`` in-process calls; return buckets and the top functions."""
    auth = basic_auth()
    call(app, environ(bodies[0], operation.action, auth))
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(calls):
        call(app, environ(bodies[index % len(bodies)], operation.action, auth))
    profiler.disable()
    return _summary(pstats.Stats(profiler), calls)


def _summary(stats: pstats.Stats, calls: int) -> dict[str, Any]:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in entries.values()) or 1.0
    buckets: dict[str, float] = {}
    functions = []
    for (filename, line, name), (_, ncalls, tottime, cumtime, _) in entries.items():
        where = f"{filename}:{line}({name})"
        bucket = _bucket(where)
        buckets[bucket] = buckets.get(bucket, 0.0) + tottime
        functions.append((tottime, ncalls, cumtime, _short(where)))
    functions.sort(reverse=True)
    return {
        "calls": calls,
        "ms_per_call": round(total / calls * 1000, 4),
        "buckets": {
            name: {
                "ms_per_call": round(seconds / calls * 1000, 4),
                "share": round(seconds / total, 4),
            }
            for name, seconds in sorted(buckets.items(), key=lambda i: -i[1])
        },
        "top": [
            {
                "function": where,
                "own_ms_per_call": round(tottime / calls * 1000, 4),
                "calls_per_call": round(ncalls / calls, 1),
                "cumulative_ms_per_call": round(cumtime / calls * 1000, 4),
            }
            for tottime, ncalls, cumtime, where in functions[:15]
        ],
    }


def _bucket(where: str) -> str:
    for name, needles in BUCKETS:
        if any(needle in where for needle in needles):
            return name
    return "python standard library and other"


def _short(where: str) -> str:
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in where:
            return where.split(marker, 1)[1]
    return where.replace(str(_root()), "")


def _root() -> str:
    from bench.machine import ROOT

    return str(ROOT) + "/"
