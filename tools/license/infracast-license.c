/*
 * infracast-license: the vendor's (and the tests') tool for Infracast licences.
 *
 *   infracast-license keygen SECRET_FILE [PUBLIC_FILE]
 *   infracast-license pubkey SECRET_FILE
 *   infracast-license fingerprint PUBLIC_KEY
 *   infracast-license sign SECRET_FILE [CLAIMS_FILE|-] [-o LICENSE_FILE] [--unchecked]
 *   infracast-license verify PUBLIC_KEY [LICENSE_FILE|-] [--at RFC3339]
 *   infracast-license sign-file SECRET_FILE FILE [-o SIGNATURE_FILE] [-t TRUSTED_COMMENT]
 *   infracast-license verify-file PUBLIC_KEY FILE [SIGNATURE_FILE]
 *   infracast-license minisign-pubkey PUBLIC_KEY
 *
 * sign-file and verify-file make and check detached file signatures (release bundles' SHA256SUMS,
 * see docs/packaging.md) in minisign's format, so that `minisign -V` can check them too: the key id is
 * the first 8 bytes of the key's fingerprint, and minisign-pubkey prints the key as minisign wants it.
 *
 * PUBLIC_KEY is a file holding the key or the key itself, base64 of 32 bytes (what
 * `make INFRACAST_LICENSE_PUBKEY=...` takes). The secret key file holds base64 of libsodium's 64-byte
 * Ed25519 secret key; keygen creates it with mode 0600 and never overwrites a file.
 *
 * It shares license_format.c with the extension, so it accepts exactly the files the database
 * accepts. It cannot know the database's node count or clock history: verify judges the signature,
 * the claims and the dates only. Exit status: 0 valid, 1 not valid, 2 usage or I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "license/license_format.h"

#define EXIT_INVALID 1
#define EXIT_USAGE	 2

static void
usage(void)
{
	fprintf(stderr,
			"usage:\n"
			"  infracast-license keygen SECRET_FILE [PUBLIC_FILE]\n"
			"  infracast-license pubkey SECRET_FILE\n"
			"  infracast-license fingerprint PUBLIC_KEY\n"
			"  infracast-license sign SECRET_FILE [CLAIMS_FILE|-] [-o LICENSE_FILE] [--unchecked]\n"
			"  infracast-license verify PUBLIC_KEY [LICENSE_FILE|-] [--at RFC3339]\n"
			"  infracast-license sign-file SECRET_FILE FILE [-o SIGNATURE_FILE] [-t TRUSTED_COMMENT]\n"
			"  infracast-license verify-file PUBLIC_KEY FILE [SIGNATURE_FILE]\n"
			"  infracast-license minisign-pubkey PUBLIC_KEY\n"
			"PUBLIC_KEY is a file holding base64 of the 32-byte key, or that base64 itself\n"
			"(verify-file also takes a minisign public key file). SIGNATURE_FILE defaults to FILE.minisig.\n");
	exit(EXIT_USAGE);
}

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "infracast-license: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(EXIT_USAGE);
}

/* Reads a whole file ("-" is stdin); at most 1 MiB + 1 byte, so an oversized file is reported. */
static char *
read_all(const char *path, size_t *len)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t		cap = LICENSE_MAX_FILE_BYTES + 2;
	char	   *buf;

	if (f == NULL)
		die(path, strerror(errno));
	buf = malloc(cap);
	if (buf == NULL)
		die("out of memory", NULL);
	*len = fread(buf, 1, cap - 1, f);
	if (ferror(f))
		die(path, "read error");
	if (f != stdin)
		fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void
write_all(const char *path, const char *text, mode_t mode, bool exclusive)
{
	int			fd = open(path, O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC), mode);
	size_t		len = strlen(text);

	if (fd < 0)
		die(path, strerror(errno));
	if (write(fd, text, len) != (ssize_t) len || close(fd) != 0)
		die(path, strerror(errno));
}

static char *
base64_line(const unsigned char *bin, size_t len)
{
	size_t		size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) + 1;
	char	   *out = malloc(size);

	if (out == NULL)
		die("out of memory", NULL);
	sodium_bin2base64(out, size - 1, bin, len, sodium_base64_VARIANT_ORIGINAL);
	out[size - 2] = '\n';
	out[size - 1] = '\0';
	return out;
}

static void
load_secret(const char *path, unsigned char sk[LICENSE_SECRETKEY_BYTES])
{
	size_t		len;
	char	   *text = read_all(path, &len);
	size_t		bin_len = 0;
	const char *end = NULL;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (sodium_base642bin(sk, LICENSE_SECRETKEY_BYTES, text, len, NULL, &bin_len, &end,
						  sodium_base64_VARIANT_ORIGINAL) != 0 || bin_len != LICENSE_SECRETKEY_BYTES)
		die(path, "not a secret key made by infracast-license keygen (base64 of 64 bytes)");
	sodium_memzero(text, len);
	free(text);
}

/* A public key given inline (base64) or as a file holding it. */
static void
load_public(const char *arg, unsigned char pk[LICENSE_PUBKEY_BYTES])
{
	struct stat st;

	if (stat(arg, &st) == 0)
	{
		size_t		len;
		char	   *text = read_all(arg, &len);
		bool		ok = license_pubkey_from_base64(text, pk);

		free(text);
		if (!ok)
			die(arg, "not a public key (base64 of 32 bytes)");
	}
	else if (!license_pubkey_from_base64(arg, pk))
		die(arg, "neither a readable file nor base64 of a 32-byte public key");
}

static void
print_key(const unsigned char pk[LICENSE_PUBKEY_BYTES])
{
	char		fp[LICENSE_FINGERPRINT_LEN + 1];
	char	   *b64 = base64_line(pk, LICENSE_PUBKEY_BYTES);

	license_key_fingerprint(pk, fp);
	printf("public_key: %sfingerprint: %s\n", b64, fp);
	free(b64);
}

static int
cmd_keygen(int argc, char **argv)
{
	unsigned char pk[LICENSE_PUBKEY_BYTES];
	unsigned char sk[LICENSE_SECRETKEY_BYTES];
	char	   *text;

	if (argc < 1 || argc > 2)
		usage();
	crypto_sign_keypair(pk, sk);
	text = base64_line(sk, sizeof(sk));
	write_all(argv[0], text, 0600, true);
	sodium_memzero(text, strlen(text));
	sodium_memzero(sk, sizeof(sk));
	free(text);
	if (argc == 2)
	{
		text = base64_line(pk, sizeof(pk));
		write_all(argv[1], text, 0644, true);
		free(text);
	}
	print_key(pk);
	return 0;
}

static int
cmd_pubkey(int argc, char **argv)
{
	unsigned char sk[LICENSE_SECRETKEY_BYTES];
	unsigned char pk[LICENSE_PUBKEY_BYTES];

	if (argc != 1)
		usage();
	load_secret(argv[0], sk);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	print_key(pk);
	return 0;
}

static int
cmd_fingerprint(int argc, char **argv)
{
	unsigned char pk[LICENSE_PUBKEY_BYTES];

	if (argc != 1)
		usage();
	load_public(argv[0], pk);
	print_key(pk);
	return 0;
}

static int
cmd_sign(int argc, char **argv)
{
	const char *secret = NULL,
			   *in = "-",
			   *out = NULL;
	bool		unchecked = false;
	int			npos = 0;
	const char *pos[2] = {NULL, NULL};
	unsigned char sk[LICENSE_SECRETKEY_BYTES];
	char	   *claims;
	size_t		len;
	char	   *doc;

	for (int i = 0; i < argc; i++)
	{
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--unchecked") == 0)
			unchecked = true;
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			usage();
	}
	if (npos == 0)
		usage();
	secret = pos[0];
	if (npos == 2)
		in = pos[1];
	load_secret(secret, sk);
	claims = read_all(in, &len);
	if (len > LICENSE_MAX_FILE_BYTES / 2)
		die(in, "claims larger than 512 KiB");
	if (!unchecked)
	{
		LicenseClaims c;
		char		reason[256];

		if (!license_check_claims(claims, len, &c, reason, sizeof(reason)))
		{
			fprintf(stderr, "infracast-license: %s: %s (nothing signed; --unchecked signs anyway, for tests)\n",
					in, reason);
			return EXIT_INVALID;
		}
		license_claims_free(&c);
	}
	doc = license_sign_document(claims, len, sk);
	sodium_memzero(sk, sizeof(sk));
	if (doc == NULL)
		die("signing failed", NULL);
	if (out != NULL)
		write_all(out, doc, 0644, false);
	else
		fputs(doc, stdout);
	free(doc);
	free(claims);
	return 0;
}

static void
print_time(const char *name, int64_t t)
{
	time_t		tt = (time_t) t;
	struct tm	tm;
	char		buf[64];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s: %s\n", name, buf);
}

static int
cmd_verify(int argc, char **argv)
{
	const char *key = NULL,
			   *in = "-";
	int64_t		now = (int64_t) time(NULL);
	int			npos = 0;
	const char *pos[2] = {NULL, NULL};
	unsigned char pk[LICENSE_PUBKEY_BYTES];
	char		fp[LICENSE_FINGERPRINT_LEN + 1];
	char		reason[256];
	char	   *doc;
	size_t		len;
	LicenseClaims c;
	LicenseVerdict v;
	const char *state;

	for (int i = 0; i < argc; i++)
	{
		if (strcmp(argv[i], "--at") == 0 && i + 1 < argc)
		{
			if (!license_parse_rfc3339(argv[++i], &now))
				die(argv[i], "not an RFC 3339 timestamp");
		}
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			usage();
	}
	if (npos == 0)
		usage();
	key = pos[0];
	if (npos == 2)
		in = pos[1];
	load_public(key, pk);
	license_key_fingerprint(pk, fp);
	doc = read_all(in, &len);
	v = license_verify_document(doc, len, pk, &c, reason, sizeof(reason));
	free(doc);
	if (v == LICENSE_VERDICT_MALFORMED)
		state = "malformed";
	else if (v == LICENSE_VERDICT_BAD_SIGNATURE)
		state = "invalid_signature";
	else if (c.has_not_before && now < c.not_before)
		state = "not_yet_valid", snprintf(reason, sizeof(reason), "the licence is not valid before its not_before date");
	else if (now >= c.expires_at)
		state = "expired", snprintf(reason, sizeof(reason), "the licence expired");
	else
		state = "valid", snprintf(reason, sizeof(reason), "the licence is authentic and in force");
	printf("state: %s\nreason: %s\nkey_fingerprint: %s\n", state, reason, fp);
	if (v == LICENSE_VERDICT_OK)
	{
		printf("license_id: %s\ncustomer: %s\ntier: %s\nnode_limit: %lld\nfeatures:",
			   c.license_id, c.customer, c.tier, (long long) c.node_limit);
		for (int i = 0; i < c.nfeatures; i++)
			printf(" %s", c.features[i]);
		printf("\n");
		print_time("issued_at", c.issued_at);
		if (c.has_not_before)
			print_time("not_before", c.not_before);
		print_time("expires_at", c.expires_at);
		printf("offline_mode: %s\nunknown_claims: %s\n", c.offline_mode ? "true" : "false", c.unknown_json);
		license_claims_free(&c);
	}
	return strcmp(state, "valid") == 0 ? 0 : EXIT_INVALID;
}

/*
 * Detached file signatures, in minisign's format (https://jedisct1.github.io/minisign/), so that an
 * operator can check a release with `minisign -V` as well as with this tool:
 *
 *     untrusted comment: <anything>
 *     base64("ED" || key id (8 bytes) || Ed25519 signature of BLAKE2b-512(file))
 *     trusted comment: <one line>
 *     base64(Ed25519 signature of (the signature above || the trusted comment))
 *
 * The file is hashed, not signed whole ("ED" rather than minisign's legacy "Ed"), so that files of any
 * size are streamed. The trusted comment is covered by the second signature, so the file name and
 * time it carries cannot be swapped. Our keys have no minisign key id: it is derived from the key
 * (the first 8 bytes of its fingerprint), so a signature and a key always agree on it.
 */
#define FILESIG_ALG			"ED"
#define FILESIG_ALG_LEGACY	"Ed"
#define FILESIG_KEYID_BYTES 8
#define FILESIG_HASH_BYTES	64
#define FILESIG_BLOB_BYTES	(2 + FILESIG_KEYID_BYTES + LICENSE_SIGNATURE_BYTES)
#define FILESIG_PUBKEY_BLOB (2 + FILESIG_KEYID_BYTES + LICENSE_PUBKEY_BYTES)
#define FILESIG_UNTRUSTED	"untrusted comment: "
#define FILESIG_TRUSTED		"trusted comment: "
#define FILESIG_MAX_COMMENT 1024

static void
filesig_key_id(const unsigned char pk[LICENSE_PUBKEY_BYTES], unsigned char id[FILESIG_KEYID_BYTES])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, pk, LICENSE_PUBKEY_BYTES);
	memcpy(id, digest, FILESIG_KEYID_BYTES);
}

/* The two-byte algorithm tag that starts a signature or key blob (a tag, not a string). */
static void
filesig_put_alg(unsigned char *blob, const char alg[2])
{
	blob[0] = (unsigned char) alg[0];
	blob[1] = (unsigned char) alg[1];
}

/* minisign prints a key id as the little-endian 64-bit number its bytes make, in upper-case hex. */
static void
filesig_key_id_hex(const unsigned char id[FILESIG_KEYID_BYTES], char out[2 * FILESIG_KEYID_BYTES + 1])
{
	for (int i = 0; i < FILESIG_KEYID_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02X", id[FILESIG_KEYID_BYTES - 1 - i]);
}

/* BLAKE2b-512 of a whole file, streamed (the file may be larger than memory). */
static void
filesig_hash_file(const char *path, unsigned char hash[FILESIG_HASH_BYTES])
{
	crypto_generichash_state st;
	unsigned char buf[65536];
	size_t		n;
	FILE	   *f = fopen(path, "rb");

	if (f == NULL)
		die(path, strerror(errno));
	crypto_generichash_init(&st, NULL, 0, FILESIG_HASH_BYTES);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_generichash_update(&st, buf, n);
	if (ferror(f))
	{
		fclose(f);
		die(path, "read error");
	}
	fclose(f);
	crypto_generichash_final(&st, hash, FILESIG_HASH_BYTES);
}

/* Decodes one line of standard base64 into exactly want bytes. */
static bool
filesig_decode_line(const char *line, size_t len, unsigned char *out, size_t want)
{
	size_t		bin_len = 0;
	const char *end = NULL;

	return sodium_base642bin(out, want, line, len, NULL, &bin_len, &end,
							 sodium_base64_VARIANT_ORIGINAL) == 0 &&
		bin_len == want && end == line + len;
}

/* The next line of text (without its "\n" or "\r\n"); NULL at the end. */
static const char *
filesig_next_line(const char **cursor, size_t *len)
{
	const char *start = *cursor;
	const char *nl;

	if (start == NULL || *start == '\0')
		return NULL;
	nl = strchr(start, '\n');
	*len = nl ? (size_t) (nl - start) : strlen(start);
	*cursor = nl ? nl + 1 : start + *len;
	if (*len > 0 && start[*len - 1] == '\r')
		(*len)--;
	return start;
}

/*
 * A public key for verify-file: a minisign public key file (its second line is
 * base64("Ed" || key id || key)), or anything load_public takes.
 */
static void
filesig_load_public(const char *arg, unsigned char pk[LICENSE_PUBKEY_BYTES])
{
	struct stat st;
	size_t		len,
				line_len = 0;
	char	   *text;
	const char *cursor;
	const char *line;
	unsigned char blob[FILESIG_PUBKEY_BLOB];
	unsigned char id[FILESIG_KEYID_BYTES];

	if (stat(arg, &st) != 0)
	{
		load_public(arg, pk);
		return;
	}
	text = read_all(arg, &len);
	if (strncmp(text, FILESIG_UNTRUSTED, strlen(FILESIG_UNTRUSTED)) != 0)
	{
		free(text);
		load_public(arg, pk);
		return;
	}
	cursor = text;
	(void) filesig_next_line(&cursor, &line_len);
	line = filesig_next_line(&cursor, &line_len);
	if (line == NULL || !filesig_decode_line(line, line_len, blob, sizeof(blob)) ||
		memcmp(blob, FILESIG_ALG_LEGACY, 2) != 0)
		die(arg, "not a minisign public key (its second line must be base64 of \"Ed\", an 8-byte key id and a 32-byte key)");
	free(text);
	memcpy(pk, blob + 2 + FILESIG_KEYID_BYTES, LICENSE_PUBKEY_BYTES);
	filesig_key_id(pk, id);
	if (memcmp(id, blob + 2, FILESIG_KEYID_BYTES) != 0)
		die(arg, "this minisign public key was not made by infracast-license minisign-pubkey (its key id is not derived from the key)");
}

static char *
base64_no_newline(const unsigned char *bin, size_t len)
{
	char	   *out = base64_line(bin, len);

	out[strlen(out) - 1] = '\0';
	return out;
}

static int
cmd_sign_file(int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL};
	const char *out = NULL;
	const char *trusted = NULL;
	char		default_out[4096];
	char		default_trusted[FILESIG_MAX_COMMENT];
	char		id_hex[2 * FILESIG_KEYID_BYTES + 1];
	int			npos = 0;
	unsigned char sk[LICENSE_SECRETKEY_BYTES];
	unsigned char pk[LICENSE_PUBKEY_BYTES];
	unsigned char hash[FILESIG_HASH_BYTES];
	unsigned char blob[FILESIG_BLOB_BYTES];
	unsigned char global_sig[LICENSE_SIGNATURE_BYTES];
	unsigned char *signed_comment;
	size_t		trusted_len;
	char	   *sig_b64,
			   *global_b64,
			   *doc;
	size_t		doc_size;

	for (int i = 0; i < argc; i++)
	{
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			trusted = argv[++i];
		else if (npos < 2)
			pos[npos++] = argv[i];
		else
			usage();
	}
	if (npos != 2)
		usage();
	if (out == NULL)
	{
		if (snprintf(default_out, sizeof(default_out), "%s.minisig", pos[1]) >= (int) sizeof(default_out))
			die(pos[1], "path too long");
		out = default_out;
	}
	if (trusted == NULL)
	{
		const char *base = strrchr(pos[1], '/');

		snprintf(default_trusted, sizeof(default_trusted), "timestamp:%lld\tfile:%s\thashed",
				 (long long) time(NULL), base ? base + 1 : pos[1]);
		trusted = default_trusted;
	}
	trusted_len = strlen(trusted);
	if (trusted_len >= FILESIG_MAX_COMMENT || strpbrk(trusted, "\r\n") != NULL)
		die("-t", "the trusted comment must be one line shorter than 1024 bytes");

	load_secret(pos[0], sk);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	filesig_hash_file(pos[1], hash);
	filesig_put_alg(blob, FILESIG_ALG);
	filesig_key_id(pk, blob + 2);
	crypto_sign_detached(blob + 2 + FILESIG_KEYID_BYTES, NULL, hash, sizeof(hash), sk);
	signed_comment = malloc(LICENSE_SIGNATURE_BYTES + trusted_len);
	if (signed_comment == NULL)
		die("out of memory", NULL);
	memcpy(signed_comment, blob + 2 + FILESIG_KEYID_BYTES, LICENSE_SIGNATURE_BYTES);
	memcpy(signed_comment + LICENSE_SIGNATURE_BYTES, trusted, trusted_len);
	crypto_sign_detached(global_sig, NULL, signed_comment, LICENSE_SIGNATURE_BYTES + trusted_len, sk);
	sodium_memzero(sk, sizeof(sk));
	free(signed_comment);

	filesig_key_id_hex(blob + 2, id_hex);
	sig_b64 = base64_no_newline(blob, sizeof(blob));
	global_b64 = base64_no_newline(global_sig, sizeof(global_sig));
	doc_size = strlen(sig_b64) + strlen(global_b64) + trusted_len + 256;
	doc = malloc(doc_size);
	if (doc == NULL)
		die("out of memory", NULL);
	snprintf(doc, doc_size, "%ssignature from infracast-license secret key %s\n%s\n%s%s\n%s\n",
			 FILESIG_UNTRUSTED, id_hex, sig_b64, FILESIG_TRUSTED, trusted, global_b64);
	write_all(out, doc, 0644, false);
	printf("signed: %s\nsignature: %s\nkey_id: %s\n", pos[1], out, id_hex);
	free(doc);
	free(sig_b64);
	free(global_b64);
	return 0;
}

/* Prints why a file is refused (on stderr, naming the file) and returns the "not valid" status. */
static int
filesig_refuse(const char *file, const char *why)
{
	fprintf(stderr, "infracast-license: %s: REFUSED: %s\n", file, why);
	printf("signature: bad\nfile: %s\nreason: %s\n", file, why);
	return EXIT_INVALID;
}

static int
cmd_verify_file(int argc, char **argv)
{
	const char *file,
			   *sig_path;
	char		default_sig[4096];
	unsigned char pk[LICENSE_PUBKEY_BYTES];
	unsigned char id[FILESIG_KEYID_BYTES];
	unsigned char blob[FILESIG_BLOB_BYTES];
	unsigned char global_sig[LICENSE_SIGNATURE_BYTES];
	unsigned char hash[FILESIG_HASH_BYTES];
	unsigned char *signed_comment;
	char		fp[LICENSE_FINGERPRINT_LEN + 1];
	char		why[4096 + 256];
	char		want_hex[2 * FILESIG_KEYID_BYTES + 1],
				got_hex[2 * FILESIG_KEYID_BYTES + 1];
	char	   *text;
	const char *cursor;
	const char *line[4];
	size_t		line_len[4] = {0, 0, 0, 0};
	size_t		len,
				trusted_len;
	bool		ok;

	if (argc < 2 || argc > 3)
		usage();
	file = argv[1];
	if (argc == 3)
		sig_path = argv[2];
	else
	{
		if (snprintf(default_sig, sizeof(default_sig), "%s.minisig", file) >= (int) sizeof(default_sig))
			die(file, "path too long");
		sig_path = default_sig;
	}
	filesig_load_public(argv[0], pk);
	filesig_key_id(pk, id);
	license_key_fingerprint(pk, fp);

	text = read_all(sig_path, &len);
	cursor = text;
	for (int i = 0; i < 4; i++)
		line[i] = filesig_next_line(&cursor, &line_len[i]);
	if (line[3] == NULL ||
		strncmp(line[0], FILESIG_UNTRUSTED, strlen(FILESIG_UNTRUSTED)) != 0 ||
		strncmp(line[2], FILESIG_TRUSTED, strlen(FILESIG_TRUSTED)) != 0 ||
		!filesig_decode_line(line[1], line_len[1], blob, sizeof(blob)) ||
		!filesig_decode_line(line[3], line_len[3], global_sig, sizeof(global_sig)))
	{
		snprintf(why, sizeof(why), "%s is not a minisign signature file (four lines: untrusted comment, "
				 "signature, trusted comment, global signature)", sig_path);
		free(text);
		return filesig_refuse(file, why);
	}
	if (memcmp(blob, FILESIG_ALG, 2) != 0)
	{
		free(text);
		return filesig_refuse(file, "the signature is not of a hashed file (minisign -H, algorithm \"ED\"); "
							  "sign it with infracast-license sign-file");
	}
	if (memcmp(blob + 2, id, FILESIG_KEYID_BYTES) != 0)
	{
		filesig_key_id_hex(id, want_hex);
		filesig_key_id_hex(blob + 2, got_hex);
		snprintf(why, sizeof(why), "signed by another key (key id %s; this public key's id is %s)",
				 got_hex, want_hex);
		free(text);
		return filesig_refuse(file, why);
	}

	filesig_hash_file(file, hash);
	if (crypto_sign_verify_detached(blob + 2 + FILESIG_KEYID_BYTES, hash, sizeof(hash), pk) != 0)
	{
		free(text);
		return filesig_refuse(file, "the signature does not match the file: the file was changed after it "
							  "was signed, or the signature belongs to another file");
	}
	trusted_len = line_len[2] - strlen(FILESIG_TRUSTED);
	signed_comment = malloc(LICENSE_SIGNATURE_BYTES + trusted_len + 1);
	if (signed_comment == NULL)
		die("out of memory", NULL);
	memcpy(signed_comment, blob + 2 + FILESIG_KEYID_BYTES, LICENSE_SIGNATURE_BYTES);
	memcpy(signed_comment + LICENSE_SIGNATURE_BYTES, line[2] + strlen(FILESIG_TRUSTED), trusted_len);
	ok = crypto_sign_verify_detached(global_sig, signed_comment, LICENSE_SIGNATURE_BYTES + trusted_len, pk) == 0;
	free(signed_comment);
	if (!ok)
	{
		free(text);
		return filesig_refuse(file, "the trusted comment was changed after signing");
	}
	filesig_key_id_hex(id, want_hex);
	printf("signature: good\nfile: %s\nkey_id: %s\nkey_fingerprint: %s\ntrusted_comment: %.*s\n",
		   file, want_hex, fp, (int) trusted_len, line[2] + strlen(FILESIG_TRUSTED));
	free(text);
	return 0;
}

static int
cmd_minisign_pubkey(int argc, char **argv)
{
	unsigned char pk[LICENSE_PUBKEY_BYTES];
	unsigned char blob[FILESIG_PUBKEY_BLOB];
	char		id_hex[2 * FILESIG_KEYID_BYTES + 1];
	char	   *b64;

	if (argc != 1)
		usage();
	load_public(argv[0], pk);
	filesig_put_alg(blob, FILESIG_ALG_LEGACY);
	filesig_key_id(pk, blob + 2);
	memcpy(blob + 2 + FILESIG_KEYID_BYTES, pk, LICENSE_PUBKEY_BYTES);
	filesig_key_id_hex(blob + 2, id_hex);
	b64 = base64_line(blob, sizeof(blob));
	printf("%sminisign public key %s\n%s", FILESIG_UNTRUSTED, id_hex, b64);
	free(b64);
	return 0;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		die("libsodium could not start", NULL);
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc - 2, argv + 2);
	if (strcmp(argv[1], "pubkey") == 0)
		return cmd_pubkey(argc - 2, argv + 2);
	if (strcmp(argv[1], "fingerprint") == 0)
		return cmd_fingerprint(argc - 2, argv + 2);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc - 2, argv + 2);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 2, argv + 2);
	if (strcmp(argv[1], "sign-file") == 0)
		return cmd_sign_file(argc - 2, argv + 2);
	if (strcmp(argv[1], "verify-file") == 0)
		return cmd_verify_file(argc - 2, argv + 2);
	if (strcmp(argv[1], "minisign-pubkey") == 0)
		return cmd_minisign_pubkey(argc - 2, argv + 2);
	usage();
	return EXIT_USAGE;
}
