/*
 * match.c: scoring two normalised names.  Steps (docs/matching.md):
 *
 *   1. candidate pairs: every query token against every listed token
 *      (exact; initial against a first letter; Jaro-Winkler; phonetic key
 *      equal; vowel-less skeleton for Arabic/Hebrew-script tokens; stem
 *      after a joined particle), plus runs of 2-3 adjacent tokens on one
 *      side joined and compared with one token on the other ("AL QAEDA" /
 *      "ALQAEDA", "JIN PING" / "JINPING");
 *   2. greedy alignment, best similarity first, each token used once;
 *   3. score = sum(sim * W) / (sum(W) + unmatched weight), with the pair
 *      weight W = 2 * min(token weights) and a discount on the unmatched
 *      tokens of one side when the other side is wholly matched (dropped
 *      middle names, extra generic words).
 *
 * Legal forms and honorifics weigh nothing (they never make or break a
 * match); particles, generic business words, legal-like words and initials
 * weigh less than name words.  No allocation, no ICU (except
 * xc_match_pair_json, which normalises its two inputs first).
 */
#include "match.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

#define PAIR_CUTOFF 0.80f  /* below this a token pair is not aligned */
#define JOIN_CUTOFF 0.92f  /* a joined run must reach this (abjad skeletons: 0.88) */
#define JOIN_CUTOFF_ABJAD 0.88f
#define PREFIX_CAP 0.82f
#define JOIN_MAX 3         /* tokens joined into one */
#define INITIAL_SIM 0.80f
#define STEM_FACTOR 0.95f  /* "albaghdadi" vs "baghdadi" */
#define W_NAME 1.0f
#define W_INITIAL 0.5f
#define W_GENERIC 0.25f
#define W_LEGALISH 0.3f
#define W_STOP 0.2f
#define DISCOUNT_EDGE 0.5f
#define DISCOUNT_MIDDLE 0.3f
#define MAX_CANDS 1536
#define CREDIT_KNEE 0.90f
#define CREDIT_SLOPE 2.0f

/* ---- Jaro-Winkler ------------------------------------------------------------------ */

double xc_jaro_winkler(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned char am[255], bm[255];
    if (la > 255)
        la = 255;
    if (lb > 255)
        lb = 255;
    if (la == 0 && lb == 0)
        return 1.0;
    if (la == 0 || lb == 0)
        return 0.0;
    size_t win = (la > lb ? la : lb) / 2;
    win = win > 0 ? win - 1 : 0;
    memset(am, 0, la);
    memset(bm, 0, lb);
    size_t m = 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;
        for (size_t j = lo; j < hi; j++)
            if (!bm[j] && a[i] == b[j]) {
                am[i] = bm[j] = 1;
                m++;
                break;
            }
    }
    if (m == 0)
        return 0.0;
    size_t t = 0, k = 0;
    for (size_t i = 0; i < la; i++) {
        if (!am[i])
            continue;
        while (!bm[k])
            k++;
        t += a[i] != b[k];
        k++;
    }
    double md = (double)m;
    double jaro = (md / (double)la + md / (double)lb + (md - (double)t / 2.0) / md) / 3.0;
    size_t l = 0;
    while (l < 4 && l < la && l < lb && a[l] == b[l])
        l++;
    return jaro + (double)l * 0.1 * (1.0 - jaro);
}

const char *xc_match_how_name(int how)
{
    static const char *const names[] = {"exact", "jaro-winkler", "phonetic", "initial", "joined"};
    return how >= 0 && how <= XC_HOW_JOINED ? names[how] : "unknown";
}

/* ---- token similarity ---------------------------------------------------------------- */

/* A token or a run of joined tokens. */
typedef struct tview {
    const char *s;
    size_t len;
    const char *phon;
    uint32_t mask;     /* letters present (bit c - 'a'); bit 26: has a digit */
    uint8_t flags;
    uint8_t particle;
    uint8_t initial;
} tview;

#define MASK_DIGIT (1u << 26)

static uint32_t letter_mask(const char *s, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= s[i] >= 'a' && s[i] <= 'z' ? 1u << (s[i] - 'a') : MASK_DIGIT;
    return m;
}

/* Upper bound of the Jaro-Winkler similarity from the letters a and b share. */
static float jw_bound(const tview *a, const tview *b)
{
    size_t ma = 0, mb = 0, l = 0;
    for (size_t i = 0; i < a->len; i++)
        ma += a->s[i] >= 'a' && a->s[i] <= 'z' && (b->mask >> (a->s[i] - 'a') & 1);
    for (size_t i = 0; i < b->len; i++)
        mb += b->s[i] >= 'a' && b->s[i] <= 'z' && (a->mask >> (b->s[i] - 'a') & 1);
    float m = (float)(ma < mb ? ma : mb);
    if (m == 0.0f)
        return 0.0f;
    float jaro = (m / (float)a->len + m / (float)b->len + 1.0f) / 3.0f;
    while (l < 4 && l < a->len && l < b->len && a->s[l] == b->s[l])
        l++;
    return jaro + (float)l * 0.1f * (1.0f - jaro) + 1e-4f;
}

/* Similarity granted to equal phonetic keys: longer keys say more.  A
 * one-letter key ("un"/"eun", "li"/"lee") counts only between short tokens
 * that start alike (both with a vowel, or with the same letter). */
static float phon_floor(const tview *a, const tview *b, size_t key_len)
{
    if (key_len >= 4)
        return 0.92f;
    if (key_len == 3)
        return 0.88f;
    if (key_len == 2)
        return 0.84f;
    if (key_len == 1 && a->len <= 3 && b->len <= 3 &&
        (a->s[0] == b->s[0] || (strchr("aeiouy", a->s[0]) && strchr("aeiouy", b->s[0]))))
        return 0.80f;
    return 0.0f;
}

/* Copy a key without its H codes; returns the new length. */
static size_t strip_h(const char *key, char out[7])
{
    size_t k = 0;
    for (size_t i = 0; key[i] && i < 6; i++)
        if (key[i] != 'H' && (k == 0 || out[k - 1] != key[i]))
            out[k++] = key[i];
    out[k] = '\0';
    return k;
}

/* Digits must agree exactly ("unit 8200", vessel numbers). */
static int same_digits(const tview *a, const tview *b)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->len && (a->s[i] < '0' || a->s[i] > '9'))
            i++;
        while (j < b->len && (b->s[j] < '0' || b->s[j] > '9'))
            j++;
        if (i == a->len || j == b->len)
            return i == a->len && j == b->len;
        if (a->s[i++] != b->s[j++])
            return 0;
    }
}

/* Similarity of two tokens (or runs); 0 when below `need`. */
static float view_sim(const tview *a, const tview *b, int allow_initial, float need, uint8_t *how)
{
    *how = XC_HOW_EXACT;
    if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0)
        return 1.0f;
    if (a->len == 1 || b->len == 1) {
        *how = XC_HOW_INITIAL;
        if (allow_initial && (a->initial || b->initial) && a->s[0] == b->s[0])
            return INITIAL_SIM;
        return 0.0f;
    }
    if (((a->mask | b->mask) & MASK_DIGIT) && !same_digits(a, b))
        return 0.0f;
    float best = 0.0f;
    int aa = (a->flags & XC_TOKF_ABJAD) != 0, ab = (b->flags & XC_TOKF_ABJAD) != 0;
    if (aa == ab) {
        if (a->phon[0] && strcmp(a->phon, b->phon) == 0) {
            best = phon_floor(a, b, strlen(a->phon));
            *how = XC_HOW_PHONETIC;
        }
    } else {
        /* one side from a script without vowels: compare consonant skeletons,
         * without h (Hebrew "khn" is k-h-n, Latin "cohen" c-o-h-e-n) */
        const tview *lat = aa ? b : a, *abj = aa ? a : b;
        char key[7], k1[7], k2[7];
        xc_phonetic_key(lat->s, lat->len, 1, key);
        size_t kl = strip_h(key, k1);
        strip_h(abj->phon, k2);
        if (kl > 0 && strcmp(k1, k2) == 0) {
            best = kl >= 2 ? 0.90f : lat->len <= 5 && abj->len >= 2 ? 0.90f : 0.0f;
            *how = XC_HOW_PHONETIC;
        }
    }
    float bound = jw_bound(a, b);
    if (bound > best && bound >= need) {
        float jw = (float)xc_jaro_winkler(a->s, a->len, b->s, b->len);
        /* a word that is only the start of a much longer one ("apple" /
         * "appleton", "ivan" / "ivanov") is another word */
        size_t sl = a->len < b->len ? a->len : b->len, ll = a->len < b->len ? b->len : a->len;
        if (jw > PREFIX_CAP && 5 * sl < 4 * ll && memcmp(a->s, b->s, sl) == 0)
            jw = PREFIX_CAP;
        if (jw > best) {
            best = jw;
            *how = XC_HOW_JARO_WINKLER;
        }
    }
    return best >= need ? best : 0.0f;
}

static float token_weight(const xc_token *t)
{
    if (t->kind == XC_TOK_LEGAL || t->kind == XC_TOK_HONORIFIC)
        return 0.0f;
    if (t->kind == XC_TOK_STOP)
        return W_STOP;
    uint8_t f = XC_TOKEN_FLAGS(t);
    if (f & XC_TOKF_GENERIC)
        return W_GENERIC;
    if (f & XC_TOKF_LEGALISH)
        return W_LEGALISH;
    if (t->initial)
        return W_INITIAL;
    return W_NAME;
}

static tview view_of(const xc_token *t)
{
    tview v = {t->text, t->len, t->phon, letter_mask(t->text, t->len), XC_TOKEN_FLAGS(t), XC_TOKEN_PARTICLE(t),
               t->initial};
    return v;
}

/* The stem of a token after its joined particle, with its own key. */
static tview stem_of(const tview *v, char key[7])
{
    tview s = *v;
    if (s.particle && s.particle < s.len) {
        s.s += s.particle;
        s.len -= s.particle;
        xc_phonetic_key(s.s, s.len, (s.flags & XC_TOKF_ABJAD) != 0, key);
        s.phon = key;
        s.mask = letter_mask(s.s, s.len);
    }
    s.particle = 0;
    return s;
}

/* Similarity of two single tokens, trying the stems after joined particles. */
static float token_sim(const xc_token *a, const tview *va, const xc_token *b, const tview *vb, int allow_initial,
                       uint8_t *how)
{
    if ((a->kind == XC_TOK_STOP) != (b->kind == XC_TOK_STOP)) {
        *how = XC_HOW_EXACT;
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0 ? 1.0f : 0.0f;
    }
    float s = view_sim(va, vb, allow_initial, PAIR_CUTOFF, how);
    if (s < 1.0f && (va->particle || vb->particle)) {
        char ka[7], kb[7];
        tview sa = stem_of(va, ka), sb = stem_of(vb, kb);
        uint8_t h;
        float t = view_sim(&sa, &sb, 0, PAIR_CUTOFF, &h) * STEM_FACTOR;
        if (t > s) {
            s = t;
            *how = XC_HOW_JOINED;
        }
    }
    return s;
}

/* What a Jaro-Winkler pair contributes: its similarity, cut harder below
 * CREDIT_KNEE so that mediocre token pairs ("mohammad" / "ahmad") do not add
 * up to a match.  Exact, phonetic, initial and joined pairs count as their
 * similarity. */
static float credit(float sim)
{
    if (sim >= CREDIT_KNEE)
        return sim;
    float c = sim - CREDIT_SLOPE * (CREDIT_KNEE - sim);
    return c > 0.0f ? c : 0.0f;
}

/* An unmatched word that is an ignored word of either name (a legal form or
 * a suffix recognised on one side only: "CO", "II"), or within one typo of
 * a legal form ("LIMTED"), costs nothing. */
static int near_ignored(const tview *v, const xc_name *a, const xc_name *b)
{
    for (int side = 0; side < 2; side++) {
        const xc_name *n = side ? b : a;
        for (int i = 0; i < n->n; i++) {
            const xc_token *t = &n->tok[i];
            if ((t->kind != XC_TOK_LEGAL && t->kind != XC_TOK_HONORIFIC) || t->text[0] != v->s[0])
                continue;
            if (t->len == v->len && memcmp(t->text, v->s, v->len) == 0)
                return 1;
            if (t->kind == XC_TOK_LEGAL && t->len >= 5 && v->len >= 5 &&
                xc_jaro_winkler(t->text, t->len, v->s, v->len) >= 0.88)
                return 1;
        }
    }
    return 0;
}

/* ---- alignment ------------------------------------------------------------------------- */

typedef struct cand {
    float sim;
    int8_t q, l;       /* first token on each side */
    uint8_t qn, ln;    /* tokens taken on each side (one of them is 1) */
    uint8_t how;
} cand;

static int scoring(const xc_token *t)
{
    return t->kind == XC_TOK_NAME || t->kind == XC_TOK_STOP;
}

/* Runs of `from` (2..JOIN_MAX tokens) against single tokens of `to`; the
 * run is built (and its key computed) only when some token could match it. */
static int add_joins(const xc_name *from, const xc_name *to, const tview *vto, int from_is_q, cand *c, int nc)
{
    char buf[XC_TOKEN_MAX], key[7];
    for (int i = 0; i + 1 < from->n; i++) {
        size_t len = from->tok[i].len;
        if (!scoring(&from->tok[i]))
            continue;
        uint8_t flags = XC_TOKEN_FLAGS(&from->tok[i]);
        for (int k = 2; k <= JOIN_MAX && i + k <= from->n; k++) {
            const xc_token *last = &from->tok[i + k - 1];
            if (!scoring(last) || len + last->len >= XC_TOKEN_MAX)
                break;
            len += last->len;
            int built = 0;
            tview run;
            for (int j = 0; j < to->n && nc < MAX_CANDS; j++) {
                const xc_token *t = &to->tok[j];
                if (!scoring(t) || t->kind == XC_TOK_STOP)
                    continue;
                int abjad = ((flags ^ XC_TOKEN_FLAGS(t)) & XC_TOKF_ABJAD) != 0;
                if (!abjad && t->text[0] != from->tok[i].text[0])
                    continue;
                size_t d = len > t->len ? len - t->len : t->len - len;
                if (d > (t->len / 5 > 2 ? t->len / 5 : 2u))
                    continue;
                if (!built) {
                    size_t o = 0;
                    for (int r = i; r < i + k; r++) {
                        memcpy(buf + o, from->tok[r].text, from->tok[r].len);
                        o += from->tok[r].len;
                    }
                    buf[o] = '\0';
                    xc_phonetic_key(buf, len, (flags & XC_TOKF_ABJAD) != 0, key);
                    run = (tview){buf, len, key, letter_mask(buf, len), flags, 0, 0};
                    built = 1;
                }
                uint8_t how;
                float need = abjad ? JOIN_CUTOFF_ABJAD : JOIN_CUTOFF;
                float s = view_sim(&run, &vto[j], 0, need, &how);
                if (s < need)
                    continue;
                c[nc++] = from_is_q ? (cand){s, (int8_t)i, (int8_t)j, (uint8_t)k, 1, XC_HOW_JOINED}
                                    : (cand){s, (int8_t)j, (int8_t)i, 1, (uint8_t)k, XC_HOW_JOINED};
            }
        }
    }
    return nc;
}

/* One side's unmatched scoring tokens (mask), whether all its tokens that
 * weigh at least an initial are matched (*covered), the weight of its
 * heaviest unmatched token, and the first and last matched token. */
static void unmatched_side(const xc_name *nm, int n, uint32_t used, const float *w, uint32_t *un, int *covered,
                           float *un_max, int *lo, int *hi)
{
    *un = 0;
    *covered = 1;
    *un_max = 0.0f;
    *lo = XC_NAME_MAX_TOKENS;
    *hi = -1;
    for (int i = 0; i < n; i++) {
        if (!scoring(&nm->tok[i]))
            continue;
        if (used >> i & 1) {
            *lo = i < *lo ? i : *lo;
            *hi = i;
            continue;
        }
        *un |= 1u << i;
        *un_max = w[i] > *un_max ? w[i] : *un_max;
        if (w[i] >= W_INITIAL)
            *covered = 0;
    }
}

float xc_match_names(const xc_name *q, const xc_name *l, xc_match *why)
{
    cand c[MAX_CANDS];
    int nc = 0;
    int allow_initial = !(q->type == XC_NAME_ENTITY && l->type == XC_NAME_ENTITY);
    float wq[XC_NAME_MAX_TOKENS], wl[XC_NAME_MAX_TOKENS];
    int nq = q->n < XC_NAME_MAX_TOKENS ? q->n : XC_NAME_MAX_TOKENS;
    int nl = l->n < XC_NAME_MAX_TOKENS ? l->n : XC_NAME_MAX_TOKENS;
    tview vq[XC_NAME_MAX_TOKENS], vl[XC_NAME_MAX_TOKENS];
    for (int i = 0; i < nq; i++) {
        wq[i] = token_weight(&q->tok[i]);
        vq[i] = view_of(&q->tok[i]);
    }
    for (int j = 0; j < nl; j++) {
        wl[j] = token_weight(&l->tok[j]);
        vl[j] = view_of(&l->tok[j]);
    }

    for (int i = 0; i < nq; i++) {
        if (!scoring(&q->tok[i]))
            continue;
        for (int j = 0; j < nl && nc < MAX_CANDS; j++) {
            if (!scoring(&l->tok[j]))
                continue;
            uint8_t how;
            float s = token_sim(&q->tok[i], &vq[i], &l->tok[j], &vl[j], allow_initial, &how);
            if (s >= PAIR_CUTOFF)
                c[nc++] = (cand){s, (int8_t)i, (int8_t)j, 1, 1, how};
        }
    }
    nc = add_joins(q, l, vl, 1, c, nc);
    nc = add_joins(l, q, vq, 0, c, nc);

    /* greedy: best similarity first (ties: the pair with more weight) */
    uint32_t qused = 0, lused = 0;
    float num = 0.0f, den = 0.0f;
    int substantive = 0, n_pairs = 0;
    cand chosen[2 * XC_NAME_MAX_TOKENS];
    int n_chosen = 0;
    for (;;) {
        int best = -1;
        for (int k = 0; k < nc; k++) {
            const cand *x = &c[k];
            uint32_t qm = ((1u << x->qn) - 1) << x->q, lm = ((1u << x->ln) - 1) << x->l;
            if ((qused & qm) || (lused & lm))
                continue;
            if (best < 0 || x->sim > c[best].sim ||
                (x->sim == c[best].sim && wq[x->q] + wl[x->l] > wq[c[best].q] + wl[c[best].l]))
                best = k;
        }
        if (best < 0)
            break;
        const cand *x = &c[best];
        qused |= ((1u << x->qn) - 1) << x->q;
        lused |= ((1u << x->ln) - 1) << x->l;
        float a = 0.0f, b = 0.0f;
        for (int i = x->q; i < x->q + x->qn; i++)
            a = wq[i] > a ? wq[i] : a;
        for (int j = x->l; j < x->l + x->ln; j++)
            b = wl[j] > b ? wl[j] : b;
        float w = 2.0f * (a < b ? a : b);
        num += (x->how == XC_HOW_JARO_WINKLER ? credit(x->sim) : x->sim) * w;
        den += w;
        substantive += w >= 2.0f * W_NAME - 1e-6f;
        chosen[n_chosen++] = *x;
        if (n_chosen == 2 * XC_NAME_MAX_TOKENS)
            break;
    }

    /* unmatched tokens: full weight, or discounted when the other side is wholly matched */
    uint32_t qun, lun;
    int q_cov, l_cov, q_lo, q_hi, l_lo, l_hi;
    float uq_max, ul_max;
    unmatched_side(q, nq, qused, wq, &qun, &q_cov, &uq_max, &q_lo, &q_hi);
    unmatched_side(l, nl, lused, wl, &lun, &l_cov, &ul_max, &l_lo, &l_hi);
    int disc_l = q_cov && n_chosen > 0 && (substantive >= 2 || ul_max < W_NAME);
    int disc_q = l_cov && n_chosen > 0 && (substantive >= 2 || uq_max < W_NAME);
    /* an entity's extra name words are part of its identity: no discount */
    float full_w = q->type == XC_NAME_ENTITY || l->type == XC_NAME_ENTITY ? W_NAME : 2.0f;
    for (int i = 0; i < nq; i++)
        if (qun >> i & 1 && !near_ignored(&vq[i], q, l))
            den += wq[i] * (!disc_q || wq[i] >= full_w ? 1.0f
                            : (i > q_lo && i < q_hi) ? DISCOUNT_MIDDLE : DISCOUNT_EDGE);
    for (int j = 0; j < nl; j++)
        if (lun >> j & 1 && !near_ignored(&vl[j], q, l))
            den += wl[j] * (!disc_l || wl[j] >= full_w ? 1.0f
                            : (j > l_lo && j < l_hi) ? DISCOUNT_MIDDLE : DISCOUNT_EDGE);

    float score;
    if (den > 0.0f)
        score = num / den;
    else /* nothing to score on either side (only legal forms or honorifics) */
        score = strcmp(q->norm, l->norm) == 0 && q->n > 0 ? 1.0f : 0.0f;
    if (score > 1.0f)
        score = 1.0f;
    if (score < 0.0f || isnan(score))
        score = 0.0f;

    if (why) {
        why->score = score;
        why->q_unmatched = qun;
        why->l_unmatched = lun;
        for (int k = 0; k < n_chosen; k++) {
            const cand *x = &chosen[k];
            int span = x->qn > x->ln ? x->qn : x->ln;
            for (int p = 0; p < span && n_pairs < XC_NAME_MAX_TOKENS; p++) {
                xc_match_pair *mp = &why->pairs[n_pairs++];
                mp->q = (int8_t)(x->q + (x->qn > 1 ? p : 0));
                mp->l = (int8_t)(x->l + (x->ln > 1 ? p : 0));
                mp->how = x->how;
                mp->sim = x->sim;
            }
        }
        why->n_pairs = n_pairs;
    }
    return score;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static const char *type_name(int type)
{
    return type == XC_NAME_PERSON ? "person" : type == XC_NAME_ENTITY ? "entity" : "unknown";
}

static double round4(double x)
{
    return floor(x * 10000.0 + 0.5) / 10000.0;
}

static void add_ignored(json_t *arr, const xc_name *n, const char *side)
{
    for (int i = 0; i < n->n; i++)
        if (n->tok[i].kind == XC_TOK_LEGAL || n->tok[i].kind == XC_TOK_HONORIFIC)
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "side", side, "token", n->tok[i].text, "kind",
                                                 xc_token_kind_name(n->tok[i].kind)));
}

static json_t *unmatched_json(const xc_name *n, uint32_t mask)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n->n && i < 32; i++)
        if (mask >> i & 1)
            json_array_append_new(a, json_string(n->tok[i].text));
    return a;
}

json_t *xc_match_json(const xc_name *q, const xc_name *l, const xc_match *m, double threshold)
{
    json_t *pairs = json_array(), *ignored = json_array();
    if (!pairs || !ignored)
        goto fail;
    for (int k = 0; k < m->n_pairs;) {
        const xc_match_pair *p = &m->pairs[k];
        char qt[256], lt[256];
        snprintf(qt, sizeof(qt), "%s", p->q >= 0 && p->q < q->n ? q->tok[p->q].text : "");
        snprintf(lt, sizeof(lt), "%s", p->l >= 0 && p->l < l->n ? l->tok[p->l].text : "");
        int e = k + 1;
        /* pieces of one joined token: same token on one side, consecutive on the other */
        while (p->how == XC_HOW_JOINED && e < m->n_pairs && m->pairs[e].how == XC_HOW_JOINED &&
               ((m->pairs[e].l == p->l && m->pairs[e].q == m->pairs[e - 1].q + 1) ||
                (m->pairs[e].q == p->q && m->pairs[e].l == m->pairs[e - 1].l + 1))) {
            const xc_match_pair *x = &m->pairs[e];
            if (x->l == p->l) {
                size_t o = strlen(qt);
                snprintf(qt + o, sizeof(qt) - o, " %s", q->tok[x->q].text);
            } else {
                size_t o = strlen(lt);
                snprintf(lt + o, sizeof(lt) - o, " %s", l->tok[x->l].text);
            }
            e++;
        }
        if (json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:f}", "query_token", qt, "listed_token", lt,
                                                   "how", xc_match_how_name(p->how), "similarity",
                                                   round4(p->sim))))
            goto fail;
        k = e;
    }
    add_ignored(ignored, q, "query");
    add_ignored(ignored, l, "listed");
    json_t *expl = json_pack("{s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s}", "pairs", pairs, "unmatched_query",
                             unmatched_json(q, m->q_unmatched), "unmatched_listed", unmatched_json(l, m->l_unmatched),
                             "ignored", ignored, "query_normalized", q->norm, "listed_normalized", l->norm,
                             "query_type", type_name(q->type), "listed_type", type_name(l->type));
    if (!expl)
        return NULL; /* json_pack took pairs and ignored */
    return json_pack("{s:f, s:f, s:b, s:s, s:o}", "score", round4(m->score), "threshold", threshold, "match",
                     m->score >= threshold, "matcher_version", XC_MATCHER_VERSION, "explanation", expl);
fail:
    json_decref(pairs);
    json_decref(ignored);
    return NULL;
}

int xc_match_pair_json(const char *name1, const char *name2, int type, double threshold, const char *const fields[2],
                       json_t **out, xc_error *err)
{
    const char *in[2] = {name1, name2};
    int rc = XC_OK;
    *out = NULL;
    for (int k = 0; k < 2; k++) {
        const char *p = in[k] ? in[k] : "";
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return xc_error_set(err, XC_EINVAL, fields[k], "%s is empty", fields[k]);
    }
    xc_name *names = xc_calloc(2, sizeof(xc_name));
    if (!names)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    xc_match m;
    for (int k = 0; k < 2 && rc == XC_OK; k++) {
        if ((rc = xc_name_normalize(in[k], type, &names[k], err)) != XC_OK) {
            char msg[XC_ERRMSG_MAX];
            snprintf(msg, sizeof(msg), "%s: %s", fields[k], err->msg);
            xc_error_set(err, rc, fields[k], "%s", msg);
        }
    }
    if (rc == XC_OK) {
        xc_match_names(&names[0], &names[1], &m);
        if (!(*out = xc_match_json(&names[0], &names[1], &m, threshold)))
            rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory building the explanation");
    }
    xc_free(names);
    return rc;
}
