"""CORE: the customer information system of a managed-hosting company.

``api.Core.open(url)`` opens a CORE database; its ``as_user`` or ``authenticate``
gives a :class:`~api.core.Session` whose areas (``accounts``, ``contacts``,
``servers``, ``tickets``, ``users``, ``history``) are the business API.
"""

from api.core import Core, Session

__version__ = "0.1.0"

__all__ = ["Core", "Session", "__version__"]
