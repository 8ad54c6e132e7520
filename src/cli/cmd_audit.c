/*
 * cmd_audit.c: `exportctl audit ...` (stub; being written).
 */
#include "cli.h"

static int cmd_audit_log(cli_ctx *c)
{
    (void)c;
    return CLI_EXIT_FAILURE;
}

static const cli_opt audit_log_opts[] = {{NULL, NULL, NULL, 0}};

const cli_command cli_audit_commands[] = {
    {"audit", "log", cmd_audit_log, "", 0, 0, "Show audit events", "Not written yet.", audit_log_opts, "table,json"},
};
const size_t cli_audit_n_commands = sizeof(cli_audit_commands) / sizeof(cli_audit_commands[0]);
