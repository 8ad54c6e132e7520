/*
 * model.c: constructors, destructors and names for the registry's value types.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static const char *const confidence_names[] = {"official", "reported", "inferred"};

const char *xc_confidence_name(int conf)
{
    return conf >= 0 && conf <= XC_CONF_INFERRED ? confidence_names[conf] : "unknown";
}

int xc_confidence_parse(const char *s, int *out, const char *field, xc_error *err)
{
    for (int i = 0; s && i <= XC_CONF_INFERRED; i++) {
        if (strcmp(s, confidence_names[i]) == 0) {
            *out = i;
            return XC_OK;
        }
    }
    return xc_error_set(err, XC_EINVAL, field,
                        "%s: \"%s\" is not a confidence; expected official, reported or inferred",
                        field ? field : "confidence", s ? s : "(missing)");
}

void xc_member_clear(xc_member *m)
{
    if (!m)
        return;
    xc_free(m->reason);
    xc_free(m->source);
    m->reason = m->source = NULL;
}

void xc_list_meta_free(xc_list_meta *m)
{
    if (!m)
        return;
    xc_free(m->id);
    xc_free(m->title);
    xc_free(m->authority);
    xc_free(m->legal_basis);
    xc_free(m->purpose);
    xc_free(m);
}

void xc_version_clear(xc_version *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_members; i++)
        xc_member_clear(&v->members[i]);
    for (size_t i = 0; i < v->n_removed; i++)
        xc_member_clear(&v->removed[i]);
    xc_free(v->members);
    xc_free(v->removed);
    xc_free(v->list_id);
    xc_free(v->source);
    xc_free(v->note);
    xc_free(v->correction);
    memset(v, 0, sizeof(*v));
}

void xc_versions_free(xc_version *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        xc_version_clear(&v[i]);
    xc_free(v);
}

int xc_version_declared(const xc_version *v)
{
    return v->declared_count >= 0 ? v->declared_count : (int)v->n_members;
}

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const xc_member *)a)->country, ((const xc_member *)b)->country);
}

const xc_member *xc_members_find(const xc_member *m, size_t n, const char *alpha2)
{
    xc_member key;
    snprintf(key.country, sizeof(key.country), "%s", alpha2);
    return n ? bsearch(&key, m, n, sizeof(*m), cmp_member) : NULL;
}
