// What the C++ tests share: the pass/fail counters and CHECK, and the helpers around the wrapper's
// errors. Each test program includes this once and prints the counts.
#ifndef CLOUD_ELEMENTS_TEST_UTIL_HPP
#define CLOUD_ELEMENTS_TEST_UTIL_HPP

#include "cloud_elements.hpp"

#include <iostream>
#include <string>

static int passed, failed;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            std::cerr << __FILE__ << ":" << __LINE__ << ": CHECK(" #cond ") failed\n"; \
        }                                                                            \
    } while (0)

namespace ce = cloud_elements;

[[maybe_unused]] static bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

// Runs `call`, which must throw a ce::Error, and returns it (a CE_OK Error when it did not throw).
template <class F>
static ce::Error error_of(F call) {
    try {
        call();
    } catch (const ce::Error &e) {
        return e;
    }
    failed++;
    std::cerr << "expected a cloud_elements::Error\n";
    return ce::Error(CE_OK, "");
}

#endif
