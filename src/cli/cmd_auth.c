/* cmd_auth.c: being written (issue 6). */
#include "cli.h"

static int cmd_auth_stub(cli_ctx *c)
{
    (void)c;
    return CLI_EXIT_FAILURE;
}

static const cli_opt auth_opts[] = {{NULL, NULL, NULL, 0}};

const cli_command cli_auth_commands[] = {
    {"auth-stub", NULL, cmd_auth_stub, "", 0, 0, "Not written yet", "Not written yet.", auth_opts, "table,json"},
};
const size_t cli_auth_n_commands = sizeof(cli_auth_commands) / sizeof(cli_auth_commands[0]);
