/*
 * csvrows.c: row-at-a-time CSV reading over libcsv with line tracking.
 * The text is fed to libcsv one physical line at a time, so the line where
 * each row starts is known even when quoted fields span lines.
 */
#include "csvrows.h"

#include <csv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mem.h"

typedef struct state {
    xc_csv_row_fn fn;
    void *user;
    xc_error *err;
    const char *file;
    long line, row_line;
    int row;
    char *fields[XC_CSV_MAX_FIELDS];
    size_t n;
    int rc;
} state;

static void on_field(void *data, size_t len, void *user)
{
    state *st = user;
    if (st->rc)
        return;
    if (st->n == 0)
        st->row_line = st->line;
    if (st->n == XC_CSV_MAX_FIELDS) {
        st->rc = xc_error_set(st->err, XC_EINVAL, "csv", "%s:%ld: more than %d fields", st->file, st->row_line,
                              XC_CSV_MAX_FIELDS);
        return;
    }
    if (!(st->fields[st->n] = xc_strndup(data ? data : "", len))) {
        st->rc = xc_error_set(st->err, XC_ENOMEM, NULL, "out of memory");
        return;
    }
    st->n++;
}

static void reset(state *st)
{
    for (size_t i = 0; i < st->n; i++)
        xc_free(st->fields[i]);
    st->n = 0;
}

static void on_row(int term, void *user)
{
    state *st = user;
    (void)term;
    int blank = st->n == 1 && st->fields[0][0] == '\0';
    if (!st->rc && st->n && !blank) {
        st->rc = st->fn(st->user, st->row_line, st->row, st->fields, st->n);
        st->row++;
    }
    reset(st);
}

int xc_csv_rows(const char *text, size_t len, const char *file, xc_csv_row_fn fn, void *user, xc_error *err)
{
    return xc_csv_rows_delim(text, len, file, ',', fn, user, err);
}

/* libcsv trims spaces and tabs around unquoted fields; a tab delimiter must
 * not count as one of them. */
static int is_space_not_tab(unsigned char c)
{
    return c == CSV_SPACE;
}

int xc_csv_rows_delim(const char *text, size_t len, const char *file, char delim, xc_csv_row_fn fn, void *user,
                      xc_error *err)
{
    struct csv_parser p;
    state st;
    memset(&st, 0, sizeof(st));
    st.fn = fn;
    st.user = user;
    st.err = err;
    st.file = file ? file : "(input)";
    st.line = 1;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    csv_set_delim(&p, (unsigned char)delim);
    if (delim == '\t')
        csv_set_space_func(&p, is_space_not_tab);
    const char *q = text, *end = text + len;
    while (q < end && st.rc == XC_OK) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t chunk = nl ? (size_t)(nl - q) + 1 : (size_t)(end - q);
        if (csv_parse(&p, q, chunk, on_field, on_row, &st) != chunk && st.rc == XC_OK)
            st.rc = xc_error_set(err, XC_EINVAL, "csv", "%s:%ld: malformed CSV: %s", st.file, st.line,
                                 csv_strerror(csv_error(&p)));
        q += chunk;
        st.line++;
    }
    if (st.rc == XC_OK && csv_fini(&p, on_field, on_row, &st) != 0)
        st.rc = xc_error_set(err, XC_EINVAL, "csv", "%s:%ld: malformed CSV (unterminated quote?)", st.file,
                             st.row_line ? st.row_line : st.line - 1);
    reset(&st);
    csv_free(&p);
    return st.rc;
}

int xc_csv_column(char **fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(fields[i], name) == 0)
            return (int)i;
    return -1;
}
