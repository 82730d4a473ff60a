"""Running CORE under gunicorn: ``core serve``.

The master process prepares the database (schema and first administrator on an
empty one, demo data on request); each worker then opens CORE on its own and
builds the WSGI application, so no database connection crosses a fork.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from gunicorn.app.base import BaseApplication

from api.core import Core
from api.db.dialects import redact_url
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


class CoreServer(BaseApplication):  # type: ignore[misc]
    """gunicorn application whose workers each serve CORE over the same database."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.options).items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        core = Core.open(self.options.database_url)
        logger.info(
            "worker %s serving %s", os.getpid(), redact_url(self.options.database_url)
        )
        return create_app(core, self.options.settings)


def serve(options: ServeOptions) -> None:
    """Run gunicorn until it is stopped."""
    address = (
        options.settings.public_url
        or f"http://{options.host}:{options.port}{SOAP_PATH}"
    )
    logger.info("CORE serving on %s, WSDL at %s?wsdl", options.host, address)
    logger.info("database: %s", redact_url(options.database_url))
    CoreServer(options).run()
