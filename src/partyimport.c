/*
 * partyimport.c: importers of published denied-party lists.  Each format's
 * reader turns its input into a list of pending entries (pent), reporting
 * every row it cannot use with its file, line and reason; the common tail
 * (imp_finish) checks ids, builds one exportctl-parties/1 snapshot document,
 * validates it exactly as it will be loaded (xc_parties_check_doc), hashes
 * it and records it in one transaction.  Field mappings, the source-to-tag
 * table and the measured counts of the shared lists are in docs/parties.md.
 */
#include "partyimport.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "country.h"
#include "csvrows.h"
#include "docs.h"
#include "fileio.h"
#include "mem.h"
#include "model.h"
#include "registry.h"

#define TEXT_MAX 8192                  /* longest string a stored document may hold (docs.c) */
#define REMARKS_MAX 8000               /* longer remarks are cut (with a warning) */
#define FILE_MAX ((size_t)256 << 20)   /* largest input file */
#define MAX_AGE_MAX 36500

/* ---- small string helpers -------------------------------------------------- */

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_clear(strv *a)
{
    xc_strv_free(a->v, a->n);
    memset(a, 0, sizeof(*a));
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Copy s[0..len) trimmed, with runs of white space collapsed to one space;
 * NULL when nothing is left (or out of memory: *oom is set). */
static char *clean(const char *s, size_t len, int *oom)
{
    while (len && is_ws((unsigned char)*s))
        s++, len--;
    while (len && is_ws((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return NULL;
    char *d = xc_malloc(len + 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ws(c)) {
            if (d[o - 1] != ' ')
                d[o++] = ' ';
        } else {
            d[o++] = (char)c;
        }
    }
    d[o] = '\0';
    return d;
}

/* Trimmed copy that keeps line breaks and inner spacing (remarks). */
static char *trimmed(const char *s, int *oom)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    while (len && is_ws((unsigned char)*s))
        s++, len--;
    while (len && is_ws((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return NULL;
    char *d = xc_strndup(s, len);
    if (!d)
        *oom = 1;
    return d;
}

/* Append s (taken); a value already there is kept once: returns 1 then
 * (0 when appended or s is NULL, -1 out of memory). */
static int strv_push_take(strv *a, char *s, int *oom)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], s) == 0) {
            xc_free(s);
            return 1;
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        char **nv = xc_realloc(a->v, cap * sizeof(char *));
        if (!nv) {
            xc_free(s);
            *oom = 1;
            return -1;
        }
        a->v = nv;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    return 0;
}

static int strv_push(strv *a, const char *s, size_t len, int *oom)
{
    return strv_push_take(a, clean(s, len, oom), oom) == 1;
}

/* Push every non-empty part of s split at any character of seps; returns
 * how many parts repeated one already there. */
static int strv_split(strv *a, const char *s, const char *seps, int *oom)
{
    int dups = 0;
    while (s && *s) {
        size_t k = strcspn(s, seps);
        dups += strv_push(a, s, k, oom);
        s += k;
        if (*s)
            s++;
    }
    return dups;
}

/* Length of the valid UTF-8 prefix of s (== strlen(s) when all valid). */
static size_t utf8_valid_prefix(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i]) {
        unsigned char c = p[i];
        size_t k;
        unsigned int cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3, cp = c & 0x07;
        } else {
            return i;
        }
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += k + 1;
    }
    return i;
}

/* Cut s to at most max bytes at a character boundary. */
static void utf8_cut(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    s[max] = '\0';
}

static const char *base_name(const char *path)
{
    const char *b = path;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--; /* "dir/" names dir */
    for (size_t i = 0; i + 1 < n; i++)
        if (path[i] == '/')
            b = path + i + 1;
    return b;
}

/* ---- countries and tags ------------------------------------------------------ */

/* Spellings the lists use that are not ISO 3166-1 names. */
static const struct {
    const char *name;
    const char *alpha2;
} country_spellings[] = {
    {"Bahamas, The", "BS"},
    {"Brunei", "BN"},
    {"Burma", "MM"},
    {"Cape Verde", "CV"},
    {"China, Hong Kong Special Administrative Region", "HK"},
    {"China, Macao Special Administrative Region", "MO"},
    {"Congo, Democratic Republic of the", "CD"},
    {"Congo, Republic of the", "CG"},
    {"Cote d Ivoire", "CI"},
    {"Cote d'Ivoire", "CI"},
    {"Czech Republic", "CZ"},
    {"Democratic Republic of the Congo", "CD"},
    {"Gambia, The", "GM"},
    {"Gaza", "PS"},
    {"Iran (Islamic Republic of)", "IR"},
    {"Korea, North", "KP"},
    {"Korea, South", "KR"},
    {"Kosovo", "XK"},
    {"Laos", "LA"},
    {"Macau", "MO"},
    {"Macedonia", "MK"},
    {"North Korea", "KP"},
    {"Palestinian", "PS"},
    {"PRC", "CN"},
    {"Region: Gaza", "PS"},
    {"Region: North Gaza", "PS"},
    {"Region: Northern Gaza", "PS"},
    {"Region: West Bank", "PS"},
    {"Russia", "RU"},
    {"South Korea", "KR"},
    {"State of Palestine", "PS"},
    {"Swaziland", "SZ"},
    {"The Gambia", "GM"},
    {"Turkey", "TR"},
    {"Turkiye", "TR"},
    {"UK", "GB"},
    {"United States", "US"},
    {"USA", "US"},
    {"West Bank", "PS"},
};

/* ISO alpha-2 for a country as a list writes it (code or name), or NULL. */
static const char *country_code(const char *text)
{
    char q[128];
    size_t n = 0;
    if (!text)
        return NULL;
    while (is_ws((unsigned char)*text))
        text++;
    for (; text[n] && n < sizeof(q) - 1; n++)
        q[n] = text[n];
    while (n && (is_ws((unsigned char)q[n - 1]) || q[n - 1] == '.'))
        n--;
    q[n] = '\0';
    if (n == 0)
        return NULL;
    if (n == 2) {
        char up[3] = {(char)toupper((unsigned char)q[0]), (char)toupper((unsigned char)q[1]), '\0'};
        const xc_country *c = xc_country_by_alpha2(up);
        if (c)
            return c->alpha2;
    }
    for (size_t i = 0; i < sizeof(country_spellings) / sizeof(country_spellings[0]); i++)
        if (strcasecmp(country_spellings[i].name, q) == 0)
            return country_spellings[i].alpha2;
    for (size_t i = 0; i < xc_country_count(); i++) {
        const xc_country *c = xc_country_at(i);
        if ((n == 3 && strcasecmp(c->alpha3, q) == 0) || strcasecmp(c->name, q) == 0 ||
            (c->official_name[0] && strcasecmp(c->official_name, q) == 0) ||
            (c->common_name[0] && strcasecmp(c->common_name, q) == 0))
            return c->alpha2;
    }
    return NULL;
}

/* The lists of the Consolidated Screening List, by the abbreviation in
 * parentheses or the name before it, and the canonical tag of each. */
static const struct {
    const char *abbr;
    const char *name;
    const char *tag;
} source_tags[] = {
    {"EL", "Entity List", "us-entity-list"},
    {"SDN", "Specially Designated Nationals", "us-ofac-sdn"},
    {"DPL", "Denied Persons List", "us-bis-dpl"},
    {"UVL", "Unverified List", "us-bis-uvl"},
    {"MEU", "Military End User", "us-bis-meu"},
    {"DTC", "ITAR Debarred", "us-ddtc-debarred"},
    {"ISN", "Nonproliferation Sanctions", "us-isn-nonproliferation"},
    {"SSI", "Sectoral Sanctions Identifications List", "us-ofac-ssi"},
    {"PLC", "Palestinian Legislative Council List", "us-ofac-plc"},
    {"FSE", "Foreign Sanctions Evaders", "us-ofac-fse"},
    {"CMIC", "Non-SDN Chinese Military-Industrial Complex Companies List", "us-ofac-cmic"},
    {"NS-MBS List", "Non-SDN Menu-Based Sanctions List", "us-ofac-ns-mbs"},
    {"CAP", "Capta List", "us-ofac-capta"},
    {"UN", "United Nations Security Council Consolidated List", "un-consolidated"},
};

static void slug(const char *s, char *out, size_t outsz)
{
    size_t o = 0, max = outsz - 1 < 64 ? outsz - 1 : 64;
    int dash = 0;
    for (; *s && o < max; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) && c < 0x80) {
            if (dash && o > 0 && o + 1 < max)
                out[o++] = '-';
            dash = 0;
            out[o++] = (char)tolower(c);
        } else {
            dash = 1;
        }
    }
    while (o > 0 && out[o - 1] == '-')
        o--;
    out[o] = '\0';
    if (o == 0)
        snprintf(out, outsz, "unknown-source");
}

void xc_party_source_tag(const char *source, char *out, size_t outsz)
{
    const size_t nt = sizeof(source_tags) / sizeof(source_tags[0]);
    char abbr[64] = "", name[256];
    /* "Entity List (EL) - Bureau of Industry and Security": abbreviation EL, name "Entity List" */
    const char *open = strchr(source, '('), *close = open ? strchr(open, ')') : NULL, *dash = strstr(source, " - ");
    if (open && close && (size_t)(close - open - 1) < sizeof(abbr))
        snprintf(abbr, sizeof(abbr), "%.*s", (int)(close - open - 1), open + 1);
    size_t k = open ? (size_t)(open - source) : dash ? (size_t)(dash - source) : strlen(source);
    snprintf(name, sizeof(name), "%.*s", (int)k, source);
    for (size_t n = strlen(name); n && is_ws((unsigned char)name[n - 1]); n--)
        name[n - 1] = '\0';
    for (size_t i = 0; i < nt; i++) {
        if ((abbr[0] && strcasecmp(abbr, source_tags[i].abbr) == 0) || strcasecmp(name, source_tags[i].name) == 0 ||
            strcasecmp(source, source_tags[i].tag) == 0) {
            snprintf(out, outsz, "%s", source_tags[i].tag);
            return;
        }
    }
    slug(source, out, outsz);
}

/* ---- the import state ---------------------------------------------------------- */

/* A pending entry, owned by the import until it becomes JSON. */
typedef struct pent {
    char *id, *name, *type, *country, *address, *citation, *start, *req, *pol, *slist, *remarks;
    strv aliases, programs, tags, dobs, nats;
    const char *file; /* stable for the import */
    long line;
    int gen_id;       /* id was generated, not given by the source */
} pent;

static void pent_clear(pent *e)
{
    xc_free(e->id);
    xc_free(e->name);
    xc_free(e->type);
    xc_free(e->country);
    xc_free(e->address);
    xc_free(e->citation);
    xc_free(e->start);
    xc_free(e->req);
    xc_free(e->pol);
    xc_free(e->slist);
    xc_free(e->remarks);
    strv_clear(&e->aliases);
    strv_clear(&e->programs);
    strv_clear(&e->tags);
    strv_clear(&e->dobs);
    strv_clear(&e->nats);
    memset(e, 0, sizeof(*e));
}

typedef struct fmt_def fmt_def;

typedef struct imp {
    const fmt_def *fmt;
    xc_error *err;
    int oom;
    const char *file;        /* base name of the file being read (stable) */
    const char *list_id;     /* the list id the snapshot is recorded under */
    pent *ents;
    size_t n, cap;
    size_t *slots;           /* id hash table: entry index + 1, 0 empty */
    size_t nslots;
    xc_party_reject *rej, *warn;
    size_t n_rej_kept, n_rej, n_warn_kept, n_warn;
    xc_date file_date;       /* list date the input states, or XC_DATE_NONE */
    /* per-format reading state */
    int col[32];
    size_t ncols;
} imp;

static void add_note(imp *im, int warning, long line, const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
static void add_note(imp *im, int warning, long line, const char *path, const char *fmt, va_list ap)
{
    char reason[600];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    xc_party_reject **v = warning ? &im->warn : &im->rej;
    size_t *kept = warning ? &im->n_warn_kept : &im->n_rej_kept;
    if (warning)
        im->n_warn++;
    else
        im->n_rej++;
    if (*kept >= XC_PARTY_REJECTS_KEPT)
        return;
    if (*kept % 64 == 0) {
        xc_party_reject *nv = xc_realloc(*v, (*kept + 64) * sizeof(**v));
        if (!nv) {
            im->oom = 1;
            return;
        }
        *v = nv;
    }
    xc_party_reject *r = &(*v)[*kept];
    memset(r, 0, sizeof(*r));
    /* reasons quote input: keep them valid UTF-8 */
    reason[utf8_valid_prefix(reason)] = '\0';
    r->file = im->file ? xc_strdup(im->file) : NULL;
    r->path = path ? xc_strdup(path) : NULL;
    r->reason = xc_strdup(reason);
    r->line = line;
    (*kept)++;
    if ((im->file && !r->file) || (path && !r->path) || !r->reason)
        im->oom = 1;
}

static void reject(imp *im, long line, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void reject(imp *im, long line, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_note(im, 0, line, path, fmt, ap);
    va_end(ap);
}

static void warn(imp *im, long line, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void warn(imp *im, long line, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_note(im, 1, line, path, fmt, ap);
    va_end(ap);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Index of the entry with this id, or -1. */
static long find_id(const imp *im, const char *id)
{
    if (!im->nslots)
        return -1;
    for (size_t i = hash_str(id) & (im->nslots - 1);; i = (i + 1) & (im->nslots - 1)) {
        if (!im->slots[i])
            return -1;
        if (strcmp(im->ents[im->slots[i] - 1].id, id) == 0)
            return (long)(im->slots[i] - 1);
    }
}

static int insert_id(imp *im, size_t idx)
{
    if ((im->n + 1) * 2 > im->nslots) {
        size_t ns = im->nslots ? im->nslots * 2 : 1024;
        size_t *sl = xc_calloc(ns, sizeof(size_t));
        if (!sl)
            return XC_ENOMEM;
        for (size_t k = 0; k < im->nslots; k++) {
            if (!im->slots[k])
                continue;
            size_t i = hash_str(im->ents[im->slots[k] - 1].id) & (ns - 1);
            while (sl[i])
                i = (i + 1) & (ns - 1);
            sl[i] = im->slots[k];
        }
        xc_free(im->slots);
        im->slots = sl;
        im->nslots = ns;
    }
    size_t i = hash_str(im->ents[idx].id) & (im->nslots - 1);
    while (im->slots[i])
        i = (i + 1) & (im->nslots - 1);
    im->slots[i] = idx + 1;
    return XC_OK;
}

/* Why a string cannot be stored, or NULL. */
static const char *bad_text(const char *s, size_t max, char *buf, size_t bufsz)
{
    if (!s)
        return NULL;
    size_t n = strlen(s), ok = utf8_valid_prefix(s);
    if (ok < n) {
        snprintf(buf, bufsz, "is not valid UTF-8 (byte 0x%02X at offset %zu)", (unsigned char)s[ok], ok);
        return buf;
    }
    if (n > max) {
        snprintf(buf, bufsz, "is longer than %zu bytes (%zu)", max, n);
        return buf;
    }
    return NULL;
}

static const char *bad_strv(const strv *a, size_t max, char *buf, size_t bufsz)
{
    for (size_t i = 0; i < a->n; i++)
        if (bad_text(a->v[i], max, buf, bufsz))
            return buf;
    return NULL;
}

/* Check a pending entry and take it into the import (or reject it with its
 * line); e is cleared either way.  Generated ids that repeat get a suffix;
 * an id the source gave twice is a rejected row. */
static int add_entry_(imp *im, pent *e)
{
    char why[160];
    const char *field = NULL, *bad = NULL;
    if (im->oom) {
        pent_clear(e);
        return XC_ENOMEM;
    }
    if (!e->name) {
        if (e->id)
            reject(im, e->line, NULL, "missing name (id \"%s\")", e->id);
        else
            reject(im, e->line, NULL, "missing name");
        pent_clear(e);
        return XC_OK;
    }
    struct {
        const char *name;
        const char *val;
        size_t max;
    } f[] = {{"name", e->name, 2048},          {"id", e->id, 256},          {"type", e->type, 64},
             {"address", e->address, TEXT_MAX}, {"citation", e->citation, TEXT_MAX},
             {"start_date", e->start, 64},     {"licence_requirement", e->req, TEXT_MAX},
             {"licence_policy", e->pol, TEXT_MAX}, {"source_list", e->slist, 1024},
             {"remarks", e->remarks, (size_t)-1}};
    for (size_t i = 0; !bad && i < sizeof(f) / sizeof(f[0]); i++)
        if ((bad = bad_text(f[i].val, f[i].max, why, sizeof(why))))
            field = f[i].name;
    if (!bad && (bad = bad_strv(&e->aliases, 2048, why, sizeof(why))))
        field = "an alias";
    if (!bad && (bad = bad_strv(&e->programs, 1024, why, sizeof(why))))
        field = "a program";
    if (!bad && (bad = bad_strv(&e->dobs, 256, why, sizeof(why))))
        field = "a date of birth";
    if (!bad && (bad = bad_strv(&e->nats, 256, why, sizeof(why))))
        field = "a nationality";
    if (bad) {
        reject(im, e->line, NULL, "%s of \"%.80s\" %s", field, e->name, bad);
        pent_clear(e);
        return XC_OK;
    }
    if (!e->id) {
        /* no id in the source: a stable one from what identifies the row */
        unsigned char h[crypto_hash_sha256_BYTES];
        char hex[crypto_hash_sha256_BYTES * 2 + 1], id[48];
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        const char *parts[] = {e->slist, e->name, e->address, e->country};
        for (size_t i = 0; i < 4; i++) {
            if (parts[i])
                crypto_hash_sha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
            crypto_hash_sha256_update(&st, (const unsigned char *)"\x1f", 1);
        }
        crypto_hash_sha256_final(&st, h);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        snprintf(id, sizeof(id), "%s-%.16s", e->tags.n ? e->tags.v[0] : "h", hex);
        if (!(e->id = xc_strdup(id))) {
            pent_clear(e);
            return XC_ENOMEM;
        }
        e->gen_id = 1;
    }
    long prev = find_id(im, e->id);
    if (prev >= 0 && e->gen_id) {
        char id[300];
        long first = im->ents[prev].line;
        for (int k = 2; prev >= 0; k++) {
            snprintf(id, sizeof(id), "%s-%d", e->id, k);
            prev = find_id(im, id);
        }
        char *nid = xc_strdup(id);
        if (!nid) {
            pent_clear(e);
            return XC_ENOMEM;
        }
        xc_free(e->id);
        e->id = nid;
        warn(im, e->line, NULL, "\"%.80s\" has the same name and address as the entry on line %ld; recorded "
             "as %s", e->name, first, e->id);
    } else if (prev >= 0) {
        reject(im, e->line, NULL, "id \"%s\" of \"%.80s\" repeats the entry on line %ld", e->id, e->name,
               im->ents[prev].line);
        pent_clear(e);
        return XC_OK;
    }
    if (im->n == im->cap) {
        size_t cap = im->cap ? im->cap * 2 : 256;
        pent *nv = xc_realloc(im->ents, cap * sizeof(*nv));
        if (!nv) {
            pent_clear(e);
            return XC_ENOMEM;
        }
        im->ents = nv;
        im->cap = cap;
    }
    im->ents[im->n] = *e;
    memset(e, 0, sizeof(*e));
    if (insert_id(im, im->n)) {
        im->n++;
        return XC_ENOMEM;
    }
    im->n++;
    return XC_OK;
}

static int add_entry(imp *im, pent *e)
{
    int rc = add_entry_(im, e);
    if (rc == XC_ENOMEM)
        im->oom = 1;
    return rc;
}

/* Repeated aliases are kept once, with a warning. */
static void warn_dup_aliases(imp *im, long line, const char *path, int dups, const char *name)
{
    if (dups > 0)
        warn(im, line, path, "%d alias%s of \"%.80s\" repeat%s another alias of the entry; kept once", dups,
             dups == 1 ? "" : "es", name ? name : "", dups == 1 ? "s" : "");
}

/* A value for a date field: "YYYY-MM-DD", or with a time or zone after it
 * ("2015-04-07-04:00", "2021-01-01T00:00:00Z"), cut to the date.  NULL when
 * it is not a real date. */
static char *iso_date(const char *s, int *oom)
{
    xc_error e;
    xc_date d;
    char buf[XC_DATE_BUF];
    if (!s || strlen(s) < 10)
        return NULL;
    if (s[10] && !strchr("TZ+- ", s[10]))
        return NULL;
    memcpy(buf, s, 10);
    buf[10] = '\0';
    if (xc_date_parse(buf, &d, NULL, &e))
        return NULL;
    char *r = xc_strdup(buf);
    if (!r)
        *oom = 1;
    return r;
}

/* "MM/DD/YYYY" as "YYYY-MM-DD", or NULL. */
static char *us_date(const char *s, int *oom)
{
    int m, d, y;
    char buf[32], tail;
    if (!s || sscanf(s, "%2d/%2d/%4d%c", &m, &d, &y, &tail) != 3 || y < 1000)
        return NULL;
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
    return iso_date(buf, oom);
}

/* ---- formats --------------------------------------------------------------------- */

typedef int (*read_fn)(imp *im, const char *text, size_t len);

struct fmt_def {
    const char *name;
    const char *list_id;   /* default list id */
    const char *title;
    const char *authority;
    const char *what;      /* for the default source text */
    int folder;            /* the input is a folder (ofac-sdn) */
    int date_in_file;      /* the input may state its list date */
    read_fn read;
};

/* A field of a CSV row, trimmed with white space collapsed (NULL when empty
 * or when the column is absent). */
static char *fld(imp *im, char **f, size_t n, int col)
{
    if (col < 0 || (size_t)col >= n)
        return NULL;
    return clean(f[col], strlen(f[col]), &im->oom);
}

/* The same keeping line breaks (remarks). */
static char *fld_raw(imp *im, char **f, size_t n, int col)
{
    if (col < 0 || (size_t)col >= n)
        return NULL;
    return trimmed(f[col], &im->oom);
}

static int parse_type(const char *s, char **out, int *oom)
{
    static const struct {
        const char *in, *out;
    } types[] = {{"individual", "individual"}, {"person", "individual"},  {"entity", "entity"},
                 {"organization", "entity"},   {"organisation", "entity"}, {"company", "entity"},
                 {"vessel", "vessel"},         {"aircraft", "aircraft"}};
    *out = NULL;
    if (!s)
        return 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(s, types[i].in) == 0) {
            if (!(*out = xc_strdup(types[i].out)))
                *oom = 1;
            return 0;
        }
    }
    return -1;
}

static void set_tag(imp *im, pent *e, const char *source_list)
{
    char tag[80];
    if (source_list)
        xc_party_source_tag(source_list, tag, sizeof(tag));
    else
        snprintf(tag, sizeof(tag), "%s", im->list_id);
    strv_push(&e->tags, tag, strlen(tag), &im->oom);
}

/* The first country that maps among the ';'-separated addresses (each
 * ending with its country), or NULL. */
static char *country_of_addresses(const char *s, int *oom)
{
    while (s && *s) {
        size_t k = strcspn(s, ";"), from = k;
        char last[128];
        while (from > 0 && s[from - 1] != ',')
            from--;
        snprintf(last, sizeof(last), "%.*s", (int)(k - from < sizeof(last) - 1 ? k - from : sizeof(last) - 1),
                 s + from);
        const char *cc = country_code(last);
        if (cc) {
            char *r = xc_strdup(cc);
            if (!r)
                *oom = 1;
            return r;
        }
        s += k;
        if (*s)
            s++;
    }
    return NULL;
}

static char *dup_code(const char *cc, int *oom)
{
    if (!cc)
        return NULL;
    char *r = xc_strdup(cc);
    if (!r)
        *oom = 1;
    return r;
}

/* ---- ofac-sdn: sdn.csv, alt.csv, add.csv (and sdn_comments.csv) ---------------- */

/* An OFAC legacy field: "-0-" is empty. */
static char *ofac(imp *im, const char *f)
{
    char *s = clean(f, strlen(f), &im->oom);
    if (s && strcmp(s, "-0-") == 0) {
        xc_free(s);
        return NULL;
    }
    return s;
}

/* The same without trimming (for remarks continued in sdn_comments.csv). */
static char *ofac_raw(imp *im, const char *f)
{
    const char *t = f;
    while (is_ws((unsigned char)*t))
        t++;
    if (!*t || strncmp(t, "-0-", 3) == 0) {
        const char *rest = *t ? t + 3 : t;
        while (is_ws((unsigned char)*rest))
            rest++;
        if (!*rest)
            return NULL;
    }
    char *r = xc_strdup(f);
    if (!r)
        im->oom = 1;
    return r;
}

static long ofac_entry(imp *im, const char *field, long line, const char *what)
{
    char *num = ofac(im, field);
    long idx = num ? find_id(im, num) : -1;
    if (idx < 0)
        reject(im, line, NULL, "%s of ent_num \"%s\", which is not in sdn.csv", what, num ? num : "");
    xc_free(num);
    return idx;
}

static int all_digits(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int sdn_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    pent e;
    (void)row;
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    e.line = line;
    if (n != 12) {
        reject(im, line, NULL, "%zu fields, expected 12 (ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, "
                               "Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks)", n);
        return XC_OK;
    }
    e.id = ofac(im, f[0]);
    if (!all_digits(e.id)) {
        reject(im, line, NULL, "ent_num \"%s\" is not a number", e.id ? e.id : "");
        pent_clear(&e);
        return XC_OK;
    }
    e.name = ofac(im, f[1]);
    char *type = ofac(im, f[2]);
    if (!type) {
        e.type = xc_strdup("entity"); /* OFAC leaves SDN_Type empty for entities */
        if (!e.type)
            im->oom = 1;
    } else if (parse_type(type, &e.type, &im->oom)) {
        reject(im, line, NULL, "SDN_Type \"%s\" of \"%.80s\" is not individual, vessel, aircraft or empty", type,
               e.name ? e.name : "");
        xc_free(type);
        pent_clear(&e);
        return XC_OK;
    }
    xc_free(type);
    /* "NPWMD] [CYBER2] [CAATSA - RUSSIA": programs between "] [" */
    char *prog = ofac(im, f[3]);
    for (char *p = prog; p && *p;) {
        char *end = strstr(p, "] [");
        size_t k = end ? (size_t)(end - p) : strlen(p);
        while (k && (p[k - 1] == ']' || is_ws((unsigned char)p[k - 1])))
            k--;
        while (k && (*p == '[' || is_ws((unsigned char)*p)))
            p++, k--;
        strv_push(&e.programs, p, k, &im->oom);
        p = end ? end + 3 : p + strlen(p);
    }
    xc_free(prog);
    /* raw: sdn_comments.csv may continue it mid-word; cleaned in read_ofac */
    e.remarks = ofac_raw(im, f[11]);
    strv_push(&e.tags, "us-ofac-sdn", 11, &im->oom);
    e.slist = xc_strdup("Specially Designated Nationals and Blocked Persons List (SDN) - Treasury Department");
    if (!e.slist)
        im->oom = 1;
    return add_entry(im, &e);
}

/* A row of alt.csv, add.csv or sdn_comments.csv: check its field count and
 * find the sdn.csv entry it belongs to; -1 (the row rejected) if neither. */
static long child_entry(imp *im, long line, char **f, size_t n, size_t want, const char *columns, const char *what)
{
    if (n != want) {
        reject(im, line, NULL, "%zu fields, expected %zu (%s)", n, want, columns);
        return -1;
    }
    return ofac_entry(im, f[0], line, what);
}

static int alt_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    char why[160];
    (void)row;
    long idx = child_entry(im, line, f, n, 5, "ent_num, alt_num, alt_type, alt_name, alt_remarks", "alias");
    if (idx < 0)
        return im->oom ? XC_ENOMEM : XC_OK;
    char *name = ofac(im, f[3]);
    if (!name) {
        reject(im, line, NULL, "alias of ent_num %s has no alt_name", im->ents[idx].id);
    } else if (bad_text(name, 2048, why, sizeof(why))) {
        reject(im, line, NULL, "alias of ent_num %s %s", im->ents[idx].id, why);
        xc_free(name);
    } else if (strv_push_take(&im->ents[idx].aliases, name, &im->oom) == 1) { /* takes name */
        char *again = ofac(im, f[3]);
        warn(im, line, NULL, "alias \"%.80s\" of ent_num %s repeats another alias of the entry; kept once",
             again ? again : "", im->ents[idx].id);
        xc_free(again);
    }
    return im->oom ? XC_ENOMEM : XC_OK;
}

static int add_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    char why[160];
    (void)row;
    long idx = child_entry(im, line, f, n, 6, "ent_num, add_num, address, city_state_postal, country, add_remarks",
                           "address");
    if (idx < 0)
        return im->oom ? XC_ENOMEM : XC_OK;
    pent *e = &im->ents[idx];
    char *street = ofac(im, f[2]), *city = ofac(im, f[3]), *country = ofac(im, f[4]);
    char text[TEXT_MAX];
    snprintf(text, sizeof(text), "%s%s%s%s%s", street ? street : "", street && (city || country) ? ", " : "",
             city ? city : "", city && country ? ", " : "", country ? country : "");
    if (bad_text(text, TEXT_MAX - 1, why, sizeof(why))) {
        reject(im, line, NULL, "address of ent_num %s %s", e->id, why);
    } else {
        if (!e->address && text[0] && !(e->address = xc_strdup(text)))
            im->oom = 1;
        if (!e->country)
            e->country = dup_code(country_code(country), &im->oom);
    }
    xc_free(street);
    xc_free(city);
    xc_free(country);
    return im->oom ? XC_ENOMEM : XC_OK;
}

/* sdn_comments.csv continues remarks that did not fit in sdn.csv. */
static int comments_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    char why[160];
    (void)row;
    long idx = child_entry(im, line, f, n, 2, "ent_num, remarks_extended", "remarks");
    if (idx < 0)
        return im->oom ? XC_ENOMEM : XC_OK;
    pent *e = &im->ents[idx];
    char *more = ofac_raw(im, f[1]);
    if (more && bad_text(more, TEXT_MAX, why, sizeof(why))) {
        reject(im, line, NULL, "remarks of ent_num %s %s", e->id, why);
    } else if (more) {
        size_t a = e->remarks ? strlen(e->remarks) : 0, b = strlen(more);
        char *r = xc_realloc(e->remarks, a + b + 1);
        if (!r) {
            im->oom = 1;
        } else {
            memcpy(r + a, more, b + 1);
            e->remarks = r;
        }
    }
    xc_free(more);
    return im->oom ? XC_ENOMEM : XC_OK;
}

/* Dates of birth and nationalities from OFAC remarks:
 * "DOB 08 Sep 1966; POB ...; nationality Belarus; alt. DOB 1967; ...". */
static void ofac_remarks_facts(imp *im, pent *e)
{
    for (const char *p = e->remarks; p && *p;) {
        size_t k = strcspn(p, ";");
        const char *s = p;
        size_t len = k;
        while (len && is_ws((unsigned char)*s))
            s++, len--;
        if (len > 5 && strncmp(s, "alt. ", 5) == 0)
            s += 5, len -= 5;
        while (len && (s[len - 1] == '.' || is_ws((unsigned char)s[len - 1])))
            len--;
        if (len > 4 && strncmp(s, "DOB ", 4) == 0)
            strv_push(&e->dobs, s + 4, len - 4, &im->oom);
        else if (len > 12 && strncmp(s, "nationality ", 12) == 0)
            strv_push(&e->nats, s + 12, len - 12, &im->oom);
        p += k;
        if (*p)
            p++;
    }
}

static int read_file(const char *path, const char *label, char **data, size_t *len, xc_error *err);

static int read_ofac_file(imp *im, const char *dir, const char *name, int required, xc_csv_row_fn fn)
{
    char path[4096];
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!required && stat(path, &st) != 0)
        return XC_OK;
    int rc = read_file(path, path, &text, &len, im->err);
    if (rc)
        return rc;
    /* a 0x1A (DOS end-of-file) byte may end the file */
    while (len && (text[len - 1] == 0x1A || is_ws((unsigned char)text[len - 1])))
        len--;
    im->file = name;
    rc = xc_csv_rows(text, len, path, fn, im, im->err);
    xc_free(text);
    if (rc == XC_ENOMEM || im->oom)
        return xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory reading %s", path);
    return rc;
}

static int read_ofac(imp *im, const char *dir)
{
    int rc;
    if ((rc = read_ofac_file(im, dir, "sdn.csv", 1, sdn_row)) ||
        (rc = read_ofac_file(im, dir, "alt.csv", 1, alt_row)) ||
        (rc = read_ofac_file(im, dir, "add.csv", 1, add_row)) ||
        (rc = read_ofac_file(im, dir, "sdn_comments.csv", 0, comments_row)))
        return rc;
    for (size_t i = 0; i < im->n; i++) {
        pent *e = &im->ents[i];
        char *r = e->remarks ? clean(e->remarks, strlen(e->remarks), &im->oom) : NULL;
        xc_free(e->remarks);
        e->remarks = r;
        ofac_remarks_facts(im, e);
    }
    im->file = "sdn.csv";
    return XC_OK;
}

/* ---- csl-csv: trade.gov consolidated.csv ------------------------------------------ */

enum { C_ID, C_SOURCE, C_ENTNUM, C_TYPE, C_PROGRAMS, C_NAME, C_ADDRESSES, C_FRN, C_START, C_REQ, C_POL, C_REMARKS,
       C_ALT, C_CITIZEN, C_DOB, C_NAT, C_NCOLS };

static const char *const csl_cols[C_NCOLS] = {"_id",          "source",           "entity_number",
                                              "type",         "programs",         "name",
                                              "addresses",    "federal_register_notice", "start_date",
                                              "license_requirement", "license_policy", "remarks",
                                              "alt_names",    "citizenships",     "dates_of_birth",
                                              "nationalities"};

static int csl_header(imp *im, long line, char **f, size_t n)
{
    int cur = n == 29 && strcmp(f[0], "_id") == 0, old = n == 28 && strcmp(f[0], "source") == 0;
    if (!cur && !old)
        return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: not a Consolidated Screening List header: expected "
                            "29 columns starting with _id,source,entity_number (current layout) or 28 starting "
                            "with source,entity_number (2019 layout); found %zu starting with \"%.40s\"",
                            im->file, line, n, n ? f[0] : "");
    im->ncols = n;
    for (int k = 0; k < C_NCOLS; k++) {
        im->col[k] = xc_csv_column(f, n, csl_cols[k]);
        if (im->col[k] < 0 && !(k == C_ID && old))
            return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: Consolidated Screening List header has no "
                                "column \"%s\"", im->file, line, csl_cols[k]);
    }
    return XC_OK;
}

static int csl_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    pent e;
    if (row == 0)
        return csl_header(im, line, f, n);
    if (n != im->ncols) {
        reject(im, line, NULL, "%zu fields, expected %zu", n, im->ncols);
        return XC_OK;
    }
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    e.line = line;
    int *c = im->col;
    e.name = fld(im, f, n, c[C_NAME]);
    e.id = fld(im, f, n, c[C_ID]);
    e.slist = fld(im, f, n, c[C_SOURCE]);
    char *entnum = fld(im, f, n, c[C_ENTNUM]), *type = fld(im, f, n, c[C_TYPE]), *start = fld(im, f, n, c[C_START]);
    char tag[80];
    xc_party_source_tag(e.slist ? e.slist : "unknown source", tag, sizeof(tag));
    if (!e.id && entnum) {
        char id[200];
        snprintf(id, sizeof(id), "%s-%s", tag, entnum);
        if (!(e.id = xc_strdup(id)))
            im->oom = 1;
    }
    xc_free(entnum);
    if (parse_type(type, &e.type, &im->oom)) {
        reject(im, line, NULL, "type \"%s\" of \"%.80s\" is not Individual, Entity, Vessel, Aircraft or empty", type,
               e.name ? e.name : "");
        goto drop;
    }
    if (start && !(e.start = iso_date(start, &im->oom))) {
        reject(im, line, NULL, "start_date \"%s\" of \"%.80s\" is not a date (YYYY-MM-DD)", start,
               e.name ? e.name : "");
        goto drop;
    }
    strv_push(&e.tags, tag, strlen(tag), &im->oom);
    warn_dup_aliases(im, line, NULL, strv_split(&e.aliases, f[c[C_ALT]], ";", &im->oom), e.name);
    strv_split(&e.programs, f[c[C_PROGRAMS]], ";", &im->oom);
    strv_split(&e.dobs, f[c[C_DOB]], ";", &im->oom);
    strv_split(&e.nats, f[c[C_NAT]], ";,", &im->oom);
    strv_split(&e.nats, f[c[C_CITIZEN]], ";,", &im->oom);
    e.address = fld(im, f, n, c[C_ADDRESSES]);
    e.country = country_of_addresses(e.address, &im->oom);
    e.citation = fld(im, f, n, c[C_FRN]);
    e.req = fld_raw(im, f, n, c[C_REQ]);
    e.pol = fld_raw(im, f, n, c[C_POL]);
    e.remarks = fld_raw(im, f, n, c[C_REMARKS]);
    xc_free(type);
    xc_free(start);
    return add_entry(im, &e);
drop:
    xc_free(type);
    xc_free(start);
    pent_clear(&e);
    return im->oom ? XC_ENOMEM : XC_OK;
}

static int read_csl_csv(imp *im, const char *text, size_t len)
{
    im->ncols = 0;
    int rc = xc_csv_rows(text, len, im->file, csl_row, im, im->err);
    if (rc == XC_OK && im->ncols == 0)
        rc = xc_error_set(im->err, XC_EINVAL, "csv", "%s: empty file: no Consolidated Screening List header",
                          im->file);
    return rc;
}

/* ---- csl-json: trade.gov's JSON ----------------------------------------------------- */

/* A string member as a cleaned copy (keep_lines: only trimmed); 0 ok
 * (absent, null or "" give NULL), -1 when it has another type. */
static int j_text(imp *im, json_t *o, const char *key, int keep_lines, char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v) && (strcmp(key, "entity_number") == 0 || strcmp(key, "id") == 0)) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = clean(buf, strlen(buf), &im->oom);
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    *out = keep_lines ? trimmed(json_string_value(v), &im->oom)
                      : clean(json_string_value(v), json_string_length(v), &im->oom);
    return 0;
}

/* An array of strings, or one string split at seps: the number of repeated
 * values (kept once), or -1 on another type. */
static int j_list(imp *im, json_t *o, const char *key, const char *seps, strv *out)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v))
        return strv_split(out, json_string_value(v), seps, &im->oom);
    if (!json_is_array(v))
        return -1;
    size_t i;
    json_t *x;
    int dups = 0;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return -1;
        dups += strv_push(out, json_string_value(x), json_string_length(x), &im->oom);
    }
    return dups;
}

/* addresses: [{address, city, state, postal_code, country}] (or a string). */
static int j_addresses(imp *im, json_t *o, pent *e)
{
    json_t *v = json_object_get(o, "addresses");
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        e->address = clean(json_string_value(v), json_string_length(v), &im->oom);
        e->country = country_of_addresses(e->address, &im->oom);
        return 0;
    }
    if (!json_is_array(v))
        return -1;
    size_t i;
    json_t *a;
    json_array_foreach(v, i, a)
    {
        static const char *const parts[] = {"address", "city", "state", "postal_code", "country"};
        char text[TEXT_MAX] = "";
        if (!json_is_object(a))
            return -1;
        for (size_t k = 0; k < 5; k++) {
            json_t *p = json_object_get(a, parts[k]);
            if (p && !json_is_null(p) && !json_is_string(p))
                return -1;
            const char *s = json_string_value(p);
            if (s && *s)
                snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", text[0] ? ", " : "", s);
        }
        if (!e->address && text[0])
            e->address = clean(text, strlen(text), &im->oom);
        if (!e->country)
            e->country = dup_code(country_code(json_string_value(json_object_get(a, "country"))), &im->oom);
    }
    return 0;
}

static void csl_json_record(imp *im, json_t *o, size_t i)
{
    char path[64], *type = NULL, *start = NULL, *entnum = NULL;
    const char *badkey = NULL;
    int dups = 0;
    pent e;
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    snprintf(path, sizeof(path), "$.results[%zu]", i);
    if (!json_is_object(o)) {
        reject(im, 0, path, "expected an object");
        return;
    }
    if (j_text(im, o, "name", 0, &e.name))
        badkey = "name";
    else if (j_text(im, o, "id", 0, &e.id) || (!e.id && j_text(im, o, "_id", 0, &e.id)))
        badkey = "id";
    else if (j_text(im, o, "source", 0, &e.slist))
        badkey = "source";
    else if (j_text(im, o, "entity_number", 0, &entnum))
        badkey = "entity_number";
    else if (j_text(im, o, "type", 0, &type))
        badkey = "type";
    else if (j_text(im, o, "start_date", 0, &start))
        badkey = "start_date";
    else if (j_text(im, o, "federal_register_notice", 0, &e.citation))
        badkey = "federal_register_notice";
    else if (j_text(im, o, "license_requirement", 1, &e.req))
        badkey = "license_requirement";
    else if (j_text(im, o, "license_policy", 1, &e.pol))
        badkey = "license_policy";
    else if (j_text(im, o, "remarks", 1, &e.remarks))
        badkey = "remarks";
    else if ((dups = j_list(im, o, "alt_names", ";", &e.aliases)) < 0)
        badkey = "alt_names";
    else if (j_list(im, o, "programs", ";", &e.programs) < 0)
        badkey = "programs";
    else if (j_list(im, o, "dates_of_birth", ";", &e.dobs) < 0)
        badkey = "dates_of_birth";
    else if (j_list(im, o, "nationalities", ";,", &e.nats) < 0)
        badkey = "nationalities";
    else if (j_list(im, o, "citizenships", ";,", &e.nats) < 0)
        badkey = "citizenships";
    else if (j_addresses(im, o, &e))
        badkey = "addresses";
    char tag[80];
    xc_party_source_tag(e.slist ? e.slist : "unknown source", tag, sizeof(tag));
    if (badkey) {
        reject(im, 0, path, "%s has the wrong type", badkey);
    } else if (!e.name) {
        reject(im, 0, path, "missing name");
    } else if (parse_type(type, &e.type, &im->oom)) {
        reject(im, 0, path, "type \"%s\" of \"%.80s\" is not Individual, Entity, Vessel, Aircraft or empty", type,
               e.name);
    } else if (start && !(e.start = iso_date(start, &im->oom))) {
        reject(im, 0, path, "start_date \"%s\" of \"%.80s\" is not a date (YYYY-MM-DD)", start, e.name);
    } else {
        if (!e.id && entnum) {
            char id[200];
            snprintf(id, sizeof(id), "%s-%s", tag, entnum);
            if (!(e.id = xc_strdup(id)))
                im->oom = 1;
        }
        strv_push(&e.tags, tag, strlen(tag), &im->oom);
        warn_dup_aliases(im, 0, path, dups, e.name);
        size_t before = im->n_rej;
        add_entry(im, &e);
        if (im->n_rej > before && im->n_rej_kept == im->n_rej && !im->rej[im->n_rej_kept - 1].path) {
            /* add_entry knows no JSON path: give it one */
            im->rej[im->n_rej_kept - 1].path = xc_strdup(path);
            if (!im->rej[im->n_rej_kept - 1].path)
                im->oom = 1;
        }
    }
    xc_free(type);
    xc_free(start);
    xc_free(entnum);
    pent_clear(&e);
}

static int read_csl_json(imp *im, const char *text, size_t len)
{
    json_error_t je;
    long refused = xc_mem_failures();
    json_t *results, *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /* jansson may report a refused allocation as a syntax error */
        if (json_error_code(&je) == json_error_out_of_memory || !je.text[0] || xc_mem_failures() != refused)
            return xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory reading %s", im->file);
        return xc_error_set(im->err, XC_EINVAL, "json", "%s:%d:%d: invalid JSON: %s", im->file, je.line, je.column,
                            je.text);
    }
    results = json_is_array(root) ? root : json_object_get(root, "results");
    if (!json_is_array(results)) {
        json_decref(root);
        return xc_error_set(im->err, XC_EINVAL, "$.results", "%s: $.results: expected an array of records (trade.gov "
                            "CSL JSON: {\"results\": [...]})", im->file);
    }
    /* the API states when each source was last updated: the latest is the list date */
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(root, "sources_used"), i, x)
    {
        int oom = 0;
        char *d = iso_date(json_string_value(json_object_get(x, "source_last_updated")), &oom);
        xc_date day;
        xc_error e;
        if (d && xc_date_parse(d, &day, NULL, &e) == XC_OK && (im->file_date == XC_DATE_NONE || day > im->file_date))
            im->file_date = day;
        xc_free(d);
        im->oom |= oom;
    }
    json_array_foreach(results, i, x)
    {
        csl_json_record(im, x, i);
        if (im->oom)
            break;
    }
    json_decref(root);
    return im->oom ? xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory") : XC_OK;
}

/* ---- un-xml: UN Security Council consolidated list ---------------------------------- */

static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* The cleaned text of an element (NULL when empty). */
static char *xml_text(imp *im, xmlNodePtr n, int keep_lines)
{
    if (!n)
        return NULL;
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return NULL;
    const char *s = (const char *)t;
    char *r = keep_lines ? trimmed(s, &im->oom) : clean(s, strlen(s), &im->oom);
    xmlFree(t);
    return r;
}

static char *xml_child_text(imp *im, xmlNodePtr n, const char *name)
{
    return xml_text(im, child(n, name), 0);
}

/* A UN date of birth as text: "1971-06-22", "1971", "circa 1971",
 * "1960 to 1962"; a note is kept in parentheses. */
static void un_dob(imp *im, xmlNodePtr d, pent *e)
{
    char *type = xml_child_text(im, d, "TYPE_OF_DATE"), *date = xml_child_text(im, d, "DATE"),
         *year = xml_child_text(im, d, "YEAR"), *from = xml_child_text(im, d, "FROM_YEAR"),
         *to = xml_child_text(im, d, "TO_YEAR"), *note = xml_child_text(im, d, "NOTE");
    char buf[512] = "";
    const char *circa = type && strcasecmp(type, "APPROXIMATELY") == 0 ? "circa " : "";
    if (date)
        snprintf(buf, sizeof(buf), "%s%.10s", circa, date);
    else if (year)
        snprintf(buf, sizeof(buf), "%s%s", circa, year);
    else if (from && to)
        snprintf(buf, sizeof(buf), "%s to %s", from, to);
    if (note)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s%s", buf[0] ? " (" : "", note, buf[0] ? ")" : "");
    strv_push(&e->dobs, buf, strlen(buf), &im->oom);
    xc_free(type);
    xc_free(date);
    xc_free(year);
    xc_free(from);
    xc_free(to);
    xc_free(note);
}

static int un_record(imp *im, xmlNodePtr r, int individual)
{
    static const char *const name_parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
    const char *alias_el = individual ? "INDIVIDUAL_ALIAS" : "ENTITY_ALIAS",
               *addr_el = individual ? "INDIVIDUAL_ADDRESS" : "ENTITY_ADDRESS";
    pent e;
    char name[2048] = "";
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    e.line = xmlGetLineNo(r);
    for (size_t k = 0; k < 4; k++) {
        char *p = xml_child_text(im, r, name_parts[k]);
        if (p)
            snprintf(name + strlen(name), sizeof(name) - strlen(name), "%s%s", name[0] ? " " : "", p);
        xc_free(p);
    }
    e.name = clean(name, strlen(name), &im->oom);
    e.id = xml_child_text(im, r, "REFERENCE_NUMBER");
    if (!e.id)
        e.id = xml_child_text(im, r, "DATAID");
    e.type = xc_strdup(individual ? "individual" : "entity");
    if (!e.type)
        im->oom = 1;
    char *listed = xml_child_text(im, r, "LISTED_ON");
    if (listed && !(e.start = iso_date(listed, &im->oom))) {
        reject(im, e.line, NULL, "LISTED_ON \"%s\" of \"%.80s\" is not a date (YYYY-MM-DD)", listed, name);
        xc_free(listed);
        pent_clear(&e);
        return im->oom ? XC_ENOMEM : XC_OK;
    }
    xc_free(listed);
    strv_push_take(&e.programs, xml_child_text(im, r, "UN_LIST_TYPE"), &im->oom);
    e.remarks = xml_text(im, child(r, "COMMENTS1"), 1);
    strv_push(&e.tags, "un-consolidated", 15, &im->oom);
    if (!(e.slist = xc_strdup("United Nations Security Council Consolidated List")))
        im->oom = 1;
    int dups = 0;
    for (xmlNodePtr c = r->children; c; c = c->next) {
        if (is_el(c, alias_el)) {
            dups += strv_push_take(&e.aliases, xml_child_text(im, c, "ALIAS_NAME"), &im->oom) == 1;
        } else if (is_el(c, "NAME_ORIGINAL_SCRIPT")) {
            dups += strv_push_take(&e.aliases, xml_text(im, c, 0), &im->oom) == 1;
        } else if (is_el(c, "NATIONALITY")) {
            for (xmlNodePtr v = c->children; v; v = v->next)
                if (is_el(v, "VALUE"))
                    strv_push_take(&e.nats, xml_text(im, v, 0), &im->oom);
        } else if (is_el(c, "INDIVIDUAL_DATE_OF_BIRTH")) {
            un_dob(im, c, &e);
        } else if (is_el(c, addr_el)) {
            static const char *const parts[] = {"STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"};
            char text[TEXT_MAX] = "";
            for (size_t k = 0; k < 5; k++) {
                char *p = xml_child_text(im, c, parts[k]);
                if (p)
                    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", text[0] ? ", " : "", p);
                if (p && k == 4 && !e.country)
                    e.country = dup_code(country_code(p), &im->oom);
                xc_free(p);
            }
            if (!e.address && text[0] && !(e.address = xc_strdup(text)))
                im->oom = 1;
        }
    }
    for (size_t k = 0; !e.country && k < e.nats.n; k++)
        e.country = dup_code(country_code(e.nats.v[k]), &im->oom);
    if (e.name)
        warn_dup_aliases(im, e.line, NULL, dups, e.name);
    return add_entry(im, &e);
}

/* The first error libxml2 reports (its "last error" is often a follow-on
 * such as "Premature end of data"). */
typedef struct xml_first_error {
    int set;
    int line;
    char msg[400];
} xml_first_error;

static void xml_on_error(void *user, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = user;
    xml_first_error *fe = ctxt ? ctxt->_private : NULL;
    if (!fe || fe->set || !e || e->level < XML_ERR_ERROR)
        return;
    fe->set = 1;
    fe->line = e->line;
    snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "not well-formed");
}

static int read_un_xml(imp *im, const char *text, size_t len)
{
    xml_first_error fe;
    memset(&fe, 0, sizeof(fe));
    int rc = XC_OK;
    if (len > INT_MAX)
        return xc_error_set(im->err, XC_EINVAL, "FILE", "%s: too large for the XML reader", im->file);
    xmlInitParser();
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory");
    ctxt->_private = &fe;
    ctxt->sax->serror = xml_on_error; /* errors come here, never to stderr */
    /* no network, no DTD loading, no entity substitution, no printing */
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text, (int)len, im->file, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_BIG_LINES);
    if (!doc || !ctxt->wellFormed) {
        xmlErrorPtr xe = xmlCtxtGetLastError(ctxt);
        if (!fe.set && xe) {
            fe.line = xe->line;
            snprintf(fe.msg, sizeof(fe.msg), "%s", xe->message ? xe->message : "not well-formed");
        }
        for (size_t n = strlen(fe.msg); n && is_ws((unsigned char)fe.msg[n - 1]); n--)
            fe.msg[n - 1] = '\0';
        rc = xc_error_set(im->err, XC_EINVAL, "xml", "%s:%d: invalid XML: %s", im->file, fe.line,
                          fe.msg[0] ? fe.msg : "not well-formed");
        goto out;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!is_el(root, "CONSOLIDATED_LIST")) {
        rc = xc_error_set(im->err, XC_EINVAL, "xml", "%s:%ld: not a UN consolidated list: the root element is <%s>, "
                          "expected <CONSOLIDATED_LIST>", im->file, root ? xmlGetLineNo(root) : 0L,
                          root ? (const char *)root->name : "(none)");
        goto out;
    }
    xmlChar *gen = xmlGetProp(root, (const xmlChar *)"dateGenerated");
    if (gen) {
        int oom = 0;
        char *d = iso_date((const char *)gen, &oom);
        xc_error e;
        if (d)
            xc_date_parse(d, &im->file_date, NULL, &e);
        else if (!oom)
            warn(im, xmlGetLineNo(root), NULL, "dateGenerated \"%.40s\" is not a date; not used as the list date",
                 (const char *)gen);
        im->oom |= oom;
        xc_free(d);
        xmlFree(gen);
    }
    for (xmlNodePtr sec = root->children; sec && rc == XC_OK; sec = sec->next) {
        int ind = is_el(sec, "INDIVIDUALS");
        if (!ind && !is_el(sec, "ENTITIES"))
            continue;
        for (xmlNodePtr r = sec->children; r && rc == XC_OK; r = r->next) {
            if (r->type != XML_ELEMENT_NODE)
                continue;
            if (!is_el(r, ind ? "INDIVIDUAL" : "ENTITY")) {
                reject(im, xmlGetLineNo(r), NULL, "unexpected element <%s> in <%s>", (const char *)r->name,
                       (const char *)sec->name);
                continue;
            }
            rc = un_record(im, r, ind);
        }
    }
    if (rc == XC_OK && im->oom)
        rc = XC_ENOMEM;
    if (rc == XC_ENOMEM)
        rc = xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory");
out:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ---- bis-dpl: the Denied Persons List (tab-separated) ------------------------------- */

enum { D_NAME, D_STREET, D_CITY, D_STATE, D_COUNTRY, D_POSTAL, D_EFFECTIVE, D_EXPIRES, D_STANDARD, D_UPDATED,
       D_ACTION, D_FR, D_NCOLS };

static const char *const dpl_cols[D_NCOLS] = {"Name",           "Street_Address", "City",           "State",
                                              "Country",        "Postal_Code",    "Effective_Date", "Expiration_Date",
                                              "Standard_Order", "Last_Update",    "Action",         "FR_Citation"};

static int dpl_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    pent e;
    int *c = im->col;
    if (row == 0) {
        for (int k = 0; k < D_NCOLS; k++)
            c[k] = xc_csv_column(f, n, dpl_cols[k]);
        if (c[D_NAME] < 0)
            return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: not a Denied Persons List header: no \"Name\" "
                                "column (expected tab-separated Name, Street_Address, City, State, Country, "
                                "Postal_Code, Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, "
                                "FR_Citation)", im->file, line);
        im->ncols = n;
        return XC_OK;
    }
    if (n != im->ncols) {
        reject(im, line, NULL, "%zu fields, expected %zu", n, im->ncols);
        return XC_OK;
    }
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    e.line = line;
    char *v[D_NCOLS];
    for (int k = 0; k < D_NCOLS; k++)
        v[k] = fld(im, f, n, c[k]);
    e.name = v[D_NAME], v[D_NAME] = NULL;
    char *eff = NULL, *exp = NULL;
    if (v[D_EFFECTIVE] && !(eff = us_date(v[D_EFFECTIVE], &im->oom))) {
        reject(im, line, NULL, "Effective_Date \"%s\" of \"%.80s\" is not a date (MM/DD/YYYY)", v[D_EFFECTIVE],
               e.name ? e.name : "");
        goto drop;
    }
    if (v[D_EXPIRES] && !(exp = us_date(v[D_EXPIRES], &im->oom))) {
        reject(im, line, NULL, "Expiration_Date \"%s\" of \"%.80s\" is not a date (MM/DD/YYYY)", v[D_EXPIRES],
               e.name ? e.name : "");
        goto drop;
    }
    /* Last_Update only dates the row: a typo in its year ("3017-08-22") is a
     * warning and the date is not used for the list date */
    int y = 0, mo = 0, dd = 0, nc = 0;
    if (v[D_UPDATED] && !(sscanf(v[D_UPDATED], "%4d-%2d-%2d%n", &y, &mo, &dd, &nc) == 3 && nc == 10 &&
                          !v[D_UPDATED][10] && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31)) {
        reject(im, line, NULL, "Last_Update \"%s\" of \"%.80s\" is not a date (YYYY-MM-DD)", v[D_UPDATED],
               e.name ? e.name : "");
        goto drop;
    }
    if (v[D_UPDATED] && e.name) {
        xc_date d = XC_DATE_NONE;
        xc_error err;
        if (y >= 1950 && xc_date_parse(v[D_UPDATED], &d, NULL, &err) == XC_OK && d <= xc_date_today() + 1) {
            if (im->file_date == XC_DATE_NONE || d > im->file_date)
                im->file_date = d;
        } else {
            warn(im, line, NULL, "Last_Update \"%s\" of \"%.80s\" is not a plausible date; not used for the list "
                 "date", v[D_UPDATED], e.name);
        }
    }
    char text[TEXT_MAX] = "";
    static const int addr[] = {D_STREET, D_CITY, D_STATE, D_POSTAL, D_COUNTRY};
    for (size_t k = 0; k < 5; k++)
        if (v[addr[k]])
            snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", text[0] ? ", " : "", v[addr[k]]);
    e.address = text[0] ? clean(text, strlen(text), &im->oom) : NULL;
    e.country = dup_code(country_code(v[D_COUNTRY]), &im->oom);
    e.start = eff, eff = NULL;
    e.citation = v[D_FR], v[D_FR] = NULL;
    char rem[TEXT_MAX] = "";
    if (e.start)
        snprintf(rem + strlen(rem), sizeof(rem) - strlen(rem), "effective %s", e.start);
    if (exp)
        snprintf(rem + strlen(rem), sizeof(rem) - strlen(rem), "%sexpires %s", rem[0] ? "; " : "", exp);
    if (v[D_STANDARD])
        snprintf(rem + strlen(rem), sizeof(rem) - strlen(rem), "%sstandard order: %s", rem[0] ? "; " : "",
                 v[D_STANDARD]);
    if (v[D_UPDATED] || v[D_ACTION])
        snprintf(rem + strlen(rem), sizeof(rem) - strlen(rem), "%slast update%s%s%s%s", rem[0] ? "; " : "",
                 v[D_UPDATED] ? " " : "", v[D_UPDATED] ? v[D_UPDATED] : "", v[D_ACTION] ? ": " : "",
                 v[D_ACTION] ? v[D_ACTION] : "");
    e.remarks = rem[0] ? clean(rem, strlen(rem), &im->oom) : NULL;
    strv_push(&e.tags, "us-bis-dpl", 10, &im->oom);
    if (!(e.slist = xc_strdup("Denied Persons List (DPL) - Bureau of Industry and Security")))
        im->oom = 1;
    for (int k = 0; k < D_NCOLS; k++)
        xc_free(v[k]);
    xc_free(exp);
    return add_entry(im, &e);
drop:
    for (int k = 0; k < D_NCOLS; k++)
        xc_free(v[k]);
    xc_free(eff);
    xc_free(exp);
    pent_clear(&e);
    return im->oom ? XC_ENOMEM : XC_OK;
}

static int read_bis_dpl(imp *im, const char *text, size_t len)
{
    im->ncols = 0;
    int rc = xc_csv_rows_delim(text, len, im->file, '\t', dpl_row, im, im->err);
    if (rc == XC_OK && im->ncols == 0)
        rc = xc_error_set(im->err, XC_EINVAL, "csv", "%s: empty file: no Denied Persons List header", im->file);
    return rc;
}

/* ---- csv: the documented plain CSV ----------------------------------------------------- */

enum { P_ID, P_NAME, P_TYPE, P_COUNTRY, P_ALIASES, P_PROGRAMS, P_REMARKS, P_LIST, P_ADDRESS, P_CITATION, P_START,
       P_DOB, P_NAT, P_NCOLS };

static const char *const plain_cols[P_NCOLS] = {"id",      "name",     "type",       "country",        "aliases",
                                                "programs", "remarks", "list",       "address",        "citation",
                                                "start_date", "dates_of_birth", "nationalities"};

static int plain_header(imp *im, long line, char **f, size_t n)
{
    for (int k = 0; k < P_NCOLS; k++)
        im->col[k] = -1;
    for (size_t i = 0; i < n; i++) {
        int k = 0;
        while (k < P_NCOLS && strcasecmp(f[i], plain_cols[k]) != 0)
            k++;
        if (k == P_NCOLS) {
            char list[400] = "";
            for (int j = 0; j < P_NCOLS; j++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", j ? ", " : "", plain_cols[j]);
            return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: unknown column \"%.60s\"; expected name and any "
                                "of: %s", im->file, line, f[i], list);
        }
        if (im->col[k] >= 0)
            return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: column \"%s\" appears twice", im->file, line,
                                plain_cols[k]);
        im->col[k] = (int)i;
    }
    if (im->col[P_NAME] < 0)
        return xc_error_set(im->err, XC_EINVAL, "csv", "%s:%ld: the header has no \"name\" column", im->file, line);
    im->ncols = n;
    return XC_OK;
}

static int plain_row(void *user, long line, int row, char **f, size_t n)
{
    imp *im = user;
    pent e;
    int *c = im->col;
    if (row == 0)
        return plain_header(im, line, f, n);
    if (n != im->ncols) {
        reject(im, line, NULL, "%zu fields, expected %zu", n, im->ncols);
        return XC_OK;
    }
    memset(&e, 0, sizeof(e));
    e.file = im->file;
    e.line = line;
    e.name = fld(im, f, n, c[P_NAME]);
    e.id = fld(im, f, n, c[P_ID]);
    char *type = fld(im, f, n, c[P_TYPE]), *country = fld(im, f, n, c[P_COUNTRY]), *start = fld(im, f, n, c[P_START]);
    if (parse_type(type, &e.type, &im->oom)) {
        reject(im, line, NULL, "type \"%s\" of \"%.80s\" is not individual, entity, vessel or aircraft", type,
               e.name ? e.name : "");
        goto drop;
    }
    if (country && !(e.country = dup_code(country_code(country), &im->oom))) {
        reject(im, line, NULL, "country \"%s\" of \"%.80s\" is not an ISO 3166-1 code or country name", country,
               e.name ? e.name : "");
        goto drop;
    }
    if (start && !(e.start = iso_date(start, &im->oom))) {
        reject(im, line, NULL, "start_date \"%s\" of \"%.80s\" is not a date (YYYY-MM-DD)", start,
               e.name ? e.name : "");
        goto drop;
    }
    e.slist = fld(im, f, n, c[P_LIST]);
    set_tag(im, &e, e.slist);
    if (c[P_ALIASES] >= 0)
        warn_dup_aliases(im, line, NULL, strv_split(&e.aliases, f[c[P_ALIASES]], ";", &im->oom), e.name);
    if (c[P_PROGRAMS] >= 0)
        strv_split(&e.programs, f[c[P_PROGRAMS]], ";", &im->oom);
    if (c[P_DOB] >= 0)
        strv_split(&e.dobs, f[c[P_DOB]], ";", &im->oom);
    if (c[P_NAT] >= 0)
        strv_split(&e.nats, f[c[P_NAT]], ";", &im->oom);
    e.remarks = fld_raw(im, f, n, c[P_REMARKS]);
    e.address = fld(im, f, n, c[P_ADDRESS]);
    e.citation = fld(im, f, n, c[P_CITATION]);
    xc_free(type);
    xc_free(country);
    xc_free(start);
    return add_entry(im, &e);
drop:
    xc_free(type);
    xc_free(country);
    xc_free(start);
    pent_clear(&e);
    return im->oom ? XC_ENOMEM : XC_OK;
}

static int read_plain_csv(imp *im, const char *text, size_t len)
{
    im->ncols = 0;
    int rc = xc_csv_rows(text, len, im->file, plain_row, im, im->err);
    if (rc == XC_OK && im->ncols == 0)
        rc = xc_error_set(im->err, XC_EINVAL, "csv", "%s: empty file: no header", im->file);
    return rc;
}

/* ---- the format table -------------------------------------------------------------------- */

static const fmt_def formats[] = {
    {"ofac-sdn", "us-ofac-sdn", "OFAC Specially Designated Nationals and Blocked Persons List (SDN)",
     "U.S. Department of the Treasury, Office of Foreign Assets Control", "OFAC SDN legacy CSV files", 1, 0, NULL},
    {"csl-csv", "us-csl", "Consolidated Screening List",
     "U.S. Departments of Commerce, State and the Treasury (published by the International Trade Administration)",
     "trade.gov Consolidated Screening List CSV", 0, 0, read_csl_csv},
    {"csl-json", "us-csl", "Consolidated Screening List",
     "U.S. Departments of Commerce, State and the Treasury (published by the International Trade Administration)",
     "trade.gov Consolidated Screening List JSON", 0, 1, read_csl_json},
    {"un-xml", "un-consolidated", "United Nations Security Council Consolidated List",
     "United Nations Security Council",
     "UN Security Council consolidated list XML", 0, 1, read_un_xml},
    {"bis-dpl", "us-bis-dpl", "Denied Persons List", "U.S. Department of Commerce, Bureau of Industry and Security",
     "BIS Denied Persons List (tab-separated)", 0, 1, read_bis_dpl},
    {"csv", NULL, NULL, "not stated (plain CSV import)", "plain CSV", 0, 0, read_plain_csv},
};

const char *xc_party_import_formats(void)
{
    return "ofac-sdn, csl-csv, csl-json, un-xml, bis-dpl, csv, exportctl";
}

static const fmt_def *find_format(const char *name)
{
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(formats[i].name, name) == 0)
            return &formats[i];
    return NULL;
}

/* ---- files -------------------------------------------------------------------------------- */

static int read_file(const char *path, const char *label, char **data, size_t *len, xc_error *err)
{
    return xc_file_read(path, label, "PATH", FILE_MAX, data, len, err);
}

/* ---- building and recording the snapshot ---------------------------------------------------- */

static void jset(imp *im, json_t *o, const char *key, json_t *v)
{
    if (!v || json_object_set_new(o, key, v))
        im->oom = 1;
}

static void jset_str(imp *im, json_t *o, const char *key, const char *s)
{
    if (s)
        jset(im, o, key, json_string(s));
}

static void jset_strv(imp *im, json_t *o, const char *key, const strv *a)
{
    if (!a->n)
        return;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < a->n; i++)
        if (json_array_append_new(arr, json_string(a->v[i])))
            im->oom = 1;
    jset(im, o, key, arr);
}

static json_t *notes_json(imp *im, const xc_party_reject *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_object();
        if (!o) {
            im->oom = 1;
            break;
        }
        jset_str(im, o, "file", r[i].file);
        if (r[i].line > 0)
            jset(im, o, "line", json_integer(r[i].line));
        jset_str(im, o, "path", r[i].path);
        jset_str(im, o, "reason", r[i].reason);
        if (json_array_append_new(a, o))
            im->oom = 1;
    }
    if (!a)
        im->oom = 1;
    return a;
}

static json_t *entry_json(imp *im, pent *e)
{
    json_t *o = json_object();
    if (!o) {
        im->oom = 1;
        return NULL;
    }
    if (e->remarks && strlen(e->remarks) > REMARKS_MAX) {
        const char *f = im->file;
        im->file = e->file;
        warn(im, e->line, NULL, "remarks of \"%.80s\" cut from %zu to %d bytes", e->name, strlen(e->remarks),
             REMARKS_MAX);
        im->file = f;
        utf8_cut(e->remarks, REMARKS_MAX);
    }
    jset_str(im, o, "id", e->id);
    jset_str(im, o, "name", e->name);
    jset_str(im, o, "type", e->type);
    jset_str(im, o, "country", e->country);
    jset_strv(im, o, "aliases", &e->aliases);
    jset_str(im, o, "address", e->address);
    jset_str(im, o, "citation", e->citation);
    jset_str(im, o, "start_date", e->start);
    jset_str(im, o, "licence_requirement", e->req);
    jset_str(im, o, "licence_policy", e->pol);
    jset_strv(im, o, "programs", &e->programs);
    jset_strv(im, o, "tags", &e->tags);
    jset_str(im, o, "source_list", e->slist);
    jset_str(im, o, "remarks", e->remarks);
    jset_strv(im, o, "dates_of_birth", &e->dobs);
    jset_strv(im, o, "nationalities", &e->nats);
    return o;
}

static int build_doc(imp *im, const char *list_id, const char *title, const char *authority, xc_date list_date,
                     const char *source, int max_age, json_t **out)
{
    char d[XC_DATE_BUF];
    size_t aliases = 0;
    json_t *entries = json_array();
    if (!entries)
        im->oom = 1;
    for (size_t i = 0; !im->oom && i < im->n; i++) {
        aliases += im->ents[i].aliases.n;
        json_t *o = entry_json(im, &im->ents[i]);
        if (!o || json_array_append_new(entries, o))
            im->oom = 1;
    }
    json_t *snap = json_object(), *list = json_object(), *doc = json_object();
    if (!snap || !list || !doc)
        im->oom = 1;
    if (!im->oom) {
        jset_str(im, list, "id", list_id);
        jset_str(im, list, "title", title);
        jset_str(im, list, "authority", authority);
        jset_str(im, snap, "list_date", xc_date_format(list_date, d));
        jset_str(im, snap, "source", source);
        jset_str(im, snap, "confidence", "official");
        jset_str(im, snap, "format", im->fmt->name);
        if (max_age > 0)
            jset(im, snap, "max_age_days", json_integer(max_age));
        jset(im, snap, "counts", json_pack("{s:I, s:I, s:I, s:I}", "entries", (json_int_t)im->n, "aliases",
                                           (json_int_t)aliases, "rejected", (json_int_t)im->n_rej, "warnings",
                                           (json_int_t)im->n_warn));
        if (im->n_rej)
            jset(im, snap, "rejected", notes_json(im, im->rej, im->n_rej_kept));
        if (im->n_warn)
            jset(im, snap, "warnings", notes_json(im, im->warn, im->n_warn_kept));
        jset(im, snap, "entries", entries);
        entries = NULL;
        jset(im, doc, "list", list);
        jset(im, doc, "snapshot", snap);
        list = snap = NULL;
    }
    json_decref(entries);
    json_decref(list);
    json_decref(snap);
    if (im->oom) {
        json_decref(doc);
        return xc_error_set(im->err, XC_ENOMEM, NULL, "out of memory");
    }
    *out = doc;
    return XC_OK;
}

static void imp_free(imp *im)
{
    for (size_t i = 0; i < im->n; i++)
        pent_clear(&im->ents[i]);
    xc_free(im->ents);
    xc_free(im->slots);
    for (size_t i = 0; i < im->n_rej_kept; i++) {
        xc_free(im->rej[i].file);
        xc_free(im->rej[i].path);
        xc_free(im->rej[i].reason);
    }
    xc_free(im->rej);
    for (size_t i = 0; i < im->n_warn_kept; i++) {
        xc_free(im->warn[i].file);
        xc_free(im->warn[i].path);
        xc_free(im->warn[i].reason);
    }
    xc_free(im->warn);
    memset(im, 0, sizeof(*im));
}

void xc_party_import_report_clear(xc_party_import_report *rep)
{
    if (!rep)
        return;
    xc_party_reject *v[2] = {rep->rejects, rep->warns};
    size_t n[2] = {rep->n_rejects, rep->n_warns};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n[k]; i++) {
            xc_free(v[k][i].file);
            xc_free(v[k][i].path);
            xc_free(v[k][i].reason);
        }
        xc_free(v[k]);
    }
    memset(rep, 0, sizeof(*rep));
}

/* Options every format shares: list id, list date, max age. */
static int check_opts(const fmt_def *fmt, const xc_party_import_opts *o, const char **list_id, xc_date *date,
                      xc_error *err)
{
    int rc;
    *date = XC_DATE_NONE;
    *list_id = o && o->list_id ? o->list_id : fmt->list_id;
    if (!*list_id)
        return xc_error_set(err, XC_EINVAL, "--list-id", "--list-id is required for --format %s", fmt->name);
    if ((rc = xc_registry_check_id(*list_id, "--list-id", err)))
        return rc;
    if (o && o->list_date && (rc = xc_date_parse(o->list_date, date, "--list-date", err)))
        return rc;
    if (*date == XC_DATE_NONE && !fmt->date_in_file)
        return xc_error_set(err, XC_EINVAL, "--list-date", "--list-date is required for --format %s: the %s %s no "
                            "list date", fmt->name, fmt->what, fmt->folder ? "carry" : "carries");
    if (o && (o->max_age_days < 0 || o->max_age_days > MAX_AGE_MAX))
        return xc_error_set(err, XC_EINVAL, "--max-age-days", "--max-age-days: %d is out of range; expected 1 to %d",
                            o->max_age_days, MAX_AGE_MAX);
    if (o && o->source &&
        (!*o->source || strlen(o->source) > 2000 || utf8_valid_prefix(o->source) != strlen(o->source)))
        return xc_error_set(err, XC_EINVAL, "--source", "--source: expected 1 to 2000 bytes of UTF-8 text");
    return XC_OK;
}

static int imp_finish(imp *im, xc_store *s, const xc_party_import_opts *o, const char *list_id, xc_date date,
                      const char *name, xc_party_import_report *rep)
{
    char src[2300], key[160], d[XC_DATE_BUF];
    json_t *doc = NULL;
    int rc;
    if (date == XC_DATE_NONE)
        date = im->file_date;
    if (date == XC_DATE_NONE)
        return xc_error_set(im->err, XC_EINVAL, "--list-date", "%s: the file states no list date; give --list-date",
                            name);
    if (im->n == 0) {
        if (!im->n_rej_kept)
            return xc_error_set(im->err, XC_EINVAL, "PATH", "%s: no entries", name);
        const xc_party_reject *r = &im->rej[0];
        char where[300];
        if (r->line > 0)
            snprintf(where, sizeof(where), "%s:%ld", r->file ? r->file : name, r->line);
        else
            snprintf(where, sizeof(where), "%s: %s", r->file ? r->file : name, r->path ? r->path : "");
        return xc_error_set(im->err, XC_EINVAL, "PATH", "%s: no entries: every row (%zu) was rejected (first: %s: %s)",
                            name, im->n_rej, where, r->reason);
    }
    if (o && o->source)
        snprintf(src, sizeof(src), "%s", o->source);
    else
        snprintf(src, sizeof(src), "%s: %s", im->fmt->what, name);
    src[utf8_valid_prefix(src)] = '\0';
    rc = build_doc(im, list_id, im->fmt->title ? im->fmt->title : list_id, im->fmt->authority, date, src,
                   o ? o->max_age_days : 0, &doc);
    if (rc == XC_OK)
        rc = xc_parties_check_doc(doc, name, im->err);
    snprintf(key, sizeof(key), "%s@%s", list_id, xc_date_format(date, d));
    const char *keyp = key;
    if (rc == XC_OK)
        rc = xc_docs_record(s, XC_DOC_PARTIES, &doc, &keyp, 1, &rep->recorded, &rep->hash, im->err);
    json_decref(doc);
    if (rc)
        return rc;
    snprintf(rep->list_id, sizeof(rep->list_id), "%s", list_id);
    snprintf(rep->key, sizeof(rep->key), "%s", key);
    rep->list_date = date;
    rep->snapshots = 1;
    rep->entries = im->n;
    for (size_t i = 0; i < im->n; i++)
        rep->aliases += im->ents[i].aliases.n;
    rep->rejected = im->n_rej;
    rep->warnings = im->n_warn;
    rep->rejects = im->rej, rep->n_rejects = im->n_rej_kept;
    rep->warns = im->warn, rep->n_warns = im->n_warn_kept;
    im->rej = im->warn = NULL;
    im->n_rej_kept = im->n_warn_kept = 0;
    return XC_OK;
}

static int import_exportctl(xc_store *s, const char *text, size_t len, const char *name,
                            const xc_party_import_opts *o, xc_party_import_report *rep, xc_error *err)
{
    xc_parties_json_info info;
    int rc = xc_parties_import_check("exportctl", o, err);
    if (rc == XC_OK)
        rc = xc_parties_import_json_info(s, text, len, name, &info, err);
    if (rc)
        return rc;
    rep->snapshots = info.snapshots;
    rep->recorded = info.recorded;
    rep->entries = info.entries;
    rep->aliases = info.aliases;
    rep->rejected = info.rejected;
    snprintf(rep->key, sizeof(rep->key), "%s", info.last_key);
    snprintf(rep->hash, sizeof(rep->hash), "%s", info.last_hash);
    const char *at = strchr(info.last_key, '@');
    if (at) {
        xc_error e;
        snprintf(rep->list_id, sizeof(rep->list_id), "%.*s", (int)(at - info.last_key), info.last_key);
        xc_date_parse(at + 1, &rep->list_date, NULL, &e);
    }
    return XC_OK;
}

static int import_any(xc_store *s, const char *format, const char *path, const char *text, size_t len,
                      const char *name, const xc_party_import_opts *o, xc_party_import_report *rep, xc_error *err)
{
    imp im;
    const char *list_id;
    xc_date date;
    memset(rep, 0, sizeof(*rep));
    rep->list_date = XC_DATE_NONE;
    if (!format)
        format = "exportctl";
    snprintf(rep->format, sizeof(rep->format), "%s", format);
    if (strcmp(format, "exportctl") == 0) {
        char *data = NULL;
        int rc = XC_OK;
        if (!text && (rc = read_file(path, path, &data, &len, err)) == XC_OK)
            text = data;
        if (rc == XC_OK)
            rc = import_exportctl(s, text, len, name, o, rep, err);
        xc_free(data);
        return rc;
    }
    const fmt_def *fmt = find_format(format);
    if (!fmt)
        return xc_error_set(err, XC_EINVAL, "--format", "--format: unknown format \"%s\"; expected one of: %s", format,
                            xc_party_import_formats());
    int rc = check_opts(fmt, o, &list_id, &date, err);
    if (rc)
        return rc;
    memset(&im, 0, sizeof(im));
    im.fmt = fmt;
    im.err = err;
    im.file = name;
    im.list_id = list_id;
    im.file_date = XC_DATE_NONE;
    if (fmt->folder) {
        struct stat st;
        if (!path)
            return xc_error_set(err, XC_EINVAL, "--format", "--format %s reads a folder, not text", fmt->name);
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            return xc_error_set(err, XC_EINVAL, "PATH", "%s: %s; --format %s expects a folder holding sdn.csv, "
                                "alt.csv and add.csv", path, stat(path, &st) != 0 ? strerror(errno) : "not a folder",
                                fmt->name);
        rc = read_ofac(&im, path);
    } else {
        char *data = NULL;
        if (!text && (rc = read_file(path, path, &data, &len, err)) == XC_OK)
            text = data;
        if (rc == XC_OK) {
            if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* byte order mark */
                text += 3, len -= 3;
            rc = fmt->read(&im, text, len);
        }
        xc_free(data);
    }
    if (rc == XC_OK && im.oom)
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    if (rc == XC_OK)
        rc = imp_finish(&im, s, o, list_id, date, name, rep);
    imp_free(&im);
    if (rc) {
        xc_party_import_report_clear(rep);
        rep->list_date = XC_DATE_NONE;
    }
    return rc;
}

int xc_parties_import_check(const char *format, const xc_party_import_opts *opts, xc_error *err)
{
    const char *list_id;
    xc_date date;
    if (!format || strcmp(format, "exportctl") == 0) {
        const char *opt = !opts ? NULL : opts->list_id ? "--list-id" : opts->list_date ? "--list-date"
                                    : opts->source ? "--source" : opts->max_age_days ? "--max-age-days" : NULL;
        if (opt)
            return xc_error_set(err, XC_EINVAL, opt, "%s does not apply to --format exportctl: the file states it",
                                opt);
        return XC_OK;
    }
    const fmt_def *fmt = find_format(format);
    if (!fmt)
        return xc_error_set(err, XC_EINVAL, "--format", "--format: unknown format \"%s\"; expected one of: %s", format,
                            xc_party_import_formats());
    return check_opts(fmt, opts, &list_id, &date, err);
}

int xc_parties_import_path(xc_store *s, const char *format, const char *path, const xc_party_import_opts *opts,
                           xc_party_import_report *rep, xc_error *err)
{
    return import_any(s, format, path, NULL, 0, base_name(path), opts, rep, err);
}

int xc_parties_import_text(xc_store *s, const char *format, const char *text, size_t len, const char *name,
                           const xc_party_import_opts *opts, xc_party_import_report *rep, xc_error *err)
{
    return import_any(s, format, NULL, text, len, name ? name : "(input)", opts, rep, err);
}

json_t *xc_party_import_report_json(const xc_party_import_report *rep)
{
    char d[XC_DATE_BUF];
    imp im;
    memset(&im, 0, sizeof(im));
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:i, s:i, s:{s:I, s:I, s:I, s:I}}", "format", rep->format,
                          "list", rep->list_id, "list_date",
                          rep->list_date == XC_DATE_NONE ? json_null() : json_string(xc_date_format(rep->list_date, d)),
                          "snapshot", rep->key, "content_hash", rep->hash, "snapshots", rep->snapshots, "recorded",
                          rep->recorded, "counts", "entries", (json_int_t)rep->entries, "aliases",
                          (json_int_t)rep->aliases, "rejected", (json_int_t)rep->rejected, "warnings",
                          (json_int_t)rep->warnings);
    if (o) {
        json_object_set_new(o, "rejected", notes_json(&im, rep->rejects, rep->n_rejects));
        json_object_set_new(o, "warnings", notes_json(&im, rep->warns, rep->n_warns));
    }
    return o;
}

json_t *xc_party_import_report_file_json(const xc_party_import_report *rep, const char *file)
{
    json_t *j = xc_party_import_report_json(rep);
    if (j && json_object_set_new(j, "file", json_string(file))) {
        json_decref(j);
        return NULL;
    }
    return j;
}
