/*
 * merkle.c: RFC 9162 section 2.1 Merkle tree hashing, inclusion and
 * consistency proofs, and the append-only frontier.  Proof generation walks
 * the RFC's recursive definitions from the top down and computes each
 * sibling subtree's root with a fixed stack of XC_MERKLE_MAX_PATH hashes,
 * so generation hashes each leaf at most once and never allocates.
 */
/* SHA-256 comes from OpenSSL's libcrypto, whose implementation uses the
 * CPU's SHA extensions where there are any (3-4x libsodium's portable code on
 * this project's machines, measured in docs/audit-bench.md): the audit log
 * hashes every event two or three times on append and on verify.  The
 * SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but EVP's
 * per-call set-up costs as much as hashing a 64-byte block; they remain part
 * of OpenSSL 3's API. */
#define OPENSSL_API_COMPAT 0x10100000L

#include "merkle.h"

#include <openssl/sha.h>
#include <sodium.h>
#include <string.h>

typedef unsigned char hash_t[XC_HASH_LEN];

void xc_sha256_2(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[XC_HASH_LEN])
{
    SHA256_CTX st;
    SHA256_Init(&st);
    if (alen)
        SHA256_Update(&st, a, alen);
    if (blen)
        SHA256_Update(&st, b, blen);
    SHA256_Final(out, &st);
}

void xc_merkle_leaf(const void *data, size_t len, unsigned char out[XC_HASH_LEN])
{
    static const unsigned char prefix = 0x00;
    xc_sha256_2(&prefix, 1, data, len, out);
}

void xc_merkle_node(const unsigned char left[XC_HASH_LEN], const unsigned char right[XC_HASH_LEN],
                    unsigned char out[XC_HASH_LEN])
{
    unsigned char buf[1 + 2 * XC_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, left, XC_HASH_LEN);
    memcpy(buf + 1 + XC_HASH_LEN, right, XC_HASH_LEN);
    xc_sha256_2(buf, sizeof(buf), NULL, 0, out); /* out may alias left or right: buf is a copy */
}

void xc_merkle_empty_root(unsigned char out[XC_HASH_LEN])
{
    xc_sha256_2(NULL, 0, NULL, 0, out);
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k < n - k) /* k * 2 < n without overflow */
        k <<= 1;
    return k;
}

/* MTH(leaves[0..n)): the frontier of the range folded right to left.  At
 * most 64 partial roots are live at once (one per bit of n). */
static void subtree_root(const hash_t *leaves, uint64_t n, unsigned char out[XC_HASH_LEN])
{
    hash_t stack[XC_MERKLE_MAX_PATH];
    int depth = 0;
    if (n == 0) {
        xc_merkle_empty_root(out);
        return;
    }
    memcpy(stack[depth++], leaves[0], XC_HASH_LEN);
    for (uint64_t i = 1; i < n; i++) {
        memcpy(stack[depth], leaves[i], XC_HASH_LEN);
        for (uint64_t s = i; s & 1; s >>= 1) {
            xc_merkle_node(stack[depth - 1], stack[depth], stack[depth - 1]);
            depth--;
        }
        depth++;
    }
    memcpy(out, stack[depth - 1], XC_HASH_LEN);
    for (int d = depth - 2; d >= 0; d--)
        xc_merkle_node(stack[d], out, out);
}

void xc_merkle_root(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, unsigned char out[XC_HASH_LEN])
{
    subtree_root(leaves, n, out);
}

static void reverse_path(hash_t *path, size_t len)
{
    hash_t t;
    for (size_t i = 0, j = len ? len - 1 : 0; i < j; i++, j--) {
        memcpy(t, path[i], XC_HASH_LEN);
        memcpy(path[i], path[j], XC_HASH_LEN);
        memcpy(path[j], t, XC_HASH_LEN);
    }
}

/* PATH(m, D[n]): descend from the root; at each split record the sibling
 * subtree's root.  The RFC lists the path leaf first, so the siblings,
 * found root first, are reversed at the end. */
int xc_merkle_inclusion(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, uint64_t index,
                        unsigned char (*path)[XC_HASH_LEN], size_t *len)
{
    *len = 0;
    if (index >= n)
        return -1;
    const hash_t *base = leaves;
    size_t count = 0;
    while (n > 1) {
        uint64_t k = split_point(n);
        if (index < k) {
            subtree_root(base + k, n - k, path[count++]);
            n = k;
        } else {
            subtree_root(base, k, path[count++]);
            base += k;
            index -= k;
            n -= k;
        }
    }
    reverse_path(path, count);
    *len = count;
    return 0;
}

/* PROOF(m, D[n]) = SUBPROOF(m, D[n], true), walked iteratively: b becomes
 * false once the path goes right; when m reaches the size of the current
 * subtree the walk ends, adding that subtree's root unless b is still true. */
int xc_merkle_consistency(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, uint64_t m,
                          unsigned char (*path)[XC_HASH_LEN], size_t *len)
{
    *len = 0;
    if (m == 0 || m > n)
        return -1;
    const hash_t *base = leaves;
    size_t count = 0;
    int whole = 1; /* the RFC's b: the m leaves are still the whole left edge */
    while (m != n) {
        uint64_t k = split_point(n);
        if (m <= k) {
            subtree_root(base + k, n - k, path[count++]);
            n = k;
        } else {
            subtree_root(base, k, path[count++]);
            base += k;
            m -= k;
            n -= k;
            whole = 0;
        }
    }
    if (!whole) {
        if (count >= XC_MERKLE_MAX_PATH)
            return -1; /* unreachable for any n that fits in memory */
        subtree_root(base, n, path[count++]);
    }
    reverse_path(path, count);
    *len = count;
    return 0;
}

int xc_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[XC_HASH_LEN],
                               const unsigned char (*path)[XC_HASH_LEN], size_t len,
                               const unsigned char root[XC_HASH_LEN])
{
    if (index >= size)
        return 0;
    uint64_t fn = index, sn = size - 1;
    hash_t r;
    memcpy(r, leaf, XC_HASH_LEN);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            xc_merkle_node(path[i], r, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            xc_merkle_node(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, XC_HASH_LEN) == 0;
}

/* RFC 9162 2.1.4.2, extended as in Go's transparency-dev verifier to the
 * edge cases the RFC leaves out: m == n holds with an empty proof when the
 * roots are equal; m == 0 holds with an empty proof when root_m is the
 * empty tree's root. */
int xc_merkle_verify_consistency(uint64_t m, uint64_t n, const unsigned char root_m[XC_HASH_LEN],
                                 const unsigned char root_n[XC_HASH_LEN], const unsigned char (*path)[XC_HASH_LEN],
                                 size_t len)
{
    if (m > n)
        return 0;
    if (m == 0) {
        hash_t empty;
        xc_merkle_empty_root(empty);
        return len == 0 && sodium_memcmp(root_m, empty, XC_HASH_LEN) == 0;
    }
    if (m == n)
        return len == 0 && sodium_memcmp(root_m, root_n, XC_HASH_LEN) == 0;
    if (len == 0)
        return 0;

    /* Step 2: when m is a power of two, root_m is the (virtual) first element. */
    int pow2 = (m & (m - 1)) == 0;
    size_t total = len + (pow2 ? 1 : 0);
#define PATH_AT(i) (pow2 ? ((i) == 0 ? root_m : path[(i) - 1]) : path[(i)])
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    hash_t fr, sr;
    memcpy(fr, PATH_AT(0), XC_HASH_LEN);
    memcpy(sr, PATH_AT(0), XC_HASH_LEN);
    for (size_t i = 1; i < total; i++) {
        const unsigned char *c = PATH_AT(i);
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            xc_merkle_node(c, fr, fr);
            xc_merkle_node(c, sr, sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            xc_merkle_node(sr, c, sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
#undef PATH_AT
    return sn == 0 && sodium_memcmp(fr, root_m, XC_HASH_LEN) == 0 && sodium_memcmp(sr, root_n, XC_HASH_LEN) == 0;
}

void xc_frontier_init(xc_frontier *f)
{
    f->size = 0;
    f->n = 0;
}

/* Appending leaf number `size` merges one trailing subtree per trailing
 * one bit of size: amortised two hashes per leaf. */
void xc_frontier_push(xc_frontier *f, const unsigned char leaf[XC_HASH_LEN])
{
    uint64_t s = f->size;
    if (!(s & 1)) {
        memcpy(f->nodes[f->n++], leaf, XC_HASH_LEN);
    } else {
        int top = f->n - 1;
        xc_merkle_node(f->nodes[top], leaf, f->nodes[top]);
        for (s >>= 1; s & 1; s >>= 1) {
            xc_merkle_node(f->nodes[top - 1], f->nodes[top], f->nodes[top - 1]);
            top--;
        }
        f->n = top + 1;
    }
    f->size++;
}

void xc_frontier_root(const xc_frontier *f, unsigned char out[XC_HASH_LEN])
{
    if (f->n == 0) {
        xc_merkle_empty_root(out);
        return;
    }
    memcpy(out, f->nodes[f->n - 1], XC_HASH_LEN);
    for (int i = f->n - 2; i >= 0; i--)
        xc_merkle_node(f->nodes[i], out, out);
}

size_t xc_frontier_save(const xc_frontier *f, unsigned char *buf)
{
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)(f->size >> (56 - 8 * i));
    memcpy(buf + 8, f->nodes, (size_t)f->n * XC_HASH_LEN);
    return XC_FRONTIER_BYTES(f);
}

static int popcount64(uint64_t x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

int xc_frontier_load(xc_frontier *f, const unsigned char *buf, size_t len)
{
    if (len < 8 || (len - 8) % XC_HASH_LEN != 0)
        return -1;
    uint64_t size = 0;
    for (int i = 0; i < 8; i++)
        size = size << 8 | buf[i];
    int n = popcount64(size);
    if ((size_t)n != (len - 8) / XC_HASH_LEN)
        return -1;
    f->size = size;
    f->n = n;
    memcpy(f->nodes, buf + 8, (size_t)n * XC_HASH_LEN);
    return 0;
}
