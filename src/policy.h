/*
 * policy.h: rule packs and the policy engine: "may this export go ahead,
 * and why?"
 *
 * A rule pack is a declarative, versioned data file per regime (format in
 * docs/rules-format.md), validated on import and stored with its content
 * hash.  The engine loads the packs, the control list, the country lists
 * and the party snapshots as recorded at one moment, and answers a check
 * with an outcome and a trace of every rule considered, the facts each read
 * (list versions, control entries, party hits, with hashes) and their
 * confidence.  Evaluation allocates nothing; the trace is built on request
 * by re-running the same evaluator in a describing mode.
 */
#ifndef XC_POLICY_H
#define XC_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "store.h"

/* Outcomes in increasing severity. */
enum {
    XC_OUTCOME_NLR = 0, /* no-licence-required */
    XC_OUTCOME_GA,      /* general-authorisation */
    XC_OUTCOME_LR,      /* licence-required */
    XC_OUTCOME_LRPD,    /* licence-required-presumption-of-denial */
    XC_OUTCOME_PROHIBITED,
    XC_OUTCOME_COUNT
};

const char *xc_outcome_name(int outcome);

/* End-user types. */
enum { XC_EUT_UNKNOWN = 0, XC_EUT_GOVERNMENT, XC_EUT_COMPANY, XC_EUT_INDIVIDUAL };

int xc_end_user_type_parse(const char *s, int *out, const char *field, xc_error *err);
const char *xc_end_user_type_name(int t);

#define XC_CHECK_MAX_PARTIES 16
#define XC_CHECK_MAX_FLAGS 8
#define XC_CHECK_MAX_CONDITIONS 8

/* A proposed export, as the user states it. */
typedef struct xc_check_req {
    const char *regime;
    const char *activity;      /* NULL: the pack's default */
    const char *item;
    const char *destination;   /* any form xc_country_lookup accepts */
    const char *end_user_type; /* NULL: unknown */
    const char *end_user_flags[XC_CHECK_MAX_FLAGS];
    size_t n_end_user_flags;
    const char *parties[XC_CHECK_MAX_PARTIES];
    size_t n_parties;
    const char *risk_flags[XC_CHECK_MAX_FLAGS];
    size_t n_risk_flags;
    xc_date date;
} xc_check_req;

typedef struct xc_policy xc_policy;

/* A prepared check and, after xc_policy_eval, its answer.  Plain storage so
 * callers can keep it on the stack; read it through the functions below. */
typedef struct xc_check {
    const void *pack;
    const void *item;
    const void *map; /* the item's mapping for the pack's regime, or NULL */
    int activity;
    int dest;        /* country index */
    char dest_code[3];
    int eut;
    xc_date date;
    const char *eu_flags[XC_CHECK_MAX_FLAGS];
    size_t n_eu_flags;
    const char *risk_flags[XC_CHECK_MAX_FLAGS];
    size_t n_risk_flags;
    char party_names[XC_CHECK_MAX_PARTIES][256];
    size_t n_parties;
    int chart[4][8]; /* list index per chart prefix and item reason, -1 none */
    /* answer */
    uint64_t fired;    /* bit per rule: its conditions held */
    uint64_t skipped;  /* bit per rule: outside its effective window */
    uint64_t barred;   /* bit per authorise rule: fired but barred */
    int outcome;
    int authorisation; /* rule index of the authorising rule, -1 none */
    int conditions[XC_CHECK_MAX_CONDITIONS];
    size_t n_conditions;
} xc_check;

/* Validate an "exportctl-rules/1" pack (its list and party-list references
 * must exist in the store) and record it if it changed. */
int xc_rules_import_json(xc_store *s, const char *text, size_t len, const char *file, int *recorded,
                         xc_error *err);

/* Load the engine as recorded at as_of (XC_TS_LATEST for now).  Party-list
 * snapshots are read from s on the first check that screens parties, so s
 * must stay open while the engine is used. */
int xc_policy_load(xc_store *s, int64_t as_of, xc_policy **out, xc_error *err);
void xc_policy_free(xc_policy *p);

/* Validate and resolve a request (regime, item, destination, date, ...). */
int xc_policy_prepare(const xc_policy *p, const xc_check_req *req, xc_check *chk, xc_error *err);

/* Evaluate a prepared check; never fails, never allocates. */
void xc_policy_eval(const xc_policy *p, xc_check *chk);

/* The answer as JSON: outcome, regime, activity, item, destination, date,
 * authorisation, conditions, trace and inputs (see docs/policy.md). */
json_t *xc_check_json(const xc_policy *p, const xc_check *chk);

/* Prepare, evaluate and describe one check: the answer `check --json`
 * prints and POST /v1/check returns (without "decision_id").  *answer is
 * the caller's; chk keeps the evaluated check (for recording). */
int xc_check_answer(const xc_policy *p, const xc_check_req *req, xc_check *chk, json_t **answer, xc_error *err);

/* A number that names this engine in the process and is never reused (a
 * cache of answers keyed by it cannot outlive the data it was built from). */
uint64_t xc_policy_serial(const xc_policy *p);

/* The normalised request as JSON (what a decision record stores). */
json_t *xc_check_request_json(const xc_policy *p, const xc_check *chk);

/* Rebuild a request from xc_check_request_json output.  Strings point into
 * the JSON object, which must outlive the request. */
int xc_check_req_from_json(json_t *o, xc_check_req *req, xc_error *err);

/* Packs as JSON (for `rules ls` / `rules show`). */
json_t *xc_policy_packs_json(const xc_policy *p, const char *regime);

/* Names of the regimes loaded, for messages. */
size_t xc_policy_regime_count(const xc_policy *p);
const char *xc_policy_regime_at(const xc_policy *p, size_t i);

/* The control list the engine holds (for `item ls` / `item show`). */
json_t *xc_policy_items_json(const xc_policy *p, const char *code, xc_error *err, int *rc);

#endif
