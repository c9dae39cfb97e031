/*
 * infracast-license: the vendor's (and the tests') tool for Infracast licences.
 *
 *   infracast-license keygen SECRET_FILE [PUBLIC_FILE]
 *   infracast-license pubkey SECRET_FILE
 *   infracast-license fingerprint PUBLIC_KEY
 *   infracast-license sign SECRET_FILE [CLAIMS_FILE|-] [-o LICENSE_FILE] [--unchecked]
 *   infracast-license verify PUBLIC_KEY [LICENSE_FILE|-] [--at RFC3339]
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
			"PUBLIC_KEY is a file holding base64 of the 32-byte key, or that base64 itself.\n");
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
	usage();
	return EXIT_USAGE;
}
