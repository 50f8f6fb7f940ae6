/*
 * Provision a Close.io instance and print its token.
 *
 *   cc example.c $(pkg-config --cflags --libs cloud_elements) -o example
 *   CLOUD_ELEMENTS_USER_SECRET=... CLOUD_ELEMENTS_ORG_SECRET=... ./example MY_KEY MY_PW
 *
 * CLOUD_ELEMENTS_BASE_URL points it at another server (a sandbox, say).
 */
#include <cloud_elements.h>

#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CLOSE_IO_API_KEY CLOSE_IO_PASSWORD\n", argv[0]);
        return 2;
    }
    ce_client *client = NULL;
    ce_request *request = NULL;
    ce_instance *instance = NULL;
    int exit_code = 1;

    if (ce_client_from_env(&client) != CE_OK ||
        ce_request_new("closeio", "Example", &request) != CE_OK ||
        ce_request_set_config(request, "username", argv[1]) != CE_OK ||
        ce_request_set_config(request, "password", argv[2]) != CE_OK ||
        ce_request_add_tag(request, "example") != CE_OK) {
        fprintf(stderr, "error: %s\n", ce_last_error_message());
        goto done;
    }

    ce_status status = ce_create_instance(client, request, &instance);
    if (status != CE_OK) {
        fprintf(stderr, "error (%s): %s\n", ce_status_str(status), ce_last_error_message());
        if (status == CE_ERR_MISSING_CONFIGURATION) {
            fprintf(stderr, "missing entries: %s\n", ce_last_error_missing());
        }
        if (ce_last_error_http_status() != 0) {
            fprintf(stderr, "HTTP status %d, request id %s\n", ce_last_error_http_status(),
                    ce_last_error_request_id());
        }
        goto done;
    }
    printf("id:          %lld\n", (long long)ce_instance_id(instance));
    printf("name:        %s\n", ce_instance_name(instance));
    printf("element key: %s\n", ce_instance_element_key(instance));
    printf("token:       %s\n", ce_instance_token(instance));
    exit_code = 0;

done:
    ce_instance_free(instance);
    ce_request_free(request);
    ce_client_free(client);
    return exit_code;
}
