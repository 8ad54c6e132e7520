/*
 * fileio.h: reading a whole input file (or standard input) into memory,
 * with the error messages every importer uses.
 */
#ifndef XC_FILEIO_H
#define XC_FILEIO_H

#include <stddef.h>

#include "error.h"

/* Read path ("-": standard input) whole, NUL-terminated, into *data
 * (xc_free).  label names the file in messages ("LABEL: cannot open: ...",
 * "LABEL: is a folder, expected a file", "LABEL: larger than N MiB",
 * "LABEL: read error"); field is the error's location (e.g. "FILE").  A
 * file that cannot be opened or is too big is XC_EINVAL, a read error
 * XC_EIO. */
int xc_file_read(const char *path, const char *label, const char *field, size_t max, char **data, size_t *len,
                 xc_error *err);

#endif
