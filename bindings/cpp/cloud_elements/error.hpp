// cloud_elements/error.hpp: cloud_elements::Error and the helpers every wrapper uses. Part of the
// header-only C++17 wrapper; include <cloud_elements.hpp>.
#ifndef CLOUD_ELEMENTS_ERROR_HPP
#define CLOUD_ELEMENTS_ERROR_HPP

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

// A failed call: what() is the library's message (never a secret). Everything the C API's
// ce_last_error_*() functions say about the failure, read on the thread that made the call.
class Error : public std::runtime_error {
public:
    Error(ce_status status, const std::string &message, int http_status = 0, std::string request_id = {},
          std::vector<std::string> missing = {}, std::chrono::milliseconds retry_after = std::chrono::milliseconds(0),
          bool outcome_unknown = false, std::string provider_message = {})
        : std::runtime_error(message),
          status_(status),
          http_status_(http_status),
          request_id_(std::move(request_id)),
          missing_(std::move(missing)),
          retry_after_(retry_after),
          outcome_unknown_(outcome_unknown),
          provider_message_(std::move(provider_message)) {}

    ce_status status() const noexcept { return status_; }
    const char *status_name() const noexcept { return ce_status_str(static_cast<int>(status_)); }
    // The HTTP status of the response behind the error, or 0 when there was none.
    int http_status() const noexcept { return http_status_; }
    // The server's requestId (quote it to support), or "".
    const std::string &request_id() const noexcept { return request_id_; }
    // The missing configuration entries, in catalog order (CE_ERR_MISSING_CONFIGURATION).
    const std::vector<std::string> &missing() const noexcept { return missing_; }
    // The third-party service's own message (providerMessage), or "".
    const std::string &provider_message() const noexcept { return provider_message_; }
    // CE_ERR_RATE_LIMITED: the server asked to wait longer than the retries allow (see retry_after()).
    bool rate_limited() const noexcept { return status_ == CE_ERR_RATE_LIMITED; }
    // How long the server asked to wait (Retry-After), or 0 when it did not ask.
    std::chrono::milliseconds retry_after() const noexcept { return retry_after_; }
    // True when the failed call may nevertheless have taken effect: the request was sent and its
    // answer was lost (a timeout or reset after sending) or does not say (a 500 or 502). Never for
    // reads, nor for failures before anything was sent.
    bool outcome_unknown() const noexcept { return outcome_unknown_; }
    // outcome_unknown() of a create: the instance may exist. Look it up before creating again, or
    // use Client::set_idempotent(true).
    bool instance_may_exist() const noexcept { return outcome_unknown_; }

private:
    ce_status status_;
    int http_status_;
    std::string request_id_;
    std::vector<std::string> missing_;
    std::chrono::milliseconds retry_after_;
    bool outcome_unknown_;
    std::string provider_message_;
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
                 std::move(missing), retry_after, ce_last_error_instance_may_exist() != 0,
                 ce_last_error_provider_message());
}

inline void check(ce_status status) {
    if (status != CE_OK) throw last_error(status);
}

// The string as a C string; one with an embedded NUL would be silently cut short, so it is refused.
inline const char *c_str(const std::string &s, const char *what) {
    if (s.find('\0') != std::string::npos) {
        throw Error(CE_ERR_INVALID_ARGUMENT, std::string(what) + " contains a NUL character");
    }
    return s.c_str();
}

// Milliseconds as the C API takes them: negative is 0 (the default), too large is the maximum.
inline std::uint32_t clamp_ms(std::chrono::milliseconds ms) {
    if (ms.count() <= 0) return 0;
    if (ms.count() > static_cast<long long>(UINT32_MAX)) return UINT32_MAX;
    return static_cast<std::uint32_t>(ms.count());
}

// A `char *` the library handed out, as a std::string; freed with ce_string_free().
inline std::string take_string(char *owned) {
    std::unique_ptr<char, void (*)(char *)> guard(owned, ce_string_free);
    return owned ? std::string(owned) : std::string();
}

// A JSON string literal of `s` (quotes included), for the update object.
inline std::string json_string(const std::string &s) {
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xf];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

struct ClientFree { void operator()(ce_client *p) const noexcept { ce_client_free(p); } };
struct RequestFree { void operator()(ce_request *p) const noexcept { ce_request_free(p); } };
struct InstanceFree { void operator()(ce_instance *p) const noexcept { ce_instance_free(p); } };
struct ListFree { void operator()(ce_instance_list *p) const noexcept { ce_instance_list_free(p); } };

}  // namespace detail
}  // namespace cloud_elements

#endif  // CLOUD_ELEMENTS_ERROR_HPP
