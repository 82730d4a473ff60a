"""gunicorn settings for a CORE node in production.

Used as ``core serve --config deploy/gunicorn.conf.py`` (or through
``CORE_GUNICORN_CONFIG``). Every name below that gunicorn knows is one of its
settings; the file is read again on ``SIGHUP``, which restarts the workers
gracefully with the new values. ``--host``/``--port`` still choose the address.

The time limits form one chain, each shorter than the next, so that the
innermost one fails first and the client gets a clean fault instead of a cut
connection: PostgreSQL's ``statement_timeout`` of the service role (25 s, set by
``postgres/setup.sh``) < gunicorn's ``timeout`` (30 s) < nginx's
``proxy_read_timeout`` (35 s) < the client's own timeout.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from gunicorn import glogging


def _cores() -> int:
    """The cores this process may run on: its CPU affinity, not the whole machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# -- workers ------------------------------------------------------------------------

#: Synchronous workers: one request at a time each, so a worker uses one
#: database connection and a slow request never delays another in its worker.
worker_class = "sync"
#: CORE's requests wait on PostgreSQL about as long as they compute, hence
#: twice the cores plus one; ``CORE_WORKERS`` overrides it.
workers = int(os.environ.get("CORE_WORKERS") or 2 * _cores() + 1)
#: A worker silent this long is killed and replaced (nginx waits 35 s).
timeout = 30
#: On SIGTERM or SIGHUP, workers finish the request they serve within this time.
graceful_timeout = 30
#: Replace each worker after this many requests, staggered so they never all
#: restart at once; it bounds any slow leak.
max_requests = 20_000
max_requests_jitter = 2_000
#: The workers' heartbeat files, in memory where /dev/shm is writable.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

# -- the master ---------------------------------------------------------------------

#: gunicorn 27 would open a control socket at one fixed path per user; several
#: nodes on one host would fight over it, and CORE needs none.
control_socket_disable = True
proc_name = "core"
#: CORE loads itself in each worker after the fork, so that no database
#: connection crosses a fork; SIGHUP therefore also picks up new settings.
preload_app = False

# -- logs ---------------------------------------------------------------------------

errorlog = "-"
loglevel = "info"
#: ``-`` is standard output; a path is reopened on SIGUSR1 (log rotation).
accesslog = os.environ.get("CORE_ACCESS_LOG", "-")
#: The same line as CORE's own request log, so one parser reads both.
access_log_format = (
    "request %({x-request-id}o)s user=%(core_user)s operation=%(core_operation)s"
    " status=%(s)s duration_ms=%(duration_ms)s"
)


class CoreAccessLog(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger with the fields of CORE's request log line."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["core_user"] = environ.get("core.user", "-")
        path = environ.get("PATH_INFO", "-")
        atoms["core_operation"] = environ.get("core.operation", path)
        atoms["duration_ms"] = f"{request_time.total_seconds() * 1000:.1f}"
        return atoms


logger_class = CoreAccessLog
