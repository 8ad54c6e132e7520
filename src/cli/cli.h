/*
 * cli.h: shared declarations of the exportctl command-line tool.  The tool
 * is a thin layer over the library: it parses options, calls one library
 * function and prints the result as a table (default), JSON or CSV.
 */
#ifndef XC_CLI_H
#define XC_CLI_H

#include <jansson.h>

#include "error.h"
#include "store.h"

#define CLI_MAX_OPTS 24
#define CLI_MAX_POS 8

/* Exit codes (documented in README.md and docs/cli.md). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

typedef enum { OUT_TABLE, OUT_JSON, OUT_CSV } cli_format;

#define CLI_MAX_MULTI 16

typedef struct cli_opt {
    const char *name;     /* without the leading dashes */
    const char *arg;      /* value placeholder, NULL for a flag */
    const char *help;
    int multi;            /* may be given several times */
} cli_opt;

typedef struct cli_command cli_command;

typedef struct cli_ctx {
    const cli_command *cmd;
    const char *db_path;
    cli_format format;
    const char *values[CLI_MAX_OPTS]; /* per command option, NULL if absent (the last if repeated) */
    const char *multi[CLI_MAX_OPTS][CLI_MAX_MULTI];
    size_t n_multi[CLI_MAX_OPTS];
    int flags[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int n_pos;
    const char *actor;  /* --as, else $EXPORTCTL_USER, else local:$USER (see cli_actor) */
    char actor_buf[96];
    xc_store *store;
    xc_error err;
} cli_ctx;

struct cli_command {
    const char *noun;    /* "list", or the plain verb ("check") */
    const char *verb;    /* "show", or NULL for a plain verb */
    int (*run)(cli_ctx *c);
    const char *usage;   /* positional arguments, e.g. "LIST" */
    int min_pos, max_pos;
    const char *summary;
    const char *details;
    const cli_opt *opts; /* terminated by a {NULL} entry */
    const char *formats; /* output formats offered, e.g. "table,json,csv" */
};

/* Value of a command option, or NULL. */
const char *cli_opt_value(const cli_ctx *c, const char *name);

/* All values of a repeatable option. */
const char *const *cli_opt_values(const cli_ctx *c, const char *name, size_t *n);

/* Whether a flag option was given. */
int cli_opt_flag(const cli_ctx *c, const char *name);

/* The acting user of this invocation. */
const char *cli_actor(cli_ctx *c);

/* Command tables kept beside their commands (cmd_audit.c, cmd_licence.c). */
extern const cli_command cli_audit_commands[];
extern const size_t cli_audit_n_commands;
extern const cli_command cli_licence_commands[];
extern const size_t cli_licence_n_commands;
extern const cli_command cli_auth_commands[]; /* cmd_auth.c: token, user password */
extern const size_t cli_auth_n_commands;
extern const cli_command cli_serve_commands[]; /* cmd_serve.c: serve */
extern const size_t cli_serve_n_commands;

/* Open the database (once) for a command; sets the store's session actor. */
int cli_open_db(cli_ctx *c);

/* Report a usage error for the current command and return CLI_EXIT_USAGE. */
int cli_usage_error(cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report c->err (set by a library call that returned rc) and return the exit code. */
int cli_fail(cli_ctx *c, int rc);

/* Print a JSON value to stdout (pretty) and free it; returns an exit code. */
int cli_print_json(cli_ctx *c, json_t *v);

/* Read a whole file (or "-" for stdin) into memory (NUL-terminated). */
int cli_read_file(const char *path, char **data, size_t *len, xc_error *err);

/* Parse a --at/--from style date option; "today" is accepted. */
int cli_date_opt(cli_ctx *c, const char *name, const char *value, int32_t *out);

/* Parse --as-recorded-at (timestamp), default "latest". */
int cli_as_of_opt(cli_ctx *c, int64_t *out);

/* Command implementations. */
int cmd_list_ls(cli_ctx *c);
int cmd_list_show(cli_ctx *c);
int cmd_list_diff(cli_ctx *c);
int cmd_list_history(cli_ctx *c);
int cmd_list_import(cli_ctx *c);
int cmd_list_export(cli_ctx *c);
int cmd_country_show(cli_ctx *c);
int cmd_country_ls(cli_ctx *c);
int cmd_check(cli_ctx *c);
int cmd_item_ls(cli_ctx *c);
int cmd_item_show(cli_ctx *c);
int cmd_item_import(cli_ctx *c);
int cmd_rules_ls(cli_ctx *c);
int cmd_rules_show(cli_ctx *c);
int cmd_rules_import(cli_ctx *c);
int cmd_parties_ls(cli_ctx *c);
int cmd_parties_import(cli_ctx *c);
int cmd_match(cli_ctx *c);
int cmd_screen(cli_ctx *c);
int cmd_allow_add(cli_ctx *c);
int cmd_allow_ls(cli_ctx *c);

/* Exit code of a check outcome (documented in docs/cli.md). */
int cli_outcome_exit(int outcome);

#endif
