/*
 * cmd_policy.c: `exportctl item ...` and `rules ...`: the control list and
 * the rule packs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "controllist.h"
#include "mem.h"
#include "out.h"
#include "policy.h"

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int load(cli_ctx *c, xc_policy **p)
{
    int64_t as_of;
    int rc = cli_as_of_opt(c, &as_of);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_policy_load(c->store, as_of, p, &c->err)))
        return rc;
    return XC_OK;
}

int cmd_item_ls(cli_ctx *c)
{
    xc_policy *p = NULL;
    int rc = load(c, &p);
    if (rc)
        return cli_fail(c, rc);
    json_t *j = xc_policy_items_json(p, NULL, &c->err, &rc);
    xc_policy_free(p);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const h[] = {"CODE", "TITLE", "MAPPINGS"};
    static const int w[] = {0, 60, 0};
    out_table *t = out_table_new(3, h, c->format == OUT_CSV ? NULL : w);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(j, "items"), i, it)
    {
        char maps[512] = "";
        json_t *m;
        size_t k;
        json_array_foreach(json_object_get(it, "regimes"), k, m)
            snprintf(maps + strlen(maps), sizeof(maps) - strlen(maps), "%s%s %s from %s", k ? "; " : "",
                     js(m, "regime"), js(m, "code"), js(m, "effective_from"));
        const char *row[] = {js(it, "code"), js(it, "title"), maps};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}

int cmd_item_show(cli_ctx *c)
{
    xc_policy *p = NULL;
    int rc = load(c, &p);
    if (rc)
        return cli_fail(c, rc);
    json_t *it = xc_policy_items_json(p, c->pos[0], &c->err, &rc);
    xc_policy_free(p);
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, it);
    printf("%s: %s\n\n%s\n", js(it, "code"), js(it, "title"), js(it, "definition"));
    json_t *v, *m;
    size_t i;
    json_array_foreach(json_object_get(it, "notes"), i, v) printf("\nnote: %s\n", json_string_value(v));
    printf("\nsource: %s (%s)\ncontent hash: %s\n\n", js(it, "source"), js(it, "confidence"), js(it, "content_hash"));
    static const char *const h[] = {"REGIME", "CODE", "FROM", "TO", "REASONS", "FLAGS", "CONFIDENCE", "SOURCE"};
    static const int w[] = {0, 0, 0, 0, 0, 0, 0, 60};
    out_table *t = out_table_new(8, h, w);
    json_array_foreach(json_object_get(it, "regimes"), i, m)
    {
        char reasons[128] = "", flags[128] = "";
        size_t k;
        json_array_foreach(json_object_get(m, "reasons"), k, v)
            snprintf(reasons + strlen(reasons), sizeof(reasons) - strlen(reasons), "%s%s", k ? " " : "",
                     json_string_value(v));
        json_array_foreach(json_object_get(m, "flags"), k, v)
            snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s", k ? " " : "", json_string_value(v));
        const char *row[] = {js(m, "regime"),     js(m, "code"), js(m, "effective_from"), js(m, "effective_to"),
                             reasons,             flags,         js(m, "confidence"),     js(m, "source")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print(t, stdout);
    out_table_free(t);
    json_array_foreach(json_object_get(it, "regimes"), i, m) if (json_is_string(json_object_get(m, "note")))
        printf("\n%s note: %s\n", js(m, "regime"), js(m, "note"));
    json_decref(it);
    return CLI_EXIT_OK;
}

/* Read FILE, open the database and run an importer. */
static int import_file(cli_ctx *c, const char *what,
                       int (*fn)(xc_store *, const char *, size_t, const char *, int *, int *, xc_error *))
{
    char *data = NULL;
    size_t len = 0;
    int n = 0, recorded = 0;
    int rc = cli_read_file(c->pos[0], &data, &len, &c->err);
    if (rc || (rc = cli_open_db(c)) || (rc = fn(c->store, data, len, c->pos[0], &n, &recorded, &c->err))) {
        xc_free(data);
        return cli_fail(c, rc);
    }
    xc_free(data);
    if (c->format == OUT_JSON)
        return cli_print_json(c, xc_items_import_report_json(c->pos[0], what, n, recorded));
    printf("%s: %d %s(s), %d recorded, %d unchanged\n", c->pos[0], n, what, recorded, n - recorded);
    return CLI_EXIT_OK;
}

int cmd_item_import(cli_ctx *c)
{
    return import_file(c, "item", xc_items_import_json);
}

static int rules_import(xc_store *s, const char *text, size_t len, const char *file, int *n, int *recorded,
                        xc_error *err)
{
    *n = 1;
    return xc_rules_import_json(s, text, len, file, recorded, err);
}

int cmd_rules_import(cli_ctx *c)
{
    return import_file(c, "rule pack", rules_import);
}

int cmd_rules_ls(cli_ctx *c)
{
    xc_policy *p = NULL;
    int rc = load(c, &p);
    if (rc)
        return cli_fail(c, rc);
    json_t *j = xc_policy_packs_json(p, NULL);
    xc_policy_free(p);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const h[] = {"REGIME", "VERSION", "RULES", "ACTIVITIES", "HASH", "TITLE"};
    static const int w[] = {0, 0, 0, 0, 12, 60};
    out_table *t = out_table_new(6, h, c->format == OUT_CSV ? NULL : w);
    json_t *pk, *v;
    size_t i, k;
    json_array_foreach(json_object_get(j, "rule_packs"), i, pk)
    {
        char n[16], acts[128] = "";
        snprintf(n, sizeof(n), "%zu", json_array_size(json_object_get(pk, "rules")));
        json_array_foreach(json_object_get(pk, "activities"), k, v)
            snprintf(acts + strlen(acts), sizeof(acts) - strlen(acts), "%s%s", k ? "," : "", json_string_value(v));
        const char *row[] = {js(pk, "regime"), js(pk, "version"), n, acts, js(pk, "content_hash"), js(pk, "title")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}

int cmd_rules_show(cli_ctx *c)
{
    xc_policy *p = NULL;
    int rc = load(c, &p);
    if (rc)
        return cli_fail(c, rc);
    json_t *j = xc_policy_packs_json(p, c->pos[0]);
    xc_policy_free(p);
    json_t *pk = json_array_get(json_object_get(j, "rule_packs"), 0);
    if (!pk) {
        json_decref(j);
        xc_error_set(&c->err, XC_ENOTFOUND, "REGIME", "unknown regime \"%s\" (see `exportctl rules ls`)", c->pos[0]);
        return cli_fail(c, XC_ENOTFOUND);
    }
    if (c->format == OUT_JSON) {
        json_incref(pk);
        json_decref(j);
        return cli_print_json(c, pk);
    }
    printf("%s %s: %s\nauthority: %s\nsource: %s\ncontent hash: %s, recorded %s\n\n", js(pk, "regime"),
           js(pk, "version"), js(pk, "title"), js(pk, "authority"), js(pk, "source"), js(pk, "content_hash"),
           js(pk, "recorded_at"));
    static const char *const h[] = {"RULE", "EFFECT", "FROM", "TO", "CONFIDENCE", "TITLE"};
    out_table *t = out_table_new(6, h, NULL);
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(pk, "rules"), i, r)
    {
        const char *row[] = {js(r, "id"), js(r, "effect"), js(r, "effective_from"), js(r, "effective_to"),
                             js(r, "confidence"), js(r, "title")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print(t, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}
