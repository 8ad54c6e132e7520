/*
 * cmd_auth.c: the authentication commands: `token create`, `token revoke`,
 * `token ls`, `token show` and `user password`.  Each calls one library
 * function of auth.h as the acting user (--as / $EXPORTCTL_USER).
 *
 * `token create` prints the secret once, as the last word of its last line
 * ("token: xct_..."), so that scripts can take it with
 * `tail -n 1 | awk '{print $NF}'`.  `user password` reads the password from
 * the first line of standard input (never from the command line), without
 * echo when standard input is a terminal.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "cli.h"
#include "out.h"

#define PW_BUF 1100 /* the library takes at most 1024 bytes */

static const char *js(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int cmd_token_create(cli_ctx *c)
{
    const char *user = cli_opt_value(c, "user");
    json_t *j = NULL;
    if (!user)
        return cli_usage_error(c, "token create needs --user NAME");
    int rc = cli_open_db(c);
    if (rc || (rc = xc_token_create_json(c->store, cli_actor(c), user, cli_opt_value(c, "role"),
                                         cli_opt_value(c, "label"), &j, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    printf("token %s created for user %s (role %s)%s%s%s; it is shown only once: keep it secret\n", js(j, "id"),
           js(j, "user"), js(j, "role"), *js(j, "label") ? ", label \"" : "", js(j, "label"),
           *js(j, "label") ? "\"" : "");
    printf("token: %s\n", js(j, "token"));
    json_decref(j);
    return CLI_EXIT_OK;
}

static void print_token(json_t *t)
{
    printf("id:          %s\nuser:        %s\nrole:        %s\nlabel:       %s\ncreated:     %s by %s\n", js(t, "id"),
           js(t, "user"), js(t, "role"), js(t, "label"), js(t, "created_at"), js(t, "created_by"));
    if (json_is_true(json_object_get(t, "revoked")))
        printf("revoked:     %s by %s%s%s\n", js(t, "revoked_at"), js(t, "revoked_by"), *js(t, "reason") ? ": " : "",
               js(t, "reason"));
    else
        printf("revoked:     no\n");
}

static int cmd_token_revoke(cli_ctx *c)
{
    json_t *t = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_token_revoke_reason(c->store, cli_actor(c), c->pos[0], cli_opt_value(c, "reason"), &c->err)) ||
        (rc = xc_token_get(c->store, c->pos[0], &t, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, t);
    printf("token %s of user %s revoked\n", js(t, "id"), js(t, "user"));
    json_decref(t);
    return CLI_EXIT_OK;
}

static int cmd_token_show(cli_ctx *c)
{
    json_t *t = NULL;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_token_get(c->store, c->pos[0], &t, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, t);
    print_token(t);
    json_decref(t);
    return CLI_EXIT_OK;
}

static int cmd_token_ls(cli_ctx *c)
{
    static const char *const hd[] = {"ID", "USER", "ROLE", "LABEL", "CREATED BY", "CREATED AT", "REVOKED"};
    static const int widths[] = {0, 0, 0, 40, 0, 0, 0};
    json_t *j = NULL, *t;
    size_t i;
    int rc = cli_open_db(c);
    if (rc || (rc = xc_tokens_json(c->store, cli_opt_value(c, "user"), &j, &c->err)))
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, j);
    out_table *tab = out_table_new(7, hd, widths);
    json_array_foreach(json_object_get(j, "tokens"), i, t)
    {
        const char *row[7] = {js(t, "id"),         js(t, "user"),       js(t, "role"),
                              js(t, "label"),      js(t, "created_by"), js(t, "created_at"),
                              json_is_true(json_object_get(t, "revoked")) ? js(t, "revoked_at") : "no"};
        if (tab)
            out_table_row(tab, row);
    }
    if (tab)
        out_table_print_as(tab, c->format == OUT_CSV, stdout);
    out_table_free(tab);
    json_decref(j);
    return tab ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* The first line of stdin, without its line end; echo off on a terminal.
 * Returns 0, or -1 (nothing read) or -2 (too long). */
static int read_password(const char *user, char *buf, size_t cap)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password for %s: ", user);
        fflush(stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!got)
        return -1;
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n')
        return -2;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return n ? 0 : -1;
}

static int cmd_user_password(cli_ctx *c)
{
    char pw[PW_BUF];
    int r = read_password(c->pos[0], pw, sizeof(pw));
    if (r < 0) {
        sodium_memzero(pw, sizeof(pw));
        return cli_usage_error(c, r == -1 ? "user password reads the password from the first line of stdin: none given"
                                          : "the password on stdin is longer than 1024 bytes");
    }
    int rc = cli_open_db(c);
    if (rc == XC_OK)
        rc = xc_password_set(c->store, cli_actor(c), c->pos[0], pw, &c->err);
    sodium_memzero(pw, sizeof(pw));
    if (rc)
        return cli_fail(c, rc);
    if (c->format == OUT_JSON)
        return cli_print_json(c, json_pack("{s:s, s:b}", "user", c->pos[0], "password_set", 1));
    printf("password set for user %s\n", c->pos[0]);
    return CLI_EXIT_OK;
}

static const cli_opt no_opts[] = {{NULL, NULL, NULL, 0}};
static const cli_opt create_opts[] = {
    {"user", "NAME", "the user the token acts as (required)", 0},
    {"role", "ROLE", "the token's role: must be the user's (default: the user's role)", 0},
    {"label", "TEXT", "what the token is for (at most 200 bytes; shown in token ls)", 0},
    {NULL, NULL, NULL, 0}};
static const cli_opt revoke_opts[] = {{"reason", "TEXT", "why (recorded in the token and the audit log)", 0},
                                      {NULL, NULL, NULL, 0}};
static const cli_opt ls_opts[] = {{"user", "NAME", "only this user's tokens", 0}, {NULL, NULL, NULL, 0}};
static const cli_opt password_opts[] = {
    {"password-stdin", NULL, "read the password from stdin (the default and only way)", 0}, {NULL, NULL, NULL, 0}};

const cli_command cli_auth_commands[] = {
    {"token", "create", cmd_token_create, "", 0, 0, "Create an API bearer token for a user (shown once)",
     "The token is \"xct_\" and 64 hex digits (256 random bits); only its SHA-256 is stored.\n"
     "Its role is its user's role. Admins create tokens for anyone, users for themselves; while\n"
     "the database has no token at all, anyone may create one for an admin user (bootstrap).\n"
     "Output: a line naming the token's id, then \"token: xct_...\": the token is the last word\n"
     "of the last line (`exportctl token create --user admin | tail -n 1 | awk '{print $NF}'`).\n"
     "With --json: {id, user, role, label, token}.",
     create_opts, "table,json"},
    {"token", "revoke", cmd_token_revoke, "ID|TOKEN", 1, 1, "Revoke a token (admin, or the token's user)",
     "ID is the 16-hex-digit id shown by create and ls (prefer it: a token on the command line\n"
     "is visible to other local users). Revocation is a new version of the token's record;\n"
     "a revoked token is refused at once.",
     revoke_opts, "table,json"},
    {"token", "ls", cmd_token_ls, "", 0, 0, "List tokens (never their secrets)",
     "Every token with id, user, role, label, who created it and when, and when it was revoked.", ls_opts,
     "table,json,csv"},
    {"token", "show", cmd_token_show, "ID|TOKEN", 1, 1, "Show one token's record",
     "Id, user, role, label, creation and revocation of one token (never its secret).", no_opts, "table,json"},
    {"user", "password", cmd_user_password, "NAME", 1, 1, "Set a user's password from stdin (admin, or the user)",
     "Reads the password from the first line of standard input (8 to 1024 bytes; without echo on a\n"
     "terminal), never from the command line: `printf '%s\\n' \"$PW\" | exportctl user password NAME`.\n"
     "Stored as an Argon2id hash (libsodium crypto_pwhash_str, interactive limits).",
     password_opts, "table,json"},
};
const size_t cli_auth_n_commands = sizeof(cli_auth_commands) / sizeof(cli_auth_commands[0]);
