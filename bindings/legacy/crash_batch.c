/*
 * The crash test's batch (scripts/test-legacy.sh): provisions instances with idempotency keys k0,
 * k1, ... k<N-1> in a loop with ce_provision_ex(), one line "ok KEY ID" per instance (flushed, so
 * that a killed run shows how far it got). The script kills a first run with SIGKILL part-way
 * and runs it again to completion: the rerun must find what the first run created, and leave
 * exactly one instance per key.
 *
 * Usage: CE_BASE_URL=... crash_batch N. Exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *url = getenv("CE_BASE_URL");
    int n = argc > 1 ? atoi(argv[1]) : 50;
    if (!url || n <= 0) {
        fprintf(stderr, "usage: CE_BASE_URL=... %s N\n", argv[0]);
        return 2;
    }
    const char *instance = "{\"element\":{\"key\":\"closeio\"},\"name\":\"batch\","
                           "\"configuration\":{\"username\":\"KEY\",\"password\":\"PW\"}}";
    int failures = 0;
    for (int i = 0; i < n; i++) {
        char options[96], token[CE_TOKEN_BUFFER_SIZE], error[512];
        int64_t id = 0;
        snprintf(options, sizeof options, "{\"idempotency_key\":\"k%d\",\"retries\":3,\"timeout_ms\":5000}", i);
        ce_status status = ce_provision_ex(url, "sandbox-user-secret", "sandbox-organization-secret", instance,
                                           options, token, sizeof token, &id, error, sizeof error);
        if (status == CE_OK) {
            printf("ok k%d %lld\n", i, (long long)id);
        } else {
            printf("FAILED k%d: %s (%s)\n", i, ce_status_str(status), error);
            failures++;
        }
        fflush(stdout);
    }
    ce_flat_reset();
    return failures ? 1 : 0;
}
