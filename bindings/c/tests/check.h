/* The C tests' checks: each counts a pass or a failure, and a failure prints where, what and the
 * library's last error message. Every test program includes this once and prints the counts. */
#ifndef CE_CHECK_H
#define CE_CHECK_H

#include <stdio.h>

#include <cloud_elements.h>

static int passed, failed;

#define CHECK_AT(cond, line)                                                                     \
    do {                                                                                         \
        if (cond) {                                                                              \
            passed++;                                                                            \
        } else {                                                                                 \
            failed++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, (line), #cond, \
                    ce_last_error_message());                                                    \
        }                                                                                        \
    } while (0)

#define CHECK(cond) CHECK_AT(cond, __LINE__)

#define CHECK_STATUS(call, expected)                                                            \
    do {                                                                                        \
        ce_status got_ = (call);                                                                \
        if (got_ == (expected)) {                                                               \
            passed++;                                                                           \
        } else {                                                                                \
            failed++;                                                                           \
            fprintf(stderr, "%s:%d: %s gave %s, expected %s: %s\n", __FILE__, __LINE__, #call,  \
                    ce_status_str((int)got_), ce_status_str((int)(expected)),                   \
                    ce_last_error_message());                                                   \
        }                                                                                       \
    } while (0)

#endif
