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
 * actor without the role fails with XC_EFORBIDDEN naming the rule.
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
int xc_users_json(xc_store *s, json_t **out, xc_error *err);
int xc_orgs_json(xc_store *s, json_t **out, xc_error *err);

/* ---- applications ---------------------------------------------------------------- */

/* Create a draft from fields (the JSON documented in docs/licensing.md:
 * type, regime, exporter, items, destination, end_users, parties, end_use,
 * value, currency, marketing_licence, date).  Unknown or bad fields fail
 * with XC_EINVAL naming the field.  id receives "APP-NNNNNN". */
int xc_app_create(xc_store *s, const char *actor, json_t *fields, char id[32], xc_error *err);
/* draft -> submitted: runs the policy check of every item (and the
 * activities the licence depends on) with screening of every party, and
 * stores the full records with the application.  *out: the new version. */
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
/* Latest version ({..., "versions": n} and, when history, every version). */
int xc_app_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err);
/* Latest version of every application, optionally filtered (NULL: any). */
int xc_apps_json(xc_store *s, const char *status, const char *exporter, json_t **out, xc_error *err);

/* ---- licences ---------------------------------------------------------------------- */

/* action: "suspend", "reinstate", "revoke" or "surrender"; reason required.
 * notice (may be NULL, borrowed) is stored with the new version. */
int xc_licence_act(xc_store *s, const char *actor, const char *id, const char *action, const char *reason,
                   json_t *notice, json_t **out, xc_error *err);
/* A new version with changed terms (valid_until, conditions, end_use); reason required. */
int xc_licence_amend(xc_store *s, const char *actor, const char *id, json_t *changes, const char *reason,
                     json_t **out, xc_error *err);
int xc_licence_get(xc_store *s, const char *id, int history, json_t **out, xc_error *err);
/* Latest version of every licence; status filter uses the status in force
 * on `at` (expired is computed from valid_until). */
int xc_licences_json(xc_store *s, const char *status, xc_date at, json_t **out, xc_error *err);

/* Refusal criteria {code, title, source} in force. */
int xc_criteria_json(xc_store *s, json_t **out, xc_error *err);

/* ---- impact of a policy change ------------------------------------------------------ */

typedef struct xc_impact_req {
    const char *list_id;   /* a country-list change, or */
    const char *regime;    /* a rule-pack change */
    const char *version;   /* a recorded version id, or a file path of the new version */
    const char *apply;     /* NULL (dry run), "suspend" or "revoke" */
    const char *reason;    /* required with apply */
    xc_date at;            /* evaluate on this date; XC_DATE_NONE: the change's effective date */
} xc_impact_req;

/* Every active licence and pending application whose outcome becomes
 * stricter, with before and after traces; with apply, acts on all the
 * licences in one transaction (recording the new version first when it came
 * from a file), each getting a notice citing the change. */
int xc_impact(xc_store *s, const char *actor, const xc_impact_req *req, json_t **report, xc_error *err);

#endif
