"""`AsyncClient`: every verb as a coroutine, and an event loop that keeps serving other tasks."""

import asyncio
import json
import time
from typing import Any

import pytest

import cloud_elements as ce

CLOSEIO = {"username": "K-s3cr3t", "password": "P-s3cr3t"}


def async_client(sandbox: ce.Sandbox, **settings: Any) -> ce.AsyncClient:
    return ce.AsyncClient(
        base_url=sandbox.url, user_secret=sandbox.user_secret, organization_secret=sandbox.organization_secret, **settings
    )


def test_every_verb(sandbox: ce.Sandbox) -> None:
    async def main() -> None:
        async with async_client(sandbox) as client:
            inst = await client.create_instance("closeio", CLOSEIO, name="Sales", tags=("crm", "a"))
            assert isinstance(inst, ce.Instance) and inst.tags == ["crm", "a"]
            document = {
                "element": {"key": "closeio"},
                "configuration": CLOSEIO,
                "name": "From JSON",
                "tags": ["json"],
            }
            other = await client.create_instance_from_json(json.dumps(document))
            assert other.name == "From JSON"
            assert [i.id for i in await client.list_instances(tags=["crm"])] == [inst.id]
            assert [i.id for i in await client.list_instances(search_text="JSON")] == [other.id]
            assert await client.list_instances(tags=["nobody"]) == []
            assert (await client.get_instance(inst.id)).name == "Sales"
            updated = await client.update_instance(inst.id, name="Sales EU", tags=["eu"])
            assert (updated.name, updated.tags) == ("Sales EU", ["eu"])
            assert isinstance(await client.ping(inst.token, "crm"), dict)
            await client.disable_instance(inst.token)
            with pytest.raises(ce.PermissionDeniedError):
                await client.ping(inst.token, "crm")
            await client.enable_instance(inst.token)
            await client.ping(inst.token, "crm")
            entries = await client.instance_configuration(inst.id)
            assert {e["key"] for e in entries} >= {"password", "username", "base.url"}
            entry = await client.update_instance_configuration(inst.id, "pagination.max", 7)
            assert entry["property_value"] == "7"
            assert client.authorization_header(inst.token).endswith(f"Element {inst.token}")
            await client.delete_instance(inst.id)
            with pytest.raises(ce.NotFoundError) as caught:
                await client.get_instance(inst.id)
            assert caught.value.status == 404
            assert client.client.base_url == sandbox.url and not client.closed
        assert client.closed
        with pytest.raises(ce.ClosedError):
            await client.get_instance(other.id)
        await client.aclose()  # closing twice is fine

    asyncio.run(main())


def test_the_event_loop_keeps_serving_while_50_creates_are_in_flight(sandbox: ce.Sandbox) -> None:
    # Each create waits 1 s at the sandbox: a loop blocked by even one of them would show a 1 s gap.
    delay_ms = 1000
    sandbox.inject("delay", ms=delay_ms, times=50)

    async def main() -> None:
        ticks: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            while not done.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        async with async_client(sandbox, max_workers=50) as client:
            ticking = asyncio.create_task(ticker())
            started = time.monotonic()
            creates = [client.create_instance("closeio", CLOSEIO, name=f"n{i}") for i in range(50)]
            made = await asyncio.gather(*creates)
            elapsed = time.monotonic() - started
            done.set()
            await ticking
        assert len({inst.id for inst in made}) == 50
        # The creates ran at once (not one after another: that would take 50 s)...
        assert delay_ms / 1000 <= elapsed < 10, elapsed
        # ...and meanwhile the loop ran the ticker every few milliseconds, never blocked for long.
        during = [t for t in ticks if t <= started + elapsed]
        gaps = [b - a for a, b in zip(during, during[1:])]
        assert len(during) >= 10, len(during)
        assert max(gaps) < 0.5, max(gaps)

    asyncio.run(main())


def test_a_cancelled_create_finishes_on_its_own(sandbox: ce.Sandbox) -> None:
    sandbox.inject("delay", ms=300)

    async def main() -> None:
        async with async_client(sandbox) as client:
            task = asyncio.create_task(client.create_instance("closeio", CLOSEIO, name="Cancelled"))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        # Closing waited for the request in flight: the instance was made although the task was
        # cancelled, as documented.
        assert len(sandbox.instances()) == 1

    asyncio.run(main())


def test_errors_are_the_sync_ones(sandbox: ce.Sandbox) -> None:
    async def main() -> None:
        async with async_client(sandbox, retries=0) as client:
            with pytest.raises(ce.MissingConfigurationError):
                await client.create_instance("closeio", {}, name="x")
            with pytest.raises(TypeError):
                await client.create_instance("closeio", CLOSEIO, name="x", tags="crm")
            sandbox.inject("status", status=500)
            with pytest.raises(ce.ServerError) as caught:
                await client.create_instance("closeio", CLOSEIO, name="x")
            assert caught.value.instance_may_exist and caught.value.outcome_unknown
        with pytest.raises(ValueError):
            ce.AsyncClient(max_workers=0)

    asyncio.run(main())


def test_settings_are_the_clients() -> None:
    with pytest.raises(ce.InvalidInputError):
        ce.AsyncClient(base_url="http://127.0.0.1:1/x", user_secret="u", organization_secret="o", timeout=-1)


def test_async_client_has_every_verb_of_client_with_the_same_parameters() -> None:
    import inspect

    sync_only = {"close", "authorization_header"}
    verbs = [
        name
        for name, member in vars(ce.Client).items()
        if not name.startswith("_") and callable(member) and name not in sync_only
    ]
    assert len(verbs) == 17, verbs
    for name in verbs:
        method = getattr(ce.AsyncClient, name)
        assert inspect.iscoroutinefunction(method), name
        native = inspect.signature(getattr(ce.Client, name))
        wrapped = inspect.signature(method)
        assert list(native.parameters) == list(wrapped.parameters), name
        for parameter in list(native.parameters.values())[1:]:  # `self` is positional-only natively
            assert parameter.kind == wrapped.parameters[parameter.name].kind, (name, parameter.name)
