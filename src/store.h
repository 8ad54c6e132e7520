/*
 * store.h: the storage interface.  Callers see an opaque xc_store; each
 * backend (SQLite now, PostgreSQL later) fills a table of operations chosen
 * at open time (store_int.h).  Stored history is append-only: there are
 * operations to add list metadata and versions, none to change or delete.
 */
#ifndef XC_STORE_H
#define XC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

typedef struct xc_store xc_store;

/* Open (creating if needed) the database at path and apply any pending
 * schema migrations.  The backend is chosen from the path: a postgres://
 * URL selects PostgreSQL (not built yet), anything else is a SQLite file. */
int xc_store_open(const char *path, xc_store **out, xc_error *err);

/* Close the store; accepts NULL.  Rolls back an open transaction. */
void xc_store_close(xc_store *s);

/* Backend name ("sqlite"). */
const char *xc_store_backend(const xc_store *s);

/* Schema version after migrations. */
int xc_store_schema_version(xc_store *s);

/* Start a write transaction.  Its transaction time (xc_store_tx_time) is
 * later than every time already recorded, so history stays ordered. */
int xc_store_begin(xc_store *s, xc_error *err);

/* Commit or roll back the transaction started by xc_store_begin. */
int xc_store_commit(xc_store *s, xc_error *err);
void xc_store_rollback(xc_store *s);

/* Work inside the caller's open transaction, or open one of our own
 * (*own = 1); then xc_store_finish ends what xc_store_join started: with
 * own, commits when rc is XC_OK and rolls back otherwise; without, leaves
 * the caller's transaction alone.  Returns the final status. */
int xc_store_join(xc_store *s, int *own, xc_error *err);
int xc_store_finish(xc_store *s, int own, int rc, xc_error *err);

/* Whether a write transaction is open. */
int xc_store_in_tx(const xc_store *s);

/* History rows written and audit events appended so far in the open
 * transaction (both 0 outside one). */
void xc_store_tx_counts(const xc_store *s, int *writes, int *events);

/* Transaction time of the open write transaction (microseconds, UTC). */
int64_t xc_store_tx_time(const xc_store *s);

/* Key/value settings (e.g. the hash of the bundled data last loaded).
 * A missing key gives *value = NULL and XC_OK. */
int xc_store_meta_get(xc_store *s, const char *key, char **value, xc_error *err);
int xc_store_meta_set(xc_store *s, const char *key, const char *value, xc_error *err);

/* Record list metadata at the transaction time. */
int xc_store_list_put(xc_store *s, const xc_list_meta *m, xc_error *err);

/* Latest metadata of a list recorded at or before as_of; XC_ENOTFOUND if none. */
int xc_store_list_get(xc_store *s, const char *id, int64_t as_of, xc_list_meta **out, xc_error *err);

/* Ids of all lists recorded at or before as_of, sorted. */
int xc_store_list_ids(xc_store *s, int64_t as_of, char ***ids, size_t *n, xc_error *err);

/* Record a version (with members and removals) at the transaction time;
 * sets v->id and v->recorded_at. */
int xc_store_version_put(xc_store *s, xc_version *v, xc_error *err);

/* Every version of a list recorded at or before as_of, with members,
 * ordered by effective date then recording time. */
int xc_store_versions_get(xc_store *s, const char *list_id, int64_t as_of, xc_version **out, size_t *n,
                          xc_error *err);

/* A versioned document: a control-list item, a rule pack or a party
 * snapshot, stored as canonical JSON with its SHA-256 content hash. */
typedef struct xc_doc {
    int64_t id;
    char *key;          /* item code, regime, party list id + date, ... */
    char hash[65];
    char *body;         /* canonical JSON */
    int64_t recorded_at;
} xc_doc;

/* Document kinds. */
#define XC_DOC_ITEM "item"
#define XC_DOC_RULES "rules"
#define XC_DOC_PARTIES "parties"
#define XC_DOC_ALLOW "allow"

/* Record a document at the transaction time unless the latest document of
 * that kind and key already has this hash; *recorded says which.  *id gets
 * the stored row (new or existing). */
int xc_store_doc_put(xc_store *s, const char *kind, const char *key, const char *hash, const char *body,
                     int *recorded, int64_t *id, xc_error *err);

/* The latest document of each key of a kind recorded at or before as_of, by key. */
int xc_store_doc_latest(xc_store *s, const char *kind, int64_t as_of, xc_doc **out, size_t *n, xc_error *err);

/* Distinct keys of a kind's documents recorded at or before as_of, sorted. */
int xc_store_doc_keys(xc_store *s, const char *kind, int64_t as_of, char ***keys, size_t *n, xc_error *err);


void xc_doc_clear(xc_doc *d);
void xc_docs_free(xc_doc *d, size_t n);

/* A stored decision (e.g. a policy check) with its request and result JSON. */
typedef struct xc_decision {
    int64_t id;
    char *kind;
    char *request;
    char *result;
    int64_t recorded_at;
} xc_decision;

/* Record a decision at the transaction time; sets *id. */
int xc_store_decision_put(xc_store *s, const char *kind, const char *request, const char *result, int64_t *id,
                          xc_error *err);

/* Read a decision; XC_ENOTFOUND if there is none with that id. */
int xc_store_decision_get(xc_store *s, int64_t id, xc_decision *out, xc_error *err);
void xc_decision_clear(xc_decision *d);

/* The latest document of a kind with this key; XC_ENOTFOUND if none. */
int xc_store_doc_get(xc_store *s, const char *kind, const char *key, xc_doc *out, xc_error *err);

/* Every recorded version of one document, oldest first. */
int xc_store_doc_versions(xc_store *s, const char *kind, const char *key, xc_doc **out, size_t *n, xc_error *err);

/* ---- the acting user --------------------------------------------------------
 * Audit events name who acted.  Library calls that take an actor argument
 * record it; the others record the session actor set here (default
 * "system").  The string is copied. */
int xc_store_set_actor(xc_store *s, const char *actor, xc_error *err);
const char *xc_store_actor(const xc_store *s);

/* A number that changes whenever another connection (another thread's
 * store, another process) commits to the database: caches of stored data
 * compare it (SQLite's PRAGMA data_version).  A connection's own commits do
 * not change it. */
int xc_store_data_version(xc_store *s, int64_t *v, xc_error *err);

/* The generation of the data the policy and screening engines are built
 * from (lists, items, rule packs, party snapshots, the allow-list): a
 * setting rewritten, with the transaction time, by every commit that
 * recorded such data, whoever made it.  A long-running reader (the HTTP
 * server) compares it to know when to rebuild.  *out is "" for a database
 * where nothing of the kind was recorded since schema 3. */
int xc_store_data_generation(xc_store *s, char out[XC_TS_BUF], xc_error *err);

/* Path or URL the store was opened with. */
const char *xc_store_path(xc_store *s);

/* ---- audit log storage (written only through audit.c) ----------------------
 * Every write transaction must append at least one audit event
 * (xc_audit_append); xc_store_commit refuses a transaction that wrote
 * history rows without one, and seals the events under a new signed head. */
typedef struct xc_event_row {
    int64_t seq;                /* 1-based position in the log */
    int64_t recorded_at;        /* transaction time */
    const char *actor, *type, *subject;
    const char *body;           /* canonical JSON: the Merkle leaf's data */
    size_t body_len;            /* filled by scans */
    const unsigned char *leaf;  /* 32 bytes: RFC 9162 leaf hash of body */
    const unsigned char *chain; /* 32 bytes: SHA-256(previous chain || leaf) */
} xc_event_row;

/* Called once per event, in order; a non-zero return stops the scan and is returned. */
typedef int (*xc_event_fn)(void *ctx, const xc_event_row *ev, xc_error *err);

int xc_store_event_put(xc_store *s, const xc_event_row *ev, xc_error *err);
/* The last event's seq (0 when the log is empty) and chain hash (zeros). */
int xc_store_event_last(xc_store *s, int64_t *seq, unsigned char chain[32], xc_error *err);
/* Events with from <= seq <= to (to < 0: to the end), in seq order. */
int xc_store_events_scan(xc_store *s, int64_t from, int64_t to, xc_event_fn fn, void *ctx, xc_error *err);

/* The signed head: one row, replaced at every sealed commit. */
typedef struct xc_audit_head_row {
    int64_t size;
    unsigned char root[32];
    unsigned char chain[32];
    unsigned char *frontier;    /* serialised Merkle frontier (merkle.h) */
    size_t frontier_len;
    char *note;                 /* the signed checkpoint text (note.h) */
    int64_t recorded_at;
} xc_audit_head_row;

int xc_store_head_get(xc_store *s, xc_audit_head_row *h, xc_error *err); /* XC_ENOTFOUND: none yet */
int xc_store_head_put(xc_store *s, const xc_audit_head_row *h, xc_error *err);
void xc_audit_head_row_clear(xc_audit_head_row *h);

/* Published checkpoints, numbered from 1. */
typedef struct xc_checkpoint_row {
    int64_t number;
    int64_t size;
    char *note;
    int64_t recorded_at;
} xc_checkpoint_row;

int xc_store_checkpoint_put(xc_store *s, int64_t size, const char *note, int64_t *number, xc_error *err);
/* number <= 0: the latest. */
int xc_store_checkpoint_get(xc_store *s, int64_t number, xc_checkpoint_row *out, xc_error *err);
void xc_checkpoint_row_clear(xc_checkpoint_row *c);

/* Free an array of n strings.  Accepts NULL. */
void xc_strv_free(char **v, size_t n);

#endif
