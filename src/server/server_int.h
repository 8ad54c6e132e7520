/*
 * server_int.h: the server's private state, shared by http.c (the daemon,
 * dispatch, responses, access log), srvctx.c (per-thread contexts, the
 * shared screening index, the write queue), metrics.c (counters and the
 * Prometheus text) and routes_ops.c (health, metrics, OpenAPI handlers).
 * Nothing here is part of the API that route handlers use (server.h).
 */
#ifndef XC_SERVER_INT_H
#define XC_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "commitq.h"
#include "date.h"
#include "server.h"

#define SRV_MAX_SEGS 16          /* path segments a route pattern or a request path may have */
#define SRV_MAX_HELD 4           /* screening indexes one request may hold at once */

/* ---- metrics (metrics.c) ------------------------------------------------------- */

/* Method labels counted; anything else is "OTHER". */
enum { M_GET, M_HEAD, M_POST, M_PUT, M_DELETE, M_PATCH, M_OPTIONS, M_OTHER, M_COUNT };
/* Status labels counted (srv_status_slot); the last one is "other". */
#define SRV_N_STATUS 20
/* Latency histogram upper bounds in seconds (plus +Inf). */
#define SRV_N_BUCKETS 14

/* One thread's counters (or the shared fallback): slots are route indexes,
 * slot n_routes is "no route".  Written only by one thread (relaxed atomics
 * so the metrics reader sees whole values), except the fallback. */
typedef struct srv_counters {
    size_t n_slots;
    _Atomic uint64_t *requests;  /* [slot][M_COUNT][SRV_N_STATUS] */
    _Atomic uint64_t *buckets;   /* [slot][SRV_N_BUCKETS + 1] (non-cumulative; last is +Inf) */
    _Atomic uint64_t *sum_us;    /* [slot] */
    _Atomic uint64_t *count;     /* [slot] */
} srv_counters;

int srv_counters_init(srv_counters *c, size_t n_slots);
void srv_counters_free(srv_counters *c);
void srv_counters_add(srv_counters *c, size_t slot, const char *method, int status, uint64_t duration_us);
int srv_method_slot(const char *method);

/* ---- the shared screening index (srvctx.c) -------------------------------------- */

/* One build of the screening data: the party snapshots and allow-list it
 * was built from (the index borrows the snapshots) and the index of the
 * snapshots in force on `day`, or the error that building it failed with
 * (screening fails closed).  Reference counted under srv->scr_mu. */
typedef struct srv_scr_gen {
    uint64_t serial;             /* unique per build */
    uint64_t data_gen;           /* srv->gen when built */
    xc_date day;
    int64_t built_us;
    int refs;
    int rc;
    xc_error err;
    xc_party_snapshot *snaps;
    size_t n_snaps;
    xc_allow *allow;
    size_t n_allow;
    xc_screen_index *idx;
    struct srv_scr_gen *next;    /* on srv->scr_retired */
} srv_scr_gen;

/* ---- per-thread context --------------------------------------------------------- */

/* Resolved tokens, by SHA-256 of the token.  Valid while the thread's
 * connection sees no commit by another connection (xc_store_data_version)
 * and no token, user or password changed through this server
 * (xc_srv_auth_changed): a revocation takes effect at the next request. */
#define SRV_TOKEN_CACHE 16
typedef struct srv_token_cache {
    int64_t data_version;
    uint64_t auth_gen;
    size_t next;
    struct {
        int used;
        unsigned char key[32];
        xc_principal who;
    } e[SRV_TOKEN_CACHE];
} srv_token_cache;

struct xc_srv_thread {
    xc_srv *srv;
    srv_token_cache tokens;
    int64_t gen_polled_us;       /* when this thread last read the data generation */
    uint64_t srv_id;
    xc_store *store;
    xc_policy *policy;
    uint64_t policy_gen;
    xc_screen_scratch *scratch;
    uint64_t scratch_serial;
    srv_scr_gen *held[SRV_MAX_HELD];
    srv_counters counters;
    struct xc_srv_thread *next;  /* on srv->threads */
};

/* A route's pattern, split once at start. */
typedef struct srv_pattern {
    size_t n_segs;
    const char *segs[SRV_MAX_SEGS]; /* literal segment, or NULL for {param} */
    char *buf;                      /* storage of segs */
    size_t n_literal;
} srv_pattern;

struct xc_srv {
    uint64_t id;                 /* unique per start (thread contexts check it) */
    struct MHD_Daemon *daemon;
    int port;
    char *db_path;
    char listen[128];
    int threads;
    size_t max_body;
    int max_depth;
    int per_ip;
    int timeout_s;
    int quiet;
    int64_t started_us;

    xc_store *main;              /* the writer connection, owned by q while it is open */
    xc_commitq *q;
    _Atomic uint64_t gen;        /* data generation (xc_srv_data_changed) */
    _Atomic uint64_t auth_gen;   /* tokens, users, passwords (xc_srv_auth_changed) */
    _Atomic long inflight;       /* requests begun and not completed */

    const xc_route *routes;
    size_t n_routes;
    srv_pattern *pats;

    pthread_mutex_t mu;          /* threads list, shared counters, data_gen */
    char data_gen[32];           /* xc_store_data_generation last acted on */
    xc_srv_thread *thread_list;
    srv_counters shared;         /* requests completed outside a pool thread */

    pthread_mutex_t scr_mu;      /* screening generations */
    srv_scr_gen *scr_cur;
    srv_scr_gen *scr_retired;
    uint64_t scr_serial;
};

/* This thread's context for srv, created on first use (NULL only when out
 * of memory).  The store may still be NULL when it failed to open. */
xc_srv_thread *srv_thread_get(xc_srv *srv);
/* This thread's context if it exists already, else NULL. */
xc_srv_thread *srv_thread_peek(xc_srv *srv);
/* Release the screening indexes a request forgot to give back. */
void srv_thread_end_request(xc_srv_thread *th);
/* Free every thread context (after the daemon stopped). */
void srv_threads_free(xc_srv *srv);

/* Build the first screening generation on s (at start; failure is kept, not fatal). */
void srv_screen_warm(xc_srv *srv, xc_store *s);
/* Acquire the current screening generation (building it on s if stale). */
srv_scr_gen *srv_screen_acquire(xc_srv *srv, xc_store *s, xc_error *err);
void srv_screen_release(xc_srv *srv, srv_scr_gen *g);
void srv_screen_free_all(xc_srv *srv);

/* The Prometheus text exposition (metrics.c); s is the caller's thread store. */
int srv_metrics_text(xc_srv *srv, xc_store *s, char **out, xc_error *err);

/* Status of the server for /healthz. */
int srv_health_json(xc_srv *srv, xc_store *s, json_t **out, xc_error *err);

/* Version string reported in build info. */
const char *srv_version(void);

#endif
