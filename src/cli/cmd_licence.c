/*
 * cmd_licence.c: the licensing commands: `org`, `user`, `application`,
 * `licence`, `criteria` and `impact`.  Each parses options, calls one
 * library function of licence.h as the acting user (--as / $EXPORTCTL_USER)
 * and prints a table (default) or the library's JSON (--json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "docs.h"
#include "licence.h"
#include "mem.h"
#include "out.h"

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int oom_fail(cli_ctx *c)
{
    xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
    return cli_fail(c, XC_ENOMEM);
}

/* Comma-joined strings of a JSON array. */
static void joined(json_t *arr, char *buf, size_t cap)
{
    size_t i;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(arr, i, v) snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? "," : "",
                                           json_string_value(v) ? json_string_value(v) : "");
}

/* ---- org and user ----------------------------------------------------------------------- */

static int cmd_org_add(cli_ctx *c)
{
    const char *name = cli_opt_value(c, "name");
    if (!name)
        return cli_usage_error(c, "org add needs --name");
    int rc = cli_open_db(c);
    if (rc || (rc = xc_org_add(c->store, cli_actor(c), c->pos[0], name, cli_opt_value(c, "country"), &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) { /* the stored organisation, as the API answers it */
        json_t *o = NULL;
        if ((rc = xc_org_get(c->store, c->pos[0], &o, &c->err)))
            return cli_fail(c, rc);
        return cli_print_json(c, o);
    }
    printf("organisation %s added (%s)\n", c->pos[0], name);
    return CLI_EXIT_OK;
}

static int print_list(cli_ctx *c, json_t *j, const char *key, int ncols, const char *const *hd, const char *const *keys)
{
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    out_table *t = out_table_new(ncols, hd, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, key), i, e)
    {
        const char *row[8];
        char b[8][32];
        for (int k = 0; k < ncols && k < 8; k++) {
            json_t *v = json_object_get(e, keys[k]);
            if (json_is_boolean(v))
                snprintf(b[k], sizeof(b[k]), "%s", json_is_true(v) ? "yes" : "no");
            else
                snprintf(b[k], sizeof(b[k]), "%s", json_string_value(v) ? json_string_value(v) : "");
            row[k] = json_string_value(v) ? json_string_value(v) : b[k];
        }
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}

static int cmd_org_ls(cli_ctx *c)
{
    json_t *j = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_orgs_json(c->store, &j, &c->err)))
        return cli_fail(c, rc);
    static const char *const hd[] = {"ID", "NAME", "COUNTRY", "ADDED BY", "ADDED AT"};
    static const char *const keys[] = {"id", "name", "country", "created_by", "created_at"};
    return print_list(c, j, "orgs", 5, hd, keys);
}

static int cmd_user_add(cli_ctx *c)
{
    const char *role = cli_opt_value(c, "role");
    if (!role)
        return cli_usage_error(c, "user add needs --role (admin, officer, exporter or auditor)");
    int rc = cli_open_db(c);
    if (rc || (rc = xc_user_add(c->store, cli_actor(c), c->pos[0], role, cli_opt_value(c, "org"), &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        json_t *u = NULL;
        if ((rc = xc_user_get(c->store, c->pos[0], &u, &c->err)))
            return cli_fail(c, rc);
        return cli_print_json(c, u);
    }
    printf("user %s added (%s%s%s)\n", c->pos[0], role, cli_opt_value(c, "org") ? " of " : "",
           cli_opt_value(c, "org") ? cli_opt_value(c, "org") : "");
    return CLI_EXIT_OK;
}

static int cmd_user_ls(cli_ctx *c)
{
    json_t *j = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_users_json(c->store, &j, &c->err)))
        return cli_fail(c, rc);
    static const char *const hd[] = {"NAME", "ROLE", "ORG", "ACTIVE", "ADDED BY", "ADDED AT"};
    static const char *const keys[] = {"name", "role", "org", "active", "created_by", "created_at"};
    return print_list(c, j, "users", 6, hd, keys);
}

/* ---- applications ------------------------------------------------------------------------- */

/* Split "A|B|C" into at most max fields (in place). */
static size_t split_bar(char *s, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = s;
    for (char *p = s; *p && n <= max; p++)
        if (*p == '|') {
            *p = '\0';
            if (n == max)
                return max + 1;
            f[n++] = p + 1;
        }
    return n;
}

static int build_fields(cli_ctx *c, json_t **out)
{
    static const char *const simple[][2] = {{"type", "type"},       {"regime", "regime"},   {"exporter", "exporter"},
                                            {"to", "destination"}, {"end-use", "end_use"}, {"currency", "currency"},
                                            {"marketing-licence", "marketing_licence"},     {"date", "date"}};
    json_t *f = json_object(), *items = json_array(), *eus = json_array(), *parties = json_array();
    size_t n, i;
    *out = NULL;
    if (!f || !items || !eus || !parties) {
        json_decref(f);
        json_decref(items);
        json_decref(eus);
        json_decref(parties);
        return XC_ENOMEM;
    }
    for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
        if (cli_opt_value(c, simple[i][0]))
            json_object_set_new(f, simple[i][1], json_string(cli_opt_value(c, simple[i][0])));
    const char *const *v = cli_opt_values(c, "item", &n);
    for (i = 0; i < n; i++)
        json_array_append_new(items, json_string(v[i]));
    json_object_set_new(f, "items", items);
    v = cli_opt_values(c, "end-user", &n);
    for (i = 0; i < n; i++) {
        char buf[1024], *fl[3];
        snprintf(buf, sizeof(buf), "%s", v[i]);
        if (split_bar(buf, fl, 3) != 3) {
            json_decref(f);
            json_decref(eus);
            json_decref(parties);
            return xc_error_set(&c->err, XC_EINVAL, "--end-user",
                                "--end-user: \"%s\" is not NAME|COUNTRY|TYPE (TYPE government, company or individual)",
                                v[i]);
        }
        json_array_append_new(eus, json_pack("{s:s, s:s, s:s}", "name", fl[0], "country", fl[1], "type", fl[2]));
    }
    json_object_set_new(f, "end_users", eus);
    v = cli_opt_values(c, "party", &n);
    for (i = 0; i < n; i++) {
        char buf[1024], *fl[3];
        snprintf(buf, sizeof(buf), "%s", v[i]);
        size_t k = split_bar(buf, fl, 3);
        if (k < 2 || k > 3) {
            json_decref(f);
            json_decref(parties);
            return xc_error_set(&c->err, XC_EINVAL, "--party", "--party: \"%s\" is not NAME|ROLE|COUNTRY", v[i]);
        }
        json_array_append_new(parties, json_pack("{s:s, s:s, s:s}", "name", fl[0], "role", fl[1], "country",
                                                 k == 3 ? fl[2] : ""));
    }
    json_object_set_new(f, "parties", parties);
    const char *val = cli_opt_value(c, "value");
    if (val) {
        char *end;
        double a = strtod(val, &end);
        if (!*val || *end) {
            json_decref(f);
            return xc_error_set(&c->err, XC_EINVAL, "--value", "--value: \"%s\" is not a number", val);
        }
        json_object_set_new(f, "value", json_real(a));
    }
    *out = f;
    return XC_OK;
}

static void print_checks(json_t *app)
{
    static const char *const hd[] = {"ITEM", "ACTIVITY", "OUTCOME", "DECISION"};
    out_table *t = out_table_new(4, hd, NULL);
    size_t i;
    json_t *ck;
    json_array_foreach(json_object_get(app, "checks"), i, ck)
    {
        char d[32];
        snprintf(d, sizeof(d), "%lld", (long long)json_integer_value(json_object_get(ck, "decision_id")));
        const char *row[] = {js(ck, "item"), js(ck, "activity"), js(ck, "outcome"), d};
        if (t)
            out_table_row(t, row);
    }
    if (t && json_array_size(json_object_get(app, "checks")))
        out_table_print(t, stdout);
    out_table_free(t);
}

static void print_screening(json_t *app)
{
    json_t *scr = json_object_get(app, "screening"), *p, *h;
    size_t i, k;
    if (!scr)
        return;
    printf("screening:   %lld hit(s) on %s\n", (long long)json_integer_value(json_object_get(scr, "hits")),
           js(scr, "date"));
    json_array_foreach(json_object_get(scr, "parties"), i, p)
        json_array_foreach(json_object_get(p, "hits"), k, h)
            printf("  hit:       %s (%s) ~ %s %s \"%s\" score %.3f\n", js(p, "name"), js(p, "role"), js(h, "list"),
                   js(h, "entry_id"), js(h, "name"), json_real_value(json_object_get(h, "score")));
}

static void print_app(json_t *a, int history)
{
    char items[512];
    json_t *v, *fe = json_object_get(a, "four_eyes");
    size_t i;
    joined(json_object_get(a, "items"), items, sizeof(items));
    printf("application: %s (%s, version %lld)\n", js(a, "id"), js(a, "status"),
           (long long)json_integer_value(json_object_get(a, "version")));
    printf("type:        %s under %s\nexporter:    %s\nitems:       %s\ndestination: %s\ndate:        %s\n",
           js(a, "type"), js(a, "regime"), js(a, "exporter"), items, js(a, "destination"), js(a, "date"));
    json_array_foreach(json_object_get(a, "end_users"), i, v)
    {
        const char *cc = js(v, "country")[0] ? js(v, "country") : "-";
        printf("end user:    %s (%s, %s)\n", js(v, "name"), js(v, "type"), cc);
    }
    json_array_foreach(json_object_get(a, "parties"), i, v)
    {
        const char *cc = js(v, "country")[0] ? js(v, "country") : "-";
        printf("party:       %s (%s, %s)\n", js(v, "name"), js(v, "role"), cc);
    }
    printf("end use:     %s\nvalue:       %.2f %s\n", js(a, "end_use"),
           json_number_value(json_object_get(json_object_get(a, "value"), "amount")),
           js(json_object_get(a, "value"), "currency"));
    if (js(a, "marketing_licence")[0])
        printf("marketing:   licence %s\n", js(a, "marketing_licence"));
    if (json_object_get(a, "outcome"))
        printf("outcome:     %s\n", js(a, "outcome"));
    if (fe) {
        printf("four-eyes:   %s", json_is_true(json_object_get(fe, "required")) ? "required (" : "not required");
        json_array_foreach(json_object_get(fe, "reasons"), i, v) printf("%s%s", i ? "; " : "", json_string_value(v));
        printf("%s\n", json_is_true(json_object_get(fe, "required")) ? ")" : "");
    }
    print_screening(a);
    json_array_foreach(json_object_get(a, "approvals"), i, v)
    {
        const char *sep = js(v, "note")[0] ? ": " : "";
        printf("approved by: %s at %s%s%s\n", js(v, "officer"), js(v, "at"), sep, js(v, "note"));
    }
    json_t *rf = json_object_get(a, "refusal");
    if (rf) {
        char codes[256] = "";
        json_array_foreach(json_object_get(rf, "criteria"), i, v)
            snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "%s%s", i ? ", " : "", js(v, "code"));
        printf("refused by:  %s at %s\ncriteria:    %s\nreasons:     %s\n", js(rf, "by"), js(rf, "at"), codes,
               js(rf, "text"));
    }
    if (js(a, "licence")[0])
        printf("licence:     %s\n", js(a, "licence"));
    if (json_array_size(json_object_get(a, "checks"))) {
        printf("\n");
        print_checks(a);
    }
    if (history) {
        static const char *const hd[] = {"VERSION", "ACTION", "STATUS", "BY", "RECORDED AT", "REASON"};
        out_table *t = out_table_new(6, hd, NULL);
        json_array_foreach(json_object_get(a, "history"), i, v)
        {
            char ver[16];
            snprintf(ver, sizeof(ver), "%lld", (long long)json_integer_value(json_object_get(v, "version")));
            const char *row[] = {ver, js(v, "action"), js(v, "status"), js(v, "updated_by"), js(v, "recorded_at"),
                                 js(v, "reason")};
            if (t)
                out_table_row(t, row);
        }
        printf("\n");
        if (t)
            out_table_print(t, stdout);
        out_table_free(t);
    }
}

static int cmd_app_create(cli_ctx *c)
{
    static const char *const field_opts[] = {"type",  "regime", "exporter", "item",  "to",    "end-user",
                                             "party", "end-use", "value",   "currency", "marketing-licence", "date"};
    const char *file = cli_opt_value(c, "file");
    json_t *f = NULL;
    char id[32];
    int rc;
    if (file) {
        for (size_t i = 0; i < sizeof(field_opts) / sizeof(field_opts[0]); i++) {
            size_t n;
            cli_opt_values(c, field_opts[i], &n);
            if (cli_opt_value(c, field_opts[i]) || n)
                return cli_usage_error(c, "give either --file or the field options, not both (--%s)", field_opts[i]);
        }
        char *data = NULL;
        size_t len = 0;
        if ((rc = cli_read_file(file, &data, &len, &c->err)) == XC_OK)
            rc = xc_json_parse(data, len, file, &f, &c->err);
        xc_free(data);
        if (rc)
            return cli_fail(c, rc);
    } else {
        if (!cli_opt_value(c, "type") || !cli_opt_value(c, "regime") || !cli_opt_value(c, "exporter") ||
            !cli_opt_value(c, "item") || !cli_opt_value(c, "to") || !cli_opt_value(c, "end-user") ||
            !cli_opt_value(c, "end-use") || !cli_opt_value(c, "value") || !cli_opt_value(c, "currency"))
            return cli_usage_error(c, "application create needs --type, --regime, --exporter, --item, --to, "
                                      "--end-user, --end-use, --value and --currency (or --file FILE)");
        if ((rc = build_fields(c, &f)))
            return rc == XC_ENOMEM ? oom_fail(c) : cli_fail(c, rc);
    }
    if ((rc = cli_open_db(c)) || (rc = xc_app_create(c->store, cli_actor(c), f, id, &c->err))) {
        json_decref(f);
        return cli_fail(c, rc);
    }
    json_decref(f);
    if (c->format == OUT_JSON) {
        json_t *a = NULL;
        if ((rc = xc_app_get(c->store, id, 0, &a, &c->err)))
            return cli_fail(c, rc);
        return cli_print_json(c, a);
    }
    printf("%s created (draft); submit it with `exportctl application submit %s`\n", id, id);
    return CLI_EXIT_OK;
}

static int show_result(cli_ctx *c, json_t *a, int rc)
{
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, a);
    print_app(a, 0);
    json_decref(a);
    return CLI_EXIT_OK;
}

static int cmd_app_submit(cli_ctx *c)
{
    json_t *a = NULL;
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_app_submit(c->store, cli_actor(c), c->pos[0], &a, &c->err);
    return show_result(c, a, rc);
}

static int cmd_app_review(cli_ctx *c)
{
    json_t *a = NULL;
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_app_review(c->store, cli_actor(c), c->pos[0], &a, &c->err);
    if (rc || c->format == OUT_JSON)
        return show_result(c, a, rc);
    printf("%s is under review by %s\n", c->pos[0], cli_actor(c));
    json_decref(a);
    return CLI_EXIT_OK;
}

static int cmd_app_withdraw(cli_ctx *c)
{
    json_t *a = NULL;
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_app_withdraw(c->store, cli_actor(c), c->pos[0], cli_opt_value(c, "reason"), &a, &c->err);
    if (rc || c->format == OUT_JSON)
        return show_result(c, a, rc);
    printf("%s withdrawn\n", c->pos[0]);
    json_decref(a);
    return CLI_EXIT_OK;
}

static int cmd_app_approve(cli_ctx *c)
{
    json_t *terms = json_object(), *a = NULL, *conds = json_array();
    size_t n;
    if (!terms || !conds) {
        json_decref(terms);
        json_decref(conds);
        return oom_fail(c);
    }
    if (cli_opt_value(c, "valid-from"))
        json_object_set_new(terms, "valid_from", json_string(cli_opt_value(c, "valid-from")));
    if (cli_opt_value(c, "valid-until"))
        json_object_set_new(terms, "valid_until", json_string(cli_opt_value(c, "valid-until")));
    if (cli_opt_value(c, "note"))
        json_object_set_new(terms, "note", json_string(cli_opt_value(c, "note")));
    const char *const *v = cli_opt_values(c, "condition", &n);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(conds, json_string(v[i]));
    if (n)
        json_object_set(terms, "conditions", conds);
    json_decref(conds);
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_app_approve(c->store, cli_actor(c), c->pos[0], terms, &a, &c->err);
    json_decref(terms);
    if (rc || c->format == OUT_JSON)
        return show_result(c, a, rc);
    if (strcmp(js(a, "status"), "approved") == 0) {
        json_t *lic = NULL;
        if ((rc = xc_licence_get(c->store, js(a, "licence"), 0, &lic, &c->err)) == XC_OK)
            printf("%s approved by %s: licence %s issued, valid %s to %s\n", c->pos[0], cli_actor(c), js(a, "licence"),
                   js(lic, "valid_from"), js(lic, "valid_until"));
        json_decref(lic);
    } else {
        printf("%s: first approval recorded by %s; four-eyes: a second, different officer must approve\n", c->pos[0],
               cli_actor(c));
    }
    json_decref(a);
    return rc ? cli_fail(c, rc) : CLI_EXIT_OK;
}

static int cmd_app_refuse(cli_ctx *c)
{
    size_t n;
    const char *const *crit = cli_opt_values(c, "criterion", &n);
    json_t *a = NULL;
    if (n == 0 || !cli_opt_value(c, "text"))
        return cli_usage_error(c, "application refuse needs --criterion CODE (repeatable) and --text TEXT");
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_app_refuse(c->store, cli_actor(c), c->pos[0], crit, n, cli_opt_value(c, "text"), &a, &c->err);
    if (rc || c->format == OUT_JSON)
        return show_result(c, a, rc);
    printf("%s refused by %s\n", c->pos[0], cli_actor(c));
    json_decref(a);
    return CLI_EXIT_OK;
}

static int cmd_app_show(cli_ctx *c)
{
    json_t *a = NULL;
    int history = cli_opt_flag(c, "history");
    int rc = cli_open_db(c);
    if (rc || (rc = xc_app_get(c->store, c->pos[0], history, &a, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, a);
    print_app(a, history);
    json_decref(a);
    return CLI_EXIT_OK;
}

static int cmd_app_ls(cli_ctx *c)
{
    json_t *j = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_apps_json(c->store, cli_opt_value(c, "status"), cli_opt_value(c, "exporter"), &j, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const hd[] = {"ID",    "TYPE", "REGIME", "EXPORTER", "TO",
                                     "ITEMS", "DATE", "STATUS", "OUTCOME",  "LICENCE"};
    out_table *t = out_table_new(10, hd, NULL);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "applications"), i, a)
    {
        char items[256];
        joined(json_object_get(a, "items"), items, sizeof(items));
        const char *row[] = {js(a, "id"),   js(a, "type"),   js(a, "regime"),  js(a, "exporter"), js(a, "destination"),
                             items,         js(a, "date"),   js(a, "status"),  js(a, "outcome"),  js(a, "licence")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    json_decref(j);
    return CLI_EXIT_OK;
}

/* ---- licences ------------------------------------------------------------------------------- */

static void print_licence(json_t *l, int history)
{
    char items[512];
    json_t *v;
    size_t i;
    joined(json_object_get(l, "items"), items, sizeof(items));
    printf("licence:     %s (%s; today: %s; version %lld)\n", js(l, "id"), js(l, "status"), js(l, "effective_status"),
           (long long)json_integer_value(json_object_get(l, "version")));
    printf("application: %s\ntype:        %s under %s\nexporter:    %s\nitems:       %s\ndestination: %s\n"
           "valid:       %s to %s\nend use:     %s\n",
           js(l, "application"), js(l, "type"), js(l, "regime"), js(l, "exporter"), items, js(l, "destination"),
           js(l, "valid_from"), js(l, "valid_until"), js(l, "end_use"));
    json_array_foreach(json_object_get(l, "end_users"), i, v)
        printf("end user:    %s (%s)\n", js(v, "name"), js(v, "type"));
    json_array_foreach(json_object_get(l, "conditions"), i, v) printf("condition:   %s\n", json_string_value(v));
    json_array_foreach(json_object_get(l, "outcomes"), i, v)
        printf("outcome:     %s %s: %s (decision %lld)\n", js(v, "item"), js(v, "activity"), js(v, "outcome"),
               (long long)json_integer_value(json_object_get(v, "decision_id")));
    json_array_foreach(json_object_get(l, "notices"), i, v)
    {
        json_t *ch = json_object_get(v, "change");
        printf("notice %lld:    %s by %s at %s: %s", (long long)json_integer_value(json_object_get(v, "number")),
               js(v, "action"), js(v, "by"), js(v, "at"), js(v, "reason"));
        if (ch && strcmp(js(ch, "kind"), "list") == 0)
            printf(" [list %s version %lld, effective %s, %.12s]", js(ch, "list"),
                   (long long)json_integer_value(json_object_get(ch, "version_id")), js(ch, "effective_from"),
                   js(ch, "content_hash"));
        else if (ch)
            printf(" [rule pack %s document %lld, %.12s]", js(ch, "regime"),
                   (long long)json_integer_value(json_object_get(ch, "doc_id")), js(ch, "content_hash"));
        printf("\n");
    }
    if (history) {
        static const char *const hd[] = {"VERSION", "ACTION", "STATUS", "VALID UNTIL", "BY", "RECORDED AT", "REASON"};
        out_table *t = out_table_new(7, hd, NULL);
        json_array_foreach(json_object_get(l, "history"), i, v)
        {
            char ver[16];
            snprintf(ver, sizeof(ver), "%lld", (long long)json_integer_value(json_object_get(v, "version")));
            const char *row[] = {ver, js(v, "action"), js(v, "status"), js(v, "valid_until"), js(v, "updated_by"),
                                 js(v, "recorded_at"), js(v, "reason")};
            if (t)
                out_table_row(t, row);
        }
        printf("\n");
        if (t)
            out_table_print(t, stdout);
        out_table_free(t);
    }
}

static int cmd_lic_ls(cli_ctx *c)
{
    json_t *j = NULL;
    xc_date at = XC_DATE_NONE;
    int rc = cli_date_opt(c, "at", cli_opt_value(c, "at"), &at);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_licences_json(c->store, cli_opt_value(c, "status"), at, &j, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const char *const hd[] = {"ID", "APPLICATION", "TYPE", "REGIME", "EXPORTER", "TO", "ITEMS", "VALID FROM",
                                     "VALID UNTIL", "STATUS"};
    out_table *t = out_table_new(10, hd, NULL);
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(j, "licences"), i, l)
    {
        char items[256];
        joined(json_object_get(l, "items"), items, sizeof(items));
        const char *row[] = {js(l, "id"),         js(l, "application"), js(l, "type"),        js(l, "regime"),
                             js(l, "exporter"),   js(l, "destination"), items,                js(l, "valid_from"),
                             js(l, "valid_until"), js(l, "effective_status")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    if (c->format != OUT_CSV)
        printf("(status on %s)\n", js(j, "at"));
    json_decref(j);
    return CLI_EXIT_OK;
}

static int cmd_lic_show(cli_ctx *c)
{
    json_t *l = NULL;
    int history = cli_opt_flag(c, "history");
    int rc = cli_open_db(c);
    if (rc || (rc = xc_licence_get(c->store, c->pos[0], history, &l, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, l);
    print_licence(l, history);
    json_decref(l);
    return CLI_EXIT_OK;
}

static int lic_act(cli_ctx *c, const char *action, const char *done)
{
    json_t *l = NULL;
    if (!cli_opt_value(c, "reason"))
        return cli_usage_error(c, "licence %s needs --reason TEXT", action);
    int rc = cli_open_db(c);
    if (rc || (rc = xc_licence_act(c->store, cli_actor(c), c->pos[0], action, cli_opt_value(c, "reason"), NULL, &l,
                                   &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, l);
    printf("%s %s by %s\n", c->pos[0], done, cli_actor(c));
    json_decref(l);
    return CLI_EXIT_OK;
}

static int cmd_lic_suspend(cli_ctx *c)
{
    return lic_act(c, "suspend", "suspended");
}

static int cmd_lic_reinstate(cli_ctx *c)
{
    return lic_act(c, "reinstate", "reinstated");
}

static int cmd_lic_revoke(cli_ctx *c)
{
    return lic_act(c, "revoke", "revoked");
}

static int cmd_lic_surrender(cli_ctx *c)
{
    return lic_act(c, "surrender", "surrendered");
}

static int cmd_lic_amend(cli_ctx *c)
{
    json_t *ch = json_object(), *l = NULL;
    size_t n;
    if (!cli_opt_value(c, "reason")) {
        json_decref(ch);
        return cli_usage_error(c, "licence amend needs --reason TEXT");
    }
    if (!ch)
        return oom_fail(c);
    if (cli_opt_value(c, "valid-until"))
        json_object_set_new(ch, "valid_until", json_string(cli_opt_value(c, "valid-until")));
    if (cli_opt_value(c, "end-use"))
        json_object_set_new(ch, "end_use", json_string(cli_opt_value(c, "end-use")));
    const char *const *v = cli_opt_values(c, "condition", &n);
    if (n) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(a, json_string(v[i]));
        json_object_set_new(ch, "add_conditions", a);
    }
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_licence_amend(c->store, cli_actor(c), c->pos[0], ch, cli_opt_value(c, "reason"), &l, &c->err);
    json_decref(ch);
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, l);
    printf("%s amended (amendment %lld, version %lld); earlier versions are kept (`licence show %s --history`)\n",
           c->pos[0], (long long)json_integer_value(json_object_get(l, "amendment")),
           (long long)json_integer_value(json_object_get(l, "version")), c->pos[0]);
    json_decref(l);
    return CLI_EXIT_OK;
}

/* ---- criteria -------------------------------------------------------------------------------- */

static int cmd_criteria_ls(cli_ctx *c)
{
    json_t *j = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_criteria_json(c->store, &j, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    static const int w[] = {0, 60, 80};
    static const char *const hd[] = {"CODE", "TITLE", "SOURCE"};
    out_table *t = out_table_new(3, hd, c->format == OUT_CSV ? NULL : w);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(j, "criteria"), i, e)
    {
        const char *row[] = {js(e, "code"), js(e, "title"), js(e, "source")};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    if (c->format != OUT_CSV) {
        char regs[256];
        joined(json_object_get(j, "marketing_licence_required"), regs, sizeof(regs));
        printf("\nexports need a marketing licence first under: %s\n", regs[0] ? regs : "(none)");
    }
    json_decref(j);
    return CLI_EXIT_OK;
}

static int cmd_criteria_import(cli_ctx *c)
{
    char *data = NULL;
    size_t len = 0;
    int recorded = 0;
    int rc = cli_read_file(c->pos[0], &data, &len, &c->err);
    if (rc == XC_OK && (rc = cli_open_db(c)) == XC_OK)
        rc = xc_licensing_import_json(c->store, cli_actor(c), data, len, c->pos[0], &recorded, &c->err);
    xc_free(data);
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, json_pack("{s:b}", "recorded", recorded));
    printf("%s\n", recorded ? "licensing table recorded" : "licensing table unchanged");
    return CLI_EXIT_OK;
}

/* ---- impact ------------------------------------------------------------------------------------ */

static void print_impact(json_t *r)
{
    json_t *ch = json_object_get(r, "change"), *e, *ck;
    size_t i, k;
    if (strcmp(js(ch, "kind"), "list") == 0)
        printf("change:      list %s version %lld, effective %s (%.12s, %s)\n", js(ch, "list"),
               (long long)json_integer_value(json_object_get(ch, "version_id")), js(ch, "effective_from"),
               js(ch, "content_hash"), js(ch, "source"));
    else
        printf("change:      rule pack %s document %lld, version %s (%.12s, %s)\n", js(ch, "regime"),
               (long long)json_integer_value(json_object_get(ch, "doc_id")), js(ch, "version"), js(ch, "content_hash"),
               js(ch, "source"));
    json_t *cand = json_object_get(r, "candidates");
    printf("evaluated:   on %s: %lld live licence(s), %lld pending application(s)\n", js(r, "at"),
           (long long)json_integer_value(json_object_get(cand, "licences")),
           (long long)json_integer_value(json_object_get(cand, "applications")));
    printf("stricter:    %lld licence(s), %lld application(s)\n",
           (long long)json_integer_value(json_object_get(r, "affected_licences")),
           (long long)json_integer_value(json_object_get(r, "affected_applications")));
    static const char *const hd[] = {"ID", "KIND", "STATUS", "EXPORTER", "TO", "ITEM", "ACTIVITY", "BEFORE", "AFTER"};
    out_table *t = out_table_new(9, hd, NULL);
    json_array_foreach(json_object_get(r, "affected"), i, e)
        json_array_foreach(json_object_get(e, "checks"), k, ck)
    {
        if (!json_is_true(json_object_get(ck, "stricter")))
            continue;
        const char *row[] = {js(e, "id"), js(e, "kind"), js(e, "status"), js(e, "exporter"), js(e, "destination"),
                             js(ck, "item"), js(ck, "activity"), js(ck, "before"), js(ck, "after")};
        if (t)
            out_table_row(t, row);
    }
    if (t && json_array_size(json_object_get(r, "affected"))) {
        printf("\n");
        out_table_print(t, stdout);
    }
    out_table_free(t);
    json_t *rel = json_object_get(r, "relaxed");
    if (json_array_size(rel)) {
        char ids[512];
        joined(rel, ids, sizeof(ids));
        printf("\nless strict after the change (not acted on): %s\n", ids);
    }
    json_t *ap = json_object_get(r, "applied");
    if (json_is_object(ap)) {
        char ids[1024];
        joined(json_object_get(ap, "licences"), ids, sizeof(ids));
        printf("\napplied:     %s of %zu licence(s): %s\nreason:      %s\n", js(ap, "action"),
               json_array_size(json_object_get(ap, "licences")), ids[0] ? ids : "(none)", js(ap, "reason"));
    } else if (json_array_size(json_object_get(r, "affected"))) {
        printf("\ndry run: nothing was changed; act with --apply suspend|revoke --reason TEXT "
               "(the before/after traces are in --json)\n");
    }
}

static int cmd_impact(cli_ctx *c)
{
    xc_impact_req req;
    json_t *r = NULL;
    memset(&req, 0, sizeof(req));
    req.list_id = cli_opt_value(c, "list");
    req.regime = cli_opt_value(c, "rules");
    req.version = cli_opt_value(c, "version");
    req.apply = cli_opt_value(c, "apply");
    req.reason = cli_opt_value(c, "reason");
    req.at = XC_DATE_NONE;
    if (!req.list_id == !req.regime)
        return cli_usage_error(c, "impact needs either --list LIST or --rules REGIME");
    if (!req.version)
        return cli_usage_error(c, "impact needs --version ID|FILE");
    if (req.reason && !req.apply)
        return cli_usage_error(c, "--reason goes with --apply");
    int rc = cli_opt_value(c, "at") ? cli_date_opt(c, "at", cli_opt_value(c, "at"), &req.at) : XC_OK;
    if (rc || (rc = cli_open_db(c)) || (rc = xc_impact(c->store, cli_actor(c), &req, &r, &c->err)))
        return cli_fail(c, rc);
    int affected = json_array_size(json_object_get(r, "affected")) > 0;
    if (c->format == OUT_JSON)
        cli_print_json(c, r);
    else {
        print_impact(r);
        json_decref(r);
    }
    return !req.apply && affected ? 3 : CLI_EXIT_OK;
}

/* ---- the command table ---------------------------------------------------------------------------- */

static const cli_opt no_opts[] = {{NULL, NULL, NULL, 0}};
static const cli_opt org_add_opts[] = {{"name", "NAME", "the organisation's name (required)", 0},
                                       {"country", "CC", "its country (ISO code or name)", 0},
                                       {NULL, NULL, NULL, 0}};
static const cli_opt user_add_opts[] = {
    {"role", "ROLE", "admin, officer, exporter or auditor (required)", 0},
    {"org", "ORG", "the user's organisation (required for exporters)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt app_create_opts[] = {
    {"type", "T", "marketing or export", 0},
    {"regime", "R", "rule pack the licence is asked under: il, us-ear or eu", 0},
    {"exporter", "ORG", "the exporting organisation (yours)", 0},
    {"item", "CODE", "control-list item, e.g. 4D004 (repeatable)", 1},
    {"to", "CC", "destination country (ISO code or name)", 0},
    {"end-user", "NAME|CC|TYPE", "end user; TYPE government, company or individual (repeatable)", 1},
    {"party", "NAME|ROLE|CC", "another party, e.g. \"Acme|consignee|AE\" (repeatable)", 1},
    {"end-use", "TEXT", "the stated end use", 0},
    {"value", "AMOUNT", "value of the deal", 0},
    {"currency", "CUR", "ISO 4217 currency of the value, e.g. EUR", 0},
    {"marketing-licence", "LIC", "export under a marketing-licence regime: the marketing licence it relies on", 0},
    {"date", "DATE", "date the deal is checked for (default today)", 0},
    {"file", "FILE", "the fields as a JSON object instead of the options (see docs/licensing.md)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt app_withdraw_opts[] = {{"reason", "TEXT", "why", 0}, {NULL, NULL, NULL, 0}};
static const cli_opt app_approve_opts[] = {
    {"valid-from", "DATE", "first day of the licence (default: the application's date)", 0},
    {"valid-until", "DATE", "last day of the licence (default: two years, less a day)", 0},
    {"condition", "TEXT", "a condition of the licence, added to those of the checks (repeatable)", 1},
    {"note", "TEXT", "a note with the approval", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt app_refuse_opts[] = {
    {"criterion", "CODE", "refusal criterion (repeatable; see `exportctl criteria ls`)", 1},
    {"text", "TEXT", "the reasons, in words (required)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt history_opts[] = {{"history", NULL, "also every earlier version", 0}, {NULL, NULL, NULL, 0}};
static const cli_opt app_ls_opts[] = {
    {"status", "S", "draft, submitted, under-review, approved, refused or withdrawn", 0},
    {"exporter", "ORG", "only this organisation's", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt lic_ls_opts[] = {
    {"status", "S", "active, suspended, revoked, expired or surrendered (status on --at)", 0},
    {"at", "DATE", "status on DATE: an active licence past its last day reads expired (default today)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt reason_opts[] = {{"reason", "TEXT", "why (required; recorded and shown in the notice)", 0},
                                      {NULL, NULL, NULL, 0}};
static const cli_opt lic_amend_opts[] = {
    {"valid-until", "DATE", "new last day", 0},
    {"condition", "TEXT", "add a condition (repeatable)", 1},
    {"end-use", "TEXT", "new end use", 0},
    {"reason", "TEXT", "why (required)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt impact_opts[] = {
    {"list", "LIST", "a country-list change: the list's id, e.g. il-cyber-marketing", 0},
    {"rules", "REGIME", "a rule-pack change: the regime, e.g. il", 0},
    {"version", "ID|FILE", "a recorded version id (list version id or rule-pack document id) or a JSON file "
                           "holding the new version (exportctl-lists/1 or exportctl-rules/1)", 0},
    {"at", "DATE", "evaluate on DATE (default: the change's effective date; a rule pack: today)", 0},
    {"apply", "ACTION", "suspend or revoke every licence made stricter, in one transaction", 0},
    {"reason", "TEXT", "with --apply: the reason cited in every notice", 0},
    {NULL, NULL, NULL, 0}};

const cli_command cli_licence_commands[] = {
    {"org", "add", cmd_org_add, "ID", 1, 1, "Add an exporter organisation (admin)",
     "Organisations own applications and licences; exporters belong to one.", org_add_opts, "table,json"},
    {"org", "ls", cmd_org_ls, "", 0, 0, "List organisations", "Every organisation with who added it.", no_opts,
     "table,json,csv"},
    {"user", "add", cmd_user_add, "NAME", 1, 1, "Add a user (admin; the first user must be an admin)",
     "Roles: admin (users, organisations), officer (reviews and decides applications, acts on licences),\n"
     "exporter (its organisation's applications; surrenders its licences), auditor (reads).\n"
     "The first user of a database may be added by anyone and must be an admin.",
     user_add_opts, "table,json"},
    {"user", "ls", cmd_user_ls, "", 0, 0, "List users", "Every user with role and organisation.", no_opts,
     "table,json,csv"},
    {"application", "create", cmd_app_create, "", 0, 0, "Create a licence application (exporter)",
     "A draft: marketing or export of items to a destination, with end users, parties, end use and value.\n"
     "Checked against the control list and the rule pack; nothing is decided until it is submitted.",
     app_create_opts, "table,json"},
    {"application", "submit", cmd_app_submit, "ID", 1, 1, "Submit a draft (exporter): runs the checks",
     "Runs the policy check of every item (for an export under a marketing-licence regime, marketing and\n"
     "export), records each decision, screens every party on the application's date, and stores the\n"
     "outcomes, decision ids and hits with the application. Four-eyes applies when a check said\n"
     "presumption of denial or screening had a hit.",
     no_opts, "table,json"},
    {"application", "review", cmd_app_review, "ID", 1, 1, "Take a submitted application for review (officer)",
     "submitted -> under-review.", no_opts, "table,json"},
    {"application", "approve", cmd_app_approve, "ID", 1, 1, "Approve an application and issue the licence (officer)",
     "under-review -> approved, issuing a licence. Under four-eyes the first approval is recorded and a\n"
     "second, different officer must approve; an application whose check said prohibited cannot be approved.",
     app_approve_opts, "table,json"},
    {"application", "refuse", cmd_app_refuse, "ID", 1, 1, "Refuse an application, citing criteria (officer)",
     "under-review -> refused; every --criterion must be in the licensing table (`criteria ls`).", app_refuse_opts,
     "table,json"},
    {"application", "withdraw", cmd_app_withdraw, "ID", 1, 1, "Withdraw an application (exporter)",
     "draft, submitted or under-review -> withdrawn.", app_withdraw_opts, "table,json"},
    {"application", "show", cmd_app_show, "ID", 1, 1, "Show an application",
     "Fields, checks, screening, approvals and decision; --history lists every version.", history_opts,
     "table,json"},
    {"application", "ls", cmd_app_ls, "", 0, 0, "List applications", "The latest version of each application.",
     app_ls_opts, "table,json,csv"},
    {"licence", "ls", cmd_lic_ls, "", 0, 0, "List licences",
     "The latest version of each licence with its status on --at (an active licence past its last day\n"
     "reads expired).",
     lic_ls_opts, "table,json,csv"},
    {"licence", "show", cmd_lic_show, "ID", 1, 1, "Show a licence",
     "Terms, conditions, outcomes, notices; --history lists every version (amendments included).", history_opts,
     "table,json"},
    {"licence", "suspend", cmd_lic_suspend, "ID", 1, 1, "Suspend an active licence (officer)",
     "active -> suspended; the licence receives a notice.", reason_opts, "table,json"},
    {"licence", "reinstate", cmd_lic_reinstate, "ID", 1, 1, "Reinstate a suspended licence (officer)",
     "suspended -> active.", reason_opts, "table,json"},
    {"licence", "revoke", cmd_lic_revoke, "ID", 1, 1, "Revoke a licence (officer; final)",
     "active or suspended -> revoked.", reason_opts, "table,json"},
    {"licence", "surrender", cmd_lic_surrender, "ID", 1, 1, "Surrender a licence (its exporter or an officer; final)",
     "active -> surrendered.", reason_opts, "table,json"},
    {"licence", "amend", cmd_lic_amend, "ID", 1, 1, "Amend a licence's terms (officer)",
     "A new version with the changed last day, conditions or end use; the earlier versions are kept.",
     lic_amend_opts, "table,json"},
    {"criteria", "ls", cmd_criteria_ls, "", 0, 0, "List refusal criteria",
     "The licensing table: criteria an officer may cite in a refusal, with their sources, and the regimes\n"
     "under which an export needs a marketing licence first.",
     no_opts, "table,json,csv"},
    {"criteria", "import", cmd_criteria_import, "FILE", 1, 1, "Replace the licensing table (admin)",
     "An exportctl-licensing/1 JSON file (docs/licensing.md); recorded as a new version if it changed.", no_opts,
     "table,json"},
    {"impact", NULL, cmd_impact, "", 0, 0, "Which live licences and applications a policy change makes stricter",
     "Evaluates every active licence (valid on the date) and every submitted or under-review application\n"
     "before and after a list version (--list) or a rule pack (--rules), on the change's effective date\n"
     "(or --at), and lists those with a stricter outcome, with both traces (--json). --apply suspend|revoke\n"
     "--reason TEXT acts on all those licences in one transaction, each with a notice citing the change; a\n"
     "change given as a FILE is then recorded in the same transaction (a dry run records nothing).\n"
     "exit codes: 0 nothing affected (or applied), 3 dry run found affected licences or applications,\n"
     "2 bad input or not allowed, 1 failure.",
     impact_opts, "table,json"},
};
const size_t cli_licence_n_commands = sizeof(cli_licence_commands) / sizeof(cli_licence_commands[0]);
