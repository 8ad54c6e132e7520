/*
 * merkle.h: Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0,
 * section 2.1): leaf hash SHA-256(0x00 || data), interior node hash
 * SHA-256(0x01 || left || right), the empty tree's root SHA-256("").
 * Inclusion and consistency proofs are generated from the list of leaf
 * hashes and verified with the algorithms of RFC 9162 sections 2.1.3.2 and
 * 2.1.4.2.  A frontier (the roots of the perfect subtrees covering the
 * leaves, largest first) lets a log append leaves and compute its root in
 * O(log n) without re-reading old leaves.  Pure functions: no I/O, no
 * allocation.
 */
#ifndef XC_MERKLE_H
#define XC_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define XC_HASH_LEN 32
#define XC_MERKLE_MAX_PATH 64

/* SHA-256 of a || b (either may be empty), hardware-accelerated where the
 * CPU allows (OpenSSL libcrypto). */
void xc_sha256_2(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[XC_HASH_LEN]);

void xc_merkle_leaf(const void *data, size_t len, unsigned char out[XC_HASH_LEN]);
void xc_merkle_node(const unsigned char left[XC_HASH_LEN], const unsigned char right[XC_HASH_LEN],
                    unsigned char out[XC_HASH_LEN]);
void xc_merkle_empty_root(unsigned char out[XC_HASH_LEN]);

/* Root of leaves[0..n) (the empty root when n is 0); n - 1 node hashes,
 * no allocation. */
void xc_merkle_root(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, unsigned char out[XC_HASH_LEN]);

/* Audit path for leaf index in the tree of the first n leaves (RFC 9162
 * PATH(m, D[n])), leaf end first; *len hashes written to path, which holds
 * XC_MERKLE_MAX_PATH.  At most n - 1 node hashes.  Returns 0, or -1 when
 * index >= n. */
int xc_merkle_inclusion(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, uint64_t index,
                        unsigned char (*path)[XC_HASH_LEN], size_t *len);

/* Consistency proof between the trees of the first m and the first n
 * leaves (RFC 9162 PROOF(m, D[n]); empty when m == n); path holds
 * XC_MERKLE_MAX_PATH.  Returns 0, or -1 unless 0 < m <= n. */
int xc_merkle_consistency(const unsigned char (*leaves)[XC_HASH_LEN], uint64_t n, uint64_t m,
                          unsigned char (*path)[XC_HASH_LEN], size_t *len);

/* Verification: 1 when the proof holds, 0 when it does not (RFC 9162
 * 2.1.3.2 and 2.1.4.2).  path may be NULL when len is 0.  Consistency
 * beyond the RFC's 0 < m < n, as in Go's transparency-dev verifier: m == n
 * holds with an empty proof and equal roots; m == 0 holds with an empty
 * proof when root_m is the empty tree's root; m > n never holds. */
int xc_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[XC_HASH_LEN],
                               const unsigned char (*path)[XC_HASH_LEN], size_t len,
                               const unsigned char root[XC_HASH_LEN]);
int xc_merkle_verify_consistency(uint64_t m, uint64_t n, const unsigned char root_m[XC_HASH_LEN],
                                 const unsigned char root_n[XC_HASH_LEN], const unsigned char (*path)[XC_HASH_LEN],
                                 size_t len);

/* The frontier of a tree of `size` leaves: one node per set bit of size. */
typedef struct xc_frontier {
    uint64_t size;
    int n;
    unsigned char nodes[XC_MERKLE_MAX_PATH][XC_HASH_LEN];
} xc_frontier;

#define XC_FRONTIER_BYTES(f) (8 + (size_t)(f)->n * XC_HASH_LEN)

/* An empty frontier (size 0). */
void xc_frontier_init(xc_frontier *f);
/* Append a leaf hash: one node hash on average, at most log2(size). */
void xc_frontier_push(xc_frontier *f, const unsigned char leaf[XC_HASH_LEN]);
/* Root of the leaves pushed so far: the nodes folded right to left. */
void xc_frontier_root(const xc_frontier *f, unsigned char out[XC_HASH_LEN]);
/* Serialise (size as 8 bytes big-endian, then the nodes) into buf, which
 * holds at least XC_FRONTIER_BYTES(f); returns the length. */
size_t xc_frontier_save(const xc_frontier *f, unsigned char *buf);
/* Returns 0, or -1 when buf is not a frontier (length disagrees with
 * popcount(size)); f is untouched on failure. */
int xc_frontier_load(xc_frontier *f, const unsigned char *buf, size_t len);

#endif
