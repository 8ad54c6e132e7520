/*
 * match.h: scoring a pair of normalised names (normalize.h) for screening.
 * Tokens are aligned (exact, Jaro-Winkler, phonetic key, initials, joined
 * or split tokens), weighted by kind, and unmatched tokens are penalised;
 * the score is in [0,1] and comes with the alignment that explains it.
 * The formula and the threshold are documented in docs/matching.md.
 *
 * xc_match_names does no allocation and no Unicode work: it is meant for
 * the inner loop of the screening index.
 */
#ifndef XC_MATCH_H
#define XC_MATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "normalize.h"

#define XC_MATCHER_VERSION "exportctl-match/1"
/* Chosen from the benchmark in docs/matching.md. */
#define XC_MATCH_DEFAULT_THRESHOLD 0.85

/* How a pair of tokens matched. */
enum { XC_HOW_EXACT, XC_HOW_JARO_WINKLER, XC_HOW_PHONETIC, XC_HOW_INITIAL, XC_HOW_JOINED };

/* One aligned pair: query token q with listed token l.  A token split on one
 * side ("al qaeda" vs "alqaeda") gives one XC_HOW_JOINED pair per piece, all
 * naming the same token on the other side. */
typedef struct xc_match_pair {
    int8_t q, l;
    uint8_t how;
    float sim;
} xc_match_pair;

typedef struct xc_match {
    float score;                       /* [0,1] */
    xc_match_pair pairs[XC_NAME_MAX_TOKENS];
    int n_pairs;
    uint32_t q_unmatched, l_unmatched; /* bitmasks of unmatched scoring tokens (legal forms and honorifics excluded) */
} xc_match;

/* Score a normalised pair; fills *why when non-NULL. */
float xc_match_names(const xc_name *query, const xc_name *listed, xc_match *why);

/* Explanation as JSON: score, threshold, match, matcher_version and
 * explanation {pairs, unmatched_query, unmatched_listed, ignored,
 * query_normalized, listed_normalized}.  NULL when out of memory. */
json_t *xc_match_json(const xc_name *q, const xc_name *l, const xc_match *m, double threshold);

/* Normalise two names as `type` (XC_NAME_*), score them and explain: the
 * answer `match --json` prints and POST /v1/match returns (xc_match_json).
 * fields[0] and fields[1] name the two inputs in errors (e.g. "NAME1" or
 * "name1"): an empty name or one that normalises to nothing is XC_EINVAL
 * naming its field.  Runs the normaliser (Unicode work, one allocation). */
int xc_match_pair_json(const char *name1, const char *name2, int type, double threshold, const char *const fields[2],
                       json_t **out, xc_error *err);

/* Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4) of two byte
 * strings; strings are compared on their first 255 bytes. */
double xc_jaro_winkler(const char *a, size_t la, const char *b, size_t lb);

/* Short name of an XC_HOW_* value ("exact", "jaro-winkler", ...). */
const char *xc_match_how_name(int how);

#endif
