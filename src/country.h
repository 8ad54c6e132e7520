/*
 * country.h: ISO 3166-1 countries.  The table is generated at build time
 * from Debian's iso-codes JSON (tools/gen_countries.c); the only codes added
 * by hand are user-assigned ones in common official use (XK, Kosovo).
 * Look-up accepts alpha-2, alpha-3, numeric or an English name; a bad code
 * gets an error that suggests the right one (UK -> GB, EL -> GR).
 */
#ifndef XC_COUNTRY_H
#define XC_COUNTRY_H

#include <stddef.h>

#include "error.h"

typedef struct xc_country {
    const char *alpha2;        /* "GB" */
    const char *alpha3;        /* "GBR" */
    const char *numeric;       /* "826"; empty for user-assigned codes */
    const char *name;          /* ISO short name */
    const char *official_name; /* may be empty */
    const char *common_name;   /* may be empty */
    int user_assigned;         /* 1 for codes outside ISO 3166-1 proper (XK) */
} xc_country;

/* Generated table, sorted by alpha2. */
extern const xc_country xc_iso_countries[];
extern const size_t xc_iso_country_count;

/* Find a country by alpha-2, alpha-3, numeric code or name (case-insensitive).
 * On failure returns XC_EINVAL with a message naming the value, the field and,
 * when one is known, the code the user most likely meant. */
int xc_country_lookup(const char *query, const char *field, const xc_country **out, xc_error *err);

/* Exact alpha-2 look-up (uppercase); NULL if unknown. */
const xc_country *xc_country_by_alpha2(const char *alpha2);

/* The name to show people: the common name when there is one. */
const char *xc_country_display_name(const xc_country *c);

/* Number of known countries (ISO plus user-assigned) and the i-th of them. */
size_t xc_country_count(void);
const xc_country *xc_country_at(size_t i);

#endif
