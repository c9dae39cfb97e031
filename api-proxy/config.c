/*
 * config.c: the proxy's configuration, from the environment only (names operators already use:
 * VULCAN_*). Anything unsafe stops the start with a message saying why: it is better not to
 * serve at all than to serve with a guessable JWT key.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "proxy.h"

#define MIN_SECRET_BYTES 32

/*
 * Secrets seen in sample configurations and tutorials. A key found in a document is no key; the
 * comparison ignores case, and a secret that merely repeats one of these is refused too.
 */
static const char *const known_default_secrets[] = {
	"change-me-in-production", "changeme", "change-me", "change_me", "secret", "jwt-secret",
	"jwtsecret", "your-256-bit-secret", "your-secret-key", "supersecret", "super-secret",
	"supersecretkey", "mysecret", "my-secret", "default", "password", "vulcan", "infracast",
	"reallyreallyreallyreallyverysafe", "a-string-secret-at-least-256-bits-long",
	"0123456789abcdef0123456789abcdef", "00000000000000000000000000000000",
	"secret-with-at-least-32-characters-long", "please-change-this-secret-in-production",
	NULL
};

/* Is s made only of repetitions of the known default d (case-insensitive)? */
static bool
repeats_default(const char *s, size_t len, const char *d)
{
	size_t		dl = strlen(d);

	if (len < dl || len % dl != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (tolower((unsigned char) s[i]) != tolower((unsigned char) d[i % dl]))
			return false;
	return true;
}

const char *
config_secret_problem(const char *secret, size_t len)
{
	bool		seen[256] = {false};
	int			distinct = 0;

	if (secret == NULL || len == 0)
		return "VULCAN_JWT_SECRET is not set: set it to at least 32 random bytes, for example "
			"the output of `openssl rand -base64 48`";
	if (len < MIN_SECRET_BYTES)
		return "VULCAN_JWT_SECRET is shorter than 32 bytes: HS256 needs a key of at least 256 bits";
	for (int i = 0; known_default_secrets[i]; i++)
		if (repeats_default(secret, len, known_default_secrets[i]) ||
			strcasestr(secret, "change-me") || strcasestr(secret, "changeme") ||
			strcasestr(secret, "change_me"))
			return "VULCAN_JWT_SECRET is a known default from sample configurations: generate a "
				"random one, for example with `openssl rand -base64 48`";
	for (size_t i = 0; i < len; i++)
	{
		if (!seen[(unsigned char) secret[i]])
			distinct++;
		seen[(unsigned char) secret[i]] = true;
	}
	if (distinct < 8)
		return "VULCAN_JWT_SECRET has fewer than 8 distinct characters: it is not random; "
			"generate one with `openssl rand -base64 48`";
	return NULL;
}

/* True for an address only this machine can reach: 127.0.0.0/8, ::1, or ::ffff:127.x.y.z. */
bool
config_listen_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* "host:port", "[v6]:port" or ":port"; the port 0 asks the kernel for a free one. */
bool
config_parse_listen(const char *value, char **host, int *port)
{
	const char *colon;
	char	   *end;
	long		p;

	if (value[0] == '[')
	{
		const char *close = strchr(value, ']');

		if (close == NULL || close[1] != ':')
			return false;
		*host = strndup(value + 1, close - value - 1);
		colon = close + 1;
	}
	else
	{
		colon = strrchr(value, ':');
		if (colon == NULL)
			return false;
		*host = strndup(value, colon - value);
		if ((*host)[0] == '\0')
		{
			free(*host);
			*host = strdup("0.0.0.0");
		}
	}
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
	{
		free(*host);
		*host = NULL;
		return false;
	}
	*port = (int) p;
	return true;
}

/* Reads an integer variable within [lo, hi]; false with why when it is not one. */
static bool
env_int(const char *name, int dflt, int lo, int hi, int *out, char *why, size_t whylen)
{
	const char *v = getenv(name);
	char	   *end;
	long		n;

	if (v == NULL || *v == '\0')
	{
		*out = dflt;
		return true;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end != '\0' || n < lo || n > hi)
	{
		snprintf(why, whylen, "%s=%s is not a whole number between %d and %d", name, v, lo, hi);
		return false;
	}
	*out = (int) n;
	return true;
}

/*
 * Copies a secret out of the environment and wipes the original, so that it no longer shows in
 * /proc/<pid>/environ to whoever may read it later.
 */
static char *
env_take_secret(const char *name, size_t *len)
{
	char	   *v = getenv(name);
	char	   *copy;

	if (v == NULL)
	{
		*len = 0;
		return NULL;
	}
	*len = strlen(v);
	copy = strdup(v);
	memset(v, 'x', *len);
	unsetenv(name);
	return copy;
}

bool
config_load(ProxyConfig *cfg, char *why, size_t whylen)
{
	const char *v;
	const char *problem;
	long		ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_body = 1024 * 1024;

	v = getenv("VULCAN_LOG_LEVEL");
	if (v && *v && !log_level_parse(v, &log_level))
	{
		snprintf(why, whylen, "VULCAN_LOG_LEVEL=%s is not one of error, warn, info, debug", v);
		return false;
	}

	v = getenv("VULCAN_DB_URL");
	if (v == NULL || *v == '\0')
	{
		snprintf(why, whylen, "VULCAN_DB_URL is not set: give a libpq connection URL that logs in as "
				 "infracast_authenticator, for example postgresql://infracast_authenticator@/infracast?host=/run/postgresql");
		return false;
	}
	cfg->db_url = strdup(v);

	cfg->jwt_secret = env_take_secret("VULCAN_JWT_SECRET", &cfg->jwt_secret_len);
	problem = config_secret_problem(cfg->jwt_secret, cfg->jwt_secret_len);
	if (problem)
	{
		snprintf(why, whylen, "%s", problem);
		return false;
	}

	v = getenv("VULCAN_LISTEN");
	if (!config_parse_listen(v && *v ? v : "127.0.0.1:8080", &cfg->listen_host, &cfg->listen_port))
	{
		snprintf(why, whylen, "VULCAN_LISTEN=%s is not host:port (for example 127.0.0.1:8080)", v);
		return false;
	}

	v = getenv("VULCAN_TLS_CERT");
	cfg->tls_cert = v && *v ? strdup(v) : NULL;
	v = getenv("VULCAN_TLS_KEY");
	cfg->tls_key = v && *v ? strdup(v) : NULL;
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
	{
		snprintf(why, whylen, "set both VULCAN_TLS_CERT and VULCAN_TLS_KEY for HTTPS, or neither");
		return false;
	}
	/* Plain HTTP only on loopback: anywhere else tokens and passwords would cross in clear text. */
	if (cfg->tls_cert == NULL && !config_listen_is_loopback(cfg->listen_host))
	{
		v = getenv("VULCAN_ALLOW_PLAINTEXT");
		if (v == NULL || strcmp(v, "1") != 0)
		{
			snprintf(why, whylen, "VULCAN_LISTEN=%s:%d is not a loopback address and no TLS is configured: "
					 "set VULCAN_TLS_CERT and VULCAN_TLS_KEY, or VULCAN_ALLOW_PLAINTEXT=1 only behind a "
					 "TLS-terminating proxy on a network you trust", cfg->listen_host, cfg->listen_port);
			return false;
		}
		cfg->plaintext_off_loopback = true;
	}

	v = getenv("VULCAN_UI_DIR");
	if (v && *v)
	{
		cfg->ui_dir = realpath(v, NULL);
		if (cfg->ui_dir == NULL)
		{
			snprintf(why, whylen, "VULCAN_UI_DIR=%s: %s", v, strerror(errno));
			return false;
		}
	}

	{
		size_t		len;

		cfg->admin_password = env_take_secret("VULCAN_ADMIN_PASSWORD", &len);
		if (cfg->admin_password && len < 12)
		{
			snprintf(why, whylen, "VULCAN_ADMIN_PASSWORD is shorter than 12 characters");
			return false;
		}
	}

	if (!env_int("VULCAN_JWT_TTL", PROXY_JWT_MAX_TTL, 60, PROXY_JWT_MAX_TTL, &cfg->jwt_ttl, why, whylen) ||
		!env_int("VULCAN_THREADS", ncpu > 0 ? (int) ncpu * 2 : 4, 1, 256, &cfg->threads, why, whylen) ||
		!env_int("VULCAN_DB_POOL", cfg->threads, 1, 256, &cfg->pool_size, why, whylen) ||
		!env_int("VULCAN_DB_POOL_WAIT_MS", 5000, 0, 600000, &cfg->pool_wait_ms, why, whylen) ||
		!env_int("VULCAN_STATEMENT_TIMEOUT_MS", 30000, 0, 3600000, &cfg->statement_timeout_ms, why, whylen) ||
		!env_int("VULCAN_CLIENT_TIMEOUT", 10, 1, 3600, &cfg->client_timeout, why, whylen) ||
		!env_int("VULCAN_MAX_CONNECTIONS", 1024, 1, 60000, &cfg->max_connections, why, whylen) ||
		!env_int("VULCAN_MAX_ROWS", 10000, 1, 10000000, &cfg->max_rows, why, whylen))
		return false;
	return true;
}

/* Frees what config_load allocated; the secrets are wiped first. */
void
config_free(ProxyConfig *cfg)
{
	if (cfg->jwt_secret)
		memset(cfg->jwt_secret, 0, cfg->jwt_secret_len);
	if (cfg->admin_password)
		memset(cfg->admin_password, 0, strlen(cfg->admin_password));
	free(cfg->db_url);
	free(cfg->jwt_secret);
	free(cfg->listen_host);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->ui_dir);
	free(cfg->admin_password);
	memset(cfg, 0, sizeof(*cfg));
}
