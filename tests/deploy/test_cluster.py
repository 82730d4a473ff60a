"""The cluster under faults: a node killed, PostgreSQL restarted, a rolling restart.

Every test drives the cluster through nginx with zeep while client threads
create accounts and tickets (:mod:`tests.deploy.load`), then compares what the
clients were told with what the database holds, and prints what it counted.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import requests
from lxml import etree

from deploy.cluster import Cluster, Node, children
from tests.deploy.conftest import stored
from tests.deploy.load import FAILURES, Load, Tally, client

pytestmark = pytest.mark.slow

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
#: Seconds the database stays down, and the most CORE may take to recover.
OUTAGE = 3.0
RECOVERY = 10.0


def load(cluster: Cluster, label: str) -> Load:
    """Client threads against nginx, as ``admin``."""
    return Load(cluster.wsdl, cluster.admin_password, label).start()


def finish(cluster: Cluster, running: Load) -> Tally:
    """Stop the load, count it against the database and print the count."""
    running.stop()
    tally = running.tally(stored(cluster, running.label))
    print("\n" + tally.report(running.label))
    assert not list(running.refusals()), list(running.refusals())[:3]
    return tally


def session(cluster: Cluster) -> requests.Session:
    """A plain HTTP session that checks nginx's certificate."""
    http = requests.Session()
    http.trust_env = False
    http.verify = str(cluster.proxy.certificate)
    http.auth = ("admin", cluster.admin_password)
    return http


def nginx_log(cluster: Cluster, field: str) -> set[str]:
    """The values of one ``field=`` of nginx's access log for SOAP calls."""
    log = (cluster.proxy.base / "access.log").read_text()
    return {
        part.split("=", 1)[1]
        for line in log.splitlines()
        if '"POST /soap' in line
        for part in line.split()
        if part.startswith(f"{field}=")
    }


# -- the address ----------------------------------------------------------------------


def test_wsdl_through_nginx_advertises_the_public_https_address(
    healthy: Cluster,
) -> None:
    http = session(healthy)
    answer = http.get(healthy.wsdl, timeout=10)
    assert answer.status_code == 200

    document = etree.fromstring(answer.content)
    addresses = document.findall(f".//{{{WSDL_NS}}}port/{{{WSDL_SOAP_NS}}}address")
    locations = {element.get("location") for element in addresses}
    print(f"\n[wsdl] fetched {healthy.wsdl}; soap:address {sorted(locations)}")
    assert locations == {f"{healthy.public_url}/soap"}

    soap = client(healthy.wsdl, healthy.admin_password)
    assert soap.service.whoAmI().username == "admin"
    assert http.get(f"{healthy.public_url}/health", timeout=10).status_code == 200


def test_nginx_refuses_an_oversized_call_with_a_soap_fault(healthy: Cluster) -> None:
    body = b"<x>" + b"a" * (2 * 1024 * 1024) + b"</x>"
    answer = session(healthy).post(
        f"{healthy.public_url}/soap",
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert fault_code(answer) == "Client.Limit"


def test_nginx_balances_calls_over_every_node(healthy: Cluster) -> None:
    soap = client(healthy.wsdl, healthy.admin_password)
    for _ in range(4 * len(healthy.nodes)):
        soap.service.whoAmI()
    expected = {f"127.0.0.1:{node.port}" for node in healthy.nodes}
    assert expected <= nginx_log(healthy, "upstream")


# -- a node killed --------------------------------------------------------------------


def test_killing_a_node_loses_no_acknowledged_write(healthy: Cluster) -> None:
    running = load(healthy, "kill")
    running.wait_for(20)

    victim = healthy.nodes[0]
    healthy.kill_node(victim)
    assert not victim.running()
    killed_at = running.acknowledged()

    # The survivors carry the whole load.
    running.wait_for(killed_at + 60)
    tally = finish(healthy, running)

    assert tally.lost == 0
    assert tally.duplicated == 0
    assert tally.unacknowledged == 0
    assert tally.acknowledged >= killed_at + 60
    assert all(node.health() == 200 for node in healthy.nodes[1:])


# -- PostgreSQL restarted -------------------------------------------------------------


def fault_code(answer: requests.Response) -> str:
    """The fault code of an answer that must be a SOAP fault envelope."""
    assert answer.headers["Content-Type"].startswith("text/xml"), answer.text[:200]
    document = etree.fromstring(answer.content)
    assert document.tag == f"{{{SOAP_ENV}}}Envelope", answer.text[:200]
    code = document.findtext(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultcode")
    assert code is not None, answer.text[:200]
    return code.rpartition(":")[2]


def probe_outage(cluster: Cluster, seconds: float) -> list[tuple[int, str]]:
    """Call CORE through nginx while the database is down: status and fault code."""
    soap = client(cluster.wsdl, cluster.admin_password)
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with soap.settings(raw_response=True):
            answer = soap.service.createAccount({"name": "During the outage"}, None)
        seen.append((answer.status_code, fault_code(answer)))
        with soap.settings(raw_response=True):
            answer = soap.service.whoAmI()
        seen.append((answer.status_code, fault_code(answer)))
        time.sleep(0.1)
    return seen


def health(cluster: Cluster) -> list[int | None]:
    """``/health`` through nginx, then of each node directly."""
    public = session(cluster).get(f"{cluster.public_url}/health", timeout=10)
    return [public.status_code, *(node.health() for node in cluster.nodes)]


def recover(cluster: Cluster) -> float:
    """Seconds until a create through nginx and every node's ``/health`` succeed."""
    soap = client(cluster.wsdl, cluster.admin_password)
    started = time.monotonic()
    while time.monotonic() - started < 2 * RECOVERY:
        try:
            soap.service.createAccount({"name": "After the outage"}, None)
        except FAILURES:
            time.sleep(0.1)
            continue
        if set(health(cluster)) == {200}:
            break
    return time.monotonic() - started


def processes(cluster: Cluster) -> dict[str, set[int]]:
    """Each node's gunicorn master and workers."""
    return {node.name: {node.pid, *children(node.pid)} for node in cluster.nodes}


def test_restarting_postgres_gives_clean_faults_then_recovers(healthy: Cluster) -> None:
    before = processes(healthy)
    running = load(healthy, "pgrestart")
    running.wait_for(20)

    healthy.pg.stop()
    try:
        seen = probe_outage(healthy, OUTAGE)
        outage_health = health(healthy)
    finally:
        healthy.pg.start()
    recovery = recover(healthy)
    running.wait_for(running.acknowledged() + 30)
    tally = finish(healthy, running)

    codes = sorted({code for _, code in seen})
    print(
        f"[pgrestart] {len(seen)} calls during the outage: HTTP"
        f" {sorted({status for status, _ in seen})}, faults {codes};"
        f" /health {outage_health}; everything answered {recovery:.1f} s"
        " after PostgreSQL was back"
    )
    assert {status for status, _ in seen} == {500}
    assert all(code.startswith("Server") for code in codes)
    assert outage_health == [503] * (1 + len(healthy.nodes))
    assert recovery < RECOVERY
    assert processes(healthy) == before
    assert (tally.lost, tally.duplicated, tally.unacknowledged) == (0, 0, 0)


def test_calls_during_a_database_outage_get_server_unavailable(
    healthy: Cluster,
) -> None:
    healthy.pg.stop()
    try:
        seen = probe_outage(healthy, 0.5)
    finally:
        healthy.pg.start()
    assert {code for _, code in seen} == {"Server.Unavailable"}


def test_a_worker_replaced_during_an_outage_keeps_its_node_up(
    healthy: Cluster,
) -> None:
    node = healthy.nodes[0]
    healthy.pg.stop()
    try:
        os.kill(min(children(node.pid)), signal.SIGKILL)
        time.sleep(3)
        survived = node.running()
    finally:
        healthy.pg.start()
    print(f"\n[worker] node kept running after a worker was replaced: {survived}")
    assert survived
    assert node.health() == 200


# -- a rolling restart ----------------------------------------------------------------


def restart_one(cluster: Cluster, node: Node) -> None:
    """Drain ``node`` from nginx, stop it gracefully, start it, put it back."""
    cluster.drain(node)
    cluster.stop_node(node)
    assert not node.running()
    cluster.start_node(node)
    cluster.undrain(node)


def test_rolling_restart_drops_no_request(healthy: Cluster) -> None:
    before = processes(healthy)
    running = load(healthy, "rolling")
    running.wait_for(20)

    for node in healthy.nodes:
        restart_one(healthy, node)
        running.wait_for(running.acknowledged() + 10)
    tally = finish(healthy, running)

    # A failed attempt is allowed only if nginx never read it: a client that
    # sent on an idle keep-alive connection just as a reload closed it. No
    # node and not nginx may have answered any call with an error.
    read = nginx_log(healthy, "request_id")
    failures = running.failures()
    unread = [failure for failure in failures if failure.attempt not in read]
    errors = sorted({failure.error for failure in failures})
    print(
        f"[rolling] failed attempts that nginx never read (its reload closed the"
        f" idle connection), retried: {len(unread)} {errors};"
        f" others: {len(failures) - len(unread)}"
    )
    after = processes(healthy)
    assert all(not before[name] & after[name] for name in before)
    assert (tally.lost, tally.duplicated, tally.unacknowledged) == (0, 0, 0)
    assert unread == failures, [f for f in failures if f not in unread]
