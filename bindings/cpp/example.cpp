// Provision a Pardot instance, print its token, check it answers, and count the instances tagged
// "example". Client::from_env() reads the settings; in code, build a ClientOptions by name:
//   cloud_elements::ClientOptions options;
//   options.user_secret = user;
//   options.organization_secret = org;
//   cloud_elements::Client client(options);
//
//   c++ -std=c++17 -I bindings/cpp example.cpp $(pkg-config --cflags --libs cloud_elements) -o example
//   CLOUD_ELEMENTS_USER_SECRET=... CLOUD_ELEMENTS_ORG_SECRET=... ./example USER PASSWORD USER_KEY
#include "cloud_elements.hpp"

#include <iostream>

int main(int argc, char **argv) {
    if (argc != 4) {
        std::cerr << "usage: " << argv[0] << " PARDOT_USERNAME PARDOT_PASSWORD PARDOT_USER_KEY\n";
        return 2;
    }
    try {
        auto client = cloud_elements::Client::from_env();
        auto instance = client.create(cloud_elements::Request("pardot", "Example")
                                          .config("apikey.user.name", argv[1])
                                          .config("apikey.user.password", argv[2])
                                          .config("apikey.user.key", argv[3])
                                          .config("provider.version", "4")
                                          .tag("example"));
        std::cout << "id:          " << instance.id() << "\n"
                  << "element key: " << instance.element_key() << "\n"
                  << "token:       " << instance.token() << "\n";
        client.ping(instance.token(), "marketing");
        std::cout << "tagged:      " << client.list_instances({"example"}).size() << " instance(s)\n";
        return 0;
    } catch (const cloud_elements::Error &e) {
        std::cerr << "error (" << e.status_name() << "): " << e.what() << "\n";
        for (const auto &entry : e.missing()) std::cerr << "  missing: " << entry << "\n";
        return 1;
    }
}
