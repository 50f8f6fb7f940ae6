/* The floor of `make bench` (see bench/run.py): the least a client can do to create an instance.
 * It builds one valid `POST {base}/instances` request up front, then for each create writes it
 * whole on one kept-alive socket and reads exactly one response: until the end of the head, then
 * until the Content-Length body is complete. It parses nothing else; it only checks that the
 * status line says 200. Prints one JSON line like the other contenders.
 *
 *   floor N WARMUP        (CLOUD_ELEMENTS_BASE_URL = http://HOST:PORT/PATH and the two secrets)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The request every contender sends (bench/run.py's BODY). */
static const char BODY[] = "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":\"bench-key\","
                           "\"password\":\"bench-password\"},\"tags\":[\"bench\"],\"name\":\"bench\"}";

static char buf[1 << 16];

static int die(const char *what) {
    fprintf(stderr, "floor: %s failed%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    return 1;
}

static int send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t sent = send(fd, data, len, 0);
        if (sent <= 0) return -1;
        data += sent;
        len -= (size_t)sent;
    }
    return 0;
}

/* Reads one response: the head up to CRLFCRLF, then Content-Length bytes of body. */
static int read_response(int fd) {
    size_t have = 0, need = 0;
    for (;;) {
        ssize_t got = recv(fd, buf + have, sizeof buf - have, 0);
        if (got <= 0) return -1;
        have += (size_t)got;
        if (need == 0) {
            char *end = memmem(buf, have, "\r\n\r\n", 4);
            if (end == NULL) {
                if (have == sizeof buf) return -1;
                continue;
            }
            char *length = memmem(buf, (size_t)(end - buf), "\r\nContent-Length:", 17);
            if (length == NULL || memcmp(buf, "HTTP/1.1 200", 12) != 0) return -1;
            need = (size_t)(end + 4 - buf) + strtoul(length + 17, NULL, 10);
            if (need > sizeof buf) return -1;
        }
        if (have >= need) return have == need ? 0 : -1;
    }
}

static double seconds(struct timeval t) { return (double)t.tv_sec + (double)t.tv_usec / 1e6; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *base = getenv("CLOUD_ELEMENTS_BASE_URL");
    const char *user = getenv("CLOUD_ELEMENTS_USER_SECRET");
    const char *org = getenv("CLOUD_ELEMENTS_ORG_SECRET");
    if (argc != 3 || base == NULL || user == NULL || org == NULL || strncmp(base, "http://", 7) != 0) {
        fprintf(stderr, "usage: floor N WARMUP, with CLOUD_ELEMENTS_BASE_URL=http://HOST:PORT/PATH, "
                        "CLOUD_ELEMENTS_USER_SECRET and CLOUD_ELEMENTS_ORG_SECRET set\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10), warmup = strtol(argv[2], NULL, 10);

    char authority[256], host[256], port[16] = "80";
    const char *path = strchr(base + 7, '/');
    size_t authority_len = path ? (size_t)(path - base - 7) : strlen(base + 7);
    if (authority_len == 0 || authority_len >= sizeof authority) return die("base URL");
    memcpy(authority, base + 7, authority_len);
    authority[authority_len] = '\0';
    strcpy(host, authority);
    char *colon = strrchr(host, ':');
    if (colon) {
        snprintf(port, sizeof port, "%s", colon + 1);
        *colon = '\0';
    }

    static char request[4096];
    int request_len = snprintf(request, sizeof request,
                               "POST %s/instances HTTP/1.1\r\n"
                               "Host: %s\r\n"
                               "Authorization: User %s, Organization %s\r\n"
                               "Content-Type: application/json\r\n"
                               "Accept: application/json\r\n"
                               "Content-Length: %zu\r\n"
                               "\r\n"
                               "%s",
                               path ? path : "", authority, user, org, strlen(BODY), BODY);
    if (request_len <= 0 || (size_t)request_len >= sizeof request) return die("request");

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *addr;
    if (getaddrinfo(host, port, &hints, &addr) != 0) return die("getaddrinfo");
    int fd = socket(addr->ai_family, addr->ai_socktype, addr->ai_protocol);
    if (fd < 0 || connect(fd, addr->ai_addr, addr->ai_addrlen) != 0) return die("connect");
    freeaddrinfo(addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    for (long i = 0; i < warmup; i++)
        if (send_all(fd, request, (size_t)request_len) != 0 || read_response(fd) != 0) return die("warm-up");

    struct rusage u0, u1;
    getrusage(RUSAGE_SELF, &u0);
    double start = now();
    for (long i = 0; i < n; i++)
        if (send_all(fd, request, (size_t)request_len) != 0 || read_response(fd) != 0) return die("create");
    double wall = now() - start;
    getrusage(RUSAGE_SELF, &u1);
    close(fd);
    double cpu_user = seconds(u1.ru_utime) - seconds(u0.ru_utime);
    double cpu_sys = seconds(u1.ru_stime) - seconds(u0.ru_stime);
    printf("{\"n\": %ld, \"user_s\": %.6f, \"sys_s\": %.6f, \"cpu_s\": %.6f, \"wall_s\": %.6f}\n", n, cpu_user,
           cpu_sys, cpu_user + cpu_sys, wall);
    return 0;
}
