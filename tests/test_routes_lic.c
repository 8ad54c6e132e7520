/*
 * test_routes_lic.c: the licensing routes of the HTTP API (routes_lic.c)
 * against the real server (xc_srv_start on a free loopback port, in this
 * process) and a real SQLite file, driven with libcurl: organisations,
 * users, tokens, passwords and password login; an application from draft
 * to licence with every transition; licence actions and amendments;
 * four-eyes over HTTP; exporter isolation (another organisation's
 * application or licence is not listed and answers 404, worded as an
 * unknown id); the impact of the 2021-11-25 il-cyber-marketing change as a
 * dry run (recorded version and a new version sent as a document) and
 * applied; and JSON equality with the CLI's --json output (application
 * show, licence show, with and without history, and impact).
 *
 * The database is made with the library before the server starts: the
 * first (admin) user and the first admin token (bootstrap); everything
 * else goes over HTTP.  Tests run in order and build on each other.
 */
#include "testutil.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "licence.h"
#include "registry.h"
#include "server.h"

/* ---- fixture ---------------------------------------------------------------------------- */

static const char *db_path;
static xc_srv *srv;
static int port;
static char vid[32];       /* the bundled 2021-11-25 il-cyber-marketing version */
static char *new_version;  /* that list with FR removed from 2022-06-01, as an exportctl-lists/1 document */

enum { ADMIN, OLGA, OSCAR, AUDREY, EVE, MALLORY, N_USERS };
static const char *const names[N_USERS] = {"admin", "olga", "oscar", "audrey", "eve", "mallory"};
static char tok[N_USERS][XC_TOKEN_LEN + 1];

static const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int setup(void **state)
{
    (void)state;
    xc_store *s = NULL;
    xc_error err;
    char id[17];
    json_t *exp = NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    db_path = strdup(tu_path("lic.db"));
    if (xc_db_open(db_path, &s, &err) || xc_user_add(s, "bootstrap", "admin", "admin", NULL, &err) ||
        xc_token_create(s, "admin", "admin", "admin", "test", tok[ADMIN], id, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    /* the 2021-11-25 version's id, and a new version without FR */
    xc_version *v = NULL;
    size_t n = 0;
    if (xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &v, &n, &err) ||
        xc_registry_export_json(s, "il-cyber-marketing", XC_TS_LATEST, &exp, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char d[XC_DATE_BUF];
        if (strcmp(xc_date_format(v[i].effective_from, d), "2021-11-25") == 0)
            snprintf(vid, sizeof(vid), "%lld", (long long)v[i].id);
    }
    xc_versions_free(v, n);
    json_t *list = json_array_get(json_object_get(exp, "lists"), 0), *vs = json_object_get(list, "versions");
    json_t *nv = json_deep_copy(json_array_get(vs, json_array_size(vs) - 1)), *members = json_array(), *m;
    json_array_foreach(json_object_get(nv, "members"), n, m)
    {
        const char *cc = json_is_string(m) ? json_string_value(m) : js(m, "country");
        if (strcmp(cc, "FR") != 0)
            json_array_append(members, m);
    }
    json_object_set_new(nv, "members", members);
    json_object_set_new(nv, "effective_from", json_string("2022-06-01"));
    json_object_del(nv, "declared_count");
    json_object_del(nv, "content_hash");
    json_object_del(nv, "recorded_at");
    json_object_set_new(list, "versions", json_pack("[o]", nv));
    new_version = json_dumps(exp, JSON_COMPACT);
    json_decref(exp);
    xc_store_close(s);
    if (!vid[0] || !new_version) {
        fprintf(stderr, "setup: no 2021-11-25 version of il-cyber-marketing\n");
        return -1;
    }
    xc_srv_opts o = {.listen = "127.0.0.1:0", .db_path = db_path, .threads = 4, .quiet = 1};
    if (xc_srv_start(&o, &srv, &port, &err)) {
        fprintf(stderr, "setup: server: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xc_srv_stop(srv, 5);
    free(new_version);
    curl_global_cleanup();
    return 0;
}

/* ---- HTTP ---------------------------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *u)
{
    buf *b = u;
    char *p = realloc(b->p, b->n + sz * nm + 1);
    if (!p)
        return 0;
    memcpy(p + b->n, d, sz * nm);
    b->p = p;
    b->n += sz * nm;
    b->p[b->n] = '\0';
    return sz * nm;
}

/* One request; the status, and the body in *text (caller frees). */
static long http(const char *method, const char *path, const char *token, const char *body, char **text)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[1024], auth[128];
    buf b = {NULL, 0};
    long status = 0;
    assert_non_null(c);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    *text = b.p ? b.p : strdup("");
    return status;
}

/* A request that must answer `want`; the JSON body (caller decrefs).  fmt
 * NULL: no body; else printf-style. */
static json_t *call(long want, const char *method, const char *path, int who, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static json_t *call(long want, const char *method, const char *path, int who, const char *fmt, ...)
{
    char body[16384], *text = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof(body), fmt, ap);
        va_end(ap);
    }
    long st = http(method, path, who >= 0 ? tok[who] : NULL, fmt ? body : NULL, &text);
    if (st != want)
        fail_msg("%s %s as %s: HTTP %ld, want %ld: %s", method, path, who >= 0 ? names[who] : "public", st, want,
                 text);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("%s %s: not JSON: %s", method, path, text);
    free(text);
    return j;
}

#define NOBODY ((const char *)NULL)
#define PUBLIC (-1)

/* A 4xx whose {"error": {code, message, field}} names field (NULL: any) and
 * whose message contains needle (NULL: any). */
static void refused(long want, const char *method, const char *path, int who, const char *field, const char *needle,
                    const char *body)
{
    json_t *j = body ? call(want, method, path, who, "%s", body) : call(want, method, path, who, NULL);
    json_t *e = json_object_get(j, "error");
    if (!json_is_object(e) || !json_is_string(json_object_get(e, "code")) || !json_is_string(json_object_get(e, "message")))
        fail_msg("%s %s: no error object: %s", method, path, json_dumps(j, 0));
    if (field && strcmp(js(e, "field"), field) != 0)
        fail_msg("%s %s: error field \"%s\", want \"%s\" (%s)", method, path, js(e, "field"), field, js(e, "message"));
    if (needle && !strstr(js(e, "message"), needle))
        fail_msg("%s %s: message lacks \"%s\": %s", method, path, needle, js(e, "message"));
    json_decref(j);
}

/* The CLI's --json output for args (NULL-terminated), expecting exit code want. */
static json_t *cli_json(int want, ...)
{
    const char *argv[32];
    int n = 0;
    char *out = NULL, *er = NULL;
    va_list ap;
    argv[n++] = "--db";
    argv[n++] = db_path;
    argv[n++] = "--json";
    va_start(ap, want);
    for (const char *a = va_arg(ap, const char *); a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    int rc = tu_runv(&out, &er, argv);
    if (rc != want)
        fail_msg("exportctl %s %s: exit %d (want %d): %s", argv[3], argv[4], rc, want, er);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (!j)
        fail_msg("exportctl %s: not JSON: %s", argv[3], out);
    free(out);
    free(er);
    return j;
}

static void same_json(json_t *a, json_t *b, const char *what)
{
    if (!json_equal(a, b)) {
        char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);
        fail_msg("%s differs:\nHTTP: %s\nCLI:  %s", what, x, y);
    }
}

/* ---- applications over HTTP ------------------------------------------------------------------- */

static const char *app_body(const char *type, const char *regime, const char *org, const char *to, const char *eu,
                            const char *eu_type, const char *date)
{
    static char b[1024];
    snprintf(b, sizeof(b),
             "{\"type\":\"%s\",\"regime\":\"%s\",\"exporter\":\"%s\",\"items\":[\"4D004\"],\"destination\":\"%s\","
             "\"end_users\":[{\"name\":\"%s\",\"country\":\"%s\",\"type\":\"%s\"}],\"end_use\":\"investigation of "
             "serious crime\",\"value\":{\"amount\":100000,\"currency\":\"USD\"},\"date\":\"%s\"}",
             type, regime, org, to, eu, to, eu_type, date);
    return b;
}

/* Create as `who`; the new id in id. */
static void create(int who, const char *body, char id[32])
{
    json_t *a = call(201, "POST", "/v1/applications", who, "%s", body);
    assert_string_equal(js(a, "status"), "draft");
    snprintf(id, 32, "%s", js(a, "id"));
    assert_true(strncmp(id, "APP-", 4) == 0);
    json_decref(a);
}

static json_t *act(long want, int who, const char *kind, const char *id, const char *action, const char *body)
{
    char path[128];
    snprintf(path, sizeof(path), "/v1/%s/%s/%s", kind, id, action);
    return body ? call(want, "POST", path, who, "%s", body) : call(want, "POST", path, who, NULL);
}

static const char *status_of(const char *kind, const char *id)
{
    static char st[4][32];
    static int k;
    char path[128];
    snprintf(path, sizeof(path), "/v1/%s/%s", kind, id);
    json_t *d = call(200, "GET", path, OLGA, NULL);
    k = (k + 1) % 4;
    snprintf(st[k], sizeof(st[k]), "%s", js(d, "status"));
    json_decref(d);
    return st[k];
}

/* Draft -> licence over HTTP (eve creates and submits, olga reviews, oscar approves). */
static void licensed(const char *to, const char *date, const char *until, char app[32], char lic[32])
{
    char body[128];
    create(EVE, app_body("export", "il", "acme", to, "National Police", "government", date), app);
    json_decref(act(200, EVE, "applications", app, "submit", NULL));
    json_decref(act(200, OLGA, "applications", app, "review", NULL));
    snprintf(body, sizeof(body), "{\"valid_until\":\"%s\"}", until);
    json_t *a = act(200, OSCAR, "applications", app, "approve", body);
    assert_string_equal(js(a, "status"), "approved");
    snprintf(lic, 32, "%s", js(a, "licence"));
    json_decref(a);
}

/* ---- tests ---------------------------------------------------------------------------------------- */

static void test_actors_and_tokens(void **state)
{
    (void)state;
    json_t *j;
    refused(401, "GET", "/v1/orgs", PUBLIC, NULL, NULL, NULL);
    j = call(201, "POST", "/v1/orgs", ADMIN, "{\"id\":\"acme\",\"name\":\"Acme Cyber Ltd\",\"country\":\"Israel\"}");
    assert_string_equal(js(j, "id"), "acme");
    assert_string_equal(js(j, "country"), "IL");
    assert_string_equal(js(j, "created_by"), "admin");
    json_decref(j);
    json_decref(call(201, "POST", "/v1/orgs", ADMIN, "{\"id\":\"other\",\"name\":\"Other Ltd\"}"));
    refused(409, "POST", "/v1/orgs", ADMIN, "id", "already exists", "{\"id\":\"acme\",\"name\":\"Again\"}");
    refused(400, "POST", "/v1/orgs", ADMIN, "name", NULL, "{\"id\":\"x\"}");
    refused(400, "POST", "/v1/orgs", ADMIN, "name", "string", "{\"id\":\"x\",\"name\":5}");
    refused(400, "POST", "/v1/orgs", ADMIN, "bogus", "unknown field", "{\"id\":\"x\",\"name\":\"X\",\"bogus\":1}");

    static const char *const users[] = {
        "{\"name\":\"olga\",\"role\":\"officer\"}",    "{\"name\":\"oscar\",\"role\":\"officer\"}",
        "{\"name\":\"audrey\",\"role\":\"auditor\"}",  "{\"name\":\"eve\",\"role\":\"exporter\",\"org\":\"acme\"}",
        "{\"name\":\"mallory\",\"role\":\"exporter\",\"org\":\"other\"}"};
    for (int i = 0; i < 5; i++) {
        j = call(201, "POST", "/v1/users", ADMIN, "%s", users[i]);
        assert_string_equal(js(j, "name"), names[i + 1]);
        assert_true(json_is_true(json_object_get(j, "active")));
        json_decref(j);
        /* tokens: the role defaults to the user's */
        j = call(201, "POST", "/v1/tokens", ADMIN, "{\"user\":\"%s\",\"label\":\"test\"}", names[i + 1]);
        assert_string_equal(js(j, "user"), names[i + 1]);
        assert_int_equal(strlen(js(j, "token")), XC_TOKEN_LEN);
        assert_int_equal(strlen(js(j, "id")), 16);
        snprintf(tok[i + 1], sizeof(tok[i + 1]), "%s", js(j, "token"));
        json_decref(j);
    }
    refused(400, "POST", "/v1/users", ADMIN, "org", NULL, "{\"name\":\"x\",\"role\":\"exporter\"}");
    refused(403, "POST", "/v1/users", OLGA, NULL, NULL, "{\"name\":\"x\",\"role\":\"officer\"}");
    refused(403, "POST", "/v1/tokens", OLGA, NULL, NULL, "{\"user\":\"olga\"}");
    refused(409, "POST", "/v1/tokens", ADMIN, "role", NULL, "{\"user\":\"olga\",\"role\":\"admin\"}");

    j = call(200, "GET", "/v1/users", AUDREY, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "users")), 6);
    json_decref(j);
    refused(403, "GET", "/v1/users", EVE, NULL, NULL, NULL);
    j = call(200, "GET", "/v1/orgs", OLGA, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "orgs")), 2);
    json_t *c = cli_json(0, "org", "ls", NULL);
    same_json(j, c, "org ls");
    json_decref(c);
    json_decref(j);
    j = call(200, "GET", "/v1/users", ADMIN, NULL);
    c = cli_json(0, "user", "ls", NULL);
    same_json(j, c, "user ls");
    json_decref(c);
    json_decref(j);
    j = call(200, "GET", "/v1/orgs", EVE, NULL); /* an exporter sees its own */
    assert_int_equal(json_array_size(json_object_get(j, "orgs")), 1);
    assert_string_equal(js(json_array_get(json_object_get(j, "orgs"), 0), "id"), "acme");
    json_decref(j);

    /* passwords: the user itself or an admin; then a password login */
    json_decref(call(200, "POST", "/v1/users/eve/password", EVE, "{\"password\":\"correct horse battery\"}"));
    refused(403, "POST", "/v1/users/mallory/password", EVE, NULL, NULL, "{\"password\":\"x-x-x-x-x-x-x\"}");
    json_decref(call(200, "POST", "/v1/users/mallory/password", ADMIN, "{\"password\":\"staple staple\"}"));
    refused(400, "POST", "/v1/users/eve/password", EVE, "password", NULL, "{}");
    j = call(201, "POST", "/v1/auth/token", PUBLIC, "{\"user\":\"eve\",\"password\":\"correct horse battery\"}");
    assert_string_equal(js(j, "user"), "eve");
    assert_string_equal(js(j, "role"), "exporter");
    char login[XC_TOKEN_LEN + 1], login_id[17], *text = NULL;
    snprintf(login, sizeof(login), "%s", js(j, "token"));
    snprintf(login_id, sizeof(login_id), "%s", js(j, "id"));
    json_decref(j);
    assert_int_equal(http("GET", "/v1/applications", login, NULL, &text), 200);
    free(text);
    refused(401, "POST", "/v1/auth/token", PUBLIC, NULL, NULL, "{\"user\":\"eve\",\"password\":\"wrong\"}");
    refused(401, "POST", "/v1/auth/token", PUBLIC, NULL, NULL, "{\"user\":\"nobody\",\"password\":\"wrong\"}");
    refused(400, "POST", "/v1/auth/token", PUBLIC, "password", NULL, "{\"user\":\"eve\"}");

    /* listing: admins everything, the others their own */
    j = call(200, "GET", "/v1/tokens?user=eve", ADMIN, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "tokens")), 2);
    char *dump = json_dumps(j, 0);
    assert_null(strstr(dump, "xct_"));
    free(dump);
    json_decref(j);
    j = call(200, "GET", "/v1/tokens", EVE, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "tokens")), 2);
    json_decref(j);
    refused(403, "GET", "/v1/tokens?user=olga", EVE, "user", NULL, NULL);

    /* revocation: the token's own user (or an admin); a revoked token is 401 */
    char path[64];
    snprintf(path, sizeof(path), "/v1/tokens/%s/revoke", login_id);
    refused(403, "POST", path, OLGA, NULL, NULL, "{}");
    j = call(200, "POST", path, EVE, "{\"reason\":\"logged out\"}");
    assert_true(json_is_true(json_object_get(j, "revoked")));
    json_decref(j);
    assert_int_equal(http("GET", "/v1/applications", login, NULL, &text), 401);
    free(text);
    refused(409, "POST", path, ADMIN, NULL, NULL, "{}");
}

static char app1[32], lic1[32];

static void test_lifecycle(void **state)
{
    (void)state;
    json_t *a, *c;
    char path[128];
    const char *body = app_body("export", "il", "acme", "FR", "National Police", "government", "2021-09-01");
    refused(403, "POST", "/v1/applications", OLGA, NULL, NULL, body);
    refused(401, "POST", "/v1/applications", PUBLIC, NULL, NULL, body);
    refused(403, "POST", "/v1/applications", MALLORY, NULL, "own organisation", body); /* acme is not hers */
    refused(400, "POST", "/v1/applications", EVE, NULL, NULL, "{\"type\":\"export\",\"bogus\":1}");
    create(EVE, body, app1);

    a = act(200, EVE, "applications", app1, "submit", NULL);
    assert_string_equal(js(a, "status"), "submitted");
    assert_string_equal(js(a, "outcome"), "licence-required");
    json_decref(a);
    refused(409, "POST", "/v1/applications/APP-000001/submit", EVE, "status", NULL, NULL);
    snprintf(path, sizeof(path), "/v1/applications/%s/review", app1);
    refused(403, "POST", path, EVE, NULL, NULL, NULL);
    refused(400, "POST", path, OLGA, "note", "unknown field", "{\"note\":\"x\"}");
    a = act(200, OLGA, "applications", app1, "review", NULL);
    assert_string_equal(js(a, "status"), "under-review");
    assert_string_equal(js(a, "reviewer"), "olga");
    json_decref(a);
    snprintf(path, sizeof(path), "/v1/applications/%s/approve", app1);
    refused(403, "POST", path, EVE, NULL, NULL, "{}");
    refused(400, "POST", path, OSCAR, "valid_until", NULL, "{\"valid_until\":5}");
    refused(400, "POST", path, OSCAR, "conditions", NULL, "{\"conditions\":[1]}");
    refused(400, "POST", path, OSCAR, NULL, "valid_until", "{\"valid_until\":\"not-a-date\"}");
    a = act(200, OSCAR, "applications", app1, "approve",
            "{\"valid_from\":\"2021-09-01\",\"valid_until\":\"2023-08-31\",\"conditions\":[\"no re-export\"],"
            "\"note\":\"fine\"}");
    assert_string_equal(js(a, "status"), "approved");
    snprintf(lic1, sizeof(lic1), "%s", js(a, "licence"));
    json_decref(a);

    /* the same JSON as the CLI's --json */
    snprintf(path, sizeof(path), "/v1/applications/%s", app1);
    a = call(200, "GET", path, EVE, NULL);
    c = cli_json(0, "application", "show", app1, NULL);
    same_json(a, c, "application show");
    json_decref(a);
    json_decref(c);
    snprintf(path, sizeof(path), "/v1/applications/%s?history=true", app1);
    a = call(200, "GET", path, AUDREY, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "history")), 4);
    c = cli_json(0, "application", "show", app1, "--history", NULL);
    same_json(a, c, "application show --history");
    json_decref(a);
    json_decref(c);
    snprintf(path, sizeof(path), "/v1/applications/%s?history=maybe", app1);
    refused(400, "GET", path, OLGA, "history", NULL, NULL);
    refused(404, "GET", "/v1/applications/APP-999999", OLGA, NULL, "does not exist", NULL);

    snprintf(path, sizeof(path), "/v1/licences/%s", lic1);
    a = call(200, "GET", path, EVE, NULL);
    assert_string_equal(js(a, "status"), "active");
    assert_string_equal(js(a, "valid_until"), "2023-08-31");
    c = cli_json(0, "licence", "show", lic1, NULL);
    same_json(a, c, "licence show");
    json_decref(a);
    json_decref(c);

    /* licence actions */
    snprintf(path, sizeof(path), "/v1/licences/%s/suspend", lic1);
    refused(400, "POST", path, OLGA, "reason", NULL, "{}");
    refused(403, "POST", path, EVE, NULL, NULL, "{\"reason\":\"x\"}");
    refused(403, "POST", path, AUDREY, NULL, NULL, "{\"reason\":\"x\"}");
    a = act(200, OLGA, "licences", lic1, "suspend", "{\"reason\":\"end user under investigation\"}");
    assert_string_equal(js(a, "status"), "suspended");
    assert_string_equal(js(json_array_get(json_object_get(a, "notices"), 0), "reason"), "end user under investigation");
    json_decref(a);
    refused(409, "POST", path, OLGA, "status", NULL, "{\"reason\":\"again\"}");
    json_decref(act(200, OLGA, "licences", lic1, "reinstate", "{\"reason\":\"cleared\"}"));
    snprintf(path, sizeof(path), "/v1/licences/%s/amend", lic1);
    refused(403, "POST", path, EVE, NULL, NULL, "{\"valid_until\":\"2023-06-30\",\"reason\":\"x\"}");
    refused(400, "POST", path, OLGA, "reason", NULL, "{\"valid_until\":\"2023-06-30\"}");
    a = act(200, OLGA, "licences", lic1, "amend",
            "{\"valid_until\":\"2023-06-30\",\"conditions\":[\"report quarterly\"],\"reason\":\"shorter\"}");
    assert_string_equal(js(a, "valid_until"), "2023-06-30");
    assert_int_equal(json_integer_value(json_object_get(a, "amendment")), 1);
    int conds = 0; /* added to "no re-export" (and the checks' conditions) */
    json_t *cv;
    size_t ci;
    json_array_foreach(json_object_get(a, "conditions"), ci, cv) conds +=
        strcmp(json_string_value(cv), "no re-export") == 0 || strcmp(json_string_value(cv), "report quarterly") == 0;
    assert_int_equal(conds, 2);
    json_decref(a);
    snprintf(path, sizeof(path), "/v1/licences/%s?history=true", lic1);
    a = call(200, "GET", path, OLGA, NULL);
    c = cli_json(0, "licence", "show", lic1, "--history", NULL);
    same_json(a, c, "licence show --history");
    assert_int_equal(json_array_size(json_object_get(a, "history")), 4);
    json_decref(a);
    json_decref(c);
    a = act(200, EVE, "licences", lic1, "surrender", "{\"reason\":\"deal cancelled\"}");
    assert_string_equal(js(a, "status"), "surrendered");
    json_decref(a);

    a = call(200, "GET", "/v1/licences?status=surrendered&at=2022-01-01", AUDREY, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "licences")), 1);
    assert_string_equal(js(a, "at"), "2022-01-01");
    c = cli_json(0, "licence", "ls", "--status", "surrendered", "--at", "2022-01-01", NULL);
    same_json(a, c, "licence ls");
    json_decref(a);
    json_decref(c);
    refused(400, "GET", "/v1/licences?status=bogus", OLGA, "status", NULL, NULL);
    refused(400, "GET", "/v1/licences?at=yesterday", OLGA, "at", NULL, NULL);
    a = call(200, "GET", "/v1/applications?status=approved", OLGA, NULL);
    c = cli_json(0, "application", "ls", "--status", "approved", NULL);
    same_json(a, c, "application ls");
    json_decref(a);
    json_decref(c);

    /* withdraw a draft */
    char app2[32];
    create(EVE, body, app2);
    a = act(200, EVE, "applications", app2, "withdraw", "{\"reason\":\"duplicate\"}");
    assert_string_equal(js(a, "status"), "withdrawn");
    json_decref(a);

    /* refusal, citing criteria from GET /v1/criteria */
    a = call(200, "GET", "/v1/criteria", EVE, NULL);
    c = cli_json(0, "criteria", "ls", NULL);
    same_json(a, c, "criteria ls");
    json_decref(c);
    int seen = 0;
    size_t i;
    json_t *cr;
    json_array_foreach(json_object_get(a, "criteria"), i, cr) seen |= strcmp(js(cr, "code"), "non-government-end-user") == 0;
    assert_true(seen);
    json_decref(a);
    char app3[32];
    create(EVE, app_body("export", "il", "acme", "FR", "Some Company SA", "company", "2021-09-01"), app3);
    a = act(200, EVE, "applications", app3, "submit", NULL);
    assert_string_equal(js(a, "outcome"), "prohibited");
    json_decref(a);
    json_decref(act(200, OLGA, "applications", app3, "review", NULL));
    snprintf(path, sizeof(path), "/v1/applications/%s/approve", app3);
    refused(403, "POST", path, OSCAR, NULL, "prohibited", NULL);
    snprintf(path, sizeof(path), "/v1/applications/%s/refuse", app3);
    refused(400, "POST", path, OLGA, "criteria", NULL, "{\"text\":\"company end user\"}");
    refused(400, "POST", path, OLGA, "criteria", "unknown criterion",
            "{\"criteria\":[\"no-such-thing\"],\"text\":\"company end user\"}");
    refused(400, "POST", path, OLGA, "text", NULL, "{\"criteria\":[\"non-government-end-user\"]}");
    a = act(200, OLGA, "applications", app3, "refuse",
            "{\"criteria\":[\"non-government-end-user\"],\"text\":\"company end user\"}");
    assert_string_equal(js(a, "status"), "refused");
    assert_string_equal(js(json_object_get(a, "refusal"), "by"), "olga");
    json_decref(a);
}

static void test_four_eyes(void **state)
{
    (void)state;
    char app[32], path[128];
    json_t *a;
    /* a party named like an Entity List entry: a screening hit, and the
     * us-ear check says presumption of denial */
    create(EVE, app_body("export", "us-ear", "acme", "IL", "NSO Group Technologies", "company", "2021-12-01"), app);
    a = act(200, EVE, "applications", app, "submit", NULL);
    assert_true(json_is_true(json_object_get(json_object_get(a, "four_eyes"), "required")));
    json_decref(a);
    json_decref(act(200, OLGA, "applications", app, "review", NULL));
    a = act(200, OLGA, "applications", app, "approve", "{\"note\":\"first\"}");
    assert_string_equal(js(a, "status"), "under-review");
    assert_int_equal(json_array_size(json_object_get(a, "approvals")), 1);
    json_decref(a);
    snprintf(path, sizeof(path), "/v1/applications/%s/approve", app);
    refused(403, "POST", path, OLGA, "actor", "four-eyes", "{}");
    assert_string_equal(status_of("applications", app), "under-review");
    a = act(200, OSCAR, "applications", app, "approve", "{\"note\":\"second\"}");
    assert_string_equal(js(a, "status"), "approved");
    assert_int_equal(json_array_size(json_object_get(a, "approvals")), 2);
    assert_true(strncmp(js(a, "licence"), "LIC-", 4) == 0);
    json_decref(a);
}

static void test_exporter_isolation(void **state)
{
    (void)state;
    char mine[32], draft[32], path[128], *unknown_msg;
    json_t *a, *e;
    size_t i;
    /* mallory (other) has an application of her own; eve a draft */
    create(MALLORY, app_body("export", "il", "other", "JP", "National Police", "government", "2021-09-01"), mine);
    create(EVE, app_body("export", "il", "acme", "JP", "National Police", "government", "2021-09-01"), draft);

    a = call(200, "GET", "/v1/applications", MALLORY, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "applications")), 1);
    json_array_foreach(json_object_get(a, "applications"), i, e) assert_string_equal(js(e, "exporter"), "other");
    json_decref(a);
    a = call(200, "GET", "/v1/applications?exporter=acme", MALLORY, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "applications")), 0);
    json_decref(a);
    a = call(200, "GET", "/v1/applications", EVE, NULL);
    json_array_foreach(json_object_get(a, "applications"), i, e) assert_string_equal(js(e, "exporter"), "acme");
    assert_true(json_array_size(json_object_get(a, "applications")) >= 5);
    json_decref(a);
    a = call(200, "GET", "/v1/applications", OLGA, NULL); /* officers see all */
    int other = 0;
    json_array_foreach(json_object_get(a, "applications"), i, e) other += strcmp(js(e, "exporter"), "other") == 0;
    assert_int_equal(other, 1);
    json_decref(a);

    /* another organisation's id reads exactly like an unknown one */
    a = call(404, "GET", "/v1/applications/APP-999999", MALLORY, NULL);
    unknown_msg = strdup(js(json_object_get(a, "error"), "message"));
    json_decref(a);
    snprintf(path, sizeof(path), "/v1/applications/%s", app1);
    a = call(404, "GET", path, MALLORY, NULL);
    char want[256];
    snprintf(want, sizeof(want), "%s", unknown_msg);
    char *p = strstr(want, "APP-999999");
    assert_non_null(p);
    memcpy(p, app1, strlen("APP-999999"));
    assert_string_equal(js(json_object_get(a, "error"), "message"), want);
    free(unknown_msg);
    json_decref(a);
    snprintf(path, sizeof(path), "/v1/applications/%s?history=true", app1);
    refused(404, "GET", path, MALLORY, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "/v1/applications/%s", mine);
    refused(404, "GET", path, EVE, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "/v1/applications/%s/submit", draft);
    refused(404, "POST", path, MALLORY, NULL, NULL, NULL);
    snprintf(path, sizeof(path), "/v1/applications/%s/withdraw", draft);
    refused(404, "POST", path, MALLORY, NULL, NULL, "{}");
    assert_string_equal(status_of("applications", draft), "draft");

    /* licences: mallory has none, and acme's are not found */
    a = call(200, "GET", "/v1/licences", MALLORY, NULL);
    assert_int_equal(json_array_size(json_object_get(a, "licences")), 0);
    json_decref(a);
    a = call(200, "GET", "/v1/licences", EVE, NULL);
    assert_true(json_array_size(json_object_get(a, "licences")) >= 2);
    json_decref(a);
    char lic[32], app[32];
    licensed("JP", "2021-09-01", "2023-08-31", app, lic);
    snprintf(path, sizeof(path), "/v1/licences/%s", lic);
    refused(404, "GET", path, MALLORY, NULL, "does not exist", NULL);
    snprintf(path, sizeof(path), "/v1/licences/%s/surrender", lic);
    refused(404, "POST", path, MALLORY, NULL, "does not exist", "{\"reason\":\"mine now\"}");
    assert_string_equal(status_of("licences", lic), "active");
    /* and her own application goes through as usual */
    json_decref(act(200, MALLORY, "applications", mine, "submit", NULL));
}

static void test_impact(void **state)
{
    (void)state;
    static const char *const to[6] = {"MA", "SA", "AE", "MX", "FR", "JP"};
    char lics[6][32], app[32], pending[32], path[128];
    json_t *r, *c, *e;
    size_t i;
    for (int k = 0; k < 6; k++)
        licensed(to[k], "2021-09-01", "2023-08-31", app, lics[k]);
    create(EVE, app_body("export", "il", "acme", "MA", "Gendarmerie", "government", "2021-09-01"), pending);
    json_decref(act(200, EVE, "applications", pending, "submit", NULL));

    /* a dry run: officers, admins and auditors; 200 even when it finds something */
    refused(403, "POST", "/v1/impact", EVE, NULL, NULL, "{\"list\":\"il-cyber-marketing\",\"version\":\"1\"}");
    refused(401, "POST", "/v1/impact", PUBLIC, NULL, NULL, "{\"list\":\"il-cyber-marketing\",\"version\":\"1\"}");
    r = call(200, "POST", "/v1/impact", AUDREY, "{\"list\":\"il-cyber-marketing\",\"version\":\"%s\"}", vid);
    assert_true(json_is_true(json_object_get(r, "dry_run")));
    assert_string_equal(js(r, "at"), "2021-11-25");
    int hit[6] = {0}, pend = 0;
    json_array_foreach(json_object_get(r, "affected"), i, e)
    {
        for (int k = 0; k < 6; k++)
            hit[k] |= strcmp(js(e, "id"), lics[k]) == 0;
        pend |= strcmp(js(e, "id"), pending) == 0;
    }
    for (int k = 0; k < 6; k++)
        assert_int_equal(hit[k], k < 4);
    assert_true(pend);
    char ver[48];
    snprintf(ver, sizeof(ver), "--version=%s", vid);
    c = cli_json(3, "--as", "audrey", "impact", "--list", "il-cyber-marketing", ver, NULL);
    same_json(r, c, "impact");
    json_decref(c);
    json_decref(r);
    /* the version as a JSON number */
    r = call(200, "POST", "/v1/impact", ADMIN, "{\"list\":\"il-cyber-marketing\",\"version\":%s}", vid);
    assert_true(json_integer_value(json_object_get(r, "affected_licences")) >= 4);
    json_decref(r);

    /* bad requests */
    refused(400, "POST", "/v1/impact", OLGA, "version", "reads no files",
            "{\"list\":\"il-cyber-marketing\",\"version\":\"/etc/passwd\"}");
    refused(400, "POST", "/v1/impact", OLGA, "list", NULL, "{\"version\":\"1\"}");
    refused(400, "POST", "/v1/impact", OLGA, "reason", NULL,
            "{\"list\":\"il-cyber-marketing\",\"version\":\"1\",\"reason\":\"x\"}");
    refused(404, "POST", "/v1/impact", OLGA, NULL, "999999", "{\"list\":\"il-cyber-marketing\",\"version\":\"999999\"}");
    refused(400, "POST", "/v1/impact", OLGA, "at", NULL,
            "{\"list\":\"il-cyber-marketing\",\"version\":\"1\",\"at\":\"soon\"}");
    refused(400, "POST", "/v1/impact", OLGA, "document", NULL,
            "{\"list\":\"il-cyber-marketing\",\"version\":\"x\",\"document\":[1]}");

    /* a new version sent as a document: a dry run records nothing */
    r = call(200, "POST", "/v1/impact", OLGA, "{\"list\":\"il-cyber-marketing\",\"version\":\"no-fr\",\"document\":%s}",
             new_version);
    assert_string_equal(js(r, "at"), "2022-06-01");
    int fr = 0;
    json_array_foreach(json_object_get(r, "affected"), i, e) fr |= strcmp(js(e, "id"), lics[4]) == 0;
    assert_true(fr);
    json_decref(r);
    c = cli_json(0, "list", "history", "il-cyber-marketing", NULL);
    json_array_foreach(json_object_get(c, "versions"), i, e) assert_string_not_equal(js(e, "effective_from"), "2022-06-01");
    json_decref(c);

    /* apply: officers only */
    char body[512];
    snprintf(body, sizeof(body),
             "{\"list\":\"il-cyber-marketing\",\"version\":\"%s\",\"apply\":\"suspend\",\"reason\":"
             "\"removed from the exemption list on 2021-11-25\"}",
             vid);
    refused(403, "POST", "/v1/impact", ADMIN, "apply", NULL, body);
    refused(403, "POST", "/v1/impact", AUDREY, "apply", NULL, body);
    refused(400, "POST", "/v1/impact", OLGA, "reason", NULL,
            "{\"list\":\"il-cyber-marketing\",\"version\":\"1\",\"apply\":\"suspend\"}");
    refused(400, "POST", "/v1/impact", OLGA, "apply", NULL,
            "{\"list\":\"il-cyber-marketing\",\"version\":\"1\",\"apply\":\"cancel\",\"reason\":\"x\"}");
    r = call(200, "POST", "/v1/impact", OLGA, "%s", body);
    json_t *done = json_object_get(json_object_get(r, "applied"), "licences");
    assert_true(json_array_size(done) >= 4);
    json_decref(r);
    for (int k = 0; k < 6; k++)
        assert_string_equal(status_of("licences", lics[k]), k < 4 ? "suspended" : "active");
    assert_string_equal(status_of("applications", pending), "submitted");
    snprintf(path, sizeof(path), "/v1/licences/%s", lics[0]);
    r = call(200, "GET", path, EVE, NULL);
    json_t *n = json_array_get(json_object_get(r, "notices"), 0);
    assert_string_equal(js(n, "action"), "suspend");
    assert_string_equal(js(json_object_get(n, "change"), "list"), "il-cyber-marketing");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actors_and_tokens), cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_four_eyes),         cmocka_unit_test(test_exporter_isolation),
        cmocka_unit_test(test_impact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
