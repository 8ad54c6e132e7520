/* routes_data.c: being written (issue 6). */
#include "server.h"

const xc_route xc_routes_data[] = {{"GET", "/v1/placeholder-data", NULL, XC_ROLE_PUBLIC, "placeholder", NULL, NULL, "ops"}};
const size_t xc_n_routes_data = sizeof(xc_routes_data) / sizeof(xc_routes_data[0]);
