/*
 * license_format.c: reading, checking and signing licence documents (plain C: libsodium, json-c).
 *
 * The checks run in a fixed order, and the first that fails decides the verdict:
 *   1. the document: non-empty, at most 1 MiB, no NUL byte, one strict JSON object and nothing after it,
 *      "format" is "infracast-license-1", "payload" and "signature" are strings;
 *   2. base64url without padding: payload decodes to some bytes, signature to exactly 64 bytes;
 *   3. the Ed25519 signature over "infracast-license-1." + the payload string as it is in the file
 *      (no re-serialisation: the bytes signed are the bytes received);
 *   4. only then the claims, decoded from an authentic payload: one JSON object, every known claim of its
 *      type. Unknown claims are kept (unknown_json) and shown, never rejected.
 * Dates, the node count and the clock are not judged here: they depend on the database (license_state.c).
 */
#include "license/license_format.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

const char *const license_known_features[] = {
	"attack_paths", "feeds", "vuln_matching", "risk_scoring", "api", "discovery", "compliance", "reports",
	"sbom",
	NULL
};

static const char *const known_claims[] = {
	"license_id", "customer", "tier", "node_limit", "features", "issued_at", "not_before",
	"expires_at", "offline_mode", NULL
};

static void set_reason(char *reason, size_t size, const char *fmt,...) __attribute__((format(printf, 3, 4)));

/* printf into the caller's reason buffer (which may be NULL). */
static void
set_reason(char *reason, size_t size, const char *fmt,...)
{
	va_list		ap;

	if (reason == NULL || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, size, fmt, ap);
	va_end(ap);
}

bool
license_feature_is_known(const char *feature)
{
	for (int i = 0; license_known_features[i] != NULL; i++)
		if (strcmp(license_known_features[i], feature) == 0)
			return true;
	return false;
}

static bool
claim_is_known(const char *name)
{
	for (int i = 0; known_claims[i] != NULL; i++)
		if (strcmp(known_claims[i], name) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------------------------------- */
/* base64url and keys                                                                               */
/* ---------------------------------------------------------------------------------------------- */

char *
license_b64url_encode(const unsigned char *bin, size_t len)
{
	size_t		size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	   *out = malloc(size);

	if (out == NULL)
		return NULL;
	sodium_bin2base64(out, size, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* libsodium refuses padding, characters outside the alphabet and non-zero spare bits. */
static bool
b64_decode_variant(const char *text, size_t text_len, int variant, unsigned char **bin, size_t *len)
{
	size_t		max = text_len / 4 * 3 + 3;
	unsigned char *out;
	const char *end = NULL;

	*bin = NULL;
	*len = 0;
	if (sodium_init() < 0)
		return false;
	out = malloc(max);
	if (out == NULL)
		return false;
	if (sodium_base642bin(out, max, text, text_len, NULL, len, &end, variant) != 0 ||
		end != text + text_len)
	{
		free(out);
		*len = 0;
		return false;
	}
	*bin = out;
	return true;
}

bool
license_b64url_decode(const char *text, size_t text_len, unsigned char **bin, size_t *len)
{
	return b64_decode_variant(text, text_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING, bin, len);
}

bool
license_pubkey_from_base64(const char *text, unsigned char pubkey[LICENSE_PUBKEY_BYTES])
{
	static const int variants[] = {
		sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING
	};
	size_t		text_len;

	if (text == NULL)
		return false;
	text_len = strlen(text);
	while (text_len > 0 && (text[text_len - 1] == '\n' || text[text_len - 1] == '\r' ||
							text[text_len - 1] == ' '))
		text_len--;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
	{
		unsigned char *bin;
		size_t		len;

		if (b64_decode_variant(text, text_len, variants[i], &bin, &len))
		{
			bool		ok = (len == LICENSE_PUBKEY_BYTES);

			if (ok)
				memcpy(pubkey, bin, LICENSE_PUBKEY_BYTES);
			free(bin);
			if (ok)
				return true;
		}
	}
	return false;
}

void
license_key_fingerprint(const unsigned char pubkey[LICENSE_PUBKEY_BYTES], char out[LICENSE_FINGERPRINT_LEN + 1])
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	static const char hex[] = "0123456789abcdef";

	crypto_hash_sha256(hash, pubkey, LICENSE_PUBKEY_BYTES);
	for (int i = 0; i < 16; i++)
	{
		out[i * 3] = hex[hash[i] >> 4];
		out[i * 3 + 1] = hex[hash[i] & 15];
		out[i * 3 + 2] = (i == 15) ? '\0' : ':';
	}
}

/* ---------------------------------------------------------------------------------------------- */
/* RFC 3339                                                                                         */
/* ---------------------------------------------------------------------------------------------- */

/* Reads exactly n digits. */
static bool
read_digits(const char **p, int n, int *value)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		char		c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*value = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : days[m - 1];
}

bool
license_parse_rfc3339(const char *text, int64_t *seconds)
{
	const char *p = text;
	int			y,
				mo,
				d,
				h,
				mi,
				s,
				oh = 0,
				om = 0,
				sign = 0;

	if (text == NULL)
		return false;
	if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
		!read_digits(&p, 2, &d))
		return false;
	if (*p != 'T' && *p != 't')
		return false;
	p++;
	if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi) || *p++ != ':' ||
		!read_digits(&p, 2, &s))
		return false;
	if (*p == '.')
	{
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;				/* fractions of a second do not matter for a licence */
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-')
	{
		sign = (*p == '+') ? 1 : -1;
		p++;
		if (!read_digits(&p, 2, &oh) || *p++ != ':' || !read_digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
	}
	else
		return false;
	if (*p != '\0')
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60)
		return false;
	if (s == 60)
		s = 59;					/* a leap second: close enough for a licence */
	*seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - sign * (oh * 3600 + om * 60);
	return true;
}

/* ---------------------------------------------------------------------------------------------- */
/* Claims                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

/* Parses one whole strict JSON value from len bytes (trailing whitespace allowed). */
static json_object *
parse_strict_json(const char *text, size_t len, char *reason, size_t reason_size, const char *what)
{
	json_tokener *tok;
	json_object *obj;
	size_t		used;

	if (len > INT32_MAX)
	{
		set_reason(reason, reason_size, "%s is too large", what);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL)
	{
		set_reason(reason, reason_size, "%s contains a NUL byte", what);
		return NULL;
	}
	tok = json_tokener_new();
	if (tok == NULL)
	{
		set_reason(reason, reason_size, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int) len);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success)
	{
		enum json_tokener_error err = json_tokener_get_error(tok);

		set_reason(reason, reason_size, "%s is not valid JSON (%s at byte %zu)", what,
				   err == json_tokener_continue ? "unexpected end" : json_tokener_error_desc(err),
				   json_tokener_get_parse_end(tok));
		json_object_put(obj);
		json_tokener_free(tok);
		return NULL;
	}
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (used < len && (text[used] == ' ' || text[used] == '\t' || text[used] == '\n' || text[used] == '\r'))
		used++;
	if (used != len)
	{
		set_reason(reason, reason_size, "%s has text after its JSON value (at byte %zu)", what, used);
		json_object_put(obj);
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object))
	{
		set_reason(reason, reason_size, "%s is not a JSON object", what);
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/*
 * Values the database could not show: strings with NUL characters (\u0000) and non-finite numbers.
 * A vendor never signs them; refusing them keeps license_status() from ever failing on a claim.
 */
static bool
json_is_displayable(json_object *v)
{
	switch (json_object_get_type(v))
	{
		case json_type_string:
			return strlen(json_object_get_string(v)) == (size_t) json_object_get_string_len(v);
		case json_type_double:
			return isfinite(json_object_get_double(v));
		case json_type_array:
			for (size_t i = 0; i < json_object_array_length(v); i++)
				if (!json_is_displayable(json_object_array_get_idx(v, i)))
					return false;
			return true;
		case json_type_object:
			{
				json_object_object_foreach(v, key, val)
				{
					(void) key;
					if (!json_is_displayable(val))
						return false;
				}
				return true;
			}
		default:
			return true;
	}
}

/* A required or optional string claim; NULL (with a reason) when wrong. */
static char *
claim_string(json_object *claims, const char *name, bool required, bool *ok, char *reason, size_t reason_size)
{
	json_object *v;
	char	   *s;

	if (!json_object_object_get_ex(claims, name, &v))
	{
		if (required)
		{
			set_reason(reason, reason_size, "claim \"%s\" is missing", name);
			*ok = false;
		}
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
	{
		set_reason(reason, reason_size, "claim \"%s\" must be a non-empty string", name);
		*ok = false;
		return NULL;
	}
	s = strdup(json_object_get_string(v));
	if (s == NULL)
	{
		set_reason(reason, reason_size, "out of memory");
		*ok = false;
	}
	return s;
}

static bool
claim_time(json_object *claims, const char *name, bool required, bool *present, int64_t *value,
		   char *reason, size_t reason_size)
{
	json_object *v;

	*present = false;
	if (!json_object_object_get_ex(claims, name, &v))
	{
		if (required)
		{
			set_reason(reason, reason_size, "claim \"%s\" is missing", name);
			return false;
		}
		return true;
	}
	if (!json_object_is_type(v, json_type_string) ||
		!license_parse_rfc3339(json_object_get_string(v), value))
	{
		set_reason(reason, reason_size,
				   "claim \"%s\" must be an RFC 3339 timestamp such as \"2027-01-31T00:00:00Z\"", name);
		return false;
	}
	*present = true;
	return true;
}

static bool
claims_read_features(json_object *obj, LicenseClaims *c, char *reason, size_t reason_size)
{
	json_object *v;
	size_t		n;

	if (!json_object_object_get_ex(obj, "features", &v))
	{
		set_reason(reason, reason_size, "claim \"features\" is missing");
		return false;
	}
	if (!json_object_is_type(v, json_type_array))
	{
		set_reason(reason, reason_size, "claim \"features\" must be an array of strings");
		return false;
	}
	n = json_object_array_length(v);
	c->features = calloc(n + 1, sizeof(char *));
	if (c->features == NULL)
	{
		set_reason(reason, reason_size, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++)
	{
		json_object *f = json_object_array_get_idx(v, i);

		if (!json_object_is_type(f, json_type_string) || json_object_get_string_len(f) == 0)
		{
			set_reason(reason, reason_size, "claim \"features\" must be an array of strings (item %zu is not)", i);
			return false;
		}
		c->features[c->nfeatures] = strdup(json_object_get_string(f));
		if (c->features[c->nfeatures] == NULL)
		{
			set_reason(reason, reason_size, "out of memory");
			return false;
		}
		c->nfeatures++;
	}
	return true;
}

static bool
claims_read_scalars(json_object *obj, LicenseClaims *c, char *reason, size_t reason_size)
{
	json_object *v;
	bool		ok = true;
	bool		present;

	c->license_id = claim_string(obj, "license_id", true, &ok, reason, reason_size);
	if (ok)
		c->customer = claim_string(obj, "customer", true, &ok, reason, reason_size);
	if (ok)
		c->tier = claim_string(obj, "tier", true, &ok, reason, reason_size);
	if (!ok)
		return false;

	if (!json_object_object_get_ex(obj, "node_limit", &v))
	{
		set_reason(reason, reason_size, "claim \"node_limit\" is missing");
		return false;
	}
	errno = 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
		json_object_get_int64(v) > LICENSE_MAX_NODE_LIMIT || errno != 0)
	{
		set_reason(reason, reason_size, "claim \"node_limit\" must be an integer from 0 to %lld",
				   (long long) LICENSE_MAX_NODE_LIMIT);
		return false;
	}
	c->node_limit = json_object_get_int64(v);

	if (!claim_time(obj, "issued_at", true, &present, &c->issued_at, reason, reason_size) ||
		!claim_time(obj, "not_before", false, &c->has_not_before, &c->not_before, reason, reason_size) ||
		!claim_time(obj, "expires_at", true, &present, &c->expires_at, reason, reason_size))
		return false;
	if (c->expires_at <= c->issued_at || (c->has_not_before && c->expires_at <= c->not_before))
	{
		set_reason(reason, reason_size, "claim \"expires_at\" must be later than \"issued_at\" and \"not_before\"");
		return false;
	}

	if (!json_object_object_get_ex(obj, "offline_mode", &v))
	{
		set_reason(reason, reason_size, "claim \"offline_mode\" is missing");
		return false;
	}
	if (!json_object_is_type(v, json_type_boolean))
	{
		set_reason(reason, reason_size, "claim \"offline_mode\" must be true or false");
		return false;
	}
	c->offline_mode = json_object_get_boolean(v);
	return true;
}

/* The claims this version does not know, kept as a JSON object for display. */
static bool
claims_keep_unknown(json_object *obj, LicenseClaims *c, char *reason, size_t reason_size)
{
	json_object *unknown = json_object_new_object();
	const char *text;

	if (unknown == NULL)
	{
		set_reason(reason, reason_size, "out of memory");
		return false;
	}
	{
		json_object_object_foreach(obj, key, val)
		{
			if (!claim_is_known(key))
				json_object_object_add(unknown, key, json_object_get(val));
		}
	}
	text = json_object_to_json_string_ext(unknown, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	c->unknown_json = text ? strdup(text) : NULL;
	json_object_put(unknown);
	if (c->unknown_json == NULL)
	{
		set_reason(reason, reason_size, "out of memory");
		return false;
	}
	return true;
}

bool
license_check_claims(const char *json, size_t len, LicenseClaims *claims, char *reason, size_t reason_size)
{
	json_object *obj;
	bool		ok;

	memset(claims, 0, sizeof(*claims));
	obj = parse_strict_json(json, len, reason, reason_size, "the claims");
	if (obj == NULL)
		return false;
	if (!json_is_displayable(obj))
	{
		set_reason(reason, reason_size, "the claims contain a NUL character or a non-finite number");
		json_object_put(obj);
		return false;
	}
	ok = claims_read_scalars(obj, claims, reason, reason_size) &&
		claims_read_features(obj, claims, reason, reason_size) &&
		claims_keep_unknown(obj, claims, reason, reason_size);
	json_object_put(obj);
	if (ok)
	{
		claims->claims_json = malloc(len + 1);
		ok = (claims->claims_json != NULL);
		if (ok)
		{
			memcpy(claims->claims_json, json, len);
			claims->claims_json[len] = '\0';
		}
		else
			set_reason(reason, reason_size, "out of memory");
	}
	if (!ok)
		license_claims_free(claims);
	return ok;
}

void
license_claims_free(LicenseClaims *c)
{
	free(c->license_id);
	free(c->customer);
	free(c->tier);
	if (c->features != NULL)
		for (int i = 0; i < c->nfeatures; i++)
			free(c->features[i]);
	free(c->features);
	free(c->claims_json);
	free(c->unknown_json);
	memset(c, 0, sizeof(*c));
}

bool
license_claims_has_feature(const LicenseClaims *claims, const char *feature)
{
	for (int i = 0; i < claims->nfeatures; i++)
		if (strcmp(claims->features[i], feature) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------------------------------- */
/* Documents                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

/* A string member of the document, or NULL with a reason. */
static const char *
doc_string(json_object *doc, const char *name, size_t *len, char *reason, size_t reason_size)
{
	json_object *v;

	if (!json_object_object_get_ex(doc, name, &v) || !json_object_is_type(v, json_type_string))
	{
		set_reason(reason, reason_size, "the licence file has no \"%s\" string", name);
		return NULL;
	}
	*len = (size_t) json_object_get_string_len(v);
	return json_object_get_string(v);
}

static bool
signature_matches(const char *payload, size_t payload_len, const unsigned char *sig,
				  const unsigned char pubkey[LICENSE_PUBKEY_BYTES])
{
	size_t		prefix_len = strlen(LICENSE_SIGNED_PREFIX);
	unsigned char *message = malloc(prefix_len + payload_len);
	bool		ok;

	if (message == NULL)
		return false;
	memcpy(message, LICENSE_SIGNED_PREFIX, prefix_len);
	memcpy(message + prefix_len, payload, payload_len);
	ok = crypto_sign_verify_detached(sig, message, prefix_len + payload_len, pubkey) == 0;
	free(message);
	return ok;
}

LicenseVerdict
license_verify_document(const char *text, size_t text_len, const unsigned char pubkey[LICENSE_PUBKEY_BYTES],
						LicenseClaims *claims, char *reason, size_t reason_size)
{
	json_object *doc;
	const char *format;
	const char *payload;
	const char *sig_text;
	size_t		format_len,
				payload_len,
				sig_text_len,
				sig_len = 0,
				claims_len = 0;
	unsigned char *sig = NULL;
	unsigned char *claims_bytes = NULL;
	LicenseVerdict verdict = LICENSE_VERDICT_MALFORMED;
	size_t		blank = 0;

	memset(claims, 0, sizeof(*claims));
	set_reason(reason, reason_size, "unknown error");
	if (sodium_init() < 0)
	{
		set_reason(reason, reason_size, "libsodium could not start");
		return LICENSE_VERDICT_MALFORMED;
	}
	while (blank < text_len && strchr(" \t\r\n", text[blank]) != NULL && text[blank] != '\0')
		blank++;
	if (blank == text_len)
	{
		set_reason(reason, reason_size, "the licence file is empty");
		return LICENSE_VERDICT_MALFORMED;
	}
	if (text_len > LICENSE_MAX_FILE_BYTES)
	{
		set_reason(reason, reason_size, "the licence file is larger than 1 MiB");
		return LICENSE_VERDICT_MALFORMED;
	}
	doc = parse_strict_json(text, text_len, reason, reason_size, "the licence file");
	if (doc == NULL)
		return LICENSE_VERDICT_MALFORMED;

	format = doc_string(doc, "format", &format_len, reason, reason_size);
	if (format == NULL)
		goto done;
	if (strcmp(format, LICENSE_FORMAT_NAME) != 0)
	{
		set_reason(reason, reason_size, "the licence file's format is \"%.64s\", not \"%s\"", format,
				   LICENSE_FORMAT_NAME);
		goto done;
	}
	payload = doc_string(doc, "payload", &payload_len, reason, reason_size);
	sig_text = payload ? doc_string(doc, "signature", &sig_text_len, reason, reason_size) : NULL;
	if (payload == NULL || sig_text == NULL)
		goto done;
	if (!license_b64url_decode(sig_text, sig_text_len, &sig, &sig_len) || sig_len != LICENSE_SIGNATURE_BYTES)
	{
		set_reason(reason, reason_size,
				   "the signature is not base64url (no padding) of 64 bytes");
		goto done;
	}
	if (payload_len == 0 || !license_b64url_decode(payload, payload_len, &claims_bytes, &claims_len))
	{
		set_reason(reason, reason_size, "the payload is not base64url (no padding)");
		goto done;
	}
	if (!signature_matches(payload, payload_len, sig, pubkey))
	{
		set_reason(reason, reason_size,
				   "the signature does not match: the file was changed after signing, or signed with another key");
		verdict = LICENSE_VERDICT_BAD_SIGNATURE;
		goto done;
	}
	if (license_check_claims((const char *) claims_bytes, claims_len, claims, reason, reason_size))
		verdict = LICENSE_VERDICT_OK;

done:
	free(sig);
	free(claims_bytes);
	json_object_put(doc);
	return verdict;
}

char *
license_sign_document(const char *claims, size_t len, const unsigned char secretkey[LICENSE_SECRETKEY_BYTES])
{
	char	   *payload;
	size_t		prefix_len = strlen(LICENSE_SIGNED_PREFIX);
	size_t		payload_len;
	unsigned char *message;
	unsigned char sig[LICENSE_SIGNATURE_BYTES];
	char	   *sig_text;
	char	   *doc = NULL;
	size_t		doc_size;

	if (sodium_init() < 0)
		return NULL;
	payload = license_b64url_encode((const unsigned char *) claims, len);
	if (payload == NULL)
		return NULL;
	payload_len = strlen(payload);
	message = malloc(prefix_len + payload_len);
	if (message == NULL)
	{
		free(payload);
		return NULL;
	}
	memcpy(message, LICENSE_SIGNED_PREFIX, prefix_len);
	memcpy(message + prefix_len, payload, payload_len);
	crypto_sign_detached(sig, NULL, message, prefix_len + payload_len, secretkey);
	free(message);
	sig_text = license_b64url_encode(sig, sizeof(sig));
	if (sig_text != NULL)
	{
		doc_size = payload_len + strlen(sig_text) + 128;
		doc = malloc(doc_size);
		if (doc != NULL)
			snprintf(doc, doc_size, "{\"format\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}\n",
					 LICENSE_FORMAT_NAME, payload, sig_text);
	}
	free(sig_text);
	free(payload);
	return doc;
}
