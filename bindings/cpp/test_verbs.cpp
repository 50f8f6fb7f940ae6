// Tests of the C++ wrapper's instance verbs against a running sandbox (CE_SANDBOX_URL;
// scripts/test-c.sh): list, get, update, delete, enable, disable, ping, the configuration, the
// OAuth code, the instance getters and every field of the Error.
#include "test_util.hpp"  // CHECK, ce::, contains, error_of
#include "sandbox_util.h"  // bindings/c/tests: faults over the sandbox's control endpoints

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>
#include <unistd.h>
#include <vector>


// The old constructor took three strings in the opposite order to C's: gone.
static_assert(!std::is_constructible<ce::Client, std::string, std::string, std::string>::value,
              "no constructor whose strings can be swapped silently");
static_assert(std::is_same<std::underlying_type<ce_status>::type, std::int32_t>::value, "ce_status is int32_t");


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
    const std::string tag = "cpp-verbs-" + std::to_string(static_cast<long>(getpid()));

    ce::Request request("closeio", "C++ verbs");
    request.config("username", "K").config("password", "CPP_PW").tag(tag);
    ce::Instance first = client.create(request);
    ce::Instance second = client.create(request);

    // list: RAII, borrowed items, range-for; no match is empty.
    {
        ce::InstanceList list = client.list_instances({tag});
        CHECK(list.size() == 2);
        std::vector<std::int64_t> ids;
        for (auto item : list) ids.push_back(item.id());
        CHECK(ids.size() == 2 && ids[0] != ids[1]);
        CHECK(list[0].element_key() == "closeio");
        CHECK(list[0].valid() == std::optional<bool>(true));
        CHECK(list[0].configuration_json().has_value());
        bool threw = false;
        try {
            (void)list[2];
        } catch (const std::out_of_range &) {
            threw = true;
        }
        CHECK(threw);
        CHECK(client.list_instances({tag + "-nobody"}).empty());
        CHECK(client.list_instances().size() >= 2);
    }

    // get, getters with std::optional.
    ce::Instance got = client.get_instance(first.id());
    CHECK(got.token() == first.token());
    CHECK(got.disabled() == std::optional<bool>(false));
    CHECK(got.configuration_json() && contains(*got.configuration_json(), "\"username\""));

    // update: tags replaced, name changed; the builder escapes what JSON needs.
    ce::Instance updated =
        client.update_instance(first.id(), ce::InstanceUpdate().name("Quote \" and \\ back").tags({"cpp-replaced"}));
    CHECK(updated.name() == "Quote \" and \\ back");
    CHECK(contains(updated.json(), "cpp-replaced"));
    CHECK(client.list_instances({tag}).size() == 1);
    CHECK(client.update_instance_json(first.id(), R"({"name":"Plain"})").name() == "Plain");
    ce::Error unknown = error_of([&] { client.update_instance_json(first.id(), R"({"nmae":"x"})"); });
    CHECK(unknown.status() == CE_ERR_INVALID_ARGUMENT && contains(unknown.what(), "`nmae`"));
    CHECK(ce::InstanceUpdate().tags({}).oauth_code("c").to_json() == R"({"tags":[],"providerData":{"code":"c"}})");

    // enable, disable, ping.
    client.ping(second.token(), "crm");
    client.disable_instance(second.token());
    ce::Error disabled = error_of([&] { client.ping(second.token(), "crm"); });
    CHECK(disabled.status() == CE_ERR_API && disabled.http_status() == 403);
    CHECK(!disabled.request_id().empty());
    CHECK(!disabled.outcome_unknown());
    CHECK(client.get_instance(second.id()).disabled() == std::optional<bool>(true));
    client.enable_instance(second.token());
    client.ping(second.token(), "crm");

    // configuration: read, changed, read back masked.
    std::string configuration = client.instance_configuration_json(second.id());
    CHECK(contains(configuration, "\"key\":\"password\"") && !contains(configuration, "CPP_PW"));
    client.update_instance_configuration(second.id(), "password", "CPP-NEW-PW");
    configuration = client.instance_configuration_json(second.id());
    CHECK(contains(configuration, "********") && !contains(configuration, "CPP-NEW-PW"));
    ce::Error no_key = error_of([&] { client.update_instance_configuration(second.id(), "no.such.key", "v"); });
    CHECK(no_key.status() == CE_ERR_INVALID_ARGUMENT);

    // The OAuth code reaches the platform, which refuses one it never issued.
    ce::Request oauth("clover", "OAuth");
    oauth.config("oauth.api.key", "id")
                     .config("oauth.api.secret", "secret")
                     .config("oauth.callback.url", "http://127.0.0.1:9/cb")
                     .config("merchantId", "M1")
                     .oauth_code("cpp-made-up-code");
    ce::Error refused = error_of([&] { client.create(oauth); });
    CHECK(refused.http_status() == 400 && contains(refused.what(), "invalid_grant"));
    CHECK(!contains(refused.what(), "cpp-made-up-code"));

    // provider_message, and the outcome of a failed change that may have been made (a 500).
    CHECK(sandbox_inject(url, R"({"kind":"status","status":400,"provider_message":"upstream says no"})") == 200);
    ce::Error provider = error_of([&] { client.get_instance(first.id()); });
    CHECK(provider.provider_message() == "upstream says no");
    CHECK(provider.missing().empty() && provider.retry_after().count() == 0);
    CHECK(sandbox_inject(url, R"({"kind":"status","status":500})") == 200);
    ce::Client once(options);
    once.set_retries(0);
    ce::Error lost = error_of([&] { once.update_instance(first.id(), ce::InstanceUpdate().name("Maybe")); });
    CHECK(lost.status() == CE_ERR_API && lost.http_status() == 500);
    CHECK(lost.outcome_unknown() && lost.instance_may_exist());
    ce::Error missing = error_of([&] { client.create(ce::Request("pardot", "x")); });
    CHECK(missing.status() == CE_ERR_MISSING_CONFIGURATION && missing.missing().size() == 3);

    // delete: gone afterwards.
    client.delete_instance(first.id());
    client.delete_instance(second.id());
    ce::Error gone = error_of([&] { client.get_instance(first.id()); });
    CHECK(gone.status() == CE_ERR_NOT_FOUND && gone.http_status() == 404);

    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
