"""Fixtures: a fresh embedded sandbox per test, over real loopback HTTP, and a client for it."""

import pytest

import cloud_elements as ce

# Distinctive secrets, so a test can look for them in any text the package produces.
USER_SECRET = "usr-S3CRET-q7Zk1"
ORG_SECRET = "org-S3CRET-w4Xm9"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch):
    # Tests configure clients explicitly; a developer's variables or proxy must not interfere.
    for name in (
        "CLOUD_ELEMENTS_BASE_URL",
        "CLOUD_ELEMENTS_USER_SECRET",
        "CLOUD_ELEMENTS_ORG_SECRET",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "CLOUD_ELEMENTS_CA_BUNDLE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sandbox():
    with ce.Sandbox(user_secret=USER_SECRET, organization_secret=ORG_SECRET) as sb:
        yield sb


@pytest.fixture
def make_client(sandbox):
    """Clients for the sandbox; keyword arguments override its URL and secrets."""

    def make(**kwargs):
        settings = dict(
            base_url=sandbox.url, user_secret=sandbox.user_secret, organization_secret=sandbox.organization_secret
        )
        settings.update(kwargs)
        return ce.Client(**settings)

    return make


@pytest.fixture
def client(make_client):
    with make_client() as c:
        yield c
