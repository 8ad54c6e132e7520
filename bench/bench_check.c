/*
 * bench_check.c: policy checks per second, in-process, on one core.
 *
 * Builds a fresh database with the bundled data, loads the engine, and
 * generates a fixed-seed workload of checks without parties: every regime,
 * every control-list item, every ISO country, each regime's activities, the
 * three end-user types and dates from 2021 to 2026.  Each timed run performs
 * prepare + evaluate for every check (what `check` does before printing);
 * the median of several runs is reported against the 1,000,000 checks/s
 * target of issue 3.  Usage: bench_check [CHECKS] [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "country.h"
#include "db.h"
#include "policy.h"

static const char *const regimes[] = {"il", "us-ear", "eu"};
static const char *const items[] = {"4A005", "4D004", "4D001.a", "4E001.a", "4E001.c", "5A001.f",
                                    "5A001.j", "5B001.a", "5D001.a", "5D001.c", "5D001.e", "5E001.a"};
static const char *const euts[] = {"government", "company", "individual"};

static uint64_t rng = 0x2021112520211104ULL;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    char path[] = "/tmp/exportctl-bench-XXXXXX";
    xc_error err;
    xc_store *s = NULL;
    xc_policy *p = NULL;
    int fd = mkstemp(path);
    if (fd < 0 || close(fd) || remove(path))
        return 1;
    if (xc_db_open(path, &s, &err) || xc_policy_load(s, XC_TS_LATEST, &p, &err)) {
        fprintf(stderr, "bench_check: %s\n", err.msg);
        return 1;
    }
    xc_check_req *reqs = calloc((size_t)n, sizeof(*reqs));
    xc_date d0 = xc_date_from_ymd(2021, 1, 1), d1 = xc_date_from_ymd(2026, 11, 25);
    for (long i = 0; i < n; i++) {
        xc_check_req *r = &reqs[i];
        r->regime = regimes[next() % 3];
        r->item = items[next() % 12];
        r->destination = xc_country_at(next() % xc_iso_country_count)->alpha2;
        r->activity = strcmp(r->regime, "il") == 0 ? (next() % 2 ? "marketing" : "export") : "export";
        r->end_user_type = euts[next() % 3];
        r->date = d0 + (xc_date)(next() % (uint32_t)(d1 - d0));
    }
    long counts[XC_OUTCOME_COUNT] = {0};
    double *rates = calloc((size_t)runs, sizeof(double)), *eval_rates = calloc((size_t)runs, sizeof(double));
    xc_check *chk = calloc((size_t)n, sizeof(*chk));
    for (long i = 0; i < n; i++) /* warm-up: touch every page once */
        if (xc_policy_prepare(p, &reqs[i], &chk[i], &err) == XC_OK)
            xc_policy_eval(p, &chk[i]);
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            if (xc_policy_prepare(p, &reqs[i], &chk[i], &err)) {
                fprintf(stderr, "bench_check: %s\n", err.msg);
                return 1;
            }
            xc_policy_eval(p, &chk[i]);
        }
        double t1 = now_s();
        for (long i = 0; i < n; i++)
            xc_policy_eval(p, &chk[i]);
        double t2 = now_s();
        rates[r] = (double)n / (t1 - t0);
        eval_rates[r] = (double)n / (t2 - t1);
        if (r == 0)
            for (long i = 0; i < n; i++)
                counts[chk[i].outcome]++;
    }
    qsort(rates, (size_t)runs, sizeof(double), cmp_double);
    qsort(eval_rates, (size_t)runs, sizeof(double), cmp_double);
    double med = rates[runs / 2], med_eval = eval_rates[runs / 2];
    printf("policy check benchmark: %ld generated checks (seed fixed, no parties), %d runs, one thread\n", n, runs);
    printf("  outcomes: ");
    for (int o = 0; o < XC_OUTCOME_COUNT; o++)
        printf("%s%s %ld", o ? ", " : "", xc_outcome_name(o), counts[o]);
    printf("\n  prepare+evaluate: median %.0f checks/s (min %.0f, max %.0f), %.2f us/check\n", med, rates[0],
           rates[runs - 1], 1e6 / med);
    printf("  evaluate only:    median %.0f checks/s\n", med_eval);
    printf("  target 1,000,000 checks/s: ratio %.2fx (%s)\n", med / 1e6, med >= 1e6 ? "met" : "NOT met");
    xc_policy_free(p);
    xc_store_close(s);
    remove(path);
    free(reqs);
    free(chk);
    free(rates);
    free(eval_rates);
    return 0;
}
