/*
 * routes_data.c: the reference data and the audit log over HTTP: country
 * lists (ls, show, diff, history, export, import), countries, control-list
 * items, rule packs, party-list snapshots, their imports, and the audit log
 * (events, verification, checkpoints, proofs, the verifier key).
 *
 * Every handler calls the library functions the CLI calls and answers the
 * JSON the CLI prints with --json for the same question.  Query parameters
 * are the CLI's option names with '_' for '-' (as_recorded_at,
 * effective_from, list_id, ...); an undocumented parameter, a bad date,
 * count or limit is a 400 naming the parameter.  Imports take the file as
 * the request body, record as the signed-in user and tell the server that
 * the engines' data changed.  Where the answer differs from the CLI's it is
 * said at the route (audit events are paged; the key omits the key file's
 * path; verification failures are 422 with the report).
 */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "controllist.h"
#include "country.h"
#include "date.h"
#include "parties.h"
#include "partyimport.h"
#include "policy.h"
#include "registry.h"
#include "server.h"

/* Most audit events one request returns; page on with from=<last seq + 1>. */
#define EVENTS_MAX 10000
/* Longest query value accepted (names, filters, keys, file names). */
#define QUERY_VALUE_MAX 512
/* Longest path parameter (list ids are at most 64 bytes, item codes 32). */
#define PARAM_MAX 200

#define R_ALL XC_ROLES_ALL
#define R_USERS XC_ROLES_USERS
#define R_ADMIN XC_ROLE_ADMIN
#define R_AUDIT (XC_ROLE_ADMIN | XC_ROLE_OFFICER | XC_ROLE_AUDITOR)
#define R_VERIFY (XC_ROLE_ADMIN | XC_ROLE_AUDITOR)

/* ---- request helpers ------------------------------------------------------------ */

typedef struct query_check {
    const char *allowed; /* "at,as_recorded_at" */
    xc_error *err;
    int rc;
} query_check;

static int allowed_in(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k && p[k - 1] == '*')
            k--;
        if (k == n && strncmp(p, name, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* Whether s is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p++;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4))
            return 0;
        unsigned cp = n ? c & (0x3Fu >> n) : c;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (*p & 0x3Fu);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
    }
    return 1;
}

/* s cut to at most 64 bytes on a character boundary (for messages and
 * error fields, which must stay valid UTF-8); buf holds the copy. */
static const char *clip(const char *s, char buf[72])
{
    size_t n = strlen(s);
    if (n <= 64)
        return s;
    n = 64;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    snprintf(buf, 72, "%.*s...", (int)n, s);
    return buf;
}

static enum MHD_Result query_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    query_check *q = cls;
    char kb[72];
    (void)kind;
    if (!utf8_ok(key)) {
        q->rc = xc_error_set(q->err, XC_EINVAL, "query", "a query parameter's name is not valid UTF-8");
        return MHD_NO;
    }
    if (!allowed_in(q->allowed, key)) {
        const char *k = clip(key, kb);
        q->rc = xc_error_set(q->err, XC_EINVAL, k, "unknown query parameter \"%s\"%s%s", k,
                             q->allowed ? "; this route takes: " : "; this route takes none",
                             q->allowed ? q->allowed : "");
        return MHD_NO;
    }
    if (value && strlen(value) > QUERY_VALUE_MAX) {
        q->rc = xc_error_set(q->err, XC_EINVAL, key, "%s: longer than %d bytes", key, QUERY_VALUE_MAX);
        return MHD_NO;
    }
    if (value && !utf8_ok(value)) {
        q->rc = xc_error_set(q->err, XC_EINVAL, key, "%s: not valid UTF-8", key);
        return MHD_NO;
    }
    return MHD_YES;
}

/* Refuse query parameters the route does not document (allowed: "a,b*"),
 * and path parameters or query values that are not UTF-8 (the library's
 * messages echo values, and a JSON error must hold valid text). */
static int query_only(const xc_req *r, const char *allowed, xc_error *err)
{
    query_check q = {allowed, err, XC_OK};
    for (size_t i = 0; i < r->n_params && i < XC_REQ_MAX_PARAMS; i++)
        if (r->params[i] && (strlen(r->params[i]) > PARAM_MAX || !utf8_ok(r->params[i])))
            return xc_error_set(err, XC_EINVAL, "path", "a path parameter is not valid UTF-8 or longer than %d bytes",
                                PARAM_MAX);
    if (r->conn)
        MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, query_visit, &q);
    return q.rc;
}

/* A present, non-empty query value, or NULL when absent; "" is an error. */
static int q_str(const xc_req *r, const char *name, const char **out, xc_error *err)
{
    const char *v = xc_req_query(r, name);
    *out = NULL;
    if (!v)
        return XC_OK;
    if (!*v)
        return xc_error_set(err, XC_EINVAL, name, "%s: empty value", name);
    *out = v;
    return XC_OK;
}

/* A date (YYYY-MM-DD or "today"); absent: today unless required. */
static int q_date(const xc_req *r, const char *name, int required, xc_date *out, xc_error *err)
{
    const char *v;
    int rc = q_str(r, name, &v, err);
    if (rc)
        return rc;
    if (!v) {
        if (required)
            return xc_error_set(err, XC_EINVAL, name, "%s: required (a date, YYYY-MM-DD)", name);
        *out = xc_date_today();
        return XC_OK;
    }
    if (strcmp(v, "today") == 0) {
        *out = xc_date_today();
        return XC_OK;
    }
    return xc_date_parse(v, out, name, err);
}

/* as_recorded_at: a timestamp, default "now". */
static int q_asof(const xc_req *r, int64_t *out, xc_error *err)
{
    const char *v;
    int rc = q_str(r, "as_recorded_at", &v, err);
    *out = XC_TS_LATEST;
    if (rc || !v)
        return rc;
    return xc_ts_parse(v, out, "as_recorded_at", err);
}

/* A whole number in [min, max]; *out untouched when absent. */
static int q_int(const xc_req *r, const char *name, int required, int64_t min, int64_t max, int64_t *out,
                 xc_error *err)
{
    const char *v;
    char *end;
    int rc = q_str(r, name, &v, err);
    if (rc)
        return rc;
    if (!v)
        return required ? xc_error_set(err, XC_EINVAL, name, "%s: required (a whole number from %lld to %lld)",
                                       name, (long long)min, (long long)max)
                        : XC_OK;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    char vb[72];
    if (errno || end == v || *end || v[0] == '+' || v[0] == ' ' || n < min || n > max)
        return xc_error_set(err, XC_EINVAL, name, "%s: \"%s\" is not a whole number from %lld to %lld", name,
                            clip(v, vb), (long long)min, (long long)max);
    *out = n;
    return XC_OK;
}

/* The name an uploaded file goes by in messages, reports and default
 * sources: query "file", else a fixed label. */
static int q_file(const xc_req *r, const char **out, xc_error *err)
{
    int rc = q_str(r, "file", out, err);
    if (rc)
        return rc;
    if (!*out) {
        *out = "(request body)";
        return XC_OK;
    }
    for (const unsigned char *p = (const unsigned char *)*out; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
            return xc_error_set(err, XC_EINVAL, "file", "file: a file name, without control characters or slashes");
    if (strlen(*out) > 200)
        return xc_error_set(err, XC_EINVAL, "file", "file: longer than 200 bytes");
    return XC_OK;
}

/* An import's body: the file's bytes. */
static int need_raw(const xc_req *r, xc_error *err)
{
    if (!r->raw || r->raw_len == 0)
        return xc_error_set(err, XC_EINVAL, "body", "the request body must hold the file to import");
    return XC_OK;
}

/* A request that takes no body must not carry one. */
static int no_body(const xc_req *r, xc_error *err)
{
    if (r->body && json_is_object(r->body) && json_object_size(r->body) == 0)
        return XC_OK;
    if ((r->body && !json_is_null(r->body)) || r->raw_len > 0) {
        char kb[72];
        const char *k = r->body && json_is_object(r->body) ? json_object_iter_key(json_object_iter(r->body)) : NULL;
        k = k ? clip(k, kb) : NULL;
        return xc_error_set(err, XC_EINVAL, k ? k : "body", "%s%sthis request takes no body", k ? k : "",
                            k ? ": unknown field; " : "");
    }
    return XC_OK;
}

static xc_store *store_of(xc_req *r, xc_error *err)
{
    return xc_srv_store(r, err);
}

/* Writes are recorded as the signed-in user (xc_srv_store sets the
 * store's actor from r->who). */
static xc_store *write_store(xc_req *r, xc_error *err)
{
    return xc_srv_store(r, err);
}

/* Library errors name CLI options ("--from", "CODE"); the API names its own
 * parameters.  Returns rc. */
static int api_field(int rc, xc_error *err)
{
    static const struct {
        const char *cli, *api;
    } names[] = {{"FILE", "body"}, {"PATH", "body"}, {"CODE", "code"}, {"REGIME", "regime"},
                 {"LIST", "id"},   {"SEQ", "event"}, {"N", "first"},   {"M", "second"}};
    if (rc == XC_OK || !err)
        return rc;
    if (strncmp(err->field, "--", 2) == 0) {
        char f[sizeof(err->field)];
        snprintf(f, sizeof(f), "%s", err->field + 2);
        for (char *p = f; *p; p++)
            if (*p == '-')
                *p = '_';
        snprintf(err->field, sizeof(err->field), "%s", f);
        return rc;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(err->field, names[i].cli) == 0) {
            snprintf(err->field, sizeof(err->field), "%s", names[i].api);
            break;
        }
    return rc;
}

/* A resource named in the path that does not exist is a 404 (the library
 * calls an unknown code bad input). */
static int not_found(int rc, const char *field, xc_error *err)
{
    if (rc == XC_EINVAL || rc == XC_ENOTFOUND) {
        err->code = rc = XC_ENOTFOUND;
        snprintf(err->field, sizeof(err->field), "%s", field);
        return rc;
    }
    return api_field(rc, err);
}

static int answer(xc_resp *out, json_t *body, int status, xc_error *err)
{
    if (!body)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the response");
    out->status = status;
    out->body = body;
    return XC_OK;
}

/* ---- lists -------------------------------------------------------------------------- */

static int h_lists(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_list_summary *l = NULL;
    size_t n = 0;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_lists(s, as_of, &l, &n, err)))
        return api_field(rc, err);
    json_t *j = xc_list_summaries_json(l, n);
    xc_list_summaries_free(l, n);
    return answer(out, j, 0, err);
}

static int h_list_show(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_snapshot *snap = NULL;
    xc_date at;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "at,as_recorded_at", err);
    if (rc || (rc = q_date(r, "at", 0, &at, err)) || (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_show(s, r->params[0], at, as_of, &snap, err)))
        return not_found(rc, "id", err);
    json_t *j = xc_snapshot_json(snap);
    xc_snapshot_free(snap);
    return answer(out, j, 0, err);
}

static int h_list_diff(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_diff *d = NULL;
    xc_date from, to;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "from,to,as_recorded_at", err);
    if (rc || (rc = q_date(r, "from", 1, &from, err)) || (rc = q_date(r, "to", 1, &to, err)) ||
        (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_diff(s, r->params[0], from, to, as_of, &d, err)))
        return rc == XC_EINVAL && strcmp(err->field, "--from") == 0 ? api_field(rc, err) : not_found(rc, "id", err);
    json_t *j = xc_diff_json(d);
    xc_diff_free(d);
    return answer(out, j, 0, err);
}

static int h_list_history(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_history_json(s, r->params[0], as_of, &j, err)))
        return not_found(rc, "id", err);
    return answer(out, j, 0, err);
}

static int h_list_export(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *j = NULL;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_export_json(s, r->params[0], as_of, &j, err)))
        return not_found(rc, "id", err);
    return answer(out, j, 0, err);
}

static int is_csv_type(const char *ct)
{
    return ct && (strncasecmp(ct, "text/csv", 8) == 0 || strncasecmp(ct, "application/csv", 15) == 0);
}

static const char *const list_csv_only[] = {"list",   "effective_from", "effective_to", "precision", "declared_count",
                                            "source", "confidence",     "reason",       "note",      "correction"};

static int h_list_import(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_import_stats st;
    const char *fmt, *file;
    xc_store *s;
    int csv;
    int rc = query_only(r, "format,file,list,effective_from,effective_to,precision,declared_count,source,confidence,"
                           "reason,note,correction",
                        err);
    if (rc || (rc = q_str(r, "format", &fmt, err)) || (rc = q_file(r, &file, err)))
        return rc;
    char fb[72];
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return xc_error_set(err, XC_EINVAL, "format", "format: \"%s\" is not a format; expected json or csv",
                            clip(fmt, fb));
    csv = fmt ? strcmp(fmt, "csv") == 0 : is_csv_type(r->content_type);
    if (!csv)
        for (size_t i = 0; i < sizeof(list_csv_only) / sizeof(list_csv_only[0]); i++)
            if (xc_req_query(r, list_csv_only[i]))
                return xc_error_set(err, XC_EINVAL, list_csv_only[i],
                                    "%s applies to a CSV import only (format=csv or Content-Type: text/csv); a JSON "
                                    "document carries its own fields",
                                    list_csv_only[i]);
    memset(&st, 0, sizeof(st));
    if (csv) {
        xc_csv_version_opts o = {.declared_count = -1};
        int64_t dc = -1;
        if ((rc = q_str(r, "list", &o.list_id, err)) || (rc = q_str(r, "effective_from", &o.effective_from, err)) ||
            (rc = q_str(r, "effective_to", &o.effective_to, err)) || (rc = q_str(r, "precision", &o.precision, err)) ||
            (rc = q_str(r, "source", &o.source, err)) || (rc = q_str(r, "confidence", &o.confidence, err)) ||
            (rc = q_str(r, "reason", &o.reason, err)) || (rc = q_str(r, "note", &o.note, err)) ||
            (rc = q_str(r, "correction", &o.correction, err)) ||
            (rc = q_int(r, "declared_count", 0, 0, 1000, &dc, err)))
            return rc;
        o.declared_count = (int)dc;
        static const char *const need[] = {"list", "effective_from", "source", "confidence"};
        const char *have[] = {o.list_id, o.effective_from, o.source, o.confidence};
        for (size_t i = 0; i < 4; i++)
            if (!have[i])
                return xc_error_set(err, XC_EINVAL, need[i],
                                    "%s: required; a CSV import needs list, effective_from, source and confidence",
                                    need[i]);
        if ((rc = need_raw(r, err)))
            return rc;
        if (!(s = write_store(r, err)))
            return err->code ? err->code : XC_EDB;
        rc = xc_registry_import_members_csv(s, r->raw, r->raw_len, file, &o, &st, err);
    } else {
        if ((rc = need_raw(r, err)))
            return rc;
        if (!(s = write_store(r, err)))
            return err->code ? err->code : XC_EDB;
        rc = xc_registry_import_json(s, r->raw, r->raw_len, file, &st, err);
    }
    if (rc)
        return api_field(rc, err);
    if (st.versions_recorded || st.lists_recorded)
        xc_srv_data_changed(r->srv);
    return answer(out, xc_import_stats_json(file, &st), 0, err);
}

/* ---- countries ---------------------------------------------------------------- */

static int h_countries(xc_req *r, xc_resp *out, xc_error *err)
{
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    return answer(out, xc_countries_json(), 0, err);
}

static int h_country_show(xc_req *r, xc_resp *out, xc_error *err)
{
    const xc_country *cc;
    xc_stint *st = NULL;
    size_t n = 0;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = q_asof(r, &as_of, err)))
        return rc;
    if ((rc = xc_country_lookup(r->params[0], "code", &cc, err)))
        return not_found(rc, "code", err);
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_registry_country(s, cc->alpha2, as_of, &st, &n, err)))
        return api_field(rc, err);
    json_t *j = xc_country_history_json(cc->alpha2, st, n);
    xc_stints_free(st, n);
    return answer(out, j, 0, err);
}

/* ---- items and rule packs ------------------------------------------------------ */

/* The engine to answer from: this thread's (current data) or, for an
 * as_recorded_at question, one loaded for it (*own set: free it). */
static int policy_at(xc_req *r, xc_policy **p, int *own, xc_error *err)
{
    int64_t as_of;
    int rc = q_asof(r, &as_of, err);
    *p = NULL;
    *own = 0;
    if (rc)
        return rc;
    if (as_of == XC_TS_LATEST)
        return api_field(xc_srv_policy(r, p, err), err);
    xc_store *s = store_of(r, err);
    if (!s)
        return err->code ? err->code : XC_EDB;
    rc = xc_policy_load(s, as_of, p, err);
    *own = rc == XC_OK;
    return api_field(rc, err);
}

static int h_items(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_policy *p;
    int own, rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = policy_at(r, &p, &own, err)))
        return rc;
    json_t *j = xc_policy_items_json(p, NULL, err, &rc);
    if (own)
        xc_policy_free(p);
    return rc ? api_field(rc, err) : answer(out, j, 0, err);
}

static int h_item_show(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_policy *p;
    int own, rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = policy_at(r, &p, &own, err)))
        return rc;
    json_t *j = xc_policy_items_json(p, r->params[0], err, &rc);
    if (own)
        xc_policy_free(p);
    return rc ? not_found(rc, "code", err) : answer(out, j, 0, err);
}

static int h_rules(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_policy *p;
    int own, rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = policy_at(r, &p, &own, err)))
        return rc;
    json_t *j = xc_policy_packs_json(p, NULL);
    if (own)
        xc_policy_free(p);
    return answer(out, j, 0, err);
}

static int h_rules_show(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_policy *p;
    int own, rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = policy_at(r, &p, &own, err)))
        return rc;
    json_t *j = xc_policy_packs_json(p, r->params[0]);
    if (own)
        xc_policy_free(p);
    json_t *pk = json_array_get(json_object_get(j, "rule_packs"), 0);
    if (!j)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the response");
    if (!pk) {
        json_decref(j);
        char rb[72];
        return xc_error_set(err, XC_ENOTFOUND, "regime", "unknown regime \"%s\" (see GET /v1/rules)",
                            clip(r->params[0], rb));
    }
    json_incref(pk);
    json_decref(j);
    return answer(out, pk, 0, err);
}

typedef int (*doc_import_fn)(xc_store *, const char *, size_t, const char *, int *, int *, xc_error *);

static int rules_import(xc_store *s, const char *text, size_t len, const char *file, int *n, int *recorded,
                        xc_error *err)
{
    *n = 1;
    return xc_rules_import_json(s, text, len, file, recorded, err);
}

static int doc_import(xc_req *r, xc_resp *out, const char *what, doc_import_fn fn, xc_error *err)
{
    const char *file;
    int n = 0, recorded = 0;
    xc_store *s;
    int rc = query_only(r, "file", err);
    if (rc || (rc = q_file(r, &file, err)) || (rc = need_raw(r, err)))
        return rc;
    if (!(s = write_store(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = fn(s, r->raw, r->raw_len, file, &n, &recorded, err)))
        return api_field(rc, err);
    if (recorded)
        xc_srv_data_changed(r->srv);
    return answer(out, xc_items_import_report_json(file, what, n, recorded), 0, err);
}

static int h_items_import(xc_req *r, xc_resp *out, xc_error *err)
{
    return doc_import(r, out, "item", xc_items_import_json, err);
}

static int h_rules_import(xc_req *r, xc_resp *out, xc_error *err)
{
    return doc_import(r, out, "rule pack", rules_import, err);
}

/* ---- party lists ------------------------------------------------------------------ */

static int h_parties(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_party_snapshot *sn = NULL;
    size_t n = 0;
    int64_t as_of;
    xc_store *s;
    int rc = query_only(r, "as_recorded_at", err);
    if (rc || (rc = q_asof(r, &as_of, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_parties_load(s, as_of, &sn, &n, err)))
        return api_field(rc, err);
    json_t *j = xc_parties_json(sn, n);
    xc_parties_free(sn, n);
    return answer(out, j, 0, err);
}

static int h_parties_import(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *format, *file;
    int64_t age = 0;
    xc_party_import_opts o = {NULL, NULL, NULL, 0};
    xc_party_import_report rep;
    xc_store *s;
    int rc = query_only(r, "format,list_id,list_date,source,max_age_days,file", err);
    if (rc || (rc = q_str(r, "format", &format, err)) || (rc = q_str(r, "list_id", &o.list_id, err)) ||
        (rc = q_str(r, "list_date", &o.list_date, err)) || (rc = q_str(r, "source", &o.source, err)) ||
        (rc = q_int(r, "max_age_days", 0, 1, 36500, &age, err)) || (rc = q_file(r, &file, err)))
        return rc;
    o.max_age_days = (int)age;
    if (!format)
        format = "exportctl";
    if (strcmp(format, "ofac-sdn") == 0)
        return xc_error_set(err, XC_EINVAL, "format",
                            "format: ofac-sdn is a folder of files (sdn.csv, alt.csv, add.csv); import it with "
                            "`exportctl parties import --format ofac-sdn FOLDER` on the server's database");
    if ((rc = xc_parties_import_check(format, &o, err)))
        return api_field(rc, err);
    if ((rc = need_raw(r, err)))
        return rc;
    if (!(s = write_store(r, err)))
        return err->code ? err->code : XC_EDB;
    memset(&rep, 0, sizeof(rep));
    if ((rc = xc_parties_import_text(s, format, r->raw, r->raw_len, file, &o, &rep, err)))
        return api_field(rc, err);
    if (rep.recorded)
        xc_srv_data_changed(r->srv);
    json_t *j = xc_party_import_report_file_json(&rep, file);
    xc_party_import_report_clear(&rep);
    return answer(out, j, 0, err);
}

/* ---- audit ----------------------------------------------------------------------------- */

static int h_audit_events(xc_req *r, xc_resp *out, xc_error *err)
{
    int64_t from = 1, limit = EVENTS_MAX;
    const char *type, *subject, *actor;
    json_t *evs = NULL;
    xc_store *s;
    int rc = query_only(r, "from,limit,type,subject,actor", err);
    if (rc || (rc = q_int(r, "from", 0, 1, INT64_MAX, &from, err)) ||
        (rc = q_int(r, "limit", 0, 1, EVENTS_MAX, &limit, err)) || (rc = q_str(r, "type", &type, err)) ||
        (rc = q_str(r, "subject", &subject, err)) || (rc = q_str(r, "actor", &actor, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_events(s, from, limit, type, subject, actor, &evs, err)))
        return api_field(rc, err);
    return answer(out, evs, 0, err);
}

/* A verification report: 200 when it verifies, else 422 with the report
 * and the error (the CLI prints the same report and exits 3). */
static int report(xc_resp *out, int rc, json_t *rep, xc_error *err)
{
    if (rc == XC_OK)
        return answer(out, rep, 0, err);
    if (rc != XC_EVERIFY || !rep) {
        json_decref(rep);
        return api_field(rc, err);
    }
    json_object_set_new(rep, "error",
                        json_pack("{s:s, s:s, s:o}", "code", xc_error_name(rc), "message", err->msg, "field",
                                  err->field[0] ? json_string(err->field) : json_null()));
    return answer(out, rep, xc_error_http_status(rc), err);
}

static int h_audit_verify(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *key;
    json_t *rep = NULL;
    xc_store *s;
    int rc = query_only(r, "key", err);
    if (rc || (rc = q_str(r, "key", &key, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    /* key is the verifier key's text, never a file name (the CLI also reads files) */
    rc = xc_audit_verify(s, key, &rep, err);
    if (rc && strcmp(err->field, "--key") == 0)
        snprintf(err->field, sizeof(err->field), "key");
    return report(out, rc, rep, err);
}

static int h_audit_checkpoint(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *cp = NULL;
    xc_store *s;
    int rc = query_only(r, NULL, err);
    if (rc || (rc = no_body(r, err)))
        return rc;
    if (!(s = write_store(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_checkpoint(s, &cp, err)))
        return api_field(rc, err);
    return answer(out, cp, 201, err);
}

static int h_audit_checkpoints(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *cps = NULL;
    xc_store *s;
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_checkpoints(s, &cps, err)))
        return api_field(rc, err);
    return answer(out, cps, 0, err);
}

static int path_int(const char *v, const char *name, int64_t *out, xc_error *err)
{
    char *end, vb[72];
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || v[0] < '0' || v[0] > '9' || n < 1)
        return xc_error_set(err, XC_EINVAL, name, "%s: \"%s\" is not a whole number >= 1", name, clip(v, vb));
    *out = n;
    return XC_OK;
}

static int h_audit_checkpoint_get(xc_req *r, xc_resp *out, xc_error *err)
{
    int64_t n = 0;
    json_t *cp = NULL;
    xc_store *s;
    int rc = query_only(r, NULL, err);
    if (rc || (rc = path_int(r->params[0], "number", &n, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_checkpoint_json(s, n, &cp, err)))
        return api_field(rc, err);
    return answer(out, cp, 0, err);
}

static int h_audit_inclusion(xc_req *r, xc_resp *out, xc_error *err)
{
    int64_t seq = 0, cp = 0;
    json_t *proof = NULL;
    xc_store *s;
    int rc = query_only(r, "event,checkpoint", err);
    if (rc || (rc = q_int(r, "event", 1, 1, INT64_MAX, &seq, err)) ||
        (rc = q_int(r, "checkpoint", 0, 1, INT64_MAX, &cp, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_prove(s, seq, cp, &proof, err)))
        return api_field(rc, err);
    /* the public and exporters get the proof without the event (its leaf
     * hash stays): who holds the event checks it; officers, auditors and
     * admins, who may read the log, get it whole */
    if (!(r->who->role & R_AUDIT))
        xc_audit_proof_redact(proof);
    return answer(out, proof, 0, err);
}

static int h_audit_consistency(xc_req *r, xc_resp *out, xc_error *err)
{
    int64_t a = 0, b = 0;
    json_t *proof = NULL;
    xc_store *s;
    int rc = query_only(r, "first,second", err);
    if (rc || (rc = q_int(r, "first", 1, 1, INT64_MAX, &a, err)) ||
        (rc = q_int(r, "second", 1, 1, INT64_MAX, &b, err)))
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_consistency(s, a, b, &proof, err)))
        return api_field(rc, err);
    return answer(out, proof, 0, err);
}

static int h_audit_verify_proof(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *rep = NULL, *proof, *key;
    const char *k;
    void *it;
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    if (!r->body || !json_is_object(r->body))
        return xc_error_set(err, XC_EINVAL, "body",
                            "the body must be a JSON object {\"proof\": {...}, \"key\": \"...\"}");
    for (it = json_object_iter(r->body); it; it = json_object_iter_next(r->body, it)) {
        char kb[72];
        k = json_object_iter_key(it);
        if (strcmp(k, "proof") && strcmp(k, "key"))
            return xc_error_set(err, XC_EINVAL, clip(k, kb), "%s: unknown field; the body takes proof and key",
                                clip(k, kb));
    }
    proof = json_object_get(r->body, "proof");
    key = json_object_get(r->body, "key");
    if (!proof)
        return xc_error_set(err, XC_EINVAL, "proof", "proof: required (the exportctl-proof/1 document)");
    if (!json_is_object(proof))
        return xc_error_set(err, XC_EINVAL, "proof", "proof: must be an object (the exportctl-proof/1 document)");
    if (!key)
        return xc_error_set(err, XC_EINVAL, "key",
                            "key: required (the log's verifier key, GET /v1/audit/key)");
    if (!json_is_string(key) || !json_string_length(key))
        return xc_error_set(err, XC_EINVAL, "key", "key: must be a non-empty string (the log's verifier key)");
    rc = xc_audit_verify_proof(proof, json_string_value(key), &rep, err);
    if (rc && strcmp(err->field, "--key") == 0)
        snprintf(err->field, sizeof(err->field), "key");
    else if ((rc == XC_EINVAL || rc == XC_EVERIFY) && err->field[0] && strcmp(err->field, "key") != 0 &&
             strncmp(err->field, "proof", 5) != 0) {
        char f[sizeof(err->field)];
        snprintf(f, sizeof(f), "proof.%s", err->field);
        snprintf(err->field, sizeof(err->field), "%s", f);
    }
    return report(out, rc, rep, err);
}

static int h_audit_key(xc_req *r, xc_resp *out, xc_error *err)
{
    json_t *k = NULL;
    xc_store *s;
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    if (!(s = store_of(r, err)))
        return err->code ? err->code : XC_EDB;
    if ((rc = xc_audit_key_json(s, &k, err)))
        return api_field(rc, err);
    json_object_del(k, "key_file");
    return answer(out, k, 0, err);
}

/* ---- the table ---------------------------------------------------------------------- */

const xc_route xc_routes_data[] = {
    {"GET", "/v1/lists", h_lists, R_ALL, "The country lists with their versions and counts today (list ls)",
     "as_recorded_at", NULL, "lists"},
    {"POST", "/v1/lists/import", h_list_import, R_ADMIN,
     "Import lists: the body is an exportctl-lists/1 document, or (format=csv or Content-Type text/csv) one "
     "version's members (list import)",
     "format,file,list,effective_from,effective_to,precision,declared_count,source,confidence,reason,note,correction",
     NULL, "admin"},
    {"GET", "/v1/lists/{id}", h_list_show, R_ALL,
     "Members of a list in force on a date, as recorded at a moment (list show)", "at,as_recorded_at", NULL,
     "lists"},
    {"GET", "/v1/lists/{id}/diff", h_list_diff, R_ALL, "Countries added to and removed from a list between two dates",
     "from*,to*,as_recorded_at", NULL, "lists"},
    {"GET", "/v1/lists/{id}/history", h_list_history, R_ALL,
     "Every recorded version of a list, corrections included (list history)", "as_recorded_at", NULL, "lists"},
    {"GET", "/v1/lists/{id}/export", h_list_export, R_ALL,
     "The list as an importable exportctl-lists/1 document (list export)", "as_recorded_at", NULL, "lists"},
    {"GET", "/v1/countries", h_countries, R_ALL, "ISO 3166-1 countries known to exportctl (country ls)", NULL, NULL,
     "lists"},
    {"GET", "/v1/countries/{code}", h_country_show, R_ALL,
     "Every list a country was ever on, with dates (country show; code: alpha-2, alpha-3, numeric or name)",
     "as_recorded_at", NULL, "lists"},
    {"GET", "/v1/items", h_items, R_ALL, "The control-list items with their regime mappings (item ls)",
     "as_recorded_at", NULL, "lists"},
    {"POST", "/v1/items/import", h_items_import, R_ADMIN,
     "Import control-list items: the body is an exportctl-items/1 document (item import)", "file", NULL, "admin"},
    {"GET", "/v1/items/{code}", h_item_show, R_ALL, "One control-list item (item show)", "as_recorded_at", NULL,
     "lists"},
    {"GET", "/v1/rules", h_rules, R_USERS, "The rule packs with their rules (rules ls)", "as_recorded_at", NULL,
     "checks"},
    {"POST", "/v1/rules/import", h_rules_import, R_ADMIN,
     "Import a rule pack: the body is an exportctl-rules/1 document (rules import)", "file", NULL, "admin"},
    {"GET", "/v1/rules/{regime}", h_rules_show, R_USERS, "One rule pack (rules show)", "as_recorded_at", NULL,
     "checks"},
    {"GET", "/v1/parties", h_parties, R_USERS,
     "Denied-party list snapshots with their entries (parties ls; large once big lists are imported)",
     "as_recorded_at", NULL, "screening"},
    {"POST", "/v1/parties/import", h_parties_import, R_ADMIN,
     "Import a denied-party list as a snapshot: the body is the file (csl-csv, csl-json, un-xml, bis-dpl, csv, "
     "exportctl; ofac-sdn, a folder, only with the CLI) (parties import)",
     "format,list_id,list_date,source,max_age_days,file", NULL, "admin"},
    {"GET", "/v1/audit/events", h_audit_events, R_AUDIT,
     "Audit log events from seq `from`, at most `limit` (default and maximum 10000; page on with from=last seq+1) "
     "(audit log)",
     "from,limit,type,subject,actor", NULL, "audit"},
    {"GET", "/v1/audit/verify", h_audit_verify, R_VERIFY,
     "Verify the whole audit log: 200 intact, 422 with the report when not (audit verify)", "key", NULL, "audit"},
    {"POST", "/v1/audit/checkpoints", h_audit_checkpoint, R_ADMIN, "Publish a signed checkpoint (audit checkpoint)",
     NULL, NULL, "audit"},
    {"GET", "/v1/audit/checkpoints", h_audit_checkpoints, R_ALL, "The published checkpoints (audit checkpoints)",
     NULL, NULL, "audit"},
    {"GET", "/v1/audit/checkpoints/{number}", h_audit_checkpoint_get, R_ALL, "One published checkpoint", NULL, NULL,
     "audit"},
    {"GET", "/v1/audit/proofs/inclusion", h_audit_inclusion, R_ALL,
     "Inclusion proof of an event in a published checkpoint (audit prove); officers, auditors and admins get "
     "the event, everyone else its leaf hash only",
     "event*,checkpoint", NULL, "audit"},
    {"GET", "/v1/audit/proofs/consistency", h_audit_consistency, R_ALL,
     "Consistency proof between two published checkpoints (audit consistency)", "first*,second*", NULL, "audit"},
    {"POST", "/v1/audit/verify-proof", h_audit_verify_proof, R_ALL,
     "Check a proof with nothing but the verifier key: 200 verifies, 422 with the report when not "
     "(audit verify-proof)",
     NULL, "proof*,key*", "audit"},
    {"GET", "/v1/audit/key", h_audit_key, R_ALL, "The audit log's verifier (public) key (audit key)", NULL, NULL,
     "audit"},
};
const size_t xc_n_routes_data = sizeof(xc_routes_data) / sizeof(xc_routes_data[0]);
