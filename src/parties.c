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
    xc_strv_free(e->folded, e->n_folded);
    xc_free(e->address);
    xc_free(e->citation);
    xc_free(e->start_date);
    xc_free(e->licence_requirement);
    xc_free(e->licence_policy);
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

static int parse_entry(xc_jctx *c, json_t *o, const char *path, xc_party_entry *e)
{
    static const char *const keys[] = {"id", "name", "type", "country", "aliases", "address", "citation",
                                       "start_date", "licence_requirement", "licence_policy", "licence_exceptions",
                                       NULL};
    const char *id, *name, *type = NULL, *country = NULL, *address = NULL, *citation = NULL, *start = NULL,
                           *req = NULL, *pol = NULL, *exc = NULL, **aliases = NULL;
    size_t na = 0;
    int rc, oom = 0;
    if ((rc = xc_j_keys(c, o, path, keys)) || (rc = xc_j_str(c, o, path, "id", 1, &id)) ||
        (rc = xc_j_str(c, o, path, "name", 1, &name)) || (rc = xc_j_str(c, o, path, "type", 0, &type)) ||
        (rc = xc_j_str(c, o, path, "country", 0, &country)) || (rc = xc_j_str(c, o, path, "address", 0, &address)) ||
        (rc = xc_j_str(c, o, path, "citation", 0, &citation)) || (rc = xc_j_str(c, o, path, "start_date", 0, &start)) ||
        (rc = xc_j_str(c, o, path, "licence_requirement", 0, &req)) ||
        (rc = xc_j_str(c, o, path, "licence_policy", 0, &pol)) ||
        (rc = xc_j_str(c, o, path, "licence_exceptions", 0, &exc)) ||
        (rc = xc_j_strs(c, o, path, "aliases", 0, &aliases, &na)))
        return rc;
    if (country) {
        const xc_country *cc;
        char p[256];
        snprintf(p, sizeof(p), "%s.country", path);
        if ((rc = xc_country_lookup(country, p, &cc, c->err))) {
            xc_free(aliases);
            return xc_j_relabel(c, rc);
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
    e->aliases = xc_calloc(na ? na : 1, sizeof(char *));
    e->folded = xc_calloc(na + 1, sizeof(char *));
    if (!e->aliases || !e->folded)
        oom = 1;
    for (size_t i = 0; !oom && i < na; i++) {
        e->aliases[i] = dup_or_null(aliases[i], &oom);
        e->n_aliases = i + 1;
    }
    for (size_t i = 0; !oom && i <= na; i++) {
        char f[XC_FOLD_MAX];
        xc_party_fold(i == 0 ? name : aliases[i - 1], f, sizeof(f));
        e->folded[i] = dup_or_null(f, &oom);
        e->n_folded = i + 1;
    }
    xc_free(aliases);
    return oom ? xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory") : XC_OK;
}

/* Parse one stored/imported snapshot document: {list: {...}, snapshot: {...}}. */
static int parse_snapshot(xc_jctx *c, json_t *list, json_t *snap, const char *lpath, const char *spath,
                          xc_party_snapshot *out)
{
    static const char *const lkeys[] = {"id", "title", "authority", "legal_basis", NULL};
    static const char *const skeys[] = {"list_date", "source", "confidence", "entries", NULL};
    const char *id, *title, *authority, *basis, *source;
    int rc, oom = 0;
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
        (rc = xc_j_conf(c, snap, spath, "confidence", &out->confidence)))
        return rc;
    out->list_id = dup_or_null(id, &oom);
    out->list_title = dup_or_null(title, &oom);
    out->authority = dup_or_null(authority, &oom);
    out->source = dup_or_null(source, &oom);
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
        if ((rc = parse_entry(c, json_array_get(entries, i), ep, &out->entries[i])))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->entries[j].id, out->entries[i].id) == 0)
                return xc_j_bad(c, XC_EINVAL, ep, "entry id \"%s\" appears twice", out->entries[i].id);
    }
    return XC_OK;
}

int xc_parties_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_snapshots,
                           int *recorded, xc_error *err)
{
    xc_jctx c = {file ? file : "(input)", err};
    json_t *root = NULL, **docs = NULL;
    char **keys = NULL;
    const char *format;
    size_t n = 0;
    static const char *const top[] = {"format", "list", "snapshots", "$comment", NULL};
    int rc = xc_json_parse(text, len, c.file, &root, err);
    *recorded = 0;
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
        }
        snap_clear(&snap);
    }
    if (rc == XC_OK)
        rc = xc_docs_record(s, XC_DOC_PARTIES, docs, (const char *const *)keys, n, recorded, err);
    if (n_snapshots)
        *n_snapshots = (int)n;
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

const xc_party_snapshot *xc_parties_in_force(const xc_party_snapshot *s, size_t n, const char *list_id, xc_date at)
{
    const xc_party_snapshot *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].list_id, list_id) == 0 && s[i].list_date <= at)
            best = &s[i]; /* sorted by date within a list */
    return best;
}

int xc_parties_list_known(const xc_party_snapshot *s, size_t n, const char *list_id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].list_id, list_id) == 0)
            return 1;
    return 0;
}

int xc_party_match(const xc_party_snapshot *snap, const char *folded, size_t *which)
{
    for (size_t i = 0; snap && i < snap->n_entries; i++) {
        for (size_t k = 0; k < snap->entries[i].n_folded; k++) {
            if (strcmp(snap->entries[i].folded[k], folded) == 0) {
                if (which)
                    *which = k;
                return (int)i;
            }
        }
    }
    return -1;
}

json_t *xc_parties_json(const xc_party_snapshot *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char d[XC_DATE_BUF];
        json_t *entries = json_array();
        for (size_t k = 0; entries && k < s[i].n_entries; k++) {
            const xc_party_entry *e = &s[i].entries[k];
            json_t *al = json_array();
            for (size_t j = 0; al && j < e->n_aliases; j++)
                json_array_append_new(al, json_string(e->aliases[j]));
            json_array_append_new(entries, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "id", e->id, "name", e->name,
                                                     "type", e->type ? json_string(e->type) : json_null(), "country",
                                                     e->country ? json_string(e->country) : json_null(), "aliases", al,
                                                     "citation",
                                                     e->citation ? json_string(e->citation) : json_null()));
        }
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "list", s[i].list_id, "title",
                                           s[i].list_title, "list_date", xc_date_format(s[i].list_date, d), "source",
                                           s[i].source, "confidence", xc_confidence_name(s[i].confidence),
                                           "snapshot_id", (json_int_t)s[i].doc_id, "content_hash", s[i].hash,
                                           "entries", entries));
    }
    return json_pack("{s:o}", "snapshots", a);
}
