/*
 * partyimport.h: importers of the denied-party lists as published: the
 * OFAC SDN legacy CSV files, the US Consolidated Screening List (CSV in its
 * current and 2019 layouts, and JSON), the UN Security Council consolidated
 * list (XML), the BIS Denied Persons List (tab-separated) and a documented
 * plain CSV.  Each import reads the whole input into one party snapshot
 * (exportctl-parties/1 document, parties.h), with its source, list date,
 * counts and the rows it could not use (file, line and reason: never
 * silently dropped), and records it in one transaction; an input that
 * cannot be read at all changes nothing.  Formats, field mappings and the
 * source-to-tag table are documented in docs/parties.md.
 */
#ifndef XC_PARTYIMPORT_H
#define XC_PARTYIMPORT_H

#include <stddef.h>

#include "date.h"
#include "error.h"
#include "parties.h"
#include "store.h"

/* Options of one import; every field may be NULL / 0. */
typedef struct xc_party_import_opts {
    const char *list_id;   /* list id to record under (default: per format) */
    const char *list_date; /* "YYYY-MM-DD" (default: from the file where it says; else required) */
    const char *source;    /* source text (default: per format and file name) */
    int max_age_days;      /* 0: none; 1..36500: screening refuses the snapshot once older */
} xc_party_import_opts;

/* What one import read and recorded.  Clear with xc_party_import_report_clear. */
typedef struct xc_party_import_report {
    char format[16];
    char list_id[72];
    xc_date list_date;
    char key[160];          /* "LIST@DATE" of the snapshot (the last one for exportctl) */
    char hash[65];          /* content hash of the snapshot document */
    int recorded;           /* snapshots newly recorded (0: the same content was already there) */
    int snapshots;          /* snapshots in the input (1, or more for exportctl) */
    size_t entries, aliases, rejected, warnings;
    xc_party_reject *rejects; /* the first rejected rows (at most XC_PARTY_REJECTS_KEPT), owned */
    size_t n_rejects;
    xc_party_reject *warns;   /* the first warnings, owned */
    size_t n_warns;
} xc_party_import_report;

/* Import the list at path (a folder for ofac-sdn, else a file) in the named
 * format: ofac-sdn, csl-csv, csl-json, un-xml, bis-dpl, csv or exportctl.
 * Bad rows are counted and listed in the snapshot and the report; a missing
 * or unreadable input, an unknown format or a bad option is an error and
 * nothing is written. */
int xc_parties_import_path(xc_store *s, const char *format, const char *path, const xc_party_import_opts *opts,
                           xc_party_import_report *rep, xc_error *err);

/* Check the format and the options alone (what xc_parties_import_path checks
 * first), so a caller can refuse them before opening a database. */
int xc_parties_import_check(const char *format, const xc_party_import_opts *opts, xc_error *err);

/* The same over text already in memory (not for ofac-sdn, which is a folder);
 * name is the file name used in messages and the default source. */
int xc_parties_import_text(xc_store *s, const char *format, const char *text, size_t len, const char *name,
                           const xc_party_import_opts *opts, xc_party_import_report *rep, xc_error *err);

/* Free what a report owns and zero it; accepts NULL. */
void xc_party_import_report_clear(xc_party_import_report *rep);

/* The report as JSON (format, list, list_date, snapshot key, content_hash,
 * recorded, counts, rejected rows and warnings). */
json_t *xc_party_import_report_json(const xc_party_import_report *rep);

/* xc_party_import_report_json with "file" (the input's name) added, as
 * `parties import --json` and POST /v1/parties/import answer. */
json_t *xc_party_import_report_file_json(const xc_party_import_report *rep, const char *file);

/* The canonical tag (list id) for a source list name as the CSL writes it
 * ("Entity List (EL) - Bureau of Industry and Security" -> us-entity-list);
 * unknown names get a slug of the name.  Writes at most outsz bytes. */
void xc_party_source_tag(const char *source, char *out, size_t outsz);

/* Names of the supported formats, comma-separated (for help and errors). */
const char *xc_party_import_formats(void);

#endif
