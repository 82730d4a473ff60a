"""The service tests' helpers; the ``server`` fixture itself is shared by all."""

from __future__ import annotations

from tests.servers import (  # noqa: F401 - the service tests import these from here
    ADMIN_PASSWORD,
    DEMO_PASSWORD,
    ROOT,
    Server,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)
