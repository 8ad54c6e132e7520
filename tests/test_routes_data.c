/*
 * test_routes_data.c: the data and audit routes (routes_data.c) against the
 * real server.  The test starts xc_srv_start on a loopback port over a real
 * database file, talks to it with libcurl, and compares each answer with
 * what the real exportctl binary prints with --json for the same question
 * on the same database: lists, countries, items, rules, party snapshots,
 * imports, audit events, checkpoints, proofs and the verifier key.  It
 * also checks the roles of the routes and that bad parameters are 400s
 * naming the parameter.
 */
#include "testutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "licence.h"
#include "server.h"

static xc_srv *srv;
static int port;
static const char *db;
static char tok_admin[XC_TOKEN_LEN + 1], tok_officer[XC_TOKEN_LEN + 1], tok_auditor[XC_TOKEN_LEN + 1],
    tok_exporter[XC_TOKEN_LEN + 1];

/* ---- HTTP ------------------------------------------------------------------------ */

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *ud)
{
    buf *b = ud;
    size_t k = sz * nm;
    b->p = realloc(b->p, b->n + k + 1);
    memcpy(b->p + b->n, d, k);
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

typedef struct reply {
    long status;
    json_t *json; /* NULL when the body is not JSON */
    char *text;
} reply;

static void reply_free(reply *r)
{
    json_decref(r->json);
    free(r->text);
    memset(r, 0, sizeof(*r));
}

/* One request; path includes the query.  ctype NULL: application/json when body. */
static reply http(const char *method, const char *path, const char *token, const char *ctype, const char *body,
                  size_t len)
{
    reply r = {0, NULL, NULL};
    buf b = {calloc(1, 1), 0};
    char url[2048], auth[128], ct[128];
    struct curl_slist *h = NULL;
    CURL *c = curl_easy_init();
    assert_non_null(c);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype ? ctype : "application/json");
        h = curl_slist_append(h, ct);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r.text = b.p;
    r.json = json_loadb(b.p, b.n, 0, NULL);
    return r;
}

static reply get(const char *path, const char *token)
{
    return http("GET", path, token, NULL, NULL, 0);
}

static reply post_file(const char *path, const char *token, const char *ctype, const char *file)
{
    size_t len = 0;
    char *data = tu_read(file, &len);
    assert_non_null(data);
    reply r = http("POST", path, token, ctype, data, len);
    free(data);
    return r;
}

/* ---- the CLI ------------------------------------------------------------------------ */

/* exportctl --db DB --json ARGS... parsed; the exit code must be want. */
static json_t *cli(int want, ...)
{
    const char *argv[32];
    int n = 0;
    va_list ap;
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "--json";
    va_start(ap, want);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = tu_runv(&out, &err, argv);
    if (rc != want)
        fail_msg("exportctl %s %s: exit %d, expected %d: %s%s", argv[3], n > 4 ? argv[4] : "", rc, want, out, err);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (!j)
        fail_msg("exportctl %s: not JSON: %s", argv[3], out);
    free(out);
    free(err);
    return j;
}

static void expect_equal(const char *what, json_t *api, json_t *want)
{
    if (!json_equal(api, want)) {
        char *a = json_dumps(api, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *b = json_dumps(want, JSON_INDENT(1) | JSON_SORT_KEYS);
        print_message("%s:\nAPI: %.3000s\nCLI: %.3000s\n", what, a ? a : "(null)", b ? b : "(null)");
        free(a);
        free(b);
        fail_msg("%s: the API's answer differs from the CLI's --json", what);
    }
}

/* GET path as token: 200 and equal to the CLI's answer (consumed). */
static void same(const char *path, const char *token, json_t *want)
{
    reply r = get(path, token);
    if (r.status != 200)
        fail_msg("GET %s: status %ld: %s", path, r.status, r.text);
    expect_equal(path, r.json, want);
    json_decref(want);
    reply_free(&r);
}

/* A 4xx with {"error": {"code", "message", "field"}} naming field. */
static void bad(reply r, long status, const char *field, const char *what)
{
    if (r.status != status)
        fail_msg("%s: status %ld, expected %ld: %s", what, r.status, status, r.text);
    json_t *e = json_object_get(r.json, "error");
    if (!e || !json_is_string(json_object_get(e, "code")) || !json_is_string(json_object_get(e, "message")))
        fail_msg("%s: no error object: %s", what, r.text);
    if (field) {
        const char *f = json_string_value(json_object_get(e, "field"));
        if (!f || strcmp(f, field) != 0)
            fail_msg("%s: error field %s, expected %s: %s", what, f ? f : "null", field, r.text);
    }
    reply_free(&r);
}

/* ---- fixture ------------------------------------------------------------------------ */

static int setup(void **state)
{
    xc_error err;
    xc_store *s = NULL;
    char id[17];
    (void)state;
    memset(&err, 0, sizeof(err));
    db = strdup(tu_path("data.db"));
    assert_int_equal(xc_init(&err), XC_OK);
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), 0);
    int rc = xc_db_open(db, &s, &err);
    if (rc == XC_OK)
        rc = xc_user_add(s, "bootstrap", "admin", "admin", NULL, &err);
    if (rc == XC_OK)
        rc = xc_org_add(s, "admin", "org-a", "Org A Ltd", "IL", &err);
    if (rc == XC_OK)
        rc = xc_user_add(s, "admin", "officer", "officer", NULL, &err);
    if (rc == XC_OK)
        rc = xc_user_add(s, "admin", "auditor", "auditor", NULL, &err);
    if (rc == XC_OK)
        rc = xc_user_add(s, "admin", "exa", "exporter", "org-a", &err);
    if (rc == XC_OK)
        rc = xc_token_create(s, "admin", "admin", "admin", "t", tok_admin, id, &err);
    if (rc == XC_OK)
        rc = xc_token_create(s, "admin", "officer", "officer", "t", tok_officer, id, &err);
    if (rc == XC_OK)
        rc = xc_token_create(s, "admin", "auditor", "auditor", "t", tok_auditor, id, &err);
    if (rc == XC_OK)
        rc = xc_token_create(s, "admin", "exa", "exporter", "t", tok_exporter, id, &err);
    xc_store_close(s);
    if (rc)
        fail_msg("setup: %s", err.msg);
    xc_srv_opts o = {.listen = "127.0.0.1:0", .db_path = db, .threads = 2, .quiet = 1};
    if (xc_srv_start(&o, &srv, &port, &err))
        fail_msg("xc_srv_start: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xc_srv_stop(srv, 5);
    curl_global_cleanup();
    return 0;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_lists_equal_cli(void **state)
{
    (void)state;
    reply r = get("/v1/lists/il-cyber-marketing?at=2021-11-25", NULL);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "members")) > 0);
    reply_free(&r);
    same("/v1/lists", NULL, cli(0, "list", "ls", NULL));
    same("/v1/lists/il-cyber-marketing?at=2021-11-25", NULL,
         cli(0, "list", "show", "il-cyber-marketing", "--at", "2021-11-25", NULL));
    same("/v1/lists/il-cyber-marketing", tok_exporter, cli(0, "list", "show", "il-cyber-marketing", NULL));
    same("/v1/lists/us-ear-a1?at=2024-01-01&as_recorded_at=2099-01-01T00:00:00Z", NULL,
         cli(0, "list", "show", "us-ear-a1", "--at", "2024-01-01", "--as-recorded-at", "2099-01-01T00:00:00Z", NULL));
    same("/v1/lists/il-cyber-marketing/diff?from=2020-01-01&to=2022-06-01", NULL,
         cli(0, "list", "diff", "il-cyber-marketing", "--from", "2020-01-01", "--to", "2022-06-01", NULL));
    same("/v1/lists/il-cyber-marketing/history", NULL, cli(0, "list", "history", "il-cyber-marketing", NULL));
    same("/v1/lists/us-ear-a1/export", NULL, cli(0, "list", "export", "us-ear-a1", NULL));
    same("/v1/countries", NULL, cli(0, "country", "ls", NULL));
    same("/v1/countries/MA", NULL, cli(0, "country", "show", "MA", NULL));
    same("/v1/countries/iran", NULL, cli(0, "country", "show", "iran", NULL));
}

static void test_policy_and_parties_equal_cli(void **state)
{
    (void)state;
    same("/v1/items", NULL, cli(0, "item", "ls", NULL));
    same("/v1/items/4d004", NULL, cli(0, "item", "show", "4d004", NULL));
    same("/v1/items?as_recorded_at=2000-01-01", NULL, cli(0, "item", "ls", "--as-recorded-at", "2000-01-01", NULL));
    same("/v1/rules", tok_exporter, cli(0, "rules", "ls", NULL));
    same("/v1/rules/il", tok_officer, cli(0, "rules", "show", "il", NULL));
    same("/v1/parties", tok_auditor, cli(0, "parties", "ls", NULL));
}

static void test_audit_equal_cli(void **state)
{
    (void)state;
    same("/v1/audit/events?from=3&limit=5", tok_auditor, cli(0, "audit", "log", "--from", "3", "--limit", "5", NULL));
    same("/v1/audit/events?type=list&subject=il-cyber-marketing", tok_officer,
         cli(0, "audit", "log", "--type", "list", "--subject", "il-cyber-marketing", NULL));

    reply r = http("POST", "/v1/audit/checkpoints", tok_admin, NULL, NULL, 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "number")), 1);
    reply_free(&r);
    r = http("POST", "/v1/audit/checkpoints", tok_admin, NULL, NULL, 0);
    assert_int_equal(r.status, 201);
    reply_free(&r);

    json_t *cps = cli(0, "audit", "checkpoints", NULL);
    assert_int_equal(json_array_size(cps), 2);
    same("/v1/audit/checkpoints/1", NULL, json_incref(json_array_get(cps, 0)));
    same("/v1/audit/checkpoints", NULL, cps);
    same("/v1/audit/proofs/inclusion?event=3", tok_auditor, cli(0, "audit", "prove", "3", NULL));
    same("/v1/audit/proofs/inclusion?event=2&checkpoint=1", tok_admin,
         cli(0, "audit", "prove", "2", "--checkpoint", "1", NULL));
    same("/v1/audit/proofs/consistency?first=1&second=2", NULL, cli(0, "audit", "consistency", "1", "2", NULL));
    same("/v1/audit/verify", tok_auditor, cli(0, "audit", "verify", NULL));

    /* the key: the CLI's answer without the key file's path */
    json_t *k = cli(0, "audit", "key", NULL);
    json_object_del(k, "key_file");
    same("/v1/audit/key", NULL, json_incref(k));

    /* a proof checks with nothing but the key; a tampered one is a 422 with the report */
    r = get("/v1/audit/proofs/inclusion?event=3", tok_auditor);
    json_t *body = json_pack("{s:O, s:O}", "proof", r.json, "key", json_object_get(k, "vkey"));
    reply_free(&r);
    char *text = json_dumps(body, JSON_COMPACT);
    r = http("POST", "/v1/audit/verify-proof", NULL, NULL, text, strlen(text));
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "ok")));
    reply_free(&r);
    free(text);
    json_t *path = json_object_get(json_object_get(body, "proof"), "path");
    json_array_set_new(path, 0, json_string("0000000000000000000000000000000000000000000000000000000000000000"));
    text = json_dumps(body, JSON_COMPACT);
    r = http("POST", "/v1/audit/verify-proof", NULL, NULL, text, strlen(text));
    assert_int_equal(r.status, 422);
    assert_true(json_is_false(json_object_get(r.json, "ok")));
    assert_non_null(json_object_get(r.json, "error"));
    reply_free(&r);
    free(text);
    json_object_set_new(body, "extra", json_true());
    text = json_dumps(body, JSON_COMPACT);
    bad(http("POST", "/v1/audit/verify-proof", NULL, NULL, text, strlen(text)), 400, "extra", "verify-proof extra");
    free(text);
    json_decref(body);
    json_decref(k);
}

static void test_imports(void **state)
{
    (void)state;
    /* JSON lists document */
    reply r = post_file("/v1/lists/import?file=lists-basic.json", tok_admin, NULL, tu_data("lists-basic.json"));
    if (r.status != 200)
        fail_msg("list import: %ld %s", r.status, r.text);
    assert_string_equal(json_string_value(json_object_get(r.json, "file")), "lists-basic.json");
    assert_true(json_integer_value(json_object_get(r.json, "versions_recorded")) > 0);
    reply_free(&r);
    /* the same again records nothing, as the CLI says */
    r = post_file("/v1/lists/import?file=lists-basic.json", tok_admin, NULL, tu_data("lists-basic.json"));
    json_t *again = cli(0, "list", "import", tu_data("lists-basic.json"), NULL);
    json_object_set_new(again, "file", json_string("lists-basic.json"));
    expect_equal("list import (again)", r.json, again);
    json_decref(again);
    reply_free(&r);
    same("/v1/lists/test-list/history", NULL, cli(0, "list", "history", "test-list", NULL));

    /* one version's members as CSV */
    r = post_file("/v1/lists/import?list=test-list&effective_from=2024-01-01&source=Test%20Gazette%202024&"
                  "confidence=official&reason=listed%20in%202024",
                  tok_admin, "text/csv", tu_data("members.csv"));
    if (r.status != 200)
        fail_msg("csv import: %ld %s", r.status, r.text);
    assert_int_equal(json_integer_value(json_object_get(r.json, "versions_recorded")), 1);
    reply_free(&r);
    same("/v1/lists/test-list?at=2024-06-01", NULL, cli(0, "list", "show", "test-list", "--at", "2024-06-01", NULL));

    /* a party list as plain CSV; the snapshot shows in GET /v1/parties */
    r = post_file("/v1/parties/import?format=csv&list_id=test-parties&list_date=2024-02-01&file=plain.csv", tok_admin,
                  "text/csv", tu_data("parties/plain.csv"));
    if (r.status != 200)
        fail_msg("parties import: %ld %s", r.status, r.text);
    assert_string_equal(json_string_value(json_object_get(r.json, "list")), "test-parties");
    assert_int_equal(json_integer_value(json_object_get(r.json, "recorded")), 1);
    reply_free(&r);
    same("/v1/parties", tok_officer, cli(0, "parties", "ls", NULL));

    /* items and rule packs already recorded: nothing new */
    char items[512], rules[512];
    snprintf(items, sizeof(items), "%s/data/items/cyber.json", XC_SOURCE_DIR);
    snprintf(rules, sizeof(rules), "%s/data/rules/il.json", XC_SOURCE_DIR);
    r = post_file("/v1/items/import", tok_admin, NULL, items);
    json_t *want = cli(0, "item", "import", items, NULL);
    json_object_set_new(want, "file", json_string("(request body)"));
    expect_equal("item import", r.json, want);
    json_decref(want);
    reply_free(&r);
    r = post_file("/v1/rules/import?file=il.json", tok_admin, NULL, rules);
    want = cli(0, "rules", "import", rules, NULL);
    json_object_set_new(want, "file", json_string("il.json"));
    expect_equal("rules import", r.json, want);
    json_decref(want);
    reply_free(&r);

    /* imports leave the audit log intact and name the signed-in user */
    same("/v1/audit/events?type=list.version&actor=admin", tok_auditor,
         cli(0, "audit", "log", "--type", "list.version", "--actor", "admin", NULL));
    r = get("/v1/audit/events?type=list.version&actor=admin", tok_auditor);
    assert_true(json_array_size(r.json) >= 1);
    reply_free(&r);
}

static void test_roles(void **state)
{
    (void)state;
    reply r;
    /* public reads */
    const char *pub[] = {"/v1/lists", "/v1/countries", "/v1/items", "/v1/audit/checkpoints", "/v1/audit/key"};
    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
        r = get(pub[i], NULL);
        if (r.status != 200)
            fail_msg("public GET %s: %ld", pub[i], r.status);
        reply_free(&r);
    }
    /* signed-in only, admin only, audit readers only */
    r = get("/v1/rules", NULL);
    assert_true(r.status == 401 || r.status == 403);
    reply_free(&r);
    r = get("/v1/parties", NULL);
    assert_true(r.status == 401 || r.status == 403);
    reply_free(&r);
    bad(get("/v1/audit/events", tok_exporter), 403, NULL, "exporter reads events");
    bad(get("/v1/audit/verify", tok_officer), 403, NULL, "officer verifies");
    /* the public and exporters get inclusion proofs redacted: the leaf hash, not the event;
     * such a proof still verifies, and an officer's whole proof has the same leaf */
    const char *const redacted_for[] = {tok_exporter, NULL};
    for (int k = 0; k < 2; k++) {
        r = get("/v1/audit/proofs/inclusion?event=1", redacted_for[k]);
        assert_int_equal(r.status, 200);
        assert_null(json_object_get(r.json, "event"));
        assert_null(json_object_get(r.json, "body"));
        assert_true(json_is_true(json_object_get(r.json, "redacted")));
        reply whole = get("/v1/audit/proofs/inclusion?event=1", tok_officer);
        assert_int_equal(whole.status, 200);
        assert_non_null(json_object_get(whole.json, "body"));
        assert_true(json_equal(json_object_get(whole.json, "leaf_hash"), json_object_get(r.json, "leaf_hash")));
        reply key = get("/v1/audit/key", NULL);
        assert_int_equal(key.status, 200);
        json_t *vp = json_pack("{s:O, s:O}", "proof", r.json, "key", json_object_get(key.json, "vkey"));
        char *vbody = json_dumps(vp, JSON_COMPACT);
        reply ok = http("POST", "/v1/audit/verify-proof", NULL, "application/json", vbody, strlen(vbody));
        assert_int_equal(ok.status, 200);
        assert_true(json_is_true(json_object_get(ok.json, "redacted")));
        free(vbody);
        json_decref(vp);
        reply_free(&ok);
        reply_free(&key);
        reply_free(&whole);
        reply_free(&r);
    }
    bad(http("POST", "/v1/audit/checkpoints", tok_auditor, NULL, NULL, 0), 403, NULL, "auditor publishes");
    bad(post_file("/v1/lists/import", tok_officer, NULL, tu_data("lists-basic.json")), 403, NULL, "officer imports");
    bad(post_file("/v1/items/import", tok_exporter, NULL, tu_data("lists-basic.json")), 403, NULL, "exporter imports");
    r = post_file("/v1/rules/import", NULL, NULL, tu_data("lists-basic.json"));
    assert_true(r.status == 401 || r.status == 403);
    reply_free(&r);
    bad(get("/v1/rules", "xct_0000000000000000000000000000000000000000000000000000000000000000"), 401, NULL,
        "unknown token");
}

static void test_bad_parameters(void **state)
{
    (void)state;
    bad(get("/v1/lists/il-cyber-marketing?at=2021-02-30", NULL), 400, "at", "impossible date");
    bad(get("/v1/lists/il-cyber-marketing?at=", NULL), 400, "at", "empty date");
    bad(get("/v1/lists/il-cyber-marketing?when=2021-01-01", NULL), 400, "when", "unknown parameter");
    bad(get("/v1/lists/il-cyber-marketing?at=%FF", NULL), 400, "at", "date not UTF-8");
    bad(get("/v1/audit/events?type=%C0%AF", tok_auditor), 400, "type", "overlong UTF-8");
    bad(get("/v1/countries/%ED%A0%80", NULL), 400, "path", "surrogate in the path");
    char longp[1200] = "/v1/lists/";
    for (int i = 0; i < 100; i++)
        strcat(longp, "%E6%97%A5"); /* 300 bytes of U+65E5 */
    bad(get(longp, NULL), 400, "path", "long path parameter");
    char longq[1200] = "/v1/audit/events?from=";
    for (int i = 0; i < 30; i++)
        strcat(longq, "%E6%97%A5"); /* 90 bytes of U+65E5: the message cuts it on a character boundary */
    bad(get(longq, tok_auditor), 400, "from", "long non-number");
    bad(http("POST", "/v1/audit/checkpoints", tok_admin, NULL, "{\"force\": true}", 15), 400, "force",
        "checkpoint with a body");
    bad(get("/v1/lists?as_recorded_at=yesterday", NULL), 400, "as_recorded_at", "bad timestamp");
    bad(get("/v1/lists/il-cyber-marketing/diff?from=2021-01-01", NULL), 400, "to", "diff without to");
    bad(get("/v1/lists/il-cyber-marketing/diff?from=2022-01-01&to=2021-01-01", NULL), 400, "from", "from after to");
    bad(get("/v1/lists/no-such-list", NULL), 404, "id", "unknown list");
    bad(get("/v1/lists/..%2F..%2Fetc%2Fpasswd", NULL), 400, "path", "traversal as a list id");
    bad(get("/v1/lists/x'%20OR%20'1'='1", NULL), 404, "id", "SQL-looking list id");
    bad(get("/v1/audit/events?subject=x&actor=&limit=5", tok_auditor), 400, "actor", "empty actor");
    bad(get("/v1/countries/UK", NULL), 404, "code", "unknown country");
    bad(get("/v1/items/9Z999", NULL), 404, "code", "unknown item");
    bad(get("/v1/rules/xx", tok_officer), 404, "regime", "unknown regime");
    bad(get("/v1/audit/events?limit=10001", tok_auditor), 400, "limit", "limit over the cap");
    bad(get("/v1/audit/events?limit=0", tok_auditor), 400, "limit", "limit 0");
    bad(get("/v1/audit/events?from=-1", tok_auditor), 400, "from", "negative from");
    bad(get("/v1/audit/events?from=1e3", tok_auditor), 400, "from", "from not an integer");
    bad(get("/v1/audit/checkpoints/abc", NULL), 400, "number", "checkpoint not a number");
    bad(get("/v1/audit/checkpoints/999", NULL), 404, "number", "no such checkpoint");
    bad(get("/v1/audit/proofs/inclusion", tok_auditor), 400, "event", "proof without event");
    bad(get("/v1/audit/proofs/consistency?first=1", NULL), 400, "second", "consistency without second");
    bad(get("/v1/audit/verify?key=not-a-key", tok_auditor), 400, "key", "bad verifier key");
    bad(post_file("/v1/parties/import?format=ofac-sdn&list_date=2024-01-01", tok_admin, "text/csv",
                  tu_data("parties/plain.csv")),
        400, "format", "ofac-sdn over HTTP");
    bad(post_file("/v1/parties/import?format=csv&list_id=x&list_date=2024-01-01&max_age_days=0", tok_admin,
                  "text/csv", tu_data("parties/plain.csv")),
        400, "max_age_days", "max_age_days 0");
    bad(post_file("/v1/parties/import?format=csv&list_date=2024-01-01", tok_admin, "text/csv",
                  tu_data("parties/plain.csv")),
        400, "list_id", "csv without list_id");
    bad(post_file("/v1/lists/import?source=x", tok_admin, NULL, tu_data("lists-basic.json")), 400, "source",
        "CSV option on a JSON import");
    bad(post_file("/v1/lists/import?list=test-list", tok_admin, "text/csv", tu_data("members.csv")), 400,
        "effective_from", "CSV import without effective_from");
    bad(post_file("/v1/lists/import?list=test-list&effective_from=2025-01-01&source=s&confidence=official&"
                  "declared_count=1001",
                  tok_admin, "text/csv", tu_data("members.csv")),
        400, "declared_count", "declared_count over 1000");
    bad(post_file("/v1/lists/import?file=..%2Fetc%2Fpasswd", tok_admin, NULL, tu_data("lists-basic.json")), 400,
        "file", "file name with a slash");
    bad(http("POST", "/v1/items/import", tok_admin, NULL, "", 0), 400, NULL, "import without a body");
    /* the server still answers and nothing was recorded by the bad requests */
    same("/v1/lists/test-list/history", NULL, cli(0, "list", "history", "test-list", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_equal_cli),  cmocka_unit_test(test_policy_and_parties_equal_cli),
        cmocka_unit_test(test_audit_equal_cli),  cmocka_unit_test(test_imports),
        cmocka_unit_test(test_roles),            cmocka_unit_test(test_bad_parameters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
