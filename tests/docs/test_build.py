"""The maintainers' reference builds with Sphinx, warning-free, from the docstrings.

Skipped where Sphinx is not installed (``pip install -e '.[docs]'``), unless
``CORE_REQUIRE_DOCS=1`` makes that a failure.
"""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from .support import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML of ``python -m sphinx -W -b html docs OUT``."""
    if importlib.util.find_spec("sphinx") is None:
        reason = "Sphinx is not installed: pip install -e '.[docs]'"
        if os.environ.get("CORE_REQUIRE_DOCS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("docs-html")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "-d",
        str(out / ".doctrees"),
        str(ROOT / "docs"),
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "WARNING" not in done.stderr, done.stderr[-3000:]
    return out


def modules(package: str) -> list[str]:
    folder = ROOT.joinpath(*package.split("."))
    found = pkgutil.iter_modules([str(folder)], f"{package}.")
    return [package, *(info.name for info in found if not info.ispkg)]


@pytest.mark.parametrize(
    ("page", "package"),
    [("db", "api.db"), ("api", "api"), ("service", "service")],
)
def test_reference_documents_every_module(built: Path, page: str, package: str) -> None:
    html = (built / "reference" / f"{page}.html").read_text(encoding="utf-8")
    for name in modules(package):
        assert f'id="module-{name}"' in html, name


def test_reference_shows_docstrings(built: Path) -> None:
    html = (built / "reference" / "api.html").read_text(encoding="utf-8")
    assert "Return a session acting as" in html
    assert "Create a prospect account and return it with its new number." in html


def test_walkthrough_includes_the_tested_code(built: Path) -> None:
    html = (built / "walkthrough.html").read_text(encoding="utf-8")
    for name in ("AccountNote", "schema_with_notes", "Notes", "NoteService"):
        assert name in html, name
    assert "addNote" in html and "listNotes" in html
    assert "End of the methods" not in html


def test_architecture_page_names_the_three_layers(built: Path) -> None:
    html = (built / "architecture.html").read_text(encoding="utf-8")
    for title in ("The table layer", "The business API", "The SOAP façade"):
        assert title in html
    assert "How a call travels" in html
