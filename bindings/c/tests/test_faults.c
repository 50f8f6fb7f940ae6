/*
 * The fault matrix through the C API (the C side of tests/faults.rs): every fault the sandbox can
 * inject gives the right ce_status with a useful, short message that holds no secret, within the
 * configured timeout plus one second; retries never create an instance twice.
 *
 * scripts/test-c.sh starts the sandboxes and sets:
 * - CE_FAULT_SANDBOX_URL: a sandbox of its own (this test resets it), started with
 *   --user-secret USER_SECRET --org-secret ORG_SECRET (below);
 * - CE_TLS_SANDBOX_URL, CE_TLS_CA_FILE: a sandbox started with --tls --ca-file and the same
 *   secrets (the TLS tests are skipped, loudly, without them);
 * - CE_FAULT_CREATES (or the first argument): creates in the idempotent test (default 100).
 * CE_FAULT_ONLY=WORDS runs only the tests whose name contains WORDS; CE_TEST_VERBOSE=1 prints
 * every error report and each test's time.
 *
 * Every error any call here reports (message, request id, missing entries, ce_provision's error
 * buffer) is scanned for the secrets below and their distinctive tails.
 * Prints "N passed, M failed" last; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sandbox_util.h"


/* The fault sandbox's secrets (scripts/test-c.sh starts it with these), and configuration values
 * and a token as distinctive. The password has a '/' (JSON may write it "\/") and a non-ASCII
 * letter (JSON may write it "\u00e9"). */
#define USER_SECRET "usr-SECRET-Qx7Zk9"
#define ORG_SECRET "org-SECRET-Wd5Hn2"
#define API_KEY "KEY-SECRET-Hw3Tq5"
#define PASSWORD "PW-SECRET/Jv8Rn2\xc3\xa9"
#define PASSWORD_JSON_ESCAPED "PW-SECRET\\\\/Jv8Rn2\\\\u00e9" /* in a fault's "body": PW-SECRET\/Jv8Rn2\u00e9 */
#define WRONG_SECRET "usr-WRONG-Mz4Lp8"
#define SERVER_TOKEN "TKN-SECRET-Yb6Vc1"

/* Found anywhere in an error report, any of these is a leak: the whole values, and their tails,
 * which survive any escaping. */
static const char *const LEAKS[] = {
    USER_SECRET, ORG_SECRET, API_KEY, PASSWORD, WRONG_SECRET, SERVER_TOKEN,
    "Qx7Zk9",    "Wd5Hn2",   "Hw3Tq5", "Jv8Rn2", "Mz4Lp8",     "Yb6Vc1",
};

static const char *url, *tls_url, *tls_ca;
static int scanned; /* error reports scanned for secrets */

static int verbose; /* CE_TEST_VERBOSE: print every error report and each test's time */

/* The secret in `text`, or NULL. */
static const char *leaked(const char *text) {
    for (size_t i = 0; i < sizeof LEAKS / sizeof LEAKS[0]; i++) {
        if (contains(text, LEAKS[i])) return LEAKS[i];
    }
    return NULL;
}

static void scan_text(const char *text, const char *what, int line) {
    const char *secret = leaked(text);
    if (secret) {
        failed++;
        fprintf(stderr, "%s:%d: secret \"%s\" in %s: %s\n", __FILE__, line, secret, what, text);
    } else {
        passed++;
    }
    if (verbose && *text) printf("    %d: %s: %s\n", line, what, text);
}

/* Scans everything the last error reports. */
static void scan_last_error(int line) {
    scan_text(ce_last_error_message(), "ce_last_error_message()", line);
    scan_text(ce_last_error_request_id(), "ce_last_error_request_id()", line);
    scan_text(ce_last_error_missing(), "ce_last_error_missing()", line);
    scanned++;
}

#define SCAN() scan_last_error(__LINE__)

static int ends_with(const char *text, const char *suffix) {
    size_t len = strlen(text), suffix_len = strlen(suffix);
    return len >= suffix_len && strcmp(text + len - suffix_len, suffix) == 0;
}

static void closeio_json(char *out, size_t size, const char *name) {
    snprintf(out, size,
             "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":\"%s\",\"password\":\"%s\"},"
             "\"tags\":[\"faults\"],\"name\":\"%s\"}",
             API_KEY, PASSWORD, name);
}

/* One create of a Close.io instance named `name` (the configuration holds API_KEY and PASSWORD).
 * Checks it ended within `limit_s` (the configured overall timeout) plus one second, was no
 * caught panic, and that a failure has a message under 1200 bytes and no secret anywhere.
 * Stores the time taken in *elapsed and the instance in *out (else frees it). */
static ce_status create_at(ce_client *client, const char *name, double limit_s, double *elapsed, ce_instance **out,
                           int line) {
    char json[512];
    closeio_json(json, sizeof json, name);
    ce_instance *instance = NULL;
    double started = now_seconds();
    ce_status status = ce_create_instance_json(client, json, &instance);
    double took = now_seconds() - started;
    if (elapsed) *elapsed = took;
    if (took >= limit_s + 1.0) fprintf(stderr, "%s:%d: the create took %.3f s\n", __FILE__, line, took);
    CHECK_AT(took < limit_s + 1.0, line);
    CHECK_AT(status != CE_ERR_INTERNAL, line);
    if (status == CE_OK) {
        CHECK_AT(instance != NULL && strcmp(ce_last_error_message(), "") == 0, line);
    } else {
        size_t len = strlen(ce_last_error_message());
        CHECK_AT(len > 0 && len < 1200, line);
        CHECK_AT(instance == NULL, line);
    }
    scan_last_error(line);
    if (out) {
        *out = instance;
    } else {
        ce_instance_free(instance);
    }
    return status;
}

#define CREATE(client, name, limit_s, elapsed) create_at((client), (name), (limit_s), (elapsed), NULL, __LINE__)

/* A client of `base` with these timeouts and quick backoff (2 retries, 20 to 100 ms). */
static ce_client *client_for(const char *base, uint32_t connect_ms, uint32_t total_ms) {
    ce_client *client = NULL;
    CHECK_STATUS(ce_client_new(base, USER_SECRET, ORG_SECRET, &client), CE_OK);
    CHECK_STATUS(ce_client_set_timeout_ms(client, connect_ms, total_ms), CE_OK);
    CHECK_STATUS(ce_client_set_retries(client, 2, 20, 100), CE_OK);
    return client;
}

static void inject(const char *fault_json) {
    int status = sandbox_inject(url, fault_json);
    if (status != 200) fprintf(stderr, "the sandbox refused the fault (%d): %s\n", status, fault_json);
    CHECK(status == 200);
}

static void reset_sandbox(void) {
    CHECK(sandbox_reset(url) == 200);
}

/* Instances the sandbox holds, and its whole GET /_sandbox/instances answer in *json if wanted. */
static int instance_count(char **json) {
    char *answer = NULL;
    int count = -1;
    if (sandbox_request(url, "GET", "/_sandbox/instances", NULL, &answer) == 200 && answer) {
        count = count_of(answer, "\"provisionInteractions\"");
    }
    if (json) {
        *json = answer;
    } else {
        free(answer);
    }
    return count;
}

/* The methods of the logged requests, in order, comma separated ("POST,GET,POST"). */
static void request_methods(char *out, size_t size) {
    char *answer = NULL;
    out[0] = '\0';
    if (sandbox_request(url, "GET", "/_sandbox/requests", NULL, &answer) == 200 && answer) {
        for (const char *at = strstr(answer, "\"method\":\""); at; at = strstr(at + 1, "\"method\":\"")) {
            const char *method = at + 10;
            size_t len = strcspn(method, "\"");
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%.*s", used ? "," : "", (int)len, method);
        }
    }
    free(answer);
}

/* `Sun, 06 Nov 1994 08:49:37 GMT` for `seconds` from now. */
static void http_date(long seconds, char *out, size_t size) {
    time_t at = time(NULL) + seconds;
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* A loopback port with nothing listening: a bound socket that never listens refuses connects. */
static int refusing_port(int *fd) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(*fd, (struct sockaddr *)&addr, &len) != 0) {
        return -1;
    }
    return ntohs(addr.sin_port);
}

/* A port where a TCP connect never completes (Linux): a listener with a backlog of 0 whose accept
 * queue is already full, so the kernel drops further SYNs. */
struct blackhole {
    int listener;
    int fillers[4];
    int port;
};

static void blackhole_open(struct blackhole *hole) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    hole->port = -1;
    hole->listener = socket(AF_INET, SOCK_STREAM, 0);
    for (int i = 0; i < 4; i++) hole->fillers[i] = -1;
    if (hole->listener < 0 || bind(hole->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(hole->listener, 0) != 0 || getsockname(hole->listener, (struct sockaddr *)&addr, &len) != 0) {
        return;
    }
    hole->port = ntohs(addr.sin_port);
    /* Fill the queue: keep the connects that complete; the first that does not shows it is full. */
    for (int i = 0; i < 4; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) break;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int done = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
        if (!done && errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            int error = 0;
            socklen_t error_len = sizeof error;
            done = poll(&p, 1, 100) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) == 0 &&
                   error == 0;
        }
        if (done) {
            hole->fillers[i] = fd;
        } else {
            close(fd);
        }
    }
}

static void blackhole_close(struct blackhole *hole) {
    for (int i = 0; i < 4; i++) {
        if (hole->fillers[i] >= 0) close(hole->fillers[i]);
    }
    if (hole->listener >= 0) close(hole->listener);
}

/* ------------------------------------------------------------------------------------------ */

static void test_connection_refused(void) {
    int fd = -1;
    int port = refusing_port(&fd);
    CHECK(port > 0);
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/elements/api-v2", port);
    ce_client *client = client_for(base, 1000, 5000);
    /* Nothing was sent: retried twice (quickly), then the connect error. */
    CHECK_STATUS(CREATE(client, "refused", 5.0, NULL), CE_ERR_TRANSPORT);
    CHECK(contains(ce_last_error_message(), "could not connect"));
    CHECK(ce_last_error_http_status() == 0);
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(ce_last_error_retry_after_ms() == 0);
    CHECK(strcmp(ce_last_error_request_id(), "") == 0);
    CHECK_STATUS(ce_client_set_retries(client, 0, 0, 0), CE_OK);
    CHECK_STATUS(CREATE(client, "refused", 5.0, NULL), CE_ERR_TRANSPORT);
    CHECK(contains(ce_last_error_message(), "could not connect"));
    ce_client_free(client);
    close(fd);
}

static void test_unknown_host(void) {
    /* `.invalid` never resolves (RFC 6761). */
    ce_client *client = client_for("https://no-such-host.invalid/elements/api-v2", 3000, 5000);
    CHECK_STATUS(ce_client_set_retries(client, 0, 0, 0), CE_OK);
    ce_status status = CREATE(client, "nowhere", 5.0, NULL);
    CHECK(status == CE_ERR_TRANSPORT || status == CE_ERR_TIMEOUT);
    if (status == CE_ERR_TRANSPORT) CHECK(contains(ce_last_error_message(), "could not be resolved"));
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(ce_last_error_http_status() == 0);
    ce_client_free(client);
}

static void test_connect_timeout(void) {
    struct blackhole hole;
    blackhole_open(&hole);
    CHECK(hole.port > 0);
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/elements/api-v2", hole.port);
    ce_client *client = client_for(base, 300, 2000);
    CHECK_STATUS(ce_client_set_retries(client, 1, 20, 20), CE_OK);
    double elapsed = 0;
    CHECK_STATUS(CREATE(client, "blackhole", 2.0, &elapsed), CE_ERR_TIMEOUT);
    CHECK(contains(ce_last_error_message(), "connecting to the server took longer than 300 ms"));
    CHECK(ce_last_error_instance_may_exist() == 0);
    /* Nothing was sent, so it was retried once: two connect timeouts. */
    CHECK(elapsed >= 0.59);
    ce_client_free(client);
    blackhole_close(&hole);
}

static void test_delay_past_the_overall_timeout(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 500);
    inject("{\"kind\":\"delay\",\"ms\":1000}");
    CHECK_STATUS(CREATE(client, "delayed", 0.5, NULL), CE_ERR_TIMEOUT);
    CHECK(contains(ce_last_error_message(), "the request took longer than 500 ms"));
    CHECK(contains(ce_last_error_message(), "may have been created"));
    CHECK(ce_last_error_instance_may_exist() == 1);
    CHECK(ce_last_error_http_status() == 0);
    CHECK(sandbox_request_count(url) == 1); /* never resent blindly */
    /* And it was created, once the delay ran out: "may exist" was right. */
    int count = 0;
    for (int i = 0; i < 40 && (count = instance_count(NULL)) == 0; i++) sleep_ms(100);
    CHECK(count == 1);
    ce_client_free(client);
}

static void test_drip(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 1000);
    inject("{\"kind\":\"drip\",\"ms\":1000}");
    double elapsed = 0;
    CHECK_STATUS(CREATE(client, "dripped", 1.0, &elapsed), CE_ERR_TIMEOUT);
    CHECK(contains(ce_last_error_message(), "the request took longer than 1000 ms"));
    CHECK(ce_last_error_instance_may_exist() == 1);
    CHECK(elapsed >= 0.95);
    CHECK(sandbox_request_count(url) == 1);
    CHECK(instance_count(NULL) == 1);
    ce_client_free(client);
}

static void test_resets_and_short_bodies(void) {
    static const struct {
        const char *fault;
        int creates; /* whether the sandbox made the instance before failing */
    } cases[] = {
        {"{\"kind\":\"reset\"}", 0},
        {"{\"kind\":\"create_then_reset\"}", 1},
        {"{\"kind\":\"reset_mid_body\"}", 1},
        {"{\"kind\":\"truncate\"}", 1}, /* a body shorter than its Content-Length */
    };
    ce_client *client = client_for(url, 1000, 5000);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset_sandbox();
        inject(cases[i].fault);
        ce_status status = CREATE(client, "reset", 5.0, NULL);
        if (status != CE_ERR_TRANSPORT) fprintf(stderr, "fault %s\n", cases[i].fault);
        CHECK_STATUS(status, CE_ERR_TRANSPORT);
        CHECK(contains(ce_last_error_message(), "may have been created"));
        CHECK(ce_last_error_instance_may_exist() == 1);
        CHECK(ce_last_error_http_status() == 0);
        CHECK(sandbox_request_count(url) == 1); /* never resent blindly */
        CHECK(instance_count(NULL) == cases[i].creates);
    }
    /* The client recovers: the broken connections are not reused. */
    CHECK_STATUS(CREATE(client, "after", 5.0, NULL), CE_OK);
    ce_client_free(client);
}

static void test_server_errors(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 5000);
    const char *message;

    inject("{\"kind\":\"status\",\"status\":500}");
    CHECK_STATUS(CREATE(client, "500", 5.0, NULL), CE_ERR_API);
    message = ce_last_error_message();
    CHECK(ce_last_error_http_status() == 500);
    CHECK(ce_last_error_instance_may_exist() == 1);
    CHECK(strncmp(message, "HTTP 500: Internal Server Error", 31) == 0);
    CHECK(ends_with(message, "; the instance may have been created"));
    CHECK(strlen(ce_last_error_request_id()) > 0);
    CHECK(contains(message, ce_last_error_request_id()));

    inject("{\"kind\":\"status\",\"status\":502,\"message\":\"Bad Gateway\",\"provider_message\":\"Close.io is down\"}");
    CHECK_STATUS(CREATE(client, "502", 5.0, NULL), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 502);
    CHECK(contains(ce_last_error_message(), "HTTP 502: Bad Gateway"));
    CHECK(contains(ce_last_error_message(), "(provider: Close.io is down)"));
    CHECK(ce_last_error_instance_may_exist() == 1);

    /* An HTML page from a proxy: the status and the start of the page, cut short. */
    size_t size = 6000;
    char *fault = malloc(size);
    int n = snprintf(fault, size,
                     "{\"kind\":\"body\",\"status\":502,\"content_type\":\"text/html\","
                     "\"body\":\"<html><body><h1>502 Bad Gateway</h1>%0*d</body></html>\"}",
                     5000, 0);
    CHECK(n > 0 && (size_t)n < size);
    inject(fault);
    CHECK_STATUS(CREATE(client, "html", 5.0, NULL), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 502);
    CHECK(contains(ce_last_error_message(), "<html><body><h1>502 Bad Gateway"));
    CHECK(strlen(ce_last_error_message()) < 400);
    free(fault);

    /* A server that talks too much: message and provider message are each cut short. */
    size = 10000;
    fault = malloc(size);
    n = snprintf(fault, size, "{\"kind\":\"status\",\"status\":500,\"message\":\"%0*d\",\"provider_message\":\"%0*d\"}",
                 4000, 1, 4000, 2);
    CHECK(n > 0 && (size_t)n < size);
    inject(fault);
    CHECK_STATUS(CREATE(client, "chatty", 5.0, NULL), CE_ERR_API);
    CHECK(contains(ce_last_error_message(), "00000000"));
    CHECK(strlen(ce_last_error_message()) < 1200);
    free(fault);

    CHECK(sandbox_request_count(url) == 4); /* none of them was resent */
    CHECK(instance_count(NULL) == 0);
    ce_client_free(client);
}

static void test_busy_answers_are_retried(void) {
    ce_client *client = client_for(url, 1000, 10000);
    double elapsed = 0;
    char fault[256], date[64];

    /* 503 with Retry-After in seconds: waited for, then the create succeeds. */
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"retry_after\":\"1\"}");
    CHECK_STATUS(CREATE(client, "after 503", 10.0, &elapsed), CE_OK);
    CHECK(elapsed >= 0.95);
    CHECK(sandbox_request_count(url) == 2);

    /* 429 with Retry-After as an HTTP date two seconds ahead (whole seconds: 1 to 2 s of waiting). */
    reset_sandbox();
    http_date(2, date, sizeof date);
    snprintf(fault, sizeof fault, "{\"kind\":\"status\",\"status\":429,\"retry_after\":\"%s\"}", date);
    inject(fault);
    CHECK_STATUS(CREATE(client, "after 429", 10.0, &elapsed), CE_OK);
    CHECK(elapsed >= 0.9);
    CHECK(sandbox_request_count(url) == 2);
    CHECK(instance_count(NULL) == 1);

    /* Without Retry-After: the backoff, at most `retries` times, then the last answer. */
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":5}");
    CHECK_STATUS(CREATE(client, "503s", 10.0, NULL), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 503);
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(ce_last_error_retry_after_ms() == 0);
    CHECK(contains(ce_last_error_message(), "HTTP 503"));
    CHECK(sandbox_request_count(url) == 3); /* the first attempt and two retries */

    /* 429 without Retry-After: retried the same way; still busy, it is "rate limited". */
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":429,\"times\":5}");
    CHECK_STATUS(CREATE(client, "429s", 10.0, NULL), CE_ERR_RATE_LIMITED);
    CHECK(ce_last_error_http_status() == 429);
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(sandbox_request_count(url) == 3);
    CHECK(instance_count(NULL) == 0);
    ce_client_free(client);
}

static void test_long_retry_after_is_rate_limited(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 10000);
    double elapsed = 0;
    char fault[256], date[64];

    inject("{\"kind\":\"status\",\"status\":429,\"retry_after\":\"120\"}");
    CHECK_STATUS(CREATE(client, "429", 10.0, &elapsed), CE_ERR_RATE_LIMITED);
    CHECK(ce_last_error_http_status() == 429);
    CHECK(ce_last_error_retry_after_ms() == 120000);
    CHECK(contains(ce_last_error_message(), "retry after 120 s"));
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(elapsed < 1.0);
    CHECK(sandbox_request_count(url) == 1);

    /* Within the 60 s cap but past the call's timeout: not waited for either. */
    inject("{\"kind\":\"status\",\"status\":503,\"retry_after\":\"30\"}");
    CHECK_STATUS(CREATE(client, "503", 10.0, &elapsed), CE_ERR_RATE_LIMITED);
    CHECK(ce_last_error_http_status() == 503);
    CHECK(ce_last_error_retry_after_ms() == 30000);
    CHECK(elapsed < 1.0);

    /* As HTTP dates. */
    http_date(120, date, sizeof date);
    snprintf(fault, sizeof fault, "{\"kind\":\"status\",\"status\":429,\"retry_after\":\"%s\"}", date);
    inject(fault);
    CHECK_STATUS(CREATE(client, "429 date", 10.0, &elapsed), CE_ERR_RATE_LIMITED);
    uint64_t wait = ce_last_error_retry_after_ms();
    CHECK(wait >= 118000 && wait <= 120000);
    CHECK(elapsed < 1.0);
    http_date(90, date, sizeof date);
    snprintf(fault, sizeof fault, "{\"kind\":\"status\",\"status\":503,\"retry_after\":\"%s\"}", date);
    inject(fault);
    CHECK_STATUS(CREATE(client, "503 date", 10.0, &elapsed), CE_ERR_RATE_LIMITED);
    CHECK(ce_last_error_http_status() == 503);
    wait = ce_last_error_retry_after_ms();
    CHECK(wait >= 88000 && wait <= 90000);
    CHECK(sandbox_request_count(url) == 4);
    CHECK(instance_count(NULL) == 0);
    ce_client_free(client);
}

static void test_retry_settings(void) {
    ce_client *client = client_for(url, 1000, 10000);
    double elapsed = 0;

    CHECK_STATUS(ce_client_set_retries(NULL, 1, 1, 1), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "client"));
    CHECK_STATUS(ce_client_set_idempotent(NULL, 1), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_client_set_allow_insecure_http(NULL, 1), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_client_set_ca_bundle(NULL, "/etc/hosts"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_client_set_max_response_bytes(NULL, 1), CE_ERR_INVALID_ARGUMENT);

    /* More than 10 retries is refused, and the settings stay as they were (2 retries). */
    CHECK_STATUS(ce_client_set_retries(client, 11, 20, 100), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "at most 10 retries"));
    SCAN();
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":20}");
    CHECK_STATUS(CREATE(client, "kept", 10.0, NULL), CE_ERR_API);
    CHECK(sandbox_request_count(url) == 3);

    /* 0: never retried. */
    CHECK_STATUS(ce_client_set_retries(client, 0, 20, 100), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":20}");
    CHECK_STATUS(CREATE(client, "no retries", 10.0, NULL), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 503);
    CHECK(sandbox_request_count(url) == 1);
    /* Not even when the server says "now": a 503 with Retry-After is "rate limited", here with a
     * wait of 0 (which ce_last_error_retry_after_ms() cannot tell from "did not ask"). */
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"retry_after\":\"0\"}");
    CHECK_STATUS(CREATE(client, "no retries", 10.0, NULL), CE_ERR_RATE_LIMITED);
    CHECK(ce_last_error_http_status() == 503);
    CHECK(ce_last_error_retry_after_ms() == 0);
    CHECK(contains(ce_last_error_message(), "retry after 0 s"));
    CHECK(sandbox_request_count(url) == 1);

    /* 4 retries: five attempts. */
    CHECK_STATUS(ce_client_set_retries(client, 4, 20, 40), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":20}");
    CHECK_STATUS(CREATE(client, "four retries", 10.0, NULL), CE_ERR_API);
    CHECK(sandbox_request_count(url) == 5);

    /* The backoff: 400 ms, capped at 400 ms, with equal jitter: each pause at least 200 ms. */
    CHECK_STATUS(ce_client_set_retries(client, 2, 400, 400), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":20}");
    CHECK_STATUS(CREATE(client, "slow backoff", 10.0, &elapsed), CE_ERR_API);
    CHECK(elapsed >= 0.4);
    CHECK(sandbox_request_count(url) == 3);

    /* No call outlasts the overall timeout, however many retries and however long the pauses. */
    CHECK_STATUS(ce_client_set_timeout_ms(client, 1000, 1000), CE_OK);
    CHECK_STATUS(ce_client_set_retries(client, 10, 600, 600), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503,\"times\":20}");
    CHECK_STATUS(CREATE(client, "bounded", 1.0, &elapsed), CE_ERR_API);
    CHECK(sandbox_request_count(url) <= 3);

    /* 0 restores the default backoff (500 ms): a retry after a 503 waits at least 250 ms. */
    CHECK_STATUS(ce_client_set_timeout_ms(client, 1000, 10000), CE_OK);
    CHECK_STATUS(ce_client_set_retries(client, 1, 0, 0), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":503}");
    CHECK_STATUS(CREATE(client, "default backoff", 10.0, &elapsed), CE_OK);
    CHECK(elapsed >= 0.25);
    CHECK(sandbox_request_count(url) == 2);
    ce_client_free(client);
}

static void test_bodies_that_are_not_an_instance(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 10000);
    static const struct {
        const char *fault;
        const char *words;
    } cases[] = {
        {"{\"kind\":\"oversize\",\"bytes\":11534336}", "larger than the 10485760-byte cap"},
        {"{\"kind\":\"body\",\"status\":200,\"body_hex\":\"7b226964223a312c22746f6b656e223a2261ff227d\"}",
         "not valid UTF-8"},
        {"{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"id\\\": 1, \\\"name\\\": \\\"x\\\"}\"}", "no instance token"},
        {"{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"id\\\": 1, \\\"token\\\": \\\"\\\"}\"}", "token is empty"},
        {"{\"kind\":\"body\",\"status\":200,\"content_type\":\"text/html\","
         "\"body\":\"<html>Sign in to the proxy</html>\"}",
         "HTML"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        inject(cases[i].fault);
        ce_status status = CREATE(client, "undecodable", 10.0, NULL);
        if (status != CE_ERR_DECODE || !contains(ce_last_error_message(), cases[i].words)) {
            fprintf(stderr, "fault %s, expected \"%s\"\n", cases[i].fault, cases[i].words);
        }
        CHECK_STATUS(status, CE_ERR_DECODE);
        CHECK(contains(ce_last_error_message(), cases[i].words));
        CHECK(ce_last_error_http_status() == 200);
        /* A success status that does not say what happened: the instance may exist. */
        CHECK(ce_last_error_instance_may_exist() == 1);
    }

    /* The cap is configurable. */
    CHECK_STATUS(ce_client_set_max_response_bytes(client, 100), CE_OK);
    inject("{\"kind\":\"oversize\",\"bytes\":101}");
    CHECK_STATUS(CREATE(client, "capped", 10.0, NULL), CE_ERR_DECODE);
    CHECK(contains(ce_last_error_message(), "larger than the 100-byte cap"));
    /* A real instance answer is longer than 100 bytes too; the cap holds for it as well. */
    CHECK_STATUS(CREATE(client, "capped", 10.0, NULL), CE_ERR_DECODE);
    CHECK(contains(ce_last_error_message(), "larger than the 100-byte cap"));
    /* Exactly the cap is fine. */
    CHECK_STATUS(ce_client_set_max_response_bytes(client, 2000), CE_OK);
    inject("{\"kind\":\"oversize\",\"bytes\":2000}");
    CHECK_STATUS(CREATE(client, "at the cap", 10.0, NULL), CE_ERR_DECODE);
    CHECK(contains(ce_last_error_message(), "no instance token"));
    /* 0 restores the default (10 MB). */
    CHECK_STATUS(ce_client_set_max_response_bytes(client, 0), CE_OK);
    CHECK_STATUS(CREATE(client, "uncapped", 10.0, NULL), CE_OK);
    inject("{\"kind\":\"oversize\",\"bytes\":10485761}");
    CHECK_STATUS(CREATE(client, "just over", 10.0, NULL), CE_ERR_DECODE);
    CHECK(contains(ce_last_error_message(), "larger than the 10485760-byte cap"));
    ce_client_free(client);
}

/* For qsort over char *, NULL first. */
static int compare_strings(const void *a, const void *b) {
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    return x && y ? strcmp(x, y) : (x != NULL) - (y != NULL);
}

/* 100 creates while every third create is carried out and its answer lost: exactly 100
 * instances, none twice. */
static void test_idempotent_creates_never_duplicate(int creates) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 10000);
    CHECK_STATUS(ce_client_set_idempotent(client, 1), CE_OK);
    inject("{\"kind\":\"create_then_reset\",\"every\":3,\"times\":1000,\"method\":\"POST\"}");
    char **tokens = calloc((size_t)creates, sizeof *tokens);
    int failures = 0;
    for (int i = 0; i < creates; i++) {
        char name[32];
        snprintf(name, sizeof name, "customer-%d", i);
        ce_instance *instance = NULL;
        ce_status status = create_at(client, name, 10.0, NULL, &instance, __LINE__);
        if (status != CE_OK) {
            fprintf(stderr, "create %d: %s: %s\n", i, ce_status_str((int)status), ce_last_error_message());
            failures++;
            continue;
        }
        if (strcmp(ce_instance_name(instance), name) != 0) failures++;
        tokens[i] = strdup(ce_instance_token(instance));
        ce_instance_free(instance);
    }
    CHECK(failures == 0);
    CHECK(sandbox_request(url, "DELETE", "/_sandbox/faults", NULL, NULL) == 200);

    /* Every token returned once. */
    int distinct = 0;
    qsort(tokens, (size_t)creates, sizeof *tokens, compare_strings);
    for (int i = 0; i < creates; i++) {
        if (tokens[i] && *tokens[i] && (i == 0 || !tokens[i - 1] || strcmp(tokens[i], tokens[i - 1]) != 0)) distinct++;
    }
    CHECK(distinct == creates);

    /* Exactly one instance per create, each name once, each with one provisioning tag. */
    char *json = NULL;
    int count = instance_count(&json);
    CHECK(count == creates);
    int names_once = 0;
    for (int i = 0; i < creates; i++) {
        char needle[48];
        snprintf(needle, sizeof needle, "\"name\":\"customer-%d\"", i);
        names_once += count_of(json, needle) == 1;
    }
    CHECK(names_once == creates);
    CHECK(count_of(json, "\"ce-provision-") == creates);
    free(json);

    /* The lookups happened: one GET per lost answer. */
    char *log = NULL;
    CHECK(sandbox_request(url, "GET", "/_sandbox/requests", NULL, &log) == 200);
    int gets = count_of(log, "\"method\":\"GET\"");
    int posts = count_of(log, "\"method\":\"POST\"");
    free(log);
    CHECK(gets >= creates / 3);
    CHECK(posts == creates);
    printf("idempotent: %d creates, %d instances, %d distinct names, %d lookups\n", creates, count, names_once, gets);
    for (int i = 0; i < creates; i++) free(tokens[i]);
    free(tokens);
    ce_client_free(client);
}

static void test_idempotent_lookups(void) {
    ce_client *client = client_for(url, 1000, 10000);
    CHECK_STATUS(ce_client_set_idempotent(client, 1), CE_OK);
    char methods[256];

    /* A 500 that created nothing: the lookup answers 404 and the create is sent again. */
    reset_sandbox();
    inject("{\"kind\":\"status\",\"status\":500,\"method\":\"POST\"}");
    ce_instance *instance = NULL;
    CHECK_STATUS(create_at(client, "second try", 10.0, NULL, &instance, __LINE__), CE_OK);
    CHECK(contains(ce_instance_json(instance), "\"ce-provision-"));
    ce_instance_free(instance);
    request_methods(methods, sizeof methods);
    CHECK(strcmp(methods, "POST,GET,POST") == 0);
    CHECK(instance_count(NULL) == 1);

    /* When the lookup itself fails nothing is known: the ambiguous error, not a second POST. */
    reset_sandbox();
    inject("[{\"kind\":\"create_then_reset\",\"method\":\"POST\"},{\"kind\":\"reset\",\"method\":\"GET\"}]");
    CHECK_STATUS(CREATE(client, "lost", 10.0, NULL), CE_ERR_TRANSPORT);
    CHECK(ce_last_error_instance_may_exist() == 1);
    request_methods(methods, sizeof methods);
    CHECK(strcmp(methods, "POST,GET") == 0);
    CHECK(instance_count(NULL) == 1);

    /* Turned off again: a lost answer is returned, not looked up. */
    CHECK_STATUS(ce_client_set_idempotent(client, 0), CE_OK);
    reset_sandbox();
    inject("{\"kind\":\"create_then_reset\",\"method\":\"POST\"}");
    CHECK_STATUS(CREATE(client, "not idempotent", 10.0, NULL), CE_ERR_TRANSPORT);
    CHECK(ce_last_error_instance_may_exist() == 1);
    request_methods(methods, sizeof methods);
    CHECK(strcmp(methods, "POST") == 0);
    ce_client_free(client);
}

static void test_plain_http_to_a_remote_host(void) {
    /* 192.0.2.1 is a documentation address (RFC 5737): nothing answers there. */
    const char *remote = "http://192.0.2.1/elements/api-v2";
    ce_client *client = client_for(remote, 200, 500);
    CHECK_STATUS(ce_client_set_retries(client, 0, 0, 0), CE_OK);
    double elapsed = 0;
    CHECK_STATUS(CREATE(client, "insecure", 0.5, &elapsed), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "refusing to send the secrets over plain http://"));
    CHECK(elapsed < 0.5);
    /* The flat call refuses it too. */
    char json[512], token[CE_TOKEN_BUFFER_SIZE], error[512];
    closeio_json(json, sizeof json, "flat");
    CHECK_STATUS(ce_provision(remote, USER_SECRET, ORG_SECRET, json, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "plain http://"));
    scan_text(error, "ce_provision error_buf", __LINE__);
    /* Allowed explicitly, it tries (and fails to connect). */
    CHECK_STATUS(ce_client_set_allow_insecure_http(client, 1), CE_OK);
    ce_status status = CREATE(client, "insecure", 0.5, NULL);
    CHECK(status == CE_ERR_TIMEOUT || status == CE_ERR_TRANSPORT);
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK_STATUS(ce_client_set_allow_insecure_http(client, 0), CE_OK);
    CHECK_STATUS(CREATE(client, "insecure", 0.5, NULL), CE_ERR_INVALID_ARGUMENT);
    ce_client_free(client);
}

/* Writes `text` to a new temporary file, its name into `path`; returns `path`, or NULL. */
static const char *temp_file(const char *text, char *path, size_t size) {
    snprintf(path, size, "/tmp/ce-test-faults-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    ssize_t len = (ssize_t)strlen(text);
    int ok = write(fd, text, (size_t)len) == len;
    close(fd);
    return ok ? path : NULL;
}

static void test_tls(void) {
    if (!tls_url || !tls_ca) {
        printf("TLS tests SKIPPED: CE_TLS_SANDBOX_URL and CE_TLS_CA_FILE are not set\n");
        return;
    }
    /* Not trusted: a TLS error, not retried (it would fail the same way). */
    ce_client *client = client_for(tls_url, 2000, 5000);
    CHECK_STATUS(CREATE(client, "untrusted", 5.0, NULL), CE_ERR_TRANSPORT);
    CHECK(contains(ce_last_error_message(), "TLS certificate is not trusted"));
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(ce_last_error_http_status() == 0);

    /* Trusted through the bundle. */
    CHECK_STATUS(ce_client_set_ca_bundle(client, tls_ca), CE_OK);
    ce_instance *instance = NULL;
    CHECK_STATUS(create_at(client, "over TLS", 5.0, NULL, &instance, __LINE__), CE_OK);
    CHECK(strlen(ce_instance_token(instance)) >= 20);
    ce_instance_free(instance);

    /* A bundle that cannot be used is an input error naming the problem, and changes nothing. */
    CHECK_STATUS(ce_client_set_ca_bundle(client, "/nonexistent/ce-ca.pem"), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "cannot be read"));
    SCAN();
    char path[64];
    CHECK(temp_file("not pem\n", path, sizeof path) != NULL);
    CHECK_STATUS(ce_client_set_ca_bundle(client, path), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "holds no certificate"));
    SCAN();
    unlink(path);
    CHECK_STATUS(ce_client_set_ca_bundle(client, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "path"));
    CHECK_STATUS(CREATE(client, "still trusted", 5.0, NULL), CE_OK);
    ce_client_free(client);
}

/* `text` as hexadecimal digits, into `out`. */
static void to_hex(const char *text, char *out, size_t size) {
    size_t i = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c && i + 3 <= size; c++, i += 2) {
        snprintf(out + i, 3, "%02x", *c);
    }
    out[i < size ? i : size - 1] = '\0';
}

/* Every error path again, now with the server echoing the secrets back in every way it can;
 * everything each error reports is scanned (as it is throughout this file). */
static void test_no_secret_in_any_error(void) {
    int before = scanned;
    /* The scan finds what it looks for, escaped too. */
    CHECK(leaked("x " USER_SECRET " y") && leaked("PW-SECRET\\\\/Jv8Rn2\\u00e9") && leaked("[" API_KEY "]"));
    CHECK(!leaked("HTTP 500: bad password [redacted] for [redacted]"));
    reset_sandbox();
    ce_client *client = client_for(url, 300, 500);
    CHECK_STATUS(ce_client_set_retries(client, 1, 20, 20), CE_OK);

    char hex[512], raw[256], fault[1024];
    snprintf(raw, sizeof raw, "{\"message\":\"bad password %s for %s\"}", PASSWORD, API_KEY);
    to_hex(raw, hex, sizeof hex - 2);
    strcat(hex, "ff"); /* and not UTF-8 */
    snprintf(fault, sizeof fault, "{\"kind\":\"body\",\"status\":200,\"body_hex\":\"%s\"}", hex);

    const char *echo_all = "bad password " PASSWORD " / " PASSWORD_JSON_ESCAPED " for " API_KEY
                           " with User " USER_SECRET ", Organization " ORG_SECRET;
    /* Each fault, the status it gives, and whether the message quotes the body (so that it must
     * show "[redacted]" where the secrets were). */
    struct {
        char fault[1024];
        ce_status expected;
        int quotes;
    } echoes[16];
    int n = 0;
#define ECHO(expected_, quotes_, ...)                                               \
    do {                                                                            \
        int len_ = snprintf(echoes[n].fault, sizeof echoes[n].fault, __VA_ARGS__); \
        CHECK(len_ > 0 && (size_t)len_ < sizeof echoes[n].fault);                   \
        echoes[n].expected = (expected_);                                           \
        echoes[n++].quotes = (quotes_);                                             \
    } while (0)
    char date[64];
    http_date(120, date, sizeof date);
    /* 400 echoing the password in the message and request id, the secrets as provider message. */
    ECHO(CE_ERR_API, 1,
         "{\"kind\":\"body\",\"status\":400,\"body\":\"{\\\"requestId\\\":\\\"%s\\\",\\\"message\\\":\\\"%s\\\","
         "\\\"providerMessage\\\":\\\"%s\\\"}\"}",
         PASSWORD, echo_all, echo_all);
    /* 401 quoting the Authorization header. */
    ECHO(CE_ERR_UNAUTHORIZED, 1,
         "{\"kind\":\"body\",\"status\":401,\"body\":\"{\\\"message\\\":\\\"Authorization: User %s, Organization "
         "%s\\\",\\\"requestId\\\":\\\"%s\\\"}\"}",
         USER_SECRET, ORG_SECRET, API_KEY);
    /* 500 and 502 (the sandbox's own error body) with the secrets in message and provider message. */
    ECHO(CE_ERR_API, 1, "{\"kind\":\"status\",\"status\":500,\"message\":\"%s\"}", echo_all);
    ECHO(CE_ERR_API, 1,
         "{\"kind\":\"status\",\"status\":502,\"message\":\"%s\",\"provider_message\":\"%s\"}", echo_all,
         echo_all);
    /* 503 and 429 asking to wait, echoing. */
    ECHO(CE_ERR_RATE_LIMITED, 1,
         "{\"kind\":\"status\",\"status\":503,\"retry_after\":\"120\",\"message\":\"%s\"}", echo_all);
    ECHO(CE_ERR_RATE_LIMITED, 1,
         "{\"kind\":\"status\",\"status\":429,\"retry_after\":\"%s\",\"provider_message\":\"%s\"}", date,
         echo_all);
    /* A proxy's HTML page that quotes the request. */
    ECHO(CE_ERR_API, 1,
         "{\"kind\":\"body\",\"status\":502,\"content_type\":\"text/html\",\"body\":\"<html>%s</html>\"}",
         echo_all);
    /* 200 without a token, echoing the configuration (raw and escaped). */
    ECHO(CE_ERR_DECODE, 0,
         "{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"id\\\":1,\\\"configuration\\\":{\\\"password\\\":"
         "\\\"%s\\\",\\\"username\\\":\\\"%s\\\"},\\\"note\\\":\\\"%s\\\"}\"}",
         PASSWORD, API_KEY, echo_all);
    /* 200 with an empty token. */
    ECHO(CE_ERR_DECODE, 0,
         "{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"note\\\":\\\"%s\\\",\\\"token\\\":\\\"\\\"}\"}",
         echo_all);
    /* 200 cut short after the token the server issued: no JSON, and a token the client cannot know. */
    ECHO(CE_ERR_DECODE, 1,
         "{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"token\\\":\\\"%s\\\",\\\"configuration\\\":"
         "{\\\"password\\\":\\\"%s\"}",
         SERVER_TOKEN, PASSWORD);
    /* 200 as an HTML page, echoing. */
    ECHO(CE_ERR_DECODE, 1,
         "{\"kind\":\"body\",\"status\":200,\"content_type\":\"text/html\",\"body\":\"<html>%s</html>\"}",
         echo_all);
    /* 200 with invalid UTF-8 after the echo. */
    ECHO(CE_ERR_DECODE, 1, "%s", fault);
    /* A 400 whose body is not JSON, echoing. */
    ECHO(CE_ERR_API, 1,
         "{\"kind\":\"body\",\"status\":400,\"content_type\":\"text/plain\",\"body\":\"%s\"}", echo_all);
    /* 404 naming the element and echoing. */
    ECHO(CE_ERR_NOT_FOUND, 1,
         "{\"kind\":\"body\",\"status\":404,\"body\":\"{\\\"message\\\":\\\"No element for %s\\\"}\"}", echo_all);
#undef ECHO
    for (int f = 0; f < n; f++) {
        inject(echoes[f].fault);
        ce_status status = CREATE(client, "echo", 0.5, NULL);
        if (status != echoes[f].expected) fprintf(stderr, "fault %s\n", echoes[f].fault);
        CHECK_STATUS(status, echoes[f].expected);
        /* The server's words are there, the secrets in them hidden. */
        if (echoes[f].quotes) CHECK(contains(ce_last_error_message(), "[redacted]"));
    }

    /* Faults without a body: delay, drip, resets, truncation, a body over the cap. */
    static const char *const quiet[] = {
        "{\"kind\":\"delay\",\"ms\":600}",     "{\"kind\":\"drip\",\"ms\":1000}",
        "{\"kind\":\"reset\"}",                "{\"kind\":\"create_then_reset\"}",
        "{\"kind\":\"reset_mid_body\"}",       "{\"kind\":\"truncate\"}",
        "{\"kind\":\"oversize\",\"bytes\":200}",
    };
    for (size_t q = 0; q < sizeof quiet / sizeof quiet[0]; q++) {
        if (strstr(quiet[q], "oversize")) CHECK_STATUS(ce_client_set_max_response_bytes(client, 100), CE_OK);
        inject(quiet[q]);
        ce_status status = CREATE(client, "quiet", 0.5, NULL);
        CHECK(status == CE_ERR_TIMEOUT || status == CE_ERR_TRANSPORT || status == CE_ERR_DECODE);
    }
    ce_client_free(client);

    /* No connection: refused, unknown host, connect timeout, untrusted TLS, plain http. */
    int fd = -1;
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/elements/api-v2", refusing_port(&fd));
    client = client_for(base, 300, 500);
    CHECK_STATUS(CREATE(client, "refused", 0.5, NULL), CE_ERR_TRANSPORT);
    ce_client_free(client);
    close(fd);
    client = client_for("https://no-such-host.invalid/elements/api-v2", 300, 500);
    CHECK(CREATE(client, "unknown", 0.5, NULL) != CE_OK);
    ce_client_free(client);
    struct blackhole hole;
    blackhole_open(&hole);
    snprintf(base, sizeof base, "http://127.0.0.1:%d/elements/api-v2", hole.port);
    client = client_for(base, 300, 500);
    CHECK_STATUS(CREATE(client, "blackhole", 0.5, NULL), CE_ERR_TIMEOUT);
    ce_client_free(client);
    blackhole_close(&hole);
    if (tls_url) {
        client = client_for(tls_url, 2000, 5000);
        CHECK_STATUS(CREATE(client, "untrusted", 5.0, NULL), CE_ERR_TRANSPORT);
        ce_client_free(client);
    }
    client = client_for("http://192.0.2.1/elements/api-v2", 300, 500);
    CHECK_STATUS(CREATE(client, "insecure", 0.5, NULL), CE_ERR_INVALID_ARGUMENT);
    ce_client_free(client);

    /* A wrong secret: the server's own 401. */
    ce_client *wrong = NULL;
    CHECK_STATUS(ce_client_new(url, WRONG_SECRET, ORG_SECRET, &wrong), CE_OK);
    CHECK_STATUS(CREATE(wrong, "wrong", 60.0, NULL), CE_ERR_UNAUTHORIZED);
    CHECK(ce_last_error_http_status() == 401);
    ce_client_free(wrong);

    /* Input errors with secret values: missing entries, a typographic quote, malformed JSON, a
     * secret that cannot go in a header. */
    client = client_for(url, 1000, 5000);
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_create_instance_json(client,
                                         "{\"element\":{\"key\":\"pardot\"},\"configuration\":{\"apikey.user.password\":"
                                         "\"" PASSWORD "\"},\"tags\":[],\"name\":\"n\"}",
                                         &instance),
                 CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "apikey.user.name,apikey.user.key") == 0);
    SCAN();
    CHECK_STATUS(ce_create_instance_json(client,
                                         "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":"
                                         "\"\xe2\x80\x9c" API_KEY "\xe2\x80\x9d\",\"password\":\"" PASSWORD
                                         "\"},\"tags\":[],\"name\":\"n\"}",
                                         &instance),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "typographic quote"));
    SCAN();
    static const char *const malformed[] = {
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":\"" API_KEY "\",\"password\":\"" PASSWORD
        "\"},\"tags\":\"" PASSWORD "\",\"name\":\"n\"}",
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"password\":[\"" PASSWORD "\"]},\"name\":\"n\"}",
        "{\"element\":{\"key\":\"" API_KEY "\"},\"configuration\":{},\"name\":{\"" PASSWORD "\":1}}",
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"password\":\"" PASSWORD,
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"" PASSWORD "\":\"" PASSWORD "\"}} " API_KEY,
    };
    for (size_t m = 0; m < sizeof malformed / sizeof malformed[0]; m++) {
        ce_status status = ce_create_instance_json(client, malformed[m], &instance);
        CHECK(status == CE_ERR_INVALID_ARGUMENT || status == CE_ERR_MISSING_CONFIGURATION);
        SCAN();
    }
    ce_request *request = NULL;
    CHECK_STATUS(ce_request_new("closeio", "n", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "password", PASSWORD), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_ERR_MISSING_CONFIGURATION);
    SCAN();
    ce_request_free(request);
    ce_client_free(client);
    ce_client *bad = NULL;
    CHECK_STATUS(ce_client_new(url, USER_SECRET "\n", ORG_SECRET, &bad), CE_ERR_INVALID_ARGUMENT);
    SCAN();
    CHECK_STATUS(ce_client_new(url, USER_SECRET, ORG_SECRET ", " API_KEY, &bad), CE_ERR_INVALID_ARGUMENT);
    SCAN();
    CHECK(bad == NULL);

    /* The flat call's error buffer: a wrong secret, and an echoing 500. */
    char json[512], token[CE_TOKEN_BUFFER_SIZE], error[2048];
    closeio_json(json, sizeof json, "flat");
    CHECK_STATUS(ce_provision(url, WRONG_SECRET, ORG_SECRET, json, token, sizeof token, error, sizeof error),
                 CE_ERR_UNAUTHORIZED);
    scan_text(error, "ce_provision error_buf", __LINE__);
    SCAN();
    snprintf(fault, sizeof fault, "{\"kind\":\"status\",\"status\":500,\"message\":\"%s\"}", echo_all);
    inject(fault);
    CHECK_STATUS(ce_provision(url, USER_SECRET, ORG_SECRET, json, token, sizeof token, error, sizeof error),
                 CE_ERR_API);
    CHECK(contains(error, "[redacted]"));
    scan_text(error, "ce_provision error_buf", __LINE__);
    SCAN();
    CHECK(strcmp(token, "") == 0);

    /* It was the echoes that were hidden, not the messages. */
    inject("{\"kind\":\"status\",\"status\":502,\"message\":\"bad password " PASSWORD "\",\"provider_message\":\"" API_KEY
           " rejected\"}");
    client = client_for(url, 1000, 5000);
    CHECK_STATUS(CREATE(client, "redacted", 5.0, NULL), CE_ERR_API);
    CHECK(contains(ce_last_error_message(), "bad password [redacted]"));
    CHECK(contains(ce_last_error_message(), "(provider: [redacted] rejected)"));
    ce_client_free(client);
    printf("secrets: %d error reports scanned here, %d in all\n", scanned - before, scanned);
    CHECK(scanned - before >= 35);
}

/* A server may write any character of a JSON string as \uXXXX, and some do so for ASCII by default
 * (.NET's System.Text.Json writes '+' as \u002B; '<', '>', '&' and '\'' likewise). A password with
 * a '+' echoed that way stays hidden wherever an error shows the server's text: a "message" field
 * (decoded), an error answer without one or an undecodable success (quoted raw). */
#define PLUS_PASSWORD "PW+SECRET-Rt9Gk4"
static void test_secret_echoed_with_ascii_unicode_escapes(void) {
    reset_sandbox();
    ce_client *client = client_for(url, 1000, 5000);
    CHECK_STATUS(ce_client_set_retries(client, 0, 0, 0), CE_OK);
    const char *json = "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":\"" API_KEY
                       "\",\"password\":\"" PLUS_PASSWORD "\"},\"tags\":[],\"name\":\"plus\"}";
    static const struct {
        const char *fault;
        ce_status expected;
    } cases[] = {
        /* A "message" is decoded before redaction: hidden. */
        {"{\"kind\":\"body\",\"status\":400,\"body\":\"{\\\"message\\\":\\\"bad password PW\\\\u002BSECRET-Rt9Gk4\\\"}\"}",
         CE_ERR_API},
        /* An error answer without "message": its body is quoted raw. */
        {"{\"kind\":\"body\",\"status\":400,\"body\":\"{\\\"error\\\":\\\"bad password PW\\\\u002BSECRET-Rt9Gk4\\\"}\"}",
         CE_ERR_API},
        /* An undecodable success: its body is quoted raw. */
        {"{\"kind\":\"body\",\"status\":200,\"body\":\"{\\\"configuration\\\":{\\\"password\\\":"
         "\\\"PW\\\\u002BSECRET-Rt9Gk4\\\"}\"}",
         CE_ERR_DECODE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        inject(cases[i].fault);
        ce_instance *instance = NULL;
        CHECK_STATUS(ce_create_instance_json(client, json, &instance), cases[i].expected);
        scan_last_error(__LINE__); /* nothing else leaks */
        CHECK(!contains(ce_last_error_message(), "Rt9Gk4"));
    }
    ce_client_free(client);
}

int main(int argc, char **argv) {
    url = getenv("CE_FAULT_SANDBOX_URL");
    if (!url || !*url) {
        fprintf(stderr, "CE_FAULT_SANDBOX_URL is not set (scripts/test-c.sh starts a sandbox with --user-secret "
                        USER_SECRET " --org-secret " ORG_SECRET " and sets it)\n");
        return 2;
    }
    tls_url = getenv("CE_TLS_SANDBOX_URL");
    tls_ca = getenv("CE_TLS_CA_FILE");
    if (tls_url && !*tls_url) tls_url = NULL;
    if (tls_ca && !*tls_ca) tls_ca = NULL;
    verbose = getenv("CE_TEST_VERBOSE") != NULL;
    int creates = atoi(argc > 1 ? argv[1] : env_or("CE_FAULT_CREATES", "100"));
    if (creates <= 0) creates = 100;

    static const struct {
        const char *name;
        void (*run)(void);
    } tests[] = {
        {"connection refused", test_connection_refused},
        {"unknown host", test_unknown_host},
        {"connect timeout", test_connect_timeout},
        {"delay past the overall timeout", test_delay_past_the_overall_timeout},
        {"drip", test_drip},
        {"resets and short bodies", test_resets_and_short_bodies},
        {"server errors", test_server_errors},
        {"busy answers are retried", test_busy_answers_are_retried},
        {"long Retry-After", test_long_retry_after_is_rate_limited},
        {"retry settings", test_retry_settings},
        {"bodies that are not an instance", test_bodies_that_are_not_an_instance},
        {"idempotent lookups", test_idempotent_lookups},
        {"plain http", test_plain_http_to_a_remote_host},
        {"TLS", test_tls},
        {"no secret in any error", test_no_secret_in_any_error},
        {"secrets echoed with ASCII \\u escapes", test_secret_echoed_with_ascii_unicode_escapes},
    };
    const char *only = getenv("CE_FAULT_ONLY"); /* runs only the tests whose name contains this */
    double started = now_seconds();
    /* First, while no earlier test can have left anything behind in the sandbox. */
    double at = now_seconds();
    if (!only || strstr("idempotent creates", only)) {
        test_idempotent_creates_never_duplicate(creates);
        if (verbose) printf("  %-34s %.2f s\n", "idempotent creates", now_seconds() - at);
    }
    for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        if (only && !strstr(tests[t].name, only)) continue;
        at = now_seconds();
        tests[t].run();
        if (verbose) printf("  %-34s %.2f s\n", tests[t].name, now_seconds() - at);
    }
    printf("faults: %d error reports scanned for secrets; %.1f s\n", scanned, now_seconds() - started);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
