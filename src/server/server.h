/*
 * server.h: exportctl's HTTP API (issue 6).  libmicrohttpd with its
 * internal epoll thread pool; JSON bodies with jansson; every route
 * declared once, in a table (routes.c), from which dispatch, role checks,
 * the OpenAPI document and the role tests are all derived.
 *
 * Threads: each pool thread has its own context (xc_srv_thread): its own
 * store connection (SQLite WAL lets reads run beside one writer), its own
 * policy engine and screening scratch, created on first use and rebuilt
 * when the server's data generation changes (an import through the API
 * bumps it).  Writes run on the thread's connection (each library call
 * opens its own transaction; busy_timeout serialises writers) or, for the
 * hot paths, through the server's group-commit queue (commitq.h).
 */
#ifndef XC_SERVER_H
#define XC_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "error.h"
#include "policy.h"
#include "screen.h"
#include "store.h"

/* ---- requests and responses ----------------------------------------------- */

typedef struct xc_srv xc_srv;
typedef struct xc_srv_thread xc_srv_thread;

#define XC_REQ_MAX_PARAMS 4

typedef struct xc_req {
    const char *method;
    const char *path;
    const char *params[XC_REQ_MAX_PARAMS]; /* path parameters, in pattern order (URL-decoded) */
    size_t n_params;
    json_t *body;            /* parsed JSON body (object), or NULL when there was none */
    const char *raw;         /* raw body bytes (imports take files as text), NUL-terminated */
    size_t raw_len;
    const char *content_type;
    const xc_principal *who;
    xc_srv *srv;
    xc_srv_thread *th;       /* this thread's context: store, engines */
    void *conn;              /* struct MHD_Connection *, for query arguments */
} xc_req;

/* A query-string argument, or NULL. */
const char *xc_req_query(const xc_req *r, const char *name);

typedef struct xc_resp {
    int status;              /* 0: 200 */
    json_t *body;            /* owned; serialised as the response */
    char *text;              /* or a text body (xc_malloc'd), e.g. a checkpoint note, metrics */
    const char *content_type;/* default application/json (or text/plain for text) */
} xc_resp;

/* A handler answers r in *out and returns XC_OK, or returns an XC_E* code
 * with err filled: the server then answers xc_error_http_status(code) with
 * {"error": {"code", "message", "field"}}.  Handlers never print. */
typedef int (*xc_handler)(xc_req *r, xc_resp *out, xc_error *err);

typedef struct xc_route {
    const char *method;      /* "GET", "POST" */
    const char *pattern;     /* "/v1/lists/{id}/diff": {name} matches one path segment */
    xc_handler fn;
    unsigned roles;          /* XC_ROLE_* bits allowed; others get 403 (or 401 without a valid token) */
    const char *summary;     /* one line, for OpenAPI */
    const char *query;       /* documented query parameters "at,as_recorded_at" or NULL */
    const char *body;        /* documented body fields "regime*,item*,to*,activity" (* required) or NULL */
    const char *tag;         /* OpenAPI tag: lists, checks, screening, licensing, audit, admin, ops */
} xc_route;

/* Each routes_*.c file declares its part of the table beside its handlers:
 * routes_ops.c (health, metrics, OpenAPI), routes_data.c (lists,
 * countries, items, rules, parties, imports, audit), routes_checks.c
 * (check, screen, match, allow-list, decisions), routes_lic.c (orgs,
 * users, tokens, applications, licences, criteria, impact).  Every route
 * is declared exactly once; xc_routes_all() joins the parts (routes.c). */
extern const xc_route xc_routes_ops[], xc_routes_data[], xc_routes_checks[], xc_routes_lic[];
extern const size_t xc_n_routes_ops, xc_n_routes_data, xc_n_routes_checks, xc_n_routes_lic;

/* The whole table, in the order above. */
const xc_route *xc_routes_all(size_t *n);

/* ---- thread context --------------------------------------------------------- */

/* This thread's store connection (opened on first use). */
xc_store *xc_srv_store(xc_req *r, xc_error *err);

/* This thread's policy engine, current with the server's data generation. */
int xc_srv_policy(xc_req *r, xc_policy **out, xc_error *err);

/* The shared screening index (current generation) and this thread's scratch. */
int xc_srv_screen(xc_req *r, const xc_screen_index **idx, xc_screen_scratch **scratch, const xc_allow **allow,
                  size_t *n_allow, xc_error *err);
void xc_srv_screen_release(xc_req *r, const xc_screen_index *idx);
/* Serial of the shared index the last xc_srv_screen of this thread returned
 * (unique per build; answers computed from it may be cached under it). */
uint64_t xc_srv_screen_serial(xc_req *r);

/* Data the engines are built from changed (an import): every thread
 * rebuilds its engines before its next request. */
void xc_srv_data_changed(xc_srv *srv);

/* A token, user or password changed: every thread drops the tokens it
 * resolved before its next request.  (Changes by other processes are seen
 * through the database's data version.) */
void xc_srv_auth_changed(xc_srv *srv);

/* Run fn in the server's group-commit queue (one transaction shared with
 * other requests, one fsync); returns after the commit (or fn's error).
 * fn may run more than once (see commitq.h) and must leave its results in
 * arg only when it returns XC_OK. */
int xc_srv_write(xc_req *r, int (*fn)(xc_store *s, void *arg, xc_error *err), void *arg, xc_error *err);

/* ---- the server ---------------------------------------------------------------- */

typedef struct xc_srv_opts {
    const char *listen;      /* "127.0.0.1:8080" */
    const char *db_path;
    int threads;             /* pool size; 0: 4 per CPU, at least 8, at most 64 (a thread
                              * waits while its write commits, so the pool size bounds how
                              * many writes share one fsync) */
    size_t max_body;         /* bytes; 0: 8 MiB */
    int max_depth;           /* JSON nesting; 0: 32 */
    int per_ip;              /* concurrent connections per IP; 0: 64 */
    int timeout_s;           /* idle connection timeout; 0: 30 */
    int quiet;               /* no access log */
} xc_srv_opts;

/* Open the database (loading the bundled data if new), build the engines,
 * start listening.  *port gets the bound port (useful with port 0). */
int xc_srv_start(const xc_srv_opts *o, xc_srv **out, int *port, xc_error *err);

/* Stop accepting, let in-flight requests finish (up to drain_s seconds),
 * commit queued writes, close.  Accepts NULL. */
void xc_srv_stop(xc_srv *srv, int drain_s);

/* The OpenAPI 3.1 document generated from xc_routes. */
json_t *xc_openapi_json(void);

#endif
