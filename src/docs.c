/*
 * docs.c: canonical JSON, hashes, strict JSON field readers and batch
 * recording of versioned documents.
 */
#include "docs.h"

#include "audit.h"
#include "merkle.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "model.h"

#define MAX_TEXT 8192 /* longest string accepted in any imported document */

void xc_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char h[XC_HASH_LEN];
    xc_sha256_2(data, len, NULL, 0, h); /* OpenSSL: see merkle.c */
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

int xc_json_canon(const json_t *v, char **canon, char hash[65], xc_error *err)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!text)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory serialising JSON");
    xc_sha256_hex(text, strlen(text), hash);
    if (canon)
        *canon = text;
    else
        xc_free(text);
    return XC_OK;
}

int xc_json_parse(const char *text, size_t len, const char *file, json_t **out, xc_error *err)
{
    json_error_t je;
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!*out && json_error_code(&je) == json_error_out_of_memory)
        return xc_error_set(err, XC_ENOMEM, NULL, "%s: out of memory reading JSON", file);
    if (!*out)
        return xc_error_set(err, XC_EINVAL, NULL, "%s:%d:%d: invalid JSON: %s", file, je.line, je.column, je.text);
    return XC_OK;
}

int xc_j_bad(xc_jctx *c, int code, const char *path, const char *fmt, ...)
{
    char msg[XC_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return xc_error_set(c->err, code, path, "%s: %s: %s", c->file, path, msg);
}

int xc_j_relabel(xc_jctx *c, int rc)
{
    char msg[XC_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", c->err->msg);
    xc_error_set(c->err, rc, c->err->field, "%s: %s", c->file, msg);
    return rc;
}

int xc_j_keys(xc_jctx *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *val;
    if (!json_is_object(obj))
        return xc_j_bad(c, XC_EINVAL, path, "expected an object");
    json_object_foreach(obj, key, val) {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char list[768] = "";
            for (size_t i = 0; allowed[i]; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
            return xc_j_bad(c, XC_EINVAL, path, "unknown field \"%s\"; expected one of: %s", key, list);
        }
    }
    return XC_OK;
}

int xc_j_str(xc_jctx *c, json_t *obj, const char *path, const char *key, int required, const char **out)
{
    char p[256];
    json_t *v = json_object_get(obj, key);
    snprintf(p, sizeof(p), "%s.%s", path, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return xc_j_bad(c, XC_EINVAL, p, "missing required field \"%s\"", key);
        return XC_OK;
    }
    if (!json_is_string(v))
        return xc_j_bad(c, XC_EINVAL, p, "expected a string");
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return xc_j_bad(c, XC_EINVAL, p, "string contains a NUL character");
    if (json_string_length(v) > MAX_TEXT)
        return xc_j_bad(c, XC_EINVAL, p, "string longer than %d bytes", MAX_TEXT);
    if (required && !*s)
        return xc_j_bad(c, XC_EINVAL, p, "must not be empty");
    *out = *s ? s : NULL; /* an empty optional string is absent */
    return XC_OK;
}

int xc_j_date(xc_jctx *c, json_t *obj, const char *path, const char *key, int required, xc_date *out)
{
    const char *s = NULL;
    char p[256];
    int rc = xc_j_str(c, obj, path, key, required, &s);
    if (rc || !s)
        return rc;
    snprintf(p, sizeof(p), "%s.%s", path, key);
    if ((rc = xc_date_parse(s, out, p, c->err)))
        return xc_j_relabel(c, rc);
    return XC_OK;
}

int xc_j_conf(xc_jctx *c, json_t *obj, const char *path, const char *key, int *out)
{
    const char *s = NULL;
    char p[256];
    int rc = xc_j_str(c, obj, path, key, 1, &s);
    if (rc)
        return rc;
    snprintf(p, sizeof(p), "%s.%s", path, key);
    if ((rc = xc_confidence_parse(s, out, p, c->err)))
        return xc_j_relabel(c, rc);
    return XC_OK;
}

int xc_j_strs(xc_jctx *c, json_t *obj, const char *path, const char *key, int one_ok, const char ***out, size_t *n)
{
    char p[256];
    json_t *v = json_object_get(obj, key);
    snprintf(p, sizeof(p), "%s.%s", path, key);
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return XC_OK;
    if (json_is_string(v) && one_ok) {
        if (!(*out = xc_calloc(1, sizeof(char *))))
            return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
        (*out)[0] = json_string_value(v);
        *n = 1;
        return XC_OK;
    }
    if (!json_is_array(v))
        return xc_j_bad(c, XC_EINVAL, p, one_ok ? "expected a string or an array of strings" : "expected an array of strings");
    size_t k = json_array_size(v);
    if (!(*out = xc_calloc(k ? k : 1, sizeof(char *))))
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < k; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e) || !*json_string_value(e)) {
            xc_free(*out);
            *out = NULL;
            return xc_j_bad(c, XC_EINVAL, p, "element %zu: expected a non-empty string", i);
        }
        (*out)[i] = json_string_value(e);
    }
    *n = k;
    return XC_OK;
}

int xc_docs_audit(xc_store *s, const char *actor, const char *kind, const char *key, int64_t id, const char *hash,
                  json_t *extra, xc_error *err)
{
    char type[64];
    json_t *ev = extra ? json_deep_copy(extra) : json_object();
    if (!ev || json_object_set_new(ev, "doc_id", json_integer(id)) ||
        json_object_set_new(ev, "content_hash", json_string(hash))) {
        json_decref(ev);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    snprintf(type, sizeof(type), "%s.record", kind);
    int rc = xc_audit_append(s, actor, type, key, ev, NULL, err);
    json_decref(ev);
    return rc;
}

int xc_docs_record(xc_store *s, const char *kind, json_t *const *docs, const char *const *keys, size_t n,
                   int *recorded, char (*hashes)[65], xc_error *err)
{
    int own, rc = xc_store_join(s, &own, err);
    *recorded = 0;
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        char *canon = NULL, hash[65];
        int rec = 0;
        rc = xc_json_canon(docs[i], &canon, hash, err);
        if (rc == XC_OK && hashes)
            memcpy(hashes[i], hash, sizeof(hash));
        int64_t id = 0;
        if (rc == XC_OK)
            rc = xc_store_doc_put(s, kind, keys[i], hash, canon, &rec, &id, err);
        if (rc == XC_OK && rec)
            rc = xc_docs_audit(s, NULL, kind, keys[i], id, hash, NULL, err);
        *recorded += rec;
        xc_free(canon);
    }
    return xc_store_finish(s, own, rc, err);
}
