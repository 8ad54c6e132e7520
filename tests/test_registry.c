/*
 * test_registry.c: the registry on a real SQLite file: import, validation
 * errors, bitemporal queries, diffs, corrections, CSV members, country
 * history, export round trip, bundled data facts and allocation failures.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "registry.h"

static xc_date D(const char *s)
{
    xc_date d;
    assert_int_equal(xc_date_parse(s, &d, "test", NULL), 0);
    return d;
}

static xc_store *fresh_store(const char *name)
{
    xc_store *s = NULL;
    xc_error err;
    remove(tu_path(name));
    int rc = xc_store_open(tu_path(name), &s, &err);
    if (rc)
        fail_msg("%s", err.msg);
    return s;
}

static int import_text(xc_store *s, const char *text, xc_import_stats *st, xc_error *err)
{
    return xc_registry_import_json(s, text, strlen(text), "input.json", st, err);
}

static void import_file(xc_store *s, const char *path, xc_import_stats *st)
{
    size_t n;
    xc_error err;
    char *text = tu_read(path, &n);
    assert_non_null(text);
    int rc = xc_registry_import_json(s, text, n, path, st, &err);
    if (rc)
        fail_msg("%s", err.msg);
    free(text);
}

static void test_import_idempotent(void **state)
{
    (void)state;
    xc_store *s = fresh_store("idem.db");
    xc_import_stats st;
    import_file(s, tu_data("lists-basic.json"), &st);
    assert_int_equal(st.lists, 1);
    assert_int_equal(st.lists_recorded, 1);
    assert_int_equal(st.versions_recorded, 3);
    import_file(s, tu_data("lists-basic.json"), &st);
    assert_int_equal(st.versions_recorded, 0);
    assert_int_equal(st.versions_unchanged, 3);
    assert_int_equal(st.lists_recorded, 0);
    xc_store_close(s);
}

static void test_show_counts_and_since(void **state)
{
    (void)state;
    xc_store *s = fresh_store("show.db");
    xc_error err;
    xc_snapshot *snap;
    size_t n;
    import_file(s, tu_data("lists-basic.json"), NULL);

    assert_int_equal(xc_registry_show(s, "test-list", D("2019-12-31"), XC_TS_LATEST, &snap, &err), 0);
    assert_null(xc_snapshot_version(snap));
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 0);
    xc_snapshot_free(snap);

    assert_int_equal(xc_registry_show(s, "test-list", D("2020-06-01"), XC_TS_LATEST, &snap, &err), 0);
    const xc_member *m = xc_snapshot_members(snap, &n);
    assert_int_equal(n, 3);
    assert_int_equal(xc_version_declared(xc_snapshot_version(snap)), 5);
    assert_true(xc_snapshot_has(snap, "MA", &m));
    assert_int_equal(m->confidence, XC_CONF_REPORTED);
    assert_string_equal(m->source, "Test Times");
    assert_string_equal(m->reason, "listed in the 2020 notice");
    json_t *j = xc_snapshot_json(snap);
    assert_int_equal(json_integer_value(json_object_get(j, "declared_count")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "known_count")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "unknown_count")), 2);
    json_decref(j);
    xc_snapshot_free(snap);

    assert_int_equal(xc_registry_show(s, "test-list", D("2022-06-01"), XC_TS_LATEST, &snap, &err), 0);
    assert_true(xc_snapshot_has(snap, "FR", &m));
    assert_int_equal(m->since, D("2020-01-01"));
    assert_true(xc_snapshot_has(snap, "JP", &m));
    assert_int_equal(m->since, D("2022-01-01"));
    assert_false(xc_snapshot_has(snap, "MA", NULL));
    xc_snapshot_free(snap);

    assert_int_equal(xc_registry_show(s, "no-such-list", D("2022-06-01"), XC_TS_LATEST, &snap, &err), XC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no-such-list"));
    assert_int_equal(xc_registry_show(s, "Bad_Id", D("2022-06-01"), XC_TS_LATEST, &snap, &err), XC_EINVAL);
    xc_store_close(s);
}

static void test_diff(void **state)
{
    (void)state;
    xc_store *s = fresh_store("diff.db");
    xc_error err;
    xc_diff *d;
    size_t na, nr;
    import_file(s, tu_data("lists-basic.json"), NULL);
    assert_int_equal(xc_registry_diff(s, "test-list", D("2020-06-01"), D("2022-06-01"), XC_TS_LATEST, &d, &err), 0);
    const xc_change *a = xc_diff_added(d, &na), *r = xc_diff_removed(d, &nr);
    assert_int_equal(na, 1);
    assert_string_equal(a[0].m.country, "JP");
    assert_int_equal(a[0].date, D("2022-01-01"));
    assert_int_equal(nr, 1);
    assert_string_equal(r[0].m.country, "MA");
    assert_string_equal(r[0].m.reason, "human-rights concerns");
    assert_string_equal(r[0].m.source, "Test Times 2021-01-02");
    assert_int_equal(r[0].date, D("2021-01-01"));
    json_t *j = xc_diff_json(d);
    assert_int_equal(json_array_size(json_object_get(j, "added")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "removed")), 1);
    json_t *rm = json_array_get(json_object_get(j, "removed"), 0);
    assert_string_equal(json_string_value(json_object_get(rm, "country")), "MA");
    assert_non_null(json_object_get(rm, "reason"));
    assert_non_null(json_object_get(rm, "source"));
    assert_non_null(json_object_get(rm, "confidence"));
    assert_int_equal(json_integer_value(json_object_get(j, "unknown_count_change")), -2);
    json_decref(j);
    xc_diff_free(d);
    assert_int_equal(xc_registry_diff(s, "test-list", D("2022-06-01"), D("2020-06-01"), XC_TS_LATEST, &d, &err),
                     XC_EINVAL);
    xc_store_close(s);
}

static void test_diff_through_gap(void **state)
{
    (void)state;
    xc_store *s = fresh_store("gap.db");
    xc_error err;
    xc_diff *d;
    size_t nr;
    const char *doc = "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"gap-list\",\"title\":\"t\","
                      "\"authority\":\"a\",\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":["
                      "{\"effective_from\":\"2021-01-01\",\"effective_to\":\"2021-07-01\",\"source\":\"s\","
                      "\"confidence\":\"official\",\"reason\":\"r\",\"members\":[\"FR\",\"DE\"]},"
                      "{\"effective_from\":\"2022-01-01\",\"source\":\"s2\",\"confidence\":\"official\","
                      "\"reason\":\"r\",\"members\":[\"FR\"]}]}]}";
    if (import_text(s, doc, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(xc_registry_diff(s, "gap-list", D("2021-03-01"), D("2022-03-01"), XC_TS_LATEST, &d, &err), 0);
    const xc_change *r = xc_diff_removed(d, &nr);
    assert_int_equal(nr, 1);
    assert_string_equal(r[0].m.country, "DE");
    assert_int_equal(r[0].date, D("2021-07-01")); /* left when the list stopped, not in 2022 */
    assert_non_null(strstr(r[0].m.reason, "no version"));
    xc_diff_free(d);
    xc_store_close(s);
}

static const char *correction_doc(const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"test-list\",\"title\":\"Test list\","
             "\"authority\":\"Test authority\",\"legal_basis\":\"Test Act 2020\",\"purpose\":\"Fixtures for "
             "exportctl's tests\",\"versions\":[{\"effective_from\":\"2021-01-01\",\"source\":\"Test Gazette "
             "2021/1 (corrigendum)\",\"confidence\":\"official\",\"reason\":\"listed in the corrected 2021 notice\","
             "\"members\":[\"FR\",\"DE\",\"IT\"]%s}]}]}",
             extra);
    return buf;
}

static void test_correction_bitemporal(void **state)
{
    (void)state;
    xc_store *s = fresh_store("corr.db");
    xc_error err;
    xc_import_stats st;
    xc_snapshot *snap;
    import_file(s, tu_data("lists-basic.json"), NULL);
    int64_t before = xc_ts_now();

    assert_int_equal(import_text(s, correction_doc(""), &st, &err), XC_ECONFLICT);
    assert_non_null(strstr(err.msg, "correction"));
    assert_non_null(strstr(err.msg, "$.lists[0].versions[0]"));

    assert_int_equal(import_text(s, correction_doc(",\"correction\":\"IT omitted by mistake\""), &st, &err), 0);
    assert_int_equal(st.versions_recorded, 1);
    assert_int_equal(st.corrections, 1);

    assert_int_equal(xc_registry_show(s, "test-list", D("2021-06-01"), XC_TS_LATEST, &snap, &err), 0);
    assert_true(xc_snapshot_has(snap, "IT", NULL));
    assert_string_equal(xc_snapshot_version(snap)->correction, "IT omitted by mistake");
    xc_snapshot_free(snap);

    assert_int_equal(xc_registry_show(s, "test-list", D("2021-06-01"), before, &snap, &err), 0);
    assert_false(xc_snapshot_has(snap, "IT", NULL));
    size_t n;
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 2);
    xc_snapshot_free(snap);

    /* before anything was recorded the list did not exist */
    assert_int_equal(xc_registry_show(s, "test-list", D("2021-06-01"), before - 3600000000LL * 24 * 365 * 50, &snap,
                                      &err),
                     XC_ENOTFOUND);

    /* re-importing the original file after the correction records nothing */
    import_file(s, tu_data("lists-basic.json"), &st);
    assert_int_equal(st.versions_recorded, 0);
    assert_int_equal(st.versions_unchanged, 3);

    /* the same correction again is a no-op */
    assert_int_equal(import_text(s, correction_doc(",\"correction\":\"IT omitted by mistake\""), &st, &err), 0);
    assert_int_equal(st.versions_recorded, 0);

    json_t *h;
    assert_int_equal(xc_registry_history_json(s, "test-list", XC_TS_LATEST, &h, &err), 0);
    assert_int_equal(json_array_size(json_object_get(h, "versions")), 4);
    json_decref(h);
    xc_store_close(s);
}

typedef struct bad_case {
    const char *doc;
    const char *want1; /* substrings the message must contain */
    const char *want2;
} bad_case;

#define HEAD "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"x-list\",\"title\":\"t\",\"authority\":\"a\"," \
             "\"legal_basis\":\"b\",\"purpose\":\"p\",\"versions\":["
#define V(body) "{\"source\":\"s\",\"confidence\":\"official\",\"reason\":\"r\"," body "}"

static void test_validation_errors(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[\"UK\"]") "]}]}", "$.lists[0].versions[0].members[0]", "GB"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[\"EL\"]") "]}]}", "\"EL\"", "GR"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[{\"country\":\"FRA\"}]") "]}]}", "FRA", "FR"},
        {HEAD V("\"effective_from\":\"2021-02-30\",\"members\":[]") "]}]}", "2021-02-30", "effective_from"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[\"FR\",\"FR\"]") "]}]}", "FR", "twice"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"declared_count\":1,\"members\":[\"FR\",\"DE\"]") "]}]}", "declared", "2 members"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[\"FR\"],\"removed\":[{\"country\":\"FR\",\"reason\":\"x\"}]") "]}]}", "FR", "both"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[],\"removed\":[\"FR\"]") "]}]}", "removed[0]", "removal needs its own reason"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[{\"country\":\"FR\",\"confidence\":\"sure\"}]") "]}]}", "members[0].confidence", "sure"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[],\"recorded_at\":{}") "]}]}", "recorded_at", "expected a string"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[],\"colour\":1") "]}]}", "colour", "unknown field"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"confidence\":\"sure\",\"members\":[]") "]}]}", "duplicate", ""},
        {HEAD "{\"effective_from\":\"2021-01-01\",\"source\":\"s\",\"confidence\":\"sure\",\"members\":[]}]}]}", "sure", "official, reported or inferred"},
        {HEAD "{\"effective_from\":\"2021-01-01\",\"source\":\"s\",\"confidence\":\"official\",\"members\":[\"FR\"]}]}]}", "no reason", "FR"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[]") "," V("\"effective_from\":\"2021-01-01\",\"members\":[]") "]}]}", "overlapping", "2021-01-01"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"effective_to\":\"2022-06-01\",\"members\":[]") "," V("\"effective_from\":\"2022-01-01\",\"members\":[]") "]}]}", "overlapping", "2022-06-01"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"effective_to\":\"2020-06-01\",\"members\":[]") "]}]}", "effective_to", "not after"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[]"), "input.json:1:", "invalid JSON"},
        {"{\"format\":\"exportctl-lists/2\",\"lists\":[]}", "$.format", "exportctl-lists/2"},
        {"{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"Bad_Id\"}]}", "Bad_Id", "$.lists[0]"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[42]") "]}]}", "members[0]", "country"},
        {HEAD V("\"effective_from\":\"2021-01-01\",\"members\":[],\"content_hash\":\"abc\"") "]}]}", "content_hash", "abc"},
        {"[1,2]", "$", "expected an object"},
        {"", "input.json:1:", "invalid JSON"},
    };
    xc_store *s = fresh_store("bad.db");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        xc_error err;
        xc_error_clear(&err);
        int rc = import_text(s, cases[i].doc, NULL, &err);
        if (rc != XC_EINVAL || !strstr(err.msg, cases[i].want1) || !strstr(err.msg, cases[i].want2))
            fail_msg("case %zu: rc=%d msg=%s (wanted \"%s\" and \"%s\")", i, rc, err.msg, cases[i].want1,
                     cases[i].want2);
        assert_non_null(strstr(err.msg, "input.json"));
    }
    /* nothing was recorded by any of them */
    xc_list_summary *l;
    size_t n;
    xc_error err;
    assert_int_equal(xc_registry_lists(s, XC_TS_LATEST, &l, &n, &err), 0);
    assert_int_equal(n, 0);
    xc_list_summaries_free(l, n);
    xc_store_close(s);
}

static void test_overlap_with_recorded(void **state)
{
    (void)state;
    xc_store *s = fresh_store("overlap.db");
    xc_error err;
    import_file(s, tu_data("lists-basic.json"), NULL);
    const char *doc = "{\"format\":\"exportctl-lists/1\",\"lists\":[{\"id\":\"test-list\",\"title\":\"Test list\","
                      "\"authority\":\"Test authority\",\"legal_basis\":\"Test Act 2020\",\"purpose\":\"Fixtures "
                      "for exportctl's tests\",\"versions\":[{\"effective_from\":\"2020-06-01\",\"effective_to\":"
                      "\"2021-06-01\",\"source\":\"s\",\"confidence\":\"official\",\"reason\":\"r\",\"members\":[]}]}]}";
    assert_int_equal(import_text(s, doc, NULL, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "overlapping"));
    assert_non_null(strstr(err.msg, "2021-01-01"));
    xc_store_close(s);
}

static void test_members_csv(void **state)
{
    (void)state;
    xc_store *s = fresh_store("csv.db");
    xc_error err;
    xc_import_stats st;
    xc_snapshot *snap;
    const xc_member *m;
    import_file(s, tu_data("lists-basic.json"), NULL);
    size_t len;
    char *text = tu_read(tu_data("members.csv"), &len);
    xc_csv_version_opts o = {.list_id = "test-list",
                             .effective_from = "2023-01-01",
                             .declared_count = -1,
                             .source = "Test Gazette 2023/1",
                             .confidence = "reported",
                             .reason = "default reason"};
    int rc = xc_registry_import_members_csv(s, text, len, "members.csv", &o, &st, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_int_equal(st.versions_recorded, 1);
    assert_int_equal(xc_registry_show(s, "test-list", D("2023-02-01"), XC_TS_LATEST, &snap, &err), 0);
    assert_true(xc_snapshot_has(snap, "FR", &m));
    assert_string_equal(m->reason, "listed in the 2023 notice, item 1");
    assert_true(xc_snapshot_has(snap, "IT", &m));
    assert_string_equal(m->reason, "default reason");
    assert_int_equal(m->confidence, XC_CONF_REPORTED);
    assert_false(xc_snapshot_has(snap, "JP", NULL));
    xc_snapshot_free(snap);
    rc = xc_registry_import_members_csv(s, text, len, "members.csv", &o, &st, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(st.versions_recorded, 0);
    free(text);

    const char *bad = "country,reason\nFR,ok\nDE,ok\nUK,bad\n";
    o.effective_from = "2024-01-01";
    assert_int_equal(xc_registry_import_members_csv(s, bad, strlen(bad), "bad.csv", &o, NULL, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "bad.csv:4"));
    assert_non_null(strstr(err.msg, "GB"));
    const char *noheader = "FR,ok\n";
    assert_int_equal(xc_registry_import_members_csv(s, noheader, strlen(noheader), "nh.csv", &o, NULL, &err),
                     XC_EINVAL);
    assert_non_null(strstr(err.msg, "country"));
    const char *quote = "country,reason\nFR,\"unterminated\n";
    assert_int_equal(xc_registry_import_members_csv(s, quote, strlen(quote), "q.csv", &o, NULL, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "q.csv"));
    o.list_id = "missing-list";
    assert_int_equal(xc_registry_import_members_csv(s, bad, strlen(bad), "bad.csv", &o, NULL, &err), XC_ENOTFOUND);
    /* none of the failures recorded anything */
    assert_int_equal(xc_registry_show(s, "test-list", D("2024-06-01"), XC_TS_LATEST, &snap, &err), 0);
    assert_int_equal(xc_snapshot_version(snap)->effective_from, D("2023-01-01"));
    xc_snapshot_free(snap);
    xc_store_close(s);
}

static void test_country_history(void **state)
{
    (void)state;
    xc_store *s = fresh_store("country.db");
    xc_error err;
    xc_stint *st;
    size_t n;
    import_file(s, tu_data("lists-basic.json"), NULL);
    assert_int_equal(xc_registry_country(s, "MA", XC_TS_LATEST, &st, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(st[0].from, D("2020-01-01"));
    assert_int_equal(st[0].to, D("2021-01-01"));
    assert_string_equal(st[0].end.reason, "human-rights concerns");
    xc_stints_free(st, n);
    assert_int_equal(xc_registry_country(s, "FR", XC_TS_LATEST, &st, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(st[0].to, XC_DATE_NONE);
    xc_stints_free(st, n);
    assert_int_equal(xc_registry_country(s, "BR", XC_TS_LATEST, &st, &n, &err), 0);
    assert_int_equal(n, 0);
    xc_stints_free(st, n);
    xc_store_close(s);
}

static void test_export_round_trip(void **state)
{
    (void)state;
    xc_store *a = fresh_store("rt-a.db"), *b = fresh_store("rt-b.db");
    xc_error err;
    json_t *doc, *doc2;
    xc_import_stats st;
    import_file(a, tu_data("lists-basic.json"), NULL);
    assert_int_equal(import_text(a, correction_doc(",\"correction\":\"fix\""), NULL, &err), 0);
    assert_int_equal(xc_registry_export_json(a, "test-list", XC_TS_LATEST, &doc, &err), 0);
    char *text = json_dumps(doc, 0);
    if (import_text(b, text, &st, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(st.versions_recorded, 3);
    assert_int_equal(xc_registry_export_json(b, "test-list", XC_TS_LATEST, &doc2, &err), 0);
    json_t *va = json_object_get(json_array_get(json_object_get(doc, "lists"), 0), "versions");
    json_t *vb = json_object_get(json_array_get(json_object_get(doc2, "lists"), 0), "versions");
    assert_int_equal(json_array_size(va), json_array_size(vb));
    for (size_t i = 0; i < json_array_size(va); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(va, i), "content_hash")),
                            json_string_value(json_object_get(json_array_get(vb, i), "content_hash")));
    free(text);
    json_decref(doc);
    json_decref(doc2);
    xc_store_close(a);
    xc_store_close(b);
}

static int has_all(const xc_snapshot *snap, const char *const *codes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!xc_snapshot_has(snap, codes[i], NULL))
            return 0;
    return 1;
}

static void test_bundled_israel(void **state)
{
    (void)state;
    xc_store *s = NULL;
    xc_error err;
    xc_snapshot *snap;
    size_t n;
    remove(tu_path("bundle.db"));
    if (xc_db_open(tu_path("bundle.db"), &s, &err))
        fail_msg("%s", err.msg);
    static const char *const dropped[] = {"MA", "SA", "AE", "MX", "AZ"};
    assert_int_equal(xc_registry_show(s, "il-cyber-marketing", D("2021-11-24"), XC_TS_LATEST, &snap, &err), 0);
    assert_true(has_all(snap, dropped, 5));
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 42);
    assert_int_equal(xc_version_declared(xc_snapshot_version(snap)), 102);
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "il-cyber-marketing", D("2021-11-25"), XC_TS_LATEST, &snap, &err), 0);
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 37);
    assert_int_equal(xc_version_declared(xc_snapshot_version(snap)), 37);
    assert_false(xc_snapshot_has(snap, "HU", NULL));
    assert_false(xc_snapshot_has(snap, "PL", NULL));
    assert_false(xc_snapshot_has(snap, "MA", NULL));
    assert_true(xc_snapshot_has(snap, "FR", NULL));
    assert_true(xc_snapshot_has(snap, "IN", NULL));
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "il-cyber-marketing", D("2022-02-01"), XC_TS_LATEST, &snap, &err), 0);
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 37);
    assert_int_equal(xc_version_declared(xc_snapshot_version(snap)), 38);
    xc_snapshot_free(snap);
    /* US EAR groups: the 2021 differences */
    assert_int_equal(xc_registry_show(s, "us-ear-d5", D("2021-11-25"), XC_TS_LATEST, &snap, &err), 0);
    assert_true(xc_snapshot_has(snap, "CY", NULL));
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "us-ear-d5", D("2026-08-01"), XC_TS_LATEST, &snap, &err), 0);
    assert_false(xc_snapshot_has(snap, "CY", NULL));
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "us-ear-a5", D("2021-11-25"), XC_TS_LATEST, &snap, &err), 0);
    assert_false(xc_snapshot_has(snap, "AE", NULL));
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "us-ear-e1", D("2026-08-01"), XC_TS_LATEST, &snap, &err), 0);
    static const char *const e1[] = {"IR", "KP", "SY"};
    assert_true(has_all(snap, e1, 3));
    xc_snapshot_members(snap, &n);
    assert_int_equal(n, 3);
    xc_snapshot_free(snap);
    assert_int_equal(xc_registry_show(s, "eu-eu001", D("2022-01-01"), XC_TS_LATEST, &snap, &err), 0);
    static const char *const eu001[] = {"AU", "CA", "IS", "JP", "NZ", "NO", "CH", "LI", "GB", "US"};
    assert_true(has_all(snap, eu001, 10));
    xc_snapshot_free(snap);
    xc_store_close(s);
    /* reopening loads nothing again */
    int loaded = 1;
    assert_int_equal(xc_store_open(tu_path("bundle.db"), &s, &err), 0);
    assert_int_equal(xc_db_load_bundle(s, &loaded, &err), 0);
    assert_int_equal(loaded, 0);
    xc_store_close(s);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_read(tu_data("lists-basic.json"), &len);
    int succeeded = 0;
    for (long n = 0; n < 100000 && !succeeded; n += (n < 400 ? 1 : 37)) {
        char name[64];
        snprintf(name, sizeof(name), "alloc-%ld.db", n);
        xc_store *s = NULL;
        xc_error err;
        remove(tu_path(name));
        xc_mem_fail_after(n);
        int rc = xc_store_open(tu_path(name), &s, &err);
        if (rc == XC_OK)
            rc = xc_registry_import_json(s, text, len, "f.json", NULL, &err);
        xc_snapshot *snap = NULL;
        if (rc == XC_OK)
            rc = xc_registry_show(s, "test-list", D("2022-06-01"), XC_TS_LATEST, &snap, &err);
        xc_diff *d = NULL;
        if (rc == XC_OK)
            rc = xc_registry_diff(s, "test-list", D("2020-06-01"), D("2022-06-01"), XC_TS_LATEST, &d, &err);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        if (rc != XC_OK)
            assert_true(rc == XC_ENOMEM || rc == XC_EDB || rc == XC_EINVAL);
        succeeded = rc == XC_OK && failures == 0;
        xc_diff_free(d);
        xc_snapshot_free(snap);
        xc_store_close(s);
        remove(tu_path(name));
    }
    assert_true(succeeded);
    free(text);
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_idempotent),  cmocka_unit_test(test_show_counts_and_since),
        cmocka_unit_test(test_diff),               cmocka_unit_test(test_correction_bitemporal),
        cmocka_unit_test(test_diff_through_gap),
        cmocka_unit_test(test_validation_errors),  cmocka_unit_test(test_overlap_with_recorded),
        cmocka_unit_test(test_members_csv),        cmocka_unit_test(test_country_history),
        cmocka_unit_test(test_export_round_trip),  cmocka_unit_test(test_bundled_israel),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
