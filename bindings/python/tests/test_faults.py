"""Every fault of the reliability issue, through the Python surface, over real loopback sockets.

Each one raises the right exception class with a useful, bounded message, says whether the instance
may exist, and never takes longer than the configured timeout plus one second. Also: which failures
are retried, idempotent provisioning, TLS trust, plain http, and HTTPS_PROXY/NO_PROXY through a
CONNECT proxy run here. The Rust version of this matrix is tests/faults.rs.
"""

import base64
import builtins
import email.utils
import pathlib
import time

import pytest
from _faultkit import TLS_TEST_HOST, Blackhole, ConnectProxy, free_port

import cloud_elements as ce

CLOSEIO = {"username": "MY_KEY", "password": "MY_PW"}
# Fast backoff, so that retries don't slow the suite.
FAST = dict(backoff=0.02, max_backoff=0.1)


def create_err(client, limit, cls=ce.CloudElementsError, name="faulty"):
    """Runs a failing create; checks the class, the message's length and the elapsed time."""
    started = time.monotonic()
    with pytest.raises(cls) as caught:
        client.create_instance("closeio", CLOSEIO, name=name)
    elapsed = time.monotonic() - started
    e = caught.value
    assert elapsed < limit + 1.0, f"took {elapsed:.2f} s for {e!r}"
    text = str(e)
    assert text and len(text) < 1200, f"message of {len(text)} characters: {text}"
    assert isinstance(e, ce.CloudElementsError)
    assert isinstance(e.instance_may_exist, bool)
    return e, elapsed


@pytest.fixture
def fast_client(sandbox):
    """Clients for the sandbox with fast backoff; keyword arguments override."""

    def make(**kwargs):
        settings = dict(
            base_url=sandbox.url,
            user_secret=sandbox.user_secret,
            organization_secret=sandbox.organization_secret,
            **FAST,
        )
        settings.update(kwargs)
        return ce.Client(**settings)

    return make


def remote_client(url, **kwargs):
    return ce.Client(base_url=url, user_secret="u", organization_secret="o", **{**FAST, **kwargs})


# Connections that fail before anything is sent -------------------------------------------------


def test_connection_refused_is_a_transport_error_after_the_retries():
    client = remote_client(f"http://127.0.0.1:{free_port()}/elements/api-v2", timeout=5)
    e, _ = create_err(client, 5, ce.TransportError)
    assert "could not connect" in str(e)
    assert e.instance_may_exist is False


def test_unknown_host_is_a_dns_error():
    # `.invalid` never resolves (RFC 6761). Without a resolver at all, the lookup may time out.
    client = remote_client("https://no-such-host.invalid/elements/api-v2", retries=0, timeout=10)
    e, _ = create_err(client, 10, (ce.TransportError, ce.TimeoutError))
    if isinstance(e, ce.TransportError):
        assert "could not be resolved" in str(e), str(e)
    assert e.instance_may_exist is False


@pytest.fixture
def blackhole():
    with Blackhole() as hole:
        yield hole


def test_a_connect_that_never_completes_hits_the_connect_timeout(blackhole):
    client = remote_client(
        f"http://127.0.0.1:{blackhole.port}/elements/api-v2",
        connect_timeout=0.3,
        timeout=2,
        retries=1,
        backoff=0.02,
        max_backoff=0.02,
    )
    e, elapsed = create_err(client, 2, ce.TimeoutError)
    assert isinstance(e, builtins.TimeoutError)
    assert "connecting to the server took longer than 300 ms" in str(e), str(e)
    assert e.instance_may_exist is False
    # Nothing was sent, so it was retried once: two connect timeouts.
    assert elapsed >= 0.6, elapsed


def test_plain_http_to_a_remote_host_is_refused_unless_allowed():
    url = "http://192.0.2.1/elements/api-v2"  # a documentation address: nothing answers
    quick = dict(connect_timeout=0.2, timeout=0.5, retries=0)
    e, elapsed = create_err(remote_client(url, **quick), 0.5, ce.InvalidInputError)
    assert isinstance(e, ValueError)
    assert "refusing to send the secrets over plain http://" in str(e), str(e)
    assert elapsed < 0.1, "nothing was sent"
    # Allowed explicitly, it tries (and fails to connect).
    e, _ = create_err(remote_client(url, allow_insecure_http=True, **quick), 0.5)
    assert not isinstance(e, ce.InvalidInputError), repr(e)
    assert isinstance(e, (ce.TimeoutError, ce.TransportError)), repr(e)
    assert e.instance_may_exist is False


# Timeouts after the request was sent -------------------------------------------------------------


def test_delay_past_the_overall_timeout(sandbox, fast_client):
    sandbox.inject("delay", ms=3000)
    e, _ = create_err(fast_client(timeout=0.5), 0.5, ce.TimeoutError)
    assert isinstance(e, builtins.TimeoutError)
    assert "the request took longer than 500 ms" in str(e), str(e)
    assert "may have been created" in str(e)
    assert e.instance_may_exist is True
    assert sandbox.request_count == 1, "never resent blindly"


def test_delay_past_the_connect_timeout_is_not_a_connect_timeout(sandbox, fast_client):
    # The connect timeout covers connecting only; a slow answer is bounded by the overall timeout.
    sandbox.inject("delay", ms=600)
    started = time.monotonic()
    inst = fast_client(connect_timeout=0.2, timeout=5).create_instance("closeio", CLOSEIO, name="slow")
    assert 0.55 <= time.monotonic() - started < 5
    assert inst.name == "slow" and sandbox.request_count == 1


def test_a_body_that_drips_one_byte_a_second_times_out(sandbox, fast_client):
    sandbox.inject("drip", ms=1000)
    e, _ = create_err(fast_client(timeout=1.5), 1.5, ce.TimeoutError)
    assert "took longer than 1500 ms" in str(e), str(e)
    assert e.instance_may_exist is True


# Lost and short answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["reset", "create_then_reset", "reset_mid_body", "truncate"])
def test_resets_and_short_bodies_are_transport_errors_that_may_have_created(sandbox, fast_client, fault):
    client = fast_client(timeout=5)
    sandbox.inject(fault)
    e, _ = create_err(client, 5, ce.TransportError)
    assert e.instance_may_exist is True, fault
    assert "may have been created" in str(e), str(e)
    assert sandbox.request_count == 1, "never resent blindly"
    # The client recovers: the broken connection is not reused.
    assert client.create_instance("closeio", CLOSEIO, name="after").name == "after"


# What the server said -----------------------------------------------------------------------------


def test_500_says_the_instance_may_exist_and_is_not_resent(sandbox, fast_client):
    sandbox.inject("status", status=500)
    e, _ = create_err(fast_client(timeout=5), 5, ce.ApiError)
    assert type(e) is ce.ServerError
    assert (e.status, e.retry_after) == (500, None)
    assert e.instance_may_exist is True
    assert str(e).startswith("HTTP 500: Internal Server Error"), str(e)
    assert str(e).endswith("the instance may have been created"), str(e)
    assert e.request_id and e.request_id in str(e)
    assert sandbox.request_count == 1


def test_502_with_provider_message(sandbox, fast_client):
    sandbox.inject("status", status=502, message="Bad Gateway", provider_message="Close.io is down")
    e, _ = create_err(fast_client(timeout=5), 5, ce.ApiError)
    assert type(e) is ce.ServerError
    assert (e.status, e.message, e.provider_message) == (502, "Bad Gateway", "Close.io is down")
    assert "(provider: Close.io is down)" in str(e), str(e)
    assert e.instance_may_exist is True
    assert sandbox.request_count == 1


def test_long_server_messages_are_cut_to_a_sane_length(sandbox, fast_client):
    sandbox.inject("status", status=502, message="m" * 10_000, provider_message="p" * 10_000)
    e, _ = create_err(fast_client(timeout=5), 5, ce.ApiError)
    assert e.message.startswith("mmm") and len(e.message) <= 201, len(e.message)
    assert e.provider_message.startswith("ppp") and len(e.provider_message) <= 201
    assert 10_000 < len(e.body) <= 64 * 1024


def test_an_html_error_page_from_a_proxy(sandbox, fast_client):
    page = "<html><body><h1>502 Bad Gateway</h1>" + "x" * 5000 + "</body></html>"
    sandbox.inject("body", status=502, content_type="text/html", body=page)
    e, _ = create_err(fast_client(timeout=5), 5, ce.ApiError)
    assert type(e) is ce.ServerError and e.status == 502
    assert e.message is None and e.provider_message is None
    assert "<html><body><h1>502 Bad Gateway" in str(e), str(e)
    assert len(str(e)) < 400, str(e)
    assert e.body == page
    assert sandbox.request_count == 1


# Retries -----------------------------------------------------------------------------------------


def test_503_with_retry_after_in_seconds_is_waited_for(sandbox, fast_client):
    sandbox.inject("status", status=503, retry_after="1")
    started = time.monotonic()
    inst = fast_client(timeout=10).create_instance("closeio", CLOSEIO, name="after 503")
    assert time.monotonic() - started >= 0.95
    assert inst.name == "after 503"
    assert sandbox.request_count == 2
    assert len(sandbox.instances()) == 1


def test_429_with_retry_after_as_an_http_date_is_waited_for(sandbox, fast_client):
    # Two seconds ahead, in whole seconds: between 1 and 2 s of waiting.
    sandbox.inject("status", status=429, retry_after=email.utils.formatdate(time.time() + 2, usegmt=True))
    started = time.monotonic()
    inst = fast_client(timeout=10).create_instance("closeio", CLOSEIO, name="after 429")
    assert time.monotonic() - started >= 0.9
    assert inst.name == "after 429"
    assert sandbox.request_count == 2
    assert len(sandbox.instances()) == 1


def test_503_without_retry_after_is_retried_with_backoff_then_raised(sandbox, fast_client):
    sandbox.inject("status", status=503, times=5)
    e, _ = create_err(fast_client(timeout=10), 10, ce.ApiError)
    assert type(e) is ce.ServerError and e.status == 503 and e.retry_after is None
    assert e.instance_may_exist is False
    assert sandbox.request_count == 3, "the first attempt and two retries (the default)"


@pytest.mark.parametrize("retries", [0, 1, 4])
def test_the_retry_count_is_settable(sandbox, fast_client, retries):
    sandbox.inject("status", status=503, times=10)
    create_err(fast_client(timeout=10, retries=retries), 10, ce.ApiError)
    assert sandbox.request_count == retries + 1


def test_a_long_retry_after_raises_rate_limited_at_once(sandbox, fast_client):
    client = fast_client(timeout=10)
    sandbox.inject("status", status=429, retry_after="120")
    e, elapsed = create_err(client, 10, ce.RateLimitedError)
    assert isinstance(e, ce.ApiError)
    assert (e.status, e.retry_after) == (429, 120.0)
    assert "retry after 120 s" in str(e), str(e)
    assert e.instance_may_exist is False
    assert elapsed < 1, elapsed
    assert sandbox.request_count == 1

    # A Retry-After within the 60 s cap but past the call's timeout: not waited for either.
    sandbox.inject("status", status=503, retry_after="30")
    e, elapsed = create_err(client, 10, ce.RateLimitedError)
    assert (e.status, e.retry_after) == (503, 30.0)
    assert elapsed < 1, elapsed


def test_retries_can_be_turned_off(sandbox, fast_client):
    sandbox.inject("status", status=503, retry_after="1")
    e, elapsed = create_err(fast_client(timeout=10, retries=0), 10, ce.RateLimitedError)
    assert (e.status, e.retry_after) == (503, 1.0)
    assert elapsed < 0.9, "not waited for"
    assert sandbox.request_count == 1


def test_retries_never_outlast_the_overall_timeout(sandbox, fast_client):
    # Ten retries with 0.3 s pauses would take 3 s; the call ends within its 1 s timeout instead.
    sandbox.inject("status", status=503, times=100)
    client = fast_client(timeout=1, retries=10, backoff=0.3, max_backoff=0.3)
    e, elapsed = create_err(client, 1, ce.ApiError)
    assert e.status == 503 and elapsed < 1.0, elapsed
    assert 2 <= sandbox.request_count < 11
    # The same against a port where nothing listens.
    client = remote_client(f"http://127.0.0.1:{free_port()}/elements/api-v2", timeout=1, retries=10, backoff=0.3)
    e, elapsed = create_err(client, 1, ce.TransportError)
    assert elapsed < 1.0, elapsed


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (dict(retries=11), "at most 10 retries can be set"),
        (dict(backoff=-1.0), "the backoff must be a finite, non-negative number of seconds"),
        (dict(max_backoff=float("nan")), "the max backoff must be a finite, non-negative number of seconds"),
        (dict(backoff=86400 * 2), "backoff pauses must be at most one day"),
        (dict(max_response_bytes=0), "the response size cap must be at least one byte"),
    ],
)
def test_retry_and_cap_settings_are_checked(settings, problem):
    with pytest.raises(ce.InvalidInputError) as caught:
        ce.Client(user_secret="u", organization_secret="o", **settings)
    assert caught.value.problems == [problem]


def test_negative_counts_are_overflow_errors():
    for settings in (dict(retries=-1), dict(max_response_bytes=-1)):
        with pytest.raises(OverflowError):
            ce.Client(user_secret="u", organization_secret="o", **settings)


# Answers that are not an instance --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "fields", "words"),
    [
        ("oversize", dict(bytes=11 * 1024 * 1024), "larger than the 10485760-byte cap"),
        ("body", dict(status=200, body_hex="7b226964223a312c22746f6b656e223a2261ff227d"), "not valid UTF-8"),
        ("body", dict(status=200, body='{"id": 1, "name": "x"}'), "no instance token"),
        ("body", dict(status=200, body='{"id": 1, "token": ""}'), "token is empty"),
        ("body", dict(status=200, content_type="text/html", body="<html>Sign in to the proxy</html>"), "HTML"),
    ],
)
def test_bodies_that_are_not_an_instance_are_decode_errors(sandbox, fast_client, fault, fields, words):
    sandbox.inject(fault, **fields)
    e, _ = create_err(fast_client(timeout=10), 10, ce.DecodeError)
    assert e.status == 200
    assert words in str(e), str(e)
    assert str(e).startswith("undecodable response (HTTP 200)"), str(e)
    assert e.instance_may_exist is True, "a 200 that cannot be read may still have created"
    assert sandbox.request_count == 1


def test_the_response_cap_is_configurable(sandbox, fast_client):
    small = fast_client(timeout=10, max_response_bytes=100)
    sandbox.inject("oversize", bytes=101)
    e, _ = create_err(small, 10, ce.DecodeError)
    assert "larger than the 100-byte cap" in str(e), str(e)
    # A real instance answer is longer than 100 bytes too; the cap holds for it as well.
    create_err(small, 10, ce.DecodeError)
    # And a larger cap lets a large answer through to decoding.
    sandbox.inject("oversize", bytes=11 * 1024 * 1024)
    e, _ = create_err(fast_client(timeout=10, max_response_bytes=12 * 1024 * 1024), 10, ce.DecodeError)
    assert "no instance token" in str(e), str(e)


# Idempotent provisioning ---------------------------------------------------------------------------


def test_idempotent_provisioning_never_duplicates_under_lost_answers(sandbox, fast_client):
    client = fast_client(timeout=10, idempotent=True)
    # Every third create is carried out and its answer lost.
    sandbox.inject("create_then_reset", every=3, times=1000, method="POST")
    tokens = {}
    for i in range(100):
        inst = client.create_instance("closeio", CLOSEIO, name=f"customer-{i}")
        assert inst.name == f"customer-{i}"
        assert inst.token not in tokens, "token returned twice"
        tokens[inst.token] = i
    instances = sandbox.instances()
    assert len(instances) == 100, "exactly one instance per create"
    assert len({i["name"] for i in instances}) == 100, "no name twice"
    assert len({i["token"] for i in instances}) == 100
    assert set(tokens) == {i["token"] for i in instances}
    for instance in instances:
        assert sum(tag.startswith("ce-provision-") for tag in instance["tags"]) == 1, instance["tags"]
    # The lookups happened: one GET per lost answer.
    gets = sum(r["method"] == "GET" for r in sandbox.requests())
    assert gets >= 30, gets


def test_without_idempotence_a_lost_answer_is_raised_not_resent(sandbox, fast_client):
    sandbox.inject("create_then_reset", method="POST")
    e, _ = create_err(fast_client(timeout=10), 10, ce.TransportError)
    assert e.instance_may_exist is True
    assert len(sandbox.instances()) == 1
    assert [r["method"] for r in sandbox.requests()] == ["POST"]


def test_idempotent_provisioning_resends_when_the_lookup_finds_nothing(sandbox, fast_client):
    client = fast_client(timeout=10, idempotent=True)
    sandbox.inject("status", status=500, method="POST")
    inst = client.create_instance("closeio", CLOSEIO, name="second try")
    assert [r["method"] for r in sandbox.requests()] == ["POST", "GET", "POST"]
    assert len(sandbox.instances()) == 1
    assert any(tag.startswith("ce-provision-") for tag in inst.raw["tags"])

    # When the lookup itself fails nothing is known: the ambiguous error is raised, not resent.
    sandbox.reset()
    sandbox.inject("create_then_reset", method="POST")
    sandbox.inject("reset", method="GET")
    e, _ = create_err(client, 10, ce.TransportError)
    assert e.instance_may_exist is True
    assert len(sandbox.instances()) == 1
    assert [r["method"] for r in sandbox.requests()] == ["POST", "GET"]


# TLS -----------------------------------------------------------------------------------------------


@pytest.fixture
def tls_sandbox():
    with ce.Sandbox(tls=True) as sb:
        yield sb


@pytest.fixture
def ca_file(tls_sandbox, tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text(tls_sandbox.ca_certificate_pem)
    return path


def tls_client(sb, url=None, **kwargs):
    return ce.Client(
        base_url=url or sb.url,
        user_secret=sb.user_secret,
        organization_secret=sb.organization_secret,
        **{**FAST, "timeout": 5, **kwargs},
    )


def test_tls_to_an_untrusted_certificate_is_a_transport_error(tls_sandbox):
    assert tls_sandbox.url.startswith("https://127.0.0.1:")
    assert tls_sandbox.ca_certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    e, _ = create_err(tls_client(tls_sandbox), 5, ce.TransportError)
    assert "TLS certificate is not trusted" in str(e), str(e)
    assert e.instance_may_exist is False
    assert tls_sandbox.request_count == 0, "nothing was sent, nor retried"


@pytest.mark.parametrize("as_type", [str, pathlib.Path])
def test_tls_trusts_the_ca_bundle(tls_sandbox, ca_file, as_type):
    inst = tls_client(tls_sandbox, ca_bundle=as_type(ca_file)).create_instance("closeio", CLOSEIO, name="over TLS")
    assert inst.token and inst.name == "over TLS"
    assert len(tls_sandbox.instances()) == 1


def test_a_plain_sandbox_has_no_ca_certificate(sandbox):
    assert sandbox.url.startswith("http://") and sandbox.ca_certificate_pem is None


@pytest.mark.parametrize(("content", "words"), [(None, "cannot be read"), ("not pem", "holds no certificate")])
def test_a_ca_bundle_that_cannot_be_used_is_invalid_input(tls_sandbox, tmp_path, content, words):
    bad = tmp_path / "bundle.pem"
    if content is not None:
        bad.write_text(content)
    with pytest.raises(ce.InvalidInputError) as caught:
        tls_client(tls_sandbox, ca_bundle=bad)
    assert words in str(caught.value) and str(bad) in str(caught.value), str(caught.value)


# HTTPS_PROXY and NO_PROXY ------------------------------------------------------------------------


@pytest.fixture
def connect_proxy():
    with ConnectProxy() as proxy:
        yield proxy


def proxied_client(monkeypatch, sb, url, ca, proxy, no_proxy):
    # The client reads the proxy variables when it is made, and only then: set them for that alone.
    with monkeypatch.context() as env:
        env.setenv("HTTPS_PROXY", proxy.url)
        env.setenv("NO_PROXY", no_proxy)
        env.delenv("no_proxy", raising=False)
        return tls_client(sb, url, ca_bundle=ca, retries=0)


def test_https_proxy_and_no_proxy_are_honoured(monkeypatch, tls_sandbox, ca_file, connect_proxy):
    port = tls_sandbox.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
    url = tls_sandbox.url.replace("127.0.0.1", TLS_TEST_HOST)
    assert TLS_TEST_HOST in url

    with proxied_client(monkeypatch, tls_sandbox, url, ca_file, connect_proxy, "example.com") as client:
        inst = client.create_instance("closeio", CLOSEIO, name="through the proxy")
    assert inst.name == "through the proxy"
    assert connect_proxy.targets == [f"{TLS_TEST_HOST}:{port}"]
    assert len(tls_sandbox.instances()) == 1

    # Listed in NO_PROXY: straight to the host, which nothing resolves.
    client = proxied_client(monkeypatch, tls_sandbox, url, ca_file, connect_proxy, f"localhost,{TLS_TEST_HOST}")
    e, _ = create_err(client, 5, (ce.TransportError, ce.TimeoutError))
    if isinstance(e, ce.TransportError):
        assert "could not be resolved" in str(e), str(e)
    assert connect_proxy.targets == [f"{TLS_TEST_HOST}:{port}"], "the proxy saw no second connection"
    assert len(tls_sandbox.instances()) == 1


def test_loopback_never_goes_through_the_proxy(monkeypatch, tls_sandbox, ca_file, connect_proxy):
    client = proxied_client(monkeypatch, tls_sandbox, tls_sandbox.url, ca_file, connect_proxy, "")
    assert client.create_instance("closeio", CLOSEIO, name="direct").name == "direct"
    assert connect_proxy.targets == []


def test_the_proxy_variables_are_read_at_construction_only(monkeypatch, tls_sandbox, ca_file, connect_proxy):
    url = tls_sandbox.url.replace("127.0.0.1", TLS_TEST_HOST)
    client = proxied_client(monkeypatch, tls_sandbox, url, ca_file, connect_proxy, "")
    # The variables are gone again; the client still uses the proxy it was made with.
    assert client.create_instance("closeio", CLOSEIO, name="later").name == "later"
    assert len(connect_proxy.targets) == 1


def test_a_proxy_that_fails_the_tunnel_is_a_transport_error(monkeypatch, connect_proxy):
    # The proxy cannot reach the host and answers 502; the credentials in the variable are sent.
    with monkeypatch.context() as env:
        env.setenv("HTTPS_PROXY", f"http://someone:pr0xy-pw@127.0.0.1:{connect_proxy.port}")
        client = remote_client("https://no-such-host.invalid/elements/api-v2", timeout=5)
    e, _ = create_err(client, 5, ce.TransportError)
    assert "the proxy failed the connection" in str(e) and "502" in str(e), str(e)
    assert "pr0xy-pw" not in str(e)
    assert e.instance_may_exist is False
    assert connect_proxy.targets == ["no-such-host.invalid:443"], "a proxy failure is not retried"
    assert connect_proxy.authorizations == ["Basic " + base64.b64encode(b"someone:pr0xy-pw").decode()]


# Messages that say exactly what failed ----------------------------------------------------------------


def test_a_connect_timeout_does_not_suggest_the_instance_may_exist(blackhole):
    client = remote_client(f"http://127.0.0.1:{blackhole.port}/elements/api-v2", connect_timeout=0.2, retries=0)
    e, _ = create_err(client, 10, ce.TimeoutError)
    assert e.instance_may_exist is False
    assert "may have been created" not in str(e), str(e)


def test_a_refused_proxy_is_reported_as_the_proxy(monkeypatch):
    with monkeypatch.context() as env:
        env.setenv("HTTPS_PROXY", f"http://127.0.0.1:{free_port()}")
        client = remote_client("https://no-such-host.invalid/elements/api-v2", retries=0, timeout=5)
    e, _ = create_err(client, 5, ce.TransportError)
    assert "could not connect to the proxy named by HTTPS_PROXY" in str(e), str(e)
