/* routes_lic.c: being written (issue 6). */
#include "server.h"

const xc_route xc_routes_lic[] = {{"GET", "/v1/placeholder-lic", NULL, XC_ROLE_PUBLIC, "placeholder", NULL, NULL, "ops"}};
const size_t xc_n_routes_lic = sizeof(xc_routes_lic) / sizeof(xc_routes_lic[0]);
