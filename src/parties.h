/*
 * parties.h: denied-party lists as dated snapshots (e.g. the US Entity List
 * entries of 2021-11-04), each a versioned document with its source, list
 * date and content hash.  Matching here is exact after case folding; the
 * screening engine (a later issue) replaces it with fuzzy, cross-script
 * matching over the same snapshots.
 */
#ifndef XC_PARTIES_H
#define XC_PARTIES_H

#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "store.h"

#define XC_FOLD_MAX 256

typedef struct xc_party_entry {
    char *id;
    char *name;
    char *type;       /* entity, individual, vessel, ... */
    char *country;    /* ISO alpha-2 or NULL */
    char **aliases;
    size_t n_aliases;
    char *address;
    char *citation;
    char *start_date;
    char *licence_requirement;
    char *licence_policy;
    char **folded;    /* folded name then aliases */
    size_t n_folded;
} xc_party_entry;

typedef struct xc_party_snapshot {
    char *list_id;
    char *list_title;
    char *authority;
    xc_date list_date;
    char *source;
    int confidence;
    xc_party_entry *entries;
    size_t n_entries;
    char hash[65];
    int64_t doc_id;
} xc_party_snapshot;

/* Validate an "exportctl-parties/1" document and record its snapshots. */
int xc_parties_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_snapshots,
                           int *recorded, xc_error *err);

/* Every snapshot recorded at as_of, by list id then list date. */
int xc_parties_load(xc_store *s, int64_t as_of, xc_party_snapshot **out, size_t *n, xc_error *err);
void xc_parties_free(xc_party_snapshot *s, size_t n);

/* The snapshot of a list in force on a date: the latest with list_date <= at. */
const xc_party_snapshot *xc_parties_in_force(const xc_party_snapshot *s, size_t n, const char *list_id, xc_date at);

/* Whether any snapshot of the list exists. */
int xc_parties_list_known(const xc_party_snapshot *s, size_t n, const char *list_id);

/* Fold a name for exact matching: lowercase, punctuation other than letters
 * and digits treated as space, runs of spaces collapsed, trimmed. */
void xc_party_fold(const char *in, char *out, size_t outsz);

/* Find a folded name in a snapshot: entry index (and which name: 0 = primary,
 * k = alias k-1) or -1. */
int xc_party_match(const xc_party_snapshot *snap, const char *folded, size_t *which);

json_t *xc_parties_json(const xc_party_snapshot *s, size_t n);

#endif
