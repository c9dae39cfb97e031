/*
 * db.c: one request's transaction on a pooled connection.
 *
 * As the caller (every API route but login, readiness and OpenAPI), four statements go out in
 * one libpq pipeline, so the whole transaction costs one network round trip:
 *   BEGIN
 *   SELECT infracast.api_check_license(),
 *          set_config('role', $1, true), infracast.set_tenant($2, true),
 *          set_config('request.jwt.claims', $3, true),
 *          infracast.api_check_token($3::jsonb), infracast.api_check_restriction($3::jsonb, $4)
 *          (the licence first: without its feature "api" every call is refused, IC303 / 403,
 *          whoever asks; then the token: a revoked token is told 401, log in again, even when it
 *          is restricted)
 *   <the generated call or view read>
 *   COMMIT
 * What a restricted token (password to change, MFA to enrol) may call is decided by
 * api_check_restriction from the function's name ($4; NULL for a view), so that policy lives in
 * the extension only.
 * Everything is transaction-local: the next request on the connection starts with the
 * authenticator's own (empty) privileges, no tenant and no claims. When a statement fails the
 * rest of the pipeline is skipped by the server and the transaction is rolled back here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static const char setup_sql[] =
	"SELECT infracast.api_check_license(), "
	"pg_catalog.set_config('role', $1, true), infracast.set_tenant($2, true), "
	"pg_catalog.set_config('request.jwt.claims', $3, true), "
	"infracast.api_check_token($3::jsonb), infracast.api_check_restriction($3::jsonb, $4)";

/*
 * The database could not be reached or gave no answer. Callers without a token (login, readiness,
 * OpenAPI) are not told libpq's text, which can name hosts, sockets and roles: only the log is.
 */
static void
db_unavailable(DbResult *res, const char *why, bool authenticated)
{
	log_error("database unavailable: %s", why);
	res->http_status = 503;
	res->body = error_json("IC516", "the database is unavailable", authenticated ? why : NULL,
						   "Retry later; if it persists, check that PostgreSQL is up and VULCAN_DB_URL.");
}

/*
 * A statement failed. With a token the caller gets PostgreSQL's message, detail and hint (they
 * describe the caller's own request); without one, only the SQLSTATE and a generic message, and
 * the full text goes to the log.
 */
void
db_result_from_error(const PGresult *r, bool authenticated, DbResult *res)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	res->http_status = http_status_for_sqlstate(state, authenticated);
	snprintf(res->sqlstate, sizeof(res->sqlstate), "%s", state ? state : "");
	/*
	 * A licence without the feature "api" (IC303): its message names only the feature and its hint
	 * the fix, which /readyz tells anyone anyway; the detail (licence id, tier) stays out.
	 */
	if (!authenticated && state && strcmp(state, "IC303") == 0)
	{
		res->body = error_json(state, msg ? msg : "the licence does not include this feature", NULL,
							   PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
		log_warn("refused: %s", msg ? msg : "IC303");
		return;
	}
	if (!authenticated)
	{
		res->body = error_json(state ? state : "XX000", "the database could not answer this request", NULL,
							   "The proxy's log has the details.");
		/* error level: at start-up (first-boot seeding) this line is the only one with the cause */
		log_error("database error %s: %s", state ? state : "?", msg ? msg : PQresultErrorMessage(r));
		return;
	}
	res->body = error_json(state ? state : "XX000", msg ? msg : PQresultErrorMessage(r),
						   PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL),
						   PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
	if (res->http_status >= 500)
		log_warn("database error %s: %s", state ? state : "?", msg ? msg : PQresultErrorMessage(r));
	else
		log_debug("database error %s: %s", state ? state : "?", msg ? msg : "");
}

/*
 * Is this result only the news that the session is gone (libpq found the socket closed, or the
 * server said it is shutting down, 57P01..57P03) rather than an answer to the request?
 */
static bool
db_connection_lost(const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return PQresultStatus(r) == PGRES_FATAL_ERROR && (state == NULL || strncmp(state, "57P", 3) == 0);
}

/* The body of a successful call: the first column of the first row, "null" when there is none. */
static void
db_result_body(const PGresult *r, DbResult *res)
{
	res->http_status = 200;
	if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
		res->body = strdup("null");
	else
		res->body = strdup(PQgetvalue(r, 0, 0));
}

/*
 * Sends the pipeline on one connection and reads it back. *retryable is set when the connection
 * turned out dead before the server answered anything (a database restart closed it while it sat
 * in the pool): nothing of the request ran, so it may be sent again on a fresh connection.
 */
static void
db_pipeline(PoolConn *pc, const JwtClaims *claims, const char *function, const BuiltQuery *q, DbResult *res,
			bool *retryable)
{
	char		tenant[32];
	const char *setup_params[4];
	PGresult   *first_error = NULL;
	PGresult   *call_result = NULL;
	int			index = 0;		/* which of the four statements the results belong to */
	int			answers = 0;	/* results that came from the server */
	bool		synced = false;

	*retryable = false;
	snprintf(tenant, sizeof(tenant), "%lld", (long long) claims->tenant);
	setup_params[0] = claims->role;
	setup_params[1] = tenant;
	setup_params[2] = claims->json;
	setup_params[3] = function;

	if (!PQenterPipelineMode(pc->conn) ||
		!PQsendQueryParams(pc->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQsendQueryParams(pc->conn, setup_sql, 4, NULL, setup_params, NULL, NULL, 0) ||
		!PQsendQueryParams(pc->conn, q->sql, q->nparams, NULL, (const char *const *) q->params, NULL, NULL, 0) ||
		!PQsendQueryParams(pc->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQpipelineSync(pc->conn))
	{
		*retryable = PQstatus(pc->conn) != CONNECTION_OK;
		db_unavailable(res, PQerrorMessage(pc->conn), true);
		PQexitPipelineMode(pc->conn);
		return;
	}

	while (!synced)
	{
		PGresult   *r = PQgetResult(pc->conn);

		if (r == NULL)
		{
			if (PQstatus(pc->conn) != CONNECTION_OK)
				break;
			index++;			/* end of one statement's results */
			continue;
		}
		/* PIPELINE_ABORTED results are libpq's own: the server did not run those statements. */
		if (PQresultStatus(r) != PGRES_PIPELINE_ABORTED && !db_connection_lost(r))
			answers++;
		switch (PQresultStatus(r))
		{
			case PGRES_PIPELINE_SYNC:
				synced = true;
				PQclear(r);
				break;
			case PGRES_FATAL_ERROR:
				if (first_error == NULL)
					first_error = r;
				else
					PQclear(r);
				break;
			case PGRES_TUPLES_OK:
				if (index == 2 && call_result == NULL)
					call_result = r;
				else
					PQclear(r);
				break;
			default:
				PQclear(r);
				break;
		}
	}
	if (synced)
		PQexitPipelineMode(pc->conn);

	if (!synced)
	{
		*retryable = answers == 0;
		db_unavailable(res, PQerrorMessage(pc->conn), true);
	}
	else if (first_error)
		db_result_from_error(first_error, true, res);
	else if (call_result)
		db_result_body(call_result, res);
	else
		db_unavailable(res, "the call returned no result", true);

	if (synced && PQtransactionStatus(pc->conn) != PQTRANS_IDLE)
		PQclear(PQexec(pc->conn, "ROLLBACK"));
	PQclear(first_error);
	PQclear(call_result);
}

void
db_run_as_user(Pool *pool, const JwtClaims *claims, const char *function, const BuiltQuery *q, DbResult *res)
{
	for (int attempt = 0; attempt < 2; attempt++)
	{
		PoolConn	pc;
		char		why[512];
		bool		retryable;

		memset(res, 0, sizeof(*res));
		if (!pool_acquire(pool, &pc, why, sizeof(why)))
		{
			db_unavailable(res, why, true);
			return;
		}
		db_pipeline(&pc, claims, function, q, res, &retryable);
		pool_release(pool, &pc);
		if (!retryable || attempt > 0)
			return;
		/* The others idle in the pool most likely died with it (a restart): reopen them all. */
		log_warn("a pooled database connection was lost before it was used; retrying on a new one");
		pool_discard_idle(pool);
		free(res->body);
	}
}

void
db_run_as_authenticator(Pool *pool, const char *sql, int nparams, const char *const *params, DbResult *res)
{
	for (int attempt = 0; attempt < 2; attempt++)
	{
		PoolConn	pc;
		PGresult   *r;
		char		why[512];
		bool		retryable = false;

		memset(res, 0, sizeof(*res));
		if (!pool_acquire(pool, &pc, why, sizeof(why)))
		{
			db_unavailable(res, why, false);
			return;
		}
		r = PQexecParams(pc.conn, sql, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			db_result_body(r, res);
		else if (PQstatus(pc.conn) != CONNECTION_OK)
		{
			/* No SQLSTATE: libpq found the connection dead, the server never ran the statement. */
			retryable = db_connection_lost(r);
			db_unavailable(res, PQerrorMessage(pc.conn), false);
		}
		else
			db_result_from_error(r, false, res);
		PQclear(r);
		pool_release(pool, &pc);
		if (!retryable || attempt > 0)
			return;
		log_warn("a pooled database connection was lost before it was used; retrying on a new one");
		pool_discard_idle(pool);
		free(res->body);
	}
}
