/*
 * auth.c: password hashing and TOTP for the API's login, as SQL-callable C functions.
 *
 * Passwords: argon2id through libsodium's crypto_pwhash_str (the salt and cost parameters are in
 * the stored string, so the cost can be raised later and old hashes still verify). Verification
 * of a missing hash still spends one hashing's worth of time, so a login for an unknown user
 * cannot be told from a wrong password by its latency.
 *
 * TOTP: RFC 6238 with HMAC-SHA-1 (PostgreSQL's own pg_hmac; libsodium has no SHA-1), 30-second
 * steps, 6 digits. totp_match() returns the time step that matched (within one step either side)
 * so that the caller can refuse a step it has already accepted: that is the replay protection,
 * kept in infracast.users.totp_last_step by infracast.api_login().
 */
#include "infracast.h"

#include <math.h>
#include <sodium.h>

#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha1.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "auth/auth.h"

PG_FUNCTION_INFO_V1(infracast_password_hash);
PG_FUNCTION_INFO_V1(infracast_password_verify);
PG_FUNCTION_INFO_V1(infracast_totp_new_secret);
PG_FUNCTION_INFO_V1(infracast_totp_code);
PG_FUNCTION_INFO_V1(infracast_totp_match);
PG_FUNCTION_INFO_V1(infracast_base32_encode);

#define TOTP_STEP_SECONDS 30
#define TOTP_DIGITS 6
#define TOTP_SECRET_BYTES 20
#define PASSWORD_MAX_BYTES 1024

/* libsodium must be initialised once per process before use; sodium_init() is idempotent. */
static void
auth_sodium_ready(void)
{
	if (sodium_init() < 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not initialise libsodium")));
}

/* Copies a text password into a NUL-terminated buffer, refusing absurd lengths (DoS by hashing). */
static char *
auth_password_cstring(text *pw)
{
	int			len = VARSIZE_ANY_EXHDR(pw);

	if (len > PASSWORD_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("password is longer than %d bytes", PASSWORD_MAX_BYTES),
				 errhint("Use a shorter passphrase.")));
	return text_to_cstring(pw);
}

/* infracast.password_hash(password text) -> argon2id string */
Datum
infracast_password_hash(PG_FUNCTION_ARGS)
{
	char	   *pw = auth_password_cstring(PG_GETARG_TEXT_PP(0));
	char		out[crypto_pwhash_STRBYTES];

	auth_sodium_ready();
	if (crypto_pwhash_str(out, pw, strlen(pw), AUTH_PWHASH_OPSLIMIT, AUTH_PWHASH_MEMLIMIT) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not hash the password: out of memory")));
	sodium_memzero(pw, strlen(pw));
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/*
 * infracast.password_verify(hash text, password text) -> boolean
 * A NULL hash (unknown user) still costs one hash, then gives false.
 */
Datum
infracast_password_verify(PG_FUNCTION_ARGS)
{
	char	   *pw;
	bool		ok = false;

	if (PG_ARGISNULL(1))
		PG_RETURN_BOOL(false);
	pw = auth_password_cstring(PG_GETARG_TEXT_PP(1));
	auth_sodium_ready();
	if (PG_ARGISNULL(0))
	{
		char		wasted[crypto_pwhash_STRBYTES];

		if (crypto_pwhash_str(wasted, pw, strlen(pw), AUTH_PWHASH_OPSLIMIT, AUTH_PWHASH_MEMLIMIT) != 0)
			ok = false;
	}
	else
	{
		char	   *hash = text_to_cstring(PG_GETARG_TEXT_PP(0));

		ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	}
	sodium_memzero(pw, strlen(pw));
	PG_RETURN_BOOL(ok);
}

/* infracast.totp_new_secret() -> 20 random bytes (160 bits, as RFC 4226 recommends) */
Datum
infracast_totp_new_secret(PG_FUNCTION_ARGS)
{
	bytea	   *secret = palloc(VARHDRSZ + TOTP_SECRET_BYTES);

	auth_sodium_ready();
	SET_VARSIZE(secret, VARHDRSZ + TOTP_SECRET_BYTES);
	randombytes_buf(VARDATA(secret), TOTP_SECRET_BYTES);
	PG_RETURN_BYTEA_P(secret);
}

/* HOTP value (RFC 4226) of a secret for one counter, as a number below 10^TOTP_DIGITS. */
static uint32
auth_hotp(const uint8 *key, size_t keylen, uint64 counter)
{
	uint8		msg[8];
	uint8		digest[SHA1_DIGEST_LENGTH];
	pg_hmac_ctx *ctx;
	int			offset;
	uint32		binary;

	for (int i = 7; i >= 0; i--)
	{
		msg[i] = (uint8) (counter & 0xff);
		counter >>= 8;
	}
	ctx = pg_hmac_create(PG_SHA1);
	if (ctx == NULL || pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, msg, sizeof(msg)) < 0 ||
		pg_hmac_final(ctx, digest, sizeof(digest)) < 0)
	{
		const char *why = ctx ? pg_hmac_error(ctx) : "out of memory";

		if (ctx)
			pg_hmac_free(ctx);
		elog(ERROR, "HMAC-SHA-1 failed: %s", why);
	}
	pg_hmac_free(ctx);

	offset = digest[SHA1_DIGEST_LENGTH - 1] & 0x0f;
	binary = ((uint32) (digest[offset] & 0x7f) << 24) |
		((uint32) digest[offset + 1] << 16) |
		((uint32) digest[offset + 2] << 8) |
		(uint32) digest[offset + 3];
	return binary % 1000000;
}

/* The TOTP time step (RFC 6238: floor(unix time / 30)) of a timestamptz. */
static int64
auth_totp_step(TimestampTz at)
{
	/* TimestampTz counts microseconds since 2000-01-01; the Unix epoch is earlier. */
	int64		unix_usec = at + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;

	if (unix_usec < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("time %s is before the Unix epoch", timestamptz_to_str(at))));
	return unix_usec / USECS_PER_SEC / TOTP_STEP_SECONDS;
}

static bytea *
auth_secret_arg(FunctionCallInfo fcinfo, int argno)
{
	bytea	   *secret = PG_GETARG_BYTEA_PP(argno);

	if (VARSIZE_ANY_EXHDR(secret) < 10)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("TOTP secret must be at least 10 bytes, got %d",
						(int) VARSIZE_ANY_EXHDR(secret)),
				 errhint("Create one with infracast.totp_new_secret().")));
	return secret;
}

/* infracast.totp_code(secret bytea, at timestamptz DEFAULT now()) -> 6-digit text */
Datum
infracast_totp_code(PG_FUNCTION_ARGS)
{
	bytea	   *secret = auth_secret_arg(fcinfo, 0);
	int64		step = auth_totp_step(PG_GETARG_TIMESTAMPTZ(1));
	uint32		code = auth_hotp((uint8 *) VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret), step);

	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%06u", code)));
}

/*
 * infracast.totp_match(secret bytea, code text, at timestamptz DEFAULT now()) -> bigint
 * The time step in [at-1, at+1] whose code equals `code`, or NULL. Every candidate is computed
 * and compared in constant time, so timing says nothing about which step (if any) matched.
 */
Datum
infracast_totp_match(PG_FUNCTION_ARGS)
{
	bytea	   *secret = auth_secret_arg(fcinfo, 0);
	char	   *given = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int64		now_step = auth_totp_step(PG_GETARG_TIMESTAMPTZ(2));
	int64		matched = -1;

	auth_sodium_ready();
	if (strlen(given) != TOTP_DIGITS || strspn(given, "0123456789") != TOTP_DIGITS)
		PG_RETURN_NULL();
	for (int64 step = now_step - 1; step <= now_step + 1; step++)
	{
		char		expect[TOTP_DIGITS + 1];

		snprintf(expect, sizeof(expect), "%06u",
				 auth_hotp((uint8 *) VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret), step));
		if (sodium_memcmp(expect, given, TOTP_DIGITS) == 0 && matched < 0)
			matched = step;
	}
	if (matched < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(matched);
}

/* infracast.base32_encode(bytea) -> RFC 4648 base32 without padding (authenticator apps' format) */
Datum
infracast_base32_encode(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *p = (const uint8 *) VARDATA_ANY(in);
	int			n = VARSIZE_ANY_EXHDR(in);
	char	   *out = palloc((n * 8 + 4) / 5 + 1);
	int			o = 0;
	uint32		buffer = 0;
	int			bits = 0;

	for (int i = 0; i < n; i++)
	{
		buffer = (buffer << 8) | p[i];
		bits += 8;
		while (bits >= 5)
		{
			out[o++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(buffer << (5 - bits)) & 31];
	out[o] = '\0';
	PG_RETURN_TEXT_P(cstring_to_text(out));
}
