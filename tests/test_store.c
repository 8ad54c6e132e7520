/*
 * test_store.c: the SQLite store on real files: migrations, WAL, as_of reads,
 * transaction times, append-only history and clean allocation failures.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "mem.h"
#include "audit.h"
#include "store.h"

/* Run a store call that must succeed; uses the caller's xc_error err. */
#define OK(call) do { xc_error_clear(&err); if ((call) != XC_OK) fail_msg("%s: %s", #call, err.msg); } while (0)

/* Every write transaction must append an audit event; the store refuses
 * to commit one that did not (test_store_unaudited_write_refused). */
static int commit_audited(xc_store *s, xc_error *err)
{
    int rc = xc_audit_append(s, "test", "test.write", "test_store", NULL, NULL, err);
    return rc ? rc : xc_store_commit(s, err);
}

static xc_store *open_ok(const char *path)
{
    xc_store *s = NULL;
    xc_error err;
    OK(xc_store_open(path, &s, &err));
    assert_non_null(s);
    return s;
}

static void put_list(xc_store *s, const char *id, const char *title)
{
    xc_error err;
    xc_list_meta m = {(char *)id, (char *)title, "Authority", "Legal basis", "Purpose", 0};
    OK(xc_store_list_put(s, &m, &err));
}

static xc_member members[] = {
    {"AE", "listed in annex", "https://example.org/a", XC_CONF_OFFICIAL, XC_DATE_NONE},
    {"IL", "home country", "https://example.org/b", XC_CONF_REPORTED, XC_DATE_NONE},
};
static xc_member removed[] = {{"MX", "dropped in 2021", "https://example.org/c", XC_CONF_INFERRED, XC_DATE_NONE}};

static void fill_version(xc_version *v, const char *list_id)
{
    *v = (xc_version){.list_id = (char *)list_id, .effective_from = xc_date_from_ymd(2021, 11, 25),
                      .effective_to = XC_DATE_NONE, .precision = "day", .declared_count = 102,
                      .source = "https://example.org/decree", .confidence = XC_CONF_OFFICIAL, .note = "a note",
                      .correction = "fixes a typo", .n_members = 2, .members = members, .n_removed = 1,
                      .removed = removed};
    memset(v->hash, 'a', 64);
}

/* One line holding every field of a version, so a mismatch shows as a diff. */
static void describe(const xc_version *v, char *buf, size_t cap)
{
    size_t k = (size_t)snprintf(buf, cap, "#%lld %s [%d,%d) %s n=%d %s c=%d note=%s corr=%s at=%lld %s |",
                                (long long)v->id, v->list_id, (int)v->effective_from, (int)v->effective_to,
                                v->precision, v->declared_count, v->source, v->confidence,
                                v->note ? v->note : "(null)", v->correction ? v->correction : "(null)",
                                (long long)v->recorded_at, v->hash);
    for (size_t i = 0; i < v->n_members + v->n_removed && k < cap; i++) {
        const xc_member *m = i < v->n_members ? &v->members[i] : &v->removed[i - v->n_members];
        k += (size_t)snprintf(buf + k, cap - k, " %s%s/%s/%s/%d/%d", i < v->n_members ? "+" : "-", m->country,
                              m->reason, m->source, m->confidence, (int)m->since);
    }
}

static void check_version(const xc_version *got, const xc_version *want)
{
    char g[1024], w[1024];
    describe(got, g, sizeof(g));
    describe(want, w, sizeof(w));
    assert_string_equal(g, w);
}

/* Run sql on path over a separate SQLite connection; out gets the first
 * column of the first row, or the error message.  Returns the SQLite code. */
static int raw_sql(const char *path, const char *sql, char *out, size_t cap)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    else
        snprintf(out, cap, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Store list "il-cyber" with one version (want) in a fresh file.  With bare,
 * also list "bare" whose version has no members, so that its correction is
 * the last allocation of xc_store_versions_get. */
static void seed(const char *path, xc_version *want, xc_version *bare)
{
    xc_error err;
    xc_store *s = open_ok(path);
    fill_version(want, "il-cyber");
    OK(xc_store_begin(s, &err));
    put_list(s, "il-cyber", "Title");
    OK(xc_store_version_put(s, want, &err));
    assert_true(want->id > 0);
    assert_int_equal(want->recorded_at, xc_store_tx_time(s));
    if (bare) {
        fill_version(bare, "bare");
        bare->n_members = bare->n_removed = 0;
        put_list(s, "bare", "No members known yet");
        OK(xc_store_version_put(s, bare, &err));
    }
    OK(commit_audited(s, &err));
    xc_store_close(s);
}

static void test_store_open_wal_migrates_once(void **state)
{
    (void)state;
    const char *path = tu_path("open.db");
    xc_error err;
    xc_store *s = open_ok(path);
    assert_string_equal(xc_store_backend(s), "sqlite");
    assert_int_equal(xc_store_schema_version(s), 3);
    OK(xc_store_begin(s, &err));
    put_list(s, "il-cyber", "Title");
    OK(commit_audited(s, &err));
    xc_store_close(s);
    char out[64];
    assert_int_equal(raw_sql(path, "PRAGMA journal_mode", out, sizeof(out)), SQLITE_OK);
    assert_string_equal(out, "wal");
    s = open_ok(path); /* migration 1 run again would fail on the existing tables */
    assert_int_equal(xc_store_schema_version(s), 3);
    xc_list_meta *m = NULL;
    OK(xc_store_list_get(s, "il-cyber", XC_TS_LATEST, &m, &err));
    assert_string_equal(m->title, "Title");
    xc_list_meta_free(m);
    xc_store_close(s);
    xc_store_close(NULL);
}

static void test_store_open_errors(void **state)
{
    (void)state;
    const char *path = tu_path("garbage.db");
    tu_write(path, "This is plain text, not an SQLite database.\n");
    xc_store *s = (xc_store *)&s;
    xc_error err;
    assert_int_equal(xc_store_open(path, &s, &err), XC_EDB);
    assert_null(s);
    if (!strstr(err.msg, path))
        fail_msg("message lacks the path: %s", err.msg);
    assert_int_equal(xc_store_open("postgres://x", &s, &err), XC_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "postgres://x"));
    assert_int_equal(xc_store_open("", &s, &err), XC_EINVAL);
    assert_int_equal(xc_store_open(tu_path("no/such/dir/x.db"), &s, &err), XC_EDB);
    assert_null(s);
}

static void test_store_list_as_of(void **state)
{
    (void)state;
    xc_error err;
    xc_store *s = open_ok(tu_path("asof.db"));
    OK(xc_store_begin(s, &err));
    int64_t t1 = xc_store_tx_time(s);
    put_list(s, "il-cyber", "Old title");
    OK(commit_audited(s, &err));
    OK(xc_store_begin(s, &err));
    int64_t t2 = xc_store_tx_time(s);
    put_list(s, "il-cyber", "New title");
    put_list(s, "eu-dual-use", "EU");
    OK(commit_audited(s, &err));
    assert_true(t2 > t1);
    const int64_t at[] = {t1, t2 - 1, XC_TS_LATEST};
    const char *const title[] = {"Old title", "Old title", "New title"};
    for (int i = 0; i < 3; i++) {
        xc_list_meta *m = NULL;
        OK(xc_store_list_get(s, "il-cyber", at[i], &m, &err));
        assert_string_equal(m->title, title[i]);
        assert_string_equal(m->authority, "Authority");
        assert_int_equal(m->recorded_at, i < 2 ? t1 : t2);
        xc_list_meta_free(m);
    }
    xc_list_meta *m = (xc_list_meta *)&m;
    assert_int_equal(xc_store_list_get(s, "il-cyber", t1 - 1, &m, &err), XC_ENOTFOUND);
    assert_null(m);
    assert_int_equal(xc_store_list_get(s, "no-such-list", XC_TS_LATEST, &m, &err), XC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no-such-list"));
    char **ids = NULL;
    size_t n = 9;
    OK(xc_store_list_ids(s, XC_TS_LATEST, &ids, &n, &err));
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "eu-dual-use");
    assert_string_equal(ids[1], "il-cyber");
    xc_strv_free(ids, n);
    xc_store_close(s);
}

static void test_store_tx_time_strictly_increases(void **state)
{
    (void)state;
    const char *path = tu_path("txtime.db");
    xc_error err;
    xc_store *s = open_ok(path);
    int64_t prev = 0;
    for (int i = 0; i < 20; i++) {
        OK(xc_store_begin(s, &err));
        int64_t t = xc_store_tx_time(s);
        if (t <= prev)
            fail_msg("transaction %d: time %lld not after %lld", i, (long long)t, (long long)prev);
        prev = t;
        OK(xc_store_meta_set(s, "k", "v", &err));
        OK(commit_audited(s, &err));
    }
    /* a recorded time ahead of the clock (same microsecond, clock stepped
     * back): later transactions must still come strictly after it */
    char msg[256];
    const char *ins = "INSERT INTO meta VALUES('future', 'x', '2999-01-01T00:00:00.000000Z')";
    assert_int_equal(raw_sql(path, ins, msg, sizeof(msg)), SQLITE_OK);
    int64_t future = 0;
    assert_int_equal(xc_ts_parse("2999-01-01T00:00:00Z", &future, NULL, NULL), XC_OK);
    for (int i = 1; i <= 2; i++) {
        OK(xc_store_begin(s, &err));
        assert_int_equal(xc_store_tx_time(s), future + i);
        put_list(s, "l", "t");
        OK(commit_audited(s, &err));
    }
    xc_store_close(s);
}

static void test_store_rollback_and_tx_rules(void **state)
{
    (void)state;
    xc_error err;
    xc_store *s = open_ok(tu_path("rollback.db"));
    xc_version v;
    fill_version(&v, "il-cyber");
    xc_list_meta m0 = {"il-cyber", "T", "A", "L", "P", 0};
    assert_int_not_equal(xc_store_list_put(s, &m0, &err), XC_OK); /* outside a transaction */
    assert_int_not_equal(xc_store_version_put(s, &v, &err), XC_OK);
    assert_int_not_equal(xc_store_meta_set(s, "k", "v", &err), XC_OK);
    assert_int_not_equal(xc_store_commit(s, &err), XC_OK);
    OK(xc_store_begin(s, &err));
    assert_int_not_equal(xc_store_begin(s, &err), XC_OK); /* no nesting */
    put_list(s, "il-cyber", "Title");
    OK(xc_store_version_put(s, &v, &err));
    OK(xc_store_meta_set(s, "k", "v", &err));
    xc_store_rollback(s);
    assert_false(xc_store_in_tx(s));
    xc_list_meta *m = NULL;
    assert_int_equal(xc_store_list_get(s, "il-cyber", XC_TS_LATEST, &m, &err), XC_ENOTFOUND);
    xc_version *got = NULL;
    size_t n = 7;
    OK(xc_store_versions_get(s, "il-cyber", XC_TS_LATEST, &got, &n, &err));
    assert_int_equal(n, 0);
    xc_versions_free(got, n);
    char *val = (char *)&val;
    OK(xc_store_meta_get(s, "k", &val, &err)); /* missing key: NULL and XC_OK */
    assert_null(val);
    OK(xc_store_begin(s, &err));
    OK(xc_store_meta_set(s, "k", "abc", &err));
    OK(xc_store_meta_set(s, "k", "def", &err)); /* replaces */
    OK(commit_audited(s, &err));
    OK(xc_store_meta_get(s, "k", &val, &err));
    assert_string_equal(val, "def");
    xc_free(val);
    OK(xc_store_begin(s, &err)); /* closing with an open transaction rolls it back */
    put_list(s, "il-cyber", "Title");
    xc_store_close(s);
    s = open_ok(tu_path("rollback.db"));
    assert_int_equal(xc_store_list_get(s, "il-cyber", XC_TS_LATEST, &m, &err), XC_ENOTFOUND);
    xc_store_close(s);
}

/* A write transaction that appended no audit event is refused and rolled
 * back; settings (meta) alone are not history and need none. */
static void test_store_unaudited_write_refused(void **state)
{
    (void)state;
    xc_error err;
    xc_store *s = open_ok(tu_path("unaudited.db"));
    int64_t id = 0;
    OK(xc_store_begin(s, &err));
    OK(xc_store_decision_put(s, "check", "{}", "{}", &id, &err));
    assert_int_equal(xc_store_commit(s, &err), XC_EINTERNAL);
    assert_non_null(strstr(err.msg, "no audit event"));
    assert_false(xc_store_in_tx(s));
    xc_decision d;
    assert_int_equal(xc_store_decision_get(s, id, &d, &err), XC_ENOTFOUND);
    OK(xc_store_begin(s, &err));
    OK(xc_store_meta_set(s, "k", "v", &err));
    OK(xc_store_commit(s, &err));
    xc_store_close(s);
}

static void test_store_version_round_trip_append_only(void **state)
{
    (void)state;
    const char *path = tu_path("version.db");
    xc_version want, v2, *got = NULL;
    size_t n = 0;
    xc_error err;
    seed(path, &want, NULL);
    xc_store *s = open_ok(path);
    OK(xc_store_versions_get(s, "il-cyber", XC_TS_LATEST, &got, &n, &err));
    assert_int_equal(n, 1);
    check_version(&got[0], &want);
    xc_versions_free(got, n);
    OK(xc_store_versions_get(s, "il-cyber", want.recorded_at - 1, &got, &n, &err));
    assert_int_equal(n, 0);
    xc_versions_free(got, n);
    /* optional fields stay absent; an earlier effective date sorts first */
    fill_version(&v2, "il-cyber");
    v2.effective_from = xc_date_from_ymd(2020, 1, 1);
    v2.effective_to = xc_date_from_ymd(2021, 11, 25);
    v2.declared_count = -1;
    v2.note = v2.correction = NULL;
    v2.n_removed = 0;
    OK(xc_store_begin(s, &err));
    OK(xc_store_version_put(s, &v2, &err));
    OK(commit_audited(s, &err));
    OK(xc_store_versions_get(s, "il-cyber", XC_TS_LATEST, &got, &n, &err));
    assert_int_equal(n, 2);
    check_version(&got[0], &v2);
    check_version(&got[1], &want);
    xc_versions_free(got, n);
    xc_store_close(s);
    /* history is append-only even for a direct SQLite connection */
    static const char *const sql[] = {
        "UPDATE list_version SET source='x'", "DELETE FROM list_member",        "DELETE FROM list_version",
        "UPDATE list_member SET reason='x'",  "UPDATE list_meta SET title='x'", "DELETE FROM list_meta",
    };
    char msg[256];
    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        int rc = raw_sql(path, sql[i], msg, sizeof(msg));
        if (rc == SQLITE_OK || !strstr(msg, "append-only"))
            fail_msg("%s: rc %d, \"%s\"", sql[i], rc, msg);
    }
    s = open_ok(path);
    OK(xc_store_versions_get(s, "il-cyber", XC_TS_LATEST, &got, &n, &err));
    assert_int_equal(n, 2);
    check_version(&got[1], &want);
    xc_versions_free(got, n);
    xc_store_close(s);
}

static void test_store_allocation_failures(void **state)
{
    (void)state;
    char seed_path[512]; /* tu_path's buffers rotate, so keep a copy */
    snprintf(seed_path, sizeof(seed_path), "%s", tu_path("oom-seed.db"));
    xc_version want, bare;
    seed(seed_path, &want, &bare);
    long n;
    for (n = 0; n < 100000; n++) {
        char name[64];
        snprintf(name, sizeof(name), "oom-%ld.db", n);
        const char *path = tu_path(name);
        tu_copy(seed_path, path);
        xc_store *s = NULL;
        xc_version *got = NULL, *got2 = NULL;
        size_t count = 0, count2 = 0;
        xc_error err = {0};
        xc_mem_fail_after(n);
        int rc = xc_store_open(path, &s, &err);
        if (rc == XC_OK)
            rc = xc_store_versions_get(s, "il-cyber", XC_TS_LATEST, &got, &count, &err);
        if (rc == XC_OK)
            rc = xc_store_versions_get(s, "bare", XC_TS_LATEST, &got2, &count2, &err);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        /* success must not mean silently lost data; free before failing */
        char g[1024] = "", w[1024] = "";
        if (rc == XC_OK && count == 1 && count2 == 1) {
            describe(&got[0], g, sizeof(g));
            describe(&want, w, sizeof(w));
            if (strcmp(g, w) == 0) {
                describe(&got2[0], g, sizeof(g));
                describe(&bare, w, sizeof(w));
            }
        }
        int bad = rc == XC_OK ? count != 1 || count2 != 1 || strcmp(g, w) != 0
                              : rc < XC_ECODE_MIN || failures == 0 || got2 != NULL;
        xc_versions_free(got, count);
        xc_versions_free(got2, count2);
        xc_store_close(s);
        unlink(path);
        if (bad)
            fail_msg("allocation %ld (%ld refused): rc %d \"%s\"\n got: %s\nwant: %s", n, failures, rc, err.msg,
                     g, w);
        if (rc == XC_OK && failures == 0)
            break;
    }
    assert_true(n > 3 && n < 100000);
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_open_wal_migrates_once),
        cmocka_unit_test(test_store_open_errors),
        cmocka_unit_test(test_store_list_as_of),
        cmocka_unit_test(test_store_tx_time_strictly_increases),
        cmocka_unit_test(test_store_rollback_and_tx_rules),
        cmocka_unit_test(test_store_version_round_trip_append_only),
        cmocka_unit_test(test_store_unaudited_write_refused),
        cmocka_unit_test(test_store_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
