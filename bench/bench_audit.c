/*
 * bench_audit.c: durable audited state transitions per second, with and
 * without group commit, beside plain SQLite inserts in the same run; and
 * `audit verify` throughput beside sha256sum over the exported log
 * (issue 5).  Method and figures: docs/audit-bench.md.
 *
 * Every database is a real SQLite file in a temporary folder (under $TMPDIR
 * or /tmp), WAL mode, synchronous=FULL: a commit returns only after its
 * fsync, which is what "durable" means here.
 *
 *  a) plain SQLite: one row per transaction, then rows batched per
 *     transaction like group commit does (same file settings, own
 *     connection, one prepared INSERT of a row the size of a licence
 *     version);
 *  b) audited transitions: suspend/reinstate alternately on a set of
 *     subjects, each a new document version plus its audit event, sealed
 *     under a new signed head at each commit; one per commit (one thread),
 *     then through xc_commitq with 8, 16 and 32 submitting threads;
 *  c) xc_audit_verify over a log of 200,000 events, the log exported as
 *     `exportctl audit log --json` prints it, sha256sum over that file.
 *
 * Usage: bench_audit [--quick] [--scale F] [--runs N] [--threads LIST]
 *                    [--events N] [--parts plain,serial,group,verify]
 *                    [--dir DIR] [--keep]
 * --quick (or BENCH_QUICK=1 in the environment) is --scale 0.1 --runs 3
 * --events 20000 (about 10 s).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "commitq.h"
#include "db.h"
#include "docs.h"
#include "licence.h"
#include "mem.h"
#include "store.h"

extern char **environ;

#define MAX_THREADS 64
#define SUBJECTS_PER_THREAD 4
#define MAX_RUNS 31
#define TARGET_TPS 5000.0
#define TARGET_VERIFY_RATIO 0.5

/* ---- options ----------------------------------------------------------------- */

static struct {
    double scale;
    int runs;
    int threads[8];
    int n_threads;
    long events;
    const char *dir;
    int keep;
    const char *parts;
} opt = {1.0, 5, {8, 16, 32}, 3, 200000, NULL, 0, "plain,serial,group,verify"};

/* Whether a part (plain, serial, group, verify) is to run. */
static int part(const char *name)
{
    size_t n = strlen(name);
    for (const char *p = opt.parts; (p = strstr(p, name)) != NULL; p += n)
        if ((p == opt.parts || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
            return 1;
    return 0;
}

static long scaled(long n)
{
    long v = (long)((double)n * opt.scale);
    return v < 64 ? 64 : v;
}

/* ---- small helpers ----------------------------------------------------------- */

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

/* Median of v[0..n) (sorts v). */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double pct(double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static char workdir[4096];

static const char *wpath(const char *name)
{
    static char buf[4][4200];
    static int k;
    char *b = buf[k++ & 3];
    snprintf(b, sizeof(buf[0]), "%s/%s", workdir, name);
    return b;
}

static void die(const char *what, const xc_error *err)
{
    fprintf(stderr, "bench_audit: %s: %s\n", what, err ? err->msg : strerror(errno));
    exit(1);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (workdir[0] && !opt.keep)
        nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Remove a SQLite database and its WAL files. */
static void remove_db(const char *path)
{
    char b[4300];
    remove(path);
    snprintf(b, sizeof(b), "%s-wal", path);
    remove(b);
    snprintf(b, sizeof(b), "%s-shm", path);
    remove(b);
}

/* ---- a) plain SQLite --------------------------------------------------------------- */

static void sq_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_audit: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

/* A row about the size of a licence version (key, 300-byte JSON body, hash, time). */
static const char plain_body[] =
    "{\"conditions\":[\"no re-export\",\"end-use statement on file\"],\"destination\":\"AE\",\"exporter\":"
    "\"ORG-BENCH\",\"id\":\"LIC-BENCH-0001\",\"items\":[\"4D004\",\"4E001.c\"],\"reason\":\"periodic compliance "
    "review\",\"regime\":\"il\",\"status\":\"suspended\",\"valid_from\":\"2026-01-01\",\"valid_until\":"
    "\"2028-12-31\",\"version\":12}";

/* n rows, `batch` rows per transaction; returns rows/s. */
static double plain_run(const char *path, long n, int batch)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, NULL);
    sq_exec(db, "PRAGMA journal_mode = WAL");
    sq_exec(db, "PRAGMA synchronous = FULL");
    sq_exec(db, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, hash TEXT NOT NULL, "
                "body TEXT NOT NULL, recorded_at INTEGER NOT NULL)");
    if (sqlite3_prepare_v2(db, "INSERT INTO t (key, hash, body, recorded_at) VALUES (?1, ?2, ?3, ?4)", -1, &ins,
                           NULL) != SQLITE_OK)
        die(sqlite3_errmsg(db), NULL);
    char key[32], hash[65];
    memset(hash, 'a', 64);
    hash[64] = 0;
    double t0 = now_s();
    for (long i = 0; i < n;) {
        sq_exec(db, "BEGIN IMMEDIATE");
        for (int j = 0; j < batch && i < n; j++, i++) {
            snprintf(key, sizeof(key), "LIC-BENCH-%04ld", i % 64);
            sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, hash, 64, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, plain_body, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 4, (sqlite3_int64)i);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die(sqlite3_errmsg(db), NULL);
            sqlite3_reset(ins);
        }
        sq_exec(db, "COMMIT");
    }
    double dt = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return (double)n / dt;
}

/* ---- b) audited transitions ------------------------------------------------------- */

/* The licences the transitions act on, issued through the real workflow in
 * setup (application create, submit with its checks and screening, review,
 * approve); a transition is xc_licence_act: load the licence and the acting
 * officer, check the role and the status, record the new version with its
 * notice, append the audit event. */
#define BENCH_OFFICER "officer-bench"

typedef struct subject {
    char id[32];
    int suspended;   /* current state (only its owning thread changes it) */
} subject;

static subject *subjects;
static int n_subjects;
static double setup_s;

typedef struct transition {
    subject *sub;
} transition;

/* suspend <-> reinstate through the licensing library. */
static int do_transition(xc_store *s, void *arg, xc_error *err)
{
    subject *sub = ((transition *)arg)->sub;
    return xc_licence_act(s, BENCH_OFFICER, sub->id, sub->suspended ? "reinstate" : "suspend",
                          "periodic compliance review", NULL, NULL, err);
}

/* Called after a transition committed. */
static void transition_done(subject *sub)
{
    sub->suspended = !sub->suspended;
}

static void setup_subjects(xc_store *s, int n)
{
    xc_error err;
    double t0 = now_s();
    subjects = calloc((size_t)n, sizeof(*subjects));
    n_subjects = n;
    if (xc_user_add(s, "admin-bench", "admin-bench", "admin", NULL, &err) ||
        xc_user_add(s, "admin-bench", BENCH_OFFICER, "officer", NULL, &err) ||
        xc_org_add(s, "admin-bench", "org-bench", "Bench Cyber Ltd", "IL", &err) ||
        xc_user_add(s, "admin-bench", "exporter-bench", "exporter", "org-bench", &err))
        die("setup users", &err);
    static const char *const dest[] = {"FR", "JP", "DE", "IT", "ES", "GB", "CA", "AU"};
    for (int i = 0; i < n; i++) {
        char app[32];
        json_t *f = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:[{s:s, s:s, s:s}], s:s, s:{s:i, s:s}, s:s}", "type",
                              "export", "regime", "il", "exporter", "org-bench", "items", "4D004", "destination",
                              dest[i % 8], "end_users", "name", "National Police", "country", dest[i % 8], "type",
                              "government", "end_use", "investigation of serious crime and terrorism", "value",
                              "amount", 1000000, "currency", "USD", "date", "2026-01-15");
        json_t *out = NULL;
        if (!f || xc_app_create(s, "exporter-bench", f, app, &err) ||
            xc_app_submit(s, "exporter-bench", app, NULL, &err) || xc_app_review(s, BENCH_OFFICER, app, NULL, &err) ||
            xc_app_approve(s, BENCH_OFFICER, app, NULL, &out, &err))
            die("setup licence", &err);
        const char *lic = json_string_value(json_object_get(out, "licence"));
        if (!lic)
            die("setup: approval issued no licence", NULL);
        snprintf(subjects[i].id, sizeof(subjects[i].id), "%s", lic);
        json_decref(out);
        json_decref(f);
    }
    setup_s = now_s() - t0;
}

/* One transition per transaction, one thread; returns transitions/s. */
static double audited_serial(xc_store *s, long n)
{
    xc_error err;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        transition tr = {&subjects[i % n_subjects]};
        if (xc_store_begin(s, &err) || do_transition(s, &tr, &err) || xc_store_commit(s, &err))
            die("serial transition", &err);
        transition_done(tr.sub);
    }
    return (double)n / (now_s() - t0);
}

typedef struct worker {
    xc_commitq *q;
    int index;
    long n;
    double *lat;    /* seconds per submission */
    int failed;
    xc_error err;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    subject *own = &subjects[w->index * SUBJECTS_PER_THREAD];
    for (long i = 0; i < w->n; i++) {
        transition tr = {&own[i % SUBJECTS_PER_THREAD]};
        double t0 = now_s();
        if (xc_commitq_submit(w->q, do_transition, &tr, &w->err) != XC_OK) {
            w->failed = 1;
            return NULL;
        }
        w->lat[i] = now_s() - t0;
        transition_done(tr.sub);
    }
    return NULL;
}

typedef struct group_result {
    double tps;
    double mean_batch;
    double p50_ms, p99_ms;
} group_result;

/* n transitions from `threads` threads through a commit queue. */
static group_result audited_group(xc_store *s, int threads, long n)
{
    xc_error err;
    xc_commitq *q;
    xc_commitq_opts o = {.max_batch = 256, .max_wait_us = 0};
    if (xc_commitq_open(s, &o, &q, &err))
        die("commitq open", &err);
    worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    long per = n / threads;
    double *lat = calloc((size_t)(per * threads), sizeof(double));
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        w[i] = (worker){.q = q, .index = i, .n = per, .lat = lat + i * per};
        if (pthread_create(&tid[i], NULL, worker_main, &w[i]))
            die("pthread_create", NULL);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    double dt = now_s() - t0;
    xc_commitq_stats st;
    xc_commitq_stats_get(q, &st);
    xc_commitq_close(q);
    for (int i = 0; i < threads; i++)
        if (w[i].failed)
            die("group transition", &w[i].err);
    size_t total = (size_t)(per * threads);
    qsort(lat, total, sizeof(double), cmp_double);
    group_result r = {(double)total / dt, st.commits ? (double)st.committed / (double)st.commits : 0,
                      pct(lat, total, 0.50) * 1e3, pct(lat, total, 0.99) * 1e3};
    free(lat);
    return r;
}

/* ---- c) audit verify vs sha256sum ---------------------------------------------------- */

static int sum_body(void *ctx, const xc_event_row *ev, xc_error *err)
{
    (void)err;
    ((double *)ctx)[0] += (double)ev->body_len;
    ((double *)ctx)[1] += 1;
    return 0;
}

static void build_log(xc_store *s, long n)
{
    xc_error err;
    const long per_tx = 1000;
    for (long i = 0; i < n;) {
        if (xc_store_begin(s, &err))
            die("begin", &err);
        for (long j = 0; j < per_tx && i < n; j++, i++) {
            char sub[32];
            snprintf(sub, sizeof(sub), "LIC-2026-%06ld", i % 5000);
            int suspend = (int)((i / 5000) % 2 == 0);
            json_t *payload = json_pack("{sssIsssssIss}", "reason", "periodic compliance review", "version",
                                        (json_int_t)(i / 5000 + 2), "regime", "il", "exporter", "ORG-BENCH",
                                        "doc_id", (json_int_t)(i + 1), "content_hash",
                                        "3f1c8d7e2a9b0c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5");
            if (xc_audit_append(s, "officer-bench", suspend ? "licence.suspend" : "licence.reinstate", sub, payload,
                                NULL, &err))
                die("append", &err);
            json_decref(payload);
        }
        if (xc_store_commit(s, &err))
            die("commit", &err);
    }
}

/* Wall time of `sha256sum file` (output discarded). */
static double time_sha256sum(const char *file)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"sha256sum", (char *)file, NULL};
    pid_t pid;
    double t0 = now_s();
    if (posix_spawnp(&pid, "sha256sum", &fa, NULL, argv, environ) != 0)
        die("posix_spawnp sha256sum", NULL);
    int status;
    waitpid(pid, &status, 0);
    double dt = now_s() - t0;
    posix_spawn_file_actions_destroy(&fa);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_audit: sha256sum %s failed\n", file);
        exit(1);
    }
    return dt;
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: bench_audit [--quick] [--scale F] [--runs N] [--threads 8,16,32] [--events N]\n"
                    "                   [--parts plain,serial,group,verify] [--dir DIR] [--keep]\n");
    exit(2);
}

static void quick(void)
{
    opt.scale = 0.1;
    opt.runs = 3;
    opt.events = 20000;
}

static void parse_args(int argc, char **argv)
{
    const char *e = getenv("BENCH_QUICK");
    if (e && *e && strcmp(e, "0") != 0)
        quick();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) {
            quick();
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
        } else if (strcmp(a, "--keep") == 0) {
            opt.keep = 1;
        } else if (!v) {
            usage();
        } else if (i++, strcmp(a, "--scale") == 0) {
            opt.scale = atof(v);
        } else if (strcmp(a, "--runs") == 0) {
            opt.runs = atoi(v);
        } else if (strcmp(a, "--events") == 0) {
            opt.events = atol(v);
        } else if (strcmp(a, "--parts") == 0) {
            opt.parts = v;
        } else if (strcmp(a, "--dir") == 0) {
            opt.dir = v;
        } else if (strcmp(a, "--threads") == 0) {
            opt.n_threads = 0;
            char *copy = strdup(v), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t && opt.n_threads < 8; t = strtok_r(NULL, ",", &save))
                opt.threads[opt.n_threads++] = atoi(t);
            free(copy);
        } else {
            usage();
        }
    }
    if (opt.scale <= 0 || opt.runs < 1 || opt.runs > MAX_RUNS || opt.events < 1 || opt.n_threads < 1)
        usage();
    for (int i = 0; i < opt.n_threads; i++)
        if (opt.threads[i] < 1 || opt.threads[i] > MAX_THREADS)
            usage();
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    xc_error err;
    if (xc_init(&err))
        die("init", &err);
    const char *base = opt.dir ? opt.dir : getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(workdir, sizeof(workdir), "%s/exportctl-bench-audit-XXXXXX", base);
    if (!mkdtemp(workdir))
        die(workdir, NULL);
    atexit(cleanup);

    int maxt = 1;
    for (int i = 0; i < opt.n_threads; i++)
        maxt = opt.threads[i] > maxt ? opt.threads[i] : maxt;
    long n_serial = scaled(3000), n_group = scaled(20000), n_plain = scaled(3000), n_plain_batched = scaled(20000);

    printf("audit benchmark (issue 5): SQLite %s files in %s, journal_mode=WAL, synchronous=FULL\n"
           "  (a commit returns after its fsync: durable); %d runs per figure, medians; %ld cores online\n",
           sqlite3_libversion(), workdir, opt.runs, sysconf(_SC_NPROCESSORS_ONLN));

    /* a) plain SQLite, one row per commit */
    double r_plain[MAX_RUNS], plain1 = 0;
    if (part("plain")) {
        for (int r = 0; r < opt.runs; r++) {
            remove_db(wpath("plain.db"));
            r_plain[r] = plain_run(wpath("plain.db"), n_plain, 1);
        }
        plain1 = median(r_plain, opt.runs);
        printf("\na) plain SQLite inserts (own connection, one prepared INSERT of a %zu-byte row)\n",
               sizeof(plain_body) - 1);
        printf("  one row per commit:          median %8.0f rows/s (min %.0f, max %.0f), %ld rows per run\n",
               plain1, r_plain[0], r_plain[opt.runs - 1], n_plain);
    }

    /* b) audited transitions */
    xc_store *s = NULL;
    if (part("serial") || part("group")) {
        if (xc_db_open(wpath("audited.db"), &s, &err))
            die("open", &err);
        setup_subjects(s, maxt * SUBJECTS_PER_THREAD);
        printf("\nb) durable audited state transitions: xc_licence_act suspend <-> reinstate on %d licences\n"
               "   issued in setup through the workflow (create, submit with checks, review, approve: %.1f s);\n"
               "   each transition loads the licence and the officer, checks role and status, records a new\n"
               "   version with its notice and its audit event; every commit seals the events under a new\n"
               "   Ed25519-signed head\n",
               n_subjects, setup_s);
    }
    double best = 0;
    if (part("serial")) {
        double r_serial[MAX_RUNS];
        for (int r = 0; r < opt.runs; r++)
            r_serial[r] = audited_serial(s, n_serial);
        double serial = median(r_serial, opt.runs);
        printf("  one per commit, 1 thread:    median %8.0f /s (min %.0f, max %.0f), %ld per run", serial,
               r_serial[0], r_serial[opt.runs - 1], n_serial);
        if (plain1 > 0)
            printf("; %.2fx plain 1-row commits", serial / plain1);
        printf("\n");
    }
    for (int ti = 0; part("group") && ti < opt.n_threads; ti++) {
        int t = opt.threads[ti];
        double tps[MAX_RUNS], mb[MAX_RUNS], p50[MAX_RUNS], p99[MAX_RUNS];
        for (int r = 0; r < opt.runs; r++) {
            group_result g = audited_group(s, t, n_group);
            tps[r] = g.tps;
            mb[r] = g.mean_batch;
            p50[r] = g.p50_ms;
            p99[r] = g.p99_ms;
        }
        double m = median(tps, opt.runs), mean_batch = median(mb, opt.runs);
        double lo = tps[0], hi = tps[opt.runs - 1];
        best = m > best ? m : best;
        printf("  group commit, %2d threads:    median %8.0f /s (min %.0f, max %.0f), %ld per run, %s;\n"
               "                               mean batch %.1f, latency p50 %.2f ms, p99 %.2f ms\n",
               t, m, lo, hi, n_group / t * t, m >= TARGET_TPS ? "target met" : "target NOT met", mean_batch,
               median(p50, opt.runs), median(p99, opt.runs));
        if (part("plain")) {
            /* plain inserts batched like this configuration's group commits */
            int batch = (int)(mean_batch + 0.5) < 1 ? 1 : (int)(mean_batch + 0.5);
            double r_b[MAX_RUNS];
            for (int r = 0; r < opt.runs; r++) {
                remove_db(wpath("plain.db"));
                r_b[r] = plain_run(wpath("plain.db"), n_plain_batched, batch);
            }
            double pb = median(r_b, opt.runs);
            printf("    plain SQLite, %2d rows per commit: median %8.0f rows/s (min %.0f, max %.0f); group commit "
                   "= %.2fx this, %.2fx plain 1-row commits\n",
                   batch, pb, r_b[0], r_b[opt.runs - 1], m / pb, m / plain1);
        }
    }
    if (part("group"))
        printf("  target %.0f durable audited transitions/s with group commit: best median %.0f/s, %.2fx (%s)\n",
               TARGET_TPS, best, best / TARGET_TPS, best >= TARGET_TPS ? "met" : "NOT met");
    xc_store_close(s);
    s = NULL;
    if (!part("verify"))
        return 0;

    /* c) verify vs sha256sum */
    long nev = opt.events;
    if (xc_store_open(wpath("log.db"), &s, &err))
        die("open", &err);
    double t0 = now_s();
    build_log(s, nev);
    double t_build = now_s() - t0;
    double sums[2] = {0, 0};
    if (xc_store_events_scan(s, 1, -1, sum_body, sums, &err))
        die("scan", &err);

    const char *exported = wpath("audit-log.json");
    t0 = now_s();
    json_t *events = NULL;
    if (xc_audit_events(s, 1, 0, NULL, NULL, NULL, &events, &err))
        die("events", &err);
    FILE *f = fopen(exported, "w");
    if (!f || json_dumpf(events, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) || fputc('\n', f) == EOF ||
        fclose(f))
        die(exported, NULL);
    double t_export = now_s() - t0;
    json_decref(events);
    struct stat stt;
    if (stat(exported, &stt))
        die(exported, NULL);
    double file_mb = (double)stt.st_size / 1e6, body_mb = sums[0] / 1e6;

    /* verify and sha256sum alternately, so that a noisy spell hits both */
    time_sha256sum(exported); /* warm the page cache */
    double r_verify[MAX_RUNS], r_sha[MAX_RUNS], r_scan[MAX_RUNS];
    long verified = 0;
    for (int r = 0; r < opt.runs; r++) {
        json_t *report = NULL;
        double scratch[2] = {0, 0};
        t0 = now_s();
        if (xc_store_events_scan(s, 1, -1, sum_body, scratch, &err))
            die("scan", &err);
        r_scan[r] = now_s() - t0;
        t0 = now_s();
        int rc = xc_audit_verify(s, NULL, &report, &err);
        r_verify[r] = now_s() - t0;
        if (rc)
            die("verify", &err);
        verified = (long)json_integer_value(json_object_get(report, "size"));
        json_decref(report);
        r_sha[r] = time_sha256sum(exported);
    }
    xc_store_close(s);
    double t_verify = median(r_verify, opt.runs), t_scan = median(r_scan, opt.runs);
    double t_sha = median(r_sha, opt.runs);
    double ratio = t_sha / t_verify;

    printf("\nc) audit verify over a log of %ld events (built in %.1f s, 1,000 per commit; %.1f MB of event JSON,\n"
           "   %.0f bytes per event); exported as `audit log --json` prints it: %.1f MB (%.1f s to export)\n",
           verified, t_build, body_mb, sums[0] / sums[1], file_mb, t_export);
    printf("  xc_audit_verify:   median %.3f s (min %.3f, max %.3f): %.0f events/s, %.1f MB/s of event JSON\n",
           t_verify, r_verify[0], r_verify[opt.runs - 1], (double)verified / t_verify, body_mb / t_verify);
    printf("    (reading the events from SQLite alone, xc_store_events_scan: median %.3f s)\n", t_scan);
    printf("  sha256sum of the exported log: median %.3f s (min %.3f, max %.3f): %.1f MB/s\n", t_sha, r_sha[0],
           r_sha[opt.runs - 1], file_mb / t_sha);
    printf("  verify speed / sha256sum speed on the same log: %.2f (target >= %.1f: %s);\n"
           "    by bytes (event JSON/s vs exported file/s): %.2f\n",
           ratio, TARGET_VERIFY_RATIO, ratio >= TARGET_VERIFY_RATIO ? "met" : "NOT met",
           (body_mb / t_verify) / (file_mb / t_sha));
    if (opt.keep)
        printf("  files kept in %s\n", workdir);
    return 0;
}
