// cloud_elements.hpp: a header-only C++17 wrapper of the C API (cloud_elements.h).
//
// RAII handles (instances, instance lists), std::string results, std::optional where the server
// may not say, and one exception type, cloud_elements::Error, carrying the status, the HTTP status,
// the server's request id, the missing configuration entries, the provider's message, the wait the
// server asked for (Retry-After) and whether a failed call may nevertheless have taken effect.
//
//   cloud_elements::ClientOptions options;
//   options.base_url = url;  // empty: the real service
//   options.user_secret = user;
//   options.organization_secret = org;
//   cloud_elements::Client client(options);  // C++20: Client({.base_url = ..., .user_secret = ...})
//   auto instance = client.create(cloud_elements::Request("closeio", "Sales")
//                                     .config("username", key)
//                                     .config("password", password)
//                                     .tag("demo"));
//   for (auto listed : client.list_instances({"demo"})) std::cout << listed.id() << "\n";
//
// Thread safety as in C: a Client may be used by many threads at once; an Instance, InstanceList
// or Request may be read by many threads, but not changed or destroyed while another uses it.
#ifndef CLOUD_ELEMENTS_HPP
#define CLOUD_ELEMENTS_HPP

#include <cloud_elements.h>

#include "cloud_elements/error.hpp"
#include "cloud_elements/instance.hpp"
#include "cloud_elements/oauth.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cloud_elements {

// How to reach the platform: named members, so that no two secrets can be swapped silently.
struct ClientOptions {
    // The API's base URL; empty: https://api.cloud-elements.com/elements/api-v2.
    std::string base_url;
    // The user secret and the organization secret for the Authorization header.
    std::string user_secret;
    std::string organization_secret;
};

// A client: secrets, timeouts and a pool of kept-alive connections. Share one between threads.
class Client {
public:
    explicit Client(const ClientOptions &options) {
        ce_client *handle = nullptr;
        detail::check(ce_client_new(options.base_url.empty() ? nullptr : detail::c_str(options.base_url, "base_url"),
                                    detail::c_str(options.user_secret, "user_secret"),
                                    detail::c_str(options.organization_secret, "organization_secret"), &handle));
        handle_.reset(handle);
    }

    // CLOUD_ELEMENTS_BASE_URL (optional), CLOUD_ELEMENTS_USER_SECRET, CLOUD_ELEMENTS_ORG_SECRET.
    static Client from_env() {
        ce_client *handle = nullptr;
        detail::check(ce_client_from_env(&handle));
        return Client(handle);
    }

    // Zero or negative restores the default (10 s connect, 60 s overall); more than one day is refused
    // (CE_ERR_INVALID_ARGUMENT). Safe while shared.
    void set_timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds total) {
        detail::check(ce_client_set_timeout_ms(handle_.get(), detail::clamp_ms(connect), detail::clamp_ms(total)));
    }

    // How often a failed create is sent again (default 2, at most 10; 0 never; more than 10 throws
    // CE_ERR_INVALID_ARGUMENT), the first pause, doubled for each next retry, and the longest pause
    // (zero or negative: the defaults, 500 ms and 8 s). Only a create that certainly created
    // nothing is sent again (no connection, 429, 503), unless set_idempotent(true). Safe while shared.
    void set_retries(std::uint32_t retries, std::chrono::milliseconds initial_backoff = std::chrono::milliseconds(0),
                     std::chrono::milliseconds max_backoff = std::chrono::milliseconds(0)) {
        detail::check(ce_client_set_retries(handle_.get(), retries, detail::clamp_ms(initial_backoff),
                                            detail::clamp_ms(max_backoff)));
    }

    // Idempotent provisioning: each create carries a provisioning tag, and after an ambiguous failure
    // (a timeout or reset after sending, a 500 or 502) the instance is looked up by it before the
    // create is sent again. Off by default.
    void set_idempotent(bool enabled) { detail::check(ce_client_set_idempotent(handle_.get(), enabled ? 1 : 0)); }

    // Allows plain http:// base URLs to hosts that are not loopback (refused by default: the secrets
    // would cross the network unencrypted).
    void set_allow_insecure_http(bool allowed) {
        detail::check(ce_client_set_allow_insecure_http(handle_.get(), allowed ? 1 : 0));
    }

    // Trusts the CA certificates in this PEM file too (a company or test CA); read now. An unreadable
    // file or one without a certificate throws CE_ERR_INVALID_ARGUMENT and changes nothing.
    void set_ca_bundle(const std::string &path) {
        detail::check(ce_client_set_ca_bundle(handle_.get(), detail::c_str(path, "path")));
    }

    // The largest response body read, in bytes (0: the default, 10 MB); a larger one is CE_ERR_DECODE.
    void set_max_response_bytes(std::uint64_t bytes) {
        detail::check(ce_client_set_max_response_bytes(handle_.get(), bytes));
    }

    // What the client checks before it sends a create (default Validation::Full). Safe while shared.
    void set_validation(Validation mode) {
        detail::check(ce_client_set_validation(handle_.get(), static_cast<int>(mode)));
    }

    // Checks a request as create() does before sending, without creating anything (a dry run):
    // throws what create() would throw before sending (CE_ERR_MISSING_CONFIGURATION, ...).
    void validate_request(const Request &request) const {
        detail::check(ce_validate_request(handle_.get(), request.handle_.get()));
    }

    Instance create(const Request &request) const {
        ce_instance *instance = nullptr;
        detail::check(ce_create_instance(handle_.get(), request.handle_.get(), &instance));
        return Instance(instance);
    }

    // The documentation's instance.json, as is.
    Instance create_json(const std::string &instance_json) const {
        ce_instance *instance = nullptr;
        detail::check(ce_create_instance_json(handle_.get(), detail::c_str(instance_json, "instance_json"), &instance));
        return Instance(instance);
    }

    // Instances carrying every one of `tags` (none: every instance); nothing matching is an empty
    // list. The instances are borrowed from the list.
    InstanceList list_instances(const std::vector<std::string> &tags = {}) const {
        std::vector<const char *> c_tags;
        c_tags.reserve(tags.size());
        for (const auto &tag : tags) c_tags.push_back(detail::c_str(tag, "tag"));
        ce_instance_list *list = nullptr;
        detail::check(ce_list_instances(handle_.get(), c_tags.empty() ? nullptr : c_tags.data(), c_tags.size(), &list));
        return InstanceList(list);
    }

    // One instance by id; CE_ERR_NOT_FOUND when there is none (a deleted instance).
    Instance get_instance(std::int64_t id) const {
        ce_instance *instance = nullptr;
        detail::check(ce_get_instance(handle_.get(), id, &instance));
        return Instance(instance);
    }

    // Changes an instance (PATCH /instances/{id}) and returns it as the server answers.
    Instance update_instance(std::int64_t id, const InstanceUpdate &update) const {
        return update_instance_json(id, update.to_json());
    }

    // The same with the update as JSON: {"name","tags","configuration","providerData":{"code"}}.
    Instance update_instance_json(std::int64_t id, const std::string &update_json) const {
        ce_instance *instance = nullptr;
        detail::check(ce_update_instance(handle_.get(), id, detail::c_str(update_json, "update_json"), &instance));
        return Instance(instance);
    }

    void delete_instance(std::int64_t id) const { detail::check(ce_delete_instance(handle_.get(), id)); }

    // Enables / disables the instance whose token is `token`; calls on a disabled one get 403.
    void enable_instance(const std::string &token) const {
        detail::check(ce_enable_instance(handle_.get(), detail::c_str(token, "token")));
    }
    void disable_instance(const std::string &token) const {
        detail::check(ce_disable_instance(handle_.get(), detail::c_str(token, "token")));
    }

    // The platform's health check of one instance (GET /hubs/{hub}/ping); throws when it fails.
    void ping(const std::string &token, const std::string &hub) const {
        detail::check(ce_ping(handle_.get(), detail::c_str(token, "token"), detail::c_str(hub, "hub")));
    }

    // The instance's configuration entries as a JSON array ([{"id","key","propertyValue",...}]),
    // secret values as the server sent them (passwords masked).
    std::string instance_configuration_json(std::int64_t id) const {
        char *json = nullptr;
        detail::check(ce_get_instance_configuration_json(handle_.get(), id, &json));
        return detail::take_string(json);
    }

    // Changes one configuration entry; a key the instance does not have is CE_ERR_INVALID_ARGUMENT.
    void update_instance_configuration(std::int64_t id, const std::string &key, const std::string &value) const {
        detail::check(ce_update_instance_configuration(handle_.get(), id, detail::c_str(key, "key"),
                                                       detail::c_str(value, "value")));
    }

    // The instance created with this idempotency key (a ce-provision-<key> tag), if there is one. A
    // malformed key throws CE_ERR_INVALID_ARGUMENT.
    std::optional<Instance> find_instance_by_idempotency_key(const std::string &key) const {
        ce_instance *instance = nullptr;
        ce_status status = ce_find_instance_by_idempotency_key(handle_.get(), detail::c_str(key, "key"), &instance);
        if (status == CE_ERR_NOT_FOUND) return std::nullopt;
        detail::check(status);
        return Instance(instance);
    }

    // An element's definition (GET /elements/{key}) as a JSON object; an unknown key throws
    // CE_ERR_UNKNOWN_ELEMENT, whose message names the closest keys.
    std::string element_json(const std::string &key) const {
        char *json = nullptr;
        detail::check(ce_get_element_json(handle_.get(), detail::c_str(key, "key"), &json));
        return detail::take_string(json);
    }

    // An element's configuration schema (GET /elements/{key}/configuration) as a JSON array.
    std::string element_configuration_json(const std::string &key) const {
        char *json = nullptr;
        detail::check(ce_get_element_configuration_json(handle_.get(), detail::c_str(key, "key"), &json));
        return detail::take_string(json);
    }

    // The provider's authorization URL for an OAuth element: open it in the user's browser, after
    // receive_oauth_code() has started listening on the callback URL.
    std::string oauth_url(const std::string &element_key, const OAuthUrlRequest &request) const {
        char *url = nullptr;
        detail::check(ce_get_oauth_url(handle_.get(), detail::c_str(element_key, "element_key"),
                                       detail::c_str(request.api_key, "api_key"),
                                       detail::c_str(request.api_secret, "api_secret"),
                                       detail::c_str(request.callback_url, "callback_url"),
                                       request.scope ? detail::c_str(*request.scope, "scope") : nullptr,
                                       request.state ? detail::c_str(*request.state, "state") : nullptr, &url));
        return detail::take_string(url);
    }

    // "User <u>, Organization <o>, Element <token>": the header for calls on one instance.
    std::string authorization_header(const std::string &instance_token) const {
        std::unique_ptr<char, void (*)(char *)> header(
            ce_authorization_header(handle_.get(), detail::c_str(instance_token, "instance_token")), ce_string_free);
        if (!header) throw detail::last_error(CE_ERR_INVALID_ARGUMENT);
        return header.get();
    }

private:
    explicit Client(ce_client *handle) : handle_(handle) {}
    std::unique_ptr<ce_client, detail::ClientFree> handle_;
};

inline std::string version() { return ce_version(); }

}  // namespace cloud_elements

#endif  // CLOUD_ELEMENTS_HPP
