/*
 * Tests of the C API's element, validation, idempotency and OAuth calls against a running sandbox
 * loaded with bindings/c/tests/elements (scripts/test-c.sh starts one): element definitions and
 * configuration schemas as JSON (built in and loaded), an unknown element with its suggestion,
 * the three validation modes (seen in the sandbox's request log), the create outcome and the
 * lookup by idempotency key, and the whole OAuth round trip, with a thread playing the browser
 * over a raw socket while ce_receive_oauth_code() waits; with NULL for every pointer argument.
 *
 * Environment: CE_SANDBOX_URL (the sandbox's base URL). Prints "N passed, M failed" last; exits
 * non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sandbox_util.h"
#include "browser.h"

static const char *url;

#define API_KEY "clover-app-key"
#define API_SECRET "clover-app-SECRET-42"

static ce_client *new_client(void) {
    ce_client *client = NULL;
    CHECK_STATUS(ce_client_new(url, "sandbox-user-secret", "sandbox-organization-secret", &client), CE_OK);
    return client;
}

/* Whether the sandbox's request log (GET /_sandbox/requests) has a request whose target starts
 * with the API root followed by `path`. */
static int logged(const char *path) {
    char *answer = NULL;
    char needle[256];
    snprintf(needle, sizeof needle, "\"target\":\"/elements/api-v2%s", path);
    int found = sandbox_request(url, "GET", "/_sandbox/requests", NULL, &answer) == 200 && contains(answer, needle);
    free(answer);
    return found;
}

static void test_element_json(void) {
    ce_client *client = new_client();
    char *json = NULL;

    /* A built-in element, from the platform's answer. */
    CHECK_STATUS(ce_get_element_json(client, "closeio", &json), CE_OK);
    CHECK(contains(json, "\"key\":\"closeio\"") && contains(json, "\"configuration\":["));
    CHECK(contains(json, "\"key\":\"username\"") && contains(json, "\"key\":\"password\""));
    ce_string_free(json);
    json = NULL;

    /* A definition loaded into the sandbox (--elements): fields the model does not name are kept. */
    CHECK_STATUS(ce_get_element_json(client, "acme", &json), CE_OK);
    CHECK(contains(json, "\"key\":\"acme\"") && contains(json, "\"name\":\"Acme CRM\""));
    CHECK(contains(json, "\"hub\":\"crm\"") && contains(json, "\"vendorNote\":{\"tier\":\"gold\"}"));
    ce_string_free(json);
    json = NULL;

    /* Configuration schemas: an array, one object per entry. */
    CHECK_STATUS(ce_get_element_configuration_json(client, "acme", &json), CE_OK);
    CHECK(json && json[0] == '[');
    CHECK(contains(json, "\"key\":\"acme.user\"") && contains(json, "\"key\":\"acme.password\""));
    CHECK(contains(json, "\"type\":\"PASSWORD\"") && contains(json, "\"required\":true"));
    ce_string_free(json);
    json = NULL;
    CHECK_STATUS(ce_get_element_configuration_json(client, "pardot", &json), CE_OK);
    CHECK(contains(json, "\"key\":\"apikey.user.name\""));
    ce_string_free(json);
    json = NULL;

    /* An unknown element: its own status, the closest key in the message, nothing written. */
    CHECK_STATUS(ce_get_element_json(client, "pardott", &json), CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(ce_last_error_message(), "no element with key `pardott`"));
    CHECK(contains(ce_last_error_message(), "did you mean `pardot`?"));
    CHECK(json == NULL);
    CHECK_STATUS(ce_get_element_configuration_json(client, "acmee", &json), CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(ce_last_error_message(), "did you mean `acme`?"));
    CHECK(json == NULL);
    CHECK_STATUS(ce_get_element_json(client, "", &json), CE_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(ce_status_str(CE_ERR_UNKNOWN_ELEMENT), "CE_ERR_UNKNOWN_ELEMENT") == 0);

    /* NULL for every pointer argument. */
    CHECK_STATUS(ce_get_element_json(NULL, "closeio", &json), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`client` is NULL"));
    CHECK_STATUS(ce_get_element_json(client, NULL, &json), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`key` is NULL"));
    CHECK_STATUS(ce_get_element_json(client, "closeio", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out_json` is NULL"));
    CHECK_STATUS(ce_get_element_configuration_json(NULL, "closeio", &json), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_element_configuration_json(client, NULL, &json), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_element_configuration_json(client, "closeio", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);
    ce_client_free(client);
}

/* An Acme request without its required entries (only a region). */
static ce_request *incomplete_acme(void) {
    ce_request *request = NULL;
    CHECK_STATUS(ce_request_new("acme", "Acme", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "acme.region", "eu"), CE_OK);
    return request;
}

static void test_validation(void) {
    ce_client *client = new_client();
    ce_request *acme = incomplete_acme();
    ce_instance *instance = NULL;

    /* Full, the default: the definition is fetched, and nothing is sent when entries are missing. */
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, acme, &instance), CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "acme.user,acme.password") == 0);
    CHECK(logged("/elements/acme") && !logged("/instances"));
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_validate_request(client, acme), CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "acme.user,acme.password") == 0);
    CHECK(!logged("/instances"));
    CHECK_STATUS(ce_client_set_validation(client, CE_VALIDATION_FULL), CE_OK);
    ce_request *unknown = NULL;
    CHECK_STATUS(ce_request_new("acmee", "Typo", &unknown), CE_OK);
    CHECK_STATUS(ce_create_instance(client, unknown, &instance), CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(ce_last_error_message(), "did you mean `acme`?"));

    /* Offline: built-in elements are still checked, no definition is fetched, the rest is sent. */
    CHECK_STATUS(ce_client_set_validation(client, CE_VALIDATION_OFFLINE), CE_OK);
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, acme, &instance), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(!logged("/elements/") && logged("/instances"));
    ce_request *closeio = NULL;
    CHECK_STATUS(ce_request_new("closeio", "No password", &closeio), CE_OK);
    CHECK_STATUS(ce_request_set_config(closeio, "username", "KEY"), CE_OK);
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, closeio, &instance), CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "password") == 0);
    CHECK_STATUS(ce_validate_request(client, acme), CE_OK);
    CHECK(sandbox_request_count(url) == 0);

    /* Off: no element checks; the server refuses what is missing. */
    CHECK_STATUS(ce_client_set_validation(client, CE_VALIDATION_OFF), CE_OK);
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, closeio, &instance), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(!logged("/elements/") && logged("/instances"));
    CHECK(instance == NULL);

    /* A mode that is none of the three changes nothing. */
    CHECK_STATUS(ce_client_set_validation(client, 3), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "CE_VALIDATION_OFFLINE"));
    CHECK_STATUS(ce_client_set_validation(client, -1), CE_ERR_INVALID_ARGUMENT);
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, acme, &instance), CE_ERR_API);
    CHECK(!logged("/elements/"));
    CHECK_STATUS(ce_validate_request(NULL, acme), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_validate_request(client, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`request` is NULL"));
    CHECK_STATUS(ce_client_set_validation(NULL, CE_VALIDATION_OFF), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`client` is NULL"));

    ce_request_free(closeio);
    ce_request_free(unknown);
    ce_request_free(acme);
    ce_client_free(client);
}

static void test_idempotency(void) {
    ce_client *client = new_client();
    const char *body =
        "{\"element\":{\"key\":\"closeio\"},\"name\":\"Keyed\",\"configuration\":{\"username\":\"K\","
        "\"password\":\"P\"},\"tags\":[\"ce-provision-c-order-17\"]}";
    ce_instance *missing = NULL, *first = NULL, *again = NULL, *found = NULL, *read = NULL;

    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, "c-order-17", &missing), CE_ERR_NOT_FOUND);
    CHECK(contains(ce_last_error_message(), "c-order-17") && missing == NULL);
    CHECK_STATUS(ce_create_instance_json(client, body, &first), CE_OK);
    CHECK(ce_instance_created(first) == 1);
    CHECK_STATUS(ce_create_instance_json(client, body, &again), CE_OK);
    CHECK(ce_instance_created(again) == 0);
    CHECK(ce_instance_id(again) == ce_instance_id(first));
    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, "c-order-17", &found), CE_OK);
    CHECK(ce_instance_id(found) == ce_instance_id(first));
    CHECK(ce_instance_created(found) == -1);
    CHECK_STATUS(ce_get_instance(client, ce_instance_id(first), &read), CE_OK);
    CHECK(ce_instance_created(read) == -1);
    CHECK(ce_instance_created(NULL) == -1);

    /* A request without a key: always created. */
    ce_request *plain = NULL;
    ce_instance *made = NULL;
    CHECK_STATUS(ce_request_new("closeio", "Plain", &plain), CE_OK);
    CHECK_STATUS(ce_request_set_config(plain, "username", "K"), CE_OK);
    CHECK_STATUS(ce_request_set_config(plain, "password", "P"), CE_OK);
    CHECK_STATUS(ce_create_instance(client, plain, &made), CE_OK);
    CHECK(ce_instance_created(made) == 1);

    /* A malformed key is refused before sending. */
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, "not a key", &missing), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, "", &missing), CE_ERR_INVALID_ARGUMENT);
    CHECK(sandbox_request_count(url) == 0);

    CHECK_STATUS(ce_find_instance_by_idempotency_key(NULL, "k", &missing), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, NULL, &missing), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`key` is NULL"));
    CHECK_STATUS(ce_find_instance_by_idempotency_key(client, "k", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out` is NULL"));
    CHECK(missing == NULL);

    ce_request_free(plain);
    ce_instance_free(made);
    ce_instance_free(read);
    ce_instance_free(found);
    ce_instance_free(again);
    ce_instance_free(first);
    ce_client_free(client);
}

/* ---- OAuth: a browser played over a raw socket ---- */

struct browser {
    const char *oauth_url;
    int provider_status;
    char location[2048];
    char page[4096];
};

/* Opens the authorization URL, follows the provider's redirect to the callback listener. */
static void *play_browser(void *arg) {
    struct browser *b = (struct browser *)arg;
    static char answer[8192];
    b->provider_status = browser_get(b->oauth_url, answer, sizeof answer);
    const char *at = strstr(answer, "\r\nLocation: ");
    if (!at) at = strstr(answer, "\r\nlocation: ");
    if (at && sscanf(at + 12, "%2047[^\r\n]", b->location) == 1) {
        browser_get(b->location, b->page, sizeof b->page);
    }
    return NULL;
}

/* The authorization URL built with `url_state`, the browser played, and the code received with
 * `expected_state`; returns the status of ce_receive_oauth_code() and fills *code and *b. */
static ce_status authorize(const ce_client *client, const char *url_state, const char *expected_state, char **code,
                           struct browser *b) {
    char callback[64];
    snprintf(callback, sizeof callback, "http://127.0.0.1:%d/callback", free_port());
    char *oauth_url = NULL;
    CHECK_STATUS(ce_get_oauth_url(client, "clover", API_KEY, API_SECRET, callback, "read", url_state, &oauth_url),
                 CE_OK);
    CHECK(contains(oauth_url, "/oauth/authorize?"));
    memset(b, 0, sizeof *b);
    b->oauth_url = oauth_url;
    pthread_t thread;
    int started = oauth_url && pthread_create(&thread, NULL, play_browser, b) == 0;
    CHECK(started);
    ce_status status = ce_receive_oauth_code(callback, expected_state, 10000, code);
    if (started) pthread_join(thread, NULL);
    CHECK(b->provider_status == 302);
    CHECK(contains(b->location, callback));
    ce_string_free(oauth_url);
    return status;
}

static ce_request *clover_request(const char *code) {
    ce_request *request = NULL;
    CHECK_STATUS(ce_request_new("clover", "Payroll", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "oauth.api.key", API_KEY), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "oauth.api.secret", API_SECRET), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "merchantId", "M-1"), CE_OK);
    if (code) CHECK_STATUS(ce_request_set_oauth_code(request, code), CE_OK);
    return request;
}

static void test_oauth_round_trip(void) {
    ce_client *client = new_client();
    struct browser b;
    char *code = NULL;

    CHECK_STATUS(authorize(client, "st-1", "st-1", &code, &b), CE_OK);
    CHECK(code && *code);
    CHECK(contains(b.page, "Authorization received"));
    CHECK(!contains(b.page, code));
    CHECK(logged("/elements/clover/oauth/url?apiKey=clover-app-key&"));

    /* The code creates the instance once. */
    ce_request *request = clover_request(code);
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_OK);
    CHECK(strcmp(ce_instance_element_key(instance), "clover") == 0);
    CHECK(ce_instance_created(instance) == 1);
    ce_instance *twice = NULL;
    CHECK_STATUS(ce_create_instance(client, request, &twice), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(!contains(ce_last_error_message(), code));
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK(twice == NULL);
    ce_request_free(request);
    ce_instance_free(instance);
    ce_string_free(code);
    code = NULL;

    /* A redirect whose state is not the one expected: refused, and the browser told. */
    CHECK_STATUS(authorize(client, "forged-state", "st-2", &code, &b), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "state does not match"));
    CHECK(contains(b.page, "Authorization failed"));
    CHECK(code == NULL);

    /* Without a code, an OAuth element's create is refused before sending. */
    ce_request *no_code = clover_request(NULL);
    CHECK(sandbox_reset(url) == 200);
    CHECK_STATUS(ce_create_instance(client, no_code, &instance), CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "providerData.code") == 0);
    CHECK(sandbox_request_count(url) == 0);
    ce_request_free(no_code);
    ce_client_free(client);
}

static void test_oauth_errors(void) {
    ce_client *client = new_client();
    const char *callback = "http://127.0.0.1:9/callback";
    char *out = NULL;

    /* Scope and state may be NULL. */
    CHECK_STATUS(ce_get_oauth_url(client, "clover", API_KEY, API_SECRET, callback, NULL, NULL, &out), CE_OK);
    CHECK(contains(out, "/oauth/authorize?") && !contains(out, "state="));
    ce_string_free(out);
    out = NULL;

    /* Not an OAuth element: the platform's 400, without the secret. */
    CHECK_STATUS(ce_get_oauth_url(client, "closeio", API_KEY, API_SECRET, callback, NULL, "s", &out), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(!contains(ce_last_error_message(), API_SECRET));
    CHECK_STATUS(ce_get_oauth_url(client, "clovr", API_KEY, API_SECRET, callback, NULL, "s", &out),
                 CE_ERR_UNKNOWN_ELEMENT);
    CHECK(contains(ce_last_error_message(), "did you mean `clover`?"));
    CHECK_STATUS(ce_get_oauth_url(client, "clover", API_KEY, API_SECRET, "ftp://x/cb", NULL, NULL, &out),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_oauth_url(client, "clover", API_KEY, "", callback, NULL, NULL, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);

    /* NULL for every required pointer argument. */
    const char *args[5] = {"clover", API_KEY, API_SECRET, callback, NULL};
    const char *names[4] = {"`key` is NULL", "`api_key` is NULL", "`api_secret` is NULL", "`callback_url` is NULL"};
    for (int i = 0; i < 4; i++) {
        const char *a[4] = {args[0], args[1], args[2], args[3]};
        a[i] = NULL;
        CHECK_STATUS(ce_get_oauth_url(client, a[0], a[1], a[2], a[3], NULL, NULL, &out), CE_ERR_INVALID_ARGUMENT);
        CHECK(contains(ce_last_error_message(), names[i]));
    }
    CHECK_STATUS(ce_get_oauth_url(NULL, "clover", API_KEY, API_SECRET, callback, NULL, NULL, &out),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_oauth_url(client, "clover", API_KEY, API_SECRET, callback, NULL, NULL, NULL),
                 CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out_url` is NULL"));
    CHECK(out == NULL);

    /* The listener: nobody comes, an empty state, no time, a bad URL, NULLs. */
    char listen_url[64];
    snprintf(listen_url, sizeof listen_url, "http://127.0.0.1:%d/callback", free_port());
    double started = now_seconds();
    CHECK_STATUS(ce_receive_oauth_code(listen_url, "s", 100, &out), CE_ERR_TIMEOUT);
    CHECK(now_seconds() - started < 5.0);
    CHECK_STATUS(ce_receive_oauth_code(listen_url, "", 100, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "state is empty"));
    CHECK_STATUS(ce_receive_oauth_code(listen_url, "s", 0, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`timeout_ms` is 0"));
    CHECK_STATUS(ce_receive_oauth_code("https://example.com/callback", "s", 100, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_receive_oauth_code(NULL, "s", 100, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`callback_url` is NULL"));
    CHECK_STATUS(ce_receive_oauth_code(listen_url, "s", 100, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out_code` is NULL"));
    CHECK(out == NULL);
    ce_client_free(client);
}

int main(void) {
    url = getenv("CE_SANDBOX_URL");
    if (!url || !*url) {
        fprintf(stderr, "CE_SANDBOX_URL is not set (scripts/test-c.sh starts a sandbox)\n");
        return 2;
    }
    test_element_json();
    test_validation();
    test_idempotency();
    test_oauth_round_trip();
    test_oauth_errors();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
