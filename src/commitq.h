/*
 * commitq.h: group commit for one store.
 *
 * A durable commit (SQLite in WAL mode with synchronous=FULL) costs one
 * fsync and, with the audit log, one signed head; doing that once per
 * request caps a server at the disk's fsync rate.  A commit queue owns the
 * store and runs a committer thread: many threads submit work (a function
 * that writes through the store, e.g. xc_licence_act, or xc_store_doc_put
 * plus xc_audit_append); the committer takes everything queued (up to
 * max_batch), opens ONE transaction, runs each function in submission
 * order, commits once (one fsync, one signed audit head covering every
 * event of the batch) and only then wakes the submitters.  A submitter that
 * gets XC_OK knows its write is durable.
 *
 * Failures do not poison a batch.  When a function fails, the transaction
 * is rolled back, that submitter gets the function's error, and the batch
 * runs again without it (the functions before it see exactly the state they
 * saw the first time, so their results do not change).  When the commit
 * itself fails and the batch held several submissions, each is retried in a
 * transaction of its own, so that only the submissions whose own commit
 * fails (e.g. on a full disk, all of them) get the commit's error.  The
 * store's rule that a write transaction appends an audit event is applied
 * to each submission: one that writes history rows without an event fails
 * with XC_EINTERNAL (the others' events would otherwise hide it).  Nothing
 * half-written is ever kept: every acknowledged write is committed and no
 * failed one is.
 *
 * Contract for the work function fn(s, arg, err):
 *  - it runs on the committer thread, inside an open transaction; it must
 *    not begin, commit or roll back (library calls that "run inside the
 *    caller's transaction when one is open" are fine);
 *  - it may run MORE THAN ONCE (after another submission's failure), each
 *    time on a rolled-back store, so it must have no effect outside the
 *    store, or reset what it produces at the start of each call; only the
 *    effects of its last call are kept;
 *  - it returns XC_OK or a negative XC_E* code with err filled; a failure
 *    rolls back only its own work (as seen by the submitter).
 *
 * The store belongs to the queue between xc_commitq_open and
 * xc_commitq_close: no other thread may use it in that time (xc_store is
 * not thread-safe).  Reads can go through submitted functions too.
 */
#ifndef XC_COMMITQ_H
#define XC_COMMITQ_H

#include <stdint.h>

#include "store.h"

typedef struct xc_commitq xc_commitq;

/* Work run inside the batch's transaction; see the contract above. */
typedef int (*xc_commitq_fn)(xc_store *s, void *arg, xc_error *err);

typedef struct xc_commitq_opts {
    unsigned max_batch;   /* most submissions per transaction; 0: XC_COMMITQ_DEFAULT_BATCH */
    unsigned max_wait_us; /* once work is queued, wait up to this long for the batch to fill before
                             committing; 0: commit at once (work arriving during a commit's fsync
                             still forms the next batch) */
} xc_commitq_opts;

#define XC_COMMITQ_DEFAULT_BATCH 256u
#define XC_COMMITQ_MAX_BATCH 65536u

/* Counters since open (read with xc_commitq_stats). */
typedef struct xc_commitq_stats {
    uint64_t submitted;   /* submissions accepted */
    uint64_t committed;   /* submissions acknowledged with XC_OK */
    uint64_t failed;      /* submissions answered with an error */
    uint64_t batches;     /* batches taken from the queue */
    uint64_t commits;     /* transactions committed */
    uint64_t reruns;      /* transactions rolled back and run again without a failed submission */
    uint64_t max_seen;    /* largest batch taken */
} xc_commitq_stats;

/* Start a queue (and its committer thread) owning s.  o may be NULL for the
 * defaults.  Fails with XC_EINVAL on bad options or when s has a
 * transaction open, XC_EINTERNAL when the thread cannot start. */
int xc_commitq_open(xc_store *s, const xc_commitq_opts *o, xc_commitq **out, xc_error *err);

/* Queue fn(s, arg) and block until it is durably committed (XC_OK), or
 * failed: fn's own status and error, or the commit's when the transaction
 * could not be committed.  Thread-safe.  Fails with XC_EINVAL after
 * xc_commitq_close has begun, XC_EINTERNAL when called from inside a work
 * function (that would deadlock).  err may be NULL. */
int xc_commitq_submit(xc_commitq *q, xc_commitq_fn fn, void *arg, xc_error *err);

/* Counters so far (consistent snapshot).  Thread-safe. */
void xc_commitq_stats_get(xc_commitq *q, xc_commitq_stats *out);

/* Refuse new submissions, commit everything already queued, stop the
 * committer thread and free the queue; the store is the caller's again
 * (not closed).  Accepts NULL.  Must not be called from a work function. */
void xc_commitq_close(xc_commitq *q);

#endif
