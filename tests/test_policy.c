/*
 * test_policy.c: the policy engine on the bundled data in a real SQLite
 * file: the table of cases in tests/data/check-cases.csv (each row a deal
 * and its expected outcome), the JSON contract, replay after a list
 * change, rule-pack validation and bad requests.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controllist.h"
#include "csvrows.h"
#include "db.h"
#include "decision.h"
#include "mem.h"
#include "policy.h"
#include "registry.h"

static xc_store *store;

static int setup(void **state)
{
    (void)state;
    xc_error err;
    remove(tu_path("policy.db"));
    if (xc_db_open(tu_path("policy.db"), &store, &err))
        fail_msg("%s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xc_store_close(store);
    return 0;
}

typedef struct cases {
    xc_policy *p;
    int col[13];
    int n, failures;
} cases;

static const char *const case_cols[] = {"id",          "regime", "item", "to", "activity", "end_user_type",
                                        "end_user_flags", "parties", "risk_flags", "date", "expected_outcome",
                                        "expected_authorisation", "why"};

static size_t split(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (char *t = strtok(s, ";"); t && n < max; t = strtok(NULL, ";"))
        out[n++] = t;
    return n;
}

static int run_case(void *user, long line, int row, char **f, size_t n)
{
    cases *cs = user;
    if (row == 0) {
        for (int k = 0; k < 13; k++) {
            cs->col[k] = xc_csv_column(f, n, case_cols[k]);
            if (cs->col[k] < 0)
                fail_msg("check-cases.csv: missing column %s", case_cols[k]);
        }
        return 0;
    }
    char *v[13];
    for (int k = 0; k < 13; k++)
        v[k] = (size_t)cs->col[k] < n ? f[cs->col[k]] : "";
    xc_check_req req;
    xc_check chk;
    xc_error err;
    memset(&req, 0, sizeof(req));
    req.regime = v[1];
    req.item = v[2];
    req.destination = v[3];
    req.activity = v[4][0] ? v[4] : NULL;
    req.end_user_type = v[5][0] ? v[5] : NULL;
    req.n_end_user_flags = split(v[6], req.end_user_flags, XC_CHECK_MAX_FLAGS);
    req.n_parties = split(v[7], req.parties, XC_CHECK_MAX_PARTIES);
    req.n_risk_flags = split(v[8], req.risk_flags, XC_CHECK_MAX_FLAGS);
    if (xc_date_parse(v[9], &req.date, "date", &err))
        fail_msg("line %ld: %s", line, err.msg);
    if (xc_policy_prepare(cs->p, &req, &chk, &err))
        fail_msg("line %ld (%s): %s", line, v[0], err.msg);
    xc_policy_eval(cs->p, &chk);
    json_t *a = xc_check_json(cs->p, &chk);
    const char *got = json_string_value(json_object_get(a, "outcome"));
    const char *auth = json_string_value(json_object_get(a, "authorisation"));
    if (strcmp(got, v[10]) != 0 || strcmp(auth ? auth : "", v[11]) != 0) {
        cs->failures++;
        fprintf(stderr, "case %s (line %ld): got %s/%s, expected %s/%s (%s)\n", v[0], line, got, auth ? auth : "-",
                v[10], v[11][0] ? v[11] : "-", v[12]);
        size_t i;
        json_t *tr;
        json_array_foreach(json_object_get(a, "trace"), i, tr) fprintf(
            stderr, "    %-32s %-10s %s\n", json_string_value(json_object_get(tr, "rule")),
            json_string_value(json_object_get(tr, "state")), json_string_value(json_object_get(tr, "why")));
    }
    json_decref(a);
    cs->n++;
    return 0;
}

static void test_case_table(void **state)
{
    (void)state;
    cases cs;
    xc_error err;
    memset(&cs, 0, sizeof(cs));
    if (xc_policy_load(store, XC_TS_LATEST, &cs.p, &err))
        fail_msg("%s", err.msg);
    size_t len;
    char *text = tu_read(tu_data("check-cases.csv"), &len);
    assert_non_null(text);
    /* the file may carry # comment lines: blank them out */
    for (char *q = text; *q; q++)
        if ((q == text || q[-1] == '\n') && *q == '#')
            while (*q && *q != '\n')
                *q++ = ' ';
    if (xc_csv_rows(text, len, "check-cases.csv", run_case, &cs, &err))
        fail_msg("%s", err.msg);
    free(text);
    xc_policy_free(cs.p);
    printf("%d cases, %d failures\n", cs.n, cs.failures);
    assert_true(cs.n >= 40);
    assert_int_equal(cs.failures, 0);
}

static json_t *check(xc_policy *p, const char *regime, const char *item, const char *to, const char *activity,
                     const char *eut, const char *date, xc_check *chk)
{
    xc_check_req req;
    xc_error err;
    memset(&req, 0, sizeof(req));
    req.regime = regime;
    req.item = item;
    req.destination = to;
    req.activity = activity;
    req.end_user_type = eut;
    assert_int_equal(xc_date_parse(date, &req.date, "date", &err), 0);
    if (xc_policy_prepare(p, &req, chk, &err))
        fail_msg("%s", err.msg);
    xc_policy_eval(p, chk);
    return xc_check_json(p, chk);
}

static void test_json_contract(void **state)
{
    (void)state;
    xc_policy *p;
    xc_check chk;
    xc_error err;
    assert_int_equal(xc_policy_load(store, XC_TS_LATEST, &p, &err), 0);
    json_t *a = check(p, "il", "4D004", "MA", "marketing", "government", "2021-11-26", &chk);
    static const char *const keys[] = {"outcome", "regime", "activity", "item", "destination", "date", "trace", "inputs"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_object_get(a, keys[i]))
            fail_msg("missing key %s", keys[i]);
    assert_string_equal(json_string_value(json_object_get(a, "outcome")), "licence-required");
    assert_string_equal(json_string_value(json_object_get(a, "destination")), "MA");
    json_t *in = json_object_get(a, "inputs");
    assert_int_equal(strlen(json_string_value(json_object_get(json_object_get(in, "rule_pack"), "content_hash"))), 64);
    /* the trace names the list version it read, with its hash */
    int found = 0;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(in, "lists"), i, l) if (strcmp(json_string_value(json_object_get(l, "list")),
                                                                      "il-cyber-marketing") == 0)
    {
        found = 1;
        assert_string_equal(json_string_value(json_object_get(l, "effective_from")), "2021-11-25");
        assert_int_equal(strlen(json_string_value(json_object_get(l, "content_hash"))), 64);
    }
    assert_true(found);
    /* every rule is in the trace with a state */
    json_t *tr;
    json_array_foreach(json_object_get(a, "trace"), i, tr)
    {
        const char *st = json_string_value(json_object_get(tr, "state"));
        assert_true(strcmp(st, "fired") == 0 || strcmp(st, "not-fired") == 0 || strcmp(st, "skipped") == 0);
        assert_non_null(json_string_value(json_object_get(tr, "confidence")));
    }
    json_decref(a);
    xc_policy_free(p);
}

static void test_replay_after_list_change(void **state)
{
    (void)state;
    xc_policy *p;
    xc_check chk;
    xc_error err;
    int64_t id;
    assert_int_equal(xc_policy_load(store, XC_TS_LATEST, &p, &err), 0);
    json_t *a = check(p, "il", "4D004", "MA", "marketing", "government", "2021-11-24", &chk);
    assert_int_equal(chk.outcome, XC_OUTCOME_NLR);
    assert_int_equal(xc_store_begin(store, &err), 0);
    assert_int_equal(xc_decision_record_check(store, p, &chk, a, &id, &err), 0);
    assert_int_equal(xc_store_commit(store, &err), 0);
    json_decref(a);
    xc_policy_free(p);

    /* a correction: Morocco was not on the list before the cut after all */
    json_t *doc;
    assert_int_equal(xc_registry_export_json(store, "il-cyber-marketing", XC_TS_LATEST, &doc, &err), 0);
    json_t *v0 = json_array_get(json_object_get(json_array_get(json_object_get(doc, "lists"), 0), "versions"), 0);
    json_t *members = json_object_get(v0, "members"), *m;
    size_t i;
    json_array_foreach(members, i, m) if (strcmp(json_string_value(json_object_get(m, "country")), "MA") == 0)
    {
        json_array_remove(members, i);
        break;
    }
    json_object_del(v0, "content_hash");
    json_object_set_new(v0, "correction", json_string("test: MA was not on the 102-list"));
    char *text = json_dumps(doc, 0);
    if (xc_registry_import_json(store, text, strlen(text), "fix.json", NULL, &err))
        fail_msg("%s", err.msg);
    free(text);
    json_decref(doc);

    int identical;
    assert_int_equal(xc_decision_replay(store, id, 1, &a, &identical, &err), 0);
    assert_true(identical);
    assert_string_equal(json_string_value(json_object_get(a, "outcome")), "no-licence-required");
    json_t *now = json_object_get(a, "now");
    assert_string_equal(json_string_value(json_object_get(now, "outcome")), "licence-required");
    assert_true(json_is_true(json_object_get(now, "changed")));
    json_decref(a);
    assert_int_equal(xc_decision_replay(store, 999999, 0, &a, &identical, &err), XC_ENOTFOUND);
}

static void test_bad_requests(void **state)
{
    (void)state;
    xc_policy *p;
    xc_check chk;
    xc_error err;
    xc_check_req req;
    assert_int_equal(xc_policy_load(store, XC_TS_LATEST, &p, &err), 0);
    memset(&req, 0, sizeof(req));
    req.regime = "il";
    req.item = "4D005";
    req.destination = "FR";
    req.date = xc_date_from_ymd(2022, 1, 1);
    assert_int_equal(xc_policy_prepare(p, &req, &chk, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "4D005"));
    assert_non_null(strstr(err.msg, "4D004"));
    req.item = "4D004";
    req.regime = "fr";
    assert_int_equal(xc_policy_prepare(p, &req, &chk, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "\"fr\""));
    assert_non_null(strstr(err.msg, "us-ear"));
    req.regime = "us-ear";
    req.activity = "marketing";
    assert_int_equal(xc_policy_prepare(p, &req, &chk, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "marketing"));
    req.activity = NULL;
    req.destination = "UK";
    assert_int_equal(xc_policy_prepare(p, &req, &chk, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "GB"));
    req.destination = "FR";
    req.end_user_type = "army";
    assert_int_equal(xc_policy_prepare(p, &req, &chk, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "army"));
    xc_policy_free(p);
}

static void test_rule_pack_validation(void **state)
{
    (void)state;
    xc_error err;
    int rec;
    static const struct {
        const char *body, *want;
    } bad[] = {
        {"{\"format\":\"exportctl-rules/1\",\"regime\":\"x\",\"version\":\"1\",\"title\":\"t\",\"authority\":\"a\","
         "\"source\":\"s\",\"confidence\":\"official\",\"item_regime\":\"eu\",\"activities\":[\"export\"],"
         "\"default_activity\":\"export\",\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"effect\":\"require\","
         "\"outcome\":\"maybe\",\"when\":{},\"explain\":\"e\",\"citation\":\"c\",\"confidence\":\"official\"}]}",
         "maybe"},
        {"{\"format\":\"exportctl-rules/1\",\"regime\":\"x\",\"version\":\"1\",\"title\":\"t\",\"authority\":\"a\","
         "\"source\":\"s\",\"confidence\":\"official\",\"item_regime\":\"eu\",\"activities\":[\"export\"],"
         "\"default_activity\":\"export\",\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"effect\":\"require\","
         "\"outcome\":\"prohibited\",\"when\":{\"destination_in\":\"no-such-list\"},\"explain\":\"e\","
         "\"citation\":\"c\",\"confidence\":\"official\"}]}",
         "no-such-list"},
        {"{\"format\":\"exportctl-rules/1\",\"regime\":\"x\",\"version\":\"1\",\"title\":\"t\",\"authority\":\"a\","
         "\"source\":\"s\",\"confidence\":\"official\",\"item_regime\":\"eu\",\"activities\":[\"export\"],"
         "\"default_activity\":\"export\",\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"effect\":\"require\","
         "\"outcome\":\"prohibited\",\"when\":{\"destination_is\":\"FR\"},\"explain\":\"e\","
         "\"citation\":\"c\",\"confidence\":\"official\"}]}",
         "$.rules[0].when.destination_is"},
        {"{\"format\":\"exportctl-rules/1\",\"regime\":\"x\",\"version\":\"1\",\"title\":\"t\",\"authority\":\"a\","
         "\"source\":\"s\",\"confidence\":\"official\",\"item_regime\":\"eu\",\"activities\":[\"export\"],"
         "\"default_activity\":\"export\",\"rules\":[{\"id\":\"r\",\"title\":\"t\",\"effect\":\"authorise\","
         "\"outcome\":\"prohibited\",\"when\":{},\"explain\":\"e\",\"citation\":\"c\",\"confidence\":\"official\"}]}",
         "authorisation"},
        {"{\"format\":\"exportctl-rules/1\",\"regime\":\"x\"", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = xc_rules_import_json(store, bad[i].body, strlen(bad[i].body), "pack.json", &rec, &err);
        if (rc != XC_EINVAL || !strstr(err.msg, bad[i].want))
            fail_msg("case %zu: rc=%d %s (wanted %s)", i, rc, err.msg, bad[i].want);
    }
    /* re-importing a bundled pack records nothing */
    size_t len;
    char *text = tu_read(XC_SOURCE_DIR "/data/rules/il.json", &len);
    assert_non_null(text);
    assert_int_equal(xc_rules_import_json(store, text, len, "il.json", &rec, &err), 0);
    assert_int_equal(rec, 0);
    free(text);
}

static void test_replay_after_rule_pack_change(void **state)
{
    (void)state;
    xc_policy *p;
    xc_check chk;
    xc_error err;
    int64_t id;
    int rec, identical;
    assert_int_equal(xc_policy_load(store, XC_TS_LATEST, &p, &err), 0);
    json_t *a = check(p, "il", "4D004", "FR", "marketing", "government", "2022-06-01", &chk);
    assert_int_equal(chk.outcome, XC_OUTCOME_NLR);
    assert_int_equal(xc_store_begin(store, &err), 0);
    assert_int_equal(xc_decision_record_check(store, p, &chk, a, &id, &err), 0);
    assert_int_equal(xc_store_commit(store, &err), 0);
    json_decref(a);
    xc_policy_free(p);
    /* a new il pack in which the exemption no longer exists */
    size_t len;
    char *text = tu_read(XC_SOURCE_DIR "/data/rules/il.json", &len);
    json_error_t je;
    json_t *pack = json_loads(text, 0, &je), *r;
    free(text);
    size_t i;
    /* marketing always needs a licence: the exemption list no longer counts */
    json_array_foreach(json_object_get(pack, "rules"), i, r) if (strcmp(json_string_value(json_object_get(r, "id")),
                                                                        "il-marketing-licence") == 0)
    {
        json_object_del(json_object_get(r, "when"), "destination_not_in");
    }
    json_object_set_new(pack, "version", json_string("test.2"));
    text = json_dumps(pack, 0);
    if (xc_rules_import_json(store, text, strlen(text), "il-test.json", &rec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(rec, 1);
    free(text);
    json_decref(pack);
    assert_int_equal(xc_decision_replay(store, id, 1, &a, &identical, &err), 0);
    assert_true(identical);
    assert_string_equal(json_string_value(json_object_get(a, "outcome")), "no-licence-required");
    json_t *now = json_object_get(a, "now");
    assert_string_equal(json_string_value(json_object_get(now, "outcome")), "licence-required");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(now, "inputs"), "rule_pack"),
                                                          "version")),
                        "test.2");
    json_decref(a);
}

static void test_new_item_by_import(void **state)
{
    (void)state;
    xc_error err;
    int n, rec;
    const char *doc = "{\"format\":\"exportctl-items/1\",\"items\":[{\"code\":\"5A980\",\"title\":\"Devices "
                      "for surreptitious interception\",\"definition\":\"Devices primarily useful for the "
                      "surreptitious interception of wire, oral, or electronic communications\",\"source\":\"15 CFR "
                      "774 Supp. 1\",\"confidence\":\"official\",\"regimes\":[{\"regime\":\"us\",\"code\":"
                      "\"5A980\",\"effective_from\":\"1996-01-01\",\"reasons\":[\"AT1\"],\"flags\":"
                      "[\"all-destinations\"],\"source\":\"15 CFR 774 Supp. 1\",\"confidence\":\"official\"}]}]}";
    if (xc_items_import_json(store, doc, strlen(doc), "5a980.json", &n, &rec, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(rec, 1);
    xc_policy *p;
    xc_check chk;
    assert_int_equal(xc_policy_load(store, XC_TS_LATEST, &p, &err), 0);
    json_t *a = check(p, "us-ear", "5A980", "FR", NULL, "company", "2023-01-01", &chk);
    assert_int_equal(chk.outcome, XC_OUTCOME_LR); /* all destinations */
    json_decref(a);
    xc_policy_free(p);
    const char *bad = "{\"format\":\"exportctl-items/1\",\"items\":[{\"code\":\"5A 980\"}]}";
    assert_int_equal(xc_items_import_json(store, bad, strlen(bad), "bad.json", &n, &rec, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "$.items[0].code"));
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_table),        cmocka_unit_test(test_json_contract),
        cmocka_unit_test(test_bad_requests),      cmocka_unit_test(test_rule_pack_validation),
        cmocka_unit_test(test_replay_after_list_change), cmocka_unit_test(test_replay_after_rule_pack_change),
        cmocka_unit_test(test_new_item_by_import),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
