/*
 * parties.c: party-list snapshots: parsing, storage, loading and exact
 * matching after case folding.
 */
#include "parties.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "country.h"
#include "docs.h"
#include "mem.h"
#include "model.h"
#include "registry.h"

#define FORMAT_NAME "exportctl-parties/1"

void xc_party_fold(const char *in, char *out, size_t outsz)
{
    size_t o = 0;
    int space = 0;
    for (; *in && o + 1 < outsz; in++) {
        unsigned char ch = (unsigned char)*in;
        if (ch >= 0x80 || isalnum(ch)) {
            if (space && o > 0 && o + 1 < outsz)
                out[o++] = ' ';
            space = 0;
            out[o++] = (char)(ch < 0x80 ? tolower(ch) : ch);
        } else {
            space = 1;
        }
    }
    out[o] = '\0';
}

static void entry_clear(xc_party_entry *e)
{
    xc_free(e->id);
    xc_free(e->name);
    xc_free(e->type);
    xc_free(e->country);
    xc_strv_free(e->aliases, e->n_aliases);
    xc_free(e->address);
    xc_free(e->citation);
    xc_free(e->start_date);
    xc_free(e->licence_requirement);
    xc_free(e->licence_policy);
    xc_strv_free(e->programs, e->n_programs);
    xc_strv_free(e->tags, e->n_tags);
    xc_free(e->source_list);
    xc_free(e->remarks);
    xc_strv_free(e->dates_of_birth, e->n_dates_of_birth);
    xc_strv_free(e->nationalities, e->n_nationalities);
}

static void rejects_free(xc_party_reject *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) {
        xc_free(r[i].file);
        xc_free(r[i].path);
        xc_free(r[i].reason);
    }
    xc_free(r);
}

static void snap_clear(xc_party_snapshot *s)
{
    for (size_t i = 0; i < s->n_entries; i++)
        entry_clear(&s->entries[i]);
    xc_free(s->entries);
    xc_free(s->list_id);
    xc_free(s->list_title);
    xc_free(s->authority);
    xc_free(s->source);
    xc_free(s->format);
    rejects_free(s->rejected, s->n_rejected_kept);
    rejects_free(s->warnings, s->n_warnings_kept);
    memset(s, 0, sizeof(*s));
}

void xc_parties_free(xc_party_snapshot *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        snap_clear(&s[i]);
    xc_free(s);
}

static char *dup_or_null(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *d = xc_strdup(s);
    if (!d)
        *oom = 1;
    return d;
}

/* Copy n borrowed strings into an owned array (never NULL unless oom). */
static char **dup_strv(const char *const *in, size_t n, size_t *nout, int *oom)
{
    char **v = xc_calloc(n ? n : 1, sizeof(char *));
    *nout = 0;
    if (!v) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < n && !*oom; i++) {
        v[i] = dup_or_null(in[i], oom);
        if (!*oom)
            *nout = i + 1;
    }
    return v;
}

static int parse_entry(xc_jctx *c, json_t *o, const char *path, const char *list_id, xc_party_entry *e)
{
    static const char *const keys[] = {"id", "name", "type", "country", "aliases", "address", "citation",
                                       "start_date", "licence_requirement", "licence_policy", "licence_exceptions",
                                       "programs", "tags", "source_list", "remarks", "dates_of_birth",
                                       "nationalities", NULL};
    const char *id, *name, *type = NULL, *country = NULL, *address = NULL, *citation = NULL, *start = NULL,
                           *req = NULL, *pol = NULL, *exc = NULL, *slist = NULL, *remarks = NULL, **aliases = NULL,
                           **programs = NULL, **tags = NULL, **dobs = NULL, **nats = NULL;
    size_t na = 0, np = 0, nt = 0, nd = 0, nn = 0;
    int rc, oom = 0;
    if ((rc = xc_j_keys(c, o, path, keys)) || (rc = xc_j_str(c, o, path, "id", 1, &id)) ||
        (rc = xc_j_str(c, o, path, "name", 1, &name)) || (rc = xc_j_str(c, o, path, "type", 0, &type)) ||
        (rc = xc_j_str(c, o, path, "country", 0, &country)) || (rc = xc_j_str(c, o, path, "address", 0, &address)) ||
        (rc = xc_j_str(c, o, path, "citation", 0, &citation)) || (rc = xc_j_str(c, o, path, "start_date", 0, &start)) ||
        (rc = xc_j_str(c, o, path, "licence_requirement", 0, &req)) ||
        (rc = xc_j_str(c, o, path, "licence_policy", 0, &pol)) ||
        (rc = xc_j_str(c, o, path, "licence_exceptions", 0, &exc)) ||
        (rc = xc_j_str(c, o, path, "source_list", 0, &slist)) || (rc = xc_j_str(c, o, path, "remarks", 0, &remarks)))
        return rc;
    if ((rc = xc_j_strs(c, o, path, "aliases", 0, &aliases, &na)) ||
        (rc = xc_j_strs(c, o, path, "programs", 0, &programs, &np)) ||
        (rc = xc_j_strs(c, o, path, "tags", 0, &tags, &nt)) ||
        (rc = xc_j_strs(c, o, path, "dates_of_birth", 0, &dobs, &nd)) ||
        (rc = xc_j_strs(c, o, path, "nationalities", 0, &nats, &nn)))
        goto out;
    for (size_t i = 0; i < nt; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s.tags[%zu]", path, i);
        if ((rc = xc_registry_check_id(tags[i], p, c->err))) {
            rc = xc_j_relabel(c, rc);
            goto out;
        }
    }
    if (country) {
        const xc_country *cc;
        char p[256];
        snprintf(p, sizeof(p), "%s.country", path);
        if ((rc = xc_country_lookup(country, p, &cc, c->err))) {
            rc = xc_j_relabel(c, rc);
            goto out;
        }
        country = cc->alpha2;
    }
    e->id = dup_or_null(id, &oom);
    e->name = dup_or_null(name, &oom);
    e->type = dup_or_null(type, &oom);
    e->country = dup_or_null(country, &oom);
    e->address = dup_or_null(address, &oom);
    e->citation = dup_or_null(citation, &oom);
    e->start_date = dup_or_null(start, &oom);
    e->licence_requirement = dup_or_null(req, &oom);
    e->licence_policy = dup_or_null(pol, &oom);
    e->source_list = dup_or_null(slist, &oom);
    e->remarks = dup_or_null(remarks, &oom);
    e->aliases = dup_strv(aliases, na, &e->n_aliases, &oom);
    e->programs = dup_strv(programs, np, &e->n_programs, &oom);
    /* entries without tags belong to their own list */
    e->tags = nt ? dup_strv(tags, nt, &e->n_tags, &oom) : dup_strv(&list_id, 1, &e->n_tags, &oom);
    e->dates_of_birth = dup_strv(dobs, nd, &e->n_dates_of_birth, &oom);
    e->nationalities = dup_strv(nats, nn, &e->n_nationalities, &oom);
    rc = oom ? xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory") : XC_OK;
out:
    xc_free(aliases);
    xc_free(programs);
    xc_free(tags);
    xc_free(dobs);
    xc_free(nats);
    return rc;
}

/* A non-negative integer field; a missing one leaves *out unchanged. */
static int j_count(xc_jctx *c, json_t *obj, const char *path, const char *key, long max, long *out)
{
    json_t *v = json_object_get(obj, key);
    char p[256];
    snprintf(p, sizeof(p), "%s.%s", path, key);
    if (!v || json_is_null(v))
        return XC_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return xc_j_bad(c, XC_EINVAL, p, "expected an integer from 0 to %ld", max);
    *out = (long)json_integer_value(v);
    return XC_OK;
}

/* "rejected" / "warnings": [{file, line, path, reason}, ...]. */
static int parse_rejects(xc_jctx *c, json_t *snap, const char *spath, const char *key, xc_party_reject **out,
                         size_t *n)
{
    static const char *const keys[] = {"file", "line", "path", "reason", NULL};
    json_t *a = json_object_get(snap, key);
    char p[256];
    snprintf(p, sizeof(p), "%s.%s", spath, key);
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a))
        return XC_OK;
    if (!json_is_array(a) || json_array_size(a) > XC_PARTY_REJECTS_KEPT)
        return xc_j_bad(c, XC_EINVAL, p, "expected an array of at most %d rows", XC_PARTY_REJECTS_KEPT);
    size_t k = json_array_size(a);
    if (!(*out = xc_calloc(k ? k : 1, sizeof(**out))))
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < k; i++) {
        char ip[280];
        const char *file, *jpath, *reason;
        long line = 0;
        int rc, oom = 0;
        json_t *r = json_array_get(a, i);
        snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
        if ((rc = xc_j_keys(c, r, ip, keys)) || (rc = xc_j_str(c, r, ip, "file", 0, &file)) ||
            (rc = xc_j_str(c, r, ip, "path", 0, &jpath)) || (rc = xc_j_str(c, r, ip, "reason", 1, &reason)) ||
            (rc = j_count(c, r, ip, "line", 1L << 40, &line)))
            return rc;
        (*out)[i].file = dup_or_null(file, &oom);
        (*out)[i].path = dup_or_null(jpath, &oom);
        (*out)[i].reason = dup_or_null(reason, &oom);
        (*out)[i].line = line;
        *n = i + 1;
        if (oom)
            return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    }
    return XC_OK;
}

static int cmp_entry_id(const void *a, const void *b)
{
    const xc_party_entry *const *x = a, *const *y = b;
    int c = strcmp((*x)->id, (*y)->id);
    return c ? c : (*x > *y) - (*x < *y);
}

/* Entry ids are unique within a snapshot: sort pointers to find repeats in
 * n log n (imported snapshots have tens of thousands of entries). */
static int check_unique_ids(xc_jctx *c, const xc_party_snapshot *out, const char *epath)
{
    if (out->n_entries < 2)
        return XC_OK;
    const xc_party_entry **v = xc_calloc(out->n_entries, sizeof(*v));
    if (!v)
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < out->n_entries; i++)
        v[i] = &out->entries[i];
    qsort(v, out->n_entries, sizeof(*v), cmp_entry_id);
    int rc = XC_OK;
    for (size_t i = 1; i < out->n_entries && rc == XC_OK; i++) {
        if (strcmp(v[i - 1]->id, v[i]->id) == 0) {
            char ep[256];
            snprintf(ep, sizeof(ep), "%s[%zu]", epath, (size_t)(v[i] - out->entries));
            rc = xc_j_bad(c, XC_EINVAL, ep, "entry id \"%s\" appears twice", v[i]->id);
        }
    }
    xc_free(v);
    return rc;
}

/* Parse one stored/imported snapshot document: {list: {...}, snapshot: {...}}. */
static int parse_snapshot(xc_jctx *c, json_t *list, json_t *snap, const char *lpath, const char *spath,
                          xc_party_snapshot *out)
{
    static const char *const lkeys[] = {"id", "title", "authority", "legal_basis", NULL};
    static const char *const skeys[] = {"list_date", "source", "confidence", "entries", "format", "max_age_days",
                                        "counts", "rejected", "warnings", NULL};
    static const char *const ckeys[] = {"entries", "aliases", "rejected", "warnings", NULL};
    const char *id, *title, *authority, *basis, *source, *format;
    int rc, oom = 0;
    long max_age = 0;
    char p[256];
    if ((rc = xc_j_keys(c, list, lpath, lkeys)) || (rc = xc_j_str(c, list, lpath, "id", 1, &id)) ||
        (rc = xc_j_str(c, list, lpath, "title", 1, &title)) ||
        (rc = xc_j_str(c, list, lpath, "authority", 1, &authority)) ||
        (rc = xc_j_str(c, list, lpath, "legal_basis", 0, &basis)))
        return rc;
    snprintf(p, sizeof(p), "%s.id", lpath);
    if ((rc = xc_registry_check_id(id, p, c->err)))
        return xc_j_relabel(c, rc);
    if ((rc = xc_j_keys(c, snap, spath, skeys)) || (rc = xc_j_date(c, snap, spath, "list_date", 1, &out->list_date)) ||
        (rc = xc_j_str(c, snap, spath, "source", 1, &source)) ||
        (rc = xc_j_conf(c, snap, spath, "confidence", &out->confidence)) ||
        (rc = xc_j_str(c, snap, spath, "format", 0, &format)) ||
        (rc = j_count(c, snap, spath, "max_age_days", 36500, &max_age)))
        return rc;
    snprintf(p, sizeof(p), "%s.max_age_days", spath);
    if (json_object_get(snap, "max_age_days") && max_age < 1)
        return xc_j_bad(c, XC_EINVAL, p, "must be at least 1 day");
    out->max_age_days = (int)max_age;
    out->list_id = dup_or_null(id, &oom);
    out->list_title = dup_or_null(title, &oom);
    out->authority = dup_or_null(authority, &oom);
    out->source = dup_or_null(source, &oom);
    out->format = dup_or_null(format, &oom);
    if (oom)
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    json_t *entries = json_object_get(snap, "entries");
    snprintf(p, sizeof(p), "%s.entries", spath);
    if (!json_is_array(entries))
        return xc_j_bad(c, XC_EINVAL, p, "expected an array of entries");
    size_t n = json_array_size(entries);
    if (!(out->entries = xc_calloc(n ? n : 1, sizeof(*out->entries))))
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char ep[256];
        snprintf(ep, sizeof(ep), "%s[%zu]", p, i);
        out->n_entries = i + 1;
        if ((rc = parse_entry(c, json_array_get(entries, i), ep, out->list_id, &out->entries[i])))
            return rc;
        out->n_aliases += out->entries[i].n_aliases;
    }
    if ((rc = check_unique_ids(c, out, p)))
        return rc;
    if ((rc = parse_rejects(c, snap, spath, "rejected", &out->rejected, &out->n_rejected_kept)) ||
        (rc = parse_rejects(c, snap, spath, "warnings", &out->warnings, &out->n_warnings_kept)))
        return rc;
    out->n_rejected = out->n_rejected_kept;
    out->n_warnings = out->n_warnings_kept;
    json_t *counts = json_object_get(snap, "counts");
    if (counts) {
        /* declared counts must agree with what the document holds */
        long ce = -1, ca = -1, cr = -1, cw = -1;
        snprintf(p, sizeof(p), "%s.counts", spath);
        if ((rc = xc_j_keys(c, counts, p, ckeys)) || (rc = j_count(c, counts, p, "entries", 1L << 40, &ce)) ||
            (rc = j_count(c, counts, p, "aliases", 1L << 40, &ca)) ||
            (rc = j_count(c, counts, p, "rejected", 1L << 40, &cr)) ||
            (rc = j_count(c, counts, p, "warnings", 1L << 40, &cw)))
            return rc;
        if (ce >= 0 && (size_t)ce != out->n_entries)
            return xc_j_bad(c, XC_EINVAL, p, "entries is %ld but the snapshot has %zu entries", ce, out->n_entries);
        if (ca >= 0 && (size_t)ca != out->n_aliases)
            return xc_j_bad(c, XC_EINVAL, p, "aliases is %ld but the entries have %zu aliases", ca, out->n_aliases);
        /* every row is kept up to the limit, so a shorter list must be the whole count */
        if (cr >= 0 && ((size_t)cr < out->n_rejected_kept ||
                        (out->n_rejected_kept < XC_PARTY_REJECTS_KEPT && (size_t)cr != out->n_rejected_kept)))
            return xc_j_bad(c, XC_EINVAL, p, "rejected is %ld but %zu rejected rows are listed", cr,
                            out->n_rejected_kept);
        if (cw >= 0 && ((size_t)cw < out->n_warnings_kept ||
                        (out->n_warnings_kept < XC_PARTY_REJECTS_KEPT && (size_t)cw != out->n_warnings_kept)))
            return xc_j_bad(c, XC_EINVAL, p, "warnings is %ld but %zu warnings are listed", cw, out->n_warnings_kept);
        if (cr >= 0)
            out->n_rejected = (size_t)cr;
        if (cw >= 0)
            out->n_warnings = (size_t)cw;
    }
    return XC_OK;
}

int xc_parties_check_doc(json_t *doc, const char *file, xc_error *err)
{
    xc_jctx c = {file ? file : "(input)", err};
    xc_party_snapshot snap;
    memset(&snap, 0, sizeof(snap));
    int rc = parse_snapshot(&c, json_object_get(doc, "list"), json_object_get(doc, "snapshot"), "$.list",
                            "$.snapshot", &snap);
    snap_clear(&snap);
    return rc;
}

int xc_parties_import_json_info(xc_store *s, const char *text, size_t len, const char *file,
                                xc_parties_json_info *info, xc_error *err)
{
    xc_jctx c = {file ? file : "(input)", err};
    json_t *root = NULL, **docs = NULL;
    char **keys = NULL;
    const char *format;
    size_t n = 0;
    static const char *const top[] = {"format", "list", "snapshots", "$comment", NULL};
    memset(info, 0, sizeof(*info));
    int rc = xc_json_parse(text, len, c.file, &root, err);
    if (rc || (rc = xc_j_keys(&c, root, "$", top)) || (rc = xc_j_str(&c, root, "$", "format", 1, &format)))
        goto out;
    if (strcmp(format, FORMAT_NAME) != 0) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.format", "\"%s\" is not supported; expected \"%s\"", format, FORMAT_NAME);
        goto out;
    }
    json_t *list = json_object_get(root, "list"), *snaps = json_object_get(root, "snapshots");
    n = json_array_size(snaps);
    if (!json_is_array(snaps) || n == 0) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.snapshots", "expected a non-empty array of snapshots");
        goto out;
    }
    docs = xc_calloc(n, sizeof(*docs));
    keys = xc_calloc(n, sizeof(*keys));
    if (!docs || !keys) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        char sp[64];
        xc_party_snapshot snap;
        memset(&snap, 0, sizeof(snap));
        snprintf(sp, sizeof(sp), "$.snapshots[%zu]", i);
        rc = parse_snapshot(&c, list, json_array_get(snaps, i), "$.list", sp, &snap);
        if (rc == XC_OK) {
            char d[XC_DATE_BUF], key[160];
            snprintf(key, sizeof(key), "%s@%s", snap.list_id, xc_date_format(snap.list_date, d));
            keys[i] = xc_strdup(key);
            docs[i] = json_pack("{s:O, s:O}", "list", list, "snapshot", json_array_get(snaps, i));
            if (!keys[i] || !docs[i])
                rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            for (size_t j = 0; j < i && rc == XC_OK; j++)
                if (strcmp(keys[j], keys[i]) == 0)
                    rc = xc_j_bad(&c, XC_EINVAL, sp, "two snapshots with list date %s", d);
            info->entries += snap.n_entries;
            info->aliases += snap.n_aliases;
            info->rejected += snap.n_rejected;
            snprintf(info->last_key, sizeof(info->last_key), "%s", key);
        }
        snap_clear(&snap);
    }
    if (rc == XC_OK)
        rc = xc_docs_record(s, XC_DOC_PARTIES, docs, (const char *const *)keys, n, &info->recorded, NULL, err);
    if (rc == XC_OK)
        rc = xc_json_canon(docs[n - 1], NULL, info->last_hash, err);
    info->snapshots = (int)n;
out:
    for (size_t i = 0; docs && i < n; i++)
        json_decref(docs[i]);
    xc_free(docs);
    for (size_t i = 0; keys && i < n; i++)
        xc_free(keys[i]);
    xc_free(keys);
    json_decref(root);
    return rc;
}

int xc_parties_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_snapshots,
                           int *recorded, xc_error *err)
{
    xc_parties_json_info info;
    int rc = xc_parties_import_json_info(s, text, len, file, &info, err);
    if (n_snapshots)
        *n_snapshots = info.snapshots;
    *recorded = info.recorded;
    return rc;
}

static int cmp_snap(const void *a, const void *b)
{
    const xc_party_snapshot *x = a, *y = b;
    int c = strcmp(x->list_id, y->list_id);
    return c ? c : (x->list_date > y->list_date) - (x->list_date < y->list_date);
}

int xc_parties_load(xc_store *s, int64_t as_of, xc_party_snapshot **out, size_t *n, xc_error *err)
{
    xc_doc *docs = NULL;
    size_t nd = 0;
    int rc = xc_store_doc_latest(s, XC_DOC_PARTIES, as_of, &docs, &nd, err);
    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    xc_party_snapshot *v = xc_calloc(nd ? nd : 1, sizeof(*v));
    if (!v) {
        xc_docs_free(docs, nd);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < nd && rc == XC_OK; i++) {
        json_t *o = NULL;
        char where[200];
        snprintf(where, sizeof(where), "stored party snapshot %s", docs[i].key);
        xc_jctx c = {where, err};
        rc = xc_json_parse(docs[i].body, strlen(docs[i].body), where, &o, err);
        if (rc == XC_OK)
            rc = parse_snapshot(&c, json_object_get(o, "list"), json_object_get(o, "snapshot"), "$.list",
                                "$.snapshot", &v[i]);
        json_decref(o);
        memcpy(v[i].hash, docs[i].hash, sizeof(v[i].hash));
        v[i].doc_id = docs[i].id;
    }
    xc_docs_free(docs, nd);
    if (rc) {
        xc_parties_free(v, nd);
        return rc;
    }
    qsort(v, nd, sizeof(*v), cmp_snap);
    *out = v;
    *n = nd;
    return XC_OK;
}

size_t xc_parties_in_force(const xc_party_snapshot *s, size_t n, xc_date at, const xc_party_snapshot **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].list_date > at)
            continue;
        if (i + 1 < n && strcmp(s[i + 1].list_id, s[i].list_id) == 0 && s[i + 1].list_date <= at)
            continue; /* a later snapshot of the same list is in force */
        out[k++] = &s[i];
    }
    return k;
}

static json_t *strv_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *rejects_json(const xc_party_reject *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_pack("{s:o, s:s}", "file", str_or_null(r[i].file), "reason", r[i].reason);
        if (o && r[i].line > 0)
            json_object_set_new(o, "line", json_integer(r[i].line));
        if (o && r[i].path)
            json_object_set_new(o, "path", json_string(r[i].path));
        json_array_append_new(a, o);
    }
    return a;
}

json_t *xc_parties_json(const xc_party_snapshot *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char d[XC_DATE_BUF];
        json_t *entries = json_array();
        for (size_t k = 0; entries && k < s[i].n_entries; k++) {
            const xc_party_entry *e = &s[i].entries[k];
            json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", e->id, "name", e->name, "type",
                                  str_or_null(e->type), "country", str_or_null(e->country), "aliases",
                                  strv_json(e->aliases, e->n_aliases), "citation", str_or_null(e->citation), "tags",
                                  strv_json(e->tags, e->n_tags), "programs", strv_json(e->programs, e->n_programs));
            if (o && e->source_list)
                json_object_set_new(o, "source_list", json_string(e->source_list));
            if (o && e->remarks)
                json_object_set_new(o, "remarks", json_string(e->remarks));
            if (o && e->n_dates_of_birth)
                json_object_set_new(o, "dates_of_birth", strv_json(e->dates_of_birth, e->n_dates_of_birth));
            if (o && e->n_nationalities)
                json_object_set_new(o, "nationalities", strv_json(e->nationalities, e->n_nationalities));
            json_array_append_new(entries, o);
        }
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I}, s:o, s:o}",
                              "list", s[i].list_id, "title", s[i].list_title, "list_date",
                              xc_date_format(s[i].list_date, d), "source", s[i].source, "confidence",
                              xc_confidence_name(s[i].confidence), "snapshot_id", (json_int_t)s[i].doc_id,
                              "content_hash", s[i].hash, "format", str_or_null(s[i].format), "max_age_days",
                              s[i].max_age_days > 0 ? json_integer(s[i].max_age_days) : json_null(), "entries",
                              entries, "counts", "entries", (json_int_t)s[i].n_entries, "aliases",
                              (json_int_t)s[i].n_aliases, "rejected", (json_int_t)s[i].n_rejected, "warnings",
                              (json_int_t)s[i].n_warnings, "rejected",
                              rejects_json(s[i].rejected, s[i].n_rejected_kept), "warnings",
                              rejects_json(s[i].warnings, s[i].n_warnings_kept));
        json_array_append_new(a, o);
    }
    return json_pack("{s:o}", "snapshots", a);
}
