/*
 * main.c: infracast-proxy start-up and shutdown.
 *
 * Start-up refuses, saying why, when the configuration is unsafe (config.c) or when the
 * database login is a superuser, bypasses row-level security or is a member of the cluster-wide
 * infracast_operator: each would turn every tenant's data into every caller's data. Then it
 * seeds the first admin (first boot only), reads the API catalog and serves until SIGTERM or
 * SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <sodium.h>

#include "proxy.h"

#define EXIT_REFUSED 2

static const char role_check_sql[] =
	"SELECT r.rolsuper, r.rolbypassrls, session_user::text, r.rolinherit, "
	"       pg_catalog.pg_has_role(session_user, 'infracast_reader', 'MEMBER') "
	"   AND pg_catalog.pg_has_role(session_user, 'infracast_analyst', 'MEMBER') "
	"   AND pg_catalog.pg_has_role(session_user, 'infracast_admin', 'MEMBER'), "
	"       pg_catalog.to_regnamespace('infracast_api') IS NOT NULL, "
	/* CASE, not AND: pg_has_role raises for a role that does not exist (an older extension) */
	"       CASE WHEN pg_catalog.to_regrole('infracast_operator') IS NULL THEN false "
	"            ELSE pg_catalog.pg_has_role(session_user, 'infracast_operator', 'MEMBER') END "
	"  FROM pg_catalog.pg_roles r WHERE r.rolname = session_user";

/* Checks what the database login may do; false (after logging why) when we must not serve. */
static bool
check_database_role(Pool *pool)
{
	PoolConn	pc;
	PGresult   *r;
	char		why[512];
	bool		ok = false;

	if (!pool_acquire(pool, &pc, why, sizeof(why)))
	{
		log_error("refusing to start: cannot connect with VULCAN_DB_URL: %s", why);
		return false;
	}
	r = PQexec(pc.conn, role_check_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		log_error("refusing to start: cannot read the login role: %s", PQresultErrorMessage(r));
	else if (PQgetvalue(r, 0, 0)[0] == 't')
		log_error("refusing to start: the database login \"%s\" is a superuser, which bypasses row-level "
				  "security; log in as infracast_authenticator", PQgetvalue(r, 0, 2));
	else if (PQgetvalue(r, 0, 1)[0] == 't')
		log_error("refusing to start: the database login \"%s\" has BYPASSRLS, which defeats tenant "
				  "isolation; log in as infracast_authenticator", PQgetvalue(r, 0, 2));
	else if (PQgetvalue(r, 0, 5)[0] != 't')
		log_error("refusing to start: the schema infracast_api does not exist in this database; "
				  "run CREATE EXTENSION infracast");
	else if (PQgetvalue(r, 0, 6)[0] == 't')
		/* no token names the operator, but a login that may become it could reach every tenant */
		log_error("refusing to start: the database login \"%s\" is a member of infracast_operator, the "
				  "cluster-wide role; log in as infracast_authenticator, which is a member of the tenant "
				  "roles only", PQgetvalue(r, 0, 2));
	else if (PQgetvalue(r, 0, 4)[0] != 't')
		log_error("refusing to start: the database login \"%s\" is not a member of infracast_reader, "
				  "infracast_analyst and infracast_admin; log in as infracast_authenticator",
				  PQgetvalue(r, 0, 2));
	else
	{
		ok = true;
		if (PQgetvalue(r, 0, 3)[0] == 't')
			log_warn("the database login \"%s\" is INHERIT: it then holds the privileges of every role "
					 "it may switch to; infracast_authenticator is NOINHERIT", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	pool_release(pool, &pc);
	return ok;
}

/* First boot: tenant "default" and user "admin"; a generated password is logged once. */
static bool
seed_first_admin(Pool *pool, ProxyConfig *cfg)
{
	char		generated[33];
	const char *password = cfg->admin_password;
	const char *params[1];
	DbResult	res;
	bool		ok;

	if (password == NULL)
	{
		unsigned char rnd[18];

		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2base64(generated, sizeof(generated), rnd, sizeof(rnd),
						  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		password = generated;
	}
	params[0] = password;
	db_run_as_authenticator(pool, "SELECT infracast.api_bootstrap($1)", 1, params, &res);
	ok = res.http_status == 200;
	if (!ok)
		log_error("refusing to start: first-boot seeding failed: %s", res.body);
	else if (strcmp(res.body, "created") == 0)
	{
		if (cfg->admin_password)
			log_warn("first boot: created tenant \"default\" and user \"admin\" with VULCAN_ADMIN_PASSWORD; "
					 "it must be changed at first login");
		else
			log_warn("first boot: created tenant \"default\" and user \"admin\" with the password %s "
					 "(shown only this once; it must be changed at first login)", generated);
	}
	free(res.body);
	sodium_memzero(generated, sizeof(generated));
	if (cfg->admin_password)
		sodium_memzero(cfg->admin_password, strlen(cfg->admin_password));
	return ok;
}

/*
 * Says at start when the licence lacks the feature "api". Not a refusal: the licence may be swapped
 * without a restart, and /readyz and the UI must stay up to show the problem.
 */
static void
warn_if_api_unlicensed(Pool *pool)
{
	DbResult	res;

	db_run_as_authenticator(pool, "SELECT (infracast.api_health('{}') -> 'licence' ->> 'api')", 0, NULL, &res);
	if (res.http_status == 200 && strcmp(res.body, "false") == 0)
		log_warn("the licence does not include the feature \"api\": every route under /api/ answers 403 "
				 "(IC303) until a licence with it is installed; /readyz says so too");
	free(res.body);
}

int
main(int argc, char **argv)
{
	ProxyConfig cfg;
	char		why[512];
	Pool	   *pool;
	struct MHD_Daemon *daemon;
	sigset_t	stop_signals;
	int			sig = 0;
	int			port = 0;

	if (argc > 1)
	{
		printf("%s: the Infracast HTTP API. Configure it with the environment:\n"
			   "  VULCAN_DB_URL, VULCAN_JWT_SECRET (required), VULCAN_LISTEN (127.0.0.1:8080),\n"
			   "  VULCAN_TLS_CERT/VULCAN_TLS_KEY, VULCAN_UI_DIR, VULCAN_LOG_LEVEL, VULCAN_ADMIN_PASSWORD.\n"
			   "See docs/api.md and docs/hardening.md.\n", PROXY_NAME);
		return strcmp(argv[1], "--help") == 0 ? 0 : EXIT_REFUSED;
	}
	if (sodium_init() < 0)
	{
		log_error("refusing to start: libsodium could not be initialised");
		return EXIT_REFUSED;
	}
	if (!config_load(&cfg, why, sizeof(why)))
	{
		log_error("refusing to start: %s", why);
		config_free(&cfg);
		return EXIT_REFUSED;
	}
	signal(SIGPIPE, SIG_IGN);

	pool = pool_create(cfg.db_url, cfg.pool_size, cfg.pool_wait_ms, cfg.statement_timeout_ms);
	if (!check_database_role(pool) || !seed_first_admin(pool, &cfg))
	{
		pool_destroy(pool);
		config_free(&cfg);
		return EXIT_REFUSED;
	}
	catalog_init(pool);
	warn_if_api_unlicensed(pool);

	/* Worker threads inherit this mask: only the main thread takes the stop signals. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	daemon = http_start(&cfg, pool, &port);
	if (daemon == NULL)
	{
		pool_destroy(pool);
		config_free(&cfg);
		return EXIT_REFUSED;
	}
	log_info("listening on %s://%s:%d (a thread per connection, %d connections and %d database connections at most)",
			 cfg.tls_cert ? "https" : "http", cfg.listen_host, port, cfg.max_connections, cfg.pool_size);
	if (cfg.plaintext_off_loopback)
		log_warn("serving plain HTTP on %s, which is not a loopback address, because VULCAN_ALLOW_PLAINTEXT=1: "
				 "tokens and passwords cross the network in clear text unless a TLS-terminating proxy is in front",
				 cfg.listen_host);

	sigwait(&stop_signals, &sig);
	log_info("received %s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(daemon);
	pool_destroy(pool);
	config_free(&cfg);
	log_info("stopped");
	return 0;
}
