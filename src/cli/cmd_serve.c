/* cmd_serve.c: being written (issue 6). */
#include "cli.h"

static int cmd_serve_stub(cli_ctx *c)
{
    (void)c;
    return CLI_EXIT_FAILURE;
}

static const cli_opt serve_opts[] = {{NULL, NULL, NULL, 0}};

const cli_command cli_serve_commands[] = {
    {"serve-stub", NULL, cmd_serve_stub, "", 0, 0, "Not written yet", "Not written yet.", serve_opts, "table,json"},
};
const size_t cli_serve_n_commands = sizeof(cli_serve_commands) / sizeof(cli_serve_commands[0]);
