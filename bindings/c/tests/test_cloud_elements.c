/*
 * Tests of the C API against a running sandbox (scripts/test-c.sh starts one).
 *
 * Environment: CE_SANDBOX_URL (the sandbox's base URL), and optionally CE_SANDBOX_USER_SECRET,
 * CE_SANDBOX_ORG_SECRET, CE_TEST_THREAD_CREATES (creates per thread, default 100).
 * Prints "N passed, M failed" last; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sandbox_util.h"


static const char *url, *user_secret, *org_secret;

static ce_client *new_client(void) {
    ce_client *client = NULL;
    CHECK_STATUS(ce_client_new(url, user_secret, org_secret, &client), CE_OK);
    return client;
}

static const char CLOSEIO_JSON[] =
    "{\n"
    "  \"element\": {\n"
    "    \"key\": \"closeio\"\n"
    "  },\n"
    "  \"configuration\": {\n"
    "    \"username\": \"<INSERT_CLOSE_IO_API_KEY>\",\n"
    "    \"password\": \"<INSERT_CLOSE_IO_PASSWORD>\"\n"
    "  },\n"
    "  \"tags\": [\n"
    "    \"<INSERT_TAGS>\"\n"
    "  ],\n"
    "  \"name\": \"<INSERT_INSTANCE_NAME>\"\n"
    "}\n";

static const char PARDOT_JSON[] =
    "{\n"
    "  \"element\": {\n"
    "    \"key\": \"pardot\"\n"
    "  },\n"
    "  \"configuration\": {\n"
    "    \"apikey.user.name\":  \"<INSERT_PARDOT_USERNAME>\",\n"
    "    \"apikey.user.password\": \"<INSERT_PARDOT_PASSWORD>\",\n"
    "    \"apikey.user.key\": \"<INSERT_PARDOT_API_USER_KEY>\",\n"
    "    \"provider.version\": \"4\"\n"
    "  },\n"
    "  \"tags\": [\n"
    "    \"<INSERT_TAGS>\"\n"
    "  ],\n"
    "  \"name\": \"<INSERT_INSTANCE_NAME>\"\n"
    "}\n";

static void test_version(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", CE_VERSION_MAJOR, CE_VERSION_MINOR, CE_VERSION_PATCH);
    CHECK(strcmp(ce_version(), expected) == 0);
    CHECK(strcmp(ce_status_str(CE_OK), "CE_OK") == 0);
    CHECK(strcmp(ce_status_str(CE_ERR_MISSING_CONFIGURATION), "CE_ERR_MISSING_CONFIGURATION") == 0);
    CHECK(strcmp(ce_status_str(-7), "CE_UNKNOWN_STATUS") == 0);
    CHECK(CE_ERR_INVALID_ARGUMENT == 1 && CE_ERR_BUFFER_TOO_SMALL == 9 && CE_ERR_INTERNAL == 10);
}

static void test_create_closeio_with_builder(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_request_new("closeio", "Test", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "username", "MY_KEY"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "password", "MY_PW"), CE_OK);
    CHECK_STATUS(ce_request_add_tag(request, "demo"), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_OK);
    CHECK(instance != NULL);
    CHECK(strlen(ce_instance_token(instance)) >= 20);
    CHECK(ce_instance_id(instance) > 0);
    CHECK(strcmp(ce_instance_name(instance), "Test") == 0);
    CHECK(strcmp(ce_instance_element_key(instance), "closeio") == 0);
    CHECK(contains(ce_instance_json(instance), "\"Close.io Beta\""));
    CHECK(contains(ce_instance_json(instance), ce_instance_token(instance)));
    CHECK(strcmp(ce_last_error_message(), "") == 0);
    CHECK(ce_last_error_http_status() == 0);

    char *header = ce_authorization_header(client, ce_instance_token(instance));
    char expected[512];
    snprintf(expected, sizeof expected, "User %s, Organization %s, Element %s", user_secret, org_secret,
             ce_instance_token(instance));
    CHECK(header != NULL && strcmp(header, expected) == 0);
    ce_string_free(header);

    /* The same request can be sent again: a second, distinct instance. */
    ce_instance *second = NULL;
    CHECK_STATUS(ce_create_instance(client, request, &second), CE_OK);
    CHECK(ce_instance_id(second) != ce_instance_id(instance));
    CHECK(strcmp(ce_instance_token(second), ce_instance_token(instance)) != 0);
    ce_instance_free(second);

    ce_instance_free(instance);
    ce_request_free(request);
    ce_client_free(client);
}

static void test_create_both_from_documented_json(void) {
    ce_client *client = new_client();
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, &instance), CE_OK);
    CHECK(strcmp(ce_instance_element_key(instance), "closeio") == 0);
    CHECK(strcmp(ce_instance_name(instance), "<INSERT_INSTANCE_NAME>") == 0);
    CHECK(strlen(ce_instance_token(instance)) >= 20);
    ce_instance_free(instance);

    instance = NULL;
    CHECK_STATUS(ce_create_instance_json(client, PARDOT_JSON, &instance), CE_OK);
    CHECK(strcmp(ce_instance_element_key(instance), "pardot") == 0);
    CHECK(contains(ce_instance_json(instance), "\"hub\":\"marketing\""));
    CHECK(strlen(ce_instance_token(instance)) >= 20);
    ce_instance_free(instance);
    ce_client_free(client);
}

static void test_missing_configuration(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;

    CHECK_STATUS(ce_request_new("closeio", "Test", &request), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_ERR_MISSING_CONFIGURATION);
    CHECK(instance == NULL);
    CHECK(strcmp(ce_last_error_missing(), "username,password") == 0);
    CHECK(contains(ce_last_error_message(), "username, password"));
    CHECK(ce_last_error_http_status() == 0);
    ce_request_free(request);

    CHECK_STATUS(ce_create_instance_json(client,
                                         "{\"element\":{\"key\":\"pardot\"},\"configuration\":"
                                         "{\"apikey.user.name\":\"x\"},\"tags\":[],\"name\":\"n\"}",
                                         &instance),
                 CE_ERR_MISSING_CONFIGURATION);
    CHECK(instance == NULL);
    CHECK(strcmp(ce_last_error_missing(), "apikey.user.password,apikey.user.key") == 0);
    CHECK(contains(ce_last_error_message(), "pardot"));

    /* A success clears the last error. */
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, &instance), CE_OK);
    CHECK(strcmp(ce_last_error_missing(), "") == 0);
    CHECK(strcmp(ce_last_error_message(), "") == 0);
    ce_instance_free(instance);
    ce_client_free(client);
}

static void test_server_errors(void) {
    ce_client *bad = NULL;
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_client_new(url, "not-the-user-secret", org_secret, &bad), CE_OK);
    CHECK_STATUS(ce_create_instance_json(bad, CLOSEIO_JSON, &instance), CE_ERR_UNAUTHORIZED);
    CHECK(instance == NULL);
    CHECK(ce_last_error_http_status() == 401);
    CHECK(contains(ce_last_error_message(), "Invalid Organization or User secret"));
    CHECK(strlen(ce_last_error_request_id()) > 0);
    CHECK(contains(ce_last_error_message(), ce_last_error_request_id()));
    CHECK(!contains(ce_last_error_message(), "not-the-user-secret"));
    ce_client_free(bad);

    ce_client *client = new_client();
    CHECK_STATUS(ce_create_instance_json(client,
                                         "{\"element\":{\"key\":\"nosuchelement\"},\"configuration\":{},"
                                         "\"tags\":[],\"name\":\"n\"}",
                                         &instance),
                 CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(ce_last_error_message(), "no element with key `nosuchelement`"));
    ce_client_free(client);

    /* Nothing listens on port 1: a transport error, not a crash. */
    ce_client *nowhere = NULL;
    CHECK_STATUS(ce_client_new("http://127.0.0.1:1/elements/api-v2", "u", "o", &nowhere), CE_OK);
    CHECK_STATUS(ce_client_set_timeout_ms(nowhere, 2000, 5000), CE_OK);
    CHECK_STATUS(ce_create_instance_json(nowhere, CLOSEIO_JSON, &instance), CE_ERR_TRANSPORT);
    CHECK(ce_last_error_http_status() == 0);
    ce_client_free(nowhere);
}

static void test_error_survives_cleanup(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_request_new("pardot", "n", &request), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_ERR_MISSING_CONFIGURATION);
    const char *message = ce_last_error_message();
    /* Clean up first, then report: the usual C order. Frees and getters leave the error alone. */
    ce_request_free(request);
    ce_instance_free(instance);
    ce_string_free(NULL);
    (void)ce_instance_token(NULL);
    ce_client_free(client);
    CHECK(message == ce_last_error_message());
    CHECK(contains(message, "apikey.user.name, apikey.user.password, apikey.user.key"));
    CHECK(strcmp(ce_last_error_missing(), "apikey.user.name,apikey.user.password,apikey.user.key") == 0);
}

static void test_timeouts_take_effect(void) {
    ce_client *client = new_client();
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_client_set_timeout_ms(client, 1000, 300), CE_OK);
    CHECK(sandbox_inject(url, "{\"kind\": \"delay\", \"ms\": 2000}") == 200);
    double started = now_seconds();
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, &instance), CE_ERR_TIMEOUT);
    double elapsed = now_seconds() - started;
    CHECK(elapsed < 1.3);
    CHECK(contains(ce_last_error_message(), "300 ms"));
    CHECK(instance == NULL);
    /* More than a day is refused, and the timeouts stay as they were. */
    CHECK_STATUS(ce_client_set_timeout_ms(client, 1000, UINT32_MAX), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "at most one day"));
    /* Back to the defaults: the same client works again. */
    CHECK_STATUS(ce_client_set_timeout_ms(client, 0, 0), CE_OK);
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, &instance), CE_OK);
    ce_instance_free(instance);

    /* A server error with the provider's message, through the C surface. */
    CHECK(sandbox_inject(url, "{\"kind\": \"status\", \"status\": 502, \"message\": \"Provider failed\", "
                         "\"provider_message\": \"Pardot: invalid key\"}") == 200);
    instance = NULL;
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, &instance), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 502);
    CHECK(contains(ce_last_error_message(), "Pardot: invalid key"));
    CHECK(strlen(ce_last_error_request_id()) > 0);
    ce_client_free(client);
}

static void test_null_arguments(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    ce_client *no_client = NULL;
    CHECK_STATUS(ce_request_new("closeio", "n", &request), CE_OK);

    CHECK_STATUS(ce_client_new(NULL, NULL, org_secret, &no_client), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "user_secret"));
    CHECK_STATUS(ce_client_new(NULL, user_secret, NULL, &no_client), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "org_secret"));
    CHECK_STATUS(ce_client_new(url, user_secret, org_secret, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "out"));
    CHECK(no_client == NULL);
    CHECK_STATUS(ce_client_from_env(NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_client_set_timeout_ms(NULL, 1, 1), CE_ERR_INVALID_ARGUMENT);

    ce_request *no_request = request; /* Set to NULL by a failing ce_request_new. */
    CHECK_STATUS(ce_request_new(NULL, "n", &no_request), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "element_key"));
    CHECK_STATUS(ce_request_new("closeio", NULL, &no_request), CE_ERR_INVALID_ARGUMENT);
    CHECK(no_request == NULL);
    CHECK_STATUS(ce_request_new("closeio", "n", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_set_config(NULL, "k", "v"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_set_config(request, NULL, "v"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_set_config(request, "k", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "value"));
    CHECK_STATUS(ce_request_add_tag(NULL, "t"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_add_tag(request, NULL), CE_ERR_INVALID_ARGUMENT);

    CHECK_STATUS(ce_create_instance(NULL, request, &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "client"));
    CHECK_STATUS(ce_create_instance(client, NULL, &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "request"));
    CHECK_STATUS(ce_create_instance(client, request, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_create_instance_json(NULL, CLOSEIO_JSON, &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_create_instance_json(client, NULL, &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "instance_json"));
    CHECK_STATUS(ce_create_instance_json(client, CLOSEIO_JSON, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(instance == NULL);

    CHECK(strcmp(ce_instance_token(NULL), "") == 0);
    CHECK(strcmp(ce_instance_name(NULL), "") == 0);
    CHECK(strcmp(ce_instance_element_key(NULL), "") == 0);
    CHECK(strcmp(ce_instance_json(NULL), "") == 0);
    CHECK(ce_instance_id(NULL) == -1);

    CHECK(ce_authorization_header(NULL, "token") == NULL);
    CHECK(contains(ce_last_error_message(), "client"));
    CHECK(ce_authorization_header(client, NULL) == NULL);
    CHECK(contains(ce_last_error_message(), "instance_token"));

    char token[CE_TOKEN_BUFFER_SIZE], error[256];
    CHECK_STATUS(ce_provision(url, NULL, org_secret, CLOSEIO_JSON, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "user_secret"));
    CHECK_STATUS(ce_provision(url, user_secret, NULL, CLOSEIO_JSON, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, NULL, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, NULL, 64, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, token, sizeof token, NULL, 16),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "error_buf"));
    /* Bad arguments are reported as such, even with a small token buffer. */
    CHECK_STATUS(ce_provision(url, NULL, org_secret, CLOSEIO_JSON, token, 1, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, token, sizeof token, NULL, 0), CE_OK);

    /* Every _free accepts NULL. */
    ce_client_free(NULL);
    ce_request_free(NULL);
    ce_instance_free(NULL);
    ce_string_free(NULL);
    ce_request_free(request);
    ce_client_free(client);
}

/* Every out-parameter is NULL after a failure (set first), so freeing it then is harmless. */
static void test_out_is_null_after_failure(void) {
    ce_client *client = new_client();
    ce_client *no_client = (ce_client *)0x1;
    CHECK_STATUS(ce_client_new(NULL, NULL, org_secret, &no_client), CE_ERR_INVALID_ARGUMENT);
    CHECK(no_client == NULL);
    ce_client_free(no_client);
    ce_request *request = (ce_request *)0x1;
    CHECK_STATUS(ce_request_new(NULL, "n", &request), CE_ERR_INVALID_ARGUMENT);
    CHECK(request == NULL);
    ce_request_free(request);
    ce_instance *instance = (ce_instance *)0x1;
    CHECK_STATUS(ce_create_instance_json(client, "{not json", &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK(instance == NULL);
    instance = (ce_instance *)0x1;
    CHECK_STATUS(ce_create_instance(NULL, NULL, &instance), CE_ERR_INVALID_ARGUMENT);
    CHECK(instance == NULL);
    ce_instance_free(instance);
    ce_instance_list *list = (ce_instance_list *)0x1;
    CHECK_STATUS(ce_list_instances(NULL, NULL, 0, &list), CE_ERR_INVALID_ARGUMENT);
    CHECK(list == NULL);
    ce_instance_list_free(list);
    char *json = (char *)0x1;
    CHECK_STATUS(ce_get_instance_configuration_json(NULL, 1, &json), CE_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);
    ce_string_free(json);
    ce_client_free(client);
}

static void test_invalid_utf8_and_json(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    ce_client *no_client = NULL;
    const char bad_utf8[] = {'c', 'l', (char)0xff, (char)0xfe, 0};

    CHECK_STATUS(ce_request_new(bad_utf8, "n", &request), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "UTF-8"));
    CHECK(request == NULL);
    CHECK_STATUS(ce_client_new(NULL, bad_utf8, org_secret, &no_client), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_new("closeio", "n", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "password", bad_utf8), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_add_tag(request, bad_utf8), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_create_instance_json(client, bad_utf8, &instance), CE_ERR_INVALID_ARGUMENT);
    ce_request *unused = NULL;
    CHECK_STATUS(ce_request_new("closeio", bad_utf8, &unused), CE_ERR_INVALID_ARGUMENT);
    CHECK(unused == NULL);
    CHECK_STATUS(ce_request_set_config(request, bad_utf8, "v"), CE_ERR_INVALID_ARGUMENT);
    char token[CE_TOKEN_BUFFER_SIZE], error[256];
    CHECK_STATUS(ce_provision(bad_utf8, user_secret, org_secret, CLOSEIO_JSON, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, bad_utf8, CLOSEIO_JSON, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, bad_utf8, token, sizeof token, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "UTF-8"));

    const char *bad_json[] = {
        "", "{", "{not json}", "[]", "null", "{\"element\": 5, \"name\": \"n\"}",
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":[],\"name\":\"n\"}",
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{},\"tags\":\"x\",\"name\":\"n\"}",
        "{\"element\":{\"key\":\"closeio\"},\"configuration\":{},\"name\":\"n\"} trailing",
    };
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        CHECK_STATUS(ce_create_instance_json(client, bad_json[i], &instance), CE_ERR_INVALID_ARGUMENT);
        CHECK(strlen(ce_last_error_message()) > 0);
    }
    CHECK(instance == NULL);

    /* Typographic quotes, which the documentation warns about. */
    CHECK_STATUS(ce_create_instance_json(client,
                                         "{\"element\":{\"key\":\"closeio\"},\"configuration\":{\"username\":"
                                         "\"\xe2\x80\x9ckey\xe2\x80\x9d\",\"password\":\"p\"},\"tags\":[],\"name\":\"n\"}",
                                         &instance),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "typographic quote"));

    ce_request_free(request);
    ce_client_free(client);
}

static void test_provision_buffers(void) {
    char token[CE_TOKEN_BUFFER_SIZE], error[512];
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, token, sizeof token, error, sizeof error),
                 CE_OK);
    CHECK(strcmp(error, "") == 0);
    size_t len = strlen(token);
    CHECK(len >= 20);

    /* Exact fit: the token and its NUL, with a guard byte after the buffer. */
    char exact[CE_TOKEN_BUFFER_SIZE + 1];
    memset(exact, 'X', sizeof exact);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, exact, len + 1, error, sizeof error),
                 CE_OK);
    CHECK(strlen(exact) == len);
    CHECK(exact[len + 1] == 'X');
    CHECK(strcmp(exact, token) != 0);

    /* One byte short: nothing past the length, "" in the buffer, the size needed in the message. */
    char shorter[CE_TOKEN_BUFFER_SIZE + 1];
    memset(shorter, 'X', sizeof shorter);
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, shorter, len, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(shorter[0] == '\0');
    CHECK(shorter[len] == 'X');
    char needed[64];
    snprintf(needed, sizeof needed, "needs %zu bytes", len + 1);
    CHECK(contains(error, needed));
    CHECK(contains(error, "deleted again"));
    CHECK(strcmp(error, ce_last_error_message()) == 0);

    /* Zero-length buffers: nothing written, nothing sent. */
    char untouched[4] = {'X', 'X', 'X', 'X'};
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, untouched, 0, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(untouched[0] == 'X');
    CHECK(contains(error, "nothing was sent"));
    CHECK_STATUS(ce_provision(url, user_secret, org_secret, CLOSEIO_JSON, NULL, 0, untouched, 0),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(untouched[0] == 'X');

    /* A small error buffer gets the start of the message, NUL-terminated, and nothing past it. */
    char small[12];
    memset(small, 'X', sizeof small);
    CHECK_STATUS(ce_provision(url, "wrong", org_secret, CLOSEIO_JSON, token, sizeof token, small, 8),
                 CE_ERR_UNAUTHORIZED);
    CHECK(strlen(small) == 7);
    CHECK(small[8] == 'X');
    CHECK(strcmp(token, "") == 0);

    /* Missing entries through the flat call too. */
    CHECK_STATUS(ce_provision(url, user_secret, org_secret,
                              "{\"element\":{\"key\":\"closeio\"},\"configuration\":{},\"tags\":[],\"name\":\"n\"}",
                              token, sizeof token, error, sizeof error),
                 CE_ERR_MISSING_CONFIGURATION);
    CHECK(contains(error, "username, password"));
    CHECK(strcmp(ce_last_error_missing(), "username,password") == 0);
}

enum { THREADS = 8 };

struct worker {
    ce_client *client;
    int creates;
    char (*tokens)[CE_TOKEN_BUFFER_SIZE];
    int failures;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    ce_request *request = NULL;
    if (ce_request_new("closeio", "threaded", &request) != CE_OK) {
        w->failures = w->creates;
        return NULL;
    }
    ce_request_set_config(request, "username", "KEY");
    ce_request_set_config(request, "password", "PW");
    for (int i = 0; i < w->creates; i++) {
        ce_instance *instance = NULL;
        if (ce_create_instance(w->client, request, &instance) != CE_OK) {
            fprintf(stderr, "thread create failed: %s\n", ce_last_error_message());
            w->failures++;
            continue;
        }
        snprintf(w->tokens[i], CE_TOKEN_BUFFER_SIZE, "%s", ce_instance_token(instance));
        ce_instance_free(instance);
    }
    ce_request_free(request);
    return NULL;
}

static int compare_tokens(const void *a, const void *b) {
    return strcmp(a, b);
}

static void test_threads_share_one_client(void) {
    int creates = atoi(env_or("CE_TEST_THREAD_CREATES", "100"));
    ce_client *client = new_client();
    char(*tokens)[CE_TOKEN_BUFFER_SIZE] = calloc((size_t)(THREADS * creates), CE_TOKEN_BUFFER_SIZE);
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){client, creates, tokens + (size_t)t * (size_t)creates, 0};
        CHECK(pthread_create(&threads[t], NULL, worker_main, &workers[t]) == 0);
    }
    /* Changing the timeouts while the threads create is safe; their calls go on. */
    for (int i = 0; i < 5; i++) {
        CHECK_STATUS(ce_client_set_timeout_ms(client, 10000, 60000), CE_OK);
    }
    int failures = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        failures += workers[t].failures;
    }
    CHECK(failures == 0);
    qsort(tokens, (size_t)(THREADS * creates), CE_TOKEN_BUFFER_SIZE, compare_tokens);
    int distinct = 0;
    for (int i = 0; i < THREADS * creates; i++) {
        if (tokens[i][0] != '\0' && (i == 0 || strcmp(tokens[i], tokens[i - 1]) != 0)) {
            distinct++;
        }
    }
    CHECK(distinct == THREADS * creates);
    printf("threads: %d tokens, %d distinct\n", THREADS * creates, distinct);
    free(tokens);
    ce_client_free(client);
}

int main(void) {
    url = getenv("CE_SANDBOX_URL");
    if (!url || !*url) {
        fprintf(stderr, "CE_SANDBOX_URL is not set (scripts/test-c.sh starts a sandbox and sets it)\n");
        return 2;
    }
    user_secret = env_or("CE_SANDBOX_USER_SECRET", "sandbox-user-secret");
    org_secret = env_or("CE_SANDBOX_ORG_SECRET", "sandbox-organization-secret");

    test_version();
    test_create_closeio_with_builder();
    test_create_both_from_documented_json();
    test_missing_configuration();
    test_server_errors();
    test_error_survives_cleanup();
    test_timeouts_take_effect();
    test_null_arguments();
    test_out_is_null_after_failure();
    test_invalid_utf8_and_json();
    test_provision_buffers();
    test_threads_share_one_client();

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
