/* http.c: being written (issue 6). */
#include "server.h"
