/*
 * db.h: opening exportctl's database.  Resolves the path (--db, else
 * $EXPORTCTL_DB, else ./exportctl.db), opens the store, applies migrations
 * and, on first use or when the binary's bundled data changed, loads the
 * bundled data in one transaction.
 */
#ifndef XC_DB_H
#define XC_DB_H

#include "store.h"

#define XC_DB_DEFAULT "exportctl.db"

/* Initialise process-wide libraries (libsodium, allocation hooks).  Safe to
 * call more than once. */
int xc_init(xc_error *err);

/* The database path to use: explicit if non-NULL, else $EXPORTCTL_DB, else
 * XC_DB_DEFAULT.  Returns a borrowed string. */
const char *xc_db_path(const char *explicit_path);

/* Open the database and make sure the bundled data is loaded. */
int xc_db_open(const char *path, xc_store **out, xc_error *err);

/* Load the bundled data if the database does not hold this build's version
 * of it yet; *loaded is set to 1 when something was loaded. */
int xc_db_load_bundle(xc_store *s, int *loaded, xc_error *err);

/* Hex SHA-256 identifying this build's bundled data (65 bytes). */
void xc_db_bundle_hash(char *out);

#endif
