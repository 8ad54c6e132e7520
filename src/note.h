/*
 * note.h: signed checkpoints in the C2SP formats used by transparency logs
 * (c2sp.org/signed-note and c2sp.org/tlog-checkpoint).  A checkpoint body is
 *
 *     <origin>\n<tree size>\n<base64 root hash>\n[extension lines]
 *
 * and a signed note appends a blank line and one signature line per key:
 * "\u2014 <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\n".
 * The key id is the first 4 bytes of SHA-256(name || "\n" || 0x01 || public
 * key).  A verifier key is written "<name>+<8 hex id>+<base64(0x01 || public
 * key)>" as in Go's golang.org/x/mod/sumdb/note.  Ed25519 comes from
 * libsodium.
 */
#ifndef XC_NOTE_H
#define XC_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define XC_NOTE_NAME_MAX 128

typedef struct xc_note_key {
    char name[XC_NOTE_NAME_MAX];
    uint32_t id;
    unsigned char pk[32];
    unsigned char sk[64]; /* valid only when has_sk */
    int has_sk;
} xc_note_key;

/* A new Ed25519 key pair named name (no spaces, no '+', not empty). */
int xc_note_key_generate(const char *name, xc_note_key *k, xc_error *err);

/* Verifier key text; out holds at least 256 bytes. */
void xc_note_vkey_format(const xc_note_key *k, char *out, size_t cap);
int xc_note_vkey_parse(const char *text, xc_note_key *k, xc_error *err);

/* Signer key file: one line "PRIVATE+KEY+<name>+<8 hex id>+<base64(0x01 || 32-byte seed)>\n",
 * written with mode 0600 (fails if the file exists). */
int xc_note_key_save(const char *path, const xc_note_key *k, xc_error *err);
int xc_note_key_load(const char *path, xc_note_key *k, xc_error *err);

/* Checkpoint body; ext is NULL or extension lines each ending in "\n".
 * *out allocated (xc_free). */
int xc_checkpoint_body(const char *origin, uint64_t size, const unsigned char root[32], const char *ext, char **out,
                       xc_error *err);
int xc_checkpoint_parse(const char *note, char *origin, size_t origin_cap, uint64_t *size, unsigned char root[32],
                        xc_error *err);

/* Sign body (which must end in "\n") with k; *note allocated. */
int xc_note_sign(const char *body, const xc_note_key *k, char **note, xc_error *err);

/* XC_OK when note carries a valid signature by k (name, id and key all
 * agree); XC_EVERIFY with a message saying what is wrong; XC_EINVAL when
 * note is malformed. */
int xc_note_verify(const char *note, const xc_note_key *k, xc_error *err);

#endif
