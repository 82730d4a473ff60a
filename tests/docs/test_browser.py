"""``/docs`` in real headless Chromium: complete, linked, readable at two widths.

The pages are served over HTTP by CORE's own router with the documentation
mounted in front, as ``core serve`` serves them. Screenshots at desktop and
phone widths are kept under ``test-artifacts/docs/`` for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import html

from api.core import Core
from api.db import connect
from api.setup import initialize
from service.app import Settings, build_application, create_app
from service.docs import Catalogue, docs_app, read_catalogue

from .support import (
    ARTIFACTS,
    Chromium,
    chromium_path,
    ids,
    links,
    mounted,
    png_size,
    resolve,
    same_site,
    serving,
)

DESKTOP = (1280, 900)
PHONE = (390, 844)


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    db = connect(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'core.db'}")
    initialize(db, "admin password 1")
    opened = Core(db)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def site(core: Core) -> Iterator[str]:
    """The base URL of CORE with ``/docs``, served over HTTP."""
    router = create_app(core, Settings())
    docs = docs_app(build_application(core), title="CORE")
    with serving(mounted(router, docs)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    return Chromium(chromium_path(), tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture(scope="module")
def catalogue(core: Core) -> Catalogue:
    return read_catalogue(build_application(core))


def test_index_shows_every_operation_and_type(
    browser: Chromium, site: str, catalogue: Catalogue
) -> None:
    dom = browser.dom(f"{site}/docs")
    targets = {resolve(f"{site}/docs", link)[0] for link in links(dom)}
    for name in catalogue.operations:
        assert f"{site}/docs/operations/{name}" in targets, name
    for name in catalogue.types:
        assert f"{site}/docs/types/{name}" in targets, name
    assert f"{site}/soap?wsdl" in targets
    assert f"{site}/soap?wsdl" in dom


def text_of(document: str) -> str:
    return " ".join(html.fromstring(document).text_content().split())


def check_links(base: str, page_url: str, dom: str, cache: dict[str, str]) -> int:
    """Check every link of one page; return how many were followed."""
    followed = 0
    for link in links(dom):
        target, fragment = resolve(page_url, link)
        if not same_site(base, target):
            continue
        if target not in cache:
            answer = requests.get(target, timeout=10)
            status = answer.status_code
            assert status == 200, f"{page_url}: {link} answers {status}"
            cache[target] = answer.text
        if fragment:
            assert fragment in ids(cache[target]), f"{page_url}: no #{fragment}"
        followed += 1
    return followed


def test_every_link_resolves_in_the_browser(browser: Chromium, site: str) -> None:
    cache: dict[str, str] = {}
    pages = [
        f"{site}/docs",
        f"{site}/docs/faults",
        f"{site}/docs/operations/searchTickets",
        f"{site}/docs/types/Ticket",
    ]
    for url in pages:
        assert check_links(site, url, browser.dom(url), cache) > 5, url


def test_every_link_of_every_page_resolves(site: str) -> None:
    """Without a browser per page: each page's links are crawled over HTTP."""
    cache: dict[str, str] = {}
    seen: set[str] = set()
    queue = [f"{site}/docs"]
    while queue:
        url = queue.pop()
        if url in seen or "/docs" not in url:
            continue
        seen.add(url)
        document = cache.get(url) or requests.get(url, timeout=10).text
        check_links(site, url, document, cache)
        queue += [resolve(url, link)[0] for link in links(document)]
    assert len(seen) > 60


@pytest.mark.parametrize(
    ("page", "name"),
    [("/docs", "index"), ("/docs/operations/createAccount", "createAccount")],
)
@pytest.mark.parametrize(("width", "height"), [DESKTOP, PHONE])
def test_screenshots_at_desktop_and_phone_widths(
    browser: Chromium, site: str, page: str, name: str, width: int, height: int
) -> None:
    kind = "desktop" if width == DESKTOP[0] else "phone"
    path = browser.screenshot(
        f"{site}{page}", ARTIFACTS / f"{name}-{kind}.png", width, height
    )
    assert png_size(path) == (width, height)
    assert path.stat().st_size > 10_000, "the screenshot looks empty"


def test_pages_need_no_javascript(browser: Chromium, site: str) -> None:
    """What the browser shows is what was served: no script builds anything."""
    url = f"{site}/docs/operations/getAccount"
    served = requests.get(url, timeout=10)
    assert "script-src" not in served.headers["Content-Security-Policy"]
    assert text_of(browser.dom(url)) == text_of(served.text)
    assert "Sample request" in text_of(served.text)


def test_artifacts_are_not_committed() -> None:
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text()
    assert "test-artifacts/" in ignored
