/*
 * browser.h: a browser played over a raw loopback socket, for the OAuth tests of C and C++: a GET
 * of an http://127.0.0.1:PORT/... URL that retries the connection while the listener is not open
 * yet, and a free loopback port for a callback URL. Header-only; C11 and C++17; include
 * sandbox_util.h first.
 */
#ifndef CE_BROWSER_H
#define CE_BROWSER_H

/* Connects to 127.0.0.1:port; -1 on failure. */
static inline int connect_port(int port) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval wait;
    wait.tv_sec = 10;
    wait.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* GET `target` (http://127.0.0.1:PORT/...) as a browser does, retrying the connection for up to
 * 5 s (the listener may not be open yet). Writes the whole answer (head and body, truncated) into
 * `answer`. Returns the HTTP status, or -1. */
static inline int browser_get(const char *target, char *answer, size_t size) {
    int port = 0;
    char path[2048];
    answer[0] = '\0';
    if (sscanf(target, "http://127.0.0.1:%d%2047s", &port, path) != 2) return -1;
    int fd = -1;
    for (int attempt = 0; attempt < 500 && fd < 0; attempt++) {
        fd = connect_port(port);
        if (fd < 0) {
            struct timespec pause;
            pause.tv_sec = 0;
            pause.tv_nsec = 10000000;
            nanosleep(&pause, NULL);
        }
    }
    if (fd < 0) return -1;
    char request[2300];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
                     path, port);
    if (n <= 0 || (size_t)n >= sizeof request || write(fd, request, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t len = 0;
    ssize_t got;
    while (len + 1 < size && (got = read(fd, answer + len, size - len - 1)) > 0) len += (size_t)got;
    answer[len] = '\0';
    close(fd);
    int status = -1;
    return sscanf(answer, "HTTP/1.1 %d", &status) == 1 ? status : -1;
}

/* A free loopback port for the callback URL. */
static inline int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) close(fd);
    return port;
}

#endif /* CE_BROWSER_H */
