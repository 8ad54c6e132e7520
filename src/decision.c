/*
 * decision.c: recording and replaying policy decisions.
 */
#include "decision.h"

#include <string.h>

#include "audit.h"
#include "docs.h"
#include "mem.h"

int xc_decision_record_check(xc_store *s, const xc_policy *p, const xc_check *chk, json_t *answer, int64_t *id,
                             xc_error *err)
{
    json_t *req = xc_check_request_json(p, chk);
    char *rq = req ? json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *rs = json_dumps(answer, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = rq && rs ? xc_store_decision_put(s, "check", rq, rs, id, err)
                      : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK) {
        char hrq[65], hrs[65];
        char sid[32];
        xc_sha256_hex(rq, strlen(rq), hrq);
        xc_sha256_hex(rs, strlen(rs), hrs);
        snprintf(sid, sizeof(sid), "decision:%lld", (long long)*id);
        json_t *ev = json_pack("{s:I, s:O, s:s, s:s}", "decision_id", (json_int_t)*id, "outcome",
                               json_object_get(answer, "outcome"), "request_hash", hrq, "result_hash", hrs);
        rc = ev ? xc_audit_append(s, NULL, "check.decision", sid, ev, NULL, err)
                : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        json_decref(ev);
    }
    if (rc == XC_OK)
        json_object_set_new(answer, "decision_id", json_integer(*id));
    json_decref(req);
    xc_free(rq);
    xc_free(rs);
    return rc;
}

/* The parts of an answer that must be identical for a faithful replay. */
static int same_answer(json_t *a, json_t *b)
{
    static const char *const keys[] = {"outcome", "authorisation", "conditions", "trace", "request", "confidence"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])))
            return 0;
    json_t *ia = json_object_get(a, "inputs"), *ib = json_object_get(b, "inputs");
    static const char *const ikeys[] = {"rule_pack", "items", "lists", "party_snapshots"};
    for (size_t i = 0; i < sizeof(ikeys) / sizeof(ikeys[0]); i++)
        if (!json_equal(json_object_get(ia, ikeys[i]), json_object_get(ib, ikeys[i])))
            return 0;
    return 1;
}

/* Evaluate a stored request with the engine as recorded at as_of. */
static int evaluate(xc_store *s, json_t *request, int64_t as_of, json_t **answer, xc_error *err)
{
    xc_check_req req;
    xc_check chk;
    xc_policy *p = NULL;
    int rc = xc_check_req_from_json(request, &req, err);
    if (rc || (rc = xc_policy_load(s, as_of, &p, err)) || (rc = xc_policy_prepare(p, &req, &chk, err))) {
        xc_policy_free(p);
        return rc;
    }
    xc_policy_eval(p, &chk);
    *answer = xc_check_json(p, &chk);
    xc_policy_free(p);
    return *answer ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

int xc_decision_replay(xc_store *s, int64_t id, int compare_now, json_t **answer, int *identical, xc_error *err)
{
    xc_decision d;
    json_t *request = NULL, *stored = NULL, *again = NULL, *now = NULL;
    json_error_t je;
    *answer = NULL;
    *identical = 0;
    int rc = xc_store_decision_get(s, id, &d, err);
    if (rc)
        return rc;
    request = json_loads(d.request, 0, &je);
    stored = json_loads(d.result, 0, &je);
    if (!request || !stored)
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "decision %lld: stored JSON is unreadable", (long long)id);
    if (rc == XC_OK)
        rc = evaluate(s, request, d.recorded_at, &again, err);
    if (rc == XC_OK && compare_now)
        rc = evaluate(s, request, XC_TS_LATEST, &now, err);
    if (rc == XC_OK) {
        char t[XC_TS_BUF];
        *identical = same_answer(stored, again);
        json_object_set_new(again, "decision_id", json_integer(id));
        json_object_set_new(again, "replay", json_pack("{s:I, s:s, s:b, s:O}", "decision_id", (json_int_t)id,
                                                       "recorded_at", xc_ts_format(d.recorded_at, t), "identical",
                                                       *identical, "stored_outcome",
                                                       json_object_get(stored, "outcome")));
        if (now) {
            int changed = !json_equal(json_object_get(now, "outcome"), json_object_get(again, "outcome")) ||
                          !json_equal(json_object_get(now, "authorisation"), json_object_get(again, "authorisation"));
            json_object_set_new(now, "changed", json_boolean(changed));
            json_object_set(again, "now", now);
        }
        *answer = again;
        again = NULL;
    }
    json_decref(request);
    json_decref(stored);
    json_decref(again);
    json_decref(now);
    xc_decision_clear(&d);
    return rc;
}
