/*
 * country.c: look-ups over the generated ISO 3166-1 table, with
 * suggestions for the codes people commonly type by mistake.
 */
#include "country.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* User-assigned codes used by the EU, the US and the IMF for Kosovo. */
static const xc_country user_assigned[] = {
    {"XK", "XKX", "", "Kosovo", "Republic of Kosovo", "", 1},
};

/* Codes that are not ISO 3166-1 alpha-2 but that users type for a country. */
static const struct {
    const char *typed;
    const char *alpha2;
    const char *why;
} mistakes[] = {
    {"UK", "GB", "UK is not an ISO 3166-1 code; the United Kingdom is GB"},
    {"EL", "GR", "EL is the EU's code for Greece; ISO 3166-1 uses GR"},
    {"KS", "XK", "KS is not a code for Kosovo; the user-assigned code in official use is XK"},
    {"UAE", "AE", "UAE is an abbreviation; the ISO 3166-1 code of the United Arab Emirates is AE"},
    {"SU", "RU", "SU (Soviet Union) was withdrawn from ISO 3166-1; Russia is RU"},
    {"YU", "RS", "YU (Yugoslavia) was withdrawn from ISO 3166-1; Serbia is RS"},
    {"EU", NULL, "EU is not a country; name a member state"},
};

size_t xc_country_count(void)
{
    return xc_iso_country_count + sizeof(user_assigned) / sizeof(user_assigned[0]);
}

const xc_country *xc_country_at(size_t i)
{
    if (i < xc_iso_country_count)
        return &xc_iso_countries[i];
    i -= xc_iso_country_count;
    return i < sizeof(user_assigned) / sizeof(user_assigned[0]) ? &user_assigned[i] : NULL;
}

const char *xc_country_display_name(const xc_country *c)
{
    return c->common_name[0] ? c->common_name : c->name;
}

static int cmp_alpha2(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const xc_country *)elem)->alpha2);
}

const xc_country *xc_country_by_alpha2(const char *alpha2)
{
    if (!alpha2 || strlen(alpha2) != 2)
        return NULL;
    const xc_country *c = bsearch(alpha2, xc_iso_countries, xc_iso_country_count, sizeof(xc_country), cmp_alpha2);
    if (c)
        return c;
    for (size_t i = 0; i < sizeof(user_assigned) / sizeof(user_assigned[0]); i++)
        if (strcmp(user_assigned[i].alpha2, alpha2) == 0)
            return &user_assigned[i];
    return NULL;
}

/* Levenshtein distance of two short lowercase strings, capped at 99. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 60 || lb > 60)
        return 99;
    int row[61];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

int xc_country_lookup(const char *query, const char *field, const xc_country **out, xc_error *err)
{
    const char *what = field ? field : "country";
    char q[128];
    size_t n = 0;
    if (!query)
        return xc_error_set(err, XC_EINVAL, field, "%s: missing country code", what);
    while (isspace((unsigned char)*query))
        query++;
    for (; query[n] && n < sizeof(q) - 1; n++)
        q[n] = query[n];
    while (n && isspace((unsigned char)q[n - 1]))
        n--;
    q[n] = '\0';
    if (n == 0)
        return xc_error_set(err, XC_EINVAL, field, "%s: empty country code", what);

    int all_alpha = 1, all_digit = 1;
    char up[128];
    for (size_t i = 0; i <= n; i++) {
        up[i] = (char)toupper((unsigned char)q[i]);
        if (i < n && !isalpha((unsigned char)q[i]))
            all_alpha = 0;
        if (i < n && !isdigit((unsigned char)q[i]))
            all_digit = 0;
    }
    const xc_country *hit = NULL;
    if (all_alpha && n == 2)
        hit = xc_country_by_alpha2(up);
    for (size_t i = 0; !hit && i < xc_country_count(); i++) {
        const xc_country *c = xc_country_at(i);
        if ((all_alpha && n == 3 && strcmp(c->alpha3, up) == 0) ||
            (all_digit && n <= 3 && c->numeric[0] && atoi(c->numeric) == atoi(q)) ||
            strcasecmp(c->name, q) == 0 || strcasecmp(c->official_name, q) == 0 ||
            (c->common_name[0] && strcasecmp(c->common_name, q) == 0))
            hit = c;
    }
    if (hit) {
        *out = hit;
        return XC_OK;
    }
    for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
        if (strcmp(mistakes[i].typed, up) == 0) {
            if (!mistakes[i].alpha2)
                return xc_error_set(err, XC_EINVAL, field, "%s: unknown country \"%s\": %s", what, q,
                                    mistakes[i].why);
            return xc_error_set(err, XC_EINVAL, field, "%s: unknown country \"%s\": %s; did you mean %s?", what,
                                q, mistakes[i].why, mistakes[i].alpha2);
        }
    }
    if (!all_alpha || n > 3) {
        /* a name that starts a word of one to three country names */
        char hits[256] = "";
        int n_hits = 0;
        for (size_t i = 0; i < xc_country_count() && n >= 4; i++) {
            const xc_country *c = xc_country_at(i);
            const char *names[] = {c->name, c->common_name, c->official_name};
            for (size_t k = 0; k < 3; k++) {
                const char *p = names[k];
                int found = 0;
                for (const char *w = p; *w && !found; w++)
                    found = (w == p || w[-1] == ' ' || w[-1] == '(') && strncasecmp(w, q, n) == 0;
                if (found) {
                    if (n_hits < 3)
                        snprintf(hits + strlen(hits), sizeof(hits) - strlen(hits), "%s%s (%s)", n_hits ? ", " : "",
                                 c->alpha2, xc_country_display_name(c));
                    n_hits++;
                    break;
                }
            }
        }
        if (n_hits > 0 && n_hits <= 3)
            return xc_error_set(err, XC_EINVAL, field, "%s: unknown country \"%s\"; did you mean %s?", what, q, hits);
        const xc_country *best = NULL;
        int best_d = 99;
        for (size_t i = 0; i < xc_country_count(); i++) {
            const xc_country *c = xc_country_at(i);
            const char *names[] = {c->name, c->common_name, c->official_name};
            for (size_t k = 0; k < 3; k++) {
                if (!names[k][0])
                    continue;
                int d = edit_distance(q, names[k]);
                if (strncasecmp(names[k], q, n) == 0 && d > 1)
                    d = 2; /* a prefix of a name is a good guess */
                if (d < best_d) {
                    best_d = d;
                    best = c;
                }
            }
        }
        if (best && best_d <= 3)
            return xc_error_set(err, XC_EINVAL, field, "%s: unknown country \"%s\"; did you mean %s (%s)?", what,
                                q, best->alpha2, xc_country_display_name(best));
    }
    return xc_error_set(err, XC_EINVAL, field,
                        "%s: unknown country \"%s\"; expected an ISO 3166-1 alpha-2, alpha-3 or numeric code "
                        "or an English name (see `exportctl country ls`)",
                        what, q);
}
