/*
 * registry_int.h: helpers shared by registry.c (queries) and
 * registry_import.c (validation and recording).  Private to the registry.
 */
#ifndef XC_REGISTRY_INT_H
#define XC_REGISTRY_INT_H

#include "registry.h"

/* Indexes into all[] (sorted by effective date, then recording) of the
 * versions in force at some time: for each effective date the latest
 * recorded.  *idx is allocated; returns XC_OK or XC_ENOMEM. */
int reg_current(const xc_version *all, size_t n, size_t **idx, size_t *n_idx);

/* First day after version k of cur[] (end of its validity), or XC_DATE_NONE. */
xc_date reg_end(const xc_version *all, const size_t *cur, size_t n_cur, size_t k);

/* Compute v->hash: SHA-256 of the version's canonical JSON content. */
int reg_version_hash(xc_version *v, xc_error *err);

/* Canonical JSON of a version's content (what the hash covers). */
json_t *reg_version_content_json(const xc_version *v);


#endif
