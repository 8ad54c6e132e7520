/*
 * registry.c: bitemporal queries over country lists (members on a date,
 * diffs, a country's history, summaries, export) and their JSON forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "country.h"
#include "mem.h"
#include "registry_int.h"

struct xc_snapshot {
    xc_list_meta *meta;
    xc_date at;
    int64_t as_of;
    xc_version *all; /* every version recorded at as_of; owned */
    size_t n_all;
    const xc_version *version; /* the one in force at `at`, into all[]; NULL if none */
    xc_date version_end;       /* first day after it, or XC_DATE_NONE */
};

struct xc_diff {
    xc_snapshot *from, *to;
    xc_change *added, *removed;
    size_t n_added, n_removed;
};

int reg_current(const xc_version *all, size_t n, size_t **idx, size_t *n_idx)
{
    size_t *v = xc_calloc(n ? n : 1, sizeof(*v)), k = 0;
    if (!v)
        return XC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && all[i + 1].effective_from == all[i].effective_from)
            continue; /* superseded by a later recording for the same date */
        v[k++] = i;
    }
    *idx = v;
    *n_idx = k;
    return XC_OK;
}

xc_date reg_end(const xc_version *all, const size_t *cur, size_t n_cur, size_t k)
{
    xc_date end = all[cur[k]].effective_to;
    if (k + 1 < n_cur && (end == XC_DATE_NONE || all[cur[k + 1]].effective_from < end))
        end = all[cur[k + 1]].effective_from;
    return end;
}

json_t *xc_member_json(const xc_member *m)
{
    char d[XC_DATE_BUF];
    const xc_country *c = xc_country_by_alpha2(m->country);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "country", m->country, "name",
                          c ? xc_country_display_name(c) : "", "reason", m->reason, "source", m->source, "confidence",
                          xc_confidence_name(m->confidence));
    if (o)
        json_object_set_new(o, "since", m->since == XC_DATE_NONE ? json_null() : json_string(xc_date_format(m->since, d)));
    return o;
}

/* ---- show ---------------------------------------------------------------- */

static int load_timeline(xc_store *s, const char *list_id, int64_t as_of, xc_list_meta **meta, xc_version **all,
                         size_t *n_all, size_t **cur, size_t *n_cur, xc_error *err)
{
    int rc = xc_registry_check_id(list_id, "list", err);
    if (rc)
        return rc;
    rc = xc_store_list_get(s, list_id, as_of, meta, err);
    if (rc == XC_ENOTFOUND && as_of != XC_TS_LATEST) {
        char t[XC_TS_BUF];
        xc_error_set(err, XC_ENOTFOUND, "list", "list \"%s\" was not yet recorded at %s", list_id,
                     xc_ts_format(as_of, t));
    }
    if (rc)
        return rc;
    if ((rc = xc_store_versions_get(s, list_id, as_of, all, n_all, err)))
        return rc;
    if (reg_current(*all, *n_all, cur, n_cur))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    return XC_OK;
}

/* Fill the since-dates of the members of cur[k]: the start of the unbroken
 * run of versions, ending at k, that all list the country. */
static void fill_since(xc_version *all, const size_t *cur, size_t k)
{
    xc_version *v = &all[cur[k]];
    for (size_t i = 0; i < v->n_members; i++) {
        xc_date since = v->effective_from;
        for (size_t j = k; j > 0; j--) {
            const xc_version *prev = &all[cur[j - 1]];
            if (reg_end(all, cur, k + 1, j - 1) != all[cur[j]].effective_from ||
                !xc_members_find(prev->members, prev->n_members, v->members[i].country))
                break;
            since = prev->effective_from;
        }
        v->members[i].since = since;
    }
}

int xc_registry_show(xc_store *s, const char *list_id, xc_date at, int64_t as_of, xc_snapshot **out, xc_error *err)
{
    size_t *cur = NULL, n_cur = 0;
    xc_snapshot *snap = xc_calloc(1, sizeof(*snap));
    *out = NULL;
    if (!snap)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    snap->at = at;
    snap->as_of = as_of;
    snap->version_end = XC_DATE_NONE;
    int rc = load_timeline(s, list_id, as_of, &snap->meta, &snap->all, &snap->n_all, &cur, &n_cur, err);
    if (rc) {
        xc_snapshot_free(snap);
        xc_free(cur);
        return rc;
    }
    for (size_t k = n_cur; k > 0; k--) {
        xc_version *v = &snap->all[cur[k - 1]];
        if (v->effective_from <= at) {
            xc_date end = reg_end(snap->all, cur, n_cur, k - 1);
            if (end == XC_DATE_NONE || at < end) {
                fill_since(snap->all, cur, k - 1);
                snap->version = v;
                snap->version_end = end;
            }
            break;
        }
    }
    xc_free(cur);
    *out = snap;
    return XC_OK;
}

void xc_snapshot_free(xc_snapshot *snap)
{
    if (!snap)
        return;
    xc_list_meta_free(snap->meta);
    xc_versions_free(snap->all, snap->n_all);
    xc_free(snap);
}

const xc_list_meta *xc_snapshot_list(const xc_snapshot *snap)
{
    return snap->meta;
}

const xc_version *xc_snapshot_version(const xc_snapshot *snap)
{
    return snap->version;
}

const xc_member *xc_snapshot_members(const xc_snapshot *snap, size_t *n)
{
    *n = snap->version ? snap->version->n_members : 0;
    return snap->version ? snap->version->members : NULL;
}

int xc_snapshot_has(const xc_snapshot *snap, const char *alpha2, const xc_member **m)
{
    const xc_member *hit = snap->version ? xc_members_find(snap->version->members, snap->version->n_members, alpha2) : NULL;
    if (m)
        *m = hit;
    return hit != NULL;
}

static json_t *version_json(const xc_version *v, xc_date end)
{
    char f[XC_DATE_BUF], t[XC_DATE_BUF], r[XC_TS_BUF];
    json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)v->id, "effective_from",
                          xc_date_format(v->effective_from, f), "effective_to",
                          end == XC_DATE_NONE ? json_null() : json_string(xc_date_format(end, t)), "date_precision",
                          v->precision, "recorded_at", xc_ts_format(v->recorded_at, r), "source", v->source,
                          "confidence", xc_confidence_name(v->confidence), "content_hash", v->hash);
    if (!o)
        return NULL;
    json_object_set_new(o, "note", v->note ? json_string(v->note) : json_null());
    json_object_set_new(o, "correction", v->correction ? json_string(v->correction) : json_null());
    return o;
}

static json_t *members_json(const xc_member *m, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, xc_member_json(&m[i]));
    return a;
}

json_t *xc_snapshot_json(const xc_snapshot *snap)
{
    char d[XC_DATE_BUF], t[XC_TS_BUF];
    const xc_version *v = snap->version;
    int known = v ? (int)v->n_members : 0;
    int declared = v ? xc_version_declared(v) : 0;
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:i, s:i, s:i}", "list", snap->meta->id, "title",
                          snap->meta->title, "at", xc_date_format(snap->at, d), "as_recorded_at",
                          snap->as_of == XC_TS_LATEST ? json_null() : json_string(xc_ts_format(snap->as_of, t)),
                          "in_force", v != NULL, "declared_count", declared, "known_count", known, "unknown_count",
                          declared - known);
    if (!o)
        return NULL;
    json_object_set_new(o, "version", v ? version_json(v, snap->version_end) : json_null());
    json_object_set_new(o, "members", members_json(v ? v->members : NULL, v ? v->n_members : 0));
    return o;
}

/* ---- diff ---------------------------------------------------------------- */

/* When the country stopped being on the list after `from` (and at or
 * before `to`): either a version that does not list it, or the end of a
 * version that lists it with a gap after it.  Sets *when; returns the
 * removing version, or NULL when the country left through a gap. */
static const xc_version *first_without(const xc_snapshot *s, xc_date from, xc_date to, const char *cc,
                                       xc_date *when)
{
    size_t *cur = NULL, n_cur = 0;
    const xc_version *hit = NULL;
    *when = to;
    if (reg_current(s->all, s->n_all, &cur, &n_cur))
        return NULL;
    for (size_t k = 0; k < n_cur; k++) {
        const xc_version *v = &s->all[cur[k]];
        xc_date end = reg_end(s->all, cur, n_cur, k);
        if (end != XC_DATE_NONE && end <= from)
            continue; /* over before `from` */
        if (v->effective_from > to)
            break;
        if (v->effective_from > from && !xc_members_find(v->members, v->n_members, cc)) {
            hit = v;
            *when = v->effective_from;
            break;
        }
        int gap = end != XC_DATE_NONE && (k + 1 == n_cur || s->all[cur[k + 1]].effective_from > end);
        if (gap && end <= to) {
            *when = end;
            break;
        }
    }
    xc_free(cur);
    return hit;
}

static int change_push(xc_change **arr, size_t *n, const xc_member *m, xc_date date)
{
    xc_change *na = xc_realloc(*arr, (*n + 1) * sizeof(**arr));
    if (!na)
        return XC_ENOMEM;
    *arr = na;
    xc_change *c = &na[*n];
    memset(c, 0, sizeof(*c));
    c->m = *m;
    c->m.reason = xc_strdup(m->reason);
    c->m.source = xc_strdup(m->source);
    c->date = date;
    (*n)++;
    return c->m.reason && c->m.source ? XC_OK : XC_ENOMEM;
}

int xc_registry_diff(xc_store *s, const char *list_id, xc_date from, xc_date to, int64_t as_of, xc_diff **out,
                     xc_error *err)
{
    char a[XC_DATE_BUF], b[XC_DATE_BUF];
    *out = NULL;
    if (from > to)
        return xc_error_set(err, XC_EINVAL, "--from", "--from %s is after --to %s", xc_date_format(from, a),
                            xc_date_format(to, b));
    xc_diff *d = xc_calloc(1, sizeof(*d));
    if (!d)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = xc_registry_show(s, list_id, from, as_of, &d->from, err);
    if (!rc)
        rc = xc_registry_show(s, list_id, to, as_of, &d->to, err);
    if (rc)
        goto fail;
    size_t nf, nt;
    const xc_member *mf = xc_snapshot_members(d->from, &nf), *mt = xc_snapshot_members(d->to, &nt);
    for (size_t i = 0; i < nt && !rc; i++) {
        if (xc_members_find(mf, nf, mt[i].country))
            continue;
        rc = change_push(&d->added, &d->n_added, &mt[i], mt[i].since);
    }
    for (size_t i = 0; i < nf && !rc; i++) {
        if (xc_members_find(mt, nt, mf[i].country))
            continue;
        xc_date when;
        const xc_version *v = first_without(d->to, from, to, mf[i].country, &when);
        const xc_member *why = v ? xc_members_find(v->removed, v->n_removed, mf[i].country) : NULL;
        xc_member gen = mf[i];
        char reason[256];
        if (!why && v) {
            snprintf(reason, sizeof(reason), "not on the version effective %s (no reason recorded)",
                     xc_date_format(v->effective_from, a));
            gen.reason = reason;
            gen.source = v->source;
            gen.confidence = XC_CONF_INFERRED;
        } else if (!why) {
            snprintf(reason, sizeof(reason), "no version of the list is in force from %s", xc_date_format(when, a));
            gen.reason = reason;
            gen.confidence = XC_CONF_INFERRED;
        }
        xc_member m = why ? *why : gen;
        m.since = XC_DATE_NONE;
        rc = change_push(&d->removed, &d->n_removed, &m, when);
    }
    if (rc) {
        xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    *out = d;
    return XC_OK;
fail:
    xc_diff_free(d);
    return rc;
}

static void changes_free(xc_change *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        xc_member_clear(&c[i].m);
    xc_free(c);
}

void xc_diff_free(xc_diff *d)
{
    if (!d)
        return;
    xc_snapshot_free(d->from);
    xc_snapshot_free(d->to);
    changes_free(d->added, d->n_added);
    changes_free(d->removed, d->n_removed);
    xc_free(d);
}

const xc_change *xc_diff_added(const xc_diff *d, size_t *n)
{
    *n = d->n_added;
    return d->added;
}

const xc_change *xc_diff_removed(const xc_diff *d, size_t *n)
{
    *n = d->n_removed;
    return d->removed;
}

const xc_snapshot *xc_diff_from(const xc_diff *d)
{
    return d->from;
}

const xc_snapshot *xc_diff_to(const xc_diff *d)
{
    return d->to;
}

static json_t *changes_json(const xc_change *c, size_t n)
{
    char d[XC_DATE_BUF];
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = xc_member_json(&c[i].m);
        if (o) {
            json_object_del(o, "since");
            json_object_set_new(o, "date", json_string(xc_date_format(c[i].date, d)));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *end_json(const xc_snapshot *s)
{
    char d[XC_DATE_BUF];
    const xc_version *v = s->version;
    int known = v ? (int)v->n_members : 0, declared = v ? xc_version_declared(v) : 0;
    return json_pack("{s:s, s:o, s:o, s:i, s:i, s:i}", "date", xc_date_format(s->at, d), "version",
                     v ? version_json(v, s->version_end) : json_null(), "content_hash",
                     v ? json_string(v->hash) : json_null(), "declared_count", declared, "known_count", known,
                     "unknown_count", declared - known);
}

json_t *xc_diff_json(const xc_diff *d)
{
    char t[XC_TS_BUF];
    json_t *o = json_pack("{s:s, s:o, s:o, s:o}", "list", d->to->meta->id, "as_recorded_at",
                          d->to->as_of == XC_TS_LATEST ? json_null() : json_string(xc_ts_format(d->to->as_of, t)),
                          "from", end_json(d->from), "to", end_json(d->to));
    if (!o)
        return NULL;
    json_object_set_new(o, "added", changes_json(d->added, d->n_added));
    json_object_set_new(o, "removed", changes_json(d->removed, d->n_removed));
    int uf = json_integer_value(json_object_get(json_object_get(o, "from"), "unknown_count"));
    int ut = json_integer_value(json_object_get(json_object_get(o, "to"), "unknown_count"));
    json_object_set_new(o, "unknown_count_change", json_integer(ut - uf));
    return o;
}

/* ---- country history ------------------------------------------------------- */

static int copy_member(xc_member *dst, const xc_member *src)
{
    *dst = *src;
    dst->reason = xc_strdup(src->reason);
    dst->source = xc_strdup(src->source);
    return dst->reason && dst->source ? XC_OK : XC_ENOMEM;
}

int xc_registry_country(xc_store *s, const char *alpha2, int64_t as_of, xc_stint **out, size_t *n, xc_error *err)
{
    char **ids = NULL;
    size_t n_ids = 0, len = 0;
    xc_stint *st = NULL;
    *out = NULL;
    *n = 0;
    int rc = xc_store_list_ids(s, as_of, &ids, &n_ids, err);
    for (size_t l = 0; l < n_ids && rc == XC_OK; l++) {
        xc_list_meta *meta = NULL;
        xc_version *all = NULL;
        size_t n_all = 0, *cur = NULL, n_cur = 0;
        rc = load_timeline(s, ids[l], as_of, &meta, &all, &n_all, &cur, &n_cur, err);
        xc_stint *open = NULL;
        for (size_t k = 0; k < n_cur && rc == XC_OK; k++) {
            const xc_version *v = &all[cur[k]];
            const xc_member *m = xc_members_find(v->members, v->n_members, alpha2);
            int contiguous = k > 0 && reg_end(all, cur, n_cur, k - 1) == v->effective_from;
            if (open && (!m || !contiguous)) {
                /* the stint ended where the previous version ended */
                open->to = reg_end(all, cur, n_cur, k - 1);
                const xc_member *why = contiguous ? xc_members_find(v->removed, v->n_removed, alpha2) : NULL;
                if (why && copy_member(&open->end, why))
                    rc = XC_ENOMEM;
                open = NULL;
            }
            if (m && !open) {
                xc_stint *ns = xc_realloc(st, (len + 1) * sizeof(*st));
                if (!ns) {
                    rc = XC_ENOMEM;
                    break;
                }
                st = ns;
                open = &st[len++];
                memset(open, 0, sizeof(*open));
                open->from = v->effective_from;
                open->to = XC_DATE_NONE;
                open->list_id = xc_strdup(meta->id);
                open->list_title = xc_strdup(meta->title);
                if (!open->list_id || !open->list_title)
                    rc = XC_ENOMEM;
            }
            if (m && rc == XC_OK) {
                xc_member_clear(&open->m);
                if (copy_member(&open->m, m))
                    rc = XC_ENOMEM;
            }
        }
        if (open && rc == XC_OK && n_cur)
            open->to = reg_end(all, cur, n_cur, n_cur - 1);
        if (rc == XC_ENOMEM)
            xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        xc_list_meta_free(meta);
        xc_versions_free(all, n_all);
        xc_free(cur);
    }
    xc_strv_free(ids, n_ids);
    if (rc) {
        xc_stints_free(st, len);
        return rc;
    }
    *out = st;
    *n = len;
    return XC_OK;
}

void xc_stints_free(xc_stint *st, size_t n)
{
    for (size_t i = 0; st && i < n; i++) {
        xc_free(st[i].list_id);
        xc_free(st[i].list_title);
        xc_member_clear(&st[i].m);
        xc_member_clear(&st[i].end);
    }
    xc_free(st);
}

json_t *xc_country_history_json(const char *alpha2, const xc_stint *st, size_t n)
{
    char f[XC_DATE_BUF], t[XC_DATE_BUF];
    const xc_country *c = xc_country_by_alpha2(alpha2);
    json_t *lists = json_array();
    for (size_t i = 0; lists && i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:s}", "list", st[i].list_id, "title",
                              st[i].list_title, "from", xc_date_format(st[i].from, f), "to",
                              st[i].to == XC_DATE_NONE ? json_null() : json_string(xc_date_format(st[i].to, t)),
                              "current", st[i].to == XC_DATE_NONE || st[i].to > xc_date_today(), "reason",
                              st[i].m.reason, "source", st[i].m.source, "confidence",
                              xc_confidence_name(st[i].m.confidence));
        if (o && st[i].end.reason)
            json_object_set_new(o, "removal", json_pack("{s:s, s:s, s:s}", "reason", st[i].end.reason, "source",
                                                        st[i].end.source, "confidence",
                                                        xc_confidence_name(st[i].end.confidence)));
        else if (o)
            json_object_set_new(o, "removal", json_null());
        json_array_append_new(lists, o);
    }
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:b}, s:o}", "country", "alpha2", c->alpha2, "alpha3", c->alpha3,
                     "numeric", c->numeric, "name", xc_country_display_name(c), "user_assigned", c->user_assigned,
                     "lists", lists);
}

/* ---- summaries, history, export --------------------------------------------- */

int xc_registry_lists(xc_store *s, int64_t as_of, xc_list_summary **out, size_t *n, xc_error *err)
{
    char **ids = NULL;
    size_t n_ids = 0;
    xc_list_summary *l = NULL;
    *out = NULL;
    *n = 0;
    int rc = xc_store_list_ids(s, as_of, &ids, &n_ids, err);
    if (rc)
        return rc;
    if (!(l = xc_calloc(n_ids, sizeof(*l)))) {
        xc_strv_free(ids, n_ids);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    xc_date today = xc_date_today();
    for (size_t i = 0; i < n_ids && rc == XC_OK; i++) {
        xc_snapshot *snap = NULL;
        size_t *cur = NULL, n_cur = 0;
        rc = xc_registry_show(s, ids[i], today, as_of, &snap, err);
        if (rc)
            break;
        if (reg_current(snap->all, snap->n_all, &cur, &n_cur)) {
            xc_snapshot_free(snap);
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            break;
        }
        l[i].meta = snap->meta;
        snap->meta = NULL;
        l[i].versions = n_cur;
        l[i].recordings = snap->n_all;
        l[i].first_from = n_cur ? snap->all[cur[0]].effective_from : XC_DATE_NONE;
        l[i].latest_from = n_cur ? snap->all[cur[n_cur - 1]].effective_from : XC_DATE_NONE;
        l[i].declared_now = snap->version ? xc_version_declared(snap->version) : -1;
        l[i].known_now = snap->version ? (int)snap->version->n_members : 0;
        xc_free(cur);
        xc_snapshot_free(snap);
    }
    xc_strv_free(ids, n_ids);
    if (rc) {
        xc_list_summaries_free(l, n_ids);
        return rc;
    }
    *out = l;
    *n = n_ids;
    return XC_OK;
}

void xc_list_summaries_free(xc_list_summary *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++)
        xc_list_meta_free(l[i].meta);
    xc_free(l);
}

json_t *xc_list_summaries_json(const xc_list_summary *l, size_t n)
{
    char f[XC_DATE_BUF], t[XC_DATE_BUF];
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:i}", "id", l[i].meta->id, "title",
                         l[i].meta->title, "authority", l[i].meta->authority, "legal_basis", l[i].meta->legal_basis,
                         "purpose", l[i].meta->purpose, "versions", (json_int_t)l[i].versions, "recordings",
                         (json_int_t)l[i].recordings, "first_effective", xc_date_format(l[i].first_from, f),
                         "latest_effective", xc_date_format(l[i].latest_from, t), "declared_count_today",
                         l[i].declared_now < 0 ? json_null() : json_integer(l[i].declared_now), "known_count_today",
                         l[i].known_now));
    return json_pack("{s:o}", "lists", a);
}

int xc_registry_history_json(xc_store *s, const char *list_id, int64_t as_of, json_t **out, xc_error *err)
{
    xc_list_meta *meta = NULL;
    xc_version *all = NULL;
    size_t n_all = 0, *cur = NULL, n_cur = 0;
    *out = NULL;
    int rc = load_timeline(s, list_id, as_of, &meta, &all, &n_all, &cur, &n_cur, err);
    if (rc == XC_OK) {
        json_t *a = json_array();
        size_t k = 0;
        for (size_t i = 0; a && i < n_all; i++) {
            int current = k < n_cur && cur[k] == i;
            json_t *o = version_json(&all[i], current ? reg_end(all, cur, n_cur, k) : all[i].effective_to);
            if (o) {
                json_object_set_new(o, "declared_count", json_integer(xc_version_declared(&all[i])));
                json_object_set_new(o, "known_count", json_integer((json_int_t)all[i].n_members));
                json_object_set_new(o, "superseded", json_boolean(!current));
                json_object_set_new(o, "removed", members_json(all[i].removed, all[i].n_removed));
            }
            json_array_append_new(a, o);
            k += current;
        }
        *out = json_pack("{s:s, s:s, s:o}", "list", meta->id, "title", meta->title, "versions", a);
        if (!*out)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    xc_list_meta_free(meta);
    xc_versions_free(all, n_all);
    xc_free(cur);
    return rc;
}

static json_t *export_members(const xc_member *m, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "country", m[i].country, "reason", m[i].reason,
                                           "source", m[i].source, "confidence", xc_confidence_name(m[i].confidence)));
    return a;
}

int xc_registry_export_json(xc_store *s, const char *list_id, int64_t as_of, json_t **out, xc_error *err)
{
    xc_list_meta *meta = NULL;
    xc_version *all = NULL;
    size_t n_all = 0, *cur = NULL, n_cur = 0;
    *out = NULL;
    int rc = load_timeline(s, list_id, as_of, &meta, &all, &n_all, &cur, &n_cur, err);
    if (rc == XC_OK) {
        json_t *versions = json_array();
        for (size_t k = 0; versions && k < n_cur; k++) {
            const xc_version *v = &all[cur[k]];
            char f[XC_DATE_BUF], t[XC_DATE_BUF], r[XC_TS_BUF];
            json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "effective_from", xc_date_format(v->effective_from, f),
                                  "date_precision", v->precision, "source", v->source, "confidence",
                                  xc_confidence_name(v->confidence));
            if (!o)
                continue;
            if (v->effective_to != XC_DATE_NONE)
                json_object_set_new(o, "effective_to", json_string(xc_date_format(v->effective_to, t)));
            if (v->declared_count >= 0)
                json_object_set_new(o, "declared_count", json_integer(v->declared_count));
            if (v->note)
                json_object_set_new(o, "note", json_string(v->note));
            if (v->correction)
                json_object_set_new(o, "correction", json_string(v->correction));
            json_object_set_new(o, "members", export_members(v->members, v->n_members));
            if (v->n_removed)
                json_object_set_new(o, "removed", export_members(v->removed, v->n_removed));
            json_object_set_new(o, "recorded_at", json_string(xc_ts_format(v->recorded_at, r)));
            json_object_set_new(o, "content_hash", json_string(v->hash));
            json_array_append_new(versions, o);
        }
        *out = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:s, s:o}]}", "format", "exportctl-lists/1", "lists", "id",
                         meta->id, "title", meta->title, "authority", meta->authority, "legal_basis",
                         meta->legal_basis, "purpose", meta->purpose, "versions", versions);
        if (!*out)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    xc_list_meta_free(meta);
    xc_versions_free(all, n_all);
    xc_free(cur);
    return rc;
}

json_t *xc_import_stats_json(const char *file, const xc_import_stats *st)
{
    return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "file", file, "lists", st->lists, "lists_recorded",
                     st->lists_recorded, "versions", st->versions, "versions_recorded", st->versions_recorded,
                     "corrections", st->corrections, "versions_unchanged", st->versions_unchanged);
}

json_t *xc_countries_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < xc_country_count(); i++) {
        const xc_country *cc = xc_country_at(i);
        if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b}", "alpha2", cc->alpha2, "alpha3",
                                               cc->alpha3, "numeric", cc->numeric, "name",
                                               xc_country_display_name(cc), "user_assigned", cc->user_assigned))) {
            json_decref(a);
            return NULL;
        }
    }
    return a ? json_pack("{s:o}", "countries", a) : NULL;
}
