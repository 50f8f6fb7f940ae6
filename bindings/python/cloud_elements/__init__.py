"""Provision Cloud Elements connector instances.

>>> import cloud_elements as ce
>>> with ce.Sandbox() as sb, ce.Client(
...     base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret
... ) as client:
...     inst = client.create_instance(
...         "closeio", {"username": "KEY", "password": "PW"}, name="Test", tags=["demo"]
...     )
...     print(inst.id, inst.element_key)
1 closeio

``Client()`` without arguments reads ``CLOUD_ELEMENTS_BASE_URL`` (optional),
``CLOUD_ELEMENTS_USER_SECRET`` and ``CLOUD_ELEMENTS_ORG_SECRET``. The work is done by the Rust
core in the native module ``cloud_elements._native``, an implementation detail: import
everything from ``cloud_elements``. ``AsyncClient`` offers the same methods as coroutines for
asyncio, running the blocking calls on a thread pool.
"""

from ._native import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    Client,
    ClosedError,
    CloudElementsError,
    ConfigurationEntry,
    ConflictError,
    DecodeError,
    Element,
    Instance,
    InvalidInputError,
    MissingConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    Sandbox,
    SchemaEntry,
    Secret,
    ServerError,
    TimeoutError as TimeoutError,  # an explicit re-export, though not in __all__ (see below)
    TransportError,
    UnknownElementError,
    __version__,
    receive_oauth_code,
)
from ._async import AsyncClient

__all__ = [
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClosedError",
    "CloudElementsError",
    "ConfigurationEntry",
    "ConflictError",
    "DecodeError",
    "Element",
    "Instance",
    "InvalidInputError",
    "MissingConfigurationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Sandbox",
    "SchemaEntry",
    "Secret",
    "ServerError",
    # Not "TimeoutError": `from cloud_elements import *` would shadow the built-in of that name.
    # `ce.TimeoutError` is a subclass of it, so `except TimeoutError` catches ours either way.
    "TransportError",
    "UnknownElementError",
    "__version__",
    "receive_oauth_code",
]
