/*
 * test_httpcore.c: the HTTP server core (http.c, srvctx.c, metrics.c,
 * openapi.c, routes_ops.c) on a real database file, driven over loopback
 * with libcurl: start and stop on port 0, the health route, 404/405/OPTIONS
 * and HEAD, the body limit (by Content-Length and chunked), JSON depth,
 * invalid JSON and UTF-8, non-object bodies, path traversal, bearer tokens
 * (malformed, unknown, revoked: 401; a role not allowed: 403, derived from
 * the route table), metrics counting what was asked, the OpenAPI document
 * covering every route and path parameter, concurrent clients, and the
 * real binary draining an in-flight request on SIGTERM and exiting 0.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "licence.h"
#include "server.h"

static xc_srv *srv;
static int port;
static char admin_tok[XC_TOKEN_LEN + 1], auditor_tok[XC_TOKEN_LEN + 1], revoked_tok[XC_TOKEN_LEN + 1];

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t sink(char *d, size_t sz, size_t nm, void *u)
{
    buf *b = u;
    size_t n = sz * nm;
    char *np = realloc(b->p, b->n + n + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, n);
    b->p = np;
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

typedef struct reply {
    long status;
    buf body, hdrs;
} reply;

static void reply_free(reply *r)
{
    free(r->body.p);
    free(r->hdrs.p);
    memset(r, 0, sizeof(*r));
}

/* One request; extra headers NULL-terminated. */
static long request(reply *out, const char *method, const char *path, const char *body, size_t body_len,
                    const char *const *headers)
{
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[4096];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    return out->status;
}

static long get(reply *out, const char *path)
{
    return request(out, "GET", path, NULL, 0, NULL);
}

/* The error envelope: {"error": {"code", "message", "field"}} with this code. */
static void assert_error(const reply *r, long status, const char *code)
{
    if (r->status != status)
        fail_msg("status %ld, wanted %ld: %s", r->status, status, r->body.p ? r->body.p : "");
    json_error_t je;
    json_t *v = json_loads(r->body.p ? r->body.p : "", 0, &je);
    if (!v)
        fail_msg("not JSON: %s", r->body.p ? r->body.p : "(empty)");
    json_t *e = json_object_get(v, "error");
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "code")), code);
    assert_true(json_is_string(json_object_get(e, "message")));
    assert_non_null(json_object_get(e, "field"));
    assert_non_null(strstr(r->hdrs.p, "Content-Type: application/json"));
    json_decref(v);
}

static int setup(void **state)
{
    (void)state;
    xc_error err;
    xc_store *s = NULL;
    char id[17];
    const char *db = tu_path("httpcore.db");
    if (xc_db_open(db, &s, &err) || xc_user_add(s, "root", "root", "admin", NULL, &err) ||
        xc_user_add(s, "root", "aud", "auditor", NULL, &err) ||
        xc_token_create(s, "root", "root", "admin", "t", admin_tok, id, &err) ||
        xc_token_create(s, "root", "aud", "auditor", "t", auditor_tok, id, &err) ||
        xc_token_create(s, "root", "aud", "auditor", "t", revoked_tok, id, &err) ||
        xc_token_revoke(s, "root", id, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        xc_store_close(s);
        return -1;
    }
    xc_store_close(s);
    xc_srv_opts o = {.listen = "127.0.0.1:0", .db_path = db, .threads = 4, .max_body = 65536, .quiet = 1};
    if (xc_srv_start(&o, &srv, &port, &err)) {
        fprintf(stderr, "start: %s\n", err.msg);
        return -1;
    }
    return port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    xc_srv_stop(srv, 5);
    return 0;
}

static void test_healthz(void **state)
{
    (void)state;
    reply r;
    assert_int_equal(get(&r, "/healthz"), 200);
    json_t *v = json_loads(r.body.p, 0, NULL);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "status")), "ok");
    assert_true(json_integer_value(json_object_get(v, "audit_size")) > 0);
    assert_non_null(strstr(r.hdrs.p, "Content-Type: application/json"));
    json_decref(v);
    reply_free(&r);
    /* HEAD: the headers, no body */
    assert_int_equal(request(&r, "HEAD", "/healthz", NULL, 0, NULL), 200);
    assert_true(r.body.n == 0);
    reply_free(&r);
}

static void test_not_found_and_methods(void **state)
{
    (void)state;
    reply r;
    get(&r, "/no/such/thing");
    assert_error(&r, 404, "not-found");
    reply_free(&r);
    get(&r, "/healthz/");
    assert_error(&r, 404, "not-found");
    reply_free(&r);
    request(&r, "DELETE", "/healthz", NULL, 0, NULL);
    assert_error(&r, 405, "method-not-allowed");
    assert_non_null(strstr(r.hdrs.p, "Allow: GET, HEAD, OPTIONS"));
    reply_free(&r);
    request(&r, "BREW", "/metrics", NULL, 0, NULL);
    assert_error(&r, 405, "method-not-allowed");
    reply_free(&r);
    assert_int_equal(request(&r, "OPTIONS", "/v1/openapi.json", NULL, 0, NULL), 204);
    assert_non_null(strstr(r.hdrs.p, "Allow: GET, HEAD, OPTIONS"));
    reply_free(&r);
}

static void test_paths(void **state)
{
    (void)state;
    static const char *const bad[] = {"/v1/../healthz", "/v1/%2e%2e/healthz", "/v1/%2E%2e", "//healthz",
                                      "/healthz/..",    "/a%5cb",             "/a\\b",       "/a%00b",
                                      "/a%2fb",         "/a%zz",              "/a%",         "/%ff%fe",
                                      "/./healthz",     "/a%0ab"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reply r;
        get(&r, bad[i]);
        if (r.status != 400)
            fail_msg("%s: %ld %s", bad[i], r.status, r.body.p);
        assert_error(&r, 400, "invalid-input");
        reply_free(&r);
    }
    /* the query string is not part of the path */
    reply r;
    assert_int_equal(get(&r, "/healthz?x=../../etc/passwd"), 200);
    reply_free(&r);
}

static void test_body_limits(void **state)
{
    (void)state;
    static const char *const json[] = {"Content-Type: application/json", NULL};
    reply r;
    /* larger than max_body, by Content-Length: answered before the body is read */
    size_t big = 200000;
    char *b = malloc(big);
    memset(b, 'x', big);
    request(&r, "POST", "/healthz", b, big, json);
    assert_error(&r, 413, "limit-exceeded");
    assert_non_null(strstr(r.body.p, "\"field\":\"body\""));
    reply_free(&r);
    /* chunked, no length: counted while it arrives */
    static const char *const chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked", NULL};
    request(&r, "GET", "/healthz", b, big, chunked);
    assert_error(&r, 413, "limit-exceeded");
    reply_free(&r);
    free(b);
    /* nesting deeper than 32 */
    char deep[400] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    request(&r, "GET", "/healthz", deep, strlen(deep), json);
    assert_error(&r, 413, "limit-exceeded");
    reply_free(&r);
    /* brackets inside strings do not count */
    char shallow[400] = "{\"a\":\"";
    for (int i = 0; i < 100; i++)
        strcat(shallow, "[{");
    strcat(shallow, "\"}");
    assert_int_equal(request(&r, "GET", "/healthz", shallow, strlen(shallow), json), 200);
    reply_free(&r);
    /* invalid JSON names line and column */
    request(&r, "GET", "/healthz", "{\n  \"a\": tru }", 14, json);
    assert_error(&r, 400, "invalid-input");
    assert_non_null(strstr(r.body.p, "line 2"));
    reply_free(&r);
    request(&r, "GET", "/healthz", "[1,2]", 5, json);
    assert_error(&r, 400, "invalid-input");
    reply_free(&r);
    request(&r, "GET", "/healthz", "{\"a\":\"\xff\xfe\"}", 10, json);
    assert_error(&r, 400, "invalid-input");
    reply_free(&r);
    request(&r, "GET", "/healthz", "{\"a\":1,\"a\":2}", 13, json);
    assert_error(&r, 400, "invalid-input");
    reply_free(&r);
    request(&r, "GET", "/healthz", "{\"a\":\"\\u0000\"}", 14, json);
    assert_error(&r, 400, "invalid-input");
    reply_free(&r);
    /* the server still answers */
    assert_int_equal(get(&r, "/healthz"), 200);
    reply_free(&r);
}

/* A route that users may call and the public may not, and one an auditor may not call. */
static const xc_route *find_route(unsigned need_allowed, unsigned need_denied)
{
    size_t n;
    const xc_route *rt = xc_routes_all(&n);
    for (size_t i = 0; i < n; i++)
        if ((rt[i].roles & need_allowed) == need_allowed && !(rt[i].roles & need_denied) && !strchr(rt[i].pattern, '{'))
            return &rt[i];
    return NULL;
}

static void test_auth(void **state)
{
    (void)state;
    reply r;
    char h[256];
    const char *hdr[] = {h, NULL};
    static const char *const malformed[] = {"Basic cm9vdDpyb290", "Bearer", "Bearer ", "Bearer a b", "bearer",
                                            "Bearer xct_123", "Bearer xct_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"};
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        snprintf(h, sizeof(h), "Authorization: %s", malformed[i]);
        request(&r, "GET", "/healthz", NULL, 0, hdr);
        assert_error(&r, 401, "unauthenticated");
        assert_non_null(strstr(r.hdrs.p, "WWW-Authenticate: Bearer"));
        reply_free(&r);
    }
    /* unknown and revoked tokens: 401, never echoed */
    char unknown[XC_TOKEN_LEN + 1];
    snprintf(unknown, sizeof(unknown), "xct_%064d", 7);
    const char *toks[] = {unknown, revoked_tok};
    for (size_t i = 0; i < 2; i++) {
        snprintf(h, sizeof(h), "Authorization: Bearer %s", toks[i]);
        request(&r, "GET", "/healthz", NULL, 0, hdr);
        assert_error(&r, 401, "unauthenticated");
        assert_null(strstr(r.body.p, toks[i] + 4));
        reply_free(&r);
    }
    snprintf(h, sizeof(h), "Authorization: Bearer %s", admin_tok);
    assert_int_equal(request(&r, "GET", "/healthz", NULL, 0, hdr), 200);
    reply_free(&r);
    /* a users-only route: 401 without a token */
    const xc_route *users_only = find_route(XC_ROLE_ADMIN, XC_ROLE_PUBLIC);
    if (users_only) {
        request(&r, users_only->method, users_only->pattern, NULL, 0, NULL);
        assert_error(&r, 401, "unauthenticated");
        assert_non_null(strstr(r.hdrs.p, "WWW-Authenticate: Bearer"));
        reply_free(&r);
    }
    /* a route the auditor's role is not allowed: 403 naming the roles needed */
    const xc_route *no_auditor = find_route(XC_ROLE_ADMIN, XC_ROLE_AUDITOR | XC_ROLE_PUBLIC);
    if (no_auditor) {
        snprintf(h, sizeof(h), "Authorization: Bearer %s", auditor_tok);
        request(&r, no_auditor->method, no_auditor->pattern, NULL, 0, hdr);
        assert_error(&r, 403, "forbidden");
        assert_non_null(strstr(r.body.p, "admin"));
        reply_free(&r);
    }
}

static void test_openapi(void **state)
{
    (void)state;
    reply r;
    assert_int_equal(get(&r, "/v1/openapi.json"), 200);
    json_t *doc = json_loads(r.body.p, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths");
    size_t n;
    const xc_route *rt = xc_routes_all(&n);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_object_get(paths, rt[i].pattern);
        if (!item)
            fail_msg("%s missing from the OpenAPI paths", rt[i].pattern);
        char m[16];
        size_t k = 0;
        for (; rt[i].method[k]; k++)
            m[k] = (char)(rt[i].method[k] - 'A' + 'a');
        m[k] = '\0';
        json_t *op = json_object_get(item, m);
        if (!op)
            fail_msg("%s %s missing from the OpenAPI document", rt[i].method, rt[i].pattern);
        /* every {param} declared as a required path parameter */
        for (const char *p = strchr(rt[i].pattern, '{'); p; p = strchr(p + 1, '{')) {
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(strchr(p, '}') - p - 1), p + 1);
            int found = 0;
            size_t j;
            json_t *prm;
            json_array_foreach(json_object_get(op, "parameters"), j, prm)
                if (strcmp(json_string_value(json_object_get(prm, "in")), "path") == 0 &&
                    strcmp(json_string_value(json_object_get(prm, "name")), name) == 0 &&
                    json_is_true(json_object_get(prm, "required")))
                    found = 1;
            if (!found)
                fail_msg("%s: path parameter %s not declared", rt[i].pattern, name);
        }
        json_t *sec = json_object_get(op, "security");
        assert_true(json_is_array(sec));
        if (!(rt[i].roles & XC_ROLE_PUBLIC))
            assert_non_null(json_object_get(json_array_get(sec, 0), "bearerAuth"));
        if (rt[i].body)
            assert_non_null(json_object_get(op, "requestBody"));
        assert_non_null(json_object_get(json_object_get(op, "responses"), "200"));
    }
    assert_non_null(json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), "Error"));
    json_decref(doc);
    reply_free(&r);
}

static void test_metrics(void **state)
{
    (void)state;
    reply r;
    for (int i = 0; i < 3; i++) {
        get(&r, "/v1/openapi.json");
        reply_free(&r);
    }
    request(&r, "PUT", "/v1/openapi.json", NULL, 0, NULL);
    reply_free(&r);
    assert_int_equal(get(&r, "/metrics"), 200);
    assert_non_null(strstr(r.hdrs.p, "Content-Type: text/plain; version=0.0.4"));
    const char *m = r.body.p;
    assert_non_null(strstr(m, "# TYPE exportctl_http_requests_total counter"));
    assert_non_null(strstr(m, "exportctl_http_requests_total{route=\"/v1/openapi.json\",method=\"GET\",status=\"200\"}"));
    assert_non_null(strstr(m, "exportctl_http_requests_total{route=\"/v1/openapi.json\",method=\"PUT\",status=\"405\"} 1"));
    assert_non_null(strstr(m, "exportctl_http_request_duration_seconds_bucket{route=\"/v1/openapi.json\",le=\"+Inf\"}"));
    assert_non_null(strstr(m, "exportctl_http_request_duration_seconds_count{route=\"/v1/openapi.json\"}"));
    assert_non_null(strstr(m, "exportctl_audit_head_size "));
    assert_non_null(strstr(m, "exportctl_build_info{version="));
    assert_non_null(strstr(m, "exportctl_screening_snapshot_age_days{list=\""));
    /* no secrets */
    assert_null(strstr(m, admin_tok + 4));
    reply_free(&r);
}

/* Send raw bytes on a new connection; returns what came back (caller frees). */
static char *raw(const char *req)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    char *resp = calloc(1, 65536);
    size_t got = 0;
    ssize_t k;
    while (got < 65535 && (k = read(fd, resp + got, 65535 - got)) > 0)
        got += (size_t)k;
    close(fd);
    return resp;
}

static void test_raw_and_messages(void **state)
{
    (void)state;
    char *r = raw("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_non_null(strstr(r, "HTTP/1.1 400"));
    assert_non_null(strstr(r, "\"field\":\"Host\""));
    free(r);
    r = raw("GET /healthz HTTP/1.0\r\n\r\n");
    assert_non_null(strstr(r, " 200 OK\r\n"));
    free(r);
    /* an error message quoting client input cut inside a UTF-8 character is still valid JSON */
    size_t n;
    const xc_route *rt = xc_routes_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rt[i].method, "GET") != 0 || !(rt[i].roles & XC_ROLE_PUBLIC) || !strchr(rt[i].pattern, '{'))
            continue;
        char path[8192];
        size_t o = (size_t)snprintf(path, sizeof(path), "%.*s", (int)(strchr(rt[i].pattern, '{') - rt[i].pattern),
                                    rt[i].pattern);
        for (int k = 0; k < 500 && o + 10 < sizeof(path); k++)
            o += (size_t)snprintf(path + o, sizeof(path) - o, "%%E6%%97%%A5");
        const char *rest = strchr(strchr(rt[i].pattern, '{'), '}') + 1;
        snprintf(path + o, sizeof(path) - o, "%s", rest);
        if (strchr(path, '{'))
            continue;
        reply rp;
        request(&rp, "GET", path, NULL, 0, NULL);
        if (rp.status < 400 || rp.status >= 500)
            fail_msg("GET %.60s...: %ld %s", path, rp.status, rp.body.p);
        json_t *v = json_loads(rp.body.p, 0, NULL);
        if (!v || !json_object_get(v, "error"))
            fail_msg("GET %.60s...: not a JSON error: %s", path, rp.body.p);
        json_decref(v);
        reply_free(&rp);
    }
}

static void *client(void *arg)
{
    int *ok = arg;
    for (int i = 0; i < 25; i++) {
        reply r;
        if (request(&r, "GET", "/healthz", NULL, 0, NULL) == 200)
            (*ok)++;
        reply_free(&r);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    pthread_t t[8];
    int ok[8] = {0};
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, client, &ok[i]);
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(ok[i], 25);
    }
}

static void test_start_errors(void **state)
{
    (void)state;
    xc_error err;
    xc_srv *s2 = NULL;
    int p2 = 0;
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    xc_srv_opts o = {.listen = listen, .db_path = tu_path("httpcore.db"), .threads = 1, .quiet = 1};
    assert_int_equal(xc_srv_start(&o, &s2, &p2, &err), XC_EIO); /* port in use */
    assert_null(s2);
    o.listen = "127.0.0.1:99999";
    assert_int_equal(xc_srv_start(&o, &s2, &p2, &err), XC_EINVAL);
    assert_string_equal(err.field, "listen");
    o.listen = "not-an-address:80";
    assert_int_equal(xc_srv_start(&o, &s2, &p2, &err), XC_EINVAL);
    o.listen = "127.0.0.1:0";
    o.threads = -1;
    assert_int_equal(xc_srv_start(&o, &s2, &p2, &err), XC_EINVAL);
    /* a second server on another free port, on one thread, started and stopped */
    o.threads = 1;
    assert_int_equal(xc_srv_start(&o, &s2, &p2, &err), XC_OK);
    assert_true(p2 > 0 && p2 != port);
    xc_srv_stop(s2, 1);
    xc_srv_stop(NULL, 0);
}

/* The real binary: SIGTERM while a request is half sent; the request is
 * still answered, and the server exits 0. */
static void test_sigterm_drain(void **state)
{
    (void)state;
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl(XC_EXPORTCTL, "exportctl", "--db", tu_path("drain.db"), "serve", "--listen", "127.0.0.1:0", "--threads",
              "2", "--quiet", "--drain", "10", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    char line[256] = "";
    assert_non_null(fgets(line, sizeof(line), f));
    const char *colon = strrchr(line, ':');
    assert_non_null(colon);
    int dport = atoi(colon + 1);
    assert_true(dport > 0);
    assert_non_null(strstr(line, "listening on http://127.0.0.1:"));

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dport)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const char *head = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n"
                       "Connection: close\r\n\r\n{\"a\":";
    assert_true(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
    usleep(300 * 1000);
    kill(pid, SIGTERM);
    usleep(300 * 1000);
    /* new connections are refused while draining */
    int fd2 = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_not_equal(connect(fd2, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd2);
    assert_true(write(fd, "12}", 3) == 3);
    char resp[4096];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof(resp) - 1 && (k = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
        got += (size_t)k;
    resp[got] = '\0';
    close(fd);
    assert_non_null(strstr(resp, "HTTP/1.1 200"));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    fclose(f);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz),      cmocka_unit_test(test_not_found_and_methods),
        cmocka_unit_test(test_paths),        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_auth),         cmocka_unit_test(test_openapi),
        cmocka_unit_test(test_metrics),      cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_start_errors), cmocka_unit_test(test_raw_and_messages),
        cmocka_unit_test(test_sigterm_drain),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
