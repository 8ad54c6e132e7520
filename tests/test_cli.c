/*
 * test_cli.c: the real exportctl binary on a real database file: the issue's
 * facts about il-cyber-marketing, the JSON contracts, bitemporal replay,
 * bad input (exit 2, database byte-for-byte unchanged), idempotent import,
 * help everywhere, CSV output and the database path rules.
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"

static const char *db(void)
{
    return tu_path("cli.db");
}

static json_t *run_json(int want_rc, const char *const *argv)
{
    char *out, *err;
    int rc = tu_runv(&out, &err, argv);
    if (rc != want_rc)
        fail_msg("exit %d (wanted %d); stderr: %s; stdout: %.300s", rc, want_rc, err, out);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    if (!j)
        fail_msg("stdout is not JSON (%s): %.300s", je.text, out);
    free(out);
    free(err);
    return j;
}

static int member_in(json_t *members, const char *cc)
{
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m) if (strcmp(json_string_value(json_object_get(m, "country")), cc) == 0) return 1;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    remove(db());
    char *out, *err;
    int rc = tu_run(&out, &err, "--db", db(), "list", "ls", NULL);
    if (rc)
        fail_msg("list ls failed: %s", err);
    assert_non_null(strstr(out, "il-cyber-marketing"));
    free(out);
    free(err);
    return 0;
}

static void test_before_cut(void **state)
{
    (void)state;
    const char *argv[] = {"--db", db(), "list", "show", "il-cyber-marketing", "--at", "2021-11-24", "--json", NULL};
    json_t *j = run_json(0, argv);
    json_t *m = json_object_get(j, "members");
    static const char *const dropped[] = {"MA", "SA", "AE", "MX", "AZ"};
    for (int i = 0; i < 5; i++)
        assert_true(member_in(m, dropped[i]));
    assert_string_equal(json_string_value(json_object_get(j, "list")), "il-cyber-marketing");
    assert_string_equal(json_string_value(json_object_get(j, "at")), "2021-11-24");
    assert_int_equal(json_integer_value(json_object_get(j, "declared_count")), 102);
    assert_int_equal(json_integer_value(json_object_get(j, "known_count")), 42);
    json_decref(j);
}

static void test_after_cut_contract(void **state)
{
    (void)state;
    const char *argv[] = {"--db", db(), "list", "show", "il-cyber-marketing", "--at", "2021-11-25", "--json", NULL};
    json_t *j = run_json(0, argv);
    json_t *m = json_object_get(j, "members");
    assert_int_equal(json_array_size(m), 37);
    assert_int_equal(json_integer_value(json_object_get(j, "declared_count")), 37);
    assert_int_equal(json_integer_value(json_object_get(j, "known_count")), 37);
    assert_false(member_in(m, "HU"));
    assert_false(member_in(m, "PL"));
    assert_false(member_in(m, "MA"));
    size_t i;
    json_t *e;
    json_array_foreach(m, i, e)
    {
        assert_int_equal(strlen(json_string_value(json_object_get(e, "country"))), 2);
        assert_true(json_is_string(json_object_get(e, "reason")));
        assert_true(json_is_string(json_object_get(e, "source")));
        const char *conf = json_string_value(json_object_get(e, "confidence"));
        assert_true(strcmp(conf, "official") == 0 || strcmp(conf, "reported") == 0 || strcmp(conf, "inferred") == 0);
        assert_true(json_is_string(json_object_get(e, "since")));
    }
    json_decref(j);
}

static void test_diff_across_cut(void **state)
{
    (void)state;
    const char *argv[] = {"--db", db(), "list", "diff", "il-cyber-marketing", "--from", "2021-11-24", "--to",
                          "2021-11-25", "--json", NULL};
    json_t *j = run_json(0, argv);
    json_t *removed = json_object_get(j, "removed"), *added = json_object_get(j, "added");
    assert_int_equal(json_array_size(added), 0);
    assert_int_equal(json_array_size(removed), 5);
    static const char *const dropped[] = {"MA", "SA", "AE", "MX", "AZ"};
    for (int i = 0; i < 5; i++)
        assert_true(member_in(removed, dropped[i]));
    json_t *r0 = json_array_get(removed, 0);
    assert_true(json_string_length(json_object_get(r0, "reason")) > 0);
    assert_true(json_string_length(json_object_get(r0, "source")) > 0);
    json_decref(j);

    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "diff", "il-cyber-marketing", "--from", "2021-11-24",
                            "--to", "2021-11-25", NULL),
                     0);
    assert_non_null(strstr(out, "removed"));
    assert_non_null(strstr(out, "Morocco"));
    assert_non_null(strstr(out, "102 members declared, 42 known, 60 unknown"));
    free(out);
    free(err);
}

static void test_bitemporal_replay(void **state)
{
    (void)state;
    /* a correction of the 2021-11-25 version: suppose HU was on it after all */
    const char *doc =
        "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"il-cyber-replay\",\"title\":\"t\",\"authority\":"
        "\"a\",\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":[{\"effective_from\":\"2021-11-25\",\"source\":"
        "\"s\",\"confidence\":\"reported\",\"reason\":\"r\",\"members\":[\"FR\",\"DE\"]}]}]}";
    const char *fix =
        "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"il-cyber-replay\",\"title\":\"t\",\"authority\":"
        "\"a\",\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":[{\"effective_from\":\"2021-11-25\",\"source\":"
        "\"s2\",\"confidence\":\"reported\",\"reason\":\"r\",\"correction\":\"HU was omitted\",\"members\":[\"FR\","
        "\"DE\",\"HU\"]}]}]}";
    tu_write(tu_path("replay.json"), doc);
    tu_write(tu_path("replay-fix.json"), fix);
    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "import", tu_path("replay.json"), NULL), 0);
    free(out);
    free(err);
    char moment[XC_TS_BUF];
    xc_ts_format(xc_ts_now(), moment);
    usleep(2000);
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "import", tu_path("replay-fix.json"), NULL), 0);
    assert_non_null(strstr(out, "1 correction"));
    free(out);
    free(err);

    const char *now[] = {"--db", db(), "list", "show", "il-cyber-replay", "--at", "2021-12-01", "--json", NULL};
    json_t *j = run_json(0, now);
    assert_true(member_in(json_object_get(j, "members"), "HU"));
    json_decref(j);
    const char *then[] = {"--db", db(), "list", "show", "il-cyber-replay", "--at", "2021-12-01",
                          "--as-recorded-at", moment, "--json", NULL};
    j = run_json(0, then);
    assert_false(member_in(json_object_get(j, "members"), "HU"));
    assert_int_equal(json_array_size(json_object_get(j, "members")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "as_recorded_at")), moment);
    json_decref(j);
    const char *hist[] = {"--db", db(), "list", "history", "il-cyber-replay", "--json", NULL};
    j = run_json(0, hist);
    json_t *v = json_object_get(j, "versions");
    assert_int_equal(json_array_size(v), 2);
    assert_true(json_is_true(json_object_get(json_array_get(v, 0), "superseded")));
    json_decref(j);
}

/* Run a command that must fail with exit 2 and a message containing want,
 * and check that the database file is byte-for-byte unchanged. */
static void expect_bad(const char *want, const char *const *argv)
{
    char *out, *err;
    tu_copy(db(), tu_path("before.db"));
    int rc = tu_runv(&out, &err, argv);
    if (rc != 2 || !strstr(err, want))
        fail_msg("exit %d (wanted 2), stderr lacks \"%s\": %s", rc, want, err);
    if (!tu_same_file(db(), tu_path("before.db")))
        fail_msg("database changed after a failed command (%s)", want);
    free(out);
    free(err);
}

static void test_bad_input(void **state)
{
    (void)state;
    const char *a1[] = {"--db", db(), "country", "show", "UK", NULL};
    expect_bad("GB", a1);
    const char *a2[] = {"--db", db(), "country", "show", "EL", NULL};
    expect_bad("GR", a2);
    const char *a3[] = {"--db", db(), "list", "show", "il-cyber-marketing", "--at", "2021-02-30", NULL};
    expect_bad("2021-02-30", a3);
    const char *a4[] = {"--db", db(), "list", "show", "no-such-list", NULL};
    expect_bad("no-such-list", a4);
    const char *a5[] = {"--db", db(), "list", "diff", "il-cyber-marketing", "--from", "2021-11-24", NULL};
    expect_bad("--to", a5);
    const char *a6[] = {"--db", db(), "list", "show", "il-cyber-marketing", "--bogus", NULL};
    expect_bad("--bogus", a6);

    tu_write(tu_path("overlap.json"),
             "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"ov\",\"title\":\"t\",\"authority\":\"a\","
             "\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":[{\"effective_from\":\"2021-01-01\","
             "\"effective_to\":\"2022-01-01\",\"source\":\"s\",\"confidence\":\"official\",\"reason\":\"r\","
             "\"members\":[\"FR\"]},{\"effective_from\":\"2021-06-01\",\"source\":\"s\",\"confidence\":\"official\","
             "\"reason\":\"r\",\"members\":[\"DE\"]}]}]}");
    const char *a7[] = {"--db", db(), "list", "import", tu_path("overlap.json"), NULL};
    expect_bad("overlapping", a7);

    size_t n;
    char *good = tu_read(tu_data("lists-basic.json"), &n);
    good[n / 2] = '\0'; /* truncated JSON */
    tu_write(tu_path("truncated.json"), good);
    free(good);
    const char *a8[] = {"--db", db(), "list", "import", tu_path("truncated.json"), NULL};
    expect_bad("truncated.json:", a8);

    tu_write(tu_path("badcountry.json"),
             "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"bc\",\"title\":\"t\",\"authority\":\"a\","
             "\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":[{\"effective_from\":\"2021-01-01\","
             "\"source\":\"s\",\"confidence\":\"official\",\"reason\":\"r\",\"members\":[\"FR\",\"UK\"]}]}]}");
    const char *a9[] = {"--db", db(), "list", "import", tu_path("badcountry.json"), NULL};
    expect_bad("$.lists[0].versions[0].members[1]", a9);

    const char *a10[] = {"--db", db(), "list", "import", tu_path("does-not-exist.json"), NULL};
    expect_bad("does-not-exist.json", a10);
    const char *a11[] = {"--db", db(), "list", "show", "il-cyber-marketing", "--as-recorded-at", "noon", NULL};
    expect_bad("noon", a11);
    const char *a12[] = {"--db", db(), "frobnicate", NULL};
    expect_bad("frobnicate", a12);

    /* --json errors are JSON too */
    const char *a13[] = {"--db", db(), "--json", "country", "show", "UK", NULL};
    json_t *j = run_json(2, a13);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid-input");
    assert_non_null(strstr(json_string_value(json_object_get(e, "message")), "GB"));
    json_decref(j);
}

static void test_import_twice_changes_nothing(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "import", tu_data("lists-basic.json"), NULL), 0);
    free(out);
    free(err);
    tu_copy(db(), tu_path("before.db"));
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "import", tu_data("lists-basic.json"), NULL), 0);
    assert_non_null(strstr(out, "0 recorded"));
    assert_true(tu_same_file(db(), tu_path("before.db")));
    free(out);
    free(err);
    /* members CSV */
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "import", tu_data("members.csv"), "--list", "test-list",
                            "--effective-from", "2023-01-01", "--source", "Test Gazette 2023/1", "--confidence",
                            "official", "--reason", "listed", NULL),
                     0);
    free(out);
    free(err);
    const char *bad[] = {"--db", db(), "list", "import", tu_data("members.csv"), "--list", "test-list",
                         "--effective-from", "2023-01-01", "--source", "other", "--confidence", "official",
                         "--reason", "listed", NULL};
    expect_bad("correction", bad);
}

static void test_export_import_round_trip(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "list", "export", "il-cyber-marketing", NULL), 0);
    tu_write(tu_path("export.json"), out);
    free(out);
    free(err);
    remove(tu_path("other.db"));
    assert_int_equal(tu_run(&out, &err, "--db", tu_path("other.db"), "list", "import", tu_path("export.json"), NULL), 0);
    assert_non_null(strstr(out, "0 recorded"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db(), "--csv", "list", "export", "il-cyber-marketing", "--at",
                            "2021-11-25", NULL),
                     0);
    int lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 38);
    assert_true(strncmp(out, "country,reason,source,confidence,since", 38) == 0);
    free(out);
    free(err);
}

static void test_country_show(void **state)
{
    (void)state;
    const char *argv[] = {"--db", db(), "--json", "country", "show", "Morocco", NULL};
    json_t *j = run_json(0, argv);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "country"), "alpha2")), "MA");
    size_t i;
    json_t *s;
    int found = 0;
    json_array_foreach(json_object_get(j, "lists"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "list")), "il-cyber-marketing") == 0) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(s, "to")), "2021-11-25");
            assert_true(json_is_object(json_object_get(s, "removal")));
        }
    }
    assert_true(found);
    json_decref(j);
    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "country", "show", "504", NULL), 0);
    assert_non_null(strstr(out, "MA MAR 504"));
    free(out);
    free(err);
}

static void test_help_everywhere(void **state)
{
    (void)state;
    static const char *const cmds[][2] = {{"list", "ls"},      {"list", "show"},     {"list", "diff"},
                                          {"list", "history"},  {"list", "import"},   {"list", "export"},
                                          {"country", "show"},  {"country", "ls"},    {"check", "--help"},
                                          {"item", "ls"},       {"item", "show"},     {"item", "import"},
                                          {"rules", "ls"},      {"rules", "show"},    {"rules", "import"},
                                          {"parties", "ls"},    {"parties", "import"}};
    char *out, *err;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        assert_int_equal(tu_run(&out, &err, cmds[i][0], cmds[i][1], "--help", NULL), 0);
        assert_non_null(strstr(out, "usage: exportctl"));
        free(out);
        free(err);
    }
    assert_int_equal(tu_run(&out, &err, "--help", NULL), 0);
    assert_non_null(strstr(out, "exit codes"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "list", "--help", NULL), 0);
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, NULL), 2);
    free(out);
    free(err);
}

static void test_db_path_env(void **state)
{
    (void)state;
    char *out, *err;
    remove(tu_path("env.db"));
    setenv("EXPORTCTL_DB", tu_path("env.db"), 1);
    assert_int_equal(tu_run(&out, &err, "--csv", "list", "show", "il-cyber-marketing", "--at", "2021-11-25", NULL), 0);
    unsetenv("EXPORTCTL_DB");
    assert_true(strncmp(out, "COUNTRY,NAME,SINCE,CONFIDENCE,REASON,SOURCE\r\n", 44) == 0);
    FILE *f = fopen(tu_path("env.db"), "rb");
    assert_non_null(f);
    fclose(f);
    free(out);
    free(err);
}

static void test_check_exit_codes_and_contract(void **state)
{
    (void)state;
    char *out, *err;
    /* marketing 4D004 to MA: exempt the day before the cut, licence after */
    assert_int_equal(tu_run(&out, &err, "--db", db(), "check", "--regime", "il", "--item", "4D004", "--to", "MA",
                            "--activity", "marketing", "--end-user-type", "government", "--date", "2021-11-24", NULL),
                     0);
    assert_non_null(strstr(out, "no-licence-required"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db(), "check", "--regime", "il", "--item", "4D004", "--to", "MA",
                            "--activity", "marketing", "--end-user-type", "government", "--date", "2021-11-26", NULL),
                     4);
    free(out);
    free(err);
    const char *nso[] = {"--db", db(), "--json", "check", "--regime", "us-ear", "--item", "4D004", "--to", "IL",
                         "--party", "NSO Group", "--end-user-type", "company", "--date", "2022-06-01", NULL};
    json_t *j = run_json(5, nso);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "licence-required-presumption-of-denial");
    static const char *const keys[] = {"outcome", "regime", "activity", "item", "destination", "date", "trace", "inputs"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_object_get(j, keys[i]))
            fail_msg("check --json lacks %s", keys[i]);
    assert_true(json_array_size(json_object_get(json_object_get(j, "inputs"), "party_snapshots")) >= 1);
    long long id = json_integer_value(json_object_get(j, "decision_id"));
    assert_true(id > 0);
    json_decref(j);
    /* replay */
    char ids[32];
    snprintf(ids, sizeof(ids), "%lld", id);
    const char *rep[] = {"--db", db(), "--json", "check", "--replay", ids, "--compare-now", NULL};
    j = run_json(5, rep);
    assert_true(json_is_true(json_object_get(json_object_get(j, "replay"), "identical")));
    assert_false(json_is_true(json_object_get(json_object_get(j, "now"), "changed")));
    json_decref(j);
    /* bad input: exit 2, database unchanged */
    const char *b1[] = {"--db", db(), "check", "--regime", "il", "--item", "4D099", "--to", "FR", NULL};
    expect_bad("4D099", b1);
    const char *b2[] = {"--db", db(), "check", "--regime", "xx", "--item", "4D004", "--to", "FR", NULL};
    expect_bad("\"xx\"", b2);
    const char *b3[] = {"--db", db(), "check", "--regime", "il", "--item", "4D004", "--to", "FR", "--date",
                        "2021-13-01", NULL};
    expect_bad("2021-13-01", b3);
    const char *b4[] = {"--db", db(), "check", "--regime", "il", "--item", "4D004", NULL};
    expect_bad("--to", b4);
    const char *b5[] = {"--db", db(), "check", "--replay", "999999", NULL};
    expect_bad("999999", b5);
}

static void test_check_batch(void **state)
{
    (void)state;
    tu_write(tu_path("deals.csv"), "regime,item,to,activity,end_user_type,parties,date\n"
                                   "il,4D004,MA,marketing,government,,2021-11-24\n"
                                   "il,4D004,MA,marketing,government,,2021-11-26\n"
                                   "il,4D099,FR,marketing,government,,2021-11-26\n"
                                   "us-ear,4D004,IL,export,company,NSO Group;Other Ltd,2022-06-01\n"
                                   "eu,4A005,US,export,company,,2022-06-01\n");
    char *out, *err;
    assert_int_equal(tu_run(&out, &err, "--db", db(), "check", "--batch", tu_path("deals.csv"), NULL), 2);
    assert_non_null(strstr(err, "deals.csv:4"));
    assert_non_null(strstr(err, "4D099"));
    assert_non_null(strstr(out, "2,il,4D004,MA,marketing,2021-11-24,no-licence-required"));
    assert_non_null(strstr(out, "3,il,4D004,MA,marketing,2021-11-26,licence-required"));
    assert_non_null(strstr(out, "licence-required-presumption-of-denial"));
    assert_non_null(strstr(out, "general-authorisation,EU001"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db(), "--json", "check", "--batch", tu_path("deals.csv"),
                            "--no-record", NULL),
                     2);
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        assert_non_null(json_object_get(o, "line"));
        assert_non_null(json_object_get(o, "outcome"));
        json_decref(o);
        lines++;
    }
    assert_int_equal(lines, 5);
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_cut),
        cmocka_unit_test(test_after_cut_contract),
        cmocka_unit_test(test_diff_across_cut),
        cmocka_unit_test(test_bitemporal_replay),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_import_twice_changes_nothing),
        cmocka_unit_test(test_export_import_round_trip),
        cmocka_unit_test(test_country_show),
        cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test(test_db_path_env),
        cmocka_unit_test(test_check_exit_codes_and_contract),
        cmocka_unit_test(test_check_batch),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
