/*
 * cmd_country.c: `exportctl country ...` commands.
 */
#include <stdio.h>

#include "cli.h"
#include "country.h"
#include "out.h"
#include "registry.h"

int cmd_country_show(cli_ctx *c)
{
    const xc_country *cc;
    xc_stint *st = NULL;
    size_t n = 0;
    int64_t as_of;
    int rc = xc_country_lookup(c->pos[0], "CODE", &cc, &c->err);
    if (rc || (rc = cli_as_of_opt(c, &as_of)) || (rc = cli_open_db(c)) ||
        (rc = xc_registry_country(c->store, cc->alpha2, as_of, &st, &n, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        rc = cli_print_json(c, xc_country_history_json(cc->alpha2, st, n));
        xc_stints_free(st, n);
        return rc;
    }
    if (c->format == OUT_TABLE) {
        printf("%s %s %s %s%s\n", cc->alpha2, cc->alpha3, cc->numeric, xc_country_display_name(cc),
               cc->user_assigned ? " (user-assigned code, not ISO 3166-1)" : "");
        if (n == 0)
            printf("on no list in the registry\n");
        else
            printf("%zu period(s) on %s\n\n", n, n == 1 ? "a list" : "lists");
    }
    static const char *const h[] = {"LIST", "FROM", "TO", "CONFIDENCE", "REASON", "SOURCE", "REMOVAL"};
    static const int w[] = {0, 0, 0, 0, 50, 40, 50};
    out_table *t = out_table_new(7, h, c->format == OUT_CSV ? NULL : w);
    for (size_t i = 0; t && i < n; i++) {
        char f[XC_DATE_BUF], to[XC_DATE_BUF];
        const char *row[] = {st[i].list_id,
                             xc_date_format(st[i].from, f),
                             st[i].to == XC_DATE_NONE ? (c->format == OUT_CSV ? "" : "(now)") : xc_date_format(st[i].to, to),
                             xc_confidence_name(st[i].m.confidence),
                             st[i].m.reason,
                             st[i].m.source,
                             st[i].end.reason ? st[i].end.reason : ""};
        out_table_row(t, row);
    }
    if (t && (n || c->format == OUT_CSV)) {
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    }
    out_table_free(t);
    xc_stints_free(st, n);
    return CLI_EXIT_OK;
}

int cmd_country_ls(cli_ctx *c)
{
    if (c->format == OUT_JSON)
        return cli_print_json(c, xc_countries_json());
    static const char *const h[] = {"ALPHA2", "ALPHA3", "NUMERIC", "NAME"};
    out_table *t = out_table_new(4, h, NULL);
    for (size_t i = 0; t && i < xc_country_count(); i++) {
        const xc_country *cc = xc_country_at(i);
        const char *row[] = {cc->alpha2, cc->alpha3, cc->numeric, xc_country_display_name(cc)};
        out_table_row(t, row);
    }
    if (t) {
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    }
    out_table_free(t);
    return CLI_EXIT_OK;
}
