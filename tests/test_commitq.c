/*
 * test_commitq.c: group commit on a real SQLite file: many threads'
 * audited writes each committed exactly once and durable (read back
 * through a second handle after close), batching actually happening, a
 * failing submission answered with its own error while the rest of its
 * batch commits, the audit log verifying after group commits, a write
 * without an audit event isolated to its culprit, close draining queued
 * work, and the misuse guards.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "commitq.h"
#include "db.h"
#include "docs.h"
#include "store.h"

#define OK(call) do { xc_error_clear(&err); if ((call) != XC_OK) fail_msg("%s: %s", #call, err.msg); } while (0)

#define KIND "cqtest"

/* What a work function does, chosen per submission. */
enum { W_AUDITED, W_FAIL_AFTER_WRITE, W_UNAUDITED, W_NESTED_SUBMIT };

typedef struct work {
    int mode;
    char key[64];
    int calls;          /* how many times the committer ran it */
    xc_commitq *q;      /* W_NESTED_SUBMIT */
    int nested_rc;
} work;

/* A write = a small document + its audit event, as the library's writes do. */
static int put_doc(xc_store *s, const char *key, int audited, xc_error *err)
{
    char body[160], hash[65];
    int recorded, rc;
    int64_t id;
    snprintf(body, sizeof(body), "{\"key\":\"%s\",\"v\":1}", key);
    xc_sha256_hex(body, strlen(body), hash);
    if ((rc = xc_store_doc_put(s, KIND, key, hash, body, &recorded, &id, err)))
        return rc;
    if (!recorded)
        return xc_error_set(err, XC_ECONFLICT, key, "%s: already recorded", key);
    if (!audited)
        return XC_OK;
    json_t *payload = json_pack("{sI}", "doc_id", (json_int_t)id);
    rc = xc_audit_append(s, "tester", KIND ".record", key, payload, NULL, err);
    json_decref(payload);
    return rc;
}

static int work_fn(xc_store *s, void *arg, xc_error *err)
{
    work *w = arg;
    w->calls++;
    switch (w->mode) {
    case W_AUDITED:
        return put_doc(s, w->key, 1, err);
    case W_FAIL_AFTER_WRITE: {
        int rc = put_doc(s, w->key, 1, err); /* half-written, then fails */
        return rc ? rc : xc_error_set(err, XC_ECONFLICT, w->key, "%s: planned failure", w->key);
    }
    case W_UNAUDITED:
        return put_doc(s, w->key, 0, err);
    case W_NESTED_SUBMIT:
        w->nested_rc = xc_commitq_submit(w->q, work_fn, w, err);
        return put_doc(s, w->key, 1, err);
    }
    return XC_EINTERNAL;
}

typedef struct thr {
    xc_commitq *q;
    work *w;
    int n;
    int *rc;
    xc_error *errs;
} thr;

static void *submitter(void *arg)
{
    thr *t = arg;
    for (int i = 0; i < t->n; i++)
        t->rc[i] = xc_commitq_submit(t->q, work_fn, &t->w[i], &t->errs[i]);
    return NULL;
}

static xc_store *open_store(const char *name)
{
    xc_store *s = NULL;
    xc_error err;
    OK(xc_init(&err));
    OK(xc_store_open(tu_path(name), &s, &err));
    return s;
}

/* Number of versions of document key (0 when absent). */
static size_t doc_versions(xc_store *s, const char *key)
{
    xc_doc *d = NULL;
    size_t n = 0;
    xc_error err;
    OK(xc_store_doc_versions(s, KIND, key, &d, &n, &err));
    xc_docs_free(d, n);
    return n;
}

static int64_t last_seq(xc_store *s)
{
    int64_t seq = -1;
    unsigned char chain[32];
    xc_error err;
    OK(xc_store_event_last(s, &seq, chain, &err));
    return seq;
}

/* Runs nthreads threads each submitting works[t*per .. t*per+per) in order. */
static void run_threads(xc_commitq *q, work *works, int nthreads, int per, int *rcs, xc_error *errs)
{
    pthread_t tid[64];
    thr t[64];
    assert_true(nthreads <= 64);
    for (int i = 0; i < nthreads; i++) {
        t[i] = (thr){q, works + i * per, per, rcs + i * per, errs + i * per};
        assert_int_equal(pthread_create(&tid[i], NULL, submitter, &t[i]), 0);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(tid[i], NULL);
}

/* 8 threads x 40 audited writes: every one acknowledged, stored exactly
 * once with one event each, batched, and visible through a new handle. */
static void test_many_threads_exactly_once(void **state)
{
    (void)state;
    enum { T = 8, M = 40, N = T * M };
    xc_store *s = open_store("many.db");
    xc_commitq *q = NULL;
    xc_error err;
    int64_t seq0 = last_seq(s);
    xc_commitq_opts o = {.max_batch = 32, .max_wait_us = 0};
    OK(xc_commitq_open(s, &o, &q, &err));
    static work w[N];
    static int rc[N];
    static xc_error errs[N];
    for (int i = 0; i < N; i++)
        w[i] = (work){.mode = W_AUDITED};
    for (int i = 0; i < N; i++)
        snprintf(w[i].key, sizeof(w[i].key), "t%d-%d", i / M, i % M);
    run_threads(q, w, T, M, rc, errs);
    xc_commitq_stats st;
    xc_commitq_stats_get(q, &st);
    xc_commitq_close(q);
    for (int i = 0; i < N; i++) {
        if (rc[i] != XC_OK)
            fail_msg("%s: %d %s", w[i].key, rc[i], errs[i].msg);
        assert_int_equal(w[i].calls, 1);
    }
    assert_int_equal(st.submitted, N);
    assert_int_equal(st.committed, N);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.reruns, 0);
    assert_int_equal(st.commits, st.batches);
    /* 8 writers against one fsync at a time: batches must form */
    assert_true(st.batches < N);
    assert_true(st.max_seen > 1);
    assert_true(st.max_seen <= 32);
    xc_store_close(s);

    /* durable: a fresh handle sees every document once and one event each */
    s = open_store("many.db");
    char **keys = NULL;
    size_t nk = 0;
    OK(xc_store_doc_keys(s, KIND, INT64_MAX, &keys, &nk, &err));
    assert_int_equal(nk, N);
    xc_strv_free(keys, nk);
    for (int i = 0; i < N; i++)
        assert_int_equal(doc_versions(s, w[i].key), 1);
    assert_int_equal(last_seq(s), seq0 + N);
    /* one signed head per batch, and the log verifies end to end */
    json_t *report = NULL;
    OK(xc_audit_verify(s, NULL, &report, &err));
    assert_int_equal(json_integer_value(json_object_get(report, "size")), seq0 + N);
    json_decref(report);
    xc_store_close(s);
}

/* One batch of 10 (max_wait fills it), 3 of which write and then fail: they
 * get their own error, nothing of theirs is kept, the other 7 commit in
 * one transaction after the reruns. */
static void test_failure_isolated(void **state)
{
    (void)state;
    enum { T = 10 };
    xc_store *s = open_store("fail.db");
    xc_commitq *q = NULL;
    xc_error err;
    int64_t seq0 = last_seq(s);
    xc_commitq_opts o = {.max_batch = T, .max_wait_us = 5000000};
    OK(xc_commitq_open(s, &o, &q, &err));
    work w[T];
    int rc[T];
    xc_error errs[T];
    for (int i = 0; i < T; i++) {
        w[i] = (work){.mode = (i == 0 || i == 4 || i == 9) ? W_FAIL_AFTER_WRITE : W_AUDITED};
        snprintf(w[i].key, sizeof(w[i].key), "f%d", i);
    }
    run_threads(q, w, T, 1, rc, errs);
    xc_commitq_stats st;
    xc_commitq_stats_get(q, &st);
    xc_commitq_close(q);
    assert_int_equal(st.batches, 1);
    assert_int_equal(st.commits, 1);
    assert_int_equal(st.committed, 7);
    assert_int_equal(st.failed, 3);
    assert_int_equal(st.reruns, 3);
    for (int i = 0; i < T; i++) {
        if (w[i].mode == W_FAIL_AFTER_WRITE) {
            assert_int_equal(rc[i], XC_ECONFLICT);
            assert_string_equal(errs[i].field, w[i].key);
            assert_non_null(strstr(errs[i].msg, "planned failure"));
            assert_int_equal(w[i].calls, 1); /* a failed submission is never run again */
            assert_int_equal(doc_versions(s, w[i].key), 0);
        } else {
            if (rc[i] != XC_OK)
                fail_msg("%s: %s", w[i].key, errs[i].msg);
            assert_true(w[i].calls >= 1);
            assert_int_equal(doc_versions(s, w[i].key), 1);
        }
    }
    assert_int_equal(last_seq(s), seq0 + 7);
    xc_store_close(s);
}

/* A write without an audit event, which the store refuses to commit; in a
 * batch the others' events would hide it, so the queue checks each
 * submission on its own: only the culprit fails. */
static void test_commit_refusal_isolated(void **state)
{
    (void)state;
    enum { T = 6 };
    xc_store *s = open_store("refuse.db");
    xc_commitq *q = NULL;
    xc_error err;
    xc_commitq_opts o = {.max_batch = T, .max_wait_us = 5000000};
    OK(xc_commitq_open(s, &o, &q, &err));
    work w[T];
    int rc[T];
    xc_error errs[T];
    for (int i = 0; i < T; i++) {
        w[i] = (work){.mode = i == 2 ? W_UNAUDITED : W_AUDITED};
        snprintf(w[i].key, sizeof(w[i].key), "r%d", i);
    }
    run_threads(q, w, T, 1, rc, errs);
    xc_commitq_stats st;
    xc_commitq_stats_get(q, &st);
    xc_commitq_close(q);
    assert_int_equal(st.batches, 1);
    assert_int_equal(st.committed, T - 1);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.commits, 1);
    assert_int_equal(st.reruns, 1);
    for (int i = 0; i < T; i++) {
        if (i == 2) {
            assert_int_equal(rc[i], XC_EINTERNAL);
            assert_non_null(strstr(errs[i].msg, "audit event"));
            assert_int_equal(doc_versions(s, w[i].key), 0);
        } else {
            if (rc[i] != XC_OK)
                fail_msg("%s: %s", w[i].key, errs[i].msg);
            assert_int_equal(doc_versions(s, w[i].key), 1);
        }
    }
    xc_store_close(s);
}

typedef struct closer {
    xc_commitq *q;
    work *w;
    int n;
    int *rc;
    xc_error *errs;
} closer;

/* close while submissions wait in the queue: they are committed, not dropped. */
static void test_close_drains(void **state)
{
    (void)state;
    enum { T = 5 };
    xc_store *s = open_store("drain.db");
    xc_commitq *q = NULL;
    xc_error err;
    /* the committer would wait 10 s for a batch of 64 to fill: only close
     * makes it commit */
    xc_commitq_opts o = {.max_batch = 64, .max_wait_us = 10000000};
    OK(xc_commitq_open(s, &o, &q, &err));
    work w[T];
    int rc[T];
    xc_error errs[T];
    pthread_t tid[T];
    thr t[T];
    for (int i = 0; i < T; i++) {
        w[i] = (work){.mode = W_AUDITED};
        snprintf(w[i].key, sizeof(w[i].key), "d%d", i);
        t[i] = (thr){q, &w[i], 1, &rc[i], &errs[i]};
        assert_int_equal(pthread_create(&tid[i], NULL, submitter, &t[i]), 0);
    }
    xc_commitq_stats st;
    for (int tries = 0; tries < 5000; tries++) {
        xc_commitq_stats_get(q, &st);
        if (st.submitted == T)
            break;
        usleep(1000);
    }
    assert_int_equal(st.submitted, T);
    assert_int_equal(st.committed, 0); /* still waiting for the batch to fill */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    xc_commitq_close(q);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 5); /* close cut the wait short */
    for (int i = 0; i < T; i++) {
        pthread_join(tid[i], NULL);
        if (rc[i] != XC_OK)
            fail_msg("%s: %s", w[i].key, errs[i].msg);
        assert_int_equal(doc_versions(s, w[i].key), 1);
    }
    xc_store_close(s);
}

/* Misuse: bad options, a store with a transaction open, a NULL function, and
 * a submission from inside a work function (refused rather than deadlocked). */
static void test_misuse(void **state)
{
    (void)state;
    xc_store *s = open_store("misuse.db");
    xc_commitq *q = NULL;
    xc_error err;
    xc_commitq_opts big = {.max_batch = XC_COMMITQ_MAX_BATCH + 1};
    assert_int_equal(xc_commitq_open(s, &big, &q, &err), XC_EINVAL);
    assert_string_equal(err.field, "max_batch");
    assert_null(q);
    OK(xc_store_begin(s, &err));
    assert_int_equal(xc_commitq_open(s, NULL, &q, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "transaction open"));
    xc_store_rollback(s);

    OK(xc_commitq_open(s, NULL, &q, &err));
    assert_int_equal(xc_commitq_submit(q, NULL, NULL, &err), XC_EINVAL);
    work w = {.mode = W_NESTED_SUBMIT, .q = q};
    snprintf(w.key, sizeof(w.key), "nested");
    /* err may be NULL */
    assert_int_equal(xc_commitq_submit(q, work_fn, &w, NULL), XC_OK);
    assert_int_equal(w.nested_rc, XC_EINTERNAL);
    xc_commitq_close(q);
    xc_commitq_close(NULL);
    assert_int_equal(doc_versions(s, "nested"), 1);
    /* the store is the caller's again */
    OK(xc_store_begin(s, &err));
    xc_store_rollback(s);
    xc_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_threads_exactly_once),
        cmocka_unit_test(test_failure_isolated),
        cmocka_unit_test(test_commit_refusal_isolated),
        cmocka_unit_test(test_close_drains),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
