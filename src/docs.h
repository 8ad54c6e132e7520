/*
 * docs.h: helpers for the modules whose data are versioned JSON documents
 * (control-list items, rule packs, party snapshots): canonical JSON, content
 * hashes, strict field readers that name the JSON path of a bad value, and
 * recording a batch of documents in one transaction.
 */
#ifndef XC_DOCS_H
#define XC_DOCS_H

#include <jansson.h>

#include "date.h"
#include "store.h"

/* Hex SHA-256 of len bytes. */
void xc_sha256_hex(const void *data, size_t len, char hex[65]);

/* Canonical JSON (sorted keys, compact) of v and its SHA-256 hex hash.
 * *canon is allocated (free with xc_free); canon may be NULL. */
int xc_json_canon(const json_t *v, char **canon, char hash[65], xc_error *err);

/* Parse JSON text; errors read "FILE:LINE:COL: invalid JSON: ...". */
int xc_json_parse(const char *text, size_t len, const char *file, json_t **out, xc_error *err);

/* Strict readers.  path is the JSON path of obj; errors name file, path.key
 * and the bad value.  A missing optional string (or "") gives *out = NULL;
 * a missing optional date leaves *out unchanged. */
typedef struct xc_jctx {
    const char *file;
    xc_error *err;
} xc_jctx;

int xc_j_keys(xc_jctx *c, json_t *obj, const char *path, const char *const *allowed);
int xc_j_str(xc_jctx *c, json_t *obj, const char *path, const char *key, int required, const char **out);
int xc_j_date(xc_jctx *c, json_t *obj, const char *path, const char *key, int required, xc_date *out);
int xc_j_conf(xc_jctx *c, json_t *obj, const char *path, const char *key, int *out);
/* An array of strings (or, when one_ok, a single string); *out borrowed
 * pointers into obj, allocated array (free with xc_free). */
int xc_j_strs(xc_jctx *c, json_t *obj, const char *path, const char *key, int one_ok, const char ***out, size_t *n);
int xc_j_bad(xc_jctx *c, int code, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Re-label an error set by a lower layer with the file name in front. */
int xc_j_relabel(xc_jctx *c, int rc);

/* Record n documents of a kind (canonicalised and hashed here), in the
 * caller's transaction if one is open, else in one of their own.  Counts
 * how many were new in *recorded; fills hashes[i] when hashes is not NULL. */
int xc_docs_record(xc_store *s, const char *kind, json_t *const *docs, const char *const *keys, size_t n,
                   int *recorded, char (*hashes)[65], xc_error *err);

/* Append the audit event of a recorded document: type "<kind>.record",
 * subject key, payload extra (may be NULL; copied) plus doc_id and
 * content_hash.  actor NULL: the session actor. */
int xc_docs_audit(xc_store *s, const char *actor, const char *kind, const char *key, int64_t id, const char *hash,
                  json_t *extra, xc_error *err);

#endif
