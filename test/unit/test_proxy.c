/*
 * test_proxy.c: unit tests of the proxy's plain-C parts: JWT (HS256 only, constant-time
 * signature check, claims), secret and listen-address checks, PostgREST-style query building
 * (nothing from the request in the SQL text) and SQLSTATE -> HTTP mapping.
 * Exits non-zero when a check fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proxy.h"

static int	failures;
static int	checks;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { failures++; printf("not ok - " __VA_ARGS__); printf("  (%s:%d)\n", __FILE__, __LINE__); } \
} while (0)

static const unsigned char key[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF";
static const unsigned char other_key[] = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjih";

static char *
b64url(const char *s)
{
	size_t		n = sodium_base64_ENCODED_LEN(strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	   *out = malloc(n);

	sodium_bin2base64(out, n, (const unsigned char *) s, strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static char *
payload(time_t iat, time_t exp, const char *role)
{
	char	   *p = malloc(512);

	snprintf(p, 512, "{\"sub\":\"7\",\"tenant\":3,\"tenant_name\":\"acme\",\"username\":\"ann\","
			 "\"role\":\"%s\",\"iat\":%ld,\"exp\":%ld}", role, (long) iat, (long) exp);
	return p;
}

static JwtStatus
verify(const char *token, time_t now)
{
	JwtClaims	c;
	JwtStatus	st = jwt_verify(token, key, sizeof(key) - 1, now, &c);

	jwt_claims_free(&c);
	return st;
}

static void
test_jwt(void)
{
	time_t		now = 1800000000;
	char	   *p = payload(now, now + 3600, "infracast_reader");
	char	   *tok = jwt_sign(p, key, sizeof(key) - 1);
	JwtClaims	c;

	CHECK(jwt_verify(tok, key, sizeof(key) - 1, now, &c) == JWT_OK, "a fresh token verifies\n");
	CHECK(c.tenant == 3 && strcmp(c.sub, "7") == 0 && strcmp(c.role, "infracast_reader") == 0 &&
		  strcmp(c.username, "ann") == 0 && c.json && strstr(c.json, "\"acme\""), "claims are read back\n");
	jwt_claims_free(&c);

	CHECK(jwt_verify(tok, other_key, sizeof(other_key) - 1, now, &c) == JWT_BAD_SIGNATURE,
		  "a token signed with another secret is refused\n");
	CHECK(verify(tok, now + 3600) == JWT_EXPIRED, "an expired token is refused\n");

	/* Tampered payload: same signature, role changed to admin. */
	{
		char	   *dot1 = strchr(tok, '.');
		char	   *dot2 = strchr(dot1 + 1, '.');
		char	   *evil = payload(now, now + 3600, "infracast_admin");
		char	   *evil64 = b64url(evil);
		char		forged[2048];

		snprintf(forged, sizeof(forged), "%.*s.%s%s", (int) (dot1 - tok), tok, evil64, dot2);
		CHECK(verify(forged, now) == JWT_BAD_SIGNATURE, "a tampered payload is refused\n");
		/* One flipped signature character. */
		snprintf(forged, sizeof(forged), "%s", tok);
		forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
		CHECK(verify(forged, now) == JWT_BAD_SIGNATURE, "a tampered signature is refused\n");
		free(evil);
		free(evil64);
	}

	/* alg none, HS512 and RS256 headers are refused before any signature check. */
	{
		const char *headers[] = {"{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"alg\":\"HS512\"}",
			"{\"alg\":\"RS256\"}", "{\"alg\":\"hs256\"}", "{\"typ\":\"JWT\"}", "{\"alg\":\"HS256\",\"crit\":[\"x\"]}"};

		for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		{
			char	   *h = b64url(headers[i]);
			char	   *pl = b64url(p);
			char		forged[2048];

			snprintf(forged, sizeof(forged), "%s.%s.", h, pl);
			CHECK(verify(forged, now) == JWT_BAD_ALG, "header %s is refused\n", headers[i]);
			snprintf(forged, sizeof(forged), "%s.%s.%s", h, pl, strrchr(tok, '.') + 1);
			CHECK(verify(forged, now) == JWT_BAD_ALG, "header %s with a signature is refused\n", headers[i]);
			free(h);
			free(pl);
		}
	}

	CHECK(verify("", now) == JWT_MALFORMED, "an empty token is malformed\n");
	CHECK(verify("abc", now) == JWT_MALFORMED, "a token without dots is malformed\n");
	CHECK(verify("a.b.c.d", now) == JWT_MALFORMED, "a token with four parts is malformed\n");
	CHECK(verify("!!!.???.***", now) == JWT_MALFORMED, "non-base64url is malformed\n");

	/* Claims: lifetime over an hour, unknown role, missing exp. */
	{
		char	   *longp = payload(now, now + 7200, "infracast_reader");
		char	   *longt = jwt_sign(longp, key, sizeof(key) - 1);
		char	   *rolep = payload(now, now + 60, "postgres");
		char	   *rolet = jwt_sign(rolep, key, sizeof(key) - 1);
		char	   *noexp = jwt_sign("{\"sub\":\"1\",\"tenant\":1,\"role\":\"infracast_reader\",\"iat\":1800000000}",
									 key, sizeof(key) - 1);

		CHECK(verify(longt, now) == JWT_BAD_CLAIMS, "a token living over an hour is refused\n");
		CHECK(verify(rolet, now) == JWT_BAD_CLAIMS, "a token naming a non-API role is refused\n");
		CHECK(verify(noexp, now) == JWT_BAD_CLAIMS, "a token without exp is refused\n");
		free(longp);
		free(longt);
		free(rolep);
		free(rolet);
		free(noexp);
	}
	free(p);
	free(tok);
}

static void
test_config(void)
{
	char	   *host = NULL;
	int			port = 0;

	CHECK(config_secret_problem(NULL, 0) != NULL, "a missing secret is refused\n");
	CHECK(config_secret_problem("short-secret", 12) != NULL, "a short secret is refused\n");
	CHECK(config_secret_problem("change-me-in-production", 23) != NULL, "the sample default is refused\n");
	CHECK(config_secret_problem("change-me-in-productionchange-me-in-production", 46) != NULL,
		  "a repeated sample default is refused\n");
	CHECK(config_secret_problem("CHANGE-ME-in-production-please-really-now", 41) != NULL,
		  "a secret containing change-me is refused\n");
	CHECK(config_secret_problem("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 41) != NULL,
		  "a one-character secret is refused\n");
	CHECK(config_secret_problem((const char *) key, sizeof(key) - 1) == NULL, "a random-looking secret is fine\n");

	CHECK(config_parse_listen("127.0.0.1:8080", &host, &port) && strcmp(host, "127.0.0.1") == 0 && port == 8080,
		  "host:port parses\n");
	free(host);
	CHECK(config_parse_listen("[::1]:0", &host, &port) && strcmp(host, "::1") == 0 && port == 0,
		  "[v6]:port parses\n");
	free(host);
	CHECK(config_listen_is_loopback("127.0.0.1") && config_listen_is_loopback("127.9.8.7") &&
		  config_listen_is_loopback("::1") && config_listen_is_loopback("::ffff:127.0.0.1"),
		  "127/8, ::1 and mapped 127/8 are loopback\n");
	CHECK(!config_listen_is_loopback("0.0.0.0") && !config_listen_is_loopback("::") &&
		  !config_listen_is_loopback("10.0.0.1") && !config_listen_is_loopback("128.0.0.1") &&
		  !config_listen_is_loopback("::ffff:10.0.0.1") && !config_listen_is_loopback("localhost"),
		  "any, private, public and mapped non-127 addresses, and names, are not\n");
	CHECK(!config_parse_listen("127.0.0.1", &host, &port), "a missing port is refused\n");
	CHECK(!config_parse_listen("127.0.0.1:99999", &host, &port), "a port over 65535 is refused\n");
	CHECK(!config_parse_listen("127.0.0.1:80x", &host, &port), "a non-numeric port is refused\n");
}

static ApiObject
nodes_view(void)
{
	static char *cols[] = {"id", "external_id", "kind", "name", "crown_jewel"};
	ApiObject	v = {.kind = 'v', .ncols = 5, .cols = cols};

	strcpy(v.name, "nodes");
	return v;
}

static void
test_query(void)
{
	ApiObject	v = nodes_view();
	BuiltQuery	q;
	QueryArg	good[] = {{"kind", "eq.host"}, {"name", "like.web*"}, {"id", "in.(1,2,\"3\")"},
	{"crown_jewel", "is.true"}, {"external_id", "not.eq.x'; DROP TABLE t; --"},
	{"order", "name.desc.nullslast,id"}, {"limit", "10"}, {"offset", "5"}, {"select", "id,name"}};

	CHECK(query_build_view(&v, good, 9, 1000, &q), "a PostgREST-style query builds: %s\n", q.error);
	CHECK(q.sql && strstr(q.sql, "FROM infracast_api.\"nodes\"") && strstr(q.sql, "\"kind\" = $1") &&
		  strstr(q.sql, "\"name\"::text LIKE $2::text") && strstr(q.sql, "\"id\" = ANY($3)") &&
		  strstr(q.sql, "\"crown_jewel\" IS TRUE") && strstr(q.sql, "NOT (\"external_id\" = $4)") &&
		  strstr(q.sql, "ORDER BY \"name\" DESC NULLS LAST, \"id\"") && strstr(q.sql, "SELECT \"id\", \"name\""),
		  "the SQL has quoted names and placeholders: %s\n", q.sql ? q.sql : "(null)");
	CHECK(q.sql && strstr(q.sql, "DROP") == NULL, "no value reaches the SQL text\n");
	CHECK(q.nparams == 6 && strcmp(q.params[1], "web%") == 0 && strcmp(q.params[2], "{\"1\",\"2\",\"3\"}") == 0 &&
		  strcmp(q.params[3], "x'; DROP TABLE t; --") == 0 && strcmp(q.params[4], "10") == 0 &&
		  strcmp(q.params[5], "5") == 0, "values are parameters\n");
	query_free(&q);

	{
		QueryArg	bad[][1] = {{{"nope", "eq.1"}}, {{"id", "eq"}}, {{"id", "xx.1"}}, {{"id", "is.maybe"}},
		{{"id", "in.1,2"}}, {{"order", "id;drop table x"}}, {{"order", "id.sideways"}},
		{{"limit", "-1"}}, {{"limit", "1001"}}, {{"limit", "1e3"}}, {{"offset", "x"}},
		{{"select", "id,\"name\""}}, {{"id\"; DROP", "eq.1"}}, {{"id", "in.(\"unterminated)"}}};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			bool		ok = query_build_view(&v, bad[i], 1, 1000, &q);

			CHECK(!ok && q.error[0] && q.sql == NULL, "%s=%s is refused\n", bad[i][0].key, bad[i][0].value);
			if (ok)
				query_free(&q);
		}
	}

	CHECK(query_build_view(&v, NULL, 0, 50, &q) && q.nparams == 2 && strcmp(q.params[0], "50") == 0,
		  "without limit, the row cap applies\n");
	query_free(&q);

	{
		ApiObject	fn = {.kind = 'f', .retset = false};

		strcpy(fn.name, "whoami");
		query_build_rpc(&fn, &q);
		CHECK(strcmp(q.sql, "SELECT pg_catalog.to_json(infracast_api.\"whoami\"($1::jsonb))::text") == 0,
			  "scalar function call: %s\n", q.sql);
		free(q.sql);
		fn.retset = true;
		query_build_rpc(&fn, &q);
		CHECK(strstr(q.sql, "json_agg(_r)") && strstr(q.sql, "infracast_api.\"whoami\"($1::jsonb) _r"),
			  "set-returning function call: %s\n", q.sql);
		free(q.sql);
	}
	{
		char		buf[64] = "";

		quote_ident_append(buf, sizeof(buf), "a\"b");
		CHECK(strcmp(buf, "\"a\"\"b\"") == 0, "quote_ident doubles quotes: %s\n", buf);
	}
	CHECK(catalog_name_valid("attack_paths") && !catalog_name_valid("Nodes") &&
		  !catalog_name_valid("nodes;drop") && !catalog_name_valid("_private") &&
		  !catalog_name_valid("") && !catalog_name_valid("a/b"), "URL names are plain identifiers\n");
}

static void
test_errors(void)
{
	char	   *e;

	CHECK(http_status_for_sqlstate("42501", true) == 403, "42501 -> 403 when authenticated\n");
	CHECK(http_status_for_sqlstate("42501", false) == 401, "42501 -> 401 when anonymous\n");
	CHECK(http_status_for_sqlstate("28000", true) == 401, "28000 (revoked token) -> 401\n");
	CHECK(http_status_for_sqlstate("28P01", true) == 403, "28P01 (wrong current password) -> 403\n");
	CHECK(http_status_for_sqlstate("IC503", true) == 429, "IC503 (too many wrong passwords) -> 429\n");
	CHECK(http_status_for_sqlstate("IC303", false) == 403, "IC303 (licence lacks the feature, api included) -> 403\n");
	CHECK(http_status_for_sqlstate("23505", true) == 409, "23505 -> 409\n");
	CHECK(http_status_for_sqlstate("23503", true) == 409, "23503 -> 409\n");
	CHECK(http_status_for_sqlstate("P0002", true) == 404, "P0002 -> 404\n");
	CHECK(http_status_for_sqlstate("42883", true) == 404, "42883 -> 404\n");
	CHECK(http_status_for_sqlstate("42P01", true) == 404, "42P01 -> 404\n");
	CHECK(http_status_for_sqlstate("22P02", true) == 400, "22P02 -> 400\n");
	CHECK(http_status_for_sqlstate("22023", true) == 400, "22023 -> 400\n");
	CHECK(http_status_for_sqlstate("P0001", true) == 400, "P0001 -> 400\n");
	CHECK(http_status_for_sqlstate("28P01", true) == 403, "28P01 -> 403\n");
	CHECK(http_status_for_sqlstate("25006", true) == 405, "25006 -> 405\n");
	CHECK(http_status_for_sqlstate("08006", true) == 503, "08006 -> 503\n");
	CHECK(http_status_for_sqlstate("53300", true) == 503, "53300 -> 503\n");
	CHECK(http_status_for_sqlstate("XX000", true) == 500, "XX000 -> 500\n");
	CHECK(http_status_for_sqlstate("57014", true) == 504, "57014 -> 504\n");
	CHECK(http_status_for_sqlstate("IC003", true) == 400, "IC003 -> 400\n");
	CHECK(http_status_for_sqlstate(NULL, true) == 500, "no SQLSTATE -> 500\n");

	e = error_json("22023", "bad \"value\"", NULL, "Fix it.");
	CHECK(strcmp(e, "{\"code\":\"22023\",\"message\":\"bad \\\"value\\\"\",\"details\":null,\"hint\":\"Fix it.\"}") == 0,
		  "error body: %s\n", e);
	free(e);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	log_level = LOG_LEVEL_ERROR;
	test_jwt();
	test_config();
	test_query();
	test_errors();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
