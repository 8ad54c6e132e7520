/*
 * controllist.h: the control list of cyber items (4A005, 4D004, ...): each
 * entry with title, definition, notes and its mapping across regimes
 * (Wassenaar, EU, US, Israel) with effective dates, reasons for control and
 * flags the rule packs read.  Entries are versioned documents: an import
 * that changes an entry records a new version; nothing is edited in place.
 */
#ifndef XC_CONTROLLIST_H
#define XC_CONTROLLIST_H

#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "store.h"

#define XC_ITEM_CODE_MAX 32

typedef struct xc_item_map {
    char regime[24];
    char code[XC_ITEM_CODE_MAX];
    xc_date from, to;   /* to exclusive, XC_DATE_NONE when open */
    char **reasons;     /* e.g. "NS1", "AT1" */
    size_t n_reasons;
    char **flags;       /* e.g. "ace-eligible" */
    size_t n_flags;
    char *note;         /* may be NULL */
    char *source;
    int confidence;
} xc_item_map;

typedef struct xc_item {
    char code[XC_ITEM_CODE_MAX];
    char *title;
    char *definition;
    char **notes;
    size_t n_notes;
    char *source;
    int confidence;
    xc_item_map *maps;
    size_t n_maps;
    char hash[65];      /* content hash of the stored document */
    int64_t doc_id;
    int64_t recorded_at;
} xc_item;

/* Validate an "exportctl-items/1" document and record every changed item in
 * one transaction (or the caller's).  *recorded counts new versions. */
int xc_items_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_items, int *recorded,
                         xc_error *err);

/* Every item as recorded at as_of, sorted by code. */
int xc_items_load(xc_store *s, int64_t as_of, xc_item **out, size_t *n, xc_error *err);
void xc_items_free(xc_item *items, size_t n);

/* Find an item by code (case-insensitive); NULL if unknown. */
const xc_item *xc_items_find(const xc_item *items, size_t n, const char *code);

/* Find an item or fail with XC_EINVAL naming the code and suggesting near codes. */
int xc_items_lookup(const xc_item *items, size_t n, const char *code, const char *field, const xc_item **out,
                    xc_error *err);

/* The item's mapping for a regime in force on a date; NULL if none. */
const xc_item_map *xc_item_mapping(const xc_item *it, const char *regime, xc_date at);

/* Whether a mapping carries a flag / a reason. */
int xc_item_map_has_flag(const xc_item_map *m, const char *flag);

/* What an import of items (kind "item") or a rule pack (kind "rule pack")
 * read and recorded: {file, kind, in_file, recorded}, as `item import
 * --json`, `rules import --json` and their POST routes answer. */
json_t *xc_items_import_report_json(const char *file, const char *kind, int in_file, int recorded);

json_t *xc_item_json(const xc_item *it);
json_t *xc_items_json(const xc_item *items, size_t n);

#endif
