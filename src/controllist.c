/*
 * controllist.c: parsing, validation, storage and look-up of control-list
 * items.  The same parser reads import files and stored documents, so what
 * is stored is exactly what was validated.
 */
#include "controllist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs.h"
#include "mem.h"
#include "model.h"

#define FORMAT_NAME "exportctl-items/1"
#define MAX_ITEMS 10000

static void item_clear(xc_item *it)
{
    xc_free(it->title);
    xc_free(it->definition);
    xc_strv_free(it->notes, it->n_notes);
    xc_free(it->source);
    for (size_t i = 0; i < it->n_maps; i++) {
        xc_strv_free(it->maps[i].reasons, it->maps[i].n_reasons);
        xc_strv_free(it->maps[i].flags, it->maps[i].n_flags);
        xc_free(it->maps[i].note);
        xc_free(it->maps[i].source);
    }
    xc_free(it->maps);
    memset(it, 0, sizeof(*it));
}

void xc_items_free(xc_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        item_clear(&items[i]);
    xc_free(items);
}

static int dup_strv(xc_jctx *c, const char **src, size_t n, char ***out)
{
    *out = xc_calloc(n ? n : 1, sizeof(char *));
    if (!*out)
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!((*out)[i] = xc_strdup(src[i])))
            return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    return XC_OK;
}

static int check_code(xc_jctx *c, const char *code, const char *path)
{
    size_t n = strlen(code);
    int ok = n >= 2 && n < XC_ITEM_CODE_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)code[i]) || code[i] == '.' || code[i] == '-';
    if (!ok)
        return xc_j_bad(c, XC_EINVAL, path,
                        "\"%s\" is not an item code; use letters, digits, dots and dashes (e.g. 4D004, 5A001.j)", code);
    return XC_OK;
}

static int parse_map(xc_jctx *c, json_t *o, const char *path, xc_item_map *m)
{
    static const char *const keys[] = {"regime", "code", "effective_from", "effective_to", "reasons", "flags",
                                       "note", "source", "confidence", NULL};
    const char *regime, *code, *note = NULL, *source, **reasons = NULL, **flags = NULL;
    size_t nr = 0, nf = 0;
    char p[256];
    int rc;
    m->to = XC_DATE_NONE;
    if ((rc = xc_j_keys(c, o, path, keys)) || (rc = xc_j_str(c, o, path, "regime", 1, &regime)) ||
        (rc = xc_j_str(c, o, path, "code", 1, &code)) || (rc = xc_j_date(c, o, path, "effective_from", 1, &m->from)) ||
        (rc = xc_j_date(c, o, path, "effective_to", 0, &m->to)) || (rc = xc_j_str(c, o, path, "note", 0, &note)) ||
        (rc = xc_j_str(c, o, path, "source", 1, &source)) || (rc = xc_j_conf(c, o, path, "confidence", &m->confidence)) ||
        (rc = xc_j_strs(c, o, path, "reasons", 0, &reasons, &nr)) || (rc = xc_j_strs(c, o, path, "flags", 0, &flags, &nf)))
        goto out;
    snprintf(p, sizeof(p), "%s.regime", path);
    if (strlen(regime) >= sizeof(m->regime)) {
        rc = xc_j_bad(c, XC_EINVAL, p, "\"%s\" is too long for a regime id", regime);
        goto out;
    }
    snprintf(p, sizeof(p), "%s.code", path);
    if ((rc = check_code(c, code, p)))
        goto out;
    if (m->to != XC_DATE_NONE && m->to <= m->from) {
        snprintf(p, sizeof(p), "%s.effective_to", path);
        rc = xc_j_bad(c, XC_EINVAL, p, "not after effective_from");
        goto out;
    }
    snprintf(m->regime, sizeof(m->regime), "%s", regime);
    snprintf(m->code, sizeof(m->code), "%s", code);
    if ((rc = dup_strv(c, reasons, nr, &m->reasons)))
        goto out;
    m->n_reasons = nr;
    if ((rc = dup_strv(c, flags, nf, &m->flags)))
        goto out;
    m->n_flags = nf;
    m->source = xc_strdup(source);
    m->note = note ? xc_strdup(note) : NULL;
    if (!m->source || (note && !m->note))
        rc = xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
out:
    xc_free(reasons);
    xc_free(flags);
    return rc;
}

static int parse_item(xc_jctx *c, json_t *o, const char *path, xc_item *it)
{
    static const char *const keys[] = {"code", "title", "definition", "notes", "source", "confidence", "regimes", NULL};
    const char *code, *title, *def, *source, **notes = NULL;
    size_t nn = 0;
    char p[256];
    int rc;
    if ((rc = xc_j_keys(c, o, path, keys)) || (rc = xc_j_str(c, o, path, "code", 1, &code)))
        return rc;
    snprintf(p, sizeof(p), "%s.code", path);
    if ((rc = check_code(c, code, p)))
        return rc;
    snprintf(it->code, sizeof(it->code), "%s", code);
    if ((rc = xc_j_str(c, o, path, "title", 1, &title)) || (rc = xc_j_str(c, o, path, "definition", 1, &def)) ||
        (rc = xc_j_str(c, o, path, "source", 1, &source)) || (rc = xc_j_conf(c, o, path, "confidence", &it->confidence)) ||
        (rc = xc_j_strs(c, o, path, "notes", 0, &notes, &nn)))
        return rc;
    rc = dup_strv(c, notes, nn, &it->notes);
    xc_free(notes);
    if (rc)
        return rc;
    it->n_notes = nn;
    it->title = xc_strdup(title);
    it->definition = xc_strdup(def);
    it->source = xc_strdup(source);
    if (!it->title || !it->definition || !it->source)
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    json_t *maps = json_object_get(o, "regimes");
    snprintf(p, sizeof(p), "%s.regimes", path);
    if (!json_is_array(maps) || json_array_size(maps) == 0)
        return xc_j_bad(c, XC_EINVAL, p, "expected a non-empty array of regime mappings");
    size_t n = json_array_size(maps);
    if (!(it->maps = xc_calloc(n, sizeof(*it->maps))))
        return xc_error_set(c->err, XC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char mp[256];
        snprintf(mp, sizeof(mp), "%s[%zu]", p, i);
        it->n_maps = i + 1;
        if ((rc = parse_map(c, json_array_get(maps, i), mp, &it->maps[i])))
            return rc;
        for (size_t j = 0; j < i; j++) {
            const xc_item_map *a = &it->maps[j], *b = &it->maps[i];
            int overlap = strcmp(a->regime, b->regime) == 0 && (a->to == XC_DATE_NONE || b->from < a->to) &&
                          (b->to == XC_DATE_NONE || a->from < b->to);
            if (overlap)
                return xc_j_bad(c, XC_EINVAL, mp, "overlaps %s[%zu]: two %s mappings in force at once", p, j,
                                b->regime);
        }
    }
    return XC_OK;
}

static int cmp_item(const void *a, const void *b)
{
    return strcasecmp(((const xc_item *)a)->code, ((const xc_item *)b)->code);
}

int xc_items_import_json(xc_store *s, const char *text, size_t len, const char *file, int *n_items, int *recorded,
                         xc_error *err)
{
    xc_jctx c = {file ? file : "(input)", err};
    json_t *root = NULL;
    const char *format;
    json_t **docs = NULL;
    const char **keys = NULL;
    size_t n = 0;
    static const char *const top[] = {"format", "items", "$comment", NULL};
    int rc = xc_json_parse(text, len, c.file, &root, err);
    *recorded = 0;
    if (rc || (rc = xc_j_keys(&c, root, "$", top)) || (rc = xc_j_str(&c, root, "$", "format", 1, &format)))
        goto out;
    if (strcmp(format, FORMAT_NAME) != 0) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.format", "\"%s\" is not supported; expected \"%s\"", format, FORMAT_NAME);
        goto out;
    }
    json_t *items = json_object_get(root, "items");
    n = json_array_size(items);
    if (!json_is_array(items) || n == 0 || n > MAX_ITEMS) {
        rc = xc_j_bad(&c, XC_EINVAL, "$.items", "expected an array of 1 to %d items", MAX_ITEMS);
        goto out;
    }
    docs = xc_calloc(n, sizeof(*docs));
    keys = xc_calloc(n, sizeof(*keys));
    if (!docs || !keys) {
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == XC_OK; i++) {
        char p[64];
        xc_item it;
        memset(&it, 0, sizeof(it));
        snprintf(p, sizeof(p), "$.items[%zu]", i);
        docs[i] = json_array_get(items, i);
        rc = parse_item(&c, docs[i], p, &it);
        if (rc == XC_OK) {
            keys[i] = json_string_value(json_object_get(docs[i], "code"));
            for (size_t j = 0; j < i && rc == XC_OK; j++)
                if (strcasecmp(keys[j], keys[i]) == 0)
                    rc = xc_j_bad(&c, XC_EINVAL, p, "item %s appears twice (also $.items[%zu])", keys[i], j);
        }
        item_clear(&it);
    }
    if (rc == XC_OK) {
        /* codes are compared without case: "5a980" may not become a second 5A980 */
        xc_item *have = NULL;
        size_t n_have = 0;
        rc = xc_items_load(s, XC_TS_LATEST, &have, &n_have, err);
        for (size_t i = 0; rc == XC_OK && i < n; i++) {
            const xc_item *old = xc_items_find(have, n_have, keys[i]);
            if (old && strcmp(old->code, keys[i]) != 0) {
                char p[64];
                snprintf(p, sizeof(p), "$.items[%zu].code", i);
                rc = xc_j_bad(&c, XC_EINVAL, p, "\"%s\" differs only in case from the recorded item %s; write it as %s",
                              keys[i], old->code, old->code);
            }
        }
        xc_items_free(have, n_have);
    }
    if (rc == XC_OK)
        rc = xc_docs_record(s, XC_DOC_ITEM, docs, keys, n, recorded, NULL, err);
    if (n_items)
        *n_items = (int)n;
out:
    xc_free(docs);
    xc_free(keys);
    json_decref(root);
    return rc;
}

int xc_items_load(xc_store *s, int64_t as_of, xc_item **out, size_t *n, xc_error *err)
{
    xc_doc *docs = NULL;
    size_t nd = 0;
    xc_item *items = NULL;
    int rc = xc_store_doc_latest(s, XC_DOC_ITEM, as_of, &docs, &nd, err);
    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    if (!(items = xc_calloc(nd ? nd : 1, sizeof(*items)))) {
        xc_docs_free(docs, nd);
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < nd && rc == XC_OK; i++) {
        json_t *o = NULL;
        char where[96];
        snprintf(where, sizeof(where), "stored item %s", docs[i].key);
        xc_jctx c = {where, err};
        rc = xc_json_parse(docs[i].body, strlen(docs[i].body), where, &o, err);
        if (rc == XC_OK)
            rc = parse_item(&c, o, "$", &items[i]);
        json_decref(o);
        memcpy(items[i].hash, docs[i].hash, sizeof(items[i].hash));
        items[i].doc_id = docs[i].id;
        items[i].recorded_at = docs[i].recorded_at;
    }
    xc_docs_free(docs, nd);
    if (rc) {
        xc_items_free(items, nd);
        return rc;
    }
    qsort(items, nd, sizeof(*items), cmp_item);
    *out = items;
    *n = nd;
    return XC_OK;
}

const xc_item *xc_items_find(const xc_item *items, size_t n, const char *code)
{
    xc_item key;
    if (!code || strlen(code) >= sizeof(key.code))
        return NULL;
    snprintf(key.code, sizeof(key.code), "%s", code);
    return n ? bsearch(&key, items, n, sizeof(*items), cmp_item) : NULL;
}

int xc_items_lookup(const xc_item *items, size_t n, const char *code, const char *field, const xc_item **out,
                    xc_error *err)
{
    const char *what = field ? field : "item";
    *out = xc_items_find(items, n, code);
    if (*out)
        return XC_OK;
    char near[256] = "";
    /* same category and product group (first three characters, e.g. "4D0") */
    size_t len = code ? strcspn(code, ".") : 0;
    if (len > 3)
        len = 3;
    for (size_t i = 0; i < n && len; i++)
        if (strncasecmp(items[i].code, code, len) == 0)
            snprintf(near + strlen(near), sizeof(near) - strlen(near), "%s%s", near[0] ? ", " : "", items[i].code);
    if (near[0])
        return xc_error_set(err, XC_EINVAL, field, "%s: unknown item \"%s\"; did you mean one of: %s?", what,
                            code ? code : "", near);
    return xc_error_set(err, XC_EINVAL, field, "%s: unknown item \"%s\"; see `exportctl item ls` (%zu items)", what,
                        code ? code : "", n);
}

const xc_item_map *xc_item_mapping(const xc_item *it, const char *regime, xc_date at)
{
    for (size_t i = 0; i < it->n_maps; i++) {
        const xc_item_map *m = &it->maps[i];
        if (strcmp(m->regime, regime) == 0 && m->from <= at && (m->to == XC_DATE_NONE || at < m->to))
            return m;
    }
    return NULL;
}

int xc_item_map_has_flag(const xc_item_map *m, const char *flag)
{
    for (size_t i = 0; m && i < m->n_flags; i++)
        if (strcmp(m->flags[i], flag) == 0)
            return 1;
    return 0;
}

static json_t *strv_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

json_t *xc_item_json(const xc_item *it)
{
    char t[XC_TS_BUF];
    json_t *maps = json_array();
    for (size_t i = 0; maps && i < it->n_maps; i++) {
        const xc_item_map *m = &it->maps[i];
        char f[XC_DATE_BUF], to[XC_DATE_BUF];
        json_array_append_new(
            maps, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "regime", m->regime, "code", m->code,
                            "effective_from", xc_date_format(m->from, f), "effective_to",
                            m->to == XC_DATE_NONE ? json_null() : json_string(xc_date_format(m->to, to)), "reasons",
                            strv_json(m->reasons, m->n_reasons), "flags", strv_json(m->flags, m->n_flags), "note",
                            m->note ? json_string(m->note) : json_null(), "source", m->source, "confidence",
                            xc_confidence_name(m->confidence)));
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s}", "code", it->code, "title", it->title,
                     "definition", it->definition, "notes", strv_json(it->notes, it->n_notes), "source", it->source,
                     "confidence", xc_confidence_name(it->confidence), "regimes", maps, "content_hash", it->hash,
                     "recorded_at", xc_ts_format(it->recorded_at, t));
}

json_t *xc_items_json(const xc_item *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, xc_item_json(&items[i]));
    return json_pack("{s:o}", "items", a);
}

json_t *xc_items_import_report_json(const char *file, const char *kind, int in_file, int recorded)
{
    return json_pack("{s:s, s:s, s:i, s:i}", "file", file, "kind", kind, "in_file", in_file, "recorded", recorded);
}
