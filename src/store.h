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

/* Whether a write transaction is open. */
int xc_store_in_tx(const xc_store *s);

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

/* Free an array of n strings.  Accepts NULL. */
void xc_strv_free(char **v, size_t n);

#endif
