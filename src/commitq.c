/*
 * commitq.c: group commit (see commitq.h for the contract).
 *
 * One mutex guards the queue, the counters and every request's `done`
 * flag.  Submitters append a request (on their own stack) and sleep on the
 * request's own condition variable, so answering a batch wakes exactly its
 * submitters.  The committer thread sleeps on work_cv, takes up to
 * max_batch requests, drops the lock while it runs the transaction, then
 * answers every request of the batch under the lock.  A submitter still
 * holds a reference to the queue (its mutex) for an instant after being
 * answered; `waiters` counts them so that close frees the queue only once
 * the last one has left.
 */
#include "commitq.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "mem.h"

typedef struct cq_req {
    xc_commitq_fn fn;
    void *arg;
    int rc;
    int done;
    xc_error err;
    pthread_cond_t cv;
    struct cq_req *next;
} cq_req;

struct xc_commitq {
    xc_store *s;
    unsigned max_batch, max_wait_us;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* the committer waits here for work (CLOCK_MONOTONIC) */
    pthread_cond_t idle_cv; /* close waits here for the last submitter to leave */
    cq_req *head, *tail;
    unsigned queued;
    unsigned waiters;       /* submitters inside xc_commitq_submit */
    int closing;
    pthread_t thread;
    xc_commitq_stats st;
    cq_req **batch;         /* committer's scratch, max_batch entries */
};

/* Outcome of one attempt at a batch. */
enum { ATTEMPT_OK, ATTEMPT_FN_FAILED, ATTEMPT_BEGIN_FAILED, ATTEMPT_COMMIT_FAILED };

/* Run live[0..n) in one transaction.  On ATTEMPT_FN_FAILED *bad is the
 * failed request (its rc/err set) and the transaction is rolled back; on
 * BEGIN/COMMIT failure e holds the store's error. */
static int attempt(xc_commitq *q, cq_req **live, unsigned n, unsigned *bad, xc_error *e)
{
    xc_error_clear(e);
    if (xc_store_begin(q->s, e) != XC_OK)
        return ATTEMPT_BEGIN_FAILED;
    for (unsigned i = 0; i < n; i++) {
        cq_req *r = live[i];
        int writes, events, writes2, events2;
        xc_store_tx_counts(q->s, &writes, &events);
        xc_error_clear(&r->err);
        r->rc = r->fn(q->s, r->arg, &r->err);
        xc_store_tx_counts(q->s, &writes2, &events2);
        if (r->rc == XC_OK && !xc_store_in_tx(q->s))
            r->rc = xc_error_set(&r->err, XC_EINTERNAL, NULL,
                                 "a group-commit work function ended the transaction itself (a bug)");
        /* xc_store_commit refuses a transaction whose writes appended no
         * audit event; in a batch the other submissions' events would hide
         * such a write, so each submission is held to the rule on its own */
        else if (r->rc == XC_OK && writes2 > writes && events2 == events)
            r->rc = xc_error_set(&r->err, XC_EINTERNAL, NULL,
                                 "refusing to commit %d write(s) that appended no audit event (a bug)",
                                 writes2 - writes);
        if (r->rc != XC_OK) {
            if (r->rc > 0 || r->rc < XC_ECODE_MIN)
                r->rc = XC_EINTERNAL;
            if (!r->err.code)
                xc_error_set(&r->err, r->rc, NULL, "the submitted work failed (%s) without a message",
                             xc_error_name(r->rc));
            xc_store_rollback(q->s);
            *bad = i;
            return ATTEMPT_FN_FAILED;
        }
    }
    if (xc_store_commit(q->s, e) != XC_OK)
        return ATTEMPT_COMMIT_FAILED;
    return ATTEMPT_OK;
}

static void fail_all(cq_req **live, unsigned n, const xc_error *e)
{
    for (unsigned i = 0; i < n; i++) {
        live[i]->err = *e;
        live[i]->rc = e->code ? e->code : XC_EDB;
    }
}

/* Resolve a batch: every request ends with rc XC_OK (committed) or an
 * error (nothing of it kept).  live is reordered/compacted in place.
 * Called without the lock; counters are updated under it. */
static void run_batch(xc_commitq *q, cq_req **live, unsigned n)
{
    uint64_t commits = 0, reruns = 0;
    xc_error e;
    while (n > 0) {
        unsigned bad = 0;
        int how = attempt(q, live, n, &bad, &e);
        if (how == ATTEMPT_OK) {
            commits++;
            break;
        }
        if (how == ATTEMPT_FN_FAILED) {
            /* drop the failed request (already answered) and run the rest again */
            memmove(&live[bad], &live[bad + 1], (n - bad - 1) * sizeof(*live));
            n--;
            if (n > 0)
                reruns++;
            continue;
        }
        if (how == ATTEMPT_COMMIT_FAILED && n > 1) {
            /* the commit refused the batch as a whole: find the culprit(s) by
             * committing each request alone */
            for (unsigned i = 0; i < n; i++) {
                unsigned one_bad;
                int one = attempt(q, &live[i], 1, &one_bad, &e);
                if (one == ATTEMPT_OK)
                    commits++;
                else if (one != ATTEMPT_FN_FAILED)
                    fail_all(&live[i], 1, &e);
            }
            break;
        }
        /* begin failed (e.g. the database is locked by another process), or a
         * lone request's commit failed: the store's error is everyone's */
        fail_all(live, n, &e);
        break;
    }
    pthread_mutex_lock(&q->mu);
    q->st.commits += commits;
    q->st.reruns += reruns;
    pthread_mutex_unlock(&q->mu);
}

static void deadline_after(struct timespec *ts, unsigned us)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += us / 1000000u;
    ts->tv_nsec += (long)(us % 1000000u) * 1000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *committer(void *arg)
{
    xc_commitq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->head && !q->closing)
            pthread_cond_wait(&q->work_cv, &q->mu);
        if (!q->head)
            break; /* closing and drained */
        if (q->max_wait_us && q->queued < q->max_batch && !q->closing) {
            struct timespec until;
            deadline_after(&until, q->max_wait_us);
            while (q->queued < q->max_batch && !q->closing)
                if (pthread_cond_timedwait(&q->work_cv, &q->mu, &until) == ETIMEDOUT)
                    break;
        }
        unsigned n = 0;
        while (q->head && n < q->max_batch) {
            cq_req *r = q->head;
            q->head = r->next;
            q->batch[n++] = r;
        }
        if (!q->head)
            q->tail = NULL;
        q->queued -= n;
        q->st.batches++;
        if (n > q->st.max_seen)
            q->st.max_seen = n;
        /* remember who is in the batch: run_batch reorders the array */
        pthread_mutex_unlock(&q->mu);
        cq_req **work = q->batch;
        cq_req *first = NULL;
        for (unsigned i = n; i-- > 0;) { /* keep a list in submission order */
            work[i]->next = first;
            first = work[i];
        }
        run_batch(q, work, n);
        pthread_mutex_lock(&q->mu);
        for (cq_req *r = first, *next; r; r = next) {
            next = r->next;
            if (r->rc == XC_OK)
                q->st.committed++;
            else
                q->st.failed++;
            r->done = 1;
            pthread_cond_signal(&r->cv); /* r may be gone once the lock is released */
        }
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int xc_commitq_open(xc_store *s, const xc_commitq_opts *o, xc_commitq **out, xc_error *err)
{
    xc_commitq_opts opts = o ? *o : (xc_commitq_opts){0};
    *out = NULL;
    if (!s)
        return xc_error_set(err, XC_EINVAL, NULL, "commit queue: no store");
    if (xc_store_in_tx(s))
        return xc_error_set(err, XC_EINVAL, NULL, "commit queue: the store has a transaction open");
    if (opts.max_batch == 0)
        opts.max_batch = XC_COMMITQ_DEFAULT_BATCH;
    if (opts.max_batch > XC_COMMITQ_MAX_BATCH)
        return xc_error_set(err, XC_EINVAL, "max_batch", "max_batch: %u is above the limit of %u", opts.max_batch,
                            XC_COMMITQ_MAX_BATCH);
    if (opts.max_wait_us > 10000000u)
        return xc_error_set(err, XC_EINVAL, "max_wait_us", "max_wait_us: %u is above 10 s", opts.max_wait_us);

    xc_commitq *q = xc_calloc(1, sizeof(*q));
    if (!q || !(q->batch = xc_calloc(opts.max_batch, sizeof(*q->batch)))) {
        xc_free(q);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory opening the commit queue");
    }
    q->s = s;
    q->max_batch = opts.max_batch;
    q->max_wait_us = opts.max_wait_us;
    pthread_condattr_t ca;
    int ok = pthread_mutex_init(&q->mu, NULL) == 0;
    int cv_ok = ok && pthread_condattr_init(&ca) == 0;
    if (cv_ok) {
        cv_ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 && pthread_cond_init(&q->work_cv, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    int idle_ok = cv_ok && pthread_cond_init(&q->idle_cv, NULL) == 0;
    int rc = idle_ok ? pthread_create(&q->thread, NULL, committer, q) : -1;
    if (rc != 0) {
        if (idle_ok)
            pthread_cond_destroy(&q->idle_cv);
        if (cv_ok)
            pthread_cond_destroy(&q->work_cv);
        if (ok)
            pthread_mutex_destroy(&q->mu);
        xc_free(q->batch);
        xc_free(q);
        return xc_error_set(err, XC_EINTERNAL, NULL, "commit queue: cannot start the committer thread (%s)",
                            rc > 0 ? strerror(rc) : "pthread init failed");
    }
    *out = q;
    return XC_OK;
}

int xc_commitq_submit(xc_commitq *q, xc_commitq_fn fn, void *arg, xc_error *err)
{
    if (!q || !fn)
        return xc_error_set(err, XC_EINVAL, NULL, "commit queue: %s", q ? "no work function" : "no queue");
    if (pthread_equal(pthread_self(), q->thread))
        return xc_error_set(err, XC_EINTERNAL, NULL,
                            "commit queue: submit called from inside a work function (it would deadlock)");
    cq_req r = {.fn = fn, .arg = arg};
    if (pthread_cond_init(&r.cv, NULL) != 0)
        return xc_error_set(err, XC_EINTERNAL, NULL, "commit queue: cannot create a condition variable");
    pthread_mutex_lock(&q->mu);
    if (q->closing) {
        pthread_mutex_unlock(&q->mu);
        pthread_cond_destroy(&r.cv);
        return xc_error_set(err, XC_EINVAL, NULL, "commit queue: closing, submission refused");
    }
    if (q->tail)
        q->tail->next = &r;
    else
        q->head = &r;
    q->tail = &r;
    q->queued++;
    q->waiters++;
    q->st.submitted++;
    pthread_cond_signal(&q->work_cv);
    while (!r.done)
        pthread_cond_wait(&r.cv, &q->mu);
    if (--q->waiters == 0 && q->closing)
        pthread_cond_signal(&q->idle_cv);
    pthread_mutex_unlock(&q->mu);
    pthread_cond_destroy(&r.cv);
    if (r.rc != XC_OK && err)
        *err = r.err;
    return r.rc;
}

void xc_commitq_stats_get(xc_commitq *q, xc_commitq_stats *out)
{
    pthread_mutex_lock(&q->mu);
    *out = q->st;
    pthread_mutex_unlock(&q->mu);
}

void xc_commitq_close(xc_commitq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->closing = 1;
    pthread_cond_signal(&q->work_cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    /* every queued request has been answered; wait for their submitters to
     * let go of the mutex */
    pthread_mutex_lock(&q->mu);
    while (q->waiters > 0)
        pthread_cond_wait(&q->idle_cv, &q->mu);
    pthread_mutex_unlock(&q->mu);
    pthread_cond_destroy(&q->idle_cv);
    pthread_cond_destroy(&q->work_cv);
    pthread_mutex_destroy(&q->mu);
    xc_free(q->batch);
    xc_free(q);
}
