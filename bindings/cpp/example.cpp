// Provision a Pardot instance and print its token.
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
        return 0;
    } catch (const cloud_elements::Error &e) {
        std::cerr << "error (" << e.status_name() << "): " << e.what() << "\n";
        for (const auto &entry : e.missing()) std::cerr << "  missing: " << entry << "\n";
        return 1;
    }
}
