/*
 * normalize.h: name normalisation for denied-party screening.  A UTF-8
 * name in any script becomes a short array of lowercase ASCII tokens, each
 * classified (name word, company legal form, honorific, particle) and
 * carrying a phonetic key, so that the matcher (match.h) can compare names
 * without Unicode work.  The pipeline and its tables are described in
 * docs/matching.md.
 *
 * Thread safety: call xc_normalize_init once (xc_name_normalize also calls
 * it on first use); xc_name_normalize may then run on any number of threads
 * at once (each thread keeps its own ICU transliterator).
 */
#ifndef XC_NORMALIZE_H
#define XC_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define XC_NAME_MAX_TOKENS 24 /* tokens past the 24th are dropped */
#define XC_TOKEN_MAX 40       /* token text is cut to 39 bytes */
#define XC_NAME_INPUT_MAX 4096 /* longer inputs are refused (XC_EINVAL) */

/* Token kinds. */
enum { XC_TOK_NAME = 0, XC_TOK_LEGAL = 1, XC_TOK_HONORIFIC = 2, XC_TOK_STOP = 3 };

/* Name types. */
enum { XC_NAME_UNKNOWN = 0, XC_NAME_PERSON = 1, XC_NAME_ENTITY = 2 };

/* Token flags, kept in phon[XC_PHON_FLAGS] (see xc_token) so that code that
 * copies the 8 phon bytes keeps them. */
enum {
    XC_TOKF_ABJAD = 1,   /* transliterated from a script that does not write vowels (Arabic, Hebrew, Syriac) */
    XC_TOKF_GENERIC = 2, /* a generic business word (GROUP, TECHNOLOGIES, ...): weighted down */
    XC_TOKF_LEGALISH = 4, /* a short legal form ("SA", "AG") left as a name word in a name of unknown type */
};
#define XC_PHON_FLAGS 7
/* Flags of a token. */
#define XC_TOKEN_FLAGS(t) ((uint8_t)(t)->phon[XC_PHON_FLAGS] & 0x0f)
/* Length of a particle joined in front of the token ("al" in "alqaeda" from
 * "al qaeda"), 0 when none; the rest of the text is the token's stem. */
#define XC_TOKEN_PARTICLE(t) ((uint8_t)(t)->phon[XC_PHON_FLAGS] >> 4)

typedef struct xc_token {
    char text[XC_TOKEN_MAX]; /* ASCII lowercase [a-z0-9], after transliteration; NUL-terminated */
    uint8_t len;
    uint8_t kind;            /* XC_TOK_* */
    uint8_t initial;         /* 1 when the token is a single letter (an initial) */
    /* phon[0..6]: NUL-terminated phonetic key of at most 6 characters (the
     * "xc-skeleton" key of docs/matching.md; empty for tokens with digits);
     * phon[7]: XC_TOKF_* flags (low 4 bits) and the joined particle length
     * (high 4 bits), read with XC_TOKEN_FLAGS and XC_TOKEN_PARTICLE. */
    char phon[8];
} xc_token;

typedef struct xc_name {
    xc_token tok[XC_NAME_MAX_TOKENS];
    int n;
    int type;      /* XC_NAME_*: as given, or ENTITY when UNKNOWN and a legal form was found */
    char norm[256]; /* the normalised name as one string (all tokens joined by spaces) */
} xc_name;

/* Prepare the ICU transliterator; once per process, thread-safe. */
int xc_normalize_init(xc_error *err);

/* Normalise a UTF-8 name of type XC_NAME_* into *out.  Fails with XC_EINVAL
 * for invalid UTF-8, an input over XC_NAME_INPUT_MAX bytes, or a name with
 * no letter or digit; XC_EINTERNAL when ICU fails. */
int xc_name_normalize(const char *utf8, int type, xc_name *out, xc_error *err);

/* Compute the phonetic key of an ASCII lowercase string into key[7]
 * (at most 6 characters); abjad selects the vowel-less skeleton used for
 * tokens from Arabic or Hebrew script.  Returns the key length. */
int xc_phonetic_key(const char *s, size_t n, int abjad, char key[7]);

/* Short name of a token kind ("name", "legal-form", "honorific", "particle"). */
const char *xc_token_kind_name(int kind);

/* Release the calling thread's transliterator (optional; also done at thread exit). */
void xc_normalize_thread_cleanup(void);

#endif
