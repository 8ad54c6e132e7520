/*
 * mem.h: the one allocation wrapper.  Every allocation in the library goes
 * through these functions so that tests can make the Nth allocation fail
 * (xc_mem_fail_after) and prove that every failure path cleans up.
 */
#ifndef XC_MEM_H
#define XC_MEM_H

#include <stddef.h>

/* malloc; NULL when out of memory or when the failure hook fires. */
void *xc_malloc(size_t n);

/* calloc with overflow check. */
void *xc_calloc(size_t count, size_t size);

/* realloc; on failure the old block is untouched. */
void *xc_realloc(void *p, size_t n);

/* strdup; NULL in, NULL out. */
char *xc_strdup(const char *s);

/* strndup of at most n bytes. */
char *xc_strndup(const char *s, size_t n);

/* free; accepts NULL. */
void xc_free(void *p);

/* Test hook: let n more allocations succeed, then fail every later one.
 * A negative n switches the hook off. */
void xc_mem_fail_after(long n);

/* Number of allocations the hook has refused since it was armed. */
long xc_mem_failures(void);

/* Route jansson's allocations through this wrapper (called once at start). */
void xc_mem_init(void);

#endif
