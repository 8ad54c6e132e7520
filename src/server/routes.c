/*
 * routes.c: the route table, joined from the parts that routes_*.c declare
 * beside their handlers (see server.h).
 */
#include <pthread.h>

#include "server.h"

static xc_route *all;
static size_t n_all;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void join(void)
{
    static const struct {
        const xc_route *r;
        const size_t *n;
    } parts[] = {{xc_routes_ops, &xc_n_routes_ops},
                 {xc_routes_data, &xc_n_routes_data},
                 {xc_routes_checks, &xc_n_routes_checks},
                 {xc_routes_lic, &xc_n_routes_lic}};
    static xc_route table[512];
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
        for (size_t i = 0; i < *parts[p].n && n_all < sizeof(table) / sizeof(table[0]); i++)
            table[n_all++] = parts[p].r[i];
    all = table;
}

const xc_route *xc_routes_all(size_t *n)
{
    pthread_once(&once, join);
    *n = n_all;
    return all;
}
