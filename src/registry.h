/*
 * registry.h: dated, versioned, sourced country lists.
 *
 * Bitemporal: each version has a valid time (effective_from, optional
 * effective_to) and a transaction time (recorded_at).  A question "as
 * recorded at T" only sees versions recorded at or before T; among versions
 * with the same effective date the latest recorded wins (a correction).
 * A version is in force from its effective date until the next version's
 * effective date or its own effective_to, whichever comes first.
 *
 * Every result can be turned into the JSON that the CLI prints with --json
 * and the HTTP API returns (the *_json functions).
 */
#ifndef XC_REGISTRY_H
#define XC_REGISTRY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "store.h"

/* ---- import ---------------------------------------------------------- */

typedef struct xc_import_stats {
    int lists;              /* lists in the input */
    int lists_recorded;     /* lists whose metadata was new or changed */
    int versions;           /* versions in the input */
    int versions_recorded;  /* versions newly recorded (including corrections) */
    int corrections;        /* of which corrections of an earlier recording */
    int versions_unchanged; /* versions identical to what is recorded */
} xc_import_stats;

/* Validate a whole "exportctl-lists/1" JSON document, then record it in one
 * transaction.  Nothing is written unless every list and version is valid.
 * Importing the same document twice records nothing the second time.
 * filename is used in error messages ("FILE:LINE:COL" or "FILE: $.path").
 * When the caller already holds a write transaction the import joins it. */
int xc_registry_import_json(xc_store *s, const char *text, size_t len, const char *filename,
                            xc_import_stats *stats, xc_error *err);

/* Options for importing a members CSV as one new version of a list. */
typedef struct xc_csv_version_opts {
    const char *list_id;        /* required: an existing list */
    const char *effective_from; /* required */
    const char *effective_to;   /* optional */
    const char *precision;      /* optional: day, month, year */
    int declared_count;         /* -1 when not declared */
    const char *source;         /* required: source of the version */
    const char *confidence;     /* required */
    const char *reason;         /* optional default reason for members */
    const char *note;           /* optional */
    const char *correction;     /* optional */
} xc_csv_version_opts;

/* Record a CSV of members (header: country[,reason][,source][,confidence])
 * as one version of an existing list.  Errors name FILE:LINE and the value. */
int xc_registry_import_members_csv(xc_store *s, const char *text, size_t len, const char *filename,
                                   const xc_csv_version_opts *opts, xc_import_stats *stats, xc_error *err);

/* ---- queries --------------------------------------------------------- */

/* The members of a list on a date, as recorded at a moment. */
typedef struct xc_snapshot xc_snapshot;

/* Members of list_id in force on date at, as recorded at as_of (XC_TS_LATEST
 * for now).  A date with no version in force gives an empty snapshot whose
 * xc_snapshot_version is NULL. */
int xc_registry_show(xc_store *s, const char *list_id, xc_date at, int64_t as_of, xc_snapshot **out,
                     xc_error *err);
void xc_snapshot_free(xc_snapshot *snap);
const xc_list_meta *xc_snapshot_list(const xc_snapshot *snap);
const xc_version *xc_snapshot_version(const xc_snapshot *snap); /* NULL when none in force */
/* Known members with their since-date (an empty array when none in force). */
const xc_member *xc_snapshot_members(const xc_snapshot *snap, size_t *n);
/* Whether a country (alpha-2) is a known member; fills *m when it is. */
int xc_snapshot_has(const xc_snapshot *snap, const char *alpha2, const xc_member **m);
json_t *xc_snapshot_json(const xc_snapshot *snap);

/* A member that joined or left between two dates. */
typedef struct xc_change {
    xc_member m;   /* reason, source and confidence of the change */
    xc_date date;  /* effective date of the version that made the change */
} xc_change;

typedef struct xc_diff xc_diff;

/* Countries added to and removed from list_id between two dates (from <= to). */
int xc_registry_diff(xc_store *s, const char *list_id, xc_date from, xc_date to, int64_t as_of, xc_diff **out,
                     xc_error *err);
void xc_diff_free(xc_diff *d);
const xc_change *xc_diff_added(const xc_diff *d, size_t *n);
const xc_change *xc_diff_removed(const xc_diff *d, size_t *n);
/* The snapshots at each end. */
const xc_snapshot *xc_diff_from(const xc_diff *d);
const xc_snapshot *xc_diff_to(const xc_diff *d);
json_t *xc_diff_json(const xc_diff *d);

/* One continuous period a country spent on a list. */
typedef struct xc_stint {
    char *list_id;
    char *list_title;
    xc_date from;       /* first day on the list */
    xc_date to;         /* first day off the list; XC_DATE_NONE if still on */
    xc_member m;        /* reason, source, confidence of the latest version in the stint */
    xc_member end;      /* why it left (reason NULL when it has not) */
} xc_stint;

/* Every period the country (alpha-2) spent on any list, by list then date. */
int xc_registry_country(xc_store *s, const char *alpha2, int64_t as_of, xc_stint **out, size_t *n, xc_error *err);
void xc_stints_free(xc_stint *st, size_t n);
json_t *xc_country_history_json(const char *alpha2, const xc_stint *st, size_t n);

/* A list with the state of its latest version. */
typedef struct xc_list_summary {
    xc_list_meta *meta;
    size_t versions;     /* versions in force at some time (corrections excluded) */
    size_t recordings;   /* every recorded version, corrections included */
    xc_date first_from;  /* earliest effective date */
    xc_date latest_from; /* latest effective date */
    int declared_now;    /* declared members of the version in force today (-1: none) */
    int known_now;
} xc_list_summary;

int xc_registry_lists(xc_store *s, int64_t as_of, xc_list_summary **out, size_t *n, xc_error *err);
void xc_list_summaries_free(xc_list_summary *l, size_t n);
json_t *xc_list_summaries_json(const xc_list_summary *l, size_t n);

/* Every recorded version of a list (corrections and the versions they
 * superseded included), oldest effective date first, as JSON. */
int xc_registry_history_json(xc_store *s, const char *list_id, int64_t as_of, json_t **out, xc_error *err);

/* The list as an importable "exportctl-lists/1" document (versions in force
 * as recorded at as_of). */
int xc_registry_export_json(xc_store *s, const char *list_id, int64_t as_of, json_t **out, xc_error *err);

/* JSON of one member: country, name, reason, source, confidence, since. */
json_t *xc_member_json(const xc_member *m);

/* What an import read and recorded, as the CLI's `list import --json` and
 * POST /v1/lists/import answer: {file, lists, lists_recorded, versions,
 * versions_recorded, corrections, versions_unchanged}. */
json_t *xc_import_stats_json(const char *file, const xc_import_stats *st);

/* Every country known to exportctl (ISO 3166-1 plus user-assigned codes) as
 * {"countries": [{alpha2, alpha3, numeric, name, user_assigned}]}, for
 * `country ls --json` and GET /v1/countries. */
json_t *xc_countries_json(void);

/* Validate a list id: lowercase letters, digits and single dashes. */
int xc_registry_check_id(const char *id, const char *field, xc_error *err);

#endif
