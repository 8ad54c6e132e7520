/*
 * test_licence.c: the licensing workflow on real SQLite files (opened with
 * xc_db_open, so the bundled lists, rules, parties and licensing table are
 * loaded) and through the real exportctl binary: the whole lifecycle from
 * draft to licence with every status, role rules, four-eyes, refusal
 * criteria, the marketing-licence dependency, licence transitions and
 * amendments, the impact of the 2021-11-25 il-cyber-marketing change with
 * bulk suspension (and a failing apply that changes nothing), and bad input
 * naming the field.
 */
#include "testutil.h"
#include "testlib.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "docs.h"
#include "licence.h"
#include "mem.h"
#include "policy.h"
#include "registry.h"

/* ---- helpers -------------------------------------------------------------------------- */

/* Users: admin (bootstrap), officers olga and oscar, auditor audrey,
 * exporters eve (acme) and mallory (other). */
static void actors(xc_store *s)
{
    xc_error err;
    OK(xc_user_add(s, "bootstrap", "admin", "admin", NULL, &err));
    OK(xc_org_add(s, "admin", "acme", "Acme Cyber Ltd", "IL", &err));
    OK(xc_org_add(s, "admin", "other", "Other Ltd", "Israel", &err));
    OK(xc_user_add(s, "admin", "olga", "officer", NULL, &err));
    OK(xc_user_add(s, "admin", "oscar", "officer", NULL, &err));
    OK(xc_user_add(s, "admin", "audrey", "auditor", NULL, &err));
    OK(xc_user_add(s, "admin", "eve", "exporter", "acme", &err));
    OK(xc_user_add(s, "admin", "mallory", "exporter", "other", &err));
}

static json_t *fields(const char *type, const char *regime, const char *org, const char *item, const char *to,
                      const char *eu_name, const char *eu_type, const char *date)
{
    json_t *f = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:[{s:s, s:s, s:s}], s:s, s:{s:i, s:s}, s:s}", "type", type,
                          "regime", regime, "exporter", org, "items", item, "destination", to, "end_users", "name",
                          eu_name, "country", to, "type", eu_type, "end_use", "investigation of serious crime", "value",
                          "amount", 100000, "currency", "USD", "date", date);
    assert_non_null(f);
    return f;
}

static void create(xc_store *s, const char *actor, json_t *f, char id[32])
{
    xc_error err;
    OK(xc_app_create(s, actor, f, id, &err));
    json_decref(f);
}

static const char *status_of(xc_store *s, const char *kind, const char *id)
{
    static char buf[4][32];
    static int k;
    json_t *d = NULL;
    xc_error err;
    if (strcmp(kind, "application") == 0)
        OK(xc_app_get(s, id, 0, &d, &err));
    else
        OK(xc_licence_get(s, id, 0, &d, &err));
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s", js(d, "status"));
    json_decref(d);
    return buf[k];
}

/* Create, submit, review and approve; returns the licence id. */
static void licensed(xc_store *s, json_t *f, json_t *terms, char app[32], char lic[32])
{
    xc_error err;
    json_t *a = NULL;
    create(s, "eve", f, app);
    OK(xc_app_submit(s, "eve", app, NULL, &err));
    OK(xc_app_review(s, "olga", app, NULL, &err));
    OK(xc_app_approve(s, "oscar", app, terms, &a, &err));
    assert_string_equal(js(a, "status"), "approved");
    snprintf(lic, 32, "%s", js(a, "licence"));
    json_decref(a);
}

static xc_date D(const char *s)
{
    xc_date d;
    assert_int_equal(xc_date_parse(s, &d, "date", NULL), 0);
    return d;
}

/* ---- the lifecycle ------------------------------------------------------------------------- */

static void test_lifecycle(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("life.db");
    xc_error err;
    char app[32], app2[32], app3[32], lic[32];
    json_t *a = NULL, *l = NULL, *j = NULL;
    actors(s);

    /* draft -> submitted -> under-review -> approved, with a licence */
    create(s, "eve", fields("export", "il", "acme", "4d004", "France", "Ministry of the Interior", "government",
                            "2021-09-01"), app);
    assert_string_equal(app, "APP-000001");
    assert_string_equal(status_of(s, "application", app), "draft");
    OK(xc_app_submit(s, "eve", app, &a, &err));
    assert_string_equal(js(a, "status"), "submitted");
    assert_string_equal(js(a, "outcome"), "licence-required");
    json_t *checks = json_object_get(a, "checks");
    assert_int_equal(json_array_size(checks), 2); /* il: marketing and export */
    assert_string_equal(js(json_array_get(checks, 0), "item"), "4D004"); /* canonical code */
    assert_string_equal(js(json_array_get(checks, 0), "activity"), "marketing");
    assert_string_equal(js(json_array_get(checks, 0), "outcome"), "no-licence-required");
    assert_string_equal(js(json_array_get(checks, 1), "outcome"), "licence-required");
    /* each check is a stored, replayable decision */
    int64_t did = json_integer_value(json_object_get(json_array_get(checks, 1), "decision_id"));
    xc_decision dec;
    OK(xc_store_decision_get(s, did, &dec, &err));
    assert_non_null(strstr(dec.result, "licence-required"));
    xc_decision_clear(&dec);
    json_t *scr = json_object_get(a, "screening");
    assert_non_null(scr);
    assert_int_equal(json_integer_value(json_object_get(scr, "hits")), 0);
    assert_true(json_array_size(json_object_get(scr, "snapshots")) > 0);
    assert_false(json_is_true(json_object_get(json_object_get(a, "four_eyes"), "required")));
    json_decref(a);
    OK(xc_app_review(s, "olga", app, NULL, &err));
    assert_string_equal(status_of(s, "application", app), "under-review");
    json_t *terms = json_pack("{s:s, s:[s], s:s}", "valid_until", "2023-08-31", "conditions", "annual report",
                              "note", "fine");
    OK(xc_app_approve(s, "oscar", app, terms, &a, &err));
    json_decref(terms);
    assert_string_equal(js(a, "status"), "approved");
    snprintf(lic, sizeof(lic), "%s", js(a, "licence"));
    assert_string_equal(lic, "LIC-000001");
    json_decref(a);

    OK(xc_licence_get(s, lic, 0, &l, &err));
    assert_string_equal(js(l, "status"), "active");
    assert_string_equal(js(l, "valid_from"), "2021-09-01");
    assert_string_equal(js(l, "valid_until"), "2023-08-31");
    assert_string_equal(js(l, "application"), app);
    char conds[1024];
    char *cj = json_dumps(json_object_get(l, "conditions"), 0);
    snprintf(conds, sizeof(conds), "%s", cj);
    free(cj);
    assert_non_null(strstr(conds, "annual report"));
    assert_non_null(strstr(conds, "serious crime and terrorism")); /* from the check */
    assert_int_equal(json_array_size(json_object_get(l, "outcomes")), 2);
    json_decref(l);

    /* active -> suspended -> active -> amended -> surrendered (by its exporter) */
    OK(xc_licence_act(s, "olga", lic, "suspend", "inquiry", NULL, &l, &err));
    assert_string_equal(js(l, "status"), "suspended");
    assert_int_equal(json_array_size(json_object_get(l, "notices")), 1);
    json_decref(l);
    OK(xc_licence_act(s, "oscar", lic, "reinstate", "inquiry closed", NULL, NULL, &err));
    assert_string_equal(status_of(s, "licence", lic), "active");
    json_t *ch = json_pack("{s:s, s:[s]}", "valid_until", "2024-08-31", "add_conditions", "quarterly report");
    OK(xc_licence_amend(s, "olga", lic, ch, "extension requested", &l, &err));
    json_decref(ch);
    assert_string_equal(js(l, "valid_until"), "2024-08-31");
    assert_int_equal(json_integer_value(json_object_get(l, "amendment")), 1);
    json_decref(l);
    OK(xc_licence_get(s, lic, 1, &l, &err));
    json_t *hist = json_object_get(l, "history");
    assert_int_equal(json_integer_value(json_object_get(l, "versions")), 4);
    assert_int_equal(json_array_size(hist), 4);
    /* the amendment is a new version: the original terms are still there */
    assert_string_equal(js(json_array_get(hist, 0), "valid_until"), "2023-08-31");
    assert_string_equal(js(json_array_get(hist, 0), "action"), "issue");
    assert_string_equal(js(json_array_get(hist, 3), "action"), "amend");
    assert_string_equal(js(json_array_get(hist, 3), "reason"), "extension requested");
    json_decref(l);

    /* expired is computed from valid_until */
    OK(xc_licences_json(s, "expired", D("2024-09-01"), &j, &err));
    assert_int_equal(json_array_size(json_object_get(j, "licences")), 1);
    json_decref(j);
    OK(xc_licences_json(s, "active", D("2024-08-31"), &j, &err));
    assert_int_equal(json_array_size(json_object_get(j, "licences")), 1);
    json_decref(j);

    OK(xc_licence_act(s, "eve", lic, "surrender", "no longer needed", NULL, NULL, &err));
    assert_string_equal(status_of(s, "licence", lic), "surrendered");
    FAILS(XC_ECONFLICT, "surrendered", xc_licence_act(s, "olga", lic, "reinstate", "x", NULL, NULL, &err));

    /* withdrawn and refused */
    create(s, "eve", fields("export", "il", "acme", "4D004", "JP", "National Police Agency", "government",
                            "2021-09-01"), app2);
    OK(xc_app_withdraw(s, "eve", app2, "customer cancelled", NULL, &err));
    assert_string_equal(status_of(s, "application", app2), "withdrawn");
    FAILS(XC_ECONFLICT, "withdrawn", xc_app_submit(s, "eve", app2, NULL, &err));
    create(s, "eve", fields("export", "il", "acme", "4D004", "DE", "Bundeskriminalamt", "government", "2021-09-01"),
           app3);
    OK(xc_app_submit(s, "eve", app3, NULL, &err));
    OK(xc_app_review(s, "oscar", app3, NULL, &err));
    const char *crit[] = {"diversion", "end-user-not-credible"};
    OK(xc_app_refuse(s, "oscar", app3, crit, 2, "end-user certificate does not match", &a, &err));
    assert_string_equal(js(a, "status"), "refused");
    json_t *rf = json_object_get(a, "refusal");
    assert_int_equal(json_array_size(json_object_get(rf, "criteria")), 2);
    assert_non_null(strstr(js(json_array_get(json_object_get(rf, "criteria"), 0), "source"), "2008/944/CFSP"));
    json_decref(a);

    /* a revoked licence */
    char app4[32], lic4[32];
    licensed(s, fields("export", "il", "acme", "4D004", "IT", "Polizia di Stato", "government", "2021-09-01"), NULL,
             app4, lic4);
    OK(xc_licence_get(s, lic4, 0, &l, &err));
    assert_string_equal(js(l, "valid_until"), "2023-08-31"); /* default: two years less a day */
    json_decref(l);
    OK(xc_licence_act(s, "olga", lic4, "suspend", "inquiry", NULL, NULL, &err));
    OK(xc_licence_act(s, "olga", lic4, "revoke", "breach of conditions", NULL, NULL, &err));
    assert_string_equal(status_of(s, "licence", lic4), "revoked");

    /* the application's history holds every version */
    OK(xc_app_get(s, app, 1, &a, &err));
    hist = json_object_get(a, "history");
    assert_int_equal(json_array_size(hist), 4);
    const char *actions[] = {"create", "submit", "review", "approve"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(js(json_array_get(hist, i), "action"), actions[i]);
    assert_string_equal(js(json_array_get(hist, 3), "updated_by"), "oscar");
    json_decref(a);

    OK(xc_apps_json(s, "refused", NULL, &j, &err));
    assert_int_equal(json_array_size(json_object_get(j, "applications")), 1);
    json_decref(j);
    xc_store_close(s);
}

/* ---- roles ------------------------------------------------------------------------------- */

static void test_roles(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("roles.db");
    xc_error err;
    char app[32], other[32], lic[32];
    FAILS(XC_EFORBIDDEN, "first user", xc_user_add(s, "anyone", "olga", "officer", NULL, &err));
    actors(s);
    FAILS(XC_EFORBIDDEN, "not a registered user", xc_user_add(s, "nobody", "x", "officer", NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_user_add(s, "olga", "x", "officer", NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_org_add(s, "eve", "x", "X", NULL, &err));
    FAILS(XC_ECONFLICT, "already exists", xc_user_add(s, "admin", "olga", "officer", NULL, &err));
    FAILS(XC_EINVAL, "role", xc_user_add(s, "admin", "x", "king", NULL, &err));
    FAILS(XC_EINVAL, "org", xc_user_add(s, "admin", "x", "exporter", NULL, &err));
    FAILS(XC_EINVAL, "does not exist", xc_user_add(s, "admin", "x", "exporter", "nowhere", &err));

    json_t *f = fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2021-09-01");
    FAILS(XC_EFORBIDDEN, "own organisation", xc_app_create(s, "mallory", f, app, &err));
    FAILS(XC_EFORBIDDEN, "needs the role exporter", xc_app_create(s, "olga", f, app, &err));
    FAILS(XC_EFORBIDDEN, "not a registered user", xc_app_create(s, "ghost", f, app, &err));
    create(s, "eve", f, app);
    FAILS(XC_EFORBIDDEN, "own organisation", xc_app_submit(s, "mallory", app, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role exporter", xc_app_submit(s, "olga", app, NULL, &err));
    OK(xc_app_submit(s, "eve", app, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_app_review(s, "eve", app, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_app_review(s, "audrey", app, NULL, &err));
    OK(xc_app_review(s, "olga", app, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_app_approve(s, "eve", app, NULL, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_app_approve(s, "admin", app, NULL, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role exporter", xc_app_withdraw(s, "olga", app, NULL, NULL, &err));
    FAILS(XC_EFORBIDDEN, "own organisation", xc_app_withdraw(s, "mallory", app, NULL, NULL, &err));
    assert_string_equal(status_of(s, "application", app), "under-review");
    json_t *a = NULL;
    OK(xc_app_approve(s, "olga", app, NULL, &a, &err));
    snprintf(lic, sizeof(lic), "%s", js(a, "licence"));
    json_decref(a);
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_licence_act(s, "eve", lic, "suspend", "x", NULL, NULL, &err));
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_licence_act(s, "audrey", lic, "revoke", "x", NULL, NULL, &err));
    FAILS(XC_EFORBIDDEN, "own organisation", xc_licence_act(s, "mallory", lic, "surrender", "x", NULL, NULL, &err));
    json_t *ch = json_pack("{s:s}", "end_use", "x");
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_licence_amend(s, "eve", lic, ch, "x", NULL, &err));
    json_decref(ch);
    assert_string_equal(status_of(s, "licence", lic), "active");
    OK(xc_licence_act(s, "olga", lic, "surrender", "on the exporter's request", NULL, NULL, &err));

    /* the other organisation's exporter works on its own applications */
    create(s, "mallory", fields("export", "il", "other", "4D004", "FR", "Police", "government", "2021-09-01"), other);
    OK(xc_app_withdraw(s, "mallory", other, NULL, NULL, &err));
    xc_impact_req req = {.list_id = "il-cyber-marketing", .version = "4", .at = XC_DATE_NONE};
    json_t *r = NULL;
    FAILS(XC_EFORBIDDEN, "needs the role officer, admin or auditor", xc_impact(s, "eve", &req, &r, &err));
    req.apply = "suspend";
    req.reason = "x";
    FAILS(XC_EFORBIDDEN, "needs the role officer", xc_impact(s, "audrey", &req, &r, &err));
    xc_store_close(s);
}

/* ---- four-eyes ------------------------------------------------------------------------------- */

static void test_four_eyes(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("four.db");
    xc_error err;
    char app[32], app2[32];
    json_t *a = NULL;
    actors(s);
    /* a party named like an Entity List entry: a screening hit, and the
     * us-ear check says presumption of denial */
    json_t *f = fields("export", "us-ear", "acme", "4D004", "IL", "NSO Group Technologies", "company", "2021-12-01");
    create(s, "eve", f, app);
    OK(xc_app_submit(s, "eve", app, &a, &err));
    assert_string_equal(js(a, "outcome"), "licence-required-presumption-of-denial");
    assert_true(json_integer_value(json_object_get(json_object_get(a, "screening"), "hits")) >= 1);
    json_t *fe = json_object_get(a, "four_eyes");
    assert_true(json_is_true(json_object_get(fe, "required")));
    assert_int_equal(json_array_size(json_object_get(fe, "reasons")), 2);
    json_decref(a);
    OK(xc_app_review(s, "olga", app, NULL, &err));
    OK(xc_app_approve(s, "olga", app, NULL, &a, &err));
    assert_string_equal(js(a, "status"), "under-review"); /* one approval is not enough */
    assert_int_equal(json_array_size(json_object_get(a, "approvals")), 1);
    assert_string_equal(js(a, "licence"), "");
    json_decref(a);
    FAILS(XC_EFORBIDDEN, "four-eyes", xc_app_approve(s, "olga", app, NULL, NULL, &err));
    assert_string_equal(status_of(s, "application", app), "under-review");
    json_t *lics = NULL;
    OK(xc_licences_json(s, NULL, XC_DATE_NONE, &lics, &err));
    assert_int_equal(json_array_size(json_object_get(lics, "licences")), 0);
    json_decref(lics);
    OK(xc_app_approve(s, "oscar", app, NULL, &a, &err));
    assert_string_equal(js(a, "status"), "approved");
    assert_int_equal(json_array_size(json_object_get(a, "approvals")), 2);
    assert_string_equal(js(a, "licence"), "LIC-000001");
    json_decref(a);

    /* screening hit alone (regime il: the check does not screen) */
    char app3[32];
    create(s, "eve", fields("export", "il", "acme", "4D004", "FR", "Candiru Ltd.", "government", "2021-12-01"), app3);
    OK(xc_app_submit(s, "eve", app3, &a, &err));
    assert_string_equal(js(a, "outcome"), "licence-required");
    assert_true(json_is_true(json_object_get(json_object_get(a, "four_eyes"), "required")));
    json_decref(a);
    OK(xc_app_review(s, "olga", app3, NULL, &err));
    OK(xc_app_approve(s, "oscar", app3, NULL, NULL, &err));
    assert_string_equal(status_of(s, "application", app3), "under-review");
    OK(xc_app_approve(s, "olga", app3, NULL, NULL, &err));
    assert_string_equal(status_of(s, "application", app3), "approved");

    /* prohibited: a company end user under il since July 2021 */
    create(s, "eve", fields("export", "il", "acme", "4D004", "FR", "Some Company SA", "company", "2021-09-01"), app2);
    OK(xc_app_submit(s, "eve", app2, &a, &err));
    assert_string_equal(js(a, "outcome"), "prohibited");
    json_decref(a);
    OK(xc_app_review(s, "olga", app2, NULL, &err));
    FAILS(XC_EFORBIDDEN, "prohibited", xc_app_approve(s, "olga", app2, NULL, NULL, &err));
    const char *crit[] = {"non-government-end-user"};
    OK(xc_app_refuse(s, "olga", app2, crit, 1, "company end user", NULL, &err));
    xc_store_close(s);
}

/* ---- refusal criteria --------------------------------------------------------------------- */

static void test_refusal_criteria(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("refuse.db");
    xc_error err;
    char app[32];
    json_t *j = NULL;
    actors(s);
    OK(xc_criteria_json(s, &j, &err));
    const char *want[] = {"human-rights", "internal-repression", "diversion", "end-user-not-credible", "entity-list",
                          "embargo", "regional-stability", "national-security"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t k;
        json_t *c;
        int found = 0;
        json_array_foreach(json_object_get(j, "criteria"), k, c) found |= strcmp(js(c, "code"), want[i]) == 0;
        if (!found)
            fail_msg("criterion %s missing", want[i]);
    }
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "marketing_licence_required"), 0)), "il");
    json_decref(j);
    create(s, "eve", fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2021-09-01"), app);
    OK(xc_app_submit(s, "eve", app, NULL, &err));
    const char *c1[] = {"human-rights"};
    FAILS(XC_ECONFLICT, "under-review", xc_app_refuse(s, "olga", app, c1, 1, "x", NULL, &err));
    OK(xc_app_review(s, "olga", app, NULL, &err));
    const char *bad[] = {"human-rights", "bad-vibes"};
    FAILS(XC_EINVAL, "unknown criterion \"bad-vibes\"", xc_app_refuse(s, "olga", app, bad, 2, "x", NULL, &err));
    FAILS(XC_EINVAL, "at least one criterion", xc_app_refuse(s, "olga", app, bad, 0, "x", NULL, &err));
    FAILS(XC_EINVAL, "explanation", xc_app_refuse(s, "olga", app, c1, 1, "", NULL, &err));
    assert_string_equal(status_of(s, "application", app), "under-review");
    OK(xc_app_refuse(s, "olga", app, c1, 1, "reports of abuse", NULL, &err));
    assert_string_equal(status_of(s, "application", app), "refused");

    /* the table is configurable (admin only), validated */
    const char *tbl = "{\"format\":\"exportctl-licensing/1\",\"criteria\":[{\"code\":\"x-risk\",\"title\":\"X\","
                      "\"source\":\"test\"}],\"marketing_licence_required\":[]}";
    int rec = 0;
    FAILS(XC_EFORBIDDEN, "admin", xc_licensing_import_json(s, "olga", tbl, strlen(tbl), "t.json", &rec, &err));
    const char *dup = "{\"format\":\"exportctl-licensing/1\",\"criteria\":[{\"code\":\"a\",\"title\":\"A\","
                      "\"source\":\"s\"},{\"code\":\"a\",\"title\":\"B\",\"source\":\"s\"}]}";
    FAILS(XC_EINVAL, "$.criteria[1]", xc_licensing_import_json(s, "admin", dup, strlen(dup), "d.json", &rec, &err));
    OK(xc_licensing_import_json(s, "admin", tbl, strlen(tbl), "t.json", &rec, &err));
    assert_int_equal(rec, 1);
    OK(xc_criteria_json(s, &j, &err));
    assert_int_equal(json_array_size(json_object_get(j, "criteria")), 1);
    json_decref(j);
    xc_store_close(s);
}

/* ---- the marketing-licence dependency ------------------------------------------------------------ */

static void test_marketing_dependency(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("market.db");
    xc_error err;
    char app[32], mapp[32], mlic[32], other_mapp[32], other_mlic[32], app2[32];
    json_t *a = NULL;
    actors(s);
    /* MA left the exemption list on 2021-11-25: marketing needs a licence */
    create(s, "eve", fields("export", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-02-01"),
           app);
    FAILS(XC_ECONFLICT, "marketing_licence", xc_app_submit(s, "eve", app, NULL, &err));
    assert_string_equal(err.field, "marketing_licence");
    assert_string_equal(status_of(s, "application", app), "draft"); /* nothing was recorded */

    /* a marketing licence for MA */
    licensed(s, fields("marketing", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-01-15"),
             NULL, mapp, mlic);
    /* and one for SA */
    licensed(s, fields("marketing", "il", "acme", "4D004", "SA", "Presidency of State Security", "government",
                       "2022-01-15"),
             NULL, other_mapp, other_mlic);

    json_t *f = fields("export", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-02-01");
    json_object_set_new(f, "marketing_licence", json_string(other_mlic));
    create(s, "eve", f, app2);
    FAILS(XC_ECONFLICT, "covers destination SA", xc_app_submit(s, "eve", app2, NULL, &err));
    OK(xc_app_withdraw(s, "eve", app2, NULL, NULL, &err));

    f = fields("export", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-02-01");
    json_object_set_new(f, "marketing_licence", json_string(mlic));
    create(s, "eve", f, app2);
    OK(xc_licence_act(s, "olga", mlic, "suspend", "inquiry", NULL, NULL, &err));
    FAILS(XC_ECONFLICT, "not active", xc_app_submit(s, "eve", app2, NULL, &err));
    OK(xc_licence_act(s, "olga", mlic, "reinstate", "closed", NULL, NULL, &err));
    OK(xc_app_submit(s, "eve", app2, &a, &err));
    json_t *m = json_object_get(a, "marketing");
    assert_true(json_is_true(json_object_get(m, "required")));
    assert_string_equal(js(m, "licence"), mlic);
    assert_string_equal(js(m, "outcome"), "licence-required");
    json_decref(a);

    /* an export application cannot reference an export licence as marketing licence */
    char eapp[32], elic[32], app3[32];
    licensed(s, fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2022-02-01"), NULL, eapp, elic);
    f = fields("export", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-02-01");
    json_object_set_new(f, "marketing_licence", json_string(elic));
    create(s, "eve", f, app3);
    FAILS(XC_ECONFLICT, "not a marketing licence", xc_app_submit(s, "eve", app3, NULL, &err));

    /* a marketing application cannot reference one; another exporter's licence does not cover */
    f = fields("marketing", "il", "acme", "4D004", "MA", "Surete Nationale", "government", "2022-02-01");
    json_object_set_new(f, "marketing_licence", json_string(mlic));
    FAILS(XC_EINVAL, "$.marketing_licence", xc_app_create(s, "eve", f, app3, &err));
    json_decref(f);
    f = fields("export", "il", "other", "4D004", "MA", "Surete Nationale", "government", "2022-02-01");
    json_object_set_new(f, "marketing_licence", json_string(mlic));
    create(s, "mallory", f, app3);
    FAILS(XC_ECONFLICT, "issued to acme", xc_app_submit(s, "mallory", app3, NULL, &err));
    xc_store_close(s);
}

/* ---- licence transitions ---------------------------------------------------------------------- */

static void test_licence_transitions(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("trans.db");
    xc_error err;
    char app[32], lic[32];
    actors(s);
    licensed(s, fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2021-09-01"), NULL, app, lic);
    FAILS(XC_ECONFLICT, "is active; reinstate needs it suspended",
          xc_licence_act(s, "olga", lic, "reinstate", "x", NULL, NULL, &err));
    FAILS(XC_EINVAL, "reason", xc_licence_act(s, "olga", lic, "suspend", "", NULL, NULL, &err));
    FAILS(XC_EINVAL, "is not suspend", xc_licence_act(s, "olga", lic, "cancel", "x", NULL, NULL, &err));
    FAILS(XC_ENOTFOUND, "LIC-999999", xc_licence_act(s, "olga", "LIC-999999", "suspend", "x", NULL, NULL, &err));
    OK(xc_licence_act(s, "olga", lic, "suspend", "x", NULL, NULL, &err));
    FAILS(XC_ECONFLICT, "is suspended; suspend needs it active",
          xc_licence_act(s, "olga", lic, "suspend", "x", NULL, NULL, &err));
    FAILS(XC_ECONFLICT, "is suspended; surrender needs it active",
          xc_licence_act(s, "eve", lic, "surrender", "x", NULL, NULL, &err));
    json_t *ch = json_pack("{s:s}", "valid_until", "2021-08-01");
    FAILS(XC_EINVAL, "before valid_from", xc_licence_amend(s, "olga", lic, ch, "x", NULL, &err));
    json_decref(ch);
    ch = json_pack("{s:s}", "colour", "blue");
    FAILS(XC_EINVAL, "unknown field \"colour\"", xc_licence_amend(s, "olga", lic, ch, "x", NULL, &err));
    json_decref(ch);
    ch = json_object();
    FAILS(XC_EINVAL, "nothing to change", xc_licence_amend(s, "olga", lic, ch, "x", NULL, &err));
    json_decref(ch);
    OK(xc_licence_act(s, "olga", lic, "revoke", "x", NULL, NULL, &err));
    FAILS(XC_ECONFLICT, "is revoked", xc_licence_act(s, "olga", lic, "revoke", "x", NULL, NULL, &err));
    ch = json_pack("{s:s}", "end_use", "y");
    FAILS(XC_ECONFLICT, "is revoked; amend", xc_licence_amend(s, "olga", lic, ch, "x", NULL, &err));
    json_decref(ch);
    /* every refused transition left the versions alone */
    json_t *l = NULL;
    OK(xc_licence_get(s, lic, 1, &l, &err));
    assert_int_equal(json_array_size(json_object_get(l, "history")), 3);
    json_decref(l);
    /* approving twice, reviewing a draft */
    char app2[32];
    create(s, "eve", fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2021-09-01"), app2);
    FAILS(XC_ECONFLICT, "is draft; review needs it submitted", xc_app_review(s, "olga", app2, NULL, &err));
    FAILS(XC_ECONFLICT, "is approved", xc_app_approve(s, "olga", app, NULL, NULL, &err));
    FAILS(XC_ENOTFOUND, "APP-000404", xc_app_submit(s, "eve", "APP-000404", NULL, &err));
    xc_store_close(s);
}

/* ---- bad input names the field ------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("bad.db");
    xc_error err;
    char id[32];
    actors(s);
    struct {
        const char *key;
        json_t *value;
        const char *needle;
    } cases[] = {
        {"destination", json_string("Narnia"), "$.destination"},
        {"type", json_string("lease"), "$.type"},
        {"colour", json_string("blue"), "unknown field \"colour\""},
        {"items", json_array(), "$.items"},
        {"date", json_string("2021-02-30"), "$.date"},
        {"value", json_pack("{s:i, s:s}", "amount", 5, "currency", "dollars"), "$.value.currency"},
        {"value", json_string("lots"), "$.value"},
        {"end_users", json_pack("[{s:s, s:s}]", "name", "X", "type", "alien"), "$.end_users[0].type"},
        {"end_users", json_pack("[{s:s}]", "type", "government"), "$.end_users[0].name"},
        {"parties", json_pack("[{s:s}]", "name", "Y"), "$.parties[0].role"},
        {"exporter", json_string("nowhere"), "own organisation"},
        {"end_use", json_null(), "$.end_use"},
        {"regime", json_string("xx"), "regime"},
        {"items", json_pack("[s]", "9Z999"), "9Z999"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *f = fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2021-09-01");
        json_object_set_new(f, cases[i].key, cases[i].value);
        xc_error_clear(&err);
        int rc = xc_app_create(s, "eve", f, id, &err);
        json_decref(f);
        if (rc == XC_OK || !strstr(err.msg, cases[i].needle))
            fail_msg("case %zu (%s): rc %d, message: %s", i, cases[i].key, rc, err.msg);
        assert_string_equal(id, "");
    }
    json_t *apps = NULL;
    OK(xc_apps_json(s, NULL, NULL, &apps, &err));
    assert_int_equal(json_array_size(json_object_get(apps, "applications")), 0);
    json_decref(apps);
    /* screening fails closed before any party list is in force */
    char app[32];
    create(s, "eve", fields("export", "il", "acme", "4D004", "FR", "Police", "government", "2019-01-01"), app);
    xc_error_clear(&err);
    assert_int_not_equal(xc_app_submit(s, "eve", app, NULL, &err), XC_OK);
    assert_non_null(strstr(err.msg, "screening"));
    assert_string_equal(status_of(s, "application", app), "draft");
    xc_store_close(s);
}

/* ---- impact: the 2021-11-25 change --------------------------------------------------------------- */

static const char *const demo_countries[] = {"MA", "SA", "AE", "MX", "FR", "JP"};

/* Six active licences (2021-09-01 to 2023-08-31), one pending application
 * to MA; returns the id of the bundled 2021-11-25 version. */
static int64_t demo(xc_store *s, char lics[6][32], char pending[32])
{
    xc_error err;
    actors(s);
    for (int i = 0; i < 6; i++) {
        char app[32];
        json_t *t = json_pack("{s:s}", "valid_until", "2023-08-31");
        licensed(s, fields("export", "il", "acme", "4D004", demo_countries[i], "National Police", "government",
                           "2021-09-01"),
                 t, app, lics[i]);
        json_decref(t);
    }
    create(s, "eve", fields("export", "il", "acme", "4D004", "MA", "Gendarmerie", "government", "2021-09-01"), pending);
    OK(xc_app_submit(s, "eve", pending, NULL, &err));
    xc_version *v = NULL;
    size_t n = 0;
    int64_t id = 0;
    OK(xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &v, &n, &err));
    for (size_t i = 0; i < n; i++)
        if (v[i].effective_from == D("2021-11-25"))
            id = v[i].id;
    xc_versions_free(v, n);
    assert_true(id > 0);
    return id;
}

static void check_statuses(xc_store *s, char lics[6][32], const char *const want[6])
{
    for (int i = 0; i < 6; i++)
        if (strcmp(status_of(s, "licence", lics[i]), want[i]) != 0)
            fail_msg("%s (%s): %s, expected %s", lics[i], demo_countries[i], status_of(s, "licence", lics[i]), want[i]);
}

static void test_impact_library(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("impact.db");
    xc_error err;
    char lics[6][32], pending[32], vid[32];
    json_t *r = NULL;
    static const char *const all_active[6] = {"active", "active", "active", "active", "active", "active"};
    static const char *const after[6] = {"suspended", "suspended", "suspended", "suspended", "active", "active"};
    snprintf(vid, sizeof(vid), "%lld", (long long)demo(s, lics, pending));

    xc_impact_req req = {.list_id = "il-cyber-marketing", .version = vid, .at = XC_DATE_NONE};
    OK(xc_impact(s, "olga", &req, &r, &err));
    assert_string_equal(js(r, "at"), "2021-11-25");
    assert_int_equal(json_integer_value(json_object_get(r, "affected_licences")), 4);
    assert_int_equal(json_integer_value(json_object_get(r, "affected_applications")), 1);
    json_t *e;
    size_t i;
    int seen[6] = {0};
    json_array_foreach(json_object_get(r, "affected"), i, e)
    {
        if (strcmp(js(e, "kind"), "application") == 0) {
            assert_string_equal(js(e, "id"), pending);
            continue;
        }
        for (int k = 0; k < 6; k++)
            if (strcmp(js(e, "id"), lics[k]) == 0)
                seen[k] = 1;
        /* before: exempt, on the version it replaced; after: licence required */
        json_t *ck = json_array_get(json_object_get(e, "checks"), 0);
        json_t *b = json_array_get(json_object_get(e, "before"), 0);
        assert_string_equal(js(ck, "activity"), "marketing");
        assert_string_equal(js(ck, "before"), "no-licence-required");
        assert_string_equal(js(ck, "after"), "licence-required");
        json_t *lv = json_array_get(json_object_get(json_object_get(b, "inputs"), "lists"), 0);
        assert_string_equal(js(lv, "effective_from"), "2018-01-01");
        assert_true(json_array_size(json_object_get(b, "trace")) > 0);
        json_t *av = json_array_get(json_object_get(json_object_get(json_array_get(json_object_get(e, "after"), 0),
                                                                    "inputs"), "lists"), 0);
        assert_string_equal(js(av, "effective_from"), "2021-11-25");
    }
    for (int k = 0; k < 6; k++)
        assert_int_equal(seen[k], k < 4);
    json_decref(r);
    check_statuses(s, lics, all_active); /* a dry run changes nothing */

    /* a failing apply changes nothing (a reason too long for a notice
     * fails at the first licence) */
    char longr[6000];
    memset(longr, 'x', sizeof(longr) - 1);
    longr[sizeof(longr) - 1] = '\0';
    req.apply = "suspend";
    req.reason = longr;
    FAILS(XC_EINVAL, "nothing was changed", xc_impact(s, "olga", &req, &r, &err));
    check_statuses(s, lics, all_active);
    req.reason = "removed from the exemption list on 2021-11-25";
    OK(xc_impact(s, "olga", &req, &r, &err));
    json_t *done = json_object_get(json_object_get(r, "applied"), "licences");
    assert_int_equal(json_array_size(done), 4);
    json_decref(r);
    check_statuses(s, lics, after);
    assert_string_equal(status_of(s, "application", pending), "submitted"); /* reported, not changed */
    json_t *l = NULL;
    OK(xc_licence_get(s, lics[0], 0, &l, &err));
    json_t *notice = json_array_get(json_object_get(l, "notices"), 0);
    assert_string_equal(js(notice, "action"), "suspend");
    assert_string_equal(js(notice, "reason"), req.reason);
    json_t *chg = json_object_get(notice, "change");
    assert_string_equal(js(chg, "list"), "il-cyber-marketing");
    assert_int_equal(json_integer_value(json_object_get(chg, "version_id")), atoll(vid));
    assert_string_equal(js(chg, "effective_from"), "2021-11-25");
    assert_int_equal(strlen(js(chg, "content_hash")), 64);
    json_decref(l);
    /* a second apply finds nothing */
    OK(xc_impact(s, "olga", &req, &r, &err));
    assert_int_equal(json_integer_value(json_object_get(r, "affected_licences")), 0);
    json_decref(r);
    check_statuses(s, lics, after);

    /* bad requests */
    xc_impact_req bad = {.list_id = "il-cyber-marketing", .version = "999999", .at = XC_DATE_NONE};
    FAILS(XC_ENOTFOUND, "999999", xc_impact(s, "olga", &bad, &r, &err));
    bad.version = vid;
    bad.apply = "cancel";
    bad.reason = "x";
    FAILS(XC_EINVAL, "--apply", xc_impact(s, "olga", &bad, &r, &err));
    bad.apply = "revoke";
    bad.reason = NULL;
    FAILS(XC_EINVAL, "--reason", xc_impact(s, "olga", &bad, &r, &err));
    xc_store_close(s);
}

/* A change given as a file: a dry run records nothing; a failing apply
 * rolls back the import too; --apply records it with the suspensions. */
static void test_impact_file(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("impfile.db");
    xc_error err;
    char lics[6][32], pending[32];
    json_t *r = NULL, *exp = NULL;
    demo(s, lics, pending);
    /* a new version from 2022-06-01 without FR */
    OK(xc_registry_export_json(s, "il-cyber-marketing", XC_TS_LATEST, &exp, &err));
    json_t *list = json_array_get(json_object_get(exp, "lists"), 0), *vs = json_object_get(list, "versions");
    json_t *v = json_deep_copy(json_array_get(vs, json_array_size(vs) - 1)), *members = json_array(), *m;
    size_t i;
    json_array_foreach(json_object_get(v, "members"), i, m)
    {
        const char *cc = json_is_string(m) ? json_string_value(m) : js(m, "country");
        if (strcmp(cc, "FR") != 0)
            json_array_append(members, m);
    }
    json_object_set_new(v, "members", members);
    json_object_set_new(v, "effective_from", json_string("2022-06-01"));
    json_object_del(v, "declared_count");
    json_object_del(v, "content_hash");
    json_object_del(v, "recorded_at");
    json_object_set_new(list, "versions", json_pack("[o]", v));
    char *text = json_dumps(exp, 0);
    json_decref(exp);
    tu_write(tu_path("new-version.json"), text);
    free(text);

    xc_version *vers = NULL;
    size_t n0 = 0, n1 = 0;
    OK(xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &vers, &n0, &err));
    xc_versions_free(vers, n0);

    xc_impact_req req = {.list_id = "il-cyber-marketing", .version = tu_path("new-version.json"), .at = XC_DATE_NONE};
    OK(xc_impact(s, "olga", &req, &r, &err));
    assert_string_equal(js(r, "at"), "2022-06-01");
    assert_int_equal(json_integer_value(json_object_get(r, "affected_licences")), 1);
    assert_string_equal(js(json_array_get(json_object_get(r, "affected"), 0), "id"), lics[4]);
    assert_string_equal(js(json_object_get(r, "change"), "source"), "file");
    json_decref(r);
    OK(xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &vers, &n1, &err));
    xc_versions_free(vers, n1);
    assert_int_equal(n1, n0); /* the dry run recorded nothing */

    /* a failing apply (the reason is too long for a notice) rolls back the import */
    char longr[6000];
    memset(longr, 'x', sizeof(longr) - 1);
    longr[sizeof(longr) - 1] = '\0';
    req.apply = "revoke";
    req.reason = longr;
    FAILS(XC_EINVAL, "nothing was changed", xc_impact(s, "olga", &req, &r, &err));
    OK(xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &vers, &n1, &err));
    xc_versions_free(vers, n1);
    assert_int_equal(n1, n0);
    assert_string_equal(status_of(s, "licence", lics[4]), "active");

    req.reason = "FR removed";
    OK(xc_impact(s, "olga", &req, &r, &err));
    int64_t new_id = json_integer_value(json_object_get(json_object_get(r, "change"), "version_id"));
    json_decref(r);
    OK(xc_store_versions_get(s, "il-cyber-marketing", XC_TS_LATEST, &vers, &n1, &err));
    assert_int_equal(n1, n0 + 1);
    assert_int_equal(vers[n1 - 1].id, new_id);
    xc_versions_free(vers, n1);
    assert_string_equal(status_of(s, "licence", lics[4]), "revoked");
    json_t *l = NULL;
    OK(xc_licence_get(s, lics[4], 0, &l, &err));
    json_t *chg = json_object_get(json_array_get(json_object_get(l, "notices"), 0), "change");
    assert_int_equal(json_integer_value(json_object_get(chg, "version_id")), new_id);
    json_decref(l);
    /* the same file again: it is recorded now, so it is compared as recorded, and finds nothing left */
    req.apply = NULL;
    req.reason = NULL;
    OK(xc_impact(s, "olga", &req, &r, &err));
    assert_string_equal(js(json_object_get(r, "change"), "source"), "recorded");
    assert_int_equal(json_integer_value(json_object_get(r, "affected_licences")), 0);
    json_decref(r);

    /* a rule-pack change: il export licences become presumption of denial */
    const char *il = NULL;
    json_t *pack = NULL;
    char path[512];
    snprintf(path, sizeof(path), "%s/data/rules/il.json", XC_SOURCE_DIR);
    char *ptext = tu_read(path, NULL);
    assert_non_null(ptext);
    json_error_t je;
    pack = json_loads(ptext, 0, &je);
    free(ptext);
    json_t *rule;
    json_array_foreach(json_object_get(pack, "rules"), i, rule) if (strcmp(js(rule, "id"), "il-export-licence") == 0)
        json_object_set_new(rule, "outcome", json_string("licence-required-presumption-of-denial"));
    json_object_set_new(pack, "version", json_string("test.2"));
    text = json_dumps(pack, 0);
    json_decref(pack);
    tu_write(tu_path("il2.json"), text);
    free(text);
    (void)il;
    xc_impact_req rr = {.regime = "il", .version = tu_path("il2.json"), .at = D("2021-12-01")};
    OK(xc_impact(s, "olga", &rr, &r, &err));
    /* FR is revoked: the five other licences and the pending application */
    assert_int_equal(json_integer_value(json_object_get(r, "affected_licences")), 5);
    assert_int_equal(json_integer_value(json_object_get(r, "affected_applications")), 1);
    json_decref(r);
    rr.regime = "us-ear";
    FAILS(XC_EINVAL, "not us-ear", xc_impact(s, "olga", &rr, &r, &err));
    xc_store_close(s);
}

/* ---- through the binary ---------------------------------------------------------------------- */

static int run(char **out, char **err, const char *db, const char *as, ...)
{
    const char *argv[64];
    int n = 0;
    va_list ap;
    argv[n++] = "--db";
    argv[n++] = db;
    if (as) {
        argv[n++] = "--as";
        argv[n++] = as;
    }
    va_start(ap, as);
    for (const char *a = va_arg(ap, const char *); a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tu_runv(out, err, argv);
}

static void test_cli(void **state)
{
    (void)state;
    const char *db = tu_path("cli.db");
    char *out = NULL, *er = NULL;
    remove(db);
#define RUN(want, as, ...)                                                                                            \
    do {                                                                                                              \
        free(out);                                                                                                    \
        free(er);                                                                                                     \
        int rc_ = run(&out, &er, db, as, __VA_ARGS__, NULL);                                                          \
        if (rc_ != (want))                                                                                            \
            fail_msg("exit %d (want %d)\nstdout: %s\nstderr: %s", rc_, (want), out, er);                             \
    } while (0)
    RUN(0, "root", "user", "add", "admin", "--role", "admin");
    RUN(2, "nobody", "user", "add", "x", "--role", "officer");
    assert_non_null(strstr(er, "not a registered user"));
    RUN(0, "admin", "org", "add", "acme", "--name", "Acme Cyber Ltd", "--country", "IL");
    RUN(0, "admin", "user", "add", "olga", "--role", "officer");
    RUN(0, "admin", "user", "add", "oscar", "--role", "officer");
    RUN(0, "admin", "user", "add", "eve", "--role", "exporter", "--org", "acme");
    RUN(0, NULL, "--json", "user", "ls");
    assert_non_null(strstr(out, "\"olga\""));
    const char *countries[] = {"MA", "SA", "AE", "MX", "FR", "JP"};
    for (int i = 0; i < 6; i++) {
        char eu[64], id[32];
        snprintf(eu, sizeof(eu), "National Police|%s|government", countries[i]);
        RUN(0, "eve", "application", "create", "--type", "export", "--regime", "il", "--exporter", "acme", "--item",
            "4D004", "--to", countries[i], "--end-user", eu, "--end-use", "serious crime", "--value", "250000",
            "--currency", "USD", "--date", "2021-09-01");
        snprintf(id, sizeof(id), "APP-%06d", i + 1);
        assert_non_null(strstr(out, id));
        RUN(0, "eve", "application", "submit", id);
        assert_non_null(strstr(out, "licence-required"));
        RUN(2, "eve", "application", "review", id);
        RUN(0, "olga", "application", "review", id);
        RUN(0, "oscar", "application", "approve", id, "--valid-from", "2021-09-01", "--valid-until", "2023-08-31");
        assert_non_null(strstr(out, "2023-08-31"));
    }
    RUN(0, NULL, "application", "show", "APP-000001", "--history");
    assert_non_null(strstr(out, "approve"));
    RUN(0, NULL, "--json", "licence", "ls", "--status", "active", "--at", "2021-11-24");
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "licences")), 6);
    json_decref(j);

    /* the bundled 2021-11-25 version's id */
    RUN(0, NULL, "--json", "list", "history", "il-cyber-marketing");
    j = json_loads(out, 0, &je);
    long long vid = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "versions"), i, v)
    {
        if (strcmp(js(v, "effective_from"), "2021-11-25") == 0)
            vid = json_integer_value(json_object_get(v, "id"));
    }
    json_decref(j);
    char ver[48];
    snprintf(ver, sizeof(ver), "--version=%lld", vid);
    RUN(3, "olga", "impact", "--list", "il-cyber-marketing", ver);
    for (int k = 0; k < 4; k++)
        assert_non_null(strstr(out, countries[k]));
    /* after the command words --version is the command's option, not the global flag */
    RUN(3, "olga", "impact", "--list", "il-cyber-marketing", "--version", ver + strlen("--version="));
    for (int k = 0; k < 4; k++)
        assert_non_null(strstr(out, countries[k]));
    RUN(3, "olga", "--json", "impact", "--list", "il-cyber-marketing", ver);
    j = json_loads(out, 0, &je);
    assert_int_equal(json_integer_value(json_object_get(j, "affected_licences")), 4);
    json_decref(j);
    RUN(2, "eve", "impact", "--list", "il-cyber-marketing", ver);
    RUN(2, "olga", "impact", "--list", "il-cyber-marketing", ver, "--apply", "suspend");
    RUN(0, "olga", "impact", "--list", "il-cyber-marketing", ver, "--apply", "suspend", "--reason",
        "removed from the exemption list");
    assert_non_null(strstr(out, "suspend of 4 licence(s)"));
    RUN(0, "olga", "impact", "--list", "il-cyber-marketing", ver);
    RUN(0, NULL, "--csv", "licence", "ls", "--at", "2021-11-25", "--status", "suspended");
    for (int k = 0; k < 6; k++) {
        char cell[8];
        snprintf(cell, sizeof(cell), ",%s,", countries[k]);
        if ((strstr(out, cell) != NULL) != (k < 4))
            fail_msg("%s: %s", countries[k], out);
    }
    RUN(0, NULL, "--csv", "licence", "ls", "--at", "2021-11-25", "--status", "active");
    for (int k = 0; k < 6; k++) {
        char cell[8];
        snprintf(cell, sizeof(cell), ",%s,", countries[k]);
        if ((strstr(out, cell) != NULL) != (k >= 4))
            fail_msg("%s: %s", countries[k], out);
    }
    RUN(0, NULL, "licence", "show", "LIC-000001");
    assert_non_null(strstr(out, "notice 1"));
    assert_non_null(strstr(out, "il-cyber-marketing"));

    /* transitions, refusal and bad input through the CLI */
    RUN(2, "olga", "licence", "reinstate", "LIC-000005", "--reason", "x");
    assert_non_null(strstr(er, "is active"));
    RUN(2, "olga", "licence", "suspend", "LIC-000005");
    RUN(0, "olga", "licence", "amend", "LIC-000005", "--valid-until", "2024-08-31", "--condition", "report",
        "--reason", "extension");
    RUN(0, NULL, "licence", "show", "LIC-000005", "--history");
    assert_non_null(strstr(out, "2024-08-31"));
    assert_non_null(strstr(out, "amend"));
    RUN(0, "eve", "licence", "surrender", "LIC-000006", "--reason", "done");
    RUN(2, "eve", "application", "create", "--type", "export", "--regime", "il", "--exporter", "acme", "--item",
        "4D004", "--to", "Narnia", "--end-user", "X|FR|government", "--end-use", "x", "--value", "1", "--currency",
        "EUR");
    assert_non_null(strstr(er, "destination"));
    RUN(2, "eve", "application", "create", "--type", "export", "--regime", "il", "--exporter", "acme", "--item",
        "4D004", "--to", "FR", "--end-user", "X|FR", "--end-use", "x", "--value", "1", "--currency", "EUR");
    assert_non_null(strstr(er, "--end-user"));
    RUN(2, "eve", "application", "create", "--type", "export", "--regime", "il", "--exporter", "acme", "--item",
        "4D004", "--to", "FR", "--end-user", "X|FR|government", "--end-use", "x", "--value", "lots", "--currency",
        "EUR");
    assert_non_null(strstr(er, "--value"));
    tu_write(tu_path("app.json"), "{\"type\":\"export\",\"regime\":\"il\",\"exporter\":\"acme\",\"items\":[\"4D004\"],"
                                  "\"destination\":\"FR\",\"end_users\":[{\"name\":\"Police\",\"country\":\"FR\","
                                  "\"type\":\"government\"}],\"end_use\":\"x\",\"value\":{\"amount\":1,"
                                  "\"currency\":\"EUR\"},\"date\":\"2021-09-01\"}");
    RUN(0, "eve", "application", "create", "--file", tu_path("app.json"));
    RUN(0, "eve", "application", "submit", "APP-000007");
    RUN(0, "olga", "application", "review", "APP-000007");
    RUN(2, "olga", "application", "refuse", "APP-000007", "--criterion", "nonsense", "--text", "x");
    assert_non_null(strstr(er, "unknown criterion"));
    RUN(0, "olga", "application", "refuse", "APP-000007", "--criterion", "diversion", "--text", "diversion risk");
    RUN(0, NULL, "--json", "application", "ls", "--status", "refused");
    assert_non_null(strstr(out, "APP-000007"));
    RUN(0, NULL, "criteria", "ls");
    assert_non_null(strstr(out, "entity-list"));
    free(out);
    free(er);
#undef RUN
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),         cmocka_unit_test(test_roles),
        cmocka_unit_test(test_four_eyes),         cmocka_unit_test(test_refusal_criteria),
        cmocka_unit_test(test_marketing_dependency), cmocka_unit_test(test_licence_transitions),
        cmocka_unit_test(test_bad_input),         cmocka_unit_test(test_impact_library),
        cmocka_unit_test(test_impact_file),       cmocka_unit_test(test_cli),
    };
    xc_error err;
    if (xc_init(&err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
