# Hand-kept stubs for the native module (src/python.rs); keep them in step with it. Names are checked
# by tests/test_package.py, signatures and attributes by `python -m mypy.stubtest cloud_elements`
# (scripts/test-python.sh).
import builtins
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Optional, Union, final

__all__ = [
    "__version__",
    "Client",
    "Instance",
    "Sandbox",
    "CloudElementsError",
    "InvalidInputError",
    "MissingConfigurationError",
    "ApiError",
    "AuthenticationError",
    "NotFoundError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
    "ClosedError",
]

__version__: str

_ConfigValue = Union[str, bool, int]
_FaultKind = Literal["delay", "status", "body", "reset", "truncate"]

@final
class Client:
    """A Cloud Elements API client: settings plus one pool of kept-alive connections.

    Unset arguments fall back to ``CLOUD_ELEMENTS_BASE_URL``, ``CLOUD_ELEMENTS_USER_SECRET`` and
    ``CLOUD_ELEMENTS_ORG_SECRET``; timeouts are in seconds (defaults 60 and 10). Share one client
    between threads: calls release the GIL while they wait on the network. Raises
    ``InvalidInputError`` when a setting is missing or malformed (timeouts: above zero, at most one
    day; no ``user:password@`` in the URL).
    """

    def __new__(
        cls,
        *,
        user_secret: Optional[str] = None,
        organization_secret: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
    ) -> Client: ...
    def create_instance(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[list[str]] = None,
    ) -> Instance:
        """Provisions an instance (``POST /instances``).

        ``bool`` values are sent as ``"true"``/``"false"``, ``int`` as decimal text. The request
        is checked first and nothing is sent unless it passes (``InvalidInputError``,
        ``MissingConfigurationError``). The request is sent once, never retried: after a
        ``TimeoutError`` or ``TransportError`` the instance may nevertheless exist.
        """
    def authorization_header(self, token: str) -> str:
        """``User <user secret>, Organization <organization secret>, Element <token>``."""
    def close(self) -> None:
        """Releases the connections once calls in flight finish; later calls raise
        ``ClosedError``. Closing twice is fine."""
    @property
    def closed(self) -> bool: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def connect_timeout(self) -> float: ...
    def __enter__(self) -> Client: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None: ...

@final
class Instance:
    """A provisioned instance, as the server described it. ``repr()`` hides the token."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def token(self) -> str:
        """The instance token: keep it for every later call on this instance."""
    @property
    def element_key(self) -> Optional[str]:
        """The element key the server reported (not necessarily the one asked for)."""
    @property
    def element(self) -> dict[str, Any]:
        """The response's ``element`` object (``{}`` if absent); the same dict as ``raw["element"]``."""
    @property
    def configuration(self) -> dict[str, str]:
        """The configuration the server echoed (``{}`` if none), values as text, secrets included."""
    @property
    def valid(self) -> Optional[bool]: ...
    @property
    def disabled(self) -> Optional[bool]: ...
    @property
    def raw(self) -> dict[str, Any]:
        """The whole response, in the server's order. The same dict on every access."""

@final
class Sandbox:
    """The embedded emulator of the instance API on a free loopback port, for tests.

    ``inject`` fields by kind: ``delay``: ``ms``; ``status``: ``status``, ``message``,
    ``provider_message``, ``retry_after``; ``body``: ``status``, ``body``, ``content_type``;
    ``reset`` and ``truncate``: none. After ``close()`` the properties ``url`` and the secrets
    still answer; everything else raises ``ClosedError``. Malformed faults raise ``InvalidInputError``.
    """

    def __new__(cls, *, user_secret: Optional[str] = None, organization_secret: Optional[str] = None) -> Sandbox: ...
    @property
    def url(self) -> str: ...
    @property
    def user_secret(self) -> str: ...
    @property
    def organization_secret(self) -> str: ...
    @property
    def request_count(self) -> int: ...
    def inject(self, kind: _FaultKind, *, times: int = 1, **fields: Union[str, int, float, bool, None]) -> None: ...
    def clear_faults(self) -> None: ...
    def reset(self) -> None: ...
    def instances(self) -> list[dict[str, Any]]: ...
    def requests(self) -> list[dict[str, Any]]:
        """Recorded API requests: ``method``, ``target``, ``headers`` (list of pairs), ``body`` (bytes)."""
    def close(self) -> None: ...
    def __enter__(self) -> Sandbox: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None: ...

# Exceptions. Messages and attributes never hold a secret (user or organization secret, token,
# configuration values): server text has every secret the client knows replaced by "[redacted]".
# Each attribute has a class-level default (None or ()), for exceptions made by hand, e.g. in tests.
# Exceptions the package raises have every attribute set; their `status`, `body` and `element` are
# never None.

class CloudElementsError(Exception):
    """Base class of the errors this package raises.

    Except for two kinds that stay built-in, as usual in Python: an argument of the wrong type
    raises ``TypeError`` (``OverflowError`` for an int too large for its parameter), and a
    ``Sandbox`` that cannot start raises ``OSError``.
    """

class InvalidInputError(CloudElementsError, ValueError):
    """An argument or setting is malformed (the request, the client settings, a sandbox fault).
    Nothing was sent. Text that is not valid Unicode (a lone surrogate) is one such problem."""

    problems: Sequence[str]
    """One sentence per problem, naming keys and arguments, never values (a list when raised)."""

class MissingConfigurationError(CloudElementsError, ValueError):
    """Required configuration entries are missing or empty. Nothing was sent.

    Not an ``InvalidInputError``: the request is well-formed but incomplete, and ``missing`` says
    exactly what to add. It is a ``ValueError``, like every error in the caller's input.
    """

    element: Optional[str]
    missing: Sequence[str]
    """Every missing entry, in catalog order (a list when raised)."""

class ApiError(CloudElementsError):
    """The server answered with an HTTP error status."""

    status: Optional[int]
    message: Optional[str]
    request_id: Optional[str]
    provider_message: Optional[str]
    body: Optional[str]
    """The body as received (at most 64 KiB), secrets redacted."""

class AuthenticationError(ApiError):
    """HTTP 401: the user or organization secret is wrong."""

class NotFoundError(ApiError):
    """HTTP 404: for a create, usually an unknown element key."""

class TransportError(CloudElementsError):
    """DNS, connect, TLS, reset, truncated answer. The instance may have been created."""

class TimeoutError(CloudElementsError, builtins.TimeoutError):
    """A configured timeout ran out. The instance may have been created."""

class DecodeError(CloudElementsError):
    """The server's answer is not a usable response (not JSON, no token, too large)."""

    status: Optional[int]

class ClosedError(CloudElementsError, RuntimeError):
    """The client or the sandbox was closed before this call."""
