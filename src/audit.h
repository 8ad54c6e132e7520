/*
 * audit.h: the tamper-evident audit log.
 *
 * Every mutation (lists, rule packs, items, party imports, decisions,
 * applications, licences, users) appends an event in the same transaction
 * as the change it records.  An event is canonical JSON
 *   {"actor":..,"payload":{..},"subject":..,"time":"..Z","type":..}
 * whose position in the log is its sequence number (1-based).  Each event
 * is a leaf of an RFC 9162 Merkle tree (leaf hash SHA-256(0x00 || body)) and
 * a link of a hash chain (chain_i = SHA-256(chain_{i-1} || leaf_i), chain_0
 * = 32 zero bytes).  Every committed write transaction replaces the signed
 * head: a C2SP checkpoint (origin, tree size, root hash, plus the chain
 * hash and time as extension lines) signed with the server's Ed25519 key,
 * kept in its own table apart from the events.  Editing, deleting,
 * reordering, inserting or truncating events is then detected by
 * xc_audit_verify.  Published checkpoints let anyone holding one check
 * inclusion and consistency proofs with nothing but the proof and the
 * public key.
 *
 * The signing key lives outside the database: $EXPORTCTL_KEY if set, else
 * "<database path>.key"; it is created (mode 0600) on the first audited
 * write, and its verifier key recorded in the database's settings.
 */
#ifndef XC_AUDIT_H
#define XC_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/* Append an event inside the caller's open transaction.  actor NULL means
 * the store's session actor (xc_store_actor).  type is dotted
 * ("list.version", "licence.suspend"), subject names the thing acted on
 * ("il-cyber-marketing", "LIC-2021-000001"), payload is a JSON object
 * (borrowed; NULL means {}), canonicalised here.  *seq (may be NULL) gets
 * the event's sequence number. */
int xc_audit_append(xc_store *s, const char *actor, const char *type, const char *subject, json_t *payload,
                    int64_t *seq, xc_error *err);

/* Path of the signing key file for s (see above); out holds PATH_MAX. */
void xc_audit_key_path(xc_store *s, char *out, size_t cap);

/* The log's verifier key text ("<name>+<id>+<key>", see note.h), from the
 * key file if readable, else from the database's settings. */
int xc_audit_vkey(xc_store *s, char **vkey, xc_error *err);

/* Events from seq `from` (1-based), at most limit (0: all), optionally
 * filtered (NULL: any) by type prefix, subject and actor; JSON array of
 * {"seq","time","actor","type","subject","payload","leaf_hash","chain_hash"}. */
int xc_audit_events(xc_store *s, int64_t from, int64_t limit, const char *type, const char *subject,
                    const char *actor, json_t **out, xc_error *err);

/* The same events one at a time, in order, without holding them all: fn
 * gets each event's JSON (borrowed for the call); a non-zero return stops
 * the scan and is returned. */
typedef int (*xc_audit_event_fn)(void *ctx, json_t *event, xc_error *err);
int xc_audit_events_each(xc_store *s, int64_t from, int64_t limit, const char *type, const char *subject,
                         const char *actor, xc_audit_event_fn fn, void *ctx, xc_error *err);

/* Recompute the chain, the tree and every signature (the head's and every
 * published checkpoint's) from the stored events.  vkey NULL: the key of
 * the key file / database.  *report (always set unless out of memory):
 * {"ok", "size", "root", "checkpoints_checked", "problems":[{"seq","problem"}],
 *  "first_bad_event"}.  Returns XC_OK when intact, XC_EVERIFY when not
 * (the error message names the first bad event), other codes on failure. */
int xc_audit_verify(xc_store *s, const char *vkey, json_t **report, xc_error *err);

/* Publish a checkpoint of the current head (its own small write
 * transaction; no event).  *out: {"number","size","root","note","vkey"}. */
int xc_audit_checkpoint(xc_store *s, json_t **out, xc_error *err);

/* Published checkpoints as a JSON array. */
int xc_audit_checkpoints(xc_store *s, json_t **out, xc_error *err);

/* Inclusion proof of event seq in checkpoint number cp (<= 0: the latest):
 * {"format":"exportctl-proof/1","type":"inclusion","event":{..the event..},
 *  "body": "<canonical event JSON>", "leaf_index", "tree_size",
 *  "path":[hex..], "checkpoint":"<signed note>"}. */
int xc_audit_prove(xc_store *s, int64_t seq, int64_t cp, json_t **proof, xc_error *err);

/* Drop the event from an inclusion proof, keeping its "leaf_hash": the
 * proof then shows that this leaf is in the checkpoint's tree without
 * showing what the event says (for readers not entitled to the event; who
 * holds the event body checks it against the leaf hash). */
void xc_audit_proof_redact(json_t *proof);

/* Consistency proof between checkpoints cp1 < cp2:
 * {"format":"exportctl-proof/1","type":"consistency","first":"<note>",
 *  "second":"<note>","path":[hex..]}. */
int xc_audit_consistency(xc_store *s, int64_t cp1, int64_t cp2, json_t **proof, xc_error *err);

/* Verify a proof document with nothing but the verifier key: the
 * checkpoint signature(s), the leaf hash of the body, the path.  *report:
 * {"ok", "type", ...}.  XC_OK when it verifies, XC_EVERIFY when not,
 * XC_EINVAL when the document is malformed (the message names the field). */
int xc_audit_verify_proof(json_t *proof, const char *vkey, json_t **report, xc_error *err);

/* The verifier key and where the signing key file is:
 * {"vkey", "key_file"} (`audit key --json`).  The HTTP API answers
 * without key_file (a server path is no business of the public). */
int xc_audit_key_json(xc_store *s, json_t **out, xc_error *err);

/* One published checkpoint, as in xc_audit_checkpoints:
 * {"number","size","origin","root","recorded_at","note"}; XC_ENOTFOUND
 * (field "number") when there is no checkpoint with that number. */
int xc_audit_checkpoint_json(xc_store *s, int64_t number, json_t **out, xc_error *err);

#endif
