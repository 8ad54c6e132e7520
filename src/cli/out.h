/*
 * out.h: human tables and CSV for the CLI.  A table collects rows of
 * strings, then prints them with columns sized to their content (by UTF-8
 * code points), cutting cells longer than the column's maximum width.
 */
#ifndef XC_CLI_OUT_H
#define XC_CLI_OUT_H

#include <stdio.h>

typedef struct out_table out_table;

/* New table with n columns; headers[i] and max_width[i] (0 = unlimited). */
out_table *out_table_new(int ncols, const char *const *headers, const int *max_width);

/* Append a row of ncols strings (copied; NULL prints as empty). */
int out_table_row(out_table *t, const char *const *cells);

/* Print as an aligned table. */
void out_table_print(const out_table *t, FILE *f);

/* Print as CSV when csv is set, else as an aligned table. */
void out_table_print_as(const out_table *t, int csv, FILE *f);

/* Print as CSV (RFC 4180) with the headers as the first line. */
void out_table_print_csv(const out_table *t, FILE *f);

void out_table_free(out_table *t);

/* Print one CSV field, quoted when needed. */
void out_csv_field(FILE *f, const char *s, int last);

#endif
