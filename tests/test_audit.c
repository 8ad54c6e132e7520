/*
 * test_audit.c: the tamper-evident audit log on real SQLite files, through
 * the library and the real exportctl binary: appending and verifying, the
 * commit rule (no write without an event), rollback, the signing key's
 * life cycle, tampering done directly in the SQLite file (edit, delete,
 * reorder, insert, append, truncate, a forger who recomputes every hash)
 * each caught and named, and inclusion and consistency proofs checked with
 * nothing but the verifier key after 10,000 more events.
 */
#include "testutil.h"

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "db.h"
#include "mem.h"
#include "merkle.h"
#include "note.h"
#include "store.h"

/* ---- helpers ---------------------------------------------------------------- */

static xc_store *open_store(const char *path)
{
    xc_store *s = NULL;
    xc_error err;
    if (xc_store_open(path, &s, &err) != XC_OK)
        fail_msg("open %s: %s", path, err.msg);
    return s;
}

/* Append n events in one transaction; the payload names the tag and index. */
static void append_n(xc_store *s, int n, const char *tag)
{
    xc_error err;
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    for (int i = 0; i < n; i++) {
        char subject[64];
        snprintf(subject, sizeof(subject), "%s-%d", tag, i % 7);
        json_t *p = json_pack("{s:s, s:i, s:s}", "tag", tag, "i", i, "note", "ordinary change");
        int64_t seq = 0;
        int rc = xc_audit_append(s, i % 3 ? NULL : "alice", i % 2 ? "test.change" : "test.other", subject, p, &seq,
                                 &err);
        json_decref(p);
        if (rc)
            fail_msg("append: %s", err.msg);
    }
    if (xc_store_commit(s, &err) != XC_OK)
        fail_msg("commit: %s", err.msg);
}

static int64_t verify_lib(const char *path, int want_rc, const char *want_msg)
{
    xc_store *s = open_store(path);
    json_t *r = NULL;
    xc_error err;
    xc_error_clear(&err);
    int rc = xc_audit_verify(s, NULL, &r, &err);
    assert_non_null(r);
    if (rc != want_rc)
        fail_msg("verify %s: rc %d (wanted %d): %s", path, rc, want_rc, err.msg);
    if (want_msg && !strstr(err.msg, want_msg)) {
        char *txt = json_dumps(r, JSON_INDENT(1));
        fail_msg("verify message \"%s\" lacks \"%s\"; report %s", err.msg, want_msg, txt);
    }
    json_t *fb = json_object_get(r, "first_bad_event");
    int64_t first = json_is_integer(fb) ? json_integer_value(fb) : 0;
    assert_int_equal(json_is_true(json_object_get(r, "ok")), rc == XC_OK);
    json_decref(r);
    xc_store_close(s);
    return first;
}

static void verify_cli(const char *path, int want_exit, const char *want_out)
{
    char *out, *err;
    int rc = tu_run(&out, &err, "--db", path, "audit", "verify", NULL);
    if (rc != want_exit)
        fail_msg("audit verify exit %d (wanted %d): %s %s", rc, want_exit, out, err);
    if (want_out && !strstr(out, want_out))
        fail_msg("audit verify output lacks \"%s\": %s", want_out, out);
    free(out);
    free(err);
}

static void expect_caught(const char *path, int64_t first_bad, const char *msg)
{
    int64_t got = verify_lib(path, XC_EVERIFY, msg);
    if (first_bad >= 0)
        assert_int_equal(got, first_bad);
    verify_cli(path, 3, msg);
}

/* Run SQL on the file directly, as an attacker would: triggers dropped first. */
static void attack(const char *path, const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db,
                          "DROP TRIGGER IF EXISTS audit_event_no_update;"
                          "DROP TRIGGER IF EXISTS audit_event_no_delete;"
                          "DROP TRIGGER IF EXISTS audit_checkpoint_no_update;"
                          "DROP TRIGGER IF EXISTS audit_checkpoint_no_delete;",
                          NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("attack SQL failed: %s", msg);
    sqlite3_close(db);
}

static void chain_of(const unsigned char prev[32], const unsigned char leaf[32], unsigned char out[32])
{
    unsigned char buf[64];
    memcpy(buf, prev, 32);
    memcpy(buf + 32, leaf, 32);
    crypto_hash_sha256(out, buf, 64);
}

/* Recompute leaf and chain hashes of every event from seq `from` on, as a
 * forger who knows the format would. */
static void recompute_hashes(const char *path, int64_t from)
{
    sqlite3 *db;
    sqlite3_stmt *sel, *prev, *upd;
    unsigned char chain[32] = {0};
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_event_no_update; BEGIN", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT chain_hash FROM audit_event WHERE seq = ?1", -1, &prev, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(prev, 1, from - 1);
    if (sqlite3_step(prev) == SQLITE_ROW)
        memcpy(chain, sqlite3_column_blob(prev, 0), 32);
    sqlite3_finalize(prev);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT seq, body FROM audit_event WHERE seq >= ?1 ORDER BY seq", -1,
                                        &sel, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_event SET leaf_hash = ?2, chain_hash = ?3 WHERE seq = ?1",
                                        -1, &upd, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(sel, 1, from);
    while (sqlite3_step(sel) == SQLITE_ROW) {
        unsigned char leaf[32];
        xc_merkle_leaf(sqlite3_column_text(sel, 1), (size_t)sqlite3_column_bytes(sel, 1), leaf);
        chain_of(chain, leaf, chain);
        sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
        sqlite3_bind_blob(upd, 2, leaf, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(upd, 3, chain, 32, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(upd), SQLITE_DONE);
        sqlite3_reset(upd);
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int64_t count_events(const char *path)
{
    xc_store *s = open_store(path);
    int64_t seq;
    unsigned char chain[32];
    xc_error err;
    assert_int_equal(xc_store_event_last(s, &seq, chain, &err), XC_OK);
    xc_store_close(s);
    return seq;
}

static char *run_ok(const char *const *argv)
{
    char *out, *err;
    int rc = tu_runv(&out, &err, argv);
    if (rc != 0)
        fail_msg("%s %s exit %d: %s %s", argv[3], argv[4], rc, out, err);
    free(err);
    return out;
}

static char *vkey_of(const char *path)
{
    const char *argv[] = {"--db", path, "audit", "key", NULL};
    char *out = run_ok(argv);
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* A lasting copy of a tu_path() result (those are reused after 8 calls). */
static const char *keep(const char *s)
{
    static char bufs[64][512];
    static int k;
    char *b = bufs[k++ % 64];
    snprintf(b, 512, "%s", s);
    return b;
}

/* The base log for the tampering tests: 40 events, checkpoint 1 at 40,
 * then 20 more (60 in 6 transactions). */
static const char *base_db(void)
{
    static int made;
    const char *path = keep(tu_path("base.db"));
    if (!made) {
        xc_store *s = open_store(path);
        for (int t = 0; t < 4; t++)
            append_n(s, 10, "early");
        json_t *cp = NULL;
        xc_error err;
        if (xc_audit_checkpoint(s, &cp, &err) != XC_OK)
            fail_msg("checkpoint: %s", err.msg);
        assert_int_equal(json_integer_value(json_object_get(cp, "size")), 40);
        json_decref(cp);
        for (int t = 0; t < 2; t++)
            append_n(s, 10, "late");
        xc_store_close(s);
        made = 1;
    }
    return path;
}

static const char *copy_of_base(const char *name)
{
    const char *path = keep(tu_path(name));
    char key[600];
    tu_copy(base_db(), path);
    snprintf(key, sizeof(key), "%s.key", path);
    tu_copy(tu_path("base.db.key"), key);
    return path;
}

/* ---- appending and verifying ----------------------------------------------------- */

static void test_append_verify(void **state)
{
    (void)state;
    const char *path = keep(tu_path("ok.db"));
    xc_store *s = open_store(path);
    xc_error err;
    json_t *r = NULL;
    /* an empty log verifies and has no key yet */
    assert_int_equal(xc_audit_verify(s, NULL, &r, &err), XC_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "size")), 0);
    json_decref(r);
    char *vk = NULL;
    assert_int_equal(xc_audit_vkey(s, &vk, &err), XC_ENOTFOUND);
    for (int t = 0; t < 5; t++)
        append_n(s, 10, "ok");
    assert_int_equal(xc_audit_verify(s, NULL, &r, &err), XC_OK);
    assert_true(json_is_true(json_object_get(r, "ok")));
    assert_int_equal(json_integer_value(json_object_get(r, "size")), 50);
    assert_int_equal(json_array_size(json_object_get(r, "problems")), 0);
    json_decref(r);
    /* the key file exists, is private, and is the one recorded in the database */
    struct stat sb;
    char key[600];
    snprintf(key, sizeof(key), "%s.key", path);
    assert_int_equal(stat(key, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char *setting = NULL;
    assert_int_equal(xc_audit_vkey(s, &vk, &err), XC_OK);
    assert_int_equal(xc_store_meta_get(s, "audit.vkey", &setting, &err), XC_OK);
    assert_string_equal(vk, setting);
    /* events read back as written */
    json_t *evs = NULL;
    assert_int_equal(xc_audit_events(s, 1, 0, NULL, NULL, NULL, &evs, &err), XC_OK);
    assert_int_equal(json_array_size(evs), 50);
    json_t *e = json_array_get(evs, 0);
    assert_int_equal(json_integer_value(json_object_get(e, "seq")), 1);
    assert_string_equal(json_string_value(json_object_get(e, "actor")), "alice");
    assert_string_equal(json_string_value(json_object_get(e, "type")), "test.other");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "payload"), "tag")), "ok");
    assert_int_equal(strlen(json_string_value(json_object_get(e, "leaf_hash"))), 64);
    json_decref(evs);
    assert_int_equal(xc_audit_events(s, 11, 5, "test.change", NULL, NULL, &evs, &err), XC_OK);
    assert_int_equal(json_array_size(evs), 5);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "seq")), 12);
    json_decref(evs);
    assert_int_equal(xc_audit_events(s, 1, 0, "test", "ok-3", "alice", &evs, &err), XC_OK);
    size_t i;
    json_array_foreach(evs, i, e)
    {
        assert_string_equal(json_string_value(json_object_get(e, "subject")), "ok-3");
        assert_string_equal(json_string_value(json_object_get(e, "actor")), "alice");
    }
    assert_true(json_array_size(evs) > 0);
    json_decref(evs);
    assert_int_equal(xc_audit_events(s, 1, 0, "tes", NULL, NULL, &evs, &err), XC_OK); /* whole segments only */
    assert_int_equal(json_array_size(evs), 0);
    json_decref(evs);
    xc_free(vk);
    xc_free(setting);
    xc_store_close(s);

    /* the binary agrees */
    verify_cli(path, 0, "audit log intact: 50 events");
    const char *argv[] = {"--db", path, "--json", "audit", "log", "--type", "test.other", "--limit", "3", NULL};
    char *out = run_ok(argv);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(j), 3);
    json_decref(j);
    free(out);
    char *cli_vk = vkey_of(path);
    assert_non_null(strstr(cli_vk, "exportctl/"));
    free(cli_vk);
}

/* Actors and subjects that need escaping, non-ASCII or long ones verify,
 * and their columns are still checked against the body. */
static void test_odd_strings(void **state)
{
    (void)state;
    const char *path = keep(tu_path("odd.db"));
    xc_store *s = open_store(path);
    xc_error err;
    char longsub[3000];
    memset(longsub, 'x', sizeof(longsub) - 1);
    longsub[sizeof(longsub) - 1] = '\0';
    static const char *const odd[] = {"quote \" and \\ back", "line\nbreak\ttab", "Zo\xc3\xab \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac",
                                      ",\"payload\":{}", "/slash/"};
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
        assert_int_equal(xc_audit_append(s, odd[i], "test.odd", odd[(i + 1) % 5], NULL, NULL, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, longsub, "test.long", longsub, NULL, NULL, &err), XC_OK);
    assert_int_equal(xc_store_commit(s, &err), XC_OK);
    json_t *evs = NULL;
    assert_int_equal(xc_audit_events(s, 1, 0, NULL, odd[1], NULL, &evs, &err), XC_OK);
    assert_int_equal(json_array_size(evs), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "actor")), odd[0]);
    json_decref(evs);
    xc_store_close(s);
    verify_lib(path, XC_OK, NULL);
    attack(path, "UPDATE audit_event SET subject = 'line' WHERE seq = 1");
    expect_caught(path, 1, "event 1: its subject column does not match its body");
}

static void test_refusals(void **state)
{
    (void)state;
    const char *path = keep(tu_path("refuse.db"));
    xc_store *s = open_store(path);
    xc_error err;
    int64_t id = 0;
    /* outside a transaction */
    assert_int_not_equal(xc_audit_append(s, NULL, "test.x", "s", NULL, NULL, &err), XC_OK);
    /* bad type, empty subject, non-object payload */
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, NULL, "Bad Type", "s", NULL, NULL, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "Bad Type"));
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "", NULL, NULL, &err), XC_EINVAL);
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "bad \xff utf-8", NULL, NULL, &err), XC_EINVAL);
    assert_string_equal(err.field, "subject");
    json_t *arr = json_array();
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "s", arr, NULL, &err), XC_EINVAL);
    json_decref(arr);
    /* a history write without an event is refused at commit, and rolled back */
    assert_int_equal(xc_store_decision_put(s, "check", "{}", "{}", &id, &err), XC_OK);
    assert_int_equal(xc_store_commit(s, &err), XC_EINTERNAL);
    assert_non_null(strstr(err.msg, "no audit event"));
    xc_decision d;
    assert_int_equal(xc_store_decision_get(s, id, &d, &err), XC_ENOTFOUND);
    assert_int_equal(count_events(path), 0);
    xc_store_close(s);
}

static void test_rollback(void **state)
{
    (void)state;
    const char *path = keep(tu_path("rollback.db"));
    xc_store *s = open_store(path);
    xc_error err;
    int64_t seq = 0;
    append_n(s, 5, "rb");
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(xc_audit_append(s, "bob", "test.lost", "gone", NULL, &seq, &err), XC_OK);
    assert_int_equal(seq, 8);
    xc_store_rollback(s);
    assert_int_equal(count_events(path), 5);
    /* the next append still chains onto event 5 */
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, "bob", "test.kept", "kept", NULL, &seq, &err), XC_OK);
    assert_int_equal(seq, 6);
    assert_int_equal(xc_store_commit(s, &err), XC_OK);
    json_t *evs = NULL;
    assert_int_equal(xc_audit_events(s, 1, 0, "test.lost", NULL, NULL, &evs, &err), XC_OK);
    assert_int_equal(json_array_size(evs), 0);
    json_decref(evs);
    xc_store_close(s);
    verify_lib(path, XC_OK, NULL);
}

static void test_key_lifecycle(void **state)
{
    (void)state;
    const char *path = keep(tu_path("key.db"));
    char key[600], moved[600];
    xc_error err;
    snprintf(key, sizeof(key), "%s.key", path);
    snprintf(moved, sizeof(moved), "%s.key.moved", path);
    /* read-only commands on a log without events create no key */
    xc_store_close(open_store(path));
    char *out, *errs;
    assert_int_equal(tu_run(&out, &errs, "--db", path, "audit", "key", NULL), 2);
    free(out);
    free(errs);
    verify_cli(path, 0, "0 events");
    assert_int_not_equal(access(key, F_OK), 0);
    /* nor do they create a database */
    assert_int_equal(tu_run(&out, &errs, "--db", tu_path("nothing.db"), "audit", "verify", NULL), 2);
    free(out);
    free(errs);
    assert_int_not_equal(access(tu_path("nothing.db"), F_OK), 0);

    xc_store *s = open_store(path);
    append_n(s, 4, "k");
    xc_store_close(s);
    char *vk = vkey_of(path);

    /* the key file is gone: writing is refused, naming the path and the key */
    assert_int_equal(rename(key, moved), 0);
    s = open_store(path);
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "s", NULL, NULL, &err), XC_OK);
    assert_int_equal(xc_store_commit(s, &err), XC_EIO);
    assert_non_null(strstr(err.msg, key));
    assert_non_null(strstr(err.msg, vk));
    xc_store_close(s);
    assert_int_equal(count_events(path), 4);
    assert_int_not_equal(access(key, F_OK), 0); /* and no new key was made */
    /* reading still works, with the key recorded in the database */
    verify_cli(path, 0, "database setting");
    char *vk2 = vkey_of(path);
    assert_string_equal(vk, vk2);
    free(vk2);

    /* another key in its place is refused too */
    xc_note_key other;
    assert_int_equal(xc_note_key_generate("impostor", &other, &err), XC_OK);
    assert_int_equal(xc_note_key_save(key, &other, &err), XC_OK);
    s = open_store(path);
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "s", NULL, NULL, &err), XC_OK);
    assert_int_equal(xc_store_commit(s, &err), XC_EVERIFY);
    assert_non_null(strstr(err.msg, vk));
    assert_non_null(strstr(err.msg, "impostor"));
    xc_store_close(s);
    /* verifying with the impostor's key fails on the signature */
    s = open_store(path);
    json_t *r = NULL;
    char ovk[256];
    xc_note_vkey_format(&other, ovk, sizeof(ovk));
    assert_int_equal(xc_audit_verify(s, ovk, &r, &err), XC_EVERIFY);
    assert_non_null(strstr(err.msg, "signature"));
    json_decref(r);
    xc_store_close(s);

    /* the right key back: writing works again and the log verifies */
    assert_int_equal(unlink(key), 0);
    assert_int_equal(rename(moved, key), 0);
    s = open_store(path);
    append_n(s, 2, "k");
    xc_store_close(s);
    verify_lib(path, XC_OK, NULL);
    free(vk);
}

/* ---- tampering --------------------------------------------------------------------- */


static void test_tamper_edit(void **state)
{
    (void)state;
    const char *p = copy_of_base("edit.db");
    verify_lib(p, XC_OK, NULL);
    attack(p, "UPDATE audit_event SET body = replace(body, 'ordinary change', 'nothing to see') WHERE seq = 17");
    expect_caught(p, 17, "event 17: body does not match its leaf hash");
    /* an edit of an indexed column alone is caught too */
    p = copy_of_base("edit-col.db");
    attack(p, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 23");
    expect_caught(p, 23, "event 23: its actor column does not match its body");
    p = copy_of_base("edit-time.db");
    attack(p, "UPDATE audit_event SET recorded_at = '2001-01-01T00:00:00.000000Z' WHERE seq = 24");
    expect_caught(p, 24, "event 24: its recorded_at column");
}

static void test_tamper_delete(void **state)
{
    (void)state;
    const char *p = copy_of_base("delete.db");
    attack(p, "DELETE FROM audit_event WHERE seq = 17");
    expect_caught(p, 17, "event 17 is missing (deleted?)");
    p = copy_of_base("delete-range.db");
    attack(p, "DELETE FROM audit_event WHERE seq BETWEEN 30 AND 33");
    expect_caught(p, 30, "events 30 to 33 are missing");
}

static void test_tamper_reorder(void **state)
{
    (void)state;
    /* whole rows swapped (hashes travel with their bodies) */
    const char *p = copy_of_base("reorder.db");
    attack(p, "UPDATE audit_event SET seq = -21 WHERE seq = 21;"
              "UPDATE audit_event SET seq = 21 WHERE seq = 22;"
              "UPDATE audit_event SET seq = 22 WHERE seq = -21;");
    expect_caught(p, 21, "event 21: chain hash breaks");
    /* bodies swapped, hashes left in place */
    p = copy_of_base("reorder-body.db");
    attack(p, "CREATE TEMP TABLE t AS SELECT seq, body FROM audit_event WHERE seq IN (44, 45);"
              "UPDATE audit_event SET body = (SELECT body FROM t WHERE t.seq = 89 - audit_event.seq) "
              "WHERE seq IN (44, 45);");
    expect_caught(p, 44, "event 44: body does not match its leaf hash");
    /* bodies and their hashes swapped between transactions, chains recomputed:
     * the recording times give it away */
    p = copy_of_base("reorder-forged.db");
    attack(p, "UPDATE audit_event SET seq = -10 WHERE seq = 10;"
              "UPDATE audit_event SET seq = 10 WHERE seq = 11;"
              "UPDATE audit_event SET seq = 11 WHERE seq = -10;");
    recompute_hashes(p, 10);
    expect_caught(p, 11, "event 11: recorded before event 10");
}

static void test_tamper_insert(void **state)
{
    (void)state;
    /* a row inserted in the middle (later ones renumbered), every leaf and
     * chain hash from there on recomputed: the signed head's count and root
     * and the checkpoint give it away */
#define INSERT_31                                                                                                 \
    "UPDATE audit_event SET seq = seq + 1000 WHERE seq > 30;"                                                     \
    "UPDATE audit_event SET seq = seq - 999 WHERE seq > 1000;"                                                    \
    "INSERT INTO audit_event SELECT 31, recorded_at, actor, type, subject,"                                       \
    " replace(body, 'ordinary change', 'forged approval'), leaf_hash, chain_hash"                                 \
    " FROM audit_event WHERE seq = 30;"
    const char *p = copy_of_base("insert-all.db");
    attack(p, INSERT_31);
    recompute_hashes(p, 31);
    expect_caught(p, 61, "event 61 is not covered by the signed head");
    verify_cli(p, 3, "checkpoint 1 (size 40) does not match");
    verify_cli(p, 3, "some of events 1 to 32 were rewritten");

    /* the careful version: only the inserted row's hashes are forged */
    p = copy_of_base("insert-one.db");
    attack(p, INSERT_31);
    {
        sqlite3 *db;
        sqlite3_stmt *st;
        unsigned char leaf[32], chain[32], prev[32];
        assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT body, (SELECT chain_hash FROM audit_event WHERE seq = 30) "
                                                "FROM audit_event WHERE seq = 31",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        xc_merkle_leaf(sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0), leaf);
        memcpy(prev, sqlite3_column_blob(st, 1), 32);
        sqlite3_finalize(st);
        chain_of(prev, leaf, chain);
        assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_event SET leaf_hash = ?1, chain_hash = ?2 WHERE seq = 31",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_blob(st, 1, leaf, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, chain, 32, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    expect_caught(p, 31, "event 31 was inserted (event 32 chains onto event 30)");

    /* a forged row appended after the signed head, hashes and all */
    p = copy_of_base("append.db");
    attack(p, "INSERT INTO audit_event SELECT 61, recorded_at, actor, type, subject,"
              " replace(body, 'ordinary change', 'backdated'), leaf_hash, chain_hash FROM audit_event WHERE seq = 60;");
    recompute_hashes(p, 61);
    expect_caught(p, 61, "event 61 is not covered by the signed head (appended outside exportctl?)");
}

static void test_tamper_truncate(void **state)
{
    (void)state;
    const char *p = copy_of_base("truncate.db");
    attack(p, "DELETE FROM audit_event WHERE seq > 55");
    expect_caught(p, 56, "events after 55 missing: the signed head covers 60 events (truncated?)");
    /* and no one may write on top of it */
    xc_store *s = open_store(p);
    xc_error err;
    assert_int_equal(xc_store_begin(s, &err), XC_OK);
    assert_int_equal(xc_audit_append(s, NULL, "test.x", "s", NULL, NULL, &err), XC_EVERIFY);
    assert_non_null(strstr(err.msg, "disagree"));
    xc_store_rollback(s);
    xc_store_close(s);
    /* truncated to before the checkpoint, head rewritten as well? the head's
     * note is signed, so its row alone cannot be made to agree */
    p = copy_of_base("truncate-head.db");
    attack(p, "DELETE FROM audit_event WHERE seq > 35; UPDATE audit_head SET size = 35");
    expect_caught(p, 36, "events after 35 missing: the signed head covers 60 events");
    verify_cli(p, 3, "the signed head's row does not match its signed note");
}

static void test_tamper_forger(void **state)
{
    (void)state;
    /* edit before the checkpoint, every leaf and chain hash recomputed */
    const char *p = copy_of_base("forge-early.db");
    attack(p, "UPDATE audit_event SET body = replace(body, 'ordinary change', 'nothing to see') WHERE seq = 17");
    recompute_hashes(p, 17);
    expect_caught(p, -1, "some of events 1 to 32 were rewritten");
    verify_cli(p, 3, "checkpoint 1 (size 40) does not match the log's root at 40");
    /* after the checkpoint: the signed head's subtree roots locate it */
    p = copy_of_base("forge-late.db");
    attack(p, "UPDATE audit_event SET body = replace(body, 'ordinary change', 'nothing to see') WHERE seq = 50");
    recompute_hashes(p, 50);
    expect_caught(p, -1, "some of events 49 to 56 were rewritten");
    /* the report has no event problem: the range is in the problems list */
    xc_store *s = open_store(p);
    json_t *r = NULL;
    xc_error err;
    assert_int_equal(xc_audit_verify(s, NULL, &r, &err), XC_EVERIFY);
    json_t *pr = json_array_get(json_object_get(r, "problems"), 0);
    assert_int_equal(json_integer_value(json_object_get(pr, "from")), 49);
    assert_int_equal(json_integer_value(json_object_get(pr, "to")), 56);
    json_decref(r);
    xc_store_close(s);
    /* a checkpoint deleted is noticed */
    p = copy_of_base("cp-deleted.db");
    {
        s = open_store(p);
        json_t *cp = NULL;
        assert_int_equal(xc_audit_checkpoint(s, &cp, &err), XC_OK);
        json_decref(cp);
        xc_store_close(s);
    }
    attack(p, "DELETE FROM audit_checkpoint WHERE number = 1");
    expect_caught(p, -1, "checkpoint 1 is missing");
}

/* ---- proofs ---------------------------------------------------------------------- */

static int run_rc(const char *const *argv, const char *want_in_out)
{
    char *out, *err;
    int rc = tu_runv(&out, &err, argv);
    if (want_in_out && !strstr(out, want_in_out) && !strstr(err, want_in_out))
        fail_msg("output lacks \"%s\": %s / %s", want_in_out, out, err);
    free(out);
    free(err);
    return rc;
}

static void write_json(const char *path, json_t *j)
{
    assert_int_equal(json_dump_file(j, path, JSON_INDENT(1)), 0);
}

static void test_proofs(void **state)
{
    (void)state;
    const char *path = keep(tu_path("proofs.db"));
    xc_store *s = open_store(path);
    xc_error err;
    append_n(s, 20, "first");
    xc_store_close(s);
    const char *cp1[] = {"--db", path, "audit", "checkpoint", "--out", tu_path("cp1.txt"), NULL};
    free(run_ok(cp1));
    const char *prove1[] = {"--db", path, "audit", "prove", "5", "--checkpoint", "1", "--out", tu_path("p1.json"), NULL};
    free(run_ok(prove1));
    char *vk = vkey_of(path);

    /* 10,000 more events */
    s = open_store(path);
    for (int t = 0; t < 4; t++)
        append_n(s, 2500, "bulk");
    xc_store_close(s);
    const char *cp2[] = {"--db", path, "--json", "audit", "checkpoint", NULL};
    char *out = run_ok(cp2);
    json_t *j = json_loads(out, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "size")), 10020);
    assert_string_equal(json_string_value(json_object_get(j, "vkey")), vk);
    json_decref(j);
    free(out);

    /* the old proof still verifies, with nothing but the key (no database) */
    const char *nodb = tu_path("no-such.db");
    const char *vp1[] = {"--db", nodb, "audit", "verify-proof", tu_path("p1.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vp1, "proof verifies: event 5"), 0);
    assert_int_not_equal(access(nodb, F_OK), 0);
    /* fresh proofs against checkpoint 2 */
    const char *prove2[] = {"--db", path, "audit", "prove", "5", "--checkpoint", "2", "--out", tu_path("p2.json"), NULL};
    free(run_ok(prove2));
    const char *vp2[] = {"audit", "verify-proof", tu_path("p2.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vp2, "of 10020 events"), 0);
    const char *prove3[] = {"--db", path, "audit", "prove", "9000", "--out", tu_path("p3.json"), NULL};
    free(run_ok(prove3));
    const char *vp3[] = {"--json", "audit", "verify-proof", tu_path("p3.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vp3, "\"seq\": 9000"), 0);
    /* the key may be given as a file */
    tu_write(tu_path("log.vkey"), vk);
    const char *vpf[] = {"audit", "verify-proof", tu_path("p3.json"), "--key", tu_path("log.vkey"), NULL};
    assert_int_equal(run_rc(vpf, NULL), 0);

    /* consistency between the two checkpoints */
    const char *cons[] = {"--db", path, "audit", "consistency", "1", "2", "--out", tu_path("c12.json"), NULL};
    free(run_ok(cons));
    const char *vc[] = {"audit", "verify-proof", tu_path("c12.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vc, "extends its earlier state of 20 events"), 0);

    /* altered proofs fail (3), malformed ones are refused (2) */
    json_t *c12 = json_load_file(tu_path("c12.json"), 0, NULL);
    assert_non_null(c12);
    json_t *pth = json_object_get(c12, "path");
    assert_true(json_array_size(pth) > 0);
    char h[65];
    snprintf(h, sizeof(h), "%s", json_string_value(json_array_get(pth, 0)));
    h[0] = h[0] == '0' ? '1' : '0';
    json_array_set_new(pth, 0, json_string(h));
    write_json(tu_path("c12-bad.json"), c12);
    const char *vcb[] = {"audit", "verify-proof", tu_path("c12-bad.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vcb, "does not extend"), 3);
    json_object_del(c12, "path");
    write_json(tu_path("c12-nopath.json"), c12);
    const char *vcn[] = {"audit", "verify-proof", tu_path("c12-nopath.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vcn, "\"path\" is missing"), 2);
    json_decref(c12);

    json_t *p2 = json_load_file(tu_path("p2.json"), 0, NULL);
    assert_non_null(p2);
    /* the library verifies it as well */
    json_t *rep = NULL;
    assert_int_equal(xc_audit_verify_proof(p2, vk, &rep, &err), XC_OK);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    json_decref(rep);
    const char *body = json_string_value(json_object_get(p2, "body"));
    char *forged = strdup(body);
    char *at = strstr(forged, "ordinary");
    assert_non_null(at);
    memcpy(at, "ORDINARY", 8);
    json_object_set_new(p2, "body", json_string(forged));
    free(forged);
    write_json(tu_path("p2-bad.json"), p2);
    const char *vpb[] = {"audit", "verify-proof", tu_path("p2-bad.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vpb, "PROOF DOES NOT VERIFY"), 3);
    assert_int_equal(xc_audit_verify_proof(p2, vk, &rep, &err), XC_EVERIFY);
    json_decref(rep);
    json_object_set_new(p2, "leaf_index", json_string("four"));
    assert_int_equal(xc_audit_verify_proof(p2, vk, &rep, &err), XC_EINVAL);
    assert_string_equal(err.field, "leaf_index");
    json_decref(p2);
    /* the event shown beside the body must be the body's */
    p2 = json_load_file(tu_path("p2.json"), 0, NULL);
    json_object_set_new(json_object_get(p2, "event"), "actor", json_string("someone else"));
    assert_int_equal(xc_audit_verify_proof(p2, vk, &rep, &err), XC_EVERIFY);
    json_decref(rep);
    json_decref(p2);

    /* the wrong key */
    xc_note_key other;
    char ovk[256];
    assert_int_equal(xc_note_key_generate("exportctl/someone-else", &other, &err), XC_OK);
    xc_note_vkey_format(&other, ovk, sizeof(ovk));
    const char *vw[] = {"audit", "verify-proof", tu_path("p1.json"), "--key", ovk, NULL};
    assert_int_equal(run_rc(vw, "signature"), 3);
    const char *vbadkey[] = {"audit", "verify-proof", tu_path("p1.json"), "--key", "not-a-key", NULL};
    assert_int_equal(run_rc(vbadkey, NULL), 2);
    const char *vnokey[] = {"audit", "verify-proof", tu_path("p1.json"), NULL};
    assert_int_equal(run_rc(vnokey, "--key"), 2);
    tu_write(tu_path("junk.json"), "{\"format\": ");
    const char *vjunk[] = {"audit", "verify-proof", tu_path("junk.json"), "--key", vk, NULL};
    assert_int_equal(run_rc(vjunk, "invalid JSON"), 2);

    /* bad requests */
    const char *pbad[] = {"--db", path, "audit", "prove", "10021", "--checkpoint", "2", NULL};
    assert_int_equal(run_rc(pbad, "not covered by checkpoint 2"), 2);
    const char *cbad[] = {"--db", path, "audit", "consistency", "2", "1", NULL};
    assert_int_equal(run_rc(cbad, NULL), 2);

    /* the whole log verifies, and fast */
    s = open_store(path);
    json_t *r = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(xc_audit_verify(s, NULL, &r, &err), XC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_int_equal(json_integer_value(json_object_get(r, "checkpoints_checked")), 2);
    print_message("verified %lld events in %.3f s (%.0f events/s)\n",
                  (long long)json_integer_value(json_object_get(r, "size")), secs,
                  (double)json_integer_value(json_object_get(r, "size")) / secs);
    json_decref(r);
    xc_store_close(s);
    free(vk);
}

/* ---- allocation failures ------------------------------------------------------------ */

static int ok_or_oom(int rc)
{
    return rc == XC_OK || rc == XC_ENOMEM || rc == XC_EDB;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    const char *path = keep(tu_path("alloc.db"));
    xc_store *s = open_store(path);
    xc_error err;
    int64_t expect = 0;
    /* appending and sealing: every failure rolls back whole, and the log stays intact */
    for (long n = 0, done = 0; n < 2000 && done < 3; n++) {
        xc_mem_fail_after(n);
        int rc = xc_store_begin(s, &err);
        for (int i = 0; rc == XC_OK && i < 3; i++) {
            json_t *p = json_pack("{s:i}", "i", i);
            rc = p ? xc_audit_append(s, NULL, "test.alloc", "alloc", p, NULL, &err) : XC_ENOMEM;
            json_decref(p);
        }
        if (rc == XC_OK)
            rc = xc_store_commit(s, &err);
        else if (xc_store_in_tx(s))
            xc_store_rollback(s);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        if (!ok_or_oom(rc))
            fail_msg("append after %ld allocations: %d %s", n, rc, err.msg);
        if (rc == XC_OK)
            expect += 3;
        done += rc == XC_OK && failures == 0;
        assert_int_equal(count_events(path), expect);
    }
    assert_true(expect >= 3);
    verify_lib(path, XC_OK, NULL);
    json_t *cp = NULL;
    assert_int_equal(xc_audit_checkpoint(s, &cp, &err), XC_OK);
    json_decref(cp);
    /* reading: verify, prove, consistency, checkpoint, events */
    for (long n = 0, done = 0; n < 2000 && !done; n++) {
        json_t *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
        xc_mem_fail_after(n);
        int rc1 = xc_audit_verify(s, NULL, &r1, &err);
        int rc2 = xc_audit_prove(s, 2, 1, &r2, &err);
        int rc3 = xc_audit_events(s, 1, 0, NULL, NULL, NULL, &r3, &err);
        int rc4 = xc_audit_checkpoints(s, &r4, &err);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        assert_true(ok_or_oom(rc1) && ok_or_oom(rc2) && ok_or_oom(rc3) && ok_or_oom(rc4));
        done = failures == 0;
        json_decref(r1);
        json_decref(r2);
        json_decref(r3);
        json_decref(r4);
    }
    xc_store_close(s);
    verify_lib(path, XC_OK, NULL);
}

int main(void)
{
    xc_error err;
    unsetenv("EXPORTCTL_KEY");
    if (xc_init(&err) != XC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_verify), cmocka_unit_test(test_odd_strings), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_rollback),      cmocka_unit_test(test_key_lifecycle),
        cmocka_unit_test(test_tamper_edit),   cmocka_unit_test(test_tamper_delete),
        cmocka_unit_test(test_tamper_reorder), cmocka_unit_test(test_tamper_insert),
        cmocka_unit_test(test_tamper_truncate), cmocka_unit_test(test_tamper_forger),
        cmocka_unit_test(test_proofs),        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
