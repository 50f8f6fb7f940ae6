/*
 * Tests of the C API's instance verbs against a running sandbox (scripts/test-c.sh starts one):
 * list, get, update, delete, enable, disable, ping, the configuration read and changed, the OAuth
 * code of a request, the instance getters and the provider message of an error; with NULL for
 * every pointer argument of each.
 *
 * Environment: CE_SANDBOX_URL (the sandbox's base URL). Prints "N passed, M failed" last; exits
 * non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <cloud_elements.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sandbox_util.h"

/* Foreign declarations may rely on it: ce_status is a 32-bit integer. */
_Static_assert(sizeof(ce_status) == 4, "ce_status is 32 bits wide");

static const char *url;
static char tag_a[64], tag_b[64], tag_none[64];

static ce_client *new_client(void) {
    ce_client *client = NULL;
    CHECK_STATUS(ce_client_new(url, "sandbox-user-secret", "sandbox-organization-secret", &client), CE_OK);
    return client;
}

/* A Close.io instance named `name`, tagged `tag`, with filter.response.nulls set; NULL on failure. */
static ce_instance *create_closeio(const ce_client *client, const char *name, const char *tag) {
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_request_new("closeio", name, &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "username", "VERBS_KEY"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "password", "VERBS_PW"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "filter.response.nulls", "true"), CE_OK);
    CHECK_STATUS(ce_request_add_tag(request, tag), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_OK);
    ce_request_free(request);
    return instance;
}

/* Whether `list` holds an instance with this id. */
static int list_has(const ce_instance_list *list, int64_t id) {
    for (size_t i = 0; i < ce_instance_list_len(list); i++) {
        if (ce_instance_id(ce_instance_list_get(list, i)) == id) return 1;
    }
    return 0;
}

static void test_list(void) {
    ce_client *client = new_client();
    ce_instance *first = create_closeio(client, "List A1", tag_a);
    ce_instance *second = create_closeio(client, "List A2", tag_a);
    ce_instance *other = create_closeio(client, "List B", tag_b);

    const char *one_tag[] = {tag_a};
    ce_instance_list *list = NULL;
    CHECK_STATUS(ce_list_instances(client, one_tag, 1, &list), CE_OK);
    CHECK(ce_instance_list_len(list) == 2);
    CHECK(list_has(list, ce_instance_id(first)) && list_has(list, ce_instance_id(second)));
    CHECK(!list_has(list, ce_instance_id(other)));
    CHECK(ce_instance_list_get(list, 2) == NULL);
    CHECK(ce_instance_list_get(list, SIZE_MAX) == NULL);

    /* Borrowed items stay valid, with their strings, until the list is freed: through other calls
     * (another list, a get) and a free of another instance. */
    const ce_instance *item = ce_instance_list_get(list, 0);
    const char *token = ce_instance_token(item);
    const char *name = ce_instance_name(item);
    ce_instance_list *everything = NULL;
    CHECK_STATUS(ce_list_instances(client, NULL, 0, &everything), CE_OK);
    CHECK(ce_instance_list_len(everything) >= 3);
    CHECK(list_has(everything, ce_instance_id(other)));
    ce_instance_list_free(everything);
    ce_instance *fetched = NULL;
    CHECK_STATUS(ce_get_instance(client, ce_instance_id(item), &fetched), CE_OK);
    CHECK(strcmp(ce_instance_token(fetched), token) == 0);
    ce_instance_free(fetched);
    CHECK(strncmp(name, "List A", 6) == 0 && strlen(token) >= 20);
    CHECK(strcmp(ce_instance_element_key(item), "closeio") == 0);
    CHECK(ce_instance_list_get(list, 0) == item);

    /* Every tag must match: both tags, no instance has both. */
    const char *two_tags[] = {tag_a, tag_b};
    ce_instance_list *both = NULL;
    CHECK_STATUS(ce_list_instances(client, two_tags, 2, &both), CE_OK);
    CHECK(ce_instance_list_len(both) == 0);
    ce_instance_list_free(both);

    /* A tag nobody has: an empty list, not an error. */
    const char *no_match[] = {tag_none};
    ce_instance_list *empty = NULL;
    CHECK_STATUS(ce_list_instances(client, no_match, 1, &empty), CE_OK);
    CHECK(empty != NULL && ce_instance_list_len(empty) == 0);
    CHECK(ce_instance_list_get(empty, 0) == NULL);
    ce_instance_list_free(empty);

    ce_instance_list_free(list);
    ce_instance_free(first);
    ce_instance_free(second);
    ce_instance_free(other);
    ce_client_free(client);
}

static void test_get_update_delete(void) {
    ce_client *client = new_client();
    ce_instance *created = create_closeio(client, "Lifecycle", tag_a);
    int64_t id = ce_instance_id(created);

    ce_instance *got = NULL;
    CHECK_STATUS(ce_get_instance(client, id, &got), CE_OK);
    CHECK(ce_instance_id(got) == id);
    CHECK(strcmp(ce_instance_name(got), "Lifecycle") == 0);
    CHECK(strcmp(ce_instance_token(got), ce_instance_token(created)) == 0);
    CHECK(ce_instance_valid(got) == 1);
    CHECK(ce_instance_disabled(got) == 0);
    const char *configuration = ce_instance_configuration_json(got);
    CHECK(configuration != NULL && configuration[0] == '{');
    CHECK(contains(configuration, "\"username\""));
    CHECK(ce_instance_configuration_json(got) == configuration); /* made once, then borrowed */
    ce_instance_free(got);

    /* Tags are replaced, the name changed. */
    ce_instance *updated = NULL;
    CHECK_STATUS(ce_update_instance(client, id, "{\"name\":\"Renamed\",\"tags\":[\"replaced-1\",\"replaced-2\"]}", &updated),
                 CE_OK);
    CHECK(ce_instance_id(updated) == id);
    CHECK(strcmp(ce_instance_name(updated), "Renamed") == 0);
    CHECK(contains(ce_instance_json(updated), "\"replaced-1\""));
    CHECK(!contains(ce_instance_json(updated), tag_a));
    ce_instance_free(updated);
    const char *old_tag[] = {tag_a}, *new_tag[] = {"replaced-2"};
    ce_instance_list *list = NULL;
    CHECK_STATUS(ce_list_instances(client, old_tag, 1, &list), CE_OK);
    CHECK(!list_has(list, id));
    ce_instance_list_free(list);
    CHECK_STATUS(ce_list_instances(client, new_tag, 1, &list), CE_OK);
    CHECK(list_has(list, id));
    ce_instance_list_free(list);

    /* A configuration change through the update, and values that are not strings. */
    CHECK_STATUS(ce_update_instance(client, id, "{\"configuration\":{\"filter.response.nulls\":false}}", &updated),
                 CE_OK);
    CHECK(contains(ce_instance_configuration_json(updated), "\"filter.response.nulls\""));
    ce_instance_free(updated);

    /* Refused before sending: unknown keys, wrong types, nothing to change, not JSON. *out is NULL. */
    long before = sandbox_request_count(url);
    const char *refused[] = {"{\"nmae\":\"x\"}", "{\"tags\":\"a\"}", "{}", "{\"name\":\"\"}", "[1]", "{not json",
                             "{\"providerData\":{\"code\":\"c\",\"extra\":1}}"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        updated = (ce_instance *)0x1;
        CHECK_STATUS(ce_update_instance(client, id, refused[i], &updated), CE_ERR_INVALID_ARGUMENT);
        CHECK(updated == NULL); /* *out is set to NULL first: freeing it after an error is harmless. */
    }
    CHECK(contains(ce_last_error_message(), "`providerData.extra`"));
    CHECK(sandbox_request_count(url) == before);
    CHECK_STATUS(ce_update_instance(client, id, "{\"nmae\":\"x\"}", &updated), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "unknown key `nmae`"));

    /* Deleted: gone for get, delete and update. */
    CHECK_STATUS(ce_delete_instance(client, id), CE_OK);
    got = NULL;
    CHECK_STATUS(ce_get_instance(client, id, &got), CE_ERR_NOT_FOUND);
    CHECK(got == NULL);
    CHECK(ce_last_error_http_status() == 404);
    CHECK(ce_last_error_instance_may_exist() == 0);
    CHECK_STATUS(ce_delete_instance(client, id), CE_ERR_NOT_FOUND);
    CHECK_STATUS(ce_update_instance(client, id, "{\"name\":\"x\"}", &updated), CE_ERR_NOT_FOUND);

    ce_instance_free(created);
    ce_client_free(client);
}

static void test_enable_disable_ping(void) {
    ce_client *client = new_client();
    ce_instance *instance = create_closeio(client, "Switch", tag_b);
    const char *token = ce_instance_token(instance);

    CHECK_STATUS(ce_ping(client, token, "crm"), CE_OK);
    CHECK_STATUS(ce_disable_instance(client, token), CE_OK);
    CHECK_STATUS(ce_ping(client, token, "crm"), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 403);
    CHECK(!contains(ce_last_error_message(), token));
    ce_instance *got = NULL;
    CHECK_STATUS(ce_get_instance(client, ce_instance_id(instance), &got), CE_OK);
    CHECK(ce_instance_disabled(got) == 1);
    ce_instance_free(got);
    CHECK_STATUS(ce_enable_instance(client, token), CE_OK);
    CHECK_STATUS(ce_ping(client, token, "crm"), CE_OK);
    CHECK_STATUS(ce_get_instance(client, ce_instance_id(instance), &got), CE_OK);
    CHECK(ce_instance_disabled(got) == 0);
    ce_instance_free(got);

    CHECK_STATUS(ce_ping(client, token, "marketing"), CE_ERR_NOT_FOUND); /* not Close.io's hub */
    CHECK_STATUS(ce_ping(client, "unknown-token-0123456789", "crm"), CE_ERR_UNAUTHORIZED);
    CHECK_STATUS(ce_ping(client, "", "crm"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_ping(client, token, ""), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_disable_instance(client, "to,ken"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_enable_instance(client, " token"), CE_ERR_INVALID_ARGUMENT);

    ce_instance_free(instance);
    ce_client_free(client);
}

static void test_configuration(void) {
    ce_client *client = new_client();
    ce_instance *instance = create_closeio(client, "Configured", tag_b);
    int64_t id = ce_instance_id(instance);

    char *json = NULL;
    CHECK_STATUS(ce_get_instance_configuration_json(client, id, &json), CE_OK);
    CHECK(json != NULL && json[0] == '[');
    CHECK(contains(json, "\"key\":\"filter.response.nulls\""));
    CHECK(contains(json, "\"key\":\"password\""));
    CHECK(!contains(json, "VERBS_PW")); /* the password comes back masked */
    ce_string_free(json);

    CHECK_STATUS(ce_update_instance_configuration(client, id, "filter.response.nulls", "false"), CE_OK);
    CHECK_STATUS(ce_update_instance_configuration(client, id, "password", "NEW-SECRET-PW"), CE_OK);
    json = NULL;
    CHECK_STATUS(ce_get_instance_configuration_json(client, id, &json), CE_OK);
    CHECK(contains(json, "\"propertyValue\":\"false\""));
    CHECK(contains(json, "\"********\""));
    CHECK(!contains(json, "NEW-SECRET-PW"));
    ce_string_free(json);

    CHECK_STATUS(ce_update_instance_configuration(client, id, "no.such.key", "SECRET-VALUE"), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`no.such.key`"));
    CHECK(!contains(ce_last_error_message(), "SECRET-VALUE"));

    CHECK_STATUS(ce_delete_instance(client, id), CE_OK);
    json = (char *)0x1;
    CHECK_STATUS(ce_get_instance_configuration_json(client, id, &json), CE_ERR_NOT_FOUND);
    CHECK(json == NULL);
    CHECK_STATUS(ce_update_instance_configuration(client, id, "password", "x"), CE_ERR_NOT_FOUND);

    ce_instance_free(instance);
    ce_client_free(client);
}

/* The OAuth code reaches the platform: the sandbox refuses a code it never issued, and says so. */
static void test_oauth_code(void) {
    ce_client *client = new_client();
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    CHECK_STATUS(ce_request_new("clover", "OAuth", &request), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "oauth.api.key", "client-id"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "oauth.api.secret", "client-secret"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "oauth.callback.url", "http://127.0.0.1:9/callback"), CE_OK);
    CHECK_STATUS(ce_request_set_config(request, "merchantId", "M1"), CE_OK);
    /* Without a code: refused before sending, the code named as the missing entry. */
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_ERR_MISSING_CONFIGURATION);
    CHECK(strcmp(ce_last_error_missing(), "providerData.code") == 0);
    CHECK_STATUS(ce_request_set_oauth_code(request, "made-up-CODE-123"), CE_OK);
    CHECK_STATUS(ce_create_instance(client, request, &instance), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(contains(ce_last_error_message(), "invalid_grant"));
    CHECK(!contains(ce_last_error_message(), "made-up-CODE-123"));
    CHECK(instance == NULL);
    CHECK_STATUS(ce_request_set_oauth_code(request, ""), CE_ERR_INVALID_ARGUMENT);
    ce_request_free(request);
    ce_client_free(client);
}

/* The third-party service's own message, per thread, cleared by the next call. */
static void test_provider_message(void) {
    ce_client *client = new_client();
    ce_instance *instance = NULL;
    CHECK(sandbox_inject(url, "{\"kind\":\"status\",\"status\":400,\"provider_message\":\"upstream says no\"}") == 200);
    CHECK_STATUS(ce_get_instance(client, 1, &instance), CE_ERR_API);
    CHECK(ce_last_error_http_status() == 400);
    CHECK(strcmp(ce_last_error_provider_message(), "upstream says no") == 0);
    CHECK_STATUS(ce_get_instance(client, 987654321, &instance), CE_ERR_NOT_FOUND);
    CHECK(strcmp(ce_last_error_provider_message(), "") == 0);
    ce_client_free(client);
}

static void test_null_arguments(void) {
    ce_client *client = new_client();
    ce_instance *instance = create_closeio(client, "Nulls", tag_b);
    int64_t id = ce_instance_id(instance);
    const char *token = ce_instance_token(instance);
    ce_instance_list *list = NULL;
    ce_instance *out = NULL;
    char *json = NULL;
    const char *tags[] = {tag_b, NULL};
    const char *empty_tag[] = {" "};

    CHECK_STATUS(ce_list_instances(NULL, NULL, 0, &list), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`client` is NULL"));
    CHECK_STATUS(ce_list_instances(client, NULL, 1, &list), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`tags` is NULL"));
    CHECK_STATUS(ce_list_instances(client, tags, 2, &list), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`tags[1]` is NULL"));
    CHECK_STATUS(ce_list_instances(client, empty_tag, 1, &list), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_list_instances(client, tags, 1, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out` is NULL"));
    CHECK(list == NULL);
    CHECK(ce_instance_list_len(NULL) == 0);
    CHECK(ce_instance_list_get(NULL, 0) == NULL);
    ce_instance_list_free(NULL);

    CHECK_STATUS(ce_get_instance(NULL, id, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_instance(client, id, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_update_instance(NULL, id, "{\"name\":\"x\"}", &out), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_update_instance(client, id, NULL, &out), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`update_json` is NULL"));
    CHECK_STATUS(ce_update_instance(client, id, "{\"name\":\"x\"}", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_STATUS(ce_delete_instance(NULL, id), CE_ERR_INVALID_ARGUMENT);

    CHECK_STATUS(ce_enable_instance(NULL, token), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_enable_instance(client, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_disable_instance(NULL, token), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_disable_instance(client, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`token` is NULL"));
    CHECK_STATUS(ce_ping(NULL, token, "crm"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_ping(client, NULL, "crm"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_ping(client, token, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`hub` is NULL"));

    CHECK_STATUS(ce_get_instance_configuration_json(NULL, id, &json), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_get_instance_configuration_json(client, id, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`out_json` is NULL"));
    CHECK(json == NULL);
    CHECK_STATUS(ce_update_instance_configuration(NULL, id, "password", "x"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_update_instance_configuration(client, id, NULL, "x"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_update_instance_configuration(client, id, "password", NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`value` is NULL"));

    ce_request *request = NULL;
    CHECK_STATUS(ce_request_new("clover", "x", &request), CE_OK);
    CHECK_STATUS(ce_request_set_oauth_code(NULL, "code"), CE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(ce_request_set_oauth_code(request, NULL), CE_ERR_INVALID_ARGUMENT);
    CHECK(contains(ce_last_error_message(), "`code` is NULL"));
    ce_request_free(request);

    CHECK(ce_instance_valid(NULL) == -1);
    CHECK(ce_instance_disabled(NULL) == -1);
    CHECK(ce_instance_configuration_json(NULL) == NULL);
    ce_string_free(NULL);

    /* Nothing of the above was sent: the instance is as it was. */
    CHECK_STATUS(ce_ping(client, token, "crm"), CE_OK);
    ce_instance_free(instance);
    ce_client_free(client);
}

int main(void) {
    url = getenv("CE_SANDBOX_URL");
    if (!url) {
        fprintf(stderr, "CE_SANDBOX_URL is not set\n");
        return 2;
    }
    /* Tags of this run only: the sandbox is shared with the other tests. */
    long run = (long)getpid();
    snprintf(tag_a, sizeof tag_a, "verbs-a-%ld", run);
    snprintf(tag_b, sizeof tag_b, "verbs-b-%ld", run);
    snprintf(tag_none, sizeof tag_none, "verbs-none-%ld", run);

    test_list();
    test_get_update_delete();
    test_enable_disable_ping();
    test_configuration();
    test_oauth_code();
    test_provider_message();
    test_null_arguments();

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
