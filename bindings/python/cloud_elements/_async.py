"""``AsyncClient``: the ``Client`` for asyncio, its blocking calls run on a thread pool."""

import asyncio
import functools
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Callable, Literal, Optional, TypeVar, Union

from ._native import Client, Instance
from ._types import ConfigurationEntry, Element, SchemaEntry

__all__ = ["AsyncClient"]

_T = TypeVar("_T")
_ConfigValue = Union[str, bool, int]



class AsyncClient:
    """A ``Client`` for asyncio services (FastAPI and the like): the same methods, as coroutines.

    Takes the same keyword arguments as ``Client``, plus ``max_workers`` (default 32): each call
    runs the blocking core on a thread of the client's own pool, with the GIL released while it
    waits on the network, so the event loop keeps serving other tasks. At most ``max_workers``
    calls are in flight at once; more wait for a thread.

    Cancellation: cancelling a task that awaits a call does not stop the request in flight: it
    finishes or times out on its own (``timeout``), on its thread. A cancelled create may
    therefore have made the instance (look for it, e.g. by tag, before creating again); a
    cancelled update, delete, enable or disable may have taken effect.

    ``async with AsyncClient(...) as client:`` closes it on exit; ``await client.aclose()``
    otherwise. Closing waits for calls in flight, then releases the connections and the threads.
    """

    def __init__(
        self,
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
        ca_bundle: Optional[Union[str, "os.PathLike[str]"]] = None,
        max_response_bytes: Optional[int] = None,
        validation: Optional[Literal["full", "offline", "off"]] = None,
        max_workers: int = 32,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._client = Client(
            user_secret=user_secret,
            organization_secret=organization_secret,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
            idempotent=idempotent,
            allow_insecure_http=allow_insecure_http,
            ca_bundle=ca_bundle,
            max_response_bytes=max_response_bytes,
            validation=validation,
        )
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="cloud-elements")

    @property
    def client(self) -> Client:
        """The blocking ``Client`` the calls go through (its settings: ``base_url``, ``timeout``...)."""
        return self._client

    @property
    def closed(self) -> bool:
        return self._client.closed

    @property
    def validation(self) -> Literal["full", "offline", "off"]:
        """The validation mode: ``"full"``, ``"offline"`` or ``"off"``."""
        return self._client.validation

    async def _run(self, call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        if self._client.closed:
            # No I/O: the native call raises ClosedError at once (the pool is gone).
            return call(*args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    async def create_instance(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[Iterable[str]] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Instance:
        """``Client.create_instance``. If the awaiting task is cancelled, the instance may exist
        (with an ``idempotency_key``, creating again with the same key returns it)."""
        return await self._run(
            self._client.create_instance,
            element_key,
            configuration,
            name=name,
            tags=tags,
            oauth_code=oauth_code,
            idempotency_key=idempotency_key,
        )

    async def create_instance_outcome(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[Iterable[str]] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> tuple[Instance, Literal["created", "already_existed"]]:
        """``Client.create_instance_outcome``."""
        return await self._run(
            self._client.create_instance_outcome,
            element_key,
            configuration,
            name=name,
            tags=tags,
            oauth_code=oauth_code,
            idempotency_key=idempotency_key,
        )

    async def validate_request(
        self,
        element_key: str,
        configuration: Mapping[str, _ConfigValue],
        *,
        name: str,
        tags: Optional[Iterable[str]] = None,
        oauth_code: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> None:
        """``Client.validate_request``."""
        await self._run(
            self._client.validate_request,
            element_key,
            configuration,
            name=name,
            tags=tags,
            oauth_code=oauth_code,
            idempotency_key=idempotency_key,
        )

    async def find_instance_by_idempotency_key(self, key: str) -> Optional[Instance]:
        """``Client.find_instance_by_idempotency_key``."""
        return await self._run(self._client.find_instance_by_idempotency_key, key)

    async def create_instance_from_json(self, source: Union[str, Mapping[str, Any]]) -> Instance:
        """``Client.create_instance_from_json``."""
        return await self._run(self._client.create_instance_from_json, source)

    async def list_instances(
        self, *, tags: Optional[Iterable[str]] = None, search_text: Optional[str] = None
    ) -> list[Instance]:
        """``Client.list_instances``."""
        return await self._run(self._client.list_instances, tags=tags, search_text=search_text)

    async def get_instance(self, id: int) -> Instance:
        """``Client.get_instance``."""
        return await self._run(self._client.get_instance, id)

    async def update_instance(
        self,
        id: int,
        *,
        name: Optional[str] = None,
        tags: Optional[Iterable[str]] = None,
        configuration: Optional[Mapping[str, _ConfigValue]] = None,
        oauth_code: Optional[str] = None,
    ) -> Instance:
        """``Client.update_instance``."""
        return await self._run(
            self._client.update_instance, id, name=name, tags=tags, configuration=configuration, oauth_code=oauth_code
        )

    async def delete_instance(self, id: int) -> None:
        """``Client.delete_instance``."""
        await self._run(self._client.delete_instance, id)

    async def enable_instance(self, token: str) -> None:
        """``Client.enable_instance``."""
        await self._run(self._client.enable_instance, token)

    async def disable_instance(self, token: str) -> None:
        """``Client.disable_instance``."""
        await self._run(self._client.disable_instance, token)

    async def ping(self, token: str, hub: str) -> Any:
        """``Client.ping``."""
        return await self._run(self._client.ping, token, hub)

    async def instance_configuration(self, id: int) -> list[ConfigurationEntry]:
        """``Client.instance_configuration``."""
        return await self._run(self._client.instance_configuration, id)

    async def update_instance_configuration(self, id: int, key: str, value: _ConfigValue) -> ConfigurationEntry:
        """``Client.update_instance_configuration``."""
        return await self._run(self._client.update_instance_configuration, id, key, value)

    async def element(self, key: str) -> Element:
        """``Client.element``."""
        return await self._run(self._client.element, key)

    async def element_configuration(self, key: str) -> list[SchemaEntry]:
        """``Client.element_configuration``."""
        return await self._run(self._client.element_configuration, key)

    async def oauth_url(
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
        """``Client.oauth_url``."""
        return await self._run(
            self._client.oauth_url,
            element_key,
            api_key=api_key,
            api_secret=api_secret,
            callback_url=callback_url,
            scope=scope,
            state=state,
            site_address=site_address,
        )

    def authorization_header(self, token: str) -> str:
        """``Client.authorization_header`` (no I/O, so not a coroutine)."""
        return self._client.authorization_header(token)

    async def aclose(self) -> None:
        """Closes: later calls raise ``ClosedError``; waits (off the event loop) for calls in flight
        to finish. Closing twice is fine."""
        self._client.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, functools.partial(self._executor.shutdown, wait=True))

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return "Async" + repr(self._client)
