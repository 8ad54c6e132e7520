/*
 * test_routes_checks.c: the check, screening, match and allow-list routes
 * (routes_checks.c) against the real server on loopback, driven with
 * libcurl, compared with the real exportctl binary's --json output on the
 * same database file: the answers must be equal (decision ids aside).
 * Also batch limits, bad bodies (400 naming the field) and roles.
 */
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "db.h"
#include "mem.h"
#include "server.h"
#include "testutil.h"

static xc_srv *srv;
static int port;
static const char *db;
static char tok_admin[XC_TOKEN_LEN + 1], tok_officer[XC_TOKEN_LEN + 1], tok_exporter[XC_TOKEN_LEN + 1],
    tok_auditor[XC_TOKEN_LEN + 1];
static CURL *curl;

/* ---- helpers --------------------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n;
} buf;

static int no_parse; /* timing: count bytes, do not keep or parse them */

static size_t collect(char *d, size_t sz, size_t nm, void *u)
{
    if (no_parse)
        return sz * nm;
    buf *b = u;
    size_t k = sz * nm;
    char *np = realloc(b->p, b->n + k + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, k);
    b->n += k;
    np[b->n] = '\0';
    b->p = np;
    return k;
}

/* One request on handle h; returns the parsed body (NULL if not JSON) and *status. */
static json_t *http_on(CURL *hd, const char *method, const char *path, const char *token, const char *body,
                       long *status)
{
    char url[512], auth[128];
    buf b = {NULL, 0};
    struct curl_slist *h = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_reset(hd);
    curl_easy_setopt(hd, CURLOPT_URL, url);
    curl_easy_setopt(hd, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(hd, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(hd, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(hd, CURLOPT_TIMEOUT, 30L);
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(hd, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(hd, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(hd, CURLOPT_HTTPHEADER, h);
    CURLcode cc = curl_easy_perform(hd);
    curl_slist_free_all(h);
    if (cc != CURLE_OK)
        fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(cc));
    *status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(hd, CURLINFO_RESPONSE_CODE, status);
    json_error_t je;
    json_t *j = b.p ? json_loads(b.p, 0, &je) : NULL;
    if (!j && !no_parse)
        fprintf(stderr, "%s %s: %ld, not JSON: %s\n", method, path, *status, b.p ? b.p : "(empty)");
    free(b.p);
    return j;
}

static json_t *http(const char *method, const char *path, const char *token, const char *body, long *status)
{
    return http_on(curl, method, path, token, body, status);
}

static json_t *post(const char *path, const char *token, const char *body, long want)
{
    long st = 0;
    json_t *j = http("POST", path, token, body, &st);
    if (st != want) {
        char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
        fprintf(stderr, "POST %s %.300s: status %ld, want %ld: %.2000s\n", path, body, st, want, t ? t : "");
        free(t);
    }
    assert_int_equal(st, want);
    assert_non_null(j);
    return j;
}

static json_t *get(const char *path, const char *token, long want)
{
    long st = 0;
    json_t *j = http("GET", path, token, NULL, &st);
    assert_int_equal(st, want);
    assert_non_null(j);
    return j;
}

/* The CLI's --json answer (exit code in *code). */
static json_t *cli(int *code, ...)
{
    const char *argv[40];
    int n = 0;
    va_list ap;
    argv[n++] = "--db";
    argv[n++] = db;
    va_start(ap, code);
    for (const char *a; n < 38 && (a = va_arg(ap, const char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n++] = "--json";
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    *code = tu_runv(&out, &err, argv);
    json_error_t je;
    json_t *j = json_loads(out ? out : "", 0, &je);
    if (!j)
        fprintf(stderr, "cli: not JSON (%d): %s %s\n", *code, out ? out : "", err ? err : "");
    free(out);
    free(err);
    assert_non_null(j);
    return j;
}

/* JSON equality, numbers compared to 1e-9 (the CLI prints reals with 10 digits). */
static int same(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return fabs(x - y) <= 1e-9 * fmax(1.0, fabs(x));
    }
    if (json_typeof(a) != json_typeof(b))
        return 0;
    if (json_is_object(a)) {
        const char *k;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return 0;
        json_object_foreach(a, k, v) if (!json_object_get(b, k) || !same(v, json_object_get(b, k))) return 0;
        return 1;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    return json_equal(a, b);
}

static void assert_same(json_t *a, json_t *b)
{
    if (!same(a, b)) {
        char *x = json_dumps(a, JSON_INDENT(1) | JSON_SORT_KEYS), *y = json_dumps(b, JSON_INDENT(1) | JSON_SORT_KEYS);
        fprintf(stderr, "differ:\n--- server\n%.4000s\n--- cli\n%.4000s\n", x, y);
        free(x);
        free(y);
    }
    assert_true(same(a, b));
}

static void assert_error(json_t *j, const char *code, const char *field)
{
    json_t *e = json_object_get(j, "error");
    assert_non_null(e);
    if (code)
        assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    if (field) {
        const char *f = json_string_value(json_object_get(e, "field"));
        if (!f || strcmp(f, field) != 0)
            fprintf(stderr, "error field %s, want %s (%s)\n", f ? f : "null", field,
                    json_string_value(json_object_get(e, "message")));
        assert_non_null(f);
        assert_string_equal(f, field);
    }
    assert_non_null(json_string_value(json_object_get(e, "message")));
}

/* ---- setup -------------------------------------------------------------------------------- */

static void make_token(xc_store *s, const char *actor, const char *user, const char *role, char *tok)
{
    char id[17];
    xc_error err;
    int rc = xc_token_create(s, actor, user, role, "test", tok, id, &err);
    if (rc)
        fprintf(stderr, "token for %s: %s\n", user, err.msg);
    assert_int_equal(rc, XC_OK);
}

static int setup(void **state)
{
    (void)state;
    xc_mem_init();
    db = tu_path("checks.db");
    int code;
    json_decref(cli(&code, "user", "add", "admin1", "--role", "admin", NULL));
    assert_int_equal(code, 0);
    json_decref(cli(&code, "--as", "admin1", "user", "add", "off1", "--role", "officer", NULL));
    json_decref(cli(&code, "--as", "admin1", "user", "add", "aud1", "--role", "auditor", NULL));
    json_decref(cli(&code, "--as", "admin1", "org", "add", "acme", "--name", "Acme", "--country", "IL", NULL));
    json_decref(cli(&code, "--as", "admin1", "user", "add", "exp1", "--role", "exporter", "--org", "acme", NULL));
    assert_int_equal(code, 0);
    xc_store *s = NULL;
    xc_error err;
    assert_int_equal(xc_db_open(db, &s, &err), XC_OK);
    make_token(s, "admin1", "admin1", "admin", tok_admin);
    make_token(s, "admin1", "off1", "officer", tok_officer);
    make_token(s, "admin1", "exp1", "exporter", tok_exporter);
    make_token(s, "admin1", "aud1", "auditor", tok_auditor);
    xc_store_close(s);
    xc_srv_opts o;
    memset(&o, 0, sizeof(o));
    o.listen = "127.0.0.1:0";
    o.db_path = db;
    o.threads = 4;
    o.quiet = 1;
    int rc = xc_srv_start(&o, &srv, &port, &err);
    if (rc)
        fprintf(stderr, "xc_srv_start: %s\n", err.msg);
    assert_int_equal(rc, XC_OK);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    return curl ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    curl_easy_cleanup(curl);
    xc_srv_stop(srv, 5);
    curl_global_cleanup();
    return 0;
}

/* ---- checks ---------------------------------------------------------------------------------- */

typedef struct ccase {
    const char *body;
    const char *argv[24];
} ccase;

static const ccase check_cases[] = {
    {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"record\":false}",
     {"check", "--regime", "il", "--item", "4D004", "--to", "IR", "--no-record"}},
    {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"France\",\"activity\":\"marketing\",\"date\":\"2021-11-25\","
     "\"record\":false}",
     {"check", "--regime", "il", "--item", "4D004", "--to", "France", "--activity", "marketing", "--date",
      "2021-11-25", "--no-record"}},
    {"{\"regime\":\"us-ear\",\"item\":\"4D004\",\"to\":\"DE\",\"end_user_type\":\"company\",\"record\":false}",
     {"check", "--regime", "us-ear", "--item", "4D004", "--to", "DE", "--end-user-type", "company", "--no-record"}},
    {"{\"regime\":\"us-ear\",\"item\":\"4D004\",\"to\":\"IL\",\"parties\":[\"NSO Group Technologies\",\"Acme\"],"
     "\"risk_flags\":[\"human-rights\"],\"end_user_flags\":[\"favourable-treatment\"],\"record\":false}",
     {"check", "--regime", "us-ear", "--item", "4D004", "--to", "IL", "--party", "NSO Group Technologies", "--party",
      "Acme", "--risk-flag", "human-rights", "--end-user-flag", "favourable-treatment", "--no-record"}},
    {"{\"regime\":\"eu\",\"item\":\"4A005\",\"to\":\"CN\",\"record\":false}",
     {"check", "--regime", "eu", "--item", "4A005", "--to", "CN", "--no-record"}},
};

static json_t *cli_argv(int *code, const char *const *args)
{
    const char *a[30];
    size_t n = 0;
    while (args[n] && n < 24) {
        a[n] = args[n];
        n++;
    }
    for (; n < 30; n++)
        a[n] = NULL;
    return cli(code, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
               a[15], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], NULL);
}

static void test_check_equals_cli(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
        int code;
        json_t *c = cli_argv(&code, check_cases[i].argv);
        assert_true(code == 0 || code >= 3);
        json_t *a = post("/v1/check", tok_exporter, check_cases[i].body, 200);
        assert_same(a, c);
        json_t *again = post("/v1/check", tok_auditor, check_cases[i].body, 200); /* answered from the cache */
        assert_same(again, c);
        assert_null(json_object_get(a, "decision_id"));
        json_decref(a);
        json_decref(again);
        json_decref(c);
    }
}

static void test_check_record_and_replay(void **state)
{
    (void)state;
    int code;
    json_t *c = cli(&code, "check", "--regime", "il", "--item", "4D004", "--to", "IR", NULL);
    json_t *a = post("/v1/check", tok_officer, "{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\"}", 200);
    json_int_t id = json_integer_value(json_object_get(a, "decision_id"));
    assert_true(id > 0);
    assert_true(json_integer_value(json_object_get(c, "decision_id")) > 0);
    assert_int_not_equal(id, json_integer_value(json_object_get(c, "decision_id")));
    json_object_del(a, "decision_id");
    json_object_del(c, "decision_id");
    assert_same(a, c);
    char path[128], ids[32];
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    snprintf(path, sizeof(path), "/v1/decisions/%s/replay?compare_now=true", ids);
    json_t *r = get(path, tok_auditor, 200);
    json_t *rc = cli(&code, "check", "--replay", ids, "--compare-now", NULL);
    assert_same(r, rc);
    assert_true(json_is_true(json_object_get(json_object_get(r, "replay"), "identical")));
    assert_non_null(json_object_get(r, "now"));
    json_decref(r);
    json_decref(rc);
    /* an exporter replays only its organisation's decisions: the officer's is "not found" to it */
    snprintf(path, sizeof(path), "/v1/decisions/%s/replay", ids);
    r = get(path, tok_exporter, 404);
    json_decref(r);
    json_t *e = post("/v1/check", tok_exporter, "{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\"}", 200);
    snprintf(ids, sizeof(ids), "%lld", (long long)json_integer_value(json_object_get(e, "decision_id")));
    json_decref(e);
    snprintf(path, sizeof(path), "/v1/decisions/%s/replay", ids);
    r = get(path, tok_exporter, 200);
    rc = cli(&code, "check", "--replay", ids, NULL);
    assert_same(r, rc);
    assert_null(json_object_get(r, "now"));
    json_decref(r);
    json_decref(rc);
    json_decref(a);
    json_decref(c);
}

static void test_check_batch(void **state)
{
    (void)state;
    json_t *j = post("/v1/check/batch", tok_exporter,
                     "{\"defaults\":{\"regime\":\"il\",\"to\":\"IR\"},\"checks\":["
                     "{\"item\":\"4D004\"},{\"item\":\"NOPE\"},{\"item\":\"4D004\",\"regime\":\"us-ear\",\"to\":\"DE\"},"
                     "{\"item\":\"4D004\",\"bogus\":1},\"x\",{\"item\":\"4D004\",\"record\":false}]}",
                     200);
    json_t *res = json_object_get(j, "results");
    assert_int_equal(json_array_size(res), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "answered")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "failed")), 3);
    assert_error(json_array_get(res, 1), "invalid-input", "checks[1].item");
    assert_error(json_array_get(res, 3), "invalid-input", "checks[3].bogus");
    assert_error(json_array_get(res, 4), "invalid-input", "checks[4]");
    json_int_t id0 = json_integer_value(json_object_get(json_array_get(res, 0), "decision_id"));
    json_int_t id2 = json_integer_value(json_object_get(json_array_get(res, 2), "decision_id"));
    assert_true(id0 > 0 && id2 > 0 && id0 != id2);
    assert_null(json_object_get(json_array_get(res, 5), "decision_id"));
    /* each answer is the single check's */
    json_t *one = json_deep_copy(json_array_get(res, 2));
    json_object_del(one, "decision_id");
    json_t *single = post("/v1/check", tok_exporter,
                          "{\"regime\":\"us-ear\",\"item\":\"4D004\",\"to\":\"DE\",\"record\":false}", 200);
    assert_same(one, single);
    json_decref(one);
    json_decref(single);
    json_decref(j);

    /* limits */
    size_t cap = 1001 * 64 + 64, o = 0;
    char *big = malloc(cap);
    o += (size_t)snprintf(big + o, cap - o, "{\"record\":false,\"checks\":[");
    for (int i = 0; i < 1001; i++)
        o += (size_t)snprintf(big + o, cap - o, "%s{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\"}",
                              i ? "," : "");
    snprintf(big + o, cap - o, "]}");
    j = post("/v1/check/batch", tok_exporter, big, 413);
    assert_error(j, "limit-exceeded", "checks");
    json_decref(j);
    /* exactly 1,000 unrecorded checks are answered */
    char *end = strrchr(big, '{');
    snprintf(end - 1, 4, "]}");
    j = post("/v1/check/batch", tok_exporter, big, 200);
    assert_int_equal(json_array_size(json_object_get(j, "results")), 1000);
    assert_int_equal(json_integer_value(json_object_get(j, "answered")), 1000);
    json_decref(j);
    free(big);
    j = post("/v1/check/batch", tok_exporter, "{\"checks\":[]}", 400);
    assert_error(j, "invalid-input", "checks");
    json_decref(j);
    j = post("/v1/check/batch", tok_exporter, "{\"checks\":{}}", 400);
    assert_error(j, "invalid-input", "checks");
    json_decref(j);
    j = post("/v1/check/batch", tok_exporter, "{\"checks\":[{}],\"defaults\":{\"date\":\"yesterday\"}}", 400);
    assert_error(j, "invalid-input", "defaults.date");
    json_decref(j);
    j = post("/v1/check/batch", tok_exporter, "{\"defaults\":{}}", 400);
    assert_error(j, "invalid-input", "checks");
    json_decref(j);
}

static void test_check_bad_bodies(void **state)
{
    (void)state;
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"regime2\":\"x\"}", "regime2"},
        {"{\"regime\":\"il\",\"item\":5,\"to\":\"IR\"}", "item"},
        {"{\"regime\":\"il\",\"item\":\"4D004\"}", "to"},
        {"{\"item\":\"4D004\",\"to\":\"IR\"}", "regime"},
        {"{\"regime\":\"xx\",\"item\":\"4D004\",\"to\":\"IR\"}", "regime"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"Atlantis\"}", "to"},
        {"{\"regime\":\"il\",\"item\":\"NOPE\",\"to\":\"IR\"}", "item"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"date\":\"2021-13-45\"}", "date"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"date\":20211125}", "date"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"record\":\"no\"}", "record"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"parties\":\"NSO\"}", "parties"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"parties\":[1]}", "parties"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"parties\":[\"\"]}", "parties"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"end_user_type\":\"alien\"}", "end_user_type"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"activity\":\"smuggling\"}", "activity"},
        {"{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"IR\",\"risk_flags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\","
         "\"g\",\"h\",\"i\"]}",
         "risk_flags"},
        {"[1,2]", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long st = 0;
        json_t *j = http("POST", "/v1/check", tok_exporter, bad[i].body, &st);
        if (st != 400)
            fprintf(stderr, "%s: %ld\n", bad[i].body, st);
        assert_int_equal(st, 400);
        assert_non_null(j);
        assert_error(j, "invalid-input", bad[i].field);
        json_decref(j);
    }
    /* a message quoting input cut inside a character is still valid UTF-8 (400, not 503) */
    size_t cap = 1500 * 3 + 128, o = 0;
    char *big = malloc(cap);
    o += (size_t)snprintf(big, cap, "{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"");
    for (int i = 0; i < 1500; i++)
        o += (size_t)snprintf(big + o, cap - o, "\xe6\x97\xa5");
    snprintf(big + o, cap - o, "\"}");
    json_t *j = post("/v1/check", tok_exporter, big, 400);
    assert_error(j, "invalid-input", "to");
    json_decref(j);
    j = post("/v1/check/batch", tok_exporter, "{\"checks\":[{\"regime\":\"il\",\"item\":\"4D004\",\"to\":\"\u65e5\"}]}",
             200);
    json_decref(j);
    free(big);
    long st = 0;
    j = http("POST", "/v1/check", tok_exporter, NULL, &st);
    assert_int_equal(st, 400);
    json_decref(j);
    j = get("/v1/decisions/abc/replay", tok_exporter, 400);
    assert_error(j, "invalid-input", "id");
    json_decref(j);
    j = get("/v1/decisions/99999999/replay", tok_exporter, 404);
    assert_error(j, "not-found", NULL);
    json_decref(j);
    j = get("/v1/decisions/1/replay?compare_now=perhaps", tok_exporter, 400);
    assert_error(j, "invalid-input", "compare_now");
    json_decref(j);
    /* query arguments the routes do not take */
    j = http("POST", "/v1/check?regime=il", tok_exporter, check_cases[0].body, &st);
    assert_int_equal(st, 400);
    assert_error(j, "invalid-input", "regime");
    json_decref(j);
    j = get("/v1/decisions/1/replay?compare=true", tok_exporter, 400);
    assert_error(j, "invalid-input", "compare");
    json_decref(j);
    /* no token, bad token */
    j = http("POST", "/v1/check", NULL, check_cases[0].body, &st);
    assert_int_equal(st, 401);
    json_decref(j);
    j = http("POST", "/v1/check", "xct_0000", check_cases[0].body, &st);
    assert_int_equal(st, 401);
    json_decref(j);
}

typedef struct worker {
    int n;
    json_int_t ids[20];
    int failed;
} worker;

static void *check_worker(void *arg)
{
    worker *w = arg;
    CURL *h = curl_easy_init();
    for (int i = 0; h && i < 20; i++) {
        long st = 0;
        json_t *j = http_on(h, "POST", "/v1/check", tok_officer,
                            "{\"regime\":\"us-ear\",\"item\":\"4D004\",\"to\":\"DE\"}", &st);
        if (st == 200 && json_integer_value(json_object_get(j, "decision_id")) > 0)
            w->ids[w->n++] = json_integer_value(json_object_get(j, "decision_id"));
        else
            w->failed++;
        json_decref(j);
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* Recorded checks from several clients at once: each gets its own decision (group commit). */
static void test_check_concurrent_records(void **state)
{
    (void)state;
    pthread_t th[4];
    worker w[4];
    memset(w, 0, sizeof(w));
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, check_worker, &w[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    json_int_t all[80];
    int n = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(w[i].failed, 0);
        for (int k = 0; k < w[i].n; k++)
            all[n++] = w[i].ids[k];
    }
    assert_int_equal(n, 80);
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            assert_true(all[i] != all[k]);
    /* each is stored: the last replays identically */
    char path[64];
    snprintf(path, sizeof(path), "/v1/decisions/%lld/replay", (long long)all[n - 1]);
    json_t *r = get(path, tok_auditor, 200);
    assert_true(json_is_true(json_object_get(json_object_get(r, "replay"), "identical")));
    json_decref(r);
}

/* ---- screening, match, allow-list --------------------------------------------------------------- */

static void test_screen_equals_cli(void **state)
{
    (void)state;
    static const ccase cases[] = {
        {"{\"name\":\"NSO Group Technologies\"}", {"screen", "NSO Group Technologies"}},
        {"{\"name\":\"Candiru\",\"type\":\"entity\",\"threshold\":0.7,\"limit\":3}",
         {"screen", "Candiru", "--type", "entity", "--threshold", "0.7", "--limit", "3"}},
        {"{\"name\":\"Positive Technologies\",\"country\":\"RU\"}",
         {"screen", "Positive Technologies", "--country", "RU"}},
        {"{\"name\":\"Jane Doe\",\"type\":\"person\"}", {"screen", "Jane Doe", "--type", "person"}},
        {"{\"name\":\"NSO Group\",\"date\":\"2021-11-10\"}", {"screen", "NSO Group", "--date", "2021-11-10"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int code;
        json_t *c = cli_argv(&code, cases[i].argv);
        if (code != 0 && code != 3)
            fprintf(stderr, "%s: exit %d\n", cases[i].body, code);
        assert_true(code == 0 || code == 3);
        json_t *a = post("/v1/screen", tok_auditor, cases[i].body, 200);
        assert_same(a, c);
        json_decref(a);
        json_decref(c);
    }
    /* fails closed: no list in force on the date (the library's XC_EINVAL) */
    int code;
    json_t *c = cli(&code, "screen", "NSO Group", "--date", "2000-01-01", NULL);
    assert_int_equal(code, 2);
    json_t *a = post("/v1/screen", tok_auditor, "{\"name\":\"NSO Group\",\"date\":\"2000-01-01\"}", 400);
    assert_error(a, "invalid-input", "snapshot");
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "error"), "message")),
                        json_string_value(json_object_get(json_object_get(c, "error"), "message")));
    json_decref(a);
    json_decref(c);
}

static void test_screen_batch(void **state)
{
    (void)state;
    const char *csv = tu_path("names.csv");
    tu_write(csv, "name\nNSO Group Technologies\nJane Doe\nCandiru Ltd\n");
    char *out = NULL, *err = NULL;
    int code = tu_run(&out, &err, "--db", db, "screen", "--batch", csv, "--json", NULL);
    assert_int_equal(code, 0);
    json_t *j = post("/v1/screen/batch", tok_officer,
                     "{\"names\":[\"NSO Group Technologies\",\"Jane Doe\",\"Candiru Ltd\"]}", 200);
    json_t *res = json_object_get(j, "results");
    assert_int_equal(json_array_size(res), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "failed")), 0);
    char *line = out, *save = NULL;
    size_t i = 0;
    for (char *l = strtok_r(line, "\n", &save); l; l = strtok_r(NULL, "\n", &save), i++) {
        json_error_t je;
        json_t *c = json_loads(l, 0, &je);
        assert_non_null(c);
        json_object_del(c, "line"); /* the CSV line: a file's, not a body's */
        assert_same(json_array_get(res, i), c);
        json_decref(c);
    }
    assert_int_equal(i, 3);
    free(out);
    free(err);
    json_decref(j);

    /* rows with their own type and country; a name with nothing to match fails alone */
    j = post("/v1/screen/batch", tok_officer,
             "{\"rows\":[{\"name\":\"NSO Group\",\"type\":\"entity\",\"country\":\"IL\"},{\"name\":\"!!!\"}],"
             "\"limit\":2}",
             200);
    res = json_object_get(j, "results");
    assert_int_equal(json_array_size(res), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "failed")), 1);
    assert_non_null(json_object_get(json_array_get(res, 1), "error"));
    assert_true(json_is_object(json_object_get(json_array_get(res, 1), "error")));
    assert_true(json_is_null(json_object_get(json_array_get(res, 0), "error")));
    json_decref(j);

    /* limits and bad bodies */
    size_t cap = 1001 * 8 + 64, o = 0;
    char *big = malloc(cap);
    o += (size_t)snprintf(big + o, cap - o, "{\"names\":[");
    for (int k = 0; k < 1001; k++)
        o += (size_t)snprintf(big + o, cap - o, "%s\"n%d\"", k ? "," : "", k);
    snprintf(big + o, cap - o, "]}");
    j = post("/v1/screen/batch", tok_officer, big, 413);
    assert_error(j, "limit-exceeded", "names");
    json_decref(j);
    free(big);
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"names\":[]}", "names"},
        {"{}", "names"},
        {"{\"names\":[\"a\",3]}", "names[1]"},
        {"{\"names\":\"a\"}", "names"},
        {"{\"names\":[\"a\"],\"rows\":[{\"name\":\"b\"}]}", "rows"},
        {"{\"rows\":[{\"name\":\"b\",\"kind\":\"x\"}]}", "rows[0].kind"},
        {"{\"rows\":[{\"type\":\"entity\"}]}", "rows[0].name"},
        {"{\"rows\":[{\"name\":\"b\",\"country\":\"Atlantis\"}]}", "rows[0].country"},
        {"{\"rows\":[\"b\"]}", "rows[0]"},
        {"{\"names\":[\"a\"],\"threshold\":1.5}", "threshold"},
        {"{\"names\":[\"a\"],\"limit\":0}", "limit"},
        {"{\"names\":[\"a\"],\"limit\":2.5}", "limit"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        j = post("/v1/screen/batch", tok_officer, bad[k].body, 400);
        assert_error(j, "invalid-input", bad[k].field);
        json_decref(j);
    }
    static const struct {
        const char *body, *field;
    } bad1[] = {
        {"{}", "name"},
        {"{\"name\":7}", "name"},
        {"{\"name\":\"a\",\"type\":\"robot\"}", "type"},
        {"{\"name\":\"a\",\"country\":\"Atlantis\"}", "country"},
        {"{\"name\":\"a\",\"threshold\":\"high\"}", "threshold"},
        {"{\"name\":\"a\",\"names\":[]}", "names"},
    };
    for (size_t k = 0; k < sizeof(bad1) / sizeof(bad1[0]); k++) {
        j = post("/v1/screen", tok_officer, bad1[k].body, 400);
        assert_error(j, "invalid-input", bad1[k].field);
        json_decref(j);
    }
}

static void test_match_equals_cli(void **state)
{
    (void)state;
    static const ccase cases[] = {
        {"{\"name1\":\"Mohammed al-Qaeda\",\"name2\":\"Muhammad Alqaida\"}",
         {"match", "Mohammed al-Qaeda", "Muhammad Alqaida"}},
        {"{\"name1\":\"NSO Group Technologies Ltd\",\"name2\":\"N.S.O. Group\",\"type\":\"entity\",\"threshold\":0.5}",
         {"match", "NSO Group Technologies Ltd", "N.S.O. Group", "--type", "entity", "--threshold", "0.5"}},
        {"{\"name1\":\"Владимир Путин\",\"name2\":\"Vladimir Putin\",\"type\":\"person\"}",
         {"match", "Владимир Путин", "Vladimir Putin", "--type", "person"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int code;
        json_t *c = cli_argv(&code, cases[i].argv);
        assert_int_equal(code, 0);
        json_t *a = post("/v1/match", tok_exporter, cases[i].body, 200);
        assert_same(a, c);
        json_decref(a);
        json_decref(c);
    }
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"name1\":\"a b\"}", "name2"},
        {"{\"name1\":\"  \",\"name2\":\"x\"}", "name1"},
        {"{\"name1\":\"abc\",\"name2\":\"!!!\"}", "name2"},
        {"{\"name1\":\"a\",\"name2\":\"b\",\"threshold\":-1}", "threshold"},
        {"{\"name1\":\"a\",\"name2\":\"b\",\"type\":\"robot\"}", "type"},
        {"{\"name1\":\"a\",\"name2\":\"b\",\"name3\":\"c\"}", "name3"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        json_t *j = post("/v1/match", tok_exporter, bad[k].body, 400);
        assert_error(j, "invalid-input", bad[k].field);
        json_decref(j);
    }
}

static void test_allow(void **state)
{
    (void)state;
    int code;
    /* find the entry the name hits */
    json_t *s = post("/v1/screen", tok_officer, "{\"name\":\"NSO Group Technologies\"}", 200);
    json_t *hit = json_array_get(json_object_get(s, "hits"), 0);
    assert_non_null(hit);
    char b[512];
    snprintf(b, sizeof(b),
             "{\"name\":\"NSO Group Technologies\",\"list\":\"us-entity-list\",\"entry\":\"%s\","
             "\"reason\":\"our customer of the same name, checked by hand\"}",
             json_string_value(json_object_get(hit, "entry_id")));
    json_decref(s);
    json_t *j = post("/v1/allow", tok_exporter, b, 403);
    json_decref(j);
    j = post("/v1/allow", tok_auditor, b, 403);
    json_decref(j);
    j = post("/v1/allow", tok_officer, b, 201);
    assert_string_equal(json_string_value(json_object_get(j, "query")), "NSO Group Technologies");
    json_decref(j);
    json_t *l = get("/v1/allow", tok_exporter, 200);
    json_t *c = cli(&code, "allow", "ls", NULL);
    assert_int_equal(code, 0);
    assert_same(l, c);
    assert_int_equal(json_array_size(json_object_get(l, "allow_list")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(l, "allow_list"), 0), "who")),
                        "off1");
    json_decref(l);
    json_decref(c);
    /* the next screen suppresses the cleared hit, as the CLI does */
    s = post("/v1/screen", tok_officer, "{\"name\":\"NSO Group Technologies\"}", 200);
    c = cli(&code, "screen", "NSO Group Technologies", NULL);
    assert_same(s, c);
    assert_true(json_array_size(json_object_get(s, "suppressed")) >= 1);
    json_decref(s);
    json_decref(c);
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"list\":\"l\",\"entry\":\"e\",\"reason\":\"r\"}", "name"},
        {"{\"name\":\"n\",\"entry\":\"e\",\"reason\":\"r\"}", "list"},
        {"{\"name\":\"n\",\"list\":\"l\",\"entry\":\"e\",\"reason\":\"r\",\"expires\":\"soon\"}", "expires"},
        {"{\"name\":\"n\",\"list\":\"l\",\"entry\":\"e\",\"reason\":5}", "reason"},
        {"{\"name\":\"n\",\"list\":\"l\",\"entry\":\"e\",\"reason\":\"r\",\"by\":\"me\"}", "by"},
        {"{\"name\":\"!!!\",\"list\":\"l\",\"entry\":\"e\",\"reason\":\"r\"}", "name"},
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        j = post("/v1/allow", tok_admin, bad[k].body, 400);
        assert_error(j, "invalid-input", bad[k].field);
        json_decref(j);
    }
}

static double round_trip_us(const char *method, const char *path, const char *token, const char *body, long want,
                            int n)
{
    struct timespec t0, t1;
    no_parse = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        long st;
        json_t *j = http(method, path, token, body, &st);
        assert_int_equal(st, want);
        json_decref(j);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    no_parse = 0;
    return ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / n;
}

/* Not a benchmark (see bench/): rough figures for the record. */
static void test_check_timing(void **state)
{
    (void)state;
    /* distinct dates: every answer is built (no cache hit) */
    struct timespec t0, t1;
    int n = 300;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    no_parse = 1;
    for (int i = 0; i < n; i++) {
        char body[256];
        long st;
        snprintf(body, sizeof(body),
                 "{\"regime\":\"us-ear\",\"item\":\"4D004\",\"to\":\"DE\",\"end_user_type\":\"company\","
                 "\"record\":false,\"date\":\"2023-%02d-%02d\"}",
                 1 + i / 28 % 12, 1 + i % 28);
        json_decref(http("POST", "/v1/check", tok_exporter, body, &st));
        assert_int_equal(st, 200);
    }
    no_parse = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "POST /v1/check record false, 18 KB answer built each time: %.1f us\n",
            ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / n);
    fprintf(stderr, "round trips (one keep-alive connection, libcurl): POST /v1/check record false %.1f us; "
                    "same without a token (401) %.1f us; GET /healthz %.1f us\n",
            round_trip_us("POST", "/v1/check", tok_exporter, check_cases[2].body, 200, 300),
            round_trip_us("POST", "/v1/check", NULL, check_cases[2].body, 401, 300),
            round_trip_us("GET", "/healthz", NULL, NULL, 200, 300));
    fprintf(stderr, "with a token: POST /v1/check {} (400) %.1f us; 6 KB answer %.1f us; match %.1f us\n",
            round_trip_us("POST", "/v1/check", tok_exporter, "{}", 400, 300),
            round_trip_us("POST", "/v1/check", tok_exporter, check_cases[0].body, 200, 300),
            round_trip_us("POST", "/v1/match", tok_exporter, "{\"name1\":\"a b\",\"name2\":\"a c\"}", 200, 300));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_equals_cli), cmocka_unit_test(test_check_record_and_replay),
        cmocka_unit_test(test_check_batch),      cmocka_unit_test(test_check_bad_bodies),
        cmocka_unit_test(test_check_concurrent_records),
        cmocka_unit_test(test_screen_equals_cli), cmocka_unit_test(test_screen_batch),
        cmocka_unit_test(test_match_equals_cli), cmocka_unit_test(test_allow),
        cmocka_unit_test(test_check_timing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
