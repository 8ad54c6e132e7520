/*
 * routes_lic.c: the licensing part of the HTTP API: organisations, users,
 * tokens and password login, applications and their transitions, licences
 * and their actions, the refusal criteria and the impact of a policy
 * change.  Every handler calls the same library function the CLI command
 * calls (licence.h, auth.h) with r->who->user as the acting user, and
 * answers the JSON the CLI prints with --json.
 *
 * Roles: each route's roles match the library's rule, so a forbidden call
 * is refused with 403 before the library runs (the library checks again).
 * Exporters see only their own organisation: lists are filtered by
 * r->who->org, and another organisation's application or licence is
 * answered 404 with the very message an unknown id gets, so that an
 * exporter cannot learn whether it exists.  The same holds for the
 * exporter's actions on it (submit, withdraw, surrender).
 *
 * Writes: application transitions and licence actions run in the server's
 * group-commit queue (xc_srv_write); their work function may run more than
 * once, so it drops what an earlier run produced before it starts.  Users,
 * organisations, tokens and passwords are written on the thread's store;
 * an impact analysis runs its own transactions (xc_impact must be called
 * outside one), also on the thread's store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "date.h"
#include "licence.h"
#include "mem.h"
#include "server.h"

#define MAX_STRS 256 /* strings in one array field (conditions, criteria) */

/* ---- body and query readers ---------------------------------------------------------- */

static int oom(xc_error *err)
{
    return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The body is absent or a JSON object whose keys are all in allowed
 * (NULL-terminated); an unknown key is refused naming it. */
static int body_keys(const xc_req *r, const char *const *allowed, xc_error *err)
{
    const char *key;
    json_t *v;
    if (!r->body)
        return XC_OK;
    if (!json_is_object(r->body))
        return xc_error_set(err, XC_EINVAL, "$", "the request body must be a JSON object");
    json_object_foreach(r->body, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char list[256] = "";
            for (size_t i = 0; allowed[i]; i++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
            return xc_error_set(err, XC_EINVAL, key, "%s: unknown field (this request takes %s)", key,
                                list[0] ? list : "no fields");
        }
    }
    return XC_OK;
}

/* A string field; missing or null gives NULL (an error when required, as
 * does ""). */
static int body_str(const xc_req *r, const char *key, int required, const char **out, xc_error *err)
{
    json_t *v = r->body ? json_object_get(r->body, key) : NULL;
    *out = NULL;
    if (v && !json_is_null(v)) {
        if (!json_is_string(v))
            return xc_error_set(err, XC_EINVAL, key, "%s: expected a string", key);
        *out = json_string_value(v);
    }
    if (required && (!*out || !**out))
        return xc_error_set(err, XC_EINVAL, key, "%s: required", key);
    return XC_OK;
}

/* An array of strings (a single string counts as one); *out is an
 * allocated array of borrowed pointers (xc_free), NULL when missing. */
static int body_strs(const xc_req *r, const char *key, int required, const char ***out, size_t *n, xc_error *err)
{
    json_t *v = r->body ? json_object_get(r->body, key) : NULL, *e;
    size_t i;
    *out = NULL;
    *n = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return xc_error_set(err, XC_EINVAL, key, "%s: required (an array of strings)", key);
        return XC_OK;
    }
    if (json_is_string(v)) {
        if (!(*out = xc_malloc(sizeof(**out))))
            return oom(err);
        (*out)[0] = json_string_value(v);
        *n = 1;
        return XC_OK;
    }
    if (!json_is_array(v))
        return xc_error_set(err, XC_EINVAL, key, "%s: expected an array of strings", key);
    if (json_array_size(v) > MAX_STRS)
        return xc_error_set(err, XC_EINVAL, key, "%s: at most %d strings", key, MAX_STRS);
    if (required && json_array_size(v) == 0)
        return xc_error_set(err, XC_EINVAL, key, "%s: required (at least one)", key);
    if (!(*out = xc_calloc(json_array_size(v) + 1, sizeof(**out))))
        return oom(err);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            xc_free(*out);
            *out = NULL;
            return xc_error_set(err, XC_EINVAL, key, "%s[%zu]: expected a string", key, i);
        }
        (*out)[i] = json_string_value(e);
    }
    *n = json_array_size(v);
    return XC_OK;
}

/* ?name=true|false (also 1|0); absent: 0. */
static int query_bool(const xc_req *r, const char *name, int *out, xc_error *err)
{
    const char *v = xc_req_query(r, name);
    *out = 0;
    if (!v || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return XC_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || !*v) {
        *out = 1;
        return XC_OK;
    }
    return xc_error_set(err, XC_EINVAL, name, "%s: expected true or false", name);
}

/* A status filter: NULL or one of allowed. */
static int check_status(const char *v, const char *const *allowed, xc_error *err)
{
    char list[160] = "";
    if (!v)
        return XC_OK;
    for (size_t i = 0; allowed[i]; i++) {
        if (strcmp(v, allowed[i]) == 0)
            return XC_OK;
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
    }
    return xc_error_set(err, XC_EINVAL, "status", "status: \"%.64s\" is not %s", v, list);
}

static int is_exporter(const xc_req *r)
{
    return r->who && r->who->role == XC_ROLE_EXPORTER;
}

static const char *actor(const xc_req *r)
{
    return r->who ? r->who->user : "";
}

/* Keep only the entries of obj[key] whose field equals want. */
static void filter_array(json_t *obj, const char *key, const char *field, const char *want)
{
    json_t *arr = json_object_get(obj, key);
    for (size_t i = json_array_size(arr); i-- > 0;)
        if (strcmp(jstr(json_array_get(arr, i), field), want) != 0)
            json_array_remove(arr, i);
}

/* An exporter reads and acts only on its own organisation's documents:
 * another's is "not found", worded as the library words an unknown id. */
static int visible(const xc_req *r, json_t *doc, const char *kind, const char *id, xc_error *err)
{
    if (!is_exporter(r) || strcmp(jstr(doc, "exporter"), r->who->org) == 0)
        return XC_OK;
    return xc_error_set(err, XC_ENOTFOUND, "id", "%s \"%s\" does not exist", kind, id);
}

/* For an exporter: the document must exist and be its organisation's. */
static int exporter_owns(xc_req *r, xc_store *s, const char *kind, const char *id, xc_error *err)
{
    json_t *d = NULL;
    if (!is_exporter(r))
        return XC_OK;
    int rc = strcmp(kind, XC_DOC_LICENCE) == 0 ? xc_licence_get(s, id, 0, &d, err) : xc_app_get(s, id, 0, &d, err);
    if (rc == XC_OK)
        rc = visible(r, d, kind, id, err);
    json_decref(d);
    return rc;
}

static int reply(xc_resp *out, int status, json_t *body, xc_error *err)
{
    if (!body)
        return oom(err);
    out->status = status;
    out->body = body;
    return XC_OK;
}

/* ---- organisations and users ------------------------------------------------------------ */

static int h_orgs_list(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = xc_orgs_json(s, &j, err);
    if (rc)
        return rc;
    if (is_exporter(r))
        filter_array(j, "orgs", "id", r->who->org);
    return reply(out, 200, j, err);
}

static int h_orgs_add(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"id", "name", "country", NULL};
    const char *id, *name, *country;
    json_t *o = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "id", 1, &id, err)) ||
        (rc = body_str(r, "name", 1, &name, err)) || (rc = body_str(r, "country", 0, &country, err)) ||
        (rc = xc_org_add(s, actor(r), id, name, country, err)) || (rc = xc_org_get(s, id, &o, err)))
        return rc;
    return reply(out, 201, o, err);
}

static int h_users_list(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = xc_users_json(s, &j, err);
    return rc ? rc : reply(out, 200, j, err);
}

static int h_users_add(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"name", "role", "org", NULL};
    const char *name, *role, *org;
    json_t *u = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "name", 1, &name, err)) ||
        (rc = body_str(r, "role", 1, &role, err)) || (rc = body_str(r, "org", 0, &org, err)) ||
        (rc = xc_user_add(s, actor(r), name, role, org, err)) || (rc = xc_user_get(s, name, &u, err)))
        return rc;
    return reply(out, 201, u, err);
}

/* POST /v1/users/{name}/password: an admin, or the user itself. */
static int h_user_password(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"password", NULL};
    const char *name = r->params[0], *pw;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "password", 1, &pw, err)))
        return rc;
    if (r->who->role != XC_ROLE_ADMIN && strcmp(r->who->user, name) != 0)
        return xc_error_set(err, XC_EFORBIDDEN, "name",
                            "setting a password needs the role admin, or to be that user; you are \"%s\"",
                            r->who->user);
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_password_set(s, actor(r), name, pw, err)) == XC_OK)
        xc_srv_auth_changed(r->srv);
    if (rc)
        return rc;
    return reply(out, 200, json_pack("{s:s, s:b}", "user", name, "password_set", 1), err);
}

/* ---- tokens ------------------------------------------------------------------------------- */

static int h_tokens_create(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"user", "role", "label", NULL};
    const char *user, *role, *label;
    json_t *j = NULL;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "user", 1, &user, err)) ||
        (rc = body_str(r, "role", 0, &role, err)) || (rc = body_str(r, "label", 0, &label, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_token_create_json(s, actor(r), user, role, label, &j, err)))
        return rc;
    return reply(out, 201, j, err);
}

static int h_tokens_list(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *user = xc_req_query(r, "user");
    json_t *j = NULL;
    int all = r->who->role == XC_ROLE_ADMIN || r->who->role == XC_ROLE_AUDITOR;
    if (user && !*user)
        user = NULL;
    if (!all) {
        if (user && strcmp(user, r->who->user) != 0)
            return xc_error_set(err, XC_EFORBIDDEN, "user",
                                "listing another user's tokens needs the role admin or auditor");
        user = r->who->user; /* the others see their own tokens */
    }
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = xc_tokens_json(s, user, &j, err);
    return rc ? rc : reply(out, 200, j, err);
}

/* A token route's {id}: the token's id, never the token itself (URLs end up
 * in access logs). */
static int token_id_param(const char *id, xc_error *err)
{
    if (strncmp(id, "xct_", 4) == 0)
        return xc_error_set(err, XC_EINVAL, "id",
                            "id: give the token's id (16 hex digits, see GET /v1/tokens), not the token itself");
    return XC_OK;
}

/* POST /v1/tokens/{id}/revoke: the token's own user or an admin (the
 * library's rule); answers the token's new version. */
static int h_tokens_revoke(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"reason", NULL};
    const char *id = r->params[0], *reason;
    json_t *j = NULL;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "reason", 0, &reason, err)))
        return rc;
    if ((rc = token_id_param(id, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_token_revoke_reason(s, actor(r), id, reason, err)))
        return rc;
    xc_srv_auth_changed(r->srv); /* threads drop the tokens they resolved */
    if ((rc = xc_token_get(s, id, &j, err)))
        return rc;
    return reply(out, 200, j, err);
}

/* POST /v1/auth/token: password login; a new token for that user, created
 * by the user itself (auth.h's self-service rule). */
static int h_auth_token(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"user", "password", "label", NULL};
    const char *user, *pw, *label;
    json_t *j = NULL;
    xc_principal who;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "user", 1, &user, err)) ||
        (rc = body_str(r, "password", 1, &pw, err)) || (rc = body_str(r, "label", 0, &label, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    memset(&who, 0, sizeof(who));
    if ((rc = xc_password_check(s, user, pw, &who, err)) ||
        (rc = xc_token_create_json(s, who.user, who.user, NULL, label ? label : "password login", &j, err)))
        return rc;
    return reply(out, 201, j, err);
}

/* ---- applications and licences: writes through the group-commit queue ---------------------- */

typedef struct lic_write {
    const char *op;          /* create, submit, review, approve, refuse, withdraw, amend, or a licence action */
    const char *actor, *id;
    json_t *in;              /* create: the fields; approve: the terms; amend: the changes (borrowed) */
    const char *reason;      /* withdraw, licence actions, amend */
    const char *const *criteria;
    size_t n_criteria;
    const char *text;        /* refuse */
    json_t *out;             /* the result, as the CLI prints it with --json */
} lic_write;

static int write_fn(xc_store *s, void *arg, xc_error *err)
{
    lic_write *w = arg;
    const char *op = w->op;
    int rc;
    json_decref(w->out); /* a re-run: drop the earlier run's result */
    w->out = NULL;
    if (strcmp(op, "create") == 0) {
        char id[32];
        json_t *f = json_deep_copy(w->in);
        if (!f)
            return oom(err);
        rc = xc_app_create(s, w->actor, f, id, err);
        json_decref(f);
        if (rc == XC_OK)
            rc = xc_app_get(s, id, 0, &w->out, err);
    } else if (strcmp(op, "submit") == 0) {
        rc = xc_app_submit(s, w->actor, w->id, &w->out, err);
    } else if (strcmp(op, "review") == 0) {
        rc = xc_app_review(s, w->actor, w->id, &w->out, err);
    } else if (strcmp(op, "approve") == 0) {
        rc = xc_app_approve(s, w->actor, w->id, w->in, &w->out, err);
    } else if (strcmp(op, "refuse") == 0) {
        rc = xc_app_refuse(s, w->actor, w->id, w->criteria, w->n_criteria, w->text, &w->out, err);
    } else if (strcmp(op, "withdraw") == 0) {
        rc = xc_app_withdraw(s, w->actor, w->id, w->reason, &w->out, err);
    } else if (strcmp(op, "amend") == 0) {
        rc = xc_licence_amend(s, w->actor, w->id, w->in, w->reason, &w->out, err);
    } else {
        rc = xc_licence_act(s, w->actor, w->id, op, w->reason, NULL, &w->out, err);
    }
    if (rc) {
        json_decref(w->out);
        w->out = NULL;
    }
    return rc;
}

/* Run w through the queue and answer its result. */
static int run_write(xc_req *r, lic_write *w, int status, xc_resp *out, xc_error *err)
{
    w->actor = actor(r);
    int rc = xc_srv_write(r, write_fn, w, err);
    if (rc) {
        json_decref(w->out);
        return rc;
    }
    if (!w->out)
        return xc_error_set(err, XC_EINTERNAL, NULL, "%s: no result", w->op);
    return reply(out, status, w->out, err);
}

/* ---- applications ----------------------------------------------------------------------- */

static const char *const app_statuses[] = {"draft",    "submitted", "under-review", "approved",
                                           "refused", "withdrawn", NULL};
static const char *const lic_statuses[] = {"active", "suspended", "revoked", "expired", "surrendered", NULL};

static int h_apps_list(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *status = xc_req_query(r, "status"), *exporter = xc_req_query(r, "exporter");
    json_t *j = NULL;
    int rc;
    if (status && !*status)
        status = NULL;
    if (exporter && !*exporter)
        exporter = NULL;
    if ((rc = check_status(status, app_statuses, err)))
        return rc;
    /* an exporter asking for another organisation's gets an empty list */
    int none = is_exporter(r) && exporter && strcmp(exporter, r->who->org) != 0;
    if (is_exporter(r))
        exporter = r->who->org;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_apps_json(s, status, exporter, &j, err)))
        return rc;
    if (none)
        json_array_clear(json_object_get(j, "applications"));
    return reply(out, 200, j, err);
}

static int h_apps_create(xc_req *r, xc_resp *out, xc_error *err)
{
    lic_write w = {.op = "create"};
    int rc;
    if (r->body && !json_is_object(r->body))
        return xc_error_set(err, XC_EINVAL, "$", "the request body must be a JSON object of application fields");
    if (!r->body)
        return xc_error_set(err, XC_EINVAL, "$", "an application needs its fields (docs/licensing.md)");
    /* an exporter's own organisation is the default exporter */
    json_t *f = json_copy(r->body);
    if (!f)
        return oom(err);
    if (!json_object_get(f, "exporter") && r->who->org[0])
        json_object_set_new(f, "exporter", json_string(r->who->org));
    w.in = f;
    rc = run_write(r, &w, 201, out, err);
    json_decref(f);
    return rc;
}

static int h_app_get(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *a = NULL;
    int history, rc;
    if ((rc = query_bool(r, "history", &history, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_app_get(s, r->params[0], history, &a, err)) ||
        (rc = visible(r, a, XC_DOC_APPLICATION, r->params[0], err))) {
        json_decref(a);
        return rc;
    }
    return reply(out, 200, a, err);
}

/* Transitions with no body fields (submit, review) or a reason (withdraw). */
static int app_simple(xc_req *r, const char *op, xc_resp *out, xc_error *err)
{
    static const char *const none[] = {NULL};
    static const char *const reason_only[] = {"reason", NULL};
    lic_write w = {.op = op, .id = r->params[0]};
    int withdraw = strcmp(op, "withdraw") == 0, rc;
    if ((rc = body_keys(r, withdraw ? reason_only : none, err)) ||
        (withdraw && (rc = body_str(r, "reason", 0, &w.reason, err))))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = exporter_owns(r, s, XC_DOC_APPLICATION, w.id, err)))
        return rc;
    return run_write(r, &w, 200, out, err);
}

static int h_app_submit(xc_req *r, xc_resp *out, xc_error *err)
{
    return app_simple(r, "submit", out, err);
}

static int h_app_review(xc_req *r, xc_resp *out, xc_error *err)
{
    return app_simple(r, "review", out, err);
}

static int h_app_withdraw(xc_req *r, xc_resp *out, xc_error *err)
{
    return app_simple(r, "withdraw", out, err);
}

static int h_app_approve(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"valid_from", "valid_until", "conditions", "note", NULL};
    lic_write w = {.op = "approve", .id = r->params[0]};
    const char *s1, **conds = NULL;
    size_t n = 0;
    int rc;
    /* type-check here to name the body field; the library parses the terms */
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "valid_from", 0, &s1, err)) ||
        (rc = body_str(r, "valid_until", 0, &s1, err)) || (rc = body_str(r, "note", 0, &s1, err)) ||
        (rc = body_strs(r, "conditions", 0, &conds, &n, err)))
        return rc;
    xc_free(conds);
    w.in = r->body; /* {valid_from, valid_until, conditions, note}: the library's terms */
    return run_write(r, &w, 200, out, err);
}

static int h_app_refuse(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"criteria", "text", NULL};
    lic_write w = {.op = "refuse", .id = r->params[0]};
    const char **crit = NULL;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_strs(r, "criteria", 1, &crit, &w.n_criteria, err)) ||
        (rc = body_str(r, "text", 1, &w.text, err))) {
        xc_free(crit);
        return rc;
    }
    w.criteria = crit;
    rc = run_write(r, &w, 200, out, err);
    xc_free(crit);
    return rc;
}

/* ---- licences ------------------------------------------------------------------------------ */

static int h_lics_list(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *status = xc_req_query(r, "status"), *at_s = xc_req_query(r, "at");
    xc_date at = XC_DATE_NONE;
    json_t *j = NULL;
    int rc;
    if (status && !*status)
        status = NULL;
    if ((rc = check_status(status, lic_statuses, err)) ||
        (at_s && *at_s && (rc = xc_date_parse(at_s, &at, "at", err))))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_licences_json(s, status, at, &j, err)))
        return rc;
    if (is_exporter(r))
        filter_array(j, "licences", "exporter", r->who->org);
    return reply(out, 200, j, err);
}

static int h_lic_get(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *l = NULL;
    int history, rc;
    if ((rc = query_bool(r, "history", &history, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_licence_get(s, r->params[0], history, &l, err)) ||
        (rc = visible(r, l, XC_DOC_LICENCE, r->params[0], err))) {
        json_decref(l);
        return rc;
    }
    return reply(out, 200, l, err);
}

static int lic_act(xc_req *r, const char *action, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"reason", NULL};
    lic_write w = {.op = action, .id = r->params[0]};
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "reason", 1, &w.reason, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = exporter_owns(r, s, XC_DOC_LICENCE, w.id, err)))
        return rc;
    return run_write(r, &w, 200, out, err);
}

static int h_lic_suspend(xc_req *r, xc_resp *out, xc_error *err)
{
    return lic_act(r, "suspend", out, err);
}

static int h_lic_reinstate(xc_req *r, xc_resp *out, xc_error *err)
{
    return lic_act(r, "reinstate", out, err);
}

static int h_lic_revoke(xc_req *r, xc_resp *out, xc_error *err)
{
    return lic_act(r, "revoke", out, err);
}

static int h_lic_surrender(xc_req *r, xc_resp *out, xc_error *err)
{
    return lic_act(r, "surrender", out, err);
}

/* {valid_until, end_use, conditions, reason*}: conditions are added, as
 * the CLI's repeatable --condition adds them. */
static int h_lic_amend(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"valid_until", "end_use", "conditions", "reason", NULL};
    lic_write w = {.op = "amend", .id = r->params[0]};
    const char *until, *end_use, **conds = NULL;
    size_t n = 0;
    int rc;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "reason", 1, &w.reason, err)) ||
        (rc = body_str(r, "valid_until", 0, &until, err)) || (rc = body_str(r, "end_use", 0, &end_use, err)) ||
        (rc = body_strs(r, "conditions", 0, &conds, &n, err)))
        return rc;
    json_t *ch = json_object(), *a = n ? json_array() : NULL;
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(conds[i]));
    xc_free(conds);
    if (!ch || (n && !a)) {
        json_decref(ch);
        json_decref(a);
        return oom(err);
    }
    if (until)
        json_object_set_new(ch, "valid_until", json_string(until));
    if (end_use)
        json_object_set_new(ch, "end_use", json_string(end_use));
    if (a)
        json_object_set_new(ch, "add_conditions", a);
    w.in = ch;
    rc = run_write(r, &w, 200, out, err);
    json_decref(ch);
    return rc;
}

/* ---- criteria and impact -------------------------------------------------------------------- */

static int h_criteria(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = xc_criteria_json(s, &j, err);
    return rc ? rc : reply(out, 200, j, err);
}

/* POST /v1/criteria/import: the body is an exportctl-licensing/1 document
 * (criteria import). */
static int h_criteria_import(xc_req *r, xc_resp *out, xc_error *err)
{
    int recorded = 0;
    if (!r->raw || !r->raw_len)
        return xc_error_set(err, XC_EINVAL, "body", "body: an exportctl-licensing/1 document is required");
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    int rc = xc_licensing_import_json(s, actor(r), r->raw, r->raw_len, "(request body)", &recorded, err);
    return rc ? rc : reply(out, 200, json_pack("{s:b}", "recorded", recorded), err);
}

/* GET /v1/tokens/{id}: one token's record, never its secret (token show);
 * admins and auditors any, the others their own. */
static int h_token_get(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    const char *id = r->params[0];
    int rc = token_id_param(id, err);
    if (rc)
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_token_get(s, id, &j, err)))
        return rc;
    int all = r->who->role == XC_ROLE_ADMIN || r->who->role == XC_ROLE_AUDITOR;
    const char *owner = json_string_value(json_object_get(j, "user"));
    if (!all && (!owner || strcmp(owner, r->who->user) != 0)) {
        json_decref(j); /* answered like an unknown id: another user's tokens are not for this reader */
        return xc_error_set(err, XC_ENOTFOUND, "id", "no token with id \"%s\"", id);
    }
    return reply(out, 200, j, err);
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

/* POST /v1/impact {list | rules, version, document, at, apply, reason}.
 * The server reads no files: version is a recorded id, or the new version
 * comes as JSON under "document" (version then only names it). */
static int h_impact(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const keys[] = {"list", "rules", "version", "document", "at", "apply", "reason", NULL};
    xc_impact_req q;
    const char *at = NULL;
    char vbuf[32], *text = NULL;
    json_t *report = NULL, *doc = r->body ? json_object_get(r->body, "document") : NULL, *v;
    int rc;
    memset(&q, 0, sizeof(q));
    q.at = XC_DATE_NONE;
    if ((rc = body_keys(r, keys, err)) || (rc = body_str(r, "list", 0, &q.list_id, err)) ||
        (rc = body_str(r, "rules", 0, &q.regime, err)) || (rc = body_str(r, "at", 0, &at, err)) ||
        (rc = body_str(r, "apply", 0, &q.apply, err)) || (rc = body_str(r, "reason", 0, &q.reason, err)))
        return rc;
    if (!q.list_id == !q.regime)
        return xc_error_set(err, XC_EINVAL, "list", "give either list (a country list's id) or rules (a regime)");
    v = r->body ? json_object_get(r->body, "version") : NULL;
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        snprintf(vbuf, sizeof(vbuf), "%lld", (long long)json_integer_value(v));
        q.version = vbuf;
    } else if (v && !json_is_null(v) && (rc = body_str(r, "version", 0, &q.version, err))) {
        return rc;
    }
    if (doc && json_is_null(doc))
        doc = NULL;
    if (doc && !json_is_object(doc))
        return xc_error_set(err, XC_EINVAL, "document", "document: expected the new version as a JSON object");
    if (!doc && !all_digits(q.version))
        return xc_error_set(err, XC_EINVAL, "version",
                            "version: give a recorded version id (digits), or the new version as JSON in "
                            "\"document\" (the server reads no files)");
    if (q.reason && !q.apply)
        return xc_error_set(err, XC_EINVAL, "reason", "reason goes with apply");
    if (q.apply && r->who->role != XC_ROLE_OFFICER)
        return xc_error_set(err, XC_EFORBIDDEN, "apply",
                            "acting on licences after a policy change needs the role officer; user \"%s\" is %s",
                            r->who->user, xc_role_name(r->who->role));
    if (at && *at && (rc = xc_date_parse(at, &q.at, "at", err)))
        return rc;
    if (doc) {
        if (!(text = json_dumps(doc, JSON_COMPACT)))
            return oom(err);
        q.text = text;
        q.text_len = strlen(text);
        if (!q.version || !*q.version)
            q.version = "document";
    }
    xc_store *s = xc_srv_store(r, err);
    if (!s) {
        xc_free(text);
        return err->code ? err->code : XC_EDB;
    }
    rc = xc_impact(s, actor(r), &q, &report, err);
    xc_free(text);
    if (rc)
        return rc;
    /* an applied change given as a document is now recorded: the engines rebuild */
    if (doc && q.apply)
        xc_srv_data_changed(r->srv);
    return reply(out, 200, report, err);
}

/* ---- the table --------------------------------------------------------------------------------- */

#define ADM XC_ROLE_ADMIN
#define OFF XC_ROLE_OFFICER
#define EXP XC_ROLE_EXPORTER
#define AUD XC_ROLE_AUDITOR

const xc_route xc_routes_lic[] = {
    {"GET", "/v1/orgs", h_orgs_list, XC_ROLES_USERS, "List organisations (an exporter sees its own)", NULL, NULL,
     "admin"},
    {"POST", "/v1/orgs", h_orgs_add, ADM, "Add an exporter organisation", NULL, "id*,name*,country", "admin"},
    {"GET", "/v1/users", h_users_list, ADM | AUD, "List users", NULL, NULL, "admin"},
    {"POST", "/v1/users", h_users_add, ADM, "Add a user", NULL, "name*,role*,org", "admin"},
    {"POST", "/v1/users/{name}/password", h_user_password, XC_ROLES_USERS,
     "Set a user's password (an admin, or the user itself)", NULL, "password*", "admin"},
    {"POST", "/v1/tokens", h_tokens_create, ADM, "Create a bearer token for a user (shown once)", NULL,
     "user*,role,label", "admin"},
    {"GET", "/v1/tokens", h_tokens_list, XC_ROLES_USERS,
     "List tokens, never their secrets (admins and auditors: all; others: their own)", "user", NULL, "admin"},
    {"GET", "/v1/tokens/{id}", h_token_get, XC_ROLES_USERS,
     "One token's record, never its secret (admins and auditors: any; others: their own)", NULL, NULL, "admin"},
    {"POST", "/v1/tokens/{id}/revoke", h_tokens_revoke, XC_ROLES_USERS,
     "Revoke a token (an admin, or the token's own user)", NULL, "reason", "admin"},
    {"POST", "/v1/auth/token", h_auth_token, XC_ROLES_ALL, "Log in with a password: a new token for that user", NULL,
     "user*,password*,label", "admin"},
    {"GET", "/v1/applications", h_apps_list, XC_ROLES_USERS,
     "List applications (an exporter sees its organisation's)", "status,exporter", NULL, "licensing"},
    {"POST", "/v1/applications", h_apps_create, EXP, "Create a draft application", NULL,
     "type*,regime*,exporter,items*,destination*,end_users*,parties,end_use*,value*,currency,marketing_licence,date",
     "licensing"},
    {"GET", "/v1/applications/{id}", h_app_get, XC_ROLES_USERS, "Show an application", "history", NULL, "licensing"},
    {"POST", "/v1/applications/{id}/submit", h_app_submit, EXP, "Submit a draft: runs the checks and screening", NULL,
     NULL, "licensing"},
    {"POST", "/v1/applications/{id}/review", h_app_review, OFF, "Take a submitted application for review", NULL, NULL,
     "licensing"},
    {"POST", "/v1/applications/{id}/approve", h_app_approve, OFF,
     "Approve (four-eyes: a second officer may be needed) and issue the licence", NULL,
     "valid_from,valid_until,conditions,note", "licensing"},
    {"POST", "/v1/applications/{id}/refuse", h_app_refuse, OFF, "Refuse, citing criteria", NULL, "criteria*,text*",
     "licensing"},
    {"POST", "/v1/applications/{id}/withdraw", h_app_withdraw, EXP, "Withdraw an application", NULL, "reason",
     "licensing"},
    {"GET", "/v1/licences", h_lics_list, XC_ROLES_USERS, "List licences (an exporter sees its organisation's)",
     "status,at", NULL, "licensing"},
    {"GET", "/v1/licences/{id}", h_lic_get, XC_ROLES_USERS, "Show a licence", "history", NULL, "licensing"},
    {"POST", "/v1/licences/{id}/suspend", h_lic_suspend, OFF, "Suspend an active licence", NULL, "reason*",
     "licensing"},
    {"POST", "/v1/licences/{id}/reinstate", h_lic_reinstate, OFF, "Reinstate a suspended licence", NULL, "reason*",
     "licensing"},
    {"POST", "/v1/licences/{id}/revoke", h_lic_revoke, OFF, "Revoke a licence (final)", NULL, "reason*", "licensing"},
    {"POST", "/v1/licences/{id}/surrender", h_lic_surrender, EXP | OFF,
     "Surrender a licence (its exporter or an officer; final)", NULL, "reason*", "licensing"},
    {"POST", "/v1/licences/{id}/amend", h_lic_amend, OFF, "Amend a licence's terms (a new version)", NULL,
     "valid_until,end_use,conditions,reason*", "licensing"},
    {"GET", "/v1/criteria", h_criteria, XC_ROLES_USERS, "The refusal criteria and marketing-licence regimes", NULL,
     NULL, "licensing"},
    {"POST", "/v1/criteria/import", h_criteria_import, ADM,
     "Replace the licensing table: the body is an exportctl-licensing/1 document (criteria import)", NULL, NULL,
     "licensing"},
    {"POST", "/v1/impact", h_impact, OFF | ADM | AUD,
     "Which live licences and applications a policy change makes stricter (apply: officers)", NULL,
     "list,rules,version,document,at,apply,reason", "licensing"},
};
const size_t xc_n_routes_lic = sizeof(xc_routes_lic) / sizeof(xc_routes_lic[0]);
