"""The exceptions of ``cloud_elements``, defined once, here; the native module imports them.

Every attribute has a class-level default, so an exception made by hand (``ApiError("boom")`` in
a user's test, say) answers it too. The package sets every attribute on what it raises.
Import them from ``cloud_elements``.
"""

import builtins
from typing import Optional, Sequence

__all__ = [
    "CloudElementsError",
    "InvalidInputError",
    "MissingConfigurationError",
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "TimeoutError",
    "DecodeError",
    "ClosedError",
]

_PACKAGE = "cloud_elements"


class CloudElementsError(Exception):
    """Base class of the errors this package raises.

    Except for two kinds that stay built-in, as usual in Python: an argument of the wrong type
    raises ``TypeError`` (``OverflowError`` for an int too large for its parameter), and a
    ``Sandbox`` that cannot start raises ``OSError``.

    ``outcome_unknown``: the request was sent and its answer was lost, does not say (a 500, 502)
    or could not be read, so it may have taken effect (a create may have made the instance, a
    delete may have deleted it). ``instance_may_exist``: the core's name for the same flag, which
    matters most for a create: look before creating again. Both ``False`` by default.
    """

    __module__ = _PACKAGE
    instance_may_exist: bool = False
    outcome_unknown: bool = False


class InvalidInputError(CloudElementsError, ValueError):
    """An argument or setting is malformed (the request, the client settings, a sandbox fault or
    element file). Nothing was sent. ``problems``: one sentence per problem, naming keys and
    arguments, never values (a list when raised)."""

    __module__ = _PACKAGE
    problems: Sequence[str] = ()


class UnknownElementError(InvalidInputError):
    """No element has this key: ``key``, and ``suggestions``, the closest known keys (a list when
    raised, possibly empty). Nothing was created."""

    __module__ = _PACKAGE
    key: Optional[str] = None
    suggestions: Sequence[str] = ()


class MissingConfigurationError(CloudElementsError, ValueError):
    """Required configuration entries are missing or empty. Nothing was sent. ``element``: the
    element key; ``missing``: every missing entry, in catalog order (a list when raised)."""

    __module__ = _PACKAGE
    element: Optional[str] = None
    missing: Sequence[str] = ()


class ApiError(CloudElementsError):
    """The server answered with an HTTP error status. ``status`` (an ``int``; the class's own
    status for an exception made by hand, 0 for ``ApiError`` itself), ``message``, ``request_id``,
    ``provider_message`` (``None`` when the server did not say), ``body`` (secrets redacted),
    ``retry_after`` (the server's ``Retry-After`` in seconds, or ``None``)."""

    __module__ = _PACKAGE
    status: int = 0
    message: Optional[str] = None
    request_id: Optional[str] = None
    provider_message: Optional[str] = None
    body: Optional[str] = None
    retry_after: Optional[float] = None


class BadRequestError(ApiError):
    """HTTP 400: the server refused the request as malformed (a value it does not accept, say)."""

    __module__ = _PACKAGE
    status: int = 400


class AuthenticationError(ApiError):
    """HTTP 401: the user or organization secret is wrong (or, for a call made with an instance
    token, the token is unknown: the instance was deleted)."""

    __module__ = _PACKAGE
    status: int = 401


class PermissionDeniedError(ApiError):
    """HTTP 403: not allowed, e.g. a call on a disabled instance."""

    __module__ = _PACKAGE
    status: int = 403


class NotFoundError(ApiError):
    """HTTP 404: no such instance, or, for a create, an unknown element key."""

    __module__ = _PACKAGE
    status: int = 404


class ConflictError(ApiError):
    """HTTP 409: the request conflicts with the current state (a duplicate, say)."""

    __module__ = _PACKAGE
    status: int = 409


class RateLimitedError(ApiError):
    """HTTP 429 (or 503 with Retry-After): the server asks to wait longer than the client's
    retries would; ``retry_after`` says how long. Nothing was created."""

    __module__ = _PACKAGE
    status: int = 429


class ServerError(ApiError):
    """HTTP 5xx (but 503 with Retry-After, a ``RateLimitedError``): the server failed. After a
    500 or 502 the request may have taken effect (``outcome_unknown``)."""

    __module__ = _PACKAGE
    status: int = 500


class TransportError(CloudElementsError):
    """The exchange failed below HTTP. ``kind``, the core's: ``"dns"``, ``"connect"``, ``"tls"``,
    ``"proxy"``, ``"reset"``, ``"protocol"`` or ``"io"``. After a reset or a truncated answer the
    request may have taken effect (``outcome_unknown``)."""

    __module__ = _PACKAGE
    kind: Optional[str] = None


class TimeoutError(CloudElementsError, builtins.TimeoutError):
    """A configured timeout ran out; also the built-in ``TimeoutError``. ``kind``: ``"connect"``
    (nothing was sent), ``"overall"`` (the request may have taken effect) or ``"redirect"`` (no
    OAuth redirect reached the callback URL in time); ``limit``: the configured timeout in
    seconds."""

    __module__ = _PACKAGE
    kind: Optional[str] = None
    limit: Optional[float] = None


class DecodeError(CloudElementsError):
    """The server's answer is not a usable response (not JSON, not UTF-8, no token, an empty
    token, larger than ``max_response_bytes``). ``status``: its HTTP status."""

    __module__ = _PACKAGE
    status: Optional[int] = None


class ClosedError(CloudElementsError, RuntimeError):
    """The client or the sandbox was closed before this call; also a ``RuntimeError``."""

    __module__ = _PACKAGE
