/*
 * parties.h: denied-party lists as dated snapshots (e.g. the US Entity List
 * entries of 2021-11-04), each a versioned document with its source, list
 * date and content hash.  Snapshots come from the bundled exportctl-parties/1
 * JSON or from the importers of partyimport.h (OFAC, CSL, UN, DPL, CSV); the
 * document format is described in docs/parties.md.  Matching here is exact
 * after case folding; the screening engine (screen.h) does fuzzy,
 * cross-script matching over the same snapshots.
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
    char **programs;  /* sanctions programs, e.g. "CYBER2" */
    size_t n_programs;
    char **tags;      /* canonical list ids the entry belongs to ("us-entity-list"); never empty once loaded */
    size_t n_tags;
    char *source_list; /* the source's own name for its list, or NULL */
    char *remarks;
    char **dates_of_birth; /* as given by the source ("1966-09-08", "1971", "circa 1960") */
    size_t n_dates_of_birth;
    char **nationalities;  /* as given by the source */
    size_t n_nationalities;
} xc_party_entry;

/* A row an importer could not use: where it was and why. */
typedef struct xc_party_reject {
    char *file;       /* base name of the file, or NULL */
    long line;        /* 1-based line, 0 when the format has no lines */
    char *path;       /* JSON path for JSON formats, or NULL */
    char *reason;
} xc_party_reject;

/* At most this many rejected rows (and warnings) are kept in a snapshot;
 * the counts are the true totals. */
#define XC_PARTY_REJECTS_KEPT 1000

typedef struct xc_party_snapshot {
    char *list_id;
    char *list_title;
    char *authority;
    xc_date list_date;
    char *source;
    int confidence;
    char *format;          /* importer format ("ofac-sdn", ...) or NULL for exportctl-parties/1 */
    int max_age_days;      /* 0: none; else screening refuses the snapshot once older */
    xc_party_entry *entries;
    size_t n_entries;
    size_t n_aliases;      /* total aliases over the entries */
    size_t n_rejected;     /* true number of rejected rows (rejected[] keeps at most XC_PARTY_REJECTS_KEPT) */
    xc_party_reject *rejected;
    size_t n_rejected_kept;
    size_t n_warnings;     /* rows imported with a warning (e.g. an implausible date ignored) */
    xc_party_reject *warnings;
    size_t n_warnings_kept;
    char hash[65];
    int64_t doc_id;
} xc_party_snapshot;

/* Validate an "exportctl-parties/1" document and record its snapshots. */
int xc_parties_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_snapshots,
                           int *recorded, xc_error *err);

/* What xc_parties_import_json_info read and recorded. */
typedef struct xc_parties_json_info {
    int snapshots;        /* snapshots in the file */
    int recorded;         /* how many were new */
    size_t entries, aliases, rejected; /* totals over the snapshots */
    char last_key[160];   /* "LIST@DATE" of the last snapshot */
    char last_hash[65];   /* its content hash */
} xc_parties_json_info;

/* xc_parties_import_json with totals, the last snapshot's key and hash. */
int xc_parties_import_json_info(xc_store *s, const char *text, size_t len, const char *file,
                                xc_parties_json_info *info, xc_error *err);

/* Check one snapshot document {"list": {...}, "snapshot": {...}} as it would
 * be stored (the importers call this before recording, so that nothing is
 * written that could not be loaded); file names the input in errors. */
int xc_parties_check_doc(json_t *doc, const char *file, xc_error *err);

/* Every snapshot recorded at as_of, by list id then list date. */
int xc_parties_load(xc_store *s, int64_t as_of, xc_party_snapshot **out, size_t *n, xc_error *err);
void xc_parties_free(xc_party_snapshot *s, size_t n);

/* The snapshots in force on a date: for each list the latest with
 * list_date <= at (s sorted as xc_parties_load returns it).  Fills out
 * (room for n) and returns how many. */
size_t xc_parties_in_force(const xc_party_snapshot *s, size_t n, xc_date at, const xc_party_snapshot **out);

/* Fold a name for exact comparison (allow-list entries): lowercase,
 * punctuation other than letters and digits treated as space, runs of
 * spaces collapsed, trimmed. */
void xc_party_fold(const char *in, char *out, size_t outsz);

json_t *xc_parties_json(const xc_party_snapshot *s, size_t n);

#endif
