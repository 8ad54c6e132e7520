/*
 * csvrows.h: read a CSV text (RFC 4180, via libcsv) row by row with the
 * line number each row starts on, so errors can name FILE:LINE.
 */
#ifndef XC_CSVROWS_H
#define XC_CSVROWS_H

#include <stddef.h>

#include "error.h"

#define XC_CSV_MAX_FIELDS 64

/* Called for every row (the header too, as row 0): fields are NUL-terminated
 * and valid only during the call.  Return 0 to go on, or a status code to
 * stop (it becomes the return value of xc_csv_rows). */
typedef int (*xc_csv_row_fn)(void *user, long line, int row, char **fields, size_t n);

/* Parse text, calling fn per row.  Blank lines are skipped.  A malformed
 * file (e.g. an unterminated quote) fails with XC_EINVAL naming FILE:LINE. */
int xc_csv_rows(const char *text, size_t len, const char *file, xc_csv_row_fn fn, void *user, xc_error *err);

/* xc_csv_rows with another field delimiter (e.g. '\t' for tab-separated files). */
int xc_csv_rows_delim(const char *text, size_t len, const char *file, char delim, xc_csv_row_fn fn, void *user,
                      xc_error *err);

/* Index of a header name in fields (case-insensitive), or -1. */
int xc_csv_column(char **fields, size_t n, const char *name);

#endif
