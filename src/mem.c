/*
 * mem.c: allocation wrapper with a fail-the-Nth-call hook for tests.
 */
#include "mem.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1;
static long failures;

static int mem_should_fail(void)
{
    if (fail_countdown < 0)
        return 0;
    if (fail_countdown == 0) {
        failures++;
        return 1;
    }
    fail_countdown--;
    return 0;
}

void *xc_malloc(size_t n)
{
    if (mem_should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *xc_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    if (mem_should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *xc_realloc(void *p, size_t n)
{
    if (mem_should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *xc_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = strnlen(s, n);
    char *d = xc_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *xc_strdup(const char *s)
{
    return s ? xc_strndup(s, strlen(s)) : NULL;
}

void xc_free(void *p)
{
    free(p);
}

void xc_mem_fail_after(long n)
{
    fail_countdown = n;
    failures = 0;
}

long xc_mem_failures(void)
{
    return failures;
}

void xc_mem_init(void)
{
    json_set_alloc_funcs(xc_malloc, xc_free);
}
