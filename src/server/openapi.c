/*
 * openapi.c: the OpenAPI 3.1 document, generated from the route table so
 * that it cannot drift from what the server dispatches: one operation per
 * route, its path parameters ({name} segments), documented query
 * parameters, the request body's fields ("a*,b": * marks required), the
 * roles allowed (x-roles, and bearerAuth security unless the public may
 * call it), and the shared error schema for every 4xx/5xx answer.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "server_int.h"

/* Split a "a*,b,c" list: calls add(name, required) for each. */
static int each_field(const char *spec, json_t *props, json_t *required, json_t *params, const char *in)
{
    if (!spec)
        return 0;
    const char *p = spec;
    while (*p) {
        size_t n = strcspn(p, ",");
        char name[128];
        int req = 0;
        size_t k = n;
        while (k && (p[k - 1] == ' ' || p[k - 1] == '*')) {
            if (p[k - 1] == '*')
                req = 1;
            k--;
        }
        const char *s = p;
        while (k && *s == ' ') {
            s++;
            k--;
        }
        if (k && k < sizeof(name)) {
            memcpy(name, s, k);
            name[k] = '\0';
            if (props) {
                if (json_object_set_new(props, name, json_pack("{s:s}", "description", name)))
                    return -1;
                if (req && json_array_append_new(required, json_string(name)))
                    return -1;
            } else if (params) {
                json_t *prm = json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", in, "required", req,
                                        "schema", "type", "string");
                if (!prm || json_array_append_new(params, prm))
                    return -1;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

static json_t *roles_json(unsigned roles)
{
    static const unsigned order[] = {XC_ROLE_PUBLIC, XC_ROLE_ADMIN, XC_ROLE_OFFICER, XC_ROLE_EXPORTER, XC_ROLE_AUDITOR};
    json_t *a = json_array();
    for (size_t i = 0; a && i < sizeof(order) / sizeof(order[0]); i++)
        if (roles & order[i])
            json_array_append_new(a, json_string(xc_role_name(order[i])));
    return a;
}

static json_t *error_ref(const char *description)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content", "application/json", "schema",
                     "$ref", "#/components/schemas/Error");
}

/* "get" + "/v1/lists/{id}/diff" -> "get_v1_lists_id_diff" */
static void operation_id(const xc_route *rt, char *buf, size_t cap)
{
    size_t o = 0;
    for (const char *m = rt->method; *m && o + 1 < cap; m++)
        buf[o++] = (char)tolower((unsigned char)*m);
    for (const char *p = rt->pattern; *p && o + 1 < cap; p++) {
        if (isalnum((unsigned char)*p))
            buf[o++] = *p;
        else if ((*p == '/' || *p == '-' || *p == '_' || *p == '.') && o && buf[o - 1] != '_')
            buf[o++] = '_';
    }
    while (o && buf[o - 1] == '_')
        o--;
    buf[o] = '\0';
}

static json_t *operation(const xc_route *rt)
{
    char opid[256];
    operation_id(rt, opid, sizeof(opid));
    json_t *params = json_array();
    if (!params)
        return NULL;
    /* path parameters, in pattern order */
    for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e)
            break;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    if (each_field(rt->query, NULL, NULL, params, "query")) {
        json_decref(params);
        return NULL;
    }
    int text = strcmp(rt->pattern, "/metrics") == 0;
    json_t *ok = text ? json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK", "content", "text/plain", "schema",
                                  "type", "string")
                      : json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK", "content", "application/json",
                                  "schema", "type", "object");
    json_t *responses = json_pack("{s:o, s:o, s:o}", "200", ok, "400", error_ref("Bad request"), "default",
                                  error_ref("Error"));
    json_t *op = json_pack("{s:s, s:s, s:[s], s:o, s:o, s:o}", "operationId", opid, "summary", rt->summary, "tags",
                           rt->tag, "parameters", params, "responses", responses, "x-roles", roles_json(rt->roles));
    if (!op)
        return NULL;
    if (rt->roles & XC_ROLES_USERS) {
        json_object_set_new(responses, "401", error_ref("Missing, unknown or revoked bearer token"));
        json_object_set_new(responses, "403", error_ref("The token's role may not do this"));
    }
    if (rt->roles & XC_ROLE_PUBLIC) {
        if (rt->roles & XC_ROLES_USERS)
            json_object_set_new(op, "security", json_pack("[{}, {s:[]}]", "bearerAuth"));
        else
            json_object_set_new(op, "security", json_array());
    } else {
        json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearerAuth"));
    }
    if (rt->body) {
        json_t *props = json_object(), *required = json_array();
        if (!props || !required || each_field(rt->body, props, required, NULL, NULL)) {
            json_decref(props);
            json_decref(required);
            json_decref(op);
            return NULL;
        }
        json_t *schema = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
        if (schema && json_array_size(required))
            json_object_set_new(schema, "required", required);
        else
            json_decref(required);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", json_array_size(json_object_get(schema,
                                                                                                       "required")) > 0,
                                      "content", "application/json", "schema", schema));
        json_object_set_new(responses, "413", error_ref("Body too large or nested too deeply"));
    }
    return op;
}

json_t *xc_openapi_json(void)
{
    size_t n;
    const xc_route *routes = xc_routes_all(&n);
    json_t *paths = json_object(), *tags = json_array(), *seen = json_object();
    if (!paths || !tags || !seen)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const xc_route *rt = &routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        if (!item) {
            item = json_object();
            if (!item || json_object_set_new(paths, rt->pattern, item))
                goto fail;
        }
        char m[16];
        size_t k = 0;
        for (; rt->method[k] && k + 1 < sizeof(m); k++)
            m[k] = (char)tolower((unsigned char)rt->method[k]);
        m[k] = '\0';
        json_t *op = operation(rt);
        if (!op || json_object_set_new(item, m, op))
            goto fail;
        if (rt->tag && !json_object_get(seen, rt->tag)) {
            json_object_set_new(seen, rt->tag, json_true());
            json_array_append_new(tags, json_pack("{s:s}", "name", rt->tag));
        }
    }
    json_decref(seen);
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:o, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:[s], s:{s:{s:s, s:[s,s,s], "
        "s:{s:{s:s}, s:{s:s}, s:{s:[s,s]}}}}}}}}",
        "openapi", "3.1.0", "info", "title", "exportctl", "version", srv_version(), "description",
        "Export-control API: country lists, control-list items, checks, screening, licensing and the audit log. "
        "Generated from the server's route table.",
        "servers", "url", "/", "tags", tags, "paths", paths, "components", "securitySchemes", "bearerAuth", "type",
        "http", "scheme", "bearer", "schemas", "Error", "type", "object", "required", "error", "properties", "error",
        "type", "object", "required", "code", "message", "field", "properties", "code", "type", "string", "message",
        "type", "string", "field", "type", "string", "null");
    return doc;
fail:
    json_decref(paths);
    json_decref(tags);
    json_decref(seen);
    return NULL;
}
