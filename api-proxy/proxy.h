/*
 * proxy.h: infracast-proxy, the HTTP front of Infracast (REST -> SQL functions and views).
 *
 * The proxy adds no business logic. For each request it checks the JWT, then runs one
 * transaction on a pooled libpq connection logged in as infracast_authenticator:
 *   BEGIN; set_config('role', <role>, true), infracast.set_tenant(<tenant>, true),
 *   set_config('request.jwt.claims', <claims>, true); <one function or view>; COMMIT
 * sent as one libpq pipeline. Names are looked up in the catalog of schema infracast_api and
 * quoted; values from the request are always bound parameters.
 *
 * Files: main.c (start-up, signals), config.c (environment), log.c, jwt.c (HS256), pool.c
 * (libpq pool), catalog.c (what infracast_api exposes), query.c (PostgREST-style query
 * strings -> SQL), errors.c (SQLSTATE -> HTTP, error bodies), db.c (one request's
 * transaction), http.c (libmicrohttpd handler and routes), static.c (the single-page app).
 * No PostgreSQL server header is included anywhere here.
 */
#ifndef INFRACAST_PROXY_H
#define INFRACAST_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libpq-fe.h>

#define PROXY_NAME "infracast-proxy"
#define PROXY_MAX_NAME 63			/* PostgreSQL identifiers */
#define PROXY_MAX_PARAMS 40			/* bound parameters of one generated query */
#define PROXY_JWT_MAX_TTL 3600

/* ---- log.c ---------------------------------------------------------------------------------- */
typedef enum LogLevel
{
	LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG
} LogLevel;

extern LogLevel log_level;
bool		log_level_parse(const char *name, LogLevel *out);
void		log_msg(LogLevel level, const char *fmt,...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* ---- config.c ------------------------------------------------------------------------------- */
typedef struct ProxyConfig
{
	char	   *db_url;				/* VULCAN_DB_URL */
	char	   *jwt_secret;			/* VULCAN_JWT_SECRET, >= 32 bytes */
	size_t		jwt_secret_len;
	char	   *listen_host;		/* from VULCAN_LISTEN, default 127.0.0.1:8080 */
	int			listen_port;
	char	   *tls_cert;			/* VULCAN_TLS_CERT / VULCAN_TLS_KEY: files, both or neither */
	char	   *tls_key;
	bool		plaintext_off_loopback;	/* VULCAN_ALLOW_PLAINTEXT=1 let plain HTTP off loopback */
	char	   *ui_dir;				/* VULCAN_UI_DIR: single-page app, index.html fallback */
	char	   *admin_password;		/* VULCAN_ADMIN_PASSWORD (first boot only) */
	int			jwt_ttl;			/* VULCAN_JWT_TTL seconds, 60..3600 (default 3600) */
	int			threads;			/* VULCAN_THREADS: default of pool_size (a thread per connection) */
	int			pool_size;			/* VULCAN_DB_POOL: database connections (default threads) */
	int			pool_wait_ms;		/* VULCAN_DB_POOL_WAIT_MS: wait for a free connection */
	int			statement_timeout_ms;	/* VULCAN_STATEMENT_TIMEOUT_MS */
	int			client_timeout;		/* VULCAN_CLIENT_TIMEOUT seconds: idle/slow clients cut off */
	int			max_connections;	/* VULCAN_MAX_CONNECTIONS: concurrent HTTP connections */
	int			max_rows;			/* VULCAN_MAX_ROWS: cap of a view read */
	size_t		max_body;			/* bytes, 1 MiB */
} ProxyConfig;

/* Fills cfg from the environment; on a refusal returns false with the reason in why. */
bool		config_load(ProxyConfig *cfg, char *why, size_t whylen);
void		config_free(ProxyConfig *cfg);
/* Why this secret is unacceptable, or NULL when it is fine. */
const char *config_secret_problem(const char *secret, size_t len);
bool		config_parse_listen(const char *value, char **host, int *port);
bool		config_listen_is_loopback(const char *host);

/* ---- jwt.c ---------------------------------------------------------------------------------- */
typedef struct JwtClaims
{
	char		sub[32];			/* user id */
	int64_t		tenant;				/* tenant id */
	char		tenant_name[PROXY_MAX_NAME + 1];
	char		username[PROXY_MAX_NAME + 1];
	char		role[PROXY_MAX_NAME + 1];
	char		restricted[32];		/* "" or password_change / mfa_enrollment */
	int64_t		exp;
	int64_t		iat;
	char	   *json;				/* the verified payload, as sent (malloc'd) */
} JwtClaims;

typedef enum JwtStatus
{
	JWT_OK = 0, JWT_MALFORMED, JWT_BAD_ALG, JWT_BAD_SIGNATURE, JWT_EXPIRED, JWT_BAD_CLAIMS
} JwtStatus;

/* Signs claims (a JSON object text) with HS256; returns a malloc'd token. */
char	   *jwt_sign(const char *payload_json, const unsigned char *key, size_t keylen);
/* Verifies a token at time now; fills claims (free with jwt_claims_free). */
JwtStatus	jwt_verify(const char *token, const unsigned char *key, size_t keylen, time_t now,
					   JwtClaims *claims);
void		jwt_claims_free(JwtClaims *claims);
const char *jwt_status_text(JwtStatus st);
bool		jwt_role_allowed(const char *role);

/* ---- pool.c --------------------------------------------------------------------------------- */
typedef struct Pool Pool;
typedef struct PoolConn
{
	PGconn	   *conn;
	int			slot;
} PoolConn;

Pool	   *pool_create(const char *conninfo, int size, int wait_ms, int statement_timeout_ms);
/* A connection, connecting on demand; false when none came free in time or connecting failed. */
bool		pool_acquire(Pool *pool, PoolConn *out, char *why, size_t whylen);
/* Returns it; a connection that is broken or not idle is closed and reopened later. */
void		pool_release(Pool *pool, PoolConn *pc);
/* Closes every idle connection (after one was found dead: the server probably restarted). */
void		pool_discard_idle(Pool *pool);
void		pool_destroy(Pool *pool);
int			pool_open_count(Pool *pool);

/* ---- catalog.c ------------------------------------------------------------------------------ */
typedef struct ApiObject
{
	char		name[PROXY_MAX_NAME + 1];
	char		kind;				/* 'f' function(jsonb), 'v' view or table */
	bool		retset;				/* function returns a set */
	bool		composite;			/* function returns a row type */
	int			ncols;				/* view columns */
	char	  **cols;
} ApiObject;

void		catalog_init(Pool *pool);
/* Copies the object named name of the given kind into out; false when there is none. */
bool		catalog_lookup(const char *name, char kind, ApiObject *out);
void		catalog_object_free(ApiObject *obj);
bool		catalog_name_valid(const char *name);
/* For tests: install objects without a database. */
void		catalog_set_for_tests(ApiObject *objs, int n);

/* ---- query.c -------------------------------------------------------------------------------- */
typedef struct QueryArg
{
	const char *key;
	const char *value;
} QueryArg;

typedef struct BuiltQuery
{
	char	   *sql;				/* malloc'd */
	int			nparams;
	char	   *params[PROXY_MAX_PARAMS];	/* malloc'd, NULL for SQL NULL */
	char		error[256];			/* when building failed: why (HTTP 400) */
} BuiltQuery;

/* Builds the SELECT for GET /api/<view>?args; false (with q->error) on a bad argument. */
bool		query_build_view(const ApiObject *view, const QueryArg *args, int nargs, int max_rows,
							 BuiltQuery *q);
/* The call of POST /api/rpc/<fn> with the body as $1. */
bool		query_build_rpc(const ApiObject *fn, BuiltQuery *q);
void		query_free(BuiltQuery *q);
/* Appends "name" (double quotes doubled) to buf. */
void		quote_ident_append(char *buf, size_t size, const char *name);

/* ---- errors.c ------------------------------------------------------------------------------- */
int			http_status_for_sqlstate(const char *sqlstate, bool authenticated);
/* {"code","message","details","hint"} as malloc'd text. */
char	   *error_json(const char *code, const char *message, const char *details, const char *hint);

/* ---- db.c ----------------------------------------------------------------------------------- */
typedef struct DbResult
{
	int			http_status;
	char	   *body;				/* malloc'd JSON text */
	char		sqlstate[6];		/* of a database error, else "" */
} DbResult;

/* One request's transaction as the caller; result body is the JSON of the call. */
void		db_run_as_user(Pool *pool, const JwtClaims *claims, const char *function, const BuiltQuery *q,
						   DbResult *res);
/* One statement as the authenticator itself (login, readiness, OpenAPI). */
void		db_run_as_authenticator(Pool *pool, const char *sql, int nparams, const char *const *params,
									DbResult *res);
void		db_result_from_error(const PGresult *r, bool authenticated, DbResult *res);

/* ---- http.c / static.c ---------------------------------------------------------------------- */
struct MHD_Daemon;
struct MHD_Daemon *http_start(ProxyConfig *cfg, Pool *pool, int *bound_port);
void		http_stop(struct MHD_Daemon *d);
struct MHD_Response;
/* A response for a file of the single-page app (index.html fallback), or NULL for 404. */
struct MHD_Response *static_response(const char *ui_dir, const char *url, int *status);

#endif							/* INFRACAST_PROXY_H */
