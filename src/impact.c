/*
 * impact.c: the impact of a policy change (a new version of a country list
 * or of a rule pack) on live licences and pending applications: which of
 * them get a stricter outcome, with the before and after answers, and
 * acting on all the licences in one transaction.
 *
 * "Before" and "after" are two engines evaluated on the same date:
 *  - a change given as a FILE is imported inside a transaction; the engine
 *    loaded before the import is "before", the one loaded inside the
 *    transaction (the connection sees its own writes) is "after"; a dry run
 *    rolls the import back, --apply commits it with the suspensions;
 *  - a change given as a recorded ID is undone in a transaction that is
 *    always rolled back: a list version is shadowed by a copy of the state
 *    it replaced (the earlier recording for the same date it corrected, or
 *    the version in force the day before), a rule pack by its previous
 *    version; the engine loaded there is "before", the latest is "after".
 *    References to the shadow in the before answers are rewritten to the
 *    version it copies.  (Loading the engine "as recorded just before the
 *    change" does not work for data recorded together, e.g. the bundle.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "docs.h"
#include "fileio.h"
#include "licence.h"
#include "licence_int.h"
#include "mem.h"
#include "policy.h"
#include "registry.h"

#define MAX_FILE ((size_t)64 << 20)

static int oom(xc_error *err)
{
    return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}


static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* ---- the change ------------------------------------------------------------------------ */

typedef struct change {
    const xc_impact_req *req;
    int from_file;
    xc_date effective;  /* the change's effective date, XC_DATE_NONE: none */
    json_t *json;       /* what the report and the notices cite */
    /* list shadow (recorded list version): references to rewrite */
    int64_t shadow_id;
    const xc_version *shadow_of; /* NULL: no version in force without the change */
    xc_date shadow_from;         /* the shadow's effective date */
    /* rule-pack shadows: document ids to rewrite in the before / after answers */
    int64_t pack_shadow[2], pack_real[2];
} change;

/* Engine loaded inside a transaction that is then rolled back. */
static int load_in_tx(xc_store *s, int (*prep)(xc_store *, void *, xc_error *), void *ctx, xc_policy **p,
                      xc_error *err)
{
    int rc = xc_store_begin(s, err);
    if (rc)
        return rc;
    rc = prep(s, ctx, err);
    if (rc == XC_OK)
        rc = xc_policy_load(s, XC_TS_LATEST, p, err);
    xc_store_rollback(s);
    return rc;
}

typedef struct list_shadow {
    xc_version v;
    int64_t id;
} list_shadow;

static int put_list_shadow(xc_store *s, void *ctx, xc_error *err)
{
    list_shadow *sh = ctx;
    int rc = xc_store_version_put(s, &sh->v, err);
    sh->id = sh->v.id;
    return rc;
}

typedef struct doc_shadow {
    const xc_doc *d;
    int64_t id; /* the shadow's document id (the real one when nothing was written) */
} doc_shadow;

static int put_doc_shadow(xc_store *s, void *ctx, xc_error *err)
{
    doc_shadow *sh = ctx;
    int rec;
    return xc_store_doc_put(s, XC_DOC_RULES, sh->d->key, sh->d->hash, sh->d->body, &rec, &sh->id, err);
}

static json_t *list_change_json(const xc_version *v, const char *source)
{
    char d[XC_DATE_BUF];
    return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "kind", "list", "list", v->list_id, "version_id",
                     (json_int_t)v->id, "effective_from", xc_date_format(v->effective_from, d), "content_hash", v->hash,
                     "source", source);
}

/* A recorded list version: engines before (shadowed, rolled back) and after (latest). */
static int recorded_list(xc_store *s, change *ch, int64_t vid, xc_version **vers, size_t *n, xc_policy **before,
                         xc_policy **after, xc_error *err)
{
    const char *list = ch->req->list_id;
    int rc = xc_store_versions_get(s, list, XC_TS_LATEST, vers, n, err);
    if (rc)
        return rc;
    xc_version *a = *vers;
    size_t iv = *n;
    for (size_t i = 0; i < *n; i++)
        if (a[i].id == vid)
            iv = i;
    if (*n == 0)
        return xc_error_set(err, XC_ENOTFOUND, "list", "--list: list \"%s\" does not exist or has no versions", list);
    if (iv == *n)
        return xc_error_set(err, XC_ENOTFOUND, "version",
                            "--version: list %s has no recorded version %lld (see `exportctl list history %s --json`)",
                            list, (long long)vid, list);
    const xc_version *v = &a[iv];
    if (iv + 1 < *n && a[iv + 1].effective_from == v->effective_from)
        return xc_error_set(err, XC_ECONFLICT, "version",
                            "--version: version %lld of %s was corrected by version %lld; give that one",
                            (long long)vid, list, (long long)a[iv + 1].id);
    const xc_version *src = NULL;
    if (iv > 0 && a[iv - 1].effective_from == v->effective_from)
        src = &a[iv - 1]; /* the recording it corrected */
    else if (iv > 0 && (a[iv - 1].effective_to == XC_DATE_NONE || a[iv - 1].effective_to > v->effective_from))
        src = &a[iv - 1]; /* the version in force the day before */
    list_shadow sh;
    memset(&sh, 0, sizeof(sh));
    sh.v.list_id = v->list_id;
    sh.v.effective_from = v->effective_from;
    sh.v.effective_to = src ? src->effective_to : XC_DATE_NONE;
    snprintf(sh.v.precision, sizeof(sh.v.precision), "%s", src ? src->precision : "day");
    sh.v.declared_count = src ? src->declared_count : -1;
    sh.v.source = src ? src->source : "impact analysis: no version in force without the change";
    sh.v.confidence = src ? src->confidence : v->confidence;
    sh.v.correction = "impact analysis: the state without the change (never committed)";
    memcpy(sh.v.hash, src ? src->hash : "0000000000000000000000000000000000000000000000000000000000000000", 65);
    sh.v.members = src ? src->members : NULL;
    sh.v.n_members = src ? src->n_members : 0;
    if ((rc = load_in_tx(s, put_list_shadow, &sh, before, err)))
        return rc;
    ch->shadow_id = sh.id;
    ch->shadow_of = src;
    ch->shadow_from = v->effective_from;
    ch->effective = v->effective_from;
    if (!(ch->json = list_change_json(v, "recorded")))
        return oom(err);
    json_object_set_new(ch->json, "replaces_version_id", src ? json_integer(src->id) : json_null());
    return xc_policy_load(s, XC_TS_LATEST, after, err);
}

static json_t *rules_change_json(const xc_doc *d, const xc_doc *prev, const char *source)
{
    json_error_t je;
    json_t *body = json_loads(d->body, 0, &je);
    json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:O, s:o, s:s}", "kind", "rules", "regime", d->key, "doc_id",
                          (json_int_t)d->id, "content_hash", d->hash, "version",
                          body && json_object_get(body, "version") ? json_object_get(body, "version") : json_null(),
                          "replaces_doc_id", prev ? json_integer(prev->id) : json_null(), "source", source);
    json_decref(body);
    return o;
}

/* A pack's own effective date, when it declares one. */
static xc_date pack_effective(const char *body)
{
    json_error_t je;
    json_t *o = json_loads(body, 0, &je);
    xc_date d = XC_DATE_NONE;
    const char *v = jstr(o, "effective_from");
    if (v && xc_date_parse(v, &d, NULL, NULL) != XC_OK)
        d = XC_DATE_NONE;
    json_decref(o);
    return d;
}

/* A recorded rule-pack document: before = its previous version, after = it. */
static int recorded_rules(xc_store *s, change *ch, int64_t did, xc_policy **before, xc_policy **after, xc_error *err)
{
    const char *regime = ch->req->regime;
    xc_doc *d = NULL;
    size_t n = 0, k;
    int rc = xc_store_doc_versions(s, XC_DOC_RULES, regime, &d, &n, err);
    if (rc)
        return rc;
    for (k = 0; k < n && d[k].id != did; k++)
        ;
    if (n == 0)
        rc = xc_error_set(err, XC_ENOTFOUND, "rules", "--rules: regime \"%s\" has no rule pack", regime);
    else if (k == n)
        rc = xc_error_set(err, XC_ENOTFOUND, "version",
                          "--version: rule pack %s has no recorded version with document id %lld (see `exportctl "
                          "rules ls --json`)",
                          regime, (long long)did);
    else if (k == 0)
        rc = xc_error_set(err, XC_ECONFLICT, "version",
                          "--version: document %lld is the first version of rule pack %s: there is nothing before it "
                          "to compare with",
                          (long long)did, regime);
    if (rc == XC_OK) {
        doc_shadow prev = {&d[k - 1], 0}, cur = {&d[k], 0};
        rc = load_in_tx(s, put_doc_shadow, &prev, before, err);
        ch->pack_shadow[0] = prev.id;
        ch->pack_real[0] = d[k - 1].id;
        if (rc == XC_OK)
            rc = k + 1 == n ? xc_policy_load(s, XC_TS_LATEST, after, err)
                            : load_in_tx(s, put_doc_shadow, &cur, after, err);
        ch->pack_shadow[1] = cur.id;
        ch->pack_real[1] = d[k].id;
        if (rc == XC_OK && !(ch->json = rules_change_json(&d[k], &d[k - 1], "recorded")))
            rc = oom(err);
        if (rc == XC_OK)
            ch->effective = pack_effective(d[k].body);
    }
    xc_docs_free(d, n);
    return rc;
}

/* Import the file of a change inside the open transaction.  *fresh tells
 * whether it recorded something new; when it did not, *same_id is the
 * recorded version it matches (for the recorded-ID path). */
static int import_change(xc_store *s, change *ch, const char *text, size_t len, const char *name, int *fresh,
                         int64_t *same_id, xc_error *err)
{
    const xc_impact_req *r = ch->req;
    json_t *root = NULL;
    int rc = xc_json_parse(text, len, name, &root, err);
    *fresh = 0;
    *same_id = 0;
    if (rc)
        return rc;
    if (r->regime) {
        const char *reg = jstr(root, "regime");
        if (!reg || strcmp(reg, r->regime) != 0)
            rc = xc_error_set(err, XC_EINVAL, "version", "%s: $.regime: the file is a pack for \"%s\", not %s", name,
                              reg ? reg : "(none)", r->regime);
        int recorded = 0;
        if (rc == XC_OK)
            rc = xc_rules_import_json(s, text, len, name, &recorded, err);
        xc_doc d;
        memset(&d, 0, sizeof(d));
        if (rc == XC_OK)
            rc = xc_store_doc_get(s, XC_DOC_RULES, r->regime, &d, err);
        if (rc == XC_OK && recorded) {
            xc_doc *v = NULL;
            size_t n = 0;
            *fresh = 1;
            if ((rc = xc_store_doc_versions(s, XC_DOC_RULES, r->regime, &v, &n, err)) == XC_OK &&
                !(ch->json = rules_change_json(&d, n >= 2 ? &v[n - 2] : NULL, "file")))
                rc = oom(err);
            xc_docs_free(v, n);
            ch->effective = pack_effective(d.body);
        } else if (rc == XC_OK) {
            *same_id = d.id;
        }
        xc_doc_clear(&d);
        json_decref(root);
        return rc;
    }
    /* a list: the file must hold the list; exactly one new version of it */
    json_t *lists = json_object_get(root, "lists"), *l, *mine = NULL;
    size_t i;
    json_array_foreach(lists, i, l) if (jstr(l, "id") && strcmp(jstr(l, "id"), r->list_id) == 0) mine = l;
    xc_import_stats st;
    memset(&st, 0, sizeof(st));
    if (!mine)
        rc = xc_error_set(err, XC_EINVAL, "version", "%s: the file holds no list \"%s\"", name, r->list_id);
    if (rc == XC_OK)
        rc = xc_registry_import_json(s, text, len, name, &st, err);
    xc_version *v = NULL;
    size_t n = 0, fresh_n = 0, last = 0;
    if (rc == XC_OK)
        rc = xc_store_versions_get(s, r->list_id, XC_TS_LATEST, &v, &n, err);
    for (i = 0; rc == XC_OK && i < n; i++)
        if (v[i].recorded_at == xc_store_tx_time(s)) {
            fresh_n++;
            last = i;
        }
    if (rc == XC_OK && (size_t)st.versions_recorded > fresh_n)
        rc = xc_error_set(err, XC_EINVAL, "version", "%s: the file also records versions of other lists; an impact "
                                                     "analysis takes one list's change at a time",
                          name);
    else if (rc == XC_OK && fresh_n > 1)
        rc = xc_error_set(err, XC_EINVAL, "version",
                          "%s: the file records %zu new versions of %s; an impact analysis takes one change at a time",
                          name, fresh_n, r->list_id);
    else if (rc == XC_OK && fresh_n == 1) {
        *fresh = 1;
        ch->effective = v[last].effective_from;
        if (!(ch->json = list_change_json(&v[last], "file")))
            rc = oom(err);
        else /* the version it replaces: the earlier recording or the one in force before */
            json_object_set_new(ch->json, "replaces_version_id", last > 0 ? json_integer(v[last - 1].id) : json_null());
    } else if (rc == XC_OK) {
        /* nothing new: the file's last version of the list is already recorded */
        json_t *vs = json_object_get(mine, "versions");
        const char *ef = jstr(json_array_get(vs, json_array_size(vs) - 1), "effective_from");
        xc_date e = XC_DATE_NONE;
        if (ef && xc_date_parse(ef, &e, NULL, NULL) == XC_OK)
            for (i = 0; i < n; i++)
                if (v[i].effective_from == e)
                    *same_id = v[i].id;
        if (!*same_id)
            rc = xc_error_set(err, XC_EINVAL, "version", "%s: no version of %s to compare", name, r->list_id);
    }
    xc_versions_free(v, n);
    json_decref(root);
    return rc;
}

/* Point the before answers' references to the shadow version at the
 * version it copies (or at none). */
static void fix_shadow(json_t *v, const change *ch)
{
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) fix_shadow(e, ch);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *list = jstr(v, "list");
    if (list && strcmp(list, ch->req->list_id) == 0) {
        json_t *targets[2] = {json_object_get(v, "version"), v};
        const char *idkey[2] = {"id", "version_id"};
        for (int t = 0; t < 2; t++) {
            json_t *o = targets[t], *id = json_object_get(o, idkey[t]);
            if (!json_is_object(o) || !json_is_integer(id) || json_integer_value(id) != ch->shadow_id)
                continue;
            char d[XC_DATE_BUF];
            const xc_version *src = ch->shadow_of;
            json_object_set_new(o, idkey[t], src ? json_integer(src->id) : json_null());
            json_object_set_new(o, "effective_from",
                                src ? json_string(xc_date_format(src->effective_from, d)) : json_null());
            json_object_set_new(o, "content_hash", src ? json_string(src->hash) : json_null());
        }
    }
    json_t *why = json_object_get(v, "why");
    if (json_is_string(why)) { /* "... on LIST (version effective DATE); " */
        char from[160], to[160], buf[8192], d[XC_DATE_BUF], d2[XC_DATE_BUF];
        const char *w = json_string_value(why), *hit;
        snprintf(from, sizeof(from), "%s (version effective %s)", ch->req->list_id,
                 xc_date_format(ch->shadow_from, d));
        if (ch->shadow_of)
            snprintf(to, sizeof(to), "%s (version effective %s)", ch->req->list_id,
                     xc_date_format(ch->shadow_of->effective_from, d2));
        else
            snprintf(to, sizeof(to), "%s (no version in force without the change)", ch->req->list_id);
        if ((hit = strstr(w, from)) && strlen(w) - strlen(from) + strlen(to) < sizeof(buf)) {
            snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(hit - w), w, to, hit + strlen(from));
            json_object_set_new(v, "why", json_string(buf));
        }
    }
    json_object_foreach(v, k, e) fix_shadow(e, ch);
}

/* ---- candidates ---------------------------------------------------------------------------- */

/* Evaluate every (item, activity) of a candidate with both engines on `at`.
 * *entry: the report entry; *stricter / *relaxed say how it moved. */
static int evaluate(const change *ch, const xc_policy *pb, const xc_policy *pa, json_t *doc, const char *kind,
                    const char *pairs_key, xc_date at, json_t **entry, int *stricter, int *relaxed, xc_error *err)
{
    json_t *checks = json_array(), *before = json_array(), *after = json_array(), *pr;
    size_t i;
    int rc = checks && before && after ? XC_OK : oom(err);
    *entry = NULL;
    *stricter = *relaxed = 0;
    json_array_foreach(json_object_get(doc, pairs_key), i, pr)
    {
        if (rc)
            break;
        const xc_policy *eng[2] = {pb, pa};
        json_t *ans[2] = {NULL, NULL};
        int outc[2] = {0, 0};
        for (int e = 0; e < 2 && rc == XC_OK; e++) {
            xc_check_req req;
            xc_check chk;
            if ((rc = xc_lic__req(doc, jstr(pr, "item"), jstr(pr, "activity"), at, &req, err)) ||
                (rc = xc_policy_prepare(eng[e], &req, &chk, err))) {
                char msg[XC_ERRMSG_MAX];
                snprintf(msg, sizeof(msg), "%s", err->msg);
                xc_error_set(err, rc, err->field, "%s %s (%s %s, %s %s): %s", kind, jstr(doc, "id"), jstr(pr, "item"),
                             jstr(pr, "activity"), e ? "after" : "before", "the change", msg);
                break;
            }
            xc_policy_eval(eng[e], &chk);
            outc[e] = chk.outcome;
            if (!(ans[e] = xc_check_json(eng[e], &chk)))
                rc = oom(err);
        }
        if (rc == XC_OK) {
            if (ch->shadow_id)
                fix_shadow(ans[0], ch);
            for (int e = 0; e < 2; e++) { /* a rule-pack shadow cites the document it copies */
                json_t *rp = json_object_get(json_object_get(ans[e], "inputs"), "rule_pack");
                if (ch->pack_shadow[e] && json_integer_value(json_object_get(rp, "document_id")) == ch->pack_shadow[e])
                    json_object_set_new(rp, "document_id", json_integer(ch->pack_real[e]));
            }
            *stricter |= outc[1] > outc[0];
            *relaxed |= outc[1] < outc[0];
            json_array_append_new(checks, json_pack("{s:O, s:O, s:s, s:s, s:b}", "item", json_object_get(pr, "item"),
                                                    "activity", json_object_get(pr, "activity"), "before",
                                                    xc_outcome_name(outc[0]), "after", xc_outcome_name(outc[1]),
                                                    "stricter", outc[1] > outc[0]));
            json_array_append(before, ans[0]);
            json_array_append(after, ans[1]);
        }
        json_decref(ans[0]);
        json_decref(ans[1]);
    }
    if (rc == XC_OK &&
        !(*entry =
              json_pack("{s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(doc, "id"), "kind",
                        kind, "status", json_object_get(doc, "status"), "type", json_object_get(doc, "type"), "regime",
                        json_object_get(doc, "regime"), "exporter", json_object_get(doc, "exporter"), "destination",
                        json_object_get(doc, "destination"), "checks", checks, "before", before, "after", after)))
        rc = oom(err);
    json_decref(checks);
    json_decref(before);
    json_decref(after);
    return rc;
}

static int covers_date(json_t *lic, xc_date at)
{
    xc_date f = XC_DATE_NONE, u = XC_DATE_NONE;
    if (xc_date_parse(jstr(lic, "valid_from"), &f, NULL, NULL) ||
        xc_date_parse(jstr(lic, "valid_until"), &u, NULL, NULL))
        return 0;
    return f <= at && at <= u;
}

/* Walk the candidates; fills report "affected", "relaxed" and the counts. */
static int walk(xc_store *s, const change *ch, const xc_policy *pb, const xc_policy *pa, xc_date at, json_t *report,
                xc_error *err)
{
    json_t *lics = NULL, *apps = NULL, *affected = json_array(), *relaxed = json_array(), *v;
    int n_lic = 0, n_app = 0, aff_lic = 0, aff_app = 0;
    size_t i;
    int rc = affected && relaxed ? XC_OK : oom(err);
    if (rc == XC_OK)
        rc = xc_licences_json(s, NULL, at, &lics, err);
    if (rc == XC_OK)
        rc = xc_apps_json(s, NULL, NULL, &apps, err);
    for (int pass = 0; pass < 2 && rc == XC_OK; pass++) {
        json_t *arr = pass == 0 ? json_object_get(lics, "licences") : json_object_get(apps, "applications");
        json_array_foreach(arr, i, v)
        {
            const char *st = jstr(v, "status");
            if (ch->req->regime && strcmp(jstr(v, "regime"), ch->req->regime) != 0)
                continue; /* a rule-pack change touches its own regime only */
            if (pass == 0 && (strcmp(st, "active") != 0 || !covers_date(v, at)))
                continue;
            if (pass == 1 && strcmp(st, "submitted") != 0 && strcmp(st, "under-review") != 0)
                continue;
            json_t *entry = NULL;
            int stricter, rel;
            pass == 0 ? n_lic++ : n_app++;
            rc = evaluate(ch, pb, pa, v, pass == 0 ? "licence" : "application", pass == 0 ? "outcomes" : "checks", at,
                          &entry, &stricter, &rel, err);
            if (rc)
                break;
            if (stricter) {
                json_array_append(affected, entry);
                pass == 0 ? aff_lic++ : aff_app++;
            } else if (rel) {
                json_array_append(relaxed, json_object_get(v, "id"));
            }
            json_decref(entry);
        }
    }
    if (rc == XC_OK) {
        json_object_set_new(report, "candidates", json_pack("{s:i, s:i}", "licences", n_lic, "applications", n_app));
        json_object_set(report, "affected", affected);
        json_object_set_new(report, "affected_licences", json_integer(aff_lic));
        json_object_set_new(report, "affected_applications", json_integer(aff_app));
        json_object_set(report, "relaxed", relaxed);
    }
    json_decref(lics);
    json_decref(apps);
    json_decref(affected);
    json_decref(relaxed);
    return rc;
}

/* Act on every affected licence inside the open transaction. */
static int apply(xc_store *s, const char *actor, const change *ch, json_t *report, xc_error *err)
{
    const xc_impact_req *r = ch->req;
    json_t *done = json_array(), *e;
    size_t i;
    int rc = done ? XC_OK : oom(err);
    json_array_foreach(json_object_get(report, "affected"), i, e)
    {
        if (rc)
            break;
        if (strcmp(jstr(e, "kind"), "licence") != 0)
            continue;
        json_t *before = json_array(), *after = json_array(), *ck;
        size_t k;
        json_array_foreach(json_object_get(e, "checks"), k, ck)
        {
            json_array_append_new(before,
                                  json_pack("{s:O, s:O, s:O}", "item", json_object_get(ck, "item"), "activity",
                                            json_object_get(ck, "activity"), "outcome", json_object_get(ck, "before")));
            json_array_append_new(after,
                                  json_pack("{s:O, s:O, s:O}", "item", json_object_get(ck, "item"), "activity",
                                            json_object_get(ck, "activity"), "outcome", json_object_get(ck, "after")));
        }
        json_t *notice = json_pack("{s:O, s:O, s:o, s:o}", "change", ch->json, "at", json_object_get(report, "at"),
                                   "before", before, "after", after);
        rc = notice ? xc_licence_act(s, actor, jstr(e, "id"), r->apply, r->reason, notice, NULL, err) : oom(err);
        if (rc) {
            char msg[XC_ERRMSG_MAX];
            snprintf(msg, sizeof(msg), "%s", err->msg);
            xc_error_set(err, rc, err->field, "nothing was changed: %s", msg);
        }
        json_decref(notice);
        if (rc == XC_OK)
            json_array_append(done, json_object_get(e, "id"));
    }
    if (rc == XC_OK) {
        json_t *ev = json_pack("{s:O, s:s, s:s, s:O, s:O}", "change", ch->json, "action", r->apply, "reason", r->reason,
                               "licences", done, "at", json_object_get(report, "at"));
        rc = ev ? xc_audit_append(s, actor, "impact.apply", r->list_id ? r->list_id : r->regime, ev, NULL, err)
                : oom(err);
        json_decref(ev);
    }
    if (rc == XC_OK)
        json_object_set_new(report, "applied", json_pack("{s:s, s:s, s:O}", "action", r->apply, "reason", r->reason,
                                                         "licences", done));
    json_decref(done);
    return rc;
}

static int check_req(const xc_impact_req *r, xc_error *err)
{
    if (!r)
        return xc_error_set(err, XC_EINVAL, NULL, "impact: no request");
    if (!!r->list_id == !!r->regime)
        return xc_error_set(err, XC_EINVAL, "list", "impact: give either a list (--list) or a rule pack (--rules)");
    if ((!r->version || !*r->version) && !r->text)
        return xc_error_set(err, XC_EINVAL, "version", "--version: give a recorded version id or a file");
    if (r->apply && strcmp(r->apply, "suspend") != 0 && strcmp(r->apply, "revoke") != 0)
        return xc_error_set(err, XC_EINVAL, "apply", "--apply: \"%s\" is not suspend or revoke", r->apply);
    if (r->apply && (!r->reason || !*r->reason))
        return xc_error_set(err, XC_EINVAL, "reason", "--reason: --apply needs a reason, cited in every notice");
    return XC_OK;
}

int xc_impact(xc_store *s, const char *actor, const xc_impact_req *req, json_t **report, xc_error *err)
{
    static const char *const readers[] = {"officer", "admin", "auditor", NULL};
    static const char *const officers[] = {"officer", NULL};
    change ch;
    xc_policy *before = NULL, *after = NULL;
    xc_version *vers = NULL;
    size_t n_vers = 0;
    char *text = NULL;
    size_t len = 0;
    int in_tx = 0, rc = check_req(req, err);
    json_t *rep = NULL;
    memset(&ch, 0, sizeof(ch));
    ch.req = req;
    ch.effective = XC_DATE_NONE;
    *report = NULL;
    if (rc)
        return rc;
    if (xc_store_in_tx(s))
        return xc_error_set(err, XC_EINTERNAL, NULL, "impact runs its own transactions; call it outside one");
    if ((rc = xc_lic__actor(s, actor, req->apply ? officers : readers,
                            req->apply ? "acting on licences after a policy change" : "an impact analysis", NULL, err)))
        return rc;
    const char *name = req->version && *req->version ? req->version : "(new version)";
    int64_t rec_id = 0;
    if (!req->text && all_digits(req->version)) {
        rec_id = strtoll(req->version, NULL, 10);
    } else {
        char label[512];
        snprintf(label, sizeof(label), "--version: %s", req->version ? req->version : "");
        if (req->text) {
            text = (char *)req->text;
            len = req->text_len;
        } else if ((rc = xc_file_read(req->version, label, "version", MAX_FILE, &text, &len, err))) {
            return rc;
        }
        /* before: the engine as it is; after: inside the transaction with the import */
        int fresh = 0;
        if (!(rc = xc_policy_load(s, XC_TS_LATEST, &before, err)) && !(rc = xc_store_begin(s, err))) {
            in_tx = 1;
            rc = import_change(s, &ch, text, len, name, &fresh, &rec_id, err);
        }
        if (rc == XC_OK && fresh) {
            ch.from_file = 1;
            rc = xc_policy_load(s, XC_TS_LATEST, &after, err);
        } else if (in_tx) { /* nothing new: it is a recorded change */
            xc_store_rollback(s);
            in_tx = 0;
            xc_policy_free(before);
            before = NULL;
        }
    }
    if (rc == XC_OK && !ch.from_file) {
        rc = req->list_id ? recorded_list(s, &ch, rec_id, &vers, &n_vers, &before, &after, err)
                          : recorded_rules(s, &ch, rec_id, &before, &after, err);
    }
    /* a zeroed request (at = 0, 1970-01-01) means "no date given" too */
    int given = req->at != XC_DATE_NONE && req->at != 0;
    xc_date at = given ? req->at : ch.effective != XC_DATE_NONE ? ch.effective : xc_date_today();
    char d[XC_DATE_BUF];
    if (rc == XC_OK && !(rep = json_pack("{s:O, s:s, s:b, s:n}", "change", ch.json, "at", xc_date_format(at, d),
                                         "dry_run", !req->apply, "applied")))
        rc = oom(err);
    if (rc == XC_OK)
        rc = walk(s, &ch, before, after, at, rep, err);
    if (rc == XC_OK && req->apply && !in_tx && json_integer_value(json_object_get(rep, "affected_licences")) == 0) {
        /* nothing to act on and nothing to record */
        json_object_set_new(rep, "applied", json_pack("{s:s, s:s, s:[]}", "action", req->apply, "reason", req->reason,
                                                      "licences"));
    } else if (rc == XC_OK && req->apply) {
        if (!in_tx && (rc = xc_store_begin(s, err)) == XC_OK)
            in_tx = 1;
        if (rc == XC_OK)
            rc = apply(s, actor, &ch, rep, err);
        if (rc == XC_OK) {
            in_tx = 0;
            rc = xc_store_commit(s, err);
        }
    }
    if (in_tx)
        xc_store_rollback(s);
    xc_policy_free(before);
    xc_policy_free(after);
    xc_versions_free(vers, n_vers);
    json_decref(ch.json);
    if (text != req->text)
        xc_free(text);
    if (rc) {
        json_decref(rep);
        return rc;
    }
    *report = rep;
    return XC_OK;
}
