/*
 * routes_ops.c: the operations routes: health (GET /healthz), metrics in
 * the Prometheus text format (GET /metrics) and the OpenAPI document
 * generated from the route table (GET /v1/openapi.json).  All public: none
 * of them shows a secret.
 */
#include <pthread.h>

#include "mem.h"
#include "server_int.h"

static int h_healthz(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    return srv_health_json(r->srv, s, &out->body, err);
}

static int h_metrics(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = srv_metrics_text(r->srv, s, &out->text, err);
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return rc;
}

/* The document depends only on the route table: serialised once per process. */
static char *openapi_text;
static pthread_once_t openapi_once = PTHREAD_ONCE_INIT;

static void openapi_build(void)
{
    json_t *doc = xc_openapi_json();
    if (doc)
        openapi_text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
}

static int h_openapi(xc_req *r, xc_resp *out, xc_error *err)
{
    (void)r;
    pthread_once(&openapi_once, openapi_build);
    out->text = openapi_text ? xc_strdup(openapi_text) : NULL;
    out->content_type = "application/json";
    return out->text ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the OpenAPI document");
}

const xc_route xc_routes_ops[] = {
    {"GET", "/healthz", h_healthz, XC_ROLES_ALL, "Liveness and database health, with the audit log's size", NULL,
     NULL, "ops"},
    {"GET", "/metrics", h_metrics, XC_ROLES_ALL,
     "Prometheus metrics: requests and latency by route, snapshot ages, audit head size", NULL, NULL, "ops"},
    {"GET", "/v1/openapi.json", h_openapi, XC_ROLES_ALL, "This API's OpenAPI 3.1 document", NULL, NULL, "ops"},
};
const size_t xc_n_routes_ops = sizeof(xc_routes_ops) / sizeof(xc_routes_ops[0]);
