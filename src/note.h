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

/* A new Ed25519 key pair named name: non-empty UTF-8 shorter than
 * XC_NOTE_NAME_MAX bytes without spaces (Unicode's), control characters or
 * '+'.  XC_EINVAL otherwise. */
int xc_note_key_generate(const char *name, xc_note_key *k, xc_error *err);

/* Verifier key text; out holds at least 256 bytes. */
void xc_note_vkey_format(const xc_note_key *k, char *out, size_t cap);
/* Parse a verifier key (hex id in either case, as Go accepts); XC_EINVAL
 * when malformed or when the id is not the key's.  k->has_sk is 0. */
int xc_note_vkey_parse(const char *text, xc_note_key *k, xc_error *err);

/* Signer key file: one line "PRIVATE+KEY+<name>+<8 hex id>+<base64(0x01 || 32-byte seed)>\n",
 * Go's private key text.  Save writes it with mode 0600 and fails with
 * XC_ECONFLICT if the file exists (XC_EIO on other errors, XC_EINVAL
 * without a private half).  Load accepts the line with or without its
 * newline; XC_ENOTFOUND when the file is missing, XC_EINVAL (the message
 * names the file) when it is malformed or its id is not the key's. */
int xc_note_key_save(const char *path, const xc_note_key *k, xc_error *err);
int xc_note_key_load(const char *path, xc_note_key *k, xc_error *err);

/* Checkpoint body; ext is NULL or non-empty extension lines each ending
 * in "\n".  *out allocated (xc_free). */
int xc_checkpoint_body(const char *origin, uint64_t size, const unsigned char root[32], const char *ext, char **out,
                       xc_error *err);
/* Parse a checkpoint body or a whole signed note (the body ends at the
 * first blank line): origin (non-empty, shorter than origin_cap), decimal
 * size without leading zeros, base64 of exactly 32 bytes; extension lines
 * are allowed and ignored.  Does not check signatures.  XC_EINVAL with the
 * bad line named; outputs untouched on error. */
int xc_checkpoint_parse(const char *note, char *origin, size_t origin_cap, uint64_t *size, unsigned char root[32],
                        xc_error *err);

/* Sign body (non-empty UTF-8 without control characters other than
 * newline, ending in "\n") with k; *note allocated (xc_free). */
int xc_note_sign(const char *body, const xc_note_key *k, char **note, xc_error *err);

/* XC_OK when note carries a valid signature by k (name, id and key all
 * agree); XC_EVERIFY with a message saying what is wrong; XC_EINVAL when
 * note is malformed: longer than 1 MiB, not UTF-8, a control character
 * other than newline, no blank line before the signatures, a signature
 * line not of the form "\u2014 <name> <base64>" or more than 100 of them.
 * Signatures by other keys are ignored, as are repeated lines by k after
 * the first (Go's rules). */
int xc_note_verify(const char *note, const xc_note_key *k, xc_error *err);

#endif
