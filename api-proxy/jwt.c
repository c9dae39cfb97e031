/*
 * jwt.c: JSON Web Tokens, HS256 only (RFC 7519 / 7515).
 *
 * The header must say "alg": "HS256" exactly: "none", "HS512", "RS256" (the classic key
 * confusion) and any other value are refused before the signature is looked at. The signature
 * is checked with libsodium's constant-time HMAC-SHA-256 verification. Claims: exp is required
 * and lies at most PROXY_JWT_MAX_TTL seconds after iat and after now; role must be one of the
 * three API roles; tenant is a positive id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "proxy.h"

#define JWT_MAX_LEN 8192
#define JWT_CLOCK_SKEW 30

/*
 * The roles a token may carry, each acting in the token's tenant only. infracast_operator (the
 * cluster-wide role) is deliberately absent: no REST caller does cluster-wide work.
 */
static const char *const api_roles[] = {"infracast_reader", "infracast_analyst", "infracast_admin", NULL};

bool
jwt_role_allowed(const char *role)
{
	for (int i = 0; api_roles[i]; i++)
		if (strcmp(role, api_roles[i]) == 0)
			return true;
	return false;
}

const char *
jwt_status_text(JwtStatus st)
{
	switch (st)
	{
		case JWT_OK:
			return "valid";
		case JWT_MALFORMED:
			return "the token is not a well-formed JWT";
		case JWT_BAD_ALG:
			return "the token's algorithm is not HS256";
		case JWT_BAD_SIGNATURE:
			return "the token's signature is invalid";
		case JWT_EXPIRED:
			return "the token has expired";
		case JWT_BAD_CLAIMS:
			return "the token's claims are missing or invalid";
	}
	return "invalid token";
}

static char *
b64url_encode(const unsigned char *bin, size_t len)
{
	size_t		outlen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	   *out = malloc(outlen);

	sodium_bin2base64(out, outlen, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* Decodes base64url (no padding) into a malloc'd NUL-terminated buffer; NULL when invalid. */
static unsigned char *
b64url_decode(const char *s, size_t slen, size_t *outlen)
{
	unsigned char *out = malloc(slen + 1);
	const char *end;

	if (sodium_base642bin(out, slen, s, slen, NULL, outlen, &end,
						  sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || end != s + slen)
	{
		free(out);
		return NULL;
	}
	out[*outlen] = '\0';
	return out;
}

char *
jwt_sign(const char *payload_json, const unsigned char *key, size_t keylen)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	char	   *h = b64url_encode((const unsigned char *) header, strlen(header));
	char	   *p = b64url_encode((const unsigned char *) payload_json, strlen(payload_json));
	size_t		signing_len = strlen(h) + 1 + strlen(p);
	char	   *token = malloc(signing_len + 1 + sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
												  sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char	   *s;

	sprintf(token, "%s.%s", h, p);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) token, signing_len);
	crypto_auth_hmacsha256_final(&st, mac);
	s = b64url_encode(mac, sizeof(mac));
	sprintf(token + signing_len, ".%s", s);
	free(h);
	free(p);
	free(s);
	return token;
}

/* Copies a string member into dst; false when absent, not a string, or too long. */
static bool
claim_string(json_object *obj, const char *key, char *dst, size_t size, bool required)
{
	json_object *v;
	const char *s;
	size_t		len;

	dst[0] = '\0';
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return !required;
	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	len = strlen(s);
	if (len >= size)
		return false;
	memcpy(dst, s, len + 1);
	return true;
}

static bool
claim_int(json_object *obj, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

static JwtStatus
jwt_read_claims(const char *payload, time_t now, JwtClaims *c)
{
	json_object *obj = json_tokener_parse(payload);
	JwtStatus	st = JWT_BAD_CLAIMS;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		goto done;
	if (!claim_int(obj, "exp", &c->exp) || !claim_int(obj, "iat", &c->iat) ||
		!claim_int(obj, "tenant", &c->tenant) || c->tenant <= 0 ||
		!claim_string(obj, "sub", c->sub, sizeof(c->sub), true) ||
		!claim_string(obj, "role", c->role, sizeof(c->role), true) ||
		!claim_string(obj, "username", c->username, sizeof(c->username), false) ||
		!claim_string(obj, "tenant_name", c->tenant_name, sizeof(c->tenant_name), false) ||
		!claim_string(obj, "restricted", c->restricted, sizeof(c->restricted), false) ||
		!jwt_role_allowed(c->role))
		goto done;
	/* A token may not live longer than the maximum, whoever signed it. */
	if (c->exp - c->iat > PROXY_JWT_MAX_TTL || c->iat > now + JWT_CLOCK_SKEW ||
		c->exp > now + PROXY_JWT_MAX_TTL + JWT_CLOCK_SKEW)
		goto done;
	if (c->exp <= now)
	{
		st = JWT_EXPIRED;
		goto done;
	}
	st = JWT_OK;
done:
	if (obj)
		json_object_put(obj);
	return st;
}

/* The header must be a JSON object whose alg is exactly "HS256" (typ, when present, "JWT"). */
static JwtStatus
jwt_check_header(const char *header)
{
	json_object *obj = json_tokener_parse(header);
	json_object *alg;
	json_object *typ;
	JwtStatus	st = JWT_BAD_ALG;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		st = JWT_MALFORMED;
	else if (json_object_object_get_ex(obj, "alg", &alg) && json_object_is_type(alg, json_type_string) &&
			 strcmp(json_object_get_string(alg), "HS256") == 0 &&
			 (!json_object_object_get_ex(obj, "typ", &typ) ||
			  (json_object_is_type(typ, json_type_string) &&
			   strcmp(json_object_get_string(typ), "JWT") == 0)) &&
			 !json_object_object_get_ex(obj, "crit", NULL))
		st = JWT_OK;
	if (obj)
		json_object_put(obj);
	return st;
}

JwtStatus
jwt_verify(const char *token, const unsigned char *key, size_t keylen, time_t now, JwtClaims *claims)
{
	const char *dot1;
	const char *dot2;
	size_t		len;
	size_t		hlen;
	size_t		plen;
	size_t		slen;
	unsigned char *header = NULL;
	unsigned char *payload = NULL;
	unsigned char *sig = NULL;
	JwtStatus	st;

	memset(claims, 0, sizeof(*claims));
	len = strnlen(token, JWT_MAX_LEN + 1);
	if (len > JWT_MAX_LEN)
		return JWT_MALFORMED;
	dot1 = strchr(token, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		return JWT_MALFORMED;

	header = b64url_decode(token, dot1 - token, &hlen);
	payload = b64url_decode(dot1 + 1, dot2 - dot1 - 1, &plen);
	sig = b64url_decode(dot2 + 1, strlen(dot2 + 1), &slen);
	if (header == NULL || payload == NULL || sig == NULL ||
		strlen((char *) header) != hlen || strlen((char *) payload) != plen)
	{
		st = JWT_MALFORMED;
		goto done;
	}
	if ((st = jwt_check_header((char *) header)) != JWT_OK)
		goto done;
	if (slen != crypto_auth_hmacsha256_BYTES)
	{
		st = JWT_BAD_SIGNATURE;
		goto done;
	}
	{
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		crypto_auth_hmacsha256_state hs;

		crypto_auth_hmacsha256_init(&hs, key, keylen);
		crypto_auth_hmacsha256_update(&hs, (const unsigned char *) token, dot2 - token);
		crypto_auth_hmacsha256_final(&hs, mac);
		if (sodium_memcmp(mac, sig, sizeof(mac)) != 0)
		{
			st = JWT_BAD_SIGNATURE;
			goto done;
		}
	}
	st = jwt_read_claims((char *) payload, now, claims);
	if (st == JWT_OK)
	{
		claims->json = (char *) payload;
		payload = NULL;
	}
done:
	free(header);
	free(payload);
	free(sig);
	return st;
}

void
jwt_claims_free(JwtClaims *claims)
{
	free(claims->json);
	claims->json = NULL;
}
