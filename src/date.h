/*
 * date.h: calendar dates (valid time) and UTC timestamps (transaction time).
 * A date is a day number (days since 1970-01-01); a timestamp is
 * microseconds since the epoch, UTC.  Parsing is strict ISO 8601: an
 * impossible date such as 2021-02-30 is an error naming the value.
 */
#ifndef XC_DATE_H
#define XC_DATE_H

#include <stdint.h>

#include "error.h"

typedef int32_t xc_date;

#define XC_DATE_NONE INT32_MIN    /* "no date" (open interval end) */
#define XC_DATE_BUF 11            /* "YYYY-MM-DD" + NUL */
#define XC_TS_BUF 28              /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL */

/* Parse "YYYY-MM-DD" (years 1000-9999); field names the input in errors. */
int xc_date_parse(const char *s, xc_date *out, const char *field, xc_error *err);

/* Write d as "YYYY-MM-DD" into buf (XC_DATE_BUF bytes); returns buf. */
char *xc_date_format(xc_date d, char *buf);

/* Day number of a civil date; no validation. */
xc_date xc_date_from_ymd(int y, int m, int d);

/* Split a day number into year, month, day. */
void xc_date_to_ymd(xc_date d, int *y, int *m, int *dd);

/* Today's date in UTC. */
xc_date xc_date_today(void);

/* Parse a timestamp: "YYYY-MM-DD" (midnight UTC) or
 * "YYYY-MM-DDTHH:MM[:SS[.f{1,6}]]" followed by "Z", "+HH:MM" or nothing (UTC). */
int xc_ts_parse(const char *s, int64_t *out_us, const char *field, xc_error *err);

/* Write a timestamp as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (XC_TS_BUF bytes). */
char *xc_ts_format(int64_t us, char *buf);

/* Current time in microseconds since the epoch, UTC. */
int64_t xc_ts_now(void);

/* The day a timestamp falls on. */
xc_date xc_ts_date(int64_t us);

#endif
