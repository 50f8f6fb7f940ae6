"""Idempotency keys from Python, over loopback against `ce.Sandbox()`: `idempotency_key=`,
`create_instance_outcome`, `find_instance_by_idempotency_key`, and the `AsyncClient` twins."""

import asyncio
import json

import pytest

import cloud_elements as ce

CLOSEIO = {"username": "KEY", "password": "PW"}


def client_for(sb: ce.Sandbox) -> ce.Client:
    return ce.Client(base_url=sb.url, user_secret=sb.user_secret, organization_secret=sb.organization_secret)


def posts(sb: ce.Sandbox) -> int:
    return sum(1 for r in sb.requests() if r["method"] == "POST")


def test_the_same_key_twice_gives_the_same_instance(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        assert client.find_instance_by_idempotency_key("crm-customer-42") is None
        first, outcome = client.create_instance_outcome(
            "closeio", CLOSEIO, name="Sales", tags=["t"], idempotency_key="crm-customer-42"
        )
        assert outcome == "created"
        assert "ce-provision-crm-customer-42" in first.tags and "t" in first.tags
        again, outcome = client.create_instance_outcome(
            "closeio", CLOSEIO, name="Sales", idempotency_key="crm-customer-42"
        )
        assert (again.id, again.token, outcome) == (first.id, first.token, "already_existed")
        # create_instance returns the same instance too; only one was ever posted.
        assert client.create_instance("closeio", CLOSEIO, name="Sales", idempotency_key="crm-customer-42").id == first.id
        assert posts(sandbox) == 1 and len(sandbox.instances()) == 1
        found = client.find_instance_by_idempotency_key("crm-customer-42")
        assert found is not None and found.id == first.id
        # Another key is another instance; no key is today's behaviour.
        other, outcome = client.create_instance_outcome("closeio", CLOSEIO, name="Sales", idempotency_key="k2")
        assert outcome == "created" and other.id != first.id
        _, outcome = client.create_instance_outcome("closeio", CLOSEIO, name="Sales")
        assert outcome == "created" and len(sandbox.instances()) == 3


def test_the_json_tag_is_the_key(sandbox: ce.Sandbox) -> None:
    source = {
        "element": {"key": "closeio"},
        "name": "Sales",
        "configuration": CLOSEIO,
        "tags": ["ce-provision-order-17"],
    }
    with client_for(sandbox) as client:
        first = client.create_instance_from_json(source)
        again = client.create_instance_from_json(json.dumps(source))
        assert again.id == first.id and posts(sandbox) == 1
        found = client.find_instance_by_idempotency_key("order-17")
        assert found is not None and found.id == first.id


def test_a_key_reused_for_another_element_is_refused(sandbox: ce.Sandbox) -> None:
    with client_for(sandbox) as client:
        client.create_instance("closeio", CLOSEIO, name="Sales", idempotency_key="shared")
        pardot = {"apikey.user.name": "u", "apikey.user.password": "p", "apikey.user.key": "k"}
        with pytest.raises(ce.InvalidInputError) as caught:
            client.create_instance("pardot", pardot, name="M", idempotency_key="shared")
        assert "idempotency key" in str(caught.value)
        assert posts(sandbox) == 1


@pytest.mark.parametrize("key", ["no spaces", "", "a/b", "x" * 200, "ünïcode"])
def test_an_invalid_key_is_refused_before_sending(sandbox: ce.Sandbox, key: str) -> None:
    with client_for(sandbox) as client:
        with pytest.raises(ce.InvalidInputError) as caught:
            client.create_instance("closeio", CLOSEIO, name="Sales", idempotency_key=key)
        assert "idempotency key" in str(caught.value)
        with pytest.raises(ce.InvalidInputError):
            client.find_instance_by_idempotency_key(key)
        with pytest.raises(ce.InvalidInputError):
            client.validate_request("closeio", CLOSEIO, name="Sales", idempotency_key=key)
        assert sandbox.request_count == 0


def test_the_async_twins(sandbox: ce.Sandbox) -> None:
    async def main() -> None:
        async with ce.AsyncClient(
            base_url=sandbox.url, user_secret=sandbox.user_secret, organization_secret=sandbox.organization_secret
        ) as client:
            assert await client.find_instance_by_idempotency_key("batch-1") is None
            first, outcome = await client.create_instance_outcome(
                "closeio", CLOSEIO, name="S", idempotency_key="batch-1"
            )
            assert outcome == "created"
            again = await client.create_instance("closeio", CLOSEIO, name="S", idempotency_key="batch-1")
            assert again.id == first.id
            _, outcome = await client.create_instance_outcome("closeio", CLOSEIO, name="S", idempotency_key="batch-1")
            assert outcome == "already_existed"
            found = await client.find_instance_by_idempotency_key("batch-1")
            assert found is not None and found.id == first.id
            with pytest.raises(ce.InvalidInputError):
                await client.find_instance_by_idempotency_key("bad key")

    asyncio.run(main())
    assert len(sandbox.instances()) == 1
