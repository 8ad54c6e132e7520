/*
 * store.c: backend selection and the thin dispatch layer over the
 * operation table, plus the transaction bookkeeping common to backends.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

#define DATA_GENERATION "data.generation"

int xc_store_open(const char *path, xc_store **out, xc_error *err)
{
    *out = NULL;
    if (!path || !*path)
        return xc_error_set(err, XC_EINVAL, "--db", "--db: empty database path");
    if (strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0)
        return xc_error_set(err, XC_EINVAL, "--db",
                            "--db: \"%s\": the PostgreSQL backend is not built yet; use a SQLite file path", path);
    xc_store *s = xc_calloc(1, sizeof(*s));
    if (!s)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory opening the store");
    int rc = xc_store_sqlite_open(path, s, err);
    if (rc) {
        xc_free(s);
        return rc;
    }
    *out = s;
    return XC_OK;
}

void xc_store_close(xc_store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        xc_store_rollback(s);
    xc_audit_close(s);
    s->ops->close(s);
    xc_free(s->actor);
    xc_free(s);
}

const char *xc_store_backend(const xc_store *s)
{
    return s->ops->name;
}

int xc_store_schema_version(xc_store *s)
{
    return s->ops->schema_version(s);
}

int xc_store_begin(xc_store *s, xc_error *err)
{
    if (s->in_tx)
        return xc_error_set(err, XC_EINTERNAL, NULL, "nested write transaction");
    int rc = s->ops->begin(s, &s->tx_time, err);
    if (rc == XC_OK) {
        s->in_tx = 1;
        s->tx_writes = 0;
        s->tx_events = 0;
        s->tx_engine = 0;
    }
    return rc;
}

int xc_store_commit(xc_store *s, xc_error *err)
{
    int rc = XC_OK;
    if (!s->in_tx)
        return xc_error_set(err, XC_EINTERNAL, NULL, "commit without a transaction");
    if (s->tx_writes > 0 && s->tx_events == 0)
        rc = xc_error_set(err, XC_EINTERNAL, NULL,
                          "refusing to commit %d write(s) that appended no audit event (a bug)", s->tx_writes);
    else if (s->tx_events > 0)
        rc = xc_audit_seal(s, err);
    if (rc == XC_OK && s->tx_engine) {
        char ts[XC_TS_BUF];
        rc = s->ops->meta_set(s, DATA_GENERATION, xc_ts_format(s->tx_time, ts), s->tx_time, err);
    }
    if (rc) {
        xc_store_rollback(s);
        return rc;
    }
    s->in_tx = 0;
    rc = s->ops->commit(s, err);
    if (rc)
        xc_audit_abort(s);
    return rc;
}

void xc_store_rollback(xc_store *s)
{
    if (s && s->in_tx) {
        s->in_tx = 0;
        s->ops->rollback(s);
        xc_audit_abort(s);
    }
}

int xc_store_set_actor(xc_store *s, const char *actor, xc_error *err)
{
    char *a = xc_strdup(actor && *actor ? actor : "system");
    if (!a)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    xc_free(s->actor);
    s->actor = a;
    return XC_OK;
}

const char *xc_store_actor(const xc_store *s)
{
    return s->actor ? s->actor : "system";
}

int xc_store_data_version(xc_store *s, int64_t *v, xc_error *err)
{
    return s->ops->data_version(s, v, err);
}

const char *xc_store_path(xc_store *s)
{
    return s->ops->path(s);
}

int xc_store_join(xc_store *s, int *own, xc_error *err)
{
    *own = !s->in_tx;
    return *own ? xc_store_begin(s, err) : XC_OK;
}

int xc_store_finish(xc_store *s, int own, int rc, xc_error *err)
{
    if (!own)
        return rc;
    if (rc) {
        xc_store_rollback(s);
        return rc;
    }
    return xc_store_commit(s, err);
}

int xc_store_in_tx(const xc_store *s)
{
    return s->in_tx;
}

void xc_store_tx_counts(const xc_store *s, int *writes, int *events)
{
    *writes = s->in_tx ? s->tx_writes : 0;
    *events = s->in_tx ? s->tx_events : 0;
}

int64_t xc_store_tx_time(const xc_store *s)
{
    return s->tx_time;
}

static int need_tx(xc_store *s, xc_error *err)
{
    return s->in_tx ? XC_OK : xc_error_set(err, XC_EINTERNAL, NULL, "write outside a transaction");
}

int xc_store_meta_get(xc_store *s, const char *key, char **value, xc_error *err)
{
    return s->ops->meta_get(s, key, value, err);
}

int xc_store_meta_set(xc_store *s, const char *key, const char *value, xc_error *err)
{
    int rc = need_tx(s, err);
    return rc ? rc : s->ops->meta_set(s, key, value, s->tx_time, err);
}

static int wrote(xc_store *s, int rc)
{
    if (rc == XC_OK)
        s->tx_writes++;
    return rc;
}

/* Kinds of documents the policy and screening engines are built from. */
static int engine_kind(const char *kind)
{
    return strcmp(kind, XC_DOC_ITEM) == 0 || strcmp(kind, XC_DOC_RULES) == 0 || strcmp(kind, XC_DOC_PARTIES) == 0 ||
           strcmp(kind, XC_DOC_ALLOW) == 0;
}

int xc_store_data_generation(xc_store *s, char out[XC_TS_BUF], xc_error *err)
{
    char *v = NULL;
    int rc = s->ops->meta_get(s, DATA_GENERATION, &v, err);
    out[0] = '\0';
    if (rc == XC_OK && v)
        snprintf(out, XC_TS_BUF, "%s", v);
    xc_free(v);
    return rc;
}

int xc_store_list_put(xc_store *s, const xc_list_meta *m, xc_error *err)
{
    int rc = need_tx(s, err);
    if (rc == XC_OK)
        s->tx_engine = 1;
    return rc ? rc : wrote(s, s->ops->list_put(s, m, s->tx_time, err));
}

int xc_store_list_get(xc_store *s, const char *id, int64_t as_of, xc_list_meta **out, xc_error *err)
{
    return s->ops->list_get(s, id, as_of, out, err);
}

int xc_store_list_ids(xc_store *s, int64_t as_of, char ***ids, size_t *n, xc_error *err)
{
    return s->ops->list_ids(s, as_of, ids, n, err);
}

int xc_store_version_put(xc_store *s, xc_version *v, xc_error *err)
{
    int rc = need_tx(s, err);
    if (rc == XC_OK)
        s->tx_engine = 1;
    return rc ? rc : wrote(s, s->ops->version_put(s, v, s->tx_time, err));
}

int xc_store_versions_get(xc_store *s, const char *list_id, int64_t as_of, xc_version **out, size_t *n,
                          xc_error *err)
{
    return s->ops->versions_get(s, list_id, as_of, out, n, err);
}

void xc_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        xc_free(v[i]);
    xc_free(v);
}

int xc_store_doc_put(xc_store *s, const char *kind, const char *key, const char *hash, const char *body,
                     int *recorded, int64_t *id, xc_error *err)
{
    int64_t head = 0;
    char head_hash[65];
    int rc = need_tx(s, err);
    *recorded = 0;
    if (rc)
        return rc;
    rc = s->ops->doc_head(s, kind, key, &head, head_hash, err);
    if (rc == XC_OK && strcmp(head_hash, hash) == 0) {
        if (id)
            *id = head;
        return XC_OK; /* unchanged */
    }
    if (rc != XC_OK && rc != XC_ENOTFOUND)
        return rc;
    rc = wrote(s, s->ops->doc_put(s, kind, key, hash, body, s->tx_time, id, err));
    if (rc == XC_OK) {
        *recorded = 1;
        if (engine_kind(kind))
            s->tx_engine = 1;
    }
    return rc;
}

int xc_store_doc_keys(xc_store *s, const char *kind, int64_t as_of, char ***keys, size_t *n, xc_error *err)
{
    return s->ops->doc_keys(s, kind, as_of, keys, n, err);
}

int xc_store_doc_latest(xc_store *s, const char *kind, int64_t as_of, xc_doc **out, size_t *n, xc_error *err)
{
    return s->ops->doc_latest(s, kind, as_of, out, n, err);
}

void xc_doc_clear(xc_doc *d)
{
    if (!d)
        return;
    xc_free(d->key);
    xc_free(d->body);
    memset(d, 0, sizeof(*d));
}

void xc_docs_free(xc_doc *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++)
        xc_doc_clear(&d[i]);
    xc_free(d);
}

int xc_store_decision_put(xc_store *s, const char *kind, const char *request, const char *result, int64_t *id,
                          xc_error *err)
{
    int rc = need_tx(s, err);
    return rc ? rc : wrote(s, s->ops->decision_put(s, kind, request, result, s->tx_time, id, err));
}

int xc_store_decision_get(xc_store *s, int64_t id, xc_decision *out, xc_error *err)
{
    return s->ops->decision_get(s, id, out, err);
}

void xc_decision_clear(xc_decision *d)
{
    if (!d)
        return;
    xc_free(d->kind);
    xc_free(d->request);
    xc_free(d->result);
    memset(d, 0, sizeof(*d));
}

int xc_store_doc_get(xc_store *s, const char *kind, const char *key, xc_doc *out, xc_error *err)
{
    return s->ops->doc_get(s, kind, key, out, err);
}

int xc_store_doc_versions(xc_store *s, const char *kind, const char *key, xc_doc **out, size_t *n, xc_error *err)
{
    return s->ops->doc_versions(s, kind, key, out, n, err);
}

int xc_store_event_put(xc_store *s, const xc_event_row *ev, xc_error *err)
{
    int rc = need_tx(s, err);
    if (rc == XC_OK && (rc = s->ops->event_put(s, ev, err)) == XC_OK)
        s->tx_events++;
    return rc;
}

int xc_store_event_last(xc_store *s, int64_t *seq, unsigned char chain[32], xc_error *err)
{
    return s->ops->event_last(s, seq, chain, err);
}

int xc_store_events_scan(xc_store *s, int64_t from, int64_t to, xc_event_fn fn, void *ctx, xc_error *err)
{
    return s->ops->events_scan(s, from, to, fn, ctx, err);
}

int xc_store_head_get(xc_store *s, xc_audit_head_row *h, xc_error *err)
{
    return s->ops->head_get(s, h, err);
}

int xc_store_head_put(xc_store *s, const xc_audit_head_row *h, xc_error *err)
{
    int rc = need_tx(s, err);
    return rc ? rc : s->ops->head_put(s, h, err);
}

void xc_audit_head_row_clear(xc_audit_head_row *h)
{
    if (!h)
        return;
    xc_free(h->frontier);
    xc_free(h->note);
    memset(h, 0, sizeof(*h));
}

int xc_store_checkpoint_put(xc_store *s, int64_t size, const char *note, int64_t *number, xc_error *err)
{
    int rc = need_tx(s, err);
    return rc ? rc : s->ops->checkpoint_put(s, size, note, s->tx_time, number, err);
}

int xc_store_checkpoint_get(xc_store *s, int64_t number, xc_checkpoint_row *out, xc_error *err)
{
    return s->ops->checkpoint_get(s, number, out, err);
}

void xc_checkpoint_row_clear(xc_checkpoint_row *c)
{
    if (!c)
        return;
    xc_free(c->note);
    memset(c, 0, sizeof(*c));
}
