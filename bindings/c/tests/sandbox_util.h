/*
 * sandbox_util.h: talking to the sandbox's control endpoints (/_sandbox/...) from the C and C++
 * tests, over a plain loopback socket, plus a few small helpers. Header-only; C11 and C++17.
 *
 * Define _POSIX_C_SOURCE 200809L before including it (C).
 */
#ifndef CE_SANDBOX_UTIL_H
#define CE_SANDBOX_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *env_or(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

static inline int contains(const char *haystack, const char *needle) {
    return haystack && needle && strstr(haystack, needle) != NULL;
}

/* How often `needle` occurs in `haystack` (not overlapping). */
static inline int count_of(const char *haystack, const char *needle) {
    int n = 0;
    size_t len = strlen(needle);
    for (const char *at = haystack ? strstr(haystack, needle) : NULL; at && len; at = strstr(at + len, needle)) {
        n++;
    }
    return n;
}

static inline double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends `method path` with an optional JSON `body` to the sandbox whose API base URL is
 * `base_url` (http://HOST:PORT/elements/api-v2; IPv4 HOST), over a plain socket. Returns the
 * HTTP status of the answer, or -1. With `answer` non-NULL, *answer receives the body (malloc'd,
 * NUL-terminated; free() it) or NULL. Waits at most 10 s. */
static inline int sandbox_request(const char *base_url, const char *method, const char *path, const char *body,
                                  char **answer) {
    if (answer) *answer = NULL;
    const char *hostport = base_url ? strstr(base_url, "://") : NULL;
    int port = 0;
    char host[64];
    memset(host, 0, sizeof host);
    if (!hostport || sscanf(hostport + 3, "%63[^:/]:%d", host, &port) != 2) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval wait;
    wait.tv_sec = 10;
    wait.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    size_t body_len = body ? strlen(body) : 0;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, host, port, body_len);
    if (n <= 0 || (size_t)n >= sizeof head || write(fd, head, (size_t)n) != n ||
        (body_len && write(fd, body, body_len) != (ssize_t)body_len)) {
        close(fd);
        return -1;
    }
    /* Read the head, then Content-Length bytes of body (or up to the close). */
    size_t cap = 4096, len = 0;
    char *buf = (char *)malloc(cap);
    if (!buf) {
        close(fd);
        return -1;
    }
    const char *body_start = NULL;
    size_t content_length = (size_t)-1;
    for (;;) {
        if (body_start && content_length != (size_t)-1 && len - (size_t)(body_start - buf) >= content_length) break;
        if (cap - len < 2048) {
            size_t offset = body_start ? (size_t)(body_start - buf) : 0;
            char *bigger = (char *)realloc(buf, cap * 2);
            if (!bigger) break;
            buf = bigger;
            cap *= 2;
            if (body_start) body_start = buf + offset;
        }
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got <= 0) break;
        len += (size_t)got;
        buf[len] = '\0';
        if (!body_start) {
            char *end = strstr(buf, "\r\n\r\n");
            if (end) {
                body_start = end + 4;
                for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
                    if (strncasecmp(line + 2, "Content-Length:", 15) == 0) {
                        content_length = (size_t)strtoul(line + 17, NULL, 10);
                    }
                }
            }
        }
    }
    close(fd);
    buf[len] = '\0';
    int status = -1;
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) status = -1;
    if (answer && body_start) {
        size_t size = len - (size_t)(body_start - buf);
        char *copy = (char *)malloc(size + 1);
        if (copy) {
            memcpy(copy, body_start, size);
            copy[size] = '\0';
        }
        *answer = copy;
    }
    free(buf);
    return status;
}

/* Queues a fault (a JSON object or array): POST /_sandbox/faults. Returns the HTTP status. */
static inline int sandbox_inject(const char *base_url, const char *fault_json) {
    return sandbox_request(base_url, "POST", "/_sandbox/faults", fault_json, NULL);
}

/* Forgets instances, faults and the request log: POST /_sandbox/reset. Returns the HTTP status. */
static inline int sandbox_reset(const char *base_url) {
    return sandbox_request(base_url, "POST", "/_sandbox/reset", "", NULL);
}

/* API requests the sandbox has received since its start or reset ("count" of
 * GET /_sandbox/requests), or -1. */
static inline long sandbox_request_count(const char *base_url) {
    char *answer = NULL;
    long count = -1;
    if (sandbox_request(base_url, "GET", "/_sandbox/requests", NULL, &answer) == 200 && answer) {
        const char *at = strstr(answer, "\"count\":");
        if (at) count = strtol(at + 8, NULL, 10);
    }
    free(answer);
    return count;
}

#endif /* CE_SANDBOX_UTIL_H */
