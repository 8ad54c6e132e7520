/*
 * test_date.c: strict ISO 8601 date and timestamp parsing and formatting.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "db.h"

#define US 1000000LL
#define DAY_US (86400LL * US)

static void expect_date(const char *s, int y, int m, int d)
{
    xc_error err;
    xc_date out = XC_DATE_NONE;
    xc_error_clear(&err);
    int rc = xc_date_parse(s, &out, "effective_from", &err);
    if (rc != XC_OK)
        fail_msg("parsing \"%s\": %s", s, err.msg);
    assert_int_equal(out, xc_date_from_ymd(y, m, d));
    int yy, mm, dd;
    xc_date_to_ymd(out, &yy, &mm, &dd);
    assert_int_equal(yy, y);
    assert_int_equal(mm, m);
    assert_int_equal(dd, d);
}

static void test_date_parse_valid(void **state)
{
    (void)state;
    expect_date("2021-11-25", 2021, 11, 25);
    expect_date("2000-02-29", 2000, 2, 29);
    expect_date("2024-02-29", 2024, 2, 29);
    expect_date("1970-01-01", 1970, 1, 1);
    expect_date("2021-12-31", 2021, 12, 31);
    char buf[XC_DATE_BUF];
    assert_string_equal(xc_date_format(xc_date_from_ymd(2021, 11, 25), buf), "2021-11-25");
}

static void test_date_epoch(void **state)
{
    (void)state;
    assert_int_equal(xc_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(xc_date_from_ymd(1970, 1, 2), 1);
    assert_int_equal(xc_date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(xc_date_from_ymd(2000, 3, 1), 11017);
    char buf[XC_DATE_BUF];
    assert_string_equal(xc_date_format(0, buf), "1970-01-01");
    assert_string_equal(xc_date_format(XC_DATE_NONE, buf), "");
}

static void expect_bad_date(const char *s)
{
    xc_error err;
    xc_date out = 12345;
    xc_error_clear(&err);
    int rc = xc_date_parse(s, &out, "effective_from", &err);
    if (rc != XC_EINVAL)
        fail_msg("\"%s\": expected XC_EINVAL, got %d", s, rc);
    assert_int_equal(err.code, XC_EINVAL);
    assert_int_equal(out, 12345); /* output untouched on error */
    char quoted[64];
    snprintf(quoted, sizeof(quoted), "\"%s\"", s);
    if (!strstr(err.msg, quoted))
        fail_msg("\"%s\": message does not quote the value: %s", s, err.msg);
    if (!strstr(err.msg, "effective_from"))
        fail_msg("\"%s\": message does not name the field: %s", s, err.msg);
    assert_string_equal(err.field, "effective_from");
}

static void test_date_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2021-02-29", "2021-13-01", "2021-04-31", "1900-02-29", "2021-00-10", "2021-01-00", "2021-1-5",
        "20211125",   "",           "2021-11-25x", "2021-11-25 ", " 2021-11-25", "2021/11/25", "0999-12-31",
        "2021-11-2a", "+021-11-25",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_bad_date(bad[i]);
    xc_error err;
    xc_date out;
    xc_error_clear(&err);
    assert_int_equal(xc_date_parse(NULL, &out, "effective_to", &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "effective_to"));
}

static void test_date_round_trip(void **state)
{
    (void)state;
    xc_date first = xc_date_from_ymd(1970, 1, 1), last = xc_date_from_ymd(2100, 12, 31);
    assert_int_equal(last - first + 1, 131 * 365 + 32); /* 32 leap days, 2100 is not one */
    char buf[XC_DATE_BUF], want[XC_DATE_BUF + 16];
    for (xc_date d = first; d <= last; d++) {
        int y, m, dd;
        xc_date_to_ymd(d, &y, &m, &dd);
        snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, dd);
        assert_string_equal(xc_date_format(d, buf), want);
        xc_date back = XC_DATE_NONE;
        if (xc_date_parse(buf, &back, NULL, NULL) != XC_OK || back != d)
            fail_msg("day %d: \"%s\" parsed back as %d", (int)d, buf, (int)back);
        assert_int_equal(xc_date_from_ymd(y, m, dd), d);
    }
}

static int64_t ts_ok(const char *s)
{
    xc_error err;
    int64_t us = -42;
    xc_error_clear(&err);
    if (xc_ts_parse(s, &us, "--as-of", &err) != XC_OK)
        fail_msg("parsing \"%s\": %s", s, err.msg);
    return us;
}

static void test_ts_parse_valid(void **state)
{
    (void)state;
    int64_t day = (int64_t)xc_date_from_ymd(2021, 11, 25) * DAY_US;
    assert_int_equal(ts_ok("2021-11-25"), day);
    assert_int_equal(ts_ok("2021-11-25T10:00:00Z"), day + 10 * 3600 * US);
    assert_int_equal(ts_ok("2021-11-25T10:00:00"), day + 10 * 3600 * US);
    assert_int_equal(ts_ok("2021-11-25T10:00Z"), day + 10 * 3600 * US);
    assert_int_equal(ts_ok("2021-11-25T10:00:00.5Z"), day + 10 * 3600 * US + 500000);
    assert_int_equal(ts_ok("2021-11-25T10:00:00.000001Z"), day + 10 * 3600 * US + 1);
    assert_int_equal(ts_ok("2021-11-25T10:00:00.123456Z"), day + 10 * 3600 * US + 123456);
    assert_int_equal(ts_ok("2021-11-25T10:00:00+02:00"), day + 8 * 3600 * US);
    assert_int_equal(ts_ok("2021-11-25T10:00:00-05:30"), day + (15 * 3600 + 30 * 60) * US);
    assert_int_equal(ts_ok("2021-11-25T01:00:00+02:00"), day - 1 * 3600 * US);
    assert_int_equal(ts_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ts_ok("1969-12-31T23:59:59.999999Z"), -1);
}

static void test_ts_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2021-11-25T25:00:00Z", "2021-11-25T10:00:00.1234567Z", "yesterday", "2021-11-25T10:60:00Z",
        "2021-11-25T10:00:00.Z", "2021-11-25T10Z", "2021-11-25T10:00:00+2:00", "2021-11-25T10:00:00Zjunk",
        "2021-02-30T10:00:00Z", "2021-11-25T", "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xc_error err;
        int64_t us = 77;
        xc_error_clear(&err);
        int rc = xc_ts_parse(bad[i], &us, "--as-of", &err);
        if (rc != XC_EINVAL)
            fail_msg("\"%s\": expected XC_EINVAL, got %d", bad[i], rc);
        assert_int_equal(us, 77);
        if (!strstr(err.msg, bad[i]) || !strstr(err.msg, "--as-of"))
            fail_msg("\"%s\": message lacks value or field: %s", bad[i], err.msg);
    }
}

static void test_ts_format_round_trip(void **state)
{
    (void)state;
    char buf[XC_TS_BUF];
    int64_t t = ts_ok("2021-11-25T10:00:00.123456Z");
    assert_string_equal(xc_ts_format(t, buf), "2021-11-25T10:00:00.123456Z");
    assert_int_equal(strlen(buf), XC_TS_BUF - 1);
    assert_string_equal(xc_ts_format(0, buf), "1970-01-01T00:00:00.000000Z");
    assert_string_equal(xc_ts_format(-1, buf), "1969-12-31T23:59:59.999999Z");
    assert_string_equal(xc_ts_format(ts_ok("2021-11-25T10:00:00.5+02:00"), buf), "2021-11-25T08:00:00.500000Z");
    /* a spread of instants, from 1970 to 2100, each with a different microsecond */
    int64_t step = 97LL * 3600 * US + 123457;
    int64_t end = (int64_t)xc_date_from_ymd(2101, 1, 1) * DAY_US;
    for (int64_t us = 0; us < end; us += step) {
        xc_ts_format(us, buf);
        if (ts_ok(buf) != us)
            fail_msg("%lld formatted as %s does not parse back", (long long)us, buf);
    }
    int64_t now = xc_ts_now();
    assert_int_equal(ts_ok(xc_ts_format(now, buf)), now);
}

static void test_ts_date(void **state)
{
    (void)state;
    xc_date d = xc_date_from_ymd(2021, 11, 25);
    assert_int_equal(xc_ts_date(ts_ok("2021-11-25")), d);
    assert_int_equal(xc_ts_date(ts_ok("2021-11-25T23:59:59.999999Z")), d);
    assert_int_equal(xc_ts_date(ts_ok("2021-11-26T00:00:00Z")), d + 1);
    assert_int_equal(xc_ts_date(ts_ok("2021-11-26T01:00:00+02:00")), d);
    assert_int_equal(xc_ts_date(0), 0);
    assert_int_equal(xc_ts_date(-1), -1);
    assert_int_equal(xc_ts_date(-DAY_US), -1);
    assert_int_equal(xc_ts_date(-DAY_US - 1), -2);
    xc_date today = xc_date_today();
    assert_true(today > xc_date_from_ymd(2020, 1, 1));
    xc_date later = xc_ts_date(xc_ts_now());
    assert_true(later == today || later == today + 1); /* midnight may pass in between */
}

int main(void)
{
    xc_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parse_valid),   cmocka_unit_test(test_date_epoch),
        cmocka_unit_test(test_date_parse_invalid), cmocka_unit_test(test_date_round_trip),
        cmocka_unit_test(test_ts_parse_valid),     cmocka_unit_test(test_ts_parse_invalid),
        cmocka_unit_test(test_ts_format_round_trip), cmocka_unit_test(test_ts_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
