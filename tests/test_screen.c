/*
 * test_screen.c: screening on a real SQLite file: the bundled Entity List
 * entries found through legal-form noise and across scripts, no hit for
 * unrelated companies, fail-closed (no list, a stale list), the allow-list
 * and its expiry, candidate generation that does not scan every name, and
 * an index swapped while two threads keep querying.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "mem.h"
#include "screen.h"

static xc_store *store;
static xc_party_snapshot *snaps;
static size_t n_snaps;

static int setup(void **state)
{
    (void)state;
    xc_error err;
    remove(tu_path("screen.db"));
    if (xc_db_open(tu_path("screen.db"), &store, &err) || xc_normalize_init(&err) ||
        xc_parties_load(store, XC_TS_LATEST, &snaps, &n_snaps, &err))
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xc_parties_free(snaps, n_snaps);
    xc_store_close(store);
    return 0;
}

static xc_date D(const char *s)
{
    xc_date d;
    assert_int_equal(xc_date_parse(s, &d, "date", NULL), 0);
    return d;
}

/* Screen one name on a date against the bundled lists; returns the hit count. */
static size_t screen(const char *name, const char *date, const xc_allow *allow, size_t n_allow, xc_screen_result *res)
{
    xc_screen_index *idx;
    xc_screen_scratch *sc;
    xc_error err;
    if (xc_screen_index_build(snaps, n_snaps, D(date), &idx, &err) || xc_screen_scratch_new(idx, &sc, &err))
        fail_msg("%s", err.msg);
    xc_screen_opts o = {.threshold = -1, .at = D(date), .allow = allow, .n_allow = n_allow};
    if (xc_screen_query(idx, sc, name, &o, res, &err))
        fail_msg("%s", err.msg);
    size_t n = res->n_hits;
    /* the JSON form names the snapshot and the matcher */
    json_t *j = xc_screen_result_json(idx, res);
    assert_string_equal(json_string_value(json_object_get(j, "matcher_version")), XC_MATCHER_VERSION);
    assert_true(json_array_size(json_object_get(j, "snapshots")) >= 1);
    json_decref(j);
    xc_screen_scratch_free(sc);
    xc_screen_index_free(idx);
    return n;
}

static void test_finds_listed_names(void **state)
{
    (void)state;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    assert_true(screen("NSO GROUP TECHNOLOGIES LTD.", "2022-01-01", NULL, 0, res) >= 1);
    assert_string_equal(res->hits[0].entry->name, "NSO Group");
    assert_true(screen("Позитив Текнолоджиз", "2022-01-01", NULL, 0, res) >= 1);
    int found = 0;
    for (size_t i = 0; i < res->n_hits; i++)
        found |= strstr(res->hits[i].entry->name, "ositive Technologies") != NULL ||
                 strstr(res->hits[i].entry->name, "POZITIV") != NULL || strstr(res->hits[i].entry->name, "Pozitiv");
    assert_true(found);
    assert_true(screen("Saito Tech Ltd", "2022-01-01", NULL, 0, res) >= 1);
    assert_non_null(strstr(res->hits[0].entry->name, "Candiru"));
    assert_true(screen("COSEINC", "2022-01-01", NULL, 0, res) >= 1);
    assert_int_equal(screen("Apple Inc.", "2022-01-01", NULL, 0, res), 0);
    assert_int_equal(screen("Meta Platforms", "2022-01-01", NULL, 0, res), 0);
    assert_int_equal(screen("Acme Trading Ltd", "2022-01-01", NULL, 0, res), 0);
    /* before 2021-11-04 NSO Group was not listed */
    assert_int_equal(screen("NSO Group", "2021-10-01", NULL, 0, res), 0);
    xc_free(res);
}

static void test_fail_closed(void **state)
{
    (void)state;
    xc_screen_index *idx = NULL;
    xc_error err;
    /* no snapshot in force */
    assert_int_equal(xc_screen_index_build(snaps, n_snaps, D("2020-01-01"), &idx, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "no party list"));
    assert_int_equal(xc_screen_index_build(NULL, 0, D("2022-01-01"), &idx, &err), XC_EINVAL);
    /* a snapshot older than its maximum age */
    xc_store *s;
    xc_party_snapshot *sn;
    size_t n;
    int k, rec;
    remove(tu_path("stale.db"));
    assert_int_equal(xc_store_open(tu_path("stale.db"), &s, &err), 0);
    const char *doc = "{\"format\":\"exportctl-parties/1\",\"list\":{\"id\":\"test-list\",\"title\":\"t\",\"authority\":"
                      "\"a\"},\"snapshots\":[{\"list_date\":\"2026-01-01\",\"source\":\"s\",\"confidence\":\"official\","
                      "\"max_age_days\":30,\"entries\":[{\"id\":\"e1\",\"name\":\"Example Surveillance Ltd\"}]}]}";
    if (xc_parties_import_json(s, doc, strlen(doc), "stale.json", &k, &rec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(xc_parties_load(s, XC_TS_LATEST, &sn, &n, &err), 0);
    assert_int_equal(xc_screen_index_build(sn, n, D("2026-01-20"), &idx, &err), XC_OK);
    xc_screen_index_free(idx);
    assert_int_equal(xc_screen_index_build(sn, n, D("2026-11-25"), &idx, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "maximum age of 30 days"));
    xc_parties_free(sn, n);
    xc_store_close(s);
}

static void test_allow_list_expiry(void **state)
{
    (void)state;
    xc_error err;
    xc_allow *a;
    size_t n;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    assert_int_equal(xc_allow_add(store, "NSO Group Technologies Ltd.", "us-entity-list", "us-el-nso-group",
                                  "test: a different company of the same name", "tester", D("2023-01-01"), &err),
                     0);
    assert_int_equal(xc_allow_load(store, XC_TS_LATEST, &a, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(screen("NSO Group Technologies Ltd.", "2022-06-01", a, n, res), 0);
    assert_int_equal(res->n_suppressed, 1);
    assert_string_equal(res->suppressed[0].allowed->who, "tester");
    /* other spellings are not cleared */
    assert_true(screen("NSO Group", "2022-06-01", a, n, res) >= 1);
    /* expired */
    assert_true(screen("NSO Group Technologies Ltd.", "2023-06-01", a, n, res) >= 1);
    assert_int_equal(res->n_suppressed, 0);
    xc_allow_free(a, n);
    assert_int_equal(xc_allow_add(store, "", "us-entity-list", "x", "r", "w", XC_DATE_NONE, &err), XC_EINVAL);
    xc_free(res);
}

/* A snapshot of n synthetic companies "<syllables> Trading" with distinct names. */
static void synthetic(xc_store *s, int n)
{
    static const char *const syl[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "do", "fu", "gi", "ha"};
    json_t *entries = json_array();
    unsigned seed = 12345;
    for (int i = 0; i < n; i++) {
        char name[64] = "", id[16];
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245 + 12345;
            strcat(name, syl[(seed >> 16) % 14]);
        }
        snprintf(name + strlen(name), sizeof(name) - strlen(name), " %c%c%c Holdings", 'a' + i % 26,
                 'a' + (i / 26) % 26, 'a' + (i / 676) % 26);
        snprintf(id, sizeof(id), "s%d", i);
        json_array_append_new(entries, json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "type", "entity"));
    }
    json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s, s:o}]}", "format", "exportctl-parties/1",
                            "list", "id", "synthetic", "title", "t", "authority", "a", "snapshots", "list_date",
                            "2022-01-01", "source", "generated", "confidence", "inferred", "entries", entries);
    char *text = json_dumps(doc, 0);
    xc_error err;
    int k, rec;
    if (xc_parties_import_json(s, text, strlen(text), "synthetic.json", &k, &rec, &err))
        fail_msg("%s", err.msg);
    free(text);
    json_decref(doc);
}

static void test_candidates_not_a_scan(void **state)
{
    (void)state;
    xc_store *s;
    xc_error err;
    xc_party_snapshot *sn;
    size_t n;
    remove(tu_path("synthetic.db"));
    assert_int_equal(xc_store_open(tu_path("synthetic.db"), &s, &err), 0);
    synthetic(s, 20000);
    assert_int_equal(xc_parties_load(s, XC_TS_LATEST, &sn, &n, &err), 0);
    xc_screen_index *idx;
    xc_screen_scratch *sc;
    assert_int_equal(xc_screen_index_build(sn, n, D("2022-06-01"), &idx, &err), 0);
    assert_int_equal(xc_screen_index_names(idx), 20000);
    assert_int_equal(xc_screen_scratch_new(idx, &sc, &err), 0);
    xc_screen_result *res = xc_malloc(sizeof(*res));
    xc_screen_opts o = {.threshold = -1, .at = D("2022-06-01")};
    const char *name = sn[0].entries[777].name;
    assert_int_equal(xc_screen_query(idx, sc, name, &o, res, &err), 0);
    assert_true(res->n_hits >= 1);
    assert_string_equal(res->hits[0].entry->id, "s777");
    assert_true(res->candidates <= 96);
    assert_true(res->candidates < 20000 / 10);
    xc_free(res);
    xc_screen_scratch_free(sc);
    xc_screen_index_free(idx);
    xc_parties_free(sn, n);
    xc_store_close(s);
}

typedef struct reader {
    xc_screener *scr;
    int queries, hits;
} reader;

static void *read_loop(void *arg)
{
    reader *r = arg;
    xc_screen_result *res = xc_malloc(sizeof(*res));
    xc_error err;
    for (int i = 0; i < 300; i++) {
        const xc_screen_index *idx = xc_screener_acquire(r->scr);
        xc_screen_scratch *sc = NULL;
        xc_screen_opts o = {.threshold = -1, .at = D("2022-06-01")};
        if (xc_screen_scratch_new(idx, &sc, &err) == XC_OK &&
            xc_screen_query(idx, sc, "NSO Group", &o, res, &err) == XC_OK) {
            r->queries++;
            r->hits += res->n_hits > 0;
        }
        xc_screen_scratch_free(sc);
        xc_screener_release(r->scr, idx);
    }
    xc_free(res);
    return NULL;
}

static void test_atomic_refresh(void **state)
{
    (void)state;
    xc_error err;
    xc_screen_index *idx;
    xc_screener *scr;
    assert_int_equal(xc_screen_index_build(snaps, n_snaps, D("2022-06-01"), &idx, &err), 0);
    assert_int_equal(xc_screener_new(idx, &scr, &err), 0);
    reader r[2] = {{scr, 0, 0}, {scr, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, read_loop, &r[i]), 0);
    for (int i = 0; i < 50; i++) {
        xc_screen_index *fresh;
        assert_int_equal(xc_screen_index_build(snaps, n_snaps, D("2022-06-01"), &fresh, &err), 0);
        xc_screener_swap(scr, fresh);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    xc_screener_free(scr);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].queries, 300);
        assert_int_equal(r[i].hits, 300);
    }
}

static void test_cli_screen(void **state)
{
    (void)state;
    char *out, *err;
    const char *db = tu_path("screen-cli.db");
    remove(db);
    assert_int_equal(tu_run(&out, &err, "--db", db, "screen", "NSO Group Technologies Ltd.", "--date", "2022-01-01", NULL),
                     3);
    assert_non_null(strstr(out, "NSO Group"));
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db, "screen", "Meta Platforms", "--date", "2022-01-01", NULL), 0);
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db, "screen", "NSO Group", "--date", "2020-01-01", NULL), 2);
    assert_non_null(strstr(err, "screening refused"));
    free(out);
    free(err);
    tu_write(tu_path("names.csv"), "id,name\n1,NSO Group\n2,Meta Platforms\n3,\"Candiru, Ltd.\"\n");
    assert_int_equal(tu_run(&out, &err, "--db", db, "screen", "--batch", tu_path("names.csv"), "--date", "2022-01-01",
                            NULL),
                     0);
    int lines = 0;
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"), lines++) {
        json_error_t je;
        json_t *o = json_loads(l, 0, &je);
        assert_non_null(o);
        assert_int_equal(json_integer_value(json_object_get(o, "row")), lines + 1);
        assert_non_null(json_object_get(o, "query"));
        assert_int_equal(json_array_size(json_object_get(o, "hits")), lines == 1 ? 0 : 1);
        json_decref(o);
    }
    assert_int_equal(lines, 3);
    free(out);
    free(err);
    assert_int_equal(tu_run(&out, &err, "--db", db, "--json", "match", "NSO GROUP TECHNOLOGIES LTD.", "NSO Group", NULL),
                     0);
    json_error_t je;
    json_t *m = json_loads(out, 0, &je);
    assert_non_null(m);
    assert_true(json_is_true(json_object_get(m, "match")));
    assert_true(json_is_number(json_object_get(m, "score")));
    assert_true(json_is_number(json_object_get(m, "threshold")));
    assert_non_null(json_object_get(m, "explanation"));
    json_decref(m);
    free(out);
    free(err);
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_listed_names),   cmocka_unit_test(test_fail_closed),
        cmocka_unit_test(test_allow_list_expiry),    cmocka_unit_test(test_candidates_not_a_scan),
        cmocka_unit_test(test_atomic_refresh),       cmocka_unit_test(test_cli_screen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
