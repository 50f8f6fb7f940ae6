/*
 * The flat API as VB6, Delphi, LabVIEW or any FFI without a C header sees it: the shared library
 * is opened with dlopen(), each function is resolved by name with dlsym(), and its type is
 * declared here by hand from the README's table (int32_t status, int64_t id, size_t lengths).
 * Deliberately no #include <cloud_elements.h>.
 *
 * Usage: dlopen_flat LIBRARY BASE_URL. Exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*provision_ex_fn)(const char *, const char *, const char *, const char *, const char *, char *,
                                   size_t, int64_t *, char *, size_t);
typedef int32_t (*find_fn)(const char *, const char *, const char *, const char *, char *, size_t, int64_t *, char *,
                           size_t);
typedef int32_t (*deprovision_fn)(const char *, const char *, const char *, int64_t, char *, size_t);
typedef int32_t (*field_fn)(const char *, char *, size_t);
typedef void (*reset_fn)(void);

/* The status values, as fixed in the README. */
enum { OK = 0, MISSING_CONFIGURATION = 2, NOT_FOUND = 4, BUFFER_TOO_SMALL = 9 };

static int failures;
#define EXPECT(cond)                                                     \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "dlopen_flat.c:%d: %s failed\n", __LINE__, #cond); \
            failures++;                                                  \
        }                                                                \
    } while (0)

/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
static void *resolve(void *library, const char *name) {
    void *symbol = dlsym(library, name);
    if (!symbol) fprintf(stderr, "%s: %s\n", name, dlerror());
    return symbol;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBRARY BASE_URL\n", argv[0]);
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    provision_ex_fn provision_ex;
    find_fn find;
    deprovision_fn deprovision;
    field_fn field;
    reset_fn reset;
    *(void **)&provision_ex = resolve(library, "ce_provision_ex");
    *(void **)&find = resolve(library, "ce_find_instance");
    *(void **)&deprovision = resolve(library, "ce_deprovision");
    *(void **)&field = resolve(library, "ce_last_error_field");
    *(void **)&reset = resolve(library, "ce_flat_reset");
    if (!provision_ex || !find || !deprovision || !field || !reset) return 1;

    const char *url = argv[2], *user = "sandbox-user-secret", *org = "sandbox-organization-secret";
    const char *closeio = "{\"element\":{\"key\":\"closeio\"},\"name\":\"dlopen\","
                          "\"configuration\":{\"username\":\"KEY\",\"password\":\"PW\"}}";
    char token[256], again[256], error[256], value[128];
    int64_t id = 0, found = 0;

    EXPECT(provision_ex(url, user, org, closeio, "{\"idempotency_key\":\"dlopen-1\"}", token, sizeof token, &id, error,
                        sizeof error) == OK);
    EXPECT(id > 0 && strlen(token) > 20 && error[0] == '\0');
    EXPECT(find(url, user, org, "dlopen-1", again, sizeof again, &found, error, sizeof error) == OK);
    EXPECT(found == id && strcmp(token, again) == 0);
    EXPECT(find(url, user, org, "dlopen-1", again, 4, &found, error, sizeof error) == BUFFER_TOO_SMALL);
    EXPECT(field("needed", value, sizeof value) == OK && (size_t)strtol(value, NULL, 10) == strlen(token) + 1);
    EXPECT(provision_ex(url, user, org, "{\"element\":{\"key\":\"pardot\"},\"name\":\"x\",\"configuration\":{}}", NULL,
                        token, sizeof token, NULL, error, sizeof error) == MISSING_CONFIGURATION);
    EXPECT(field("missing", value, sizeof value) == OK &&
           strcmp(value, "apikey.user.name,apikey.user.password,apikey.user.key") == 0);
    EXPECT(deprovision(url, user, org, id, error, sizeof error) == OK);
    EXPECT(find(url, user, org, "dlopen-1", again, sizeof again, &found, error, sizeof error) == NOT_FOUND);
    reset();
    dlclose(library);
    if (failures == 0) printf("dlopen: all passed\n");
    return failures ? 1 : 0;
}
