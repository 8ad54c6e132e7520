/* routes_checks.c: being written (issue 6). */
#include "server.h"

const xc_route xc_routes_checks[] = {{"GET", "/v1/placeholder-checks", NULL, XC_ROLE_PUBLIC, "placeholder", NULL, NULL, "ops"}};
const size_t xc_n_routes_checks = sizeof(xc_routes_checks) / sizeof(xc_routes_checks[0]);
