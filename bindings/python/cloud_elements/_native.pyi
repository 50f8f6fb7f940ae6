# Hand-kept stubs for the native module (src/python.rs); keep them in step with it. Names are checked
# by tests/test_package.py, signatures and attributes by `python -m mypy.stubtest cloud_elements`
# (scripts/test-python.sh).
import builtins
import os
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Optional, Union, final

from cloud_elements._types import ConfigurationEntry as ConfigurationEntry
from cloud_elements._types import Element as Element
from cloud_elements._types import SchemaEntry as SchemaEntry

__all__ = [
    "__version__",
    "Client",
    "Instance",
    "Sandbox",
    "Secret",
    "ConfigurationEntry",
    "Element",
    "SchemaEntry",
    "receive_oauth_code",
    "CloudElementsError",
    "InvalidInputError",
    "UnknownElementError",
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

__version__: str

_ConfigValue = Union[str, bool, int]
_FaultKind = Literal[
    "delay",
    "status",
    "body",
    "reset",
    "truncate",
    "reset_mid_body",
    "create_then_reset",
    "drip",
    "oversize",
]
_Path = Union[str, os.PathLike[str]]
_Validation = Literal["full", "offline", "off"]
_Outcome = Literal["created", "already_existed"]
# Any iterable of str but a bare str (refused at run time with TypeError).
_Tags = Iterable[str]

@final
class Client:
    """A Cloud Elements API client: settings plus one pool of kept-alive connections.

    Unset arguments fall back to ``CLOUD_ELEMENTS_BASE_URL``, ``CLOUD_ELEMENTS_USER_SECRET`` and
    ``CLOUD_ELEMENTS_ORG_SECRET``; timeouts are in seconds (defaults 60 and 10). Share one client
    between threads: calls release the GIL while they wait on the network. Raises
    ``InvalidInputError`` when a setting is missing or malformed (timeouts: above zero, at most one
    day; no ``user:password@`` in the URL).

    ``retries`` (default 2, at most 10; 0 never retries) counts the resends of a create that
    certainly made nothing (no connection, 429, 503); ``backoff`` and ``max_backoff`` (seconds,
    defaults 0.5 and 8) space them, doubling with jitter; a server's ``Retry-After`` replaces the
    backoff up to 60 s, a longer one raises ``RateLimitedError`` at once. ``idempotent=True`` tags
    each create and, after an ambiguous failure, looks the instance up before sending again.
    ``allow_insecure_http`` permits plain ``http://`` to a host that is not loopback.
    ``ca_bundle`` is a PEM file of extra CAs to trust (else ``CLOUD_ELEMENTS_CA_BUNDLE``).
    ``max_response_bytes`` caps the body read (default 10 MB). ``validation`` says what is checked
    before a create is sent: ``"full"`` (the default: built-in elements offline, any other
    element against its definition, fetched once and cached; an unknown key raises
    ``UnknownElementError``), ``"offline"`` (built-in elements only, nothing fetched) or ``"off"``
    (the server decides). ``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY`` and ``NO_PROXY`` are read once, here; loopback never goes through a proxy.
    """

    def __new__(
        cls,
        *,
        user_secret: Optional[str] = None,
        organization_secret: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        retries: Optional[int] = None,
        backoff: Optional[float] = None,
        max_backoff: Optional[float] = None,
        idempotent: bool = False,
        allow_insecure_http: bool = False,
        ca_bundle: Optional[_Path] = None,
        max_response_bytes: Optional[int] = None,
        validation: Optional[_Validation] = None,
    ) -> Client: ...
    def create_instance(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[_Tags] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Instance:
        """Provisions an instance (``POST /instances``).

        ``bool`` values are sent as ``"true"``/``"false"``, ``int`` as decimal text; ``tags`` is
        any sequence of ``str`` (a bare ``str`` raises ``TypeError``); ``oauth_code`` is the code
        an OAuth element's provider redirected with. The request is checked first (by the
        ``validation`` mode) and nothing is sent unless it passes (``InvalidInputError``,
        ``UnknownElementError``, ``MissingConfigurationError``).

        ``idempotency_key`` (letters, digits, ``.``, ``_``, ``-``; else ``InvalidInputError``)
        names this create across runs: it is sent as the tag ``ce-provision-<key>``, and an
        instance already carrying it is returned instead of creating a second one
        (``create_instance_outcome`` tells the two apart). It is sent again only when it certainly
        created nothing (see ``retries``), or, with a key or ``idempotent=True``, after a lookup
        found no instance. When an error's ``instance_may_exist`` is true, the instance may
        nevertheless exist.
        """
    def create_instance_outcome(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[_Tags] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> tuple[Instance, _Outcome]:
        """``create_instance``, saying how it came by the instance: ``"created"`` by this call, or
        ``"already_existed"`` (an instance with the ``idempotency_key`` existed; nothing was
        created)."""
    def validate_request(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[_Tags] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> None:
        """Checks a create as ``create_instance`` does before sending it, creating nothing (by the
        ``validation`` mode: may fetch the element's definition). Raises what the create would."""
    def find_instance_by_idempotency_key(self, key: str) -> Optional[Instance]:
        """The instance created with ``idempotency_key=key``, or ``None``. A malformed key raises
        ``InvalidInputError``."""
    def create_instance_from_json(self, source: Union[str, Mapping[str, Any]]) -> Instance:
        """Provisions an instance from the platform's instance JSON (``instance.json``): the text,
        or a dict of that shape (``element.key``, ``name``, ``configuration``, ``tags``,
        ``providerData``). Unknown fields and wrong types raise ``InvalidInputError``."""
    def list_instances(self, *, tags: Optional[_Tags] = None, search_text: Optional[str] = None) -> list[Instance]:
        """Instances carrying every tag in ``tags`` whose name contains ``search_text``; ``[]``
        when nothing matches."""
    def get_instance(self, id: int) -> Instance:
        """One instance; an unknown (or deleted) id raises ``NotFoundError``."""
    def update_instance(
        self,
        id: int,
        *,
        name: Optional[str] = None,
        tags: Optional[_Tags] = None,
        configuration: Optional[Mapping[str, _ConfigValue]] = None,
        oauth_code: Optional[str] = None,
    ) -> Instance:
        """Changes what is given (``PATCH /instances/{id}``): tags are replaced, not merged; an
        ``oauth_code`` re-authenticates the instance. Nothing given raises ``InvalidInputError``."""
    def delete_instance(self, id: int) -> None:
        """Deletes an instance."""
    def enable_instance(self, token: str) -> None:
        """Enables the instance whose token is ``token``."""
    def disable_instance(self, token: str) -> None:
        """Disables the instance whose token is ``token``; its calls (``ping``) then raise
        ``PermissionDeniedError`` until it is enabled again."""
    def ping(self, token: str, hub: str) -> Any:
        """The platform's health check of one instance, as JSON. Disabled: ``PermissionDeniedError``;
        deleted (unknown token): ``AuthenticationError``; not the element's hub: ``NotFoundError``."""
    def instance_configuration(self, id: int) -> list[ConfigurationEntry]:
        """The configuration entries of an instance, secret ones as ``Secret`` (as the server
        sent them: masked, ``********``), the others as ``str``."""
    def update_instance_configuration(self, id: int, key: str, value: _ConfigValue) -> ConfigurationEntry:
        """Changes one configuration entry; a key the instance does not have raises
        ``InvalidInputError`` and changes nothing. Returns the entry as the server answers it."""
    def element(self, key: str) -> Element:
        """An element's definition (``GET /elements/{key}``), with the platform's camelCase keys.
        An unknown key raises ``UnknownElementError`` (with ``suggestions``)."""
    def element_configuration(self, key: str) -> list[SchemaEntry]:
        """An element's configuration schema (``GET /elements/{key}/configuration``). An unknown
        key raises ``UnknownElementError``."""
    def oauth_url(
        self,
        element_key: str,
        *,
        api_key: str,
        api_secret: str,
        callback_url: str,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        site_address: Optional[str] = None,
    ) -> str:
        """The provider's authorization URL of an OAuth element, to open in the user's browser; it
        redirects to ``callback_url`` with the code (``receive_oauth_code``). The API secret never
        appears in an error. An element without OAuth raises ``BadRequestError``; an unknown key
        ``UnknownElementError``; an empty argument or a callback URL that is not http(s)
        ``InvalidInputError``."""
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
    @property
    def validation(self) -> _Validation: ...
    def __enter__(self) -> Client: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None: ...

def receive_oauth_code(callback_url: str, *, state: Optional[str], timeout: float) -> str:
    """Waits on ``callback_url`` (a loopback ``http://`` URL with an explicit port) for the OAuth
    provider's redirect and returns its code; the browser gets a short page back. The redirect's
    ``state`` must equal ``state`` (``None`` only for a provider that sends none). The GIL is
    released while waiting (run it on a thread, or ``asyncio.to_thread``, while the browser goes to
    the provider). Raises ``InvalidInputError`` (a malformed URL, a missing or wrong state, the
    provider's error instead of a code), ``TimeoutError`` of kind ``"redirect"`` after ``timeout``
    seconds, ``TransportError`` when the port is busy."""

@final
class Instance:
    """A provisioned instance, as the server described it. ``repr()`` hides the token.

    Built from the core's decoded answer; ``configuration``, ``tags``, ``raw`` and ``element`` are
    converted on first access (the same object on every later one), so a caller that reads only
    ``id`` and ``token`` pays for no dict."""

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
        """The response's ``element`` object (``{}`` if absent); the same dict as ``raw["element"]``
        (both converted on first access)."""
    @property
    def configuration(self) -> dict[str, Union[str, Secret]]:
        """The configuration the server echoed (``{}`` if none). Entries that are secrets (a
        ``PASSWORD`` in the element's schema, or a key or name saying password, secret, token,
        key or code) are ``Secret``s, ``get_secret_value()`` giving the text; the others are
        plain ``str``."""
    @property
    def tags(self) -> list[str]:
        """The instance's tags (``[]`` if the server did not say)."""
    @property
    def valid(self) -> Optional[bool]: ...
    @property
    def disabled(self) -> Optional[bool]: ...
    @property
    def raw(self) -> dict[str, Any]:
        """The whole response, in the server's order, converted on first access (the instance is
        built from the core's decoded fields). The same dict on every access."""

@final
class Secret:
    """A secret text (pydantic's ``SecretStr`` convention): prints as ``Secret('**********')``,
    equals only a ``Secret`` with the same text, refuses to be pickled, and gives its text through
    ``get_secret_value()`` alone."""

    def __new__(cls, value: str) -> Secret: ...
    def get_secret_value(self) -> str:
        """The secret text."""
    def __len__(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Sandbox:
    """The embedded emulator of the instance API on a free loopback port, for tests.

    ``inject`` fields by kind: ``delay``: ``ms``; ``status``: ``status``, ``message``,
    ``provider_message``, ``retry_after``; ``body``: ``status``, ``body``, ``content_type``,
    ``body_hex``; ``drip``: ``ms``; ``oversize``: ``bytes``; ``reset``, ``truncate``,
    ``reset_mid_body`` and ``create_then_reset``: none. Every kind also takes ``every`` (every
    n-th matching request) and ``method`` (only requests with this method). After ``close()`` the
    properties ``url``, the secrets and ``ca_certificate_pem`` still answer; everything else raises
    ``ClosedError``. Malformed faults raise ``InvalidInputError``.

    With ``tls=True`` it serves HTTPS with a certificate for ``localhost``, ``127.0.0.1``, ``::1``
    and ``cloud-elements-sandbox.test``, signed by a CA made at start (``ca_certificate_pem``).

    ``elements``: a path (or a sequence of them) to JSON element definitions, in the platform's
    element format (one definition or an array, or a folder of ``*.json`` files), served besides
    the built-in ``closeio``, ``pardot`` and ``clover``. A file that cannot be read or is not valid
    element definitions raises ``InvalidInputError`` (a ``ValueError``) naming the file.
    """

    def __new__(
        cls,
        *,
        user_secret: Optional[str] = None,
        organization_secret: Optional[str] = None,
        tls: bool = False,
        elements: Union[_Path, Sequence[_Path], None] = None,
    ) -> Sandbox: ...
    @property
    def ca_certificate_pem(self) -> Optional[str]:
        """With ``tls=True``: the PEM certificate of the sandbox's test CA (``None`` otherwise)."""
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

# Exceptions, defined in cloud_elements/_errors.py (re-exported here). Messages and attributes
# never hold a secret (user or organization secret, token, configuration values): server text has
# every secret the client knows replaced by "[redacted]". Each attribute has a class-level default,
# for exceptions made by hand, e.g. in tests. Exceptions the package raises have every attribute set.

class CloudElementsError(Exception):
    """Base class of the errors this package raises.

    Except for two kinds that stay built-in, as usual in Python: an argument of the wrong type
    raises ``TypeError`` (``OverflowError`` for an int too large for its parameter), and a
    ``Sandbox`` that cannot start raises ``OSError``.
    """

    instance_may_exist: bool
    """Whether a failed create may nevertheless have made the instance (the request was sent and
    the answer was lost or does not say): look before creating again. ``False`` by default."""
    outcome_unknown: bool
    """Whether the failed request may nevertheless have taken effect (any verb that changes
    something). ``False`` by default and for reads."""

class InvalidInputError(CloudElementsError, ValueError):
    """An argument or setting is malformed (the request, the client settings, a sandbox fault or
    element file). Nothing was sent. Text that is not valid Unicode (a lone surrogate) is one
    such problem."""

    problems: Sequence[str]
    """One sentence per problem, naming keys and arguments, never values (a list when raised)."""

class UnknownElementError(InvalidInputError):
    """No element has this key (the platform's element list does not name it). Nothing was
    created."""

    key: Optional[str]
    """The key asked for."""
    suggestions: Sequence[str]
    """The closest known keys, closest first (a list when raised, possibly empty)."""

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

    status: int
    """The HTTP status (by hand: the class's own, 0 for ``ApiError`` itself)."""
    message: Optional[str]
    request_id: Optional[str]
    provider_message: Optional[str]
    body: Optional[str]
    """The body as received (at most 64 KiB), secrets redacted."""
    retry_after: Optional[float]
    """The server's ``Retry-After`` in seconds (from a number or an HTTP date), if it sent one."""

class BadRequestError(ApiError):
    """HTTP 400: the server refused the request as malformed."""

class AuthenticationError(ApiError):
    """HTTP 401: the user or organization secret is wrong, or an instance token is unknown."""

class PermissionDeniedError(ApiError):
    """HTTP 403: not allowed, e.g. a call on a disabled instance."""

class NotFoundError(ApiError):
    """HTTP 404: no such instance, or, for a create, an unknown element key."""

class ConflictError(ApiError):
    """HTTP 409: the request conflicts with the current state."""

class RateLimitedError(ApiError):
    """HTTP 429 (or 503 with Retry-After): the server asks to wait longer than the client's
    retries would; ``retry_after`` says how long. Nothing was created."""

class ServerError(ApiError):
    """HTTP 5xx (503 with Retry-After is a ``RateLimitedError``). After a 500 or 502 the request
    may have taken effect (``outcome_unknown``)."""

class TransportError(CloudElementsError):
    """DNS, connect, TLS, proxy, reset, truncated answer. After a reset or a truncated answer
    the request may have taken effect (``outcome_unknown``)."""

    kind: Optional[str]
    """The core's kind: ``"dns"``, ``"connect"``, ``"tls"``, ``"proxy"``, ``"reset"``,
    ``"protocol"`` or ``"io"``."""

class TimeoutError(CloudElementsError, builtins.TimeoutError):
    """A configured timeout ran out. After the overall timeout the request may have taken effect
    (``outcome_unknown``); after the connect timeout nothing was sent."""

    kind: Optional[str]
    """``"connect"``, ``"overall"``, or ``"redirect"`` (no OAuth redirect reached the callback URL in time)."""
    limit: Optional[float]
    """The timeout that ran out, in seconds."""

class DecodeError(CloudElementsError):
    """The server's answer is not a usable response (not JSON, not UTF-8, no token, an empty
    token, larger than ``max_response_bytes``)."""

    status: Optional[int]

class ClosedError(CloudElementsError, RuntimeError):
    """The client or the sandbox was closed before this call."""
