/*
 * registry_import.c: validation and recording of country lists.
 *
 * Import is two-phase: the whole input is parsed and validated into
 * in-memory lists first (every error names the file, the JSON path or line
 * and the bad value); only then is one write transaction opened, the input
 * compared with what is recorded, and new versions appended.  A version
 * identical (by content hash) to the recorded one for its effective date is
 * skipped, so importing the same file twice records nothing.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "country.h"
#include "csvrows.h"
#include "docs.h"
#include "mem.h"
#include "audit.h"
#include "registry_int.h"

#define MAX_TEXT 8192     /* longest reason, source or note accepted */
#define MAX_MEMBERS 1000  /* more than there are countries */
#define FORMAT_NAME "exportctl-lists/1"

typedef struct pending_list {
    xc_list_meta meta;
    xc_version *v;
    size_t n;
    char **paths; /* JSON path (or file:line) of each version, for errors */
} pending_list;

typedef struct import_ctx {
    xc_jctx j; /* file name and error record */
    pending_list *lists;
    size_t n_lists;
} import_ctx;

static void pending_free(pending_list *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        xc_free(p[i].meta.id);
        xc_free(p[i].meta.title);
        xc_free(p[i].meta.authority);
        xc_free(p[i].meta.legal_basis);
        xc_free(p[i].meta.purpose);
        xc_versions_free(p[i].v, p[i].n);
        xc_strv_free(p[i].paths, p[i].n);
    }
    xc_free(p);
}

int xc_registry_check_id(const char *id, const char *field, xc_error *err)
{
    size_t n = id ? strlen(id) : 0;
    int ok = n > 0 && n <= 64 && id[0] != '-' && id[n - 1] != '-';
    for (size_t i = 0; ok && i < n; i++) {
        char ch = id[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch == '-' && id[i + 1] != '-');
    }
    if (ok)
        return XC_OK;
    return xc_error_set(err, XC_EINVAL, field,
                        "%s: \"%s\" is not a list id; use 1-64 lowercase letters, digits and single dashes "
                        "(e.g. il-cyber-marketing)",
                        field ? field : "list", id ? id : "");
}

/* ---- content hash ------------------------------------------------------ */

static json_t *members_content(const xc_member *m, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "country", m[i].country, "reason", m[i].reason,
                                           "source", m[i].source, "confidence",
                                           xc_confidence_name(m[i].confidence)));
    return a;
}

json_t *reg_version_content_json(const xc_version *v)
{
    char f[XC_DATE_BUF], t[XC_DATE_BUF];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "list", v->list_id, "effective_from",
                          xc_date_format(v->effective_from, f), "date_precision", v->precision, "source", v->source,
                          "confidence", xc_confidence_name(v->confidence));
    if (!o)
        return NULL;
    if (v->effective_to != XC_DATE_NONE)
        json_object_set_new(o, "effective_to", json_string(xc_date_format(v->effective_to, t)));
    if (v->declared_count >= 0)
        json_object_set_new(o, "declared_count", json_integer(v->declared_count));
    if (v->note)
        json_object_set_new(o, "note", json_string(v->note));
    json_object_set_new(o, "members", members_content(v->members, v->n_members));
    json_object_set_new(o, "removed", members_content(v->removed, v->n_removed));
    return o;
}

int reg_version_hash(xc_version *v, xc_error *err)
{
    json_t *o = reg_version_content_json(v);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!text)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory hashing a version");
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(v->hash, sizeof(v->hash), h, sizeof(h));
    xc_free(text);
    return XC_OK;
}

/* ---- JSON validation ---------------------------------------------------- */

static int dup_into(import_ctx *c, char **dst, const char *s)
{
    if (!s) {
        *dst = NULL;
        return XC_OK;
    }
    *dst = xc_strdup(s);
    return *dst ? XC_OK : xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const xc_member *)a)->country, ((const xc_member *)b)->country);
}

/* Resolve one member entry (object or bare country string) with defaults. */
static int parse_member(import_ctx *c, json_t *e, const char *path, const xc_version *v, const char *dreason,
                        xc_member *out)
{
    static const char *const keys[] = {"country", "reason", "source", "confidence", NULL};
    const char *country = NULL, *reason = dreason, *source = v->source, *conf = NULL;
    char p[256];
    int rc, confidence = v->confidence;
    if (json_is_string(e)) {
        country = json_string_value(e);
        snprintf(p, sizeof(p), "%s", path);
    } else if (json_is_object(e)) {
        const char *r = NULL, *s = NULL;
        snprintf(p, sizeof(p), "%s.country", path);
        if ((rc = xc_j_keys(&c->j, e, path, keys)) || (rc = xc_j_str(&c->j, e, path, "country", 1, &country)) ||
            (rc = xc_j_str(&c->j, e, path, "reason", 0, &r)) || (rc = xc_j_str(&c->j, e, path, "source", 0, &s)) ||
            (rc = xc_j_str(&c->j, e, path, "confidence", 0, &conf)))
            return rc;
        if (r)
            reason = r;
        if (s)
            source = s;
    } else {
        return xc_j_bad(&c->j, XC_EINVAL, path, "expected a country code or an object with \"country\"");
    }
    const xc_country *cc;
    if ((rc = xc_country_lookup(country, p, &cc, c->j.err)))
        return xc_j_relabel(&c->j, rc);
    if (strcmp(country, cc->alpha2) != 0)
        return xc_j_bad(&c->j, XC_EINVAL, p, "\"%s\" must be written as the ISO 3166-1 alpha-2 code %s", country, cc->alpha2);
    if (conf) {
        char cp[256];
        snprintf(cp, sizeof(cp), "%s.confidence", path);
        if ((rc = xc_confidence_parse(conf, &confidence, cp, c->j.err)))
            return xc_j_relabel(&c->j, rc);
    }
    if (!reason || !*reason)
        return xc_j_bad(&c->j, XC_EINVAL, path, "%s has no reason: give it a \"reason\"%s", cc->alpha2,
                   dreason ? "" : (strstr(path, "removed") ? " (a removal needs its own reason)"
                                                           : " or give the version one"));
    memset(out, 0, sizeof(*out));
    snprintf(out->country, sizeof(out->country), "%s", cc->alpha2);
    out->confidence = confidence;
    out->since = XC_DATE_NONE;
    if ((rc = dup_into(c, &out->reason, reason)) || (rc = dup_into(c, &out->source, source)))
        return rc;
    return XC_OK;
}

static int parse_members(import_ctx *c, json_t *arr, const char *path, const xc_version *v, const char *dreason,
                         xc_member **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!arr)
        return XC_OK;
    if (!json_is_array(arr))
        return xc_j_bad(&c->j, XC_EINVAL, path, "expected an array");
    size_t n = json_array_size(arr);
    if (n > MAX_MEMBERS)
        return xc_j_bad(&c->j, XC_EINVAL, path, "%zu entries is more than the %d allowed", n, MAX_MEMBERS);
    xc_member *m = xc_calloc(n, sizeof(*m));
    if (!m)
        return xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
    *out = m;
    for (size_t i = 0; i < n; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        int rc = parse_member(c, json_array_get(arr, i), p, v, dreason, &m[i]);
        *n_out = i + 1;
        if (rc)
            return rc;
    }
    qsort(m, n, sizeof(*m), cmp_member);
    for (size_t i = 1; i < n; i++)
        if (strcmp(m[i].country, m[i - 1].country) == 0)
            return xc_j_bad(&c->j, XC_EINVAL, path, "country %s is listed twice", m[i].country);
    return XC_OK;
}

static int parse_date_field(import_ctx *c, json_t *obj, const char *path, const char *key, int required,
                            xc_date *out)
{
    const char *s;
    char p[256];
    int rc = xc_j_str(&c->j, obj, path, key, required, &s);
    *out = XC_DATE_NONE;
    if (rc || !s)
        return rc;
    snprintf(p, sizeof(p), "%s.%s", path, key);
    if ((rc = xc_date_parse(s, out, p, c->j.err)))
        return xc_j_relabel(&c->j, rc);
    return XC_OK;
}

static int check_precision(import_ctx *c, const char *s, const char *path, char *out)
{
    if (!s)
        s = "day";
    if (strcmp(s, "day") && strcmp(s, "month") && strcmp(s, "year"))
        return xc_j_bad(&c->j, XC_EINVAL, path, "\"%s\" is not a date precision; expected day, month or year", s);
    snprintf(out, 8, "%s", s);
    return XC_OK;
}

/* Checks that apply to a version however it was read (JSON or CSV). */
static int finish_version(import_ctx *c, xc_version *v, const char *path)
{
    char p[256];
    if (v->effective_to != XC_DATE_NONE && v->effective_to <= v->effective_from) {
        char f[XC_DATE_BUF], t[XC_DATE_BUF];
        snprintf(p, sizeof(p), "%s.effective_to", path);
        return xc_j_bad(&c->j, XC_EINVAL, p, "effective_to %s is not after effective_from %s",
                   xc_date_format(v->effective_to, t), xc_date_format(v->effective_from, f));
    }
    if (v->declared_count >= 0 && (size_t)v->declared_count < v->n_members) {
        snprintf(p, sizeof(p), "%s.declared_count", path);
        return xc_j_bad(&c->j, XC_EINVAL, p, "declared count %d is smaller than the %zu members listed", v->declared_count,
                   v->n_members);
    }
    for (size_t i = 0; i < v->n_removed; i++) {
        if (xc_members_find(v->members, v->n_members, v->removed[i].country)) {
            snprintf(p, sizeof(p), "%s.removed", path);
            return xc_j_bad(&c->j, XC_EINVAL, p, "country %s is both a member and removed", v->removed[i].country);
        }
    }
    return reg_version_hash(v, c->j.err);
}

static int parse_version(import_ctx *c, json_t *o, const char *path, const char *list_id, xc_version *v)
{
    static const char *const keys[] = {"effective_from", "effective_to", "date_precision", "declared_count",
                                       "source",         "confidence",   "note",           "reason",
                                       "correction",     "members",      "removed",        "recorded_at",
                                       "content_hash",   NULL};
    const char *source, *conf, *note, *reason, *correction, *precision, *hash, *recorded;
    char p[256];
    int rc;
    memset(v, 0, sizeof(*v));
    v->declared_count = -1;
    if (!json_is_object(o))
        return xc_j_bad(&c->j, XC_EINVAL, path, "expected an object");
    if ((rc = xc_j_keys(&c->j, o, path, keys)) || (rc = parse_date_field(c, o, path, "effective_from", 1, &v->effective_from)) ||
        (rc = parse_date_field(c, o, path, "effective_to", 0, &v->effective_to)) ||
        (rc = xc_j_str(&c->j, o, path, "date_precision", 0, &precision)) ||
        (rc = xc_j_str(&c->j, o, path, "source", 1, &source)) || (rc = xc_j_str(&c->j, o, path, "confidence", 1, &conf)) ||
        (rc = xc_j_str(&c->j, o, path, "note", 0, &note)) || (rc = xc_j_str(&c->j, o, path, "reason", 0, &reason)) ||
        (rc = xc_j_str(&c->j, o, path, "correction", 0, &correction)) ||
        (rc = xc_j_str(&c->j, o, path, "content_hash", 0, &hash)) ||
        (rc = xc_j_str(&c->j, o, path, "recorded_at", 0, &recorded))) /* informational, from an export */
        return rc;
    snprintf(p, sizeof(p), "%s.date_precision", path);
    if ((rc = check_precision(c, precision, p, v->precision)))
        return rc;
    snprintf(p, sizeof(p), "%s.confidence", path);
    if ((rc = xc_confidence_parse(conf, &v->confidence, p, c->j.err)))
        return xc_j_relabel(&c->j, rc);
    json_t *dc = json_object_get(o, "declared_count");
    if (dc && !json_is_null(dc)) {
        snprintf(p, sizeof(p), "%s.declared_count", path);
        if (!json_is_integer(dc) || json_integer_value(dc) < 0 || json_integer_value(dc) > MAX_MEMBERS)
            return xc_j_bad(&c->j, XC_EINVAL, p, "expected an integer from 0 to %d", MAX_MEMBERS);
        v->declared_count = (int)json_integer_value(dc);
    }
    if ((rc = dup_into(c, &v->list_id, list_id)) || (rc = dup_into(c, &v->source, source)) ||
        (rc = dup_into(c, &v->note, note)) || (rc = dup_into(c, &v->correction, correction)))
        return rc;
    snprintf(p, sizeof(p), "%s.members", path);
    json_t *members = json_object_get(o, "members");
    if (!members)
        return xc_j_bad(&c->j, XC_EINVAL, p, "missing required field \"members\" (use [] for an empty list)");
    if ((rc = parse_members(c, members, p, v, reason, &v->members, &v->n_members)))
        return rc;
    snprintf(p, sizeof(p), "%s.removed", path);
    /* a removal needs its own reason: the version's describes membership */
    if ((rc = parse_members(c, json_object_get(o, "removed"), p, v, NULL, &v->removed, &v->n_removed)))
        return rc;
    if ((rc = finish_version(c, v, path)))
        return rc;
    if (hash && strcmp(hash, v->hash) != 0) {
        snprintf(p, sizeof(p), "%s.content_hash", path);
        return xc_j_bad(&c->j, XC_EINVAL, p, "\"%s\" does not match the content, whose hash is %s", hash, v->hash);
    }
    return XC_OK;
}

static int cmp_version(const void *a, const void *b)
{
    const xc_version *x = a, *y = b;
    return (x->effective_from > y->effective_from) - (x->effective_from < y->effective_from);
}

static int parse_list(import_ctx *c, json_t *o, const char *path, pending_list *pl)
{
    static const char *const keys[] = {"id", "title", "authority", "legal_basis", "purpose", "versions", NULL};
    const char *id, *title, *authority, *basis, *purpose;
    char p[256];
    int rc;
    if (!json_is_object(o))
        return xc_j_bad(&c->j, XC_EINVAL, path, "expected an object");
    if ((rc = xc_j_keys(&c->j, o, path, keys)) || (rc = xc_j_str(&c->j, o, path, "id", 1, &id)))
        return rc;
    snprintf(p, sizeof(p), "%s.id", path);
    if ((rc = xc_registry_check_id(id, p, c->j.err)))
        return xc_j_relabel(&c->j, rc);
    if ((rc = xc_j_str(&c->j, o, path, "title", 1, &title)) || (rc = xc_j_str(&c->j, o, path, "authority", 1, &authority)) ||
        (rc = xc_j_str(&c->j, o, path, "legal_basis", 1, &basis)) || (rc = xc_j_str(&c->j, o, path, "purpose", 1, &purpose)))
        return rc;
    if ((rc = dup_into(c, &pl->meta.id, id)) || (rc = dup_into(c, &pl->meta.title, title)) ||
        (rc = dup_into(c, &pl->meta.authority, authority)) || (rc = dup_into(c, &pl->meta.legal_basis, basis)) ||
        (rc = dup_into(c, &pl->meta.purpose, purpose)))
        return rc;
    json_t *versions = json_object_get(o, "versions");
    snprintf(p, sizeof(p), "%s.versions", path);
    if (!json_is_array(versions) || json_array_size(versions) == 0)
        return xc_j_bad(&c->j, XC_EINVAL, p, "expected a non-empty array of versions");
    size_t n = json_array_size(versions);
    pl->v = xc_calloc(n, sizeof(*pl->v));
    pl->paths = xc_calloc(n, sizeof(char *));
    if (!pl->v || !pl->paths)
        return xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char vp[256];
        snprintf(vp, sizeof(vp), "%s[%zu]", p, i);
        pl->n = i + 1;
        if ((rc = dup_into(c, &pl->paths[i], vp)) ||
            (rc = parse_version(c, json_array_get(versions, i), vp, id, &pl->v[i])))
            return rc;
    }
    /* sort versions and paths together by effective date */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && cmp_version(&pl->v[j - 1], &pl->v[j]) > 0; j--) {
            xc_version tv = pl->v[j];
            pl->v[j] = pl->v[j - 1];
            pl->v[j - 1] = tv;
            char *tp = pl->paths[j];
            pl->paths[j] = pl->paths[j - 1];
            pl->paths[j - 1] = tp;
        }
    }
    for (size_t i = 1; i < n; i++) {
        if (pl->v[i].effective_from == pl->v[i - 1].effective_from) {
            char d[XC_DATE_BUF];
            return xc_j_bad(&c->j, XC_EINVAL, pl->paths[i], "overlapping versions: %s and %s both take effect on %s",
                       pl->paths[i - 1], pl->paths[i], xc_date_format(pl->v[i].effective_from, d));
        }
    }
    return XC_OK;
}

static int parse_document(import_ctx *c, const char *text, size_t len)
{
    json_error_t jerr;
    int rc = XC_OK;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return xc_error_set(c->j.err, XC_EINVAL, NULL, "%s:%d:%d: invalid JSON: %s", c->j.file, jerr.line, jerr.column,
                            jerr.text);
    static const char *const keys[] = {"format", "lists", "$comment", NULL};
    const char *format;
    if (!json_is_object(root)) {
        rc = xc_j_bad(&c->j, XC_EINVAL, "$", "expected an object with \"format\" and \"lists\"");
        goto out;
    }
    if ((rc = xc_j_keys(&c->j, root, "$", keys)) || (rc = xc_j_str(&c->j, root, "$", "format", 1, &format)))
        goto out;
    if (strcmp(format, FORMAT_NAME) != 0) {
        rc = xc_j_bad(&c->j, XC_EINVAL, "$.format", "\"%s\" is not a supported format; expected \"%s\"", format, FORMAT_NAME);
        goto out;
    }
    json_t *lists = json_object_get(root, "lists");
    if (!json_is_array(lists) || json_array_size(lists) == 0) {
        rc = xc_j_bad(&c->j, XC_EINVAL, "$.lists", "expected a non-empty array of lists");
        goto out;
    }
    size_t n = json_array_size(lists);
    if (!(c->lists = xc_calloc(n, sizeof(*c->lists)))) {
        rc = xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "$.lists[%zu]", i);
        c->n_lists = i + 1;
        if ((rc = parse_list(c, json_array_get(lists, i), p, &c->lists[i])))
            goto out;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(c->lists[j].meta.id, c->lists[i].meta.id) == 0) {
                rc = xc_j_bad(&c->j, XC_EINVAL, p, "list \"%s\" appears twice (also $.lists[%zu])", c->lists[i].meta.id, j);
                goto out;
            }
        }
    }
out:
    json_decref(root);
    return rc;
}

/* ---- recording ----------------------------------------------------------- */

static int meta_equal(const xc_list_meta *a, const xc_list_meta *b)
{
    return strcmp(a->title, b->title) == 0 && strcmp(a->authority, b->authority) == 0 &&
           strcmp(a->legal_basis, b->legal_basis) == 0 && strcmp(a->purpose, b->purpose) == 0;
}

/* One entry of the merged timeline used to check for overlaps. */
typedef struct span {
    xc_date from, to;
    const char *where; /* input path, or NULL for a recorded version */
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/* The recorded timeline with the pending versions replacing those of the
 * same effective date must not have a version whose effective_to reaches
 * past the start of the next one. */
static int check_overlaps(import_ctx *c, pending_list *pl, const xc_version *all, const size_t *cur, size_t n_cur)
{
    span *sp = xc_calloc(n_cur + pl->n, sizeof(*sp));
    size_t n = 0;
    int rc = XC_OK;
    if (!sp)
        return xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
    for (size_t k = 0; k < n_cur; k++) {
        const xc_version *r = &all[cur[k]];
        int replaced = 0;
        for (size_t i = 0; i < pl->n && !replaced; i++)
            replaced = pl->v[i].effective_from == r->effective_from;
        if (!replaced)
            sp[n++] = (span){r->effective_from, r->effective_to, NULL};
    }
    for (size_t i = 0; i < pl->n; i++)
        sp[n++] = (span){pl->v[i].effective_from, pl->v[i].effective_to, pl->paths[i]};
    qsort(sp, n, sizeof(*sp), cmp_span);
    for (size_t i = 0; i + 1 < n; i++) {
        if (sp[i].to != XC_DATE_NONE && sp[i].to > sp[i + 1].from) {
            char a[XC_DATE_BUF], b[XC_DATE_BUF], d[XC_DATE_BUF];
            const char *where = sp[i].where ? sp[i].where : sp[i + 1].where;
            rc = xc_j_bad(&c->j, XC_EINVAL, where,
                     "overlapping versions of %s: the version effective %s runs to %s, past the start of the "
                     "%s version effective %s",
                     pl->meta.id, xc_date_format(sp[i].from, a), xc_date_format(sp[i].to, b),
                     sp[i + 1].where ? "new" : "recorded", xc_date_format(sp[i + 1].from, d));
            break;
        }
    }
    xc_free(sp);
    return rc;
}

/* The audit event of a recorded version: its id, dates, counts and content
 * hash (the members themselves are in the version the hash commits to). */
static int audit_version(xc_store *s, const xc_version *v, xc_error *err)
{
    char from[XC_DATE_BUF], to[XC_DATE_BUF];
    json_t *ev = json_pack("{s:I, s:s, s:o, s:I, s:I, s:s, s:s, s:o}", "version_id", (json_int_t)v->id,
                           "effective_from", xc_date_format(v->effective_from, from), "effective_to",
                           v->effective_to == XC_DATE_NONE ? json_null() : json_string(xc_date_format(v->effective_to, to)),
                           "members", (json_int_t)v->n_members, "removed", (json_int_t)v->n_removed, "content_hash",
                           v->hash, "confidence", xc_confidence_name(v->confidence), "correction",
                           v->correction ? json_string(v->correction) : json_null());
    if (!ev)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = xc_audit_append(s, NULL, v->correction ? "list.correction" : "list.version", v->list_id, ev, NULL, err);
    json_decref(ev);
    return rc;
}

static int record_list(import_ctx *c, xc_store *s, pending_list *pl, xc_import_stats *stats)
{
    xc_list_meta *old = NULL;
    xc_version *all = NULL;
    size_t n_all = 0, *cur = NULL, n_cur = 0;
    int rc = xc_store_list_get(s, pl->meta.id, XC_TS_LATEST, &old, c->j.err);
    if (rc == XC_ENOTFOUND) {
        xc_error_clear(c->j.err);
        rc = XC_OK;
    }
    if (rc)
        goto out;
    if (!old || !meta_equal(old, &pl->meta)) {
        json_t *ev = json_pack("{s:s, s:s, s:s}", "title", pl->meta.title, "authority", pl->meta.authority,
                               "change", old ? "metadata" : "created");
        rc = ev ? xc_store_list_put(s, &pl->meta, c->j.err) : xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
        if (rc == XC_OK)
            rc = xc_audit_append(s, NULL, "list.meta", pl->meta.id, ev, NULL, c->j.err);
        json_decref(ev);
        if (rc)
            goto out;
        stats->lists_recorded++;
    }
    if ((rc = xc_store_versions_get(s, pl->meta.id, XC_TS_LATEST, &all, &n_all, c->j.err)) ||
        (rc = reg_current(all, n_all, &cur, &n_cur)))
        goto out;
    if ((rc = check_overlaps(c, pl, all, cur, n_cur)))
        goto out;
    for (size_t i = 0; i < pl->n; i++) {
        xc_version *v = &pl->v[i];
        const xc_version *rec = NULL;
        int seen = 0;
        for (size_t k = 0; k < n_cur && !rec; k++)
            if (all[cur[k]].effective_from == v->effective_from)
                rec = &all[cur[k]];
        /* identical to the recording in force, or to one a later correction
         * superseded (re-importing an original file after a correction) */
        for (size_t k = 0; k < n_all && !seen; k++)
            seen = all[k].effective_from == v->effective_from && strcmp(all[k].hash, v->hash) == 0;
        if (seen) {
            stats->versions_unchanged++;
            continue;
        }
        if (rec && !v->correction) {
            char d[XC_DATE_BUF], t[XC_TS_BUF];
            rc = xc_j_bad(&c->j, XC_ECONFLICT, pl->paths[i],
                     "%s already has a different version effective %s (recorded %s, hash %.12s); to record a "
                     "correction, add \"correction\": \"why\" to this version",
                     pl->meta.id, xc_date_format(v->effective_from, d), xc_ts_format(rec->recorded_at, t), rec->hash);
            goto out;
        }
        if ((rc = xc_store_version_put(s, v, c->j.err)) || (rc = audit_version(s, v, c->j.err)))
            goto out;
        stats->versions_recorded++;
        if (rec)
            stats->corrections++;
    }
out:
    xc_list_meta_free(old);
    xc_versions_free(all, n_all);
    xc_free(cur);
    return rc;
}

/* Record every pending list: in a transaction of its own, or in the
 * caller's when one is open (then the caller commits or rolls back). */
static int record_all(import_ctx *c, xc_store *s, xc_import_stats *stats)
{
    int own, rc = xc_store_join(s, &own, c->j.err);
    if (rc)
        return rc;
    for (size_t i = 0; i < c->n_lists && rc == XC_OK; i++) {
        stats->lists++;
        stats->versions += (int)c->lists[i].n;
        rc = record_list(c, s, &c->lists[i], stats);
    }
    return xc_store_finish(s, own, rc, c->j.err);
}

int xc_registry_import_json(xc_store *s, const char *text, size_t len, const char *filename,
                            xc_import_stats *stats, xc_error *err)
{
    import_ctx c = {.j = {filename ? filename : "(input)", err}};
    xc_import_stats local;
    memset(&local, 0, sizeof(local));
    int rc = parse_document(&c, text, len);
    if (rc == XC_OK)
        rc = record_all(&c, s, &local);
    pending_free(c.lists, c.n_lists);
    if (rc == XC_OK && stats)
        *stats = local;
    return rc;
}

/* ---- members CSV ----------------------------------------------------------- */

enum { COL_COUNTRY, COL_REASON, COL_SOURCE, COL_CONFIDENCE, COL_N };
static const char *const csv_columns[COL_N] = {"country", "reason", "source", "confidence"};

typedef struct csv_state {
    import_ctx *c;
    xc_version *v;
    const char *dreason;
    int col[COL_N]; /* field index of each column, -1 when absent */
} csv_state;

static const char *cell(const csv_state *st, char **f, size_t n, int col)
{
    int i = st->col[col];
    return i >= 0 && (size_t)i < n && f[i][0] ? f[i] : NULL;
}

static int csv_member(void *user, long line, int row, char **f, size_t n)
{
    csv_state *st = user;
    import_ctx *c = st->c;
    xc_version *v = st->v;
    char where[64], field[96];
    snprintf(where, sizeof(where), "line %ld", line);
    if (row == 0) {
        for (int k = 0; k < COL_N; k++)
            st->col[k] = xc_csv_column(f, n, csv_columns[k]);
        if (st->col[COL_COUNTRY] < 0)
            return xc_error_set(c->j.err, XC_EINVAL, where,
                                "%s:%ld: the header has no \"country\" column; expected "
                                "country[,reason][,source][,confidence]",
                                c->j.file, line);
        return XC_OK;
    }
    const char *country = cell(st, f, n, COL_COUNTRY), *conf = cell(st, f, n, COL_CONFIDENCE);
    const char *reason = cell(st, f, n, COL_REASON), *source = cell(st, f, n, COL_SOURCE);
    const xc_country *cc;
    int confidence = v->confidence, rc;
    snprintf(field, sizeof(field), "%s:%ld: country", c->j.file, line);
    if ((rc = xc_country_lookup(country, field, &cc, c->j.err)))
        return rc;
    if (strcmp(country, cc->alpha2) != 0)
        return xc_error_set(c->j.err, XC_EINVAL, where, "%s: \"%s\" must be written as the ISO 3166-1 alpha-2 code %s",
                            field, country, cc->alpha2);
    snprintf(field, sizeof(field), "%s:%ld: confidence", c->j.file, line);
    if (conf && (rc = xc_confidence_parse(conf, &confidence, field, c->j.err)))
        return rc;
    if (!reason)
        reason = st->dreason;
    if (!source)
        source = v->source;
    if (!reason || !*reason)
        return xc_error_set(c->j.err, XC_EINVAL, where,
                            "%s:%ld: member %s has no reason: fill the reason column or pass --reason", c->j.file, line,
                            cc->alpha2);
    if (strlen(reason) > MAX_TEXT || strlen(source) > MAX_TEXT)
        return xc_error_set(c->j.err, XC_EINVAL, where, "%s:%ld: reason or source longer than %d bytes", c->j.file, line,
                            MAX_TEXT);
    if (v->n_members == MAX_MEMBERS)
        return xc_error_set(c->j.err, XC_EINVAL, where, "%s:%ld: more than %d members", c->j.file, line, MAX_MEMBERS);
    xc_member *nm = xc_realloc(v->members, (v->n_members + 1) * sizeof(*nm));
    if (!nm)
        return xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
    v->members = nm;
    xc_member *m = &nm[v->n_members++];
    memset(m, 0, sizeof(*m));
    snprintf(m->country, sizeof(m->country), "%s", cc->alpha2);
    m->confidence = confidence;
    m->since = XC_DATE_NONE;
    m->reason = xc_strdup(reason);
    m->source = xc_strdup(source);
    return m->reason && m->source ? XC_OK : xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
}

int xc_registry_import_members_csv(xc_store *s, const char *text, size_t len, const char *filename,
                                   const xc_csv_version_opts *o, xc_import_stats *stats, xc_error *err)
{
    import_ctx c = {.j = {filename ? filename : "(input)", err}};
    xc_list_meta *meta = NULL;
    csv_state st;
    xc_import_stats local;
    int rc;
    memset(&st, 0, sizeof(st));
    memset(&local, 0, sizeof(local));
    if (!(c.lists = xc_calloc(1, sizeof(*c.lists)))) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    c.n_lists = 1;
    pending_list *pl = &c.lists[0];
    if ((rc = xc_registry_check_id(o->list_id, "--list", err)))
        goto out;
    if ((rc = xc_store_list_get(s, o->list_id, XC_TS_LATEST, &meta, err))) {
        if (rc == XC_ENOTFOUND)
            xc_error_set(err, XC_ENOTFOUND, "--list",
                         "--list: unknown list \"%s\"; a CSV adds a version to an existing list (create lists "
                         "with a JSON import)",
                         o->list_id);
        goto out;
    }
    pl->meta = *meta;
    xc_free(meta); /* ownership of the strings moved into pl->meta */
    meta = NULL;
    pl->v = xc_calloc(1, sizeof(*pl->v));
    pl->paths = xc_calloc(1, sizeof(char *));
    if (!pl->v || !pl->paths || !(pl->paths[0] = xc_strdup(c.j.file))) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    pl->n = 1;
    xc_version *v = &pl->v[0];
    v->declared_count = o->declared_count;
    v->effective_to = XC_DATE_NONE;
    if ((rc = xc_date_parse(o->effective_from, &v->effective_from, "--effective-from", err)) ||
        (o->effective_to && (rc = xc_date_parse(o->effective_to, &v->effective_to, "--effective-to", err))) ||
        (rc = xc_confidence_parse(o->confidence, &v->confidence, "--confidence", err)))
        goto out;
    if (!o->source || !*o->source) {
        rc = xc_error_set(err, XC_EINVAL, "--source", "--source: a version needs a source (citation or URL)");
        goto out;
    }
    if ((rc = check_precision(&c, o->precision, "--precision", v->precision)) ||
        (rc = dup_into(&c, &v->list_id, o->list_id)) || (rc = dup_into(&c, &v->source, o->source)) ||
        (rc = dup_into(&c, &v->note, o->note)) || (rc = dup_into(&c, &v->correction, o->correction)))
        goto out;
    st.c = &c;
    st.v = v;
    st.dreason = o->reason;
    st.col[COL_COUNTRY] = -2; /* no header seen yet */
    if ((rc = xc_csv_rows(text, len, c.j.file, csv_member, &st, err)))
        goto out;
    if (st.col[COL_COUNTRY] == -2) {
        rc = xc_error_set(err, XC_EINVAL, "csv", "%s: empty file; expected a header line", c.j.file);
        goto out;
    }
    qsort(v->members, v->n_members, sizeof(xc_member), cmp_member);
    for (size_t i = 1; i < v->n_members; i++) {
        if (strcmp(v->members[i].country, v->members[i - 1].country) == 0) {
            rc = xc_error_set(err, XC_EINVAL, "csv", "%s: country %s is listed twice", c.j.file, v->members[i].country);
            goto out;
        }
    }
    if ((rc = finish_version(&c, v, "version")))
        goto out;
    rc = record_all(&c, s, &local);
out:
    xc_list_meta_free(meta);
    pending_free(c.lists, c.n_lists);
    if (rc == XC_OK && stats)
        *stats = local;
    return rc;
}
