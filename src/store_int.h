/*
 * store_int.h: what a storage backend implements.  Private to store*.c.
 */
#ifndef XC_STORE_INT_H
#define XC_STORE_INT_H

#include "store.h"

typedef struct xc_store_ops {
    const char *name;
    void (*close)(xc_store *s);
    int (*schema_version)(xc_store *s);
    int (*begin)(xc_store *s, int64_t *tx_time, xc_error *err);
    int (*commit)(xc_store *s, xc_error *err);
    void (*rollback)(xc_store *s);
    int (*meta_get)(xc_store *s, const char *key, char **value, xc_error *err);
    int (*meta_set)(xc_store *s, const char *key, const char *value, int64_t tx, xc_error *err);
    int (*list_put)(xc_store *s, const xc_list_meta *m, int64_t tx, xc_error *err);
    int (*list_get)(xc_store *s, const char *id, int64_t as_of, xc_list_meta **out, xc_error *err);
    int (*list_ids)(xc_store *s, int64_t as_of, char ***ids, size_t *n, xc_error *err);
    int (*version_put)(xc_store *s, xc_version *v, int64_t tx, xc_error *err);
    int (*versions_get)(xc_store *s, const char *list_id, int64_t as_of, xc_version **out, size_t *n,
                        xc_error *err);
    int (*doc_put)(xc_store *s, const char *kind, const char *key, const char *hash, const char *body, int64_t tx,
                   int64_t *id, xc_error *err);
    int (*doc_latest)(xc_store *s, const char *kind, int64_t as_of, xc_doc **out, size_t *n, xc_error *err);
    int (*decision_put)(xc_store *s, const char *kind, const char *request, const char *result, int64_t tx,
                        int64_t *id, xc_error *err);
    int (*decision_get)(xc_store *s, int64_t id, xc_decision *out, xc_error *err);
    int (*doc_head)(xc_store *s, const char *kind, const char *key, int64_t *id, char hash[65], xc_error *err);
    int (*doc_keys)(xc_store *s, const char *kind, int64_t as_of, char ***keys, size_t *n, xc_error *err);
    int (*event_put)(xc_store *s, const xc_event_row *ev, xc_error *err);
    int (*event_last)(xc_store *s, int64_t *seq, unsigned char chain[32], xc_error *err);
    int (*events_scan)(xc_store *s, int64_t from, int64_t to, xc_event_fn fn, void *ctx, xc_error *err);
    int (*head_get)(xc_store *s, xc_audit_head_row *h, xc_error *err);
    int (*head_put)(xc_store *s, const xc_audit_head_row *h, xc_error *err);
    int (*checkpoint_put)(xc_store *s, int64_t size, const char *note, int64_t tx, int64_t *number, xc_error *err);
    int (*checkpoint_get)(xc_store *s, int64_t number, xc_checkpoint_row *out, xc_error *err);
    int (*doc_get)(xc_store *s, const char *kind, const char *key, xc_doc *out, xc_error *err);
    int (*doc_versions)(xc_store *s, const char *kind, const char *key, xc_doc **out, size_t *n, xc_error *err);
    const char *(*path)(xc_store *s);
    int (*data_version)(xc_store *s, int64_t *v, xc_error *err);
} xc_store_ops;

struct xc_store {
    const xc_store_ops *ops;
    int in_tx;
    int64_t tx_time;
    int tx_writes;   /* history rows written in the open transaction */
    int tx_events;   /* audit events appended in the open transaction */
    int tx_engine;   /* the transaction wrote data the engines are built from */
    char *actor;     /* session actor recorded by events that name none */
    struct xc_audit_state *audit; /* owned by audit.c */
    void *impl;      /* backend state */
};

/* Hooks implemented by audit.c and called by store.c: seal the open
 * transaction's events (new signed head) before it commits, forget the
 * in-memory state after a rollback, free it on close. */
int xc_audit_seal(xc_store *s, xc_error *err);
void xc_audit_abort(xc_store *s);
void xc_audit_close(xc_store *s);

/* Backend constructors. */
int xc_store_sqlite_open(const char *path, xc_store *s, xc_error *err);

#endif
