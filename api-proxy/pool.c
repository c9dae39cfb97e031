/*
 * pool.c: a bounded pool of libpq connections, shared by the HTTP worker threads.
 *
 * At most `size` connections are ever open; a request waits up to wait_ms for one and is
 * answered 503 otherwise, so a burst of clients can never exhaust the database's
 * max_connections. Connections open on first use. One that comes back broken, or still inside
 * a transaction (a request that failed half-way), is closed rather than reused: the next user
 * gets a fresh session, never one with leftover state.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy.h"

/* The URL's options (maybe empty), a space when there are some, then our settings. */
#define POOL_OPTIONS_FORMAT "%s%s-c statement_timeout=%d -c default_transaction_isolation=read\\ committed"

typedef struct PoolSlot
{
	PGconn	   *conn;
	bool		busy;
} PoolSlot;

struct Pool
{
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char	   *conninfo;
	char	   *options;		/* the URL's options, then ours */
	int			size;
	int			wait_ms;
	PoolSlot   *slots;
};

/*
 * The URL's own "options" (libpq's -c settings for the session), or NULL. VULCAN_DB_URL passes to
 * libpq intact, so sslmode, sslrootcert, passfile and the rest work as libpq documents them; only
 * options is merged rather than overridden, because ours must be added to the operator's.
 */
static char *
url_options(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	char	   *found = NULL;

	if (opts == NULL)
		return NULL;			/* not parseable: libpq says why when it connects */
	for (PQconninfoOption *o = opts; o->keyword && found == NULL; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val && o->val[0])
			found = strdup(o->val);
	PQconninfoFree(opts);
	return found;
}

Pool *
pool_create(const char *conninfo, int size, int wait_ms, int statement_timeout_ms)
{
	Pool	   *pool = calloc(1, sizeof(Pool));
	char	   *operator_options = url_options(conninfo);

	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	pool->conninfo = strdup(conninfo);
	pool->size = size;
	pool->wait_ms = wait_ms;
	pool->slots = calloc(size, sizeof(PoolSlot));
	/*
	 * READ COMMITTED whatever the role's or database's default: infracast.api_login serialises one
	 * user's logins on a row lock and must read the count once the lock is granted, which stricter
	 * levels turn into serialization errors (it refuses to run under them). Ours come last, so they
	 * win over the same settings in the URL's options.
	 */
	{
		const char *before = operator_options ? operator_options : "";
		const char *sep = operator_options ? " " : "";
		int			n = snprintf(NULL, 0, POOL_OPTIONS_FORMAT, before, sep, statement_timeout_ms);

		pool->options = malloc(n + 1);
		snprintf(pool->options, n + 1, POOL_OPTIONS_FORMAT, before, sep, statement_timeout_ms);
	}
	free(operator_options);
	return pool;
}

/*
 * Opens one connection. Keywords before dbname are defaults the URL may override (its
 * connect_timeout, its application_name); the merged options come after it, so they hold.
 * libpq's message can span lines (one per address tried: localhost is ::1 and 127.0.0.1): they
 * are joined so that the log line keeps the reason of every attempt.
 */
static PGconn *
pool_connect(Pool *pool, char *why, size_t whylen)
{
	const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", "options", NULL};
	const char *const vals[] = {"5", PROXY_NAME, pool->conninfo, pool->options, NULL};
	PGconn	   *conn = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(conn) != CONNECTION_OK)
	{
		size_t		out = 0;
		const char *msg = PQerrorMessage(conn);

		for (const char *p = msg; *p && out + 3 < whylen; p++)
		{
			if (*p == '\n' || *p == '\t')
			{
				/* a newline (and the tab that indents a continuation) becomes one "; " */
				while (p[1] == '\n' || p[1] == '\t')
					p++;
				if (p[1] == '\0' || out == 0)
					continue;
				why[out++] = ';';
				why[out++] = ' ';
			}
			else
				why[out++] = *p;
		}
		why[out] = '\0';
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

bool
pool_acquire(Pool *pool, PoolConn *out, char *why, size_t whylen)
{
	struct timespec deadline;
	int			slot = -1;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += pool->wait_ms / 1000;
	deadline.tv_nsec += (long) (pool->wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&pool->lock);
	for (;;)
	{
		/* Prefer an open idle connection, then an empty slot. */
		for (int i = 0; i < pool->size && slot < 0; i++)
			if (!pool->slots[i].busy && pool->slots[i].conn)
				slot = i;
		for (int i = 0; i < pool->size && slot < 0; i++)
			if (!pool->slots[i].busy)
				slot = i;
		if (slot >= 0)
			break;
		if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT)
		{
			pthread_mutex_unlock(&pool->lock);
			snprintf(why, whylen, "all %d database connections stayed busy for %d ms", pool->size,
					 pool->wait_ms);
			return false;
		}
	}
	pool->slots[slot].busy = true;
	pthread_mutex_unlock(&pool->lock);

	/* Connect outside the lock: a slow connect must not stall the other threads. */
	if (pool->slots[slot].conn && PQstatus(pool->slots[slot].conn) != CONNECTION_OK)
	{
		PQfinish(pool->slots[slot].conn);
		pool->slots[slot].conn = NULL;
	}
	if (pool->slots[slot].conn == NULL)
	{
		pool->slots[slot].conn = pool_connect(pool, why, whylen);
		if (pool->slots[slot].conn == NULL)
		{
			pthread_mutex_lock(&pool->lock);
			pool->slots[slot].busy = false;
			pthread_cond_signal(&pool->freed);
			pthread_mutex_unlock(&pool->lock);
			return false;
		}
	}
	out->conn = pool->slots[slot].conn;
	out->slot = slot;
	return true;
}

void
pool_release(Pool *pool, PoolConn *pc)
{
	PoolSlot   *s = &pool->slots[pc->slot];

	if (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) != PQTRANS_IDLE ||
		PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF)
	{
		log_warn("closing a database connection left in a bad state");
		PQfinish(s->conn);
		s->conn = NULL;
	}
	pthread_mutex_lock(&pool->lock);
	s->busy = false;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
	pc->conn = NULL;
}

void
pool_discard_idle(Pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	for (int i = 0; i < pool->size; i++)
		if (!pool->slots[i].busy && pool->slots[i].conn)
		{
			PQfinish(pool->slots[i].conn);
			pool->slots[i].conn = NULL;
		}
	pthread_mutex_unlock(&pool->lock);
}

int
pool_open_count(Pool *pool)
{
	int			n = 0;

	pthread_mutex_lock(&pool->lock);
	for (int i = 0; i < pool->size; i++)
		n += pool->slots[i].conn != NULL;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void
pool_destroy(Pool *pool)
{
	for (int i = 0; i < pool->size; i++)
		if (pool->slots[i].conn)
			PQfinish(pool->slots[i].conn);
	free(pool->slots);
	free(pool->conninfo);
	free(pool->options);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	free(pool);
}
