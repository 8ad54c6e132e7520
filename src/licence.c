/*
 * licence.c: the licensing workflow: organisations and users (actors), the
 * licensing table (refusal criteria, regimes whose exports need a marketing
 * licence), applications from draft to decision with four-eyes approval,
 * and licences with their lifecycle.  Every entity is a versioned document
 * (one key per entity, full state in each version); every change appends an
 * audit event in the same transaction.  The impact of a policy change is in
 * impact.c.
 */
#include "licence.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "country.h"
#include "decision.h"
#include "docs.h"
#include "licence_int.h"
#include "mem.h"
#include "policy.h"
#include "screen.h"

#define LICENSING_KEY "licensing"
#define MAX_ITEMS 32
#define MAX_END_USERS 8
#define MAX_NAME 64
#define MAX_TEXT 4096

static const char *const all_roles[] = {"admin", "officer", "exporter", "auditor", NULL};
static const char *const admin_only[] = {"admin", NULL};
static const char *const officer_only[] = {"officer", NULL};
static const char *const exporter_only[] = {"exporter", NULL};
static const char *const exporter_or_officer[] = {"exporter", "officer", NULL};

static int oom(xc_error *err)
{
    return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* ---- shared helpers ------------------------------------------------------------------ */


int xc_lic__outcome(const char *name)
{
    for (int i = 0; name && i < XC_OUTCOME_COUNT; i++)
        if (strcmp(name, xc_outcome_name(i)) == 0)
            return i;
    return -1;
}

int xc_lic__load(xc_store *s, const char *kind, const char *key, json_t **out, xc_error *err)
{
    xc_doc d;
    memset(&d, 0, sizeof(d));
    *out = NULL;
    int rc = xc_store_doc_get(s, kind, key, &d, err);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_ENOTFOUND, "id", "%s \"%s\" does not exist", kind, key);
    if (rc)
        return rc;
    json_error_t je;
    *out = json_loads(d.body, 0, &je);
    xc_doc_clear(&d);
    return *out ? XC_OK : xc_error_set(err, XC_EINTERNAL, NULL, "stored %s %s is unreadable", kind, key);
}

/* Every version of a document, oldest first, each with recorded_at. */
static int load_history(xc_store *s, const char *kind, const char *key, json_t **out, xc_error *err)
{
    xc_doc *d = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = xc_store_doc_versions(s, kind, key, &d, &n, err);
    if (rc)
        return rc;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_error_t je;
        char t[XC_TS_BUF];
        json_t *v = json_loads(d[i].body, 0, &je);
        if (!v) {
            rc = xc_error_set(err, XC_EINTERNAL, NULL, "stored %s %s is unreadable", kind, key);
            break;
        }
        json_object_set_new(v, "recorded_at", json_string(xc_ts_format(d[i].recorded_at, t)));
        json_object_set_new(v, "content_hash", json_string(d[i].hash));
        json_object_set_new(v, "doc_id", json_integer(d[i].id));
        json_array_append_new(a, v);
    }
    xc_docs_free(d, n);
    if (!a && rc == XC_OK)
        rc = oom(err);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return XC_OK;
}

/* Record a new version of a document: bumps "version", stamps who, when,
 * the action and its reason, stores it and appends the audit event
 * "<kind>.<action>" (payload: version, status, doc_id, content_hash,
 * reason and the fields of extra). */
static int put_doc(xc_store *s, const char *actor, const char *kind, const char *key, json_t *doc,
                   const char *action, const char *reason, json_t *extra, xc_error *err)
{
    char ts[XC_TS_BUF], hash[65], type[64], *canon = NULL;
    json_int_t ver = json_integer_value(json_object_get(doc, "version")) + 1;
    int recorded = 0;
    int64_t id = 0;
    xc_ts_format(xc_store_tx_time(s), ts);
    if (json_object_set_new(doc, "version", json_integer(ver)) ||
        json_object_set_new(doc, "updated_at", json_string(ts)) ||
        json_object_set_new(doc, "updated_by", json_string(actor)) ||
        json_object_set_new(doc, "action", json_string(action)) ||
        json_object_set_new(doc, "reason", reason ? json_string(reason) : json_null()))
        return oom(err);
    if (ver == 1 && (json_object_set_new(doc, "created_at", json_string(ts)) ||
                     json_object_set_new(doc, "created_by", json_string(actor))))
        return oom(err);
    int rc = xc_json_canon(doc, &canon, hash, err);
    if (rc == XC_OK)
        rc = xc_store_doc_put(s, kind, key, hash, canon, &recorded, &id, err);
    xc_free(canon);
    if (rc)
        return rc;
    json_t *ev = extra ? json_deep_copy(extra) : json_object();
    if (!ev || json_object_set_new(ev, "version", json_integer(ver)) ||
        json_object_set_new(ev, "doc_id", json_integer(id)) ||
        json_object_set_new(ev, "content_hash", json_string(hash)) ||
        (json_object_get(doc, "status") && json_object_set(ev, "status", json_object_get(doc, "status"))) ||
        (reason && json_object_set_new(ev, "reason", json_string(reason)))) {
        json_decref(ev);
        return oom(err);
    }
    snprintf(type, sizeof(type), "%s.%s", kind, action);
    rc = xc_audit_append(s, actor, type, key, ev, NULL, err);
    json_decref(ev);
    return rc;
}

/* Next id "PREFIX-NNNNNN" of a kind: a counter kept in the settings,
 * started from the number of keys + 1. */
static int next_id(xc_store *s, const char *kind, const char *prefix, char id[32], xc_error *err)
{
    char mkey[64], *val = NULL, buf[32];
    long long n = 0;
    snprintf(mkey, sizeof(mkey), "licensing.next.%s", kind);
    int rc = xc_store_meta_get(s, mkey, &val, err);
    if (rc)
        return rc;
    if (val) {
        n = atoll(val);
        xc_free(val);
    } else {
        char **keys = NULL;
        size_t nk = 0;
        if ((rc = xc_store_doc_keys(s, kind, XC_TS_LATEST, &keys, &nk, err)))
            return rc;
        xc_strv_free(keys, nk);
        n = (long long)nk + 1;
    }
    snprintf(id, 32, "%s-%06lld", prefix, n);
    snprintf(buf, sizeof(buf), "%lld", n + 1);
    return xc_store_meta_set(s, mkey, buf, err);
}

static int check_name(const char *v, const char *field, const char *what, xc_error *err)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > MAX_NAME)
        return xc_error_set(err, XC_EINVAL, field, "%s: %s must be 1 to %d characters", field, what, MAX_NAME);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (!isalnum(ch) && !strchr("._@:+-", ch))
            return xc_error_set(err, XC_EINVAL, field,
                                "%s: \"%s\" is not a valid %s (letters, digits and . _ @ : + - only)", field, v, what);
    }
    return XC_OK;
}

/* ---- actors ------------------------------------------------------------------------- */

int xc_user_get(xc_store *s, const char *name, json_t **out, xc_error *err)
{
    int rc = xc_lic__load(s, XC_DOC_USER, name ? name : "", out, err);
    if (rc == XC_ENOTFOUND)
        xc_error_set(err, rc, "user", "user \"%s\" does not exist", name ? name : "");
    return rc;
}

int xc_org_get(xc_store *s, const char *id, json_t **out, xc_error *err)
{
    int rc = xc_lic__load(s, XC_DOC_ORG, id ? id : "", out, err);
    if (rc == XC_ENOTFOUND)
        xc_error_set(err, rc, "id", "organisation \"%s\" does not exist", id ? id : "");
    return rc;
}

static void roles_text(const char *const *roles, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; roles[i]; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? (roles[i + 1] ? ", " : " or ") : "", roles[i]);
}

int xc_lic__actor(xc_store *s, const char *actor, const char *const *allowed, const char *what, json_t **user,
                  xc_error *err)
{
    json_t *u = NULL;
    char roles[128];
    roles_text(allowed, roles, sizeof(roles));
    if (user)
        *user = NULL;
    if (!actor || !*actor)
        return xc_error_set(err, XC_EFORBIDDEN, "actor", "%s needs a registered user (give --as USER)", what);
    int rc = xc_lic__load(s, XC_DOC_USER, actor, &u, err);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_EFORBIDDEN, "actor",
                            "\"%s\" is not a registered user: %s needs a registered %s (see `exportctl user add`)",
                            actor, what, roles);
    if (rc)
        return rc;
    if (!json_is_true(json_object_get(u, "active"))) {
        json_decref(u);
        return xc_error_set(err, XC_EFORBIDDEN, "actor", "user \"%s\" is not active", actor);
    }
    if (!in_list(jstr(u, "role"), allowed)) {
        rc = xc_error_set(err, XC_EFORBIDDEN, "actor", "%s needs the role %s; user \"%s\" is %s", what, roles, actor,
                          jstr(u, "role"));
        json_decref(u);
        return rc;
    }
    if (user)
        *user = u;
    else
        json_decref(u);
    return XC_OK;
}

/* An exporter acts only for its own organisation. */
static int same_org(json_t *user, const char *org, const char *what, xc_error *err)
{
    if (strcmp(jstr(user, "role"), "exporter") != 0)
        return XC_OK;
    const char *mine = jstr(user, "org");
    if (mine && org && strcmp(mine, org) == 0)
        return XC_OK;
    return xc_error_set(err, XC_EFORBIDDEN, "exporter",
                        "exporters act only for their own organisation: %s is %s's, user \"%s\" belongs to %s", what,
                        org ? org : "(none)", jstr(user, "name"), mine ? mine : "no organisation");
}

static int org_exists(xc_store *s, const char *org, const char *field, xc_error *err)
{
    json_t *o = NULL;
    int rc = xc_lic__load(s, XC_DOC_ORG, org, &o, err);
    json_decref(o);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_EINVAL, field, "%s: organisation \"%s\" does not exist (see `exportctl org ls`)",
                            field, org);
    return rc;
}

int xc_org_add(xc_store *s, const char *actor, const char *id, const char *name, const char *country, xc_error *err)
{
    const xc_country *cc = NULL;
    json_t *doc = NULL, *old = NULL;
    int own, rc = check_name(id, "id", "organisation id", err);
    if (rc)
        return rc;
    if (!name || !*name || strlen(name) > MAX_TEXT)
        return xc_error_set(err, XC_EINVAL, "name", "name: an organisation needs a name (at most %d bytes)", MAX_TEXT);
    if (country && *country && (rc = xc_country_lookup(country, "country", &cc, err)))
        return rc;
    if ((rc = xc_store_join(s, &own, err)))
        return rc;
    rc = xc_lic__actor(s, actor, admin_only, "adding an organisation", NULL, err);
    if (rc == XC_OK) {
        rc = xc_lic__load(s, XC_DOC_ORG, id, &old, err);
        if (rc == XC_OK)
            rc = xc_error_set(err, XC_ECONFLICT, "id", "organisation \"%s\" already exists", id);
        else if (rc == XC_ENOTFOUND)
            rc = XC_OK;
    }
    if (rc == XC_OK && !(doc = json_pack("{s:s, s:s, s:o, s:b}", "id", id, "name", name, "country",
                                         cc ? json_string(cc->alpha2) : json_null(), "active", 1)))
        rc = oom(err);
    if (rc == XC_OK)
        rc = put_doc(s, actor, XC_DOC_ORG, id, doc, "add", NULL, NULL, err);
    json_decref(old);
    json_decref(doc);
    return xc_store_finish(s, own, rc, err);
}

int xc_user_add(xc_store *s, const char *actor, const char *name, const char *role, const char *org, xc_error *err)
{
    char **keys = NULL;
    size_t nk = 0;
    json_t *doc = NULL, *old = NULL;
    int own, rc = check_name(name, "name", "user name", err);
    if (rc)
        return rc;
    if (!in_list(role, all_roles))
        return xc_error_set(err, XC_EINVAL, "role", "role: \"%s\" is not admin, officer, exporter or auditor",
                            role ? role : "");
    if (org && !*org)
        org = NULL;
    if (strcmp(role, "exporter") == 0 && !org)
        return xc_error_set(err, XC_EINVAL, "org", "org: an exporter user belongs to an organisation (give --org)");
    if ((rc = xc_store_join(s, &own, err)))
        return rc;
    rc = xc_store_doc_keys(s, XC_DOC_USER, XC_TS_LATEST, &keys, &nk, err);
    xc_strv_free(keys, nk);
    if (rc == XC_OK && nk == 0) { /* bootstrap: anyone adds the first user, an admin */
        if (strcmp(role, "admin") != 0)
            rc = xc_error_set(err, XC_EFORBIDDEN, "role",
                              "bootstrap: the first user of a database must be an admin (got role %s)", role);
    } else if (rc == XC_OK) {
        rc = xc_lic__actor(s, actor, admin_only, "adding a user", NULL, err);
    }
    if (rc == XC_OK) {
        rc = xc_lic__load(s, XC_DOC_USER, name, &old, err);
        if (rc == XC_OK)
            rc = xc_error_set(err, XC_ECONFLICT, "name", "user \"%s\" already exists", name);
        else if (rc == XC_ENOTFOUND)
            rc = XC_OK;
    }
    if (rc == XC_OK && org)
        rc = org_exists(s, org, "org", err);
    if (rc == XC_OK && !(doc = json_pack("{s:s, s:s, s:o, s:b}", "name", name, "role", role, "org",
                                         org ? json_string(org) : json_null(), "active", 1)))
        rc = oom(err);
    json_t *extra = rc == XC_OK ? json_pack("{s:s, s:o}", "role", role, "org", org ? json_string(org) : json_null())
                                : NULL;
    if (rc == XC_OK)
        rc = extra ? put_doc(s, actor && *actor ? actor : "system", XC_DOC_USER, name, doc, "add", NULL, extra, err)
                   : oom(err);
    json_decref(extra);
    json_decref(old);
    json_decref(doc);
    return xc_store_finish(s, own, rc, err);
}

/* Latest version of every document of a kind, as {"<name>": [...]}. */
static int latest_all(xc_store *s, const char *kind, const char *name, json_t **out, xc_error *err)
{
    xc_doc *d = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = xc_store_doc_latest(s, kind, XC_TS_LATEST, &d, &n, err);
    if (rc)
        return rc;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_error_t je;
        json_t *v = json_loads(d[i].body, 0, &je);
        if (!v) {
            rc = xc_error_set(err, XC_EINTERNAL, NULL, "stored %s %s is unreadable", kind, d[i].key);
            break;
        }
        json_array_append_new(a, v);
    }
    xc_docs_free(d, n);
    if (rc == XC_OK && (!a || !(*out = json_pack("{s:O}", name, a))))
        rc = oom(err);
    json_decref(a);
    return rc;
}

int xc_users_json(xc_store *s, json_t **out, xc_error *err)
{
    return latest_all(s, XC_DOC_USER, "users", out, err);
}

int xc_orgs_json(xc_store *s, json_t **out, xc_error *err)
{
    return latest_all(s, XC_DOC_ORG, "orgs", out, err);
}

/* ---- the licensing table -------------------------------------------------------------- */

static int check_code(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 48 || v[0] == '-' || v[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '-'))
            return 0;
    return 1;
}

int xc_licensing_import_json(xc_store *s, const char *actor, const char *text, size_t len, const char *file,
                             int *recorded, xc_error *err)
{
    static const char *const root_keys[] = {"format", "$comment", "criteria", "marketing_licence_required", NULL};
    static const char *const crit_keys[] = {"code", "title", "source", "$comment", NULL};
    xc_jctx c = {file, err};
    json_t *root = NULL, *doc = NULL, *crit = NULL, *regs = NULL;
    char *canon = NULL, hash[65];
    const char *fmt;
    int own = 0, rc = xc_json_parse(text, len, file, &root, err);
    *recorded = 0;
    if (rc)
        return rc;
    if ((rc = xc_j_keys(&c, root, "$", root_keys)) || (rc = xc_j_str(&c, root, "$", "format", 1, &fmt)))
        goto out;
    if (strcmp(fmt, "exportctl-licensing/1") != 0) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.format", "expected \"exportctl-licensing/1\", got \"%s\"", fmt);
        goto out;
    }
    json_t *arr = json_object_get(root, "criteria"), *e;
    size_t i;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.criteria", "expected a non-empty array of criteria");
        goto out;
    }
    if (!(crit = json_array()) || !(regs = json_array())) {
        rc = oom(err);
        goto out;
    }
    json_array_foreach(arr, i, e)
    {
        char p[64];
        const char *code, *title, *source;
        snprintf(p, sizeof(p), "$.criteria[%zu]", i);
        if ((rc = xc_j_keys(&c, e, p, crit_keys)) || (rc = xc_j_str(&c, e, p, "code", 1, &code)) ||
            (rc = xc_j_str(&c, e, p, "title", 1, &title)) || (rc = xc_j_str(&c, e, p, "source", 1, &source)))
            goto out;
        if (!check_code(code)) {
            rc = xc_j_bad(&c, XC_EINVAL, p, "code \"%s\": lowercase letters, digits and dashes only", code);
            goto out;
        }
        size_t k;
        json_t *prev;
        json_array_foreach(crit, k, prev) if (strcmp(jstr(prev, "code"), code) == 0)
        {
            rc = xc_j_bad(&c, XC_EINVAL, p, "code \"%s\" appears twice", code);
            goto out;
        }
        json_array_append_new(crit, json_pack("{s:s, s:s, s:s}", "code", code, "title", title, "source", source));
    }
    const char **rv = NULL;
    size_t nr = 0;
    if ((rc = xc_j_strs(&c, root, "$", "marketing_licence_required", 0, &rv, &nr)))
        goto out;
    for (i = 0; i < nr; i++)
        json_array_append_new(regs, json_string(rv[i]));
    xc_free(rv);
    if (!(doc = json_pack("{s:s, s:O, s:O}", "format", fmt, "criteria", crit, "marketing_licence_required", regs))) {
        rc = oom(err);
        goto out;
    }
    if ((rc = xc_store_join(s, &own, err)))
        goto out;
    if (actor)
        rc = xc_lic__actor(s, actor, admin_only, "changing the licensing table", NULL, err);
    int64_t id = 0;
    if (rc == XC_OK)
        rc = xc_json_canon(doc, &canon, hash, err);
    if (rc == XC_OK)
        rc = xc_store_doc_put(s, XC_DOC_LICENSING, LICENSING_KEY, hash, canon, recorded, &id, err);
    if (rc == XC_OK && *recorded)
        rc = xc_docs_audit(s, actor, XC_DOC_LICENSING, LICENSING_KEY, id, hash, NULL, err);
    rc = xc_store_finish(s, own, rc, err);
out:
    xc_free(canon);
    json_decref(root);
    json_decref(doc);
    json_decref(crit);
    json_decref(regs);
    return rc;
}

static int licensing_load(xc_store *s, json_t **out, xc_error *err)
{
    int rc = xc_lic__load(s, XC_DOC_LICENSING, LICENSING_KEY, out, err);
    if (rc == XC_ENOTFOUND)
        xc_error_set(err, rc, NULL, "no licensing table is loaded (data/licensing/criteria.json)");
    return rc;
}

int xc_criteria_json(xc_store *s, json_t **out, xc_error *err)
{
    xc_doc d;
    memset(&d, 0, sizeof(d));
    *out = NULL;
    int rc = licensing_load(s, out, err);
    if (rc == XC_OK && (rc = xc_store_doc_get(s, XC_DOC_LICENSING, LICENSING_KEY, &d, err)) == XC_OK) {
        json_object_set_new(*out, "doc_id", json_integer(d.id));
        json_object_set_new(*out, "content_hash", json_string(d.hash));
    }
    xc_doc_clear(&d);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int needs_marketing_licence(json_t *cfg, const char *regime)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "marketing_licence_required"), i, v)
    {
        if (strcmp(json_string_value(v), regime) == 0)
            return 1;
    }
    return 0;
}

/* The activities checked for an application: marketing for a marketing
 * application; for an export application, export, plus marketing where
 * the regime makes exports depend on a marketing licence. */
static size_t app_activities(json_t *cfg, json_t *app, const char *acts[2])
{
    if (strcmp(jstr(app, "type"), "marketing") == 0) {
        acts[0] = "marketing";
        return 1;
    }
    if (needs_marketing_licence(cfg, jstr(app, "regime"))) {
        acts[0] = "marketing";
        acts[1] = "export";
        return 2;
    }
    acts[0] = "export";
    return 1;
}

/* ---- checks --------------------------------------------------------------------------- */

int xc_lic__req(json_t *doc, const char *item, const char *activity, xc_date date, xc_check_req *req, xc_error *err)
{
    memset(req, 0, sizeof(*req));
    req->regime = jstr(doc, "regime");
    req->activity = activity;
    req->item = item;
    req->destination = jstr(doc, "destination");
    req->date = date;
    json_t *eus = json_object_get(doc, "end_users"), *v;
    size_t i;
    req->end_user_type = jstr(json_array_get(eus, 0), "type");
    json_array_foreach(eus, i, v)
    {
        if (req->n_parties == XC_CHECK_MAX_PARTIES)
            return xc_error_set(err, XC_EINVAL, "parties", "parties: more than %d names", XC_CHECK_MAX_PARTIES);
        req->parties[req->n_parties++] = jstr(v, "name");
    }
    json_array_foreach(json_object_get(doc, "parties"), i, v)
    {
        if (req->n_parties == XC_CHECK_MAX_PARTIES)
            return xc_error_set(err, XC_EINVAL, "parties", "parties: more than %d names", XC_CHECK_MAX_PARTIES);
        req->parties[req->n_parties++] = jstr(v, "name");
    }
    return XC_OK;
}

static xc_date doc_date(json_t *doc, const char *key)
{
    xc_date d = XC_DATE_NONE;
    const char *v = jstr(doc, key);
    if (v && xc_date_parse(v, &d, key, NULL) != XC_OK)
        d = XC_DATE_NONE;
    return d;
}

/* Relabel an engine error with the application it came from. */
static int relabel(xc_error *err, int rc, const char *what)
{
    char msg[XC_ERRMSG_MAX];
    snprintf(msg, sizeof(msg), "%s", err->msg);
    xc_error_set(err, rc, err->field, "%s: %s", what, msg);
    return rc;
}

/* Screen every party name of an application (end users and parties)
 * against the party-list snapshots in force on `at`.  Fails closed like
 * `exportctl screen`.  *out: {"date", "snapshots", "matcher_version",
 * "parties": [{name, role, hits, suppressed}], "hits": n}. */
static int screen_names(xc_store *s, json_t *app, xc_date at, json_t **out, int *n_hits, xc_error *err)
{
    xc_party_snapshot *snaps = NULL;
    size_t n_snaps = 0, n_allow = 0;
    xc_allow *allow = NULL;
    xc_screen_index *idx = NULL;
    xc_screen_scratch *sc = NULL;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    json_t *parties = json_array();
    char d[XC_DATE_BUF];
    *out = NULL;
    *n_hits = 0;
    int rc = res && parties ? XC_OK : oom(err);
    if (rc == XC_OK && !(rc = xc_parties_load(s, XC_TS_LATEST, &snaps, &n_snaps, err)) &&
        !(rc = xc_allow_load(s, XC_TS_LATEST, &allow, &n_allow, err)) &&
        !(rc = xc_screen_index_build(snaps, n_snaps, at, &idx, err)))
        rc = xc_screen_scratch_new(idx, &sc, err);
    if (rc && rc != XC_ENOMEM)
        relabel(err, rc, "screening the parties");
    for (int pass = 0; pass < 2 && rc == XC_OK; pass++) {
        json_t *arr = json_object_get(app, pass == 0 ? "end_users" : "parties"), *v;
        size_t i;
        json_array_foreach(arr, i, v)
        {
            xc_screen_opts o;
            memset(&o, 0, sizeof(o));
            o.type = XC_NAME_UNKNOWN;
            o.threshold = -1;
            o.limit = 5;
            o.at = at;
            o.allow = allow;
            o.n_allow = n_allow;
            if ((rc = xc_screen_query(idx, sc, jstr(v, "name"), &o, res, err)))
                break;
            json_t *j = xc_screen_result_json(idx, res), *h;
            if (!j) {
                rc = oom(err);
                break;
            }
            size_t k;
            json_array_foreach(json_object_get(j, "hits"), k, h) json_object_del(h, "explanation");
            json_array_foreach(json_object_get(j, "suppressed"), k, h) json_object_del(h, "explanation");
            *n_hits += (int)res->n_hits;
            json_array_append_new(parties, json_pack("{s:s, s:s, s:O, s:O}", "name", jstr(v, "name"), "role",
                                                     pass == 0 ? "end-user" : jstr(v, "role"), "hits",
                                                     json_object_get(j, "hits"), "suppressed",
                                                     json_object_get(j, "suppressed")));
            json_decref(j);
        }
    }
    if (rc == XC_OK &&
        !(*out = json_pack("{s:s, s:o, s:s, s:O, s:i}", "date", xc_date_format(at, d), "snapshots",
                           xc_screen_snapshots_json(idx), "matcher_version", XC_MATCHER_VERSION, "parties", parties,
                           "hits", *n_hits)))
        rc = oom(err);
    json_decref(parties);
    xc_screen_scratch_free(sc);
    xc_screen_index_free(idx);
    xc_free(res);
    xc_allow_free(allow, n_allow);
    xc_parties_free(snaps, n_snaps);
    return rc;
}

/* ---- applications ---------------------------------------------------------------------- */

static const char *const app_kinds[] = {"marketing", "export", NULL};

/* Parse the fields of a new application into a normalised document. */
static int parse_app(json_t *f, json_t **out, xc_error *err)
{
    static const char *const keys[] = {"type",     "regime", "exporter", "items", "destination", "end_users",
                                       "parties",  "end_use", "value",   "currency", "marketing_licence", "date",
                                       NULL};
    static const char *const eu_keys[] = {"name", "country", "type", NULL};
    static const char *const party_keys[] = {"name", "role", "country", NULL};
    static const char *const value_keys[] = {"amount", "currency", NULL};
    xc_jctx c = {"application", err};
    const char *type, *regime, *exporter, *dest, *end_use, *mlic, *currency = NULL, *top_currency;
    const char **items = NULL;
    size_t n_items = 0;
    xc_date date = xc_date_today();
    const xc_country *cc;
    json_t *doc = NULL, *eus = NULL, *parties = NULL, *arr, *v;
    double amount = 0;
    size_t i;
    char dbuf[XC_DATE_BUF];
    *out = NULL;
    int rc = xc_j_keys(&c, f, "$", keys);
    if (rc || (rc = xc_j_str(&c, f, "$", "type", 1, &type)))
        return rc;
    if (!in_list(type, app_kinds))
        return xc_j_bad(&c, XC_EINVAL, "$.type", "\"%s\" is not marketing or export", type);
    if ((rc = xc_j_str(&c, f, "$", "regime", 1, &regime)) || (rc = xc_j_str(&c, f, "$", "exporter", 1, &exporter)) ||
        (rc = xc_j_str(&c, f, "$", "destination", 1, &dest)) || (rc = xc_j_str(&c, f, "$", "end_use", 1, &end_use)) ||
        (rc = xc_j_str(&c, f, "$", "marketing_licence", 0, &mlic)) ||
        (rc = xc_j_str(&c, f, "$", "currency", 0, &top_currency)) || (rc = xc_j_date(&c, f, "$", "date", 0, &date)))
        return rc;
    if (strlen(end_use) > MAX_TEXT)
        return xc_j_bad(&c, XC_EINVAL, "$.end_use", "longer than %d bytes", MAX_TEXT);
    if (mlic && strcmp(type, "export") != 0)
        return xc_j_bad(&c, XC_EINVAL, "$.marketing_licence",
                        "only an export application references a marketing licence");
    if ((rc = xc_country_lookup(dest, "$.destination", &cc, err)))
        return xc_j_relabel(&c, rc);
    if ((rc = xc_j_strs(&c, f, "$", "items", 1, &items, &n_items)))
        return rc;
    if (n_items == 0 || n_items > MAX_ITEMS) {
        xc_free(items);
        return xc_j_bad(&c, XC_EINVAL, "$.items", "expected 1 to %d item codes", MAX_ITEMS);
    }
    json_t *items_a = json_array();
    for (i = 0; items_a && i < n_items; i++)
        json_array_append_new(items_a, json_string(items[i]));
    xc_free(items);
    if (!items_a)
        return oom(err);
    /* value: {amount, currency}, or a number with "currency" beside it */
    v = json_object_get(f, "value");
    if (json_is_object(v)) {
        if ((rc = xc_j_keys(&c, v, "$.value", value_keys)) ||
            (rc = xc_j_str(&c, v, "$.value", "currency", 1, &currency)))
            goto fail;
        v = json_object_get(v, "amount");
    } else {
        currency = top_currency;
    }
    if (!json_is_number(v) || (amount = json_number_value(v)) < 0 || amount > 1e15) {
        rc = xc_j_bad(&c, XC_EINVAL, json_is_object(json_object_get(f, "value")) ? "$.value.amount" : "$.value",
                      "expected an amount: a number from 0 to 10^15");
        goto fail;
    }
    if (!currency || strlen(currency) != 3 || !isupper((unsigned char)currency[0]) ||
        !isupper((unsigned char)currency[1]) || !isupper((unsigned char)currency[2])) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.value.currency", "expected an ISO 4217 currency code such as EUR or USD");
        goto fail;
    }
    /* end users and other parties */
    arr = json_object_get(f, "end_users");
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MAX_END_USERS) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.end_users", "expected 1 to %d end users {name, country, type}", MAX_END_USERS);
        goto fail;
    }
    if (!(eus = json_array()) || !(parties = json_array())) {
        rc = oom(err);
        goto fail;
    }
    json_array_foreach(arr, i, v)
    {
        char p[64];
        const char *name, *country, *eut;
        int t;
        const xc_country *ec = NULL;
        snprintf(p, sizeof(p), "$.end_users[%zu]", i);
        if ((rc = xc_j_keys(&c, v, p, eu_keys)) || (rc = xc_j_str(&c, v, p, "name", 1, &name)) ||
            (rc = xc_j_str(&c, v, p, "country", 0, &country)) || (rc = xc_j_str(&c, v, p, "type", 1, &eut)))
            goto fail;
        snprintf(p, sizeof(p), "$.end_users[%zu].type", i);
        if ((rc = xc_end_user_type_parse(eut, &t, p, err))) {
            xc_j_relabel(&c, rc);
            goto fail;
        }
        snprintf(p, sizeof(p), "$.end_users[%zu].country", i);
        if (country && (rc = xc_country_lookup(country, p, &ec, err))) {
            xc_j_relabel(&c, rc);
            goto fail;
        }
        if (strlen(name) > 255) {
            rc = xc_j_bad(&c, XC_EINVAL, p, "name longer than 255 bytes");
            goto fail;
        }
        json_array_append_new(eus, json_pack("{s:s, s:o, s:s}", "name", name, "country",
                                             ec ? json_string(ec->alpha2) : json_null(), "type",
                                             xc_end_user_type_name(t)));
    }
    arr = json_object_get(f, "parties");
    if (arr && !json_is_null(arr) && !json_is_array(arr)) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.parties", "expected an array of parties {name, role, country}");
        goto fail;
    }
    json_array_foreach(arr, i, v)
    {
        char p[64];
        const char *name, *role, *country;
        const xc_country *pc = NULL;
        snprintf(p, sizeof(p), "$.parties[%zu]", i);
        if ((rc = xc_j_keys(&c, v, p, party_keys)) || (rc = xc_j_str(&c, v, p, "name", 1, &name)) ||
            (rc = xc_j_str(&c, v, p, "role", 1, &role)) || (rc = xc_j_str(&c, v, p, "country", 0, &country)))
            goto fail;
        snprintf(p, sizeof(p), "$.parties[%zu].country", i);
        if (country && (rc = xc_country_lookup(country, p, &pc, err))) {
            xc_j_relabel(&c, rc);
            goto fail;
        }
        if (strlen(name) > 255 || strlen(role) > MAX_NAME) {
            rc = xc_j_bad(&c, XC_EINVAL, p, "name longer than 255 bytes or role longer than %d", MAX_NAME);
            goto fail;
        }
        json_array_append_new(parties, json_pack("{s:s, s:s, s:o}", "name", name, "role", role, "country",
                                                 pc ? json_string(pc->alpha2) : json_null()));
    }
    if (json_array_size(eus) + json_array_size(parties) > XC_CHECK_MAX_PARTIES) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.parties", "at most %d end users and parties together", XC_CHECK_MAX_PARTIES);
        goto fail;
    }
    doc = json_pack("{s:s, s:s, s:s, s:O, s:s, s:O, s:O, s:s, s:{s:f, s:s}, s:o, s:s, s:s}", "type", type, "regime",
                    regime, "exporter", exporter, "items", items_a, "destination", cc->alpha2, "end_users", eus,
                    "parties", parties, "end_use", end_use, "value", "amount", amount, "currency", currency,
                    "marketing_licence", mlic ? json_string(mlic) : json_null(), "date", xc_date_format(date, dbuf),
                    "status", "draft");
    rc = doc ? XC_OK : oom(err);
fail:
    json_decref(items_a);
    json_decref(eus);
    json_decref(parties);
    if (rc == XC_OK)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

/* Prepare every (item, activity) check of an application with the engine:
 * validates regime, items, destination and end users, and replaces the
 * item codes by their canonical form.  With eval, also evaluates and
 * records each check and fills "checks" and "outcome". */
static int run_checks(xc_store *s, const xc_policy *p, json_t *cfg, json_t *app, int eval, xc_error *err)
{
    const char *acts[2];
    size_t n_acts = app_activities(cfg, app, acts), i;
    xc_date date = doc_date(app, "date");
    json_t *items = json_object_get(app, "items"), *it, *checks = json_array(), *canon = json_array();
    int worst = XC_OUTCOME_NLR, rc = checks && canon ? XC_OK : oom(err);
    char what[96];
    snprintf(what, sizeof(what), "application%s%s", jstr(app, "id") ? " " : "", jstr(app, "id") ? jstr(app, "id") : "");
    json_array_foreach(items, i, it)
    {
        if (rc)
            break;
        for (size_t a = 0; a < n_acts && rc == XC_OK; a++) {
            xc_check_req req;
            xc_check chk;
            if ((rc = xc_lic__req(app, json_string_value(it), acts[a], date, &req, err)) ||
                (rc = xc_policy_prepare(p, &req, &chk, err))) {
                relabel(err, rc, what);
                break;
            }
            json_t *rq = xc_check_request_json(p, &chk);
            char code[64];
            snprintf(code, sizeof(code), "%s", jstr(rq, "item") ? jstr(rq, "item") : "");
            if (a == 0) {
                size_t k;
                json_t *prev;
                json_array_foreach(canon, k, prev) if (strcmp(json_string_value(prev), code) == 0)
                {
                    rc = xc_error_set(err, XC_EINVAL, "$.items", "%s: $.items: item %s appears twice", what, code);
                }
                json_array_append_new(canon, json_string(code));
            }
            json_decref(rq);
            if (rc || !eval)
                continue;
            xc_policy_eval(p, &chk);
            json_t *answer = xc_check_json(p, &chk);
            int64_t did = 0;
            if (!answer) {
                rc = oom(err);
                break;
            }
            rc = xc_decision_record_check(s, p, &chk, answer, &did, err);
            if (rc == XC_OK) {
                if (chk.outcome > worst)
                    worst = chk.outcome;
                json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:O, s:O, s:I, s:O}", "item", code, "activity",
                                                        acts[a], "outcome", xc_outcome_name(chk.outcome),
                                                        "authorisation", json_object_get(answer, "authorisation"),
                                                        "conditions", json_object_get(answer, "conditions"),
                                                        "decision_id", (json_int_t)did, "confidence",
                                                        json_object_get(answer, "confidence")));
            }
            json_decref(answer);
        }
    }
    if (rc == XC_OK)
        json_object_set(app, "items", canon);
    if (rc == XC_OK && eval) {
        json_object_set(app, "checks", checks);
        json_object_set_new(app, "outcome", json_string(xc_outcome_name(worst)));
    }
    json_decref(checks);
    json_decref(canon);
    return rc;
}

int xc_app_create(xc_store *s, const char *actor, json_t *fields, char id[32], xc_error *err)
{
    json_t *app = NULL, *user = NULL, *cfg = NULL;
    xc_policy *p = NULL;
    int own, rc;
    id[0] = '\0';
    if (!json_is_object(fields))
        return xc_error_set(err, XC_EINVAL, "$", "application: expected a JSON object of fields");
    if ((rc = parse_app(fields, &app, err)))
        return rc;
    if ((rc = xc_store_join(s, &own, err))) {
        json_decref(app);
        return rc;
    }
    rc = xc_lic__actor(s, actor, exporter_only, "creating an application", &user, err);
    if (rc == XC_OK)
        rc = same_org(user, jstr(app, "exporter"), "the exporter of this application", err);
    if (rc == XC_OK)
        rc = org_exists(s, jstr(app, "exporter"), "$.exporter", err);
    if (rc == XC_OK && !(rc = licensing_load(s, &cfg, err)) && !(rc = xc_policy_load(s, XC_TS_LATEST, &p, err)))
        rc = run_checks(s, p, cfg, app, 0, err);
    if (rc == XC_OK && (rc = next_id(s, XC_DOC_APPLICATION, "APP", id, err)) == XC_OK) {
        json_object_set_new(app, "id", json_string(id));
        json_object_set_new(app, "approvals", json_array());
        rc = put_doc(s, actor, XC_DOC_APPLICATION, id, app, "create", NULL, NULL, err);
    }
    if (rc)
        id[0] = '\0';
    xc_policy_free(p);
    json_decref(app);
    json_decref(user);
    json_decref(cfg);
    return xc_store_finish(s, own, rc, err);
}

/* Load an application and check that its status is one of `from`. */
static int app_for(xc_store *s, const char *id, const char *const *from, const char *verb, json_t **app, xc_error *err)
{
    int rc = xc_lic__load(s, XC_DOC_APPLICATION, id ? id : "", app, err);
    if (rc)
        return rc;
    const char *st = jstr(*app, "status");
    if (in_list(st, from))
        return XC_OK;
    char want[128];
    roles_text(from, want, sizeof(want));
    rc = xc_error_set(err, XC_ECONFLICT, "status", "application %s is %s; %s needs it %s", id, st, verb, want);
    json_decref(*app);
    *app = NULL;
    return rc;
}

/* Set *why and return 0 (a licence that does not cover). */
static int no_cover(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int no_cover(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return 0;
}

/* Whether licence doc `lic` is a marketing licence covering application app
 * on its date; *why explains a refusal. */
static int covers(json_t *lic, json_t *app, char *why, size_t cap)
{
    xc_date d = doc_date(app, "date");
    const char *id = jstr(lic, "id");
    if (strcmp(jstr(lic, "type"), "marketing") != 0)
        return no_cover(why, cap, "%s is an %s licence, not a marketing licence", id, jstr(lic, "type"));
    if (strcmp(jstr(lic, "exporter"), jstr(app, "exporter")) != 0)
        return no_cover(why, cap, "%s was issued to %s, not %s", id, jstr(lic, "exporter"), jstr(app, "exporter"));
    if (strcmp(jstr(lic, "regime"), jstr(app, "regime")) != 0)
        return no_cover(why, cap, "%s is under regime %s, not %s", id, jstr(lic, "regime"), jstr(app, "regime"));
    if (strcmp(jstr(lic, "destination"), jstr(app, "destination")) != 0)
        return no_cover(why, cap, "%s covers destination %s, not %s", id, jstr(lic, "destination"),
                        jstr(app, "destination"));
    const char *st = xc_lic__status_at(lic, d);
    if (strcmp(st, "active") != 0 || d < doc_date(lic, "valid_from"))
        return no_cover(why, cap, "%s is not active on %s (status %s, valid %s to %s)", id, jstr(app, "date"), st,
                        jstr(lic, "valid_from"), jstr(lic, "valid_until"));
    size_t i, k;
    json_t *it, *li;
    json_array_foreach(json_object_get(app, "items"), i, it)
    {
        int found = 0;
        json_array_foreach(json_object_get(lic, "items"), k, li) found |= json_equal(it, li);
        if (!found)
            return no_cover(why, cap, "%s does not cover item %s", id, json_string_value(it));
    }
    return 1;
}

/* The marketing dependency: an export application under a regime whose
 * exports need a marketing licence must reference an active marketing
 * licence of the same exporter for the destination and items, unless
 * marketing there is exempt (no-licence-required or a general
 * authorisation) or prohibited (nothing could be licensed). */
static int marketing_dependency(xc_store *s, json_t *cfg, json_t *app, xc_error *err)
{
    if (strcmp(jstr(app, "type"), "export") != 0 || !needs_marketing_licence(cfg, jstr(app, "regime")))
        return XC_OK;
    int worst = XC_OUTCOME_NLR;
    size_t i;
    json_t *ck;
    json_array_foreach(json_object_get(app, "checks"), i, ck) if (strcmp(jstr(ck, "activity"), "marketing") == 0)
    {
        int o = xc_lic__outcome(jstr(ck, "outcome"));
        if (o > worst)
            worst = o;
    }
    const char *ref = jstr(app, "marketing_licence");
    int required = worst >= XC_OUTCOME_LR && worst < XC_OUTCOME_PROHIBITED;
    json_object_set_new(app, "marketing", json_pack("{s:s, s:b, s:o}", "outcome", xc_outcome_name(worst), "required",
                                                    required, "licence", ref ? json_string(ref) : json_null()));
    if (!ref && required)
        return xc_error_set(err, XC_ECONFLICT, "marketing_licence",
                            "marketing_licence: application %s: marketing %s to %s is %s under %s on %s, so this "
                            "export needs an active marketing licence of %s for the destination and items",
                            jstr(app, "id"), json_string_value(json_array_get(json_object_get(app, "items"), 0)),
                            jstr(app, "destination"), xc_outcome_name(worst), jstr(app, "regime"), jstr(app, "date"),
                            jstr(app, "exporter"));
    if (!ref)
        return XC_OK;
    json_t *lic = NULL;
    char why[256];
    int rc = xc_lic__load(s, XC_DOC_LICENCE, ref, &lic, err);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_ECONFLICT, "marketing_licence", "marketing_licence: licence %s does not exist",
                            ref);
    if (rc)
        return rc;
    if (!covers(lic, app, why, sizeof(why)))
        rc = xc_error_set(err, XC_ECONFLICT, "marketing_licence", "marketing_licence: %s", why);
    json_decref(lic);
    return rc;
}

int xc_app_submit(xc_store *s, const char *actor, const char *id, json_t **out, xc_error *err)
{
    static const char *const from[] = {"draft", NULL};
    json_t *app = NULL, *user = NULL, *cfg = NULL, *scr = NULL, *reasons = NULL;
    xc_policy *p = NULL;
    int own, hits = 0, rc = xc_store_join(s, &own, err);
    if (out)
        *out = NULL;
    if (rc)
        return rc;
    /* the decisions recorded on the way name the acting user too */
    char *session = xc_strdup(xc_store_actor(s));
    if (!session || xc_store_set_actor(s, actor && *actor ? actor : NULL, err))
        rc = oom(err);
    if (!rc && !(rc = xc_lic__actor(s, actor, exporter_only, "submitting an application", &user, err)) &&
        !(rc = app_for(s, id, from, "submitting", &app, err)) &&
        !(rc = same_org(user, jstr(app, "exporter"), "the exporter of this application", err)) &&
        !(rc = licensing_load(s, &cfg, err)) && !(rc = xc_policy_load(s, XC_TS_LATEST, &p, err)) &&
        !(rc = run_checks(s, p, cfg, app, 1, err)) && !(rc = marketing_dependency(s, cfg, app, err)))
        rc = screen_names(s, app, doc_date(app, "date"), &scr, &hits, err);
    if (rc == XC_OK && !(reasons = json_array()))
        rc = oom(err);
    if (rc == XC_OK) {
        size_t i;
        json_t *ck;
        json_array_foreach(json_object_get(app, "checks"), i, ck)
        {
            char r[160];
            if (xc_lic__outcome(jstr(ck, "outcome")) != XC_OUTCOME_LRPD)
                continue;
            snprintf(r, sizeof(r), "check of %s (%s) said licence-required-presumption-of-denial", jstr(ck, "item"),
                     jstr(ck, "activity"));
            json_array_append_new(reasons, json_string(r));
        }
        if (hits) {
            char r[96];
            snprintf(r, sizeof(r), "party screening found %d hit(s)", hits);
            json_array_append_new(reasons, json_string(r));
        }
        char ts[XC_TS_BUF];
        json_object_set(app, "screening", scr);
        json_object_set_new(app, "four_eyes", json_pack("{s:b, s:O}", "required", json_array_size(reasons) > 0,
                                                        "reasons", reasons));
        json_object_set_new(app, "status", json_string("submitted"));
        json_object_set_new(app, "submitted_at", json_string(xc_ts_format(xc_store_tx_time(s), ts)));
        json_object_set_new(app, "submitted_by", json_string(actor));
        json_t *ids = json_array(), *ck2;
        json_array_foreach(json_object_get(app, "checks"), i, ck2)
            json_array_append(ids, json_object_get(ck2, "decision_id"));
        json_t *extra = json_pack("{s:O, s:o, s:i, s:b}", "outcome", json_object_get(app, "outcome"), "decision_ids",
                                  ids, "screening_hits", hits, "four_eyes", json_array_size(reasons) > 0);
        rc = extra ? put_doc(s, actor, XC_DOC_APPLICATION, id, app, "submit", NULL, extra, err) : oom(err);
        json_decref(extra);
    }
    if (rc == XC_OK && out)
        *out = json_incref(app);
    xc_policy_free(p);
    json_decref(app);
    json_decref(user);
    json_decref(cfg);
    json_decref(scr);
    json_decref(reasons);
    rc = xc_store_finish(s, own, rc, err);
    if (session)
        xc_store_set_actor(s, session, NULL);
    xc_free(session);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* A simple transition by an officer or the exporter: load, check roles
 * and status, set status and fields, record. */
static int app_transition(xc_store *s, const char *actor, const char *id, const char *const *roles,
                          const char *const *from, const char *to, const char *action, const char *what,
                          const char *reason, json_t **out, xc_error *err)
{
    json_t *app = NULL, *user = NULL;
    int own, rc = xc_store_join(s, &own, err);
    if (out)
        *out = NULL;
    if (rc)
        return rc;
    if (!(rc = xc_lic__actor(s, actor, roles, what, &user, err)) && !(rc = app_for(s, id, from, action, &app, err)) &&
        !(rc = same_org(user, jstr(app, "exporter"), "the exporter of this application", err))) {
        char ts[XC_TS_BUF];
        xc_ts_format(xc_store_tx_time(s), ts);
        json_object_set_new(app, "status", json_string(to));
        if (strcmp(action, "review") == 0) {
            json_object_set_new(app, "reviewer", json_string(actor));
            json_object_set_new(app, "reviewed_at", json_string(ts));
        }
        rc = put_doc(s, actor, XC_DOC_APPLICATION, id, app, action, reason, NULL, err);
    }
    if (rc == XC_OK && out)
        *out = json_incref(app);
    json_decref(app);
    json_decref(user);
    rc = xc_store_finish(s, own, rc, err);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int xc_app_review(xc_store *s, const char *actor, const char *id, json_t **out, xc_error *err)
{
    static const char *const from[] = {"submitted", NULL};
    return app_transition(s, actor, id, officer_only, from, "under-review", "review", "reviewing an application", NULL,
                          out, err);
}

int xc_app_withdraw(xc_store *s, const char *actor, const char *id, const char *reason, json_t **out, xc_error *err)
{
    static const char *const from[] = {"draft", "submitted", "under-review", NULL};
    if (reason && strlen(reason) > MAX_TEXT)
        return xc_error_set(err, XC_EINVAL, "reason", "reason: longer than %d bytes", MAX_TEXT);
    return app_transition(s, actor, id, exporter_only, from, "withdrawn", "withdraw", "withdrawing an application",
                          reason && *reason ? reason : NULL, out, err);
}

/* valid_from + 2 years - 1 day (29 February gives 28 February). */
static xc_date two_years(xc_date from)
{
    int y, m, d;
    xc_date_to_ymd(from, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    return xc_date_from_ymd(y + 2, m, d) - 1;
}

/* Parse approval terms {valid_from, valid_until, conditions, note}. */
static int parse_terms(json_t *terms, json_t **out, xc_error *err)
{
    static const char *const keys[] = {"valid_from", "valid_until", "conditions", "note", NULL};
    xc_jctx c = {"terms", err};
    xc_date from = XC_DATE_NONE, until = XC_DATE_NONE;
    const char *note = NULL, **conds = NULL;
    size_t n = 0;
    char f[XC_DATE_BUF], u[XC_DATE_BUF];
    *out = NULL;
    if (!terms || json_is_null(terms)) {
        *out = json_object();
        return *out ? XC_OK : oom(err);
    }
    int rc = xc_j_keys(&c, terms, "$", keys);
    if (rc || (rc = xc_j_date(&c, terms, "$", "valid_from", 0, &from)) ||
        (rc = xc_j_date(&c, terms, "$", "valid_until", 0, &until)) ||
        (rc = xc_j_str(&c, terms, "$", "note", 0, &note)) ||
        (rc = xc_j_strs(&c, terms, "$", "conditions", 1, &conds, &n)))
        return rc;
    if (from != XC_DATE_NONE && until != XC_DATE_NONE && until < from) {
        xc_free(conds);
        return xc_j_bad(&c, XC_EINVAL, "$.valid_until", "%s is before valid_from %s", xc_date_format(until, u),
                        xc_date_format(from, f));
    }
    json_t *o = json_object(), *ca = json_array();
    for (size_t i = 0; ca && i < n; i++)
        json_array_append_new(ca, json_string(conds[i]));
    xc_free(conds);
    if (!o || !ca) {
        json_decref(o);
        json_decref(ca);
        return oom(err);
    }
    if (from != XC_DATE_NONE)
        json_object_set_new(o, "valid_from", json_string(xc_date_format(from, f)));
    if (until != XC_DATE_NONE)
        json_object_set_new(o, "valid_until", json_string(xc_date_format(until, u)));
    if (note)
        json_object_set_new(o, "note", json_string(note));
    if (n)
        json_object_set(o, "conditions", ca);
    json_decref(ca);
    *out = o;
    return XC_OK;
}

static void add_unique(json_t *arr, json_t *v)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) if (json_equal(e, v)) return;
    json_array_append(arr, v);
}

/* Issue the licence of an approved application; *lic_id gets its id. */
static int issue_licence(xc_store *s, const char *actor, json_t *app, char lic_id[32], xc_error *err)
{
    json_t *approvals = json_object_get(app, "approvals"), *ap, *ck, *v;
    const char *from_s = jstr(app, "date"), *until_s = NULL;
    json_t *conds = json_array(), *outcomes = json_array();
    size_t i, k;
    char f[XC_DATE_BUF], u[XC_DATE_BUF];
    int rc = conds && outcomes ? XC_OK : oom(err);
    json_array_foreach(json_object_get(app, "checks"), i, ck)
    {
        json_array_foreach(json_object_get(ck, "conditions"), k, v) add_unique(conds, v);
        json_array_append_new(outcomes, json_pack("{s:O, s:O, s:O, s:O}", "item", json_object_get(ck, "item"),
                                                  "activity", json_object_get(ck, "activity"), "outcome",
                                                  json_object_get(ck, "outcome"), "decision_id",
                                                  json_object_get(ck, "decision_id")));
    }
    json_array_foreach(approvals, i, ap) /* later approvals' terms override earlier ones */
    {
        json_t *t = json_object_get(ap, "terms");
        if (jstr(t, "valid_from"))
            from_s = jstr(t, "valid_from");
        if (jstr(t, "valid_until"))
            until_s = jstr(t, "valid_until");
        json_array_foreach(json_object_get(t, "conditions"), k, v) add_unique(conds, v);
    }
    xc_date from = XC_DATE_NONE, until = XC_DATE_NONE;
    if (rc == XC_OK)
        rc = xc_date_parse(from_s, &from, "valid_from", err);
    if (rc == XC_OK)
        until = until_s ? (xc_date_parse(until_s, &until, "valid_until", err) ? XC_DATE_NONE : until) : two_years(from);
    if (rc == XC_OK && until == XC_DATE_NONE)
        rc = XC_EINVAL;
    if (rc == XC_OK && until < from)
        rc = xc_error_set(err, XC_EINVAL, "valid_until", "valid_until %s is before valid_from %s",
                          xc_date_format(until, u), xc_date_format(from, f));
    if (rc == XC_OK)
        rc = next_id(s, XC_DOC_LICENCE, "LIC", lic_id, err);
    json_t *lic = NULL;
    if (rc == XC_OK &&
        !(lic = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:s, s:s, s:O, s:O, s:s, s:i, "
                          "s:O, s:i}",
                          "id", lic_id, "application", json_object_get(app, "id"), "type", json_object_get(app, "type"),
                          "regime", json_object_get(app, "regime"), "exporter", json_object_get(app, "exporter"),
                          "items", json_object_get(app, "items"), "destination", json_object_get(app, "destination"),
                          "end_users", json_object_get(app, "end_users"), "parties", json_object_get(app, "parties"),
                          "end_use", json_object_get(app, "end_use"), "value", json_object_get(app, "value"),
                          "valid_from", xc_date_format(from, f), "valid_until", xc_date_format(until, u), "conditions",
                          conds, "outcomes", outcomes, "status", "active", "notice_count", 0, "approvals", approvals,
                          "amendment", 0)))
        rc = oom(err);
    if (rc == XC_OK) {
        json_t *extra = json_pack("{s:O, s:s, s:s}", "application", json_object_get(app, "id"), "valid_from", f,
                                  "valid_until", u);
        rc = extra ? put_doc(s, actor, XC_DOC_LICENCE, lic_id, lic, "issue", NULL, extra, err) : oom(err);
        json_decref(extra);
    }
    json_decref(lic);
    json_decref(conds);
    json_decref(outcomes);
    return rc;
}

int xc_app_approve(xc_store *s, const char *actor, const char *id, json_t *terms, json_t **out, xc_error *err)
{
    static const char *const from[] = {"under-review", NULL};
    json_t *app = NULL, *t = NULL;
    char lic_id[32] = "";
    int own, rc = parse_terms(terms, &t, err);
    if (out)
        *out = NULL;
    if (rc)
        return rc;
    if ((rc = xc_store_join(s, &own, err))) {
        json_decref(t);
        return rc;
    }
    if (!(rc = xc_lic__actor(s, actor, officer_only, "approving an application", NULL, err)))
        rc = app_for(s, id, from, "approving", &app, err);
    if (rc == XC_OK && xc_lic__outcome(jstr(app, "outcome")) == XC_OUTCOME_PROHIBITED)
        rc = xc_error_set(err, XC_EFORBIDDEN, "outcome",
                          "application %s cannot be approved: its policy check said prohibited (see `exportctl "
                          "application show %s`); it can only be refused",
                          id, id);
    json_t *approvals = app ? json_object_get(app, "approvals") : NULL;
    int four = app && json_is_true(json_object_get(json_object_get(app, "four_eyes"), "required"));
    if (rc == XC_OK) {
        size_t i;
        json_t *ap;
        json_array_foreach(approvals, i, ap) if (strcmp(jstr(ap, "officer"), actor) == 0)
        {
            rc = xc_error_set(err, XC_EFORBIDDEN, "actor",
                              "four-eyes: officer \"%s\" has already approved application %s; a second, different "
                              "officer must approve it",
                              actor, id);
            break;
        }
    }
    if (rc == XC_OK) {
        char ts[XC_TS_BUF];
        json_t *ap = json_pack("{s:s, s:s, s:o, s:O}", "officer", actor, "at", xc_ts_format(xc_store_tx_time(s), ts),
                               "note", jstr(t, "note") ? json_string(jstr(t, "note")) : json_null(), "terms", t);
        if (!ap || !approvals || json_array_append_new(approvals, ap))
            rc = oom(err);
    }
    size_t n_appr = approvals ? json_array_size(approvals) : 0;
    if (rc == XC_OK && four && n_appr < 2) {
        json_t *extra = json_pack("{s:i, s:i, s:b}", "approvals", (int)n_appr, "needed", 2, "four_eyes", 1);
        rc = extra ? put_doc(s, actor, XC_DOC_APPLICATION, id, app, "approve", NULL, extra, err) : oom(err);
        json_decref(extra);
    } else if (rc == XC_OK) {
        rc = issue_licence(s, actor, app, lic_id, err);
        if (rc == XC_OK) {
            json_object_set_new(app, "status", json_string("approved"));
            json_object_set_new(app, "licence", json_string(lic_id));
            json_t *extra =
                json_pack("{s:i, s:s, s:b}", "approvals", (int)n_appr, "licence", lic_id, "four_eyes", four);
            rc = extra ? put_doc(s, actor, XC_DOC_APPLICATION, id, app, "approve", NULL, extra, err) : oom(err);
            json_decref(extra);
        }
    }
    if (rc == XC_OK && out)
        *out = json_incref(app);
    json_decref(app);
    json_decref(t);
    rc = xc_store_finish(s, own, rc, err);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int xc_app_refuse(xc_store *s, const char *actor, const char *id, const char *const *criteria, size_t n_criteria,
                  const char *text, json_t **out, xc_error *err)
{
    static const char *const from[] = {"under-review", NULL};
    json_t *app = NULL, *cfg = NULL, *cited = NULL;
    int own, rc;
    if (out)
        *out = NULL;
    if (n_criteria == 0)
        return xc_error_set(err, XC_EINVAL, "criteria", "criteria: a refusal cites at least one criterion code "
                                                        "(see `exportctl criteria ls`)");
    if (!text || !*text || strlen(text) > MAX_TEXT)
        return xc_error_set(err, XC_EINVAL, "text", "text: a refusal needs an explanation (at most %d bytes)",
                            MAX_TEXT);
    if ((rc = xc_store_join(s, &own, err)))
        return rc;
    if (!(rc = xc_lic__actor(s, actor, officer_only, "refusing an application", NULL, err)) &&
        !(rc = app_for(s, id, from, "refusing", &app, err)) && !(rc = licensing_load(s, &cfg, err)) &&
        !(cited = json_array()))
        rc = oom(err);
    for (size_t i = 0; rc == XC_OK && i < n_criteria; i++) {
        size_t k;
        json_t *cr, *hit = NULL;
        json_array_foreach(json_object_get(cfg, "criteria"), k, cr) if (criteria[i] &&
                                                                         strcmp(jstr(cr, "code"), criteria[i]) == 0)
            hit = cr;
        if (!hit)
            rc = xc_error_set(err, XC_EINVAL, "criteria",
                              "criteria: unknown criterion \"%s\" (see `exportctl criteria ls`)",
                              criteria[i] ? criteria[i] : "");
        else
            add_unique(cited, hit);
    }
    if (rc == XC_OK) {
        char ts[XC_TS_BUF];
        json_object_set_new(app, "status", json_string("refused"));
        json_object_set_new(app, "refusal",
                            json_pack("{s:O, s:s, s:s, s:s}", "criteria", cited, "text", text, "by", actor, "at",
                                      xc_ts_format(xc_store_tx_time(s), ts)));
        json_t *codes = json_array(), *cr;
        size_t k;
        json_array_foreach(cited, k, cr) json_array_append(codes, json_object_get(cr, "code"));
        json_t *extra = json_pack("{s:o, s:s}", "criteria", codes, "text", text);
        rc = extra ? put_doc(s, actor, XC_DOC_APPLICATION, id, app, "refuse", NULL, extra, err) : oom(err);
        json_decref(extra);
    }
    if (rc == XC_OK && out)
        *out = json_incref(app);
    json_decref(app);
    json_decref(cfg);
    json_decref(cited);
    rc = xc_store_finish(s, own, rc, err);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static int get_with_history(xc_store *s, const char *kind, const char *id, int history, json_t **out, xc_error *err)
{
    json_t *doc = NULL, *hist = NULL;
    int rc = xc_lic__load(s, kind, id ? id : "", &doc, err);
    if (rc == XC_OK)
        rc = load_history(s, kind, id, &hist, err);
    if (rc == XC_OK) {
        json_t *last = json_array_get(hist, json_array_size(hist) - 1);
        json_object_set_new(doc, "versions", json_integer((json_int_t)json_array_size(hist)));
        json_object_set(doc, "recorded_at", json_object_get(last, "recorded_at"));
        json_object_set(doc, "content_hash", json_object_get(last, "content_hash"));
        if (history)
            json_object_set(doc, "history", hist);
        *out = doc;
        doc = NULL;
    }
    json_decref(doc);
    json_decref(hist);
    return rc;
}

int xc_app_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err)
{
    *out = NULL;
    return get_with_history(s, XC_DOC_APPLICATION, id, history, out, err);
}

int xc_apps_json(xc_store *s, const char *status, const char *exporter, json_t **out, xc_error *err)
{
    json_t *all = NULL;
    int rc = latest_all(s, XC_DOC_APPLICATION, "applications", &all, err);
    *out = NULL;
    if (rc)
        return rc;
    json_t *arr = json_object_get(all, "applications"), *keep = json_array(), *v;
    size_t i;
    json_array_foreach(arr, i, v)
    {
        if ((status && strcmp(jstr(v, "status"), status) != 0) ||
            (exporter && strcmp(jstr(v, "exporter"), exporter) != 0))
            continue;
        json_array_append(keep, v);
    }
    json_object_set_new(all, "applications", keep);
    *out = all;
    return keep ? XC_OK : oom(err);
}

/* ---- licences --------------------------------------------------------------------------- */

const char *xc_lic__status_at(json_t *lic, xc_date at)
{
    const char *st = jstr(lic, "status");
    if (st && strcmp(st, "active") == 0) {
        xc_date until = doc_date(lic, "valid_until");
        if (until != XC_DATE_NONE && at > until)
            return "expired";
    }
    return st ? st : "";
}

static const struct {
    const char *action;
    const char *from[3];
    const char *to;
    const char *const *roles;
} transitions[] = {
    {"suspend", {"active", NULL}, "suspended", officer_only},
    {"reinstate", {"suspended", NULL}, "active", officer_only},
    {"revoke", {"active", "suspended", NULL}, "revoked", officer_only},
    {"surrender", {"active", NULL}, "surrendered", exporter_or_officer},
};

int xc_licence_act(xc_store *s, const char *actor, const char *id, const char *action, const char *reason,
                   json_t *notice, json_t **out, xc_error *err)
{
    json_t *lic = NULL, *user = NULL;
    int own, rc, t = -1;
    char what[64];
    if (out)
        *out = NULL;
    for (size_t i = 0; action && i < sizeof(transitions) / sizeof(transitions[0]); i++)
        if (strcmp(action, transitions[i].action) == 0)
            t = (int)i;
    if (t < 0)
        return xc_error_set(err, XC_EINVAL, "action", "action: \"%s\" is not suspend, reinstate, revoke or surrender",
                            action ? action : "");
    if (!reason || !*reason || strlen(reason) > MAX_TEXT)
        return xc_error_set(err, XC_EINVAL, "reason", "reason: a licence %s needs a reason (at most %d bytes)", action,
                            MAX_TEXT);
    if (notice && !json_is_object(notice))
        return xc_error_set(err, XC_EINVAL, "notice", "notice: expected a JSON object");
    if ((rc = xc_store_join(s, &own, err)))
        return rc;
    snprintf(what, sizeof(what), "a licence %s", action);
    if (!(rc = xc_lic__actor(s, actor, transitions[t].roles, what, &user, err)) &&
        !(rc = xc_lic__load(s, XC_DOC_LICENCE, id ? id : "", &lic, err)) &&
        !(rc = same_org(user, jstr(lic, "exporter"), "the holder of this licence", err))) {
        const char *st = jstr(lic, "status");
        if (!in_list(st, transitions[t].from)) {
            char want[64];
            roles_text(transitions[t].from, want, sizeof(want));
            rc = xc_error_set(err, XC_ECONFLICT, "status", "licence %s is %s; %s needs it %s", id, st, action, want);
        }
    }
    if (rc == XC_OK) {
        char ts[XC_TS_BUF];
        /* each version carries the notice of its own change; xc_licence_get
         * gathers them from the versions (a licence acted on many times does
         * not copy every earlier notice into every new version) */
        json_int_t number = json_integer_value(json_object_get(lic, "notice_count")) + 1;
        json_t *n = notice ? json_deep_copy(notice) : json_object();
        if (!n || json_object_set_new(n, "number", json_integer(number)) ||
            json_object_set_new(n, "action", json_string(action)) ||
            json_object_set_new(n, "reason", json_string(reason)) ||
            json_object_set_new(n, "at", json_string(xc_ts_format(xc_store_tx_time(s), ts))) ||
            json_object_set_new(n, "by", json_string(actor)) ||
            json_object_set_new(lic, "notice_count", json_integer(number)) || json_object_set(lic, "notice", n))
            rc = oom(err);
        json_object_set_new(lic, "status", json_string(transitions[t].to));
        json_t *extra = rc == XC_OK ? json_pack("{s:O}", "notice", n) : NULL;
        if (rc == XC_OK)
            rc = extra ? put_doc(s, actor, XC_DOC_LICENCE, id, lic, action, reason, extra, err) : oom(err);
        json_decref(extra);
        json_decref(n);
    }
    json_decref(lic);
    json_decref(user);
    if (rc == XC_OK && out) /* the licence as `licence show` gives it, notices gathered */
        rc = xc_licence_get(s, id, 0, out, err);
    rc = xc_store_finish(s, own, rc, err);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int xc_licence_amend(xc_store *s, const char *actor, const char *id, json_t *changes, const char *reason, json_t **out,
                     xc_error *err)
{
    static const char *const keys[] = {"valid_until", "conditions", "add_conditions", "end_use", NULL};
    static const char *const live[] = {"active", "suspended", NULL};
    xc_jctx c = {"amendment", err};
    json_t *lic = NULL;
    xc_date until = XC_DATE_NONE;
    const char *end_use = NULL, **conds = NULL, **add = NULL;
    size_t n_conds = 0, n_add = 0;
    int own, rc;
    if (out)
        *out = NULL;
    if (!reason || !*reason || strlen(reason) > MAX_TEXT)
        return xc_error_set(err, XC_EINVAL, "reason", "reason: an amendment needs a reason (at most %d bytes)",
                            MAX_TEXT);
    if ((rc = xc_j_keys(&c, changes, "$", keys)) || (rc = xc_j_date(&c, changes, "$", "valid_until", 0, &until)) ||
        (rc = xc_j_str(&c, changes, "$", "end_use", 0, &end_use)) ||
        (rc = xc_j_strs(&c, changes, "$", "conditions", 1, &conds, &n_conds)) ||
        (rc = xc_j_strs(&c, changes, "$", "add_conditions", 1, &add, &n_add)))
        goto done;
    if (until == XC_DATE_NONE && !end_use && !json_object_get(changes, "conditions") && n_add == 0) {
        rc = xc_error_set(err, XC_EINVAL, "changes", "amendment: nothing to change (valid_until, conditions, "
                                                     "add_conditions or end_use)");
        goto done;
    }
    if ((rc = xc_store_join(s, &own, err)))
        goto done;
    if (!(rc = xc_lic__actor(s, actor, officer_only, "amending a licence", NULL, err)) &&
        !(rc = xc_lic__load(s, XC_DOC_LICENCE, id ? id : "", &lic, err)) && !in_list(jstr(lic, "status"), live))
        rc = xc_error_set(err, XC_ECONFLICT, "status", "licence %s is %s; amend needs it active or suspended", id,
                          jstr(lic, "status"));
    if (rc == XC_OK && until != XC_DATE_NONE) {
        char u[XC_DATE_BUF];
        if (until < doc_date(lic, "valid_from"))
            rc = xc_error_set(err, XC_EINVAL, "valid_until", "amendment: $.valid_until: %s is before valid_from %s",
                              xc_date_format(until, u), jstr(lic, "valid_from"));
        else
            json_object_set_new(lic, "valid_until", json_string(xc_date_format(until, u)));
    }
    if (rc == XC_OK) {
        json_t *cl =
            json_object_get(changes, "conditions") ? json_array() : json_copy(json_object_get(lic, "conditions"));
        for (size_t i = 0; cl && i < n_conds; i++)
            json_array_append_new(cl, json_string(conds[i]));
        for (size_t i = 0; cl && i < n_add; i++) {
            json_t *v = json_string(add[i]);
            add_unique(cl, v);
            json_decref(v);
        }
        if (!cl)
            rc = oom(err);
        else
            json_object_set_new(lic, "conditions", cl);
        if (end_use)
            json_object_set_new(lic, "end_use", json_string(end_use));
        json_object_set_new(lic, "amendment", json_integer(json_integer_value(json_object_get(lic, "amendment")) + 1));
    }
    if (rc == XC_OK) {
        json_t *extra = json_pack("{s:O, s:O}", "changes", changes, "amendment", json_object_get(lic, "amendment"));
        rc = extra ? put_doc(s, actor, XC_DOC_LICENCE, id, lic, "amend", reason, extra, err) : oom(err);
        json_decref(extra);
    }
    if (rc == XC_OK && out)
        *out = json_incref(lic);
    json_decref(lic);
    rc = xc_store_finish(s, own, rc, err);
    if (rc && out) {
        json_decref(*out);
        *out = NULL;
    }
done:
    xc_free(conds);
    xc_free(add);
    return rc;
}

int xc_licence_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err)
{
    json_t *hist = NULL;
    *out = NULL;
    int rc = get_with_history(s, XC_DOC_LICENCE, id, history, out, err);
    if (rc == XC_OK)
        rc = load_history(s, XC_DOC_LICENCE, id, &hist, err);
    if (rc == XC_OK) {
        /* every notice, oldest first, from the versions that carry one */
        json_t *notices = json_array(), *v;
        size_t i;
        json_array_foreach(hist, i, v)
        {
            json_t *n = json_object_get(v, "notice");
            if (json_is_object(n) && notices)
                json_array_append(notices, n);
        }
        json_object_del(*out, "notice");
        if (!notices || json_object_set_new(*out, "notices", notices) ||
            json_object_set_new(*out, "effective_status", json_string(xc_lic__status_at(*out, xc_date_today()))))
            rc = oom(err);
    }
    json_decref(hist);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int xc_licences_json(xc_store *s, const char *status, xc_date at, json_t **out, xc_error *err)
{
    json_t *all = NULL;
    char d[XC_DATE_BUF];
    if (at == XC_DATE_NONE)
        at = xc_date_today();
    *out = NULL;
    int rc = latest_all(s, XC_DOC_LICENCE, "licences", &all, err);
    if (rc)
        return rc;
    json_t *keep = json_array(), *v;
    size_t i;
    json_array_foreach(json_object_get(all, "licences"), i, v)
    {
        const char *st = xc_lic__status_at(v, at);
        if (status && strcmp(st, status) != 0)
            continue;
        json_object_set_new(v, "effective_status", json_string(st));
        json_array_append(keep, v);
    }
    json_object_set_new(all, "licences", keep);
    json_object_set_new(all, "at", json_string(xc_date_format(at, d)));
    *out = all;
    return keep ? XC_OK : oom(err);
}
