/*
 * store_sqlite.c: the embedded SQLite backend.  WAL mode, numbered schema
 * migrations applied on open (PRAGMA user_version), prepared statements
 * only, and triggers that make the history tables append-only.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store_int.h"

/* Numbered migrations: element i brings the schema from version i to i+1.
 * Never edit a released migration; append a new one. */
static const char *const migrations[] = {
    /* 1: registry of dated, versioned country lists */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);\n"
    "CREATE TABLE list_meta(\n"
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  list_id TEXT NOT NULL, title TEXT NOT NULL, authority TEXT NOT NULL,\n"
    "  legal_basis TEXT NOT NULL, purpose TEXT NOT NULL, recorded_at TEXT NOT NULL);\n"
    "CREATE INDEX list_meta_by_id ON list_meta(list_id, recorded_at);\n"
    "CREATE TABLE list_version(\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  list_id TEXT NOT NULL,\n"
    "  effective_from TEXT NOT NULL, effective_to TEXT,\n"
    "  date_precision TEXT NOT NULL CHECK(date_precision IN ('day','month','year')),\n"
    "  declared_count INTEGER, source TEXT NOT NULL,\n"
    "  confidence TEXT NOT NULL CHECK(confidence IN ('official','reported','inferred')),\n"
    "  note TEXT, correction TEXT, recorded_at TEXT NOT NULL, content_hash TEXT NOT NULL);\n"
    "CREATE INDEX list_version_by_list ON list_version(list_id, effective_from, recorded_at);\n"
    "CREATE TABLE list_member(\n"
    "  version_id INTEGER NOT NULL REFERENCES list_version(id),\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('member','removed')),\n"
    "  country TEXT NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL,\n"
    "  confidence TEXT NOT NULL CHECK(confidence IN ('official','reported','inferred')),\n"
    "  PRIMARY KEY(version_id, kind, country)) WITHOUT ROWID;\n"
    "CREATE INDEX list_member_by_country ON list_member(country);\n"
    "CREATE TRIGGER list_meta_no_update BEFORE UPDATE ON list_meta\n"
    "  BEGIN SELECT RAISE(ABORT, 'list metadata is append-only'); END;\n"
    "CREATE TRIGGER list_meta_no_delete BEFORE DELETE ON list_meta\n"
    "  BEGIN SELECT RAISE(ABORT, 'list metadata is append-only'); END;\n"
    "CREATE TRIGGER list_version_no_update BEFORE UPDATE ON list_version\n"
    "  BEGIN SELECT RAISE(ABORT, 'list versions are append-only'); END;\n"
    "CREATE TRIGGER list_version_no_delete BEFORE DELETE ON list_version\n"
    "  BEGIN SELECT RAISE(ABORT, 'list versions are append-only'); END;\n"
    "CREATE TRIGGER list_member_no_update BEFORE UPDATE ON list_member\n"
    "  BEGIN SELECT RAISE(ABORT, 'list members are append-only'); END;\n"
    "CREATE TRIGGER list_member_no_delete BEFORE DELETE ON list_member\n"
    "  BEGIN SELECT RAISE(ABORT, 'list members are append-only'); END;\n",
    /* 2: versioned documents (control-list items, rule packs, party snapshots)
     *    and stored decisions */
    "CREATE TABLE document(\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  kind TEXT NOT NULL, key TEXT NOT NULL, content_hash TEXT NOT NULL,\n"
    "  body TEXT NOT NULL, recorded_at TEXT NOT NULL);\n"
    "CREATE INDEX document_by_key ON document(kind, key, recorded_at);\n"
    "CREATE INDEX document_by_hash ON document(kind, content_hash);\n"
    "CREATE TRIGGER document_no_update BEFORE UPDATE ON document\n"
    "  BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;\n"
    "CREATE TRIGGER document_no_delete BEFORE DELETE ON document\n"
    "  BEGIN SELECT RAISE(ABORT, 'documents are append-only'); END;\n"
    "CREATE TABLE decision(\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  kind TEXT NOT NULL, request TEXT NOT NULL, result TEXT NOT NULL,\n"
    "  recorded_at TEXT NOT NULL);\n"
    "CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision\n"
    "  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;\n"
    "CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision\n"
    "  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;\n",
    /* 3: the audit log (events with their leaf and chain hashes), the signed
     *    head kept apart from the events, and published checkpoints */
    "CREATE TABLE audit_event(\n"
    "  seq INTEGER PRIMARY KEY,\n"
    "  recorded_at TEXT NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL,\n"
    "  body TEXT NOT NULL, leaf_hash BLOB NOT NULL, chain_hash BLOB NOT NULL);\n"
    "CREATE INDEX audit_event_by_subject ON audit_event(subject, seq);\n"
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event\n"
    "  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;\n"
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event\n"
    "  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;\n"
    "CREATE TABLE audit_head(\n"
    "  one INTEGER PRIMARY KEY CHECK(one = 1),\n"
    "  size INTEGER NOT NULL, root BLOB NOT NULL, chain BLOB NOT NULL, frontier BLOB NOT NULL,\n"
    "  note TEXT NOT NULL, recorded_at TEXT NOT NULL);\n"
    "CREATE TABLE audit_checkpoint(\n"
    "  number INTEGER PRIMARY KEY,\n"
    "  size INTEGER NOT NULL, note TEXT NOT NULL, recorded_at TEXT NOT NULL);\n"
    "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint\n"
    "  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;\n"
    "CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint\n"
    "  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;\n"
    /* no statement looks documents up by hash (doc_put compares with the
     * key's latest row); the index only cost every document write */
    "DROP INDEX document_by_hash;\n",
};

enum {
    ST_META_GET,
    ST_META_SET,
    ST_LIST_PUT,
    ST_LIST_GET,
    ST_LIST_IDS,
    ST_VERSION_PUT,
    ST_MEMBER_PUT,
    ST_VERSIONS_GET,
    ST_MEMBERS_GET,
    ST_MAX_TIME,
    ST_DOC_PUT,
    ST_DOC_LATEST,
    ST_DECISION_PUT,
    ST_DECISION_GET,
    ST_DOC_HEAD,
    ST_DOC_KEYS,
    ST_EVENT_PUT,
    ST_EVENT_LAST,
    ST_EVENT_SCAN,
    ST_HEAD_GET,
    ST_HEAD_PUT,
    ST_CHECKPOINT_PUT,
    ST_CHECKPOINT_GET,
    ST_CHECKPOINT_LAST,
    ST_DOC_GET,
    ST_DOC_VERSIONS,
    ST_DATA_VERSION,
    ST_COUNT
};

static const char *const statements[ST_COUNT] = {
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_SET] = "INSERT INTO meta(key, value, updated_at) VALUES(?1, ?2, ?3) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    [ST_LIST_PUT] = "INSERT INTO list_meta(list_id, title, authority, legal_basis, purpose, recorded_at) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_LIST_GET] = "SELECT list_id, title, authority, legal_basis, purpose, recorded_at FROM list_meta "
                    "WHERE list_id = ?1 AND recorded_at <= ?2 ORDER BY recorded_at DESC, seq DESC LIMIT 1",
    [ST_LIST_IDS] = "SELECT DISTINCT list_id FROM list_meta WHERE recorded_at <= ?1 ORDER BY list_id",
    [ST_VERSION_PUT] = "INSERT INTO list_version(list_id, effective_from, effective_to, date_precision, "
                       "declared_count, source, confidence, note, correction, recorded_at, content_hash) "
                       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_MEMBER_PUT] = "INSERT INTO list_member(version_id, kind, country, reason, source, confidence) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_VERSIONS_GET] = "SELECT id, list_id, effective_from, effective_to, date_precision, declared_count, "
                        "source, confidence, note, correction, recorded_at, content_hash FROM list_version "
                        "WHERE list_id = ?1 AND recorded_at <= ?2 ORDER BY effective_from, recorded_at, id",
    [ST_MEMBERS_GET] = "SELECT kind, country, reason, source, confidence FROM list_member "
                       "WHERE version_id = ?1 ORDER BY kind, country",
    /* ids grow with transaction time, so each table's latest row is found
     * through its primary key instead of scanning recorded_at */
    [ST_MAX_TIME] = "SELECT max(t) FROM ("
                    "SELECT (SELECT recorded_at FROM list_meta ORDER BY seq DESC LIMIT 1) AS t "
                    "UNION ALL SELECT (SELECT recorded_at FROM list_version ORDER BY id DESC LIMIT 1) "
                    "UNION ALL SELECT max(updated_at) FROM meta "
                    "UNION ALL SELECT (SELECT recorded_at FROM document ORDER BY id DESC LIMIT 1) "
                    "UNION ALL SELECT (SELECT recorded_at FROM decision ORDER BY id DESC LIMIT 1) "
                    "UNION ALL SELECT (SELECT recorded_at FROM audit_event ORDER BY seq DESC LIMIT 1))",
    [ST_DOC_PUT] = "INSERT INTO document(kind, key, content_hash, body, recorded_at) VALUES(?1, ?2, ?3, ?4, ?5)",
    /* one index seek per key: recorded_at grows with id, so "latest" is the
     * last entry of (kind, key, recorded_at) in document_by_key */
    [ST_DOC_LATEST] = "SELECT d.id, d.key, d.content_hash, d.body, d.recorded_at FROM "
                      "(SELECT DISTINCT key FROM document WHERE kind = ?1 AND recorded_at <= ?2) k "
                      "JOIN document d ON d.id = (SELECT e.id FROM document e WHERE e.kind = ?1 AND e.key = k.key "
                      "AND e.recorded_at <= ?2 ORDER BY e.recorded_at DESC, e.id DESC LIMIT 1) ORDER BY d.key",
    [ST_DECISION_PUT] = "INSERT INTO decision(kind, request, result, recorded_at) VALUES(?1, ?2, ?3, ?4)",
    [ST_DECISION_GET] = "SELECT id, kind, request, result, recorded_at FROM decision WHERE id = ?1",
    [ST_DOC_HEAD] = "SELECT id, content_hash FROM document WHERE kind = ?1 AND key = ?2 "
                    "ORDER BY recorded_at DESC, id DESC LIMIT 1",
    [ST_DOC_KEYS] = "SELECT DISTINCT key FROM document WHERE kind = ?1 AND recorded_at <= ?2 ORDER BY key",
    [ST_EVENT_PUT] = "INSERT INTO audit_event(seq, recorded_at, actor, type, subject, body, leaf_hash, chain_hash) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_EVENT_LAST] = "SELECT seq, chain_hash FROM audit_event ORDER BY seq DESC LIMIT 1",
    [ST_EVENT_SCAN] = "SELECT seq, recorded_at, actor, type, subject, body, leaf_hash, chain_hash FROM audit_event "
                      "WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
    [ST_HEAD_GET] = "SELECT size, root, chain, frontier, note, recorded_at FROM audit_head WHERE one = 1",
    [ST_HEAD_PUT] = "INSERT INTO audit_head(one, size, root, chain, frontier, note, recorded_at) "
                    "VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(one) DO UPDATE SET size = excluded.size, "
                    "root = excluded.root, chain = excluded.chain, frontier = excluded.frontier, "
                    "note = excluded.note, recorded_at = excluded.recorded_at",
    [ST_CHECKPOINT_PUT] = "INSERT INTO audit_checkpoint(size, note, recorded_at) VALUES(?1, ?2, ?3)",
    [ST_CHECKPOINT_GET] = "SELECT number, size, note, recorded_at FROM audit_checkpoint WHERE number = ?1",
    [ST_CHECKPOINT_LAST] = "SELECT max(number) FROM audit_checkpoint",
    [ST_DOC_GET] = "SELECT id, key, content_hash, body, recorded_at FROM document WHERE kind = ?1 AND key = ?2 "
                   "ORDER BY recorded_at DESC, id DESC LIMIT 1",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_DOC_VERSIONS] = "SELECT id, key, content_hash, body, recorded_at FROM document WHERE kind = ?1 AND key = ?2 "
                        "ORDER BY recorded_at, id",
};

typedef struct sqlite_impl {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[ST_COUNT];
} sqlite_impl;

#define IMPL(s) ((sqlite_impl *)(s)->impl)

static int db_error(sqlite_impl *im, xc_error *err, const char *what)
{
    return xc_error_set(err, XC_EDB, NULL, "%s: %s: %s", im->path, what, sqlite3_errmsg(im->db));
}

static sqlite3_stmt *stmt(sqlite_impl *im, int which, xc_error *err)
{
    if (!im->st[which]) {
        if (sqlite3_prepare_v3(im->db, statements[which], -1, SQLITE_PREPARE_PERSISTENT, &im->st[which], NULL) !=
            SQLITE_OK) {
            db_error(im, err, "preparing a statement");
            return NULL;
        }
    } else {
        sqlite3_reset(im->st[which]);
        sqlite3_clear_bindings(im->st[which]);
    }
    return im->st[which];
}

static const char *ts_text(int64_t us, char *buf)
{
    if (us == XC_TS_LATEST)
        return "9999-12-31T23:59:59.999999Z";
    return xc_ts_format(us, buf);
}

static int64_t text_ts(const unsigned char *t)
{
    int64_t us = 0;
    xc_ts_parse((const char *)t, &us, NULL, NULL);
    return us;
}

static xc_date text_date(const unsigned char *t)
{
    xc_date d = XC_DATE_NONE;
    if (t)
        xc_date_parse((const char *)t, &d, NULL, NULL);
    return d;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xc_strdup((const char *)t) : NULL;
}

static int exec(sqlite_impl *im, const char *sql, xc_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(im->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        xc_error_set(err, XC_EDB, NULL, "%s: %s", im->path, msg ? msg : sqlite3_errmsg(im->db));
        sqlite3_free(msg);
        return XC_EDB;
    }
    return XC_OK;
}

static int user_version(sqlite_impl *im)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(im->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static int migrate(sqlite_impl *im, xc_error *err)
{
    int have = user_version(im);
    int want = (int)(sizeof(migrations) / sizeof(migrations[0]));
    if (have < 0)
        return db_error(im, err, "reading the schema version");
    if (have > want)
        return xc_error_set(err, XC_EDB, NULL,
                            "%s: database schema version %d is newer than this exportctl (%d); upgrade exportctl",
                            im->path, have, want);
    for (int v = have; v < want; v++) {
        char bump[64];
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
        int rc = exec(im, "BEGIN IMMEDIATE", err);
        if (!rc)
            rc = exec(im, migrations[v], err);
        if (!rc)
            rc = exec(im, bump, err);
        if (!rc)
            rc = exec(im, "COMMIT", err);
        if (rc) {
            sqlite3_exec(im->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return XC_OK;
}

static void sq_close(xc_store *s)
{
    sqlite_impl *im = IMPL(s);
    if (!im)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(im->st[i]);
    sqlite3_close(im->db);
    xc_free(im->path);
    xc_free(im);
    s->impl = NULL;
}

static int sq_schema_version(xc_store *s)
{
    return user_version(IMPL(s));
}

static int sq_begin(xc_store *s, int64_t *tx_time, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    int rc = exec(im, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    sqlite3_stmt *st = stmt(im, ST_MAX_TIME, err);
    if (!st)
        goto fail;
    int64_t now = xc_ts_now(), last = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        last = text_ts(sqlite3_column_text(st, 0));
    else if (step != SQLITE_ROW) {
        db_error(im, err, "reading the last transaction time");
        goto fail;
    }
    sqlite3_reset(st);
    *tx_time = now > last ? now : last + 1;
    return XC_OK;
fail:
    sqlite3_exec(im->db, "ROLLBACK", NULL, NULL, NULL);
    return XC_EDB;
}

static int sq_commit(xc_store *s, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    int rc = exec(im, "COMMIT", err);
    if (rc)
        sqlite3_exec(im->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void sq_rollback(xc_store *s)
{
    sqlite3_exec(IMPL(s)->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_meta_get(xc_store *s, const char *key, char **value, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_META_GET, err);
    *value = NULL;
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int rc = XC_OK;
    if (step == SQLITE_ROW) {
        *value = col_dup(st, 0);
        if (!*value)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    } else if (step != SQLITE_DONE) {
        rc = db_error(im, err, "reading settings");
    }
    sqlite3_reset(st);
    return rc;
}

static int step_done(sqlite_impl *im, sqlite3_stmt *st, xc_error *err, const char *what)
{
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? XC_OK : db_error(im, err, what);
    sqlite3_reset(st);
    return rc;
}

static int sq_meta_set(xc_store *s, const char *key, const char *value, int64_t tx, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_META_SET, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ts_text(tx, buf), -1, SQLITE_TRANSIENT);
    return step_done(im, st, err, "writing settings");
}

static int sq_list_put(xc_store *s, const xc_list_meta *m, int64_t tx, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_LIST_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->authority, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->legal_basis, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->purpose, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ts_text(tx, buf), -1, SQLITE_TRANSIENT);
    return step_done(im, st, err, "recording list metadata");
}

static int sq_list_get(xc_store *s, const char *id, int64_t as_of, xc_list_meta **out, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    *out = NULL;
    sqlite3_stmt *st = stmt(im, ST_LIST_GET, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts_text(as_of, buf), -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = XC_OK;
    if (step == SQLITE_ROW) {
        xc_list_meta *m = xc_calloc(1, sizeof(*m));
        if (m) {
            m->id = col_dup(st, 0);
            m->title = col_dup(st, 1);
            m->authority = col_dup(st, 2);
            m->legal_basis = col_dup(st, 3);
            m->purpose = col_dup(st, 4);
            m->recorded_at = text_ts(sqlite3_column_text(st, 5));
        }
        if (!m || !m->id || !m->title || !m->authority || !m->legal_basis || !m->purpose) {
            xc_list_meta_free(m);
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        } else {
            *out = m;
        }
    } else if (step == SQLITE_DONE) {
        rc = xc_error_set(err, XC_ENOTFOUND, "list", "unknown list \"%s\" (see `exportctl list ls`)", id);
    } else {
        rc = db_error(im, err, "reading list metadata");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_list_ids(xc_store *s, int64_t as_of, char ***ids, size_t *n, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    char **v = NULL;
    size_t len = 0, cap = 0;
    int rc = XC_OK, step;
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(im, ST_LIST_IDS, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, ts_text(as_of, buf), -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = xc_realloc(v, cap * sizeof(*v));
            if (!nv) {
                rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
                goto out;
            }
            v = nv;
        }
        if (!(v[len] = col_dup(st, 0))) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        len++;
    }
    if (step != SQLITE_DONE)
        rc = db_error(im, err, "listing lists");
out:
    sqlite3_reset(st);
    if (rc) {
        xc_strv_free(v, len);
        return rc;
    }
    *ids = v;
    *n = len;
    return XC_OK;
}

static int put_members(sqlite_impl *im, int64_t vid, const char *kind, const xc_member *m, size_t n,
                       xc_error *err)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = stmt(im, ST_MEMBER_PUT, err);
        if (!st)
            return XC_EDB;
        sqlite3_bind_int64(st, 1, vid);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, m[i].country, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, m[i].reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, m[i].source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, xc_confidence_name(m[i].confidence), -1, SQLITE_STATIC);
        int rc = step_done(im, st, err, "recording a list member");
        if (rc)
            return rc;
    }
    return XC_OK;
}

static int sq_version_put(xc_store *s, xc_version *v, int64_t tx, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char tbuf[XC_TS_BUF], f[XC_DATE_BUF], t[XC_DATE_BUF];
    sqlite3_stmt *st = stmt(im, ST_VERSION_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, v->list_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, xc_date_format(v->effective_from, f), -1, SQLITE_TRANSIENT);
    if (v->effective_to != XC_DATE_NONE)
        sqlite3_bind_text(st, 3, xc_date_format(v->effective_to, t), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, v->precision, -1, SQLITE_STATIC);
    if (v->declared_count >= 0)
        sqlite3_bind_int(st, 5, v->declared_count);
    sqlite3_bind_text(st, 6, v->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, xc_confidence_name(v->confidence), -1, SQLITE_STATIC);
    if (v->note)
        sqlite3_bind_text(st, 8, v->note, -1, SQLITE_STATIC);
    if (v->correction)
        sqlite3_bind_text(st, 9, v->correction, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, ts_text(tx, tbuf), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, v->hash, -1, SQLITE_STATIC);
    int rc = step_done(im, st, err, "recording a list version");
    if (rc)
        return rc;
    v->id = sqlite3_last_insert_rowid(im->db);
    v->recorded_at = tx;
    rc = put_members(im, v->id, "member", v->members, v->n_members, err);
    if (!rc)
        rc = put_members(im, v->id, "removed", v->removed, v->n_removed, err);
    return rc;
}

static int member_push(xc_member **arr, size_t *n, sqlite3_stmt *st)
{
    xc_member *na = xc_realloc(*arr, (*n + 1) * sizeof(**arr));
    if (!na)
        return XC_ENOMEM;
    *arr = na;
    xc_member *m = &na[*n];
    memset(m, 0, sizeof(*m));
    snprintf(m->country, sizeof(m->country), "%s", (const char *)sqlite3_column_text(st, 1));
    m->reason = col_dup(st, 2);
    m->source = col_dup(st, 3);
    xc_confidence_parse((const char *)sqlite3_column_text(st, 4), &m->confidence, NULL, NULL);
    m->since = XC_DATE_NONE;
    (*n)++;
    return m->reason && m->source ? XC_OK : XC_ENOMEM;
}

static int load_members(sqlite_impl *im, xc_version *v, xc_error *err)
{
    sqlite3_stmt *st = stmt(im, ST_MEMBERS_GET, err);
    int step, rc = XC_OK;
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, v->id);
    while (rc == XC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int removed = strcmp((const char *)sqlite3_column_text(st, 0), "removed") == 0;
        rc = removed ? member_push(&v->removed, &v->n_removed, st) : member_push(&v->members, &v->n_members, st);
        if (rc)
            xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    if (rc == XC_OK && step != SQLITE_DONE)
        rc = db_error(im, err, "reading list members");
    sqlite3_reset(st);
    return rc;
}

static int sq_versions_get(xc_store *s, const char *list_id, int64_t as_of, xc_version **out, size_t *n,
                           xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    xc_version *v = NULL;
    size_t len = 0;
    int rc = XC_OK, step;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(im, ST_VERSIONS_GET, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, list_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts_text(as_of, buf), -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        xc_version *nv = xc_realloc(v, (len + 1) * sizeof(*v));
        if (!nv) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        v = nv;
        xc_version *x = &v[len++];
        memset(x, 0, sizeof(*x));
        x->id = sqlite3_column_int64(st, 0);
        x->list_id = col_dup(st, 1);
        x->effective_from = text_date(sqlite3_column_text(st, 2));
        x->effective_to = text_date(sqlite3_column_text(st, 3));
        snprintf(x->precision, sizeof(x->precision), "%s", (const char *)sqlite3_column_text(st, 4));
        x->declared_count = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
        x->source = col_dup(st, 6);
        xc_confidence_parse((const char *)sqlite3_column_text(st, 7), &x->confidence, NULL, NULL);
        x->note = col_dup(st, 8);
        x->correction = col_dup(st, 9);
        x->recorded_at = text_ts(sqlite3_column_text(st, 10));
        snprintf(x->hash, sizeof(x->hash), "%s", (const char *)sqlite3_column_text(st, 11));
        if (!x->list_id || !x->source || (!x->note && sqlite3_column_type(st, 8) != SQLITE_NULL) ||
            (!x->correction && sqlite3_column_type(st, 9) != SQLITE_NULL)) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
    }
    if (step != SQLITE_DONE) {
        rc = db_error(im, err, "reading list versions");
        goto out;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < len && rc == XC_OK; i++)
        rc = load_members(im, &v[i], err);
out:
    sqlite3_reset(st);
    if (rc) {
        xc_versions_free(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return XC_OK;
}

static int doc_row(sqlite3_stmt *st, xc_doc *d)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(st, 0);
    d->key = col_dup(st, 1);
    snprintf(d->hash, sizeof(d->hash), "%s", (const char *)sqlite3_column_text(st, 2));
    d->body = col_dup(st, 3);
    d->recorded_at = text_ts(sqlite3_column_text(st, 4));
    return d->key && d->body ? XC_OK : XC_ENOMEM;
}

static int sq_doc_put(xc_store *s, const char *kind, const char *key, const char *hash, const char *body, int64_t tx,
                      int64_t *id, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_DOC_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ts_text(tx, buf), -1, SQLITE_TRANSIENT);
    int rc = step_done(im, st, err, "recording a document");
    if (rc == XC_OK && id)
        *id = sqlite3_last_insert_rowid(im->db);
    return rc;
}

/* Step a bound statement whose rows are documents (doc_row's columns) and
 * collect them; resets st. */
static int collect_docs(sqlite_impl *im, sqlite3_stmt *st, const char *what, xc_doc **out, size_t *n, xc_error *err)
{
    xc_doc *v = NULL;
    size_t len = 0;
    int rc = XC_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        xc_doc *nv = xc_realloc(v, (len + 1) * sizeof(*v));
        if (!nv) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
        v = nv;
        if (doc_row(st, &v[len++])) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = db_error(im, err, what);
out:
    sqlite3_reset(st);
    if (rc) {
        xc_docs_free(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return XC_OK;
}

static int sq_doc_latest(xc_store *s, const char *kind, int64_t as_of, xc_doc **out, size_t *n, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(im, ST_DOC_LATEST, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts_text(as_of, buf), -1, SQLITE_TRANSIENT);
    return collect_docs(im, st, "reading documents", out, n, err);
}

static int sq_decision_put(xc_store *s, const char *kind, const char *request, const char *result, int64_t tx,
                           int64_t *id, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_DECISION_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, request, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, result, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ts_text(tx, buf), -1, SQLITE_TRANSIENT);
    int rc = step_done(im, st, err, "recording a decision");
    if (rc == XC_OK)
        *id = sqlite3_last_insert_rowid(im->db);
    return rc;
}

static int sq_decision_get(xc_store *s, int64_t id, xc_decision *out, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_DECISION_GET, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st), rc = XC_OK;
    memset(out, 0, sizeof(*out));
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->kind = col_dup(st, 1);
        out->request = col_dup(st, 2);
        out->result = col_dup(st, 3);
        out->recorded_at = text_ts(sqlite3_column_text(st, 4));
        if (!out->kind || !out->request || !out->result)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = xc_error_set(err, XC_ENOTFOUND, "decision", "no decision with id %lld", (long long)id);
    } else {
        rc = db_error(im, err, "reading a decision");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_doc_head(xc_store *s, const char *kind, const char *key, int64_t *id, char hash[65], xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_DOC_HEAD, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc = XC_OK;
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    } else if (step == SQLITE_DONE) {
        rc = XC_ENOTFOUND;
    } else {
        rc = db_error(im, err, "reading a document");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_doc_keys(xc_store *s, const char *kind, int64_t as_of, char ***keys, size_t *n, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    char **v = NULL;
    size_t len = 0;
    int rc = XC_OK, step;
    *keys = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(im, ST_DOC_KEYS, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts_text(as_of, buf), -1, SQLITE_TRANSIENT);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char **nv = xc_realloc(v, (len + 1) * sizeof(*v));
        if (!nv || !(nv[len] = col_dup(st, 0))) {
            v = nv ? nv : v;
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            break;
        }
        v = nv;
        len++;
    }
    if (rc == XC_OK && step != SQLITE_DONE)
        rc = db_error(im, err, "listing documents");
    sqlite3_reset(st);
    if (rc) {
        xc_strv_free(v, len);
        return rc;
    }
    *keys = v;
    *n = len;
    return XC_OK;
}

static int sq_event_put(xc_store *s, const xc_event_row *ev, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_EVENT_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, ev->seq);
    sqlite3_bind_text(st, 2, ts_text(ev->recorded_at, buf), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ev->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ev->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, ev->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ev->body, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, ev->leaf, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, ev->chain, 32, SQLITE_STATIC);
    return step_done(im, st, err, "appending an audit event");
}

static void col_hash(sqlite3_stmt *st, int i, unsigned char out[32])
{
    const void *b = sqlite3_column_blob(st, i);
    memset(out, 0, 32);
    if (b && sqlite3_column_bytes(st, i) == 32)
        memcpy(out, b, 32);
}

static int sq_event_last(xc_store *s, int64_t *seq, unsigned char chain[32], xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_EVENT_LAST, err);
    if (!st)
        return XC_EDB;
    int step = sqlite3_step(st), rc = XC_OK;
    *seq = 0;
    memset(chain, 0, 32);
    if (step == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        col_hash(st, 1, chain);
    } else if (step != SQLITE_DONE) {
        rc = db_error(im, err, "reading the last audit event");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_events_scan(xc_store *s, int64_t from, int64_t to, xc_event_fn fn, void *ctx, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    /* a private statement: the callback may use the store's other statements */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(im->db, statements[ST_EVENT_SCAN], -1, &st, NULL) != SQLITE_OK)
        return db_error(im, err, "preparing the audit scan");
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to < 0 ? INT64_MAX : to);
    int step, rc = XC_OK;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        unsigned char leaf[32], chain[32];
        xc_event_row ev;
        ev.seq = sqlite3_column_int64(st, 0);
        ev.recorded_at = text_ts(sqlite3_column_text(st, 1));
        ev.actor = (const char *)sqlite3_column_text(st, 2);
        ev.type = (const char *)sqlite3_column_text(st, 3);
        ev.subject = (const char *)sqlite3_column_text(st, 4);
        ev.body = (const char *)sqlite3_column_text(st, 5);
        ev.body_len = (size_t)sqlite3_column_bytes(st, 5);
        col_hash(st, 6, leaf);
        col_hash(st, 7, chain);
        ev.leaf = leaf;
        ev.chain = chain;
        if (!ev.actor || !ev.type || !ev.subject || !ev.body) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory reading audit event %lld", (long long)ev.seq);
            break;
        }
        if ((rc = fn(ctx, &ev, err)) != XC_OK)
            break;
    }
    if (rc == XC_OK && step != SQLITE_DONE)
        rc = db_error(im, err, "reading audit events");
    sqlite3_finalize(st);
    return rc;
}

static int sq_head_get(xc_store *s, xc_audit_head_row *h, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_HEAD_GET, err);
    if (!st)
        return XC_EDB;
    memset(h, 0, sizeof(*h));
    int step = sqlite3_step(st), rc = XC_OK;
    if (step == SQLITE_ROW) {
        h->size = sqlite3_column_int64(st, 0);
        col_hash(st, 1, h->root);
        col_hash(st, 2, h->chain);
        int flen = sqlite3_column_bytes(st, 3);
        const void *f = sqlite3_column_blob(st, 3);
        h->frontier = xc_malloc(flen > 0 ? (size_t)flen : 1);
        h->note = col_dup(st, 4);
        h->recorded_at = text_ts(sqlite3_column_text(st, 5));
        if (!h->frontier || !h->note) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        } else {
            if (flen > 0)
                memcpy(h->frontier, f, (size_t)flen);
            h->frontier_len = (size_t)flen;
        }
    } else if (step == SQLITE_DONE) {
        rc = XC_ENOTFOUND;
    } else {
        rc = db_error(im, err, "reading the audit head");
    }
    sqlite3_reset(st);
    if (rc)
        xc_audit_head_row_clear(h);
    return rc;
}

static int sq_head_put(xc_store *s, const xc_audit_head_row *h, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_HEAD_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, h->size);
    sqlite3_bind_blob(st, 2, h->root, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, h->chain, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, h->frontier ? (const void *)h->frontier : (const void *)"", (int)h->frontier_len,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 5, h->note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ts_text(h->recorded_at, buf), -1, SQLITE_TRANSIENT);
    return step_done(im, st, err, "writing the audit head");
}

static int sq_checkpoint_put(xc_store *s, int64_t size, const char *note, int64_t tx, int64_t *number,
                             xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    char buf[XC_TS_BUF];
    sqlite3_stmt *st = stmt(im, ST_CHECKPOINT_PUT, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, size);
    sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ts_text(tx, buf), -1, SQLITE_TRANSIENT);
    int rc = step_done(im, st, err, "recording a checkpoint");
    if (rc == XC_OK && number)
        *number = sqlite3_last_insert_rowid(im->db);
    return rc;
}

static int sq_checkpoint_get(xc_store *s, int64_t number, xc_checkpoint_row *out, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    memset(out, 0, sizeof(*out));
    if (number <= 0) {
        sqlite3_stmt *last = stmt(im, ST_CHECKPOINT_LAST, err);
        if (!last)
            return XC_EDB;
        int step = sqlite3_step(last);
        number = step == SQLITE_ROW ? sqlite3_column_int64(last, 0) : 0;
        sqlite3_reset(last);
        if (step != SQLITE_ROW)
            return db_error(im, err, "reading checkpoints");
        if (number == 0)
            return xc_error_set(err, XC_ENOTFOUND, "checkpoint", "no checkpoint has been published yet");
    }
    sqlite3_stmt *st = stmt(im, ST_CHECKPOINT_GET, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_int64(st, 1, number);
    int step = sqlite3_step(st), rc = XC_OK;
    if (step == SQLITE_ROW) {
        out->number = sqlite3_column_int64(st, 0);
        out->size = sqlite3_column_int64(st, 1);
        out->note = col_dup(st, 2);
        out->recorded_at = text_ts(sqlite3_column_text(st, 3));
        if (!out->note)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = xc_error_set(err, XC_ENOTFOUND, "checkpoint", "no checkpoint number %lld", (long long)number);
    } else {
        rc = db_error(im, err, "reading a checkpoint");
    }
    sqlite3_reset(st);
    return rc;
}

static int sq_doc_get(xc_store *s, const char *kind, const char *key, xc_doc *out, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_DOC_GET, err);
    if (!st)
        return XC_EDB;
    memset(out, 0, sizeof(*out));
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc = XC_OK;
    if (step == SQLITE_ROW) {
        if (doc_row(st, out))
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    } else if (step == SQLITE_DONE) {
        rc = xc_error_set(err, XC_ENOTFOUND, kind, "no %s \"%s\"", kind, key);
    } else {
        rc = db_error(im, err, "reading a document");
    }
    sqlite3_reset(st);
    if (rc)
        xc_doc_clear(out);
    return rc;
}

static int sq_doc_versions(xc_store *s, const char *kind, const char *key, xc_doc **out, size_t *n, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = stmt(im, ST_DOC_VERSIONS, err);
    if (!st)
        return XC_EDB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return collect_docs(im, st, "reading document versions", out, n, err);
}

static int sq_data_version(xc_store *s, int64_t *v, xc_error *err)
{
    sqlite_impl *im = IMPL(s);
    sqlite3_stmt *st = stmt(im, ST_DATA_VERSION, err);
    if (!st)
        return XC_EDB;
    int rc = sqlite3_step(st) == SQLITE_ROW ? XC_OK : db_error(im, err, "reading the data version");
    if (rc == XC_OK)
        *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc;
}

static const char *sq_path(xc_store *s)
{
    return IMPL(s)->path;
}

static const xc_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .list_put = sq_list_put,
    .list_get = sq_list_get,
    .list_ids = sq_list_ids,
    .version_put = sq_version_put,
    .versions_get = sq_versions_get,
    .doc_put = sq_doc_put,
    .doc_latest = sq_doc_latest,
    .decision_put = sq_decision_put,
    .decision_get = sq_decision_get,
    .doc_head = sq_doc_head,
    .doc_keys = sq_doc_keys,
    .event_put = sq_event_put,
    .event_last = sq_event_last,
    .events_scan = sq_events_scan,
    .head_get = sq_head_get,
    .head_put = sq_head_put,
    .checkpoint_put = sq_checkpoint_put,
    .checkpoint_get = sq_checkpoint_get,
    .doc_get = sq_doc_get,
    .doc_versions = sq_doc_versions,
    .path = sq_path,
    .data_version = sq_data_version,
};

int xc_store_sqlite_open(const char *path, xc_store *s, xc_error *err)
{
    sqlite_impl *im = xc_calloc(1, sizeof(*im));
    if (!im || !(im->path = xc_strdup(path))) {
        xc_free(im);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    s->ops = &sqlite_ops;
    s->impl = im;
    int rc;
    if (sqlite3_open_v2(path, &im->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = xc_error_set(err, XC_EDB, "--db", "%s: cannot open database: %s", path,
                          im->db ? sqlite3_errmsg(im->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(im->db, 5000);
    sqlite3_extended_result_codes(im->db, 1);
    if ((rc = exec(im, "PRAGMA foreign_keys = ON", err)))
        goto fail;
    /* journal_mode answers with a row; a file that is not a database fails here */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(im->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = xc_error_set(err, XC_EDB, "--db", "%s: cannot use as a database: %s", path, sqlite3_errmsg(im->db));
        sqlite3_finalize(st);
        goto fail;
    }
    sqlite3_finalize(st);
    if ((rc = exec(im, "PRAGMA synchronous = FULL", err)) || (rc = migrate(im, err)))
        goto fail;
    return XC_OK;
fail:
    sq_close(s);
    return rc;
}
