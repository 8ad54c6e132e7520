/*
 * test_server.c: integration tests of the HTTP API (issue 6).  They start
 * the real binary (`exportctl --db DB serve --listen 127.0.0.1:0`) as a
 * child process, read the port it prints, and talk to it over loopback with
 * libcurl and raw sockets:
 *
 *   - the role matrix: every route of xc_routes_all() x {public, admin,
 *     officer, exporter, auditor, bad token}, driven by the table itself and
 *     a fixture per "METHOD pattern" below (a route without a fixture fails);
 *   - exporters see only their own organisation's applications and licences;
 *   - contracts: responses equal the CLI's --json output, OpenAPI, metrics;
 *   - at least 50 hostile requests, after which the server still answers
 *     and the stored data is unchanged;
 *   - SIGTERM drains in-flight writes: every acknowledged write is durable.
 *
 * Users and tokens are made with the binary before the server starts.  The
 * server's stderr (access log, errors) goes to serve-N.err in the test's
 * temporary directory; XC_KEEP_TMP=1 keeps it.
 */
#include "testutil.h"

#include "date.h"
#include "docs.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "server.h"

extern char **environ;

/* ---- small utilities ------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Failures collected over a whole test, so one run reports every broken
 * route or request rather than the first. */
typedef struct failures {
    char *text;
    size_t len, cap;
    int n;
} failures;

static void fail_add(failures *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_add(failures *f, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    size_t l = strlen(line);
    if (f->len + l + 2 > f->cap) {
        f->cap = (f->len + l + 2) * 2;
        f->text = realloc(f->text, f->cap);
    }
    memcpy(f->text + f->len, line, l);
    f->len += l;
    f->text[f->len++] = '\n';
    f->text[f->len] = '\0';
    f->n++;
}

static void fail_check(failures *f, const char *what)
{
    if (f->n) {
        print_message("%s: %d failure(s):\n%s", what, f->n, f->text);
        free(f->text);
        fail_msg("%s: %d failure(s)", what, f->n);
    }
    free(f->text);
}

/* ---- the server process ---------------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int port;
    char out[512], err[512];
} server;

static int n_servers;

/* Start `exportctl --db db serve --listen 127.0.0.1:0 --threads 2 --timeout 5
 * --quiet` with stdout and stderr in files; wait for "listening on
 * http://ADDR:PORT".  (--timeout 5: the idle-connection tests need not wait 30 s.) */
static void srv_start(server *s, const char *db)
{
    memset(s, 0, sizeof(*s));
    n_servers++;
    snprintf(s->out, sizeof(s->out), "%s/serve-%d.out", tu_tmpdir(), n_servers);
    snprintf(s->err, sizeof(s->err), "%s/serve-%d.err", tu_tmpdir(), n_servers);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, s->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, s->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *argv[] = {XC_EXPORTCTL, "--db", db, "serve", "--listen", "127.0.0.1:0", "--threads", "2", "--timeout", "5", "--quiet",
                          NULL};
    int rc = posix_spawn(&s->pid, XC_EXPORTCTL, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(rc, 0);
    double t0 = now_s();
    for (;;) {
        char *o = tu_read(s->out, NULL);
        const char *p = o ? strstr(o, "listening on http://") : NULL;
        if (p && strchr(p, '\n')) {
            const char *colon = strrchr(p, ':'); /* the port's colon: after "http:" and the address */
            s->port = atoi(colon + 1);
            free(o);
            break;
        }
        free(o);
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            char *e = tu_read(s->err, NULL);
            print_message("server exited before listening (status %d):\n%s\n", st, e ? e : "");
            free(e);
            s->pid = 0;
            fail_msg("exportctl serve did not start");
        }
        if (now_s() - t0 > 60) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            s->pid = 0;
            fail_msg("exportctl serve did not print its port within 60 s");
        }
        sleep_ms(20);
    }
    assert_true(s->port > 0 && s->port < 65536);
}

/* SIGTERM; wait (up to 60 s) and return the exit code (-1: killed, or did not exit). */
static int srv_stop(server *s)
{
    if (!s->pid)
        return -1;
    kill(s->pid, SIGTERM);
    double t0 = now_s();
    int st = 0;
    for (;;) {
        pid_t w = waitpid(s->pid, &st, WNOHANG);
        if (w == s->pid)
            break;
        if (now_s() - t0 > 60) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
            s->pid = 0;
            return -1;
        }
        sleep_ms(10);
    }
    s->pid = 0;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    print_message("server died with signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return -1;
}

static void srv_dump_err(const server *s)
{
    char *e = tu_read(s->err, NULL);
    if (e && *e) {
        size_t l = strlen(e);
        print_message("--- server stderr (last 4000 bytes) ---\n%s\n", l > 4000 ? e + l - 4000 : e);
    }
    free(e);
}

/* ---- HTTP with libcurl ------------------------------------------------------------------ */

typedef struct resp {
    long status;       /* 0: no response (connection closed or reset) */
    int curl_rc;
    char *body;
    size_t len, cap;
    char ctype[128];
} resp;

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    size_t k = sz * n;
    if (r->len + k + 1 > r->cap) {
        r->cap = (r->len + k + 1) * 2;
        r->body = realloc(r->body, r->cap);
    }
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = '\0';
    return k;
}

static void resp_free(resp *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static server g_srv;
static char g_db[512];

typedef struct req_opts {
    const char *ctype;           /* Content-Type; NULL: application/json when there is a body */
    int no_ctype;                /* send no Content-Type at all */
    const char *auth_header;     /* a whole Authorization header value, instead of the token */
    const char *const *headers;  /* extra headers, NULL-terminated */
    int chunked;                 /* send the body chunked */
    int path_as_is;
    long timeout_s;
} req_opts;

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t on_read(char *buf, size_t sz, size_t n, void *ud)
{
    upload *u = ud;
    size_t k = sz * n;
    if (k > u->len - u->off)
        k = u->len - u->off;
    memcpy(buf, u->data + u->off, k);
    u->off += k;
    return k;
}

/* One request to the test server; body may be NULL (len ignored) or len bytes. */
static void http_x(const char *method, const char *path, const char *token, const char *body, size_t len,
                   const req_opts *o, resp *out)
{
    static const req_opts none;
    if (!o)
        o = &none;
    memset(out, 0, sizeof(*out));
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[16384];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", g_srv.port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s ? o->timeout_s : 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (o->path_as_is)
        curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    struct curl_slist *h = NULL;
    char line[512];
    if (o->auth_header) {
        snprintf(line, sizeof(line), "Authorization: %s", o->auth_header);
        h = curl_slist_append(h, line);
    } else if (token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, line);
    }
    upload up = {body, len, 0};
    if (body) {
        if (o->no_ctype)
            h = curl_slist_append(h, "Content-Type:");
        else {
            snprintf(line, sizeof(line), "Content-Type: %s", o->ctype ? o->ctype : "application/json");
            h = curl_slist_append(h, line);
        }
        h = curl_slist_append(h, "Expect:");
        if (o->chunked) {
            h = curl_slist_append(h, "Transfer-Encoding: chunked");
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(c, CURLOPT_READDATA, &up);
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        } else {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            if (strcmp(method, "POST") != 0)
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (strcmp(method, "POST") == 0) { /* a POST without a body: Content-Length 0, no Content-Type */
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
            h = curl_slist_append(h, "Content-Type:");
        }
    }
    for (const char *const *x = o->headers; x && *x; x++)
        h = curl_slist_append(h, *x);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    out->curl_rc = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (ct)
        snprintf(out->ctype, sizeof(out->ctype), "%s", ct);
    if (!out->body) {
        out->body = calloc(1, 1);
        out->cap = 1;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static void http(const char *method, const char *path, const char *token, const char *body, resp *out)
{
    http_x(method, path, token, body, body ? strlen(body) : 0, NULL, out);
}

/* The JSON body, or NULL. Caller decrefs. */
static json_t *resp_json(const resp *r)
{
    return r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

/* 1 if body is {"error": {"code": string, "message": string, "field": string|null}}. */
static int is_error_body(const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    json_t *e = json_object_get(j, "error");
    json_t *f = json_object_get(e, "field");
    int ok = json_is_object(e) && json_is_string(json_object_get(e, "code")) &&
             json_is_string(json_object_get(e, "message")) && (json_is_string(f) || json_is_null(f));
    json_decref(j);
    return ok;
}

static const char *error_field(const resp *r, char *buf, size_t n)
{
    json_t *j = resp_json(r);
    const char *f = json_string_value(json_object_get(json_object_get(j, "error"), "field"));
    snprintf(buf, n, "%s", f ? f : "");
    json_decref(j);
    return buf;
}

/* ---- raw sockets ------------------------------------------------------------------------ */

static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)g_srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Read until the peer closes, timeout_ms passes without data, or a whole
 * response (headers + Content-Length) arrived.  *out gets the bytes (caller
 * frees).  Returns the bytes read, -1 when nothing came within the timeout
 * and the connection is still open. */
static ssize_t raw_read(int fd, int timeout_ms, char **out)
{
    size_t cap = 8192, n = 0;
    char *b = malloc(cap + 1);
    int closed = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, timeout_ms);
        if (pr <= 0)
            break;
        if (n + 4096 > cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
        }
        ssize_t r = recv(fd, b + n, cap - n, 0);
        if (r <= 0) {
            closed = 1;
            break;
        }
        n += (size_t)r;
        b[n] = '\0';
        const char *eoh = strstr(b, "\r\n\r\n");
        if (eoh) {
            const char *cl = find_nocase(b, "\r\ncontent-length:");
            if (cl && cl < eoh) {
                size_t want = (size_t)(eoh + 4 - b) + strtoul(cl + 17, NULL, 10);
                if (n >= want)
                    break;
            }
        }
    }
    b[n] = '\0';
    *out = b;
    if (!n && !closed)
        return -1;
    return (ssize_t)n;
}

/* Send bytes on a new connection (optionally half-closing it) and return
 * the status of the answer: 0 when the server closed without answering,
 * -1 when it neither answered nor closed within timeout_ms.  *body (if
 * non-NULL) gets the response's body part. */
static int raw_req(const char *bytes, size_t len, int timeout_ms, char **body)
{
    if (body)
        *body = NULL;
    int fd = raw_connect();
    if (fd < 0)
        return 0;
    int sent = send_all(fd, bytes, len);
    char *b = NULL;
    ssize_t n = raw_read(fd, timeout_ms, &b);
    close(fd);
    int status = 0;
    if (n < 0 && sent == 0)
        status = -1;
    else if (n > 12 && strncmp(b, "HTTP/1.", 7) == 0)
        status = atoi(b + 9);
    if (body && b) {
        const char *eoh = strstr(b, "\r\n\r\n");
        *body = strdup(eoh ? eoh + 4 : "");
    }
    free(b);
    return status;
}

/* ---- the CLI --------------------------------------------------------------------------------- */

/* Run `exportctl --db g_db [--as AS] --json ARGS...`; return the parsed
 * stdout (NULL if not JSON), the exit code in *rc. */
static json_t *cli_json(int *rc, const char *as, ...)
{
    const char *argv[48];
    int n = 0;
    argv[n++] = "--db";
    argv[n++] = g_db;
    if (as) {
        argv[n++] = "--as";
        argv[n++] = as;
    }
    argv[n++] = "--json";
    va_list ap;
    va_start(ap, as);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 46)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int code = tu_runv(&out, &err, argv);
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    if (rc)
        *rc = code;
    else if (code != 0) {
        print_message("exportctl %s %s ...: exit %d\n%s%s\n", argv[n > 5 ? 5 : n - 1], n > 6 ? argv[6] : "", code,
                      out ? out : "", err ? err : "");
    }
    free(out);
    free(err);
    return j;
}

/* Same, the command must succeed: cli_ok(AS, ARGS...). */
static json_t *cli_okv(const char *as, const char *const *args)
{
    const char *argv[48];
    int n = 0;
    argv[n++] = "--db";
    argv[n++] = g_db;
    if (as) {
        argv[n++] = "--as";
        argv[n++] = as;
    }
    argv[n++] = "--json";
    for (; *args && n < 46; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = tu_runv(&out, &err, argv);
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    if (rc != 0) {
        print_message("exportctl");
        for (int i = 0; i < n; i++)
            print_message(" %s", argv[i]);
        print_message(": exit %d\n%s%s\n", rc, out ? out : "", err ? err : "");
    }
    free(out);
    free(err);
    assert_int_equal(rc, 0);
    return j;
}
#define cli_ok(as, ...) cli_okv(as, (const char *const[]){__VA_ARGS__, NULL})

/* ---- users, organisations, tokens ------------------------------------------------------------ */

enum { R_PUBLIC, R_ADMIN, R_OFFICER, R_EXPORTER, R_AUDITOR, R_BAD, N_R };
static const char *const role_label[N_R] = {"public", "admin", "officer", "exporter", "auditor", "bad-token"};
static const unsigned role_bit[N_R] = {XC_ROLE_PUBLIC, XC_ROLE_ADMIN, XC_ROLE_OFFICER, XC_ROLE_EXPORTER,
                                       XC_ROLE_AUDITOR, 0};
static const char *const role_user[N_R] = {NULL, "admin", "officer", "exa", "auditor", NULL};

static char tok[N_R][XC_TOKEN_LEN + 1];
static char tok_officer2[XC_TOKEN_LEN + 1], tok_exb[XC_TOKEN_LEN + 1];
static const char bad_token[] = "xct_0000000000000000000000000000000000000000000000000000000000000000";

static const char *token_of(int role)
{
    if (role == R_PUBLIC)
        return NULL;
    if (role == R_BAD)
        return bad_token;
    return tok[role];
}

/* `exportctl token create --user U --role R`: the token is the last word of the last line. */
static void token_create(const char *user, const char *role, char out[XC_TOKEN_LEN + 1])
{
    const char *argv[] = {"--db", g_db, "--as", "admin", "token", "create", "--user", user, "--role", role, NULL};
    char *o = NULL, *e = NULL;
    int rc = tu_runv(&o, &e, argv);
    if (rc != 0)
        print_message("token create --user %s: exit %d: %s%s\n", user, rc, o ? o : "", e ? e : "");
    assert_int_equal(rc, 0);
    size_t l = strlen(o);
    while (l && (o[l - 1] == '\n' || o[l - 1] == ' ' || o[l - 1] == '\r'))
        o[--l] = '\0';
    const char *w = o + l;
    while (w > o && w[-1] != ' ' && w[-1] != '\n' && w[-1] != '\t')
        w--;
    assert_int_equal(strlen(w), XC_TOKEN_LEN);
    assert_memory_equal(w, "xct_", 4);
    memcpy(out, w, XC_TOKEN_LEN + 1);
    free(o);
    free(e);
}

static void run_ok(const char *const *argv)
{
    char *o = NULL, *e = NULL;
    int rc = tu_runv(&o, &e, argv);
    if (rc != 0)
        print_message("exportctl %s %s: exit %d: %s%s\n", argv[4], argv[5], rc, o ? o : "", e ? e : "");
    assert_int_equal(rc, 0);
    free(o);
    free(e);
}

static void setup_actors(void)
{
    const char *a1[] = {"--db", g_db, "--as", "root", "user", "add", "admin", "--role", "admin", NULL};
    run_ok(a1);
    const char *o1[] = {"--db", g_db, "--as", "admin", "org", "add", "org-a", "--name", "Org A Ltd", "--country", "IL",
                        NULL};
    run_ok(o1);
    const char *o2[] = {"--db", g_db, "--as", "admin", "org", "add", "org-b", "--name", "Org B Ltd", "--country", "IL",
                        NULL};
    run_ok(o2);
    const char *u[][12] = {
        {"--db", g_db, "--as", "admin", "user", "add", "officer", "--role", "officer", NULL},
        {"--db", g_db, "--as", "admin", "user", "add", "officer2", "--role", "officer", NULL},
        {"--db", g_db, "--as", "admin", "user", "add", "exa", "--role", "exporter", "--org", "org-a", NULL},
        {"--db", g_db, "--as", "admin", "user", "add", "exb", "--role", "exporter", "--org", "org-b", NULL},
        {"--db", g_db, "--as", "admin", "user", "add", "auditor", "--role", "auditor", NULL},
    };
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        run_ok(u[i]);
    token_create("admin", "admin", tok[R_ADMIN]);
    token_create("officer", "officer", tok[R_OFFICER]);
    token_create("officer2", "officer", tok_officer2);
    token_create("exa", "exporter", tok[R_EXPORTER]);
    token_create("exb", "exporter", tok_exb);
    token_create("auditor", "auditor", tok[R_AUDITOR]);
}

/* ---- licensing objects, made with the CLI ------------------------------------------------------ */

static const char *id_of(json_t *j, const char *key, char *buf, size_t n)
{
    const char *v = json_string_value(json_object_get(j, key));
    assert_non_null(v);
    snprintf(buf, n, "%s", v);
    return buf;
}

/* A fresh application of org-a (org-b when b) brought to `upto`: draft,
 * submitted, under-review, approved (lic gets the licence), suspended
 * (the licence suspended). */
static void mk_app(int b, const char *upto, char app[32], char lic[32])
{
    const char *ex = b ? "exb" : "exa";
    json_t *j = cli_ok(ex, "application", "create", "--file",
                       tu_data(b ? "server/app-org-b.json" : "server/app-org-a.json"));
    id_of(j, "id", app, 32);
    json_decref(j);
    if (lic)
        lic[0] = '\0';
    if (!strcmp(upto, "draft"))
        return;
    json_decref(cli_ok(ex, "application", "submit", app));
    if (!strcmp(upto, "submitted"))
        return;
    json_decref(cli_ok("officer", "application", "review", app));
    if (!strcmp(upto, "under-review"))
        return;
    j = cli_ok("officer", "application", "approve", app);
    assert_non_null(lic);
    id_of(j, "licence", lic, 32);
    json_decref(j);
    if (!strcmp(upto, "approved"))
        return;
    json_decref(cli_ok("officer", "licence", "suspend", lic, "--reason", "test"));
    assert_string_equal(upto, "suspended");
}

/* ---- the stored data, read-only ------------------------------------------------------------------ */

typedef struct snapshot {
    long long audit_size, audit_events, documents, list_versions, decisions;
    char root[80];
} snapshot;

static long long q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void snap(snapshot *s)
{
    memset(s, 0, sizeof(*s));
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    s->audit_size = q1(db, "SELECT size FROM audit_head");
    s->audit_events = q1(db, "SELECT count(*) FROM audit_event");
    s->documents = q1(db, "SELECT count(*) FROM document");
    s->list_versions = q1(db, "SELECT count(*) FROM list_version");
    s->decisions = q1(db, "SELECT count(*) FROM decision");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT hex(root) FROM audit_head", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(s->root, sizeof(s->root), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(s->audit_size > 0);
}

static int snap_equal(const snapshot *a, const snapshot *b)
{
    return a->audit_size == b->audit_size && a->audit_events == b->audit_events && a->documents == b->documents &&
           a->list_versions == b->list_versions && a->decisions == b->decisions && !strcmp(a->root, b->root);
}

static void snap_print(const char *what, const snapshot *s)
{
    print_message("%s: audit size %lld (events %lld, root %.16s), documents %lld, list versions %lld, decisions %lld\n",
                  what, s->audit_size, s->audit_events, s->root, s->documents, s->list_versions, s->decisions);
}

/* ---- the role matrix ---------------------------------------------------------------------------- */

/* What a fixture gives for one request: the path (pattern filled in) and
 * the body (NULL: none).  prep functions make the state the request needs
 * (a fresh application per allowed role for the transitions). */
typedef struct fx_out {
    char path[1024];
    char body[131072];
    int has_body;
} fx_out;

typedef void (*fx_prep)(int role, int allowed, fx_out *o);

typedef struct fixture {
    const char *key;  /* "METHOD pattern", exactly as in the route table */
    const char *path; /* a sample path, when it needs no state */
    const char *body; /* a sample body (NULL: none) */
    fx_prep prep;     /* or: makes state and fills path and body */
} fixture;

static int g_seq; /* unique names for created objects */

static void fx_path(fx_out *o, const char *prefix, const char *arg, const char *suffix)
{
    snprintf(o->path, sizeof(o->path), "%s%s%s", prefix, arg, suffix);
}

static void fx_body(fx_out *o, const char *body)
{
    snprintf(o->body, sizeof(o->body), "%s", body);
    o->has_body = 1;
}

/* The exporter of the matrix is exa (org-a): its objects are org-a's. */
static char fixed_app[32], fixed_lic[32];

static void fixed_objects(void)
{
    if (!fixed_app[0])
        mk_app(0, "approved", fixed_app, fixed_lic);
}

static void p_app_get(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    fixed_objects();
    fx_path(o, "/v1/applications/", fixed_app, "");
}

static void p_lic_get(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    fixed_objects();
    fx_path(o, "/v1/licences/", fixed_lic, "");
}

/* A transition on a fresh application in state `from` (forbidden roles get
 * the fixed one: the role check comes before anything else). */
static void app_transition(int allowed, fx_out *o, const char *from, const char *action, const char *body)
{
    char app[32], lic[32];
    if (allowed)
        mk_app(0, from, app, lic);
    else {
        fixed_objects();
        snprintf(app, sizeof(app), "%s", fixed_app);
    }
    snprintf(o->path, sizeof(o->path), "/v1/applications/%s/%s", app, action);
    if (body)
        fx_body(o, body);
}

static void p_app_submit(int role, int allowed, fx_out *o)
{
    (void)role;
    app_transition(allowed, o, "draft", "submit", NULL);
}

static void p_app_review(int role, int allowed, fx_out *o)
{
    (void)role;
    app_transition(allowed, o, "submitted", "review", NULL);
}

static void p_app_approve(int role, int allowed, fx_out *o)
{
    (void)role;
    app_transition(allowed, o, "under-review", "approve", "{\"valid_until\": \"2023-06-30\", \"note\": \"matrix\"}");
}

static void p_app_refuse(int role, int allowed, fx_out *o)
{
    (void)role;
    app_transition(allowed, o, "under-review", "refuse", "{\"criteria\": [\"diversion\"], \"text\": \"matrix\"}");
}

static void p_app_withdraw(int role, int allowed, fx_out *o)
{
    (void)role;
    app_transition(allowed, o, "draft", "withdraw", "{\"reason\": \"matrix\"}");
}

static void lic_action(int allowed, fx_out *o, const char *from, const char *action, const char *body)
{
    char app[32], lic[32];
    if (allowed)
        mk_app(0, from, app, lic);
    else {
        fixed_objects();
        snprintf(lic, sizeof(lic), "%s", fixed_lic);
    }
    snprintf(o->path, sizeof(o->path), "/v1/licences/%s/%s", lic, action);
    fx_body(o, body);
}

static void p_lic_suspend(int role, int allowed, fx_out *o)
{
    (void)role;
    lic_action(allowed, o, "approved", "suspend", "{\"reason\": \"matrix\"}");
}

static void p_lic_reinstate(int role, int allowed, fx_out *o)
{
    (void)role;
    lic_action(allowed, o, "suspended", "reinstate", "{\"reason\": \"matrix\"}");
}

static void p_lic_revoke(int role, int allowed, fx_out *o)
{
    (void)role;
    lic_action(allowed, o, "approved", "revoke", "{\"reason\": \"matrix\"}");
}

static void p_lic_surrender(int role, int allowed, fx_out *o)
{
    (void)role;
    lic_action(allowed, o, "approved", "surrender", "{\"reason\": \"matrix\"}");
}

static void p_lic_amend(int role, int allowed, fx_out *o)
{
    (void)role;
    lic_action(allowed, o, "approved", "amend", "{\"valid_until\": \"2023-12-31\", \"reason\": \"matrix\"}");
}

static void p_org_add(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    int k = ++g_seq;
    snprintf(o->body, sizeof(o->body), "{\"id\": \"org-m%d\", \"name\": \"Matrix %d Ltd\", \"country\": \"IL\"}",
             k, k);
    o->has_body = 1;
    snprintf(o->path, sizeof(o->path), "/v1/orgs");
}

static void p_user_add(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    snprintf(o->body, sizeof(o->body), "{\"name\": \"matrix%d\", \"role\": \"auditor\"}", ++g_seq);
    o->has_body = 1;
    snprintf(o->path, sizeof(o->path), "/v1/users");
}

static const char test_password[] = "correct horse battery staple";

static void p_user_password(int role, int allowed, fx_out *o)
{
    (void)allowed;
    fx_path(o, "/v1/users/", role_user[role] ? role_user[role] : "auditor", "/password");
    snprintf(o->body, sizeof(o->body), "{\"password\": \"%s\"}", test_password);
    o->has_body = 1;
}

static void p_auth_token(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    static int done;
    if (!done) { /* the auditor's password, set once by an admin */
        resp r;
        char body[256];
        snprintf(body, sizeof(body), "{\"password\": \"%s\"}", test_password);
        http("POST", "/v1/users/auditor/password", tok[R_ADMIN], body, &r);
        if (r.status != 200)
            print_message("setting the auditor's password: %ld %s\n", r.status, r.body);
        resp_free(&r);
        done = 1;
    }
    snprintf(o->path, sizeof(o->path), "/v1/auth/token");
    snprintf(o->body, sizeof(o->body), "{\"user\": \"auditor\", \"password\": \"%s\", \"label\": \"matrix\"}",
             test_password);
    o->has_body = 1;
}

/* A fresh token of the requesting role's own user, so that the user (or an
 * admin) may revoke it. */
static void p_token_revoke(int role, int allowed, fx_out *o)
{
    if (!allowed || !role_user[role]) {
        fx_path(o, "/v1/tokens/", "0123456789abcdef", "/revoke");
    } else {
        json_t *j = cli_ok("admin", "token", "create", "--user", role_user[role], "--label", "matrix-revoke");
        char id[32];
        id_of(j, "id", id, sizeof(id));
        json_decref(j);
        fx_path(o, "/v1/tokens/", id, "/revoke");
    }
    fx_body(o, "{\"reason\": \"matrix\"}");
}

/* A token of the requesting role's own user: every signed-in role may read
 * its own tokens (admins and auditors any). */
static void p_token_get(int role, int allowed, fx_out *o)
{
    if (!allowed || !role_user[role]) {
        fx_path(o, "/v1/tokens/", "0123456789abcdef", "");
        return;
    }
    json_t *j = cli_ok("admin", "token", "create", "--user", role_user[role], "--label", "matrix-get");
    char id[32];
    id_of(j, "id", id, sizeof(id));
    json_decref(j);
    fx_path(o, "/v1/tokens/", id, "");
}

/* The bundled licensing table itself: importing it records nothing. */
static void p_criteria_import(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    char path[4096];
    snprintf(path, sizeof(path), "%s/data/licensing/criteria.json", XC_SOURCE_DIR);
    char *b = tu_read(path, NULL);
    assert_non_null(b);
    fx_body(o, b);
    free(b);
    snprintf(o->path, sizeof(o->path), "/v1/criteria/import");
}

static void p_app_create(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    char *b = tu_read(tu_data("server/app-org-a.json"), NULL);
    assert_non_null(b);
    fx_body(o, b);
    free(b);
    snprintf(o->path, sizeof(o->path), "/v1/applications");
}

#define CHECK_BODY                                                                                                    \
    "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"activity\": \"marketing\", "                       \
    "\"end_user_type\": \"government\", \"date\": \"2021-11-26\", \"record\": false}"
#define SCREEN_BODY "{\"name\": \"Positive Technologies\", \"date\": \"2021-09-01\"}"

/* Made before the server starts (setup_audit): a recorded decision, two
 * published checkpoints, an inclusion proof and the verifier key. */
static char g_decision[32];
static char *g_verify_proof_body;

/* An exporter replays only its organisation's decisions: one it recorded. */
static void p_replay(int role, int allowed, fx_out *o)
{
    if (role != R_EXPORTER || !allowed) {
        fx_path(o, "/v1/decisions/", g_decision, "/replay");
        return;
    }
    resp r;
    http("POST", "/v1/check", tok[R_EXPORTER],
         "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"FR\", \"end_user_type\": \"government\"}", &r);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(j, "decision_id")));
    json_decref(j);
    resp_free(&r);
    fx_path(o, "/v1/decisions/", id, "/replay");
}

static void p_verify_proof(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    snprintf(o->path, sizeof(o->path), "/v1/audit/verify-proof");
    assert_true(strlen(g_verify_proof_body) < sizeof(o->body));
    fx_body(o, g_verify_proof_body);
}

static void p_allow_add(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    snprintf(o->path, sizeof(o->path), "/v1/allow");
    snprintf(o->body, sizeof(o->body),
             "{\"name\": \"Positive Technologies Matrix %d\", \"list\": \"us-entity-list\", "
             "\"entry\": \"us-el-ao-pozitiv-teknolodzhiz\", \"reason\": \"matrix: not the listed entity\"}",
             ++g_seq);
    o->has_body = 1;
}

/* An import of a bundled file: unchanged, so it records nothing. */
static void import_bundled(fx_out *o, const char *path, const char *file)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/data/%s", XC_SOURCE_DIR, file);
    char *b = tu_read(p, NULL);
    assert_non_null(b);
    assert_true(strlen(b) < sizeof(o->body));
    fx_body(o, b);
    free(b);
    snprintf(o->path, sizeof(o->path), "%s", path);
}

static void p_lists_import(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    import_bundled(o, "/v1/lists/import", "lists/eu.json");
}

static void p_items_import(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    import_bundled(o, "/v1/items/import", "items/cyber.json");
}

static void p_rules_import(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    import_bundled(o, "/v1/rules/import", "rules/eu.json");
}

static void p_parties_import(int role, int allowed, fx_out *o)
{
    (void)role, (void)allowed;
    import_bundled(o, "/v1/parties/import?format=exportctl", "parties/us-entity-list.json");
}

static const fixture fixtures[] = {
    /* ops */
    {"GET /healthz", "/healthz", NULL, NULL},
    {"GET /metrics", "/metrics", NULL, NULL},
    {"GET /v1/openapi.json", "/v1/openapi.json", NULL, NULL},
    /* lists, countries, items, rules, parties */
    {"GET /v1/lists", "/v1/lists", NULL, NULL},
    {"POST /v1/lists/import", NULL, NULL, p_lists_import},
    {"GET /v1/lists/{id}", "/v1/lists/il-cyber-marketing?at=2021-11-25", NULL, NULL},
    {"GET /v1/lists/{id}/diff", "/v1/lists/il-cyber-marketing/diff?from=2021-11-24&to=2021-11-25", NULL, NULL},
    {"GET /v1/lists/{id}/history", "/v1/lists/il-cyber-marketing/history", NULL, NULL},
    {"GET /v1/lists/{id}/export", "/v1/lists/il-cyber-marketing/export", NULL, NULL},
    {"GET /v1/countries", "/v1/countries", NULL, NULL},
    {"GET /v1/countries/{code}", "/v1/countries/MA", NULL, NULL},
    {"GET /v1/items", "/v1/items", NULL, NULL},
    {"POST /v1/items/import", NULL, NULL, p_items_import},
    {"GET /v1/items/{code}", "/v1/items/4D004", NULL, NULL},
    {"GET /v1/rules", "/v1/rules", NULL, NULL},
    {"POST /v1/rules/import", NULL, NULL, p_rules_import},
    {"GET /v1/rules/{regime}", "/v1/rules/il", NULL, NULL},
    {"GET /v1/parties", "/v1/parties", NULL, NULL},
    {"POST /v1/parties/import", NULL, NULL, p_parties_import},
    /* audit */
    {"GET /v1/audit/events", "/v1/audit/events?limit=5", NULL, NULL},
    {"GET /v1/audit/verify", "/v1/audit/verify", NULL, NULL},
    {"POST /v1/audit/checkpoints", "/v1/audit/checkpoints", NULL, NULL},
    {"GET /v1/audit/checkpoints", "/v1/audit/checkpoints", NULL, NULL},
    {"GET /v1/audit/checkpoints/{number}", "/v1/audit/checkpoints/1", NULL, NULL},
    {"GET /v1/audit/proofs/inclusion", "/v1/audit/proofs/inclusion?event=3&checkpoint=1", NULL, NULL},
    {"GET /v1/audit/proofs/consistency", "/v1/audit/proofs/consistency?first=1&second=2", NULL, NULL},
    {"POST /v1/audit/verify-proof", NULL, NULL, p_verify_proof},
    {"GET /v1/audit/key", "/v1/audit/key", NULL, NULL},
    /* checks and screening */
    {"POST /v1/check", "/v1/check", CHECK_BODY, NULL},
    {"POST /v1/check/batch", "/v1/check/batch",
     "{\"checks\": [{\"item\": \"4D004\", \"to\": \"MA\"}, {\"item\": \"4D004\", \"to\": \"FR\"}], "
     "\"defaults\": {\"regime\": \"il\", \"activity\": \"marketing\", \"date\": \"2021-11-26\"}, \"record\": false}",
     NULL},
    {"GET /v1/decisions/{id}/replay", NULL, NULL, p_replay},
    {"POST /v1/screen", "/v1/screen", SCREEN_BODY, NULL},
    {"POST /v1/screen/batch", "/v1/screen/batch",
     "{\"names\": [\"Positive Technologies\", \"Acme Widgets\"], \"date\": \"2021-09-01\"}", NULL},
    {"POST /v1/match", "/v1/match", "{\"name1\": \"Positive Technologies\", \"name2\": \"JSC POSITIVE TECHNOLOGIES\"}",
     NULL},
    {"GET /v1/allow", "/v1/allow", NULL, NULL},
    {"POST /v1/allow", NULL, NULL, p_allow_add},
    /* licensing, admin */
    {"GET /v1/orgs", "/v1/orgs", NULL, NULL},
    {"POST /v1/orgs", NULL, NULL, p_org_add},
    {"GET /v1/users", "/v1/users", NULL, NULL},
    {"POST /v1/users", NULL, NULL, p_user_add},
    {"POST /v1/users/{name}/password", NULL, NULL, p_user_password},
    {"POST /v1/tokens", "/v1/tokens", "{\"user\": \"auditor\", \"label\": \"matrix\"}", NULL},
    {"GET /v1/tokens", "/v1/tokens", NULL, NULL},
    {"GET /v1/tokens/{id}", NULL, NULL, p_token_get},
    {"POST /v1/tokens/{id}/revoke", NULL, NULL, p_token_revoke},
    {"POST /v1/auth/token", NULL, NULL, p_auth_token},
    {"GET /v1/applications", "/v1/applications", NULL, NULL},
    {"POST /v1/applications", NULL, NULL, p_app_create},
    {"GET /v1/applications/{id}", NULL, NULL, p_app_get},
    {"POST /v1/applications/{id}/submit", NULL, NULL, p_app_submit},
    {"POST /v1/applications/{id}/review", NULL, NULL, p_app_review},
    {"POST /v1/applications/{id}/approve", NULL, NULL, p_app_approve},
    {"POST /v1/applications/{id}/refuse", NULL, NULL, p_app_refuse},
    {"POST /v1/applications/{id}/withdraw", NULL, NULL, p_app_withdraw},
    {"GET /v1/licences", "/v1/licences", NULL, NULL},
    {"GET /v1/licences/{id}", NULL, NULL, p_lic_get},
    {"POST /v1/licences/{id}/suspend", NULL, NULL, p_lic_suspend},
    {"POST /v1/licences/{id}/reinstate", NULL, NULL, p_lic_reinstate},
    {"POST /v1/licences/{id}/revoke", NULL, NULL, p_lic_revoke},
    {"POST /v1/licences/{id}/surrender", NULL, NULL, p_lic_surrender},
    {"POST /v1/licences/{id}/amend", NULL, NULL, p_lic_amend},
    {"GET /v1/criteria", "/v1/criteria", NULL, NULL},
    {"POST /v1/criteria/import", NULL, NULL, p_criteria_import},
    {"POST /v1/impact", "/v1/impact", "{\"list\": \"il-cyber-marketing\", \"version\": 4}", NULL},
};

static const fixture *fixture_for(const char *key)
{
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
        if (!strcmp(fixtures[i].key, key))
            return &fixtures[i];
    return NULL;
}

/* Does the route admit this role?  A public route admits everyone with a
 * valid token too (the table says XC_ROLES_ALL for those). */
static int route_allows(const xc_route *rt, int role)
{
    if (role == R_BAD)
        return 0;
    return (rt->roles & role_bit[role]) != 0;
}

static void fx_fill(const fixture *fx, int role, int allowed, fx_out *o)
{
    memset(o, 0, sizeof(*o));
    if (fx->prep) {
        fx->prep(role, allowed, o);
        return;
    }
    snprintf(o->path, sizeof(o->path), "%s", fx->path);
    if (fx->body)
        fx_body(o, fx->body);
}

static int matrix_cells;

/* One request of the matrix; failures are collected. */
static void matrix_one(failures *f, const xc_route *rt, const fixture *fx, int role, const char *token)
{
    int allowed = route_allows(rt, role);
    fx_out o;
    fx_fill(fx, role, allowed, &o);
    snapshot before, after;
    if (!allowed)
        snap(&before);
    resp r;
    http(rt->method, o.path, token, o.has_body ? o.body : NULL, &r);
    matrix_cells++;
    long want = allowed ? 200 : (role == R_PUBLIC || role == R_BAD) ? 401 : 403;
    int ok = allowed ? (r.status >= 200 && r.status < 300) : r.status == want;
    if (!ok) {
        fail_add(f, "%s %s as %s: got %ld, want %s%ld: %.300s", rt->method, o.path, role_label[role], r.status,
                 allowed ? "2xx, e.g. " : "", want, r.body);
    } else if (!allowed && !is_error_body(r.body, r.len)) {
        fail_add(f, "%s %s as %s: %ld without the JSON error shape: %.200s", rt->method, o.path, role_label[role],
                 r.status, r.body);
    } else if (allowed && strstr(r.ctype, "json")) {
        json_t *j = resp_json(&r);
        if (!j)
            fail_add(f, "%s %s as %s: %ld with a Content-Type %s body that does not parse", rt->method, o.path,
                     role_label[role], r.status, r.ctype);
        json_decref(j);
    }
    if (!allowed) {
        snap(&after);
        if (!snap_equal(&before, &after))
            fail_add(f, "%s %s as %s (refused with %ld) changed the stored data", rt->method, o.path,
                     role_label[role], r.status);
    }
    resp_free(&r);
}

static void test_role_matrix(void **state)
{
    (void)state;
    size_t n;
    const xc_route *routes = xc_routes_all(&n);
    failures f = {0};
    int routes_done = 0;
    for (size_t i = 0; i < n; i++) {
        const xc_route *rt = &routes[i];
        char key[512];
        snprintf(key, sizeof(key), "%s %s", rt->method, rt->pattern);
        const fixture *fx = fixture_for(key);
        if (!fx) {
            fail_add(&f, "no fixture for route \"%s\": add one to fixtures[] in tests/test_server.c", key);
            continue;
        }
        /* forbidden first (nothing may change), then the allowed roles, each with fresh state */
        for (int pass = 0; pass < 2; pass++)
            for (int role = 0; role < N_R; role++)
                if (route_allows(rt, role) == pass)
                    matrix_one(&f, rt, fx, role, token_of(role));
        routes_done++;
    }
    for (size_t k = 0; k < sizeof(fixtures) / sizeof(fixtures[0]); k++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) {
            char key[512];
            snprintf(key, sizeof(key), "%s %s", routes[i].method, routes[i].pattern);
            found = !strcmp(key, fixtures[k].key);
        }
        if (!found)
            print_message("note: fixture \"%s\" has no route in the table\n", fixtures[k].key);
    }
    print_message("role matrix: %d routes x %d identities = %d requests\n", routes_done, N_R, matrix_cells);
    if (f.n)
        srv_dump_err(&g_srv);
    fail_check(&f, "role matrix");
}

/* A decision, two checkpoints (with an event between), a proof and the key. */
static void setup_audit(void)
{
    int rc;
    json_t *j = cli_json(&rc, NULL, "check", "--regime", "il", "--item", "4D004", "--to", "MA", "--activity",
                         "marketing", "--end-user-type", "government", "--date", "2021-11-26", (const char *)NULL);
    assert_int_equal(rc, 4); /* licence-required, recorded */
    assert_non_null(j);
    snprintf(g_decision, sizeof(g_decision), "%lld", (long long)json_integer_value(json_object_get(j, "decision_id")));
    json_decref(j);
    json_decref(cli_ok(NULL, "audit", "checkpoint"));
    json_decref(cli_ok("admin", "user", "add", "cp-between", "--role", "auditor"));
    json_decref(cli_ok(NULL, "audit", "checkpoint"));
    json_t *proof = cli_ok(NULL, "audit", "prove", "3", "--checkpoint", "1");
    json_t *key = cli_ok(NULL, "audit", "key");
    json_t *b = json_pack("{s:O, s:O}", "proof", proof, "key", json_object_get(key, "vkey"));
    g_verify_proof_body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    json_decref(proof);
    json_decref(key);
}

/* ---- exporters see only their organisation's ------------------------------------------------------ */

static void test_exporter_scope(void **state)
{
    (void)state;
    failures f = {0};
    char app_a[32], lic_a[32], draft_a[32], app_b[32], lic_b[32];
    mk_app(0, "approved", app_a, lic_a);
    mk_app(0, "draft", draft_a, NULL);
    mk_app(1, "approved", app_b, lic_b);
    snapshot before, after;
    snap(&before);
    char path[256];
    resp r;
    /* org-b's exporter on org-a's objects: refused (403, or 404 so as not to reveal them) */
    const struct {
        const char *method, *prefix, *id, *suffix, *body;
    } deny[] = {
        {"GET", "/v1/applications/", app_a, "", NULL},
        {"GET", "/v1/licences/", lic_a, "", NULL},
        {"POST", "/v1/applications/", draft_a, "/submit", NULL},
        {"POST", "/v1/applications/", draft_a, "/withdraw", "{\"reason\": \"not mine\"}"},
        {"POST", "/v1/licences/", lic_a, "/surrender", "{\"reason\": \"not mine\"}"},
    };
    for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
        snprintf(path, sizeof(path), "%s%s%s", deny[i].prefix, deny[i].id, deny[i].suffix);
        http(deny[i].method, path, tok_exb, deny[i].body, &r);
        if ((r.status != 403 && r.status != 404) || !is_error_body(r.body, r.len))
            fail_add(&f, "%s %s as exporter of org-b: got %ld, want 403/404 with a JSON error: %.200s",
                     deny[i].method, path, r.status, r.body);
        resp_free(&r);
    }
    /* creating an application for another organisation */
    char *body = tu_read(tu_data("server/app-org-a.json"), NULL);
    http("POST", "/v1/applications", tok_exb, body, &r);
    free(body);
    if (r.status != 403 || !is_error_body(r.body, r.len))
        fail_add(&f, "POST /v1/applications for org-a as exporter of org-b: got %ld, want 403: %.200s", r.status,
                 r.body);
    resp_free(&r);
    snap(&after);
    if (!snap_equal(&before, &after))
        fail_add(&f, "refused requests of org-b's exporter changed the stored data");
    /* listings: only org-b's */
    const char *lists[][2] = {{"/v1/applications", "applications"}, {"/v1/licences", "licences"}};
    for (size_t i = 0; i < 2; i++) {
        http("GET", lists[i][0], tok_exb, NULL, &r);
        json_t *j = resp_json(&r), *arr = json_object_get(j, lists[i][1]), *e;
        size_t k;
        int own = 0;
        if (r.status != 200 || !json_is_array(arr))
            fail_add(&f, "GET %s as exporter of org-b: %ld %.200s", lists[i][0], r.status, r.body);
        json_array_foreach(arr, k, e)
        {
            const char *ex = json_string_value(json_object_get(e, "exporter"));
            if (!ex || strcmp(ex, "org-b") != 0)
                fail_add(&f, "GET %s as exporter of org-b lists %s of %s", lists[i][0],
                         json_string_value(json_object_get(e, "id")), ex ? ex : "(none)");
            else
                own++;
        }
        if (!own)
            fail_add(&f, "GET %s as exporter of org-b does not list org-b's own", lists[i][0]);
        json_decref(j);
        resp_free(&r);
        /* and the officer sees both organisations' */
        http("GET", lists[i][0], tok[R_OFFICER], NULL, &r);
        if (r.status != 200 || !strstr(r.body, "org-a") || !strstr(r.body, "org-b"))
            fail_add(&f, "GET %s as officer: %ld, want both organisations", lists[i][0], r.status);
        resp_free(&r);
    }
    /* tokens: an exporter lists only its own */
    http("GET", "/v1/tokens", tok_exb, NULL, &r);
    {
        json_t *tj = resp_json(&r), *arr = json_object_get(tj, "tokens"), *e;
        size_t k;
        if (r.status != 200 || !json_is_array(arr) || !json_array_size(arr))
            fail_add(&f, "GET /v1/tokens as exporter of org-b: %ld %.200s", r.status, r.body);
        json_array_foreach(arr, k, e)
        {
            const char *u = json_string_value(json_object_get(e, "user"));
            if (!u || strcmp(u, "exb") != 0)
                fail_add(&f, "GET /v1/tokens as exb lists a token of %s", u ? u : "(none)");
        }
        if (strstr(r.body, "xct_"))
            fail_add(&f, "GET /v1/tokens shows a token's secret");
        json_decref(tj);
    }
    resp_free(&r);
    /* its own: allowed */
    snprintf(path, sizeof(path), "/v1/applications/%s", app_b);
    http("GET", path, tok_exb, NULL, &r);
    if (r.status != 200)
        fail_add(&f, "GET %s (its own) as exporter of org-b: %ld %.200s", path, r.status, r.body);
    resp_free(&r);
    fail_check(&f, "exporter scope");
}

/* ---- four-eyes over HTTP -------------------------------------------------------------------------------- */

/* A marketing application whose end user is on the Entity List: the
 * screening hit makes approval need two different officers. */
/* Resolved tokens are cached per server thread; a revocation must still
 * take effect at the next request, whether it came over HTTP or from the
 * CLI (another process) while the server runs. */
static void test_revocation_immediate(void **state)
{
    (void)state;
    char t1[XC_TOKEN_LEN + 1], t2[XC_TOKEN_LEN + 1];
    token_create("auditor", "auditor", t1);
    token_create("auditor", "auditor", t2);
    resp r;
    for (int i = 0; i < 4; i++) { /* warm every thread's cache */
        http("GET", "/v1/rules", t1, NULL, &r);
        assert_int_equal(r.status, 200);
        resp_free(&r);
        http("GET", "/v1/rules", t2, NULL, &r);
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
    const char *argv[] = {"--db", g_db, "--as", "admin", "token", "revoke", t1, NULL};
    run_ok(argv);
    for (int i = 0; i < 4; i++) {
        http("GET", "/v1/rules", t1, NULL, &r);
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    char path[160], hash[65];
    snprintf(path, sizeof(path), "/v1/tokens/%s/revoke", t2); /* a secret in a URL is refused */
    http("POST", path, tok[R_ADMIN], "{}", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    xc_sha256_hex(t2, strlen(t2), hash); /* the id: the first 16 hex digits of the token's hash */
    snprintf(path, sizeof(path), "/v1/tokens/%.16s/revoke", hash);
    http("POST", path, tok[R_ADMIN], "{}", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    for (int i = 0; i < 4; i++) {
        http("GET", "/v1/rules", t2, NULL, &r);
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
}

/* Data recorded by another process (the CLI) while the server runs reaches
 * its engines within the polling interval of the data generation. */
static void test_external_import_seen(void **state)
{
    (void)state;
    static const char body[] = "{\"name\": \"Zyxwvut Quorlan Holdings\"}";
    resp r;
    http("POST", "/v1/screen", tok[R_OFFICER], body, &r);
    assert_int_equal(r.status, 200);
    json_t *j0 = resp_json(&r);
    assert_int_equal(json_array_size(json_object_get(j0, "hits")), 0);
    json_decref(j0);
    resp_free(&r);
    char today[XC_DATE_BUF];
    xc_date_format(xc_date_today(), today);
    tu_write(tu_path("extra-party.csv"), "id,name,type,country\nzz-1,Zyxwvut Quorlan Holdings,entity,RU\n");
    const char *argv[] = {"--db", g_db, "--as", "admin", "parties", "import", "--format", "csv", "--list-id",
                          "test-extra", "--list-date", today, tu_path("extra-party.csv"), NULL};
    run_ok(argv);
    int seen = 0;
    for (int i = 0; i < 40 && !seen; i++) { /* the server polls every 250 ms per thread */
        sleep_ms(50);
        http("POST", "/v1/screen", tok[R_OFFICER], body, &r);
        assert_int_equal(r.status, 200);
        json_t *j = resp_json(&r);
        seen = json_array_size(json_object_get(j, "hits")) > 0;
        json_decref(j);
        resp_free(&r);
    }
    assert_true(seen);
}

static void test_four_eyes(void **state)
{
    (void)state;
    resp r;
    char *body = tu_read(tu_data("server/app-four-eyes.json"), NULL);
    assert_non_null(body);
    http("POST", "/v1/applications", tok[R_EXPORTER], body, &r);
    free(body);
    if (r.status != 201 && r.status != 200)
        print_message("%ld %s\n", r.status, r.body);
    assert_true(r.status == 200 || r.status == 201);
    json_t *j = resp_json(&r);
    char app[32], path[128];
    id_of(j, "id", app, sizeof(app));
    json_decref(j);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/applications/%s/submit", app);
    http("POST", path, tok[R_EXPORTER], NULL, &r);
    if (r.status != 200)
        print_message("%s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/applications/%s/review", app);
    http("POST", path, tok[R_OFFICER], NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(path, sizeof(path), "/v1/applications/%s/approve", app);
    http("POST", path, tok[R_OFFICER], "{}", &r);
    if (r.status != 200)
        print_message("%s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "under-review");
    json_decref(j);
    resp_free(&r);
    http("POST", path, tok[R_OFFICER], "{}", &r); /* the same officer again */
    assert_int_equal(r.status, 403);
    assert_true(is_error_body(r.body, r.len));
    assert_non_null(strstr(r.body, "four-eyes"));
    resp_free(&r);
    http("POST", path, tok_officer2, "{}", &r);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "approved");
    assert_true(json_is_string(json_object_get(j, "licence")));
    json_decref(j);
    resp_free(&r);
}

/* ---- contracts ------------------------------------------------------------------------------------------------- */

/* Drop keys that differ between two runs of the same question. */
static void strip_volatile(json_t *j)
{
    static const char *const drop[] = {"decision_id", "decided_at", "recorded_at", "time", "at", "created_at", NULL};
    if (json_is_object(j)) {
        for (size_t i = 0; drop[i]; i++)
            json_object_del(j, drop[i]);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) strip_volatile(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) strip_volatile(v);
    }
}

static void test_contract_list(void **state)
{
    (void)state;
    resp r;
    http("GET", "/v1/lists/il-cyber-marketing?at=2021-11-25", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "application/json"));
    json_t *api = resp_json(&r);
    resp_free(&r);
    assert_non_null(api);
    assert_int_equal(json_array_size(json_object_get(api, "members")), 37);
    json_t *cli = cli_ok(NULL, "list", "show", "il-cyber-marketing", "--at", "2021-11-25");
    if (!json_equal(api, cli)) {
        char *a = json_dumps(api, JSON_SORT_KEYS | JSON_COMPACT), *c = json_dumps(cli, JSON_SORT_KEYS | JSON_COMPACT);
        print_message("API: %.2000s\nCLI: %.2000s\n", a, c);
        free(a);
        free(c);
        fail_msg("GET /v1/lists/il-cyber-marketing?at=2021-11-25 differs from list show --json");
    }
    json_decref(api);
    json_decref(cli);
    /* and the diff */
    http("GET", "/v1/lists/il-cyber-marketing/diff?from=2021-11-24&to=2021-11-25", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    api = resp_json(&r);
    resp_free(&r);
    cli = cli_ok(NULL, "list", "diff", "il-cyber-marketing", "--from", "2021-11-24", "--to", "2021-11-25");
    assert_true(json_equal(api, cli));
    json_decref(api);
    json_decref(cli);
}

static void test_contract_check(void **state)
{
    (void)state;
    resp r;
    /* recorded: a decision id comes back and the decision is stored */
    const char *body = "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"activity\": \"marketing\", "
                       "\"end_user_type\": \"government\", \"date\": \"2021-11-26\"}";
    http("POST", "/v1/check", tok[R_EXPORTER], body, &r);
    if (r.status != 200)
        print_message("%ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    json_t *api = resp_json(&r);
    resp_free(&r);
    assert_non_null(api);
    assert_string_equal(json_string_value(json_object_get(api, "outcome")), "licence-required");
    assert_true(json_is_integer(json_object_get(api, "decision_id")));
    int rc;
    json_t *cli = cli_json(&rc, NULL, "check", "--regime", "il", "--item", "4D004", "--to", "MA", "--activity", "marketing",
                   "--end-user-type", "government", "--date", "2021-11-26", (const char *)NULL);
    assert_int_equal(rc, 4); /* licence-required */
    assert_non_null(cli);
    strip_volatile(api);
    strip_volatile(cli);
    if (!json_equal(api, cli)) {
        char *a = json_dumps(api, JSON_SORT_KEYS | JSON_COMPACT), *c = json_dumps(cli, JSON_SORT_KEYS | JSON_COMPACT);
        print_message("API: %.3000s\nCLI: %.3000s\n", a, c);
        free(a);
        free(c);
        fail_msg("POST /v1/check differs from check --json");
    }
    json_decref(api);
    json_decref(cli);
    /* screening equals screen --json */
    http("POST", "/v1/screen", tok[R_EXPORTER], SCREEN_BODY, &r);
    assert_int_equal(r.status, 200);
    api = resp_json(&r);
    resp_free(&r);
    cli = cli_json(&rc, NULL, "screen", "Positive Technologies", "--date", "2021-09-01", (const char *)NULL);
    assert_int_equal(rc, 3); /* hits */
    strip_volatile(api);
    strip_volatile(cli);
    if (!json_equal(api, cli)) {
        char *a = json_dumps(api, JSON_SORT_KEYS | JSON_COMPACT), *c = json_dumps(cli, JSON_SORT_KEYS | JSON_COMPACT);
        print_message("API: %.3000s\nCLI: %.3000s\n", a, c);
        free(a);
        free(c);
        fail_msg("POST /v1/screen differs from screen --json");
    }
    json_decref(api);
    json_decref(cli);
}

static void test_contract_openapi(void **state)
{
    (void)state;
    resp r;
    http("GET", "/v1/openapi.json", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = resp_json(&r);
    resp_free(&r);
    assert_non_null(doc);
    const char *v = json_string_value(json_object_get(doc, "openapi"));
    assert_non_null(v);
    assert_memory_equal(v, "3.1", 3);
    assert_true(json_is_object(json_object_get(doc, "info")));
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    size_t n;
    const xc_route *routes = xc_routes_all(&n);
    failures f = {0};
    for (size_t i = 0; i < n; i++) {
        char m[16];
        size_t k;
        for (k = 0; routes[i].method[k] && k < sizeof(m) - 1; k++)
            m[k] = (char)(routes[i].method[k] | 0x20);
        m[k] = '\0';
        json_t *op = json_object_get(json_object_get(paths, routes[i].pattern), m);
        if (!json_is_object(op))
            fail_add(&f, "openapi.json has no %s %s", m, routes[i].pattern);
    }
    json_decref(doc);
    fail_check(&f, "openapi");
}

static void test_contract_metrics(void **state)
{
    (void)state;
    resp r;
    http("GET", "/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    http("GET", "/metrics", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.ctype, "text/plain"));
    /* every metric docs/http.md names has its "# TYPE" line, and the issue's four are documented */
    failures f = {0};
    char doc[512];
    snprintf(doc, sizeof(doc), "%s/docs/http.md", XC_SOURCE_DIR);
    char *d = tu_read(doc, NULL);
    assert_non_null(d);
    int n_doc = 0;
    static const char *const required[] = {"exportctl_http_requests_total", "exportctl_http_request_duration_seconds",
                                           "exportctl_screening_snapshot_age_days", "exportctl_audit_head_size", NULL};
    for (size_t i = 0; required[i]; i++)
        if (!strstr(d, required[i]))
            fail_add(&f, "docs/http.md does not document %s", required[i]);
    for (const char *p = strstr(d, "exportctl_"); p; p = strstr(p + 1, "exportctl_")) {
        if (p > d && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z')))
            continue;
        char name[128], type_line[160];
        size_t k = 0;
        while (k < sizeof(name) - 1 && ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') || p[k] == '_'))
            name[k] = p[k], k++;
        name[k] = '\0';
        if (k <= strlen("exportctl_") || name[k - 1] == '_')
            continue;
        snprintf(type_line, sizeof(type_line), "# TYPE %s ", name);
        n_doc++;
        if (!strstr(r.body, type_line))
            fail_add(&f, "/metrics lacks the documented metric %s", name);
    }
    free(d);
    assert_true(n_doc >= 4);
    if (!strstr(r.body, "exportctl_http_request_duration_seconds_bucket{"))
        fail_add(&f, "/metrics: the latency histogram has no buckets");
    if (f.n)
        print_message("%.3000s\n", r.body);
    resp_free(&r);
    fail_check(&f, "metrics");
}

/* ---- hostile requests ---------------------------------------------------------------------------------------- */

enum {
    X_4XX = 1,       /* a 4xx with the JSON error shape */
    X_4XX_ANY,       /* a 4xx, any body (the HTTP library's own answer to a protocol error) */
    X_4XX_OR_CLOSED, /* a 4xx, or the connection closed without an answer */
    X_NOT_5XX,       /* an answer, anything but 5xx (a legal if odd request: HEAD, OPTIONS, ...) */
};

static int hostile_n;

static void hostile_expect(failures *f, const char *what, int status, const char *body, size_t len, int expect)
{
    hostile_n++;
    int ok;
    switch (expect) {
    case X_4XX:
        ok = status >= 400 && status < 500 && is_error_body(body ? body : "", len);
        break;
    case X_4XX_ANY:
        ok = status >= 400 && status < 500;
        break;
    case X_4XX_OR_CLOSED:
        ok = status == 0 || (status >= 400 && status < 500);
        break;
    default:
        ok = status >= 100 && status < 500;
    }
    if (!ok)
        fail_add(f, "hostile #%d %s: got %d (%s), want %s: %.200s", hostile_n, what, status,
                 status == 0 ? "closed" : status < 0 ? "no answer" : "answered",
                 expect == X_4XX           ? "4xx with a JSON error"
                 : expect == X_4XX_ANY       ? "4xx"
                 : expect == X_4XX_OR_CLOSED ? "4xx or a closed connection"
                                             : "no 5xx",
                 body ? body : "");
    if (getenv("XC_TEST_VERBOSE"))
        print_message("hostile #%d %s -> %d\n", hostile_n, what, status);
    if (body && strstr(body, "root:x:0"))
        fail_add(f, "hostile #%d %s: the answer holds /etc/passwd", hostile_n, what);
}

/* A request with libcurl, judged. */
static void H(failures *f, const char *what, const char *method, const char *path, const char *token,
              const char *body, size_t len, const req_opts *o, int expect)
{
    resp r;
    http_x(method, path, token, body, body ? (len ? len : strlen(body)) : 0, o, &r);
    int st = (int)r.status;
    if (!st && r.curl_rc == CURLE_OPERATION_TIMEDOUT)
        st = -1;
    hostile_expect(f, what, st, r.body, r.len, expect);
    resp_free(&r);
}

/* A request as raw bytes, judged. */
static void R(failures *f, const char *what, const char *bytes, size_t len, int expect)
{
    char *body = NULL;
    int st = raw_req(bytes, len ? len : strlen(bytes), 5000, &body);
    hostile_expect(f, what, st, body, body ? strlen(body) : 0, expect);
    free(body);
}

/* Raw requests the server may only close after its idle timeout (it waits
 * for bytes that never come): sent at once, judged at the end of the test. */
typedef struct deferred {
    int fd;
    const char *what;
    int expect;
} deferred;

static deferred deferreds[8];
static int n_deferred;

static void R_later(const char *what, const char *bytes, size_t len, int expect)
{
    assert_true(n_deferred < 8);
    deferred *d = &deferreds[n_deferred++];
    d->fd = raw_connect();
    assert_true(d->fd >= 0);
    d->what = what;
    d->expect = expect;
    send_all(d->fd, bytes, len);
}

/* A body of `size` bytes of '[' streamed from a callback (never in memory). */
typedef struct gen {
    curl_off_t left;
} gen;

static size_t on_gen(char *buf, size_t sz, size_t n, void *ud)
{
    gen *g = ud;
    size_t k = sz * n;
    if ((curl_off_t)k > g->left)
        k = (size_t)g->left;
    memset(buf, '[', k);
    g->left -= (curl_off_t)k;
    return k;
}

static void huge_body(failures *f, const char *what, curl_off_t size, int chunked, int expect100)
{
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/check", g_srv.port);
    resp r;
    memset(&r, 0, sizeof(r));
    gen g = {size};
    struct curl_slist *h = NULL;
    char auth[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok[R_OFFICER]);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, expect100 ? "Expect: 100-continue" : "Expect:");
    if (chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_gen);
    curl_easy_setopt(c, CURLOPT_READDATA, &g);
    if (!chunked)
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, size);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    int st = (int)r.status;
    if (rc == CURLE_OPERATION_TIMEDOUT)
        st = -1;
    /* the server may answer 413 and close while the rest is still being sent */
    if (st == 413 || st <= 0)
        hostile_expect(f, what, st, r.body, r.len, st == 413 ? X_4XX : X_4XX_OR_CLOSED);
    else
        hostile_expect(f, what, st, r.body, r.len, X_4XX);
    if (g.left == 0 && st != 413)
        print_message("note: %s: the server read all %lld bytes before answering %d\n", what, (long long)size, st);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    resp_free(&r);
}

/* Deeply nested JSON: depth levels of open (close). */
static char *nested(int depth, const char *open, const char *mid, const char *close)
{
    size_t lo = strlen(open), lc = strlen(close), lm = strlen(mid);
    char *b = malloc((size_t)depth * (lo + lc) + lm + 1), *p = b;
    for (int i = 0; i < depth; i++, p += lo)
        memcpy(p, open, lo);
    memcpy(p, mid, lm);
    p += lm;
    for (int i = 0; i < depth; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return b;
}

/* Wrong types for every documented field of a route's body (from the
 * route table), each judged 400 naming the field.  base holds a valid value
 * of every field, which tells the field's type. */
static void wrong_types(failures *f, const char *method, const char *pattern, const char *base_json)
{
    size_t n;
    const xc_route *routes = xc_routes_all(&n), *rt = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(routes[i].method, method) && !strcmp(routes[i].pattern, pattern))
            rt = &routes[i];
    if (!rt || !rt->body) {
        fail_add(f, "wrong types: no route %s %s with documented body fields", method, pattern);
        return;
    }
    json_t *base = json_loads(base_json, 0, NULL);
    assert_non_null(base);
    { /* the base itself is accepted, or every "wrong" variant would fail for another reason */
        resp r;
        http(method, pattern, tok[R_OFFICER], base_json, &r);
        if (r.status != 200)
            fail_add(f, "wrong types: the valid base body for %s %s is refused: %ld %.300s", method, pattern, r.status,
                     r.body);
        resp_free(&r);
    }
    char fields[512];
    snprintf(fields, sizeof(fields), "%s", rt->body);
    for (char *save = NULL, *name = strtok_r(fields, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        size_t l = strlen(name);
        if (l && name[l - 1] == '*')
            name[--l] = '\0';
        json_t *good = json_object_get(base, name);
        if (!good) {
            fail_add(f, "wrong types: %s %s documents \"%s\": give it a valid value in the test's base body", method,
                     pattern, name);
            continue;
        }
        json_t *bad[3] = {json_pack("{s:i}", "x", 1), NULL, NULL};
        if (json_is_string(good))
            bad[1] = json_integer(12345), bad[2] = json_array();
        else if (json_is_integer(good))
            bad[1] = json_string("5"), bad[2] = json_real(1.5);
        else if (json_is_number(good))
            bad[1] = json_string("0.9"), bad[2] = json_true();
        else if (json_is_boolean(good))
            bad[1] = json_string("false"), bad[2] = json_integer(0);
        else if (json_is_array(good))
            bad[1] = json_string("x"), bad[2] = json_pack("[i]", 7);
        for (int k = 0; k < 3; k++) {
            if (!bad[k])
                continue;
            json_t *b = json_deep_copy(base);
            json_object_set_new(b, name, bad[k]);
            char *text = json_dumps(b, JSON_COMPACT);
            json_decref(b);
            resp r;
            http(method, pattern, tok[R_OFFICER], text, &r);
            char what[700], fld[128];
            snprintf(what, sizeof(what), "%s %s %.300s", method, pattern, text);
            hostile_expect(f, what, (int)r.status, r.body, r.len, X_4XX);
            error_field(&r, fld, sizeof(fld));
            if (r.status == 400 && !strstr(fld, name))
                fail_add(f, "hostile #%d %s: the error names field \"%s\", not \"%s\"", hostile_n, what, fld, name);
            free(text);
            resp_free(&r);
        }
    }
    json_decref(base);
}

#define CHECK_FULL                                                                                                    \
    "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"activity\": \"marketing\", "                       \
    "\"end_user_type\": \"government\", \"end_user_flags\": [\"favourable-treatment\"], \"parties\": [\"Acme\"], "  \
    "\"risk_flags\": [\"human-rights\"], \"date\": \"2021-11-26\", \"record\": false}"
#define SCREEN_FULL                                                                                                   \
    "{\"name\": \"Positive Technologies\", \"type\": \"entity\", \"country\": \"RU\", \"threshold\": 0.9, "         \
    "\"limit\": 5, \"date\": \"2021-09-01\"}"

/* A connection the server closed (EOF or reset), without waiting. */
static int conn_closed(int fd)
{
    char c;
    ssize_t r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void test_hostile(void **state)
{
    (void)state;
    failures f = {0};
    const char *off = tok[R_OFFICER];
    char big[65536];
    /* a revoked token (made and revoked before the snapshot) */
    json_t *j = cli_ok("admin", "token", "create", "--user", "auditor", "--label", "to-revoke");
    char revoked[XC_TOKEN_LEN + 1], rid[32];
    snprintf(revoked, sizeof(revoked), "%s", json_string_value(json_object_get(j, "token")));
    id_of(j, "id", rid, sizeof(rid));
    json_decref(j);
    json_decref(cli_ok("admin", "token", "revoke", rid));

    snapshot before, after;
    snap(&before);
    snap_print("before the hostile requests", &before);
    double t0 = now_s();
    /* a connection that sends half a request line and then nothing: closed
     * after the idle timeout (--timeout 5); judged at the end */
    int idle = raw_connect();
    assert_true(idle >= 0);
    assert_int_equal(send_all(idle, "GET /heal", 9), 0);
    /* a NUL in the request line: libmicrohttpd (0.9.75) cuts the URL at the NUL and serves the rest
     * ("GET /healthz\0 HTTP/1.1" is GET /healthz); the handler cannot see it.  Judged: no 5xx, no hang. */
    R_later("raw NUL in the request line", "GET /healthz\0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 54,
            X_NOT_5XX);

    /* broken JSON */
    static const char *const broken[] = {"{", "{\"regime\": \"il\",}", "nul", "[]", "\"il\"", "123", "{} trailing",
                                         "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"record\": false} {}",
                                         "{\"regime\": \"i\\u0000l\", \"item\": \"4D004\", \"to\": \"MA\", \"record\": false}",
                                         "{\"regime\": 'il'}", "{regime: \"il\"}", "\xef\xbb\xbf{\"regime\": \"il\"}"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        snprintf(big, sizeof(big), "POST /v1/check broken JSON %s", broken[i]);
        H(&f, big, "POST", "/v1/check", off, broken[i], 0, NULL, X_4XX);
    }
    req_opts empty = {0};
    H(&f, "POST /v1/check with an empty JSON body", "POST", "/v1/check", off, "", 0, &empty, X_4XX);
    H(&f, "POST /v1/check with no body", "POST", "/v1/check", off, NULL, 0, NULL, X_4XX);
    /* deep nesting */
    char *deep = nested(10000, "[", "", "]");
    H(&f, "POST /v1/check [[[...]]] 10,000 deep", "POST", "/v1/check", off, deep, 0, NULL, X_4XX);
    free(deep);
    deep = nested(10000, "{\"a\":", "1", "}");
    H(&f, "POST /v1/screen {\"a\":{\"a\":...}} 10,000 deep", "POST", "/v1/screen", off, deep, 0, NULL, X_4XX);
    free(deep);
    deep = nested(200, "[", "\"x\"", "]");
    snprintf(big, sizeof(big), "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"parties\": %s, \"record\": false}",
             deep);
    free(deep);
    H(&f, "POST /v1/check parties nested 200 deep", "POST", "/v1/check", off, big, 0, NULL, X_4XX);
    /* huge bodies */
    huge_body(&f, "POST /v1/check 20 MB, Content-Length", (curl_off_t)20 << 20, 0, 0);
    huge_body(&f, "POST /v1/check 20 MB, Expect: 100-continue", (curl_off_t)20 << 20, 0, 1);
    huge_body(&f, "POST /v1/check 20 MB chunked", (curl_off_t)20 << 20, 1, 0);
    /* wrong types for each field of check and screen */
    wrong_types(&f, "POST", "/v1/check", CHECK_FULL);
    wrong_types(&f, "POST", "/v1/screen", SCREEN_FULL);
    H(&f, "POST /v1/check unknown field", "POST", "/v1/check", off,
      "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"record\": false, \"admin\": true}", 0, NULL, X_4XX);
    H(&f, "POST /v1/check missing item", "POST", "/v1/check", off, "{\"regime\": \"il\", \"to\": \"MA\", \"record\": false}",
      0, NULL, X_4XX);
    /* invalid UTF-8 in JSON strings and paths */
    H(&f, "POST /v1/screen name \\xff\\xfe", "POST", "/v1/screen", off, "{\"name\": \"\xff\xfe\"}", 0, NULL, X_4XX);
    H(&f, "POST /v1/check regime truncated UTF-8", "POST", "/v1/check", off,
      "{\"regime\": \"il\xc3\", \"item\": \"4D004\", \"to\": \"MA\", \"record\": false}", 0, NULL, X_4XX);
    H(&f, "POST /v1/screen overlong '/' \\xc0\\xaf", "POST", "/v1/screen", off, "{\"name\": \"a\xc0\xaf\"}", 0, NULL,
      X_4XX);
    H(&f, "POST /v1/screen lone surrogate \\ud800", "POST", "/v1/screen", off, "{\"name\": \"a\\ud800b\"}", 0, NULL,
      X_4XX);
    H(&f, "GET /v1/lists/%FF%FE", "GET", "/v1/lists/%FF%FE", NULL, NULL, 0, NULL, X_4XX);
    H(&f, "GET /v1/countries/%C0%AF", "GET", "/v1/countries/%C0%AF", NULL, NULL, 0, NULL, X_4XX);
    H(&f, "GET /v1/lists/il-cyber-marketing?at=%FF", "GET", "/v1/lists/il-cyber-marketing?at=%FF", NULL, NULL, 0, NULL,
      X_4XX);
    R(&f, "raw GET /v1/lists/\\xff\\xfe", "GET /v1/lists/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0,
      X_4XX_OR_CLOSED);
    /* path traversal */
    static const char *const trav[] = {"/v1/lists/..%2F..%2Fetc%2Fpasswd", "/v1/lists/%2e%2e/%2e%2e/etc/passwd",
                                       "/v1/lists/il-cyber-marketing%00.json", "/v1/countries/..%5C..%5Cwin.ini",
                                       "/v1/items/%00", "/v1/lists/il-cyber-marketing%2F..%2F..%2F"};
    for (size_t i = 0; i < sizeof(trav) / sizeof(trav[0]); i++) {
        snprintf(big, sizeof(big), "GET %s", trav[i]);
        H(&f, big, "GET", trav[i], NULL, NULL, 0, NULL, X_4XX);
    }
    req_opts asis = {.path_as_is = 1};
    H(&f, "GET /v1/../etc/passwd (as is)", "GET", "/v1/../etc/passwd", NULL, NULL, 0, &asis, X_4XX);
    H(&f, "GET /v1/lists/../../../etc/passwd (as is)", "GET", "/v1/lists/../../../etc/passwd", NULL, NULL, 0, &asis,
      X_4XX);
    R(&f, "raw GET /../../../../etc/passwd", "GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      0, X_4XX_OR_CLOSED);
    /* SQL-looking strings */
    H(&f, "GET /v1/lists/'; DROP TABLE document; --", "GET", "/v1/lists/%27%3B%20DROP%20TABLE%20document%3B%20--", NULL,
      NULL, 0, NULL, X_4XX);
    H(&f, "GET /v1/countries/' OR 1=1 --", "GET", "/v1/countries/%27%20OR%201%3D1%20--", NULL, NULL, 0, NULL, X_4XX);
    H(&f, "GET /v1/applications/APP-1' OR '1'='1", "GET", "/v1/applications/APP-1%27%20OR%20%271%27%3D%271",
      tok[R_ADMIN], NULL, 0, NULL, X_4XX);
    H(&f, "POST /v1/check regime SQL", "POST", "/v1/check", off,
      "{\"regime\": \"'; DROP TABLE document; --\", \"item\": \"4D004\", \"to\": \"MA\", \"record\": false}", 0, NULL,
      X_4XX);
    H(&f, "POST /v1/check item SQL", "POST", "/v1/check", off,
      "{\"regime\": \"il\", \"item\": \"4D004' OR '1'='1\", \"to\": \"MA\", \"record\": false}", 0, NULL, X_4XX);
    H(&f, "POST /v1/screen name SQL (a legal name)", "POST", "/v1/screen", off,
      "{\"name\": \"'; DROP TABLE document; --\", \"date\": \"2021-09-01\"}", 0, NULL, X_NOT_5XX);
    H(&f, "GET /v1/lists?as_recorded_at=' OR 1=1", "GET", "/v1/lists?as_recorded_at=%27%20OR%201%3D1", NULL, NULL, 0,
      NULL, X_4XX);
    /* methods */
    H(&f, "PATCH /v1/check", "PATCH", "/v1/check", off, "{}", 0, NULL, X_4XX);
    H(&f, "DELETE /v1/lists/il-cyber-marketing", "DELETE", "/v1/lists/il-cyber-marketing", tok[R_ADMIN], NULL, 0, NULL,
      X_4XX);
    H(&f, "BREW /v1/check", "BREW", "/v1/check", off, NULL, 0, NULL, X_4XX);
    H(&f, "PUT /v1/applications", "PUT", "/v1/applications", tok[R_EXPORTER], "{}", 0, NULL, X_4XX);
    H(&f, "GET /v1/check", "GET", "/v1/check", off, NULL, 0, NULL, X_4XX);
    H(&f, "TRACE /healthz", "TRACE", "/healthz", NULL, NULL, 0, NULL, X_4XX);
    H(&f, "HEAD /healthz", "HEAD", "/healthz", NULL, NULL, 0, NULL, X_NOT_5XX);
    H(&f, "HEAD /v1/check", "HEAD", "/v1/check", off, NULL, 0, NULL, X_NOT_5XX);
    H(&f, "OPTIONS /v1/check", "OPTIONS", "/v1/check", NULL, NULL, 0, NULL, X_NOT_5XX);
    H(&f, "GET /v1/nope", "GET", "/v1/nope", NULL, NULL, 0, NULL, X_4XX);
    /* content types, chunked bodies */
    req_opts noct = {.no_ctype = 1}, text = {.ctype = "text/plain"}, form = {.ctype = "application/x-www-form-urlencoded"},
             chunk = {.chunked = 1};
    H(&f, "POST /v1/check JSON without Content-Type", "POST", "/v1/check", off, CHECK_BODY, 0, &noct, X_NOT_5XX);
    H(&f, "POST /v1/check JSON as text/plain", "POST", "/v1/check", off, CHECK_BODY, 0, &text, X_NOT_5XX);
    H(&f, "POST /v1/check form-encoded", "POST", "/v1/check", off, "regime=il&item=4D004&to=MA&record=false", 0, &form,
      X_4XX);
    H(&f, "POST /v1/check chunked (valid)", "POST", "/v1/check", off, CHECK_BODY, 0, &chunk, X_NOT_5XX);
    /* framing: with a valid token, so that only the framing can be refused */
    static const char *const framing[][2] = {
        {"raw chunked with a bad chunk size", "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n"},
        {"raw Content-Length and Transfer-Encoding both (smuggling)",
         "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
        {"raw two different Content-Lengths", "Content-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}"},
        {"raw Content-Length -1", "Content-Length: -1\r\n\r\n{}"},
        {"raw Content-Length 1e3", "Content-Length: 1e3\r\n\r\n{}"},
    };
    for (size_t i = 0; i < sizeof(framing) / sizeof(framing[0]); i++) {
        int k = snprintf(big, sizeof(big),
                         "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                         "Content-Type: application/json\r\n%s",
                         off, framing[i][1]);
        R(&f, framing[i][0], big, (size_t)k, X_4XX_OR_CLOSED);
    }
    {
        static char te[512];
        int k = snprintf(te, sizeof(te),
                         "POST /v1/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                         "Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                         off);
        /* refused at once with the JSON error (it used to hang until the idle timeout) */
        R(&f, "raw Transfer-Encoding gzip, chunked", te, (size_t)k, X_4XX);
    }
    /* garbage request lines */
    R(&f, "raw GARBAGE", "GARBAGE\r\n\r\n", 0, X_4XX_OR_CLOSED);
    R(&f, "raw binary", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 15, X_4XX_OR_CLOSED);

    R(&f, "raw GET with no version", "GET /healthz\r\n\r\n", 0, X_4XX_OR_CLOSED);
    R(&f, "raw HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 0, X_4XX_OR_CLOSED);
    R(&f, "raw spaces in the request line", "GET  /healthz  HTTP/1.1 extra\r\nHost: x\r\nConnection: close\r\n\r\n", 0,
      X_4XX_OR_CLOSED);
    R(&f, "raw header without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n", 0,
      X_4XX_OR_CLOSED);
    /* a 100 KB request line, a header flood, one huge header */
    {
        size_t cap = 300000;
        char *b = malloc(cap);
        int k = snprintf(b, cap, "GET /v1/lists/");
        memset(b + k, 'a', 100000);
        k += 100000;
        k += snprintf(b + k, cap - (size_t)k, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        R(&f, "raw 100 KB request line", b, (size_t)k, X_4XX_OR_CLOSED);
        k = snprintf(b, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 5000 && (size_t)k < cap - 100; i++)
            k += snprintf(b + k, cap - (size_t)k, "X-Flood-%d: %d\r\n", i, i);
        k += snprintf(b + k, cap - (size_t)k, "Connection: close\r\n\r\n");
        R(&f, "raw 5,000 headers", b, (size_t)k, X_4XX_OR_CLOSED);
        k = snprintf(b, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
        memset(b + k, 'b', 200000);
        k += 200000;
        k += snprintf(b + k, cap - (size_t)k, "\r\nConnection: close\r\n\r\n");
        R(&f, "raw 200 KB header", b, (size_t)k, X_4XX_OR_CLOSED);
        free(b);
    }
    /* credentials */
    req_opts a1 = {.auth_header = "Bearer"}, a2 = {.auth_header = "Basic YWRtaW46YWRtaW4="},
             a3 = {.auth_header = "Bearer xct_gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg"},
             a5 = {.auth_header = "Bearer ' OR 1=1 --"};
    char withtail[200];
    snprintf(withtail, sizeof(withtail), "Bearer %sx", tok[R_ADMIN]);
    req_opts a4 = {.auth_header = withtail};
    H(&f, "GET /v1/users Authorization: Bearer (empty)", "GET", "/v1/users", NULL, NULL, 0, &a1, X_4XX);
    H(&f, "GET /v1/users Authorization: Basic", "GET", "/v1/users", NULL, NULL, 0, &a2, X_4XX);
    H(&f, "GET /v1/users non-hex token", "GET", "/v1/users", NULL, NULL, 0, &a3, X_4XX);
    H(&f, "GET /v1/users admin token with a byte more", "GET", "/v1/users", NULL, NULL, 0, &a4, X_4XX);
    H(&f, "GET /v1/users SQL token", "GET", "/v1/users", NULL, NULL, 0, &a5, X_4XX);
    H(&f, "GET /v1/users revoked token", "GET", "/v1/users", revoked, NULL, 0, NULL, X_4XX);
    H(&f, "GET /v1/lists revoked token (public route)", "GET", "/v1/lists", revoked, NULL, 0, NULL, X_4XX);
    /* query strings */
    static const char *const q[] = {"/v1/lists/il-cyber-marketing?at=2021-13-45", "/v1/lists/il-cyber-marketing?at=2021-02-30",
                                    "/v1/lists/il-cyber-marketing?at=%00", "/v1/lists/il-cyber-marketing?at=99999999999-01-01",
                                    "/v1/lists/il-cyber-marketing?bogus=1", "/v1/lists/il-cyber-marketing/diff?from=2021-11-25"};
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        snprintf(big, sizeof(big), "GET %s", q[i]);
        H(&f, big, "GET", q[i], NULL, NULL, 0, NULL, X_4XX);
    }
    static const char *const qa[] = {"/v1/audit/events?limit=-1", "/v1/audit/events?limit=abc",
                                     "/v1/audit/events?limit=99999999999999999999999"};
    for (size_t i = 0; i < sizeof(qa) / sizeof(qa[0]); i++) {
        snprintf(big, sizeof(big), "GET %s", qa[i]);
        H(&f, big, "GET", qa[i], tok[R_AUDITOR], NULL, 0, NULL, X_4XX);
    }
    /* batch limits */
    {
        json_t *names = json_array();
        for (int i = 0; i < 1001; i++)
            json_array_append_new(names, json_sprintf("Name %d", i));
        json_t *b = json_pack("{s:o, s:s}", "names", names, "date", "2021-09-01");
        char *t = json_dumps(b, JSON_COMPACT);
        H(&f, "POST /v1/screen/batch 1,001 names", "POST", "/v1/screen/batch", off, t, 0, NULL, X_4XX);
        free(t);
        json_decref(b);
    }

    /* slowloris: a request trickled byte by byte must not hold up others */
    {
        int fd = raw_connect();
        assert_true(fd >= 0);
        const char *part = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        assert_int_equal(send_all(fd, part, strlen(part)), 0);
        int served = 0;
        for (int i = 0; i < 8; i++) {
            send_all(fd, "a", 1);
            resp r;
            double t1 = now_s();
            http("GET", "/healthz", NULL, NULL, &r);
            if (r.status == 200 && now_s() - t1 < 2.0)
                served++;
            resp_free(&r);
            sleep_ms(150);
        }
        hostile_expect(&f, "slowloris: a trickled request held open while others are served", served == 8 ? 200 : 0,
                       NULL, 0, X_NOT_5XX);
        close(fd);
    }
    /* many connections from one IP beyond the per-IP limit (64) */
    {
        enum { N_CONN = 100 };
        int fds[N_CONN], refused = 0, opened = 0;
        for (int i = 0; i < N_CONN; i++) {
            fds[i] = raw_connect();
            if (fds[i] < 0)
                refused++;
            else
                opened++;
        }
        sleep_ms(500);
        for (int i = 0; i < N_CONN; i++)
            if (fds[i] >= 0 && conn_closed(fds[i]))
                refused++;
        print_message("%d connections from one IP: %d refused or closed by the server\n", N_CONN, refused);
        hostile_expect(&f, "100 idle connections from one IP: those beyond 64 closed", refused >= N_CONN - 64 ? 429 : 200,
                       NULL, 0, X_4XX_ANY);
        for (int i = 0; i < N_CONN; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        (void)opened;
        sleep_ms(200);
    }
    {
        double w = now_s();
        while (!conn_closed(idle) && now_s() - t0 < 12)
            sleep_ms(100);
        int closed = conn_closed(idle);
        print_message("an idle half-sent request was %s after %.1f s (--timeout 5)\n",
                      closed ? "closed" : "still open", now_s() - t0);
        hostile_expect(&f, "an idle half-sent request line, closed after the idle timeout", closed ? 408 : -1, NULL, 0,
                       X_4XX_OR_CLOSED);
        close(idle);
        (void)w;
        for (int i = 0; i < n_deferred; i++) {
            char *b = NULL;
            int wait_ms = (int)((t0 + 10 - now_s()) * 1000); /* up to 10 s after they were sent */
            ssize_t n = raw_read(deferreds[i].fd, wait_ms > 100 ? wait_ms : 100, &b);
            int st = n > 12 && !strncmp(b, "HTTP/1.", 7) ? atoi(b + 9) : n >= 0 ? 0 : -1;
            print_message("%s: %s after %.1f s\n", deferreds[i].what,
                          st > 0 ? "answered" : st == 0 ? "closed" : "still open", now_s() - t0);
            hostile_expect(&f, deferreds[i].what, st, NULL, 0, deferreds[i].expect);
            free(b);
            close(deferreds[i].fd);
        }
    }
    /* long non-ASCII values: error messages that quote them must stay valid UTF-8 */
    {
        char *b = malloc(8192);
        int k = snprintf(b, 8192, "/v1/lists/il-cyber-marketing?at=");
        for (int i = 0; i < 700; i++)
            k += snprintf(b + k, 8192 - (size_t)k, "%%C3%%A9");
        H(&f, "GET /v1/lists/il-cyber-marketing?at=<700 x U+00E9>", "GET", b, NULL, NULL, 0, NULL, X_4XX);
        k = snprintf(b, 8192, "{\"regime\": \"il\", \"item\": \"4D004\", \"record\": false, \"to\": \"");
        for (int i = 0; i < 1500; i++)
            k += snprintf(b + k, 8192 - (size_t)k, "\xe6\x97\xa5");
        snprintf(b + k, 8192 - (size_t)k, "\"}");
        H(&f, "POST /v1/check to = 1,500 x U+65E5", "POST", "/v1/check", off, b, 0, NULL, X_4XX);
        k = snprintf(b, 8192, "/v1/lists/");
        for (int i = 0; i < 400; i++)
            k += snprintf(b + k, 8192 - (size_t)k, "%%E6%%97%%A5");
        H(&f, "GET /v1/lists/<400 x U+65E5>", "GET", b, NULL, NULL, 0, NULL, X_4XX);
        free(b);
    }
    print_message("%d hostile requests in %.1f s\n", hostile_n, now_s() - t0);
    assert_true(hostile_n >= 50);

    /* the server still answers, and nothing changed */
    resp r;
    for (int i = 0; i < 50; i++) { /* the connections above may take a moment to be reaped */
        http("GET", "/healthz", NULL, NULL, &r);
        if (r.status == 200)
            break;
        resp_free(&r);
        sleep_ms(100);
    }
    if (r.status != 200)
        fail_add(&f, "after the hostile requests: /healthz answers %ld", r.status);
    resp_free(&r);
    http("POST", "/v1/check", off, CHECK_BODY, &r);
    j = resp_json(&r);
    if (r.status != 200 || strcmp(json_string_value(json_object_get(j, "outcome")) ? json_string_value(json_object_get(j, "outcome")) : "", "licence-required") != 0)
        fail_add(&f, "after the hostile requests: a real check answers %ld %.200s", r.status, r.body);
    json_decref(j);
    resp_free(&r);
    snap(&after);
    if (!snap_equal(&before, &after)) {
        snap_print("before", &before);
        snap_print("after", &after);
        fail_add(&f, "the hostile requests changed the stored data");
    }
    if (f.n)
        srv_dump_err(&g_srv);
    fail_check(&f, "hostile requests");
}

/* ---- stopping, and draining on SIGTERM -------------------------------------------------------------------------- */

static void test_stop(void **state)
{
    (void)state;
    int rc = srv_stop(&g_srv);
    if (rc != 0)
        srv_dump_err(&g_srv);
    assert_int_equal(rc, 0);
    int vrc;
    json_decref(cli_json(&vrc, NULL, "audit", "verify", (const char *)NULL));
    assert_int_equal(vrc, 0);
}

typedef struct inflight {
    CURL *c;
    struct curl_slist *h;
    resp r;
    int kind; /* 0: check, 1: licence suspend */
    char lic[32];
    int after_term; /* started before SIGTERM, finished after it */
} inflight;

static int64_t decision_events(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = NULL;
    char subj[64];
    int64_t n = -1;
    snprintf(subj, sizeof(subj), "decision:%lld", id);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_event WHERE subject = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, subj, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static void drain_start(CURLM *m, inflight *x, int kind, const char *lic)
{
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->c = curl_easy_init();
    char url[256], auth[128];
    if (kind == 0)
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/check", g_srv.port);
    else {
        snprintf(x->lic, sizeof(x->lic), "%s", lic);
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/licences/%s/suspend", g_srv.port, lic);
    }
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok[R_OFFICER]);
    x->h = curl_slist_append(NULL, auth);
    x->h = curl_slist_append(x->h, "Content-Type: application/json");
    x->h = curl_slist_append(x->h, "Expect:");
    curl_easy_setopt(x->c, CURLOPT_URL, url);
    curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->h);
    curl_easy_setopt(x->c, CURLOPT_POSTFIELDS,
                     kind == 0 ? "{\"regime\": \"il\", \"item\": \"4D004\", \"to\": \"MA\", \"activity\": \"marketing\", "
                                 "\"date\": \"2021-11-26\", \"record\": true}"
                               : "{\"reason\": \"drain test\"}");
    curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(x->c, CURLOPT_WRITEDATA, &x->r);
    curl_easy_setopt(x->c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
    curl_multi_add_handle(m, x->c);
}

static void test_drain(void **state)
{
    (void)state;
    enum { PAR = 24, N_LIC = 12 };
    char lics[N_LIC][32], app[32];
    for (int i = 0; i < N_LIC; i++)
        mk_app(0, "approved", app, lics[i]);
    srv_start(&g_srv, g_db);
    CURLM *m = curl_multi_init();
    inflight *x = calloc(4096, sizeof(*x));
    int n_x = 0, running = 0, next_lic = 0, termed = 0, in_flight_at_term = 0;
    double t0 = now_s();
    for (int i = 0; i < PAR; i++, n_x++)
        drain_start(m, &x[n_x], 0, NULL);
    long long acked_dec[4096];
    int n_acked = 0, n_lic_acked = 0, n_failed = 0, drained = 0;
    char lic_acked[N_LIC][32];
    do {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            inflight *d = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
            curl_easy_getinfo(d->c, CURLINFO_RESPONSE_CODE, &d->r.status);
            if (d->r.status >= 200 && d->r.status < 300) {
                if (d->after_term)
                    drained++;
                if (d->kind == 0) {
                    json_t *j = resp_json(&d->r);
                    json_t *id = json_object_get(j, "decision_id");
                    assert_true(json_is_integer(id));
                    acked_dec[n_acked++] = (long long)json_integer_value(id);
                    json_decref(j);
                } else {
                    snprintf(lic_acked[n_lic_acked++], 32, "%s", d->lic);
                }
            } else {
                n_failed++;
                if (getenv("XC_TEST_VERBOSE"))
                    print_message("drain: %s %s: status %ld, curl %d (%s)\n", d->kind ? d->lic : "check",
                                  termed ? "after SIGTERM" : "before SIGTERM", d->r.status, (int)msg->data.result,
                                  curl_easy_strerror(msg->data.result));
                if (d->r.status >= 500 || (!termed && d->r.status))
                    print_message("drain: %s answered %ld before or during the stop: %.200s\n",
                                  d->kind ? d->lic : "check", d->r.status, d->r.body ? d->r.body : "");
                if (!termed)
                    fail_msg("a request failed before SIGTERM");
            }
            curl_multi_remove_handle(m, d->c);
            curl_easy_cleanup(d->c);
            d->c = NULL;
            curl_slist_free_all(d->h);
            resp_free(&d->r);
            /* keep the load up until SIGTERM */
            if (!termed && n_x < 4000) {
                if (next_lic < N_LIC && n_x % 8 == 0)
                    drain_start(m, &x[n_x++], 1, lics[next_lic++]);
                else
                    drain_start(m, &x[n_x++], 0, NULL);
            }
        }
        if (!termed && (n_acked >= 60 || now_s() - t0 > 20)) {
            kill(g_srv.pid, SIGTERM);
            termed = 1;
            for (int i = 0; i < n_x; i++)
                if (x[i].c) {
                    x[i].after_term = 1;
                }
            curl_multi_perform(m, &running);
            in_flight_at_term = running;
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 50, NULL);
    } while (running || !termed);
    curl_multi_cleanup(m);
    free(x);
    /* the process exits 0 */
    double t1 = now_s();
    int st = 0;
    while (waitpid(g_srv.pid, &st, WNOHANG) != g_srv.pid) {
        if (now_s() - t1 > 60) {
            kill(g_srv.pid, SIGKILL);
            fail_msg("the server did not exit within 60 s of SIGTERM");
        }
        sleep_ms(10);
    }
    g_srv.pid = 0;
    print_message("drain: %d checks and %d licence actions acknowledged (%d finished after SIGTERM, %d requests in "
                  "flight at SIGTERM), %d refused or cut\n",
                  n_acked, n_lic_acked, drained, in_flight_at_term, n_failed);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        srv_dump_err(&g_srv);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_true(n_acked > 0);
    /* every acknowledged write is durable */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int lost = 0;
    for (int i = 0; i < n_acked; i++)
        if (decision_events(db, acked_dec[i]) != 1) {
            print_message("decision %lld was acknowledged but has no audit event\n", acked_dec[i]);
            lost++;
        }
    sqlite3_close(db);
    for (int i = 0; i < n_lic_acked; i++) {
        json_t *j = cli_ok(NULL, "licence", "show", lic_acked[i]);
        const char *s = json_string_value(json_object_get(j, "status"));
        if (!s || strcmp(s, "suspended") != 0) {
            print_message("licence %s: suspension acknowledged, status now %s\n", lic_acked[i], s ? s : "?");
            lost++;
        }
        json_decref(j);
    }
    assert_int_equal(lost, 0);
    int vrc;
    json_decref(cli_json(&vrc, NULL, "audit", "verify", (const char *)NULL));
    assert_int_equal(vrc, 0);
    /* after a restart the server serves the acknowledged decisions */
    srv_start(&g_srv, g_db);
    char path[128];
    resp r;
    snprintf(path, sizeof(path), "/v1/decisions/%lld/replay", acked_dec[n_acked - 1]);
    http("GET", path, tok[R_AUDITOR], NULL, &r);
    if (r.status != 200)
        print_message("%s: %ld %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(srv_stop(&g_srv), 0);
}

/* ---- main ------------------------------------------------------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    snprintf(g_db, sizeof(g_db), "%s", tu_path("server.db"));
    setup_actors();
    setup_audit();
    srv_start(&g_srv, g_db);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (g_srv.pid)
        srv_stop(&g_srv);
    free(g_verify_proof_body);
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract_list),    cmocka_unit_test(test_contract_check),
        cmocka_unit_test(test_contract_openapi), cmocka_unit_test(test_contract_metrics),
        cmocka_unit_test(test_role_matrix),      cmocka_unit_test(test_exporter_scope),
        cmocka_unit_test(test_four_eyes),        cmocka_unit_test(test_revocation_immediate),
        cmocka_unit_test(test_external_import_seen),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_stop),             cmocka_unit_test(test_drain),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
