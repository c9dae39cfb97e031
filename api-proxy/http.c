/*
 * http.c: the libmicrohttpd handler, its routes and the login.
 *
 *   GET  /healthz                  the process is up
 *   GET  /readyz                   the database answers (and the licence state, "api" feature included)
 *   GET  /api/openapi.json         generated from what infracast_api exposes
 *   POST /api/auth/login           {"tenant","username","password","totp"} -> {"token", ...}
 *   GET  /api/auth/me              the logged-in user
 *   POST /api/rpc/<fn>             infracast_api.<fn>(body::jsonb)
 *   GET  /api/<view>               infracast_api.<view> with filters, order, limit, offset
 *   GET  anything else             the single-page app (VULCAN_UI_DIR), index.html fallback
 *
 * Every route under /api/ needs the licence feature "api" (infracast.api_check_license, IC303 and
 * 403 without it): in db.c's per-request statement, and before the login and the OpenAPI
 * description. /healthz, /readyz and the UI's files do not, so that the UI can say what is wrong.
 *
 * Request bodies are collected up to 1 MiB (413 beyond, refused before reading when the
 * Content-Length says so); a client that sends too slowly is cut off by libmicrohttpd's
 * connection timeout. Every response carries the security headers below.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>
#include <microhttpd.h>
#include <sodium.h>

#include "proxy.h"

typedef struct Request
{
	char	   *body;
	size_t		len;
	size_t		cap;
	bool		too_large;
	bool		started;
	struct timeval t0;
	int			status;			/* for the access log */
} Request;

static ProxyConfig *http_cfg;
static Pool *http_pool;
static char *tls_cert_pem;		/* libmicrohttpd keeps pointers to these while it runs */
static char *tls_key_pem;

/* ------------------------------------------------------------------------------------------ */
/* Responses                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void
add_security_headers(struct MHD_Response *resp, bool api)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (api)
	{
		MHD_add_response_header(resp, "Cache-Control", "no-store");
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	}
	else
		/* The UI has no inline script or style (test/integration/ui_e2e.sh runs it under this policy). */
		MHD_add_response_header(resp, "Content-Security-Policy",
								"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
								"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
								"form-action 'self'");
	if (http_cfg->tls_cert)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

/* Sends a JSON body (takes ownership of it), with one extra header when hname is not NULL. */
static enum MHD_Result
send_json_h(struct MHD_Connection *c, Request *req, int status, char *body, const char *hname,
			const char *hvalue)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	add_security_headers(resp, true);
	if (hname)
		MHD_add_response_header(resp, hname, hvalue);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	if (req)
		req->status = status;
	return ret;
}

static enum MHD_Result
send_json(struct MHD_Connection *c, Request *req, int status, char *body)
{
	return send_json_h(c, req, status, body, NULL, NULL);
}

static enum MHD_Result
send_error(struct MHD_Connection *c, Request *req, int status, const char *code, const char *message,
		   const char *details, const char *hint)
{
	char	   *body = error_json(code, message, details, hint);

	if (status == 401)
		return send_json_h(c, req, status, body, "WWW-Authenticate", "Bearer");
	return send_json(c, req, status, body);
}

static enum MHD_Result
send_db_result(struct MHD_Connection *c, Request *req, DbResult *res)
{
	/* 401 from the database: the token was revoked (RFC 6750: say so in WWW-Authenticate) */
	if (res->http_status == 401)
		return send_json_h(c, req, 401, res->body, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	/* busy pool or database down: tell clients when to come back rather than to give up */
	if (res->http_status == 503)
		return send_json_h(c, req, 503, res->body, "Retry-After", "1");
	return send_json(c, req, res->http_status, res->body);
}

/* ------------------------------------------------------------------------------------------ */
/* Authentication                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* Checks the bearer token; on failure the 401 has been queued and false is returned. */
static bool
authenticate(struct MHD_Connection *c, Request *req, JwtClaims *claims, enum MHD_Result *ret)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	JwtStatus	st;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0')
	{
		*ret = send_error(c, req, 401, "IC514", "authentication required", NULL,
						  "Log in with POST /api/auth/login and send the token as \"Authorization: Bearer <token>\".");
		return false;
	}
	st = jwt_verify(auth + 7, (const unsigned char *) http_cfg->jwt_secret, http_cfg->jwt_secret_len,
					time(NULL), claims);
	if (st != JWT_OK)
	{
		char	   *body = error_json("IC514", jwt_status_text(st), NULL, "Log in again with POST /api/auth/login.");

		*ret = send_json_h(c, req, 401, body, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Bodies                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Parses the body as one JSON object (strict JSON, bounded depth); NULL with *why otherwise. */
static json_object *
parse_body_object(Request *req, const char **why)
{
	json_tokener *tok;
	json_object *obj;

	if (req->len == 0)
		return json_object_new_object();
	/* The body goes on to PostgreSQL as text: a NUL byte would cut it short there. */
	if (memchr(req->body, '\0', req->len) != NULL)
	{
		*why = "the body contains a NUL byte";
		return NULL;
	}
	tok = json_tokener_new_ex(64);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, req->body, (int) req->len);
	if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
		tok->char_offset != (int) req->len)
	{
		/* Trailing whitespace is fine; anything else after the value is not. */
		bool		only_space = obj != NULL;

		for (size_t i = obj ? (size_t) tok->char_offset : req->len; i < req->len && only_space; i++)
			only_space = req->body[i] == ' ' || req->body[i] == '\n' || req->body[i] == '\r' || req->body[i] == '\t';
		if (!only_space || json_tokener_get_error(tok) != json_tokener_success)
		{
			*why = obj ? "there is more after the JSON value" :
				json_tokener_error_desc(json_tokener_get_error(tok));
			if (obj)
				json_object_put(obj);
			json_tokener_free(tok);
			return NULL;
		}
	}
	json_tokener_free(tok);
	if (!json_object_is_type(obj, json_type_object))
	{
		*why = "the body must be a JSON object";
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static const char *
body_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ------------------------------------------------------------------------------------------ */
/* Routes                                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void
client_address(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(buf, size, "unknown");
	if (info == NULL || info->client_addr == NULL)
		return;
	if (info->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, buf, size);
	else if (info->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, buf, size);
}

/* The claims of a new token, from the login function's answer. */
static char *
token_payload(json_object *user, time_t now, int ttl)
{
	json_object *claims = json_object_new_object();
	json_object *v;
	unsigned char rnd[12];
	char		jti[25];
	char		sub[32];
	char	   *out;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
	json_object_object_get_ex(user, "user_id", &v);
	snprintf(sub, sizeof(sub), "%lld", (long long) json_object_get_int64(v));
	json_object_object_add(claims, "sub", json_object_new_string(sub));
	json_object_object_get_ex(user, "tenant_id", &v);
	json_object_object_add(claims, "tenant", json_object_new_int64(json_object_get_int64(v)));
	json_object_object_add(claims, "tenant_name", json_object_new_string(body_string(user, "tenant")));
	json_object_object_add(claims, "username", json_object_new_string(body_string(user, "username")));
	json_object_object_add(claims, "role", json_object_new_string(body_string(user, "role")));
	/* the user's token generation: raising it in the database revokes this token */
	json_object_object_get_ex(user, "token_generation", &v);
	json_object_object_add(claims, "gen", json_object_new_int64(json_object_get_int64(v)));
	if (body_string(user, "restricted"))
		json_object_object_add(claims, "restricted", json_object_new_string(body_string(user, "restricted")));
	json_object_object_add(claims, "iat", json_object_new_int64(now));
	json_object_object_add(claims, "exp", json_object_new_int64(now + ttl));
	json_object_object_add(claims, "jti", json_object_new_string(jti));
	out = strdup(json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN));
	json_object_put(claims);
	return out;
}

static enum MHD_Result
route_login(struct MHD_Connection *c, Request *req)
{
	/* CASE: the licence is checked first, so that without the feature "api" nobody is let in */
	static const char login_sql[] =
		"SELECT CASE WHEN infracast.api_check_license() THEN infracast.api_login($1, $2, $3, $4, $5)::text END";
	const char *why = NULL;
	json_object *body = parse_body_object(req, &why);
	json_object *answer;
	const char *params[5];
	char		client[INET6_ADDRSTRLEN];
	DbResult	res;
	const char *status;
	enum MHD_Result ret;

	if (body == NULL)
		return send_error(c, req, 400, "IC510", "malformed JSON body", why,
						  "Send {\"tenant\", \"username\", \"password\"} (and \"totp\" when MFA is on).");
	params[0] = body_string(body, "tenant");
	params[1] = body_string(body, "username");
	params[2] = body_string(body, "password");
	params[3] = body_string(body, "totp");
	client_address(c, client, sizeof(client));
	params[4] = client;
	if (!params[0] || !params[1] || !params[2])
	{
		json_object_put(body);
		return send_error(c, req, 400, "IC510", "tenant, username and password are required strings", NULL,
						  "Send {\"tenant\", \"username\", \"password\"} (and \"totp\" when MFA is on).");
	}
	db_run_as_authenticator(http_pool, login_sql, 5, params, &res);
	json_object_put(body);
	if (res.http_status != 200)
		return send_db_result(c, req, &res);

	answer = json_tokener_parse(res.body);
	free(res.body);
	status = answer ? body_string(answer, "status") : NULL;
	if (status == NULL)
		ret = send_error(c, req, 500, "IC516", "the login function gave no status", NULL, NULL);
	else if (strcmp(status, "ok") == 0)
	{
		time_t		now = time(NULL);
		time_t		exp = now + http_cfg->jwt_ttl;
		char	   *payload = token_payload(answer, now, http_cfg->jwt_ttl);
		char	   *token = jwt_sign(payload, (const unsigned char *) http_cfg->jwt_secret, http_cfg->jwt_secret_len);
		json_object *out = json_object_new_object();
		char		expires[32];
		struct tm	tm;

		gmtime_r(&exp, &tm);
		strftime(expires, sizeof(expires), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_object_add(out, "token", json_object_new_string(token));
		json_object_object_add(out, "token_type", json_object_new_string("Bearer"));
		json_object_object_add(out, "expires_at", json_object_new_string(expires));
		json_object_object_add(out, "expires_in", json_object_new_int(http_cfg->jwt_ttl));
		if (body_string(answer, "restricted"))
			json_object_object_add(out, "restricted", json_object_new_string(body_string(answer, "restricted")));
		log_info("login ok: %s/%s from %s", body_string(answer, "tenant"), body_string(answer, "username"), client);
		ret = send_json(c, req, 200, strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN)));
		json_object_put(out);
		sodium_memzero(token, strlen(token));
		free(token);
		free(payload);
	}
	else if (strcmp(status, "rate_limited") == 0)
	{
		json_object *v;
		char		retry[16];

		json_object_object_get_ex(answer, "retry_after", &v);
		snprintf(retry, sizeof(retry), "%d", json_object_get_int(v));
		log_warn("login rate-limited from %s", client);
		ret = send_json_h(c, req, 429,
						error_json("IC503", "too many failed logins", NULL,
								   "Wait until the Retry-After time has passed, then try again."), "Retry-After", retry);
	}
	else if (strcmp(status, "mfa_required") == 0)
		ret = send_error(c, req, 401, "IC505", "a TOTP code is required", NULL,
						 "Send the 6-digit code of your authenticator app as \"totp\".");
	else if (strcmp(status, "totp_replayed") == 0)
		ret = send_error(c, req, 401, "IC502", "this TOTP code has already been used", NULL,
						 "Wait for the next code of your authenticator app.");
	else
	{
		log_info("login failed from %s", client);
		ret = send_error(c, req, 401, "IC501", "invalid tenant, user name, password or TOTP code", NULL, NULL);
	}
	if (answer)
		json_object_put(answer);
	return ret;
}

/*
 * A self-service function refused the user's password (28P01). Its transaction was rolled back
 * with the error, so the failure is counted here, in one of its own, with the failed logins.
 */
static void
record_password_failure(const JwtClaims *claims, struct MHD_Connection *c)
{
	static const char sql[] = "SELECT infracast.api_password_check_failed($1::jsonb, $2)";
	char		client[INET6_ADDRSTRLEN];
	const char *params[2];
	DbResult	res;

	client_address(c, client, sizeof(client));
	params[0] = claims->json;
	params[1] = client;
	db_run_as_authenticator(http_pool, sql, 2, params, &res);
	if (res.http_status != 200)
		log_warn("could not record a wrong password of user %s from %s", claims->sub, client);
	else
		log_info("wrong password from user %s (tenant %lld) at %s", claims->sub, (long long) claims->tenant, client);
	free(res.body);
}

static enum MHD_Result
route_rpc(struct MHD_Connection *c, Request *req, const char *fn, const JwtClaims *claims)
{
	ApiObject	obj;
	BuiltQuery	q;
	DbResult	res;
	const char *why = NULL;
	json_object *body;

	if (!catalog_lookup(fn, 'f', &obj))
		return send_error(c, req, 404, "42883", "no API function of that name", NULL,
						  "See GET /api/openapi.json for the functions you may call.");
	body = parse_body_object(req, &why);
	if (body == NULL)
	{
		catalog_object_free(&obj);
		return send_error(c, req, 400, "IC510", "malformed JSON body", why,
						  "Send one JSON object whose keys are the function's arguments.");
	}
	json_object_put(body);
	query_build_rpc(&obj, &q);
	q.params[0] = req->len ? strndup(req->body, req->len) : strdup("{}");
	/* A restricted token may call only a few functions: the database decides (db.c). */
	db_run_as_user(http_pool, claims, obj.name, &q, &res);
	query_free(&q);
	catalog_object_free(&obj);
	if (strcmp(res.sqlstate, "28P01") == 0)
		record_password_failure(claims, c);
	return send_db_result(c, req, &res);
}

typedef struct ArgCollector
{
	QueryArg	args[PROXY_MAX_PARAMS + 4];
	int			n;
	bool		overflow;
} ArgCollector;

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	ArgCollector *ac = cls;

	if (ac->n >= (int) (sizeof(ac->args) / sizeof(ac->args[0])))
	{
		ac->overflow = true;
		return MHD_NO;
	}
	ac->args[ac->n].key = key;
	ac->args[ac->n].value = value;
	ac->n++;
	return MHD_YES;
}

static enum MHD_Result
route_view(struct MHD_Connection *c, Request *req, const char *name, const JwtClaims *claims)
{
	ApiObject	obj;
	BuiltQuery	q;
	DbResult	res;
	ArgCollector ac = {.n = 0};

	if (!catalog_lookup(name, 'v', &obj))
		return send_error(c, req, 404, "42P01", "no API view of that name", NULL,
						  "See GET /api/openapi.json for the views you may read.");
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &ac);
	if (ac.overflow)
	{
		catalog_object_free(&obj);
		return send_error(c, req, 400, "IC513", "too many query parameters", NULL, NULL);
	}
	if (!query_build_view(&obj, ac.args, ac.n, http_cfg->max_rows, &q))
	{
		enum MHD_Result ret = send_error(c, req, 400, "IC513", "invalid query parameter", q.error,
										 "Filters are <column>=<op>.<value>; see docs/api.md.");

		catalog_object_free(&obj);
		return ret;
	}
	db_run_as_user(http_pool, claims, NULL, &q, &res);
	query_free(&q);
	catalog_object_free(&obj);
	return send_db_result(c, req, &res);
}

static enum MHD_Result
route_authenticated(struct MHD_Connection *c, Request *req, const char *url, const char *method)
{
	JwtClaims	claims;
	enum MHD_Result ret;
	bool		get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (!authenticate(c, req, &claims, &ret))
		return ret;
	if (strcmp(url, "/api/auth/me") == 0)
	{
		if (!get)
			ret = send_json_h(c, req, 405, error_json("IC517", "use GET", NULL, NULL), "Allow", "GET");
		else
		{
			req->len = 0;
			ret = route_rpc(c, req, "me", &claims);
		}
	}
	else if (strncmp(url, "/api/rpc/", 9) == 0)
	{
		ApiObject	fn;

		if (strcmp(method, "POST") == 0)
			ret = route_rpc(c, req, url + 9, &claims);
		else if (!catalog_lookup(url + 9, 'f', &fn))
			ret = send_error(c, req, 404, "42883", "no API function of that name", NULL,
							 "See GET /api/openapi.json for the functions you may call.");
		else
		{
			catalog_object_free(&fn);
			ret = send_json_h(c, req, 405, error_json("IC517", "call functions with POST", NULL, NULL),
							  "Allow", "POST");
		}
	}
	else if (!get)
		ret = send_json_h(c, req, 405, error_json("IC517", "views are read with GET", NULL,
												  "Write through the functions under /api/rpc/."),
						  "Allow", "GET, HEAD");
	else
		ret = route_view(c, req, url + 5, &claims);
	jwt_claims_free(&claims);
	return ret;
}

static enum MHD_Result
route_public_db(struct MHD_Connection *c, Request *req, const char *sql, bool ready)
{
	DbResult	res;

	db_run_as_authenticator(http_pool, sql, 0, NULL, &res);
	if (ready && res.http_status == 200)
	{
		size_t		n = strlen(res.body) + 32;
		char	   *body = malloc(n);

		snprintf(body, n, "{\"status\":\"ready\",\"checks\":%s}", res.body);
		free(res.body);
		res.body = body;
	}
	else if (ready)
		res.http_status = 503;
	return send_db_result(c, req, &res);
}

static enum MHD_Result
route(struct MHD_Connection *c, Request *req, const char *url, const char *method)
{
	bool		get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (strcmp(url, "/healthz") == 0)
		return send_json(c, req, 200, strdup("{\"status\":\"ok\"}"));
	if (strcmp(url, "/readyz") == 0)
		return route_public_db(c, req, "SELECT infracast.api_health(infracast.api_ready())::text", true);
	if (strcmp(url, "/api/openapi.json") == 0 && get)
		return route_public_db(c, req, "SELECT CASE WHEN infracast.api_check_license() "
							   "THEN infracast.api_openapi()::text END", false);
	if (strcmp(url, "/api/auth/login") == 0)
	{
		if (strcmp(method, "POST") != 0)
			return send_json_h(c, req, 405, error_json("IC517", "log in with POST", NULL, NULL), "Allow", "POST");
		return route_login(c, req);
	}
	if (strncmp(url, "/api/", 5) == 0)
		return route_authenticated(c, req, url, method);
	if (http_cfg->ui_dir && get)
	{
		int			status = 404;
		struct MHD_Response *resp = static_response(http_cfg->ui_dir, url, &status);

		if (resp)
		{
			enum MHD_Result ret;

			add_security_headers(resp, false);
			ret = MHD_queue_response(c, status, resp);
			MHD_destroy_response(resp);
			req->status = status;
			return ret;
		}
	}
	return send_error(c, req, 404, "IC512", "not found", NULL, "The API is under /api/; see /api/openapi.json.");
}

/* ------------------------------------------------------------------------------------------ */
/* libmicrohttpd glue                                                                           */
/* ------------------------------------------------------------------------------------------ */

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
	   const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	Request    *req = *con_cls;

	if (req == NULL)
	{
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		req = calloc(1, sizeof(Request));
		gettimeofday(&req->t0, NULL);
		*con_cls = req;
		/* Refuse a declared oversize body before reading any of it. */
		if (cl && strtoull(cl, NULL, 10) > http_cfg->max_body)
		{
			req->too_large = true;
			req->started = true;
			return send_error(c, req, 413, "IC511", "the request body is larger than 1 MiB", NULL,
							  "Split the import into several calls.");
		}
		return MHD_YES;
	}
	if (req->started)
	{
		*upload_data_size = 0;	/* an early response was queued: discard the rest */
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		if (!req->too_large && req->len + *upload_data_size <= http_cfg->max_body)
		{
			if (req->len + *upload_data_size + 1 > req->cap)
			{
				req->cap = (req->len + *upload_data_size + 1) * 2;
				if (req->cap > http_cfg->max_body + 1)
					req->cap = http_cfg->max_body + 1;
				req->body = realloc(req->body, req->cap);
			}
			memcpy(req->body + req->len, upload_data, *upload_data_size);
			req->len += *upload_data_size;
			req->body[req->len] = '\0';
		}
		else
			req->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	req->started = true;
	if (req->too_large)
		return send_error(c, req, 413, "IC511", "the request body is larger than 1 MiB", NULL,
						  "Split the import into several calls.");
	return route(c, req, url, method);
}

static void
request_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	Request    *req = *con_cls;
	const union MHD_ConnectionInfo *info;
	struct timeval t1;

	if (req == NULL)
		return;
	gettimeofday(&t1, NULL);
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	(void) info;
	log_debug("request done: status %d, %.1f ms%s", req->status,
			  (t1.tv_sec - req->t0.tv_sec) * 1000.0 + (t1.tv_usec - req->t0.tv_usec) / 1000.0,
			  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (terminated early)");
	free(req->body);
	free(req);
	*con_cls = NULL;
}

/*
 * Small request/response exchanges must not wait for Nagle's algorithm and the client's delayed
 * ACK (40 ms and more per response on Linux): send every segment at once.
 */
static void
connection_started(void *cls, struct MHD_Connection *c, void **socket_context,
				   enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *info;
	int			one = 1;

	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (info)
		(void) setsockopt(info->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char		line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

struct MHD_Daemon *
http_start(ProxyConfig *cfg, Pool *pool, int *bound_port)
{
	struct sockaddr_storage addr;
	/*
	 * A thread per connection, polling only its own socket. Handlers block (a pool session, up to
	 * VULCAN_DB_POOL_WAIT_MS, then the query), and in libmicrohttpd's thread pool every other
	 * connection a worker holds (up to 1024 / 8 = 128) waits for them: once the worker is back,
	 * the requests that arrived meanwhile are checked for inactivity before they are read, so a
	 * handler held past VULCAN_CLIENT_TIMEOUT closed them unanswered. Its epoll loop (MHD_USE_AUTO
	 * picks epoll; 0.9.75, unchanged upstream in 2025) could also sleep through a whole batch: it
	 * takes at most 128 events per epoll_wait and, after exactly 128, waits again with the timeout
	 * computed before the first call, so a worker that found a request on all 128 of its
	 * connections (a loaded machine) slept until they timed out. With a thread per connection a
	 * request waits only for its own handler, which answers or fails with 503 (pool) or 504
	 * (statement timeout). The pool, not the thread count, bounds the database's load; the
	 * threads are bounded by VULCAN_MAX_CONNECTIONS and small stacks. test/integration/
	 * proxy_soak.sh reproduces both stalls.
	 */
	unsigned int flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	http_cfg = cfg;
	http_pool = pool;
	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, cfg->listen_host, &((struct sockaddr_in *) &addr)->sin_addr) == 1)
	{
		((struct sockaddr_in *) &addr)->sin_family = AF_INET;
		((struct sockaddr_in *) &addr)->sin_port = htons(cfg->listen_port);
	}
	else if (inet_pton(AF_INET6, cfg->listen_host, &((struct sockaddr_in6 *) &addr)->sin6_addr) == 1)
	{
		((struct sockaddr_in6 *) &addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *) &addr)->sin6_port = htons(cfg->listen_port);
		flags |= MHD_USE_IPv6;
	}
	else
	{
		log_error("VULCAN_LISTEN host \"%s\" is not an IP address", cfg->listen_host);
		return NULL;
	}

	if (cfg->tls_cert)
	{
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		{
			log_error("this libmicrohttpd has no TLS support");
			return NULL;
		}
		tls_cert_pem = read_file(cfg->tls_cert);
		tls_key_pem = read_file(cfg->tls_key);
		if (tls_cert_pem == NULL || tls_key_pem == NULL)
		{
			log_error("cannot read %s", tls_cert_pem == NULL ? cfg->tls_cert : cfg->tls_key);
			http_stop(NULL);
			return NULL;
		}
		flags |= MHD_USE_TLS;
	}

	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL,
						 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
						 MHD_OPTION_THREAD_STACK_SIZE, (size_t) (1024 * 1024),
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) cfg->client_timeout,
						 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) cfg->max_connections,
						 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (64 * 1024),
						 MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
						 MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
						 MHD_OPTION_NOTIFY_CONNECTION, connection_started, NULL,
						 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
						 tls_cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, tls_cert_pem,
						 MHD_OPTION_HTTPS_MEM_KEY, tls_key_pem,
						 /*
						  * TLS 1.2 and 1.3 only, said here rather than left to the system: GnuTLS's
						  * NORMAL (Debian 12's default) still negotiates TLS 1.0 and 1.1
						  * (test/integration/proxy_tls.sh shows both ways).
						  */
						 MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
						 MHD_OPTION_END);
	if (d == NULL)
	{
		http_stop(NULL);
		log_error("cannot listen on %s:%d (in use, or not allowed)", cfg->listen_host, cfg->listen_port);
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? info->port : cfg->listen_port;
	return d;
}

/* Stops the daemon (when there is one) and wipes the TLS key from memory. */
void
http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
	if (tls_key_pem)
		sodium_memzero(tls_key_pem, strlen(tls_key_pem));
	free(tls_key_pem);
	free(tls_cert_pem);
	tls_key_pem = tls_cert_pem = NULL;
}
