/*
 * fileio.c: whole-file reads for the importers and the CLI.
 */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"

int xc_file_read(const char *path, const char *label, const char *field, size_t max, char **data, size_t *len,
                 xc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    *data = NULL;
    *len = 0;
    if (!is_stdin) {
        if (stat(path, &st) != 0)
            return xc_error_set(err, XC_EINVAL, field, "%s: cannot open: %s", label, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return xc_error_set(err, XC_EINVAL, field, "%s: is a folder, expected a file", label);
        if (S_ISREG(st.st_mode) && (size_t)st.st_size > max)
            return xc_error_set(err, XC_EINVAL, field, "%s: larger than %zu MiB", label, max >> 20);
    }
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return xc_error_set(err, XC_EINVAL, field, "%s: cannot open: %s", label, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = XC_OK;
    for (;;) {
        if (cap - n < 65536) {
            if (cap > max) {
                rc = xc_error_set(err, XC_EINVAL, field, "%s: larger than %zu MiB", label, max >> 20);
                break;
            }
            cap = cap ? cap * 2 : 131072;
            char *nb = xc_realloc(buf, cap + 1);
            if (!nb) {
                rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory reading %s", label);
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == XC_OK && ferror(f))
        rc = xc_error_set(err, XC_EIO, field, "%s: read error", label);
    if (!is_stdin)
        fclose(f);
    if (rc == XC_OK && n > max)
        rc = xc_error_set(err, XC_EINVAL, field, "%s: larger than %zu MiB", label, max >> 20);
    if (rc) {
        xc_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return XC_OK;
}
