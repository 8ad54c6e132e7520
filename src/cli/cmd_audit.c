/*
 * cmd_audit.c: `exportctl audit ...`: read and verify the tamper-evident
 * audit log, publish checkpoints, and produce and check proofs.  The
 * commands open the database without loading the bundled data (verifying
 * must not append to the log it verifies) and never create a database or
 * its signing key; `audit verify-proof` does not open a database at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "cli.h"
#include "db.h"
#include "mem.h"
#include "out.h"

/* Open an existing database as it is (no bundled-data loading). */
static int audit_open(cli_ctx *c)
{
    struct stat sb;
    const char *path = xc_db_path(c->db_path);
    if (c->store)
        return XC_OK;
    if (stat(path, &sb) != 0)
        return xc_error_set(&c->err, XC_ENOTFOUND, "--db", "--db: no database at %s", path);
    int rc = xc_store_open(path, &c->store, &c->err);
    if (rc == XC_OK)
        rc = xc_store_set_actor(c->store, cli_actor(c), &c->err);
    return rc;
}

static int int_opt(cli_ctx *c, const char *name, const char *v, int64_t min, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = v ? strtoll(v, &end, 10) : 0;
    if (!v)
        return XC_OK;
    if (errno || end == v || *end || n < min)
        return xc_error_set(&c->err, XC_EINVAL, name, "%s: \"%s\" is not a whole number >= %lld", name, v,
                            (long long)min);
    *out = n;
    return XC_OK;
}

/* --key: a verifier key, or a file holding one on its first line.  *buf is
 * allocated when read from a file. */
static int key_opt(cli_ctx *c, const char **vkey, char **buf)
{
    struct stat sb;
    size_t len;
    const char *v = cli_opt_value(c, "key");
    *buf = NULL;
    *vkey = v;
    if (!v || stat(v, &sb) != 0 || !S_ISREG(sb.st_mode))
        return XC_OK;
    int rc = cli_read_file(v, buf, &len, &c->err);
    if (rc)
        return rc;
    (*buf)[strcspn(*buf, "\r\n")] = '\0';
    *vkey = *buf;
    return XC_OK;
}

/* Write text to --out FILE, or print it. */
static int emit(cli_ctx *c, const char *text, const char *what)
{
    const char *out = cli_opt_value(c, "out");
    if (!out) {
        fputs(text, stdout);
        return CLI_EXIT_OK;
    }
    FILE *f = fopen(out, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        if (f)
            fclose(f);
        xc_error_set(&c->err, XC_EIO, "--out", "--out: cannot write %s: %s", out, strerror(errno));
        return cli_fail(c, XC_EIO);
    }
    fprintf(stderr, "%s written to %s\n", what, out);
    return CLI_EXIT_OK;
}

/* --json streams the array an event at a time (a log of millions of
 * events is not held in memory); same bytes as cli_print_json would print. */
typedef struct stream_ctx {
    size_t n;
} stream_ctx;

static int print_event(void *ctx, json_t *event, xc_error *err)
{
    stream_ctx *sc = ctx;
    char *text = json_dumps(event, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    if (!text)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    /* indent the event's lines by two more spaces: it is an element of the array */
    fputs(sc->n++ ? ",\n  " : "[\n  ", stdout);
    for (const char *p = text; *p; p++) {
        fputc(*p, stdout);
        if (*p == '\n')
            fputs("  ", stdout);
    }
    xc_free(text);
    return ferror(stdout) ? xc_error_set(err, XC_EIO, NULL, "cannot write to standard output") : XC_OK;
}

static int cmd_audit_log(cli_ctx *c)
{
    int64_t from = 1, limit = 0;
    json_t *evs = NULL;
    int rc = int_opt(c, "--from", cli_opt_value(c, "from"), 1, &from);
    if (rc || (rc = int_opt(c, "--limit", cli_opt_value(c, "limit"), 0, &limit)) || (rc = audit_open(c)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        stream_ctx sc = {0};
        rc = xc_audit_events_each(c->store, from, limit, cli_opt_value(c, "type"), cli_opt_value(c, "subject"),
                                  cli_opt_value(c, "actor"), print_event, &sc, &c->err);
        if (rc && !sc.n)
            return cli_fail(c, rc);
        fputs(sc.n ? "\n]\n" : "[]\n", stdout);
        return rc ? cli_fail(c, rc) : CLI_EXIT_OK;
    }
    if ((rc = xc_audit_events(c->store, from, limit, cli_opt_value(c, "type"), cli_opt_value(c, "subject"),
                              cli_opt_value(c, "actor"), &evs, &c->err)))
        return cli_fail(c, rc);
    static const char *const h[] = {"SEQ", "TIME", "ACTOR", "TYPE", "SUBJECT", "PAYLOAD"};
    static const int w[] = {0, 0, 24, 0, 32, 72};
    out_table *t = out_table_new(6, h, w);
    size_t i;
    json_t *e;
    json_array_foreach(evs, i, e)
    {
        char seq[24];
        snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(e, "seq")));
        char *pl = json_dumps(json_object_get(e, "payload"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        const char *row[] = {seq,
                             json_string_value(json_object_get(e, "time")),
                             json_string_value(json_object_get(e, "actor")),
                             json_string_value(json_object_get(e, "type")),
                             json_string_value(json_object_get(e, "subject")),
                             pl};
        if (t)
            out_table_row(t, row);
        xc_free(pl);
    }
    if (t && json_array_size(evs))
        out_table_print(t, stdout);
    else if (!json_array_size(evs))
        printf("no audit events%s\n", from > 1 || cli_opt_value(c, "type") || cli_opt_value(c, "subject") ||
                                               cli_opt_value(c, "actor")
                                           ? " match"
                                           : "");
    out_table_free(t);
    json_decref(evs);
    return CLI_EXIT_OK;
}

static int cmd_audit_verify(cli_ctx *c)
{
    const char *vkey;
    char *buf = NULL;
    json_t *r = NULL;
    int rc = key_opt(c, &vkey, &buf);
    if (rc == XC_OK && (rc = audit_open(c)) == XC_OK)
        rc = xc_audit_verify(c->store, vkey, &r, &c->err);
    xc_free(buf);
    if (!r)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        if (rc)
            fprintf(stderr, "exportctl: error: %s\n", c->err.msg);
        int prc = cli_print_json(c, r);
        return rc ? xc_error_exit_code(rc) : prc;
    }
    json_t *problems = json_object_get(r, "problems"), *p;
    size_t i;
    long long size = (long long)json_integer_value(json_object_get(r, "size"));
    if (rc == XC_OK) {
        printf("audit log intact: %lld events, root %s\n", size, json_string_value(json_object_get(r, "root")));
        printf("checkpoints checked: %lld; key: %s (%s)\n",
               (long long)json_integer_value(json_object_get(r, "checkpoints_checked")),
               json_string_value(json_object_get(r, "key")) ? json_string_value(json_object_get(r, "key")) : "none",
               json_string_value(json_object_get(r, "key_source")));
    } else {
        printf("AUDIT LOG DOES NOT VERIFY (%lld events read)\n", size);
        json_array_foreach(problems, i, p) printf("  %s\n", json_string_value(json_object_get(p, "problem")));
        if (json_object_get(r, "problems_not_listed"))
            printf("  ... and %lld more\n", (long long)json_integer_value(json_object_get(r, "problems_not_listed")));
        fprintf(stderr, "exportctl: error: %s\n", c->err.msg);
    }
    json_decref(r);
    return rc ? xc_error_exit_code(rc) : CLI_EXIT_OK;
}

static int cmd_audit_checkpoint(cli_ctx *c)
{
    json_t *cp = NULL;
    int rc = audit_open(c);
    if (rc || (rc = xc_audit_checkpoint(c->store, &cp, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON && !cli_opt_value(c, "out"))
        return cli_print_json(c, cp);
    fprintf(stderr, "published checkpoint %lld (%lld events)\n",
            (long long)json_integer_value(json_object_get(cp, "number")),
            (long long)json_integer_value(json_object_get(cp, "size")));
    rc = emit(c, json_string_value(json_object_get(cp, "note")), "checkpoint");
    if (rc == CLI_EXIT_OK && c->format == OUT_JSON)
        return cli_print_json(c, cp);
    json_decref(cp);
    return rc;
}

static int cmd_audit_checkpoints(cli_ctx *c)
{
    json_t *cps = NULL;
    int rc = audit_open(c);
    if (rc || (rc = xc_audit_checkpoints(c->store, &cps, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, cps);
    if (!json_array_size(cps)) {
        printf("no checkpoint has been published (run `exportctl audit checkpoint`)\n");
        json_decref(cps);
        return CLI_EXIT_OK;
    }
    static const char *const h[] = {"NUMBER", "SIZE", "RECORDED", "ROOT"};
    out_table *t = out_table_new(4, h, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(cps, i, e)
    {
        char num[24], size[24];
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(json_object_get(e, "number")));
        snprintf(size, sizeof(size), "%lld", (long long)json_integer_value(json_object_get(e, "size")));
        const char *row[] = {num, size, json_string_value(json_object_get(e, "recorded_at")),
                             json_string_value(json_object_get(e, "root"))};
        if (t)
            out_table_row(t, row);
    }
    if (t)
        out_table_print(t, stdout);
    out_table_free(t);
    json_decref(cps);
    return CLI_EXIT_OK;
}

static int emit_proof(cli_ctx *c, json_t *proof)
{
    char *text = json_dumps(proof, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(proof);
    if (!text) {
        xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory");
        return cli_fail(c, XC_ENOMEM);
    }
    size_t n = strlen(text);
    char *withnl = xc_realloc(text, n + 2);
    if (withnl) {
        text = withnl;
        text[n] = '\n';
        text[n + 1] = '\0';
    }
    int rc = emit(c, text, "proof");
    xc_free(text);
    return rc;
}

static int cmd_audit_prove(cli_ctx *c)
{
    int64_t seq = 0, cp = 0;
    json_t *proof = NULL;
    int rc = int_opt(c, "SEQ", c->pos[0], 1, &seq);
    if (rc || (rc = int_opt(c, "--checkpoint", cli_opt_value(c, "checkpoint"), 1, &cp)) || (rc = audit_open(c)) ||
        (rc = xc_audit_prove(c->store, seq, cp, &proof, &c->err)))
        return cli_fail(c, rc);
    return emit_proof(c, proof);
}

static int cmd_audit_consistency(cli_ctx *c)
{
    int64_t a = 0, b = 0;
    json_t *proof = NULL;
    int rc = int_opt(c, "N", c->pos[0], 1, &a);
    if (rc || (rc = int_opt(c, "M", c->pos[1], 1, &b)) || (rc = audit_open(c)) ||
        (rc = xc_audit_consistency(c->store, a, b, &proof, &c->err)))
        return cli_fail(c, rc);
    return emit_proof(c, proof);
}

static int cmd_audit_verify_proof(cli_ctx *c)
{
    const char *vkey;
    char *buf = NULL, *text = NULL;
    size_t len;
    json_t *proof = NULL, *r = NULL;
    json_error_t je;
    int rc = key_opt(c, &vkey, &buf);
    if (rc == XC_OK && !vkey)
        rc = xc_error_set(&c->err, XC_EINVAL, "--key", "--key: the log's verifier key is required (it is "
                                                       "printed by `exportctl audit key`)");
    if (rc == XC_OK)
        rc = cli_read_file(c->pos[0], &text, &len, &c->err);
    if (rc == XC_OK && !(proof = json_loadb(text, len, 0, &je)))
        rc = xc_error_set(&c->err, XC_EINVAL, "FILE", "%s:%d:%d: invalid JSON: %s", c->pos[0], je.line, je.column,
                          je.text);
    if (rc == XC_OK)
        rc = xc_audit_verify_proof(proof, vkey, &r, &c->err);
    json_decref(proof);
    xc_free(text);
    xc_free(buf);
    if (!r)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON) {
        if (rc)
            fprintf(stderr, "exportctl: error: %s\n", c->err.msg);
        int prc = cli_print_json(c, r);
        return rc ? xc_error_exit_code(rc) : prc;
    }
    if (rc) {
        printf("PROOF DOES NOT VERIFY: %s\n", c->err.msg);
        json_decref(r);
        return xc_error_exit_code(rc);
    }
    const char *type = json_string_value(json_object_get(r, "type"));
    if (strcmp(type, "inclusion") == 0 && !json_object_get(r, "event")) {
        printf("proof verifies: leaf %s (event %lld, not shown in this proof) is in the log %s of %lld events, "
               "root %s\n",
               json_string_value(json_object_get(r, "leaf_hash")),
               (long long)json_integer_value(json_object_get(r, "seq")),
               json_string_value(json_object_get(r, "origin")),
               (long long)json_integer_value(json_object_get(r, "tree_size")),
               json_string_value(json_object_get(r, "root")));
    } else if (strcmp(type, "inclusion") == 0) {
        json_t *ev = json_object_get(r, "event");
        printf("proof verifies: event %lld (%s %s by %s at %s) is in the log %s of %lld events, root %s\n",
               (long long)json_integer_value(json_object_get(r, "seq")),
               json_string_value(json_object_get(ev, "type")), json_string_value(json_object_get(ev, "subject")),
               json_string_value(json_object_get(ev, "actor")), json_string_value(json_object_get(ev, "time")),
               json_string_value(json_object_get(r, "origin")),
               (long long)json_integer_value(json_object_get(r, "tree_size")),
               json_string_value(json_object_get(r, "root")));
    } else {
        printf("proof verifies: the log %s of %lld events extends its earlier state of %lld events\n",
               json_string_value(json_object_get(r, "origin")),
               (long long)json_integer_value(json_object_get(r, "second_size")),
               (long long)json_integer_value(json_object_get(r, "first_size")));
    }
    json_decref(r);
    return CLI_EXIT_OK;
}

static int cmd_audit_key(cli_ctx *c)
{
    json_t *k = NULL;
    int rc = audit_open(c);
    if (rc || (rc = xc_audit_key_json(c->store, &k, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, k);
    printf("%s\n", json_string_value(json_object_get(k, "vkey")));
    json_decref(k);
    return CLI_EXIT_OK;
}

static const cli_opt log_opts[] = {
    {"from", "N", "start at event N (default 1)", 0},
    {"limit", "K", "at most K events (default: all)", 0},
    {"type", "PREFIX", "only events whose type is PREFIX or starts with PREFIX. (e.g. list, licence.suspend)", 0},
    {"subject", "S", "only events about subject S (e.g. il-cyber-marketing, decision:12)", 0},
    {"actor", "A", "only events by actor A", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt verify_opts[] = {
    {"key", "VKEY", "verifier key (or a file holding it) to check signatures with (default: the key file's, "
                    "else the one recorded in the database)", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt checkpoint_opts[] = {
    {"out", "FILE", "write the signed checkpoint to FILE instead of printing it", 0}, {NULL, NULL, NULL, 0}};

static const cli_opt prove_opts[] = {
    {"checkpoint", "N", "prove against published checkpoint N (default: the latest)", 0},
    {"out", "FILE", "write the proof to FILE instead of printing it", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt out_opts[] = {{"out", "FILE", "write the proof to FILE instead of printing it", 0},
                                   {NULL, NULL, NULL, 0}};

static const cli_opt verify_proof_opts[] = {
    {"key", "VKEY", "the log's verifier key, or a file holding it (required)", 0}, {NULL, NULL, NULL, 0}};

static const cli_opt none[] = {{NULL, NULL, NULL, 0}};

const cli_command cli_audit_commands[] = {
    {"audit", "log", cmd_audit_log, "", 0, 0, "Show the audit log's events",
     "Every change to the database (lists, rule packs, items, party lists, decisions, licences) is an\n"
     "event: sequence number, time, actor, type, subject and payload. --json adds each event's leaf and\n"
     "chain hashes. Events are shown as stored; `exportctl audit verify` says whether they are intact.",
     log_opts, "table,json"},
    {"audit", "verify", cmd_audit_verify, "", 0, 0, "Check that the audit log has not been tampered with",
     "Recomputes every event's leaf hash, the hash chain and the Merkle tree, and checks them against the\n"
     "signed head and every published checkpoint (signatures included). Names the first bad event:\n"
     "edited, deleted, reordered, inserted, appended outside exportctl or truncated.\n"
     "exit codes: 0 intact, 3 tampered (the problems are listed), 1 runtime failure, 2 bad usage.",
     verify_opts, "table,json"},
    {"audit", "checkpoint", cmd_audit_checkpoint, "", 0, 0, "Publish a signed checkpoint of the log",
     "Records the current signed head (origin, size, root hash) as a numbered checkpoint and prints it.\n"
     "Give it to someone outside your control: the log can then never be rewritten up to that size\n"
     "without it showing, even by someone holding the database and its signing key.",
     checkpoint_opts, "table,json"},
    {"audit", "checkpoints", cmd_audit_checkpoints, "", 0, 0, "List the published checkpoints",
     "Number, tree size, time and root hash of each; --json includes the signed notes.", none, "table,json"},
    {"audit", "prove", cmd_audit_prove, "SEQ", 1, 1, "Prove that event SEQ is in a published checkpoint",
     "An inclusion proof (exportctl-proof/1 JSON, see docs/audit-format.md): the event, its exact body,\n"
     "the Merkle path and the signed checkpoint. Anyone with the verifier key can check it with\n"
     "`exportctl audit verify-proof` and nothing else.",
     prove_opts, "json"},
    {"audit", "consistency", cmd_audit_consistency, "N M", 2, 2,
     "Prove that checkpoint M extends checkpoint N (append-only)",
     "A consistency proof (exportctl-proof/1 JSON) between published checkpoints N < M: the log at M\n"
     "holds the log at N unchanged as its prefix.",
     out_opts, "json"},
    {"audit", "verify-proof", cmd_audit_verify_proof, "FILE", 1, 1,
     "Check an inclusion or consistency proof with nothing but the key",
     "Needs no database (--db is ignored): checks the checkpoint signature(s) with --key, the event's leaf\n"
     "hash and the Merkle path.\n"
     "exit codes: 0 the proof verifies, 3 it does not, 2 malformed proof or key, 1 runtime failure.",
     verify_proof_opts, "table,json"},
    {"audit", "key", cmd_audit_key, "", 0, 0, "Print the log's verifier (public) key",
     "The key outsiders need to check checkpoints and proofs. Printed from the signing key file\n"
     "($EXPORTCTL_KEY, else <database>.key), else from the database; never creates a key.",
     none, "table,json"},
};
const size_t cli_audit_n_commands = sizeof(cli_audit_commands) / sizeof(cli_audit_commands[0]);
