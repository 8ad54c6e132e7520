/*
 * cmd_screen.c: `exportctl screen NAME` and `screen --batch FILE`, and the
 * allow-list commands (`allow add`, `allow ls`).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "country.h"
#include "csvrows.h"
#include "mem.h"
#include "out.h"
#include "screen.h"

/* Everything one screening run needs: snapshots, allow-list, the index. */
typedef struct run {
    xc_party_snapshot *snaps;
    size_t n_snaps;
    xc_allow *allow;
    size_t n_allow;
    xc_screen_index *idx;
    xc_screen_opts o;
    char country[3];
} run;

static void run_free(run *r)
{
    xc_screen_index_free(r->idx);
    xc_parties_free(r->snaps, r->n_snaps);
    xc_allow_free(r->allow, r->n_allow);
}

static int parse_opts(cli_ctx *c, run *r)
{
    const char *type = cli_opt_value(c, "type"), *country = cli_opt_value(c, "country");
    const char *thr = cli_opt_value(c, "threshold"), *lim = cli_opt_value(c, "limit");
    memset(&r->o, 0, sizeof(r->o));
    r->o.threshold = -1;
    if (type && strcmp(type, "person") == 0)
        r->o.type = XC_NAME_PERSON;
    else if (type && strcmp(type, "entity") == 0)
        r->o.type = XC_NAME_ENTITY;
    else if (type)
        return xc_error_set(&c->err, XC_EINVAL, "--type", "--type: \"%s\" is not person or entity", type);
    if (country) {
        const xc_country *cc;
        int rc = xc_country_lookup(country, "--country", &cc, &c->err);
        if (rc)
            return rc;
        memcpy(r->country, cc->alpha2, 3);
        r->o.country = r->country;
    }
    if (thr) {
        char *end;
        double t = strtod(thr, &end);
        if (!*thr || *end || t < 0 || t > 1)
            return xc_error_set(&c->err, XC_EINVAL, "--threshold", "--threshold: \"%s\" is not a number from 0 to 1",
                                thr);
        r->o.threshold = t;
    }
    if (lim) {
        char *end;
        long k = strtol(lim, &end, 10);
        if (!*lim || *end || k < 1 || k > XC_SCREEN_MAX_HITS)
            return xc_error_set(&c->err, XC_EINVAL, "--limit", "--limit: \"%s\" is not a whole number from 1 to %d",
                                lim, XC_SCREEN_MAX_HITS);
        r->o.limit = (int)k;
    }
    return cli_date_opt(c, "date", cli_opt_value(c, "date"), &r->o.at);
}

static int prepare(cli_ctx *c, run *r)
{
    int rc = parse_opts(c, r);
    if (rc || (rc = xc_normalize_init(&c->err)) || (rc = cli_open_db(c)) ||
        (rc = xc_parties_load(c->store, XC_TS_LATEST, &r->snaps, &r->n_snaps, &c->err)) ||
        (rc = xc_allow_load(c->store, XC_TS_LATEST, &r->allow, &r->n_allow, &c->err)) ||
        (rc = xc_screen_index_build(r->snaps, r->n_snaps, r->o.at, &r->idx, &c->err)))
        return rc;
    r->o.allow = r->allow;
    r->o.n_allow = r->n_allow;
    return XC_OK;
}

static void print_result(const char *name, json_t *j)
{
    size_t i;
    json_t *h;
    printf("query:      %s\nnormalized: %s\nthreshold:  %.2f (matcher %s)\n", name,
           json_string_value(json_object_get(j, "normalized")), json_real_value(json_object_get(j, "threshold")),
           json_string_value(json_object_get(j, "matcher_version")));
    json_array_foreach(json_object_get(j, "snapshots"), i, h)
        printf("list:       %s of %s (snapshot %lld, %lld entries)\n", json_string_value(json_object_get(h, "list")),
               json_string_value(json_object_get(h, "list_date")),
               (long long)json_integer_value(json_object_get(h, "snapshot_id")),
               (long long)json_integer_value(json_object_get(h, "entries")));
    json_t *hits = json_object_get(j, "hits");
    printf("\n%zu hit(s)\n", json_array_size(hits));
    static const char *const hd[] = {"SCORE", "LIST", "ENTRY", "NAME", "MATCHED", "TYPE", "COUNTRY"};
    static const int w[] = {0, 0, 0, 40, 40, 0, 0};
    out_table *t = out_table_new(7, hd, w);
    json_array_foreach(hits, i, h)
    {
        char score[16];
        snprintf(score, sizeof(score), "%.3f", json_real_value(json_object_get(h, "score")));
        const char *row[] = {score,
                             json_string_value(json_object_get(h, "list")),
                             json_string_value(json_object_get(h, "entry_id")),
                             json_string_value(json_object_get(h, "name")),
                             json_string_value(json_object_get(h, "matched_name")),
                             json_string_value(json_object_get(h, "type")),
                             json_string_value(json_object_get(h, "country"))};
        if (t)
            out_table_row(t, row);
    }
    if (t && json_array_size(hits))
        out_table_print(t, stdout);
    out_table_free(t);
    json_array_foreach(hits, i, h)
    {
        json_t *ex = json_object_get(h, "explanation"), *pr;
        size_t k;
        printf("\n%s ~ %s:\n", name, json_string_value(json_object_get(h, "matched_name")));
        json_array_foreach(json_object_get(json_object_get(ex, "explanation"), "pairs"), k, pr)
            printf("  %-20s ~ %-20s %-13s %.3f\n", json_string_value(json_object_get(pr, "query_token")),
                   json_string_value(json_object_get(pr, "listed_token")), json_string_value(json_object_get(pr, "how")),
                   json_real_value(json_object_get(pr, "similarity")));
    }
    json_array_foreach(json_object_get(j, "suppressed"), i, h)
    {
        json_t *a = json_object_get(h, "allowed");
        printf("\nallow-listed (not a hit): %s %s \"%s\" score %.3f: %s (cleared by %s)\n",
               json_string_value(json_object_get(h, "list")), json_string_value(json_object_get(h, "entry_id")),
               json_string_value(json_object_get(h, "name")), json_real_value(json_object_get(h, "score")),
               json_string_value(json_object_get(a, "reason")), json_string_value(json_object_get(a, "who")));
    }
}

static int screen_one(cli_ctx *c, run *r, const char *name)
{
    xc_screen_scratch *sc = NULL;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    int rc = res ? xc_screen_scratch_new(r->idx, &sc, &c->err) : xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK)
        rc = xc_screen_query(r->idx, sc, name, &r->o, res, &c->err);
    if (rc) {
        xc_screen_scratch_free(sc);
        xc_free(res);
        return cli_fail(c, rc);
    }
    json_t *j = xc_screen_answer_json(r->idx, res, name); /* the same answer as POST /v1/screen */
    size_t n_hits = res->n_hits;
    xc_screen_scratch_free(sc);
    xc_free(res);
    if (!j) {
        xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
        return cli_fail(c, XC_ENOMEM);
    }
    if (c->format == OUT_JSON)
        cli_print_json(c, j);
    else {
        print_result(name, j);
        json_decref(j);
    }
    return n_hits ? 3 : CLI_EXIT_OK;
}

/* ---- batch ------------------------------------------------------------------------- */

typedef struct brow {
    long line;
    char *name;
    char *out; /* the JSON line */
} brow;

typedef struct batch {
    cli_ctx *c;
    run *r;
    brow *rows;
    size_t n, cap;
    int col;
    const char *column;
    size_t next; /* next row to screen (under mu) */
    size_t done;
    pthread_mutex_t mu;
    int progress;
    long bad;
} batch;

static int collect(void *user, long line, int row, char **f, size_t n)
{
    batch *b = user;
    if (row == 0) {
        b->col = xc_csv_column(f, n, b->column);
        if (b->col < 0)
            return xc_error_set(&b->c->err, XC_EINVAL, "--column", "%s:%ld: the header has no column \"%s\"",
                                cli_opt_value(b->c, "batch"), line, b->column);
        return XC_OK;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        brow *nr = xc_realloc(b->rows, cap * sizeof(brow));
        if (!nr)
            return xc_error_set(&b->c->err, XC_ENOMEM, NULL, "out of memory");
        b->rows = nr;
        b->cap = cap;
    }
    brow *br = &b->rows[b->n++];
    br->line = line;
    br->out = NULL;
    br->name = xc_strdup((size_t)b->col < n ? f[b->col] : "");
    return br->name ? XC_OK : xc_error_set(&b->c->err, XC_ENOMEM, NULL, "out of memory");
}

static void *worker(void *arg)
{
    batch *b = arg;
    xc_screen_scratch *sc = NULL;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    xc_error err;
    if (!res || xc_screen_scratch_new(b->r->idx, &sc, &err)) {
        xc_free(res);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&b->mu);
        size_t i = b->next++;
        pthread_mutex_unlock(&b->mu);
        if (i >= b->n)
            break;
        brow *br = &b->rows[i];
        xc_error_clear(&err);
        int rc = xc_screen_query(b->r->idx, sc, br->name, &b->r->o, res, &err);
        json_t *o = xc_screen_row_json(b->r->idx, res, i + 1, br->line, br->name, rc ? &err : NULL);
        br->out = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
        json_decref(o);
        pthread_mutex_lock(&b->mu);
        b->done++;
        if (b->progress && (b->done % 100 == 0 || b->done == b->n))
            fprintf(stderr, "\rscreening: %zu/%zu", b->done, b->n);
        pthread_mutex_unlock(&b->mu);
    }
    xc_screen_scratch_free(sc);
    xc_free(res);
    return NULL;
}

static int screen_batch(cli_ctx *c, run *r, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    batch b;
    memset(&b, 0, sizeof(b));
    b.c = c;
    b.r = r;
    b.column = cli_opt_value(c, "column") ? cli_opt_value(c, "column") : "name";
    b.progress = isatty(2);
    int rc = cli_read_file(path, &data, &len, &c->err);
    if (rc == XC_OK)
        rc = xc_csv_rows(data, len, path, collect, &b, &c->err);
    xc_free(data);
    if (rc == XC_OK) {
        pthread_t th[2];
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        int nt = ncpu >= 2 ? 2 : 1, started = 0;
        pthread_mutex_init(&b.mu, NULL);
        for (int i = 0; i < nt; i++)
            started += pthread_create(&th[i], NULL, worker, &b) == 0;
        if (started == 0)
            worker(&b);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        pthread_mutex_destroy(&b.mu);
        if (b.progress)
            fputc('\n', stderr);
        for (size_t i = 0; i < b.n; i++) {
            if (!b.rows[i].out) {
                rc = xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory screening row %zu", i + 1);
                break;
            }
            puts(b.rows[i].out);
            if (strstr(b.rows[i].out, "\"error\":{"))
                b.bad++;
        }
    }
    for (size_t i = 0; i < b.n; i++) {
        xc_free(b.rows[i].name);
        xc_free(b.rows[i].out);
    }
    xc_free(b.rows);
    if (rc)
        return cli_fail(c, rc);
    fprintf(stderr, "exportctl: %zu name(s) screened, %ld bad\n", b.n, b.bad);
    return b.bad ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

int cmd_screen(cli_ctx *c)
{
    const char *batch_file = cli_opt_value(c, "batch");
    run r;
    memset(&r, 0, sizeof(r));
    if (!batch_file && c->n_pos == 0)
        return cli_usage_error(c, "screen needs a NAME or --batch FILE");
    if (batch_file && c->n_pos)
        return cli_usage_error(c, "give either a NAME or --batch FILE, not both");
    if (cli_opt_value(c, "column") && !batch_file)
        return cli_usage_error(c, "--column goes with --batch");
    int rc = prepare(c, &r);
    if (rc) {
        run_free(&r);
        return cli_fail(c, rc);
    }
    rc = batch_file ? screen_batch(c, &r, batch_file) : screen_one(c, &r, c->pos[0]);
    run_free(&r);
    return rc;
}

/* ---- allow-list ------------------------------------------------------------------------ */

int cmd_allow_add(cli_ctx *c)
{
    xc_date expires = XC_DATE_NONE;
    const char *exp = cli_opt_value(c, "expires");
    int rc = exp ? xc_date_parse(exp, &expires, "--expires", &c->err) : XC_OK;
    if (rc)
        return cli_fail(c, rc);
    if (!cli_opt_value(c, "list") || !cli_opt_value(c, "entry") || !cli_opt_value(c, "reason") ||
        !cli_opt_value(c, "who"))
        return cli_usage_error(c, "allow add needs NAME, --list, --entry, --reason and --who");
    if ((rc = cli_open_db(c)) ||
        (rc = xc_allow_add(c->store, c->pos[0], cli_opt_value(c, "list"), cli_opt_value(c, "entry"),
                           cli_opt_value(c, "reason"), cli_opt_value(c, "who"), expires, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, xc_allow_added_json(c->pos[0], cli_opt_value(c, "list"), cli_opt_value(c, "entry")));
    printf("allow-listed: \"%s\" against %s entry %s\n", c->pos[0], cli_opt_value(c, "list"), cli_opt_value(c, "entry"));
    return CLI_EXIT_OK;
}

int cmd_allow_ls(cli_ctx *c)
{
    xc_allow *a = NULL;
    size_t n = 0;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_allow_load(c->store, XC_TS_LATEST, &a, &n, &c->err)))
        return cli_fail(c, rc);
    json_t *j = xc_allow_json(a, n, xc_date_today());
    xc_allow_free(a, n);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const h[] = {"QUERY", "LIST", "ENTRY", "EXPIRES", "ACTIVE", "WHO", "REASON"};
    out_table *t = out_table_new(7, h, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "allow_list"), i, e)
    {
        const char *exp = json_string_value(json_object_get(e, "expires"));
        const char *row[] = {json_string_value(json_object_get(e, "query")),
                             json_string_value(json_object_get(e, "list")),
                             json_string_value(json_object_get(e, "entry_id")),
                             exp ? exp : "never",
                             json_is_true(json_object_get(e, "active")) ? "yes" : "no",
                             json_string_value(json_object_get(e, "who")),
                             json_string_value(json_object_get(e, "reason"))};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}
