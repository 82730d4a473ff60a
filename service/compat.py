"""Fixes that let Spyne 2.14 import and run on Python 3.12 and 3.13.

Import this module before anything imports :mod:`spyne`; the ``service`` package
imports it first. On Python 3.11 it does nothing.

What breaks
    1. Spyne ships its own copy of ``six`` as ``spyne.util.six``. The
       ``spyne.util.six.moves.*`` modules, which ``spyne/__init__.py`` already
       needs, are served by a meta path importer that only has the old
       ``find_module``/``load_module`` methods. Python 3.12 stopped falling back to
       them, so ``import spyne`` fails with ``ModuleNotFoundError: No module named
       'spyne.util.six.moves'``.
    2. Python 3.13 removed the ``cgi`` module, which ``spyne.server.wsgi`` and
       ``spyne.protocol.soap.soap11`` import for ``cgi.parse_header``.

How it is fixed
    1. On 3.12 and later, a finder is appended to :data:`sys.meta_path`. It answers
       only for the names that the vendored importer knows and hands the loading
       to that importer's own ``load_module``, so Spyne's code and objects are left
       as they are. It stands aside if the vendored importer ever gains
       ``find_spec``.
    2. The ``legacy-cgi`` distribution puts ``cgi`` back; it is a dependency under
       the marker ``python_version >= "3.13"``. This module only checks that it is
       there, so that a missing install fails with an error naming the fix.

When it can be removed
    When CORE runs on a Spyne release whose vendored ``six`` has ``find_spec`` and
    that no longer imports ``cgi``, or on Python 3.11 only: then delete this module,
    its import in the ``service`` package and the ``legacy-cgi`` dependency.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Protocol

_SIX = "spyne.util.six"


class _LegacyImporter(Protocol):
    """The methods of the vendored six importer that this module relies on."""

    def find_module(self, fullname: str) -> object | None: ...

    def is_package(self, fullname: str) -> bool: ...

    def load_module(self, fullname: str) -> ModuleType: ...


def _six_importer() -> _LegacyImporter | None:
    """Return the vendored six importer if it needs our help, else ``None``."""
    importer: _LegacyImporter | None = getattr(sys.modules.get(_SIX), "_importer", None)
    if importer is None or hasattr(importer, "find_spec"):
        return None
    return importer


class _SixMovesFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve ``spyne.util.six.moves`` modules through the vendored six importer."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        importer = _six_importer()
        if importer is None or importer.find_module(fullname) is None:
            return None

        is_package = importer.is_package(fullname)
        return importlib.util.spec_from_loader(fullname, self, is_package=is_package)

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        importer = _six_importer()
        if importer is None:
            raise ImportError(f"{_SIX} is no longer loaded", name=spec.name)
        module = importer.load_module(spec.name)

        # A moved module is the real one (``collections.abc`` for
        # ``moves.collections_abc``); keep its spec so the import system does not
        # relabel it under the six name.
        spec.loader_state = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module: ModuleType) -> None:
        original = getattr(module.__spec__, "loader_state", None)
        if original is not None:
            module.__spec__ = original


def _require_cgi() -> None:
    """Fail early, naming the fix, if the ``cgi`` module cannot be found."""
    if importlib.util.find_spec("cgi") is None:
        raise ImportError(
            "Spyne needs the 'cgi' module, which Python 3.13 removed: install the "
            "'legacy-cgi' distribution",
            name="cgi",
        )


if sys.version_info >= (3, 12):
    sys.meta_path.append(_SixMovesFinder())

if sys.version_info >= (3, 13):
    _require_cgi()
