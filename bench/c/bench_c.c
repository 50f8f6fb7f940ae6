/* The C contender of `make bench` (see bench/run.py): creates Close.io instances through the C
 * API of libcloud_elements.so, one ce_client, one thread, against the server that
 * CLOUD_ELEMENTS_BASE_URL names, and prints one JSON line with what it measured. Start-up, the
 * client's construction and a warm-up (which opens the kept-alive connection) are not measured.
 *
 *   bench_c create N WARMUP     CPU time (getrusage) and wall time of N creates
 *   bench_c memory N WARMUP     resident memory before and after N creates
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cloud_elements.h>

static int fail(const char *what, ce_status status) {
    fprintf(stderr, "bench_c: %s: %s: %s\n", what, ce_status_str(status), ce_last_error_message());
    return 1;
}

/* Creates n instances with `request`, checking each answer. */
static int run(const ce_client *client, const ce_request *request, long n) {
    for (long i = 0; i < n; i++) {
        ce_instance *instance = NULL;
        ce_status status = ce_create_instance(client, request, &instance);
        if (status != CE_OK) return fail("ce_create_instance", status);
        int empty = ce_instance_token(instance)[0] == '\0';
        ce_instance_free(instance);
        if (empty) {
            fprintf(stderr, "bench_c: an instance without a token\n");
            return 1;
        }
    }
    return 0;
}

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kib;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "memory") != 0)) {
        fprintf(stderr, "usage: bench_c create|memory N WARMUP\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10), warmup = strtol(argv[3], NULL, 10);
    ce_client *client = NULL;
    ce_request *request = NULL;
    ce_status status = ce_client_from_env(&client);
    if (status != CE_OK) return fail("ce_client_from_env", status);
    /* The request every contender sends (bench/run.py's BODY). */
    if ((status = ce_request_new("closeio", "bench", &request)) != CE_OK ||
        (status = ce_request_set_config(request, "username", "bench-key")) != CE_OK ||
        (status = ce_request_set_config(request, "password", "bench-password")) != CE_OK ||
        (status = ce_request_add_tag(request, "bench")) != CE_OK)
        return fail("building the request", status);
    if (run(client, request, warmup) != 0) return 1;

    int rc;
    if (strcmp(argv[1], "memory") == 0) {
        long before = rss_kib();
        rc = run(client, request, n);
        long after = rss_kib();
        if (rc == 0) printf("{\"n\": %ld, \"rss_before_kib\": %ld, \"rss_after_kib\": %ld}\n", n, before, after);
    } else {
        struct rusage u0, u1;
        getrusage(RUSAGE_SELF, &u0);
        double start = now();
        rc = run(client, request, n);
        double wall = now() - start;
        getrusage(RUSAGE_SELF, &u1);
        double user = seconds(u1.ru_utime) - seconds(u0.ru_utime);
        double sys = seconds(u1.ru_stime) - seconds(u0.ru_stime);
        if (rc == 0)
            printf("{\"n\": %ld, \"user_s\": %.6f, \"sys_s\": %.6f, \"cpu_s\": %.6f, \"wall_s\": %.6f}\n", n, user, sys,
                   user + sys, wall);
    }
    ce_request_free(request);
    ce_client_free(client);
    return rc;
}
