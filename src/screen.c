/*
 * screen.c: the screening index, queries, atomic refresh and the allow-list.
 *
 * Index layout: every indexed name (primary names and aliases) is a `sname`
 * whose normalised tokens live packed in a byte pool.  Each name token of
 * kind XC_TOK_NAME contributes up to three keys: the token itself, its
 * phonetic key and its first four letters.  Keys are 64-bit hashes in an
 * open-addressing table pointing at posting lists of name ids.  A query
 * accumulates, per candidate name, the set of query tokens that reached it
 * (rare keys first; very common keys are only used when nothing rarer
 * matched), scores the best candidates with xc_match_names and keeps those
 * at or above the threshold.
 */
#include "screen.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs.h"
#include "mem.h"
#include "model.h"

#define MAX_CANDIDATES 96       /* names scored per query, best-ranked first */
#define PRUNE_RATIO 0.25f       /* candidates ranked below this share of the best are not scored */
#define COMMON_POSTINGS 20000   /* a key this frequent is a last resort (or 1/250 of the names if fewer) */
#define PREFIX_LEN 4

typedef struct sname {
    uint32_t entry;     /* index into idx->entries */
    uint32_t tok_off;   /* offset of the packed tokens in idx->pool */
    uint16_t name_index;
    uint8_t n_tok;
    uint8_t type;
} sname;

typedef struct sentry {
    const xc_party_snapshot *snap;
    const xc_party_entry *entry;
} sentry;

struct xc_screen_index {
    const xc_party_snapshot **snaps; /* the snapshots in force */
    size_t n_snaps;
    sentry *entries;
    size_t n_entries;
    sname *names;
    size_t n_names;
    unsigned char *pool;
    size_t pool_len;
    /* key table */
    uint64_t *slot_key;   /* 0 = empty */
    uint32_t *slot_post;  /* index into post_off */
    size_t n_slots;       /* power of two */
    uint32_t *post_off;   /* n_keys + 1 offsets into postings */
    uint32_t *postings;
    size_t n_keys, n_postings;
    size_t skipped_names; /* names that normalised to nothing, not indexed */
    xc_date at;
};

struct xc_screen_scratch {
    uint32_t *stamp;  /* per name: generation of the last touch */
    uint32_t *qmask;  /* per name: query tokens that reached it */
    float *acc;       /* per name: weight of the keys that reached it */
    uint32_t gen;
    uint32_t *touched;
    size_t n_touched, cap_touched;
    struct cand *cands; /* candidate ranking buffer, reused across queries */
    size_t cap_cands;
    size_t n_names;
};

/* ---- hashing and packing ----------------------------------------------------- */

static uint64_t hash_key(char tag, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned char)tag;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

/* Packed token: len, kind | initial << 4, phon[8], text[len]. */
static size_t packed_size(const xc_token *t)
{
    return 2 + 8 + t->len;
}

static void pack_token(unsigned char *p, const xc_token *t)
{
    p[0] = t->len;
    p[1] = (unsigned char)(t->kind | (t->initial << 4));
    memcpy(p + 2, t->phon, 8);
    memcpy(p + 10, t->text, t->len);
}

static void unpack_name(const xc_screen_index *idx, const sname *sn, xc_name *out)
{
    const unsigned char *p = idx->pool + sn->tok_off;
    size_t o = 0;
    out->n = sn->n_tok;
    out->type = sn->type;
    for (int i = 0; i < sn->n_tok; i++) {
        xc_token *t = &out->tok[i];
        t->len = p[0];
        t->kind = p[1] & 15;
        t->initial = p[1] >> 4;
        memcpy(t->phon, p + 2, 8);
        memcpy(t->text, p + 10, t->len);
        t->text[t->len] = '\0';
        if (o + t->len + 1 < sizeof(out->norm)) {
            if (o)
                out->norm[o++] = ' ';
            memcpy(out->norm + o, t->text, t->len);
            o += t->len;
        }
        p += 10 + t->len;
    }
    out->norm[o] = '\0';
}

/* Keys of a normalised name, each with the index of the token it comes
 * from: per name token its text, phonetic key, first letters and, for a
 * joined particle ("alqaeda"), the text after the particle; per adjacent
 * pair of name tokens their concatenation (so "al qaeda" and "alqaeda"
 * meet).  Returns how many keys were written (at most max). */
static int name_keys(const xc_name *nm, uint64_t *keys, uint8_t *tok, float *kw, int max)
{
    int n = 0;
    /* per token, keys in decreasing strength: a token that reaches a name
     * through a strong key is not counted again through a weaker one */
#define KEY(tag, text, len, weight)                                                                                   \
    do {                                                                                                             \
        keys[n] = hash_key(tag, text, len);                                                                          \
        tok[n] = (uint8_t)i;                                                                                         \
        kw[n++] = weight;                                                                                            \
    } while (0)
    for (int i = 0; i < nm->n && n + 5 <= max; i++) {
        const xc_token *t = &nm->tok[i];
        if (t->kind != XC_TOK_NAME || t->len == 0)
            continue;
        KEY('t', t->text, t->len, 1.0f);
        if (i + 1 < nm->n && nm->tok[i + 1].kind == XC_TOK_NAME && t->len + nm->tok[i + 1].len < XC_TOKEN_MAX) {
            char joined[2 * XC_TOKEN_MAX];
            memcpy(joined, t->text, t->len);
            memcpy(joined + t->len, nm->tok[i + 1].text, nm->tok[i + 1].len);
            KEY('t', joined, (size_t)(t->len + nm->tok[i + 1].len), 1.0f);
        }
        unsigned part = XC_TOKEN_PARTICLE(t);
        if (part && part < t->len)
            KEY('t', t->text + part, (size_t)(t->len - part), 0.9f);
        size_t pl = strnlen(t->phon, XC_PHON_FLAGS);
        if (pl)
            KEY('p', t->phon, pl, 0.6f);
        if (t->len > PREFIX_LEN)
            KEY('f', t->text, (size_t)PREFIX_LEN, 0.4f);
    }
#undef KEY
    return n;
}

#define MAX_KEYS (5 * XC_NAME_MAX_TOKENS)

/* ---- building ------------------------------------------------------------------ */

typedef struct kpair {
    uint64_t key;
    uint32_t name;
} kpair;

static int cmp_kpair(const void *a, const void *b)
{
    const kpair *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->name > y->name) - (x->name < y->name);
}

static int entry_type(const xc_party_entry *e)
{
    if (!e->type)
        return XC_NAME_UNKNOWN;
    return strcmp(e->type, "individual") == 0 || strcmp(e->type, "person") == 0 ? XC_NAME_PERSON : XC_NAME_ENTITY;
}

void xc_screen_index_free(xc_screen_index *idx)
{
    if (!idx)
        return;
    xc_free(idx->snaps);
    xc_free(idx->entries);
    xc_free(idx->names);
    xc_free(idx->pool);
    xc_free(idx->slot_key);
    xc_free(idx->slot_post);
    xc_free(idx->post_off);
    xc_free(idx->postings);
    xc_free(idx);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *np = xc_realloc(*p, c * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = c;
    return 0;
}

int xc_screen_index_build(const xc_party_snapshot *snaps, size_t n, xc_date at, xc_screen_index **out,
                          xc_error *err)
{
    xc_screen_index *idx = xc_calloc(1, sizeof(*idx));
    kpair *pairs = NULL;
    size_t n_pairs = 0, cap_pairs = 0, cap_names = 0, cap_pool = 0;
    xc_name *nm = NULL;
    char d[XC_DATE_BUF], e[XC_DATE_BUF];
    int rc = XC_OK;
    *out = NULL;
    if (!idx || !(idx->snaps = xc_calloc(n ? n : 1, sizeof(*idx->snaps))) || !(nm = xc_malloc(sizeof(*nm))))
        goto oom;
    idx->at = at;
    idx->n_snaps = xc_parties_in_force(snaps, n, at, idx->snaps);
    for (size_t i = 0; i < idx->n_snaps; i++) {
        const xc_party_snapshot *sn = idx->snaps[i];
        if (sn->max_age_days > 0 && at - sn->list_date > sn->max_age_days) {
            rc = xc_error_set(err, XC_EINVAL, "snapshot",
                              "screening refused: the %s snapshot of %s is %d days old on %s, more than its maximum "
                              "age of %d days; import a current list",
                              sn->list_id, xc_date_format(sn->list_date, d), (int)(at - sn->list_date),
                              xc_date_format(at, e), sn->max_age_days);
            goto fail;
        }
    }
    if (idx->n_snaps == 0) {
        rc = xc_error_set(err, XC_EINVAL, "snapshot",
                          "screening refused: no party list is loaded for %s (see `exportctl parties import`)",
                          xc_date_format(at, d));
        goto fail;
    }
    size_t n_entries = 0;
    for (size_t i = 0; i < idx->n_snaps; i++)
        n_entries += idx->snaps[i]->n_entries;
    if (!(idx->entries = xc_calloc(n_entries ? n_entries : 1, sizeof(sentry))))
        goto oom;
    for (size_t i = 0; i < idx->n_snaps; i++) {
        const xc_party_snapshot *sn = idx->snaps[i];
        for (size_t k = 0; k < sn->n_entries; k++) {
            const xc_party_entry *en = &sn->entries[k];
            uint32_t eid = (uint32_t)idx->n_entries;
            idx->entries[idx->n_entries++] = (sentry){sn, en};
            for (size_t a = 0; a <= en->n_aliases; a++) {
                const char *name = a == 0 ? en->name : en->aliases[a - 1];
                xc_error nerr;
                if (xc_name_normalize(name, entry_type(en), nm, &nerr) != XC_OK || nm->n == 0) {
                    idx->skipped_names++; /* a name with nothing to match (e.g. one letter) */
                    continue;
                }
                size_t bytes = 0;
                for (int t = 0; t < nm->n; t++)
                    bytes += packed_size(&nm->tok[t]);
                if (grow((void **)&idx->names, &cap_names, idx->n_names + 1, sizeof(sname)) ||
                    grow((void **)&idx->pool, &cap_pool, idx->pool_len + bytes, 1) ||
                    grow((void **)&pairs, &cap_pairs, n_pairs + MAX_KEYS, sizeof(kpair)))
                    goto oom;
                uint32_t id = (uint32_t)idx->n_names;
                idx->names[idx->n_names++] =
                    (sname){eid, (uint32_t)idx->pool_len, (uint16_t)a, (uint8_t)nm->n, (uint8_t)nm->type};
                for (int t = 0; t < nm->n; t++) {
                    pack_token(idx->pool + idx->pool_len, &nm->tok[t]);
                    idx->pool_len += packed_size(&nm->tok[t]);
                }
                uint64_t keys[MAX_KEYS];
                uint8_t from[MAX_KEYS];
                float kw[MAX_KEYS];
                int nk = name_keys(nm, keys, from, kw, MAX_KEYS);
                for (int j = 0; j < nk; j++)
                    pairs[n_pairs++] = (kpair){keys[j], id};
            }
        }
    }
    qsort(pairs, n_pairs, sizeof(kpair), cmp_kpair);
    /* unique (key, name) pairs; count keys */
    size_t w = 0;
    for (size_t i = 0; i < n_pairs; i++)
        if (w == 0 || pairs[i].key != pairs[w - 1].key || pairs[i].name != pairs[w - 1].name)
            pairs[w++] = pairs[i];
    n_pairs = w;
    size_t n_keys = 0;
    for (size_t i = 0; i < n_pairs; i++)
        n_keys += i == 0 || pairs[i].key != pairs[i - 1].key;
    idx->n_slots = 16;
    while (idx->n_slots < 2 * n_keys)
        idx->n_slots *= 2;
    idx->slot_key = xc_calloc(idx->n_slots, sizeof(uint64_t));
    idx->slot_post = xc_calloc(idx->n_slots, sizeof(uint32_t));
    idx->post_off = xc_calloc(n_keys + 1, sizeof(uint32_t));
    idx->postings = xc_calloc(n_pairs ? n_pairs : 1, sizeof(uint32_t));
    if (!idx->slot_key || !idx->slot_post || !idx->post_off || !idx->postings)
        goto oom;
    for (size_t i = 0; i < n_pairs; i++) {
        if (i == 0 || pairs[i].key != pairs[i - 1].key) {
            size_t s = pairs[i].key & (idx->n_slots - 1);
            while (idx->slot_key[s])
                s = (s + 1) & (idx->n_slots - 1);
            idx->slot_key[s] = pairs[i].key;
            idx->slot_post[s] = (uint32_t)idx->n_keys;
            idx->post_off[idx->n_keys++] = (uint32_t)i;
        }
        idx->postings[i] = pairs[i].name;
    }
    idx->post_off[idx->n_keys] = (uint32_t)n_pairs;
    idx->n_postings = n_pairs;
    xc_free(pairs);
    xc_free(nm);
    *out = idx;
    return XC_OK;
oom:
    rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the screening index");
fail:
    xc_free(pairs);
    xc_free(nm);
    xc_screen_index_free(idx);
    return rc;
}

size_t xc_screen_index_names(const xc_screen_index *idx)
{
    return idx->n_names;
}

size_t xc_screen_index_bytes(const xc_screen_index *idx)
{
    return sizeof(*idx) + idx->n_snaps * sizeof(void *) + idx->n_entries * sizeof(sentry) +
           idx->n_names * sizeof(sname) + idx->pool_len + idx->n_slots * (sizeof(uint64_t) + sizeof(uint32_t)) +
           (idx->n_keys + 1) * sizeof(uint32_t) + idx->n_postings * sizeof(uint32_t);
}

/* ---- queries ------------------------------------------------------------------- */

int xc_screen_scratch_new(const xc_screen_index *idx, xc_screen_scratch **out, xc_error *err)
{
    xc_screen_scratch *s = xc_calloc(1, sizeof(*s));
    if (s) {
        s->n_names = idx->n_names;
        s->stamp = xc_calloc(idx->n_names ? idx->n_names : 1, sizeof(uint32_t));
        s->qmask = xc_calloc(idx->n_names ? idx->n_names : 1, sizeof(uint32_t));
        s->acc = xc_calloc(idx->n_names ? idx->n_names : 1, sizeof(float));
    }
    if (!s || !s->stamp || !s->qmask || !s->acc) {
        xc_screen_scratch_free(s);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    *out = s;
    return XC_OK;
}

void xc_screen_scratch_free(xc_screen_scratch *s)
{
    if (!s)
        return;
    xc_free(s->stamp);
    xc_free(s->qmask);
    xc_free(s->acc);
    xc_free(s->touched);
    xc_free(s->cands);
    xc_free(s);
}

static int lookup(const xc_screen_index *idx, uint64_t key, const uint32_t **post, size_t *n)
{
    size_t s = key & (idx->n_slots - 1);
    while (idx->slot_key[s]) {
        if (idx->slot_key[s] == key) {
            uint32_t k = idx->slot_post[s];
            *post = idx->postings + idx->post_off[k];
            *n = idx->post_off[k + 1] - idx->post_off[k];
            return 1;
        }
        s = (s + 1) & (idx->n_slots - 1);
    }
    return 0;
}

static int entry_has_tag(const sentry *se, const char *tag)
{
    if (strcmp(se->snap->list_id, tag) == 0)
        return 1;
    for (size_t i = 0; i < se->entry->n_tags; i++)
        if (strcmp(se->entry->tags[i], tag) == 0)
            return 1;
    return 0;
}

static const xc_allow *allowed(const xc_screen_opts *o, const char *folded, const sentry *se)
{
    for (size_t i = 0; i < o->n_allow; i++) {
        const xc_allow *a = &o->allow[i];
        if (a->expires != XC_DATE_NONE && o->at >= a->expires)
            continue;
        if (strcmp(a->folded, folded) == 0 && strcmp(a->entry_id, se->entry->id) == 0 && entry_has_tag(se, a->list))
            return a;
    }
    return NULL;
}

typedef struct cand {
    uint32_t name;
    float weight;
} cand;

static int cand_before(const cand *x, const cand *y)
{
    return x->weight > y->weight || (x->weight == y->weight && x->name < y->name);
}

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return cand_before(x, y) ? -1 : cand_before(y, x);
}

/* Move the k best candidates to the front (quickselect), unordered. */
static void select_best(cand *c, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, target = (long)k - 1;
    while (lo < hi) {
        cand pivot = c[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (cand_before(&c[i], &pivot))
                i++;
            while (cand_before(&pivot, &c[j]))
                j--;
            if (i <= j) {
                cand t = c[i];
                c[i] = c[j];
                c[j] = t;
                i++;
                j--;
            }
        }
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return;
    }
}

static int cmp_hit(const void *a, const void *b)
{
    const xc_screen_hit *x = a, *y = b;
    return (y->score > x->score) - (y->score < x->score);
}

/* Note that a query token reached a name through a key of weight w; a
 * token counts once per name, with its strongest key (keys come strongest
 * first).  Returns -1 when out of memory. */
static int touch(xc_screen_scratch *sc, uint32_t name, int qtok, float w)
{
    if (sc->stamp[name] != sc->gen) {
        if (sc->n_touched == sc->cap_touched) {
            uint32_t *nt = xc_realloc(sc->touched, 2 * sc->cap_touched * sizeof(uint32_t));
            if (!nt)
                return -1;
            sc->touched = nt;
            sc->cap_touched *= 2;
        }
        sc->stamp[name] = sc->gen;
        sc->qmask[name] = 0;
        sc->acc[name] = 0;
        sc->touched[sc->n_touched++] = name;
    }
    if (!(sc->qmask[name] >> qtok & 1)) {
        sc->qmask[name] |= 1u << qtok;
        sc->acc[name] += w;
    }
    return 0;
}

int xc_screen_query(const xc_screen_index *idx, xc_screen_scratch *sc, const char *name, const xc_screen_opts *o,
                    xc_screen_result *res, xc_error *err)
{
    char folded[XC_FOLD_MAX];
    int rc = xc_name_normalize(name, o->type, &res->query, err);
    if (rc)
        return rc;
    res->n_hits = res->n_suppressed = res->candidates = 0;
    res->threshold = o->threshold >= 0 ? o->threshold : XC_MATCH_DEFAULT_THRESHOLD;
    if (res->query.n == 0)
        return xc_error_set(err, XC_EINVAL, "name", "name: \"%s\" has nothing to match once normalised", name);
    if (sc->n_names < idx->n_names)
        return xc_error_set(err, XC_EINTERNAL, NULL, "screening scratch is smaller than the index");
    xc_party_fold(name, folded, sizeof(folded));
    if (!sc->touched) {
        sc->cap_touched = 1 << 16;
        if (!(sc->touched = xc_malloc(sc->cap_touched * sizeof(uint32_t))))
            return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    if (++sc->gen == 0) {
        memset(sc->stamp, 0, sc->n_names * sizeof(uint32_t));
        sc->gen = 1;
    }
    sc->n_touched = 0;
    /* rare keys first: common keys only for query tokens nothing rarer reached */
    const xc_name *q = &res->query;
    uint32_t reached = 0;
    uint64_t keys[MAX_KEYS];
    uint8_t from[MAX_KEYS];
    float kw[MAX_KEYS];
    int nk = name_keys(q, keys, from, kw, MAX_KEYS);
    double n_names = (double)(idx->n_names ? idx->n_names : 1);
    size_t common = idx->n_names / 250 > 2000 ? idx->n_names / 250 : 2000;
    if (common > COMMON_POSTINGS)
        common = COMMON_POSTINGS;
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < nk; j++) {
            int t = from[j];
            const uint32_t *post;
            size_t np;
            if (pass == 1 && (reached >> t & 1))
                continue;
            if (!lookup(idx, keys[j], &post, &np) || (np > common) != (pass == 1))
                continue;
            reached |= 1u << t;
            /* a rare key says more than a common one */
            float w = kw[j] * (float)log2(1.0 + n_names / (double)np);
            for (size_t i = 0; i < np; i++)
                if (touch(sc, post[i], t, w))
                    return xc_error_set(err, XC_ENOMEM, NULL, "out of memory screening \"%s\"", name);
        }
    }
    /* rank candidates by the weight of the keys that reached them; score the
     * best MAX_CANDIDATES, best first, skipping those far below the best */
    size_t nc = sc->n_touched;
    if (grow((void **)&sc->cands, &sc->cap_cands, nc ? nc : 1, sizeof(cand)))
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    cand *cands = sc->cands;
    for (size_t i = 0; i < nc; i++)
        cands[i] = (cand){sc->touched[i], sc->acc[sc->touched[i]]};
    if (nc > MAX_CANDIDATES) {
        select_best(cands, nc, MAX_CANDIDATES);
        nc = MAX_CANDIDATES;
    }
    qsort(cands, nc, sizeof(cand), cmp_cand);
    float floor_w = nc ? cands[0].weight * PRUNE_RATIO : 0;
    int limit = o->limit > 0 ? o->limit : 10;
    if (limit > XC_SCREEN_MAX_HITS)
        limit = XC_SCREEN_MAX_HITS;
    xc_screen_hit *hit = xc_malloc(sizeof(*hit));
    if (!hit)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < nc; i++) {
        if (cands[i].weight < floor_w)
            break;
        const sname *sn = &idx->names[cands[i].name];
        const sentry *se = &idx->entries[sn->entry];
        if (o->tag && !entry_has_tag(se, o->tag))
            continue;
        if (o->type != XC_NAME_UNKNOWN && sn->type != XC_NAME_UNKNOWN && sn->type != o->type)
            continue;
        res->candidates++;
        unpack_name(idx, sn, &hit->listed);
        hit->score = xc_match_names(q, &hit->listed, &hit->why);
        if (o->country && se->entry->country && strcmp(o->country, se->entry->country) != 0)
            hit->score *= 0.97; /* documented: a different country costs a little */
        if (hit->score < res->threshold)
            continue;
        hit->snap = se->snap;
        hit->entry = se->entry;
        hit->name_index = sn->name_index;
        hit->allowed = allowed(o, folded, se);
        /* one hit per entry: keep its best name */
        xc_screen_hit *arr = hit->allowed ? res->suppressed : res->hits;
        size_t *cnt = hit->allowed ? &res->n_suppressed : &res->n_hits;
        size_t k;
        for (k = 0; k < *cnt; k++)
            if (arr[k].entry == hit->entry)
                break;
        if (k < *cnt) {
            if (hit->score > arr[k].score)
                arr[k] = *hit;
        } else if (*cnt < XC_SCREEN_MAX_HITS) {
            arr[(*cnt)++] = *hit;
        }
    }
    xc_free(hit);
    qsort(res->hits, res->n_hits, sizeof(xc_screen_hit), cmp_hit);
    qsort(res->suppressed, res->n_suppressed, sizeof(xc_screen_hit), cmp_hit);
    if (res->n_hits > (size_t)limit)
        res->n_hits = (size_t)limit;
    return XC_OK;
}

/* ---- JSON ------------------------------------------------------------------------- */

json_t *xc_screen_snapshots_json(const xc_screen_index *idx)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < idx->n_snaps; i++) {
        char d[XC_DATE_BUF];
        const xc_party_snapshot *s = idx->snaps[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s, s:I}", "list", s->list_id, "list_date",
                                           xc_date_format(s->list_date, d), "snapshot_id", (json_int_t)s->doc_id,
                                           "content_hash", s->hash, "entries", (json_int_t)s->n_entries));
    }
    return a;
}

static json_t *strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *hit_json(const xc_screen_result *res, const xc_screen_hit *h)
{
    char d[XC_DATE_BUF];
    const xc_party_entry *e = h->entry;
    json_t *o = json_pack(
        "{s:f, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:{s:s, s:I, s:s, s:s}, s:o}", "score",
        floor(h->score * 10000 + 0.5) / 10000, "list", h->snap->list_id, "tags", strv_json(e->tags, e->n_tags),
        "entry_id", e->id, "name", e->name, "matched_name", h->name_index == 0 ? e->name : e->aliases[h->name_index - 1],
        "type", e->type ? json_string(e->type) : json_null(), "country",
        e->country ? json_string(e->country) : json_null(), "programs", strv_json(e->programs, e->n_programs),
        "snapshot", "list", h->snap->list_id, "snapshot_id", (json_int_t)h->snap->doc_id, "list_date",
        xc_date_format(h->snap->list_date, d), "content_hash", h->snap->hash, "explanation",
        xc_match_json(&res->query, &h->listed, &h->why, res->threshold));
    if (o && h->allowed) {
        char x[XC_DATE_BUF];
        json_object_set_new(o, "allowed",
                            json_pack("{s:s, s:s, s:s, s:o}", "reason", h->allowed->reason, "who", h->allowed->who,
                                      "query", h->allowed->query, "expires",
                                      h->allowed->expires == XC_DATE_NONE
                                          ? json_null()
                                          : json_string(xc_date_format(h->allowed->expires, x))));
    }
    return o;
}

json_t *xc_screen_result_json(const xc_screen_index *idx, const xc_screen_result *res)
{
    json_t *hits = json_array(), *sup = json_array();
    for (size_t i = 0; hits && i < res->n_hits; i++)
        json_array_append_new(hits, hit_json(res, &res->hits[i]));
    for (size_t i = 0; sup && i < res->n_suppressed; i++)
        json_array_append_new(sup, hit_json(res, &res->suppressed[i]));
    return json_pack("{s:s, s:f, s:s, s:o, s:I, s:o, s:o}", "normalized", res->query.norm, "threshold",
                     res->threshold, "matcher_version", XC_MATCHER_VERSION, "snapshots",
                     xc_screen_snapshots_json(idx), "candidates_scored", (json_int_t)res->candidates, "hits", hits,
                     "suppressed", sup);
}

xc_date xc_screen_index_date(const xc_screen_index *idx)
{
    return idx->at;
}

json_t *xc_screen_answer_json(const xc_screen_index *idx, const xc_screen_result *res, const char *query)
{
    json_t *j = xc_screen_result_json(idx, res);
    if (j && json_object_set_new(j, "query", json_string(query))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *xc_screen_row_json(const xc_screen_index *idx, const xc_screen_result *res, size_t row, long line,
                           const char *query, const xc_error *err)
{
    json_t *o;
    if (!err) {
        json_t *j = xc_screen_result_json(idx, res);
        json_t *ids = json_array(), *sn;
        size_t k;
        json_array_foreach(json_object_get(j, "snapshots"), k, sn)
            json_array_append(ids, json_object_get(sn, "snapshot_id"));
        o = j && ids ? json_pack("{s:I, s:I, s:s, s:O, s:O, s:O, s:s, s:O, s:n}", "row", (json_int_t)row, "line",
                                 (json_int_t)line, "query", query, "hits", json_object_get(j, "hits"), "suppressed",
                                 json_object_get(j, "suppressed"), "threshold", json_object_get(j, "threshold"),
                                 "matcher_version", XC_MATCHER_VERSION, "snapshot_ids", ids, "error")
                     : NULL;
        json_decref(ids);
        json_decref(j);
    } else {
        o = json_pack("{s:I, s:I, s:s, s:[], s:[], s:{s:s, s:s}}", "row", (json_int_t)row, "line", (json_int_t)line,
                      "query", query, "hits", "suppressed", "error", "code", xc_error_name(err->code), "message",
                      err->msg);
    }
    if (o && line <= 0)
        json_object_del(o, "line");
    return o;
}

/* ---- atomic refresh ------------------------------------------------------------------ */

typedef struct held {
    xc_screen_index *idx;
    int refs;
} held;

struct xc_screener {
    pthread_mutex_t mu;
    xc_screen_index *current;
    held *old; /* retired indexes still in use */
    size_t n_old;
    int cur_refs;
};

int xc_screener_new(xc_screen_index *initial, xc_screener **out, xc_error *err)
{
    xc_screener *s = xc_calloc(1, sizeof(*s));
    if (!s || !(s->old = xc_calloc(64, sizeof(held)))) {
        xc_free(s);
        xc_screen_index_free(initial);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    s->current = initial;
    *out = s;
    return XC_OK;
}

void xc_screener_free(xc_screener *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_old; i++)
        xc_screen_index_free(s->old[i].idx);
    xc_screen_index_free(s->current);
    pthread_mutex_destroy(&s->mu);
    xc_free(s->old);
    xc_free(s);
}

const xc_screen_index *xc_screener_acquire(xc_screener *s)
{
    pthread_mutex_lock(&s->mu);
    const xc_screen_index *idx = s->current;
    s->cur_refs++;
    pthread_mutex_unlock(&s->mu);
    return idx;
}

void xc_screener_release(xc_screener *s, const xc_screen_index *idx)
{
    pthread_mutex_lock(&s->mu);
    if (idx == s->current) {
        s->cur_refs--;
    } else {
        for (size_t i = 0; i < s->n_old; i++) {
            if (s->old[i].idx == idx && --s->old[i].refs == 0) {
                xc_screen_index_free(s->old[i].idx);
                s->old[i] = s->old[--s->n_old];
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->mu);
}

void xc_screener_swap(xc_screener *s, xc_screen_index *idx)
{
    xc_screen_index *retire = NULL;
    pthread_mutex_lock(&s->mu);
    while (s->cur_refs && s->n_old == 64) { /* too many generations in flight: let readers finish */
        pthread_mutex_unlock(&s->mu);
        sched_yield();
        pthread_mutex_lock(&s->mu);
    }
    if (s->cur_refs == 0)
        retire = s->current;
    else
        s->old[s->n_old++] = (held){s->current, s->cur_refs};
    s->current = idx;
    s->cur_refs = 0;
    pthread_mutex_unlock(&s->mu);
    xc_screen_index_free(retire);
}

/* ---- allow-list ------------------------------------------------------------------------ */

int xc_allow_add(xc_store *s, const char *query, const char *list, const char *entry_id, const char *reason,
                 const char *who, xc_date expires, xc_error *err)
{
    char folded[XC_FOLD_MAX], key[512], d[XC_DATE_BUF];
    int rec;
    if (!query || !*query || !list || !*list || !entry_id || !*entry_id || !reason || !*reason || !who || !*who)
        return xc_error_set(err, XC_EINVAL, "allow",
                            "an allow-list entry needs the query name, list, entry id, reason and who cleared it");
    xc_party_fold(query, folded, sizeof(folded));
    if (!folded[0])
        return xc_error_set(err, XC_EINVAL, "query", "query: \"%s\" has no letters or digits", query);
    snprintf(key, sizeof(key), "%s|%s|%s", folded, list, entry_id);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "query", query, "folded", folded, "list", list,
                            "entry_id", entry_id, "reason", reason, "who", who, "expires",
                            expires == XC_DATE_NONE ? json_null() : json_string(xc_date_format(expires, d)));
    if (!doc)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    const char *k = key;
    int rc = xc_docs_record(s, XC_DOC_ALLOW, &doc, &k, 1, &rec, NULL, err);
    json_decref(doc);
    return rc;
}

void xc_allow_free(xc_allow *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        xc_free(a[i].query);
        xc_free(a[i].folded);
        xc_free(a[i].list);
        xc_free(a[i].entry_id);
        xc_free(a[i].reason);
        xc_free(a[i].who);
    }
    xc_free(a);
}

int xc_allow_load(xc_store *s, int64_t as_of, xc_allow **out, size_t *n, xc_error *err)
{
    xc_doc *docs = NULL;
    size_t nd = 0;
    *out = NULL;
    *n = 0;
    int rc = xc_store_doc_latest(s, XC_DOC_ALLOW, as_of, &docs, &nd, err);
    if (rc)
        return rc;
    xc_allow *a = xc_calloc(nd ? nd : 1, sizeof(*a));
    if (!a) {
        xc_docs_free(docs, nd);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < nd && rc == XC_OK; i++) {
        json_error_t je;
        json_t *o = json_loads(docs[i].body, 0, &je);
        const char *exp = json_string_value(json_object_get(o, "expires"));
        a[i].query = xc_strdup(json_string_value(json_object_get(o, "query")));
        a[i].folded = xc_strdup(json_string_value(json_object_get(o, "folded")));
        a[i].list = xc_strdup(json_string_value(json_object_get(o, "list")));
        a[i].entry_id = xc_strdup(json_string_value(json_object_get(o, "entry_id")));
        a[i].reason = xc_strdup(json_string_value(json_object_get(o, "reason")));
        a[i].who = xc_strdup(json_string_value(json_object_get(o, "who")));
        a[i].expires = XC_DATE_NONE;
        a[i].recorded_at = docs[i].recorded_at;
        if (exp)
            xc_date_parse(exp, &a[i].expires, "expires", NULL);
        if (!o || !a[i].query || !a[i].folded || !a[i].list || !a[i].entry_id || !a[i].reason || !a[i].who)
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory reading the allow-list");
        json_decref(o);
    }
    xc_docs_free(docs, nd);
    if (rc) {
        xc_allow_free(a, nd);
        return rc;
    }
    *out = a;
    *n = nd;
    return XC_OK;
}

json_t *xc_allow_added_json(const char *query, const char *list, const char *entry_id)
{
    return json_pack("{s:s, s:s, s:s}", "query", query, "list", list, "entry_id", entry_id);
}

json_t *xc_allow_json(const xc_allow *a, size_t n, xc_date today)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        char d[XC_DATE_BUF], t[XC_TS_BUF];
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s}", "query", a[i].query, "list", a[i].list,
                           "entry_id", a[i].entry_id, "reason", a[i].reason, "who", a[i].who, "expires",
                           a[i].expires == XC_DATE_NONE ? json_null() : json_string(xc_date_format(a[i].expires, d)),
                           "active", a[i].expires == XC_DATE_NONE || today < a[i].expires, "recorded_at",
                           xc_ts_format(a[i].recorded_at, t)));
    }
    return json_pack("{s:o}", "allow_list", arr);
}
