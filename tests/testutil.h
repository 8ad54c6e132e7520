/*
 * testutil.h: helpers for the cmocka tests: temporary directories, files,
 * and running the real exportctl binary with captured output.
 */
#ifndef XC_TESTUTIL_H
#define XC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh temporary directory (removed at exit). */
const char *tu_tmpdir(void);

/* Path of name inside the temporary directory (static buffer rotation). */
const char *tu_path(const char *name);

/* Write a file; fails the test on error. */
void tu_write(const char *path, const char *content);

/* Read a whole file; NULL if it cannot be read.  Caller frees. */
char *tu_read(const char *path, size_t *len);

/* 1 if both files exist with identical bytes. */
int tu_same_file(const char *a, const char *b);

/* Copy a file. */
void tu_copy(const char *from, const char *to);

/* Run exportctl with a NULL-terminated argument list; captures stdout and
 * stderr (caller frees) and returns the exit code. */
int tu_run(char **out, char **err, ...);

/* Same with an argv array (NULL-terminated). */
int tu_runv(char **out, char **err, const char *const *argv);

/* Path of a file under tests/data. */
const char *tu_data(const char *name);

#endif
