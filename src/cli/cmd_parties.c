/*
 * cmd_parties.c: `exportctl parties ...`: denied-party list snapshots
 * (`parties ls`) and the importers of the published lists (`parties import`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mem.h"
#include "out.h"
#include "parties.h"
#include "partyimport.h"

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_notes(const char *what, const xc_party_reject *r, size_t kept, size_t total, const char *file)
{
    if (!total)
        return;
    size_t show = kept < 20 ? kept : 20;
    printf("%s (%s%zu of %zu):\n", what, show < total ? "first " : "", show, total);
    for (size_t i = 0; i < show; i++) {
        const char *f = r[i].file ? r[i].file : file;
        if (r[i].line > 0)
            printf("  %s:%ld: %s\n", f, r[i].line, r[i].reason);
        else if (r[i].path)
            printf("  %s: %s: %s\n", f, r[i].path, r[i].reason);
        else
            printf("  %s: %s\n", f, r[i].reason);
    }
}

int cmd_parties_import(cli_ctx *c)
{
    const char *path = c->pos[0], *format = cli_opt_value(c, "format"), *age = cli_opt_value(c, "max-age-days");
    xc_party_import_opts o = {cli_opt_value(c, "list-id"), cli_opt_value(c, "list-date"), cli_opt_value(c, "source"),
                              0};
    xc_party_import_report rep;
    char *data = NULL;
    size_t len = 0;
    int rc;
    memset(&rep, 0, sizeof(rep));
    if (!format)
        format = "exportctl";
    /* check what can be checked before the database is opened (and the bundle loaded) */
    if (age) {
        char *end;
        errno = 0;
        long v = strtol(age, &end, 10);
        if (errno || end == age || *end || v < 1 || v > 36500)
            return cli_usage_error(c, "--max-age-days: \"%s\" is not a number of days from 1 to 36500", age);
        o.max_age_days = (int)v;
    }
    if ((rc = xc_parties_import_check(format, &o, &c->err)))
        return cli_fail(c, rc);
    if (strcmp(path, "-") == 0) {
        if (strcmp(format, "ofac-sdn") == 0)
            return cli_usage_error(c, "--format ofac-sdn reads a folder, not standard input");
        if ((rc = cli_read_file(path, &data, &len, &c->err)))
            return cli_fail(c, rc);
    }
    if ((rc = cli_open_db(c)) == XC_OK)
        rc = data ? xc_parties_import_text(c->store, format, data, len, "(stdin)", &o, &rep, &c->err)
                  : xc_parties_import_path(c->store, format, path, &o, &rep, &c->err);
    xc_free(data);
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        json_t *j = xc_party_import_report_file_json(&rep, path);
        xc_party_import_report_clear(&rep);
        return cli_print_json(c, j);
    }
    char d[XC_DATE_BUF];
    if (strcmp(rep.format, "exportctl") == 0) {
        printf("%s: %d snapshot(s), %d recorded, %d unchanged\n", path, rep.snapshots, rep.recorded,
               rep.snapshots - rep.recorded);
        printf("last:      %s\n", rep.key);
    } else {
        printf("%s: format %s, list %s, list date %s\n", path, rep.format, rep.list_id,
               xc_date_format(rep.list_date, d));
        printf("snapshot:  %s %s\n", rep.key, rep.recorded ? "recorded" : "unchanged (already recorded)");
    }
    printf("hash:      %s\n", rep.hash);
    printf("entries:   %zu\naliases:   %zu\nrejected:  %zu\nwarnings:  %zu\n", rep.entries, rep.aliases, rep.rejected,
           rep.warnings);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    print_notes("rejected rows", rep.rejects, rep.n_rejects, rep.rejected, base);
    print_notes("warnings", rep.warns, rep.n_warns, rep.warnings, base);
    xc_party_import_report_clear(&rep);
    return CLI_EXIT_OK;
}

int cmd_parties_ls(cli_ctx *c)
{
    xc_party_snapshot *s = NULL;
    size_t n = 0;
    int64_t as_of;
    int rc = cli_as_of_opt(c, &as_of);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_parties_load(c->store, as_of, &s, &n, &c->err)))
        return cli_fail(c, rc);
    json_t *j = xc_parties_json(s, n);
    xc_parties_free(s, n);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const h[] = {"LIST", "LIST DATE", "ENTRIES", "CONFIDENCE", "HASH", "SOURCE"};
    static const int w[] = {0, 0, 0, 0, 12, 70};
    out_table *t = out_table_new(6, h, c->format == OUT_CSV ? NULL : w);
    json_t *sn;
    size_t i;
    json_array_foreach(json_object_get(j, "snapshots"), i, sn)
    {
        char cnt[16];
        snprintf(cnt, sizeof(cnt), "%zu", json_array_size(json_object_get(sn, "entries")));
        const char *row[] = {js(sn, "list"), js(sn, "list_date"), cnt, js(sn, "confidence"), js(sn, "content_hash"),
                             js(sn, "source")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}
