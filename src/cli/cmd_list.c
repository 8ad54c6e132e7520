/*
 * cmd_list.c: `exportctl list ...` commands over the registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "country.h"
#include "mem.h"
#include "out.h"
#include "registry.h"

static const char *name_of(const char *alpha2)
{
    const xc_country *c = xc_country_by_alpha2(alpha2);
    return c ? xc_country_display_name(c) : "";
}

int cmd_list_ls(cli_ctx *c)
{
    xc_list_summary *l = NULL;
    size_t n = 0;
    int64_t as_of;
    int rc = cli_as_of_opt(c, &as_of);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_registry_lists(c->store, as_of, &l, &n, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        rc = cli_print_json(c, xc_list_summaries_json(l, n));
        xc_list_summaries_free(l, n);
        return rc;
    }
    static const char *const h[] = {"LIST", "TITLE", "AUTHORITY", "VERSIONS", "FIRST", "LATEST", "TODAY"};
    static const int w[] = {0, 48, 32, 0, 0, 0, 0};
    out_table *t = out_table_new(7, h, c->format == OUT_CSV ? NULL : w);
    char f[XC_DATE_BUF], la[XC_DATE_BUF], ver[16], today[48];
    for (size_t i = 0; t && i < n; i++) {
        snprintf(ver, sizeof(ver), "%zu", l[i].versions);
        if (l[i].declared_now < 0)
            snprintf(today, sizeof(today), "not in force");
        else if (l[i].declared_now > l[i].known_now)
            snprintf(today, sizeof(today), "%d (%d known)", l[i].declared_now, l[i].known_now);
        else
            snprintf(today, sizeof(today), "%d", l[i].declared_now);
        const char *row[] = {l[i].meta->id, l[i].meta->title, l[i].meta->authority, ver,
                             xc_date_format(l[i].first_from, f), xc_date_format(l[i].latest_from, la), today};
        out_table_row(t, row);
    }
    if (t)
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    xc_list_summaries_free(l, n);
    return CLI_EXIT_OK;
}

static out_table *members_table(cli_ctx *c, const xc_member *m, size_t n)
{
    static const char *const h[] = {"COUNTRY", "NAME", "SINCE", "CONFIDENCE", "REASON", "SOURCE"};
    static const int w[] = {0, 24, 0, 0, 60, 60};
    out_table *t = out_table_new(6, h, c->format == OUT_CSV ? NULL : w);
    char d[XC_DATE_BUF];
    for (size_t i = 0; t && i < n; i++) {
        const char *row[] = {m[i].country, name_of(m[i].country), xc_date_format(m[i].since, d),
                             xc_confidence_name(m[i].confidence), m[i].reason, m[i].source};
        out_table_row(t, row);
    }
    return t;
}

static void print_counts(const char *prefix, int declared, int known)
{
    if (declared > known)
        printf("%s%d members declared, %d known, %d unknown (not published)\n", prefix, declared, known,
               declared - known);
    else
        printf("%s%d members\n", prefix, declared);
}

int cmd_list_show(cli_ctx *c)
{
    xc_snapshot *snap = NULL;
    xc_date at;
    int64_t as_of;
    int rc = cli_date_opt(c, "at", cli_opt_value(c, "at"), &at);
    if (rc || (rc = cli_as_of_opt(c, &as_of)) || (rc = cli_open_db(c)) ||
        (rc = xc_registry_show(c->store, c->pos[0], at, as_of, &snap, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        rc = cli_print_json(c, xc_snapshot_json(snap));
        xc_snapshot_free(snap);
        return rc;
    }
    size_t n;
    const xc_member *m = xc_snapshot_members(snap, &n);
    const xc_version *v = xc_snapshot_version(snap);
    if (c->format == OUT_TABLE) {
        char d[XC_DATE_BUF], e[XC_DATE_BUF], r[XC_TS_BUF];
        const xc_list_meta *meta = xc_snapshot_list(snap);
        printf("%s: %s\n", meta->id, meta->title);
        if (!v) {
            printf("no version of this list is in force on %s\n", xc_date_format(at, d));
        } else {
            printf("on %s: version effective %s%s%s (%s precision), recorded %s, %s\n", xc_date_format(at, d),
                   xc_date_format(v->effective_from, e), v->correction ? ", a correction: " : "",
                   v->correction ? v->correction : "", v->precision, xc_ts_format(v->recorded_at, r),
                   xc_confidence_name(v->confidence));
            printf("source: %s\n", v->source);
            if (v->note)
                printf("note: %s\n", v->note);
            print_counts("", xc_version_declared(v), (int)n);
        }
        if (n)
            putchar('\n');
    }
    out_table *t = members_table(c, m, n);
    if (t && (n || c->format == OUT_CSV))
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    out_table_free(t);
    xc_snapshot_free(snap);
    return CLI_EXIT_OK;
}

static void add_changes(out_table *t, const char *what, const xc_change *ch, size_t n)
{
    char d[XC_DATE_BUF];
    for (size_t i = 0; i < n; i++) {
        const char *row[] = {what, ch[i].m.country, name_of(ch[i].m.country), xc_date_format(ch[i].date, d),
                             xc_confidence_name(ch[i].m.confidence), ch[i].m.reason, ch[i].m.source};
        out_table_row(t, row);
    }
}

int cmd_list_diff(cli_ctx *c)
{
    xc_diff *d = NULL;
    xc_date from, to;
    int64_t as_of;
    const char *fv = cli_opt_value(c, "from"), *tv = cli_opt_value(c, "to");
    if (!fv || !tv)
        return cli_usage_error(c, "list diff needs --from DATE and --to DATE");
    int rc = cli_date_opt(c, "from", fv, &from);
    if (rc || (rc = cli_date_opt(c, "to", tv, &to)) || (rc = cli_as_of_opt(c, &as_of)) || (rc = cli_open_db(c)) ||
        (rc = xc_registry_diff(c->store, c->pos[0], from, to, as_of, &d, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        rc = cli_print_json(c, xc_diff_json(d));
        xc_diff_free(d);
        return rc;
    }
    size_t na, nr, nf, nt;
    const xc_change *a = xc_diff_added(d, &na), *r = xc_diff_removed(d, &nr);
    if (c->format == OUT_TABLE) {
        char x[XC_DATE_BUF], y[XC_DATE_BUF];
        const xc_snapshot *sf = xc_diff_from(d), *st = xc_diff_to(d);
        const xc_version *vf = xc_snapshot_version(sf), *vt = xc_snapshot_version(st);
        xc_snapshot_members(sf, &nf);
        xc_snapshot_members(st, &nt);
        printf("%s: %s -> %s\n", xc_snapshot_list(st)->id, xc_date_format(from, x), xc_date_format(to, y));
        print_counts("  before: ", vf ? xc_version_declared(vf) : 0, (int)nf);
        print_counts("  after:  ", vt ? xc_version_declared(vt) : 0, (int)nt);
        printf("  %zu added, %zu removed (known countries)\n", na, nr);
        int du = (vt ? xc_version_declared(vt) - (int)nt : 0) - (vf ? xc_version_declared(vf) - (int)nf : 0);
        if (du)
            printf("  unknown members: %+d\n", du);
        if (na + nr)
            putchar('\n');
    }
    static const char *const h[] = {"CHANGE", "COUNTRY", "NAME", "DATE", "CONFIDENCE", "REASON", "SOURCE"};
    static const int w[] = {0, 0, 24, 0, 0, 60, 60};
    out_table *t = out_table_new(7, h, c->format == OUT_CSV ? NULL : w);
    if (t) {
        add_changes(t, "removed", r, nr);
        add_changes(t, "added", a, na);
        if (na + nr || c->format == OUT_CSV)
            out_table_print_as(t, c->format == OUT_CSV, stdout);
    }
    out_table_free(t);
    xc_diff_free(d);
    return CLI_EXIT_OK;
}

int cmd_list_history(cli_ctx *c)
{
    json_t *h = NULL;
    int64_t as_of;
    int rc = cli_as_of_opt(c, &as_of);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_registry_history_json(c->store, c->pos[0], as_of, &h, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, h);
    static const char *const hd[] = {"EFFECTIVE", "TO", "RECORDED", "DECLARED", "KNOWN", "CONFIDENCE", "STATE",
                                     "HASH", "NOTE"};
    static const int w[] = {0, 0, 0, 0, 0, 0, 0, 12, 60};
    out_table *t = out_table_new(9, hd, w);
    json_t *v;
    size_t i;
    printf("%s: %s\n\n", json_string_value(json_object_get(h, "list")), json_string_value(json_object_get(h, "title")));
    json_array_foreach(json_object_get(h, "versions"), i, v)
    {
        char dc[16], kc[16];
        const char *to = json_string_value(json_object_get(v, "effective_to"));
        const char *corr = json_string_value(json_object_get(v, "correction"));
        const char *note = json_string_value(json_object_get(v, "note"));
        snprintf(dc, sizeof(dc), "%lld", (long long)json_integer_value(json_object_get(v, "declared_count")));
        snprintf(kc, sizeof(kc), "%lld", (long long)json_integer_value(json_object_get(v, "known_count")));
        const char *row[] = {json_string_value(json_object_get(v, "effective_from")), to ? to : "",
                             json_string_value(json_object_get(v, "recorded_at")), dc, kc,
                             json_string_value(json_object_get(v, "confidence")),
                             json_is_true(json_object_get(v, "superseded")) ? "superseded"
                             : corr                                          ? "correction"
                                                                             : "in force",
                             json_string_value(json_object_get(v, "content_hash")), corr ? corr : note ? note : ""};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print(t, stdout);
    out_table_free(t);
    json_decref(h);
    return CLI_EXIT_OK;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int cmd_list_import(cli_ctx *c)
{
    const char *path = c->pos[0], *fmt = cli_opt_value(c, "format");
    char *data = NULL;
    size_t len = 0;
    xc_import_stats st;
    int csv;
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return cli_usage_error(c, "--format: \"%s\" is not a format; expected json or csv", fmt);
    csv = fmt ? strcmp(fmt, "csv") == 0 : ends_with(path, ".csv");
    static const char *const csv_only[] = {"list", "effective-from", "effective-to", "precision", "declared-count",
                                           "source", "confidence", "reason", "note", "correction"};
    if (!csv) {
        for (size_t i = 0; i < sizeof(csv_only) / sizeof(csv_only[0]); i++)
            if (cli_opt_value(c, csv_only[i]))
                return cli_usage_error(c, "--%s applies to a CSV import only; a JSON file carries its own fields",
                                       csv_only[i]);
    }
    int rc = cli_read_file(path, &data, &len, &c->err);
    if (rc)
        return cli_fail(c, rc);
    if ((rc = cli_open_db(c))) {
        xc_free(data);
        return cli_fail(c, rc);
    }
    if (csv) {
        xc_csv_version_opts o = {
            .list_id = cli_opt_value(c, "list"),
            .effective_from = cli_opt_value(c, "effective-from"),
            .effective_to = cli_opt_value(c, "effective-to"),
            .precision = cli_opt_value(c, "precision"),
            .declared_count = -1,
            .source = cli_opt_value(c, "source"),
            .confidence = cli_opt_value(c, "confidence"),
            .reason = cli_opt_value(c, "reason"),
            .note = cli_opt_value(c, "note"),
            .correction = cli_opt_value(c, "correction"),
        };
        if (!o.list_id || !o.effective_from || !o.confidence || !o.source) {
            xc_free(data);
            return cli_usage_error(c, "a CSV import needs --list, --effective-from, --source and --confidence");
        }
        const char *dc = cli_opt_value(c, "declared-count");
        if (dc) {
            char *end;
            long v = strtol(dc, &end, 10);
            if (*dc == '\0' || *end || v < 0 || v > 1000) {
                xc_free(data);
                xc_error_set(&c->err, XC_EINVAL, "--declared-count",
                             "--declared-count: \"%s\" is not a whole number from 0 to 1000", dc);
                return cli_fail(c, XC_EINVAL);
            }
            o.declared_count = (int)v;
        }
        rc = xc_registry_import_members_csv(c->store, data, len, path, &o, &st, &c->err);
    } else {
        rc = xc_registry_import_json(c->store, data, len, path, &st, &c->err);
    }
    xc_free(data);
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, xc_import_stats_json(path, &st));
    printf("%s: %d list(s), %d version(s): %d recorded (%d correction(s)), %d unchanged; %d list record(s) "
           "updated\n",
           path, st.lists, st.versions, st.versions_recorded, st.corrections, st.versions_unchanged,
           st.lists_recorded);
    return CLI_EXIT_OK;
}

int cmd_list_export(cli_ctx *c)
{
    int64_t as_of;
    int rc = cli_as_of_opt(c, &as_of);
    if (rc || (rc = cli_open_db(c)))
        return cli_fail(c, rc);
    if (c->format == OUT_CSV) {
        xc_snapshot *snap = NULL;
        xc_date at;
        size_t n;
        if ((rc = cli_date_opt(c, "at", cli_opt_value(c, "at"), &at)) ||
            (rc = xc_registry_show(c->store, c->pos[0], at, as_of, &snap, &c->err)))
            return cli_fail(c, rc);
        const xc_member *m = xc_snapshot_members(snap, &n);
        static const char *const h[] = {"country", "reason", "source", "confidence", "since"};
        out_table *t = out_table_new(5, h, NULL);
        char d[XC_DATE_BUF];
        for (size_t i = 0; t && i < n; i++) {
            const char *row[] = {m[i].country, m[i].reason, m[i].source, xc_confidence_name(m[i].confidence),
                                 xc_date_format(m[i].since, d)};
            out_table_row(t, row);
        }
        if (t)
            out_table_print_csv(t, stdout);
        out_table_free(t);
        xc_snapshot_free(snap);
        return CLI_EXIT_OK;
    }
    if (cli_opt_value(c, "at"))
        return cli_usage_error(c, "--at applies to --csv export only; the JSON export holds every version");
    json_t *doc = NULL;
    if ((rc = xc_registry_export_json(c->store, c->pos[0], as_of, &doc, &c->err)))
        return cli_fail(c, rc);
    return cli_print_json(c, doc);
}
