/* auth.c: being written (issue 6). */
#include "auth.h"
