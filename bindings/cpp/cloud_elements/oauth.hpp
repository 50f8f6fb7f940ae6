// cloud_elements/oauth.hpp: what the validation mode and an OAuth login take, and
// receive_oauth_code(). Part of the header-only C++17 wrapper; include <cloud_elements.hpp>.
#ifndef CLOUD_ELEMENTS_OAUTH_HPP
#define CLOUD_ELEMENTS_OAUTH_HPP

#include "error.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace cloud_elements {

// What a client checks before it sends a create (Client::set_validation()).
enum class Validation : int {
    // The default: built-in elements are checked offline; any other element's definition is fetched
    // once per client and cached; an unknown element throws CE_ERR_UNKNOWN_ELEMENT.
    Full = CE_VALIDATION_FULL,
    // Built-in elements only; no definition is ever fetched.
    Offline = CE_VALIDATION_OFFLINE,
    // No element checks at all: the server decides.
    Off = CE_VALIDATION_OFF,
};

// What Client::oauth_url() asks for: named members, so that the key and the secret cannot be
// swapped silently.
struct OAuthUrlRequest {
    // The OAuth application at the provider (the element's oauth.api.key and oauth.api.secret).
    // The secret is sent in the query, as the platform asks, and is in no error message.
    std::string api_key;
    std::string api_secret;
    // Where the provider sends the browser back, as registered with it.
    std::string callback_url;
    // The permissions asked for; empty: the element's default.
    std::optional<std::string> scope;
    // A fresh, unguessable value the redirect must carry back (give the same to
    // receive_oauth_code()). Strongly recommended.
    std::optional<std::string> state;
};

// Waits (blocking) for the OAuth provider to redirect the browser to `callback_url` (http:// to a
// loopback host, with its port), answers the browser with a short page and returns the code. Start
// it before the browser goes to the authorization URL. The redirect must carry `state` (refused
// otherwise, CE_ERR_INVALID_ARGUMENT: a possible cross-site request forgery); std::nullopt skips
// the check, which is not recommended. No redirect within `timeout` throws CE_ERR_TIMEOUT.
inline std::string receive_oauth_code(const std::string &callback_url, const std::optional<std::string> &state,
                                      std::chrono::milliseconds timeout) {
    char *code = nullptr;
    std::uint32_t ms = detail::clamp_ms(timeout);
    if (ms == 0) throw Error(CE_ERR_INVALID_ARGUMENT, "the timeout is not positive");
    detail::check(ce_receive_oauth_code(detail::c_str(callback_url, "callback_url"),
                                        state ? detail::c_str(*state, "state") : nullptr, ms, &code));
    return detail::take_string(code);
}

}  // namespace cloud_elements

#endif  // CLOUD_ELEMENTS_OAUTH_HPP
