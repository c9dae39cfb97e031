/*
 * license_format.h: the licence file format, in plain C (libsodium, json-c; no PostgreSQL headers).
 *
 * Shared by the extension (license_state.c hands the result over to PostgreSQL) and by the
 * `infracast-license` tool, so that the vendor's tool and the database accept exactly the same files.
 *
 * A licence file is the JSON object
 *     {"format":"infracast-license-1","payload":"<b64url>","signature":"<b64url>"}
 * where payload is the base64url (no padding) of the claims JSON bytes and signature the base64url
 * (no padding) of the Ed25519 signature over the ASCII bytes "infracast-license-1." followed by the
 * payload string exactly as it appears in the file. Nothing is re-serialised before checking.
 */
#ifndef LICENSE_FORMAT_H
#define LICENSE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LICENSE_FORMAT_NAME		"infracast-license-1"
#define LICENSE_SIGNED_PREFIX	"infracast-license-1."
#define LICENSE_PUBKEY_BYTES	32
#define LICENSE_SECRETKEY_BYTES 64
#define LICENSE_SIGNATURE_BYTES 64
#define LICENSE_FINGERPRINT_LEN 47	/* 16 bytes as "xx:xx:...:xx" */
#define LICENSE_MAX_FILE_BYTES	(1024 * 1024)
#define LICENSE_MAX_NODE_LIMIT	INT64_C(1000000000000000)	/* 10^15 */

/* What checking a document found, in the order the checks run. */
typedef enum LicenseVerdict
{
	LICENSE_VERDICT_OK = 0,			/* authentic, claims well typed */
	LICENSE_VERDICT_MALFORMED,		/* not a licence document, bad base64, bad claims */
	LICENSE_VERDICT_BAD_SIGNATURE	/* well formed, but not signed by this key */
} LicenseVerdict;

/* The claims of an authentic licence. Times are Unix seconds (UTC). All strings are malloc'd. */
typedef struct LicenseClaims
{
	char	   *license_id;
	char	   *customer;
	char	   *tier;
	int64_t		node_limit;
	char	  **features;
	int			nfeatures;
	int64_t		issued_at;
	bool		has_not_before;
	int64_t		not_before;
	int64_t		expires_at;
	bool		offline_mode;
	char	   *claims_json;	/* the decoded payload, exactly as signed (NUL-terminated) */
	char	   *unknown_json;	/* the claims this version does not know, as a JSON object */
} LicenseClaims;

/*
 * Checks a licence document against a public key. On LICENSE_VERDICT_OK *claims is filled (free it
 * with license_claims_free); otherwise it is zeroed. reason (may be NULL) gets a sentence naming
 * what was wrong; it is always NUL-terminated.
 */
extern LicenseVerdict license_verify_document(const char *doc, size_t doc_len,
											  const unsigned char pubkey[LICENSE_PUBKEY_BYTES],
											  LicenseClaims *claims,
											  char *reason, size_t reason_size);

/* Checks that claims JSON bytes have every claim, each of the right type (for `sign`). */
extern bool license_check_claims(const char *json, size_t len, LicenseClaims *claims,
								 char *reason, size_t reason_size);

extern void license_claims_free(LicenseClaims *claims);
extern bool license_claims_has_feature(const LicenseClaims *claims, const char *feature);

/*
 * Signs claims JSON bytes (as given) and returns the licence document, malloc'd and
 * NUL-terminated, or NULL when out of memory.
 */
extern char *license_sign_document(const char *claims, size_t len,
								   const unsigned char secretkey[LICENSE_SECRETKEY_BYTES]);

/* base64url without padding; decode rejects padding, other alphabets and non-zero spare bits. */
extern char *license_b64url_encode(const unsigned char *bin, size_t len);
extern bool license_b64url_decode(const char *text, size_t text_len, unsigned char **bin, size_t *len);

/* A public key given as base64 (standard or URL-safe, padded or not) of 32 bytes. */
extern bool license_pubkey_from_base64(const char *text, unsigned char pubkey[LICENSE_PUBKEY_BYTES]);

/* "ab:cd:..." : the first 16 bytes of SHA-256 of the public key, in hex pairs. */
extern void license_key_fingerprint(const unsigned char pubkey[LICENSE_PUBKEY_BYTES],
									char out[LICENSE_FINGERPRINT_LEN + 1]);

/* RFC 3339 date-time ("2026-01-31T12:00:00Z", offsets and fractions allowed) to Unix seconds. */
extern bool license_parse_rfc3339(const char *text, int64_t *seconds);

/* The feature names Infracast knows; require_feature refuses any other name. */
extern const char *const license_known_features[];
extern bool license_feature_is_known(const char *feature);

/* The keys embedded at build time (license_keys.c): base64 of 32 bytes. */
extern const char *license_embedded_pubkey_base64(void);
extern const char *license_development_pubkey_base64(void);

#endif							/* LICENSE_FORMAT_H */
