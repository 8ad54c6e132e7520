/*
 * cmd_parties.c: `exportctl parties ...`: denied-party list snapshots.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mem.h"
#include "out.h"
#include "parties.h"

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int cmd_parties_import(cli_ctx *c)
{
    char *data = NULL;
    size_t len = 0;
    int n = 0, recorded = 0;
    int rc = cli_read_file(c->pos[0], &data, &len, &c->err);
    if (rc || (rc = cli_open_db(c)) ||
        (rc = xc_parties_import_json(c->store, data, len, c->pos[0], &n, &recorded, &c->err))) {
        xc_free(data);
        return cli_fail(c, rc);
    }
    xc_free(data);
    if (c->format == OUT_JSON)
        return cli_print_json(c, json_pack("{s:s, s:i, s:i}", "file", c->pos[0], "snapshots", n, "recorded", recorded));
    printf("%s: %d snapshot(s), %d recorded, %d unchanged\n", c->pos[0], n, recorded, n - recorded);
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
