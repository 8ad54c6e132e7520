/*
 * error.h: project-wide status codes and the error record that library
 * calls fill in.  Every library function returns 0 on success or a negative
 * XC_E* code; the human message names the bad field, line or value.  The
 * codes, their names, their CLI exit codes and their HTTP statuses are
 * declared once, in the table in error.c.
 */
#ifndef XC_ERROR_H
#define XC_ERROR_H

#include <stdarg.h>

enum {
    XC_OK = 0,
    XC_EINVAL = -1,    /* bad input: syntax, type, range, unknown code */
    XC_ENOTFOUND = -2, /* a named thing (list, country, version) does not exist */
    XC_ECONFLICT = -3, /* input contradicts what is stored */
    XC_ENOMEM = -4,    /* allocation failed */
    XC_EIO = -5,       /* file could not be read or written */
    XC_EDB = -6,       /* the database failed */
    XC_EINTERNAL = -7, /* a bug: an invariant did not hold */
    XC_EFORBIDDEN = -8, /* the actor may not do this (role, four-eyes, organisation) */
    XC_EVERIFY = -9,   /* a signature, proof or the audit log did not verify */
    XC_EUNAUTH = -10,  /* no valid credentials (missing, unknown or revoked token) */
    XC_ELIMIT = -11,   /* a request limit was exceeded (body size, JSON depth, connections) */
    XC_ECODE_MIN = -11
};

#define XC_ERRMSG_MAX 1024

typedef struct xc_error {
    int code;                   /* one of XC_E*, 0 when unset */
    char field[128];            /* JSON path, CLI option or "file:line"; may be empty */
    char msg[XC_ERRMSG_MAX];    /* full human message */
} xc_error;

/* Clear an error record.  Accepts NULL. */
void xc_error_clear(xc_error *err);

/* Set code, location (may be NULL) and a printf-style message; returns code. */
int xc_error_set(xc_error *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same as xc_error_set with a va_list. */
int xc_error_setv(xc_error *err, int code, const char *field, const char *fmt, va_list ap);

/* Short stable name of a code ("invalid-input", "not-found", ...). */
const char *xc_error_name(int code);

/* Process exit code the CLI uses for a status code (0, 1 or 2). */
int xc_error_exit_code(int code);

/* HTTP status the server uses for a status code. */
int xc_error_http_status(int code);

#endif
