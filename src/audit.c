/*
 * audit.c: the tamper-evident audit log (see audit.h for the model).
 *
 * Appending: the first append of a transaction loads the log's state (the
 * Merkle frontier from the signed head, the last event's seq and chain
 * hash) and refuses to go on when the head and the events disagree; each
 * event is then hashed into the frontier and the chain in memory, and
 * xc_audit_seal, called by xc_store_commit, signs the new head.
 *
 * Verifying: one pass over the stored rows, hashing the body bytes as
 * stored (no JSON parsing, no allocation per event), checking sequence
 * numbers, leaf hashes, the columns against the body, the chain and the
 * recording order, and comparing the running Merkle root with every
 * published checkpoint and the signed head when the pass reaches their
 * sizes.  Signatures are checked with the verifier key given, else the
 * key file's, else the one recorded in the database.
 */
#include "audit.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "mem.h"
#include "merkle.h"
#include "note.h"
#include "store_int.h"

#define SETTING_ORIGIN "audit.origin"
#define SETTING_VKEY "audit.vkey"
#define PROOF_FORMAT "exportctl-proof/1"
#define TYPE_MAX 64
#define MAX_PROBLEMS 100
#define VKEY_MAX 256

struct xc_audit_state {
    /* the signing key as last read from its file, kept while the file's
     * identity (path, inode, size, modification time) does not change:
     * reading and decoding it at every commit cost 6% of a recorded check */
    int have_key;
    xc_note_key key;
    char key_path[PATH_MAX];
    struct stat key_stat;
    int loaded;
    int64_t tx;              /* transaction time the state was loaded in */
    int64_t base;            /* events in the log before this transaction */
    int64_t last_seq;
    unsigned char last_chain[XC_HASH_LEN];
    xc_frontier fr;
};

static void hex(const unsigned char *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

static int unhex32(const char *s, unsigned char out[XC_HASH_LEN])
{
    size_t len = 0;
    if (!s || strlen(s) != 2 * XC_HASH_LEN)
        return -1;
    if (sodium_hex2bin(out, XC_HASH_LEN, s, 2 * XC_HASH_LEN, NULL, &len, NULL) != 0 || len != XC_HASH_LEN)
        return -1;
    return 0;
}

static void chain_next(const unsigned char prev[XC_HASH_LEN], const unsigned char leaf[XC_HASH_LEN],
                       unsigned char out[XC_HASH_LEN])
{
    xc_sha256_2(prev, XC_HASH_LEN, leaf, XC_HASH_LEN, out);
}

void xc_audit_key_path(xc_store *s, char *out, size_t cap)
{
    const char *env = getenv("EXPORTCTL_KEY");
    if (env && *env)
        snprintf(out, cap, "%s", env);
    else
        snprintf(out, cap, "%s.key", xc_store_path(s));
}

/* ---- appending ---------------------------------------------------------------- */

static int state_load(xc_store *s, struct xc_audit_state *st, xc_error *err)
{
    xc_audit_head_row h;
    unsigned char chain[XC_HASH_LEN], root[XC_HASH_LEN];
    int64_t last = 0, hsize = 0;
    st->loaded = 0;
    int rc = xc_store_head_get(s, &h, err);
    if (rc == XC_ENOTFOUND) {
        xc_frontier_init(&st->fr);
        memset(h.chain, 0, sizeof(h.chain));
        rc = XC_OK;
    } else if (rc) {
        return rc;
    } else {
        hsize = h.size;
        if (xc_frontier_load(&st->fr, h.frontier, h.frontier_len) != 0 || (int64_t)st->fr.size != h.size ||
            (xc_frontier_root(&st->fr, root), memcmp(root, h.root, XC_HASH_LEN) != 0))
            rc = xc_error_set(err, XC_EVERIFY, NULL,
                              "the audit log's signed head is damaged (its frontier does not match its root); "
                              "run `exportctl audit verify`");
    }
    if (rc == XC_OK)
        rc = xc_store_event_last(s, &last, chain, err);
    if (rc == XC_OK && last != hsize)
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "audit log and signed head disagree (the log holds %lld events, the signed head covers "
                          "%lld); run `exportctl audit verify`",
                          (long long)last, (long long)hsize);
    else if (rc == XC_OK && memcmp(chain, h.chain, XC_HASH_LEN) != 0)
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "audit log and signed head disagree (event %lld's chain hash is not the signed head's); "
                          "run `exportctl audit verify`",
                          (long long)last);
    xc_audit_head_row_clear(&h); /* zeroed by head_get when there is none */
    if (rc)
        return rc;
    st->base = st->last_seq = last;
    memcpy(st->last_chain, chain, XC_HASH_LEN);
    st->tx = xc_store_tx_time(s);
    st->loaded = 1;
    return XC_OK;
}

static int valid_type(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > TYPE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Whether s is valid UTF-8 (as jansson requires of strings). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        uint32_t c = n == 0 ? *p : n == 1 ? *p & 0x1Fu : n == 2 ? *p & 0x0Fu : *p & 0x07u;
        if (n < 0 || (n == 1 && *p < 0xC2))
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (*p & 0x3Fu);
        }
        if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
    }
    return 1;
}

int xc_audit_append(xc_store *s, const char *actor, const char *type, const char *subject, json_t *payload,
                    int64_t *seq, xc_error *err)
{
    char ts[XC_TS_BUF];
    if (!xc_store_in_tx(s))
        return xc_error_set(err, XC_EINTERNAL, NULL, "audit event \"%s\" appended outside a transaction",
                            type ? type : "");
    if (!actor)
        actor = xc_store_actor(s);
    if (!valid_type(type))
        return xc_error_set(err, XC_EINVAL, "type",
                            "audit event type \"%s\": must be 1-%d characters of a-z, 0-9, '.', '_' or '-'",
                            type ? type : "", TYPE_MAX);
    if (!subject || !*subject)
        return xc_error_set(err, XC_EINVAL, "subject", "audit event %s: empty subject", type);
    if (!*actor)
        return xc_error_set(err, XC_EINVAL, "actor", "audit event %s: empty actor", type);
    if (!utf8_ok(actor) || !utf8_ok(subject))
        return xc_error_set(err, XC_EINVAL, utf8_ok(actor) ? "subject" : "actor",
                            "audit event %s: the %s is not valid UTF-8", type, utf8_ok(actor) ? "subject" : "actor");
    if (payload && !json_is_object(payload))
        return xc_error_set(err, XC_EINVAL, "payload", "audit event %s: the payload must be a JSON object", type);
    if (!s->audit && !(s->audit = xc_calloc(1, sizeof(*s->audit))))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    struct xc_audit_state *st = s->audit;
    int rc = XC_OK;
    if (!st->loaded || st->tx != xc_store_tx_time(s))
        if ((rc = state_load(s, st, err)))
            return rc;

    json_t *o = json_object();
    json_t *pl = payload ? json_incref(payload) : json_object();
    char *body = NULL;
    if (o && pl && json_object_set_new(o, "actor", json_string(actor)) == 0 &&
        json_object_set(o, "payload", pl) == 0 && json_object_set_new(o, "subject", json_string(subject)) == 0 &&
        json_object_set_new(o, "time", json_string(xc_ts_format(xc_store_tx_time(s), ts))) == 0 &&
        json_object_set_new(o, "type", json_string(type)) == 0)
        body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(pl);
    json_decref(o);
    if (!body)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory building audit event %s", type);
    unsigned char leaf[XC_HASH_LEN], chain[XC_HASH_LEN];
    xc_merkle_leaf(body, strlen(body), leaf);
    chain_next(st->last_chain, leaf, chain);
    xc_event_row ev = {.seq = st->last_seq + 1,
                       .recorded_at = xc_store_tx_time(s),
                       .actor = actor,
                       .type = type,
                       .subject = subject,
                       .body = body,
                       .body_len = strlen(body),
                       .leaf = leaf,
                       .chain = chain};
    rc = xc_store_event_put(s, &ev, err);
    xc_free(body);
    if (rc)
        return rc;
    st->last_seq = ev.seq;
    memcpy(st->last_chain, chain, XC_HASH_LEN);
    xc_frontier_push(&st->fr, leaf);
    if (seq)
        *seq = ev.seq;
    return XC_OK;
}

/* ---- sealing -------------------------------------------------------------------- */

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 || errno != ENOENT;
}

/* The origin of this log's checkpoints; created on the first seal. */
static int origin_get(xc_store *s, int create, char **origin, xc_error *err)
{
    int rc = xc_store_meta_get(s, SETTING_ORIGIN, origin, err);
    if (rc || *origin || !create)
        return rc;
    unsigned char rnd[8];
    char name[32], hx[17];
    randombytes_buf(rnd, sizeof(rnd));
    hex(rnd, sizeof(rnd), hx);
    snprintf(name, sizeof(name), "exportctl/%s", hx);
    if ((rc = xc_store_meta_set(s, SETTING_ORIGIN, name, err)))
        return rc;
    if (!(*origin = xc_strdup(name)))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    return XC_OK;
}

/* The signing key for a seal: loaded, or generated for a log that was empty. */
static int signing_key(xc_store *s, const char *origin, int64_t base, xc_note_key *k, xc_error *err)
{
    char path[PATH_MAX], vk[VKEY_MAX];
    char *want = NULL;
    xc_audit_key_path(s, path, sizeof(path));
    int rc = xc_store_meta_get(s, SETTING_VKEY, &want, err);
    if (rc)
        return rc;
    if (!file_exists(path)) {
        if (base > 0 || want) {
            rc = xc_error_set(err, XC_EIO, "key",
                              "signing key %s not found; the audit log of this database was signed with %s "
                              "(restore the key file or set EXPORTCTL_KEY to its path)",
                              path, want ? want : "a key it does not record");
            goto out;
        }
        if ((rc = xc_note_key_generate(origin, k, err)) || (rc = xc_note_key_save(path, k, err)))
            goto out;
    } else {
        struct xc_audit_state *st = s->audit;
        struct stat sb;
        int same = st && st->have_key && stat(path, &sb) == 0 && strcmp(st->key_path, path) == 0 &&
                   sb.st_ino == st->key_stat.st_ino && sb.st_dev == st->key_stat.st_dev &&
                   sb.st_size == st->key_stat.st_size && sb.st_mtim.tv_sec == st->key_stat.st_mtim.tv_sec &&
                   sb.st_mtim.tv_nsec == st->key_stat.st_mtim.tv_nsec;
        if (same) {
            *k = st->key;
        } else {
            if ((rc = xc_note_key_load(path, k, err)))
                goto out;
            if (st && stat(path, &sb) == 0) {
                st->key = *k;
                st->key_stat = sb;
                snprintf(st->key_path, sizeof(st->key_path), "%s", path);
                st->have_key = 1;
            }
        }
    }
    if (!k->has_sk) {
        rc = xc_error_set(err, XC_EIO, "key", "%s: not a signing key", path);
        goto out;
    }
    xc_note_vkey_format(k, vk, sizeof(vk));
    if (!want) {
        if (base > 0)
            rc = xc_error_set(err, XC_EVERIFY, "key",
                              "the database records no verifier key (setting %s) although its audit log holds "
                              "%lld events; refusing to sign with %s",
                              SETTING_VKEY, (long long)base, vk);
        else
            rc = xc_store_meta_set(s, SETTING_VKEY, vk, err);
    } else if (strcmp(want, vk) != 0) {
        rc = xc_error_set(err, XC_EVERIFY, "key",
                          "signing key %s has verifier key %s, but the audit log of this database was signed "
                          "with %s",
                          path, vk, want);
    }
out:
    xc_free(want);
    if (rc)
        sodium_memzero(k, sizeof(*k));
    return rc;
}

int xc_audit_seal(xc_store *s, xc_error *err)
{
    struct xc_audit_state *st = s->audit;
    char *origin = NULL, *body = NULL, *note = NULL;
    char ext[2 * XC_HASH_LEN + XC_TS_BUF + 16], chx[2 * XC_HASH_LEN + 1], ts[XC_TS_BUF];
    unsigned char fbuf[8 + XC_MERKLE_MAX_PATH * XC_HASH_LEN];
    xc_note_key k;
    memset(&k, 0, sizeof(k));
    if (!st || !st->loaded || st->tx != xc_store_tx_time(s))
        return xc_error_set(err, XC_EINTERNAL, NULL, "sealing audit events that were not appended by audit.c");
    int rc = origin_get(s, st->base == 0, &origin, err);
    if (rc == XC_OK && !origin)
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "the database records no audit origin (setting %s) although its audit log holds %lld "
                          "events",
                          SETTING_ORIGIN, (long long)st->base);
    if (rc == XC_OK)
        rc = signing_key(s, origin, st->base, &k, err);
    if (rc)
        goto out;
    xc_audit_head_row h;
    memset(&h, 0, sizeof(h));
    h.size = st->last_seq;
    xc_frontier_root(&st->fr, h.root);
    memcpy(h.chain, st->last_chain, XC_HASH_LEN);
    hex(st->last_chain, XC_HASH_LEN, chx);
    snprintf(ext, sizeof(ext), "chain %s\ntime %s\n", chx, xc_ts_format(xc_store_tx_time(s), ts));
    if ((rc = xc_checkpoint_body(origin, (uint64_t)h.size, h.root, ext, &body, err)) ||
        (rc = xc_note_sign(body, &k, &note, err)))
        goto out;
    h.frontier_len = xc_frontier_save(&st->fr, fbuf);
    h.frontier = fbuf;
    h.note = note;
    h.recorded_at = xc_store_tx_time(s);
    rc = xc_store_head_put(s, &h, err);
out:
    sodium_memzero(&k, sizeof(k));
    xc_free(origin);
    xc_free(body);
    xc_free(note);
    return rc;
}

void xc_audit_abort(xc_store *s)
{
    if (s && s->audit)
        s->audit->loaded = 0;
}

void xc_audit_close(xc_store *s)
{
    if (s) {
        if (s->audit)
            sodium_memzero(&s->audit->key, sizeof(s->audit->key));
        xc_free(s->audit);
        s->audit = NULL;
    }
}

/* ---- keys ------------------------------------------------------------------------ */

int xc_audit_vkey(xc_store *s, char **vkey, xc_error *err)
{
    char path[PATH_MAX], vk[VKEY_MAX];
    xc_note_key k;
    xc_error kerr;
    *vkey = NULL;
    xc_audit_key_path(s, path, sizeof(path));
    if (file_exists(path) && xc_note_key_load(path, &k, &kerr) == XC_OK) {
        xc_note_vkey_format(&k, vk, sizeof(vk));
        sodium_memzero(&k, sizeof(k));
        return (*vkey = xc_strdup(vk)) ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    int rc = xc_store_meta_get(s, SETTING_VKEY, vkey, err);
    if (rc == XC_OK && !*vkey)
        rc = xc_error_set(err, XC_ENOTFOUND, "key",
                          "no audit key yet: the audit log of this database is empty and %s does not exist", path);
    return rc;
}

/* ---- reading events ------------------------------------------------------------- */

/* The JSON of a stored event: the fields of its body (the columns if the
 * body does not parse), plus seq and the hashes. */
static json_t *event_json(const xc_event_row *ev)
{
    char lh[2 * XC_HASH_LEN + 1], ch[2 * XC_HASH_LEN + 1], ts[XC_TS_BUF];
    json_t *b = json_loadb(ev->body, ev->body_len, 0, NULL);
    json_t *o = json_object();
    if (!o) {
        json_decref(b);
        return NULL;
    }
    hex(ev->leaf, XC_HASH_LEN, lh);
    hex(ev->chain, XC_HASH_LEN, ch);
    json_t *g;
    json_object_set_new(o, "seq", json_integer(ev->seq));
#define FIELD(name, col)                                                                                          \
    ((g = json_object_get(b, name)) && json_is_string(g) ? json_incref(g) : json_string(col))
    json_object_set_new(o, "time", FIELD("time", xc_ts_format(ev->recorded_at, ts)));
    json_object_set_new(o, "actor", FIELD("actor", ev->actor));
    json_object_set_new(o, "type", FIELD("type", ev->type));
    json_object_set_new(o, "subject", FIELD("subject", ev->subject));
#undef FIELD
    g = json_object_get(b, "payload");
    json_object_set_new(o, "payload", g ? json_incref(g) : json_null());
    if (!b)
        json_object_set_new(o, "body", json_stringn(ev->body, ev->body_len));
    json_object_set_new(o, "leaf_hash", json_string(lh));
    json_object_set_new(o, "chain_hash", json_string(ch));
    json_decref(b);
    return o;
}

typedef struct events_ctx {
    int64_t limit, n;
    const char *type, *subject, *actor;
    xc_audit_event_fn fn;
    void *ctx;
} events_ctx;

#define SCAN_STOP 1

static int type_matches(const char *prefix, const char *type)
{
    size_t n = strlen(prefix);
    if (strncmp(prefix, type, n) != 0)
        return 0;
    return type[n] == '\0' || type[n] == '.' || (n > 0 && prefix[n - 1] == '.');
}

static int events_cb(void *ctx, const xc_event_row *ev, xc_error *err)
{
    events_ctx *c = ctx;
    if ((c->type && !type_matches(c->type, ev->type)) || (c->subject && strcmp(c->subject, ev->subject) != 0) ||
        (c->actor && strcmp(c->actor, ev->actor) != 0))
        return XC_OK;
    json_t *o = event_json(ev);
    if (!o)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = c->fn(c->ctx, o, err);
    json_decref(o);
    if (rc)
        return rc;
    return c->limit > 0 && ++c->n >= c->limit ? SCAN_STOP : XC_OK;
}

int xc_audit_events_each(xc_store *s, int64_t from, int64_t limit, const char *type, const char *subject,
                         const char *actor, xc_audit_event_fn fn, void *ctx, xc_error *err)
{
    events_ctx c = {limit, 0, type && *type ? type : NULL, subject, actor, fn, ctx};
    if (limit < 0)
        return xc_error_set(err, XC_EINVAL, "--limit", "--limit: must not be negative");
    int rc = xc_store_events_scan(s, from < 1 ? 1 : from, -1, events_cb, &c, err);
    return rc == SCAN_STOP ? XC_OK : rc;
}

static int append_event(void *ctx, json_t *event, xc_error *err)
{
    return json_array_append(ctx, event) ? xc_error_set(err, XC_ENOMEM, NULL, "out of memory") : XC_OK;
}

int xc_audit_events(xc_store *s, int64_t from, int64_t limit, const char *type, const char *subject,
                    const char *actor, json_t **out, xc_error *err)
{
    json_t *arr = json_array();
    *out = NULL;
    if (!arr)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = xc_audit_events_each(s, from, limit, type, subject, actor, append_event, arr, err);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return XC_OK;
}

/* ---- verifying ---------------------------------------------------------------------- */

/* A tree size whose root the pass must reproduce: the signed head or a
 * published checkpoint. */
typedef struct target {
    int64_t size;
    int64_t number;          /* checkpoint number; 0 for the signed head */
    unsigned char root[XC_HASH_LEN];
    int has_chain;
    unsigned char chain[XC_HASH_LEN];
} target;

typedef struct verify_ctx {
    int64_t count;           /* events seen */
    int64_t expect;          /* next expected seq */
    unsigned char prev[XC_HASH_LEN], prev2[XC_HASH_LEN];
    int skip_chain;          /* the event after a gap: its chain break is the gap's */
    int64_t last_time;
    int64_t ts_us;
    char ts[XC_TS_BUF];
    xc_frontier fr;
    target *t;
    size_t nt, ti;
    /* the pass's state at the head's size (for locating rewritten events) */
    int head_seen;
    xc_frontier head_fr;
    unsigned char head_chain[XC_HASH_LEN];
    int64_t last_good_cp;    /* size of the largest checkpoint whose root matched */
    int64_t first_bad_cp;    /* size of the smallest one that did not (0: none) */
    json_t *problems;
    int64_t first_bad;       /* smallest seq named by a problem (0: none) */
    int first_kind;          /* of first_msg: 0 none, 1 other, 2 range, 3 event */
    char first_msg[512];
    int64_t gaps;            /* missing sequence numbers seen */
    int prev_bad;            /* the previous event had a problem */
    int64_t cps_checked;     /* checkpoints whose notes parsed and verified */
    int n_problems;
} verify_ctx;

static int problem(verify_ctx *v, int64_t seq, int64_t to, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record a problem about event seq (0: not about one event); to > seq: a
 * range of events.  The error message names the earliest event problem,
 * else the first range, else the first other problem. */
static int problem(verify_ctx *v, int64_t seq, int64_t to, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    int kind = seq > 0 ? (to > seq ? 2 : 3) : 1;
    if (kind > v->first_kind || (kind == 3 && seq < v->first_bad)) {
        snprintf(v->first_msg, sizeof(v->first_msg), "%s", msg);
        v->first_kind = kind;
        if (kind == 3)
            v->first_bad = seq;
    }
    if (++v->n_problems > MAX_PROBLEMS)
        return XC_OK;
    json_t *p = json_object();
    if (!p)
        return XC_ENOMEM;
    json_object_set_new(p, "seq", kind == 3 ? json_integer(seq) : json_null());
    if (kind == 2) {
        json_object_set_new(p, "from", json_integer(seq));
        json_object_set_new(p, "to", json_integer(to));
    }
    json_object_set_new(p, "problem", json_string(msg));
    return json_array_append_new(v->problems, p) ? XC_ENOMEM : XC_OK;
}

/* Match lit at the end of body[0..*end); on success move *end before it. */
static int match_back(const char *body, size_t *end, const char *lit, size_t n)
{
    if (n > *end || memcmp(body + *end - n, lit, n) != 0)
        return 0;
    *end -= n;
    return 1;
}

/* Match the JSON encoding of string s (as jansson writes it with our flags:
 * only '"', '\\' and control characters are escaped) at the end of
 * body[0..*end). */
static int match_str_back(const char *body, size_t *end, const char *s)
{
    size_t n = strlen(s);
    int plain = 1;
    for (size_t i = 0; i < n && plain; i++)
        if (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20)
            plain = 0;
    if (plain)
        return match_back(body, end, "\"", 1) && match_back(body, end, s, n) && match_back(body, end, "\"", 1);
    json_t *j = json_string(s);
    char *enc = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    int ok = enc && match_back(body, end, enc, strlen(enc));
    json_decref(j);
    xc_free(enc);
    return ok;
}

/* Which indexed column (actor, type, subject, recorded_at) disagrees with
 * the body, or NULL.  The body is {"actor":A,"payload":P,"subject":S,
 * "time":T,"type":Y} with sorted keys, so the columns sit at fixed places
 * around the payload: matched from the end, and from the start for the
 * actor (whose encoding, followed by ',"payload":', must fit before). */
static const char *column_mismatch(verify_ctx *v, const xc_event_row *ev)
{
    size_t end = ev->body_len, start;
    const char *b = ev->body;
    if (ev->recorded_at != v->ts_us || !v->ts[0]) {
        xc_ts_format(ev->recorded_at, v->ts);
        v->ts_us = ev->recorded_at;
    }
    if (!match_back(b, &end, "}", 1) || !match_str_back(b, &end, ev->type) || !match_back(b, &end, ",\"type\":", 8))
        return "type";
    if (!match_back(b, &end, "\"", 1) || !match_back(b, &end, v->ts, strlen(v->ts)) ||
        !match_back(b, &end, ",\"time\":\"", 9))
        return "recorded_at";
    if (!match_str_back(b, &end, ev->subject) || !match_back(b, &end, ",\"subject\":", 11))
        return "subject";
    /* the actor: '{"actor":' then a JSON string (its inner quotes are
     * escaped, so it ends at the first unescaped quote) then ',"payload":' */
    if (end < 9 + 2 + 11 || memcmp(b, "{\"actor\":\"", 10) != 0)
        return "actor";
    for (start = 10; start < end && b[start] != '"'; start++)
        if (b[start] == '\\')
            start++;
    if (++start > end - 11 || memcmp(b + start, ",\"payload\":", 11) != 0 ||
        !match_str_back(b, &start, ev->actor) || start != 9)
        return "actor";
    return NULL;
}

static int reach_targets(verify_ctx *v)
{
    unsigned char root[XC_HASH_LEN];
    int have_root = 0, rc = XC_OK;
    while (v->ti < v->nt && v->t[v->ti].size <= (int64_t)v->fr.size) {
        target *t = &v->t[v->ti++];
        if (t->size < (int64_t)v->fr.size)
            continue; /* unreachable: sizes are visited in order */
        if (!have_root) {
            xc_frontier_root(&v->fr, root);
            have_root = 1;
        }
        if (v->gaps)
            continue; /* positions are shifted: the missing events are reported */
        if (t->number == 0) {
            v->head_seen = 1;
            v->head_fr = v->fr;
            memcpy(v->head_chain, v->prev, XC_HASH_LEN);
            continue; /* judged at the end, with the frontier */
        }
        if (memcmp(root, t->root, XC_HASH_LEN) != 0) {
            if (!v->first_bad_cp)
                v->first_bad_cp = t->size;
            rc = problem(v, 0, 0,
                         "checkpoint %lld (size %lld) does not match the log's root at %lld (events up to %lld "
                         "were rewritten)",
                         (long long)t->number, (long long)t->size, (long long)t->size, (long long)t->size);
        } else if (!v->first_bad_cp && t->size > v->last_good_cp) {
            v->last_good_cp = t->size;
        }
        if (rc)
            return rc;
    }
    return XC_OK;
}

static int verify_cb(void *ctx, const xc_event_row *ev, xc_error *err)
{
    verify_ctx *v = ctx;
    unsigned char leaf[XC_HASH_LEN], chain[XC_HASH_LEN];
    const unsigned char *pushed = leaf;
    const char *col;
    int rc = XC_OK, bad = 1;
    if (ev->seq != v->expect) {
        if (ev->seq > v->expect + 1)
            rc = problem(v, v->expect, 0, "events %lld to %lld are missing (deleted?)", (long long)v->expect,
                         (long long)ev->seq - 1);
        else
            rc = problem(v, v->expect, 0, "event %lld is missing (deleted?)", (long long)v->expect);
        v->gaps += ev->seq - v->expect;
        v->skip_chain = 1;
    }
    xc_merkle_leaf(ev->body, ev->body_len, leaf);
    if (rc == XC_OK && memcmp(leaf, ev->leaf, XC_HASH_LEN) != 0) {
        rc = problem(v, ev->seq, 0, "event %lld: body does not match its leaf hash (edited?)", (long long)ev->seq);
        pushed = ev->leaf; /* the tree check is then about the stored leaf hashes */
    } else if (rc == XC_OK && (col = column_mismatch(v, ev)) != NULL) {
        rc = problem(v, ev->seq, 0, "event %lld: its %s column does not match its body (edited?)",
                     (long long)ev->seq, col);
    } else if (rc == XC_OK) {
        chain_next(v->prev, leaf, chain);
        if (memcmp(chain, ev->chain, XC_HASH_LEN) != 0 && !v->skip_chain) {
            unsigned char skip[XC_HASH_LEN];
            chain_next(v->prev2, leaf, skip);
            if (ev->seq > 1 && !v->prev_bad && memcmp(skip, ev->chain, XC_HASH_LEN) == 0)
                rc = problem(v, ev->seq - 1, 0, "event %lld was inserted (event %lld chains onto event %lld)",
                             (long long)ev->seq - 1, (long long)ev->seq, (long long)ev->seq - 2);
            else
                rc = problem(v, ev->seq, 0, "event %lld: chain hash breaks (reordered, inserted or edited)",
                             (long long)ev->seq);
        } else if (ev->recorded_at < v->last_time) {
            rc = problem(v, ev->seq, 0, "event %lld: recorded before event %lld (reordered?)", (long long)ev->seq,
                         (long long)ev->seq - 1);
        } else {
            bad = v->skip_chain;
        }
    }
    /* carry on from the stored chain, so that later problems are found independently */
    memcpy(v->prev2, v->prev, XC_HASH_LEN);
    memcpy(v->prev, ev->chain, XC_HASH_LEN);
    v->prev_bad = bad;
    v->skip_chain = 0;
    v->last_time = ev->recorded_at;
    v->count++;
    v->expect = ev->seq + 1;
    xc_frontier_push(&v->fr, pushed);
    if (rc == XC_OK)
        rc = reach_targets(v);
    return rc ? xc_error_set(err, XC_ENOMEM, NULL, "out of memory verifying the audit log") : XC_OK;
}

static int cmp_target(const void *a, const void *b)
{
    const target *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* The value of extension line "<key> <value>" of a signed note's body. */
static int note_ext(const char *note, const char *key, char *out, size_t cap)
{
    const char *end = strstr(note, "\n\n");
    size_t kl = strlen(key);
    int line = 0;
    for (const char *p = note; p && (!end || p < end); line++) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        if (line >= 3 && (size_t)(nl - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            size_t n = (size_t)(nl - p) - kl - 1;
            if (n >= cap)
                return -1;
            memcpy(out, p + kl + 1, n);
            out[n] = '\0';
            return 0;
        }
        p = nl + 1;
    }
    return -1;
}

/* Check one signed note (head or checkpoint): signature and parse; fill t. */
static int check_note(verify_ctx *v, const char *what, const char *note, const xc_note_key *k, int have_key,
                      target *t, int *ok)
{
    char origin[XC_NOTE_NAME_MAX + 64], chx[2 * XC_HASH_LEN + 8];
    uint64_t size;
    xc_error e;
    *ok = 0;
    xc_error_clear(&e);
    if (xc_checkpoint_parse(note, origin, sizeof(origin), &size, t->root, &e) != XC_OK)
        return problem(v, 0, 0, "%s: its note does not parse: %s", what, e.msg);
    t->size = (int64_t)size;
    t->has_chain = note_ext(note, "chain", chx, sizeof(chx)) == 0 && unhex32(chx, t->chain) == 0;
    if (have_key && xc_note_verify(note, k, &e) != XC_OK)
        return problem(v, 0, 0, "%s: signature does not verify: %s", what, e.msg);
    *ok = 1;
    return XC_OK;
}

static int load_vkey(xc_store *s, const char *vkey, xc_note_key *k, const char **source, char **used, xc_error *err)
{
    char path[PATH_MAX], vk[VKEY_MAX];
    xc_error e;
    *used = NULL;
    if (vkey) {
        *source = "argument";
        if (xc_note_vkey_parse(vkey, k, &e) != XC_OK)
            return xc_error_set(err, XC_EINVAL, "--key", "--key: not a verifier key: %s", e.msg);
        return (*used = xc_strdup(vkey)) ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    xc_audit_key_path(s, path, sizeof(path));
    if (file_exists(path) && xc_note_key_load(path, k, &e) == XC_OK) {
        *source = "key file";
        xc_note_vkey_format(k, vk, sizeof(vk));
        k->has_sk = 0;
        sodium_memzero(k->sk, sizeof(k->sk));
        return (*used = xc_strdup(vk)) ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    *source = "database setting";
    int rc = xc_store_meta_get(s, SETTING_VKEY, used, err);
    if (rc || !*used)
        return rc;
    if (xc_note_vkey_parse(*used, k, &e) != XC_OK) {
        xc_free(*used);
        *used = NULL; /* reported as a problem by the caller */
    }
    return XC_OK;
}

static void head_located(verify_ctx *v, const xc_audit_head_row *h, int64_t hsize, const target *ht)
{
    /* The stored frontier is not signed, but when its root is the signed
     * root it is authentic, and the first of its subtree roots that differs
     * from ours says which events were rewritten. */
    xc_frontier sf;
    unsigned char r[XC_HASH_LEN];
    int64_t lo = v->last_good_cp + 1, hi = v->first_bad_cp ? v->first_bad_cp : hsize;
    if (h && xc_frontier_load(&sf, h->frontier, h->frontier_len) == 0 && (int64_t)sf.size == hsize &&
        (xc_frontier_root(&sf, r), memcmp(r, ht->root, XC_HASH_LEN) == 0) && sf.n == v->head_fr.n) {
        int64_t start = 0;
        for (int i = 0; i < sf.n; i++) {
            int bit = 63;
            uint64_t rest = (uint64_t)hsize - (uint64_t)start;
            while (bit > 0 && !((rest >> bit) & 1))
                bit--;
            int64_t span = (int64_t)1 << bit;
            if (memcmp(sf.nodes[i], v->head_fr.nodes[i], XC_HASH_LEN) != 0) {
                if (start + 1 > lo)
                    lo = start + 1;
                if (start + span < hi)
                    hi = start + span;
                break;
            }
            start += span;
        }
    }
    if (lo > hi)
        lo = 1;
    problem(v, lo, hi > lo ? hi : lo,
            "the log's root at %lld does not match the signed head: some of events %lld to %lld were rewritten "
            "(leaf and chain hashes recomputed)",
            (long long)hsize, (long long)lo, (long long)hi);
}

static int verify_once(xc_store *s, const xc_note_key *k, int have_key, verify_ctx *v, int *changed,
                       xc_error *err)
{
    xc_audit_head_row h, h2;
    xc_checkpoint_row cp;
    int has_head = 0, rc, ok;
    target ht;
    memset(&ht, 0, sizeof(ht));
    *changed = 0;
    rc = xc_store_head_get(s, &h, err);
    if (rc == XC_OK)
        has_head = 1;
    else if (rc != XC_ENOTFOUND)
        return rc;
    /* the targets: every checkpoint, then the head */
    int64_t ncp = 0;
    rc = xc_store_checkpoint_get(s, 0, &cp, err);
    if (rc == XC_OK) {
        ncp = cp.number;
        xc_checkpoint_row_clear(&cp);
    } else if (rc == XC_ENOTFOUND) {
        rc = XC_OK;
    }
    if (rc == XC_OK && !(v->t = xc_calloc((size_t)ncp + 1, sizeof(target))))
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK && !have_key && (has_head || ncp > 0))
        problem(v, 0, 0, "no verifier key to check signatures with: pass --key, or restore the key file or "
                         "the %s setting", SETTING_VKEY);
    if (rc == XC_OK && !has_head && ncp > 0)
        problem(v, 0, 0, "the signed head is missing (deleted?) but %lld checkpoints were published",
                (long long)ncp);
    if (rc == XC_OK && has_head) {
        check_note(v, "the signed head", h.note, k, have_key, &ht, &ok);
        if (!ok) {
            ht.size = h.size;
            memcpy(ht.root, h.root, XC_HASH_LEN);
            memcpy(ht.chain, h.chain, XC_HASH_LEN);
            ht.has_chain = 1;
        } else if (ht.size != h.size || memcmp(ht.root, h.root, XC_HASH_LEN) != 0 ||
                   (ht.has_chain && memcmp(ht.chain, h.chain, XC_HASH_LEN) != 0)) {
            problem(v, 0, 0, "the signed head's row does not match its signed note (edited?)");
        }
        ht.number = 0;
        v->t[v->nt++] = ht;
    }
    for (int64_t i = 1; rc == XC_OK && i <= ncp; i++) {
        char what[64];
        target t;
        memset(&t, 0, sizeof(t));
        snprintf(what, sizeof(what), "checkpoint %lld", (long long)i);
        rc = xc_store_checkpoint_get(s, i, &cp, err);
        if (rc == XC_ENOTFOUND) {
            rc = problem(v, 0, 0, "checkpoint %lld is missing (deleted?)", (long long)i);
            continue;
        }
        if (rc)
            break;
        check_note(v, what, cp.note, k, have_key, &t, &ok);
        if (ok) {
            t.number = i;
            v->cps_checked++;
            if (t.size != cp.size)
                problem(v, 0, 0, "checkpoint %lld: its size column (%lld) does not match its note (%lld)",
                        (long long)i, (long long)cp.size, (long long)t.size);
            if (has_head && t.size > ht.size)
                problem(v, 0, 0, "checkpoint %lld (size %lld) is beyond the signed head (size %lld) (truncated?)",
                        (long long)i, (long long)t.size, (long long)ht.size);
            v->t[v->nt++] = t;
        }
        xc_checkpoint_row_clear(&cp);
    }
    if (rc == XC_OK) {
        qsort(v->t, v->nt, sizeof(target), cmp_target);
        rc = reach_targets(v); /* size 0 */
    }
    if (rc == XC_OK)
        rc = xc_store_events_scan(s, 1, -1, verify_cb, v, err);
    if (rc == XC_OK) {
        /* a writer that committed meanwhile makes the comparison meaningless: retry */
        int r2 = xc_store_head_get(s, &h2, err);
        if (r2 == XC_OK) {
            *changed = !has_head || h2.size != h.size || strcmp(h2.note, h.note) != 0;
            xc_audit_head_row_clear(&h2);
        } else if (r2 == XC_ENOTFOUND) {
            *changed = has_head;
        } else {
            rc = r2;
        }
    }
    if (rc || *changed)
        goto out;
    /* what lies beyond the last event */
    int64_t last = v->expect - 1;
    for (size_t j = 0; j < 2 * v->nt; j++) {
        target *t = &v->t[j % v->nt]; /* the head's problem first */
        if (t->size <= last || (t->number == 0) != (j < v->nt))
            continue;
        if (t->number == 0)
            problem(v, last + 1, 0, "events after %lld missing: the signed head covers %lld events (truncated?)",
                    (long long)last, (long long)t->size);
        else
            problem(v, last + 1, 0,
                    "checkpoint %lld (size %lld) covers events after %lld, the last one (truncated?)",
                    (long long)t->number, (long long)t->size, (long long)last);
    }
    if (!has_head && v->count > 0)
        problem(v, 1, 0, "event 1 is not covered by a signed head (the head is missing)");
    if (has_head && last > ht.size)
        problem(v, ht.size + 1, 0, "event %lld is not covered by the signed head (appended outside exportctl?)",
                (long long)ht.size + 1);
    if (has_head && v->head_seen) {
        unsigned char root[XC_HASH_LEN];
        xc_frontier_root(&v->head_fr, root);
        if (memcmp(root, ht.root, XC_HASH_LEN) != 0)
            head_located(v, &h, ht.size, &ht);
        else if (ht.has_chain && memcmp(v->head_chain, ht.chain, XC_HASH_LEN) != 0)
            problem(v, ht.size, 0, "event %lld: its chain hash is not the one the signed head covers",
                    (long long)ht.size);
    }
out:
    if (has_head)
        xc_audit_head_row_clear(&h);
    return rc;
}

int xc_audit_verify(xc_store *s, const char *vkey, json_t **report, xc_error *err)
{
    xc_note_key k;
    const char *source = NULL;
    char *used = NULL;
    verify_ctx v;
    int rc, changed = 0;
    *report = NULL;
    memset(&k, 0, sizeof(k));
    rc = load_vkey(s, vkey, &k, &source, &used, err);
    for (int attempt = 0; rc == XC_OK && attempt < 5; attempt++) {
        memset(&v, 0, sizeof(v));
        xc_frontier_init(&v.fr);
        v.expect = 1;
        if (!(v.problems = json_array())) {
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
            break;
        }
        rc = verify_once(s, &k, used != NULL, &v, &changed, err);
        xc_free(v.t);
        v.t = NULL;
        if (rc == XC_OK && !changed)
            break;
        json_decref(v.problems);
        v.problems = NULL;
    }
    if (rc == XC_OK && changed)
        rc = xc_error_set(err, XC_EDB, NULL, "the audit log kept changing while it was verified; try again");
    if (rc) {
        xc_free(used);
        return rc;
    }
    unsigned char root[XC_HASH_LEN];
    char rh[2 * XC_HASH_LEN + 1], chh[2 * XC_HASH_LEN + 1];
    xc_frontier_root(&v.fr, root);
    hex(root, XC_HASH_LEN, rh);
    hex(v.prev, XC_HASH_LEN, chh);
    json_t *r = json_object();
    if (r) {
        json_object_set_new(r, "ok", json_boolean(v.n_problems == 0));
        json_object_set_new(r, "size", json_integer(v.count));
        json_object_set_new(r, "root", json_string(rh));
        json_object_set_new(r, "chain", json_string(chh));
        json_object_set_new(r, "checkpoints_checked", json_integer(v.cps_checked));
        json_object_set_new(r, "key", used ? json_string(used) : json_null());
        json_object_set_new(r, "key_source", json_string(source));
        json_object_set_new(r, "problems", v.problems);
        if (v.n_problems > MAX_PROBLEMS)
            json_object_set_new(r, "problems_not_listed", json_integer(v.n_problems - MAX_PROBLEMS));
        json_object_set_new(r, "first_bad_event", v.first_bad ? json_integer(v.first_bad) : json_null());
    } else {
        json_decref(v.problems);
    }
    xc_free(used);
    *report = r;
    if (!r)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (v.n_problems)
        return xc_error_set(err, XC_EVERIFY, NULL, "the audit log does not verify: %s%s", v.first_msg,
                            v.n_problems > 1 ? " (and more problems; see the report)" : "");
    return XC_OK;
}

/* ---- checkpoints ------------------------------------------------------------------ */

static json_t *checkpoint_json(const xc_checkpoint_row *cp)
{
    char origin[XC_NOTE_NAME_MAX + 64], rh[2 * XC_HASH_LEN + 1], ts[XC_TS_BUF];
    unsigned char root[XC_HASH_LEN];
    uint64_t size;
    xc_error e;
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "number", json_integer(cp->number));
    json_object_set_new(o, "size", json_integer(cp->size));
    if (xc_checkpoint_parse(cp->note, origin, sizeof(origin), &size, root, &e) == XC_OK) {
        hex(root, XC_HASH_LEN, rh);
        json_object_set_new(o, "origin", json_string(origin));
        json_object_set_new(o, "root", json_string(rh));
    } else {
        json_object_set_new(o, "root", json_null());
    }
    json_object_set_new(o, "recorded_at", json_string(xc_ts_format(cp->recorded_at, ts)));
    json_object_set_new(o, "note", json_string(cp->note));
    return o;
}

int xc_audit_checkpoint(xc_store *s, json_t **out, xc_error *err)
{
    xc_audit_head_row h;
    xc_checkpoint_row cp;
    unsigned char chain[XC_HASH_LEN];
    int64_t last = 0, number = 0;
    char *vkey = NULL;
    int has_head = 0;
    *out = NULL;
    memset(&cp, 0, sizeof(cp));
    int rc = xc_store_begin(s, err);
    if (rc)
        return rc;
    rc = xc_store_head_get(s, &h, err);
    if (rc == XC_ENOTFOUND)
        rc = xc_error_set(err, XC_ENOTFOUND, NULL, "the audit log is empty: there is nothing to checkpoint");
    has_head = rc == XC_OK;
    if (rc == XC_OK)
        rc = xc_store_event_last(s, &last, chain, err);
    if (rc == XC_OK && (last != h.size || memcmp(chain, h.chain, XC_HASH_LEN) != 0))
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "audit log and signed head disagree (the log holds %lld events, the signed head covers "
                          "%lld); run `exportctl audit verify`",
                          (long long)last, (long long)h.size);
    if (rc == XC_OK)
        rc = xc_store_checkpoint_put(s, h.size, h.note, &number, err);
    if (rc == XC_OK)
        rc = xc_store_commit(s, err);
    else
        xc_store_rollback(s);
    if (rc == XC_OK)
        rc = xc_store_checkpoint_get(s, number, &cp, err);
    if (rc == XC_OK)
        rc = xc_audit_vkey(s, &vkey, err);
    if (rc == XC_OK) {
        json_t *o = checkpoint_json(&cp);
        if (o)
            json_object_set_new(o, "vkey", json_string(vkey));
        if (!(*out = o))
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    if (has_head)
        xc_audit_head_row_clear(&h);
    xc_checkpoint_row_clear(&cp);
    xc_free(vkey);
    return rc;
}

int xc_audit_checkpoints(xc_store *s, json_t **out, xc_error *err)
{
    xc_checkpoint_row cp;
    json_t *arr = json_array();
    int64_t n = 0;
    *out = NULL;
    if (!arr)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = xc_store_checkpoint_get(s, 0, &cp, err);
    if (rc == XC_OK) {
        n = cp.number;
        xc_checkpoint_row_clear(&cp);
    } else if (rc == XC_ENOTFOUND) {
        rc = XC_OK;
    }
    for (int64_t i = 1; rc == XC_OK && i <= n; i++) {
        rc = xc_store_checkpoint_get(s, i, &cp, err);
        if (rc == XC_ENOTFOUND) {
            rc = XC_OK; /* a deleted one: `audit verify` reports it */
            continue;
        }
        json_t *o = rc ? NULL : checkpoint_json(&cp);
        if (rc == XC_OK && (!o || json_array_append_new(arr, o)))
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        xc_checkpoint_row_clear(&cp);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return XC_OK;
}

/* ---- proofs -------------------------------------------------------------------------- */

typedef struct leaves_ctx {
    unsigned char (*leaves)[XC_HASH_LEN];
    int64_t n, expect;
    int64_t want;            /* seq whose event to keep (0: none) */
    json_t *event;
    char *body;
} leaves_ctx;

static int leaves_cb(void *ctx, const xc_event_row *ev, xc_error *err)
{
    leaves_ctx *c = ctx;
    if (ev->seq != c->expect || ev->seq > c->n)
        return xc_error_set(err, XC_EVERIFY, NULL,
                            "audit event %lld is missing (deleted?); run `exportctl audit verify`",
                            (long long)c->expect);
    xc_merkle_leaf(ev->body, ev->body_len, c->leaves[ev->seq - 1]);
    if (ev->seq == c->want) {
        c->event = event_json(ev);
        c->body = xc_strndup(ev->body, ev->body_len);
        if (!c->event || !c->body)
            return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    c->expect++;
    return XC_OK;
}

/* A published checkpoint, parsed. */
static int checkpoint_load(xc_store *s, int64_t number, xc_checkpoint_row *cp, int64_t *size,
                           unsigned char root[XC_HASH_LEN], xc_error *err)
{
    char origin[XC_NOTE_NAME_MAX + 64];
    uint64_t n;
    int rc = xc_store_checkpoint_get(s, number, cp, err);
    if (rc)
        return rc;
    if ((rc = xc_checkpoint_parse(cp->note, origin, sizeof(origin), &n, root, err))) {
        xc_checkpoint_row_clear(cp);
        return rc;
    }
    *size = (int64_t)n;
    return XC_OK;
}

/* The leaf hashes of events 1..n, recomputed from the bodies, checked
 * against the roots expected at sizes m (if > 0) and n. */
static int leaves_load(xc_store *s, int64_t m, const unsigned char *root_m, int64_t n, const unsigned char *root_n,
                       leaves_ctx *c, xc_error *err)
{
    unsigned char r[XC_HASH_LEN];
    c->n = n;
    c->expect = 1;
    if (n <= 0 || n > (int64_t)(SIZE_MAX / XC_HASH_LEN))
        return xc_error_set(err, XC_EINVAL, "checkpoint", "checkpoint size %lld: nothing to prove", (long long)n);
    if (!(c->leaves = xc_malloc((size_t)n * XC_HASH_LEN)))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = xc_store_events_scan(s, 1, n, leaves_cb, c, err);
    if (rc == XC_OK && c->expect != n + 1)
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "the log holds only %lld of the %lld events the checkpoint covers; run `exportctl audit "
                          "verify`",
                          (long long)c->expect - 1, (long long)n);
    for (int i = 0; rc == XC_OK && i < 2; i++) {
        int64_t k = i ? n : m;
        if (k <= 0)
            continue;
        xc_merkle_root((const unsigned char(*)[XC_HASH_LEN])c->leaves, (uint64_t)k, r);
        if (memcmp(r, i ? root_n : root_m, XC_HASH_LEN) != 0)
            rc = xc_error_set(err, XC_EVERIFY, NULL,
                              "the stored events do not match the checkpoint of size %lld; run `exportctl audit "
                              "verify`",
                              (long long)k);
    }
    return rc;
}

static void leaves_free(leaves_ctx *c)
{
    xc_free(c->leaves);
    json_decref(c->event);
    xc_free(c->body);
    memset(c, 0, sizeof(*c));
}

static json_t *path_json(const unsigned char (*path)[XC_HASH_LEN], size_t len)
{
    char h[2 * XC_HASH_LEN + 1];
    json_t *a = json_array();
    for (size_t i = 0; a && i < len; i++) {
        hex(path[i], XC_HASH_LEN, h);
        if (json_array_append_new(a, json_string(h))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int xc_audit_prove(xc_store *s, int64_t seq, int64_t cp, json_t **proof, xc_error *err)
{
    xc_checkpoint_row row;
    unsigned char root[XC_HASH_LEN], path[XC_MERKLE_MAX_PATH][XC_HASH_LEN];
    int64_t size = 0;
    size_t len = 0;
    leaves_ctx c;
    memset(&c, 0, sizeof(c));
    *proof = NULL;
    int rc = checkpoint_load(s, cp, &row, &size, root, err);
    if (rc)
        return rc;
    if (seq < 1 || seq > size) {
        rc = xc_error_set(err, XC_EINVAL, "SEQ", "event %lld is not covered by checkpoint %lld (events 1 to %lld)",
                          (long long)seq, (long long)row.number, (long long)size);
        goto out;
    }
    c.want = seq;
    if ((rc = leaves_load(s, 0, NULL, size, root, &c, err)))
        goto out;
    if (xc_merkle_inclusion((const unsigned char(*)[XC_HASH_LEN])c.leaves, (uint64_t)size, (uint64_t)seq - 1, path,
                            &len) != 0) {
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "no inclusion path for event %lld", (long long)seq);
        goto out;
    }
    char leaf_hex[2 * XC_HASH_LEN + 1];
    hex(c.leaves[seq - 1], XC_HASH_LEN, leaf_hex);
    json_t *p = json_object();
    if (!p || json_object_set_new(p, "format", json_string(PROOF_FORMAT)) ||
        json_object_set_new(p, "type", json_string("inclusion")) ||
        json_object_set_new(p, "seq", json_integer(seq)) || json_object_set(p, "event", c.event) ||
        json_object_set_new(p, "body", json_string(c.body)) ||
        json_object_set_new(p, "leaf_hash", json_string(leaf_hex)) ||
        json_object_set_new(p, "leaf_index", json_integer(seq - 1)) ||
        json_object_set_new(p, "tree_size", json_integer(size)) ||
        json_object_set_new(p, "path", path_json((const unsigned char(*)[XC_HASH_LEN])path, len)) ||
        json_object_set_new(p, "checkpoint_number", json_integer(row.number)) ||
        json_object_set_new(p, "checkpoint", json_string(row.note))) {
        json_decref(p);
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    *proof = p;
out:
    leaves_free(&c);
    xc_checkpoint_row_clear(&row);
    return rc;
}

int xc_audit_consistency(xc_store *s, int64_t cp1, int64_t cp2, json_t **proof, xc_error *err)
{
    xc_checkpoint_row a, b;
    unsigned char ra[XC_HASH_LEN], rb[XC_HASH_LEN], path[XC_MERKLE_MAX_PATH][XC_HASH_LEN];
    int64_t m = 0, n = 0;
    size_t len = 0;
    leaves_ctx c;
    memset(&c, 0, sizeof(c));
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    *proof = NULL;
    if (cp1 < 1 || cp2 <= cp1)
        return xc_error_set(err, XC_EINVAL, "N", "checkpoints %lld and %lld: need 1 <= N < M", (long long)cp1,
                            (long long)cp2);
    int rc = checkpoint_load(s, cp1, &a, &m, ra, err);
    if (rc == XC_OK)
        rc = checkpoint_load(s, cp2, &b, &n, rb, err);
    if (rc == XC_OK && (m < 1 || m > n))
        rc = xc_error_set(err, XC_EVERIFY, NULL, "checkpoint %lld (size %lld) is larger than checkpoint %lld (size "
                                                 "%lld)", (long long)cp1, (long long)m, (long long)cp2, (long long)n);
    if (rc == XC_OK)
        rc = leaves_load(s, m, ra, n, rb, &c, err);
    if (rc == XC_OK && xc_merkle_consistency((const unsigned char(*)[XC_HASH_LEN])c.leaves, (uint64_t)n,
                                             (uint64_t)m, path, &len) != 0)
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "no consistency path from %lld to %lld", (long long)m,
                          (long long)n);
    if (rc == XC_OK) {
        json_t *p = json_object();
        if (!p || json_object_set_new(p, "format", json_string(PROOF_FORMAT)) ||
            json_object_set_new(p, "type", json_string("consistency")) ||
            json_object_set_new(p, "first_number", json_integer(a.number)) ||
            json_object_set_new(p, "second_number", json_integer(b.number)) ||
            json_object_set_new(p, "first_size", json_integer(m)) ||
            json_object_set_new(p, "second_size", json_integer(n)) ||
            json_object_set_new(p, "path", path_json((const unsigned char(*)[XC_HASH_LEN])path, len)) ||
            json_object_set_new(p, "first", json_string(a.note)) ||
            json_object_set_new(p, "second", json_string(b.note))) {
            json_decref(p);
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        } else {
            *proof = p;
        }
    }
    leaves_free(&c);
    xc_checkpoint_row_clear(&a);
    xc_checkpoint_row_clear(&b);
    return rc;
}

/* ---- verifying proofs (no store) ------------------------------------------------------ */

static const char *jstr(json_t *proof, const char *field, xc_error *err, int *rc)
{
    json_t *v = json_object_get(proof, field);
    if (*rc)
        return NULL;
    if (!json_is_string(v)) {
        *rc = xc_error_set(err, XC_EINVAL, field, "proof: \"%s\" %s", field,
                           v ? "must be a string" : "is missing");
        return NULL;
    }
    return json_string_value(v);
}

static int64_t jint(json_t *proof, const char *field, xc_error *err, int *rc)
{
    json_t *v = json_object_get(proof, field);
    if (*rc)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *rc = xc_error_set(err, XC_EINVAL, field, "proof: \"%s\" %s", field,
                           v ? "must be a non-negative integer" : "is missing");
        return 0;
    }
    return json_integer_value(v);
}

static int jpath(json_t *proof, unsigned char (*path)[XC_HASH_LEN], size_t *len, xc_error *err)
{
    json_t *a = json_object_get(proof, "path"), *h;
    size_t i;
    if (!json_is_array(a))
        return xc_error_set(err, XC_EINVAL, "path", "proof: \"path\" %s", a ? "must be an array" : "is missing");
    if (json_array_size(a) > XC_MERKLE_MAX_PATH)
        return xc_error_set(err, XC_EINVAL, "path", "proof: \"path\" has %zu hashes, more than %d",
                            json_array_size(a), XC_MERKLE_MAX_PATH);
    json_array_foreach(a, i, h)
    {
        if (unhex32(json_string_value(h), path[i]) != 0)
            return xc_error_set(err, XC_EINVAL, "path", "proof: path[%zu] is not a 64-digit hex hash", i);
    }
    *len = json_array_size(a);
    return XC_OK;
}

/* Verify a signed checkpoint of a proof; fills size, root and origin. */
static int proof_checkpoint(const char *field, const char *note, const xc_note_key *k, uint64_t *size,
                            unsigned char root[XC_HASH_LEN], char *origin, size_t cap, xc_error *err)
{
    xc_error e;
    int rc = xc_note_verify(note, k, &e);
    if (rc == XC_OK)
        rc = xc_checkpoint_parse(note, origin, cap, size, root, &e);
    if (rc == XC_EVERIFY)
        return xc_error_set(err, XC_EVERIFY, field, "proof: the %s checkpoint's signature does not verify: %s",
                            field, e.msg);
    if (rc)
        return xc_error_set(err, XC_EINVAL, field, "proof: \"%s\" is not a signed checkpoint: %s", field, e.msg);
    return XC_OK;
}

int xc_audit_verify_proof(json_t *proof, const char *vkey, json_t **report, xc_error *err)
{
    xc_note_key k;
    xc_error e;
    unsigned char path[XC_MERKLE_MAX_PATH][XC_HASH_LEN], root[XC_HASH_LEN], root2[XC_HASH_LEN];
    unsigned char leaf[XC_HASH_LEN];
    char origin[XC_NOTE_NAME_MAX + 64], origin2[XC_NOTE_NAME_MAX + 64], rh[2 * XC_HASH_LEN + 1];
    uint64_t size = 0, size2 = 0;
    size_t len = 0;
    int rc = XC_OK;
    json_t *r = NULL, *ev = NULL;
    *report = NULL;
    if (!vkey || !*vkey)
        return xc_error_set(err, XC_EINVAL, "--key", "--key: a verifier key is required");
    if (xc_note_vkey_parse(vkey, &k, &e) != XC_OK)
        return xc_error_set(err, XC_EINVAL, "--key", "--key: not a verifier key: %s", e.msg);
    if (!json_is_object(proof))
        return xc_error_set(err, XC_EINVAL, NULL, "proof: not a JSON object");
    const char *format = jstr(proof, "format", err, &rc);
    if (rc == XC_OK && strcmp(format, PROOF_FORMAT) != 0)
        return xc_error_set(err, XC_EINVAL, "format", "proof: \"format\" is \"%s\", not \"%s\"", format,
                            PROOF_FORMAT);
    const char *type = jstr(proof, "type", err, &rc);
    if (rc)
        return rc;
    if (!(r = json_object()))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    json_object_set_new(r, "type", json_string(type));
    if (strcmp(type, "inclusion") == 0) {
        const char *note = jstr(proof, "checkpoint", err, &rc);
        /* a redacted proof (xc_audit_proof_redact) carries the leaf hash
         * instead of the event: it proves that leaf is in the log */
        json_t *jbody = json_object_get(proof, "body"), *jleaf = json_object_get(proof, "leaf_hash");
        const char *body = NULL;
        if (jbody || !jleaf)
            body = jstr(proof, "body", err, &rc);
        else if (!json_is_string(jleaf) || unhex32(json_string_value(jleaf), leaf) != 0)
            rc = xc_error_set(err, XC_EINVAL, "leaf_hash", "proof: \"leaf_hash\" must be 64 hex digits");
        int64_t index = jint(proof, "leaf_index", err, &rc);
        int64_t tsize = jint(proof, "tree_size", err, &rc);
        json_t *seq = json_object_get(proof, "seq");
        if (rc == XC_OK)
            rc = jpath(proof, path, &len, err);
        if (rc == XC_OK && seq && (!json_is_integer(seq) || json_integer_value(seq) != index + 1))
            rc = xc_error_set(err, XC_EINVAL, "seq", "proof: \"seq\" must be leaf_index + 1 (%lld)",
                              (long long)index + 1);
        if (rc == XC_OK && body && !(ev = json_loads(body, 0, NULL)))
            rc = xc_error_set(err, XC_EINVAL, "body", "proof: \"body\" is not an event (invalid JSON)");
        if (rc == XC_OK)
            rc = proof_checkpoint("checkpoint", note, &k, &size, root, origin, sizeof(origin), err);
        if (rc == XC_OK && (uint64_t)tsize != size)
            rc = xc_error_set(err, XC_EVERIFY, "tree_size",
                              "proof: tree_size %lld is not the checkpoint's size %llu", (long long)tsize,
                              (unsigned long long)size);
        if (rc == XC_OK && (uint64_t)index >= size)
            rc = xc_error_set(err, XC_EVERIFY, "leaf_index", "proof: leaf_index %lld is outside the tree of %llu",
                              (long long)index, (unsigned long long)size);
        if (rc == XC_OK && body) {
            /* the "event" shown beside the body must say what the body says */
            json_t *shown = json_object_get(proof, "event");
            static const char *const keys[] = {"actor", "payload", "subject", "time", "type"};
            for (size_t i = 0; shown && rc == XC_OK && i < sizeof(keys) / sizeof(keys[0]); i++)
                if (!json_equal(json_object_get(shown, keys[i]), json_object_get(ev, keys[i])))
                    rc = xc_error_set(err, XC_EVERIFY, "event",
                                      "proof: event.%s differs from the signed body's", keys[i]);
        }
        if (rc == XC_OK && body) {
            unsigned char claimed[XC_HASH_LEN];
            xc_merkle_leaf(body, strlen(body), leaf);
            if (jleaf && (!json_is_string(jleaf) || unhex32(json_string_value(jleaf), claimed) != 0 ||
                          memcmp(claimed, leaf, XC_HASH_LEN) != 0))
                rc = xc_error_set(err, XC_EVERIFY, "leaf_hash", "proof: \"leaf_hash\" is not the body's leaf hash");
        }
        if (rc == XC_OK) {
            if (!xc_merkle_verify_inclusion((uint64_t)index, size, leaf, (const unsigned char(*)[XC_HASH_LEN])path,
                                            len, root))
                rc = xc_error_set(err, XC_EVERIFY, "path",
                                  "proof: the event is not in the checkpoint's tree (the path or body was altered)");
        }
        if (rc == XC_OK) {
            hex(root, XC_HASH_LEN, rh);
            json_object_set_new(r, "origin", json_string(origin));
            json_object_set_new(r, "tree_size", json_integer((json_int_t)size));
            json_object_set_new(r, "root", json_string(rh));
            json_object_set_new(r, "seq", json_integer(index + 1));
            if (ev) {
                json_object_set(r, "event", ev);
            } else {
                char lh[2 * XC_HASH_LEN + 1];
                hex(leaf, XC_HASH_LEN, lh);
                json_object_set_new(r, "leaf_hash", json_string(lh));
                json_object_set_new(r, "redacted", json_true());
            }
        }
    } else if (strcmp(type, "consistency") == 0) {
        const char *first = jstr(proof, "first", err, &rc);
        const char *second = jstr(proof, "second", err, &rc);
        if (rc == XC_OK)
            rc = jpath(proof, path, &len, err);
        if (rc == XC_OK)
            rc = proof_checkpoint("first", first, &k, &size, root, origin, sizeof(origin), err);
        if (rc == XC_OK)
            rc = proof_checkpoint("second", second, &k, &size2, root2, origin2, sizeof(origin2), err);
        if (rc == XC_OK && strcmp(origin, origin2) != 0)
            rc = xc_error_set(err, XC_EVERIFY, "second", "proof: the checkpoints are of two logs (%s, %s)", origin,
                              origin2);
        if (rc == XC_OK && (size == 0 || size > size2))
            rc = xc_error_set(err, XC_EVERIFY, "first", "proof: the first checkpoint (size %llu) is not a prefix "
                                                        "of the second (size %llu)",
                              (unsigned long long)size, (unsigned long long)size2);
        if (rc == XC_OK && !xc_merkle_verify_consistency(size, size2, root, root2,
                                                         (const unsigned char(*)[XC_HASH_LEN])path, len))
            rc = xc_error_set(err, XC_EVERIFY, "path",
                              "proof: the second checkpoint's tree does not extend the first's (the log was "
                              "rewritten, or the path was altered)");
        if (rc == XC_OK) {
            json_object_set_new(r, "origin", json_string(origin));
            json_object_set_new(r, "first_size", json_integer((json_int_t)size));
            json_object_set_new(r, "second_size", json_integer((json_int_t)size2));
            hex(root, XC_HASH_LEN, rh);
            json_object_set_new(r, "first_root", json_string(rh));
            hex(root2, XC_HASH_LEN, rh);
            json_object_set_new(r, "second_root", json_string(rh));
        }
    } else {
        rc = xc_error_set(err, XC_EINVAL, "type", "proof: \"type\" is \"%s\", not inclusion or consistency", type);
    }
    json_decref(ev);
    if (rc && rc != XC_EVERIFY) {
        json_decref(r);
        return rc;
    }
    json_object_set_new(r, "ok", json_boolean(rc == XC_OK));
    if (rc)
        json_object_set_new(r, "problem", json_string(err->msg));
    *report = r;
    return rc;
}

/* ---- JSON for the CLI and the HTTP API ------------------------------------------- */

int xc_audit_key_json(xc_store *s, json_t **out, xc_error *err)
{
    char path[PATH_MAX], *vkey = NULL;
    *out = NULL;
    int rc = xc_audit_vkey(s, &vkey, err);
    if (rc)
        return rc;
    xc_audit_key_path(s, path, sizeof(path));
    *out = json_pack("{s:s, s:s}", "vkey", vkey, "key_file", path);
    xc_free(vkey);
    return *out ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

int xc_audit_checkpoint_json(xc_store *s, int64_t number, json_t **out, xc_error *err)
{
    xc_checkpoint_row cp;
    *out = NULL;
    if (number < 1)
        return xc_error_set(err, XC_EINVAL, "number", "checkpoint number %lld: checkpoints are numbered from 1",
                            (long long)number);
    memset(&cp, 0, sizeof(cp));
    int rc = xc_store_checkpoint_get(s, number, &cp, err);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_ENOTFOUND, "number", "no published checkpoint number %lld", (long long)number);
    if (rc)
        return rc;
    *out = checkpoint_json(&cp);
    xc_checkpoint_row_clear(&cp);
    return *out ? XC_OK : xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

void xc_audit_proof_redact(json_t *proof)
{
    json_object_del(proof, "event");
    json_object_del(proof, "body");
    json_object_set_new(proof, "redacted", json_true());
}
