"""CORE's SOAP façade; :mod:`service.compat` is loaded before Spyne ever is."""

from service import compat  # noqa: F401 - must run before any import of spyne
