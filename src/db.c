/*
 * db.c: database path resolution, opening and bundled-data loading.
 */
#include "db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "mem.h"
#include "controllist.h"
#include "licence.h"
#include "parties.h"
#include "policy.h"
#include "registry.h"

#define BUNDLE_KEY "bundle_hash"

int xc_init(xc_error *err)
{
    static int done;
    if (done)
        return XC_OK;
    if (sodium_init() < 0)
        return xc_error_set(err, XC_EINTERNAL, NULL, "libsodium failed to initialise");
    xc_mem_init();
    done = 1;
    return XC_OK;
}

const char *xc_db_path(const char *explicit_path)
{
    if (explicit_path && *explicit_path)
        return explicit_path;
    const char *env = getenv("EXPORTCTL_DB");
    return env && *env ? env : XC_DB_DEFAULT;
}

void xc_db_bundle_hash(char *out)
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < xc_bundle_count; i++) {
        crypto_hash_sha256_update(&st, (const unsigned char *)xc_bundle_files[i].name,
                                  strlen(xc_bundle_files[i].name) + 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)xc_bundle_files[i].data, xc_bundle_files[i].size);
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int xc_db_load_bundle(xc_store *s, int *loaded, xc_error *err)
{
    char want[65], *have = NULL;
    int rc;
    *loaded = 0;
    xc_db_bundle_hash(want);
    if ((rc = xc_store_meta_get(s, BUNDLE_KEY, &have, err)))
        return rc;
    int same = have && strcmp(have, want) == 0;
    xc_free(have);
    if (same)
        return XC_OK;
    if ((rc = xc_store_begin(s, err)))
        return rc;
    /* files come sorted by name: items/, lists/, parties/, then rules/,
     * which refer to the lists and party lists loaded before them */
    for (size_t i = 0; i < xc_bundle_count && rc == XC_OK; i++) {
        const xc_bundle_file *f = &xc_bundle_files[i];
        char name[256];
        int n, rec;
        snprintf(name, sizeof(name), "bundled data/%s", f->name);
        if (strncmp(f->name, "lists/", 6) == 0)
            rc = xc_registry_import_json(s, f->data, f->size, name, NULL, err);
        else if (strncmp(f->name, "items/", 6) == 0)
            rc = xc_items_import_json(s, f->data, f->size, name, &n, &rec, err);
        else if (strncmp(f->name, "parties/", 8) == 0)
            rc = xc_parties_import_json(s, f->data, f->size, name, &n, &rec, err);
        else if (strncmp(f->name, "rules/", 6) == 0)
            rc = xc_rules_import_json(s, f->data, f->size, name, &rec, err);
        else if (strncmp(f->name, "licensing/", 10) == 0)
            rc = xc_licensing_import_json(s, NULL, f->data, f->size, name, &rec, err);
        else
            rc = xc_error_set(err, XC_EINTERNAL, NULL, "%s: no importer for this bundled file", name);
    }
    if (rc == XC_OK)
        rc = xc_store_meta_set(s, BUNDLE_KEY, want, err);
    if (rc) {
        xc_store_rollback(s);
        return rc;
    }
    if ((rc = xc_store_commit(s, err)))
        return rc;
    *loaded = 1;
    return XC_OK;
}

int xc_db_open(const char *path, xc_store **out, xc_error *err)
{
    xc_store *s = NULL;
    int loaded, rc = xc_init(err);
    *out = NULL;
    if (rc || (rc = xc_store_open(path, &s, err)))
        return rc;
    if ((rc = xc_db_load_bundle(s, &loaded, err))) {
        xc_store_close(s);
        return rc;
    }
    *out = s;
    return XC_OK;
}
