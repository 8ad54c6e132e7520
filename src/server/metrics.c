/*
 * metrics.c: request counters and latency histograms, kept per pool thread
 * (no shared cache line on the hot path) and summed when /metrics is read,
 * and the Prometheus text exposition (format 0.0.4): requests by route,
 * method and status, latency histograms by route with fixed buckets, the
 * age of every party-list snapshot in force, the audit log's head size,
 * the write queue's counters and build information.  No secrets: no
 * tokens, users or paths of requests appear.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "parties.h"
#include "server_int.h"

#ifndef XC_VERSION
#define XC_VERSION "0.1.0"
#endif

const char *srv_version(void)
{
    return XC_VERSION;
}

static const char *const method_names[M_COUNT] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"};
static const int status_codes[SRV_N_STATUS - 1] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405,
                                                   408, 409, 413, 414, 415, 422, 431, 500, 503};
static const double bucket_bounds[SRV_N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

int srv_method_slot(const char *method)
{
    for (int i = 0; i < M_OTHER; i++)
        if (strcmp(method, method_names[i]) == 0)
            return i;
    return M_OTHER;
}

static int status_slot(int status)
{
    for (int i = 0; i < SRV_N_STATUS - 1; i++)
        if (status_codes[i] == status)
            return i;
    return SRV_N_STATUS - 1;
}

int srv_counters_init(srv_counters *c, size_t n_slots)
{
    memset(c, 0, sizeof(*c));
    c->n_slots = n_slots;
    c->requests = xc_calloc(n_slots * M_COUNT * SRV_N_STATUS, sizeof(*c->requests));
    c->buckets = xc_calloc(n_slots * (SRV_N_BUCKETS + 1), sizeof(*c->buckets));
    c->sum_us = xc_calloc(n_slots, sizeof(*c->sum_us));
    c->count = xc_calloc(n_slots, sizeof(*c->count));
    if (!c->requests || !c->buckets || !c->sum_us || !c->count) {
        srv_counters_free(c);
        return XC_ENOMEM;
    }
    return XC_OK;
}

void srv_counters_free(srv_counters *c)
{
    if (!c)
        return;
    xc_free((void *)c->requests);
    xc_free((void *)c->buckets);
    xc_free((void *)c->sum_us);
    xc_free((void *)c->count);
    memset(c, 0, sizeof(*c));
}

void srv_counters_add(srv_counters *c, size_t slot, const char *method, int status, uint64_t duration_us)
{
    if (!c->requests || slot >= c->n_slots)
        return;
    size_t i = (slot * M_COUNT + (size_t)srv_method_slot(method)) * SRV_N_STATUS + (size_t)status_slot(status);
    atomic_fetch_add_explicit(&c->requests[i], 1, memory_order_relaxed);
    double secs = (double)duration_us / 1e6;
    size_t b = 0;
    while (b < SRV_N_BUCKETS && secs > bucket_bounds[b])
        b++;
    atomic_fetch_add_explicit(&c->buckets[slot * (SRV_N_BUCKETS + 1) + b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->sum_us[slot], duration_us, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->count[slot], 1, memory_order_relaxed);
}

/* ---- text building -------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *np = xc_realloc(b->p, cap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

/* A label value with \, " and newline escaped (into a fixed buffer; truncates). */
static const char *label(const char *s, char *buf, size_t cap)
{
    size_t o = 0;
    for (; *s && o + 3 < cap; s++) {
        if (*s == '\\' || *s == '"') {
            buf[o++] = '\\';
            buf[o++] = *s;
        } else if (*s == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* Sum of a counter array over every thread and the shared fallback. */
typedef struct totals {
    uint64_t *requests, *buckets, *sum_us, *count;
} totals;

static void add_counters(totals *t, const srv_counters *c, size_t n_slots)
{
    if (!c->requests)
        return;
    for (size_t i = 0; i < n_slots * M_COUNT * SRV_N_STATUS; i++)
        t->requests[i] += atomic_load_explicit(&c->requests[i], memory_order_relaxed);
    for (size_t i = 0; i < n_slots * (SRV_N_BUCKETS + 1); i++)
        t->buckets[i] += atomic_load_explicit(&c->buckets[i], memory_order_relaxed);
    for (size_t i = 0; i < n_slots; i++) {
        t->sum_us[i] += atomic_load_explicit(&c->sum_us[i], memory_order_relaxed);
        t->count[i] += atomic_load_explicit(&c->count[i], memory_order_relaxed);
    }
}

static void emit_requests(sbuf *b, xc_srv *srv, const totals *t)
{
    char lb[512];
    size_t n_slots = srv->n_routes + 1;
    sb_printf(b, "# HELP exportctl_http_requests_total HTTP requests answered, by route, method and status.\n"
                 "# TYPE exportctl_http_requests_total counter\n");
    for (size_t s = 0; s < n_slots; s++) {
        const char *route = s < srv->n_routes ? srv->routes[s].pattern : "none";
        for (int m = 0; m < M_COUNT; m++) {
            for (int k = 0; k < SRV_N_STATUS; k++) {
                uint64_t v = t->requests[(s * M_COUNT + (size_t)m) * SRV_N_STATUS + (size_t)k];
                if (!v)
                    continue;
                char st[16];
                if (k < SRV_N_STATUS - 1)
                    snprintf(st, sizeof(st), "%d", status_codes[k]);
                else
                    snprintf(st, sizeof(st), "other");
                sb_printf(b, "exportctl_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                          label(route, lb, sizeof(lb)), method_names[m], st, (unsigned long long)v);
            }
        }
    }
    sb_printf(b, "# HELP exportctl_http_request_duration_seconds Time from request line to response sent, by route.\n"
                 "# TYPE exportctl_http_request_duration_seconds histogram\n");
    for (size_t s = 0; s < n_slots; s++) {
        if (!t->count[s])
            continue;
        const char *route = label(s < srv->n_routes ? srv->routes[s].pattern : "none", lb, sizeof(lb));
        uint64_t cum = 0;
        for (size_t k = 0; k <= SRV_N_BUCKETS; k++) {
            cum += t->buckets[s * (SRV_N_BUCKETS + 1) + k];
            if (k < SRV_N_BUCKETS)
                sb_printf(b, "exportctl_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", route,
                          bucket_bounds[k], (unsigned long long)cum);
            else
                sb_printf(b, "exportctl_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                          route, (unsigned long long)cum);
        }
        sb_printf(b, "exportctl_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route,
                  (double)t->sum_us[s] / 1e6);
        sb_printf(b, "exportctl_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route,
                  (unsigned long long)t->count[s]);
    }
}

static void emit_snapshots(sbuf *b, xc_srv *srv, xc_store *s)
{
    char lb[512];
    xc_error err;
    srv_scr_gen *g = srv_screen_acquire(srv, s, &err);
    sb_printf(b, "# HELP exportctl_screening_snapshot_age_days Days since the list date of each party-list snapshot "
                 "in force today.\n# TYPE exportctl_screening_snapshot_age_days gauge\n");
    if (g && g->snaps && g->n_snaps) {
        const xc_party_snapshot **in_force = xc_calloc(g->n_snaps, sizeof(*in_force));
        if (in_force) {
            xc_date today = xc_date_today();
            size_t n = xc_parties_in_force(g->snaps, g->n_snaps, today, in_force);
            for (size_t i = 0; i < n; i++)
                sb_printf(b, "exportctl_screening_snapshot_age_days{list=\"%s\"} %d\n",
                          label(in_force[i]->list_id, lb, sizeof(lb)), (int)(today - in_force[i]->list_date));
            xc_free((void *)in_force);
        } else {
            b->failed = 1;
        }
    }
    sb_printf(b, "# HELP exportctl_screening_index_ok 1 when the screening index is built, 0 when screening fails "
                 "closed.\n# TYPE exportctl_screening_index_ok gauge\nexportctl_screening_index_ok %d\n",
              g && g->rc == XC_OK ? 1 : 0);
    srv_screen_release(srv, g);
}

int srv_metrics_text(xc_srv *srv, xc_store *s, char **out, xc_error *err)
{
    *out = NULL;
    size_t n_slots = srv->n_routes + 1;
    totals t = {xc_calloc(n_slots * M_COUNT * SRV_N_STATUS, sizeof(uint64_t)),
                xc_calloc(n_slots * (SRV_N_BUCKETS + 1), sizeof(uint64_t)), xc_calloc(n_slots, sizeof(uint64_t)),
                xc_calloc(n_slots, sizeof(uint64_t))};
    sbuf b = {0};
    int rc = XC_OK;
    if (!t.requests || !t.buckets || !t.sum_us || !t.count) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory building metrics");
        goto out;
    }
    pthread_mutex_lock(&srv->mu);
    for (xc_srv_thread *th = srv->thread_list; th; th = th->next)
        add_counters(&t, &th->counters, n_slots);
    add_counters(&t, &srv->shared, n_slots);
    pthread_mutex_unlock(&srv->mu);

    emit_requests(&b, srv, &t);
    sb_printf(&b, "# HELP exportctl_http_requests_in_flight Requests begun and not yet completed.\n"
                  "# TYPE exportctl_http_requests_in_flight gauge\nexportctl_http_requests_in_flight %ld\n",
              atomic_load(&srv->inflight));
    emit_snapshots(&b, srv, s);

    xc_audit_head_row h;
    memset(&h, 0, sizeof(h));
    xc_error herr;
    int hrc = xc_store_head_get(s, &h, &herr);
    if (hrc == XC_OK || hrc == XC_ENOTFOUND)
        sb_printf(&b, "# HELP exportctl_audit_head_size Events in the audit log under the signed head.\n"
                      "# TYPE exportctl_audit_head_size gauge\nexportctl_audit_head_size %lld\n",
                  hrc == XC_OK ? (long long)h.size : 0LL);
    xc_audit_head_row_clear(&h);

    if (srv->q) {
        xc_commitq_stats st;
        xc_commitq_stats_get(srv->q, &st);
        sb_printf(&b,
                  "# HELP exportctl_write_queue_commits_total Transactions committed by the group-commit queue.\n"
                  "# TYPE exportctl_write_queue_commits_total counter\nexportctl_write_queue_commits_total %llu\n"
                  "# HELP exportctl_write_queue_writes_total Writes acknowledged by the group-commit queue.\n"
                  "# TYPE exportctl_write_queue_writes_total counter\nexportctl_write_queue_writes_total %llu\n",
                  (unsigned long long)st.commits, (unsigned long long)st.committed);
    }
    sb_printf(&b, "# HELP exportctl_data_generation Times the server's engines were told the data changed.\n"
                  "# TYPE exportctl_data_generation counter\nexportctl_data_generation %llu\n",
              (unsigned long long)atomic_load(&srv->gen));
    char bundle[65];
    xc_db_bundle_hash(bundle);
    bundle[12] = '\0';
    sb_printf(&b, "# HELP exportctl_build_info Version and bundled-data hash of this build.\n"
                  "# TYPE exportctl_build_info gauge\nexportctl_build_info{version=\"%s\",bundle=\"%s\"} 1\n"
                  "# HELP exportctl_start_time_seconds When the server started (Unix time).\n"
                  "# TYPE exportctl_start_time_seconds gauge\nexportctl_start_time_seconds %lld\n",
              srv_version(), bundle, (long long)(srv->started_us / 1000000));
    if (b.failed) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory building metrics");
        goto out;
    }
    *out = b.p;
    b.p = NULL;
out:
    xc_free(b.p);
    xc_free(t.requests);
    xc_free(t.buckets);
    xc_free(t.sum_us);
    xc_free(t.count);
    return rc;
}

int srv_health_json(xc_srv *srv, xc_store *s, json_t **out, xc_error *err)
{
    *out = NULL;
    xc_audit_head_row h;
    memset(&h, 0, sizeof(h));
    int rc = xc_store_head_get(s, &h, err);
    if (rc != XC_OK && rc != XC_ENOTFOUND)
        return rc;
    int64_t size = rc == XC_OK ? h.size : 0;
    xc_audit_head_row_clear(&h);
    xc_error_clear(err);
    char started[XC_TS_BUF];
    *out = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s, s:s, s:I, s:i}", "status", "ok", "db", "ok", "backend",
                     xc_store_backend(s), "schema_version", xc_store_schema_version(s), "audit_size",
                     (json_int_t)size, "version", srv_version(), "started", xc_ts_format(srv->started_us, started),
                     "generation", (json_int_t)atomic_load(&srv->gen), "threads", srv->threads);
    return *out ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}
