/*
 * test_license.c: unit tests of the licence format (src/license/license_format.c), no database.
 * Prints TAP-style lines; exits non-zero when any check fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "license/license_format.h"

static int	failures = 0;
static int	checks = 0;

#define CHECK(cond, ...) check((cond), __FILE__, __LINE__, __VA_ARGS__)

static void check(int ok, const char *file, int line, const char *fmt,...) __attribute__((format(printf, 4, 5)));

static void
check(int ok, const char *file, int line, const char *fmt,...)
{
	va_list		ap;

	checks++;
	printf("%s %d - ", ok ? "ok" : "not ok", checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
	{
		printf("#   failed at %s:%d\n", file, line);
		failures++;
	}
}

static unsigned char pk[LICENSE_PUBKEY_BYTES],
			sk[LICENSE_SECRETKEY_BYTES];
static unsigned char other_pk[LICENSE_PUBKEY_BYTES],
			other_sk[LICENSE_SECRETKEY_BYTES];

static const char *good_claims =
"{\"license_id\":\"L-1\",\"customer\":\"ACME\",\"tier\":\"enterprise\",\"node_limit\":500,"
"\"features\":[\"attack_paths\",\"feeds\"],\"issued_at\":\"2026-01-01T00:00:00Z\","
"\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true,\"support\":{\"level\":\"gold\"}}";

/* Verifies a document; returns the verdict and frees the claims. */
static LicenseVerdict
verdict_of(const char *doc, const unsigned char *key, char *reason, size_t reason_size)
{
	LicenseClaims c;
	LicenseVerdict v = license_verify_document(doc, strlen(doc), key, &c, reason, reason_size);

	license_claims_free(&c);
	return v;
}

static char *
sign(const char *claims, const unsigned char *key)
{
	char	   *doc = license_sign_document(claims, strlen(claims), key);

	if (doc == NULL)
	{
		fprintf(stderr, "signing failed\n");
		exit(2);
	}
	return doc;
}

/* Replaces the JSON string value of member `name` in doc with `value` (doc is malloc'd). */
static char *
with_member(const char *doc, const char *name, const char *value)
{
	char		key[64];
	const char *start;
	const char *end;
	char	   *out;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	start = strstr(doc, key);
	if (start == NULL)
		return strdup(doc);
	start += strlen(key);
	end = strchr(start, '"');
	out = malloc(strlen(doc) + strlen(value) + 1);
	memcpy(out, doc, start - doc);
	strcpy(out + (start - doc), value);
	strcat(out, end);
	return out;
}

/* The payload or signature string of a document (malloc'd). */
static char *
member(const char *doc, const char *name)
{
	char		key[64];
	const char *start;
	const char *end;
	char	   *out;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	start = strstr(doc, key) + strlen(key);
	end = strchr(start, '"');
	out = malloc(end - start + 1);
	memcpy(out, start, end - start);
	out[end - start] = '\0';
	return out;
}

static void
test_base64url(void)
{
	unsigned char *bin;
	size_t		len;
	const unsigned char raw[] = {0xfb, 0xff, 0x01};
	char	   *enc = license_b64url_encode(raw, sizeof(raw));

	CHECK(strcmp(enc, "-_8B") == 0, "base64url uses - and _ (got %s)", enc);
	CHECK(license_b64url_decode(enc, strlen(enc), &bin, &len) && len == 3 && memcmp(bin, raw, 3) == 0,
		  "base64url round trip");
	free(bin);
	free(enc);
	CHECK(!license_b64url_decode("+/8B", 4, &bin, &len), "base64url refuses + and /");
	CHECK(!license_b64url_decode("QQ==", 4, &bin, &len), "base64url refuses padding");
	CHECK(license_b64url_decode("QQ", 2, &bin, &len) && len == 1 && bin[0] == 'A', "base64url without padding");
	free(bin);
	CHECK(!license_b64url_decode("QR", 2, &bin, &len), "base64url refuses non-zero spare bits");
	CHECK(!license_b64url_decode("Q", 1, &bin, &len), "base64url refuses a lone character");
	CHECK(!license_b64url_decode("QQ\n", 3, &bin, &len), "base64url refuses whitespace");
}

static void
test_rfc3339(void)
{
	int64_t		t = -1;

	CHECK(license_parse_rfc3339("1970-01-01T00:00:00Z", &t) && t == 0, "epoch");
	CHECK(license_parse_rfc3339("2000-02-29T12:00:00Z", &t) && t == 951825600, "leap day 2000 (%lld)", (long long) t);
	CHECK(license_parse_rfc3339("2000-02-29T12:00:00+01:00", &t) && t == 951822000, "positive offset");
	CHECK(license_parse_rfc3339("2000-02-29t11:00:00.123456-00:30z", &t) == false, "offset then Z is junk");
	CHECK(license_parse_rfc3339("2000-02-29t11:30:00.5z", &t) && t == 951823800, "lower case t/z and a fraction");
	CHECK(license_parse_rfc3339("2099-12-31T23:59:59Z", &t) && t == 4102444799LL, "2099");
	CHECK(!license_parse_rfc3339("2001-02-29T00:00:00Z", &t), "no 29 February in 2001");
	CHECK(!license_parse_rfc3339("1900-02-29T00:00:00Z", &t), "no 29 February in 1900");
	CHECK(!license_parse_rfc3339("2026-13-01T00:00:00Z", &t), "month 13");
	CHECK(!license_parse_rfc3339("2026-01-01T24:00:00Z", &t), "hour 24");
	CHECK(!license_parse_rfc3339("2026-01-01T00:00:00", &t), "no zone");
	CHECK(!license_parse_rfc3339("2026-01-01 00:00:00Z", &t), "space for T");
	CHECK(!license_parse_rfc3339("2026-01-01", &t), "date only");
	CHECK(!license_parse_rfc3339("2026-01-01T00:00:00Zjunk", &t), "trailing junk");
	CHECK(!license_parse_rfc3339("yesterday", &t), "words");
}

static void
test_valid_and_tampered(void)
{
	char		reason[256];
	char	   *doc = sign(good_claims, sk);
	LicenseClaims c;
	LicenseVerdict v = license_verify_document(doc, strlen(doc), pk, &c, reason, sizeof(reason));

	CHECK(v == LICENSE_VERDICT_OK, "a signed licence verifies (%s)", reason);
	CHECK(v == LICENSE_VERDICT_OK && strcmp(c.license_id, "L-1") == 0 && strcmp(c.customer, "ACME") == 0 &&
		  c.node_limit == 500 && c.nfeatures == 2 && c.offline_mode && !c.has_not_before &&
		  c.issued_at == 1767225600 && c.expires_at == 1798761600, "claims are read");
	CHECK(v == LICENSE_VERDICT_OK && license_claims_has_feature(&c, "feeds") &&
		  !license_claims_has_feature(&c, "reports"), "features");
	CHECK(v == LICENSE_VERDICT_OK && strcmp(c.unknown_json, "{\"support\":{\"level\":\"gold\"}}") == 0,
		  "unknown claims are kept (%s)", c.unknown_json ? c.unknown_json : "NULL");
	CHECK(v == LICENSE_VERDICT_OK && strcmp(c.claims_json, good_claims) == 0, "claims bytes are kept as signed");
	license_claims_free(&c);

	CHECK(verdict_of(doc, other_pk, reason, sizeof(reason)) == LICENSE_VERDICT_BAD_SIGNATURE,
		  "another key: invalid signature (%s)", reason);

	/* one flipped bit in the payload bytes, re-encoded as valid base64url */
	{
		char	   *payload = member(doc, "payload");
		unsigned char *bin;
		size_t		len;
		char	   *enc;
		char	   *bad;

		license_b64url_decode(payload, strlen(payload), &bin, &len);
		bin[40] ^= 0x01;
		enc = license_b64url_encode(bin, len);
		bad = with_member(doc, "payload", enc);
		CHECK(verdict_of(bad, pk, reason, sizeof(reason)) == LICENSE_VERDICT_BAD_SIGNATURE,
			  "a flipped payload byte: invalid signature (%s)", reason);
		free(bad);
		free(enc);
		free(bin);
		free(payload);
	}
	/* one flipped byte of the signature */
	{
		char	   *sig = member(doc, "signature");
		char	   *bad;

		sig[10] = sig[10] == 'A' ? 'B' : 'A';
		bad = with_member(doc, "signature", sig);
		CHECK(verdict_of(bad, pk, reason, sizeof(reason)) == LICENSE_VERDICT_BAD_SIGNATURE,
			  "a flipped signature byte: invalid signature (%s)", reason);
		free(bad);
		free(sig);
	}
	/* the same claims re-serialised (other whitespace) under the original signature */
	{
		const char *respaced = "{ \"license_id\":\"L-1\",\"customer\":\"ACME\",\"tier\":\"enterprise\",\"node_limit\":500,"
			"\"features\":[\"attack_paths\",\"feeds\"],\"issued_at\":\"2026-01-01T00:00:00Z\","
			"\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true,\"support\":{\"level\":\"gold\"}}";
		char	   *enc = license_b64url_encode((const unsigned char *) respaced, strlen(respaced));
		char	   *bad = with_member(doc, "payload", enc);

		CHECK(verdict_of(bad, pk, reason, sizeof(reason)) == LICENSE_VERDICT_BAD_SIGNATURE,
			  "re-serialised claims do not carry the signature");
		free(bad);
		free(enc);
	}
	/* padding added to an otherwise good payload */
	{
		char	   *payload = member(doc, "payload");
		char	   *padded = malloc(strlen(payload) + 4);
		char	   *bad;

		sprintf(padded, "%s==", payload);
		bad = with_member(doc, "payload", padded);
		CHECK(verdict_of(bad, pk, reason, sizeof(reason)) == LICENSE_VERDICT_MALFORMED,
			  "padded payload: malformed (%s)", reason);
		free(bad);
		free(padded);
		free(payload);
	}
	free(doc);
}

static void
expect_malformed_doc(const char *doc, const char *what)
{
	char		reason[256];

	CHECK(verdict_of(doc, pk, reason, sizeof(reason)) == LICENSE_VERDICT_MALFORMED, "%s: malformed (%s)", what, reason);
}

static void
test_malformed_documents(void)
{
	char	   *doc = sign(good_claims, sk);
	char	   *sig = member(doc, "signature");
	char	   *payload = member(doc, "payload");
	char		buf[4096];
	LicenseClaims c;
	char		reason[256];

	expect_malformed_doc("", "empty file");
	expect_malformed_doc(" \n\t\n", "blank file");
	expect_malformed_doc("{", "truncated JSON");
	expect_malformed_doc("not json", "not JSON");
	expect_malformed_doc("[]", "an array");
	expect_malformed_doc("{'format':'infracast-license-1'}", "single quotes");
	snprintf(buf, sizeof(buf), "{\"payload\":\"%s\",\"signature\":\"%s\"}", payload, sig);
	expect_malformed_doc(buf, "no format");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-2\",\"payload\":\"%s\",\"signature\":\"%s\"}", payload, sig);
	expect_malformed_doc(buf, "another format");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-1\",\"payload\":\"%s\"}", payload);
	expect_malformed_doc(buf, "no signature");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-1\",\"payload\":\"%s\",\"signature\":42}", payload);
	expect_malformed_doc(buf, "a numeric signature");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-1\",\"payload\":\"%s\",\"signature\":\"%.40s\"}", payload, sig);
	expect_malformed_doc(buf, "a short signature");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-1\",\"payload\":\"%s!\",\"signature\":\"%s\"}", payload, sig);
	expect_malformed_doc(buf, "a payload that is not base64url");
	snprintf(buf, sizeof(buf), "{\"format\":\"infracast-license-1\",\"payload\":\"\",\"signature\":\"%s\"}", sig);
	expect_malformed_doc(buf, "an empty payload");
	snprintf(buf, sizeof(buf), "%s{}", doc);
	expect_malformed_doc(buf, "text after the object");
	CHECK(license_verify_document("{\"a\":1}\0junk", 12, pk, &c, reason, sizeof(reason)) == LICENSE_VERDICT_MALFORMED,
		  "a NUL byte: malformed (%s)", reason);
	free(payload);
	free(sig);
	free(doc);
}

/* Signs claims as given (like `sign --unchecked`) and expects a malformed verdict naming the claim. */
static void
expect_bad_claims(const char *claims, const char *needle)
{
	char	   *doc = sign(claims, sk);
	char		reason[256];
	LicenseVerdict v = verdict_of(doc, pk, reason, sizeof(reason));

	CHECK(v == LICENSE_VERDICT_MALFORMED && strstr(reason, needle) != NULL,
		  "signed claims with a bad %s: malformed (%s)", needle, reason);
	free(doc);
}

static void
test_claim_types(void)
{
	char		reason[256] = "";
	LicenseClaims c;

	expect_bad_claims("[1,2]", "not a JSON object");
	expect_bad_claims("{\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "license_id");
	expect_bad_claims("{\"license_id\":7,\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "license_id");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":\"100\",\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "node_limit");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1.5,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "node_limit");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":-1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "node_limit");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":99999999999999999999,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "node_limit");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":\"feeds\",\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "features");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[1],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "features");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"yesterday\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "issued_at");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"not_before\":1,\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true}", "not_before");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"offline_mode\":true}", "expires_at");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2025-01-01T00:00:00Z\",\"offline_mode\":true}", "expires_at");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":\"yes\"}", "offline_mode");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true,\"x\":\"a\\u0000b\"}", "NUL");
	expect_bad_claims("{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":1,\"features\":[],\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":true} x", "not valid JSON");

	CHECK(license_check_claims(good_claims, strlen(good_claims), &c, reason, sizeof(reason)), "check_claims accepts good claims");
	license_claims_free(&c);
	{
		const char *nb = "{\"license_id\":\"L\",\"customer\":\"A\",\"tier\":\"t\",\"node_limit\":0,\"features\":[],"
			"\"issued_at\":\"2026-01-01T00:00:00Z\",\"not_before\":\"2026-02-01T00:00:00+02:00\","
			"\"expires_at\":\"2027-01-01T00:00:00Z\",\"offline_mode\":false}";

		CHECK(license_check_claims(nb, strlen(nb), &c, reason, sizeof(reason)) && c.has_not_before &&
			  c.not_before == 1769904000 - 7200 && c.nfeatures == 0 && !c.offline_mode,
			  "not_before with an offset; no features (%s)", reason);
		license_claims_free(&c);
	}
}

static void
test_keys(void)
{
	unsigned char k[LICENSE_PUBKEY_BYTES];
	char		fp[LICENSE_FINGERPRINT_LEN + 1];
	char		b64[64];

	sodium_bin2base64(b64, sizeof(b64), pk, sizeof(pk), sodium_base64_VARIANT_ORIGINAL);
	CHECK(license_pubkey_from_base64(b64, k) && memcmp(k, pk, sizeof(k)) == 0, "public key from padded base64");
	strcat(b64, "\n");
	CHECK(license_pubkey_from_base64(b64, k) && memcmp(k, pk, sizeof(k)) == 0, "public key with a newline");
	CHECK(!license_pubkey_from_base64("QUJD", k), "a 3-byte key is refused");
	license_key_fingerprint(pk, fp);
	CHECK(strlen(fp) == LICENSE_FINGERPRINT_LEN && fp[2] == ':', "fingerprint shape (%s)", fp);
	CHECK(license_feature_is_known("attack_paths") && license_feature_is_known("reports") &&
		  !license_feature_is_known("teleport"), "known features");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 2;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);
	test_base64url();
	test_rfc3339();
	test_valid_and_tampered();
	test_malformed_documents();
	test_claim_types();
	test_keys();
	printf("1..%d\n", checks);
	if (failures)
		printf("# %d of %d checks failed\n", failures, checks);
	return failures ? 1 : 0;
}
