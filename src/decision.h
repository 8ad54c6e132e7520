/*
 * decision.h: stored decisions.  A check's decision record holds the
 * normalised request and the full answer (outcome, trace, inputs with
 * content hashes).  Because every list version, rule pack, control entry
 * and party snapshot is append-only with a transaction time, replaying a
 * decision loads the engine as recorded at the decision's own time and
 * re-runs it; the replay says whether it reproduced the stored answer.
 */
#ifndef XC_DECISION_H
#define XC_DECISION_H

#include <jansson.h>

#include "policy.h"
#include "store.h"

/* Record a check's answer (inside the caller's transaction); sets
 * "decision_id" in the answer and *id. */
int xc_decision_record_check(xc_store *s, const xc_policy *p, const xc_check *chk, json_t *answer, int64_t *id,
                             xc_error *err);

/* Replay decision id: *answer is the re-run answer with a "replay" object
 * (decision_id, recorded_at, identical, stored_outcome) and, when
 * compare_now, a "now" object (today's answer with "changed").
 * *identical tells whether the replay reproduced the stored answer. */
int xc_decision_replay(xc_store *s, int64_t id, int compare_now, json_t **answer, int *identical, xc_error *err);

#endif
