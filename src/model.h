/*
 * model.h: the registry's value types, shared by the registry and every
 * store backend.  A list has metadata and versions; a version has an
 * effective date (valid time), the time it was recorded (transaction time),
 * its members and the countries it removed, each with reason, source and
 * confidence.  All strings are owned by the struct that holds them.
 */
#ifndef XC_MODEL_H
#define XC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "error.h"

/* Confidence, from strongest to weakest; a larger value is weaker. */
enum { XC_CONF_OFFICIAL = 0, XC_CONF_REPORTED = 1, XC_CONF_INFERRED = 2 };

/* "official", "reported" or "inferred". */
const char *xc_confidence_name(int conf);

/* Parse a confidence name; field names the input in errors. */
int xc_confidence_parse(const char *s, int *out, const char *field, xc_error *err);

#define XC_TS_LATEST INT64_MAX /* "as recorded now" */

typedef struct xc_member {
    char country[3];  /* ISO alpha-2 (or XK) */
    char *reason;
    char *source;
    int confidence;
    xc_date since;    /* computed by queries; XC_DATE_NONE when not known */
} xc_member;

typedef struct xc_list_meta {
    char *id;
    char *title;
    char *authority;
    char *legal_basis;
    char *purpose;
    int64_t recorded_at;
} xc_list_meta;

typedef struct xc_version {
    int64_t id;             /* store row id; 0 before it is stored */
    char *list_id;
    xc_date effective_from;
    xc_date effective_to;   /* exclusive; XC_DATE_NONE when open */
    char precision[8];      /* "day", "month" or "year" */
    int declared_count;     /* -1 when the authority declared no count */
    char *source;
    int confidence;
    char *note;             /* may be NULL */
    char *correction;       /* why this version corrects an earlier recording; may be NULL */
    int64_t recorded_at;
    char hash[65];          /* SHA-256 hex of the canonical content */
    size_t n_members;
    xc_member *members;     /* sorted by country */
    size_t n_removed;
    xc_member *removed;     /* sorted by country */
} xc_version;

/* Free the strings of a member (not the member itself). */
void xc_member_clear(xc_member *m);

/* Free a list metadata record.  Accepts NULL. */
void xc_list_meta_free(xc_list_meta *m);

/* Free the contents of a version (not the struct itself). */
void xc_version_clear(xc_version *v);

/* Free an array of n versions.  Accepts NULL. */
void xc_versions_free(xc_version *v, size_t n);

/* Find a country (alpha-2) in a member array sorted by country; NULL if absent. */
const xc_member *xc_members_find(const xc_member *m, size_t n, const char *alpha2);

/* Declared count if any, else the number of known members. */
int xc_version_declared(const xc_version *v);

#endif
