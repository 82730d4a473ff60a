"""Sphinx configuration of the maintainers' reference: ``python -m sphinx -W``.

The API reference is generated from the docstrings of ``api/`` and ``service/``.
Its pages list no modules by hand: a line ``.. modules-of:: PACKAGE`` becomes
one section per module found in that package when the page is read, so a new
module appears in the reference without anyone adding it.
"""

from __future__ import annotations

import pkgutil
import re
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

project = "CORE"
author = "CORE's maintainers"
copyright = "CORE's maintainers"  # noqa: A001 - the name Sphinx reads

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_title = "CORE maintainers' reference"
html_static_path: list[str] = []
html_theme_options = {
    "description": "Customer information system",
    "page_width": "1180px",
    "sidebar_width": "250px",
}

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# Each object is documented where it is defined, never again where a package
# re-exports it through ``__all__``.
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
    "ignore-module-all": True,
}

_MODULES_OF = re.compile(r"^\.\. modules-of:: (?P<package>[\w.]+)[ \t]*$", re.M)


def modules_of(package: str) -> list[str]:
    """The modules directly inside ``package``, the package itself first."""
    found = import_module(package)
    names = [
        info.name
        for info in pkgutil.iter_modules(found.__path__, f"{package}.")
        if not info.ispkg
    ]
    return [package, *sorted(names)]


def module_sections(match: re.Match[str]) -> str:
    """One titled section with an ``automodule`` for each module of a package."""
    sections = []
    for name in modules_of(match["package"]):
        title = f"``{name}``"
        sections.append(f"{title}\n{'-' * len(title)}\n\n.. automodule:: {name}\n")
    return "\n".join(sections)


def expand_module_lists(app: Any, docname: str, source: list[str]) -> None:
    """Replace each ``.. modules-of::`` line by the package's module sections."""
    source[0] = _MODULES_OF.sub(module_sections, source[0])


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", expand_module_lists)
    return {"parallel_read_safe": True}
