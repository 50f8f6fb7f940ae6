// cloud_elements/instance.hpp: instances (owned, and borrowed from a list), instance lists, and
// what a create or an update sends. Part of the header-only C++17 wrapper; include
// <cloud_elements.hpp>.
#ifndef CLOUD_ELEMENTS_INSTANCE_HPP
#define CLOUD_ELEMENTS_INSTANCE_HPP

#include "error.hpp"

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cloud_elements {

namespace detail {

// What an instance says, read through Self::get() (a `const ce_instance *`, NULL reads as empty).
template <class Self>
class InstanceGetters {
public:
    std::int64_t id() const { return ce_instance_id(raw()); }
    // The instance token: keep it for every later call on this instance. A secret.
    std::string token() const { return ce_instance_token(raw()); }
    std::string name() const { return ce_instance_name(raw()); }
    std::string element_key() const { return ce_instance_element_key(raw()); }
    // Whether the server reported the instance valid / disabled; empty when it did not say.
    std::optional<bool> valid() const { return flag(ce_instance_valid(raw())); }
    std::optional<bool> disabled() const { return flag(ce_instance_disabled(raw())); }
    // Whether the create that returned it made it (true) or found it made by its idempotency key
    // (false); empty for an instance that was read rather than created.
    std::optional<bool> created() const { return flag(ce_instance_created(raw())); }
    // The configuration the server echoed, as a JSON object (passwords included); empty when the
    // answer had none.
    std::optional<std::string> configuration_json() const {
        const char *json = ce_instance_configuration_json(raw());
        return json ? std::optional<std::string>(json) : std::nullopt;
    }
    // The whole response body (JSON). It holds the token and echoed passwords.
    std::string json() const { return ce_instance_json(raw()); }

private:
    const ce_instance *raw() const { return static_cast<const Self *>(this)->get(); }
    static std::optional<bool> flag(int value) {
        return value < 0 ? std::nullopt : std::optional<bool>(value != 0);
    }
};

}  // namespace detail

// A provisioned instance. Move-only; the strings are copies, so they outlive it. A moved-from
// instance reads as empty.
class Instance : public detail::InstanceGetters<Instance> {
public:
    const ce_instance *get() const noexcept { return handle_.get(); }

private:
    friend class Client;
    explicit Instance(ce_instance *handle) : handle_(handle) {}
    std::unique_ptr<ce_instance, detail::InstanceFree> handle_;
};

// An instance borrowed from an InstanceList: valid while the list lives.
class InstanceRef : public detail::InstanceGetters<InstanceRef> {
public:
    const ce_instance *get() const noexcept { return handle_; }

private:
    friend class InstanceList;
    explicit InstanceRef(const ce_instance *handle) : handle_(handle) {}
    const ce_instance *handle_;
};

// The instances Client::list_instances() found, freed with the list (RAII). Move-only.
class InstanceList {
public:
    class iterator {
    public:
        InstanceRef operator*() const { return (*list_)[index_]; }
        iterator &operator++() {
            ++index_;
            return *this;
        }
        bool operator==(const iterator &other) const { return index_ == other.index_ && list_ == other.list_; }
        bool operator!=(const iterator &other) const { return !(*this == other); }

    private:
        friend class InstanceList;
        iterator(const InstanceList *list, std::size_t index) : list_(list), index_(index) {}
        const InstanceList *list_;
        std::size_t index_;
    };

    std::size_t size() const noexcept { return ce_instance_list_len(handle_.get()); }
    bool empty() const noexcept { return size() == 0; }
    // The instance at `index`, borrowed from the list; std::out_of_range past the end.
    InstanceRef operator[](std::size_t index) const {
        const ce_instance *item = ce_instance_list_get(handle_.get(), index);
        if (!item) throw std::out_of_range("cloud_elements::InstanceList: index out of range");
        return InstanceRef(item);
    }
    iterator begin() const { return iterator(this, 0); }
    iterator end() const { return iterator(this, size()); }

private:
    friend class Client;
    explicit InstanceList(ce_instance_list *handle) : handle_(handle) {}
    std::unique_ptr<ce_instance_list, detail::ListFree> handle_;
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
    // The OAuth code the provider's redirect carried (providerData.code), for OAuth elements.
    Request &oauth_code(const std::string &code) {
        detail::check(ce_request_set_oauth_code(handle_.get(), detail::c_str(code, "code")));
        return *this;
    }
    // Names this create (1 to 64 of A-Z a-z 0-9 . _ -): an instance already created with the key
    // is returned instead of a second one (Instance::created() is then false).
    Request &idempotency_key(const std::string &key) {
        detail::check(ce_request_set_idempotency_key(handle_.get(), detail::c_str(key, "key")));
        return *this;
    }

private:
    friend class Client;
    std::unique_ptr<ce_request, detail::RequestFree> handle_;
};

// What Client::update_instance() changes; what is not set stays as it is. Tags are replaced, not
// merged (tags({}) removes them all); a new OAuth code re-authenticates the instance.
class InstanceUpdate {
public:
    InstanceUpdate &name(const std::string &name) {
        name_ = name;
        return *this;
    }
    InstanceUpdate &tags(std::vector<std::string> tags) {
        tags_ = std::move(tags);
        return *this;
    }
    InstanceUpdate &tags(std::initializer_list<std::string> tags) { return this->tags(std::vector<std::string>(tags)); }
    // A new value for configuration entry `key`; setting a key again replaces its value.
    InstanceUpdate &config(const std::string &key, const std::string &value) {
        for (auto &entry : configuration_) {
            if (entry.first == key) {
                entry.second = value;
                return *this;
            }
        }
        configuration_.emplace_back(key, value);
        return *this;
    }
    InstanceUpdate &oauth_code(const std::string &code) {
        oauth_code_ = code;
        return *this;
    }

    // The JSON object ce_update_instance() takes. It holds the configuration values and the code.
    std::string to_json() const {
        std::string json = "{";
        auto field = [&json](const char *key) {
            if (json.size() > 1) json += ",";
            json += std::string("\"") + key + "\":";
        };
        if (name_) {
            field("name");
            json += detail::json_string(*name_);
        }
        if (tags_) {
            field("tags");
            json += "[";
            for (std::size_t i = 0; i < tags_->size(); i++) json += (i ? "," : "") + detail::json_string((*tags_)[i]);
            json += "]";
        }
        if (!configuration_.empty()) {
            field("configuration");
            json += "{";
            for (std::size_t i = 0; i < configuration_.size(); i++) {
                json += (i ? "," : "") + detail::json_string(configuration_[i].first) + ":" +
                        detail::json_string(configuration_[i].second);
            }
            json += "}";
        }
        if (oauth_code_) {
            field("providerData");
            json += "{\"code\":" + detail::json_string(*oauth_code_) + "}";
        }
        return json + "}";
    }

private:
    std::optional<std::string> name_;
    std::optional<std::vector<std::string>> tags_;
    std::vector<std::pair<std::string, std::string>> configuration_;
    std::optional<std::string> oauth_code_;
};

}  // namespace cloud_elements

#endif  // CLOUD_ELEMENTS_INSTANCE_HPP
