/*
 * cmd_match.c: `exportctl match NAME1 NAME2`: normalise two names, score
 * them with the screening matcher and show why (docs/matching.md).  The
 * exit code is 0 whether or not the names match; 2 on bad input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "match.h"
#include "mem.h"
#include "normalize.h"
#include "out.h"

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A JSON array of strings as "a, b, c" (or "-"). */
static void join_strings(json_t *arr, char *buf, size_t cap)
{
    size_t i, o = 0;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(arr, i, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v) : js(v, "token");
        int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", s);
        if (n < 0 || (size_t)n >= cap - o)
            break;
        o += (size_t)n;
    }
    if (!o)
        snprintf(buf, cap, "-");
}

static void print_table(json_t *j)
{
    json_t *ex = json_object_get(j, "explanation");
    printf("score:      %.4f\n", json_real_value(json_object_get(j, "score")));
    printf("threshold:  %.4g\n", json_real_value(json_object_get(j, "threshold")));
    printf("match:      %s\n", json_is_true(json_object_get(j, "match")) ? "yes" : "no");
    printf("name 1:     %s (%s)\n", js(ex, "query_normalized"), js(ex, "query_type"));
    printf("name 2:     %s (%s)\n\n", js(ex, "listed_normalized"), js(ex, "listed_type"));
    static const char *const h[] = {"NAME 1 TOKEN", "NAME 2 TOKEN", "HOW", "SIMILARITY"};
    out_table *t = out_table_new(4, h, NULL);
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(ex, "pairs"), i, p)
    {
        char sim[16];
        snprintf(sim, sizeof(sim), "%.4f", json_real_value(json_object_get(p, "similarity")));
        const char *row[] = {js(p, "query_token"), js(p, "listed_token"), js(p, "how"), sim};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print(t, stdout);
    out_table_free(t);
    char buf[1024];
    join_strings(json_object_get(ex, "unmatched_query"), buf, sizeof(buf));
    printf("\nunmatched in name 1:  %s\n", buf);
    join_strings(json_object_get(ex, "unmatched_listed"), buf, sizeof(buf));
    printf("unmatched in name 2:  %s\n", buf);
    size_t o = 0;
    buf[0] = '\0';
    json_array_foreach(json_object_get(ex, "ignored"), i, p)
    {
        int n = snprintf(buf + o, sizeof(buf) - o, "%s%s (%s, name %s)", o ? ", " : "", js(p, "token"), js(p, "kind"),
                         strcmp(js(p, "side"), "query") == 0 ? "1" : "2");
        if (n < 0 || (size_t)n >= sizeof(buf) - o)
            break;
        o += (size_t)n;
    }
    printf("ignored:              %s\n", o ? buf : "-");
}

int cmd_match(cli_ctx *c)
{
    const char *thr = cli_opt_value(c, "threshold"), *type_s = cli_opt_value(c, "type");
    double threshold = XC_MATCH_DEFAULT_THRESHOLD;
    int type = XC_NAME_UNKNOWN, rc;
    for (int k = 0; k < 2; k++) {
        const char *p = c->pos[k];
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return cli_usage_error(c, "NAME%d is empty", k + 1);
    }
    if (thr) {
        char *end;
        errno = 0;
        threshold = strtod(thr, &end);
        if (errno || end == thr || *end || !isfinite(threshold) || threshold < 0.0 || threshold > 1.0)
            return cli_usage_error(c, "--threshold: \"%s\" is not a number from 0 to 1", thr);
    }
    if (type_s) {
        if (strcmp(type_s, "person") == 0)
            type = XC_NAME_PERSON;
        else if (strcmp(type_s, "entity") == 0)
            type = XC_NAME_ENTITY;
        else if (strcmp(type_s, "unknown") != 0)
            return cli_usage_error(c, "--type: \"%s\" is not person, entity or unknown", type_s);
    }
    static const char *const fields[2] = {"NAME1", "NAME2"};
    json_t *j = NULL;
    rc = xc_match_pair_json(c->pos[0], c->pos[1], type, threshold, fields, &j, &c->err); /* as POST /v1/match */
    xc_normalize_thread_cleanup();
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    print_table(j);
    json_decref(j);
    return CLI_EXIT_OK;
}
