/*
 * main.c: exportctl's entry point.  Commands are declared once, in the
 * table below; this file parses the global and per-command options, prints
 * help, opens the database and maps library status codes to exit codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "db.h"
#include "fileio.h"
#include "mem.h"

#ifndef XC_VERSION
#define XC_VERSION "dev"
#endif

static const cli_opt no_opts[] = {{NULL, NULL, NULL, 0}};

static const cli_opt show_opts[] = {
    {"at", "DATE", "members in force on DATE (YYYY-MM-DD; default today)", 0},
    {"as-recorded-at", "TIMESTAMP", "answer as the registry would have at TIMESTAMP (YYYY-MM-DD[THH:MM:SS[.ffffff]Z])", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt diff_opts[] = {
    {"from", "DATE", "earlier date (required)", 0},
    {"to", "DATE", "later date (required)", 0},
    {"as-recorded-at", "TIMESTAMP", "answer as the registry would have at TIMESTAMP", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt asof_opts[] = {
    {"as-recorded-at", "TIMESTAMP", "answer as the registry would have at TIMESTAMP", 0}, {NULL, NULL, NULL, 0}};

static const cli_opt import_opts[] = {
    {"list", "LIST", "CSV only: the existing list the members belong to", 0},
    {"effective-from", "DATE", "CSV only: the date the new version takes effect", 0},
    {"effective-to", "DATE", "CSV only: the date it stops (exclusive), if known", 0},
    {"precision", "P", "CSV only: precision of the effective date: day (default), month or year", 0},
    {"declared-count", "N", "CSV only: members the authority declared, when more than are listed", 0},
    {"source", "TEXT", "CSV only: source of the version (citation or URL)", 0},
    {"confidence", "C", "CSV only: official, reported or inferred", 0},
    {"reason", "TEXT", "CSV only: reason for members whose row has none", 0},
    {"note", "TEXT", "CSV only: note on the version", 0},
    {"correction", "TEXT", "CSV only: why this version corrects the recorded one for the same date", 0},
    {"format", "F", "json or csv (default: from the file name, else json)", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt export_opts[] = {
    {"at", "DATE", "with --csv: members in force on DATE (default today)", 0},
    {"as-recorded-at", "TIMESTAMP", "export as recorded at TIMESTAMP", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt check_opts[] = {
    {"regime", "R", "rule pack: il, us-ear or eu (see `exportctl rules ls`)", 0},
    {"item", "CODE", "control-list item, e.g. 4D004 (see `exportctl item ls`)", 0},
    {"to", "CC", "destination country (ISO code or name)", 0},
    {"activity", "A", "marketing or export (default: the regime's default, export)", 0},
    {"end-user-type", "T", "government, company or individual", 0},
    {"end-user-flag", "F", "end-user flag, e.g. favourable-treatment (repeatable)", 1},
    {"party", "NAME", "a party to the deal, screened against the party lists (repeatable)", 1},
    {"risk-flag", "F", "risk flag, e.g. human-rights (repeatable)", 1},
    {"date", "DATE", "date of the export (default today)", 0},
    {"replay", "ID", "re-run stored decision ID with exactly the inputs it used", 0},
    {"compare-now", NULL, "with --replay: also show what today's data and rules say", 0},
    {"batch", "FILE", "one deal per CSV row; header names the fields (regime,item,to,activity,end_user_type,"
                      "end_user_flags,parties,risk_flags,date; lists separated by ';'); options give defaults", 0},
    {"no-record", NULL, "do not store a decision record", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt import_only[] = {{NULL, NULL, NULL, 0}};

static const cli_opt parties_import_opts[] = {
    {"format", "F", "ofac-sdn (a folder), csl-csv, csl-json, un-xml, bis-dpl, csv or exportctl (default)", 0},
    {"list-id", "ID", "list id to record the snapshot under (default: per format)", 0},
    {"list-date", "DATE", "date of the list (default: from the file where it says, else required)", 0},
    {"source", "TEXT", "source of the file (default: per format)", 0},
    {"max-age-days", "N", "screening refuses the snapshot when its list date is older than N days", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt match_opts[] = {
    {"threshold", "T", "score from 0 to 1 at or above which the pair is a match (default: the documented one)", 0},
    {"type", "T", "person or entity (default: unknown)", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt screen_opts[] = {
    {"type", "T", "person or entity", 0},
    {"country", "CC", "country of the party (boosts or filters hits; see docs/screening.md)", 0},
    {"threshold", "T", "minimum score of a hit (default: the documented one)", 0},
    {"limit", "K", "at most K hits per name (default 10)", 0},
    {"batch", "FILE", "screen every row of a CSV with a header", 0},
    {"column", "COL", "with --batch: the column holding the names (default name)", 0},
    {"date", "DATE", "screen against the snapshots in force on DATE (default today)", 0},
    {NULL, NULL, NULL, 0}};

static const cli_opt allow_opts[] = {
    {"list", "LIST", "list id or tag of the listed entry (e.g. us-entity-list)", 0},
    {"entry", "ID", "id of the listed entry the name was cleared against", 0},
    {"reason", "TEXT", "why this is a false positive", 0},
    {"who", "NAME", "who cleared it", 0},
    {"expires", "DATE", "the clearance stops applying on DATE (default: never)", 0},
    {NULL, NULL, NULL, 0}};

static const cli_command commands[] = {
    {"check", NULL, cmd_check, "", 0, 0, "May this export go ahead, and why",
     "Answers for a regime, an item, a destination, an end user, an activity and a date with one of\n"
     "no-licence-required, general-authorisation, licence-required, licence-required-presumption-of-denial\n"
     "or prohibited, and a trace of every rule considered. The decision is stored (unless --no-record)\n"
     "and can be replayed: `exportctl check --replay ID`.\n"
     "exit codes: 0 no-licence-required, 3 general-authorisation, 4 licence-required,\n"
     "5 licence-required-presumption-of-denial, 6 prohibited; with --batch 0 when every row was answered;\n"
     "1 runtime failure; 2 bad usage or input (with --batch: some rows were bad).",
     check_opts, "table,json,csv"},
    {"item", "ls", cmd_item_ls, "", 0, 0, "List the control-list items",
     "Each item with its mappings across regimes (Wassenaar, EU, US, Israel).", asof_opts, "table,json,csv"},
    {"item", "show", cmd_item_show, "CODE", 1, 1, "Show a control-list item",
     "Title, definition, notes (including decontrol notes) and every regime mapping with dates,\n"
     "reasons for control, flags, source and confidence.",
     asof_opts, "table,json"},
    {"item", "import", cmd_item_import, "FILE", 1, 1, "Import control-list items (exportctl-items/1 JSON)",
     "Validated whole before anything is written; a changed item is recorded as a new version.", import_only,
     "table,json"},
    {"rules", "ls", cmd_rules_ls, "", 0, 0, "List the rule packs", "One pack per regime, with version and hash.",
     asof_opts, "table,json,csv"},
    {"rules", "show", cmd_rules_show, "REGIME", 1, 1, "Show a rule pack's rules",
     "Every rule with its effect, effective dates, explanation, citation and confidence.", asof_opts,
     "table,json"},
    {"rules", "import", cmd_rules_import, "FILE", 1, 1, "Import a rule pack (exportctl-rules/1 JSON)",
     "Validated on load (its lists and party lists must exist); stored with its content hash.", import_only,
     "table,json"},
    {"parties", "ls", cmd_parties_ls, "", 0, 0, "List party-list snapshots",
     "Each snapshot with its list date, source, entry count and content hash.", asof_opts, "table,json,csv"},
    {"parties", "import", cmd_parties_import, "PATH", 1, 1, "Import a denied-party list as a snapshot",
     "Formats: ofac-sdn (a folder with sdn.csv, alt.csv, add.csv), csl-csv (trade.gov consolidated.csv,\n"
     "current and 2019 layouts), csl-json, un-xml, bis-dpl, csv (documented plain CSV) and exportctl\n"
     "(exportctl-parties/1 JSON). Each import is a snapshot with source, list date, content hash and\n"
     "counts; a bad row is reported with its line number and counted; the import wholly succeeds or\n"
     "changes nothing.",
     parties_import_opts, "table,json"},
    {"match", NULL, cmd_match, "NAME1 NAME2", 2, 2, "Score how well two names match, and why",
     "Normalises both names (Unicode, transliteration to Latin, legal forms, honorifics, word order)\n"
     "and aligns their tokens; prints the score in [0,1], the threshold, whether it is a match and\n"
     "which tokens matched which, and how.",
     match_opts, "table,json"},
    {"screen", NULL, cmd_screen, "[NAME]", 0, 1, "Screen a party against the denied-party lists",
     "Every hit at or above the threshold, with its list, snapshot, score and explanation. Fails\n"
     "closed: no list loaded, or a list older than its maximum age, is an error, never \"clear\".",
     screen_opts, "table,json"},
    {"allow", "add", cmd_allow_add, "NAME", 1, 1, "Clear a false positive: NAME is not that listed entry",
     "The cleared hit is suppressed in screening and checks (and shown as allow-listed) until --expires.",
     allow_opts, "table,json"},
    {"allow", "ls", cmd_allow_ls, "", 0, 0, "List the allow-list (cleared false positives)",
     "Every entry with who cleared it, why, and whether it is still active.", no_opts, "table,json,csv"},
    {"list", "ls", cmd_list_ls, "", 0, 0, "List the country lists in the registry",
     "Shows each list's id, title, authority, number of versions and its counts today.", asof_opts,
     "table,json,csv"},
    {"list", "show", cmd_list_show, "LIST", 1, 1, "Show the members of a list on a date",
     "Members in force on --at DATE (default today) with reason, source, confidence and since-date,\n"
     "plus the declared and known member counts. --as-recorded-at answers as the registry would have\n"
     "answered at that moment (bitemporal replay).",
     show_opts, "table,json,csv"},
    {"list", "diff", cmd_list_diff, "LIST", 1, 1, "Countries added to and removed from a list between two dates",
     "Each change carries the date it took effect and its reason, source and confidence.", diff_opts,
     "table,json,csv"},
    {"list", "history", cmd_list_history, "LIST", 1, 1, "Every recorded version of a list, corrections included",
     "Superseded recordings are marked; nothing is ever deleted.", asof_opts, "table,json"},
    {"list", "import", cmd_list_import, "FILE", 1, 1, "Import lists (JSON) or one version's members (CSV)",
     "JSON: the exportctl-lists/1 format (docs/lists-format.md); may hold several lists and versions.\n"
     "CSV: header country[,reason][,source][,confidence]; records one version of --list.\n"
     "The whole file is validated before anything is written; importing the same file twice changes\n"
     "nothing. A different version for an already recorded date needs a \"correction\" reason.",
     import_opts, "table,json"},
    {"list", "export", cmd_list_export, "LIST", 1, 1, "Export a list as importable JSON (or its members as CSV)",
     "JSON (default) holds every version in force at some date; --csv prints the members on --at.", export_opts,
     "json,csv"},
    {"country", "show", cmd_country_show, "CODE", 1, 1, "Every list a country was ever on, with dates",
     "CODE may be an alpha-2, alpha-3 or numeric ISO 3166-1 code or an English name.", asof_opts,
     "table,json,csv"},
    {"country", "ls", cmd_country_ls, "", 0, 0, "ISO 3166-1 countries known to exportctl",
     "Generated at build time from Debian's iso-codes, plus XK (Kosovo, user-assigned).", no_opts,
     "table,json,csv"},
};

/* Command tables of the other command files, each declared beside its commands. */
static const struct {
    const cli_command *cmds;
    const size_t *n;
} groups[] = {
    {commands, NULL},
    {cli_audit_commands, &cli_audit_n_commands},
    {cli_licence_commands, &cli_licence_n_commands},
    {cli_auth_commands, &cli_auth_n_commands},
    {cli_serve_commands, &cli_serve_n_commands},
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static size_t group_size(size_t g)
{
    return groups[g].n ? *groups[g].n : sizeof(commands) / sizeof(commands[0]);
}

/* Visit every command in order; stops at the first non-NULL return of fn. */
#define FOR_EACH_COMMAND(cmd)                                                                                     \
    for (size_t g_ = 0; g_ < N_GROUPS; g_++)                                                                      \
        for (const cli_command *cmd = groups[g_].cmds; cmd < groups[g_].cmds + group_size(g_); cmd++)

static void print_global_help(FILE *f)
{
    fprintf(f, "exportctl %s: export control for cyber items\n\n"
               "usage: exportctl [--db PATH] [--json|--csv] NOUN VERB [ARGS] [OPTIONS]\n\n"
               "commands:\n",
            XC_VERSION);
    FOR_EACH_COMMAND(cmd) {
        char name[64];
        snprintf(name, sizeof(name), "%s %s %s", cmd->noun, cmd->verb ? cmd->verb : "", cmd->usage);
        fprintf(f, "  %-28s %s\n", name, cmd->summary);
    }
    fprintf(f, "\nglobal options:\n"
               "  --db PATH       database file (default: $EXPORTCTL_DB, else ./exportctl.db)\n"
               "  --as USER       acting user recorded in the audit log (default: $EXPORTCTL_USER, else\n"
               "                  local:<login name>); licensing commands need a registered user\n"
               "  --json          machine-readable JSON output\n"
               "  --csv           CSV output where a command offers it\n"
               "  -h, --help      help (also after any command)\n"
               "  --version       print the version\n\n"
               "exit codes: 0 success, 1 runtime failure (database, disk, memory), 2 bad usage or bad input\n"
               "(including an input file that cannot be read); `check` and `screen` add their own (see their --help)\n"
               "run `exportctl NOUN VERB --help` for a command's options.\n");
}

static void print_command_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: exportctl %s%s%s%s%s [OPTIONS]\n\n%s.\n%s\n\noptions:\n", cmd->noun, cmd->verb ? " " : "",
            cmd->verb ? cmd->verb : "", cmd->usage[0] ? " " : "", cmd->usage, cmd->summary, cmd->details);
    for (const cli_opt *o = cmd->opts; o->name; o++) {
        char name[64];
        snprintf(name, sizeof(name), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-28s %s\n", name, o->help);
    }
    fprintf(f, "  %-28s %s\n  %-28s %s\n", "--db PATH", "database file (default: $EXPORTCTL_DB, else ./exportctl.db)",
            "--json / --csv", "output format");
    fprintf(f, "  (formats offered: %s; the first is the default)\n", cmd->formats);
}

const char *cli_opt_value(const cli_ctx *c, const char *name)
{
    for (int i = 0; c->cmd->opts[i].name; i++)
        if (strcmp(c->cmd->opts[i].name, name) == 0)
            return c->values[i];
    return NULL;
}

const char *const *cli_opt_values(const cli_ctx *c, const char *name, size_t *n)
{
    *n = 0;
    for (int i = 0; c->cmd->opts[i].name; i++) {
        if (strcmp(c->cmd->opts[i].name, name) == 0) {
            *n = c->n_multi[i];
            return c->multi[i];
        }
    }
    return NULL;
}

int cli_opt_flag(const cli_ctx *c, const char *name)
{
    for (int i = 0; c->cmd->opts[i].name; i++)
        if (strcmp(c->cmd->opts[i].name, name) == 0)
            return c->flags[i];
    return 0;
}

static void print_error_json(const char *code, const char *message, const char *field)
{
    json_t *o = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message, "field",
                          field && *field ? json_string(field) : json_null());
    if (o) {
        json_dumpf(o, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(o);
    }
}

int cli_usage_error(cli_ctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "exportctl: error: %s\n", msg);
    if (c && c->cmd)
        fprintf(stderr, "run `exportctl %s%s%s --help` for usage\n", c->cmd->noun, c->cmd->verb ? " " : "",
                c->cmd->verb ? c->cmd->verb : "");
    else
        fprintf(stderr, "run `exportctl --help` for usage\n");
    if (c && c->format == OUT_JSON)
        print_error_json("usage", msg, NULL);
    return CLI_EXIT_USAGE;
}

int cli_fail(cli_ctx *c, int rc)
{
    if (rc == XC_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "exportctl: error: %s\n", c->err.msg[0] ? c->err.msg : xc_error_name(rc));
    if (c->format == OUT_JSON)
        print_error_json(xc_error_name(rc), c->err.msg, c->err.field);
    return xc_error_exit_code(rc);
}

int cli_print_json(cli_ctx *c, json_t *v)
{
    if (!v) {
        xc_error_set(&c->err, XC_ENOMEM, NULL, "out of memory building JSON output");
        return cli_fail(c, XC_ENOMEM);
    }
    int rc = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
    json_decref(v);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

const char *cli_actor(cli_ctx *c)
{
    if (c->actor)
        return c->actor;
    const char *env = getenv("EXPORTCTL_USER");
    if (env && *env)
        return c->actor = env;
    const char *login = getenv("USER");
    snprintf(c->actor_buf, sizeof(c->actor_buf), "local:%s", login && *login ? login : "unknown");
    return c->actor = c->actor_buf;
}

int cli_open_db(cli_ctx *c)
{
    if (c->store)
        return XC_OK;
    /* the bundled data, if loaded now, is recorded as loaded by "system" */
    int rc = xc_db_open(xc_db_path(c->db_path), &c->store, &c->err);
    if (rc == XC_OK)
        rc = xc_store_set_actor(c->store, cli_actor(c), &c->err);
    return rc;
}

int cli_read_file(const char *path, char **data, size_t *len, xc_error *err)
{
    return xc_file_read(path, path, "FILE", (size_t)256 << 20, data, len, err);
}

int cli_date_opt(cli_ctx *c, const char *name, const char *value, int32_t *out)
{
    char field[64];
    snprintf(field, sizeof(field), "--%s", name);
    if (!value || strcmp(value, "today") == 0) {
        *out = xc_date_today();
        return XC_OK;
    }
    return xc_date_parse(value, out, field, &c->err);
}

int cli_as_of_opt(cli_ctx *c, int64_t *out)
{
    const char *v = cli_opt_value(c, "as-recorded-at");
    *out = XC_TS_LATEST;
    if (!v)
        return XC_OK;
    return xc_ts_parse(v, out, "--as-recorded-at", &c->err);
}

static const cli_command *find_command(const char *noun, const char *verb)
{
    FOR_EACH_COMMAND(cmd) {
        if (strcmp(cmd->noun, noun) != 0)
            continue;
        if (!cmd->verb || (verb && strcmp(cmd->verb, verb) == 0))
            return cmd;
    }
    return NULL;
}

static int noun_known(const char *noun)
{
    FOR_EACH_COMMAND(cmd) {
        if (strcmp(cmd->noun, noun) == 0)
            return 1;
    }
    return 0;
}

static void print_noun_help(const char *noun, FILE *f)
{
    fprintf(f, "usage: exportctl %s VERB [ARGS] [OPTIONS]\n\nverbs:\n", noun);
    FOR_EACH_COMMAND(cmd) {
        if (strcmp(cmd->noun, noun) == 0)
            fprintf(f, "  %-13s %s\n", cmd->verb, cmd->summary);
    }
}

int main(int argc, char **argv)
{
    cli_ctx c;
    const char *words[2] = {NULL, NULL};
    int n_words = 0, help = 0, rc;
    const char *rest[64];
    int n_rest = 0;
    memset(&c, 0, sizeof(c));
    if (xc_init(&c.err)) {
        fprintf(stderr, "exportctl: %s\n", c.err.msg);
        return CLI_EXIT_FAILURE;
    }
    /* First pass: global options and the NOUN VERB words. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--db") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return cli_usage_error(&c, "--db needs a PATH");
            c.db_path = argv[++i];
        } else if (strncmp(a, "--db=", 5) == 0) {
            if (!a[5])
                return cli_usage_error(&c, "--db= needs a PATH");
            c.db_path = a + 5;
        } else if (strcmp(a, "--as") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return cli_usage_error(&c, "--as needs a USER");
            c.actor = argv[++i];
        } else if (strncmp(a, "--as=", 5) == 0) {
            if (!a[5])
                return cli_usage_error(&c, "--as= needs a USER");
            c.actor = a + 5;
        } else if (strcmp(a, "--json") == 0) {
            c.format = OUT_JSON;
        } else if (strcmp(a, "--csv") == 0) {
            c.format = OUT_CSV;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help = 1;
        } else if (strcmp(a, "--version") == 0 && n_words == 0) {
            printf("exportctl %s\n", XC_VERSION);
            return CLI_EXIT_OK;
        } else if (n_words < 2 && a[0] != '-' && n_rest == 0) {
            words[n_words++] = a;
        } else {
            if (n_rest == 64)
                return cli_usage_error(&c, "too many arguments");
            rest[n_rest++] = a;
        }
    }
    if (n_words == 0) {
        print_global_help(help ? stdout : stderr);
        return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (!noun_known(words[0]))
        return cli_usage_error(&c, "unknown command \"%s\"", words[0]);
    c.cmd = find_command(words[0], words[1]);
    if (!c.cmd) {
        if (help || !words[1]) {
            print_noun_help(words[0], help ? stdout : stderr);
            return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
        c.cmd = NULL;
        return cli_usage_error(&c, "unknown command \"%s %s\"", words[0], words[1]);
    }
    if (help) {
        print_command_help(c.cmd, stdout);
        return CLI_EXIT_OK;
    }
    if (!c.cmd->verb && words[1]) {
        /* a plain verb: the second word is an argument */
        if (n_rest == 64)
            return cli_usage_error(&c, "too many arguments");
        memmove(rest + 1, rest, (size_t)n_rest * sizeof(rest[0]));
        rest[0] = words[1];
        n_rest++;
    }
    if (c.format == OUT_CSV && !strstr(c.cmd->formats, "csv"))
        return cli_usage_error(&c, "--csv is not offered by `%s%s%s` (formats: %s)", c.cmd->noun,
                               c.cmd->verb ? " " : "", c.cmd->verb ? c.cmd->verb : "", c.cmd->formats);
    /* Second pass: command options and positional arguments. */
    for (int i = 0; i < n_rest; i++) {
        const char *a = rest[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int k, found = -1;
            for (k = 0; c.cmd->opts[k].name; k++)
                if (strlen(c.cmd->opts[k].name) == len && strncmp(c.cmd->opts[k].name, name, len) == 0)
                    found = k;
            if (found < 0)
                return cli_usage_error(&c, "unknown option \"--%.*s\" for `%s%s%s`", (int)len, name, c.cmd->noun,
                                       c.cmd->verb ? " " : "", c.cmd->verb ? c.cmd->verb : "");
            const cli_opt *o = &c.cmd->opts[found];
            if (!o->arg) {
                if (eq)
                    return cli_usage_error(&c, "--%s takes no value", o->name);
                c.flags[found] = 1;
            } else if (eq) {
                c.values[found] = eq + 1;
            } else if (i + 1 < n_rest) {
                c.values[found] = rest[++i];
            } else {
                return cli_usage_error(&c, "--%s needs a value (%s)", o->name, o->arg);
            }
            if (o->arg && o->multi) {
                if (c.n_multi[found] == CLI_MAX_MULTI)
                    return cli_usage_error(&c, "--%s given more than %d times", o->name, CLI_MAX_MULTI);
                c.multi[found][c.n_multi[found]++] = c.values[found];
            } else if (o->arg && c.n_multi[found]++) {
                return cli_usage_error(&c, "--%s given twice", o->name);
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(&c, "unknown option \"%s\"", a);
        } else {
            if (c.n_pos == CLI_MAX_POS)
                return cli_usage_error(&c, "too many arguments");
            c.pos[c.n_pos++] = a;
        }
    }
    if (c.n_pos < c.cmd->min_pos)
        return cli_usage_error(&c, "missing argument %s", c.cmd->usage);
    if (c.n_pos > c.cmd->max_pos)
        return cli_usage_error(&c, "unexpected argument \"%s\"", c.pos[c.cmd->max_pos]);
    rc = c.cmd->run(&c);
    xc_store_close(c.store);
    return rc;
}
