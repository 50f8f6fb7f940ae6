/*
 * Tests of the flat API (ce_provision_ex, ce_find_instance, ce_deprovision, ce_last_error_field,
 * ce_flat_reset) and of ce_request_set_idempotency_key, against a sandbox of its own
 * (scripts/test-legacy.sh starts it; the test counts its instances). Every buffer edge: exact
 * fit, one byte short, length 0, NULL buffers, space padding; and bad options.
 *
 * Environment: CE_SANDBOX_URL. Prints "N passed, M failed" last; exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sandbox_util.h"

static const char *url;
static const char USER[] = "sandbox-user-secret", ORG[] = "sandbox-organization-secret";

static const char CLOSEIO[] = "{\"element\": {\"key\": \"closeio\"}, \"name\": \"flat\","
                              " \"configuration\": {\"username\": \"KEY\", \"password\": \"PW\"}}";
static const char PARDOT_INCOMPLETE[] =
    "{\"element\": {\"key\": \"pardot\"}, \"name\": \"flat\", \"configuration\": {\"apikey.user.name\": \"me\"}}";

/* Instances the sandbox holds, and those carrying `tag` (exactly). */
static int instance_count(const char *tag) {
    char *answer = NULL;
    int n = -1;
    if (sandbox_request(url, "GET", "/_sandbox/instances", NULL, &answer) == 200 && answer) {
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"%s\"", tag ? tag : "");
        n = tag ? count_of(answer, quoted) : count_of(answer, "\"provisionInteractions\"");
    }
    free(answer);
    return n;
}

/* Whether buf[from..to) are all `c`. */
static int all(const char *buf, size_t from, size_t to, char c) {
    for (size_t i = from; i < to; i++) {
        if (buf[i] != c) return 0;
    }
    return 1;
}

static char token[256], error[512];
static size_t token_len; /* The sandbox's tokens all have this length. */

static void test_provision_and_find(void) {
    int64_t id = -1, again = -1, found = -1;
    int before = instance_count(NULL);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, token, sizeof token, &id, error, sizeof error), CE_OK);
    CHECK(id > 0 && strlen(token) > 20 && error[0] == '\0');
    token_len = strlen(token);
    CHECK(instance_count(NULL) == before + 1);
    /* instance_id may be NULL; error_buf may be NULL with length 0. */
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "", token, sizeof token, NULL, NULL, 0), CE_OK);

    const char *keyed = "{\"idempotency_key\": \"flat-1\", \"retries\": 1, \"timeout_ms\": 5000, \"connect_timeout_ms\": 1000}";
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, keyed, token, sizeof token, &id, error, sizeof error), CE_OK);
    char first[256];
    memcpy(first, token, sizeof first);
    int count = instance_count(NULL);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, keyed, token, sizeof token, &again, error, sizeof error), CE_OK);
    CHECK(again == id && strcmp(first, token) == 0 && instance_count(NULL) == count);
    CHECK(instance_count("ce-provision-flat-1") == 1);

    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", token, sizeof token, &found, error, sizeof error), CE_OK);
    CHECK(found == id && strcmp(first, token) == 0);
    found = 7;
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "no-such-key", token, sizeof token, &found, error, sizeof error),
                 CE_ERR_NOT_FOUND);
    CHECK(found == 0 && token[0] == '\0' && contains(error, "no-such-key"));
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "not a key", token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "idempotency key"));
    CHECK_STATUS(ce_find_instance(url, USER, ORG, NULL, token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);

    /* Exact fit and one byte short, NUL-terminated. */
    char buf[300];
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", buf, token_len + 1, NULL, error, sizeof error), CE_OK);
    CHECK(strcmp(buf, first) == 0 && all(buf, token_len + 1, sizeof buf, '#'));
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", buf, token_len, NULL, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(buf[0] == '\0' && all(buf, token_len, sizeof buf, '#'));
    char needed[16];
    CHECK_STATUS(ce_last_error_field("needed", needed, sizeof needed), CE_OK);
    CHECK((size_t)atoi(needed) == token_len + 1);
    CHECK(instance_count("ce-provision-flat-1") == 1);
}

static void test_buffer_edges(void) {
    long sent = sandbox_request_count(url);
    int count = instance_count(NULL);
    /* Length 0 and NULL buffers: nothing is sent. */
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, NULL, 0, NULL, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, token, 1, NULL, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(contains(error, "nothing was sent") && token[0] == '\0');
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, NULL, 64, NULL, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, token, sizeof token, NULL, NULL, 16),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", NULL, 0, NULL, NULL, 0), CE_ERR_BUFFER_TOO_SMALL);
    CHECK_STATUS(ce_deprovision(url, USER, ORG, 1, NULL, 9), CE_ERR_INVALID_ARGUMENT);
    CHECK(sandbox_request_count(url) == sent);

    /* A new instance whose token is one byte short: deleted again, not findable. */
    char buf[300];
    memset(buf, '#', sizeof buf);
    int64_t id = 9;
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"idempotency_key\": \"flat-short\"}", buf, token_len,
                                 &id, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(id == 0 && buf[0] == '\0' && all(buf, token_len, sizeof buf, '#') && contains(error, "deleted again"));
    CHECK(instance_count(NULL) == count && instance_count("ce-provision-flat-short") == 0);
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-short", token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_NOT_FOUND);
    /* Exact fit creates it. */
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"idempotency_key\": \"flat-short\"}", buf, token_len + 1,
                                 &id, error, sizeof error),
                 CE_OK);
    CHECK(id > 0 && strlen(buf) == token_len && all(buf, token_len + 1, sizeof buf, '#'));
    CHECK(instance_count("ce-provision-flat-short") == 1);
    /* An instance that already carried the key is left as it was when the token does not fit. */
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"idempotency_key\": \"flat-short\"}", buf, token_len,
                                 NULL, error, sizeof error),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(contains(error, "left as it was") && instance_count("ce-provision-flat-short") == 1);

    /* The error buffer: cut to fit, NUL-terminated, nothing past its length. */
    memset(error, '#', sizeof error);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, "{", NULL, token, sizeof token, NULL, error, 10),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(strlen(error) == 9 && all(error, 10, sizeof error, '#'));
    memset(error, '#', sizeof error);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, "{", NULL, token, sizeof token, NULL, error, 1),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(error[0] == '\0' && error[1] == '#');
}

/* ce_provision with a JSON carrying an idempotency tag: when the token does not fit, an instance
 * that already carried the tag (an earlier run's) is left as it was; one the call created is
 * deleted again. */
static void test_provision_tagged(void) {
    static const char TAGGED[] = "{\"element\": {\"key\": \"closeio\"}, \"name\": \"flat\","
                                 " \"tags\": [\"ce-provision-plain-1\"],"
                                 " \"configuration\": {\"username\": \"KEY\", \"password\": \"PW\"}}";
    char buf[300];
    CHECK_STATUS(ce_provision(url, USER, ORG, TAGGED, buf, token_len, error, sizeof error), CE_ERR_BUFFER_TOO_SMALL);
    CHECK(buf[0] == '\0' && contains(error, "deleted again") && instance_count("ce-provision-plain-1") == 0);
    CHECK_STATUS(ce_provision(url, USER, ORG, TAGGED, buf, sizeof buf, error, sizeof error), CE_OK);
    CHECK(strlen(buf) == token_len && instance_count("ce-provision-plain-1") == 1);
    CHECK_STATUS(ce_provision(url, USER, ORG, TAGGED, buf, token_len, error, sizeof error), CE_ERR_BUFFER_TOO_SMALL);
    CHECK(buf[0] == '\0' && contains(error, "left as it was") && instance_count("ce-provision-plain-1") == 1);
    int64_t found = 0;
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "plain-1", token, sizeof token, &found, error, sizeof error), CE_OK);
    CHECK(found > 0);
}

static void test_padding(void) {
    const char *padded = "{\"idempotency_key\": \"flat-1\", \"pad\": \"spaces\"}";
    char buf[300];
    memset(buf, '#', sizeof buf);
    memset(error, '#', sizeof error);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, padded, buf, 100, NULL, error, 50), CE_OK);
    CHECK(memchr(buf, '\0', 100) == NULL && all(buf, token_len, 100, ' ') && all(buf, 100, sizeof buf, '#'));
    CHECK(all(error, 0, 50, ' ') && error[50] == '#');
    /* Exact fit is the token's length: no NUL. One short: all spaces, the instance stays. */
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, padded, buf, token_len, NULL, error, 50), CE_OK);
    CHECK(all(buf, token_len, sizeof buf, '#') && memchr(buf, ' ', token_len) == NULL);
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, padded, buf, token_len - 1, NULL, error, 50),
                 CE_ERR_BUFFER_TOO_SMALL);
    CHECK(all(buf, 0, token_len - 1, ' ') && buf[token_len - 1] == '#');
    CHECK(memchr(error, '\0', 50) == NULL && error[49] != '#');
    char needed[8];
    memset(needed, '#', sizeof needed);
    CHECK_STATUS(ce_last_error_field("needed", needed, 6), CE_OK); /* The thread pads now. */
    CHECK(atoi(needed) == (int)token_len && needed[5] == ' ' && needed[6] == '#');
    CHECK(instance_count("ce-provision-flat-1") == 1);
    /* ce_find_instance and ce_deprovision follow the thread's padding. */
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", buf, 64, NULL, error, 20), CE_OK);
    CHECK(all(buf, token_len, 64, ' ') && buf[64] == '#' && all(error, 0, 20, ' '));
    CHECK_STATUS(ce_deprovision(url, USER, ORG, 999999, error, 20), CE_ERR_NOT_FOUND);
    CHECK(memchr(error, '\0', 20) == NULL && error[19] != ' ');
    /* Length 0 with padding: nothing is written. */
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", buf, 0, NULL, error, 0), CE_ERR_BUFFER_TOO_SMALL);
    /* Bad options still pad the error when they ask for it; ce_flat_reset() ends the padding. */
    memset(error, '#', sizeof error);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"pad\": \"spaces\", \"colour\": 1}", buf, 64, NULL,
                                 error, 200),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(memchr(error, '\0', 200) == NULL && error[199] == ' ' && error[200] == '#');
    ce_flat_reset();
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "flat-1", buf, 64, NULL, error, 20), CE_OK);
    CHECK(strlen(buf) == token_len);
}

static void test_options_and_fields(void) {
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"colour\": 1, \"retry\": 2}", token, sizeof token, NULL,
                                 error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "unknown option keys: colour, retry"));
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"retries\": ", token, sizeof token, NULL, error,
                                 sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(error, "options_json"));
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"idempotency_key\": \"a b\"}", token, sizeof token, NULL,
                                 error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, "not json", NULL, token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision_ex(url, NULL, ORG, CLOSEIO, NULL, token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_provision_ex(url, "wrong", ORG, CLOSEIO, NULL, token, sizeof token, NULL, error, sizeof error),
                 CE_ERR_UNAUTHORIZED);
    char field[128];
    CHECK_STATUS(ce_last_error_field("http_status", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "401") == 0);
    CHECK(contains(ce_last_error_message(), "401") || ce_last_error_http_status() == 401);

    /* Missing entries, every field read in turn (reading leaves the last error alone). */
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, PARDOT_INCOMPLETE, NULL, token, sizeof token, NULL, error,
                                 sizeof error),
                 CE_ERR_MISSING_CONFIGURATION);
    CHECK_STATUS(ce_last_error_field("missing", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "apikey.user.password,apikey.user.key") == 0);
    CHECK_STATUS(ce_last_error_field("missing", field, 5), CE_ERR_BUFFER_TOO_SMALL);
    CHECK(strcmp(field, "apik") == 0);
    CHECK_STATUS(ce_last_error_field("missing", NULL, 0), CE_ERR_BUFFER_TOO_SMALL);
    CHECK_STATUS(ce_last_error_field("missing", NULL, 5), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_last_error_field("colour", field, sizeof field), CE_ERR_INVALID_ARGUMENT);
    CHECK(field[0] == '\0');
    CHECK_STATUS(ce_last_error_field(NULL, field, sizeof field), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_last_error_field("message", field, sizeof field), CE_OK);
    CHECK(contains(field, "apikey.user.password, apikey.user.key"));
    CHECK_STATUS(ce_last_error_field("message", field, 10), CE_ERR_BUFFER_TOO_SMALL);
    CHECK(strlen(field) == 9);
    CHECK_STATUS(ce_last_error_field("outcome_unknown", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "0") == 0);
    CHECK_STATUS(ce_last_error_field("http_status", field, 2), CE_OK);
    CHECK(strcmp(field, "0") == 0);
    CHECK(contains(ce_last_error_missing(), "apikey.user.key"));

    /* A 502 from the platform with the provider's message: its fields, and outcome unknown. */
    CHECK(sandbox_inject(url, "{\"kind\":\"status\",\"status\":502,\"provider_message\":\"Close.io is down\","
                              "\"method\":\"POST\"}") == 200);
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, "{\"retries\": 0}", token, sizeof token, NULL, error,
                                 sizeof error),
                 CE_ERR_API);
    CHECK_STATUS(ce_last_error_field("http_status", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "502") == 0);
    CHECK_STATUS(ce_last_error_field("provider_message", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "Close.io is down") == 0);
    CHECK_STATUS(ce_last_error_field("request_id", field, sizeof field), CE_OK);
    CHECK(strlen(field) > 0);
    CHECK_STATUS(ce_last_error_field("outcome_unknown", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "1") == 0);
    CHECK_STATUS(ce_last_error_field("retry_after_ms", field, sizeof field), CE_OK);
    CHECK(strcmp(field, "0") == 0);
}

static void test_deprovision(void) {
    int64_t id = 0;
    CHECK_STATUS(ce_provision_ex(url, USER, ORG, CLOSEIO, NULL, token, sizeof token, &id, error, sizeof error), CE_OK);
    int count = instance_count(NULL);
    CHECK_STATUS(ce_deprovision(url, USER, ORG, id, error, sizeof error), CE_OK);
    CHECK(error[0] == '\0' && instance_count(NULL) == count - 1);
    CHECK_STATUS(ce_deprovision(url, USER, ORG, id, error, sizeof error), CE_ERR_NOT_FOUND);
    CHECK_STATUS(ce_deprovision(url, USER, ORG, 0, error, sizeof error), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_deprovision(url, USER, NULL, id, NULL, 0), CE_ERR_INVALID_ARGUMENT);
}

static void test_request_key(void) {
    ce_client *client = NULL;
    ce_request *request = NULL;
    ce_instance *a = NULL, *b = NULL, *c = NULL;
    CHECK_STATUS(ce_client_new(url, USER, ORG, &client), CE_OK);
    CHECK_STATUS(ce_request_new("closeio", "keyed", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "username", "KEY"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "password", "PW"), CE_OK);
    CHECK_STATUS(ce_request_set_idempotency_key(request, "handle-1"), CE_OK);
    CHECK_STATUS(ce_request_set_idempotency_key(request, "not a key!"), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "idempotency key"));
    CHECK_STATUS(ce_request_set_idempotency_key(NULL, "k"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_create_instance(client, request, &a), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &b), CE_OK);
    CHECK(a && b && ce_instance_id(a) == ce_instance_id(b));
    int64_t found = 0;
    CHECK_STATUS(ce_find_instance(url, USER, ORG, "handle-1", token, sizeof token, &found, error, sizeof error), CE_OK);
    CHECK(a && found == ce_instance_id(a));
    CHECK_STATUS(ce_request_set_idempotency_key(request, NULL), CE_OK); /* Removed: a new instance. */
    CHECK_STATUS(ce_create_instance(client, request, &c), CE_OK);
    CHECK(a && c && ce_instance_id(c) != ce_instance_id(a));
    ce_instance_free(a);
    ce_instance_free(b);
    ce_instance_free(c);
    ce_request_free(request);
    ce_client_free(client);
}

int main(void) {
    url = getenv("CE_SANDBOX_URL");
    if (!url) {
        fprintf(stderr, "CE_SANDBOX_URL is not set\n");
        return 2;
    }
    test_provision_and_find();
    test_buffer_edges();
    test_provision_tagged();
    test_padding();
    test_options_and_fields();
    test_deprovision();
    test_request_key();
    ce_flat_reset();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
