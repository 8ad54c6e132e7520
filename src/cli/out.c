/*
 * out.c: aligned tables and CSV output for the CLI.
 */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct out_table {
    int ncols;
    char **headers;
    int *max_width;
    char **cells; /* rows * ncols */
    size_t rows, cap;
};

out_table *out_table_new(int ncols, const char *const *headers, const int *max_width)
{
    out_table *t = xc_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->headers = xc_calloc((size_t)ncols, sizeof(char *));
    t->max_width = xc_calloc((size_t)ncols, sizeof(int));
    if (!t->headers || !t->max_width) {
        out_table_free(t);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        t->headers[i] = xc_strdup(headers[i]);
        t->max_width[i] = max_width ? max_width[i] : 0;
    }
    return t;
}

int out_table_row(out_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **nc = xc_realloc(t->cells, cap * (size_t)t->ncols * sizeof(char *));
        if (!nc)
            return -1;
        t->cells = nc;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->rows * (size_t)t->ncols + (size_t)i] = xc_strdup(cells[i] ? cells[i] : "");
    t->rows++;
    return 0;
}

/* Number of code points in a UTF-8 string. */
static int u8_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Byte length of the first `cols` code points of s. */
static size_t u8_prefix(const char *s, int cols)
{
    size_t i = 0;
    int n = 0;
    while (s[i]) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == cols)
                break;
            n++;
        }
        i++;
    }
    return i;
}

static void print_cell(FILE *f, const char *s, int width, int max, int last)
{
    int w = u8_width(s);
    if (max && w > max) {
        fwrite(s, 1, u8_prefix(s, max - 1), f);
        fputs("\xE2\x80\xA6", f); /* ellipsis */
        w = max;
    } else {
        fputs(s, f);
    }
    if (!last)
        fprintf(f, "%*s", width - w + 2, "");
}

void out_table_print(const out_table *t, FILE *f)
{
    int *w = calloc((size_t)t->ncols, sizeof(int));
    if (!w)
        return;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = u8_width(t->headers[c]);
        for (size_t r = 0; r < t->rows; r++) {
            int cw = u8_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (cw > w[c])
                w[c] = cw;
        }
        if (t->max_width[c] && w[c] > t->max_width[c])
            w[c] = t->max_width[c];
    }
    for (int c = 0; c < t->ncols; c++)
        print_cell(f, t->headers[c], w[c], t->max_width[c], c == t->ncols - 1);
    fputc('\n', f);
    for (size_t r = 0; r < t->rows; r++) {
        for (int c = 0; c < t->ncols; c++)
            print_cell(f, t->cells[r * (size_t)t->ncols + (size_t)c], w[c], t->max_width[c], c == t->ncols - 1);
        fputc('\n', f);
    }
    free(w);
}

void out_csv_field(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

void out_table_print_csv(const out_table *t, FILE *f)
{
    for (int c = 0; c < t->ncols; c++)
        out_csv_field(f, t->headers[c], c == t->ncols - 1);
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->ncols; c++)
            out_csv_field(f, t->cells[r * (size_t)t->ncols + (size_t)c], c == t->ncols - 1);
}

void out_table_print_as(const out_table *t, int csv, FILE *f)
{
    if (csv)
        out_table_print_csv(t, f);
    else
        out_table_print(t, f);
}

void out_table_free(out_table *t)
{
    if (!t)
        return;
    for (int c = 0; t->headers && c < t->ncols; c++)
        xc_free(t->headers[c]);
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        xc_free(t->cells[i]);
    xc_free(t->headers);
    xc_free(t->max_width);
    xc_free(t->cells);
    xc_free(t);
}
