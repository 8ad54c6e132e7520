/*
 * screen.h: denied-party screening.  An in-memory index over the names and
 * aliases of every party-list snapshot in force on a date; a query is
 * normalised once, candidates come from an inverted index of token keys
 * (exact token, phonetic key, prefix), never from a scan of every name, and
 * the best candidates are scored by the matcher with an explanation.
 *
 * Screening fails closed: with no snapshot in force, or a snapshot older
 * than its declared maximum age, building the index is an error.
 *
 * An xc_screener holds the current index and swaps in a rebuilt one
 * atomically while queries continue (reference counting under a mutex).
 */
#ifndef XC_SCREEN_H
#define XC_SCREEN_H

#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "match.h"
#include "normalize.h"
#include "parties.h"
#include "store.h"

#define XC_SCREEN_MAX_HITS 100

typedef struct xc_screen_index xc_screen_index;

/* Build an index of the snapshots in force on `at` (the latest snapshot of
 * each list with list_date <= at).  Borrows snaps: they must outlive it.
 * Fails closed (XC_EINVAL) when no snapshot is in force or one is older
 * than its max_age_days on `at`. */
int xc_screen_index_build(const xc_party_snapshot *snaps, size_t n, xc_date at, xc_screen_index **out,
                          xc_error *err);
void xc_screen_index_free(xc_screen_index *idx);

/* Names indexed and bytes used (for the benchmark). */
size_t xc_screen_index_names(const xc_screen_index *idx);
size_t xc_screen_index_bytes(const xc_screen_index *idx);

/* An allow-list entry: a cleared false positive. */
typedef struct xc_allow {
    char *query;      /* the screened name as given */
    char *folded;     /* its folded form (what is compared) */
    char *list;       /* a list id or tag */
    char *entry_id;
    char *reason;
    char *who;
    xc_date expires;  /* exclusive; XC_DATE_NONE never */
    int64_t recorded_at;
} xc_allow;

typedef struct xc_screen_opts {
    int type;              /* XC_NAME_* */
    const char *country;   /* alpha-2 or NULL */
    double threshold;      /* < 0: XC_MATCH_DEFAULT_THRESHOLD */
    int limit;             /* <= 0: 10 */
    const char *tag;       /* only entries with this tag (or list id); NULL all */
    xc_date at;            /* for allow-list expiry */
    const xc_allow *allow; /* allow-list (may be NULL) */
    size_t n_allow;
} xc_screen_opts;

typedef struct xc_screen_hit {
    double score;
    const xc_party_snapshot *snap;
    const xc_party_entry *entry;
    size_t name_index;       /* 0 = primary name, k = alias k-1 */
    xc_match why;
    xc_name listed;          /* the listed name as normalised */
    const xc_allow *allowed; /* non-NULL when an allow-list entry suppresses the hit */
} xc_screen_hit;

typedef struct xc_screen_result {
    xc_name query;
    xc_screen_hit hits[XC_SCREEN_MAX_HITS];
    size_t n_hits;           /* hits at or above the threshold, best first, not suppressed */
    xc_screen_hit suppressed[XC_SCREEN_MAX_HITS];
    size_t n_suppressed;
    size_t candidates;       /* names scored */
    double threshold;
} xc_screen_result;

/* Per-thread scratch space for queries (candidate accumulators). */
typedef struct xc_screen_scratch xc_screen_scratch;
int xc_screen_scratch_new(const xc_screen_index *idx, xc_screen_scratch **out, xc_error *err);
void xc_screen_scratch_free(xc_screen_scratch *s);

/* Screen one name.  The scratch must come from an index of at least the
 * same size (xc_screen_scratch_new on this index). */
int xc_screen_query(const xc_screen_index *idx, xc_screen_scratch *scratch, const char *name,
                    const xc_screen_opts *o, xc_screen_result *res, xc_error *err);

/* The result as JSON: query, normalized, threshold, matcher_version,
 * snapshots (ids and hashes), hits [...] and suppressed [...]. */
json_t *xc_screen_result_json(const xc_screen_index *idx, const xc_screen_result *res);

/* Snapshots the index covers as JSON (list, list_date, snapshot_id, content_hash). */
json_t *xc_screen_snapshots_json(const xc_screen_index *idx);

/* The date the index was built for (the `at` of xc_screen_index_build). */
xc_date xc_screen_index_date(const xc_screen_index *idx);

/* One name's answer, as `screen NAME --json` prints it and POST /v1/screen
 * returns it: xc_screen_result_json plus "query" (the name as given). */
json_t *xc_screen_answer_json(const xc_screen_index *idx, const xc_screen_result *res, const char *query);

/* One row of a batch, as `screen --batch --json` prints it (a line) and
 * POST /v1/screen/batch returns it (an element of "results"): row, line
 * (omitted when line <= 0), query, hits, suppressed, threshold,
 * matcher_version, snapshot_ids and error.  res is read when err is NULL;
 * otherwise the row carries err and no hits. */
json_t *xc_screen_row_json(const xc_screen_index *idx, const xc_screen_result *res, size_t row, long line,
                           const char *query, const xc_error *err);

/* ---- atomic refresh -------------------------------------------------------- */

typedef struct xc_screener xc_screener;
int xc_screener_new(xc_screen_index *initial, xc_screener **out, xc_error *err); /* takes the index */
void xc_screener_free(xc_screener *s);
/* Borrow the current index; give it back with xc_screener_release. */
const xc_screen_index *xc_screener_acquire(xc_screener *s);
void xc_screener_release(xc_screener *s, const xc_screen_index *idx);
/* Swap in a new index (taken); the old one is freed once its last reader releases it. */
void xc_screener_swap(xc_screener *s, xc_screen_index *idx);

/* ---- allow-list ------------------------------------------------------------ */

/* Record a cleared false positive. */
int xc_allow_add(xc_store *s, const char *query, const char *list, const char *entry_id, const char *reason,
                 const char *who, xc_date expires, xc_error *err);
/* Every allow-list entry recorded at as_of (expired ones included). */
int xc_allow_load(xc_store *s, int64_t as_of, xc_allow **out, size_t *n, xc_error *err);
void xc_allow_free(xc_allow *a, size_t n);
json_t *xc_allow_json(const xc_allow *a, size_t n, xc_date today);
/* What `allow add --json` prints and POST /v1/allow returns: query, list, entry_id. */
json_t *xc_allow_added_json(const char *query, const char *list, const char *entry_id);

#endif
