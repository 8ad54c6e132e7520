/*
 * cmd_licence.c: `exportctl licence ...` (stub; being written).
 */
#include "cli.h"

static int cmd_licence_ls(cli_ctx *c)
{
    (void)c;
    return CLI_EXIT_FAILURE;
}

static const cli_opt licence_log_opts[] = {{NULL, NULL, NULL, 0}};

const cli_command cli_licence_commands[] = {
    {"licence", "ls", cmd_licence_ls, "", 0, 0, "Show licence events", "Not written yet.", licence_log_opts, "table,json"},
};
const size_t cli_licence_n_commands = sizeof(cli_licence_commands) / sizeof(cli_licence_commands[0]);
