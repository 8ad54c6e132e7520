/*
 * error.c: the single table that maps status codes to names, exit codes and
 * HTTP statuses, and the helpers that fill an xc_error.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *name;
    int exit_code;
    int http;
} error_table[] = {
    {XC_OK, "ok", 0, 200},
    {XC_EINVAL, "invalid-input", 2, 400},
    {XC_ENOTFOUND, "not-found", 2, 404},
    {XC_ECONFLICT, "conflict", 2, 409},
    {XC_ENOMEM, "out-of-memory", 1, 503},
    {XC_EIO, "io-error", 1, 500},
    {XC_EDB, "database-error", 1, 500},
    {XC_EFORBIDDEN, "forbidden", 2, 403},
    {XC_EVERIFY, "verification-failed", 3, 422},
    {XC_EUNAUTH, "unauthenticated", 2, 401},
    {XC_ELIMIT, "limit-exceeded", 2, 413},
    {XC_EINTERNAL, "internal-error", 1, 500},
};

static int error_index(int code)
{
    for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++)
        if (error_table[i].code == code)
            return (int)i;
    return (int)(sizeof(error_table) / sizeof(error_table[0])) - 1;
}

void xc_error_clear(xc_error *err)
{
    if (!err)
        return;
    err->code = 0;
    err->field[0] = '\0';
    err->msg[0] = '\0';
}

int xc_error_setv(xc_error *err, int code, const char *field, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int xc_error_set(xc_error *err, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_error_setv(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}

const char *xc_error_name(int code)
{
    return error_table[error_index(code)].name;
}

int xc_error_exit_code(int code)
{
    return error_table[error_index(code)].exit_code;
}

int xc_error_http_status(int code)
{
    return error_table[error_index(code)].http;
}
