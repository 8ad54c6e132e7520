/*
 * bundle.h: data files compiled into the binary at build time
 * (tools/embed.c over the JSON files in data/items, data/lists,
 * data/parties and data/rules), loaded into a new database on
 * first use so that exportctl works from any directory.
 */
#ifndef XC_BUNDLE_H
#define XC_BUNDLE_H

#include <stddef.h>

typedef struct xc_bundle_file {
    const char *name; /* file name relative to data/, e.g. "lists/eu.json" */
    const char *data; /* contents, NUL-terminated */
    size_t size;      /* length without the NUL */
} xc_bundle_file;

extern const xc_bundle_file xc_bundle_files[];
extern const size_t xc_bundle_count;

#endif
