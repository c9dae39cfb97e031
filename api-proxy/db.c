/*
 * db.c: one request's transaction on a pooled connection.
 *
 * As the caller (every API route but login, readiness and OpenAPI), four statements go out in
 * one libpq pipeline, so the whole transaction costs one network round trip:
 *   BEGIN
 *   SELECT set_config('role', $1, true), infracast.set_tenant($2, true),
 *          set_config('request.jwt.claims', $3, true)
 *   <the generated call or view read>
 *   COMMIT
 * Everything is transaction-local: the next request on the connection starts with the
 * authenticator's own (empty) privileges, no tenant and no claims. When a statement fails the
 * rest of the pipeline is skipped by the server and the transaction is rolled back here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static const char setup_sql[] =
	"SELECT pg_catalog.set_config('role', $1, true), infracast.set_tenant($2, true), "
	"pg_catalog.set_config('request.jwt.claims', $3, true)";

static void
db_unavailable(DbResult *res, const char *why)
{
	log_error("database unavailable: %s", why);
	res->http_status = 503;
	res->body = error_json("IC516", "the database is unavailable", why,
						   "Retry later; if it persists, check that PostgreSQL is up and VULCAN_DB_URL.");
}

void
db_result_from_error(const PGresult *r, bool authenticated, DbResult *res)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	res->http_status = http_status_for_sqlstate(state, authenticated);
	res->body = error_json(state ? state : "XX000", msg ? msg : PQresultErrorMessage(r),
						   PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL),
						   PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
	if (res->http_status >= 500)
		log_warn("database error %s: %s", state ? state : "?", msg ? msg : PQresultErrorMessage(r));
	else
		log_debug("database error %s: %s", state ? state : "?", msg ? msg : "");
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

void
db_run_as_user(Pool *pool, const JwtClaims *claims, const BuiltQuery *q, DbResult *res)
{
	PoolConn	pc;
	char		why[512];
	char		tenant[32];
	const char *setup_params[3];
	PGresult   *first_error = NULL;
	PGresult   *call_result = NULL;
	int			index = 0;		/* which of the four statements the results belong to */
	bool		synced = false;

	memset(res, 0, sizeof(*res));
	if (!pool_acquire(pool, &pc, why, sizeof(why)))
	{
		db_unavailable(res, why);
		return;
	}
	snprintf(tenant, sizeof(tenant), "%lld", (long long) claims->tenant);
	setup_params[0] = claims->role;
	setup_params[1] = tenant;
	setup_params[2] = claims->json;

	if (!PQenterPipelineMode(pc.conn) ||
		!PQsendQueryParams(pc.conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQsendQueryParams(pc.conn, setup_sql, 3, NULL, setup_params, NULL, NULL, 0) ||
		!PQsendQueryParams(pc.conn, q->sql, q->nparams, NULL, (const char *const *) q->params, NULL, NULL, 0) ||
		!PQsendQueryParams(pc.conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) ||
		!PQpipelineSync(pc.conn))
	{
		snprintf(why, sizeof(why), "%s", PQerrorMessage(pc.conn));
		PQexitPipelineMode(pc.conn);
		pool_release(pool, &pc);
		db_unavailable(res, why);
		return;
	}

	while (!synced)
	{
		PGresult   *r = PQgetResult(pc.conn);

		if (r == NULL)
		{
			if (PQstatus(pc.conn) != CONNECTION_OK)
				break;
			index++;			/* end of one statement's results */
			continue;
		}
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
		PQexitPipelineMode(pc.conn);

	if (!synced)
		db_unavailable(res, PQerrorMessage(pc.conn));
	else if (first_error)
		db_result_from_error(first_error, true, res);
	else if (call_result)
		db_result_body(call_result, res);
	else
		db_unavailable(res, "the call returned no result");

	if (synced && PQtransactionStatus(pc.conn) != PQTRANS_IDLE)
		PQclear(PQexec(pc.conn, "ROLLBACK"));
	PQclear(first_error);
	PQclear(call_result);
	pool_release(pool, &pc);
}

void
db_run_as_authenticator(Pool *pool, const char *sql, int nparams, const char *const *params, DbResult *res)
{
	PoolConn	pc;
	PGresult   *r;
	char		why[512];

	memset(res, 0, sizeof(*res));
	if (!pool_acquire(pool, &pc, why, sizeof(why)))
	{
		db_unavailable(res, why);
		return;
	}
	r = PQexecParams(pc.conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		db_result_body(r, res);
	else if (PQstatus(pc.conn) != CONNECTION_OK)
		db_unavailable(res, PQerrorMessage(pc.conn));
	else
		db_result_from_error(r, false, res);
	PQclear(r);
	pool_release(pool, &pc);
}
