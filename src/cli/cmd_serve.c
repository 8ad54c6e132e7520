/*
 * cmd_serve.c: `exportctl serve`, the HTTP API server (server.h).  Starts
 * the server, prints "listening on http://ADDR:PORT" (the bound port when
 * 0 was asked) on stdout, then waits for a signal: SIGHUP tells the
 * engines the data changed (rebuilt before the next request), SIGTERM and
 * SIGINT drain in-flight requests (up to --drain seconds), commit queued
 * writes and exit 0.  Signals are blocked before the server's threads
 * start, so only this thread receives them (sigwait).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "date.h"
#include "db.h"
#include "server.h"

static int int_opt(cli_ctx *c, const char *name, long lo, long hi, long *out)
{
    const char *v = cli_opt_value(c, name);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < lo || n > hi)
        return cli_usage_error(c, "--%s must be a whole number from %ld to %ld, not \"%s\"", name, lo, hi, v);
    *out = n;
    return 0;
}

static void log_event(int quiet, const char *event, const char *detail)
{
    if (quiet)
        return;
    char ts[XC_TS_BUF];
    fprintf(stderr, "{\"time\":\"%s\",\"event\":\"%s\"%s%s}\n", xc_ts_format(xc_ts_now(), ts), event,
            detail ? "," : "", detail ? detail : "");
}

static int cmd_serve(cli_ctx *c)
{
    long threads = 0, max_body = 0, max_depth = 0, per_ip = 0, timeout = 0, drain = 30;
    if (int_opt(c, "threads", 0, 1024, &threads) || int_opt(c, "max-body", 1, 4L * 1024 * 1024 * 1024, &max_body) ||
        int_opt(c, "max-depth", 1, 10000, &max_depth) || int_opt(c, "per-ip", 1, 100000, &per_ip) ||
        int_opt(c, "timeout", 1, 86400, &timeout) || int_opt(c, "drain", 0, 3600, &drain))
        return CLI_EXIT_USAGE;
    xc_srv_opts o = {
        .listen = cli_opt_value(c, "listen") ? cli_opt_value(c, "listen") : "127.0.0.1:8080",
        .db_path = xc_db_path(c->db_path),
        .threads = (int)threads,
        .max_body = (size_t)max_body,
        .max_depth = (int)max_depth,
        .per_ip = (int)per_ip,
        .timeout_s = (int)timeout,
        .quiet = cli_opt_flag(c, "quiet"),
    };
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    xc_srv *srv = NULL;
    int port = 0;
    int rc = xc_srv_start(&o, &srv, &port, &c->err);
    if (rc)
        return cli_fail(c, rc);
    /* the host part as given, with the bound port */
    char host[128];
    const char *colon = o.listen[0] == '[' ? strstr(o.listen, "]:") : strrchr(o.listen, ':');
    if (colon)
        snprintf(host, sizeof(host), "%.*s", (int)(colon - o.listen + (o.listen[0] == '[')), o.listen);
    else
        snprintf(host, sizeof(host), "127.0.0.1");
    printf("listening on http://%s:%d\n", host, port);
    fflush(stdout);
    char detail[256];
    snprintf(detail, sizeof(detail), "\"listen\":\"%s:%d\"", host, port);
    log_event(o.quiet, "start", detail);

    int sig = 0;
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            xc_srv_data_changed(srv);
            log_event(o.quiet, "reload", NULL);
            continue;
        }
        break;
    }
    snprintf(detail, sizeof(detail), "\"signal\":\"%s\",\"drain_s\":%ld", sig == SIGINT ? "SIGINT" : "SIGTERM",
             drain);
    log_event(o.quiet, "stopping", detail);
    xc_srv_stop(srv, (int)drain);
    log_event(o.quiet, "stopped", NULL);
    return CLI_EXIT_OK;
}

static const cli_opt serve_opts[] = {
    {"listen", "ADDR:PORT", "address to listen on (default 127.0.0.1:8080; port 0 picks a free port)", 0},
    {"threads", "N", "worker threads (default 0: 4 per CPU, at least 8, at most 64)", 0},
    {"max-body", "BYTES", "largest request body accepted (default 8388608); larger gets 413", 0},
    {"max-depth", "N", "deepest JSON nesting accepted (default 32)", 0},
    {"per-ip", "N", "concurrent connections per client address (default 64)", 0},
    {"timeout", "SECONDS", "idle connection timeout (default 30)", 0},
    {"drain", "SECONDS", "on SIGTERM, wait this long for in-flight requests (default 30)", 0},
    {"quiet", NULL, "no access log on stderr", 0},
    {NULL, NULL, NULL, 0}};

const cli_command cli_serve_commands[] = {
    {"serve", NULL, cmd_serve, "", 0, 0, "Run the HTTP API server",
     "Serves the JSON API under /v1 (see /v1/openapi.json and docs/http.md), /healthz and /metrics.\n"
     "Prints \"listening on http://ADDR:PORT\" once listening; logs one JSON line per request on stderr\n"
     "(unless --quiet). Authentication: \"Authorization: Bearer TOKEN\" (exportctl token create).\n"
     "SIGTERM or SIGINT drains in-flight requests and exits 0; SIGHUP reloads the engines' data.",
     serve_opts, "table"},
};
const size_t cli_serve_n_commands = sizeof(cli_serve_commands) / sizeof(cli_serve_commands[0]);
