/*
 * credentials.c: discovery credentials, sealed with libsodium's crypto_secretbox.
 *
 * The key is 32 bytes in the file named by infracast.credential_key_file (raw, or 64 hex digits),
 * readable by the server's user only. A sealed value is
 *     format (1 byte, = 1) || key id (8 bytes) || nonce (24 bytes) || secretbox(secrets)
 * where the key id is a hash of the key, so that a value sealed under another key is reported as
 * such instead of as damaged. The secrets are the secret and, when there is one, a NUL and the
 * second secret (SNMPv3 privacy passphrase, SSH key passphrase).
 *
 * No SQL function returns or logs a secret: credential_create and credential_rotate take them as
 * arguments, seal them and wipe the plain copies; only the discovery worker opens them, in memory,
 * for one job. Error messages name the credential, never its secret.
 */
#include "discovery/discovery.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <sodium.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

PG_FUNCTION_INFO_V1(infracast_credential_create);
PG_FUNCTION_INFO_V1(infracast_credential_rotate);

#define SEAL_FORMAT		1
#define SEAL_KEYID_LEN	8
#define SEAL_HEADER_LEN (1 + SEAL_KEYID_LEN + crypto_secretbox_NONCEBYTES)

/* Decodes 64 hex digits; false on any other character. */
static bool
credential_key_from_hex(const char *hex, unsigned char *key)
{
	size_t		bin_len = 0;

	return sodium_hex2bin(key, crypto_secretbox_KEYBYTES, hex, 2 * crypto_secretbox_KEYBYTES,
						  NULL, &bin_len, NULL) == 0 && bin_len == crypto_secretbox_KEYBYTES;
}

/* Reads the key named by infracast.credential_key_file; IC901 with the reason when it cannot. */
static void
credential_key_load(unsigned char *key)
{
	const char *path = discovery_credential_key_file;
	unsigned char buf[2 * crypto_secretbox_KEYBYTES + 4];
	struct stat st;
	ssize_t		n;
	int			fd;
	bool		ok;

	if (sodium_init() < 0)
		elog(ERROR, "libsodium could not be initialised");
	if (path == NULL || path[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_KEY),
				 errmsg("infracast.credential_key_file is not set"),
				 errhint("Create a key (head -c 32 /dev/urandom > FILE; chown postgres FILE; chmod 600 FILE) and set infracast.credential_key_file to its absolute path.")));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_KEY),
				 errmsg("could not open credential key file \"%s\": %m", path),
				 errhint("infracast.credential_key_file must name a file the server can read.")));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		close(fd);
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_KEY),
				 errmsg("credential key file \"%s\" is not a regular file private to the server's user", path),
				 errhint("chmod 600 the file (no access for group or others).")));
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	/* a trailing newline only after a whole key (hex written by an editor): a raw key may end in 0x0a */
	if ((n == crypto_secretbox_KEYBYTES + 1 || n == 2 * crypto_secretbox_KEYBYTES + 1) && buf[n - 1] == '\n')
		n--;
	if (n == crypto_secretbox_KEYBYTES)
	{
		memcpy(key, buf, crypto_secretbox_KEYBYTES);
		ok = true;
	}
	else if (n == 2 * crypto_secretbox_KEYBYTES)
	{
		buf[n] = '\0';
		ok = credential_key_from_hex((const char *) buf, key);
	}
	else
		ok = false;
	sodium_memzero(buf, sizeof(buf));
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_KEY),
				 errmsg("credential key file \"%s\" does not hold a key", path),
				 errdetail("A key is 32 bytes, or 64 hexadecimal digits."),
				 errhint("Create one with head -c 32 /dev/urandom > FILE.")));
}

static void
credential_key_id(const unsigned char *key, unsigned char *id)
{
	unsigned char h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), key, crypto_secretbox_KEYBYTES, NULL, 0);
	memcpy(id, h, SEAL_KEYID_LEN);
}

/* Seals secret (and priv_secret when not NULL) under the configured key. */
static bytea *
credential_seal(const char *secret, const char *priv_secret)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t		len1 = strlen(secret);
	size_t		len2 = priv_secret ? strlen(priv_secret) + 1 : 0;
	size_t		plain_len = len1 + len2;
	unsigned char *plain = palloc(plain_len + 1);
	bytea	   *out = palloc(VARHDRSZ + SEAL_HEADER_LEN + crypto_secretbox_MACBYTES + plain_len);
	unsigned char *p = (unsigned char *) VARDATA(out);

	credential_key_load(key);
	memcpy(plain, secret, len1);
	if (priv_secret)
	{
		plain[len1] = '\0';
		memcpy(plain + len1 + 1, priv_secret, len2 - 1);
	}
	p[0] = SEAL_FORMAT;
	credential_key_id(key, p + 1);
	randombytes_buf(p + 1 + SEAL_KEYID_LEN, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(p + SEAL_HEADER_LEN, plain, plain_len, p + 1 + SEAL_KEYID_LEN, key);
	sodium_memzero(plain, plain_len);
	sodium_memzero(key, sizeof(key));
	pfree(plain);
	SET_VARSIZE(out, VARHDRSZ + SEAL_HEADER_LEN + crypto_secretbox_MACBYTES + plain_len);
	return out;
}

/* Opens a sealed value into out (palloc'd, in the current context); IC901/IC902 when it cannot. */
void
discovery_secrets_open(bytea *sealed, DiscoverySecrets *out)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char id[SEAL_KEYID_LEN];
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(sealed);
	size_t		len = VARSIZE_ANY_EXHDR(sealed);
	size_t		plain_len;
	size_t		first;

	memset(out, 0, sizeof(*out));
	if (len < SEAL_HEADER_LEN + crypto_secretbox_MACBYTES || p[0] != SEAL_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_SEALED),
				 errmsg("the sealed secret is damaged"),
				 errhint("Set the secret again with infracast.credential_rotate().")));
	credential_key_load(key);
	credential_key_id(key, id);
	if (memcmp(id, p + 1, SEAL_KEYID_LEN) != 0)
	{
		sodium_memzero(key, sizeof(key));
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_SEALED),
				 errmsg("the secret was sealed under another key than the one in infracast.credential_key_file"),
				 errhint("Restore the key the secret was sealed with, or set the secret again with infracast.credential_rotate().")));
	}
	plain_len = len - SEAL_HEADER_LEN - crypto_secretbox_MACBYTES;
	out->buf_len = plain_len + 1;
	out->buf = palloc0(out->buf_len);
	if (crypto_secretbox_open_easy((unsigned char *) out->buf, p + SEAL_HEADER_LEN,
								   len - SEAL_HEADER_LEN, p + 1 + SEAL_KEYID_LEN, key) != 0)
	{
		sodium_memzero(key, sizeof(key));
		discovery_secrets_free(out);
		ereport(ERROR,
				(errcode(ERRCODE_IC_CREDENTIAL_SEALED),
				 errmsg("the sealed secret is damaged"),
				 errhint("Set the secret again with infracast.credential_rotate().")));
	}
	sodium_memzero(key, sizeof(key));
	out->secret = out->buf;
	first = strlen(out->buf);
	out->priv_secret = first < plain_len ? out->buf + first + 1 : NULL;
}

void
discovery_secrets_free(DiscoverySecrets *s)
{
	if (s->buf)
	{
		sodium_memzero(s->buf, s->buf_len);
		pfree(s->buf);
	}
	memset(s, 0, sizeof(*s));
}

/*
 * The statement that calls credential_create/rotate holds secrets, and PostgreSQL writes the text of
 * a failed statement to the server log (log_min_error_statement). Until the function returns, it
 * is not written; credential_guard_leave restores the setting (an error restores it by aborting).
 */
static int
credential_guard_enter(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("log_min_error_statement", "panic", PGC_SUSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

static void
credential_guard_leave(int level)
{
	AtEOXact_GUC(true, level);
}

/* ---- validation: 22023 naming the argument, never echoing a secret ----------------------- */

static char *
credential_arg(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static void
credential_check_name(const char *name)
{
	bool		ok = name != NULL && strlen(name) <= 63 &&
		((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'));

	for (const char *c = name; ok && *c; c++)
		ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
			*c == '_' || *c == '.' || *c == '-';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid credential name \"%s\"", name ? name : "(null)"),
				 errhint("A credential name starts with a letter and has at most 63 letters, digits, \"_\", \".\" or \"-\".")));
}

static void
credential_check_secret(const char *what, const char *value, size_t min_len, const char *hint)
{
	if (value == NULL || strlen(value) < min_len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is missing or shorter than %zu characters", what, min_len),
				 errhint("%s", hint)));
}

static void
credential_check_absent(const char *kind, const char *arg, const char *value)
{
	if (value != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s credential takes no %s", kind, arg),
				 errhint("Leave %s NULL.", arg)));
}

static void
credential_check_v3(const char *username, const char *auth, const char *priv,
					const char *secret, const char *priv_secret)
{
	if (username == NULL || username[0] == '\0' || strlen(username) > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an snmp_v3 credential needs a username (the security name, 1 to 32 characters)"),
				 errhint("Pass username => 'the createUser name on the agent'.")));
	if (auth == NULL || (strcmp(auth, "SHA") != 0 && strcmp(auth, "SHA-256") != 0 && strcmp(auth, "SHA-512") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("auth_protocol \"%s\" is not one of SHA, SHA-256, SHA-512", auth ? auth : "(null)"),
				 errhint("SNMPv3 credentials name their authentication protocol explicitly; MD5 is not accepted.")));
	if (priv == NULL || (strcmp(priv, "AES") != 0 && strcmp(priv, "AES-256") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("priv_protocol \"%s\" is not one of AES, AES-256", priv ? priv : "(null)"),
				 errhint("SNMPv3 credentials use authPriv with AES (128-bit) or AES-256; DES is not accepted.")));
	/* net-snmp's USM refuses passphrases under 8 characters (RFC 3414, section 11.2) */
	credential_check_secret("the authentication passphrase (secret)", secret, 8,
							"SNMPv3 passphrases have at least 8 characters.");
	credential_check_secret("the privacy passphrase (priv_secret)", priv_secret, 8,
							"SNMPv3 passphrases have at least 8 characters.");
}

/* Checks the arguments of credential_create for kind; raises 22023 on the first problem. */
static void
credential_check(const char *kind, const char *secret, const char *username,
				 const char *auth, const char *priv, const char *priv_secret)
{
	if (kind == NULL)
		kind = "(null)";
	if (strcmp(kind, "snmp_v2c") == 0)
	{
		credential_check_secret("the community (secret)", secret, 1, "Pass the agent's read community as secret.");
		credential_check_absent(kind, "username", username);
		credential_check_absent(kind, "auth_protocol", auth);
		credential_check_absent(kind, "priv_protocol", priv);
		credential_check_absent(kind, "priv_secret", priv_secret);
	}
	else if (strcmp(kind, "snmp_v3") == 0)
		credential_check_v3(username, auth, priv, secret, priv_secret);
	else if (strcmp(kind, "ssh_password") == 0 || strcmp(kind, "ssh_key") == 0)
	{
		if (username == NULL || username[0] == '\0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an %s credential needs a username", kind),
					 errhint("Pass username => 'the account to log in as'.")));
		credential_check_absent(kind, "auth_protocol", auth);
		credential_check_absent(kind, "priv_protocol", priv);
		if (strcmp(kind, "ssh_password") == 0)
		{
			credential_check_secret("the password (secret)", secret, 1, "Pass the account's password as secret.");
			credential_check_absent(kind, "priv_secret", priv_secret);
		}
		else if (secret == NULL || strncmp(secret, "-----BEGIN ", 11) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the private key (secret) of an ssh_key credential is not in PEM or OpenSSH form"),
					 errhint("Pass the key file's text, starting with -----BEGIN; its passphrase, if any, as priv_secret.")));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown credential kind \"%s\"", kind),
				 errhint("The kinds are snmp_v2c, snmp_v3, ssh_password and ssh_key.")));
}

static void
credential_wipe(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
}

/*
 * credential_create(name, kind, secret, username, auth_protocol, priv_protocol, priv_secret)
 * Runs as the caller: row-level security puts the row in the current tenant.
 */
Datum
infracast_credential_create(PG_FUNCTION_ARGS)
{
	int			guard = credential_guard_enter();
	char	   *name = credential_arg(fcinfo, 0);
	char	   *kind = credential_arg(fcinfo, 1);
	char	   *secret = credential_arg(fcinfo, 2);
	char	   *username = credential_arg(fcinfo, 3);
	char	   *auth = credential_arg(fcinfo, 4);
	char	   *priv = credential_arg(fcinfo, 5);
	char	   *priv_secret = credential_arg(fcinfo, 6);
	int64		tenant = tenant_current();
	Oid			types[7] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, BYTEAOID};
	Datum		values[7];
	char		nulls[7] = "       ";
	bytea	   *sealed;
	bool		isnull;
	int64		id;

	credential_check_name(name);
	credential_check(kind, secret, username, auth, priv, priv_secret);
	sealed = credential_seal(secret, priv_secret);
	credential_wipe(secret);
	credential_wipe(priv_secret);

	values[0] = Int64GetDatum(tenant);
	values[1] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(kind);
	values[3] = username ? CStringGetTextDatum(username) : (Datum) 0;
	values[4] = auth ? CStringGetTextDatum(auth) : (Datum) 0;
	values[5] = priv ? CStringGetTextDatum(priv) : (Datum) 0;
	values[6] = PointerGetDatum(sealed);
	nulls[3] = username ? ' ' : 'n';
	nulls[4] = auth ? ' ' : 'n';
	nulls[5] = priv ? ' ' : 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT 1 FROM infracast.credentials WHERE tenant_id = $1 AND name = $2",
							  2, types, values, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "credential lookup failed");
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("credential \"%s\" already exists", name),
				 errhint("Change its secret with infracast.credential_rotate(), or pick another name.")));
	if (SPI_execute_with_args("INSERT INTO infracast.credentials "
							  "(tenant_id, name, kind, username, auth_protocol, priv_protocol, sealed) "
							  "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
							  7, types, values, nulls, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "credential insert failed");
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	credential_guard_leave(guard);
	PG_RETURN_INT64(id);
}

/* credential_rotate(name, secret, priv_secret): new secrets, sealed under the current key. */
Datum
infracast_credential_rotate(PG_FUNCTION_ARGS)
{
	int			guard = credential_guard_enter();
	char	   *name = credential_arg(fcinfo, 0);
	char	   *secret = credential_arg(fcinfo, 1);
	char	   *priv_secret = credential_arg(fcinfo, 2);
	int64		tenant = tenant_current();
	Oid			types[3] = {INT8OID, TEXTOID, BYTEAOID};
	Datum		values[3];
	char	   *kind;
	char	   *username;
	char	   *auth;
	char	   *priv;
	bytea	   *sealed;
	HeapTuple	row;
	TupleDesc	desc;

	if (name == NULL)
		credential_check_name(name);
	values[0] = Int64GetDatum(tenant);
	values[1] = CStringGetTextDatum(name);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT kind, username, auth_protocol, priv_protocol FROM infracast.credentials "
							  "WHERE tenant_id = $1 AND name = $2 FOR UPDATE",
							  2, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "credential lookup failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("credential \"%s\" does not exist", name),
				 errhint("See SELECT name, kind FROM infracast.credentials, or create it with infracast.credential_create().")));
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	kind = SPI_getvalue(row, desc, 1);
	username = SPI_getvalue(row, desc, 2);
	auth = SPI_getvalue(row, desc, 3);
	priv = SPI_getvalue(row, desc, 4);
	credential_check(kind, secret, username, auth, priv, priv_secret);
	sealed = credential_seal(secret, priv_secret);
	credential_wipe(secret);
	credential_wipe(priv_secret);
	values[2] = PointerGetDatum(sealed);
	if (SPI_execute_with_args("UPDATE infracast.credentials SET sealed = $3, rotated_at = pg_catalog.now() "
							  "WHERE tenant_id = $1 AND name = $2",
							  3, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "credential update failed");
	SPI_finish();
	credential_guard_leave(guard);
	PG_RETURN_VOID();
}
