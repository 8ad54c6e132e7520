/* cmd_match.c: placeholder, being written. */
#include "cli.h"
int cmd_match(cli_ctx *c)
{
    xc_error_set(&c->err, XC_EINTERNAL, NULL, "not built yet");
    return cli_fail(c, XC_EINTERNAL);
}
