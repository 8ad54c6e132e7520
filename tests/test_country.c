/*
 * test_country.c: the generated ISO 3166-1 table and country look-up,
 * including the suggestions for codes people commonly get wrong.
 */
#include "testutil.h"

#include <ctype.h>
#include <string.h>

#include "country.h"
#include "db.h"

static void test_country_table_size_and_order(void **state)
{
    (void)state;
    assert_int_equal(xc_iso_country_count, 249);
    assert_int_equal(xc_country_count(), 250);
    for (size_t i = 1; i < xc_iso_country_count; i++)
        if (strcmp(xc_iso_countries[i - 1].alpha2, xc_iso_countries[i].alpha2) >= 0)
            fail_msg("table not strictly sorted at %zu: %s then %s", i, xc_iso_countries[i - 1].alpha2,
                     xc_iso_countries[i].alpha2);
    for (size_t i = 0; i < xc_country_count(); i++)
        assert_non_null(xc_country_at(i));
    assert_null(xc_country_at(xc_country_count()));
    assert_ptr_equal(xc_country_at(0), &xc_iso_countries[0]);
    assert_string_equal(xc_country_at(249)->alpha2, "XK");
}

static void test_country_table_rows_well_formed(void **state)
{
    (void)state;
    for (size_t i = 0; i < xc_iso_country_count; i++) {
        const xc_country *c = &xc_iso_countries[i];
        int ok = strlen(c->alpha2) == 2 && strlen(c->alpha3) == 3 && strlen(c->numeric) == 3 && c->name[0];
        for (size_t k = 0; ok && k < 2; k++)
            ok = isupper((unsigned char)c->alpha2[k]);
        for (size_t k = 0; ok && k < 3; k++)
            ok = isupper((unsigned char)c->alpha3[k]) && isdigit((unsigned char)c->numeric[k]);
        if (!ok)
            fail_msg("row %zu (%s/%s/%s) is malformed", i, c->alpha2, c->alpha3, c->numeric);
        assert_non_null(c->official_name);
        assert_non_null(c->common_name);
        assert_int_equal(c->user_assigned, 0);
        /* every row is reachable through the exact alpha-2 look-up */
        assert_ptr_equal(xc_country_by_alpha2(c->alpha2), c);
    }
}

static const xc_country *lookup_ok(const char *q)
{
    const xc_country *c = NULL;
    xc_error err;
    xc_error_clear(&err);
    if (xc_country_lookup(q, "countries[0]", &c, &err) != XC_OK)
        fail_msg("\"%s\": %s", q, err.msg);
    assert_non_null(c);
    return c;
}

static void test_country_lookup_alpha2(void **state)
{
    (void)state;
    assert_string_equal(lookup_ok("GB")->alpha3, "GBR");
    assert_string_equal(lookup_ok("gb")->alpha2, "GB");
    assert_string_equal(lookup_ok(" fr ")->alpha2, "FR");
    assert_string_equal(lookup_ok("Il")->alpha2, "IL");
    assert_string_equal(lookup_ok("XK")->alpha2, "XK");
    assert_ptr_equal(lookup_ok("gb"), xc_country_by_alpha2("GB"));
    assert_null(xc_country_by_alpha2("gb")); /* exact look-up is uppercase only */
    assert_null(xc_country_by_alpha2("GBR"));
    assert_null(xc_country_by_alpha2(""));
    assert_null(xc_country_by_alpha2(NULL));
}

static void test_country_lookup_alpha3_numeric(void **state)
{
    (void)state;
    assert_string_equal(lookup_ok("DEU")->alpha2, "DE");
    assert_string_equal(lookup_ok("deu")->alpha2, "DE");
    assert_string_equal(lookup_ok("XKX")->alpha2, "XK");
    assert_string_equal(lookup_ok("usa")->alpha2, "US"); /* a real alpha-3, not a mistake */
    assert_string_equal(lookup_ok("826")->alpha2, "GB");
    const xc_country *br = lookup_ok("76");
    assert_string_equal(br->alpha2, "BR");
    assert_string_equal(br->numeric, "076");
    assert_ptr_equal(lookup_ok("076"), br);
    assert_string_equal(lookup_ok("4")->alpha2, "AF"); /* 004 */
}

static void test_country_lookup_names(void **state)
{
    (void)state;
    assert_string_equal(lookup_ok("Germany")->alpha2, "DE");
    assert_string_equal(lookup_ok("united kingdom")->alpha2, "GB");
    assert_string_equal(lookup_ok("South Korea")->alpha2, "KR");
    assert_string_equal(lookup_ok("Korea, Republic of")->alpha2, "KR");
    assert_string_equal(lookup_ok("Federal Republic of Germany")->alpha2, "DE");
    assert_string_equal(lookup_ok("united kingdom of great britain and northern ireland")->alpha2, "GB");
    assert_string_equal(lookup_ok("  Kosovo ")->alpha2, "XK");
    assert_string_equal(xc_country_display_name(lookup_ok("KR")), "South Korea");
    assert_string_equal(xc_country_display_name(lookup_ok("DE")), "Germany");
}

/* Look q up under field, expect XC_EINVAL, and check that the message names
 * the value and the field and contains want (when not NULL). */
static void lookup_bad(const char *q, const char *field, const char *want)
{
    const xc_country *c = NULL;
    xc_error err;
    xc_error_clear(&err);
    int rc = xc_country_lookup(q, field, &c, &err);
    if (rc != XC_EINVAL)
        fail_msg("\"%s\": expected XC_EINVAL, got %d", q, rc);
    assert_null(c);
    assert_int_equal(err.code, XC_EINVAL);
    assert_string_equal(err.field, field);
    if (!strstr(err.msg, field))
        fail_msg("\"%s\": message does not name the field %s: %s", q, field, err.msg);
    if (strspn(q, " ") < strlen(q) && !strstr(err.msg, q))
        fail_msg("\"%s\": message does not name the value: %s", q, err.msg);
    if (want && !strstr(err.msg, want))
        fail_msg("\"%s\": message does not suggest %s: %s", q, want, err.msg);
}

static void test_country_bad_codes_suggest(void **state)
{
    (void)state;
    lookup_bad("UK", "members[3].country", "GB");
    lookup_bad("uk", "members[3].country", "GB");
    lookup_bad("EL", "--country", "GR");
    lookup_bad("KS", "--country", "XK");
    lookup_bad("UAE", "--country", "AE");
    lookup_bad("Germny", "--country", "DE");
    lookup_bad("Untied Kingdom", "--country", "GB");
    lookup_bad("EU", "--country", "member state");
}

static void test_country_unknown_codes(void **state)
{
    (void)state;
    lookup_bad("XX", "--country", "alpha-2");
    lookup_bad("QQQ", "--country", NULL);
    lookup_bad("999", "--country", NULL);
    lookup_bad("1234", "--country", NULL);
    lookup_bad("Atlantis and Lemuria Federation of Nowhere", "--country", NULL);
    lookup_bad("G-B", "--country", NULL);
    lookup_bad("", "--country", "empty");
    lookup_bad("   ", "--country", "empty");
    /* a long query is truncated, not overflowed */
    char longq[600];
    memset(longq, 'a', sizeof(longq) - 1);
    longq[sizeof(longq) - 1] = '\0';
    const xc_country *c = NULL;
    xc_error err;
    assert_int_equal(xc_country_lookup(longq, "--country", &c, &err), XC_EINVAL);
    assert_null(c);
    assert_int_equal(xc_country_lookup(NULL, "--country", &c, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "--country"));
    /* without a field the message still says what was wrong; NULL err is allowed */
    assert_int_equal(xc_country_lookup("XX", NULL, &c, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "country"));
    assert_int_equal(xc_country_lookup("XX", NULL, &c, NULL), XC_EINVAL);
}

static void test_country_kosovo_user_assigned(void **state)
{
    (void)state;
    const xc_country *xk = xc_country_by_alpha2("XK");
    assert_non_null(xk);
    assert_int_equal(xk->user_assigned, 1);
    assert_string_equal(xk->alpha3, "XKX");
    assert_string_equal(xk->numeric, "");
    assert_string_equal(xk->name, "Kosovo");
    for (size_t i = 0; i < xc_iso_country_count; i++)
        assert_string_not_equal(xc_iso_countries[i].alpha2, "XK");
    assert_int_equal(xc_country_by_alpha2("GB")->user_assigned, 0);
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_country_table_size_and_order),
        cmocka_unit_test(test_country_table_rows_well_formed),
        cmocka_unit_test(test_country_lookup_alpha2),
        cmocka_unit_test(test_country_lookup_alpha3_numeric),
        cmocka_unit_test(test_country_lookup_names),
        cmocka_unit_test(test_country_bad_codes_suggest),
        cmocka_unit_test(test_country_unknown_codes),
        cmocka_unit_test(test_country_kosovo_user_assigned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
