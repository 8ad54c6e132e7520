/*
 * srvctx.c: what route handlers reach through xc_req: this pool thread's
 * context (its own store connection and policy engine, created on first
 * use and rebuilt when the data generation changes), the screening index
 * shared by every thread (one build per data generation and day, reference
 * counted so that a rebuild never frees an index a request still reads,
 * together with the party snapshots it borrows and the allow-list), and
 * the group-commit queue for writes.
 */
#include <string.h>
#include <time.h>

#include "mem.h"
#include "parties.h"
#include "server_int.h"

static _Thread_local xc_srv_thread *tls_th;

xc_srv_thread *srv_thread_peek(xc_srv *srv)
{
    xc_srv_thread *th = tls_th;
    return th && th->srv == srv && th->srv_id == srv->id ? th : NULL;
}

xc_srv_thread *srv_thread_get(xc_srv *srv)
{
    xc_srv_thread *th = srv_thread_peek(srv);
    if (th)
        return th;
    th = xc_calloc(1, sizeof(*th));
    if (!th)
        return NULL;
    th->srv = srv;
    th->srv_id = srv->id;
    if (srv_counters_init(&th->counters, srv->n_routes + 1)) {
        xc_free(th);
        return NULL;
    }
    pthread_mutex_lock(&srv->mu);
    th->next = srv->thread_list;
    srv->thread_list = th;
    pthread_mutex_unlock(&srv->mu);
    tls_th = th;
    return th;
}

void srv_thread_end_request(xc_srv_thread *th)
{
    if (!th)
        return;
    for (size_t i = 0; i < SRV_MAX_HELD; i++) {
        if (th->held[i]) {
            srv_screen_release(th->srv, th->held[i]);
            th->held[i] = NULL;
        }
    }
}

void srv_threads_free(xc_srv *srv)
{
    xc_srv_thread *th = srv->thread_list, *next;
    for (; th; th = next) {
        next = th->next;
        srv_thread_end_request(th);
        xc_policy_free(th->policy);
        xc_screen_scratch_free(th->scratch);
        xc_store_close(th->store);
        srv_counters_free(&th->counters);
        xc_free(th);
    }
    srv->thread_list = NULL;
}

/* ---- store and policy --------------------------------------------------------- */

static xc_store *thread_store(xc_srv_thread *th, xc_error *err)
{
    if (!th->store && xc_store_open(th->srv->db_path, &th->store, err) != XC_OK)
        th->store = NULL;
    return th->store;
}

xc_store *xc_srv_store(xc_req *r, xc_error *err)
{
    if (!r || !r->th) {
        xc_error_set(err, XC_EINTERNAL, NULL, "no server thread context");
        return NULL;
    }
    xc_store *s = thread_store(r->th, err);
    if (!s)
        return NULL;
    const char *actor = r->who && r->who->user[0] ? r->who->user : "public";
    if (strcmp(xc_store_actor(s), actor) != 0 && xc_store_set_actor(s, actor, err) != XC_OK)
        return NULL;
    return s;
}

/* Data the engines are built from may have been recorded by another
 * process (the CLI) while the server runs: at most every
 * SRV_GEN_POLL_US per thread, compare the database's data generation with
 * the one the server last acted on, and rebuild the engines when it moved. */
#define SRV_GEN_POLL_US 250000

static void poll_data_generation(xc_srv *srv, xc_srv_thread *th, xc_store *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    if (now - th->gen_polled_us < SRV_GEN_POLL_US)
        return;
    th->gen_polled_us = now;
    char g[XC_TS_BUF];
    xc_error err;
    if (xc_store_data_generation(s, g, &err) != XC_OK)
        return; /* the next poll tries again; the engines stay as they are */
    pthread_mutex_lock(&srv->mu);
    int moved = strcmp(g, srv->data_gen) != 0;
    if (moved)
        snprintf(srv->data_gen, sizeof(srv->data_gen), "%s", g);
    pthread_mutex_unlock(&srv->mu);
    if (moved)
        xc_srv_data_changed(srv);
}

int xc_srv_policy(xc_req *r, xc_policy **out, xc_error *err)
{
    *out = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err && err->code ? err->code : XC_EDB;
    xc_srv_thread *th = r->th;
    poll_data_generation(r->srv, th, s);
    uint64_t gen = atomic_load(&r->srv->gen);
    if (!th->policy || th->policy_gen != gen) {
        xc_policy_free(th->policy);
        th->policy = NULL;
        int rc = xc_policy_load(s, XC_TS_LATEST, &th->policy, err);
        if (rc)
            return rc;
        th->policy_gen = gen;
    }
    *out = th->policy;
    return XC_OK;
}

void xc_srv_data_changed(xc_srv *srv)
{
    if (srv)
        atomic_fetch_add(&srv->gen, 1);
}

void xc_srv_auth_changed(xc_srv *srv)
{
    if (srv)
        atomic_fetch_add(&srv->auth_gen, 1);
}

/* ---- screening -------------------------------------------------------------- */

static void gen_free(srv_scr_gen *g)
{
    if (!g)
        return;
    xc_screen_index_free(g->idx);
    xc_parties_free(g->snaps, g->n_snaps);
    xc_allow_free(g->allow, g->n_allow);
    xc_free(g);
}

/* Build a generation on s; a build that fails keeps its error. */
static srv_scr_gen *gen_build(xc_srv *srv, xc_store *s, uint64_t data_gen, xc_date day)
{
    srv_scr_gen *g = xc_calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->serial = ++srv->scr_serial;
    g->data_gen = data_gen;
    g->day = day;
    g->built_us = xc_ts_now();
    int rc = xc_parties_load(s, XC_TS_LATEST, &g->snaps, &g->n_snaps, &g->err);
    if (rc == XC_OK)
        rc = xc_allow_load(s, XC_TS_LATEST, &g->allow, &g->n_allow, &g->err);
    if (rc == XC_OK)
        rc = xc_screen_index_build(g->snaps, g->n_snaps, day, &g->idx, &g->err);
    g->rc = rc;
    return g;
}

/* Make g current; the old generation is freed now or by its last release. */
static void gen_install(xc_srv *srv, srv_scr_gen *g)
{
    srv_scr_gen *old = srv->scr_cur;
    srv->scr_cur = g;
    if (!old)
        return;
    if (old->refs == 0) {
        gen_free(old);
    } else {
        old->next = srv->scr_retired;
        srv->scr_retired = old;
    }
}

void srv_screen_warm(xc_srv *srv, xc_store *s)
{
    pthread_mutex_lock(&srv->scr_mu);
    srv_scr_gen *g = gen_build(srv, s, atomic_load(&srv->gen), xc_date_today());
    if (g)
        gen_install(srv, g);
    pthread_mutex_unlock(&srv->scr_mu);
}

/* A failed build is retried after this long even without a data change
 * (the data may have been fixed outside the server). */
#define GEN_RETRY_US (30 * 1000000LL)

srv_scr_gen *srv_screen_acquire(xc_srv *srv, xc_store *s, xc_error *err)
{
    uint64_t data_gen = atomic_load(&srv->gen);
    xc_date today = xc_date_today();
    pthread_mutex_lock(&srv->scr_mu);
    srv_scr_gen *g = srv->scr_cur;
    if (!g || g->data_gen != data_gen || g->day != today || (g->rc && xc_ts_now() - g->built_us > GEN_RETRY_US)) {
        srv_scr_gen *ng = gen_build(srv, s, data_gen, today);
        if (!ng) {
            pthread_mutex_unlock(&srv->scr_mu);
            xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the screening index");
            return NULL;
        }
        gen_install(srv, ng);
        g = ng;
    }
    g->refs++;
    pthread_mutex_unlock(&srv->scr_mu);
    return g;
}

void srv_screen_release(xc_srv *srv, srv_scr_gen *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&srv->scr_mu);
    if (--g->refs == 0 && g != srv->scr_cur) {
        for (srv_scr_gen **pp = &srv->scr_retired; *pp; pp = &(*pp)->next) {
            if (*pp == g) {
                *pp = g->next;
                break;
            }
        }
        gen_free(g);
    }
    pthread_mutex_unlock(&srv->scr_mu);
}

void srv_screen_free_all(xc_srv *srv)
{
    gen_free(srv->scr_cur);
    srv->scr_cur = NULL;
    srv_scr_gen *g = srv->scr_retired, *next;
    for (; g; g = next) {
        next = g->next;
        gen_free(g);
    }
    srv->scr_retired = NULL;
}

int xc_srv_screen(xc_req *r, const xc_screen_index **idx, xc_screen_scratch **scratch, const xc_allow **allow,
                  size_t *n_allow, xc_error *err)
{
    *idx = NULL;
    *scratch = NULL;
    *allow = NULL;
    *n_allow = 0;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err && err->code ? err->code : XC_EDB;
    xc_srv_thread *th = r->th;
    poll_data_generation(r->srv, th, s);
    size_t slot = SRV_MAX_HELD;
    for (size_t i = 0; i < SRV_MAX_HELD && slot == SRV_MAX_HELD; i++)
        if (!th->held[i])
            slot = i;
    if (slot == SRV_MAX_HELD)
        return xc_error_set(err, XC_EINTERNAL, NULL, "a request holds too many screening indexes");
    srv_scr_gen *g = srv_screen_acquire(r->srv, s, err);
    if (!g)
        return XC_ENOMEM;
    if (g->rc) {
        int rc = g->rc;
        if (err)
            *err = g->err;
        srv_screen_release(r->srv, g);
        return rc;
    }
    if (!th->scratch || th->scratch_serial != g->serial) {
        xc_screen_scratch_free(th->scratch);
        th->scratch = NULL;
        int rc = xc_screen_scratch_new(g->idx, &th->scratch, err);
        if (rc) {
            srv_screen_release(r->srv, g);
            return rc;
        }
        th->scratch_serial = g->serial;
    }
    th->held[slot] = g;
    *idx = g->idx;
    *scratch = th->scratch;
    *allow = g->allow;
    *n_allow = g->n_allow;
    return XC_OK;
}

void xc_srv_screen_release(xc_req *r, const xc_screen_index *idx)
{
    if (!r || !r->th || !idx)
        return;
    for (size_t i = 0; i < SRV_MAX_HELD; i++) {
        if (r->th->held[i] && r->th->held[i]->idx == idx) {
            srv_screen_release(r->srv, r->th->held[i]);
            r->th->held[i] = NULL;
            return;
        }
    }
}

/* ---- writes ------------------------------------------------------------------- */

typedef struct write_job {
    int (*fn)(xc_store *s, void *arg, xc_error *err);
    void *arg;
    const char *actor;
} write_job;

/* Runs on the committer thread: the shared writer connection acts for this request's user. */
static int write_run(xc_store *s, void *arg, xc_error *err)
{
    write_job *j = arg;
    int rc = xc_store_set_actor(s, j->actor, err);
    return rc ? rc : j->fn(s, j->arg, err);
}

int xc_srv_write(xc_req *r, int (*fn)(xc_store *s, void *arg, xc_error *err), void *arg, xc_error *err)
{
    if (!r || !r->srv || !r->srv->q)
        return xc_error_set(err, XC_EINTERNAL, NULL, "the server has no write queue");
    write_job j = {fn, arg, r->who && r->who->user[0] ? r->who->user : "public"};
    return xc_commitq_submit(r->srv->q, write_run, &j, err);
}

uint64_t xc_srv_screen_serial(xc_req *r)
{
    return r->th ? r->th->scratch_serial : 0;
}
