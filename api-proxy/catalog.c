/*
 * catalog.c: what schema infracast_api exposes, read from pg_proc and pg_class.
 *
 * A route names an object; the proxy looks the name up here and uses the catalog's spelling,
 * quoted, in the SQL it sends. A name that is not in the catalog is a 404 and never reaches
 * the database. The copy is refreshed every few seconds, and at once (at most once a second)
 * when a lookup misses, so a function added by an upgrade appears without a restart.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy.h"

#define CATALOG_TTL_SECONDS 10

static const char catalog_sql[] =
	"SELECT 'f' AS kind, p.proname::text, p.proretset, "
	"       (t.typtype = 'c' OR p.prorettype = 'record'::regtype) AS composite, NULL::text[] AS cols "
	"  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_type t ON t.oid = p.prorettype "
	" WHERE p.pronamespace = 'infracast_api'::regnamespace AND p.prokind = 'f' "
	"   AND p.pronargs = 1 AND p.proargtypes[0] = 'jsonb'::regtype "
	"UNION ALL "
	"SELECT 'v', c.relname::text, false, false, "
	"       ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a "
	"              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) "
	"  FROM pg_catalog.pg_class c "
	" WHERE c.relnamespace = 'infracast_api'::regnamespace AND c.relkind IN ('v', 'm', 'r', 'p', 'f')";

static pthread_rwlock_t catalog_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t catalog_reload_lock = PTHREAD_MUTEX_INITIALIZER;
static ApiObject *catalog_objects;
static int	catalog_count;
static time_t catalog_loaded_at;
static Pool *catalog_pool;

/* Names the proxy accepts in a URL: lower-case SQL identifiers, not starting with "_". */
bool
catalog_name_valid(const char *name)
{
	size_t		n = strlen(name);

	if (n == 0 || n > PROXY_MAX_NAME || !(name[0] >= 'a' && name[0] <= 'z'))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* Parses a text[] literal of plain identifiers ({a,b,"c d"}) into a malloc'd array. */
static int
parse_name_array(const char *lit, char ***out)
{
	int			cap = 16;
	int			n = 0;
	char	  **names = malloc(cap * sizeof(char *));
	const char *p = lit + 1;

	while (*p && *p != '}')
	{
		char		buf[PROXY_MAX_NAME * 2 + 2];
		size_t		len = 0;

		if (*p == '"')
		{
			for (p++; *p && *p != '"'; p++)
			{
				if (*p == '\\' && p[1])
					p++;
				if (len < sizeof(buf) - 1)
					buf[len++] = *p;
			}
			if (*p == '"')
				p++;
		}
		else
			while (*p && *p != ',' && *p != '}' && len < sizeof(buf) - 1)
				buf[len++] = *p++;
		buf[len] = '\0';
		if (n == cap)
		{
			char	  **grown = realloc(names, (size_t) (cap *= 2) * sizeof(char *));

			if (grown == NULL)
				break;
			names = grown;
		}
		names[n++] = strdup(buf);
		if (*p == ',')
			p++;
	}
	*out = names;
	return n;
}

static void
catalog_free_all(ApiObject *objs, int n)
{
	for (int i = 0; i < n; i++)
		catalog_object_free(&objs[i]);
	free(objs);
}

/* Reads the catalog through the pool and swaps it in; false when the database did not answer. */
static bool
catalog_reload(void)
{
	PoolConn	pc;
	PGresult   *r;
	ApiObject  *objs;
	int			n;
	char		why[256];

	if (!pool_acquire(catalog_pool, &pc, why, sizeof(why)))
	{
		log_warn("could not read the API catalog: %s", why);
		return false;
	}
	r = PQexec(pc.conn, catalog_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		log_error("could not read the API catalog: %s", PQresultErrorMessage(r));
		PQclear(r);
		pool_release(catalog_pool, &pc);
		return false;
	}
	n = PQntuples(r);
	objs = calloc(n > 0 ? n : 1, sizeof(ApiObject));
	for (int i = 0; i < n; i++)
	{
		ApiObject  *o = &objs[i];

		o->kind = PQgetvalue(r, i, 0)[0];
		snprintf(o->name, sizeof(o->name), "%s", PQgetvalue(r, i, 1));
		o->retset = PQgetvalue(r, i, 2)[0] == 't';
		o->composite = PQgetvalue(r, i, 3)[0] == 't';
		if (!PQgetisnull(r, i, 4))
			o->ncols = parse_name_array(PQgetvalue(r, i, 4), &o->cols);
	}
	PQclear(r);
	pool_release(catalog_pool, &pc);

	pthread_rwlock_wrlock(&catalog_lock);
	catalog_free_all(catalog_objects, catalog_count);
	catalog_objects = objs;
	catalog_count = n;
	catalog_loaded_at = time(NULL);
	pthread_rwlock_unlock(&catalog_lock);
	log_debug("API catalog: %d functions and views", n);
	return true;
}

void
catalog_init(Pool *pool)
{
	catalog_pool = pool;
	catalog_reload();
}

void
catalog_set_for_tests(ApiObject *objs, int n)
{
	catalog_objects = objs;
	catalog_count = n;
	catalog_loaded_at = time(NULL) + 3600 * 24 * 365;
}

static bool
catalog_find(const char *name, char kind, ApiObject *out)
{
	bool		found = false;

	pthread_rwlock_rdlock(&catalog_lock);
	for (int i = 0; i < catalog_count && !found; i++)
	{
		ApiObject  *o = &catalog_objects[i];

		if (o->kind == kind && strcmp(o->name, name) == 0)
		{
			*out = *o;
			out->cols = NULL;
			if (o->ncols > 0)
			{
				out->cols = malloc(o->ncols * sizeof(char *));
				for (int c = 0; c < o->ncols; c++)
					out->cols[c] = strdup(o->cols[c]);
			}
			found = true;
		}
	}
	pthread_rwlock_unlock(&catalog_lock);
	return found;
}

bool
catalog_lookup(const char *name, char kind, ApiObject *out)
{
	time_t		now = time(NULL);
	bool		found;

	if (!catalog_name_valid(name))
		return false;
	if (now - catalog_loaded_at >= CATALOG_TTL_SECONDS && catalog_pool &&
		pthread_mutex_trylock(&catalog_reload_lock) == 0)
	{
		catalog_reload();
		pthread_mutex_unlock(&catalog_reload_lock);
	}
	found = catalog_find(name, kind, out);
	if (!found && catalog_pool && now - catalog_loaded_at >= 1 &&
		pthread_mutex_trylock(&catalog_reload_lock) == 0)
	{
		catalog_reload();
		pthread_mutex_unlock(&catalog_reload_lock);
		found = catalog_find(name, kind, out);
	}
	return found;
}

void
catalog_object_free(ApiObject *obj)
{
	for (int i = 0; i < obj->ncols; i++)
		free(obj->cols[i]);
	free(obj->cols);
	obj->cols = NULL;
	obj->ncols = 0;
}
