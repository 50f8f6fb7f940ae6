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
everything from ``cloud_elements``.
"""

from ._native import (
    ApiError,
    AuthenticationError,
    Client,
    CloudElementsError,
    DecodeError,
    Instance,
    InvalidInputError,
    MissingConfigurationError,
    NotFoundError,
    Sandbox,
    TimeoutError,
    TransportError,
    __version__,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "Client",
    "CloudElementsError",
    "DecodeError",
    "Instance",
    "InvalidInputError",
    "MissingConfigurationError",
    "NotFoundError",
    "Sandbox",
    "TimeoutError",
    "TransportError",
    "__version__",
]
