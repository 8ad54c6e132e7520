/*
 * test_auth.c: authentication on real SQLite files (opened with
 * xc_db_open) and through the real exportctl binary: role names; token
 * create, lookup and revoke; the bootstrap rule; role rules (non-admins,
 * self-service, role mismatch); malformed tokens refused without touching
 * the store; revoked tokens and deactivated, re-roled or unknown users;
 * token values and hashes absent from every audit event; Argon2id
 * passwords; and the CLI contract that the token is the last word of the
 * last line of `token create`.
 */
#include "testutil.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "date.h"
#include "db.h"
#include "docs.h"
#include "licence.h"
#include "mem.h"

/* ---- helpers -------------------------------------------------------------------------- */

/* Users: admin (bootstrap), officer olga, auditor audrey, exporter eve of acme. */
static void actors(xc_store *s)
{
    xc_error err;
    OK(xc_user_add(s, "bootstrap", "admin", "admin", NULL, &err));
    OK(xc_org_add(s, "admin", "acme", "Acme Cyber Ltd", "IL", &err));
    OK(xc_user_add(s, "admin", "olga", "officer", NULL, &err));
    OK(xc_user_add(s, "admin", "audrey", "auditor", NULL, &err));
    OK(xc_user_add(s, "admin", "eve", "exporter", "acme", &err));
}

/* Write a new version of a user's document with one field changed (there
 * is no library call to deactivate a user or change a role yet). */
static void user_set(xc_store *s, const char *name, const char *field, json_t *value)
{
    xc_error err;
    json_t *u = NULL;
    char *canon = NULL, hash[65];
    int rec = 0;
    int64_t id = 0;
    OK(xc_user_get(s, name, &u, &err));
    json_object_set_new(u, field, value);
    OK(xc_store_begin(s, &err));
    OK(xc_json_canon(u, &canon, hash, &err));
    OK(xc_store_doc_put(s, XC_DOC_USER, name, hash, canon, &rec, &id, &err));
    OK(xc_audit_append(s, "admin", "user.test-change", name, NULL, NULL, &err));
    OK(xc_store_commit(s, &err));
    xc_free(canon);
    json_decref(u);
}

static int is_token(const char *t)
{
    if (strlen(t) != XC_TOKEN_LEN || strncmp(t, "xct_", 4) != 0)
        return 0;
    for (const char *p = t + 4; *p; p++)
        if (!strchr("0123456789abcdef", *p))
            return 0;
    return 1;
}

/* Every audit event's canonical body, concatenated. */
static int collect(void *ctx, const xc_event_row *ev, xc_error *err)
{
    (void)err;
    json_t *a = ctx;
    json_array_append_new(a, json_stringn(ev->body, ev->body_len));
    return 0;
}

static char *all_events(xc_store *s)
{
    xc_error err;
    json_t *a = json_array();
    OK(xc_store_events_scan(s, 1, -1, collect, a, &err));
    size_t i, len = 1;
    json_t *v;
    json_array_foreach(a, i, v) len += json_string_length(v) + 1;
    char *out = calloc(1, len);
    json_array_foreach(a, i, v)
    {
        strcat(out, json_string_value(v));
        strcat(out, "\n");
    }
    json_decref(a);
    return out;
}

/* ---- roles ------------------------------------------------------------------------------ */

static void test_role_names(void **state)
{
    (void)state;
    static const char *const names[] = {"public", "admin", "officer", "exporter", "auditor"};
    for (size_t i = 0; i < 5; i++) {
        unsigned r = xc_role_parse(names[i]);
        assert_true(r & XC_ROLES_ALL);
        assert_string_equal(xc_role_name(r), names[i]);
    }
    assert_int_equal(xc_role_parse("root"), 0);
    assert_int_equal(xc_role_parse(""), 0);
    assert_int_equal(xc_role_parse(NULL), 0);
    assert_int_equal(xc_role_parse("Admin"), 0);
    assert_string_equal(xc_role_name(0), "unknown");
    assert_string_equal(xc_role_name(XC_ROLE_ADMIN | XC_ROLE_OFFICER), "unknown");
    assert_int_equal(XC_ROLES_ALL & XC_ROLES_USERS, XC_ROLES_USERS);
    assert_false(XC_ROLES_USERS & XC_ROLE_PUBLIC);
}

/* ---- tokens ---------------------------------------------------------------------------- */

static void test_create_lookup_revoke(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("tokens.db");
    xc_error err;
    xc_principal who;
    char tok[XC_TOKEN_LEN + 1], id[17], tok_olga[XC_TOKEN_LEN + 1], id_olga[17], tok_eve[XC_TOKEN_LEN + 1],
        id_eve[17], hash[65];
    actors(s);

    /* bootstrap: the first token, for the admin, by anyone */
    OK(xc_token_create(s, "local:someone", "admin", "admin", "first", tok, id, &err));
    assert_true(is_token(tok));
    xc_sha256_hex(tok, strlen(tok), hash);
    assert_int_equal(strlen(id), 16);
    assert_memory_equal(id, hash, 16);
    OK(xc_token_lookup(s, tok, &who, &err));
    assert_int_equal(who.role, XC_ROLE_ADMIN);
    assert_string_equal(who.user, "admin");
    assert_string_equal(who.org, "");

    /* only the hash is stored, keyed by it */
    xc_doc d;
    memset(&d, 0, sizeof(d));
    OK(xc_store_doc_get(s, XC_DOC_TOKEN, hash, &d, &err));
    assert_null(strstr(d.body, tok + 4));
    json_t *body = json_loads(d.body, 0, NULL);
    assert_string_equal(js(body, "id"), id);
    assert_string_equal(js(body, "user"), "admin");
    assert_string_equal(js(body, "role"), "admin");
    assert_string_equal(js(body, "label"), "first");
    assert_string_equal(js(body, "created_by"), "local:someone");
    assert_true(json_is_false(json_object_get(body, "revoked")));
    assert_true(strlen(js(body, "created_at")) > 0);
    json_decref(body);
    xc_doc_clear(&d);

    /* role defaults to the user's; exporters carry their organisation */
    OK(xc_token_create(s, "admin", "olga", NULL, NULL, tok_olga, id_olga, &err));
    OK(xc_token_lookup(s, tok_olga, &who, &err));
    assert_int_equal(who.role, XC_ROLE_OFFICER);
    assert_string_equal(who.user, "olga");
    assert_string_equal(who.org, "");
    OK(xc_token_create(s, "admin", "eve", "exporter", "ci", tok_eve, id_eve, &err));
    OK(xc_token_lookup(s, tok_eve, &who, &err));
    assert_int_equal(who.role, XC_ROLE_EXPORTER);
    assert_string_equal(who.user, "eve");
    assert_string_equal(who.org, "acme");
    assert_string_not_equal(tok_olga, tok_eve);

    /* the rules */
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_token_create(s, "olga", "eve", NULL, NULL, tok, id, &err));
    assert_string_equal(tok, "");
    assert_string_equal(id, "");
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_token_create(s, "local:someone", "admin", NULL, NULL, tok, id, &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_token_create(s, NULL, "admin", NULL, NULL, tok, id, &err));
    FAILS(XC_ECONFLICT, "is officer, not admin", xc_token_create(s, "admin", "olga", "admin", NULL, tok, id, &err));
    assert_string_equal(err.field, "role");
    FAILS(XC_EINVAL, "\"root\" is not admin", xc_token_create(s, "admin", "olga", "root", NULL, tok, id, &err));
    FAILS(XC_EINVAL, "\"public\" is not admin", xc_token_create(s, "admin", "olga", "public", NULL, tok, id, &err));
    FAILS(XC_ENOTFOUND, "\"ghost\" does not exist", xc_token_create(s, "admin", "ghost", NULL, NULL, tok, id, &err));
    FAILS(XC_EINVAL, "user", xc_token_create(s, "admin", "", NULL, NULL, tok, id, &err));
    FAILS(XC_EINVAL, "label", xc_token_create(s, "admin", "olga", NULL, "bad\nlabel", tok, id, &err));
    char longlabel[300];
    memset(longlabel, 'l', sizeof(longlabel) - 1);
    longlabel[sizeof(longlabel) - 1] = '\0';
    FAILS(XC_EINVAL, "at most 200 bytes", xc_token_create(s, "admin", "olga", NULL, longlabel, tok, id, &err));
    /* self-service: a user creates a token for itself */
    OK(xc_token_create(s, "audrey", "audrey", "auditor", "mine", tok, id, &err));
    OK(xc_token_lookup(s, tok, &who, &err));
    assert_int_equal(who.role, XC_ROLE_AUDITOR);
    assert_string_equal(who.user, "audrey");

    /* listing: never secrets or hashes */
    json_t *list = NULL;
    OK(xc_tokens_json(s, NULL, &list, &err));
    assert_int_equal(json_array_size(json_object_get(list, "tokens")), 4);
    char *text = json_dumps(list, 0);
    assert_null(strstr(text, "xct_"));
    assert_null(strstr(text, hash));
    free(text);
    assert_string_equal(js(json_array_get(json_object_get(list, "tokens"), 0), "user"), "admin");
    json_decref(list);
    OK(xc_tokens_json(s, "eve", &list, &err));
    assert_int_equal(json_array_size(json_object_get(list, "tokens")), 1);
    assert_string_equal(js(json_array_get(json_object_get(list, "tokens"), 0), "id"), id_eve);
    json_decref(list);
    OK(xc_tokens_json(s, "nobody", &list, &err));
    assert_int_equal(json_array_size(json_object_get(list, "tokens")), 0);
    json_decref(list);

    /* revocation: not someone else's token, yes one's own, then refused */
    FAILS(XC_EFORBIDDEN, "revoking another user's token needs the role admin",
          xc_token_revoke(s, "eve", id_olga, &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_token_revoke(s, "local:x", id_olga, &err));
    OK(xc_token_revoke_reason(s, "olga", id_olga, "laptop lost", &err));
    FAILS(XC_EUNAUTH, "unknown or revoked token", xc_token_lookup(s, tok_olga, &who, &err));
    assert_int_equal(who.role, 0);
    assert_string_equal(who.user, "");
    assert_null(strstr(err.msg, tok_olga + 4));
    FAILS(XC_ECONFLICT, "already revoked", xc_token_revoke(s, "admin", id_olga, &err));
    json_t *t = NULL;
    OK(xc_token_get(s, id_olga, &t, &err));
    assert_true(json_is_true(json_object_get(t, "revoked")));
    assert_string_equal(js(t, "revoked_by"), "olga");
    assert_string_equal(js(t, "reason"), "laptop lost");
    assert_true(strlen(js(t, "revoked_at")) > 0);
    json_decref(t);
    /* an admin revokes by the token itself; the other tokens still work */
    OK(xc_token_revoke(s, "admin", tok_eve, &err));
    FAILS(XC_EUNAUTH, "unknown or revoked token", xc_token_lookup(s, tok_eve, &who, &err));
    OK(xc_token_lookup(s, tok, &who, &err));
    assert_string_equal(who.user, "audrey");
    /* bad references */
    FAILS(XC_ENOTFOUND, "does not exist", xc_token_revoke(s, "admin", "0123456789abcdef", &err));
    FAILS(XC_EINVAL, "expected a token id", xc_token_revoke(s, "admin", "01234", &err));
    FAILS(XC_EINVAL, "expected a token id", xc_token_revoke(s, "admin", NULL, &err));
    FAILS(XC_ENOTFOUND, "no such token",
          xc_token_revoke(s, "admin", "xct_0000000000000000000000000000000000000000000000000000000000000000", &err));

    /* the JSON of `token create --json` */
    json_t *j = NULL;
    OK(xc_token_create_json(s, "admin", "olga", NULL, "json", &j, &err));
    assert_true(is_token(js(j, "token")));
    assert_string_equal(js(j, "user"), "olga");
    assert_string_equal(js(j, "role"), "officer");
    assert_string_equal(js(j, "label"), "json");
    assert_int_equal(strlen(js(j, "id")), 16);
    OK(xc_token_lookup(s, js(j, "token"), &who, &err));
    assert_string_equal(who.user, "olga");
    json_decref(j);

    json_t *report = NULL;
    OK(xc_audit_verify(s, NULL, &report, &err));
    json_decref(report);
    xc_store_close(s);
}

static void test_bootstrap(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("bootstrap.db");
    xc_error err;
    char tok[XC_TOKEN_LEN + 1], id[17];
    OK(xc_user_add(s, "local:me", "root", "admin", NULL, &err));
    OK(xc_user_add(s, "root", "olga", "officer", NULL, &err));
    /* while there is no token: anyone, but only for an admin */
    FAILS(XC_EFORBIDDEN, "bootstrap: the first token of a database must be an admin's",
          xc_token_create(s, "local:me", "olga", NULL, NULL, tok, id, &err));
    FAILS(XC_ECONFLICT, "is admin, not officer", xc_token_create(s, "local:me", "root", "officer", NULL, tok, id, &err));
    OK(xc_token_create(s, "local:me", "root", NULL, NULL, tok, id, &err));
    /* then no longer, not even after revoking it */
    OK(xc_token_revoke(s, "root", id, &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_token_create(s, "local:me", "root", NULL, NULL, tok, id, &err));
    /* the admin itself still may */
    OK(xc_token_create(s, "root", "root", NULL, NULL, tok, id, &err));
    OK(xc_token_create(s, "root", "olga", NULL, NULL, tok, id, &err));
    json_t *ev = NULL;
    OK(xc_audit_events(s, 1, 0, "token.", NULL, NULL, &ev, &err));
    assert_int_equal(json_array_size(ev), 4);
    assert_string_equal(js(json_array_get(ev, 0), "actor"), "local:me");
    assert_string_equal(js(json_array_get(ev, 0), "type"), "token.create");
    assert_string_equal(js(json_array_get(ev, 1), "type"), "token.revoke");
    json_decref(ev);
    xc_store_close(s);
}

static void test_malformed(void **state)
{
    (void)state;
    xc_error err;
    xc_principal who;
    char valid[XC_TOKEN_LEN + 1];
    snprintf(valid, sizeof(valid), "xct_%064d", 0);
    assert_int_equal(strlen(valid), XC_TOKEN_LEN);
    char bad[8][XC_TOKEN_LEN + 2];
    snprintf(bad[0], sizeof(bad[0]), "%.67s", valid);  /* short by one */
    snprintf(bad[1], sizeof(bad[1]), "%s0", valid);    /* long by one */
    snprintf(bad[2], sizeof(bad[2]), "xcx_%s", valid + 4); /* prefix */
    snprintf(bad[3], sizeof(bad[3]), "XCT_%s", valid + 4);
    snprintf(bad[4], sizeof(bad[4]), "%s", valid); /* non-hex */
    bad[4][40] = 'g';
    snprintf(bad[5], sizeof(bad[5]), "%s", valid); /* uppercase hex */
    bad[5][10] = 'A';
    snprintf(bad[6], sizeof(bad[6]), "%s", valid); /* embedded NUL: 68 bytes, but a 30-byte string */
    bad[6][30] = '\0';
    snprintf(bad[7], sizeof(bad[7]), "Bearer %.60s", valid);
    /* no store at all: a lookup of a malformed token must not touch it */
    for (int i = 0; i < 8; i++) {
        memset(&who, 0x5a, sizeof(who));
        FAILS(XC_EUNAUTH, "malformed token", xc_token_lookup(NULL, bad[i], &who, &err));
        assert_int_equal(who.role, 0);
        assert_string_equal(who.user, "");
    }
    FAILS(XC_EUNAUTH, "missing token", xc_token_lookup(NULL, NULL, &who, &err));
    FAILS(XC_EUNAUTH, "missing token", xc_token_lookup(NULL, "", &who, &err));
    size_t n = 1 << 20;
    char *huge = malloc(n + 1);
    memset(huge, 'a', n);
    huge[n] = '\0';
    memcpy(huge, "xct_", 4);
    FAILS(XC_EUNAUTH, "malformed token", xc_token_lookup(NULL, huge, &who, &err));
    free(huge);

    /* well-formed but unknown: the store answers, the message does not echo it */
    xc_store *s = tl_fresh_db("malformed.db");
    actors(s);
    FAILS(XC_EUNAUTH, "unknown or revoked token", xc_token_lookup(s, valid, &who, &err));
    assert_null(strstr(err.msg, valid + 4));
    xc_store_close(s);
}

static void test_user_state(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("userstate.db");
    xc_error err;
    xc_principal who;
    char t_olga[XC_TOKEN_LEN + 1], t_eve[XC_TOKEN_LEN + 1], t_ghost[XC_TOKEN_LEN + 1], id[17], hash[65];
    actors(s);
    OK(xc_token_create(s, "admin", "olga", NULL, NULL, t_olga, id, &err));
    OK(xc_token_create(s, "admin", "eve", NULL, NULL, t_eve, id, &err));
    OK(xc_token_lookup(s, t_olga, &who, &err));
    OK(xc_token_lookup(s, t_eve, &who, &err));

    /* deactivated: refused; reactivated: accepted again */
    user_set(s, "olga", "active", json_false());
    FAILS(XC_EUNAUTH, "not active", xc_token_lookup(s, t_olga, &who, &err));
    assert_int_equal(who.role, 0);
    char tok[XC_TOKEN_LEN + 1];
    FAILS(XC_ECONFLICT, "not active", xc_token_create(s, "admin", "olga", NULL, NULL, tok, id, &err));
    user_set(s, "olga", "active", json_true());
    OK(xc_token_lookup(s, t_olga, &who, &err));

    /* the user's role changed: the old token no longer holds */
    user_set(s, "eve", "role", json_string("auditor"));
    FAILS(XC_EUNAUTH, "role changed", xc_token_lookup(s, t_eve, &who, &err));

    /* a token whose user does not exist (written directly: the library refuses to make one) */
    snprintf(t_ghost, sizeof(t_ghost), "xct_%064d", 7);
    xc_sha256_hex(t_ghost, XC_TOKEN_LEN, hash);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:n, s:s, s:s, s:b}", "id", "0000000000000000", "user", "ghost", "role",
                            "officer", "label", "created_by", "admin", "created_at", "2024-01-01T00:00:00.000000Z",
                            "revoked", 0);
    char *canon = NULL, chash[65];
    int rec;
    int64_t did;
    OK(xc_store_begin(s, &err));
    OK(xc_json_canon(doc, &canon, chash, &err));
    OK(xc_store_doc_put(s, XC_DOC_TOKEN, hash, chash, canon, &rec, &did, &err));
    OK(xc_audit_append(s, "admin", "token.test", "ghost", NULL, NULL, &err));
    OK(xc_store_commit(s, &err));
    xc_free(canon);
    json_decref(doc);
    FAILS(XC_EUNAUTH, "no longer exists", xc_token_lookup(s, t_ghost, &who, &err));
    xc_store_close(s);
}

static void test_no_secrets_in_audit(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("secrets.db");
    xc_error err;
    char tok[4][XC_TOKEN_LEN + 1], id[4][17], hash[4][65];
    actors(s);
    OK(xc_token_create(s, "bootstrap", "admin", NULL, "ops", tok[0], id[0], &err));
    OK(xc_token_create(s, "admin", "olga", NULL, NULL, tok[1], id[1], &err));
    OK(xc_token_create(s, "admin", "eve", NULL, NULL, tok[2], id[2], &err));
    OK(xc_token_create(s, "audrey", "audrey", NULL, NULL, tok[3], id[3], &err));
    OK(xc_token_revoke_reason(s, "admin", tok[1], "rotated", &err));
    OK(xc_token_revoke(s, "eve", id[2], &err));
    OK(xc_password_set(s, "admin", "olga", "correct horse battery staple", &err));

    char *events = all_events(s);
    for (int i = 0; i < 4; i++) {
        xc_sha256_hex(tok[i], XC_TOKEN_LEN, hash[i]);
        assert_null(strstr(events, tok[i]));
        assert_null(strstr(events, tok[i] + 4)); /* the random part alone */
        assert_null(strstr(events, hash[i]));    /* the full hash (the id, its first 16 digits, may appear) */
        assert_null(strstr(events, hash[i] + 16));
        assert_non_null(strstr(events, id[i]));
    }
    assert_null(strstr(events, "correct horse"));
    assert_null(strstr(events, "$argon2id$"));
    assert_non_null(strstr(events, "\"type\":\"token.create\""));
    assert_non_null(strstr(events, "\"type\":\"token.revoke\""));
    assert_non_null(strstr(events, "\"type\":\"user.password\""));
    assert_non_null(strstr(events, "\"reason\":\"rotated\""));
    free(events);

    /* the event's payload names id, user, role and label */
    json_t *ev = NULL;
    OK(xc_audit_events(s, 1, 0, "token.create", id[0], NULL, &ev, &err));
    assert_int_equal(json_array_size(ev), 1);
    json_t *p = json_object_get(json_array_get(ev, 0), "payload");
    assert_string_equal(js(p, "id"), id[0]);
    assert_string_equal(js(p, "user"), "admin");
    assert_string_equal(js(p, "role"), "admin");
    assert_string_equal(js(p, "label"), "ops");
    assert_string_equal(js(json_array_get(ev, 0), "actor"), "bootstrap");
    json_decref(ev);
    xc_store_close(s);
}

/* Allocation failures (the library's wrapper and jansson's) fail cleanly:
 * an out-of-memory status (XC_EINTERNAL where licence.c reads a user's
 * document), nothing half-written, never a wrong principal. */
static int ok_or_oom(int rc)
{
    return rc == XC_OK || rc == XC_ENOMEM || rc == XC_EINTERNAL;
}

static size_t n_tokens(xc_store *s)
{
    xc_error err;
    char **keys = NULL;
    size_t n = 0;
    OK(xc_store_doc_keys(s, XC_DOC_TOKEN, XC_TS_LATEST, &keys, &n, &err));
    xc_strv_free(keys, n);
    return n;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("alloc.db");
    xc_error err;
    xc_principal who;
    char tok[XC_TOKEN_LEN + 1], id[17], known[XC_TOKEN_LEN + 1], kid[17];
    long n, done;
    actors(s);
    OK(xc_token_create(s, "admin", "admin", NULL, NULL, known, kid, &err));
    /* writes: create, revoke, create as JSON; a failed call leaves no token behind */
    for (n = 0, done = 0; n < 5000 && done < 2; n++) {
        size_t before = n_tokens(s);
        json_t *j = NULL;
        xc_mem_fail_after(n);
        int rc1 = xc_token_create(s, "admin", "eve", NULL, "alloc", tok, id, &err);
        int rc2 = rc1 == XC_OK ? xc_token_revoke_reason(s, "admin", tok, "alloc", &err) : XC_OK;
        int rc3 = xc_token_create_json(s, "admin", "olga", NULL, NULL, &j, &err);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        if (!ok_or_oom(rc1) || !ok_or_oom(rc2) || !ok_or_oom(rc3))
            fail_msg("writes after %ld allocations: %d %d %d: %s", n, rc1, rc2, rc3, err.msg);
        assert_int_equal(n_tokens(s), before + (rc1 == XC_OK) + (rc3 == XC_OK));
        if (rc1) {
            assert_string_equal(tok, "");
            assert_string_equal(id, "");
        } else {
            assert_true(is_token(tok));
            FAILS(rc2 ? XC_OK : XC_EUNAUTH, "", xc_token_lookup(s, tok, &who, &err));
        }
        assert_true((rc3 == XC_OK) == (j != NULL));
        json_decref(j);
        done += failures == 0;
    }
    if (done != 2)
        fail_msg("writes still failing after %ld allocations", n);
    json_t *report = NULL;
    OK(xc_audit_verify(s, NULL, &report, &err));
    json_decref(report);
    xc_store_close(s);

    /* reads: lookup, list, get by id (on a small database: a list's cost grows with it) */
    s = tl_fresh_db("alloc-read.db");
    actors(s);
    OK(xc_token_create(s, "admin", "admin", NULL, NULL, known, kid, &err));
    OK(xc_token_create(s, "admin", "eve", NULL, "x", tok, id, &err));
    OK(xc_token_revoke(s, "admin", id, &err));
    for (n = 0, done = 0; n < 5000 && done < 2; n++) {
        json_t *list = NULL, *t = NULL;
        xc_mem_fail_after(n);
        int rc1 = xc_token_lookup(s, known, &who, &err);
        int rc2 = xc_tokens_json(s, NULL, &list, &err);
        int rc3 = xc_token_get(s, kid, &t, &err);
        long failures = xc_mem_failures();
        xc_mem_fail_after(-1);
        if (!ok_or_oom(rc1) || !ok_or_oom(rc2) || !ok_or_oom(rc3))
            fail_msg("reads after %ld allocations: %d %d %d: %s", n, rc1, rc2, rc3, err.msg);
        if (rc1 == XC_OK)
            assert_string_equal(who.user, "admin");
        else
            assert_int_equal(who.role, 0);
        assert_true((rc2 == XC_OK) == (list != NULL));
        assert_true((rc3 == XC_OK) == (t != NULL));
        json_decref(list);
        json_decref(t);
        done += failures == 0;
    }
    if (done != 2)
        fail_msg("reads still failing after %ld allocations", n);
    xc_store_close(s);
}

/* ---- passwords ---------------------------------------------------------------------- */

static void test_passwords(void **state)
{
    (void)state;
    xc_store *s = tl_fresh_db("passwords.db");
    xc_error err;
    xc_principal who;
    char msg[XC_ERRMSG_MAX];
    actors(s);

    OK(xc_password_set(s, "admin", "eve", "s3cret-enough", &err));
    OK(xc_password_check(s, "eve", "s3cret-enough", &who, &err));
    assert_int_equal(who.role, XC_ROLE_EXPORTER);
    assert_string_equal(who.user, "eve");
    assert_string_equal(who.org, "acme");

    /* stored as Argon2id, keyed by the user */
    xc_doc d;
    memset(&d, 0, sizeof(d));
    OK(xc_store_doc_get(s, XC_DOC_PASSWORD, "eve", &d, &err));
    json_t *b = json_loads(d.body, 0, NULL);
    assert_true(strncmp(js(b, "hash"), "$argon2id$v=19$", 15) == 0);
    assert_string_equal(js(b, "user"), "eve");
    assert_string_equal(js(b, "set_by"), "admin");
    assert_null(strstr(d.body, "s3cret"));
    json_decref(b);
    xc_doc_clear(&d);

    /* wrong password, unknown user, a user without a password: one message */
    FAILS(XC_EUNAUTH, "wrong user name or password", xc_password_check(s, "eve", "s3cret-enougH", &who, &err));
    assert_int_equal(who.role, 0);
    snprintf(msg, sizeof(msg), "%s", err.msg);
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "nobody", "s3cret-enough", &who, &err));
    assert_string_equal(err.msg, msg);
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "olga", "s3cret-enough", &who, &err));
    assert_string_equal(err.msg, msg);
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "eve", "", &who, &err));
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "eve", NULL, &who, &err));
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, NULL, "x", &who, &err));

    /* who may set */
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_password_set(s, "olga", "eve", "another-one", &err));
    FAILS(XC_EFORBIDDEN, "needs the role admin", xc_password_set(s, "local:x", "eve", "another-one", &err));
    FAILS(XC_EINVAL, "8 to 1024 bytes", xc_password_set(s, "admin", "eve", "short", &err));
    assert_null(strstr(err.msg, "short\""));
    FAILS(XC_ENOTFOUND, "does not exist", xc_password_set(s, "admin", "ghost", "long-enough", &err));
    OK(xc_password_set(s, "olga", "olga", "olga's own password", &err));
    OK(xc_password_check(s, "olga", "olga's own password", &who, &err));
    assert_int_equal(who.role, XC_ROLE_OFFICER);
    /* a new password replaces the old */
    OK(xc_password_set(s, "eve", "eve", "rotated-password", &err));
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "eve", "s3cret-enough", &who, &err));
    OK(xc_password_check(s, "eve", "rotated-password", &who, &err));
    /* deactivated: the same message */
    user_set(s, "eve", "active", json_false());
    FAILS(XC_EUNAUTH, msg, xc_password_check(s, "eve", "rotated-password", &who, &err));
    assert_string_equal(err.msg, msg);
    FAILS(XC_EFORBIDDEN, "not active", xc_password_set(s, "eve", "eve", "yet-another-one", &err));

    json_t *ev = NULL;
    OK(xc_audit_events(s, 1, 0, "user.password", NULL, NULL, &ev, &err));
    assert_int_equal(json_array_size(ev), 3);
    assert_string_equal(js(json_array_get(ev, 0), "subject"), "eve");
    assert_string_equal(js(json_array_get(ev, 0), "actor"), "admin");
    json_decref(ev);
    xc_store_close(s);
}

/* ---- the real binary ------------------------------------------------------------------ */

/* Run a shell command line; returns its stdout (caller frees) and exit status. */
static char *sh(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = calloc(1, cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0)
        n += got;
    out[n] = '\0';
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

static void test_cli(void **state)
{
    (void)state;
    const char *db = tu_path("cli.db");
    char *out = NULL, *errs = NULL, cmd[2048];
    int st;
    xc_error err;
    xc_principal who;
    remove(db);

    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "local:ops", "user", "add", "admin", "--role", "admin",
                            NULL),
                     0);
    free(out);
    free(errs);

    /* the documented pipeline: the token is the last word of the last line */
    snprintf(cmd, sizeof(cmd), "'%s' --db '%s' --as local:ops token create --user admin --label boot | tail -n 1 | "
                               "awk '{print $NF}'",
             XC_EXPORTCTL, db);
    char *admin_tok = sh(cmd, &st);
    assert_int_equal(st, 0);
    chomp(admin_tok);
    assert_true(is_token(admin_tok));

    /* the whole human output: two lines, the second "token: <token>" */
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "admin", "user", "add", "olga", "--role", "officer",
                            NULL),
                     0);
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "admin", "token", "create", "--user", "olga", NULL), 0);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_true(strncmp(out, "token ", 6) == 0);
    assert_non_null(strstr(out, "created for user olga (role officer)"));
    assert_true(strncmp(nl + 1, "token: xct_", 11) == 0);
    char olga_tok[XC_TOKEN_LEN + 1];
    snprintf(olga_tok, sizeof(olga_tok), "%s", nl + 8);
    assert_true(is_token(olga_tok));
    assert_string_equal(nl + 8 + XC_TOKEN_LEN, "\n");
    free(out);
    free(errs);

    /* --json */
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "admin", "--json", "token", "create", "--user", "olga",
                            "--role", "officer", NULL),
                     0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_true(is_token(js(j, "token")));
    assert_string_equal(js(j, "user"), "olga");
    assert_string_equal(js(j, "role"), "officer");
    assert_int_equal(strlen(js(j, "id")), 16);
    char json_id[17];
    snprintf(json_id, sizeof(json_id), "%s", js(j, "id"));
    json_decref(j);
    free(out);
    free(errs);

    /* refusals: a non-admin for someone else, a role mismatch (exit 2, message on stderr) */
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "olga", "token", "create", "--user", "admin", NULL), 2);
    assert_non_null(strstr(errs, "needs the role admin"));
    assert_null(strstr(out, "xct_"));
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "admin", "token", "create", "--user", "olga", "--role",
                            "auditor", NULL),
                     2);
    assert_non_null(strstr(errs, "officer"));
    assert_non_null(strstr(errs, "auditor"));
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "token", "create", NULL), 2);
    free(out);
    free(errs);

    /* the printed tokens work */
    xc_store *s = NULL;
    OK(xc_db_open(db, &s, &err));
    OK(xc_token_lookup(s, admin_tok, &who, &err));
    assert_string_equal(who.user, "admin");
    assert_int_equal(who.role, XC_ROLE_ADMIN);
    OK(xc_token_lookup(s, olga_tok, &who, &err));
    assert_string_equal(who.user, "olga");
    xc_store_close(s);

    /* ls never shows secrets */
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--json", "token", "ls", NULL), 0);
    j = json_loads(out, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "tokens")), 3);
    json_decref(j);
    assert_null(strstr(out, "xct_"));
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "token", "ls", "--user", "olga", NULL), 0);
    assert_non_null(strstr(out, json_id));
    assert_null(strstr(out, "xct_"));
    free(out);
    free(errs);

    /* revoke: olga her own by id, then the token is refused */
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "olga", "token", "revoke", json_id, "--reason", "test",
                            NULL),
                     0);
    assert_non_null(strstr(out, "revoked"));
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "olga", "token", "revoke", admin_tok, NULL), 2);
    assert_null(strstr(errs, admin_tok));
    free(out);
    free(errs);
    assert_int_equal(tu_run(&out, &errs, "--db", db, "--as", "admin", "--json", "token", "revoke", olga_tok, NULL),
                     0);
    j = json_loads(out, 0, NULL);
    assert_true(json_is_true(json_object_get(j, "revoked")));
    assert_string_equal(js(j, "revoked_by"), "admin");
    json_decref(j);
    free(out);
    free(errs);
    OK(xc_db_open(db, &s, &err));
    FAILS(XC_EUNAUTH, "unknown or revoked", xc_token_lookup(s, olga_tok, &who, &err));
    xc_store_close(s);

    /* user password: from stdin, never argv */
    snprintf(cmd, sizeof(cmd), "printf 'pw from stdin 1\\n' | '%s' --db '%s' --as admin user password olga", XC_EXPORTCTL,
             db);
    char *o = sh(cmd, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(o, "password set for user olga"));
    free(o);
    snprintf(cmd, sizeof(cmd), "'%s' --db '%s' --as admin user password olga </dev/null 2>/dev/null", XC_EXPORTCTL, db);
    o = sh(cmd, &st);
    assert_int_equal(st, 2);
    free(o);
    snprintf(cmd, sizeof(cmd), "printf 'olga-tries\\n' | '%s' --db '%s' --as olga user password admin 2>/dev/null",
             XC_EXPORTCTL, db);
    o = sh(cmd, &st);
    assert_int_equal(st, 2);
    free(o);
    OK(xc_db_open(db, &s, &err));
    OK(xc_password_check(s, "olga", "pw from stdin 1", &who, &err));
    assert_string_equal(who.user, "olga");
    FAILS(XC_EUNAUTH, "wrong user name or password", xc_password_check(s, "admin", "olga-tries", &who, &err));
    json_t *report = NULL;
    OK(xc_audit_verify(s, NULL, &report, &err));
    json_decref(report);
    xc_store_close(s);
    free(admin_tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_names),       cmocka_unit_test(test_create_lookup_revoke),
        cmocka_unit_test(test_bootstrap),        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_user_state),       cmocka_unit_test(test_no_secrets_in_audit),
        cmocka_unit_test(test_alloc_failures),   cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_cli),
    };
    xc_error err;
    if (xc_init(&err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
