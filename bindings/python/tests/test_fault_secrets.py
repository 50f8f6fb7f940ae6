"""Every error path of the fault matrix (test_faults.py) with distinctive secrets: none of them appears
in anything the package prints, raises or logs.

The secrets are the user and organization secrets, configuration values (the Close.io API key and
password), an instance token the server sends in an unreadable answer, a wrong secret, and proxy
credentials. The server echoes them back in error bodies, in a 200 without a token, in an HTML page,
in bytes that are not UTF-8. What is scanned: `str`, `repr` and format of each exception, its
`args`, `vars()` and every public attribute, the formatted traceback, its pickle, what an
application logging it at DEBUG would write, anything written to the process's stdout or stderr
(a Rust panic message, say), and `repr()` of the clients and instances.
"""

import base64
import email.utils
import json
import logging
import pickle
import time
import traceback

import pytest
from _faultkit import Blackhole, ConnectProxy, free_port

import cloud_elements as ce

# The sandbox fixture's secrets (conftest.py).
USER_SECRET = "usr-S3CRET-q7Zk1"
ORG_SECRET = "org-S3CRET-w4Xm9"
API_KEY = "fault-KEY-S3CRET-Vb71x"
# With a `/`, which JSON may write as `\/`.
PASSWORD = "fault-PW-S3CRET/Hn5q2"
TOKEN = "tok-S3CRET-Zr42m="
WRONG_SECRET = "wrong-ORG-S3CRET-Kc09d"
PROXY_PASSWORD = "proxy-PW-S3CRET-Tq88e"
SECRETS = [USER_SECRET, ORG_SECRET, API_KEY, PASSWORD, TOKEN, WRONG_SECRET, PROXY_PASSWORD]
CONFIGURATION = {"username": API_KEY, "password": PASSWORD}
FAST = dict(backoff=0.02, max_backoff=0.1)


def forms(secret):
    """The secret as text may carry it: as is, JSON-escaped, URL-encoded."""
    return {secret, json.dumps(secret)[1:-1], secret.replace("/", "\\/"), secret.replace("/", "%2F")}


NEEDLES = sorted(
    {form for secret in SECRETS for form in forms(secret)}
    # The proxy credentials as the Proxy-Authorization header carries them.
    | {base64.b64encode(f"user:{PROXY_PASSWORD}".encode()).decode()}
)
# What the server echoes: every secret the client knows, so that anything quoting the answer has
# them to leak. (The instance token is not known before the answer: it is sent in `token` fields.)
ECHO = f"user {USER_SECRET} org {ORG_SECRET} key {API_KEY} password {PASSWORD}"


def leaks(text):
    return [needle for needle in NEEDLES if needle in text]


def printable_forms(e):
    """Everything a log line, a traceback or a debugger could show of an exception."""
    texts = {
        "str": str(e),
        "repr": repr(e),
        "format": f"{e} {e!r} {e!s}",
        "args": repr(e.args),
        "vars": repr(vars(e)),
        "traceback": "".join(traceback.format_exception(type(e), e, e.__traceback__)),
        "pickle": repr(pickle.dumps(e)),
    }
    for name in dir(e):
        if name.startswith("__"):
            continue
        try:
            value = getattr(e, name)
        except AttributeError:  # OSError's `characters_written`, unless set
            continue
        if not callable(value):
            texts[f"attribute {name}"] = f"{value!r} {value!s}"
    return texts


@pytest.fixture
def tls_sandbox():
    with ce.Sandbox(tls=True, user_secret=USER_SECRET, organization_secret=ORG_SECRET) as sb:
        yield sb


def test_no_secret_on_any_error_path(sandbox, tls_sandbox, monkeypatch, caplog, capfd):
    caplog.set_level(logging.DEBUG)  # every logger, at every level
    log = logging.getLogger("an.application")
    clients = []
    raised = []  # (label, exception)

    def client(**settings):
        made = ce.Client(
            **{
                "base_url": sandbox.url,
                "user_secret": USER_SECRET,
                "organization_secret": ORG_SECRET,
                "timeout": 5,
                **FAST,
                **settings,
            }
        )
        clients.append(made)
        log.debug("made %r", made)
        return made

    def expect(label, cls, call):
        """Runs `call`, which must raise `cls` (not a panic, nor another class) within its limit."""
        started = time.monotonic()
        with pytest.raises(ce.CloudElementsError) as caught:
            call()
        elapsed = time.monotonic() - started
        e = caught.value
        assert type(e) is cls, f"{label}: {type(e).__name__}: {e}"
        assert elapsed < 11, f"{label} took {elapsed:.1f} s"
        # What an application does with an error it did not expect.
        log.exception("%s: creating the instance failed", label, exc_info=e)
        log.debug("%s: %r %s", label, e, e)
        raised.append((label, e))
        return e

    def create(c, element="closeio", configuration=CONFIGURATION):
        return lambda: c.create_instance(element, configuration, name="Secretive", tags=[f"t-{API_KEY}"])

    default = client()

    # Before anything is sent: the settings and the request.
    expect("missing configuration", ce.MissingConfigurationError, create(default, configuration={"password": PASSWORD}))
    expect(
        "typographic quotes",
        ce.InvalidInputError,
        create(default, configuration={"username": f"\u201c{API_KEY}\u201d", "password": PASSWORD}),
    )
    expect(
        "plain http to a remote host",
        ce.InvalidInputError,
        create(client(base_url="http://192.0.2.1/elements/api-v2")),
    )
    expect(
        "secrets that cannot be in a header",
        ce.InvalidInputError,
        lambda: client(user_secret=f"{USER_SECRET},x", organization_secret=f" {ORG_SECRET}\n"),
    )

    def with_proxy(proxy, url):
        with monkeypatch.context() as env:
            env.setenv("HTTPS_PROXY", proxy)
            return client(base_url=url, retries=0)

    expect(
        "a malformed proxy URL with credentials",
        ce.InvalidInputError,
        lambda: with_proxy(f"http://user:{PROXY_PASSWORD}@[bad", "https://api.example.invalid/elements/api-v2"),
    )

    # No connection.
    expect(
        "connection refused",
        ce.TransportError,
        create(client(base_url=f"http://127.0.0.1:{free_port()}/elements/api-v2")),
    )
    dns = client(base_url="https://no-such-host.invalid/elements/api-v2", retries=0, timeout=10)
    started = time.monotonic()
    with pytest.raises((ce.TransportError, ce.TimeoutError)) as unknown:
        create(dns)()
    assert time.monotonic() - started < 11
    raised.append(("unknown host", unknown.value))
    with Blackhole() as hole:
        expect(
            "connect timeout",
            ce.TimeoutError,
            create(client(base_url=f"http://127.0.0.1:{hole.port}/elements/api-v2", connect_timeout=0.3, retries=0)),
        )
    expect(
        "a proxy that refuses connections, with credentials",
        ce.TransportError,
        create(
            with_proxy(
                f"http://user:{PROXY_PASSWORD}@127.0.0.1:{free_port()}", "https://api.example.invalid/elements/api-v2"
            )
        ),
    )
    with ConnectProxy() as proxy:
        expect(
            "a proxy that answers 502, with credentials",
            ce.TransportError,
            create(
                with_proxy(
                    f"http://user:{PROXY_PASSWORD}@127.0.0.1:{proxy.port}", "https://api.example.invalid/elements/api-v2"
                )
            ),
        )
    assert proxy.targets == ["api.example.invalid:443"], "the proxy was asked"
    expect(
        "TLS to an untrusted certificate",
        ce.TransportError,
        create(client(base_url=tls_sandbox.url)),
    )

    # The request was sent; the answer was late, lost or cut short.
    sandbox.inject("delay", ms=2000)
    expect("overall timeout", ce.TimeoutError, create(client(timeout=0.3)))
    sandbox.inject("drip", ms=1000)
    expect("a dripping body", ce.TimeoutError, create(client(timeout=1.2)))
    for fault in ["reset", "create_then_reset", "reset_mid_body", "truncate"]:
        sandbox.inject(fault)
        expect(fault, ce.TransportError, create(default))
    idempotent = client(idempotent=True)
    sandbox.inject("create_then_reset", method="POST")
    sandbox.inject("reset", method="GET")
    expect("idempotent: the lookup fails too", ce.TransportError, create(idempotent))
    sandbox.inject("status", status=500, message=ECHO, method="POST")
    sandbox.inject("status", status=500, message=ECHO, provider_message=ECHO, method="GET")
    expect("idempotent: the lookup answers 500", ce.ServerError, create(idempotent))

    # What the server said, echoing every secret.
    sandbox.inject("status", status=500, message=ECHO)
    expect("500", ce.ServerError, create(default))
    sandbox.inject("status", status=502, message=ECHO, provider_message=ECHO)
    expect("502 with providerMessage", ce.ServerError, create(default))
    sandbox.inject("status", status=503, retry_after="120", message=ECHO, provider_message=ECHO)
    expect("503 with Retry-After in seconds", ce.RateLimitedError, create(default))
    later = email.utils.formatdate(time.time() + 300, usegmt=True)
    sandbox.inject("status", status=429, retry_after=later, message=ECHO, provider_message=ECHO)
    expect("429 with Retry-After as an HTTP date", ce.RateLimitedError, create(default))
    sandbox.inject("status", status=503, message=ECHO, times=3)
    expect("503 retried until the retries run out", ce.ServerError, create(default))
    sandbox.inject("body", status=502, content_type="text/html", body=f"<html><h1>Bad Gateway</h1>{ECHO}</html>")
    expect("an HTML error page", ce.ServerError, create(default))
    sandbox.inject("body", status=500, content_type="text/plain", body=f"{API_KEY}{PASSWORD}{USER_SECRET}")
    expect("a plain-text 500 of run-together secrets", ce.ServerError, create(default))
    sandbox.inject("body", status=401, body=json.dumps({"requestId": "r-401", "message": ECHO}))
    expect("401 echoing the secrets", ce.AuthenticationError, create(default))
    expect("401 for a wrong secret", ce.AuthenticationError, create(client(organization_secret=WRONG_SECRET)))
    expect("an unknown element", ce.UnknownElementError, create(default, element="nosuchelement"))

    # Answers that are not an instance, echoing every secret.
    echoed = {"id": 1, "name": "Secretive", "configuration": {"username": API_KEY, "password": PASSWORD}}
    sandbox.inject("body", status=200, body=json.dumps(echoed))
    expect("200 without a token, echoing the configuration", ce.DecodeError, create(default))
    sandbox.inject("body", status=200, body=json.dumps({**echoed, "token": ""}))
    expect("200 with an empty token", ce.DecodeError, create(default))
    sandbox.inject("body", status=200, body=json.dumps({**echoed, "token": TOKEN})[:-1] + ',}')
    expect("200 with a token in malformed JSON", ce.DecodeError, create(default))
    not_utf8 = json.dumps({**echoed, "token": TOKEN, "note": "\x00"}).encode().replace(b"\\u0000", b"\xff")
    sandbox.inject("body", status=200, body_hex=not_utf8.hex())
    expect("200 that is not UTF-8", ce.DecodeError, create(default))
    sandbox.inject("body", status=200, content_type="text/html", body=f"<html>Sign in {ECHO}</html>")
    expect("200 with an HTML page", ce.DecodeError, create(default))
    sandbox.inject("oversize", bytes=4096)
    expect("a body over the cap", ce.DecodeError, create(client(max_response_bytes=1024)))
    sandbox.inject("oversize", bytes=11 * 1024 * 1024)
    expect("a body over the default cap", ce.DecodeError, create(default))

    # Every path was driven, and produced nothing that shows a secret.
    assert len(raised) == 36, [label for label, _ in raised]
    found = {}
    for label, e in raised:
        for form, text in printable_forms(e).items():
            if leaks(text):
                found[f"{label}, {form}"] = (leaks(text), text[:300])
    for made in clients:
        if leaks(repr(made)):
            found[repr(made)] = leaks(repr(made))
    # The package logs nothing itself; what the application logged of the errors must be clean too.
    if leaks(caplog.text):
        found["log output"] = leaks(caplog.text)
    assert "creating the instance failed" in caplog.text
    out, err = capfd.readouterr()
    assert "panicked" not in out + err
    if leaks(out + err):
        found["stdout/stderr"] = leaks(out + err)
    assert not found, json.dumps(found, indent=1)

    # The server's text is there, redacted: the errors say what it said.
    by_label = dict(raised)
    assert "[redacted]" in by_label["502 with providerMessage"].provider_message
    assert "[redacted]" in by_label["429 with Retry-After as an HTTP date"].message
    assert by_label["429 with Retry-After as an HTTP date"].retry_after > 200
    assert "[redacted]" in str(by_label["200 with an HTML page"])
    assert "[redacted]" in str(by_label["200 that is not UTF-8"])
    assert "[redacted]" in str(by_label["200 with a token in malformed JSON"])
    assert str(by_label["200 without a token, echoing the configuration"]).endswith("has no instance token")
    assert "[redacted]" in by_label["an HTML error page"].body


def test_closeio_echo_is_hidden_except_through_the_accessors(sandbox, client, caplog):
    caplog.set_level(logging.DEBUG)
    inst = client.create_instance("closeio", CONFIGURATION, name="Close.io", tags=["demo"])
    # The server echoed the password (the Close.io sample does)...
    assert sandbox.instances()[0]["configuration"]["password"] == PASSWORD
    logging.getLogger("an.application").info("created %r / %s", inst, inst)
    printed = [repr(inst), str(inst), f"{inst}", f"{inst!r}", repr(client), caplog.text]
    for text in printed:
        assert not leaks(text), text
        assert inst.token not in text, text
    for text in [repr(inst.configuration), str(inst.configuration), repr(list(inst.configuration.values()))]:
        assert not leaks(text), text
    with pytest.raises(TypeError):
        pickle.dumps(inst.configuration)
    # ...and the secrets are reachable through the explicit accessors only.
    assert inst.configuration["password"].get_secret_value() == PASSWORD
    assert inst.configuration["username"].get_secret_value() == API_KEY
    assert inst.configuration["password"] == ce.Secret(PASSWORD) != PASSWORD
    assert inst.raw["configuration"]["password"] == PASSWORD
    assert inst.token and inst.token in client.authorization_header(inst.token)
    # A frozen native object: no instance dict for `vars()` to show.
    with pytest.raises(TypeError):
        vars(inst)
