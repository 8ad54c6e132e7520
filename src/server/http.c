/*
 * http.c: the HTTP server core on libmicrohttpd (internal epoll polling
 * with a thread pool).  A request goes through: body accumulation up to
 * max_body (beyond it 413, never buffering more), path validation (no
 * "//", dot segments, backslashes or encoded traversal; parameters
 * URL-decoded, valid UTF-8, no "/" or ".."), route matching against the
 * table (404 for an unknown path, 405 with Allow for a known path and
 * another method, OPTIONS answered from the table, HEAD as GET without a
 * body), bearer-token authentication (401 for a malformed, unknown or
 * revoked token), the route's roles (401 for the public, 403 for a user
 * without the role), JSON body parsing (nesting depth checked on the bytes
 * before parsing, then jansson: invalid JSON or UTF-8 is 400 naming line
 * and column), the handler, and the answer: its JSON compact, or
 * {"error": {"code", "message", "field"}} with the status of its error
 * code.  Each completed request is counted (metrics.c) and logged as one
 * JSON line on stderr unless the server is quiet.  Tokens and bodies are
 * never logged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "mem.h"
#include "merkle.h"
#include "server_int.h"

#define URI_MAX 8192                 /* longest request target kept */
#define TOKEN_HEADER_MAX 512         /* longest Authorization value looked at */
#define MEMORY_LIMIT (128 * 1024)    /* per connection: headers and read buffer (MHD) */
#define DEFAULT_MAX_BODY (8u * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 32
#define DEFAULT_PER_IP 64
#define DEFAULT_TIMEOUT 30
#define MAX_CONNECTIONS 4096

static _Atomic uint64_t next_srv_id = 1;

/* One request: created when its request line arrives, freed when it completes. */
typedef struct req_ctx {
    xc_srv *srv;
    int64_t t0_us;       /* monotonic */
    char *uri;           /* raw request target, NULL when too long */
    int uri_too_long;
    int began;           /* the access handler saw the headers */
    int counted;         /* included in srv->inflight */
    char method[16];
    char *body;
    size_t len, cap;
    int too_big;
    int status;          /* answered with, 0 before */
    size_t bytes;        /* response body bytes */
    long route;          /* index in srv->routes, -1 none */
    char user[128];
    unsigned role;
} req_ctx;

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static req_ctx *ctx_new(xc_srv *srv)
{
    req_ctx *q = xc_calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->srv = srv;
    q->t0_us = mono_us();
    q->route = -1;
    q->role = XC_ROLE_PUBLIC;
    atomic_fetch_add(&srv->inflight, 1);
    q->counted = 1;
    return q;
}

static void ctx_free(req_ctx *q)
{
    if (!q)
        return;
    if (q->counted)
        atomic_fetch_sub(&q->srv->inflight, 1);
    xc_free(q->uri);
    xc_free(q->body);
    xc_free(q);
}

/* ---- the access log ------------------------------------------------------------- */

/* Append s as a JSON string (quoted, escaped) to buf; truncates at cap. */
static size_t json_str(char *buf, size_t o, size_t cap, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    if (o + 2 >= cap)
        return o;
    buf[o++] = '"';
    for (size_t i = 0; s[i] && i < max && o + 8 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f || ch >= 0x80) {
            /* bytes of raw paths are not trusted to be UTF-8: escape them all */
            buf[o++] = '\\';
            buf[o++] = 'u';
            buf[o++] = '0';
            buf[o++] = '0';
            buf[o++] = hex[ch >> 4];
            buf[o++] = hex[ch & 15];
        } else {
            buf[o++] = (char)ch;
        }
    }
    buf[o++] = '"';
    return o;
}

static void access_log(const req_ctx *q, int64_t dur_us)
{
    char line[3072], ts[XC_TS_BUF];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    xc_ts_format((int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000, ts);
    /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" -> milliseconds */
    memmove(ts + 23, ts + 26, 2);
    size_t o = (size_t)snprintf(line, sizeof(line), "{\"time\":\"%s\",\"method\":", ts);
    o = json_str(line, o, sizeof(line), q->method, sizeof(q->method));
    o += (size_t)snprintf(line + o, sizeof(line) - o, ",\"path\":");
    const char *uri = q->uri ? q->uri : "";
    o = json_str(line, o, sizeof(line), uri, strcspn(uri, "?#") > 1024 ? 1024 : strcspn(uri, "?#"));
    o += (size_t)snprintf(line + o, sizeof(line) - o, ",\"route\":");
    if (q->route >= 0)
        o = json_str(line, o, sizeof(line), q->srv->routes[q->route].pattern, 512);
    else
        o += (size_t)snprintf(line + o, sizeof(line) - o, "null");
    o += (size_t)snprintf(line + o, sizeof(line) - o, ",\"status\":%d,\"duration_ms\":%.3f,\"user\":", q->status,
                          (double)dur_us / 1000.0);
    if (q->user[0])
        o = json_str(line, o, sizeof(line), q->user, sizeof(q->user));
    else
        o += (size_t)snprintf(line + o, sizeof(line) - o, "null");
    if (o < sizeof(line))
        o += (size_t)snprintf(line + o, sizeof(line) - o, ",\"role\":\"%s\",\"bytes\":%zu}\n",
                              xc_role_name(q->role) ? xc_role_name(q->role) : "public", q->bytes);
    if (o >= sizeof(line)) {
        o = sizeof(line) - 1;
        line[o - 2] = '}';
        line[o - 1] = '\n';
    }
    fwrite(line, 1, o, stderr);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    xc_srv *srv = cls;
    req_ctx *q = *con_cls;
    *con_cls = NULL;
    if (!q)
        return;
    if (q->began && q->status) {
        int64_t dur = mono_us() - q->t0_us;
        size_t slot = q->route >= 0 ? (size_t)q->route : srv->n_routes;
        xc_srv_thread *th = srv_thread_peek(srv);
        srv_counters_add(th ? &th->counters : &srv->shared, slot, q->method, q->status, (uint64_t)dur);
        if (!srv->quiet)
            access_log(q, dur);
    }
    ctx_free(q);
}

/* ---- responses ------------------------------------------------------------------ */

typedef struct resp_hdrs {
    const char *allow;
    const char *www_auth;
} resp_hdrs;

/* Queue buf (xc_malloc'd, taken; NULL for no body) as the answer. */
static enum MHD_Result send_buf(req_ctx *q, struct MHD_Connection *c, int status, const char *ctype, char *buf,
                                size_t len, const resp_hdrs *h)
{
    struct MHD_Response *resp = buf ? MHD_create_response_from_buffer_with_free_callback(len, buf, xc_free)
                                    : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        xc_free(buf);
        return MHD_NO;
    }
    if (buf && ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (h && h->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, h->allow);
    if (h && h->www_auth)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, h->www_auth);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (ret == MHD_YES) {
        q->status = status;
        q->bytes = buf ? len : 0;
    }
    return ret;
}

static enum MHD_Result send_json(req_ctx *q, struct MHD_Connection *c, int status, json_t *v, const resp_hdrs *h)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(v);
    if (!s) {
        static const char oom[] = "{\"error\":{\"code\":\"out-of-memory\",\"message\":\"out of memory\",\"field\":null}}";
        char *b = xc_strdup(oom);
        return b ? send_buf(q, c, 503, "application/json", b, strlen(b), NULL) : MHD_NO;
    }
    return send_buf(q, c, status, "application/json", s, strlen(s), h);
}

static enum MHD_Result send_error(req_ctx *q, struct MHD_Connection *c, int status, const char *code,
                                  const char *field, const resp_hdrs *h, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static int utf8_valid(const unsigned char *s, size_t n);

/* Replace every byte that is not part of valid UTF-8 with '?' (messages
 * quote client input and may have been cut inside a character). */
static void utf8_clean(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        size_t k = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3 : (ch & 0xf8) == 0xf0 ? 4 : 0;
        if (k && i + k <= n && utf8_valid((const unsigned char *)s + i, k)) {
            i += k;
        } else {
            s[i++] = '?';
        }
    }
}

static enum MHD_Result send_error(req_ctx *q, struct MHD_Connection *c, int status, const char *code,
                                  const char *field, const resp_hdrs *h, const char *fmt, ...)
{
    char msg[XC_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    utf8_clean(msg);
    char fbuf[sizeof(((xc_error *)0)->field)];
    snprintf(fbuf, sizeof(fbuf), "%s", field ? field : "");
    utf8_clean(fbuf);
    json_t *v = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", msg, "field",
                          fbuf[0] ? json_string(fbuf) : json_null());
    return send_json(q, c, status, v, h);
}

/* ---- paths ---------------------------------------------------------------------- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Whether s[0..n) is valid UTF-8 (no overlongs, surrogates or values above U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        size_t k;
        uint32_t cp;
        if (ch < 0x80) {
            i++;
            continue;
        } else if ((ch & 0xe0) == 0xc0) {
            k = 1;
            cp = ch & 0x1f;
        } else if ((ch & 0xf0) == 0xe0) {
            k = 2;
            cp = ch & 0x0f;
        } else if ((ch & 0xf8) == 0xf0) {
            k = 3;
            cp = ch & 0x07;
        } else {
            return 0;
        }
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Split the path of a raw request target into URL-decoded segments (in
 * buf, which holds strlen(uri) + 1).  Returns 0, or 400/404 with *why. */
static int path_split(const char *uri, char *buf, const char **segs, size_t *n, const char **why)
{
    size_t plen = strcspn(uri, "?#");
    *n = 0;
    if (plen == 0 || uri[0] != '/') {
        *why = "the request target must be an absolute path";
        return 400;
    }
    for (size_t i = 0; i < plen; i++) {
        if (uri[i] == '\\') {
            *why = "backslash in the path";
            return 400;
        }
        if (uri[i] == '/' && uri[i + 1] == '/' && i + 1 < plen) {
            *why = "empty path segment (\"//\")";
            return 400;
        }
    }
    if (plen == 1)
        return 0; /* "/" */
    size_t o = 0;
    const char *p = uri + 1, *end = uri + plen;
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *seg_end = slash ? slash : end;
        if (*n == SRV_MAX_SEGS) {
            *why = "too many path segments";
            return 404;
        }
        char *d = buf + o;
        size_t dl = 0;
        for (const char *s = p; s < seg_end; s++) {
            if (*s == '%') {
                int hi = s + 1 < seg_end ? hexval((unsigned char)s[1]) : -1;
                int lo = s + 2 < seg_end ? hexval((unsigned char)s[2]) : -1;
                if (hi < 0 || lo < 0) {
                    *why = "bad percent-encoding in the path";
                    return 400;
                }
                d[dl++] = (char)(hi * 16 + lo);
                s += 2;
            } else {
                d[dl++] = *s;
            }
        }
        d[dl] = '\0';
        for (size_t i = 0; i < dl; i++) {
            unsigned char ch = (unsigned char)d[i];
            if (ch == 0 || ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
                *why = "a path segment holds a NUL, a control character, \"/\" or a backslash";
                return 400;
            }
        }
        if (strstr(d, "..") || strcmp(d, ".") == 0) {
            *why = "dot segments (\".\", \"..\") are not allowed in the path";
            return 400;
        }
        if (!utf8_valid((const unsigned char *)d, dl)) {
            *why = "a path segment is not valid UTF-8";
            return 400;
        }
        segs[(*n)++] = d;
        o += dl + 1;
        if (!slash)
            break;
        p = slash + 1;
    }
    return 0;
}

/* Split a route pattern; XC_EINTERNAL names a malformed one. */
static int pattern_compile(const xc_route *rt, srv_pattern *pat, xc_error *err)
{
    memset(pat, 0, sizeof(*pat));
    if (!rt->method || !rt->pattern || rt->pattern[0] != '/' || !rt->summary || !rt->tag)
        return xc_error_set(err, XC_EINTERNAL, "routes", "route %s %s: bad declaration", rt->method ? rt->method : "?",
                            rt->pattern ? rt->pattern : "?");
    pat->buf = xc_strdup(rt->pattern + 1);
    if (!pat->buf)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (!rt->pattern[1])
        return XC_OK;
    size_t params = 0;
    char *save = NULL;
    for (char *seg = pat->buf;; seg = NULL) {
        char *t = strtok_r(seg, "/", &save);
        if (!t)
            break;
        if (pat->n_segs == SRV_MAX_SEGS)
            return xc_error_set(err, XC_EINTERNAL, "routes", "route %s: too many segments", rt->pattern);
        size_t tl = strlen(t);
        if (t[0] == '{') {
            if (tl < 3 || t[tl - 1] != '}' || ++params > XC_REQ_MAX_PARAMS)
                return xc_error_set(err, XC_EINTERNAL, "routes", "route %s: bad parameter %s", rt->pattern, t);
            pat->segs[pat->n_segs++] = NULL;
        } else {
            pat->segs[pat->n_segs++] = t;
            pat->n_literal++;
        }
    }
    if (strstr(rt->pattern, "//") || rt->pattern[strlen(rt->pattern) - 1] == '/')
        return xc_error_set(err, XC_EINTERNAL, "routes", "route %s: empty segment", rt->pattern);
    return XC_OK;
}

static int pattern_match(const srv_pattern *pat, const char *const *segs, size_t n)
{
    if (pat->n_segs != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (pat->segs[i] ? strcmp(pat->segs[i], segs[i]) != 0 : segs[i][0] == '\0')
            return 0;
    }
    return 1;
}

static int same_shape(const srv_pattern *a, const srv_pattern *b)
{
    if (a->n_segs != b->n_segs)
        return 0;
    for (size_t i = 0; i < a->n_segs; i++) {
        if (!a->segs[i] != !b->segs[i] || (a->segs[i] && strcmp(a->segs[i], b->segs[i]) != 0))
            return 0;
    }
    return 1;
}

/* ---- requests ------------------------------------------------------------------- */

const char *xc_req_query(const xc_req *r, const char *name)
{
    if (!r || !r->conn || !name)
        return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Whether the bytes nest arrays/objects deeper than max (outside strings). */
static int json_too_deep(const char *p, size_t n, int max)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max)
                return 1;
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    return 0;
}

static int ctype_is_json(const char *ct)
{
    if (!ct)
        return 0;
    size_t n = strcspn(ct, ";");
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    while (n && (*ct == ' ' || *ct == '\t')) {
        ct++;
        n--;
    }
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return 1;
    return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Content types a client sends without meaning them (curl -d sends form encoding). */
static int ctype_is_default(const char *ct)
{
    return !ct || !*ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

static void roles_text(unsigned roles, char *buf, size_t cap)
{
    static const unsigned order[] = {XC_ROLE_ADMIN, XC_ROLE_OFFICER, XC_ROLE_EXPORTER, XC_ROLE_AUDITOR, XC_ROLE_PUBLIC};
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(roles & order[i]))
            continue;
        const char *name = xc_role_name(order[i]);
        o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s", o ? ", " : "", name ? name : "?");
        if (o >= cap)
            break;
    }
}

/* xc_token_lookup through the thread's cache (server_int.h); only
 * successful look-ups are cached. */
static int token_lookup_cached(xc_srv *srv, xc_srv_thread *th, const char *token, size_t len, xc_principal *who,
                               xc_error *err)
{
    srv_token_cache *tc = &th->tokens;
    unsigned char key[32];
    int64_t dv = 0;
    uint64_t gen = atomic_load(&srv->auth_gen);
    int rc = xc_store_data_version(th->store, &dv, err);
    if (rc)
        return rc;
    if (dv != tc->data_version || gen != tc->auth_gen) {
        memset(tc, 0, sizeof(*tc));
        tc->data_version = dv;
        tc->auth_gen = gen;
    }
    xc_sha256_2(token, len, NULL, 0, key);
    for (size_t i = 0; i < SRV_TOKEN_CACHE; i++) {
        if (tc->e[i].used && memcmp(tc->e[i].key, key, sizeof(key)) == 0) {
            *who = tc->e[i].who;
            return XC_OK;
        }
    }
    rc = xc_token_lookup(th->store, token, who, err);
    if (rc == XC_OK) {
        size_t i = tc->next++ % SRV_TOKEN_CACHE;
        tc->e[i].used = 1;
        memcpy(tc->e[i].key, key, sizeof(key));
        tc->e[i].who = *who;
    }
    return rc;
}

/* Bearer credentials: 0 and who filled (public without a header), or a
 * status (401, 5xx) already answered. */
static int authenticate(req_ctx *q, struct MHD_Connection *c, xc_srv_thread *th, xc_principal *who,
                        enum MHD_Result *ret)
{
    static const resp_hdrs bad_token = {NULL, "Bearer realm=\"exportctl\", error=\"invalid_token\""};
    memset(who, 0, sizeof(*who));
    who->role = XC_ROLE_PUBLIC;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth)
        return 0;
    while (*auth == ' ' || *auth == '\t')
        auth++;
    if (strncasecmp(auth, "Bearer", 6) != 0 || (auth[6] != ' ' && auth[6] != '\t')) {
        *ret = send_error(q, c, 401, xc_error_name(XC_EUNAUTH), "Authorization", &bad_token,
                          "malformed Authorization header: expected \"Bearer TOKEN\"");
        return 401;
    }
    const char *tok = auth + 7;
    while (*tok == ' ' || *tok == '\t')
        tok++;
    size_t tl = strcspn(tok, " \t");
    const char *rest = tok + tl;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (tl == 0 || tl > TOKEN_HEADER_MAX || *rest) {
        *ret = send_error(q, c, 401, xc_error_name(XC_EUNAUTH), "Authorization", &bad_token,
                          "malformed Authorization header: expected \"Bearer TOKEN\"");
        return 401;
    }
    char token[TOKEN_HEADER_MAX + 1];
    memcpy(token, tok, tl);
    token[tl] = '\0';
    xc_error err;
    xc_error_clear(&err);
    if (!th->store && xc_store_open(q->srv->db_path, &th->store, &err) != XC_OK) {
        th->store = NULL;
        int st = xc_error_http_status(err.code ? err.code : XC_EDB);
        *ret = send_error(q, c, st, xc_error_name(err.code ? err.code : XC_EDB), NULL, NULL, "%s", err.msg);
        return st;
    }
    int rc = token_lookup_cached(q->srv, th, token, tl, who, &err);
    memset(token, 0, sizeof(token));
    if (rc == XC_OK)
        return 0;
    memset(who, 0, sizeof(*who));
    who->role = XC_ROLE_PUBLIC;
    if (rc == XC_EUNAUTH) {
        *ret = send_error(q, c, 401, xc_error_name(XC_EUNAUTH), "Authorization", &bad_token, "%s",
                          err.msg[0] ? err.msg : "unknown or revoked token");
        return 401;
    }
    int st = xc_error_http_status(rc);
    *ret = send_error(q, c, st, xc_error_name(rc), NULL, NULL, "%s", err.msg[0] ? err.msg : xc_error_name(rc));
    return st;
}

/* Parse the body when it is (or should be) JSON: 0, or a status already answered. */
static int parse_body(req_ctx *q, struct MHD_Connection *c, const xc_route *rt, json_t **out, enum MHD_Result *ret)
{
    *out = NULL;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (q->len == 0 || !(ctype_is_json(ct) || (rt->body && ctype_is_default(ct))))
        return 0;
    if (json_too_deep(q->body, q->len, q->srv->max_depth)) {
        *ret = send_error(q, c, 413, xc_error_name(XC_ELIMIT), "body", NULL,
                          "the JSON body nests deeper than %d levels", q->srv->max_depth);
        return 413;
    }
    json_error_t jerr;
    json_t *v = json_loadb(q->body, q->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        *ret = send_error(q, c, 400, xc_error_name(XC_EINVAL), "body", NULL, "invalid JSON at line %d, column %d: %s",
                          jerr.line, jerr.column, jerr.text);
        return 400;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        *ret = send_error(q, c, 400, xc_error_name(XC_EINVAL), "body", NULL, "the request body must be a JSON object");
        return 400;
    }
    *out = v;
    return 0;
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t ml = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)) != NULL; p += ml)
        if ((p == allow || p[-1] == ' ') && (p[ml] == ',' || p[ml] == '\0'))
            return;
    size_t o = strlen(allow);
    snprintf(allow + o, cap - o, "%s%s", o ? ", " : "", method);
}

static enum MHD_Result dispatch(req_ctx *q, struct MHD_Connection *c, const char *url, const char *method,
                                const char *version)
{
    xc_srv *srv = q->srv;
    enum MHD_Result ret = MHD_NO;
    if (q->uri_too_long)
        return send_error(q, c, 414, xc_error_name(XC_ELIMIT), "path", NULL, "the request target is longer than %d bytes",
                          URI_MAX);
    if (q->too_big)
        return send_error(q, c, 413, xc_error_name(XC_ELIMIT), "body", NULL, "the request body is larger than %zu bytes",
                          srv->max_body);
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
        return send_error(q, c, 400, xc_error_name(XC_EINVAL), "Host", NULL, "an HTTP/1.1 request needs a Host header");
    const char *uri = q->uri ? q->uri : url;
    char *segbuf = xc_malloc(strlen(uri) + 1);
    if (!segbuf)
        return send_error(q, c, 503, xc_error_name(XC_ENOMEM), NULL, NULL, "out of memory");
    const char *segs[SRV_MAX_SEGS];
    size_t n_segs = 0;
    const char *why = NULL;
    int st = path_split(uri, segbuf, segs, &n_segs, &why);
    if (st) {
        ret = send_error(q, c, st, xc_error_name(st == 404 ? XC_ENOTFOUND : XC_EINVAL), "path", NULL, "%s", why);
        goto out;
    }
    int is_head = strcmp(method, "HEAD") == 0, is_options = strcmp(method, "OPTIONS") == 0;
    const char *m = is_head ? "GET" : method;
    char allow[128] = "";
    long best = -1, any = -1;
    for (size_t i = 0; i < srv->n_routes; i++) {
        if (!pattern_match(&srv->pats[i], segs, n_segs))
            continue;
        if (any < 0)
            any = (long)i;
        allow_add(allow, sizeof(allow), srv->routes[i].method);
        if (strcmp(srv->routes[i].method, "GET") == 0)
            allow_add(allow, sizeof(allow), "HEAD");
        if (strcmp(srv->routes[i].method, m) == 0 &&
            (best < 0 || srv->pats[i].n_literal > srv->pats[best].n_literal))
            best = (long)i;
    }
    if (!allow[0]) {
        ret = send_error(q, c, 404, xc_error_name(XC_ENOTFOUND), "path", NULL, "no such resource");
        goto out;
    }
    allow_add(allow, sizeof(allow), "OPTIONS");
    q->route = any; /* counted and logged under the path's route */
    resp_hdrs ah = {allow, NULL};
    if (is_options) {
        ret = send_buf(q, c, 204, NULL, NULL, 0, &ah);
        goto out;
    }
    if (best < 0) {
        ret = send_error(q, c, 405, "method-not-allowed", "method", &ah, "method %s is not allowed here (allowed: %s)",
                         method, allow);
        goto out;
    }
    q->route = best;
    const xc_route *rt = &srv->routes[best];
    xc_srv_thread *th = srv_thread_get(srv);
    if (!th) {
        ret = send_error(q, c, 503, xc_error_name(XC_ENOMEM), NULL, NULL, "out of memory");
        goto out;
    }
    xc_principal who;
    if (authenticate(q, c, th, &who, &ret))
        goto out;
    snprintf(q->user, sizeof(q->user), "%s", who.user);
    q->role = who.role;
    if (!(rt->roles & who.role)) {
        char roles[128];
        roles_text(rt->roles & XC_ROLES_USERS, roles, sizeof(roles));
        if (who.role == XC_ROLE_PUBLIC) {
            resp_hdrs wh = {NULL, "Bearer realm=\"exportctl\""};
            ret = send_error(q, c, 401, xc_error_name(XC_EUNAUTH), "Authorization", &wh,
                             "%s %s needs a bearer token (roles: %s)", rt->method, rt->pattern, roles);
        } else {
            ret = send_error(q, c, 403, xc_error_name(XC_EFORBIDDEN), "role", NULL,
                             "role %s may not %s %s (needs: %s)", xc_role_name(who.role), rt->method, rt->pattern,
                             roles);
        }
        goto out;
    }
    json_t *body = NULL;
    if (parse_body(q, c, rt, &body, &ret))
        goto out;
    if (!rt->fn) {
        json_decref(body);
        ret = send_error(q, c, 501, "not-implemented", NULL, NULL, "%s %s is not implemented yet", rt->method,
                         rt->pattern);
        goto out;
    }
    xc_req r;
    memset(&r, 0, sizeof(r));
    r.method = rt->method;
    for (size_t i = 0, k = 0; i < n_segs && k < XC_REQ_MAX_PARAMS; i++)
        if (!srv->pats[best].segs[i])
            r.params[k++] = segs[i], r.n_params = k;
    char path[1024];
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(uri, "?#"), uri);
    r.path = path;
    r.body = body;
    r.raw = q->body ? q->body : "";
    r.raw_len = q->len;
    r.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    r.who = &who;
    r.srv = srv;
    r.th = th;
    r.conn = c;
    xc_resp out;
    memset(&out, 0, sizeof(out));
    xc_error err;
    xc_error_clear(&err);
    int rc = rt->fn(&r, &out, &err);
    srv_thread_end_request(th);
    json_decref(body);
    if (rc != XC_OK) {
        json_decref(out.body);
        xc_free(out.text);
        int hs = xc_error_http_status(rc);
        resp_hdrs wh = {NULL, rc == XC_EUNAUTH ? "Bearer realm=\"exportctl\"" : NULL};
        ret = send_error(q, c, hs, xc_error_name(rc), err.field, &wh, "%s", err.msg[0] ? err.msg : xc_error_name(rc));
        goto out;
    }
    int status = out.status ? out.status : 200;
    if (out.body) {
        xc_free(out.text);
        ret = send_json(q, c, status, out.body, NULL);
    } else if (out.text) {
        ret = send_buf(q, c, status, out.content_type ? out.content_type : "text/plain; charset=utf-8", out.text,
                       strlen(out.text), NULL);
    } else {
        ret = send_buf(q, c, out.status ? out.status : 204, NULL, NULL, 0, NULL);
    }
out:
    xc_free(segbuf);
    return ret;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    req_ctx *q = ctx_new(cls);
    if (!q)
        return NULL;
    if (strlen(uri) > URI_MAX)
        q->uri_too_long = 1;
    else
        q->uri = xc_strdup(uri);
    return q;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    xc_srv *srv = cls;
    req_ctx *q = *con_cls;
    if (!q) {
        q = ctx_new(srv);
        if (!q)
            return MHD_NO;
        *con_cls = q;
    }
    if (!q->began) {
        q->began = 1;
        snprintf(q->method, sizeof(q->method), "%s", method);
        if (!q->uri && !q->uri_too_long) {
            q->uri = xc_strdup(url);
            if (!q->uri)
                return send_error(q, c, 503, xc_error_name(XC_ENOMEM), NULL, NULL, "out of memory");
        }
        /* libmicrohttpd decodes only "chunked"; with any other transfer
         * coding it would wait for a body it cannot frame until the idle
         * timeout, so refuse at once (a 4xx: the client's choice) */
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if (te) {
            while (*te == ' ' || *te == '\t')
                te++;
            size_t tl = strlen(te);
            while (tl && (te[tl - 1] == ' ' || te[tl - 1] == '\t'))
                tl--;
            if (tl != 7 || strncasecmp(te, "chunked", 7) != 0)
                return send_error(q, c, 400, xc_error_name(XC_EINVAL), "Transfer-Encoding", NULL,
                                  "Transfer-Encoding \"%.*s\" is not supported: send the body chunked or with a "
                                  "Content-Length",
                                  (int)(tl > 64 ? 64 : tl), te);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(cl, &end, 10);
            if (errno || end == cl || v > srv->max_body)
                return send_error(q, c, 413, xc_error_name(XC_ELIMIT), "body", NULL,
                                  "the request body is larger than %zu bytes", srv->max_body);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (q->too_big)
            return MHD_YES;
        if (n > srv->max_body - q->len) {
            q->too_big = 1;
            xc_free(q->body);
            q->body = NULL;
            q->len = q->cap = 0;
            return MHD_YES;
        }
        if (q->len + n + 1 > q->cap) {
            size_t cap = q->cap ? q->cap : 4096;
            while (cap < q->len + n + 1)
                cap *= 2;
            if (cap > srv->max_body + 1)
                cap = srv->max_body + 1;
            char *nb = xc_realloc(q->body, cap);
            if (!nb) {
                q->too_big = 1;
                xc_free(q->body);
                q->body = NULL;
                q->len = q->cap = 0;
                return MHD_YES;
            }
            q->body = nb;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload, n);
        q->len += n;
        q->body[q->len] = '\0';
        return MHD_YES;
    }
    if (q->status)
        return MHD_YES; /* answered already (e.g. 413 before the body) */
    return dispatch(q, c, url, method, version);
}

/* ---- start and stop --------------------------------------------------------------- */

/* "HOST:PORT", "[V6]:PORT" or "PORT" (loopback) into sa. */
static int parse_listen(const char *listen, struct sockaddr_storage *sa, socklen_t *salen, int *v6, xc_error *err)
{
    char host[128];
    const char *port_s;
    memset(sa, 0, sizeof(*sa));
    *v6 = 0;
    if (!listen || !*listen)
        listen = "127.0.0.1:8080";
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host))
            return xc_error_set(err, XC_EINVAL, "listen", "bad listen address \"%s\" (expected [ADDR]:PORT)", listen);
        snprintf(host, sizeof(host), "%.*s", (int)(close - listen - 1), listen + 1);
        port_s = close + 2;
        *v6 = 1;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon) {
            snprintf(host, sizeof(host), "127.0.0.1");
            port_s = listen;
        } else {
            if ((size_t)(colon - listen) >= sizeof(host))
                return xc_error_set(err, XC_EINVAL, "listen", "bad listen address \"%s\"", listen);
            snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
            port_s = colon + 1;
        }
    }
    char *end;
    errno = 0;
    long port = strtol(port_s, &end, 10);
    if (!*port_s || *end || errno || port < 0 || port > 65535)
        return xc_error_set(err, XC_EINVAL, "listen", "bad port in listen address \"%s\" (0-65535)", listen);
    if (*v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
            return xc_error_set(err, XC_EINVAL, "listen", "bad IPv6 address \"%s\"", host);
        *salen = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        if (strcmp(host, "localhost") == 0)
            snprintf(host, sizeof(host), "127.0.0.1");
        else if (!host[0] || strcmp(host, "*") == 0)
            snprintf(host, sizeof(host), "0.0.0.0");
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
            return xc_error_set(err, XC_EINVAL, "listen", "bad IPv4 address \"%s\" (use a numeric address)", host);
        *salen = sizeof(*s4);
    }
    return XC_OK;
}

static int compile_routes(xc_srv *srv, xc_error *err)
{
    srv->routes = xc_routes_all(&srv->n_routes);
    srv->pats = xc_calloc(srv->n_routes ? srv->n_routes : 1, sizeof(*srv->pats));
    if (!srv->pats)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < srv->n_routes; i++) {
        int rc = pattern_compile(&srv->routes[i], &srv->pats[i], err);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(srv->routes[i].method, srv->routes[j].method) == 0 && same_shape(&srv->pats[i], &srv->pats[j]))
                return xc_error_set(err, XC_EINTERNAL, "routes", "routes %s %s and %s are declared twice",
                                    srv->routes[i].method, srv->routes[i].pattern, srv->routes[j].pattern);
    }
    return XC_OK;
}

int xc_srv_start(const xc_srv_opts *o, xc_srv **out, int *port, xc_error *err)
{
    static const xc_srv_opts defaults;
    *out = NULL;
    if (port)
        *port = 0;
    if (!o)
        o = &defaults;
    int rc = xc_init(err);
    if (rc)
        return rc;
    if (o->threads < 0 || o->threads > 1024)
        return xc_error_set(err, XC_EINVAL, "threads", "threads must be 0 (one per CPU) to 1024, not %d", o->threads);
    if (o->max_depth < 0 || o->max_depth > 10000)
        return xc_error_set(err, XC_EINVAL, "max_depth", "max_depth must be 0 to 10000, not %d", o->max_depth);
    if (o->per_ip < 0 || o->timeout_s < 0)
        return xc_error_set(err, XC_EINVAL, o->per_ip < 0 ? "per_ip" : "timeout_s", "limits must not be negative");
    if (o->max_body > ((size_t)1 << 32))
        return xc_error_set(err, XC_EINVAL, "max_body", "max_body must be at most 4 GiB");
    struct sockaddr_storage sa;
    socklen_t salen = 0;
    int v6 = 0;
    if ((rc = parse_listen(o->listen, &sa, &salen, &v6, err)))
        return rc;

    xc_srv *srv = xc_calloc(1, sizeof(*srv));
    if (!srv)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    srv->id = atomic_fetch_add(&next_srv_id, 1);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_mutex_init(&srv->scr_mu, NULL);
    srv->started_us = xc_ts_now();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    /* handlers block on fsync (the commit queue) and SQLite: more threads
     * than CPUs keep the queue's batches full; 4 per CPU, 8 to 64 */
    long dflt = ncpu > 0 ? ncpu * 4 : 8;
    srv->threads = o->threads ? o->threads : (int)(dflt < 8 ? 8 : dflt > 64 ? 64 : dflt);
    srv->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    srv->max_depth = o->max_depth ? o->max_depth : DEFAULT_MAX_DEPTH;
    srv->per_ip = o->per_ip ? o->per_ip : DEFAULT_PER_IP;
    srv->timeout_s = o->timeout_s ? o->timeout_s : DEFAULT_TIMEOUT;
    srv->quiet = o->quiet;
    snprintf(srv->listen, sizeof(srv->listen), "%s", o->listen && *o->listen ? o->listen : "127.0.0.1:8080");
    srv->db_path = xc_strdup(xc_db_path(o->db_path));
    if (!srv->db_path) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if ((rc = compile_routes(srv, err)))
        goto fail;
    if (srv_counters_init(&srv->shared, srv->n_routes + 1)) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    if ((rc = xc_db_open(srv->db_path, &srv->main, err)) ||
        (rc = xc_store_data_generation(srv->main, srv->data_gen, err)))
        goto fail;
    srv_screen_warm(srv, srv->main);
    if ((rc = xc_commitq_open(srv->main, NULL, &srv->q, err)))
        goto fail;

    unsigned limit = MAX_CONNECTIONS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rlim_t room = rl.rlim_cur > (rlim_t)(64 + 2 * srv->threads) ? rl.rlim_cur - (rlim_t)(64 + 2 * srv->threads) : 16;
        if (room < limit)
            limit = (unsigned)room;
    }
    if (limit < (unsigned)srv->threads * 4)
        limit = (unsigned)srv->threads * 4;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)limit, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)srv->per_ip, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)srv->timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)MEMORY_LIMIT, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, srv},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {srv->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)srv->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0);
    errno = 0;
    srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!srv->daemon) {
        rc = xc_error_set(err, XC_EIO, "listen", "cannot listen on %s%s%s", srv->listen, errno ? ": " : "",
                          errno ? strerror(errno) : "");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? (int)info->port : 0;
    if (port)
        *port = srv->port;
    *out = srv;
    return XC_OK;
fail:
    xc_srv_stop(srv, 0);
    return rc;
}

void xc_srv_stop(xc_srv *srv, int drain_s)
{
    if (!srv)
        return;
    if (srv->daemon) {
        MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
        /* refuse new connections now (queued ones are reset); the fd itself
         * is closed only after MHD_stop_daemon, as MHD requires */
        if (fd != MHD_INVALID_SOCKET)
            shutdown(fd, SHUT_RDWR);
        int64_t deadline = mono_us() + (int64_t)(drain_s > 0 ? drain_s : 0) * 1000000;
        while (atomic_load(&srv->inflight) > 0 && mono_us() < deadline) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(srv->daemon);
        srv->daemon = NULL;
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    xc_commitq_close(srv->q);
    srv->q = NULL;
    xc_store_close(srv->main);
    srv->main = NULL;
    srv_threads_free(srv);
    srv_screen_free_all(srv);
    srv_counters_free(&srv->shared);
    if (srv->pats)
        for (size_t i = 0; i < srv->n_routes; i++)
            xc_free(srv->pats[i].buf);
    xc_free(srv->pats);
    xc_free(srv->db_path);
    pthread_mutex_destroy(&srv->mu);
    pthread_mutex_destroy(&srv->scr_mu);
    xc_free(srv);
}
