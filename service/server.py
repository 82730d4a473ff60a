"""Running CORE under gunicorn: ``core serve``.

The master process prepares the database (schema and first administrator on an
empty one, demo data on request); each worker then opens CORE on its own and
builds the WSGI application, so no database connection crosses a fork.
"""

from __future__ import annotations

import gc
import logging
import os
import runpy
from dataclasses import dataclass, field
from typing import Any

from gunicorn.app.base import BaseApplication

from api.core import Core
from api.db import OperationalError
from api.db.dialects import redact_url
from api.tables import SCHEMA
from service.app import SOAP_PATH, Settings, create_app

logger = logging.getLogger(__name__)


@dataclass
class ServeOptions:
    """What ``core serve`` was asked for."""

    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    timeout: int = 30
    settings: Settings = field(default_factory=Settings)
    #: A gunicorn configuration file whose settings replace CORE's defaults.
    config: str | None = None


def gunicorn_options(options: ServeOptions) -> dict[str, Any]:
    """CORE's gunicorn settings: recycled workers, no access log of its own."""
    return {
        "bind": f"{options.host}:{options.port}",
        "workers": options.workers,
        "timeout": options.timeout,
        "graceful_timeout": options.timeout,
        "max_requests": 20_000,
        "max_requests_jitter": 2_000,
        "control_socket_disable": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "core",
    }


def config_file_options(path: str | None) -> dict[str, Any]:
    """Return the names a gunicorn configuration file sets, read again each call.

    Names that are not gunicorn settings (imports, helpers) are left to the
    caller to skip, as gunicorn itself does.
    """
    if not path:
        return {}
    namespace = runpy.run_path(path)
    return {
        name: value for name, value in namespace.items() if not name.startswith("_")
    }


class CoreServer(BaseApplication):  # type: ignore[misc]
    """gunicorn application whose workers each serve CORE over the same database."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """CORE's settings, then the configuration file's; ``--host``/``--port`` bind.

        gunicorn calls it again on SIGHUP, so an edited file takes effect then.
        """
        options = gunicorn_options(self.options)
        options.update(config_file_options(self.options.config))
        options["bind"] = f"{self.options.host}:{self.options.port}"
        for key, value in options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        core = open_in_worker(self.options.database_url)
        logger.info(
            "worker %s serving %s", os.getpid(), redact_url(self.options.database_url)
        )
        app = create_app(core, self.options.settings)
        settle_heap()
        return app


def settle_heap() -> None:
    """Move what a worker built at start out of the garbage collector's way.

    The application, its WSDL, its compiled writers and Spyne's tables live as
    long as the worker. Frozen (:func:`gc.freeze`), they are no longer walked by
    every full collection, which otherwise lands on an unlucky request now and
    then and makes it a millisecond or more slower.
    """
    gc.collect()
    gc.freeze()


def open_in_worker(url: str) -> Core:
    """Open CORE in a worker; a database that is down just now is no reason to die.

    The master checked the schema version before it started any worker. A
    worker that starts while the database is unreachable (one that replaces a
    crashed or recycled worker) serves ``Server.Unavailable`` faults until the
    database is back, instead of failing to boot, which would stop gunicorn
    and the whole node. A schema of another version still stops it.
    """
    core = Core.open(url, check=False)
    try:
        SCHEMA.check(core.db)
    except OperationalError as error:
        logger.warning("worker %s started without its database: %s", os.getpid(), error)
    return core


def serve(options: ServeOptions) -> None:
    """Run gunicorn until it is stopped."""
    address = (
        options.settings.public_url
        or f"http://{options.host}:{options.port}{SOAP_PATH}"
    )
    logger.info("CORE serving on %s, WSDL at %s?wsdl", options.host, address)
    logger.info("database: %s", redact_url(options.database_url))
    if options.config:
        logger.info("gunicorn configuration: %s", options.config)
    CoreServer(options).run()
