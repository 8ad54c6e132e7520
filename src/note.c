/*
 * note.c: C2SP signed notes and tlog checkpoints with Ed25519 keys, byte for
 * byte compatible with Go's golang.org/x/mod/sumdb/note: the same key id,
 * verifier key and private key texts, the same signature lines, and the
 * same rules for a well-formed note (valid UTF-8 without control characters
 * other than newline, signatures after the last blank line, at most 100
 * signature lines).  A note is also limited to 1 MiB here.
 */
#include "note.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

#define NOTE_MAX (1024 * 1024)
#define NOTE_MAX_SIGS 100
#define ALG_ED25519 0x01
#define KEYFILE_MAX 4096
#define KEYFILE_PREFIX "PRIVATE+KEY+"
#define SIG_PREFIX "\xe2\x80\x94 " /* U+2014 EM DASH, then a space */
#define SIG_PREFIX_LEN 4
#define B64_LEN(n) sodium_base64_ENCODED_LEN((n), sodium_base64_VARIANT_ORIGINAL)

/* ---- text helpers ------------------------------------------------------ */

/* Decode one UTF-8 sequence at s (n bytes available); returns its length and
 * the code point in *cp, or 0 when the bytes are not well-formed UTF-8
 * (overlong forms, surrogates and values above U+10FFFF are rejected). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2, c = s[0] & 0x1f, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3, c = s[0] & 0x0f, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4, c = s[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Go's unicode.IsSpace. */
static int is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* A key name: non-empty UTF-8 without spaces, control characters or '+',
 * shorter than XC_NOTE_NAME_MAX bytes.  Returns NULL or what is wrong. */
static const char *name_problem(const char *s, size_t n)
{
    if (n == 0)
        return "is empty";
    if (n >= XC_NOTE_NAME_MAX)
        return "is too long";
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_decode((const unsigned char *)s + i, n - i, &c);
        if (l == 0)
            return "is not valid UTF-8";
        if (is_space(c))
            return "contains a space";
        if (c < 0x20 || c == 0x7f)
            return "contains a control character";
        if (c == '+')
            return "contains '+'";
        i += l;
    }
    return NULL;
}

/* SHA-256(name || "\n" || 0x01 || pk)[0:4] as a big-endian integer. */
static uint32_t key_id(const char *name, const unsigned char pk[32])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    static const unsigned char sep[2] = {'\n', ALG_ED25519};
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, sizeof(sep));
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Strict base64 (standard alphabet, padded): all of s[0..n) must decode to
 * at most cap bytes.  Returns the length, or -1. */
static long b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    size_t len = 0;
    if (n == 0)
        return -1;
    if (sodium_base642bin(out, cap, s, n, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    return (long)len;
}

/* Exactly 8 hex digits. */
static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
    if (n != 8)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* ---- keys ---------------------------------------------------------------- */

int xc_note_key_generate(const char *name, xc_note_key *k, xc_error *err)
{
    const char *bad = name_problem(name, strlen(name));
    if (bad)
        return xc_error_set(err, XC_EINVAL, "name", "key name \"%s\" %s", name, bad);
    memset(k, 0, sizeof(*k));
    memcpy(k->name, name, strlen(name) + 1);
    crypto_sign_keypair(k->pk, k->sk);
    k->id = key_id(k->name, k->pk);
    k->has_sk = 1;
    return XC_OK;
}

void xc_note_vkey_format(const xc_note_key *k, char *out, size_t cap)
{
    unsigned char raw[33];
    char b64[B64_LEN(33)];
    raw[0] = ALG_ED25519;
    memcpy(raw + 1, k->pk, 32);
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, cap, "%s+%08x+%s", k->name, (unsigned)k->id, b64);
}

/* "<name>+<8 hex>+<base64 of 33 bytes>" with the text in s[0..n); what
 * names the thing in messages. */
static int parse_key_text(const char *s, size_t n, const char *what, xc_note_key *k, unsigned char raw[33],
                          xc_error *err)
{
    const char *p1 = memchr(s, '+', n);
    const char *p2 = p1 ? memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - s)) : NULL;
    if (!p2)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: not of the form <name>+<8 hex digits>+<base64 key>", what);
    size_t name_len = (size_t)(p1 - s);
    char name[XC_NOTE_NAME_MAX];
    const char *bad = name_problem(s, name_len);
    if (bad)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: key name \"%.*s\" %s", what, (int)(name_len > 64 ? 64 : name_len),
                            s, bad);
    memcpy(name, s, name_len);
    name[name_len] = '\0';
    uint32_t id;
    if (parse_hex32(p1 + 1, (size_t)(p2 - p1 - 1), &id) != 0)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: key id \"%.*s\" is not 8 hex digits", what,
                            (int)(p2 - p1 - 1 > 16 ? 16 : p2 - p1 - 1), p1 + 1);
    unsigned char buf[34];
    long len = b64_decode(p2 + 1, n - (size_t)(p2 + 1 - s), buf, sizeof(buf));
    if (len < 0)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: the key is not valid base64", what);
    if (len != 33 || buf[0] != ALG_ED25519)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: the key is not an Ed25519 key (algorithm byte 0x01 and 32 bytes)",
                            what);
    memset(k, 0, sizeof(*k));
    memcpy(k->name, name, name_len + 1);
    k->id = id;
    memcpy(raw, buf, 33);
    sodium_memzero(buf, sizeof(buf));
    return XC_OK;
}

int xc_note_vkey_parse(const char *text, xc_note_key *k, xc_error *err)
{
    xc_note_key t;
    unsigned char raw[33];
    size_t n = strnlen(text, 1024);
    if (n == 1024)
        return xc_error_set(err, XC_EINVAL, NULL, "verifier key: too long");
    int rc = parse_key_text(text, n, "verifier key", &t, raw, err);
    if (rc)
        return rc;
    memcpy(t.pk, raw + 1, 32);
    uint32_t want = key_id(t.name, t.pk);
    if (want != t.id)
        return xc_error_set(err, XC_EINVAL, NULL, "verifier key: key id %08x does not match the key (expected %08x)",
                            (unsigned)t.id, (unsigned)want);
    *k = t;
    return XC_OK;
}

int xc_note_key_save(const char *path, const xc_note_key *k, xc_error *err)
{
    if (!k->has_sk)
        return xc_error_set(err, XC_EINVAL, NULL, "%s: key \"%s\" has no private half to save", path, k->name);
    unsigned char raw[33];
    char b64[B64_LEN(33)];
    char line[sizeof(KEYFILE_PREFIX) + XC_NOTE_NAME_MAX + 10 + sizeof(b64) + 2];
    raw[0] = ALG_ED25519;
    crypto_sign_ed25519_sk_to_seed(raw + 1, k->sk);
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
    int len = snprintf(line, sizeof(line), KEYFILE_PREFIX "%s+%08x+%s\n", k->name, (unsigned)k->id, b64);
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(b64, sizeof(b64));

    int rc = XC_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            rc = xc_error_set(err, XC_ECONFLICT, NULL, "%s: key file already exists; refusing to overwrite it", path);
        else
            rc = xc_error_set(err, XC_EIO, NULL, "%s: cannot create key file: %s", path, strerror(errno));
        goto out;
    }
    ssize_t w = write(fd, line, (size_t)len);
    if (w != len || fsync(fd) != 0) {
        rc = xc_error_set(err, XC_EIO, NULL, "%s: cannot write key file: %s", path,
                          w < 0 || w == len ? strerror(errno) : "short write");
        close(fd);
        unlink(path);
        goto out;
    }
    if (close(fd) != 0) {
        rc = xc_error_set(err, XC_EIO, NULL, "%s: cannot write key file: %s", path, strerror(errno));
        unlink(path);
    }
out:
    sodium_memzero(line, sizeof(line));
    return rc;
}

int xc_note_key_load(const char *path, xc_note_key *k, xc_error *err)
{
    char buf[KEYFILE_MAX + 1];
    unsigned char raw[33];
    xc_note_key t;
    int rc = XC_OK;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return xc_error_set(err, errno == ENOENT ? XC_ENOTFOUND : XC_EIO, NULL, "%s: cannot open key file: %s", path,
                            strerror(errno));
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = xc_error_set(err, XC_EIO, NULL, "%s: cannot read key file: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof(buf)) {
            rc = xc_error_set(err, XC_EINVAL, NULL, "%s: not a key file (longer than %d bytes)", path, KEYFILE_MAX);
            break;
        }
    }
    close(fd);
    if (rc)
        goto out;
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (memchr(buf, '\n', n) || memchr(buf, '\0', n)) {
        rc = xc_error_set(err, XC_EINVAL, NULL, "%s: not a key file (more than one line)", path);
        goto out;
    }
    size_t plen = strlen(KEYFILE_PREFIX);
    if (n < plen || memcmp(buf, KEYFILE_PREFIX, plen) != 0) {
        rc = xc_error_set(err, XC_EINVAL, NULL, "%s: not a key file (does not start with \"" KEYFILE_PREFIX "\")",
                          path);
        goto out;
    }
    rc = parse_key_text(buf + plen, n - plen, path, &t, raw, err);
    if (rc)
        goto out;
    memcpy(t.sk, raw + 1, 32); /* the seed, expanded below */
    crypto_sign_seed_keypair(t.pk, t.sk, raw + 1);
    uint32_t want = key_id(t.name, t.pk);
    if (want != t.id) {
        rc = xc_error_set(err, XC_EINVAL, NULL, "%s: key id %08x does not match the key (expected %08x)", path,
                          (unsigned)t.id, (unsigned)want);
        goto out;
    }
    t.has_sk = 1;
    *k = t;
out:
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(&t, sizeof(t));
    return rc;
}

/* ---- checkpoints ---------------------------------------------------------- */

int xc_checkpoint_body(const char *origin, uint64_t size, const unsigned char root[32], const char *ext, char **out,
                       xc_error *err)
{
    *out = NULL;
    if (!origin[0] || strchr(origin, '\n'))
        return xc_error_set(err, XC_EINVAL, "origin", "checkpoint origin \"%s\" must be one non-empty line", origin);
    size_t ext_len = ext ? strlen(ext) : 0;
    for (size_t i = 0; i < ext_len;) {
        const char *nl = memchr(ext + i, '\n', ext_len - i);
        if (!nl)
            return xc_error_set(err, XC_EINVAL, "ext", "checkpoint extension lines must each end in a newline");
        if (nl == ext + i)
            return xc_error_set(err, XC_EINVAL, "ext", "checkpoint extension lines must not be empty");
        i = (size_t)(nl - ext) + 1;
    }
    char b64[B64_LEN(32)];
    sodium_bin2base64(b64, sizeof(b64), root, 32, sodium_base64_VARIANT_ORIGINAL);
    size_t cap = strlen(origin) + 1 + 21 + sizeof(b64) + 1 + ext_len + 1;
    char *s = xc_malloc(cap);
    if (!s)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    snprintf(s, cap, "%s\n%llu\n%s\n%s", origin, (unsigned long long)size, b64, ext ? ext : "");
    *out = s;
    return XC_OK;
}

int xc_checkpoint_parse(const char *note, char *origin, size_t origin_cap, uint64_t *size, unsigned char root[32],
                        xc_error *err)
{
    size_t total = strnlen(note, NOTE_MAX + 1);
    if (total > NOTE_MAX)
        return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: longer than %d bytes", NOTE_MAX);
    const char *blank = strstr(note, "\n\n");
    size_t body_len = blank ? (size_t)(blank - note) + 1 : total;
    if (body_len == 0 || note[body_len - 1] != '\n')
        return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: the text does not end in a newline");
    const char *line[3];
    size_t len[3];
    const char *p = note, *end = note + body_len;
    static const char *const names[3] = {"origin", "tree size", "root hash"};
    for (int i = 0; i < 3; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: missing %s line (line %d)", names[i], i + 1);
        line[i] = p;
        len[i] = (size_t)(nl - p);
        p = nl + 1;
    }
    if (len[0] == 0)
        return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: empty origin line");
    if (len[0] >= origin_cap)
        return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: origin longer than %zu bytes", origin_cap - 1);

    uint64_t v = 0;
    int ok = len[1] > 0 && len[1] <= 20 && !(len[1] > 1 && line[1][0] == '0');
    for (size_t i = 0; ok && i < len[1]; i++) {
        unsigned d = (unsigned)(unsigned char)line[1][i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            ok = 0;
        else
            v = v * 10 + d;
    }
    if (!ok)
        return xc_error_set(err, XC_EINVAL, NULL,
                            "checkpoint: tree size \"%.*s\" is not a decimal number without leading zeros",
                            (int)(len[1] > 32 ? 32 : len[1]), line[1]);

    unsigned char h[33];
    if (b64_decode(line[2], len[2], h, sizeof(h)) != 32)
        return xc_error_set(err, XC_EINVAL, NULL, "checkpoint: root hash \"%.*s\" is not base64 of 32 bytes",
                            (int)(len[2] > 64 ? 64 : len[2]), line[2]);
    memcpy(origin, line[0], len[0]);
    origin[len[0]] = '\0';
    *size = v;
    memcpy(root, h, 32);
    return XC_OK;
}

/* ---- notes -------------------------------------------------------------- */

/* Valid UTF-8 with no control characters other than newline; returns the
 * byte offset of the first bad byte, or -1. */
static long text_problem(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t l = utf8_decode((const unsigned char *)s + i, n - i, &c);
        if (l == 0 || (c < 0x20 && c != '\n') || c == 0x7f)
            return (long)i;
        i += l;
    }
    return -1;
}

int xc_note_sign(const char *body, const xc_note_key *k, char **note, xc_error *err)
{
    *note = NULL;
    size_t n = strnlen(body, NOTE_MAX + 1);
    if (!k->has_sk)
        return xc_error_set(err, XC_EINVAL, NULL, "key \"%s\" has no private half; cannot sign", k->name);
    if (n == 0 || body[n - 1] != '\n')
        return xc_error_set(err, XC_EINVAL, NULL, "note body must be non-empty and end in a newline");
    long bad = text_problem(body, n);
    if (bad >= 0)
        return xc_error_set(err, XC_EINVAL, NULL,
                            "note body: byte %ld is not valid UTF-8 or is a control character other than newline", bad);
    const char *nproblem = name_problem(k->name, strlen(k->name));
    if (nproblem)
        return xc_error_set(err, XC_EINVAL, NULL, "key name \"%s\" %s", k->name, nproblem);

    unsigned char raw[4 + crypto_sign_BYTES];
    raw[0] = (unsigned char)(k->id >> 24);
    raw[1] = (unsigned char)(k->id >> 16);
    raw[2] = (unsigned char)(k->id >> 8);
    raw[3] = (unsigned char)k->id;
    crypto_sign_detached(raw + 4, NULL, (const unsigned char *)body, n, k->sk);
    char b64[B64_LEN(sizeof(raw))];
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);

    size_t cap = n + 1 + SIG_PREFIX_LEN + strlen(k->name) + 1 + strlen(b64) + 2;
    if (cap > NOTE_MAX + 1)
        return xc_error_set(err, XC_EINVAL, NULL, "signed note would be longer than %d bytes", NOTE_MAX);
    char *s = xc_malloc(cap);
    if (!s)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    snprintf(s, cap, "%.*s\n" SIG_PREFIX "%s %s\n", (int)n, body, k->name, b64);
    *note = s;
    return XC_OK;
}

int xc_note_verify(const char *note, const xc_note_key *k, xc_error *err)
{
    size_t n = strnlen(note, NOTE_MAX + 1);
    if (n > NOTE_MAX)
        return xc_error_set(err, XC_EINVAL, NULL, "note: longer than %d bytes", NOTE_MAX);
    long bad = text_problem(note, n);
    if (bad >= 0)
        return xc_error_set(err, XC_EINVAL, NULL,
                            "note: byte %ld is not valid UTF-8 or is a control character other than newline", bad);

    /* The signatures follow the last blank line. */
    const char *split = NULL;
    for (size_t i = n; i-- > 1;)
        if (note[i] == '\n' && note[i - 1] == '\n') {
            split = note + i - 1;
            break;
        }
    if (!split)
        return xc_error_set(err, XC_EINVAL, NULL, "note: no blank line before the signatures");
    size_t text_len = (size_t)(split - note) + 1;
    const char *sigs = split + 2, *end = note + n;
    if (sigs == end)
        return xc_error_set(err, XC_EINVAL, NULL, "note: no signature lines after the blank line");
    if (end[-1] != '\n')
        return xc_error_set(err, XC_EINVAL, NULL, "note: the last signature line does not end in a newline");

    /* Signature lines of other keys may carry longer signatures (other
     * algorithms); one buffer as long as the whole block decodes any line. */
    size_t cap = (size_t)(end - sigs) / 4 * 3 + 3;
    unsigned char *raw = xc_malloc(cap);
    if (!raw)
        return xc_error_set(err, XC_ENOMEM, NULL, "out of memory");
    int rc = XC_OK, nsig = 0, found = 0, other_id = 0;
    uint32_t other = 0;
    for (const char *p = sigs; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)(nl - p);
        if (++nsig > NOTE_MAX_SIGS) {
            rc = xc_error_set(err, XC_EINVAL, NULL, "note: more than %d signature lines", NOTE_MAX_SIGS);
            goto out;
        }
        if (ll < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
            rc = xc_error_set(err, XC_EINVAL, NULL, "note: signature line %d does not start with \"\u2014 \"", nsig);
            goto out;
        }
        const char *name = p + SIG_PREFIX_LEN;
        const char *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp) {
            rc = xc_error_set(err, XC_EINVAL, NULL, "note: signature line %d has no space after the key name", nsig);
            goto out;
        }
        size_t name_len = (size_t)(sp - name);
        const char *nproblem = name_problem(name, name_len);
        if (nproblem) {
            rc = xc_error_set(err, XC_EINVAL, NULL, "note: signature line %d: key name %s", nsig, nproblem);
            goto out;
        }
        long rl = b64_decode(sp + 1, (size_t)(nl - sp - 1), raw, cap);
        if (rl < 5) {
            rc = xc_error_set(err, XC_EINVAL, NULL,
                              "note: signature line %d: \"%.*s\" is not base64 of a key id and a signature", nsig,
                              (int)(nl - sp - 1 > 100 ? 100 : nl - sp - 1), sp + 1);
            goto out;
        }
        p = nl + 1;
        if (name_len != strlen(k->name) || memcmp(name, k->name, name_len) != 0)
            continue;
        uint32_t id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
        if (id != k->id) {
            other_id = 1;
            other = id;
            continue;
        }
        if (found)
            continue; /* repeated signatures by one key are ignored, as in Go */
        if (rl != 4 + crypto_sign_BYTES) {
            rc = xc_error_set(err, XC_EVERIFY, NULL, "signature by %s+%08x is %ld bytes, not %d", k->name,
                              (unsigned)k->id, rl - 4, crypto_sign_BYTES);
            goto out;
        }
        if (crypto_sign_verify_detached(raw + 4, (const unsigned char *)note, text_len, k->pk) != 0) {
            rc = xc_error_set(err, XC_EVERIFY, NULL, "signature by %s+%08x does not verify", k->name,
                              (unsigned)k->id);
            goto out;
        }
        found = 1;
    }
    if (found)
        rc = XC_OK;
    else if (other_id)
        rc = xc_error_set(err, XC_EVERIFY, NULL,
                          "note is not signed by %s+%08x (it carries a signature by another key of that name, id %08x)",
                          k->name, (unsigned)k->id, (unsigned)other);
    else
        rc = xc_error_set(err, XC_EVERIFY, NULL, "note is not signed by %s+%08x", k->name, (unsigned)k->id);
out:
    xc_free(raw);
    return rc;
}
