/*
 * test_merkle.c: RFC 9162 Merkle trees (roots, inclusion and consistency
 * proofs, the frontier) checked against a naive recursive reference written
 * here from the RFC's definitions and against the Certificate Transparency
 * test vectors; C2SP signed notes and checkpoints checked against the
 * examples of Go's golang.org/x/mod/sumdb/note and against tampering.
 */
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "merkle.h"
#include "note.h"

typedef unsigned char hash_t[XC_HASH_LEN];

/* ---- helpers ------------------------------------------------------------- */

static void unhex(const char *hex, unsigned char *out, size_t n)
{
    size_t len = 0;
    assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &len, NULL), 0);
    assert_int_equal(len, n);
}

static void assert_hash_hex(const unsigned char h[XC_HASH_LEN], const char *want, const char *what)
{
    char got[2 * XC_HASH_LEN + 1];
    sodium_bin2hex(got, sizeof(got), h, XC_HASH_LEN);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", what, got, want);
}

/* ---- the reference: RFC 9162 2.1.1-2.1.4 read literally ------------------------ */

static void ref_sha(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen, unsigned char *out)
{
    unsigned char buf[1 + 2 * XC_HASH_LEN];
    memcpy(buf, a, alen);
    if (blen)
        memcpy(buf + alen, b, blen);
    crypto_hash_sha256(out, buf, alen + blen);
}

static void ref_node(const unsigned char *l, const unsigned char *r, unsigned char *out)
{
    unsigned char buf[1 + 2 * XC_HASH_LEN];
    buf[0] = 0x01;
    memcpy(buf + 1, l, XC_HASH_LEN);
    memcpy(buf + 1 + XC_HASH_LEN, r, XC_HASH_LEN);
    crypto_hash_sha256(out, buf, sizeof(buf));
}

static size_t ref_k(size_t n)
{
    size_t k = 1;
    while (2 * k < n)
        k *= 2;
    return k;
}

/* MTH over leaf hashes (the leaf hashing is tested separately). */
static void ref_mth(const hash_t *d, size_t n, unsigned char *out)
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], XC_HASH_LEN);
        return;
    }
    size_t k = ref_k(n);
    hash_t l, r;
    ref_mth(d, k, l);
    ref_mth(d + k, n - k, r);
    ref_node(l, r, out);
}

typedef struct {
    hash_t h[XC_MERKLE_MAX_PATH + 1];
    size_t n;
} ref_list;

static void ref_path(size_t m, const hash_t *d, size_t n, ref_list *out)
{
    if (n == 1)
        return;
    size_t k = ref_k(n);
    if (m < k) {
        ref_path(m, d, k, out);
        ref_mth(d + k, n - k, out->h[out->n++]);
    } else {
        ref_path(m - k, d + k, n - k, out);
        ref_mth(d, k, out->h[out->n++]);
    }
}

static void ref_subproof(size_t m, const hash_t *d, size_t n, int b, ref_list *out)
{
    if (m == n) {
        if (!b)
            ref_mth(d, n, out->h[out->n++]);
        return;
    }
    size_t k = ref_k(n);
    if (m <= k) {
        ref_subproof(m, d, k, b, out);
        ref_mth(d + k, n - k, out->h[out->n++]);
    } else {
        ref_subproof(m - k, d + k, n - k, 0, out);
        ref_mth(d, k, out->h[out->n++]);
    }
}

static int same_list(const ref_list *a, const hash_t *p, size_t len)
{
    return a->n == len && (len == 0 || memcmp(a->h, p, len * XC_HASH_LEN) == 0);
}

/* ---- Merkle tests ---------------------------------------------------------------- */

#define MAXN 130

static hash_t leaves[MAXN + 3];
static hash_t roots[MAXN + 3]; /* roots[n]: reference root of the first n leaves */

static void make_leaves(void)
{
    for (int i = 0; i < MAXN + 3; i++) {
        char data[32];
        int len = snprintf(data, sizeof(data), "event %d", i);
        xc_merkle_leaf(data, (size_t)len, leaves[i]);
    }
    for (int n = 0; n < MAXN + 3; n++)
        ref_mth(leaves, (size_t)n, roots[n]);
}

static void test_hashing(void **state)
{
    (void)state;
    hash_t h, want;
    xc_merkle_empty_root(h);
    assert_hash_hex(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty root");
    xc_merkle_root(leaves, 0, h);
    assert_hash_hex(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "root of 0 leaves");

    static const unsigned char zero = 0x00, one = 0x01;
    xc_merkle_leaf("abc", 3, h);
    ref_sha(&zero, 1, (const unsigned char *)"abc", 3, want);
    assert_memory_equal(h, want, XC_HASH_LEN);
    xc_merkle_leaf(NULL, 0, h);
    ref_sha(&zero, 1, NULL, 0, want);
    assert_memory_equal(h, want, XC_HASH_LEN);

    unsigned char lr[2 * XC_HASH_LEN];
    memcpy(lr, leaves[0], XC_HASH_LEN);
    memcpy(lr + XC_HASH_LEN, leaves[1], XC_HASH_LEN);
    ref_sha(&one, 1, lr, sizeof(lr), want);
    xc_merkle_node(leaves[0], leaves[1], h);
    assert_memory_equal(h, want, XC_HASH_LEN);
    /* the output may alias an input */
    memcpy(h, leaves[0], XC_HASH_LEN);
    xc_merkle_node(h, leaves[1], h);
    assert_memory_equal(h, want, XC_HASH_LEN);
    memcpy(h, leaves[1], XC_HASH_LEN);
    xc_merkle_node(leaves[0], h, h);
    assert_memory_equal(h, want, XC_HASH_LEN);
}

/* The Certificate Transparency test tree (transparency-dev/merkle
 * testonly/constants.go, the RFC 6962 reference data). */
static const char *const ct_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void ct_leaves(hash_t out[8])
{
    static const char *const inputs[8] = {"",         "00",       "10",
                                          "2021",     "3031",     "40414243",
                                          "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
    for (int i = 0; i < 8; i++) {
        unsigned char data[16];
        size_t len = strlen(inputs[i]) / 2;
        if (len)
            unhex(inputs[i], data, len);
        xc_merkle_leaf(data, len, out[i]);
    }
}

static void check_list(const hash_t *got, size_t len, const char *const *want, size_t wlen, const char *what)
{
    if (len != wlen)
        fail_msg("%s: %zu hashes, want %zu", what, len, wlen);
    for (size_t i = 0; i < len; i++)
        assert_hash_hex(got[i], want[i], what);
}

static void test_ct_vectors(void **state)
{
    (void)state;
    hash_t ct[8], h, path[XC_MERKLE_MAX_PATH];
    size_t len;
    ct_leaves(ct);
    for (int n = 0; n <= 8; n++) {
        char what[32];
        snprintf(what, sizeof(what), "root of %d CT leaves", n);
        xc_merkle_root(ct, (uint64_t)n, h);
        assert_hash_hex(h, ct_roots[n], what); /* implementation vs published constant */
        ref_mth(ct, (size_t)n, h);
        assert_hash_hex(h, ct_roots[n], what); /* reference vs published constant */
    }

    static const char *const path_0_8[] = {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
    static const char *const path_5_8[] = {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const proof_6_8[] = {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                                            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"};
    static const char *const proof_2_5[] = {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"};
    hash_t r8, r5, r6, r2, r1;
    xc_merkle_root(ct, 8, r8);
    xc_merkle_root(ct, 6, r6);
    xc_merkle_root(ct, 5, r5);
    xc_merkle_root(ct, 2, r2);
    xc_merkle_root(ct, 1, r1);

    assert_int_equal(xc_merkle_inclusion(ct, 8, 0, path, &len), 0);
    check_list(path, len, path_0_8, 3, "PATH(0, D[8])");
    assert_true(xc_merkle_verify_inclusion(0, 8, ct[0], path, len, r8));
    assert_int_equal(xc_merkle_inclusion(ct, 8, 5, path, &len), 0);
    check_list(path, len, path_5_8, 3, "PATH(5, D[8])");
    assert_true(xc_merkle_verify_inclusion(5, 8, ct[5], path, len, r8));
    assert_int_equal(xc_merkle_inclusion(ct, 1, 0, path, &len), 0);
    assert_int_equal(len, 0);
    assert_true(xc_merkle_verify_inclusion(0, 1, ct[0], path, 0, r1));

    assert_int_equal(xc_merkle_consistency(ct, 8, 1, path, &len), 0);
    check_list(path, len, path_0_8, 3, "PROOF(1, D[8])");
    assert_true(xc_merkle_verify_consistency(1, 8, r1, r8, path, len));
    assert_int_equal(xc_merkle_consistency(ct, 8, 6, path, &len), 0);
    check_list(path, len, proof_6_8, 3, "PROOF(6, D[8])");
    assert_true(xc_merkle_verify_consistency(6, 8, r6, r8, path, len));
    assert_int_equal(xc_merkle_consistency(ct, 5, 2, path, &len), 0);
    check_list(path, len, proof_2_5, 2, "PROOF(2, D[5])");
    assert_true(xc_merkle_verify_consistency(2, 5, r2, r5, path, len));
    assert_int_equal(xc_merkle_consistency(ct, 8, 8, path, &len), 0);
    assert_int_equal(len, 0);
    assert_true(xc_merkle_verify_consistency(8, 8, r8, r8, path, 0));
}

/* A proof checked with one element flipped, truncated at either end and
 * extended must fail. */
static void expect_tamper_fails_inclusion(uint64_t index, uint64_t n, const hash_t *path, size_t len)
{
    hash_t p[XC_MERKLE_MAX_PATH + 1];
    memcpy(p, path, len * XC_HASH_LEN);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8 * XC_HASH_LEN; bit += 97) {
            p[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
            if (xc_merkle_verify_inclusion(index, n, leaves[index], p, len, roots[n]))
                fail_msg("inclusion %llu/%llu verified with bit %d of element %zu flipped", (unsigned long long)index,
                         (unsigned long long)n, bit, i);
            p[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
        }
    hash_t leaf;
    memcpy(leaf, leaves[index], XC_HASH_LEN);
    leaf[31] ^= 1;
    assert_false(xc_merkle_verify_inclusion(index, n, leaf, p, len, roots[n]));
    hash_t root;
    memcpy(root, roots[n], XC_HASH_LEN);
    root[0] ^= 0x80;
    assert_false(xc_merkle_verify_inclusion(index, n, leaves[index], p, len, root));
    if (len > 0) {
        assert_false(xc_merkle_verify_inclusion(index, n, leaves[index], p, len - 1, roots[n]));
        assert_false(xc_merkle_verify_inclusion(index, n, leaves[index], p + 1, len - 1, roots[n]));
    }
    memcpy(p[len], roots[n], XC_HASH_LEN);
    assert_false(xc_merkle_verify_inclusion(index, n, leaves[index], p, len + 1, roots[n]));
    memset(p[len], 0, XC_HASH_LEN);
    assert_false(xc_merkle_verify_inclusion(index, n, leaves[index], p, len + 1, roots[n]));
}

static void test_inclusion_vs_reference(void **state)
{
    (void)state;
    hash_t path[XC_MERKLE_MAX_PATH];
    size_t len;
    for (uint64_t n = 1; n <= MAXN; n++) {
        hash_t root;
        xc_merkle_root(leaves, n, root);
        if (memcmp(root, roots[n], XC_HASH_LEN) != 0)
            fail_msg("root of %llu leaves differs from the reference", (unsigned long long)n);
        len = 99;
        assert_int_equal(xc_merkle_inclusion(leaves, n, n, path, &len), -1);
        assert_int_equal(len, 0);
        assert_false(xc_merkle_verify_inclusion(n, n, leaves[n], path, 0, roots[n]));
        for (uint64_t m = 0; m < n; m++) {
            ref_list want = {.n = 0};
            ref_path((size_t)m, leaves, (size_t)n, &want);
            assert_int_equal(xc_merkle_inclusion(leaves, n, m, path, &len), 0);
            if (!same_list(&want, path, len))
                fail_msg("PATH(%llu, D[%llu]) differs from the reference (%zu vs %zu hashes)",
                         (unsigned long long)m, (unsigned long long)n, len, want.n);
            if (!xc_merkle_verify_inclusion(m, n, leaves[m], path, len, roots[n]))
                fail_msg("PATH(%llu, D[%llu]) does not verify", (unsigned long long)m, (unsigned long long)n);
            expect_tamper_fails_inclusion(m, n, path, len);

            /* Another index: the leaf is not there. */
            for (uint64_t w = 0; w < n + 2; w += (n > 12 ? n / 6 : 1))
                if (w != m && xc_merkle_verify_inclusion(w, n, leaves[m], path, len, roots[n]))
                    fail_msg("PATH(%llu, D[%llu]) verified for index %llu", (unsigned long long)m,
                             (unsigned long long)n, (unsigned long long)w);
            /* Another size, against that size's true root: holds only if
             * the path happens to be that size's path too. */
            for (uint64_t s = n - 1; s <= n + 1; s++) {
                if (s == n || m >= s)
                    continue;
                ref_list other = {.n = 0};
                ref_path((size_t)m, leaves, (size_t)s, &other);
                int expect = same_list(&other, path, len);
                if (xc_merkle_verify_inclusion(m, s, leaves[m], path, len, roots[s]) != expect)
                    fail_msg("PATH(%llu, D[%llu]) checked as size %llu: expected %d", (unsigned long long)m,
                             (unsigned long long)n, (unsigned long long)s, expect);
                if (xc_merkle_verify_inclusion(m, s, leaves[m], path, len, roots[n]) && len != other.n)
                    fail_msg("PATH(%llu, D[%llu]) verified as size %llu with a path of another length",
                             (unsigned long long)m, (unsigned long long)n, (unsigned long long)s);
            }
        }
    }
}

static void expect_tamper_fails_consistency(uint64_t m, uint64_t n, const hash_t *path, size_t len)
{
    hash_t p[XC_MERKLE_MAX_PATH + 1];
    memcpy(p, path, len * XC_HASH_LEN);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8 * XC_HASH_LEN; bit += 97) {
            p[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
            if (xc_merkle_verify_consistency(m, n, roots[m], roots[n], p, len))
                fail_msg("PROOF(%llu, D[%llu]) verified with bit %d of element %zu flipped", (unsigned long long)m,
                         (unsigned long long)n, bit, i);
            p[i][bit / 8] ^= (unsigned char)(1u << (bit % 8));
        }
    hash_t bad;
    memcpy(bad, roots[m], XC_HASH_LEN);
    bad[5] ^= 4;
    assert_false(xc_merkle_verify_consistency(m, n, bad, roots[n], p, len));
    memcpy(bad, roots[n], XC_HASH_LEN);
    bad[5] ^= 4;
    assert_false(xc_merkle_verify_consistency(m, n, roots[m], bad, p, len));
    if (m != n)
        assert_false(xc_merkle_verify_consistency(n, m, roots[n], roots[m], p, len));
    if (len > 0) {
        assert_false(xc_merkle_verify_consistency(m, n, roots[m], roots[n], p, len - 1));
        assert_false(xc_merkle_verify_consistency(m, n, roots[m], roots[n], p + 1, len - 1));
    }
    memcpy(p[len], roots[n], XC_HASH_LEN);
    assert_false(xc_merkle_verify_consistency(m, n, roots[m], roots[n], p, len + 1));
    memset(p[len], 0, XC_HASH_LEN);
    assert_false(xc_merkle_verify_consistency(m, n, roots[m], roots[n], p, len + 1));
}

static void test_consistency_vs_reference(void **state)
{
    (void)state;
    hash_t path[XC_MERKLE_MAX_PATH];
    size_t len;
    for (uint64_t n = 1; n <= MAXN; n++) {
        assert_int_equal(xc_merkle_consistency(leaves, n, 0, path, &len), -1);
        assert_int_equal(xc_merkle_consistency(leaves, n, n + 1, path, &len), -1);
        /* size 0 is consistent with anything, with an empty proof */
        assert_true(xc_merkle_verify_consistency(0, n, roots[0], roots[n], path, 0));
        assert_false(xc_merkle_verify_consistency(0, n, roots[1], roots[n], path, 0));
        memcpy(path[0], roots[n], XC_HASH_LEN);
        assert_false(xc_merkle_verify_consistency(0, n, roots[0], roots[n], path, 1));
        /* equal sizes: equal roots and an empty proof */
        assert_false(xc_merkle_verify_consistency(n, n, roots[n], roots[n], path, 1));
        assert_false(xc_merkle_verify_consistency(n, n, roots[n], roots[n + 1], path, 0));

        for (uint64_t m = 1; m <= n; m++) {
            ref_list want = {.n = 0};
            ref_subproof((size_t)m, leaves, (size_t)n, 1, &want);
            assert_int_equal(xc_merkle_consistency(leaves, n, m, path, &len), 0);
            if (!same_list(&want, path, len))
                fail_msg("PROOF(%llu, D[%llu]) differs from the reference (%zu vs %zu hashes)",
                         (unsigned long long)m, (unsigned long long)n, len, want.n);
            if (!xc_merkle_verify_consistency(m, n, roots[m], roots[n], path, len))
                fail_msg("PROOF(%llu, D[%llu]) does not verify", (unsigned long long)m, (unsigned long long)n);
            expect_tamper_fails_consistency(m, n, path, len);

            /* Other sizes, with their true roots: holds only if the proof is
             * also the reference proof for those sizes. */
            for (uint64_t m2 = m - 1; m2 <= m + 1; m2++)
                for (uint64_t n2 = n - 1; n2 <= n + 1; n2++) {
                    if ((m2 != m) == (n2 != n) || m2 == 0 || m2 > n2) /* change one of the two */
                        continue;
                    ref_list other = {.n = 0};
                    ref_subproof((size_t)m2, leaves, (size_t)n2, 1, &other);
                    int expect = same_list(&other, path, len);
                    if (xc_merkle_verify_consistency(m2, n2, roots[m2], roots[n2], path, len) != expect)
                        fail_msg("PROOF(%llu, D[%llu]) checked as (%llu, %llu): expected %d", (unsigned long long)m,
                                 (unsigned long long)n, (unsigned long long)m2, (unsigned long long)n2, expect);
                }
        }
    }
}

static void test_frontier(void **state)
{
    (void)state;
    enum { N = 1000 };
    hash_t *lv = malloc(N * sizeof(hash_t));
    assert_non_null(lv);
    for (int i = 0; i < N; i++) {
        char data[32];
        int len = snprintf(data, sizeof(data), "frontier %d", i);
        xc_merkle_leaf(data, (size_t)len, lv[i]);
    }
    xc_frontier f, g;
    unsigned char buf[8 + XC_MERKLE_MAX_PATH * XC_HASH_LEN + XC_HASH_LEN];
    hash_t a, b;
    xc_frontier_init(&f);
    xc_frontier_root(&f, a);
    assert_hash_hex(a, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty frontier");
    assert_int_equal(xc_frontier_save(&f, buf), 8);
    assert_int_equal(xc_frontier_load(&g, buf, 8), 0);
    assert_int_equal(g.size, 0);
    assert_int_equal(g.n, 0);

    for (int i = 0; i < N; i++) {
        xc_frontier_push(&f, lv[i]);
        uint64_t size = (uint64_t)i + 1;
        assert_int_equal(f.size, size);
        assert_int_equal(f.n, __builtin_popcountll(size));
        xc_frontier_root(&f, a);
        xc_merkle_root(lv, size, b);
        if (memcmp(a, b, XC_HASH_LEN) != 0)
            fail_msg("frontier root after %llu leaves differs from xc_merkle_root", (unsigned long long)size);
        /* each node is the root of its perfect subtree, largest first */
        uint64_t start = 0;
        for (int k = 0; k < f.n; k++) {
            uint64_t span = 1;
            while (span * 2 <= size - start)
                span *= 2;
            xc_merkle_root(lv + start, span, b);
            assert_memory_equal(f.nodes[k], b, XC_HASH_LEN);
            start += span;
        }

        size_t len = xc_frontier_save(&f, buf);
        assert_int_equal(len, XC_FRONTIER_BYTES(&f));
        for (int j = 0; j < 8; j++)
            assert_int_equal(buf[j], (unsigned char)(size >> (56 - 8 * j)));
        memset(&g, 0xaa, sizeof(g));
        assert_int_equal(xc_frontier_load(&g, buf, len), 0);
        assert_int_equal(g.size, f.size);
        assert_int_equal(g.n, f.n);
        assert_memory_equal(g.nodes, f.nodes, (size_t)f.n * XC_HASH_LEN);
        if (i % 37 == 0) {
            /* lengths that disagree with popcount(size) */
            memset(buf + len, 0, XC_HASH_LEN);
            assert_int_equal(xc_frontier_load(&g, buf, len + XC_HASH_LEN), -1);
            assert_int_equal(xc_frontier_load(&g, buf, len - XC_HASH_LEN), -1);
            assert_int_equal(xc_frontier_load(&g, buf, len - 1), -1);
            assert_int_equal(xc_frontier_load(&g, buf, len + 1), -1);
            assert_int_equal(xc_frontier_load(&g, buf, 7), -1);
            assert_int_equal(xc_frontier_load(&g, buf, 0), -1);
            buf[7] ^= 2; /* a size with another bit count */
            if (__builtin_popcountll(size ^ 2) != f.n)
                assert_int_equal(xc_frontier_load(&g, buf, len), -1);
            buf[7] ^= 2;
        }
    }
    /* a loaded frontier keeps growing like the original */
    assert_int_equal(xc_frontier_load(&g, buf, xc_frontier_save(&f, buf)), 0);
    xc_frontier_push(&g, lv[0]);
    xc_frontier_push(&f, lv[0]);
    xc_frontier_root(&f, a);
    xc_frontier_root(&g, b);
    assert_memory_equal(a, b, XC_HASH_LEN);

    /* a huge size needs 64 nodes */
    memset(buf, 0xff, 8);
    assert_int_equal(xc_frontier_load(&g, buf, 8 + 64 * XC_HASH_LEN), 0);
    assert_int_equal(g.n, 64);
    assert_int_equal(xc_frontier_load(&g, buf, 8 + 63 * XC_HASH_LEN), -1);
    free(lv);
}

/* ---- notes ------------------------------------------------------------------ */

/* From Go's golang.org/x/mod/sumdb/note documentation and tests. */
#define GO_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_TEXT "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
#define GO_NOTE                                                                                                     \
    GO_TEXT "\n\xe2\x80\x94 PeterNeumann "                                                                          \
            "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

/* The fixed key and checkpoint of docs/audit-format.md: seed bytes 00..1f. */
#define DOC_SKEY "PRIVATE+KEY+example.org/exportctl-test+3b8acb2b+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f"
#define DOC_VKEY "example.org/exportctl-test+3b8acb2b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
#define DOC_NOTE                                                                                                    \
    "example.org/exportctl-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\xe2\x80\x94 "                   \
    "example.org/exportctl-test "                                                                                   \
    "O4rLK99HSiAlZHSFEXoUdaXrPIBizgmoH3Y/Ggyiwu9fGSvao2CIG7LRXNtbcpUxYp4Febi3kzFz1SBZ1EKb00Iroww=\n"

static void load_key_text(const char *file, const char *text, xc_note_key *k)
{
    const char *path = tu_path(file);
    char line[512];
    snprintf(line, sizeof(line), "%s\n", text);
    tu_write(path, line);
    xc_error err;
    xc_error_clear(&err);
    if (xc_note_key_load(path, k, &err) != XC_OK)
        fail_msg("loading %s: %s", file, err.msg);
}

static void expect_verify(const char *note, const xc_note_key *k, int code, const char *msg_part)
{
    xc_error err;
    xc_error_clear(&err);
    int rc = xc_note_verify(note, k, &err);
    if (rc != code)
        fail_msg("verify: got %d (%s), want %d; note:\n%s", rc, err.msg, code, note);
    if (msg_part && !strstr(err.msg, msg_part))
        fail_msg("verify: message \"%s\" does not contain \"%s\"", err.msg, msg_part);
}

static void test_note_go_vectors(void **state)
{
    (void)state;
    xc_note_key k, v;
    xc_error err;
    char vkey[256];
    load_key_text("go.key", GO_SKEY, &k);
    assert_string_equal(k.name, "PeterNeumann");
    assert_int_equal(k.id, 0xc74f20a3u);
    assert_true(k.has_sk);
    xc_note_vkey_format(&k, vkey, sizeof(vkey));
    assert_string_equal(vkey, GO_VKEY);

    char *note = NULL;
    assert_int_equal(xc_note_sign(GO_TEXT, &k, &note, &err), XC_OK);
    assert_string_equal(note, GO_NOTE); /* Ed25519 is deterministic */
    xc_free(note);

    assert_int_equal(xc_note_vkey_parse(GO_VKEY, &v, &err), XC_OK);
    assert_int_equal(v.has_sk, 0);
    assert_memory_equal(v.pk, k.pk, 32);
    expect_verify(GO_NOTE, &v, XC_OK, NULL);
    char *bad = xc_strdup(GO_NOTE);
    strstr(bad, "cryptography")[11] = 'Y';
    expect_verify(bad, &v, XC_EVERIFY, "does not verify");
    xc_free(bad);

    /* The documented example of docs/audit-format.md. */
    load_key_text("doc.key", DOC_SKEY, &k);
    xc_note_vkey_format(&k, vkey, sizeof(vkey));
    assert_string_equal(vkey, DOC_VKEY);
    hash_t ct[8], root;
    ct_leaves(ct);
    xc_merkle_root(ct, 8, root);
    char *body = NULL;
    assert_int_equal(xc_checkpoint_body("example.org/exportctl-test", 8, root, NULL, &body, &err), XC_OK);
    assert_int_equal(xc_note_sign(body, &k, &note, &err), XC_OK);
    assert_string_equal(note, DOC_NOTE);
    expect_verify(note, &k, XC_OK, NULL);
    xc_free(body);
    xc_free(note);
}

static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *out = xc_malloc(n + 1);
    assert_non_null(out);
    snprintf(out, n + 1, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static void test_note_sign_verify(void **state)
{
    (void)state;
    xc_note_key k, k2, k3, v;
    xc_error err;
    assert_int_equal(xc_note_key_generate("log.example/audit", &k, &err), XC_OK);
    assert_int_equal(xc_note_key_generate("log.example/audit", &k2, &err), XC_OK); /* same name, new key */
    assert_int_equal(xc_note_key_generate("other.example", &k3, &err), XC_OK);
    assert_true(k.id != k2.id);

    const char *body = "log.example/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    char *note = NULL;
    assert_int_equal(xc_note_sign(body, &k, &note, &err), XC_OK);
    assert_int_equal(strncmp(note, body, strlen(body)), 0);
    assert_int_equal(strncmp(note + strlen(body), "\n\xe2\x80\x94 log.example/audit ", 23), 0);
    expect_verify(note, &k, XC_OK, NULL);

    /* a verifier key carries everything needed */
    char vkey[256];
    xc_note_vkey_format(&k, vkey, sizeof(vkey));
    assert_int_equal(xc_note_vkey_parse(vkey, &v, &err), XC_OK);
    assert_string_equal(v.name, k.name);
    assert_int_equal(v.id, k.id);
    assert_memory_equal(v.pk, k.pk, 32);
    expect_verify(note, &v, XC_OK, NULL);

    /* modified body */
    char *t = replace(note, "\n3\n", "\n4\n");
    expect_verify(t, &k, XC_EVERIFY, "does not verify");
    xc_free(t);
    /* another key of the same name, and another name */
    expect_verify(note, &k2, XC_EVERIFY, "another key of that name");
    expect_verify(note, &k3, XC_EVERIFY, "not signed by other.example");
    /* the same key under another name: another key id, not signed */
    xc_note_key renamed = k;
    snprintf(renamed.name, sizeof(renamed.name), "log.example/other");
    expect_verify(note, &renamed, XC_EVERIFY, "not signed");
    /* the signature line renamed */
    t = replace(note, "\xe2\x80\x94 log.example/audit", "\xe2\x80\x94 log.example/audix");
    expect_verify(t, &k, XC_EVERIFY, "not signed by log.example/audit");
    xc_free(t);

    /* a second signature by another key is fine, in either order */
    char *n3 = NULL;
    assert_int_equal(xc_note_sign(body, &k3, &n3, &err), XC_OK);
    size_t bl = strlen(body) + 1;
    size_t cap = strlen(note) + strlen(n3);
    char *both = xc_malloc(cap);
    snprintf(both, cap, "%s%s", note, n3 + bl);
    expect_verify(both, &k, XC_OK, NULL);
    expect_verify(both, &k3, XC_OK, NULL);
    snprintf(both, cap, "%s%s", n3, note + bl);
    expect_verify(both, &k, XC_OK, NULL);
    /* a repeated line by our key is ignored, as in Go, even when it is bad;
     * a bad first line by our key fails */
    snprintf(both, cap, "%s%s", note, note + bl);
    expect_verify(both, &k, XC_OK, NULL);
    char *last = strrchr(both, ' ') + 10;
    *last = *last == 'A' ? 'B' : 'A';
    expect_verify(both, &k, XC_OK, NULL);
    char *first = strchr(both + bl, ' ') + 1;
    first = strchr(first, ' ') + 10;
    *first = *first == 'A' ? 'B' : 'A';
    expect_verify(both, &k, XC_EVERIFY, "does not verify");
    xc_free(both);
    xc_free(n3);

    /* truncated signature: broken base64 is malformed; a shorter but valid
     * base64 signature is a signature that does not verify */
    char *sig = strrchr(note, ' ') + 1;
    size_t siglen = strlen(sig) - 1;
    char *tr = xc_strndup(note, (size_t)(sig - note) + siglen - 5);
    char *tr2 = xc_malloc(strlen(tr) + 2);
    snprintf(tr2, strlen(tr) + 2, "%s\n", tr);
    expect_verify(tr2, &k, XC_EINVAL, "not base64");
    xc_free(tr);
    xc_free(tr2);
    unsigned char raw[68];
    size_t rl;
    assert_int_equal(sodium_base642bin(raw, sizeof(raw), sig, siglen, NULL, &rl, NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(rl, 68);
    char b64[128];
    sodium_bin2base64(b64, sizeof(b64), raw, 36, sodium_base64_VARIANT_ORIGINAL);
    char *shortsig = xc_malloc(strlen(note) + 1);
    snprintf(shortsig, strlen(note) + 1, "%.*s%s\n", (int)(sig - note), note, b64);
    expect_verify(shortsig, &k, XC_EVERIFY, "is 32 bytes, not 64");
    xc_free(shortsig);
    /* a flipped signature byte */
    raw[10] ^= 1;
    sodium_bin2base64(b64, sizeof(b64), raw, 68, sodium_base64_VARIANT_ORIGINAL);
    char *flipped = xc_strdup(note);
    memcpy(flipped + (sig - note), b64, strlen(b64));
    expect_verify(flipped, &k, XC_EVERIFY, "does not verify");
    xc_free(flipped);

    /* bad base64 */
    char *bb = xc_strdup(note);
    bb[(sig - note) + 3] = '*';
    expect_verify(bb, &k, XC_EINVAL, "not base64");
    xc_free(bb);
    /* missing blank line */
    t = replace(note, "=\n\n", "=\n");
    expect_verify(t, &k, XC_EINVAL, "no blank line");
    xc_free(t);
    /* no signatures at all, no final newline, not an em dash */
    t = xc_strndup(note, strlen(body) + 1);
    expect_verify(t, &k, XC_EINVAL, "no signature lines");
    xc_free(t);
    t = xc_strndup(note, strlen(note) - 1);
    expect_verify(t, &k, XC_EINVAL, "newline");
    xc_free(t);
    t = replace(note, "\xe2\x80\x94 ", "-- ");
    expect_verify(t, &k, XC_EINVAL, "does not start with");
    xc_free(t);
    /* control characters and invalid UTF-8 */
    t = replace(note, "audit\n3", "audit\r\n3");
    expect_verify(t, &k, XC_EINVAL, "UTF-8");
    xc_free(t);
    t = replace(note, "audit\n3", "audit\xff\n3");
    expect_verify(t, &k, XC_EINVAL, "UTF-8");
    xc_free(t);
    t = replace(note, "audit\n3", "audit\xc0\xaf\n3"); /* overlong '/' */
    expect_verify(t, &k, XC_EINVAL, "UTF-8");
    xc_free(t);
    xc_free(note);

    /* more than 100 signature lines; exactly 100 is fine */
    char line[256];
    assert_int_equal(xc_note_sign(body, &k, &note, &err), XC_OK);
    snprintf(line, sizeof(line), "%s", note + strlen(body) + 1);
    size_t big = strlen(body) + 1 + 101 * strlen(line) + 1;
    char *many = xc_malloc(big);
    size_t off = (size_t)snprintf(many, big, "%s\n", body);
    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(many + off, big - off, "%s", line);
    expect_verify(many, &k, XC_OK, NULL);
    snprintf(many + off, big - off, "%s", line);
    expect_verify(many, &k, XC_EINVAL, "more than 100");
    xc_free(many);
    /* longer than 1 MiB */
    size_t huge = 1024 * 1024 + 100;
    char *h = xc_malloc(huge + strlen(note) + 1);
    memset(h, 'a', huge);
    for (size_t i = 79; i < huge; i += 80)
        h[i] = '\n';
    memcpy(h + huge, note, strlen(note) + 1);
    expect_verify(h, &k, XC_EINVAL, "longer than");
    xc_free(h);
    xc_free(note);

    /* signing refuses bodies that cannot be notes */
    assert_int_equal(xc_note_sign("no newline", &k, &note, &err), XC_EINVAL);
    assert_null(note);
    assert_int_equal(xc_note_sign("", &k, &note, &err), XC_EINVAL);
    assert_int_equal(xc_note_sign("tab\there\n", &k, &note, &err), XC_EINVAL);
    assert_int_equal(xc_note_sign(body, &v, &note, &err), XC_EINVAL); /* no private half */
    assert_non_null(strstr(err.msg, "private"));
}

static void test_key_names_and_vkeys(void **state)
{
    (void)state;
    xc_note_key k;
    xc_error err;
    static const char *const bad_names[] = {"", "a b", "a+b", "tab\tname", "nl\nname", "nbsp\xc2\xa0name",
                                            "bad\xffutf8"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        xc_error_clear(&err);
        if (xc_note_key_generate(bad_names[i], &k, &err) != XC_EINVAL)
            fail_msg("key name \"%s\" accepted", bad_names[i]);
    }
    char longname[200];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(xc_note_key_generate(longname, &k, &err), XC_EINVAL);
    assert_int_equal(xc_note_key_generate("caf\xc3\xa9.example/log", &k, &err), XC_OK); /* UTF-8 is fine */

    char vkey[256];
    xc_note_vkey_format(&k, vkey, sizeof(vkey));
    xc_note_key v;
    assert_int_equal(xc_note_vkey_parse(vkey, &v, &err), XC_OK);
    assert_string_equal(v.name, k.name);

    static const char *const bad_vkeys[] = {
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  /* wrong id */
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   /* 7 hex digits */
        "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  /* not hex */
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   /* truncated base64 */
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=", /* trailing junk */
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWA",  /* algorithm 2 */
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    };
    for (size_t i = 0; i < sizeof(bad_vkeys) / sizeof(bad_vkeys[0]); i++) {
        xc_error_clear(&err);
        if (xc_note_vkey_parse(bad_vkeys[i], &v, &err) != XC_EINVAL)
            fail_msg("verifier key \"%s\" accepted", bad_vkeys[i]);
        assert_int_equal(err.code, XC_EINVAL);
    }
    assert_int_equal(xc_note_vkey_parse(GO_VKEY, &v, &err), XC_OK);
    assert_int_equal(xc_note_vkey_parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v, &err),
                     XC_OK); /* Go accepts either case of hex */
}

static void test_key_files(void **state)
{
    (void)state;
    xc_note_key k, l;
    xc_error err;
    assert_int_equal(xc_note_key_generate("files.example/log", &k, &err), XC_OK);
    const char *path = tu_path("signer.key");
    assert_int_equal(xc_note_key_save(path, &k, &err), XC_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t len;
    char *text = tu_read(path, &len);
    assert_non_null(text);
    assert_int_equal(strncmp(text, "PRIVATE+KEY+files.example/log+", 30), 0);
    assert_int_equal(text[len - 1], '\n');
    assert_true(strchr(text, '\n') == text + len - 1); /* one line */

    assert_int_equal(xc_note_key_load(path, &l, &err), XC_OK);
    assert_string_equal(l.name, k.name);
    assert_int_equal(l.id, k.id);
    assert_memory_equal(l.pk, k.pk, 32);
    assert_memory_equal(l.sk, k.sk, 64);
    assert_true(l.has_sk);

    /* refuses to overwrite, and leaves the file alone */
    xc_note_key other;
    assert_int_equal(xc_note_key_generate("files.example/log", &other, &err), XC_OK);
    xc_error_clear(&err);
    assert_int_equal(xc_note_key_save(path, &other, &err), XC_ECONFLICT);
    assert_non_null(strstr(err.msg, path));
    char *again = tu_read(path, NULL);
    assert_string_equal(again, text);
    free(again);
    /* no private half */
    xc_note_key pub = k;
    pub.has_sk = 0;
    assert_int_equal(xc_note_key_save(tu_path("pub.key"), &pub, &err), XC_EINVAL);
    /* a directory that does not exist */
    assert_int_equal(xc_note_key_save(tu_path("no/such/dir.key"), &k, &err), XC_EIO);
    assert_int_equal(xc_note_key_load(tu_path("missing.key"), &l, &err), XC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "missing.key"));

    /* corrupted files */
    char *b64 = text + strlen("PRIVATE+KEY+files.example/log+01234567+"); /* base64 may itself hold '+' */
    assert_int_equal(strlen(b64), 45);
    struct {
        const char *name;
        char *content;
    } bad[8];
    int nb = 0;
    char *c;
    c = strdup(text); /* one base64 character changed: another seed, the id no longer matches */
    c[b64 - text + 5] = c[b64 - text + 5] == 'A' ? 'B' : 'A';
    bad[nb].name = "id-mismatch.key", bad[nb++].content = c;
    c = strdup(text); /* truncated */
    c[len - 6] = '\0';
    bad[nb].name = "truncated.key", bad[nb++].content = c;
    c = strdup(text); /* wrong prefix */
    c[0] = 'p';
    bad[nb].name = "prefix.key", bad[nb++].content = c;
    c = malloc(len + 16); /* two lines */
    snprintf(c, len + 16, "%sextra\n", text);
    bad[nb].name = "twolines.key", bad[nb++].content = c;
    c = strdup(text); /* id digits */
    c[30] = 'z';
    bad[nb].name = "hex.key", bad[nb++].content = c;
    c = strdup(""); /* empty */
    bad[nb].name = "empty.key", bad[nb++].content = c;
    c = strdup(GO_VKEY "\n"); /* a verifier key is not a signer key */
    bad[nb].name = "vkey.key", bad[nb++].content = c;
    for (int i = 0; i < nb; i++) {
        const char *p = tu_path(bad[i].name);
        tu_write(p, bad[i].content);
        xc_error_clear(&err);
        int rc = xc_note_key_load(p, &l, &err);
        if (rc != XC_EINVAL)
            fail_msg("%s: got %d (%s), want XC_EINVAL", bad[i].name, rc, err.msg);
        if (!strstr(err.msg, p))
            fail_msg("%s: message does not name the file: %s", bad[i].name, err.msg);
        free(bad[i].content);
    }
    free(text);
    /* larger than any key file */
    char *huge = malloc(10000);
    memset(huge, 'A', 9999);
    huge[9999] = '\0';
    tu_write(tu_path("huge.key"), huge);
    free(huge);
    assert_int_equal(xc_note_key_load(tu_path("huge.key"), &l, &err), XC_EINVAL);
    /* the Go text without its final newline is accepted */
    tu_write(tu_path("nonl.key"), GO_SKEY);
    assert_int_equal(xc_note_key_load(tu_path("nonl.key"), &l, &err), XC_OK);
    assert_int_equal(l.id, 0xc74f20a3u);
}

static void test_checkpoint(void **state)
{
    (void)state;
    xc_error err;
    hash_t root, got;
    char origin[64];
    uint64_t size;
    char *body = NULL;
    for (int i = 0; i < XC_HASH_LEN; i++)
        root[i] = (unsigned char)(i * 7 + 3);

    static const uint64_t sizes[] = {0, 1, 9, 10, 1000000, UINT64_MAX};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        assert_int_equal(xc_checkpoint_body("log.example/a", sizes[i], root, NULL, &body, &err), XC_OK);
        memset(got, 0, sizeof(got));
        assert_int_equal(xc_checkpoint_parse(body, origin, sizeof(origin), &size, got, &err), XC_OK);
        assert_string_equal(origin, "log.example/a");
        assert_true(size == sizes[i]);
        assert_memory_equal(got, root, XC_HASH_LEN);
        xc_free(body);
    }
    char rb64[64];
    sodium_bin2base64(rb64, sizeof(rb64), root, XC_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);

    /* extension lines, and parsing a whole signed note */
    assert_int_equal(xc_checkpoint_body("log.example/a", 42, root, "chain abc\ntime 2021-11-25T00:00:00Z\n", &body, &err),
                     XC_OK);
    char want[256];
    snprintf(want, sizeof(want), "log.example/a\n42\n%s\nchain abc\ntime 2021-11-25T00:00:00Z\n", rb64);
    assert_string_equal(body, want);
    xc_note_key k;
    assert_int_equal(xc_note_key_generate("log.example/a", &k, &err), XC_OK);
    char *note = NULL;
    assert_int_equal(xc_note_sign(body, &k, &note, &err), XC_OK);
    assert_int_equal(xc_checkpoint_parse(note, origin, sizeof(origin), &size, got, &err), XC_OK);
    assert_true(size == 42);
    assert_memory_equal(got, root, XC_HASH_LEN);
    expect_verify(note, &k, XC_OK, NULL);
    xc_free(note);
    xc_free(body);
    /* bad extension lines and origins */
    assert_int_equal(xc_checkpoint_body("log.example/a", 1, root, "no newline", &body, &err), XC_EINVAL);
    assert_null(body);
    assert_int_equal(xc_checkpoint_body("log.example/a", 1, root, "x\n\ny\n", &body, &err), XC_EINVAL);
    assert_int_equal(xc_checkpoint_body("", 1, root, NULL, &body, &err), XC_EINVAL);
    assert_int_equal(xc_checkpoint_body("a\nb", 1, root, NULL, &body, &err), XC_EINVAL);

    /* malformed checkpoints */
    static const char *const bad_sizes[] = {"01", "-1", "", "1x", "+1", " 1", "1 ", "0x10", "00",
                                            "18446744073709551616", "99999999999999999999", "1e3"};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "log.example/a\n%s\n%s\n", bad_sizes[i], rb64);
        xc_error_clear(&err);
        size = 12345;
        if (xc_checkpoint_parse(text, origin, sizeof(origin), &size, got, &err) != XC_EINVAL)
            fail_msg("size \"%s\" accepted", bad_sizes[i]);
        assert_non_null(strstr(err.msg, "tree size"));
        assert_true(size == 12345); /* outputs untouched */
    }
    char text[256];
    snprintf(text, sizeof(text), "log.example/a\n18446744073709551615\n%s\n", rb64);
    assert_int_equal(xc_checkpoint_parse(text, origin, sizeof(origin), &size, got, &err), XC_OK);
    assert_true(size == UINT64_MAX);

    char short_root[64];
    sodium_bin2base64(short_root, sizeof(short_root), root, 31, sodium_base64_VARIANT_ORIGINAL);
    char long_root[64];
    unsigned char r33[33] = {0};
    sodium_bin2base64(long_root, sizeof(long_root), r33, 33, sodium_base64_VARIANT_ORIGINAL);
    char nopad[64];
    snprintf(nopad, sizeof(nopad), "%.43s", rb64);
    struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"\n1\nROOT\n", "origin"},
        {"log.example/a\n1\n", "root hash"},
        {"log.example/a\n1", "newline"},
        {"log.example/a\n", "tree size"},
        {"", "newline"},
        {"log.example/a\n1\nROOT", "newline"},
        {"log.example/a\n1\nROOT\nextension without newline", "newline"},
        {"log.example/a\n1\nROOT\n\n", NULL}, /* fine: the body ends at the blank line */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *at = strstr(bad[i].text, "ROOT"); /* the root's base64 goes where ROOT is */
        if (at)
            snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - bad[i].text), bad[i].text, rb64, at + 4);
        else
            snprintf(text, sizeof(text), "%s", bad[i].text);
        xc_error_clear(&err);
        int rc = xc_checkpoint_parse(text, origin, sizeof(origin), &size, got, &err);
        if (bad[i].msg == NULL) {
            assert_int_equal(rc, XC_OK);
            continue;
        }
        if (rc != XC_EINVAL || !strstr(err.msg, bad[i].msg))
            fail_msg("checkpoint %zu: got %d \"ROOT\", want XC_EINVAL naming ROOT", i, rc, err.msg, bad[i].msg);
    }
    const char *roots_bad[] = {short_root, long_root, nopad, "not base64!", ""};
    for (size_t i = 0; i < sizeof(roots_bad) / sizeof(roots_bad[0]); i++) {
        snprintf(text, sizeof(text), "log.example/a\n1\n%s\n", roots_bad[i]);
        xc_error_clear(&err);
        if (xc_checkpoint_parse(text, origin, sizeof(origin), &size, got, &err) != XC_EINVAL)
            fail_msg("root \"%s\" accepted", roots_bad[i]);
        assert_non_null(strstr(err.msg, "root hash"));
    }
    /* an origin longer than the caller's buffer */
    snprintf(text, sizeof(text), "log.example/a\n1\n%s\n", rb64);
    assert_int_equal(xc_checkpoint_parse(text, origin, 8, &size, got, &err), XC_EINVAL);
    assert_non_null(strstr(err.msg, "origin"));
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    make_leaves();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashing),
        cmocka_unit_test(test_ct_vectors),
        cmocka_unit_test(test_inclusion_vs_reference),
        cmocka_unit_test(test_consistency_vs_reference),
        cmocka_unit_test(test_frontier),
        cmocka_unit_test(test_note_go_vectors),
        cmocka_unit_test(test_note_sign_verify),
        cmocka_unit_test(test_key_names_and_vkeys),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_checkpoint),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
