/*
 * testlib.h: assertions and a fresh-database helper shared by the tests of
 * the library calls (test_auth.c, test_licence.c).  Include after
 * testutil.h.
 */
#ifndef XC_TESTLIB_H
#define XC_TESTLIB_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

/* A new database (and signing key) named name in the test's temporary
 * folder, with the bundled data loaded. */
static inline xc_store *tl_fresh_db(const char *name)
{
    xc_store *s = NULL;
    xc_error err;
    char key[512];
    const char *path = tu_path(name);
    remove(path);
    snprintf(key, sizeof(key), "%s.key", path);
    remove(key);
    if (xc_db_open(path, &s, &err))
        fail_msg("open %s: %s", name, err.msg);
    return s;
}

/* The call succeeds (an xc_error `err` is in scope). */
#define OK(call)                                                                                                      \
    do {                                                                                                              \
        xc_error_clear(&err);                                                                                         \
        int rc_ = (call);                                                                                             \
        if (rc_)                                                                                                      \
            fail_msg("%s failed (%d): %s", #call, rc_, err.msg);                                                      \
    } while (0)

/* Expect a failure with code and a message containing `needle`. */
#define FAILS(code, needle, call)                                                                                     \
    do {                                                                                                              \
        xc_error_clear(&err);                                                                                         \
        int rc_ = (call);                                                                                             \
        if (rc_ != (code))                                                                                            \
            fail_msg("%s: expected %d, got %d: %s", #call, (code), rc_, err.msg);                                     \
        if (!strstr(err.msg, (needle)))                                                                               \
            fail_msg("%s: message lacks \"%s\": %s", #call, (needle), err.msg);                                       \
    } while (0)

/* A string member of o, "" when absent. */
static inline const char *js(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

#endif
