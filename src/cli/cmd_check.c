/*
 * cmd_check.c: `exportctl check`: one deal, a batch of deals from CSV, or
 * the replay of a stored decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "csvrows.h"
#include "date.h"
#include "mem.h"
#include "out.h"
#include "decision.h"
#include "policy.h"

int cli_outcome_exit(int outcome)
{
    static const int codes[XC_OUTCOME_COUNT] = {0, 3, 4, 5, 6};
    return outcome >= 0 && outcome < XC_OUTCOME_COUNT ? codes[outcome] : CLI_EXIT_FAILURE;
}

static int outcome_of(json_t *answer)
{
    const char *o = json_string_value(json_object_get(answer, "outcome"));
    for (int i = 0; o && i < XC_OUTCOME_COUNT; i++)
        if (strcmp(o, xc_outcome_name(i)) == 0)
            return i;
    return -1;
}

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_answer(cli_ctx *c, json_t *a)
{
    if (c->format == OUT_TABLE) {
        const char *auth = json_string_value(json_object_get(a, "authorisation"));
        printf("outcome:     %s%s%s%s\n", js(a, "outcome"), auth ? " (" : "", auth ? auth : "", auth ? ")" : "");
        printf("question:    %s %s of %s to %s on %s\n", js(a, "regime"), js(a, "activity"), js(a, "item"),
               js(a, "destination"), js(a, "date"));
        printf("confidence:  %s\n", js(a, "confidence"));
        json_t *conds = json_object_get(a, "conditions"), *v;
        size_t i;
        json_array_foreach(conds, i, v) printf("condition:   %s\n", json_string_value(v));
        json_t *id = json_object_get(a, "decision_id");
        if (json_is_integer(id))
            printf("decision:    %lld (replay: exportctl check --replay %lld)\n", (long long)json_integer_value(id),
                   (long long)json_integer_value(id));
        json_t *in = json_object_get(a, "inputs");
        printf("rule pack:   %s %s (%.12s)\n\n", js(json_object_get(in, "rule_pack"), "regime"),
               js(json_object_get(in, "rule_pack"), "version"), js(json_object_get(in, "rule_pack"), "content_hash"));
    }
    static const char *const h[] = {"RULE", "EFFECT", "STATE", "CONFIDENCE", "WHY"};
    static const int w[] = {0, 0, 0, 0, 100};
    out_table *t = out_table_new(5, h, c->format == OUT_CSV ? NULL : w);
    json_t *tr;
    size_t i;
    json_array_foreach(json_object_get(a, "trace"), i, tr)
    {
        const char *state = js(tr, "state");
        char st[32];
        snprintf(st, sizeof(st), "%s%s", state, json_is_true(json_object_get(tr, "barred")) ? " (barred)" : "");
        const char *row[] = {js(tr, "rule"), js(tr, "effect"), st, js(tr, "confidence"), js(tr, "why")};
        if (t)
            out_table_row(t, row);
    }
    if (t) {
        out_table_print_as(t, c->format == OUT_CSV, stdout);
    }
    out_table_free(t);
}

/* Store the decision; sets "decision_id" in the answer. */
static int record(cli_ctx *c, const xc_policy *p, const xc_check *chk, json_t *answer)
{
    int64_t id;
    return xc_decision_record_check(c->store, p, chk, answer, &id, &c->err);
}

static int fill_req(cli_ctx *c, xc_check_req *req)
{
    memset(req, 0, sizeof(*req));
    req->regime = cli_opt_value(c, "regime");
    req->item = cli_opt_value(c, "item");
    req->destination = cli_opt_value(c, "to");
    req->activity = cli_opt_value(c, "activity");
    req->end_user_type = cli_opt_value(c, "end-user-type");
    size_t n;
    const char *const *v = cli_opt_values(c, "end-user-flag", &n);
    if (n > XC_CHECK_MAX_FLAGS || (cli_opt_values(c, "risk-flag", &n), n > XC_CHECK_MAX_FLAGS))
        return xc_error_set(&c->err, XC_EINVAL, "flag", "at most %d --end-user-flag and %d --risk-flag values",
                            XC_CHECK_MAX_FLAGS, XC_CHECK_MAX_FLAGS);
    v = cli_opt_values(c, "end-user-flag", &n);
    for (size_t i = 0; i < n; i++)
        req->end_user_flags[req->n_end_user_flags++] = v[i];
    v = cli_opt_values(c, "party", &n);
    for (size_t i = 0; i < n && i < XC_CHECK_MAX_PARTIES; i++)
        req->parties[req->n_parties++] = v[i];
    v = cli_opt_values(c, "risk-flag", &n);
    for (size_t i = 0; i < n; i++)
        req->risk_flags[req->n_risk_flags++] = v[i];
    return cli_date_opt(c, "date", cli_opt_value(c, "date"), &req->date);
}

static int check_one(cli_ctx *c)
{
    xc_check_req req;
    xc_check chk;
    xc_policy *p = NULL;
    if (!cli_opt_value(c, "regime") || !cli_opt_value(c, "item") || !cli_opt_value(c, "to"))
        return cli_usage_error(c, "check needs --regime, --item and --to (or --batch FILE, or --replay ID)");
    json_t *answer = NULL;
    int rc = fill_req(c, &req);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_policy_load(c->store, XC_TS_LATEST, &p, &c->err)) ||
        (rc = xc_check_answer(p, &req, &chk, &answer, &c->err))) { /* the same answer as POST /v1/check */
        xc_policy_free(p);
        return cli_fail(c, rc);
    }
    if (!cli_opt_flag(c, "no-record")) {
        if ((rc = xc_store_begin(c->store, &c->err)) == XC_OK && (rc = record(c, p, &chk, answer)) == XC_OK)
            rc = xc_store_commit(c->store, &c->err);
        else
            xc_store_rollback(c->store);
        if (rc) {
            json_decref(answer);
            xc_policy_free(p);
            return cli_fail(c, rc);
        }
    }
    int code = cli_outcome_exit(chk.outcome);
    if (c->format == OUT_JSON)
        cli_print_json(c, answer);
    else {
        print_answer(c, answer);
        json_decref(answer);
    }
    xc_policy_free(p);
    return code;
}

static int replay(cli_ctx *c, const char *id_text)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (!*id_text || *end || id <= 0)
        return cli_usage_error(c, "--replay: \"%s\" is not a decision id (a positive whole number)", id_text);
    json_t *a = NULL;
    int identical = 0;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_decision_replay(c->store, id, cli_opt_flag(c, "compare-now"), &a, &identical, &c->err)))
        return cli_fail(c, rc);
    int code = identical ? cli_outcome_exit(outcome_of(a)) : CLI_EXIT_FAILURE;
    if (!identical)
        fprintf(stderr, "exportctl: error: decision %lld does not replay identically\n", id);
    json_t *rp = json_object_get(a, "replay"), *now = json_object_get(a, "now");
    if (c->format == OUT_JSON) {
        cli_print_json(c, a);
        return code;
    }
    printf("replay of decision %lld, recorded %s: %s\n\n", id, js(rp, "recorded_at"),
           identical ? "identical to the stored answer" : "DIFFERS from the stored answer");
    print_answer(c, a);
    if (now) {
        const char *auth = json_string_value(json_object_get(now, "authorisation"));
        printf("\ntoday's data and rules say: %s%s%s%s (%s)\n", js(now, "outcome"), auth ? " (" : "", auth ? auth : "",
               auth ? ")" : "", json_is_true(json_object_get(now, "changed")) ? "changed" : "unchanged");
    }
    json_decref(a);
    return code;
}

/* ---- batch ----------------------------------------------------------------------- */

enum { B_REGIME, B_ITEM, B_TO, B_ACTIVITY, B_EUT, B_EUF, B_PARTIES, B_RISK, B_DATE, B_N };
static const char *const batch_cols[B_N] = {"regime",         "item",    "to",         "activity", "end_user_type",
                                            "end_user_flags", "parties", "risk_flags", "date"};

typedef struct batch {
    cli_ctx *c;
    xc_policy *p;
    FILE *out; /* answers are held until the decisions are committed */
    int col[B_N];
    long rows, bad, total;
    int record, progress;
} batch;

static size_t split(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, ";"); tok && n < max; tok = strtok(NULL, ";")) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (*tok)
            out[n++] = tok;
    }
    return n;
}

static void progress(batch *b)
{
    if (!b->progress || b->total <= 0)
        return;
    long done = b->rows;
    if (done != b->total && done % 256)
        return;
    int width = 40, fill = (int)(done * width / b->total);
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld", fill, "########################################", width - fill, "", done,
            b->total);
    if (done == b->total)
        fputc('\n', stderr);
}

static int batch_row(void *user, long line, int row, char **f, size_t n)
{
    batch *b = user;
    cli_ctx *c = b->c;
    if (row == 0) {
        int any = 0;
        for (int k = 0; k < B_N; k++) {
            b->col[k] = xc_csv_column(f, n, batch_cols[k]);
            any |= b->col[k] >= 0;
        }
        if (!any)
            return xc_error_set(&c->err, XC_EINVAL, "header",
                                "%s:%ld: the header names none of the fields (regime,item,to,activity,end_user_type,"
                                "end_user_flags,parties,risk_flags,date)",
                                cli_opt_value(c, "batch"), line);
        if (c->format != OUT_JSON)
            fprintf(b->out, "line,regime,item,to,activity,date,outcome,authorisation,confidence,decision_id,error\r\n");
        return XC_OK;
    }
    b->rows++;
    xc_check_req req;
    xc_check chk;
    xc_error err;
    xc_error_clear(&err);
    int rc = fill_req(c, &req); /* options give defaults */
    char *cell[B_N];
    for (int k = 0; k < B_N; k++)
        cell[k] = b->col[k] >= 0 && (size_t)b->col[k] < n && f[b->col[k]][0] ? f[b->col[k]] : NULL;
    if (cell[B_REGIME])
        req.regime = cell[B_REGIME];
    if (cell[B_ITEM])
        req.item = cell[B_ITEM];
    if (cell[B_TO])
        req.destination = cell[B_TO];
    if (cell[B_ACTIVITY])
        req.activity = cell[B_ACTIVITY];
    if (cell[B_EUT])
        req.end_user_type = cell[B_EUT];
    if (cell[B_EUF])
        req.n_end_user_flags = split(cell[B_EUF], req.end_user_flags, XC_CHECK_MAX_FLAGS);
    if (cell[B_PARTIES])
        req.n_parties = split(cell[B_PARTIES], req.parties, XC_CHECK_MAX_PARTIES);
    if (cell[B_RISK])
        req.n_risk_flags = split(cell[B_RISK], req.risk_flags, XC_CHECK_MAX_FLAGS);
    if (rc == XC_OK && cell[B_DATE])
        rc = xc_date_parse(cell[B_DATE], &req.date, "date", &err);
    if (rc)
        err = c->err.code ? c->err : err;
    if (rc == XC_OK && (!req.regime || !req.item || !req.destination))
        rc = xc_error_set(&err, XC_EINVAL, "row", "row needs regime, item and to (as columns or options)");
    json_t *answer = NULL;
    /* the answer carries the confidence, so it is built for every row */
    if (rc == XC_OK && (rc = xc_check_answer(b->p, &req, &chk, &answer, &err)) == XC_ENOMEM)
        return xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK) {
        if (b->record) {
            int r2 = record(c, b->p, &chk, answer);
            if (r2) {
                json_decref(answer);
                return r2; /* a database failure stops the batch */
            }
        }
    } else {
        b->bad++;
        fprintf(stderr, "exportctl: %s:%ld: %s\n", cli_opt_value(c, "batch"), line, err.msg);
    }
    char d[XC_DATE_BUF];
    if (c->format == OUT_JSON) {
        json_t *o = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "line", (int)line, "outcome",
                              answer ? json_incref(json_object_get(answer, "outcome")) : json_null(), "authorisation",
                              answer ? json_incref(json_object_get(answer, "authorisation")) : json_null(),
                              "confidence", answer ? json_incref(json_object_get(answer, "confidence")) : json_null(),
                              "decision_id",
                              answer && json_object_get(answer, "decision_id")
                                  ? json_incref(json_object_get(answer, "decision_id"))
                                  : json_null(),
                              "request", answer ? json_incref(json_object_get(answer, "request")) : json_null(), "error",
                              rc ? json_pack("{s:s, s:s, s:o}", "code", xc_error_name(rc), "message", err.msg, "field",
                                             err.field[0] ? json_string(err.field) : json_null())
                                 : json_null());
        if (o) {
            json_dumpf(o, b->out, JSON_COMPACT);
            fputc('\n', b->out);
            json_decref(o);
        }
    } else {
        char num[32], dec[32] = "";
        snprintf(num, sizeof(num), "%ld", line);
        if (answer && json_is_integer(json_object_get(answer, "decision_id")))
            snprintf(dec, sizeof(dec), "%lld", (long long)json_integer_value(json_object_get(answer, "decision_id")));
        const xc_check *k = rc == XC_OK ? &chk : NULL;
        const char *auth = answer ? json_string_value(json_object_get(answer, "authorisation")) : NULL;
        const char *fields[] = {num,
                                req.regime ? req.regime : "",
                                req.item ? req.item : "",
                                k ? k->dest_code : (req.destination ? req.destination : ""),
                                answer ? js(answer, "activity") : (req.activity ? req.activity : ""),
                                req.date != XC_DATE_NONE ? xc_date_format(req.date, d) : "",
                                k ? xc_outcome_name(k->outcome) : "",
                                auth ? auth : "",
                                answer ? js(answer, "confidence") : "",
                                dec,
                                rc ? err.msg : ""};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            out_csv_field(b->out, fields[i], i + 1 == sizeof(fields) / sizeof(fields[0]));
    }
    json_decref(answer);
    progress(b);
    return XC_OK;
}

static int check_batch(cli_ctx *c, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    batch b;
    memset(&b, 0, sizeof(b));
    b.c = c;
    b.record = !cli_opt_flag(c, "no-record");
    b.progress = isatty(2);
    int rc = cli_read_file(path, &data, &len, &c->err);
    if (rc || (rc = cli_open_db(c)) || (rc = xc_policy_load(c->store, XC_TS_LATEST, &b.p, &c->err))) {
        xc_free(data);
        return cli_fail(c, rc);
    }
    for (size_t i = 0; i < len; i++)
        b.total += data[i] == '\n';
    b.total = b.total > 0 ? b.total - 1 : 0;
    char *outbuf = NULL;
    size_t outlen = 0;
    if (!(b.out = open_memstream(&outbuf, &outlen)))
        rc = xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
    if (rc || (b.record && (rc = xc_store_begin(c->store, &c->err)))) {
        if (b.out)
            fclose(b.out);
        free(outbuf);
        xc_policy_free(b.p);
        xc_free(data);
        return cli_fail(c, rc);
    }
    rc = xc_csv_rows(data, len, path, batch_row, &b, &c->err);
    if (b.record) {
        if (rc == XC_OK)
            rc = xc_store_commit(c->store, &c->err);
        else
            xc_store_rollback(c->store);
    }
    fclose(b.out);
    if (rc == XC_OK) /* only answers whose decisions are stored are printed */
        fwrite(outbuf, 1, outlen, stdout);
    free(outbuf);
    if (b.progress && b.rows != b.total)
        fputc('\n', stderr);
    xc_policy_free(b.p);
    xc_free(data);
    if (rc)
        return cli_fail(c, rc);
    fprintf(stderr, "exportctl: %ld row(s) checked, %ld bad\n", b.rows, b.bad);
    return b.bad ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

int cmd_check(cli_ctx *c)
{
    const char *rep = cli_opt_value(c, "replay"), *batch_file = cli_opt_value(c, "batch");
    if (rep && batch_file)
        return cli_usage_error(c, "--replay and --batch cannot be combined");
    if (cli_opt_flag(c, "compare-now") && !rep)
        return cli_usage_error(c, "--compare-now goes with --replay ID");
    if (rep)
        return replay(c, rep);
    if (batch_file)
        return check_batch(c, batch_file);
    return check_one(c);
}
