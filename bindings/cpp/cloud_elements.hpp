// cloud_elements.hpp: a header-only C++17 wrapper of the C API (cloud_elements.h).
//
// RAII handles, std::string results, and one exception type, cloud_elements::Error, carrying the
// status, the HTTP status, the server's request id, the missing configuration entries, the wait the
// server asked for (Retry-After) and whether a failed create may have created the instance.
//
//   cloud_elements::Client client = cloud_elements::Client::from_env();
//   auto instance = client.create(cloud_elements::Request("closeio", "Sales")
//                                     .config("username", key)
//                                     .config("password", password)
//                                     .tag("demo"));
//   std::cout << instance.token() << "\n";
#ifndef CLOUD_ELEMENTS_HPP
#define CLOUD_ELEMENTS_HPP

#include <cloud_elements.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cloud_elements {

// A failed call: what() is the library's message (never a secret).
class Error : public std::runtime_error {
public:
    Error(ce_status status, const std::string &message, int http_status, std::string request_id,
          std::vector<std::string> missing, std::chrono::milliseconds retry_after = std::chrono::milliseconds(0),
          bool instance_may_exist = false)
        : std::runtime_error(message),
          status_(status),
          http_status_(http_status),
          request_id_(std::move(request_id)),
          missing_(std::move(missing)),
          retry_after_(retry_after),
          instance_may_exist_(instance_may_exist) {}

    ce_status status() const noexcept { return status_; }
    const char *status_name() const noexcept { return ce_status_str(static_cast<int>(status_)); }
    // The HTTP status of the response behind the error, or 0 when there was none.
    int http_status() const noexcept { return http_status_; }
    const std::string &request_id() const noexcept { return request_id_; }
    // The missing configuration entries, in catalog order (CE_ERR_MISSING_CONFIGURATION).
    const std::vector<std::string> &missing() const noexcept { return missing_; }
    // CE_ERR_RATE_LIMITED: the server asked to wait longer than the retries allow (see retry_after()).
    bool rate_limited() const noexcept { return status_ == CE_ERR_RATE_LIMITED; }
    // How long the server asked to wait (Retry-After), or 0 when it did not ask.
    std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }
    // True when the failed create may nevertheless have created the instance (a timeout or reset
    // after the request was sent, a 500 or 502): look it up before creating again, or use
    // Client::set_idempotent(true).
    bool instance_may_exist() const noexcept { return instance_may_exist_; }

private:
    ce_status status_;
    int http_status_;
    std::string request_id_;
    std::vector<std::string> missing_;
    std::chrono::milliseconds retry_after_;
    bool instance_may_exist_;
};

namespace detail {

// Turns the calling thread's last error into an Error; call right after the failed call.
inline Error last_error(ce_status status) {
    std::vector<std::string> missing;
    std::string list = ce_last_error_missing();
    for (std::size_t start = 0; !list.empty() && start <= list.size();) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        missing.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    std::uint64_t wait = ce_last_error_retry_after_ms();
    auto retry_after = std::chrono::milliseconds(
        wait > static_cast<std::uint64_t>(LLONG_MAX) ? LLONG_MAX : static_cast<long long>(wait));
    return Error(status, ce_last_error_message(), ce_last_error_http_status(), ce_last_error_request_id(),
                 std::move(missing), retry_after, ce_last_error_instance_may_exist() != 0);
}

inline void check(ce_status status) {
    if (status != CE_OK) throw last_error(status);
}

// The string as a C string; one with an embedded NUL would be silently cut short, so it is refused.
inline const char *c_str(const std::string &s, const char *what) {
    if (s.find('\0') != std::string::npos) {
        throw Error(CE_ERR_INVALID_ARGUMENT, std::string(what) + " contains a NUL character", 0, {}, {});
    }
    return s.c_str();
}

// Milliseconds as the C API takes them: negative is 0 (the default), too large is the maximum.
inline std::uint32_t clamp_ms(std::chrono::milliseconds ms) {
    if (ms.count() <= 0) return 0;
    if (ms.count() > static_cast<long long>(UINT32_MAX)) return UINT32_MAX;
    return static_cast<std::uint32_t>(ms.count());
}

struct ClientFree { void operator()(ce_client *p) const noexcept { ce_client_free(p); } };
struct RequestFree { void operator()(ce_request *p) const noexcept { ce_request_free(p); } };
struct InstanceFree { void operator()(ce_instance *p) const noexcept { ce_instance_free(p); } };

}  // namespace detail

// A provisioned instance. Move-only; the strings are copies, so they outlive it.
class Instance {
public:
    std::int64_t id() const { return ce_instance_id(handle_.get()); }
    std::string token() const { return ce_instance_token(handle_.get()); }
    std::string name() const { return ce_instance_name(handle_.get()); }
    std::string element_key() const { return ce_instance_element_key(handle_.get()); }
    // The whole response body (JSON). It holds the token and echoed passwords.
    std::string json() const { return ce_instance_json(handle_.get()); }

private:
    friend class Client;
    explicit Instance(ce_instance *handle) : handle_(handle) {}
    std::unique_ptr<ce_instance, detail::InstanceFree> handle_;
};

// A request for one instance, built field by field.
class Request {
public:
    Request(const std::string &element_key, const std::string &name) {
        ce_request *handle = nullptr;
        detail::check(ce_request_new(detail::c_str(element_key, "element_key"), detail::c_str(name, "name"), &handle));
        handle_.reset(handle);
    }
    // Sets a configuration entry (values are strings, as on the wire).
    Request &config(const std::string &key, const std::string &value) {
        detail::check(ce_request_set_config(handle_.get(), detail::c_str(key, "key"), detail::c_str(value, "value")));
        return *this;
    }
    Request &tag(const std::string &tag) {
        detail::check(ce_request_add_tag(handle_.get(), detail::c_str(tag, "tag")));
        return *this;
    }

private:
    friend class Client;
    std::unique_ptr<ce_request, detail::RequestFree> handle_;
};

// A client: secrets, timeouts and a pool of kept-alive connections. Share one between threads.
class Client {
public:
    // Note the order: the secrets first, then the optional base URL (empty: the real service).
    Client(const std::string &user_secret, const std::string &organization_secret,
           const std::string &base_url = std::string()) {
        ce_client *handle = nullptr;
        detail::check(ce_client_new(base_url.empty() ? nullptr : detail::c_str(base_url, "base_url"),
                                    detail::c_str(user_secret, "user_secret"),
                                    detail::c_str(organization_secret, "organization_secret"), &handle));
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
