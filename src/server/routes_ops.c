/* routes_ops.c: being written (issue 6). */
#include "server.h"

const xc_route xc_routes_ops[] = {{"GET", "/v1/placeholder-ops", NULL, XC_ROLE_PUBLIC, "placeholder", NULL, NULL, "ops"}};
const size_t xc_n_routes_ops = sizeof(xc_routes_ops) / sizeof(xc_routes_ops[0]);
