/*
 * licence_int.h: helpers shared by licence.c (actors, applications,
 * licences) and impact.c (the impact of a policy change).  Not part of the
 * public API.
 */
#ifndef XC_LICENCE_INT_H
#define XC_LICENCE_INT_H

#include <jansson.h>

#include "licence.h"
#include "policy.h"

/* The acting user must be registered, active and hold one of the roles in
 * `allowed` (NULL-terminated); `what` names the action in the message
 * ("approving an application").  *user (may be NULL) gets the user's
 * document (new reference). */
int xc_lic__actor(xc_store *s, const char *actor, const char *const *allowed, const char *what, json_t **user,
                  xc_error *err);

/* The latest version of a licensing document (kinds of licence.h);
 * XC_ENOTFOUND naming the kind and key when there is none. */
int xc_lic__load(xc_store *s, const char *kind, const char *key, json_t **out, xc_error *err);

/* A check request for one (item, activity) of an application or licence
 * document on `date`.  Strings are borrowed from doc. */
int xc_lic__req(json_t *doc, const char *item, const char *activity, xc_date date, xc_check_req *req,
                xc_error *err);

/* Outcome index of an outcome name, -1 if unknown. */
int xc_lic__outcome(const char *name);

/* Effective status of a licence document on `at` ("expired" once an
 * active licence is past valid_until). */
const char *xc_lic__status_at(json_t *lic, xc_date at);

#endif
