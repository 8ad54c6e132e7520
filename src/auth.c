/*
 * auth.c: who is asking.  Role names, bearer tokens (256 random bits shown
 * once, stored only as their SHA-256) and Argon2id passwords for the users
 * of the licensing module.  Tokens and passwords are versioned documents
 * (kinds "token" and "password"); every change appends an audit event in
 * the same transaction, whose payload never holds a token, a token's full
 * hash, a password or a password hash.
 *
 * Lookup never compares secrets: the presented token is checked for its
 * format, hashed, and the hash is the key of an indexed store lookup.  An
 * attacker timing that lookup learns at most about hashes of guesses, which
 * says nothing about a 256-bit random token.
 */
#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "docs.h"
#include "licence.h"
#include "mem.h"

#define TOKEN_PREFIX "xct_"
#define TOKEN_PREFIX_LEN 4
#define TOKEN_RAW 32
#define ID_LEN 16
#define MAX_LABEL 200
#define MAX_REASON 1000
#define PW_MIN 8
#define PW_MAX 1024

static const char BAD_TOKEN[] = "unknown or revoked token";
static const char BAD_PASSWORD[] = "wrong user name or password";

/* An Argon2id string (of an unguessable dummy password) verified when the
 * user has no password, so that unknown users cost as much as wrong
 * passwords and cannot be told apart by timing. */
static const char DUMMY_HASH[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$U7yNQLZFceFvtXK1rm9P0g$rGY4NR9nor8IrM7Avp8wBccjRPqhAxhNo9p2J2FedSA";

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
    {XC_ROLE_ADMIN, "admin"},       {XC_ROLE_OFFICER, "officer"}, {XC_ROLE_EXPORTER, "exporter"},
    {XC_ROLE_AUDITOR, "auditor"},   {XC_ROLE_PUBLIC, "public"},
};

const char *xc_role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].bit == role)
            return roles[i].name;
    return "unknown";
}

unsigned xc_role_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int oom(xc_error *err)
{
    return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* "xct_" + 64 lowercase hex digits, and nothing after them.  strnlen never
 * reads past the token's declared length, so a long input costs nothing. */
static int token_format_ok(const char *t)
{
    return t && strnlen(t, XC_TOKEN_LEN + 1) == XC_TOKEN_LEN && memcmp(t, TOKEN_PREFIX, TOKEN_PREFIX_LEN) == 0 &&
           is_lower_hex(t + TOKEN_PREFIX_LEN, XC_TOKEN_LEN - TOKEN_PREFIX_LEN);
}

/* Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static int utf8_valid(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (!len || i + len > n)
            return 0;
        unsigned cp = len == 1 ? c : c & (0x7fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* Optional free text (label, reason): at most max bytes of valid UTF-8
 * without control characters.  NULL or "" is "none". */
static int text_ok(const char *v, size_t max, const char *field, xc_error *err)
{
    if (!v || !*v)
        return XC_OK;
    size_t n = strnlen(v, max + 1);
    if (n > max)
        return xc_error_set(err, XC_EINVAL, field, "%s: at most %zu bytes", field, max);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return xc_error_set(err, XC_EINVAL, field, "%s: control characters are not allowed", field);
    if (!utf8_valid((const unsigned char *)v, n))
        return xc_error_set(err, XC_EINVAL, field, "%s: not valid UTF-8", field);
    return XC_OK;
}

/* The latest version of a document as JSON; XC_ENOTFOUND (err untouched
 * beyond the store's message) when there is none. */
static int load_doc(xc_store *s, const char *kind, const char *key, json_t **out, xc_error *err)
{
    xc_doc d;
    memset(&d, 0, sizeof(d));
    *out = NULL;
    int rc = xc_store_doc_get(s, kind, key, &d, err);
    if (rc)
        return rc;
    json_error_t je;
    *out = json_loads(d.body, 0, &je);
    xc_doc_clear(&d);
    if (*out)
        return XC_OK;
    if (json_error_code(&je) == json_error_out_of_memory)
        return oom(err);
    return xc_error_set(err, XC_EINTERNAL, NULL, "a stored %s document is unreadable", kind);
}

/* Record a version of a document (canonicalised here); *id gets its row. */
static int put_doc(xc_store *s, const char *kind, const char *key, json_t *doc, int64_t *id, xc_error *err)
{
    char hash[65], *canon = NULL;
    int recorded = 0;
    int rc = xc_json_canon(doc, &canon, hash, err);
    if (rc == XC_OK)
        rc = xc_store_doc_put(s, kind, key, hash, canon, &recorded, id, err);
    xc_free(canon);
    return rc;
}

/* Role bit of a registered, active user's document (0 otherwise). */
static unsigned active_role(json_t *u)
{
    if (!u || !json_is_true(json_object_get(u, "active")))
        return 0;
    return xc_role_parse(jstr(u, "role")) & XC_ROLES_USERS;
}

/* Whether actor is a registered, active admin.  XC_OK with *yes set, or a
 * store failure. */
static int actor_is_admin(xc_store *s, const char *actor, int *yes, xc_error *err)
{
    json_t *u = NULL;
    *yes = 0;
    if (!actor || !*actor)
        return XC_OK;
    int rc = xc_user_get(s, actor, &u, err);
    if (rc == XC_ENOTFOUND) {
        xc_error_clear(err);
        return XC_OK;
    }
    if (rc)
        return rc;
    *yes = active_role(u) == XC_ROLE_ADMIN;
    json_decref(u);
    return XC_OK;
}

/* Fill a principal from a user's document. */
static int fill_principal(json_t *u, unsigned role, xc_principal *who, xc_error *err, const char *fail_msg)
{
    const char *name = jstr(u, "name"), *org = jstr(u, "org");
    memset(who, 0, sizeof(*who));
    if (!name || strlen(name) >= sizeof(who->user) || (org && strlen(org) >= sizeof(who->org)))
        return xc_error_set(err, XC_EUNAUTH, NULL, "%s", fail_msg);
    who->role = role;
    snprintf(who->user, sizeof(who->user), "%s", name);
    if (role == XC_ROLE_EXPORTER && org)
        snprintf(who->org, sizeof(who->org), "%s", org);
    return XC_OK;
}

/* ---- tokens ------------------------------------------------------------------------------ */

/* The document key of a token: the hex SHA-256 of its 68 characters. */
static void token_key(const char *token, char key[65])
{
    xc_sha256_hex(token, XC_TOKEN_LEN, key);
}

/* Resolve an id (16 hex digits), a full hash (64 hex digits) or a token to
 * its document key and latest version. */
static int token_find(xc_store *s, const char *ref, char key[65], json_t **doc, xc_error *err)
{
    size_t n = ref ? strnlen(ref, XC_TOKEN_LEN + 1) : 0;
    *doc = NULL;
    if (n == XC_TOKEN_LEN && token_format_ok(ref)) {
        token_key(ref, key);
    } else if (n == 64 && is_lower_hex(ref, 64)) {
        memcpy(key, ref, 65);
    } else if (n == ID_LEN && is_lower_hex(ref, ID_LEN)) {
        xc_doc *d = NULL;
        size_t nd = 0, found = 0;
        int rc = xc_store_doc_latest(s, XC_DOC_TOKEN, XC_TS_LATEST, &d, &nd, err);
        if (rc)
            return rc;
        for (size_t i = 0; i < nd; i++) {
            if (strncmp(d[i].key, ref, ID_LEN) == 0 && found++ == 0)
                snprintf(key, 65, "%s", d[i].key);
        }
        xc_docs_free(d, nd);
        if (found == 0)
            return xc_error_set(err, XC_ENOTFOUND, "id", "token %s does not exist (see `exportctl token ls`)", ref);
        if (found > 1)
            return xc_error_set(err, XC_ECONFLICT, "id", "token id %s is ambiguous: revoke by the token itself", ref);
    } else {
        return xc_error_set(err, XC_EINVAL, "id",
                            "id: expected a token id (16 lowercase hex digits) or a token (xct_ and 64 hex digits)");
    }
    int rc = load_doc(s, XC_DOC_TOKEN, key, doc, err);
    if (rc == XC_ENOTFOUND)
        return xc_error_set(err, XC_ENOTFOUND, "id", "no such token (see `exportctl token ls`)");
    return rc;
}

/* Number of tokens ever created (revoked ones count). */
static int token_count(xc_store *s, size_t *n, xc_error *err)
{
    char **keys = NULL;
    int rc = xc_store_doc_keys(s, XC_DOC_TOKEN, XC_TS_LATEST, &keys, n, err);
    xc_strv_free(keys, *n);
    return rc;
}

/* Inside the open transaction: check the rules, mint, record, audit. */
static int token_create_tx(xc_store *s, const char *actor, const char *user, const char *role, const char *label,
                           char token[XC_TOKEN_LEN + 1], char id[ID_LEN + 1], xc_error *err)
{
    json_t *u = NULL, *doc = NULL, *ev = NULL, *old = NULL;
    size_t ntok = 0;
    int admin = 0, self = actor && strcmp(actor, user) == 0;
    unsigned char raw[TOKEN_RAW];
    char key[65], ts[XC_TS_BUF], tok[XC_TOKEN_LEN + 1];
    int64_t doc_id = 0;
    const char *by = actor && *actor ? actor : xc_store_actor(s);

    /* who may ask, before saying anything about the user; tokens are
     * counted only for the bootstrap rule (neither admin nor self) */
    int rc = actor_is_admin(s, actor, &admin, err);
    if (rc == XC_OK && !admin && !self)
        rc = token_count(s, &ntok, err);
    if (rc == XC_OK && ntok > 0 && !admin && !self)
        rc = xc_error_set(err, XC_EFORBIDDEN, "actor",
                          "creating a token for another user needs the role admin; \"%s\" is not an active admin",
                          by);
    if (rc == XC_OK) {
        rc = xc_user_get(s, user, &u, err);
        if (rc == XC_ENOTFOUND)
            xc_error_set(err, rc, "user", "user \"%s\" does not exist (see `exportctl user add`)", user);
    }
    unsigned urole = rc == XC_OK ? active_role(u) : 0;
    if (rc == XC_OK && !json_is_true(json_object_get(u, "active")))
        rc = xc_error_set(err, XC_ECONFLICT, "user", "user \"%s\" is not active", user);
    else if (rc == XC_OK && !urole)
        rc = xc_error_set(err, XC_EINTERNAL, "user", "user \"%s\" has an unknown role", user);
    if (rc == XC_OK && role && *role && xc_role_parse(role) != urole)
        rc = xc_error_set(err, XC_ECONFLICT, "role",
                          "role: a token's role is its user's role: user \"%s\" is %s, not %s", user,
                          xc_role_name(urole), role);
    if (rc == XC_OK && ntok == 0 && !admin && !self && urole != XC_ROLE_ADMIN)
        rc = xc_error_set(err, XC_EFORBIDDEN, "user",
                          "bootstrap: the first token of a database must be an admin's (user \"%s\" is %s); "
                          "an admin creates the others",
                          user, xc_role_name(urole));
    if (rc)
        goto out;

    randombytes_buf(raw, sizeof(raw));
    memcpy(tok, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
    sodium_bin2hex(tok + TOKEN_PREFIX_LEN, sizeof(tok) - TOKEN_PREFIX_LEN, raw, sizeof(raw));
    token_key(tok, key);
    rc = load_doc(s, XC_DOC_TOKEN, key, &old, err);
    if (rc == XC_OK) {
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "a fresh random token collided with a stored one");
        goto out;
    }
    if (rc != XC_ENOTFOUND)
        goto out;
    xc_error_clear(err);
    rc = XC_OK;

    memcpy(id, key, ID_LEN);
    id[ID_LEN] = '\0';
    xc_ts_format(xc_store_tx_time(s), ts);
    doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:b}", "id", id, "user", user, "role", xc_role_name(urole),
                    "label", label && *label ? json_string(label) : json_null(), "created_by", by, "created_at", ts,
                    "revoked", 0);
    if (!doc) {
        rc = oom(err);
        goto out;
    }
    if ((rc = put_doc(s, XC_DOC_TOKEN, key, doc, &doc_id, err)))
        goto out;
    ev = json_pack("{s:s, s:s, s:s, s:O, s:I}", "id", id, "user", user, "role", xc_role_name(urole), "label",
                   json_object_get(doc, "label"), "doc_id", (json_int_t)doc_id);
    rc = ev ? xc_audit_append(s, by, "token.create", id, ev, NULL, err) : oom(err);
    if (rc == XC_OK)
        memcpy(token, tok, sizeof(tok));
out:
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(tok, sizeof(tok));
    json_decref(u);
    json_decref(doc);
    json_decref(ev);
    json_decref(old);
    return rc;
}

int xc_token_create(xc_store *s, const char *actor, const char *user, const char *role, const char *label,
                    char token[XC_TOKEN_LEN + 1], char id[17], xc_error *err)
{
    int own, rc;
    token[0] = '\0';
    id[0] = '\0';
    if (sodium_init() < 0)
        return xc_error_set(err, XC_EINTERNAL, NULL, "libsodium failed to initialise");
    if (!user || !*user)
        return xc_error_set(err, XC_EINVAL, "user", "user: a token belongs to a user (give --user NAME)");
    if (role && *role && !(xc_role_parse(role) & XC_ROLES_USERS))
        return xc_error_set(err, XC_EINVAL, "role", "role: \"%s\" is not admin, officer, exporter or auditor", role);
    if ((rc = text_ok(label, MAX_LABEL, "label", err)))
        return rc;
    if ((rc = xc_store_join(s, &own, err)))
        return rc;
    rc = token_create_tx(s, actor, user, role, label, token, id, err);
    rc = xc_store_finish(s, own, rc, err);
    if (rc) {
        sodium_memzero(token, XC_TOKEN_LEN + 1);
        id[0] = '\0';
    }
    return rc;
}

int xc_token_create_json(xc_store *s, const char *actor, const char *user, const char *role, const char *label,
                         json_t **out, xc_error *err)
{
    char token[XC_TOKEN_LEN + 1], id[ID_LEN + 1];
    json_t *t = NULL;
    int own;
    *out = NULL;
    /* one transaction: no token is recorded unless its JSON could be built */
    int rc = xc_store_join(s, &own, err);
    if (rc)
        return rc;
    rc = xc_token_create(s, actor, user, role, label, token, id, err);
    if (rc == XC_OK)
        rc = xc_token_get(s, token, &t, err); /* by the token: a keyed lookup, no scan */
    if (rc == XC_OK && !(*out = json_pack("{s:s, s:O, s:O, s:O, s:s}", "id", id, "user", json_object_get(t, "user"),
                                          "role", json_object_get(t, "role"), "label", json_object_get(t, "label"),
                                          "token", token)))
        rc = oom(err);
    json_decref(t);
    sodium_memzero(token, sizeof(token));
    rc = xc_store_finish(s, own, rc, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int xc_token_revoke_reason(xc_store *s, const char *actor, const char *id_or_token, const char *reason,
                           xc_error *err)
{
    json_t *doc = NULL, *ev = NULL;
    char key[65], ts[XC_TS_BUF];
    int own, admin = 0;
    int64_t doc_id = 0;
    int rc = text_ok(reason, MAX_REASON, "reason", err);
    if (rc || (rc = xc_store_join(s, &own, err)))
        return rc;
    const char *by = actor && *actor ? actor : xc_store_actor(s);
    rc = token_find(s, id_or_token, key, &doc, err);
    const char *id = jstr(doc, "id"), *user = jstr(doc, "user");
    if (rc == XC_OK && (!id || !user))
        rc = xc_error_set(err, XC_EINTERNAL, NULL, "a stored token document lacks its id or user");
    if (rc == XC_OK && !(actor && strcmp(actor, user) == 0) && (rc = actor_is_admin(s, actor, &admin, err)) == XC_OK &&
        !admin)
        rc = xc_error_set(err, XC_EFORBIDDEN, "actor",
                          "revoking another user's token needs the role admin; \"%s\" is not an active admin", by);
    if (rc == XC_OK && json_is_true(json_object_get(doc, "revoked")))
        rc = xc_error_set(err, XC_ECONFLICT, "id", "token %s is already revoked", id);
    if (rc == XC_OK) {
        xc_ts_format(xc_store_tx_time(s), ts);
        if (json_object_set_new(doc, "revoked", json_true()) || json_object_set_new(doc, "revoked_by", json_string(by)) ||
            json_object_set_new(doc, "revoked_at", json_string(ts)) ||
            json_object_set_new(doc, "reason", reason && *reason ? json_string(reason) : json_null()))
            rc = oom(err);
    }
    if (rc == XC_OK)
        rc = put_doc(s, XC_DOC_TOKEN, key, doc, &doc_id, err);
    if (rc == XC_OK) {
        ev = json_pack("{s:s, s:s, s:O, s:O, s:O, s:I}", "id", id, "user", user, "role", json_object_get(doc, "role"),
                       "label", json_object_get(doc, "label"), "reason", json_object_get(doc, "reason"), "doc_id",
                       (json_int_t)doc_id);
        rc = ev ? xc_audit_append(s, by, "token.revoke", id, ev, NULL, err) : oom(err);
    }
    json_decref(ev);
    json_decref(doc);
    return xc_store_finish(s, own, rc, err);
}

int xc_token_revoke(xc_store *s, const char *actor, const char *id_or_token, xc_error *err)
{
    return xc_token_revoke_reason(s, actor, id_or_token, NULL, err);
}

int xc_token_get(xc_store *s, const char *id_or_token, json_t **out, xc_error *err)
{
    char key[65];
    return token_find(s, id_or_token, key, out, err);
}

int xc_token_lookup(xc_store *s, const char *token, xc_principal *who, xc_error *err)
{
    json_t *doc = NULL, *u = NULL;
    char key[65];
    memset(who, 0, sizeof(*who));
    /* format first: nothing malformed reaches the store */
    if (!token || !*token)
        return xc_error_set(err, XC_EUNAUTH, "token", "missing token");
    if (!token_format_ok(token))
        return xc_error_set(err, XC_EUNAUTH, "token",
                            "malformed token: expected \"xct_\" and 64 lowercase hex digits");
    token_key(token, key);
    int rc = load_doc(s, XC_DOC_TOKEN, key, &doc, err);
    if (rc == XC_ENOTFOUND || (rc == XC_OK && !json_is_false(json_object_get(doc, "revoked"))))
        rc = xc_error_set(err, XC_EUNAUTH, "token", "%s", BAD_TOKEN);
    if (rc == XC_OK) {
        rc = xc_user_get(s, jstr(doc, "user"), &u, err);
        if (rc == XC_ENOTFOUND)
            rc = xc_error_set(err, XC_EUNAUTH, "token", "%s: its user no longer exists", BAD_TOKEN);
    }
    unsigned role = rc == XC_OK ? active_role(u) : 0;
    if (rc == XC_OK && !role)
        rc = xc_error_set(err, XC_EUNAUTH, "token", "%s: its user is not active", BAD_TOKEN);
    if (rc == XC_OK && role != xc_role_parse(jstr(doc, "role")))
        rc = xc_error_set(err, XC_EUNAUTH, "token", "%s: its user's role changed (create a new token)", BAD_TOKEN);
    if (rc == XC_OK)
        rc = fill_principal(u, role, who, err, BAD_TOKEN);
    if (rc)
        memset(who, 0, sizeof(*who));
    json_decref(doc);
    json_decref(u);
    return rc;
}

static int by_created(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *cx = jstr(x, "created_at"), *cy = jstr(y, "created_at");
    int c = strcmp(cx ? cx : "", cy ? cy : "");
    if (c)
        return c;
    const char *ix = jstr(x, "id"), *iy = jstr(y, "id");
    return strcmp(ix ? ix : "", iy ? iy : "");
}

int xc_tokens_json(xc_store *s, const char *user, json_t **out, xc_error *err)
{
    xc_doc *d = NULL;
    size_t n = 0, k = 0;
    json_t **v = NULL, *a = NULL;
    *out = NULL;
    int rc = xc_store_doc_latest(s, XC_DOC_TOKEN, XC_TS_LATEST, &d, &n, err);
    if (rc)
        return rc;
    if (n && !(v = xc_calloc(n, sizeof(*v))))
        rc = oom(err);
    for (size_t i = 0; rc == XC_OK && i < n; i++) {
        json_error_t je;
        json_t *t = json_loads(d[i].body, 0, &je);
        if (!t && json_error_code(&je) == json_error_out_of_memory)
            rc = oom(err);
        else if (!t)
            rc = xc_error_set(err, XC_EINTERNAL, NULL, "a stored token document is unreadable");
        else if (user && *user && (!jstr(t, "user") || strcmp(jstr(t, "user"), user) != 0))
            json_decref(t);
        else
            v[k++] = t;
    }
    if (rc == XC_OK && k > 1)
        qsort(v, k, sizeof(*v), by_created);
    if (rc == XC_OK && !(a = json_array()))
        rc = oom(err);
    for (size_t i = 0; i < k; i++) {
        if (rc == XC_OK && json_array_append(a, v[i]))
            rc = oom(err);
        json_decref(v[i]);
    }
    if (rc == XC_OK && !(*out = json_pack("{s:O}", "tokens", a)))
        rc = oom(err);
    json_decref(a);
    xc_free(v);
    xc_docs_free(d, n);
    return rc;
}

/* ---- passwords --------------------------------------------------------------------------- */

int xc_password_set(xc_store *s, const char *actor, const char *user, const char *password, xc_error *err)
{
    json_t *u = NULL, *doc = NULL, *ev = NULL;
    char hash[crypto_pwhash_STRBYTES], ts[XC_TS_BUF];
    int own = 0, admin = 0, joined = 0, self = actor && user && strcmp(actor, user) == 0;
    int64_t doc_id = 0;
    size_t n = password ? strnlen(password, PW_MAX + 1) : 0;
    if (sodium_init() < 0)
        return xc_error_set(err, XC_EINTERNAL, NULL, "libsodium failed to initialise");
    if (!user || !*user)
        return xc_error_set(err, XC_EINVAL, "user", "user: whose password (give a user name)");
    if (n < PW_MIN || n > PW_MAX)
        return xc_error_set(err, XC_EINVAL, "password", "password: must be %d to %d bytes", PW_MIN, PW_MAX);
    const char *by = actor && *actor ? actor : xc_store_actor(s);

    /* who may, and whether the user exists, before spending time hashing */
    int rc = actor_is_admin(s, actor, &admin, err);
    if (rc == XC_OK && !admin && !self)
        rc = xc_error_set(err, XC_EFORBIDDEN, "actor",
                          "setting another user's password needs the role admin; \"%s\" is not an active admin", by);
    if (rc == XC_OK) {
        rc = xc_user_get(s, user, &u, err);
        if (rc == XC_ENOTFOUND && self)
            rc = xc_error_set(err, XC_EFORBIDDEN, "actor", "\"%s\" is not a registered user", by);
    }
    if (rc == XC_OK && !admin && !active_role(u))
        rc = xc_error_set(err, XC_EFORBIDDEN, "actor", "user \"%s\" is not active", user);
    if (rc == XC_OK &&
        crypto_pwhash_str_alg(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        rc = xc_error_set(err, XC_ENOMEM, NULL, "out of memory hashing the password");
    if (rc == XC_OK && (rc = xc_store_join(s, &own, err)) == XC_OK)
        joined = 1;
    if (rc == XC_OK) {
        xc_ts_format(xc_store_tx_time(s), ts);
        if (!(doc = json_pack("{s:s, s:s, s:s, s:s}", "user", user, "hash", hash, "set_by", by, "set_at", ts)))
            rc = oom(err);
    }
    if (rc == XC_OK)
        rc = put_doc(s, XC_DOC_PASSWORD, user, doc, &doc_id, err);
    if (rc == XC_OK) {
        ev = json_pack("{s:s, s:I}", "user", user, "doc_id", (json_int_t)doc_id);
        rc = ev ? xc_audit_append(s, by, "user.password", user, ev, NULL, err) : oom(err);
    }
    if (joined)
        rc = xc_store_finish(s, own, rc, err);
    sodium_memzero(hash, sizeof(hash));
    json_decref(ev);
    json_decref(doc);
    json_decref(u);
    return rc;
}

int xc_password_check(xc_store *s, const char *user, const char *password, xc_principal *who, xc_error *err)
{
    json_t *u = NULL, *pw = NULL;
    memset(who, 0, sizeof(*who));
    if (sodium_init() < 0)
        return xc_error_set(err, XC_EINTERNAL, NULL, "libsodium failed to initialise");
    size_t n = password ? strnlen(password, PW_MAX + 1) : 0;
    if (!user || !*user || n == 0 || n > PW_MAX)
        return xc_error_set(err, XC_EUNAUTH, "password", "%s", BAD_PASSWORD);
    int rc = load_doc(s, XC_DOC_PASSWORD, user, &pw, err);
    if (rc == XC_OK || rc == XC_ENOTFOUND) {
        rc = xc_user_get(s, user, &u, err);
        if (rc == XC_ENOTFOUND)
            rc = XC_OK;
    }
    if (rc) { /* the store failed: not the client's fault */
        json_decref(pw);
        return rc;
    }
    /* always verify something, so that a missing user or password takes as long as a wrong one */
    const char *hash = jstr(pw, "hash");
    char stored[crypto_pwhash_STRBYTES];
    int have = hash && strlen(hash) < sizeof(stored);
    snprintf(stored, sizeof(stored), "%s", have ? hash : DUMMY_HASH);
    int good = crypto_pwhash_str_verify(stored, password, n) == 0 && have;
    unsigned role = active_role(u);
    if (good && role)
        rc = fill_principal(u, role, who, err, BAD_PASSWORD);
    else
        rc = xc_error_set(err, XC_EUNAUTH, "password", "%s", BAD_PASSWORD);
    json_decref(pw);
    json_decref(u);
    return rc;
}
