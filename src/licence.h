/*
 * licence.h: the licensing workflow: exporter organisations and users
 * (actors), applications (marketing and export) from draft to decision,
 * four-eyes approval enforced here, licences with their lifecycle and
 * amendments as new versions, refusal criteria, and the impact of a
 * policy change on live licences and pending applications.
 *
 * Everything is stored as versioned documents (kinds "org", "user",
 * "application", "licence"): a change is a new version, nothing is edited in
 * place or deleted, and every change appends an audit event (audit.h) in the
 * same transaction, naming the acting user.
 *
 * Transactions: each call runs in a transaction of its own, or inside the
 * caller's when one is open (the caller then commits or rolls back); that
 * lets a group-commit loop batch many calls into one durable commit.
 *
 * Actors: `actor` is a registered user's name.  Roles: admin (users and
 * organisations), officer (reviews and decides applications, acts on
 * licences), exporter (creates, submits and withdraws its organisation's
 * applications, surrenders its licences), auditor (reads).  A call by an
 * actor without the role fails with XC_EFORBIDDEN naming the rule.  The
 * read functions (*_get, *_json) take no actor: callers decide who reads.
 *
 * Ids: "APP-000001", "LIC-000001", numbered in order (a counter in the
 * settings, started from the number of keys + 1).  Returned documents
 * (*out) are new references the caller frees with json_decref; on error
 * *out is NULL.  The model, statuses and JSON are in docs/licensing.md.
 */
#ifndef XC_LICENCE_H
#define XC_LICENCE_H

#include <jansson.h>

#include "date.h"
#include "store.h"

#define XC_DOC_ORG "org"
#define XC_DOC_USER "user"
#define XC_DOC_APPLICATION "application"
#define XC_DOC_LICENCE "licence"
#define XC_DOC_LICENSING "licensing" /* the licensing table: refusal criteria, marketing-licence regimes */

/* ---- actors ---------------------------------------------------------------- */

/* Add an organisation {id, name, country}.  The very first user of a
 * database may be added by anyone and must be an admin (bootstrap);
 * afterwards only admins add users and organisations. */
int xc_org_add(xc_store *s, const char *actor, const char *id, const char *name, const char *country,
               xc_error *err);
int xc_user_add(xc_store *s, const char *actor, const char *name, const char *role, const char *org,
                xc_error *err);
/* {name, role, org, active, ...}; XC_ENOTFOUND if unknown. */
int xc_user_get(xc_store *s, const char *name, json_t **out, xc_error *err);
/* {id, name, country, active, ...}; XC_ENOTFOUND if unknown. */
int xc_org_get(xc_store *s, const char *id, json_t **out, xc_error *err);
/* {"users": [...]} and {"orgs": [...]}, the latest version of each. */
int xc_users_json(xc_store *s, json_t **out, xc_error *err);
int xc_orgs_json(xc_store *s, json_t **out, xc_error *err);

/* ---- applications ---------------------------------------------------------------- */

/* Create a draft from fields (the JSON documented in docs/licensing.md:
 * type, regime, exporter, items, destination, end_users, parties, end_use,
 * value {amount, currency} (or value + currency), marketing_licence, date).
 * Unknown or bad fields fail with XC_EINVAL naming the field ("$.destination");
 * regime, items and destination are checked with the policy engine.  id
 * receives "APP-NNNNNN" (empty on error). */
int xc_app_create(xc_store *s, const char *actor, json_t *fields, char id[32], xc_error *err);
/* draft -> submitted: runs the policy check of every item (and the
 * activities the licence depends on) with screening of every party, and
 * stores the full records with the application.  *out: the new version.
 * Each check is recorded as a decision (decision.h; ids in "checks");
 * parties are screened against the snapshots in force on the application's
 * date (fails closed).  For an export under a regime of the licensing
 * table's marketing_licence_required, marketing is checked too, and when it
 * needs a licence the application must reference an active marketing
 * licence of its exporter covering destination and items: XC_ECONFLICT
 * naming marketing_licence otherwise. */
int xc_app_submit(xc_store *s, const char *actor, const char *id, json_t **out, xc_error *err);
/* submitted -> under-review (an officer takes the case). */
int xc_app_review(xc_store *s, const char *actor, const char *id, json_t **out, xc_error *err);
/* under-review -> approved, issuing a licence; terms (may be NULL):
 * valid_from, valid_until, conditions, note.  When four-eyes applies (check
 * said presumption of denial, or a screening hit) the first approval is
 * recorded and the application stays under review until a second, different
 * officer approves.  *out: the application version, with "licence" once issued. */
int xc_app_approve(xc_store *s, const char *actor, const char *id, json_t *terms, json_t **out, xc_error *err);
/* under-review -> refused, citing criteria codes (from the criteria table) and text. */
int xc_app_refuse(xc_store *s, const char *actor, const char *id, const char *const *criteria, size_t n_criteria,
                  const char *text, json_t **out, xc_error *err);
/* draft|submitted|under-review -> withdrawn. */
int xc_app_withdraw(xc_store *s, const char *actor, const char *id, const char *reason, json_t **out,
                    xc_error *err);
/* Latest version ({..., "versions": n, "recorded_at", "content_hash"} and,
 * when history, "history": every version, oldest first). */
int xc_app_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err);
/* {"applications": [...]}: the latest version of every application,
 * optionally filtered by status and exporter (NULL: any). */
int xc_apps_json(xc_store *s, const char *status, const char *exporter, json_t **out, xc_error *err);

/* ---- licences ---------------------------------------------------------------------- */

/* action: "suspend" (active -> suspended), "reinstate" (suspended ->
 * active), "revoke" (active|suspended -> revoked; officers) or "surrender"
 * (active -> surrendered; its exporter or an officer); reason required.
 * Another status gives XC_ECONFLICT naming it.  Every action appends a
 * notice {number, action, reason, at, by} plus the fields of notice (may be
 * NULL, borrowed; e.g. the policy change an impact analysis cites) to the
 * licence's "notices" in the new version. */
int xc_licence_act(xc_store *s, const char *actor, const char *id, const char *action, const char *reason,
                   json_t *notice, json_t **out, xc_error *err);
/* A new version with changed terms (officers; active or suspended
 * licences): changes {valid_until, conditions (replaces), add_conditions,
 * end_use}; reason required; "amendment" counts them.  Nothing is edited
 * in place: earlier versions stay readable (xc_licence_get with history). */
int xc_licence_amend(xc_store *s, const char *actor, const char *id, json_t *changes, const char *reason,
                     json_t **out, xc_error *err);
int xc_licence_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err);
/* {"at", "licences": [...]}: the latest version of every licence with its
 * "effective_status" on `at` (XC_DATE_NONE: today): the stored status,
 * except that an active licence past valid_until reads "expired"; the
 * status filter (NULL: any) compares the effective status.  Transitions
 * use the stored status. */
int xc_licences_json(xc_store *s, const char *status, xc_date at, json_t **out, xc_error *err);

/* The licensing table in force: {"criteria":[{code, title, source}],
 * "marketing_licence_required":[regime, ...], "doc_id", "content_hash"}. */
int xc_criteria_json(xc_store *s, json_t **out, xc_error *err);

/* Validate an "exportctl-licensing/1" document (docs/licensing.md) and
 * record it if it changed (in the caller's transaction when one is open).
 * actor NULL: the system (bundled data); else the actor must be an admin. */
int xc_licensing_import_json(xc_store *s, const char *actor, const char *text, size_t len, const char *file,
                             int *recorded, xc_error *err);

/* ---- impact of a policy change ------------------------------------------------------ */

typedef struct xc_impact_req {
    const char *list_id;   /* a country-list change, or */
    const char *regime;    /* a rule-pack change */
    const char *version;   /* a recorded version id, or a file path of the new version */
    const char *apply;     /* NULL (dry run), "suspend" or "revoke" */
    const char *reason;    /* required with apply */
    xc_date at;            /* evaluate on this date; XC_DATE_NONE (or 0): the change's effective date */
    const char *text;      /* optional: the new version's JSON itself (then version only names it in messages) */
    size_t text_len;
} xc_impact_req;

/* Every active licence and pending application whose outcome becomes
 * stricter, with before and after traces; with apply, acts on all the
 * licences in one transaction (recording the new version first when it came
 * from a file), each getting a notice citing the change.
 *
 * version: digits = a recorded list version id (--list) or rule-pack
 * document id (--rules); anything else = a file (or req->text) holding the
 * new version (exportctl-lists/1 with one new version of the list, or an
 * exportctl-rules/1 pack of the regime); a file already recorded counts as
 * its recorded version.  Candidates: licences stored active whose validity
 * covers the date, and submitted or under-review applications (of the
 * regime, for a rule pack); each (item, activity) they were checked for is
 * re-run before and after the change on `at` (default: the list version's
 * effective date, the pack's effective_from if it has one, else today).
 * "Before" for a recorded change is the store with the change undone in a
 * transaction that is rolled back (see impact.c).  Officers, admins and
 * auditors may run a dry run; only officers apply; actions touch licences
 * only (applications are reported).  Must be called outside a transaction.
 * *report: {change, at, dry_run, candidates {licences, applications},
 * affected [{id, kind, status, type, regime, exporter, destination,
 * checks [{item, activity, before, after, stricter}], before [answers],
 * after [answers]}], affected_licences, affected_applications, relaxed
 * [ids], applied null | {action, reason, licences [ids]}}. */
int xc_impact(xc_store *s, const char *actor, const xc_impact_req *req, json_t **report, xc_error *err);

#endif
