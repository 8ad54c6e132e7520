/*
 * policy.c: rule-pack parsing and validation, the engine's in-memory form,
 * evaluation and the trace.
 *
 * Countries are indexed by their alpha-2 code ((a-'A')*26 + (b-'A')), so a
 * list version is a 676-bit set and membership is one bit test.  Each list
 * keeps its current timeline (latest recording per effective date) with the
 * end of each version precomputed; a date finds its version by binary search.
 */
#include "policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllist.h"
#include "country.h"
#include "docs.h"
#include "mem.h"
#include "model.h"
#include "parties.h"
#include "registry.h"
#include "screen.h"

#define FORMAT_NAME "exportctl-rules/1"
#define MAX_RULES 64
#define MAX_PREDS 16
#define MAX_ACTIVITIES 8
#define MAX_CHART_PREFIXES 4
#define MAX_REASONS 8
#define N_CC 676
#define CC_WORDS ((N_CC + 63) / 64)

static const char *const outcome_names[XC_OUTCOME_COUNT] = {
    "no-licence-required", "general-authorisation", "licence-required", "licence-required-presumption-of-denial",
    "prohibited"};

static const char *const eut_names[] = {"unknown", "government", "company", "individual"};

const char *xc_outcome_name(int o)
{
    return o >= 0 && o < XC_OUTCOME_COUNT ? outcome_names[o] : "unknown";
}

static int outcome_parse(const char *s)
{
    for (int i = 0; i < XC_OUTCOME_COUNT; i++)
        if (strcmp(s, outcome_names[i]) == 0)
            return i;
    return -1;
}

const char *xc_end_user_type_name(int t)
{
    return t >= 0 && t <= XC_EUT_INDIVIDUAL ? eut_names[t] : "unknown";
}

int xc_end_user_type_parse(const char *s, int *out, const char *field, xc_error *err)
{
    for (int i = 1; s && i <= XC_EUT_INDIVIDUAL; i++) {
        if (strcmp(s, eut_names[i]) == 0) {
            *out = i;
            return XC_OK;
        }
    }
    return xc_error_set(err, XC_EINVAL, field, "%s: \"%s\" is not an end-user type; expected government, company or individual",
                        field ? field : "end_user_type", s ? s : "");
}

static int cc_index(const char *a2)
{
    if (!a2 || a2[0] < 'A' || a2[0] > 'Z' || a2[1] < 'A' || a2[1] > 'Z' || a2[2])
        return -1;
    return (a2[0] - 'A') * 26 + (a2[1] - 'A');
}

/* ---- in-memory form ------------------------------------------------------------ */

enum { EFFECT_REQUIRE, EFFECT_AUTHORISE, EFFECT_BAR, EFFECT_CONDITION };
static const char *const effect_names[] = {"require", "authorise", "bar", "condition"};

enum {
    P_ACTIVITY,
    P_ITEM_CONTROLLED,
    P_ITEM_FLAG,
    P_ITEM_IN,
    P_DEST_IN,
    P_DEST_NOT_IN,
    P_CHART,
    P_EUT,
    P_EUT_NOT,
    P_EUF,
    P_EUF_NOT,
    P_PARTY_ON,
    P_RISK,
    P_ANY,
    P_NOT,
    P_COUNT
};

static const char *const pred_names[P_COUNT] = {
    "activity", "item_controlled", "item_flag", "item_in", "destination_in", "destination_not_in", "chart",
    "end_user_type", "end_user_type_not", "end_user_flag", "end_user_flag_not", "party_on", "risk_flag", "any", "not"};

typedef struct pred {
    int kind;
    int bval;           /* item_controlled */
    unsigned mask;      /* activities or end-user types */
    char **strs;        /* item codes, flags, party lists, list ids */
    size_t n_strs;
    int *idx;           /* list indexes for destination_*; chart prefix index */
    struct pred *subs;  /* any / not */
    size_t n_subs;
} pred;

typedef struct rule {
    char *id, *title, *explain, *citation, *condition, *authorisation;
    int effect, outcome, confidence, bar_all;
    char **bars;
    size_t n_bars;
    xc_date from, to;
    pred *preds;
    size_t n_preds;
} rule;

typedef struct pack {
    char *regime, *version, *title, *authority, *source, *item_regime;
    int confidence;
    char *activities[MAX_ACTIVITIES];
    size_t n_activities;
    int default_activity;
    rule *rules;
    size_t n_rules;
    char *prefixes[MAX_CHART_PREFIXES]; /* chart list-id prefixes used */
    int uses_parties;                   /* some rule has party_on */
    size_t n_prefixes;
    char hash[65];
    int64_t doc_id;
    int64_t recorded_at;
} pack;

typedef struct lver {
    xc_date from, end;
    const xc_version *v;
    uint64_t bits[CC_WORDS];
} lver;

typedef struct llist {
    char *id;
    xc_version *all;   /* owned */
    size_t n_all;
    lver *tl;          /* current timeline */
    size_t n_tl;
} llist;

struct xc_policy {
    pack *packs;
    size_t n_packs;
    xc_item *items;
    size_t n_items;
    llist *lists;      /* sorted by id */
    size_t n_lists;
    xc_store *store;             /* borrowed, for loading party snapshots on demand */
    int64_t as_of;
    struct screen_cache *screen; /* built on the first check that names parties */
    uint64_t serial;             /* unique in the process, for caches keyed by engine */
};

/* The screening index for the snapshots in force on some date, reused while
 * checks fall on dates with the same snapshots in force. */
typedef struct screen_cache {
    int loaded;                 /* snapshots and allow-list read from the store */
    xc_party_snapshot *snaps;
    size_t n_snaps;
    xc_allow *allow;
    size_t n_allow;
    xc_screen_index *idx;
    xc_screen_scratch *scratch;
    xc_screen_result *res;
    const xc_party_snapshot **in_force; /* the set the index was built from */
    size_t n_in_force;
} screen_cache;

/* Names of lists a pack refers to, collected while parsing, to resolve later. */
typedef struct name_set {
    char **v;
    size_t n;
} name_set;

static int names_add(name_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return XC_OK;
    char **nv = xc_realloc(s->v, (s->n + 1) * sizeof(char *));
    if (!nv)
        return XC_ENOMEM;
    s->v = nv;
    if (!(s->v[s->n] = xc_strdup(name)))
        return XC_ENOMEM;
    s->n++;
    return XC_OK;
}

static void names_free(name_set *s)
{
    xc_strv_free(s->v, s->n);
    s->v = NULL;
    s->n = 0;
}

static void pred_clear(pred *p)
{
    xc_strv_free(p->strs, p->n_strs);
    xc_free(p->idx);
    for (size_t i = 0; i < p->n_subs; i++)
        pred_clear(&p->subs[i]);
    xc_free(p->subs);
}

static void rule_clear(rule *r)
{
    xc_free(r->id);
    xc_free(r->title);
    xc_free(r->explain);
    xc_free(r->citation);
    xc_free(r->condition);
    xc_free(r->authorisation);
    xc_strv_free(r->bars, r->n_bars);
    for (size_t i = 0; i < r->n_preds; i++)
        pred_clear(&r->preds[i]);
    xc_free(r->preds);
}

static void pack_clear(pack *p)
{
    xc_free(p->regime);
    xc_free(p->version);
    xc_free(p->title);
    xc_free(p->authority);
    xc_free(p->source);
    xc_free(p->item_regime);
    for (size_t i = 0; i < p->n_activities; i++)
        xc_free(p->activities[i]);
    for (size_t i = 0; i < p->n_prefixes; i++)
        xc_free(p->prefixes[i]);
    for (size_t i = 0; i < p->n_rules; i++)
        rule_clear(&p->rules[i]);
    xc_free(p->rules);
    memset(p, 0, sizeof(*p));
}

/* ---- parsing ---------------------------------------------------------------------- */

typedef struct pctx {
    xc_jctx j;
    pack *pk;
    name_set lists;   /* country lists referenced */
    name_set parties; /* party lists referenced */
} pctx;

static int oom(pctx *c)
{
    return xc_error_set(c->j.err, XC_ENOMEM, NULL, "out of memory");
}

static int dup_strs(pctx *c, const char **src, size_t n, char ***out)
{
    *out = xc_calloc(n ? n : 1, sizeof(char *));
    if (!*out)
        return oom(c);
    for (size_t i = 0; i < n; i++)
        if (!((*out)[i] = xc_strdup(src[i])))
            return oom(c);
    return XC_OK;
}

static int activity_index(const pack *pk, const char *a)
{
    for (size_t i = 0; i < pk->n_activities; i++)
        if (strcmp(pk->activities[i], a) == 0)
            return (int)i;
    return -1;
}

static int parse_preds(pctx *c, json_t *o, const char *path, pred **out, size_t *n_out);

static int parse_pred(pctx *c, const char *key, json_t *val, const char *path, pred *p)
{
    int rc, kind = -1;
    for (int k = 0; k < P_COUNT; k++)
        if (strcmp(key, pred_names[k]) == 0)
            kind = k;
    if (kind < 0) {
        char list[512] = "";
        for (int k = 0; k < P_COUNT; k++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "", pred_names[k]);
        return xc_j_bad(&c->j, XC_EINVAL, path, "unknown predicate \"%s\"; expected one of: %s", key, list);
    }
    p->kind = kind;
    if (kind == P_ITEM_CONTROLLED) {
        if (!json_is_boolean(val))
            return xc_j_bad(&c->j, XC_EINVAL, path, "expected true or false");
        p->bval = json_is_true(val);
        return XC_OK;
    }
    if (kind == P_NOT) {
        if (!json_is_object(val))
            return xc_j_bad(&c->j, XC_EINVAL, path, "expected a predicate object");
        return parse_preds(c, val, path, &p->subs, &p->n_subs);
    }
    if (kind == P_ANY) {
        if (!json_is_array(val) || json_array_size(val) == 0)
            return xc_j_bad(&c->j, XC_EINVAL, path, "expected a non-empty array of predicate objects");
        size_t n = json_array_size(val);
        if (!(p->subs = xc_calloc(n, sizeof(pred))))
            return oom(c);
        for (size_t i = 0; i < n; i++) {
            char sp[256];
            snprintf(sp, sizeof(sp), "%s[%zu]", path, i);
            pred *sub = &p->subs[i];
            p->n_subs = i + 1;
            /* each element is an all-of group: wrap it as `not(not(...))`-free:
             * store as a P_NOT-less group by reusing subs of a synthetic ANY child */
            sub->kind = P_COUNT; /* group marker */
            if ((rc = parse_preds(c, json_array_get(val, i), sp, &sub->subs, &sub->n_subs)))
                return rc;
        }
        return XC_OK;
    }
    /* the rest take a string or an array of strings */
    json_t *wrap = json_pack("{s:O}", "v", val);
    const char **strs = NULL;
    size_t n = 0;
    if (!wrap)
        return oom(c);
    char parent[256];
    snprintf(parent, sizeof(parent), "%.*s", (int)(strlen(path) - strlen(key) - 1), path);
    xc_jctx j2 = c->j;
    rc = xc_j_strs(&j2, wrap, parent, "v", 1, &strs, &n);
    json_decref(wrap);
    if (rc) {
        xc_error_set(c->j.err, XC_EINVAL, path, "%s: %s: expected a string or an array of strings", c->j.file, path);
        return XC_EINVAL;
    }
    if (n == 0) {
        xc_free(strs);
        return xc_j_bad(&c->j, XC_EINVAL, path, "must not be empty");
    }
    rc = dup_strs(c, strs, n, &p->strs);
    xc_free(strs);
    if (rc)
        return rc;
    p->n_strs = n;
    for (size_t i = 0; i < n; i++) {
        const char *s = p->strs[i];
        switch (kind) {
        case P_ACTIVITY: {
            int a = activity_index(c->pk, s);
            if (a < 0)
                return xc_j_bad(&c->j, XC_EINVAL, path, "\"%s\" is not one of the pack's activities", s);
            p->mask |= 1u << a;
            break;
        }
        case P_EUT:
        case P_EUT_NOT: {
            int t = 0;
            if ((rc = xc_end_user_type_parse(s, &t, path, c->j.err)))
                return xc_j_relabel(&c->j, rc);
            p->mask |= 1u << t;
            break;
        }
        case P_DEST_IN:
        case P_DEST_NOT_IN:
            if ((rc = xc_registry_check_id(s, path, c->j.err)))
                return xc_j_relabel(&c->j, rc);
            if (names_add(&c->lists, s))
                return oom(c);
            break;
        case P_PARTY_ON:
            c->pk->uses_parties = 1;
            if ((rc = xc_registry_check_id(s, path, c->j.err)))
                return xc_j_relabel(&c->j, rc);
            if (names_add(&c->parties, s))
                return oom(c);
            break;
        case P_CHART: {
            if (n != 1)
                return xc_j_bad(&c->j, XC_EINVAL, path, "expected one list-id prefix");
            size_t k;
            for (k = 0; k < c->pk->n_prefixes; k++)
                if (strcmp(c->pk->prefixes[k], s) == 0)
                    break;
            if (k == c->pk->n_prefixes) {
                if (k == MAX_CHART_PREFIXES)
                    return xc_j_bad(&c->j, XC_EINVAL, path, "more than %d chart prefixes", MAX_CHART_PREFIXES);
                if (!(c->pk->prefixes[k] = xc_strdup(s)))
                    return oom(c);
                c->pk->n_prefixes++;
            }
            if (!(p->idx = xc_calloc(1, sizeof(int))))
                return oom(c);
            p->idx[0] = (int)k;
            break;
        }
        default:
            break;
        }
    }
    return XC_OK;
}

static int parse_preds(pctx *c, json_t *o, const char *path, pred **out, size_t *n_out)
{
    const char *key;
    json_t *val;
    size_t n = json_object_size(o), i = 0;
    *out = NULL;
    *n_out = 0;
    if (!json_is_object(o))
        return xc_j_bad(&c->j, XC_EINVAL, path, "expected an object of predicates");
    if (n > MAX_PREDS)
        return xc_j_bad(&c->j, XC_EINVAL, path, "more than %d predicates", MAX_PREDS);
    if (!(*out = xc_calloc(n ? n : 1, sizeof(pred))))
        return oom(c);
    json_object_foreach(o, key, val) {
        char p[256];
        snprintf(p, sizeof(p), "%s.%s", path, key);
        *n_out = i + 1;
        int rc = parse_pred(c, key, val, p, &(*out)[i++]);
        if (rc)
            return rc;
    }
    return XC_OK;
}

static int parse_rule(pctx *c, json_t *o, const char *path, rule *r)
{
    static const char *const keys[] = {"id", "title", "effect", "outcome", "authorisation", "bars", "condition",
                                       "effective_from", "effective_to", "when", "explain", "citation",
                                       "confidence", NULL};
    const char *id, *title, *effect, *outcome = NULL, *auth = NULL, *cond = NULL, *explain, *citation, **bars = NULL;
    size_t nb = 0;
    char p[256];
    int rc;
    r->from = XC_DATE_NONE;
    r->to = XC_DATE_NONE;
    if ((rc = xc_j_keys(&c->j, o, path, keys)) || (rc = xc_j_str(&c->j, o, path, "id", 1, &id)))
        return rc;
    snprintf(p, sizeof(p), "%s.id", path);
    if ((rc = xc_registry_check_id(id, p, c->j.err)))
        return xc_j_relabel(&c->j, rc);
    if ((rc = xc_j_str(&c->j, o, path, "title", 1, &title)) || (rc = xc_j_str(&c->j, o, path, "effect", 1, &effect)) ||
        (rc = xc_j_str(&c->j, o, path, "outcome", 0, &outcome)) ||
        (rc = xc_j_str(&c->j, o, path, "authorisation", 0, &auth)) ||
        (rc = xc_j_str(&c->j, o, path, "condition", 0, &cond)) ||
        (rc = xc_j_str(&c->j, o, path, "explain", 1, &explain)) ||
        (rc = xc_j_str(&c->j, o, path, "citation", 1, &citation)) ||
        (rc = xc_j_conf(&c->j, o, path, "confidence", &r->confidence)) ||
        (rc = xc_j_date(&c->j, o, path, "effective_from", 0, &r->from)) ||
        (rc = xc_j_date(&c->j, o, path, "effective_to", 0, &r->to)) ||
        (rc = xc_j_strs(&c->j, o, path, "bars", 1, &bars, &nb)))
        goto out;
    r->effect = -1;
    for (int e = 0; e < 4; e++)
        if (strcmp(effect, effect_names[e]) == 0)
            r->effect = e;
    snprintf(p, sizeof(p), "%s.effect", path);
    if (r->effect < 0) {
        rc = xc_j_bad(&c->j, XC_EINVAL, p, "\"%s\" is not an effect; expected require, authorise, bar or condition",
                      effect);
        goto out;
    }
    /* each effect needs its own field and no other */
    const char *need = r->effect == EFFECT_REQUIRE     ? "outcome"
                       : r->effect == EFFECT_AUTHORISE ? "authorisation"
                       : r->effect == EFFECT_BAR       ? "bars"
                                                       : "condition";
    int have_need = r->effect == EFFECT_REQUIRE     ? outcome != NULL
                    : r->effect == EFFECT_AUTHORISE ? auth != NULL
                    : r->effect == EFFECT_BAR       ? nb > 0
                                                    : cond != NULL;
    int extra = (outcome && r->effect != EFFECT_REQUIRE) || (auth && r->effect != EFFECT_AUTHORISE) ||
                (nb && r->effect != EFFECT_BAR) || (cond && r->effect != EFFECT_CONDITION);
    if (!have_need || extra) {
        rc = xc_j_bad(&c->j, XC_EINVAL, path, "a \"%s\" rule needs \"%s\" and none of outcome, authorisation, bars, "
                                              "condition besides",
                      effect, need);
        goto out;
    }
    r->outcome = -1;
    if (outcome && (r->outcome = outcome_parse(outcome)) < 0) {
        snprintf(p, sizeof(p), "%s.outcome", path);
        rc = xc_j_bad(&c->j, XC_EINVAL, p,
                      "\"%s\" is not an outcome; expected no-licence-required, general-authorisation, "
                      "licence-required, licence-required-presumption-of-denial or prohibited",
                      outcome);
        goto out;
    }
    if (r->to != XC_DATE_NONE && r->from != XC_DATE_NONE && r->to <= r->from) {
        snprintf(p, sizeof(p), "%s.effective_to", path);
        rc = xc_j_bad(&c->j, XC_EINVAL, p, "not after effective_from");
        goto out;
    }
    if ((rc = dup_strs(c, bars, nb, &r->bars)))
        goto out;
    r->n_bars = nb;
    for (size_t i = 0; i < nb; i++)
        r->bar_all |= strcmp(bars[i], "*") == 0;
    r->id = xc_strdup(id);
    r->title = xc_strdup(title);
    r->explain = xc_strdup(explain);
    r->citation = xc_strdup(citation);
    r->authorisation = auth ? xc_strdup(auth) : NULL;
    r->condition = cond ? xc_strdup(cond) : NULL;
    if (!r->id || !r->title || !r->explain || !r->citation || (auth && !r->authorisation) || (cond && !r->condition)) {
        rc = oom(c);
        goto out;
    }
    json_t *when = json_object_get(o, "when");
    snprintf(p, sizeof(p), "%s.when", path);
    if (!when) {
        rc = xc_j_bad(&c->j, XC_EINVAL, p, "missing required field \"when\" (use {} for always)");
        goto out;
    }
    rc = parse_preds(c, when, p, &r->preds, &r->n_preds);
out:
    xc_free(bars);
    return rc;
}

/* Parse and validate a pack document into pk; list/party references are
 * collected in c for the caller to check. */
static int parse_pack(pctx *c, json_t *root)
{
    static const char *const keys[] = {"format", "regime", "version", "title", "authority", "source",
                                       "confidence", "item_regime", "activities", "default_activity", "rules",
                                       "$comment", NULL};
    const char *format, *regime, *version, *title, *authority, *source, *item_regime, *dact, **acts = NULL;
    size_t na = 0;
    pack *pk = c->pk;
    int rc;
    if ((rc = xc_j_keys(&c->j, root, "$", keys)) || (rc = xc_j_str(&c->j, root, "$", "format", 1, &format)))
        return rc;
    if (strcmp(format, FORMAT_NAME) != 0)
        return xc_j_bad(&c->j, XC_EINVAL, "$.format", "\"%s\" is not supported; expected \"%s\"", format, FORMAT_NAME);
    if ((rc = xc_j_str(&c->j, root, "$", "regime", 1, &regime)))
        return rc;
    if ((rc = xc_registry_check_id(regime, "$.regime", c->j.err)))
        return xc_j_relabel(&c->j, rc);
    if ((rc = xc_j_str(&c->j, root, "$", "version", 1, &version)) ||
        (rc = xc_j_str(&c->j, root, "$", "title", 1, &title)) ||
        (rc = xc_j_str(&c->j, root, "$", "authority", 1, &authority)) ||
        (rc = xc_j_str(&c->j, root, "$", "source", 1, &source)) ||
        (rc = xc_j_conf(&c->j, root, "$", "confidence", &pk->confidence)) ||
        (rc = xc_j_str(&c->j, root, "$", "item_regime", 1, &item_regime)) ||
        (rc = xc_j_str(&c->j, root, "$", "default_activity", 1, &dact)) ||
        (rc = xc_j_strs(&c->j, root, "$", "activities", 0, &acts, &na)))
        return rc;
    if (na == 0 || na > MAX_ACTIVITIES) {
        xc_free(acts);
        return xc_j_bad(&c->j, XC_EINVAL, "$.activities", "expected 1 to %d activities", MAX_ACTIVITIES);
    }
    for (size_t i = 0; i < na; i++) {
        if (!(pk->activities[i] = xc_strdup(acts[i]))) {
            xc_free(acts);
            return oom(c);
        }
        pk->n_activities = i + 1;
    }
    xc_free(acts);
    if ((pk->default_activity = activity_index(pk, dact)) < 0)
        return xc_j_bad(&c->j, XC_EINVAL, "$.default_activity", "\"%s\" is not one of the activities", dact);
    pk->regime = xc_strdup(regime);
    pk->version = xc_strdup(version);
    pk->title = xc_strdup(title);
    pk->authority = xc_strdup(authority);
    pk->source = xc_strdup(source);
    pk->item_regime = xc_strdup(item_regime);
    if (!pk->regime || !pk->version || !pk->title || !pk->authority || !pk->source || !pk->item_regime)
        return oom(c);
    json_t *rules = json_object_get(root, "rules");
    size_t n = json_array_size(rules);
    if (!json_is_array(rules) || n == 0 || n > MAX_RULES)
        return xc_j_bad(&c->j, XC_EINVAL, "$.rules", "expected an array of 1 to %d rules", MAX_RULES);
    if (!(pk->rules = xc_calloc(n, sizeof(rule))))
        return oom(c);
    for (size_t i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "$.rules[%zu]", i);
        pk->n_rules = i + 1;
        if ((rc = parse_rule(c, json_array_get(rules, i), p, &pk->rules[i])))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(pk->rules[j].id, pk->rules[i].id) == 0)
                return xc_j_bad(&c->j, XC_EINVAL, p, "rule id \"%s\" is used twice (also $.rules[%zu])",
                                pk->rules[i].id, j);
    }
    return XC_OK;
}

int xc_rules_import_json(xc_store *s, const char *text, size_t len, const char *file, int *recorded, xc_error *err)
{
    pack pk;
    pctx c;
    json_t *root = NULL;
    char **ids = NULL;
    size_t n_ids = 0;
    memset(&pk, 0, sizeof(pk));
    memset(&c, 0, sizeof(c));
    c.j.file = file ? file : "(input)";
    c.j.err = err;
    c.pk = &pk;
    *recorded = 0;
    int rc = xc_json_parse(text, len, c.j.file, &root, err);
    if (rc == XC_OK)
        rc = parse_pack(&c, root);
    if (rc == XC_OK)
        rc = xc_store_list_ids(s, XC_TS_LATEST, &ids, &n_ids, err);
    for (size_t i = 0; rc == XC_OK && i < c.lists.n; i++) {
        int found = 0;
        for (size_t k = 0; k < n_ids && !found; k++)
            found = strcmp(ids[k], c.lists.v[i]) == 0;
        if (!found)
            rc = xc_error_set(err, XC_EINVAL, "list", "%s: the rules refer to list \"%s\", which is not in the registry "
                                                      "(see `exportctl list ls`)",
                              c.j.file, c.lists.v[i]);
    }
    for (size_t i = 0; rc == XC_OK && i < pk.n_prefixes; i++) {
        int found = 0;
        for (size_t k = 0; k < n_ids && !found; k++)
            found = strncmp(ids[k], pk.prefixes[i], strlen(pk.prefixes[i])) == 0;
        if (!found)
            rc = xc_error_set(err, XC_EINVAL, "chart", "%s: no list in the registry starts with the chart prefix \"%s\"",
                              c.j.file, pk.prefixes[i]);
    }
    char **keys = NULL;
    size_t n_keys = 0;
    if (rc == XC_OK && c.parties.n)
        rc = xc_store_doc_keys(s, XC_DOC_PARTIES, XC_TS_LATEST, &keys, &n_keys, err);
    for (size_t i = 0; rc == XC_OK && i < c.parties.n; i++) {
        /* snapshot keys are "LIST@DATE" */
        size_t id_len = strlen(c.parties.v[i]);
        int found = 0;
        for (size_t k = 0; k < n_keys && !found; k++)
            found = strncmp(keys[k], c.parties.v[i], id_len) == 0 && keys[k][id_len] == '@';
        if (!found)
            rc = xc_error_set(err, XC_EINVAL, "party_on", "%s: the rules refer to party list \"%s\", which has no snapshot",
                              c.j.file, c.parties.v[i]);
    }
    xc_strv_free(keys, n_keys);
    if (rc == XC_OK) {
        const char *key = pk.regime;
        rc = xc_docs_record(s, XC_DOC_RULES, &root, &key, 1, recorded, NULL, err);
    }
    xc_strv_free(ids, n_ids);
    names_free(&c.lists);
    names_free(&c.parties);
    pack_clear(&pk);
    json_decref(root);
    return rc;
}

/* ---- engine ---------------------------------------------------------------------------- */

#define P_ALL P_COUNT /* internal: an all-of group inside `any` */

static void lists_free(llist *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        xc_free(l[i].id);
        xc_versions_free(l[i].all, l[i].n_all);
        xc_free(l[i].tl);
    }
    xc_free(l);
}

void xc_policy_free(xc_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_packs; i++)
        pack_clear(&p->packs[i]);
    xc_free(p->packs);
    xc_items_free(p->items, p->n_items);
    lists_free(p->lists, p->n_lists);
    if (p->screen) {
        xc_parties_free(p->screen->snaps, p->screen->n_snaps);
        xc_allow_free(p->screen->allow, p->screen->n_allow);
        xc_screen_index_free(p->screen->idx);
        xc_screen_scratch_free(p->screen->scratch);
        xc_free(p->screen->res);
        xc_free(p->screen->in_force);
        xc_free(p->screen);
    }
    xc_free(p);
}

static int cmp_llist(const void *a, const void *b)
{
    return strcmp(((const llist *)a)->id, ((const llist *)b)->id);
}

static int find_list(const xc_policy *p, const char *id)
{
    size_t lo = 0, hi = p->n_lists;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->lists[mid].id, id);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Resolve list names in predicates to indexes (-1 when the list is unknown
 * at the engine's moment: never a member). */
static int resolve_preds(xc_policy *p, pred *preds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pred *q = &preds[i];
        if (q->kind == P_DEST_IN || q->kind == P_DEST_NOT_IN) {
            if (!(q->idx = xc_calloc(q->n_strs, sizeof(int))))
                return XC_ENOMEM;
            for (size_t k = 0; k < q->n_strs; k++)
                q->idx[k] = find_list(p, q->strs[k]);
        }
        if (q->n_subs && resolve_preds(p, q->subs, q->n_subs))
            return XC_ENOMEM;
    }
    return XC_OK;
}

static int load_lists(xc_store *s, xc_policy *p, xc_error *err)
{
    char **ids = NULL;
    size_t n = 0;
    int rc = xc_store_list_ids(s, p->as_of, &ids, &n, err);
    if (rc)
        return rc;
    if (!(p->lists = xc_calloc(n ? n : 1, sizeof(llist)))) {
        xc_strv_free(ids, n);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        llist *l = &p->lists[i];
        p->n_lists = i + 1;
        l->id = ids[i];
        ids[i] = NULL;
        rc = xc_store_versions_get(s, l->id, p->as_of, &l->all, &l->n_all, err);
        if (rc)
            break;
        if (!(l->tl = xc_calloc(l->n_all ? l->n_all : 1, sizeof(lver)))) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            break;
        }
        for (size_t k = 0; k < l->n_all; k++) {
            const xc_version *v = &l->all[k];
            if (k + 1 < l->n_all && l->all[k + 1].effective_from == v->effective_from)
                continue; /* superseded by a correction */
            lver *t = &l->tl[l->n_tl++];
            t->from = v->effective_from;
            t->end = v->effective_to;
            t->v = v;
            for (size_t m = 0; m < v->n_members; m++) {
                int ci = cc_index(v->members[m].country);
                if (ci >= 0)
                    t->bits[ci / 64] |= 1ULL << (ci % 64);
            }
        }
        for (size_t k = 0; k + 1 < l->n_tl; k++)
            if (l->tl[k].end == XC_DATE_NONE || l->tl[k + 1].from < l->tl[k].end)
                l->tl[k].end = l->tl[k + 1].from;
    }
    xc_strv_free(ids, n);
    if (rc == XC_OK)
        qsort(p->lists, p->n_lists, sizeof(llist), cmp_llist);
    return rc;
}

static int load_packs(xc_store *s, xc_policy *p, xc_error *err)
{
    xc_doc *docs = NULL;
    size_t n = 0;
    int rc = xc_store_doc_latest(s, XC_DOC_RULES, p->as_of, &docs, &n, err);
    if (rc)
        return rc;
    if (!(p->packs = xc_calloc(n ? n : 1, sizeof(pack)))) {
        xc_docs_free(docs, n);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        json_t *root = NULL;
        char where[96];
        pctx c;
        memset(&c, 0, sizeof(c));
        snprintf(where, sizeof(where), "stored rule pack %s", docs[i].key);
        c.j.file = where;
        c.j.err = err;
        c.pk = &p->packs[i];
        p->n_packs = i + 1;
        rc = xc_json_parse(docs[i].body, strlen(docs[i].body), where, &root, err);
        if (rc == XC_OK)
            rc = parse_pack(&c, root);
        json_decref(root);
        names_free(&c.lists);
        names_free(&c.parties);
        memcpy(p->packs[i].hash, docs[i].hash, 65);
        p->packs[i].doc_id = docs[i].id;
        p->packs[i].recorded_at = docs[i].recorded_at;
        for (size_t r = 0; rc == XC_OK && r < p->packs[i].n_rules; r++)
            if (resolve_preds(p, p->packs[i].rules[r].preds, p->packs[i].rules[r].n_preds))
                rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    xc_docs_free(docs, n);
    return rc;
}

int xc_policy_load(xc_store *s, int64_t as_of, xc_policy **out, xc_error *err)
{
    xc_policy *p = xc_calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    static _Atomic uint64_t serials;
    p->serial = atomic_fetch_add(&serials, 1) + 1;
    p->as_of = as_of;
    int rc = load_lists(s, p, err);
    if (rc == XC_OK)
        rc = xc_items_load(s, as_of, &p->items, &p->n_items, err);
    p->store = s;
    if (rc == XC_OK && !(p->screen = xc_calloc(1, sizeof(screen_cache))))
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK)
        rc = load_packs(s, p, err);
    if (rc) {
        xc_policy_free(p);
        return rc;
    }
    *out = p;
    return XC_OK;
}

size_t xc_policy_regime_count(const xc_policy *p)
{
    return p->n_packs;
}

const char *xc_policy_regime_at(const xc_policy *p, size_t i)
{
    return i < p->n_packs ? p->packs[i].regime : NULL;
}

/* Make sure the screening index covers the snapshots in force on `at`;
 * fails closed like `screen` does. */
static int screen_ready(const xc_policy *p, xc_date at, xc_error *err)
{
    screen_cache *sc = p->screen;
    int rc = XC_OK;
    if (!sc->loaded) { /* party lists are read only by checks that screen parties */
        if ((rc = xc_parties_load(p->store, p->as_of, &sc->snaps, &sc->n_snaps, err)) ||
            (rc = xc_allow_load(p->store, p->as_of, &sc->allow, &sc->n_allow, err)))
            return rc;
        sc->loaded = 1;
    }
    const xc_party_snapshot **set = xc_calloc(sc->n_snaps ? sc->n_snaps : 1, sizeof(*set));
    if (!set)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    size_t n = xc_parties_in_force(sc->snaps, sc->n_snaps, at, set);
    if (sc->idx && n == sc->n_in_force && memcmp(set, sc->in_force, n * sizeof(*set)) == 0) {
        xc_free(set);
        return XC_OK;
    }
    xc_screen_index *idx = NULL;
    xc_screen_scratch *scratch = NULL;
    rc = xc_screen_index_build(sc->snaps, sc->n_snaps, at, &idx, err);
    if (rc == XC_OK)
        rc = xc_screen_scratch_new(idx, &scratch, err);
    if (rc == XC_OK && !sc->res && !(sc->res = xc_malloc(sizeof(*sc->res))))
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc) {
        xc_screen_index_free(idx);
        xc_screen_scratch_free(scratch);
        xc_free(set);
        return rc;
    }
    xc_screen_index_free(sc->idx);
    xc_screen_scratch_free(sc->scratch);
    xc_free(sc->in_force);
    sc->idx = idx;
    sc->scratch = scratch;
    sc->in_force = set;
    sc->n_in_force = n;
    return XC_OK;
}

/* ---- prepare ----------------------------------------------------------------------------- */

static const pack *find_pack(const xc_policy *p, const char *regime)
{
    for (size_t i = 0; regime && i < p->n_packs; i++)
        if (strcmp(p->packs[i].regime, regime) == 0)
            return &p->packs[i];
    return NULL;
}

static int copy_flags(const char *const *src, size_t n, const char **dst, size_t *n_dst, const char *field,
                      xc_error *err)
{
    if (n > XC_CHECK_MAX_FLAGS)
        return xc_error_set(err, XC_EINVAL, field, "%s: more than %d values", field, XC_CHECK_MAX_FLAGS);
    for (size_t i = 0; i < n; i++) {
        if (!src[i] || !*src[i] || strlen(src[i]) > 64)
            return xc_error_set(err, XC_EINVAL, field, "%s: empty or overlong value", field);
        dst[i] = src[i];
    }
    *n_dst = n;
    return XC_OK;
}

int xc_policy_prepare(const xc_policy *p, const xc_check_req *req, xc_check *chk, xc_error *err)
{
    memset(chk, 0, sizeof(*chk));
    chk->authorisation = -1;
    const pack *pk = find_pack(p, req->regime);
    if (!pk) {
        char names[256] = "";
        for (size_t i = 0; i < p->n_packs; i++)
            snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "", p->packs[i].regime);
        return xc_error_set(err, XC_EINVAL, "regime", "regime: unknown regime \"%s\"; expected one of: %s",
                            req->regime ? req->regime : "", names);
    }
    chk->pack = pk;
    if (req->date == XC_DATE_NONE)
        return xc_error_set(err, XC_EINVAL, "date", "date: missing");
    chk->date = req->date;
    chk->activity = pk->default_activity;
    if (req->activity) {
        if ((chk->activity = activity_index(pk, req->activity)) < 0) {
            char names[256] = "";
            for (size_t i = 0; i < pk->n_activities; i++)
                snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                         pk->activities[i]);
            return xc_error_set(err, XC_EINVAL, "activity",
                                "activity: regime %s does not define activity \"%s\"; expected one of: %s", pk->regime,
                                req->activity, names);
        }
    }
    const xc_item *it;
    int rc = xc_items_lookup(p->items, p->n_items, req->item, "item", &it, err);
    if (rc)
        return rc;
    chk->item = it;
    chk->map = xc_item_mapping(it, pk->item_regime, req->date);
    const xc_country *cc;
    if ((rc = xc_country_lookup(req->destination, "to", &cc, err)))
        return rc;
    memcpy(chk->dest_code, cc->alpha2, 3);
    chk->dest = cc_index(cc->alpha2);
    chk->eut = XC_EUT_UNKNOWN;
    if (req->end_user_type && (rc = xc_end_user_type_parse(req->end_user_type, &chk->eut, "end_user_type", err)))
        return rc;
    if ((rc = copy_flags(req->end_user_flags, req->n_end_user_flags, chk->eu_flags, &chk->n_eu_flags,
                         "end_user_flag", err)) ||
        (rc = copy_flags(req->risk_flags, req->n_risk_flags, chk->risk_flags, &chk->n_risk_flags, "risk_flag", err)))
        return rc;
    if (req->n_parties > XC_CHECK_MAX_PARTIES)
        return xc_error_set(err, XC_EINVAL, "party", "party: more than %d parties", XC_CHECK_MAX_PARTIES);
    for (size_t i = 0; i < req->n_parties; i++) {
        const char *name = req->parties[i];
        if (!name || !*name || strlen(name) >= sizeof(chk->party_names[0]))
            return xc_error_set(err, XC_EINVAL, "party", "party: empty name or longer than %zu bytes",
                                sizeof(chk->party_names[0]) - 1);
        char folded[XC_FOLD_MAX];
        snprintf(chk->party_names[i], sizeof(chk->party_names[i]), "%s", name);
        xc_party_fold(name, folded, sizeof(folded));
        if (!folded[0])
            return xc_error_set(err, XC_EINVAL, "party", "party: \"%s\" has no letters or digits", name);
    }
    chk->n_parties = req->n_parties;
    if (chk->n_parties && pk->uses_parties && (rc = screen_ready(p, req->date, err)))
        return rc;
    const xc_item_map *m = chk->map;
    for (size_t k = 0; k < pk->n_prefixes; k++) {
        for (size_t r = 0; r < MAX_REASONS; r++) {
            chk->chart[k][r] = -1;
            if (!m || r >= m->n_reasons)
                continue;
            char id[128];
            size_t o = (size_t)snprintf(id, sizeof(id), "%s", pk->prefixes[k]);
            for (const char *q = m->reasons[r]; *q && o + 1 < sizeof(id); q++)
                if (*q != ' ')
                    id[o++] = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
            id[o] = '\0';
            chk->chart[k][r] = find_list(p, id);
        }
    }
    return XC_OK;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

enum { F_LIST, F_ITEM, F_PARTY_HIT, F_PARTY_LIST };

typedef struct fact {
    int kind;
    int list, tl;    /* F_LIST: list index (-1 unknown) and timeline index (-1 none in force) */
    int member;
    const xc_party_snapshot *snap;
    int entry, party;
    size_t which;
    double score;    /* F_PARTY_HIT: screening score */
    const char *tag; /* F_PARTY_*: the list id or tag screened against */
} fact;

#define SINK_FACTS 48

typedef struct sink {
    char text[2048];
    size_t len;
    fact facts[SINK_FACTS];
    size_t n_facts;
} sink;

static void say(sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(sink *k, const char *fmt, ...)
{
    if (!k || k->len >= sizeof(k->text) - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k->text + k->len, sizeof(k->text) - k->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        k->len = k->len + (size_t)n < sizeof(k->text) ? k->len + (size_t)n : sizeof(k->text) - 1;
}

static void add_fact(sink *k, fact f)
{
    if (k && k->n_facts < SINK_FACTS)
        k->facts[k->n_facts++] = f;
}

static int list_at(const llist *l, xc_date d)
{
    size_t lo = 0, hi = l->n_tl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (l->tl[mid].from <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    const lver *t = &l->tl[lo - 1];
    return t->end == XC_DATE_NONE || d < t->end ? (int)lo - 1 : -1;
}

/* Membership of the destination in list li on the check's date, recording the fact. */
static int member_of(const xc_policy *p, const xc_check *c, int li, const char *name, sink *k)
{
    char d[XC_DATE_BUF];
    if (li < 0) {
        add_fact(k, (fact){.kind = F_LIST, .list = -1, .tl = -1});
        say(k, "list %s is not in the registry; ", name);
        return 0;
    }
    const llist *l = &p->lists[li];
    int t = list_at(l, c->date);
    int m = t >= 0 && c->dest >= 0 && (l->tl[t].bits[c->dest / 64] >> (c->dest % 64) & 1);
    add_fact(k, (fact){.kind = F_LIST, .list = li, .tl = t, .member = m});
    if (k) {
        if (t < 0)
            say(k, "no version of %s is in force on %s; ", l->id, xc_date_format(c->date, d));
        else
            say(k, "%s is %son %s (version effective %s); ", c->dest_code, m ? "" : "not ", l->id,
                xc_date_format(l->tl[t].from, d));
    }
    return m;
}

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static int item_in(const xc_item *it, char *const *codes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(codes[i]);
        if (strncasecmp(it->code, codes[i], len) == 0 && (it->code[len] == '\0' || it->code[len] == '.'))
            return 1;
    }
    return 0;
}

static int eval_preds(const xc_policy *p, const xc_check *c, const pred *q, size_t n, sink *k, int *failed);

static int eval_pred(const xc_policy *p, const xc_check *c, const pred *q, sink *k)
{
    const pack *pk = c->pack;
    const xc_item *it = c->item;
    const xc_item_map *m = c->map;
    int r = 0;
    switch (q->kind) {
    case P_ACTIVITY:
        r = (q->mask >> c->activity) & 1;
        say(k, "activity is %s; ", pk->activities[c->activity]);
        break;
    case P_ITEM_CONTROLLED:
        r = (m != NULL) == q->bval;
        add_fact(k, (fact){.kind = F_ITEM});
        if (k) {
            char d[XC_DATE_BUF];
            if (m)
                say(k, "%s is controlled under %s as %s (since %s); ", it->code, pk->item_regime, m->code,
                    xc_date_format(m->from, d));
            else
                say(k, "%s is not controlled under %s on %s; ", it->code, pk->item_regime,
                    xc_date_format(c->date, d));
        }
        break;
    case P_ITEM_FLAG: {
        /* like every list-valued predicate: any of the values */
        size_t i;
        for (i = 0; i < q->n_strs && !r; i++)
            r = xc_item_map_has_flag(m, q->strs[i]);
        add_fact(k, (fact){.kind = F_ITEM});
        say(k, "%s %s flag %s; ", it->code, r ? "carries" : "does not carry", q->strs[r ? i - 1 : 0]);
        break;
    }
    case P_ITEM_IN:
        r = item_in(it, q->strs, q->n_strs);
        say(k, "item %s is %sone of the listed codes; ", it->code, r ? "" : "not ");
        break;
    case P_DEST_IN:
        for (size_t i = 0; i < q->n_strs && !r; i++)
            r = member_of(p, c, q->idx[i], q->strs[i], k);
        break;
    case P_DEST_NOT_IN:
        r = 1;
        for (size_t i = 0; i < q->n_strs && r; i++)
            r = !member_of(p, c, q->idx[i], q->strs[i], k);
        break;
    case P_CHART: {
        int pi = q->idx[0];
        add_fact(k, (fact){.kind = F_ITEM});
        for (size_t i = 0; m && i < m->n_reasons && i < MAX_REASONS && !r; i++) {
            if (c->chart[pi][i] < 0) {
                say(k, "reason %s has no chart list; ", m->reasons[i]);
                continue;
            }
            r = member_of(p, c, c->chart[pi][i], m->reasons[i], k);
        }
        if (!m)
            say(k, "no %s mapping, so no chart reasons; ", pk->item_regime);
        break;
    }
    case P_EUT:
        r = (q->mask >> c->eut) & 1;
        say(k, "end user is %s; ", xc_end_user_type_name(c->eut));
        break;
    case P_EUT_NOT:
        r = !((q->mask >> c->eut) & 1);
        say(k, "end user is %s; ", xc_end_user_type_name(c->eut));
        break;
    case P_EUF:
    case P_EUF_NOT:
        for (size_t i = 0; i < q->n_strs && !r; i++) {
            r = has_str(c->eu_flags, c->n_eu_flags, q->strs[i]);
            say(k, "end-user flag %s is %s; ", q->strs[i], r ? "set" : "not set");
        }
        if (q->kind == P_EUF_NOT)
            r = !r;
        break;
    case P_RISK:
        for (size_t i = 0; i < q->n_strs && !r; i++) {
            r = has_str(c->risk_flags, c->n_risk_flags, q->strs[i]);
            say(k, "risk flag %s is %s; ", q->strs[i], r ? "set" : "not set");
        }
        break;
    case P_PARTY_ON:
        if (c->n_parties == 0) {
            say(k, "no party named; ");
            break;
        }
        for (size_t l = 0; l < q->n_strs; l++) {
            const screen_cache *sc = p->screen;
            xc_screen_result *res = sc->res;
            int hits = 0;
            for (size_t i = 0; sc->idx && i < c->n_parties; i++) {
                xc_screen_opts o = {.type = XC_NAME_UNKNOWN, .threshold = -1, .limit = 1, .tag = q->strs[l],
                                    .at = c->date, .allow = sc->allow, .n_allow = sc->n_allow};
                if (xc_screen_query(sc->idx, sc->scratch, c->party_names[i], &o, res, NULL) != XC_OK)
                    continue;
                for (size_t h = 0; h < res->n_hits; h++) {
                    const xc_screen_hit *hit = &res->hits[h];
                    hits++;
                    add_fact(k, (fact){.kind = F_PARTY_HIT, .snap = hit->snap,
                                       .entry = (int)(hit->entry - hit->snap->entries), .party = (int)i,
                                       .which = hit->name_index, .score = hit->score, .tag = q->strs[l]});
                    say(k, "party \"%s\" matches %s entry \"%s\" (score %.2f); ", c->party_names[i], q->strs[l],
                        hit->entry->name, hit->score);
                }
                for (size_t h = 0; h < res->n_suppressed; h++)
                    say(k, "party \"%s\" matches %s entry \"%s\" (score %.2f) but is allow-listed: %s; ",
                        c->party_names[i], q->strs[l], res->suppressed[h].entry->name, res->suppressed[h].score,
                        res->suppressed[h].allowed->reason);
            }
            if (!hits) {
                add_fact(k, (fact){.kind = F_PARTY_LIST, .tag = q->strs[l]});
                say(k, "no party matches %s; ", q->strs[l]);
            }
            r |= hits > 0;
        }
        break;
    case P_ANY:
        for (size_t i = 0; i < q->n_subs && !r; i++)
            r = eval_pred(p, c, &q->subs[i], k);
        break;
    case P_NOT:
        r = !eval_preds(p, c, q->subs, q->n_subs, k, NULL);
        break;
    case P_ALL:
        r = eval_preds(p, c, q->subs, q->n_subs, k, NULL);
        break;
    }
    return r;
}

static int eval_preds(const xc_policy *p, const xc_check *c, const pred *q, size_t n, sink *k, int *failed)
{
    for (size_t i = 0; i < n; i++) {
        if (!eval_pred(p, c, &q[i], k)) {
            if (failed)
                *failed = (int)i;
            return 0;
        }
    }
    return 1;
}

static int rule_in_window(const rule *r, xc_date d)
{
    return (r->from == XC_DATE_NONE || r->from <= d) && (r->to == XC_DATE_NONE || d < r->to);
}

static int bars_auth(const rule *bar, const char *auth)
{
    return bar->bar_all || has_str((const char *const *)bar->bars, bar->n_bars, auth);
}

void xc_policy_eval(const xc_policy *p, xc_check *c)
{
    const pack *pk = c->pack;
    int outcome = XC_OUTCOME_NLR;
    c->fired = c->skipped = c->barred = 0;
    c->n_conditions = 0;
    c->authorisation = -1;
    for (size_t i = 0; i < pk->n_rules; i++) {
        const rule *r = &pk->rules[i];
        if (!rule_in_window(r, c->date)) {
            c->skipped |= 1ULL << i;
            continue;
        }
        if (!eval_preds(p, c, r->preds, r->n_preds, NULL, NULL))
            continue;
        c->fired |= 1ULL << i;
        if (r->effect == EFFECT_REQUIRE && r->outcome > outcome)
            outcome = r->outcome;
        else if (r->effect == EFFECT_CONDITION && c->n_conditions < XC_CHECK_MAX_CONDITIONS)
            c->conditions[c->n_conditions++] = (int)i;
    }
    for (size_t i = 0; i < pk->n_rules; i++) {
        const rule *r = &pk->rules[i];
        if (r->effect != EFFECT_AUTHORISE || !(c->fired >> i & 1))
            continue;
        for (size_t b = 0; b < pk->n_rules; b++)
            if (pk->rules[b].effect == EFFECT_BAR && (c->fired >> b & 1) && bars_auth(&pk->rules[b], r->authorisation))
                c->barred |= 1ULL << i;
        if (outcome == XC_OUTCOME_LR && !(c->barred >> i & 1) && c->authorisation < 0)
            c->authorisation = (int)i;
    }
    if (c->authorisation >= 0)
        outcome = XC_OUTCOME_GA;
    c->outcome = outcome;
}

/* ---- answers as JSON ---------------------------------------------------------------------------- */

static int weaker(int a, int b)
{
    return a > b ? a : b;
}

/* JSON of a fact and its confidence (*conf). */
static json_t *fact_json(const xc_policy *p, const xc_check *c, const fact *f, int *conf)
{
    char d[XC_DATE_BUF];
    const xc_item *it = c->item;
    const xc_item_map *m = c->map;
    switch (f->kind) {
    case F_LIST: {
        if (f->list < 0) {
            *conf = XC_CONF_INFERRED;
            return json_pack("{s:s, s:b}", "kind", "list", "known", 0);
        }
        const llist *l = &p->lists[f->list];
        if (f->tl < 0) {
            *conf = XC_CONF_INFERRED;
            return json_pack("{s:s, s:s, s:s, s:b, s:o, s:s}", "kind", "list", "list", l->id, "country", c->dest_code,
                             "member", 0, "version", json_null(), "confidence", "inferred");
        }
        const xc_version *v = l->tl[f->tl].v;
        const xc_member *mm = f->member ? xc_members_find(v->members, v->n_members, c->dest_code) : NULL;
        *conf = mm ? mm->confidence : v->confidence;
        return json_pack("{s:s, s:s, s:s, s:b, s:{s:I, s:s, s:s}, s:s, s:o}", "kind", "list", "list", l->id, "country",
                         c->dest_code, "member", f->member, "version", "id", (json_int_t)v->id, "effective_from",
                         xc_date_format(v->effective_from, d), "content_hash", v->hash, "confidence",
                         xc_confidence_name(*conf), "reason", mm ? json_string(mm->reason) : json_null());
    }
    case F_ITEM:
        *conf = m ? m->confidence : it->confidence;
        return json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s}", "kind", "control-entry", "item", it->code, "regime",
                         ((const pack *)c->pack)->item_regime, "code", m ? json_string(m->code) : json_null(),
                         "document_id", (json_int_t)it->doc_id, "content_hash", it->hash, "confidence",
                         xc_confidence_name(*conf));
    case F_PARTY_HIT: {
        const xc_party_entry *e = &f->snap->entries[f->entry];
        *conf = f->snap->confidence;
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:I, s:s, s:s, s:s}", "kind", "party-hit",
                         "query", c->party_names[f->party], "list", f->tag, "entry_id", e->id, "entry_name", e->name,
                         "matched", f->which == 0 ? e->name : e->aliases[f->which - 1], "score",
                         floor(f->score * 10000 + 0.5) / 10000, "matcher", XC_MATCHER_VERSION, "snapshot_list",
                         f->snap->list_id, "snapshot_id", (json_int_t)f->snap->doc_id, "list_date",
                         xc_date_format(f->snap->list_date, d), "content_hash", f->snap->hash, "confidence",
                         xc_confidence_name(*conf));
    }
    case F_PARTY_LIST: {
        const screen_cache *sc = p->screen;
        *conf = XC_CONF_OFFICIAL;
        return json_pack("{s:s, s:s, s:i, s:s, s:o}", "kind", "party-list", "list", f->tag, "hits", 0, "matcher",
                         XC_MATCHER_VERSION, "snapshots",
                         sc->idx ? xc_screen_snapshots_json(sc->idx) : json_array());
    }
    }
    *conf = XC_CONF_INFERRED;
    return json_null();
}

/* Inputs collected while building the trace. */
typedef struct inputs {
    json_t *lists, *parties;
} inputs;

/* Out of memory, fj or parts of it may be missing: the answer is then
 * incomplete and xc_check_json's caller sees the failed allocations. */
static void note_input(inputs *in, json_t *fj)
{
    const char *kind = json_string_value(json_object_get(fj, "kind"));
    if (!kind)
        return;
    if (strcmp(kind, "list") == 0 && json_is_object(json_object_get(fj, "version"))) {
        json_t *v = json_object_get(fj, "version");
        const char *list = json_string_value(json_object_get(fj, "list"));
        size_t i;
        json_t *e;
        if (!list)
            return;
        json_array_foreach(in->lists, i, e) if (json_string_value(json_object_get(e, "list")) &&
                                                strcmp(json_string_value(json_object_get(e, "list")), list) == 0 &&
                                                json_integer_value(json_object_get(e, "version_id")) ==
                                                    json_integer_value(json_object_get(v, "id"))) return;
        json_array_append_new(in->lists, json_pack("{s:s, s:O, s:O, s:O}", "list", list, "version_id",
                                                   json_object_get(v, "id"), "effective_from",
                                                   json_object_get(v, "effective_from"), "content_hash",
                                                   json_object_get(v, "content_hash")));
    } else if (strcmp(kind, "party-hit") == 0 || strcmp(kind, "party-list") == 0) {
        json_t *snaps = json_object_get(fj, "snapshots"), *one = NULL;
        if (!snaps) { /* a hit names its own snapshot */
            one = json_pack("[{s:O, s:O, s:O, s:O}]", "list", json_object_get(fj, "snapshot_list"), "snapshot_id",
                            json_object_get(fj, "snapshot_id"), "list_date", json_object_get(fj, "list_date"),
                            "content_hash", json_object_get(fj, "content_hash"));
            snaps = one;
        }
        size_t k;
        json_t *sn;
        json_array_foreach(snaps, k, sn)
        {
            size_t i;
            json_t *e;
            int seen = 0;
            json_array_foreach(in->parties, i, e) seen |= json_equal(json_object_get(e, "snapshot_id"),
                                                                    json_object_get(sn, "snapshot_id"));
            if (!seen)
                json_array_append_new(in->parties, json_pack("{s:O, s:O, s:O, s:O}", "list", json_object_get(sn, "list"),
                                                             "snapshot_id", json_object_get(sn, "snapshot_id"),
                                                             "list_date", json_object_get(sn, "list_date"),
                                                             "content_hash", json_object_get(sn, "content_hash")));
        }
        json_decref(one);
    }
}

static json_t *strs_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *cstrs_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *xc_check_request_json(const xc_policy *p, const xc_check *c)
{
    (void)p;
    char d[XC_DATE_BUF];
    const pack *pk = c->pack;
    json_t *parties = json_array();
    for (size_t i = 0; parties && i < c->n_parties; i++)
        json_array_append_new(parties, json_string(c->party_names[i]));
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "regime", pk->regime, "activity",
                     pk->activities[c->activity], "item", ((const xc_item *)c->item)->code, "to", c->dest_code,
                     "end_user_type", c->eut ? json_string(xc_end_user_type_name(c->eut)) : json_null(),
                     "end_user_flags", cstrs_json(c->eu_flags, c->n_eu_flags), "parties", parties, "risk_flags",
                     cstrs_json(c->risk_flags, c->n_risk_flags), "date", xc_date_format(c->date, d));
}

int xc_check_req_from_json(json_t *o, xc_check_req *req, xc_error *err)
{
    memset(req, 0, sizeof(*req));
    req->regime = json_string_value(json_object_get(o, "regime"));
    req->activity = json_string_value(json_object_get(o, "activity"));
    req->item = json_string_value(json_object_get(o, "item"));
    req->destination = json_string_value(json_object_get(o, "to"));
    req->end_user_type = json_string_value(json_object_get(o, "end_user_type"));
    const char *date = json_string_value(json_object_get(o, "date"));
    int rc = xc_date_parse(date, &req->date, "date", err);
    if (rc)
        return rc;
    struct {
        const char *key;
        const char **dst;
        size_t *n;
        size_t max;
    } arrays[] = {{"end_user_flags", req->end_user_flags, &req->n_end_user_flags, XC_CHECK_MAX_FLAGS},
                  {"parties", req->parties, &req->n_parties, XC_CHECK_MAX_PARTIES},
                  {"risk_flags", req->risk_flags, &req->n_risk_flags, XC_CHECK_MAX_FLAGS}};
    for (size_t a = 0; a < 3; a++) {
        json_t *arr = json_object_get(o, arrays[a].key), *v;
        size_t i;
        json_array_foreach(arr, i, v)
        {
            if (i >= arrays[a].max || !json_is_string(v))
                return xc_error_set(err, XC_EINVAL, arrays[a].key, "%s: bad element %zu", arrays[a].key, i);
            arrays[a].dst[i] = json_string_value(v);
            *arrays[a].n = i + 1;
        }
    }
    return XC_OK;
}

json_t *xc_check_json(const xc_policy *p, const xc_check *c)
{
    const pack *pk = c->pack;
    const xc_item *it = c->item;
    sink *k = xc_malloc(sizeof(*k));
    inputs in = {json_array(), json_array()};
    json_t *trace = json_array(), *conds = json_array();
    if (!k || !in.lists || !in.parties || !trace || !conds)
        goto oom;
    for (size_t i = 0; i < pk->n_rules; i++) {
        const rule *r = &pk->rules[i];
        char d[XC_DATE_BUF], e[XC_DATE_BUF];
        int failed = -1, conf = r->confidence;
        const char *state;
        k->len = 0;
        k->text[0] = '\0';
        k->n_facts = 0;
        json_t *facts = json_array();
        if (c->skipped >> i & 1) {
            state = "skipped";
            char t[XC_DATE_BUF];
            say(k, "not in force on %s (rule effective %s%s%s)", xc_date_format(c->date, d),
                r->from == XC_DATE_NONE ? "always" : xc_date_format(r->from, e), r->to == XC_DATE_NONE ? "" : " to ",
                r->to == XC_DATE_NONE ? "" : xc_date_format(r->to, t));
        } else {
            int fired = eval_preds(p, c, r->preds, r->n_preds, k, &failed);
            state = fired ? "fired" : "not-fired";
            if (r->n_preds == 0)
                say(k, "applies always");
            for (size_t f = 0; f < k->n_facts; f++) {
                int fc;
                json_t *fj = fact_json(p, c, &k->facts[f], &fc);
                conf = weaker(conf, fc);
                note_input(&in, fj);
                json_array_append_new(facts, fj);
            }
        }
        while (k->len >= 2 && k->text[k->len - 2] == ';') /* drop the last "; " */
            k->text[k->len -= 2] = '\0';
        json_t *tr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "rule", r->id, "title", r->title,
                               "effect", effect_names[r->effect], "state", state, "why", k->text, "explain", r->explain,
                               "facts", facts, "confidence", xc_confidence_name(conf), "citation", r->citation);
        if (!tr)
            goto oom;
        if (r->effect == EFFECT_REQUIRE)
            json_object_set_new(tr, "outcome", json_string(xc_outcome_name(r->outcome)));
        else if (r->effect == EFFECT_AUTHORISE) {
            json_object_set_new(tr, "authorisation", json_string(r->authorisation));
            json_object_set_new(tr, "barred", json_boolean(c->barred >> i & 1));
        } else if (r->effect == EFFECT_BAR)
            json_object_set_new(tr, "bars", strs_json(r->bars, r->n_bars));
        else
            json_object_set_new(tr, "condition", json_string(r->condition));
        if (failed >= 0)
            json_object_set_new(tr, "failed_predicate", json_string(pred_names[r->preds[failed].kind]));
        json_array_append_new(trace, tr);
    }
    for (size_t i = 0; i < c->n_conditions; i++)
        json_array_append_new(conds, json_string(pk->rules[c->conditions[i]].condition));
    char d[XC_DATE_BUF], t[XC_TS_BUF];
    const xc_item_map *m = c->map;
    json_t *out = json_pack(
        "{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "outcome", xc_outcome_name(c->outcome),
        "authorisation", c->authorisation >= 0 ? json_string(pk->rules[c->authorisation].authorisation) : json_null(),
        "regime", pk->regime, "activity", pk->activities[c->activity], "item", it->code, "destination", c->dest_code,
        "date", xc_date_format(c->date, d), "request", xc_check_request_json(p, c), "conditions", conds, "trace", trace,
        "inputs",
        json_pack("{s:{s:s, s:s, s:s, s:I}, s:[{s:s, s:s, s:o, s:I}], s:o, s:o, s:s}", "rule_pack", "regime",
                  pk->regime, "version", pk->version, "content_hash", pk->hash, "document_id", (json_int_t)pk->doc_id,
                  "items", "code", it->code, "content_hash", it->hash, "mapping",
                  m ? json_string(m->code) : json_null(), "document_id", (json_int_t)it->doc_id, "lists", in.lists,
                  "party_snapshots", in.parties, "engine_as_of",
                  p->as_of == XC_TS_LATEST ? "latest" : xc_ts_format(p->as_of, t)),
        "confidence", json_null());
    xc_free(k);
    if (!out)
        return NULL;
    /* the answer's confidence: the weakest among the rules evaluated, since a
     * rule that did not fire also decided the answer */
    int conf = XC_CONF_OFFICIAL;
    size_t i;
    json_t *tr;
    json_array_foreach(trace, i, tr) if (strcmp(json_string_value(json_object_get(tr, "state")), "skipped") != 0)
    {
        int rc;
        if (xc_confidence_parse(json_string_value(json_object_get(tr, "confidence")), &rc, NULL, NULL) == XC_OK)
            conf = weaker(conf, rc);
    }
    json_object_set_new(out, "confidence", json_string(xc_confidence_name(conf)));
    return out;
oom:
    xc_free(k);
    json_decref(in.lists);
    json_decref(in.parties);
    json_decref(trace);
    json_decref(conds);
    return NULL;
}

int xc_check_answer(const xc_policy *p, const xc_check_req *req, xc_check *chk, json_t **answer, xc_error *err)
{
    *answer = NULL;
    int rc = xc_policy_prepare(p, req, chk, err);
    if (rc)
        return rc;
    xc_policy_eval(p, chk);
    *answer = xc_check_json(p, chk);
    return *answer ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

uint64_t xc_policy_serial(const xc_policy *p)
{
    return p->serial;
}

json_t *xc_policy_packs_json(const xc_policy *p, const char *regime)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->n_packs; i++) {
        const pack *pk = &p->packs[i];
        if (regime && strcmp(regime, pk->regime) != 0)
            continue;
        char t[XC_TS_BUF];
        json_t *rules = json_array();
        for (size_t r = 0; rules && r < pk->n_rules; r++) {
            const rule *ru = &pk->rules[r];
            char f[XC_DATE_BUF], to[XC_DATE_BUF];
            json_array_append_new(
                rules, json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s}", "id", ru->id, "title", ru->title, "effect",
                                 effect_names[ru->effect], "effective_from",
                                 ru->from == XC_DATE_NONE ? json_null() : json_string(xc_date_format(ru->from, f)),
                                 "effective_to",
                                 ru->to == XC_DATE_NONE ? json_null() : json_string(xc_date_format(ru->to, to)),
                                 "explain", ru->explain, "citation", ru->citation, "confidence",
                                 xc_confidence_name(ru->confidence)));
        }
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:s, s:o}", "regime", pk->regime, "version",
                         pk->version, "title", pk->title, "authority", pk->authority, "source", pk->source,
                         "confidence", xc_confidence_name(pk->confidence), "activities",
                         strs_json(pk->activities, pk->n_activities), "item_regime", pk->item_regime, "content_hash",
                         pk->hash, "document_id", (json_int_t)pk->doc_id, "recorded_at",
                         xc_ts_format(pk->recorded_at, t), "rules", rules));
    }
    return json_pack("{s:o}", "rule_packs", a);
}

json_t *xc_policy_items_json(const xc_policy *p, const char *code, xc_error *err, int *rc)
{
    *rc = XC_OK;
    if (!code)
        return xc_items_json(p->items, p->n_items);
    const xc_item *it;
    if ((*rc = xc_items_lookup(p->items, p->n_items, code, "CODE", &it, err)))
        return NULL;
    return xc_item_json(it);
}
