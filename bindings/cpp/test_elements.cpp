// Tests of the C++ wrapper's element, validation, idempotency and OAuth methods against a sandbox
// loaded with bindings/c/tests/elements (CE_SANDBOX_URL; scripts/test-c.sh): element_json,
// element_configuration_json, set_validation, find_instance_by_idempotency_key, Instance::created,
// oauth_url and receive_oauth_code (a thread plays the browser over a raw socket).
#include "test_util.hpp"  // CHECK, ce::, contains, error_of
#include "sandbox_util.h"  // bindings/c/tests: the sandbox's control endpoints
#include "browser.h"       // bindings/c/tests: the browser over a raw socket

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <thread>



static std::string requests_log(const char *url) {
    char *answer = nullptr;
    sandbox_request(url, "GET", "/_sandbox/requests", nullptr, &answer);
    std::string text = answer ? answer : "";
    std::free(answer);
    return text;
}

// Plays the browser: the provider's redirect, followed to the callback; returns the page.
static std::string browse(const std::string &oauth_url) {
    static char answer[8192];
    if (browser_get(oauth_url.c_str(), answer, sizeof answer) != 302) return "no redirect";
    const char *at = std::strstr(answer, "\r\nLocation: ");
    if (!at) return "no Location";
    std::string location(at + 12, std::strcspn(at + 12, "\r\n"));
    static char page[4096];
    browser_get(location.c_str(), page, sizeof page);
    return page;
}

int main() {
    const char *url = std::getenv("CE_SANDBOX_URL");
    if (!url) {
        std::cerr << "CE_SANDBOX_URL is not set\n";
        return 2;
    }
    ce::ClientOptions options;
    options.base_url = url;
    options.user_secret = "sandbox-user-secret";
    options.organization_secret = "sandbox-organization-secret";
    ce::Client client(options);

    // Elements, built in and loaded.
    CHECK(contains(client.element_json("closeio"), "\"key\":\"closeio\""));
    CHECK(contains(client.element_json("acme"), "\"vendorNote\":{\"tier\":\"gold\"}"));
    CHECK(contains(client.element_configuration_json("acme"), "\"key\":\"acme.password\""));
    ce::Error unknown = error_of([&] { client.element_json("pardott"); });
    CHECK(unknown.status() == CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(unknown.what(), "did you mean `pardot`?"));

    // Validation: offline fetches no definition; full refuses what is missing before sending.
    ce::Request acme("acme", "Acme");
    acme.config("acme.region", "eu");
    client.set_validation(ce::Validation::Offline);
    sandbox_reset(url);
    ce::Error sent = error_of([&] { client.create(acme); });
    CHECK(sent.status() == CE_ERR_API && sent.http_status() == 400);
    CHECK(!contains(requests_log(url), "\"target\":\"/elements/api-v2/elements/"));
    client.validate_request(acme);  // offline: nothing to check for an element not built in
    client.set_validation(ce::Validation::Full);
    CHECK(error_of([&] { client.validate_request(acme); }).status() == CE_ERR_MISSING_CONFIGURATION);
    ce::Error missing = error_of([&] { client.create(acme); });
    CHECK(missing.status() == CE_ERR_MISSING_CONFIGURATION);
    CHECK(missing.missing() == (std::vector<std::string>{"acme.user", "acme.password"}));
    CHECK(contains(requests_log(url), "\"target\":\"/elements/api-v2/elements/acme"));
    client.set_validation(ce::Validation::Off);
    client.set_validation(ce::Validation::Full);
    CHECK(error_of([&] { client.set_validation(static_cast<ce::Validation>(7)); }).status() ==
          CE_ERR_INVALID_ARGUMENT);

    // Idempotency keys: the created flag and the lookup.
    const std::string keyed =
        "{\"element\":{\"key\":\"closeio\"},\"name\":\"Keyed\",\"configuration\":{\"username\":\"K\","
        "\"password\":\"P\"},\"tags\":[\"ce-provision-cpp-order-9\"]}";
    CHECK(!client.find_instance_by_idempotency_key("cpp-order-9").has_value());
    ce::Instance first = client.create_json(keyed);
    ce::Instance again = client.create_json(keyed);
    CHECK(first.created() == std::optional<bool>(true));
    CHECK(again.created() == std::optional<bool>(false) && again.id() == first.id());
    std::optional<ce::Instance> found = client.find_instance_by_idempotency_key("cpp-order-9");
    CHECK(found && found->id() == first.id() && !found->created().has_value());
    CHECK(error_of([&] { client.find_instance_by_idempotency_key("not a key"); }).status() ==
          CE_ERR_INVALID_ARGUMENT);
    ce::Request keyed_request("closeio", "Keyed by the request");
    keyed_request.config("username", "K").config("password", "P").idempotency_key("cpp-order-10");
    ce::Instance made = client.create(keyed_request);
    ce::Instance found_again = client.create(keyed_request);
    CHECK(made.created() == std::optional<bool>(true));
    CHECK(found_again.created() == std::optional<bool>(false) && found_again.id() == made.id());
    CHECK(error_of([&] { ce::Request("closeio", "n").idempotency_key("not a key"); }).status() ==
          CE_ERR_INVALID_ARGUMENT);

    // The OAuth round trip.
    const std::string callback = "http://127.0.0.1:" + std::to_string(free_port()) + "/callback";
    ce::OAuthUrlRequest request;
    request.api_key = "clover-app-key";
    request.api_secret = "clover-app-SECRET-42";
    request.callback_url = callback;
    request.state = "cpp-state";
    const std::string oauth_url = client.oauth_url("clover", request);
    CHECK(contains(oauth_url, "/oauth/authorize?") && contains(oauth_url, "state=cpp-state"));
    std::string page;
    std::thread browser([&] { page = browse(oauth_url); });
    std::string code = ce::receive_oauth_code(callback, std::string("cpp-state"), std::chrono::seconds(10));
    browser.join();
    CHECK(!code.empty() && contains(page, "Authorization received"));
    ce::Request clover("clover", "Payroll");
    clover.config("oauth.api.key", request.api_key)
        .config("oauth.api.secret", request.api_secret)
        .config("merchantId", "M-1")
        .oauth_code(code);
    ce::Instance payroll = client.create(clover);
    CHECK(payroll.element_key() == "clover" && payroll.created() == std::optional<bool>(true));
    ce::Error reused = error_of([&] { client.create(clover); });
    CHECK(reused.status() == CE_ERR_API && reused.http_status() == 400 && !contains(reused.what(), code));

    ce::Error not_oauth = error_of([&] { client.oauth_url("closeio", request); });
    CHECK(not_oauth.http_status() == 400 && !contains(not_oauth.what(), request.api_secret));
    ce::Error timeout = error_of([&] { ce::receive_oauth_code(callback, std::nullopt, std::chrono::milliseconds(50)); });
    CHECK(timeout.status() == CE_ERR_TIMEOUT);
    CHECK(error_of([&] { ce::receive_oauth_code(callback, std::string("s"), std::chrono::milliseconds(0)); })
              .status() == CE_ERR_INVALID_ARGUMENT);

    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
