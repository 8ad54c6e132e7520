/*
 * routes_checks.c: the questions the API answers: checks (single, batch
 * and the replay of a stored decision), denied-party screening (single and
 * batch), name matching and the allow-list of cleared false positives.
 *
 * Every answer is built by the library function the CLI uses for the same
 * question (xc_check_answer, xc_decision_replay, xc_screen_answer_json,
 * xc_screen_row_json, xc_match_pair_json, xc_allow_json,
 * xc_allow_added_json), so a response equals the CLI's --json output.
 * Bodies are validated strictly: an unknown field or a value of the wrong
 * type is a 400 naming the field (a JSON path: "checks[3].item").
 *
 * The check path is the hot one: it evaluates on this thread's engine and
 * reads nothing from the store unless it records; recorded decisions go
 * through the group-commit queue (xc_srv_write), a batch's in one write.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "country.h"
#include "date.h"
#include "audit.h"
#include "decision.h"
#include "licence.h"
#include "mem.h"
#include "server.h"

#define BATCH_MAX 1000

/* ---- strict body fields ------------------------------------------------------------ */

enum { T_STR, T_STRS, T_BOOL, T_NUM, T_INT, T_OBJ, T_ARR };

typedef struct fspec {
    const char *name;
    int type;
} fspec;

static const char *const type_names[] = {"a string", "an array of strings", "true or false", "a number",
                                         "a whole number", "an object", "an array"};

/* prefix + name, e.g. "checks[3]." + "item" */
static const char *fpath(char *buf, size_t cap, const char *prefix, const char *name)
{
    snprintf(buf, cap, "%s%s", prefix, name);
    return buf;
}

static int type_ok(json_t *v, int type)
{
    switch (type) {
    case T_STR: return json_is_string(v);
    case T_BOOL: return json_is_boolean(v);
    case T_NUM: return json_is_number(v);
    case T_INT: return json_is_integer(v);
    case T_OBJ: return json_is_object(v);
    case T_ARR: return json_is_array(v);
    case T_STRS: {
        size_t i;
        json_t *e;
        if (!json_is_array(v))
            return 0;
        json_array_foreach(v, i, e) if (!json_is_string(e)) return 0;
        return 1;
    }
    }
    return 0;
}

/* Every field of o is in spec and has its type (null counts as absent). */
static int check_fields(json_t *o, const fspec *spec, size_t n, const char *prefix, xc_error *err)
{
    const char *key;
    json_t *v;
    char f[128];
    json_object_foreach(o, key, v)
    {
        size_t i = 0;
        while (i < n && strcmp(spec[i].name, key) != 0)
            i++;
        if (i == n)
            return xc_error_set(err, XC_EINVAL, fpath(f, sizeof(f), prefix, key), "%s: unknown field",
                                fpath(f, sizeof(f), prefix, key));
        if (!json_is_null(v) && !type_ok(v, spec[i].type))
            return xc_error_set(err, XC_EINVAL, fpath(f, sizeof(f), prefix, key), "%s: must be %s",
                                fpath(f, sizeof(f), prefix, key), type_names[spec[i].type]);
    }
    return XC_OK;
}

/* A field's value, NULL when absent or null. */
static json_t *field(json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return json_is_null(v) ? NULL : v;
}

static const char *str_field(json_t *o, const char *name)
{
    return json_string_value(field(o, name));
}

typedef struct qcheck {
    const char *allowed; /* "a,b" or NULL */
    xc_error *err;
    int rc;
} qcheck;

static enum MHD_Result query_visit(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    qcheck *q = cls;
    (void)kind;
    (void)value;
    size_t n = strlen(key);
    for (const char *a = q->allowed; a && *a;) {
        size_t k = strcspn(a, ",");
        if (k == n && strncmp(a, key, n) == 0)
            return MHD_YES;
        a += k + (a[k] == ',');
    }
    q->rc = xc_error_set(q->err, XC_EINVAL, NULL, "%.64s: unknown query parameter%s%s", key,
                         q->allowed ? "; expected: " : " (this route takes none)", q->allowed ? q->allowed : "");
    snprintf(q->err->field, sizeof(q->err->field), "%.64s", key);
    return MHD_NO;
}

/* Every query argument is one of allowed (NULL: none). */
static int query_only(const xc_req *r, const char *allowed, xc_error *err)
{
    qcheck q = {allowed, err, XC_OK};
    if (r->conn)
        MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, query_visit, &q);
    return q.rc;
}

/* A JSON object body and no query arguments. */
static int need_body(const xc_req *r, xc_error *err)
{
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    return json_is_object(r->body) ? XC_OK
                                   : xc_error_set(err, XC_EINVAL, "body", "body: a JSON object is required");
}

static int missing(xc_error *err, const char *prefix, const char *name)
{
    char f[128];
    return xc_error_set(err, XC_EINVAL, fpath(f, sizeof(f), prefix, name), "%s: missing",
                        fpath(f, sizeof(f), prefix, name));
}

/* A "date" field: absent or "today" is today. */
static int date_field(json_t *o, const char *name, const char *prefix, xc_date *out, xc_error *err)
{
    const char *s = str_field(o, name);
    char f[128];
    if (!s)
        return XC_OK;
    if (strcmp(s, "today") == 0) {
        *out = xc_date_today();
        return XC_OK;
    }
    return xc_date_parse(s, out, fpath(f, sizeof(f), prefix, name), err);
}

/* Re-point an error at prefix + field (library fields are the CLI's). */
static int in_field(xc_error *err, int rc, const char *prefix)
{
    static const struct {
        const char *lib, *body;
    } names[] = {{"end_user_flag", "end_user_flags"}, {"risk_flag", "risk_flags"}, {"party", "parties"}};
    char f[128];
    const char *name = err->field;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i].lib) == 0)
            name = names[i].body;
    if (*name || *prefix) {
        snprintf(f, sizeof(f), "%s%s", prefix, *name ? name : "");
        if (!*name && f[0] && f[strlen(f) - 1] == '.')
            f[strlen(f) - 1] = '\0';
        snprintf(err->field, sizeof(err->field), "%s", f);
    }
    err->code = rc;
    return rc;
}

/* Replace every byte that is not part of a valid UTF-8 sequence with '?':
 * library messages quote input cut at a byte count, which can split a
 * character, and JSON strings must be valid UTF-8. */
static void utf8_fix(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        int ok = n >= 0 && !(n == 1 && c < 0xC2) && !(n == 3 && c > 0xF4);
        unsigned cp = n > 0 ? c & (0x3Fu >> n) : c;
        for (int i = 1; ok && i <= n; i++) {
            ok = (p[i] & 0xC0) == 0x80;
            cp = (cp << 6) | (p[i] & 0x3Fu);
        }
        if (ok && ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))))
            ok = 0;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        p += n + 1;
    }
}

static void err_fix(xc_error *e)
{
    utf8_fix(e->msg);
    utf8_fix(e->field);
}

static json_t *error_json(xc_error *e)
{
    err_fix(e);
    return json_pack("{s:{s:s, s:s, s:o}}", "error", "code", xc_error_name(e->code), "message", e->msg, "field",
                     e->field[0] ? json_string(e->field) : json_null());
}

/* ---- checks ---------------------------------------------------------------------------- */

static const fspec check_spec[] = {
    {"regime", T_STR},         {"item", T_STR},           {"to", T_STR},       {"activity", T_STR},
    {"end_user_type", T_STR},  {"end_user_flags", T_STRS}, {"parties", T_STRS}, {"risk_flags", T_STRS},
    {"date", T_STR},           {"record", T_BOOL},
};
#define N_CHECK_SPEC (sizeof(check_spec) / sizeof(check_spec[0]))

typedef struct check_in {
    xc_check_req req;
    int record; /* -1: not said */
} check_in;

static void check_in_init(check_in *in)
{
    memset(in, 0, sizeof(*in));
    in->req.date = XC_DATE_NONE;
    in->record = -1;
}

static int strs_field(json_t *o, const char *name, const char *prefix, const char **dst, size_t *n, size_t max,
                      xc_error *err)
{
    json_t *a = field(o, name), *e;
    size_t i;
    char f[128];
    if (!a)
        return XC_OK;
    if (json_array_size(a) > max)
        return xc_error_set(err, XC_EINVAL, fpath(f, sizeof(f), prefix, name), "%s: at most %zu values",
                            fpath(f, sizeof(f), prefix, name), max);
    json_array_foreach(a, i, e) dst[i] = json_string_value(e);
    *n = json_array_size(a);
    return XC_OK;
}

/* Lay the fields of o over *in (a batch item over the defaults). */
static int parse_check(json_t *o, const char *prefix, check_in *in, xc_error *err)
{
    int rc = check_fields(o, check_spec, N_CHECK_SPEC, prefix, err);
    if (rc)
        return rc;
    const char **s[] = {&in->req.regime, &in->req.item, &in->req.destination, &in->req.activity,
                        &in->req.end_user_type};
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        if (str_field(o, check_spec[i].name))
            *s[i] = str_field(o, check_spec[i].name);
    if (field(o, "record"))
        in->record = json_is_true(field(o, "record"));
    if ((rc = strs_field(o, "end_user_flags", prefix, in->req.end_user_flags, &in->req.n_end_user_flags,
                         XC_CHECK_MAX_FLAGS, err)) ||
        (rc = strs_field(o, "parties", prefix, in->req.parties, &in->req.n_parties, XC_CHECK_MAX_PARTIES, err)) ||
        (rc = strs_field(o, "risk_flags", prefix, in->req.risk_flags, &in->req.n_risk_flags, XC_CHECK_MAX_FLAGS,
                         err)))
        return rc;
    return date_field(o, "date", prefix, &in->req.date, err);
}

/* Answer a parsed check on engine p, like `check --json` (before recording). */
static int answer_check(const xc_policy *p, check_in *in, const char *prefix, xc_check *chk, json_t **answer,
                        xc_error *err)
{
    static const char *const required[] = {"regime", "item", "to"};
    const char *have[] = {in->req.regime, in->req.item, in->req.destination};
    for (size_t i = 0; i < 3; i++)
        if (!have[i])
            return missing(err, prefix, required[i]);
    if (in->req.date == XC_DATE_NONE)
        in->req.date = xc_date_today();
    int rc = xc_check_answer(p, &in->req, chk, answer, err);
    return rc ? in_field(err, rc, prefix) : XC_OK;
}

/* Decisions to record in one group-commit write. */
typedef struct recs {
    const xc_policy *p;
    const xc_check *chk;
    json_t **answers;
    size_t n;
} recs;

static int record_all(xc_store *s, void *arg, xc_error *err)
{
    recs *w = arg;
    for (size_t i = 0; i < w->n; i++) {
        if (!w->answers[i])
            continue;
        int64_t id;
        int rc = xc_decision_record_check(s, w->p, &w->chk[i], w->answers[i], &id, err);
        if (rc)
            return rc;
    }
    return XC_OK;
}

/* Answers to unrecorded checks, per thread: an answer is a function of the
 * request as given, its date and the engine (xc_policy_serial), so a
 * repeated question is answered with the stored text.  Direct-mapped. */
#define ACACHE_SLOTS 256
#define ACACHE_KEY_MAX 1024

typedef struct aslot {
    uint64_t serial, hash;
    char *key, *text;
    size_t key_len, len;
} aslot;

static pthread_key_t acache_key;
static pthread_once_t acache_once = PTHREAD_ONCE_INIT;

static void acache_free(void *p)
{
    aslot *a = p;
    for (size_t i = 0; a && i < ACACHE_SLOTS; i++) {
        xc_free(a[i].key);
        xc_free(a[i].text);
    }
    xc_free(a);
}

static void acache_key_make(void)
{
    (void)pthread_key_create(&acache_key, acache_free);
}

static aslot *acache(void)
{
    pthread_once(&acache_once, acache_key_make);
    aslot *a = pthread_getspecific(acache_key);
    if (!a && (a = xc_calloc(ACACHE_SLOTS, sizeof(*a))) && pthread_setspecific(acache_key, a) != 0) {
        xc_free(a);
        a = NULL;
    }
    return a;
}

static size_t key_put(char *k, size_t o, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (o + n + 12 > ACACHE_KEY_MAX)
        return ACACHE_KEY_MAX + 1;
    o += (size_t)snprintf(k + o, 12, "%c%zu:", s ? 's' : 'n', n); /* length-prefixed: unambiguous */
    memcpy(k + o, s ? s : "", n);
    return o + n;
}

/* The cache key of a request (with its date resolved); 0 when too long. */
static size_t cache_key(const xc_check_req *q, char k[ACACHE_KEY_MAX + 12])
{
    const char *one[] = {q->regime, q->item, q->destination, q->activity, q->end_user_type};
    size_t o = (size_t)snprintf(k, 16, "%ld|", (long)q->date);
    for (size_t i = 0; i < 5 && o <= ACACHE_KEY_MAX; i++)
        o = key_put(k, o, one[i]);
    const char *const *lists[] = {q->end_user_flags, q->parties, q->risk_flags};
    size_t ns[] = {q->n_end_user_flags, q->n_parties, q->n_risk_flags};
    for (size_t l = 0; l < 3 && o <= ACACHE_KEY_MAX; l++) {
        o = key_put(k, o, "[");
        for (size_t i = 0; i < ns[l] && o <= ACACHE_KEY_MAX; i++)
            o = key_put(k, o, lists[l][i]);
    }
    return o <= ACACHE_KEY_MAX ? o : 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int text_resp(xc_resp *out, const char *text, size_t len, xc_error *err)
{
    if (!(out->text = xc_malloc(len + 1)))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    memcpy(out->text, text, len + 1);
    out->content_type = "application/json";
    return XC_OK;
}

/* The slot of key in this thread's cache, or NULL when there is no cache
 * or the key is empty; *hit says whether it holds key's answer for serial. */
static aslot *acache_slot(const char *key, size_t kl, uint64_t serial, int *hit)
{
    aslot *cache = acache();
    *hit = 0;
    if (!cache || !kl)
        return NULL;
    uint64_t h = fnv1a(key, kl);
    aslot *sl = &cache[h % ACACHE_SLOTS];
    *hit = sl->text && sl->serial == serial && sl->hash == h && sl->key_len == kl && !memcmp(sl->key, key, kl);
    return sl;
}

/* Answer with text (json_dumps output, handed over) and keep a copy in sl. */
static int acache_answer(aslot *sl, const char *key, size_t kl, uint64_t serial, char *text, xc_resp *out)
{
    size_t len = strlen(text);
    if (sl) {
        char *kc = xc_malloc(kl);
        char *tc = kc ? xc_malloc(len + 1) : NULL;
        if (tc) {
            memcpy(kc, key, kl);
            memcpy(tc, text, len + 1);
            xc_free(sl->key);
            xc_free(sl->text);
            *sl = (aslot){serial, fnv1a(key, kl), kc, tc, kl, len};
        } else
            xc_free(kc);
    }
    out->text = text; /* json_dumps allocates with xc_malloc (xc_mem_init) */
    out->content_type = "application/json";
    return XC_OK;
}

/* An unrecorded check: from the cache, or answered and cached (as text). */
static int check_cached(const xc_policy *p, check_in *in, xc_resp *out, xc_error *err)
{
    char key[ACACHE_KEY_MAX + 12];
    xc_check chk;
    json_t *answer = NULL;
    int hit;
    if (in->req.date == XC_DATE_NONE)
        in->req.date = xc_date_today();
    size_t kl = cache_key(&in->req, key);
    uint64_t serial = xc_policy_serial(p);
    aslot *sl = acache_slot(key, kl, serial, &hit);
    if (hit)
        return text_resp(out, sl->text, sl->len, err);
    int rc = answer_check(p, in, "", &chk, &answer, err);
    if (rc)
        return rc;
    char *text = json_dumps(answer, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(answer);
    if (!text)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    return acache_answer(sl, key, kl, serial, text, out);
}

static int h_check_run(xc_req *r, xc_resp *out, xc_error *err)
{
    check_in in;
    xc_check chk;
    xc_policy *p = NULL;
    json_t *answer = NULL;
    check_in_init(&in);
    int rc = need_body(r, err);
    if (rc || (rc = parse_check(r->body, "", &in, err)) || (rc = xc_srv_policy(r, &p, err)))
        return rc;
    if (in.record == 0)
        return check_cached(p, &in, out, err);
    if ((rc = answer_check(p, &in, "", &chk, &answer, err)))
        return rc;
    recs w = {p, &chk, &answer, 1};
    if ((rc = xc_srv_write(r, record_all, &w, err))) {
        json_decref(answer);
        return rc;
    }
    out->body = answer;
    return XC_OK;
}

static const fspec batch_spec[] = {{"checks", T_ARR}, {"defaults", T_OBJ}, {"record", T_BOOL}};

static int h_check_batch_run(xc_req *r, xc_resp *out, xc_error *err)
{
    check_in defaults;
    xc_policy *p = NULL;
    xc_check *chks = NULL;
    json_t **answers = NULL, *results = NULL;
    size_t n = 0, answered = 0, failed = 0, to_record = 0;
    check_in_init(&defaults);
    int rc = need_body(r, err);
    if (rc || (rc = check_fields(r->body, batch_spec, 3, "", err)))
        return rc;
    json_t *checks = field(r->body, "checks");
    if (!checks)
        return missing(err, "", "checks");
    if ((n = json_array_size(checks)) == 0)
        return xc_error_set(err, XC_EINVAL, "checks", "checks: give 1 to %d checks", BATCH_MAX);
    if (n > BATCH_MAX)
        return xc_error_set(err, XC_ELIMIT, "checks", "checks: %zu checks, more than the %d a batch may hold", n,
                            BATCH_MAX);
    if (field(r->body, "defaults") && (rc = parse_check(field(r->body, "defaults"), "defaults.", &defaults, err)))
        return rc;
    if (field(r->body, "record") && defaults.record < 0)
        defaults.record = json_is_true(field(r->body, "record"));
    if ((rc = xc_srv_policy(r, &p, err)))
        return rc;
    chks = xc_malloc(n * sizeof(*chks));
    answers = xc_calloc(n, sizeof(*answers));
    results = json_array();
    if (!chks || !answers || !results) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(checks, i);
        check_in in = defaults;
        xc_error ie;
        char prefix[32];
        xc_error_clear(&ie);
        snprintf(prefix, sizeof(prefix), "checks[%zu].", i);
        int irc = json_is_object(item) ? parse_check(item, prefix, &in, &ie)
                                       : xc_error_set(&ie, XC_EINVAL, "", "%.*s: must be an object",
                                                      (int)strlen(prefix) - 1, prefix);
        if (irc == XC_EINVAL && !ie.field[0])
            snprintf(ie.field, sizeof(ie.field), "checks[%zu]", i);
        json_t *answer = NULL;
        if (irc == XC_OK)
            irc = answer_check(p, &in, prefix, &chks[i], &answer, &ie);
        if (irc == XC_ENOMEM) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        if (irc) {
            failed++;
            if (json_array_append_new(results, error_json(&ie))) {
                rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
                goto out;
            }
            continue;
        }
        if (json_array_append_new(results, answer)) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        answered++;
        if (in.record != 0) {
            answers[i] = answer; /* borrowed from results; recording adds decision_id to it */
            to_record++;
        }
    }
    if (to_record) {
        recs w = {p, chks, answers, n};
        if ((rc = xc_srv_write(r, record_all, &w, err)))
            goto out;
    }
    out->body = json_pack("{s:O, s:I, s:I}", "results", results, "answered", (json_int_t)answered, "failed",
                          (json_int_t)failed);
    if (!out->body)
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
out:
    json_decref(results);
    xc_free(answers);
    xc_free(chks);
    return rc;
}

/* A boolean query argument: absent (dflt), true/1 or false/0. */
static int query_bool(const xc_req *r, const char *name, int dflt, int *out, xc_error *err)
{
    const char *v = xc_req_query(r, name);
    *out = dflt;
    if (!v)
        return XC_OK;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "") == 0)
        *out = 1;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = 0;
    else
        return xc_error_set(err, XC_EINVAL, name, "%s: \"%.64s\" is not true or false", name, v);
    return XC_OK;
}

/* An exporter may replay only the decisions its own organisation's users
 * recorded: the decision's audit event names who recorded it.  Anything
 * else answers like an unknown id. */
static int exporter_may_replay(xc_req *r, xc_store *s, long long id, xc_error *err)
{
    char subject[40];
    json_t *evs = NULL, *user = NULL;
    snprintf(subject, sizeof(subject), "decision:%lld", id);
    int rc = xc_audit_events(s, 1, 1, "check.decision", subject, NULL, &evs, err);
    if (rc)
        return rc;
    const char *actor = json_string_value(json_object_get(json_array_get(evs, 0), "actor"));
    int same = 0;
    if (actor && xc_user_get(s, actor, &user, err) == XC_OK) {
        const char *org = json_string_value(json_object_get(user, "org"));
        same = org && r->who->org[0] && strcmp(org, r->who->org) == 0;
    }
    json_decref(user);
    json_decref(evs);
    xc_error_clear(err);
    return same ? XC_OK : xc_error_set(err, XC_ENOTFOUND, "id", "no decision with id %lld", id);
}

static int h_replay_run(xc_req *r, xc_resp *out, xc_error *err)
{
    const char *t = r->n_params ? r->params[0] : "";
    long long id = 0;
    int compare_now, identical, rc;
    for (const char *q = t; *q; q++) {
        if (*q < '0' || *q > '9' || id > (INT64_MAX - 9) / 10) {
            id = 0;
            break;
        }
        id = id * 10 + (*q - '0');
    }
    if (id <= 0)
        return xc_error_set(err, XC_EINVAL, "id", "id: \"%.64s\" is not a decision id (a positive whole number)", t);
    if ((rc = query_only(r, "compare_now", err)) || (rc = query_bool(r, "compare_now", 0, &compare_now, err)))
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : xc_error_set(err, XC_EDB, NULL, "the store is not available");
    if (r->who->role == XC_ROLE_EXPORTER && (rc = exporter_may_replay(r, s, id, err)))
        return rc;
    return xc_decision_replay(s, id, compare_now, &out->body, &identical, err);
}

/* ---- screening ----------------------------------------------------------------------------- */

static const fspec screen_spec[] = {{"name", T_STR},      {"type", T_STR},  {"country", T_STR},
                                    {"threshold", T_NUM}, {"limit", T_INT}, {"date", T_STR}};
static const fspec screen_batch_spec[] = {{"names", T_ARR},     {"rows", T_ARR},  {"type", T_STR}, {"country", T_STR},
                                          {"threshold", T_NUM}, {"limit", T_INT}, {"date", T_STR}};
static const fspec row_spec[] = {{"name", T_STR}, {"type", T_STR}, {"country", T_STR}};

static int type_field(json_t *o, const char *prefix, int *out, xc_error *err)
{
    const char *t = str_field(o, "type");
    char f[128];
    if (!t)
        return XC_OK;
    if (strcmp(t, "person") == 0)
        *out = XC_NAME_PERSON;
    else if (strcmp(t, "entity") == 0)
        *out = XC_NAME_ENTITY;
    else
        return xc_error_set(err, XC_EINVAL, fpath(f, sizeof(f), prefix, "type"), "%s: \"%.64s\" is not person or entity",
                            fpath(f, sizeof(f), prefix, "type"), t);
    return XC_OK;
}

static int country_field(json_t *o, const char *prefix, char cc[3], xc_error *err)
{
    const char *c = str_field(o, "country");
    const xc_country *k;
    char f[128];
    if (!c)
        return XC_OK;
    int rc = xc_country_lookup(c, fpath(f, sizeof(f), prefix, "country"), &k, err);
    if (rc == XC_OK)
        memcpy(cc, k->alpha2, 3);
    return rc;
}

typedef struct screen_in {
    xc_screen_opts o;
    char country[3];
} screen_in;

/* The options shared by POST /v1/screen and /v1/screen/batch (as the CLI's). */
static int parse_screen(json_t *b, screen_in *in, xc_error *err)
{
    json_t *thr = field(b, "threshold"), *lim = field(b, "limit");
    memset(in, 0, sizeof(*in));
    in->o.threshold = -1;
    in->o.at = xc_date_today();
    int rc = type_field(b, "", &in->o.type, err);
    if (rc || (rc = country_field(b, "", in->country, err)) || (rc = date_field(b, "date", "", &in->o.at, err)))
        return rc;
    if (in->country[0])
        in->o.country = in->country;
    if (thr) {
        double t = json_number_value(thr);
        if (t < 0 || t > 1)
            return xc_error_set(err, XC_EINVAL, "threshold", "threshold: %g is not a number from 0 to 1", t);
        in->o.threshold = t;
    }
    if (lim) {
        json_int_t k = json_integer_value(lim);
        if (k < 1 || k > XC_SCREEN_MAX_HITS)
            return xc_error_set(err, XC_EINVAL, "limit", "limit: %lld is not a whole number from 1 to %d",
                                (long long)k, XC_SCREEN_MAX_HITS);
        in->o.limit = (int)k;
    }
    return XC_OK;
}

/* The index a request screens against: the server's shared one when it was
 * built for the request's date, else one built for that date from the
 * store (as `screen --date` does). */
typedef struct sctx {
    const xc_screen_index *idx;
    xc_screen_scratch *scratch;
    int shared;
    xc_party_snapshot *snaps;
    size_t n_snaps;
    xc_screen_index *own;
    xc_allow *allow;
    size_t n_allow;
} sctx;

static void sctx_close(xc_req *r, sctx *c)
{
    if (c->shared)
        xc_srv_screen_release(r, c->idx);
    else {
        xc_screen_scratch_free(c->scratch);
        xc_screen_index_free(c->own);
        xc_parties_free(c->snaps, c->n_snaps);
        xc_allow_free(c->allow, c->n_allow);
    }
    memset(c, 0, sizeof(*c));
}

static int sctx_open(xc_req *r, xc_date at, int dated, sctx *c, xc_screen_opts *o, xc_error *err)
{
    const xc_allow *allow = NULL;
    size_t n_allow = 0;
    memset(c, 0, sizeof(*c));
    int rc = xc_srv_screen(r, &c->idx, &c->scratch, &allow, &n_allow, err);
    if (rc == XC_OK && xc_screen_index_date(c->idx) == at) {
        c->shared = 1;
        o->allow = allow;
        o->n_allow = n_allow;
        return XC_OK;
    }
    if (rc == XC_OK)
        xc_srv_screen_release(r, c->idx);
    else if (!dated)
        return rc; /* fails closed: no list in force, or one too old (XC_EINVAL) */
    memset(c, 0, sizeof(*c));
    xc_error_clear(err);
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : xc_error_set(err, XC_EDB, NULL, "the store is not available");
    if ((rc = xc_parties_load(s, XC_TS_LATEST, &c->snaps, &c->n_snaps, err)) ||
        (rc = xc_allow_load(s, XC_TS_LATEST, &c->allow, &c->n_allow, err)) ||
        (rc = xc_screen_index_build(c->snaps, c->n_snaps, at, &c->own, err)) ||
        (rc = xc_screen_scratch_new(c->own, &c->scratch, err))) {
        sctx_close(r, c);
        return rc;
    }
    c->idx = c->own;
    o->allow = c->allow;
    o->n_allow = c->n_allow;
    return XC_OK;
}

/* A result buffer per thread (it is large: every hit carries two names). */
static pthread_key_t res_key;
static pthread_once_t res_once = PTHREAD_ONCE_INIT;

static void res_free(void *p)
{
    xc_free(p);
}

static void res_key_make(void)
{
    (void)pthread_key_create(&res_key, res_free);
}

static xc_screen_result *thread_result(xc_error *err)
{
    pthread_once(&res_once, res_key_make);
    xc_screen_result *res = pthread_getspecific(res_key);
    if (!res && (res = xc_malloc(sizeof(*res))) && pthread_setspecific(res_key, res) != 0) {
        xc_free(res);
        res = NULL;
    }
    if (!res)
        xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    return res;
}

static int h_screen_run(xc_req *r, xc_resp *out, xc_error *err)
{
    screen_in in;
    sctx c;
    int rc = need_body(r, err);
    if (rc || (rc = check_fields(r->body, screen_spec, sizeof(screen_spec) / sizeof(screen_spec[0]), "", err)))
        return rc;
    const char *name = str_field(r->body, "name");
    if (!name)
        return missing(err, "", "name");
    if ((rc = parse_screen(r->body, &in, err)))
        return rc;
    xc_screen_result *res = thread_result(err);
    if (!res || (rc = sctx_open(r, in.o.at, field(r->body, "date") != NULL, &c, &in.o, err)))
        return res ? rc : XC_ENOMEM;
    /* the answer is a function of the body, the date and the shared index
     * (its serial changes with every rebuild, including allow-list changes) */
    char key[ACACHE_KEY_MAX + 12];
    size_t kl = 0;
    int hit = 0;
    aslot *sl = NULL;
    uint64_t serial = c.shared ? xc_srv_screen_serial(r) : 0;
    if (c.shared) {
        char *canon = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS);
        size_t cl = canon ? strlen(canon) : 0;
        if (canon && cl + 16 <= ACACHE_KEY_MAX) {
            kl = (size_t)snprintf(key, 16, "%ld|", (long)in.o.at);
            memcpy(key + kl, canon, cl);
            kl += cl;
        }
        xc_free(canon);
        sl = acache_slot(key, kl, serial, &hit);
    }
    if (hit) {
        rc = text_resp(out, sl->text, sl->len, err);
        sctx_close(r, &c);
        return rc;
    }
    if ((rc = xc_screen_query(c.idx, c.scratch, name, &in.o, res, err)) == XC_OK &&
        !(out->body = xc_screen_answer_json(c.idx, res, name)))
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK && sl) {
        char *text = json_dumps(out->body, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (text) {
            json_decref(out->body);
            out->body = NULL;
            acache_answer(sl, key, kl, serial, text, out);
        }
    }
    if (rc && !strcmp(err->field, "query"))
        snprintf(err->field, sizeof(err->field), "name");
    sctx_close(r, &c);
    return rc;
}

typedef struct srow {
    const char *name;
    int type;
    char country[3];
} srow;

static int h_screen_batch_run(xc_req *r, xc_resp *out, xc_error *err)
{
    screen_in in;
    sctx c;
    srow *rows = NULL;
    json_t *results = NULL;
    size_t n = 0, failed = 0;
    int rc = need_body(r, err), opened = 0;
    if (rc || (rc = check_fields(r->body, screen_batch_spec,
                                 sizeof(screen_batch_spec) / sizeof(screen_batch_spec[0]), "", err)))
        return rc;
    json_t *names = field(r->body, "names"), *rws = field(r->body, "rows");
    const char *which = rws ? "rows" : "names";
    json_t *arr = rws ? rws : names;
    if (names && rws)
        return xc_error_set(err, XC_EINVAL, "rows", "rows: give names or rows, not both");
    if (!arr)
        return missing(err, "", "names");
    if ((n = json_array_size(arr)) == 0)
        return xc_error_set(err, XC_EINVAL, which, "%s: give 1 to %d names", which, BATCH_MAX);
    if (n > BATCH_MAX)
        return xc_error_set(err, XC_ELIMIT, which, "%s: %zu names, more than the %d a batch may hold", which, n,
                            BATCH_MAX);
    if ((rc = parse_screen(r->body, &in, err)))
        return rc;
    if (!(rows = xc_calloc(n, sizeof(*rows))))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        json_t *e = json_array_get(arr, i);
        char prefix[32], f[32];
        rows[i].type = in.o.type;
        memcpy(rows[i].country, in.country, 3);
        snprintf(f, sizeof(f), "%s[%zu]", which, i);
        snprintf(prefix, sizeof(prefix), "%s.", f);
        if (names) {
            if (!(rows[i].name = json_string_value(e)))
                rc = xc_error_set(err, XC_EINVAL, f, "%s: must be a string", f);
        } else if (!json_is_object(e))
            rc = xc_error_set(err, XC_EINVAL, f, "%s: must be an object", f);
        else if ((rc = check_fields(e, row_spec, 3, prefix, err)) == XC_OK &&
                   !(rows[i].name = str_field(e, "name")))
            rc = missing(err, prefix, "name");
        else if (rc == XC_OK && (rc = type_field(e, prefix, &rows[i].type, err)) == XC_OK)
            rc = country_field(e, prefix, rows[i].country, err);
    }
    xc_screen_result *res = rc ? NULL : thread_result(err);
    if (!rc && !res)
        rc = XC_ENOMEM;
    if (rc || (rc = sctx_open(r, in.o.at, field(r->body, "date") != NULL, &c, &in.o, err)))
        goto out;
    opened = 1;
    if (!(results = json_array())) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        xc_screen_opts o = in.o;
        xc_error qe;
        xc_error_clear(&qe);
        o.type = rows[i].type;
        o.country = rows[i].country[0] ? rows[i].country : NULL;
        int qrc = xc_screen_query(c.idx, c.scratch, rows[i].name, &o, res, &qe);
        if (qrc)
            err_fix(&qe);
        json_t *row = xc_screen_row_json(c.idx, res, i + 1, 0, rows[i].name, qrc ? &qe : NULL);
        if (!row || json_array_append_new(results, row)) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        failed += qrc != XC_OK;
    }
    out->body = json_pack("{s:O, s:I, s:I}", "results", results, "screened", (json_int_t)(n - failed), "failed",
                          (json_int_t)failed);
    if (!out->body)
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
out:
    if (opened)
        sctx_close(r, &c);
    json_decref(results);
    xc_free(rows);
    return rc;
}

/* ---- matching --------------------------------------------------------------------------------- */

static const fspec match_spec[] = {{"name1", T_STR}, {"name2", T_STR}, {"threshold", T_NUM}, {"type", T_STR}};

static int h_match_run(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const fields[2] = {"name1", "name2"};
    double threshold = XC_MATCH_DEFAULT_THRESHOLD;
    int type = XC_NAME_UNKNOWN;
    int rc = need_body(r, err);
    if (rc || (rc = check_fields(r->body, match_spec, 4, "", err)))
        return rc;
    const char *n1 = str_field(r->body, "name1"), *n2 = str_field(r->body, "name2"), *t = str_field(r->body, "type");
    if (!n1 || !n2)
        return missing(err, "", n1 ? "name2" : "name1");
    if (field(r->body, "threshold")) {
        threshold = json_number_value(field(r->body, "threshold"));
        if (threshold < 0 || threshold > 1)
            return xc_error_set(err, XC_EINVAL, "threshold", "threshold: %g is not a number from 0 to 1", threshold);
    }
    if (t && strcmp(t, "person") == 0)
        type = XC_NAME_PERSON;
    else if (t && strcmp(t, "entity") == 0)
        type = XC_NAME_ENTITY;
    else if (t && strcmp(t, "unknown") != 0)
        return xc_error_set(err, XC_EINVAL, "type", "type: \"%.64s\" is not person, entity or unknown", t);
    return xc_match_pair_json(n1, n2, type, threshold, fields, &out->body, err);
}

/* ---- allow-list -------------------------------------------------------------------------------- */

static int h_allow_ls_run(xc_req *r, xc_resp *out, xc_error *err)
{
    xc_allow *a = NULL;
    size_t n = 0;
    int rc = query_only(r, NULL, err);
    if (rc)
        return rc;
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : xc_error_set(err, XC_EDB, NULL, "the store is not available");
    rc = xc_allow_load(s, XC_TS_LATEST, &a, &n, err);
    if (rc)
        return rc;
    out->body = xc_allow_json(a, n, xc_date_today());
    xc_allow_free(a, n);
    return out->body ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

static const fspec allow_spec[] = {{"name", T_STR},   {"list", T_STR}, {"entry", T_STR},
                                   {"reason", T_STR}, {"who", T_STR},  {"expires", T_STR}};

static int h_allow_add_run(xc_req *r, xc_resp *out, xc_error *err)
{
    static const char *const required[] = {"name", "list", "entry", "reason"};
    xc_date expires = XC_DATE_NONE;
    int rc = need_body(r, err);
    if (rc || (rc = check_fields(r->body, allow_spec, 6, "", err)))
        return rc;
    for (size_t i = 0; i < 4; i++)
        if (!str_field(r->body, required[i]))
            return missing(err, "", required[i]);
    const char *exp = str_field(r->body, "expires"), *who = str_field(r->body, "who");
    if (exp && (rc = xc_date_parse(exp, &expires, "expires", err)))
        return rc;
    if (!who)
        who = r->who && r->who->user[0] ? r->who->user : "unknown";
    xc_store *s = xc_srv_store(r, err);
    if (!s)
        return err->code ? err->code : xc_error_set(err, XC_EDB, NULL, "the store is not available");
    const char *name = str_field(r->body, "name"), *list = str_field(r->body, "list"),
               *entry = str_field(r->body, "entry");
    if ((rc = xc_allow_add(s, name, list, entry, str_field(r->body, "reason"), who, expires, err))) {
        if (!strcmp(err->field, "query"))
            snprintf(err->field, sizeof(err->field), "name");
        return rc;
    }
    xc_srv_data_changed(r->srv); /* screening suppresses the cleared hit from the next request on */
    out->status = 201;
    out->body = xc_allow_added_json(name, list, entry);
    return out->body ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

/* ---- the table ---------------------------------------------------------------------------------- */

/* Each handler through one wrapper: error messages made valid UTF-8. */
#define HANDLER(h)                                                                                                     \
    static int h(xc_req *r, xc_resp *out, xc_error *err)                                                              \
    {                                                                                                                  \
        int rc = h##_run(r, out, err);                                                                                 \
        if (rc)                                                                                                        \
            err_fix(err);                                                                                              \
        return rc;                                                                                                     \
    }
HANDLER(h_check)
HANDLER(h_check_batch)
HANDLER(h_replay)
HANDLER(h_screen)
HANDLER(h_screen_batch)
HANDLER(h_match)
HANDLER(h_allow_ls)
HANDLER(h_allow_add)

#define CHECK_BODY "regime*,item*,to*,activity,end_user_type,end_user_flags,parties,risk_flags,date,record"

const xc_route xc_routes_checks[] = {
    {"POST", "/v1/check", h_check, XC_ROLES_USERS,
     "May this export go ahead, and why: the answer of `exportctl check --json` (recorded unless record is false)",
     NULL, CHECK_BODY, "checks"},
    {"POST", "/v1/check/batch", h_check_batch, XC_ROLES_USERS,
     "Up to 1,000 checks; each item's fields override defaults; every decision recorded in one commit", NULL,
     "checks*,defaults,record", "checks"},
    {"GET", "/v1/decisions/{id}/replay", h_replay, XC_ROLES_USERS,
     "Re-run a stored decision with exactly the inputs it used (`exportctl check --replay ID --json`)",
     "compare_now", NULL, "checks"},
    {"POST", "/v1/screen", h_screen, XC_ROLES_USERS,
     "Screen a name against the denied-party lists (`exportctl screen NAME --json`); fails closed", NULL,
     "name*,type,country,threshold,limit,date", "screening"},
    {"POST", "/v1/screen/batch", h_screen_batch, XC_ROLES_USERS,
     "Screen up to 1,000 names (or rows {name, type, country}); one result per name, in order", NULL,
     "names,rows,type,country,threshold,limit,date", "screening"},
    {"POST", "/v1/match", h_match, XC_ROLES_USERS, "Score how well two names match, and why (`exportctl match --json`)",
     NULL, "name1*,name2*,threshold,type", "screening"},
    {"GET", "/v1/allow", h_allow_ls, XC_ROLES_USERS, "The allow-list of cleared false positives (`exportctl allow ls`)",
     NULL, NULL, "screening"},
    {"POST", "/v1/allow", h_allow_add, XC_ROLE_ADMIN | XC_ROLE_OFFICER,
     "Clear a false positive: the name is not that listed entry (`exportctl allow add`)", NULL,
     "name*,list*,entry*,reason*,who,expires", "screening"},
};
const size_t xc_n_routes_checks = sizeof(xc_routes_checks) / sizeof(xc_routes_checks[0]);
