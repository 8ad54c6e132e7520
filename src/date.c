/*
 * date.c: strict ISO 8601 dates and timestamps.  Day numbers use the
 * proleptic Gregorian calendar (days-from-civil arithmetic).
 */
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define US_PER_DAY (86400LL * 1000000LL)

xc_date xc_date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (xc_date)(era * 146097 + (int)doe - 719468);
}

void xc_date_to_ymd(xc_date z, int *y, int *m, int *d)
{
    int zz = z + 719468;
    int era = (zz >= 0 ? zz : zz - 146096) / 146097;
    unsigned doe = (unsigned)(zz - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int yy = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

static int days_in_month(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return mdays[m - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Parse the leading "YYYY-MM-DD" of s; returns 0, or -1 (shape), -2 (range). */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d))
        return -1;
    if (*y < 1000 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -2;
    return 0;
}

int xc_date_parse(const char *s, xc_date *out, const char *field, xc_error *err)
{
    int y, m, d;
    if (!s)
        return xc_error_set(err, XC_EINVAL, field, "%s: missing date", field ? field : "date");
    int rc = parse_ymd(s, &y, &m, &d);
    if (rc == 0 && s[10] != '\0')
        rc = -1;
    if (rc == -1)
        return xc_error_set(err, XC_EINVAL, field, "%s: \"%s\" is not a date; expected YYYY-MM-DD",
                            field ? field : "date", s);
    if (rc == -2)
        return xc_error_set(err, XC_EINVAL, field, "%s: \"%s\" is not a real calendar date",
                            field ? field : "date", s);
    *out = xc_date_from_ymd(y, m, d);
    return XC_OK;
}

char *xc_date_format(xc_date d, char *buf)
{
    int y, m, dd;
    if (d == XC_DATE_NONE) {
        buf[0] = '\0';
        return buf;
    }
    char tmp[48];
    xc_date_to_ymd(d, &y, &m, &dd);
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y % 10000, m, dd);
    memcpy(buf, tmp, XC_DATE_BUF - 1);
    buf[XC_DATE_BUF - 1] = '\0';
    return buf;
}

int64_t xc_ts_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

xc_date xc_date_today(void)
{
    return xc_ts_date(xc_ts_now());
}

xc_date xc_ts_date(int64_t us)
{
    int64_t days = us / US_PER_DAY;
    if (us < 0 && us % US_PER_DAY)
        days--;
    return (xc_date)days;
}

int xc_ts_parse(const char *s, int64_t *out_us, const char *field, xc_error *err)
{
    const char *what = field ? field : "timestamp";
    int y, mo, d, hh = 0, mi = 0, ss = 0, frac = 0, off = 0;
    if (!s)
        return xc_error_set(err, XC_EINVAL, field, "%s: missing timestamp", what);
    int rc = parse_ymd(s, &y, &mo, &d);
    if (rc == -2)
        return xc_error_set(err, XC_EINVAL, field, "%s: \"%s\" is not a real calendar date", what, s);
    if (rc)
        goto bad;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(p, 2, &hh) || p[2] != ':' || digits(p + 3, 2, &mi))
            goto bad;
        p += 5;
        if (*p == ':') {
            if (digits(p + 1, 2, &ss))
                goto bad;
            p += 3;
            if (*p == '.') {
                int n = 0;
                p++;
                while (isdigit((unsigned char)*p) && n < 6) {
                    frac = frac * 10 + (*p++ - '0');
                    n++;
                }
                if (n == 0 || isdigit((unsigned char)*p))
                    goto bad;
                for (; n < 6; n++)
                    frac *= 10;
            }
        }
        if (hh > 23 || mi > 59 || ss > 60)
            return xc_error_set(err, XC_EINVAL, field, "%s: \"%s\" has an impossible time of day", what, s);
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
                goto bad;
            off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
            p += 6;
        }
    }
    if (*p != '\0')
        goto bad;
    int64_t secs = (int64_t)xc_date_from_ymd(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off * 60;
    *out_us = secs * 1000000LL + frac;
    return XC_OK;
bad:
    return xc_error_set(err, XC_EINVAL, field,
                        "%s: \"%s\" is not a timestamp; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.ffffff]Z",
                        what, s);
}

char *xc_ts_format(int64_t us, char *buf)
{
    xc_date d = xc_ts_date(us);
    int64_t rem = us - (int64_t)d * US_PER_DAY;
    int y, m, dd;
    xc_date_to_ymd(d, &y, &m, &dd);
    int64_t secs = rem / 1000000;
    char tmp[80];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y % 10000, m, dd, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60), (int)(rem % 1000000));
    memcpy(buf, tmp, XC_TS_BUF - 1);
    buf[XC_TS_BUF - 1] = '\0';
    return buf;
}
