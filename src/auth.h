/*
 * auth.h: who is asking.  Roles, bearer tokens and passwords for the users
 * of the licensing module (licence.h: xc_user_add).
 *
 * A token is "xct_" followed by 64 hex digits: 256 random bits from
 * libsodium.  Only its SHA-256 is stored (document kind "token", key the
 * hex hash; body {id, user, role, label, created_by, revoked, ...}); the
 * token itself is shown once, when created.  Its id (the first 16 hex
 * digits of the hash) names it for listing and revocation.  A token's role
 * is its user's role.  Passwords, when a user has one, are stored as
 * Argon2id hashes (crypto_pwhash_str).  Every change appends an audit
 * event (token.create, token.revoke, user.password); token values and
 * passwords never appear in events or errors.
 */
#ifndef XC_AUTH_H
#define XC_AUTH_H

#include <jansson.h>

#include "error.h"
#include "store.h"

#define XC_DOC_TOKEN "token"
#define XC_DOC_PASSWORD "password" /* key: the user; body {user, hash (Argon2id string), set_by, set_at} */
#define XC_TOKEN_LEN 68 /* "xct_" + 64 hex digits */

enum {
    XC_ROLE_PUBLIC = 1u << 0, /* anonymous */
    XC_ROLE_ADMIN = 1u << 1,
    XC_ROLE_OFFICER = 1u << 2,
    XC_ROLE_EXPORTER = 1u << 3,
    XC_ROLE_AUDITOR = 1u << 4,
};
#define XC_ROLES_USERS (XC_ROLE_ADMIN | XC_ROLE_OFFICER | XC_ROLE_EXPORTER | XC_ROLE_AUDITOR)
#define XC_ROLES_ALL (XC_ROLES_USERS | XC_ROLE_PUBLIC)

/* Who is asking: from a bearer token, or the anonymous public. */
typedef struct xc_principal {
    unsigned role;       /* one XC_ROLE_* bit */
    char user[128];      /* "" for the public */
    char org[128];       /* the exporter's organisation, else "" */
} xc_principal;

/* "admin", "officer", "exporter", "auditor", "public" ("unknown" for anything
 * but one of the bits, never NULL); parse: 0 if unknown (case-sensitive). */
const char *xc_role_name(unsigned role);
unsigned xc_role_parse(const char *name);

/* Create a token for user (who must exist, be active and have `role`;
 * role NULL or "": the user's role, else a different role is XC_ECONFLICT
 * naming both); actor must be an admin or the user (self-service), or
 * the bootstrap rule (like licence.h's first user: while no token exists at
 * all, anyone may create a token for an admin user).  label: optional, at
 * most 200 bytes.  token gets the secret (XC_TOKEN_LEN + 1 bytes), id its
 * 16-hex-digit id; both are empty on error. */
int xc_token_create(xc_store *s, const char *actor, const char *user, const char *role, const char *label,
                    char token[XC_TOKEN_LEN + 1], char id[17], xc_error *err);

/* The same, answering {id, user, role, label, token}: the JSON of
 * `exportctl --json token create` (and the API's).  *out is new. */
int xc_token_create_json(xc_store *s, const char *actor, const char *user, const char *role, const char *label,
                         json_t **out, xc_error *err);

/* Revoke by id (or by the token itself); actor an admin, or the token's own user. */
int xc_token_revoke(xc_store *s, const char *actor, const char *id_or_token, xc_error *err);

/* The same with a reason (may be NULL; at most 1000 bytes) recorded in the
 * new version and the event.  An already revoked token is XC_ECONFLICT. */
int xc_token_revoke_reason(xc_store *s, const char *actor, const char *id_or_token, const char *reason,
                           xc_error *err);

/* The latest version of one token's document (no secret, no hash) by id,
 * full hash or token: {id, user, role, label, created_by, created_at,
 * revoked[, revoked_by, revoked_at, reason]}; XC_ENOTFOUND if none. */
int xc_token_get(xc_store *s, const char *id_or_token, json_t **out, xc_error *err);

/* Resolve a presented token: XC_OK and *who filled, or XC_EUNAUTH
 * ("unknown or revoked token", never echoing it) for a missing, malformed,
 * unknown or revoked token, or a token whose user is gone. */
int xc_token_lookup(xc_store *s, const char *token, xc_principal *who, xc_error *err);

/* {"tokens": [...]}: every token's latest version (as xc_token_get),
 * oldest first, optionally of one user (NULL: all); never secrets. */
int xc_tokens_json(xc_store *s, const char *user, json_t **out, xc_error *err);

/* Set a user's password (Argon2id, libsodium's interactive limits; 8 to
 * 1024 bytes); actor an admin or the user. */
int xc_password_set(xc_store *s, const char *actor, const char *user, const char *password, xc_error *err);

/* Check a password: XC_OK and *who, or XC_EUNAUTH with the same message
 * for an unknown or inactive user, a user without a password and a wrong
 * password (and about the same time: a dummy hash is verified). */
int xc_password_check(xc_store *s, const char *user, const char *password, xc_principal *who, xc_error *err);

#endif
