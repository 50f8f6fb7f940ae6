// Tests of the C++ wrapper against a running sandbox (CE_SANDBOX_URL; scripts/test-c.sh).
#include "test_util.hpp"  // CHECK, ce::, contains, error_of
#include "sandbox_util.h"  // bindings/c/tests: faults over the sandbox's control endpoints

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>


static ce::ClientOptions options(const std::string &user, const std::string &org, const std::string &url) {
    ce::ClientOptions options;
    options.base_url = url;
    options.user_secret = user;
    options.organization_secret = org;
    return options;
}

int main() {
    const char *url = std::getenv("CE_SANDBOX_URL");
    if (!url) {
        std::cerr << "CE_SANDBOX_URL is not set\n";
        return 2;
    }
    const std::string user = "sandbox-user-secret", org = "sandbox-organization-secret";
    ce::Client client(options(user, org, url));

    auto closeio = client.create(ce::Request("closeio", "Test").config("username", "K").config("password", "P").tag("demo"));
    CHECK(closeio.id() > 0);
    CHECK(closeio.element_key() == "closeio");
    CHECK(closeio.name() == "Test");
    CHECK(closeio.token().size() >= 20);
    CHECK(client.authorization_header(closeio.token()) ==
          "User " + user + ", Organization " + org + ", Element " + closeio.token());

    auto pardot = client.create_json(
        R"({"element":{"key":"pardot"},"configuration":{"apikey.user.name":"n","apikey.user.password":"p",)"
        R"("apikey.user.key":"k","provider.version":"4"},"tags":["t"],"name":"M"})");
    CHECK(pardot.element_key() == "pardot");
    CHECK(pardot.json().find("\"marketing\"") != std::string::npos);

    // Moving keeps the handle; the moved-from instance reads as empty, not as a crash.
    ce::Instance moved = std::move(pardot);
    CHECK(moved.element_key() == "pardot");
    CHECK(pardot.token().empty());  // NOLINT(bugprone-use-after-move): documented as safe

    try {
        client.create(ce::Request("pardot", "x").config("apikey.user.name", "n"));
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_MISSING_CONFIGURATION);
        CHECK((e.missing() == std::vector<std::string>{"apikey.user.password", "apikey.user.key"}));
        CHECK(e.http_status() == 0);
    }

    try {
        ce::Client wrong(options("wrong", org, url));
        wrong.create(ce::Request("closeio", "x").config("username", "K").config("password", "P"));
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_UNAUTHORIZED);
        CHECK(e.http_status() == 401);
        CHECK(!e.request_id().empty());
        CHECK(std::string(e.what()).find("Invalid Organization or User secret") != std::string::npos);
        CHECK(e.missing().empty());
    }

    try {
        client.create_json("{not json");
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_INVALID_ARGUMENT);
    }

    try {
        client.create(ce::Request("closeio", std::string("x\0y", 3)));
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_INVALID_ARGUMENT);
        CHECK(std::string(e.what()).find("NUL") != std::string::npos);
    }

    // Negative durations mean the default; too long ones are refused, never wrapped around.
    ce::Client timed(options(user, org, url));
    timed.set_timeouts(std::chrono::milliseconds(-1), std::chrono::milliseconds(-1));
    CHECK(timed.create(ce::Request("closeio", "t").config("username", "K").config("password", "P")).id() > 0);
    try {
        timed.set_timeouts(std::chrono::seconds(10), std::chrono::hours(24 * 365));
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_INVALID_ARGUMENT);
        CHECK(std::string(e.what()).find("at most one day") != std::string::npos);
    }
    CHECK(timed.create(ce::Request("closeio", "t").config("username", "K").config("password", "P")).id() > 0);

    // Retries and idempotent provisioning: a 503 is sent again; a 500 is looked up (404), then sent
    // again; one instance each time.
    ce::Client retrying(options(user, org, url));
    retrying.set_retries(2, std::chrono::milliseconds(20), std::chrono::milliseconds(100));
    retrying.set_idempotent(true);
    ce::Request request("closeio", "retried");
    request.config("username", "K").config("password", "P");
    long before = sandbox_request_count(url);
    CHECK(sandbox_inject(url, R"({"kind":"status","status":503})") == 200);
    auto after_503 = retrying.create(request);
    CHECK(sandbox_request_count(url) == before + 2);
    CHECK(after_503.json().find("\"ce-provision-") != std::string::npos);
    before = sandbox_request_count(url);
    CHECK(sandbox_inject(url, R"({"kind":"status","status":500,"method":"POST"})") == 200);
    CHECK(retrying.create(request).name() == "retried");
    CHECK(sandbox_request_count(url) == before + 3);  // POST, GET (the lookup), POST

    // Not idempotent, a 500 is returned, and says the instance may exist.
    retrying.set_idempotent(false);
    CHECK(sandbox_inject(url, R"({"kind":"status","status":500,"method":"POST"})") == 200);
    try {
        retrying.create(request);
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_API);
        CHECK(e.http_status() == 500);
        CHECK(e.instance_may_exist());
        CHECK(!e.rate_limited());
    }
    // A long Retry-After: rate limited at once, with the wait.
    CHECK(sandbox_inject(url, R"({"kind":"status","status":429,"retry_after":"120"})") == 200);
    try {
        retrying.create(request);
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.rate_limited());
        CHECK(std::string(e.status_name()) == "CE_ERR_RATE_LIMITED");
        CHECK(e.http_status() == 429);
        CHECK(e.retry_after() == std::chrono::seconds(120));
        CHECK(!e.instance_may_exist());
    }
    // Settings that cannot be used throw, and change nothing.
    try {
        retrying.set_retries(11);
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_INVALID_ARGUMENT);
    }
    try {
        retrying.set_ca_bundle("/nonexistent/ca.pem");
        CHECK(false);
    } catch (const ce::Error &e) {
        CHECK(e.status() == CE_ERR_INVALID_ARGUMENT);
        CHECK(std::string(e.what()).find("cannot be read") != std::string::npos);
    }
    retrying.set_retries(0);
    retrying.set_allow_insecure_http(false);
    retrying.set_max_response_bytes(0);
    CHECK(retrying.create(request).id() > 0);

    std::set<std::string> tokens;
    for (int i = 0; i < 20; i++) {
        tokens.insert(client.create(ce::Request("closeio", "n").config("username", "K").config("password", "P")).token());
    }
    CHECK(tokens.size() == 20);
    CHECK(ce::version() == std::to_string(CE_VERSION_MAJOR) + "." + std::to_string(CE_VERSION_MINOR) + "." +
                               std::to_string(CE_VERSION_PATCH));

    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
