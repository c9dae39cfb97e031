/*
 * import.c: infracast.import_graph(doc jsonb, strict boolean), the OpenGraph-style bulk upsert.
 *
 *   {"graph": {"nodes": [{"id": "...", "kinds": ["Computer", ...], "properties": {...}}, ...],
 *              "edges": [{"start": "...", "end": "...", "kind": "AdminTo", "properties": {...}}]}}
 *
 * Phases:
 *  1. Shape check. A document that is not of this shape (not an object, ids missing or not
 *     strings, duplicate node ids, ...) is malformed: the call raises 22023 naming the JSON path.
 *  2. Per-item validation in C: kinds are resolved against node_kinds/edge_kinds (names and
 *     aliases, case-insensitive) and the known properties are type-checked. An item that fails is
 *     rejected and reported in `messages`; with strict => true the call raises instead.
 *  3. Set-based upsert: one INSERT ... SELECT FROM unnest(...) ON CONFLICT statement for the nodes
 *     and one for the edges, whose endpoints are resolved against the tenant's nodes (this
 *     document's or earlier ones'). Rows whose content did not change are not rewritten, so a
 *     re-import is a no-op that does not bump the graph version.
 * Everything happens in the caller's transaction: an error at any point keeps nothing.
 */
#include "infracast.h"

#include <arpa/inet.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(infracast_import_graph);

#define IMPORT_MAX_MESSAGES 100

/* One validated node, ready for the upsert. */
typedef struct ImportNode
{
	char	   *external_id;
	char	   *kind;
	char	   *name;			/* NULL when absent */
	char	   *criticality;	/* NULL: keep the column default */
	int			crown_jewel;	/* -1 absent, 0/1 */
	int			entry_point;
	char	   *addresses;		/* inet[] literal or NULL */
	char	   *source;
	Jsonb	   *properties;		/* the whole properties object, or NULL */
} ImportNode;

/* One validated edge. */
typedef struct ImportEdge
{
	int			ordinal;		/* position in graph.edges, for messages */
	char	   *start;
	char	   *end;
	char	   *kind;
	bool		has_likelihood;
	double		likelihood;
	bool		has_fix_cost;
	double		fix_cost;
	int			port;			/* -1 absent */
	char	   *protocol;
	char	   *source;
	Jsonb	   *properties;
} ImportEdge;

typedef struct ImportState
{
	bool		strict;
	HTAB	   *node_kinds;		/* lower-case name or alias -> kind name */
	HTAB	   *edge_kinds;
	List	   *messages;		/* text of rejected items */
	int			nmessages;
	int64		nodes_rejected;
	int64		edges_rejected;
} ImportState;

typedef struct KindEntry
{
	char		key[NAMEDATALEN];
	char		kind[NAMEDATALEN];
} KindEntry;

/* Keys of node/edge properties that map to columns; the rest go to attrs. */
static const char *const node_column_keys[] =
{"name", "criticality", "crown_jewel", "entry_point", "addresses", "source"};
static const char *const edge_column_keys[] =
{"likelihood", "fix_cost", "port", "protocol", "source"};

/* ------------------------------------------------------------------------------------------ */
/* Small JSON helpers                                                                           */
/* ------------------------------------------------------------------------------------------ */

static bool
jsonb_get_key(JsonbContainer *obj, const char *key, JsonbValue *out)
{
	return getKeyJsonValueFromContainer(obj, key, strlen(key), out) != NULL;
}

static bool
jbv_is_object(JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data);
}

static bool
jbv_is_array(JsonbValue *v)
{
	return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data);
}

static const char *
jbv_type_name(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "a scalar";
	}
}

static char *
jbv_cstring(JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static double
jbv_double(JsonbValue *v)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
}

/* Raises the error for a malformed document: the shape, not an item, is wrong. */
static void
import_malformed(const char *path, const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("malformed import document: %s%s%s", path, problem[0] == '.' ? "" : " ", problem),
			 errhint("%s", hint ? hint :
					 "The document is {\"graph\": {\"nodes\": [{\"id\", \"kinds\", \"properties\"}], "
					 "\"edges\": [{\"start\", \"end\", \"kind\", \"properties\"}]}}.")));
}

/*
 * Records a rejected item; in strict mode raises instead. errcode is what strict mode raises.
 */
static void import_reject(ImportState *st, int errcode_value, const char *fmt,...) pg_attribute_printf(3, 4);

static void
import_reject(ImportState *st, int errcode_value, const char *fmt,...)
{
	StringInfoData buf;
	va_list		args;

	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}

	if (st->strict)
		ereport(ERROR,
				(errcode(errcode_value),
				 errmsg("import rejected: %s", buf.data),
				 errhint("Fix the item, or call import_graph(doc, strict => false) to import "
						 "the rest and get rejected items back in messages.")));

	st->nmessages++;
	if (st->nmessages <= IMPORT_MAX_MESSAGES)
		st->messages = lappend(st->messages, buf.data);
}

/* ------------------------------------------------------------------------------------------ */
/* Kinds                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Loads name and aliases of a kind table into a lower-case lookup table. */
static HTAB *
load_kinds(const char *table)
{
	HASHCTL		ctl;
	HTAB	   *htab;
	StringInfoData sql;
	uint64		i;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(KindEntry);
	ctl.hcxt = CurrentMemoryContext;
	htab = hash_create("infracast import kinds", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT k.name, a.alias FROM infracast.%s k "
					 "CROSS JOIN LATERAL unnest(array_prepend(k.name, k.aliases)) AS a(alias)",
					 table);
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read infracast.%s", table);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tup, desc, 1);
		char	   *alias = SPI_getvalue(tup, desc, 2);
		char	   *key = asc_tolower(alias, strlen(alias));
		KindEntry  *e;
		bool		found;

		if (strlen(key) >= NAMEDATALEN)
			continue;
		e = hash_search(htab, key, HASH_ENTER, &found);
		if (!found)
			strlcpy(e->kind, name, NAMEDATALEN);
	}
	return htab;
}

static const char *
lookup_kind(HTAB *kinds, const char *given)
{
	char	   *key = asc_tolower(given, strlen(given));
	KindEntry  *e;

	if (strlen(key) >= NAMEDATALEN)
		return NULL;
	e = hash_search(kinds, key, HASH_FIND, NULL);
	return e ? e->kind : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Property validation                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Is s an IPv4/IPv6 address, optionally with a /prefix? */
static bool
is_inet_literal(const char *s)
{
	char		buf[INET6_ADDRSTRLEN + 8];
	unsigned char addr[16];
	char	   *slash;
	bool		v6;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return false;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return false;
	if (slash)
	{
		char	   *endp;
		long		bits = strtol(slash + 1, &endp, 10);

		if (slash[1] == '\0' || *endp != '\0' || bits < 0 || bits > (v6 ? 128 : 32))
			return false;
	}
	return true;
}

/* Builds an inet[] literal from a string or an array of strings; NULL and a message if bad. */
static char *
addresses_literal(JsonbValue *v, const char **problem)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	if (v->type == jbvString)
	{
		char	   *s = jbv_cstring(v);

		if (!is_inet_literal(s))
		{
			*problem = psprintf("address \"%s\" is not an IP address", s);
			return NULL;
		}
		appendStringInfoString(&buf, s);
	}
	else if (jbv_is_array(v))
	{
		JsonbContainer *arr = v->val.binary.data;
		int			n = JsonContainerSize(arr);

		for (int i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
			char	   *s;

			if (e->type != jbvString)
			{
				*problem = "addresses must be strings";
				return NULL;
			}
			s = jbv_cstring(e);
			if (!is_inet_literal(s))
			{
				*problem = psprintf("address \"%s\" is not an IP address", s);
				return NULL;
			}
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			appendStringInfoString(&buf, s);
		}
	}
	else
	{
		*problem = "addresses must be a string or an array of strings";
		return NULL;
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

static bool
get_bool_prop(JsonbContainer *props, const char *key, int *out, const char **problem)
{
	JsonbValue	v;

	*out = -1;
	if (!jsonb_get_key(props, key, &v) || v.type == jbvNull)
		return true;
	if (v.type != jbvBool)
	{
		*problem = psprintf("property %s must be a boolean, not %s", key, jbv_type_name(&v));
		return false;
	}
	*out = v.val.boolean ? 1 : 0;
	return true;
}

static bool
get_string_prop(JsonbContainer *props, const char *key, char **out, const char **problem)
{
	JsonbValue	v;

	*out = NULL;
	if (!jsonb_get_key(props, key, &v) || v.type == jbvNull)
		return true;
	if (v.type != jbvString)
	{
		*problem = psprintf("property %s must be a string, not %s", key, jbv_type_name(&v));
		return false;
	}
	*out = jbv_cstring(&v);
	return true;
}

static bool
get_number_prop(JsonbContainer *props, const char *key, bool *present, double *out,
				const char **problem)
{
	JsonbValue	v;

	*present = false;
	if (!jsonb_get_key(props, key, &v) || v.type == jbvNull)
		return true;
	if (v.type != jbvNumeric)
	{
		*problem = psprintf("property %s must be a number, not %s", key, jbv_type_name(&v));
		return false;
	}
	*present = true;
	*out = jbv_double(&v);
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Phase 1 and 2: read and validate                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Reads the properties object of an item (or NULL); malformed when present but not an object. */
static JsonbContainer *
item_properties(JsonbContainer *item, const char *path, Jsonb **as_jsonb)
{
	JsonbValue	v;

	*as_jsonb = NULL;
	if (!jsonb_get_key(item, "properties", &v) || v.type == jbvNull)
		return NULL;
	if (!jbv_is_object(&v))
		import_malformed(path, psprintf(".properties must be an object, not %s", jbv_type_name(&v)),
						 NULL);
	*as_jsonb = JsonbValueToJsonb(&v);
	return v.val.binary.data;
}

/* Validates one node; returns false (after recording why) when it is rejected. */
static bool
read_node(ImportState *st, JsonbContainer *item, const char *path, ImportNode *node)
{
	JsonbValue	v;
	JsonbContainer *props;
	const char *problem = NULL;
	const char *kind = NULL;

	memset(node, 0, sizeof(*node));
	if (!jsonb_get_key(item, "id", &v))
		import_malformed(path, "has no \"id\"", NULL);
	if (v.type != jbvString || v.val.string.len == 0)
		import_malformed(path, psprintf(".id must be a non-empty string, not %s", jbv_type_name(&v)),
						 NULL);
	node->external_id = jbv_cstring(&v);

	if (!jsonb_get_key(item, "kinds", &v) || !jbv_is_array(&v) ||
		JsonContainerSize(v.val.binary.data) == 0)
		import_malformed(path, "must have \"kinds\", a non-empty array of strings", NULL);
	for (int i = 0; i < (int) JsonContainerSize(v.val.binary.data) && kind == NULL; i++)
	{
		JsonbValue *k = getIthJsonbValueFromContainer(v.val.binary.data, i);

		if (k->type != jbvString)
			import_malformed(path, ".kinds must hold only strings", NULL);
		kind = lookup_kind(st->node_kinds, jbv_cstring(k));
	}
	if (kind == NULL)
	{
		JsonbValue *first = getIthJsonbValueFromContainer(v.val.binary.data, 0);

		import_reject(st, ERRCODE_IC_UNKNOWN_KIND,
					  "node \"%s\": unknown node kind \"%s\" (see infracast.node_kinds)",
					  node->external_id, jbv_cstring(first));
		return false;
	}
	node->kind = pstrdup(kind);

	props = item_properties(item, path, &node->properties);
	if (props)
	{
		if (!get_string_prop(props, "name", &node->name, &problem) ||
			!get_string_prop(props, "criticality", &node->criticality, &problem) ||
			!get_bool_prop(props, "crown_jewel", &node->crown_jewel, &problem) ||
			!get_bool_prop(props, "entry_point", &node->entry_point, &problem) ||
			!get_string_prop(props, "source", &node->source, &problem))
			goto reject;
		if (node->criticality)
		{
			node->criticality = asc_tolower(node->criticality, strlen(node->criticality));
			if (strcmp(node->criticality, "low") != 0 && strcmp(node->criticality, "medium") != 0 &&
				strcmp(node->criticality, "high") != 0 && strcmp(node->criticality, "critical") != 0)
			{
				problem = psprintf("criticality \"%s\" is not one of low, medium, high, critical",
								   node->criticality);
				goto reject;
			}
		}
		if (jsonb_get_key(props, "addresses", &v) && v.type != jbvNull)
		{
			node->addresses = addresses_literal(&v, &problem);
			if (node->addresses == NULL)
				goto reject;
		}
	}
	return true;

reject:
	import_reject(st, ERRCODE_INVALID_PARAMETER_VALUE, "node \"%s\": %s", node->external_id, problem);
	return false;
}

/* An edge endpoint is a node id string, or {"value": id, "match_by": "id"}. */
static char *
read_endpoint(JsonbContainer *item, const char *key, const char *path)
{
	JsonbValue	v;

	if (!jsonb_get_key(item, key, &v))
		import_malformed(path, psprintf("has no \"%s\"", key), NULL);
	if (jbv_is_object(&v))
	{
		JsonbContainer *obj = v.val.binary.data;
		JsonbValue	m;

		if (jsonb_get_key(obj, "match_by", &m) &&
			!(m.type == jbvString && m.val.string.len == 2 && strncmp(m.val.string.val, "id", 2) == 0))
			import_malformed(path, psprintf(".%s.match_by must be \"id\"", key),
							 "Only matching by node id is supported; give the node's \"id\".");
		if (!jsonb_get_key(obj, "value", &v))
			import_malformed(path, psprintf(".%s has no \"value\"", key), NULL);
	}
	if (v.type != jbvString || v.val.string.len == 0)
		import_malformed(path, psprintf(".%s must be a non-empty string, not %s", key, jbv_type_name(&v)),
						 NULL);
	return jbv_cstring(&v);
}

/* Validates one edge; returns false (after recording why) when it is rejected. */
static bool
read_edge(ImportState *st, JsonbContainer *item, const char *path, int ordinal, ImportEdge *edge)
{
	JsonbValue	v;
	JsonbContainer *props;
	const char *problem = NULL;
	const char *kind;
	bool		has_port;
	double		port;

	memset(edge, 0, sizeof(*edge));
	edge->ordinal = ordinal;
	edge->port = -1;
	edge->start = read_endpoint(item, "start", path);
	edge->end = read_endpoint(item, "end", path);
	if (!jsonb_get_key(item, "kind", &v) || v.type != jbvString || v.val.string.len == 0)
		import_malformed(path, "must have \"kind\", a non-empty string", NULL);
	kind = lookup_kind(st->edge_kinds, jbv_cstring(&v));
	if (kind == NULL)
	{
		import_reject(st, ERRCODE_IC_UNKNOWN_KIND,
					  "edge #%d (%s -> %s): unknown edge kind \"%s\" (see infracast.edge_kinds)",
					  ordinal, edge->start, edge->end, jbv_cstring(&v));
		return false;
	}
	edge->kind = pstrdup(kind);
	if (strcmp(edge->start, edge->end) == 0)
	{
		problem = "an edge cannot join a node to itself";
		goto reject;
	}

	props = item_properties(item, path, &edge->properties);
	if (props)
	{
		if (!get_number_prop(props, "likelihood", &edge->has_likelihood, &edge->likelihood, &problem) ||
			!get_number_prop(props, "fix_cost", &edge->has_fix_cost, &edge->fix_cost, &problem) ||
			!get_number_prop(props, "port", &has_port, &port, &problem) ||
			!get_string_prop(props, "protocol", &edge->protocol, &problem) ||
			!get_string_prop(props, "source", &edge->source, &problem))
			goto reject;
		if (edge->has_likelihood && !(edge->likelihood > 0 && edge->likelihood <= 1))
		{
			problem = psprintf("likelihood %g is outside (0, 1]", edge->likelihood);
			goto reject;
		}
		if (edge->has_fix_cost && !(edge->fix_cost >= 0))
		{
			problem = psprintf("fix_cost %g is negative", edge->fix_cost);
			goto reject;
		}
		if (has_port)
		{
			if (port != (int) port || port < 0 || port > 65535)
			{
				problem = psprintf("port %g is not an integer in 0..65535", port);
				goto reject;
			}
			edge->port = (int) port;
		}
		if (edge->protocol)
			edge->protocol = asc_tolower(edge->protocol, strlen(edge->protocol));
	}
	return true;

reject:
	import_reject(st, ERRCODE_INVALID_PARAMETER_VALUE, "edge #%d (%s -> %s): %s",
				  ordinal, edge->start, edge->end, problem);
	return false;
}

/* ------------------------------------------------------------------------------------------ */
/* Phase 3: set-based upserts                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Builds a 1-D array Datum of text (or NULLs) from C strings. */
static Datum
text_array(char **values, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = values[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(values[i]);
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
jsonb_array(Jsonb **values, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = values[i] == NULL;
		elems[i] = nulls[i] ? (Datum) 0 : JsonbPGetDatum(values[i]);
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, JSONBOID, -1, false, TYPALIGN_INT));
}

static Datum
float8_array(double *values, bool *isnull, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_md_array(elems, isnull, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
int4_array(int *values, bool *isnull, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
		elems[i] = Int32GetDatum(values[i]);
	return PointerGetDatum(construct_md_array(elems, isnull, 1, dims, lbs, INT4OID, 4, true, TYPALIGN_INT));
}

/* Runs an upsert whose result is one row (inserted, updated) of bigint. */
static void
run_upsert(const char *sql, int nargs, Oid *types, Datum *values, int64 *inserted, int64 *updated)
{
	bool		isnull;

	if (SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "import upsert returned no counts");
	*inserted = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*updated = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
}

static const char *const upsert_nodes_sql =
"WITH input AS ("
"  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
"                       $7::text[], $8::text[], $9::jsonb[])"
"    AS t(external_id, kind, name, criticality, crown_jewel, entry_point, addresses, source, props)),"
" up AS ("
"  INSERT INTO infracast.nodes AS n (external_id, kind, name, criticality, crown_jewel, entry_point,"
"                                    addresses, source, attrs)"
"  SELECT external_id, kind, name, coalesce(criticality, 'medium'), coalesce(crown_jewel::boolean, false),"
"         coalesce(entry_point::boolean, false), coalesce(addresses::inet[], '{}'),"
"         coalesce(source, 'import'), coalesce(props, '{}') - $10::text[]"
"  FROM input"
"  ON CONFLICT (tenant_id, external_id) DO UPDATE SET"
"    kind = EXCLUDED.kind, name = EXCLUDED.name, criticality = EXCLUDED.criticality,"
"    crown_jewel = EXCLUDED.crown_jewel, entry_point = EXCLUDED.entry_point,"
"    addresses = EXCLUDED.addresses, source = EXCLUDED.source, attrs = EXCLUDED.attrs,"
"    last_seen = pg_catalog.now()"
"  WHERE (n.kind, n.name, n.criticality, n.crown_jewel, n.entry_point, n.addresses, n.source, n.attrs)"
"        IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.criticality, EXCLUDED.crown_jewel,"
"        EXCLUDED.entry_point, EXCLUDED.addresses, EXCLUDED.source, EXCLUDED.attrs)"
"  RETURNING (xmax = 0) AS inserted)"
" SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";

static char *
tristate_text(int v)
{
	return v < 0 ? NULL : (v ? "true" : "false");
}

static void
upsert_nodes(ImportNode *nodes, int n, int64 *inserted, int64 *updated)
{
	char	  **cols[8];
	Jsonb	  **props = palloc(sizeof(Jsonb *) * Max(n, 1));
	Oid			types[10] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTARRAYOID};
	Datum		values[10];
	char	   *keys[lengthof(node_column_keys)];

	for (int c = 0; c < 8; c++)
		cols[c] = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		cols[0][i] = nodes[i].external_id;
		cols[1][i] = nodes[i].kind;
		cols[2][i] = nodes[i].name;
		cols[3][i] = nodes[i].criticality;
		cols[4][i] = tristate_text(nodes[i].crown_jewel);
		cols[5][i] = tristate_text(nodes[i].entry_point);
		cols[6][i] = nodes[i].addresses;
		cols[7][i] = nodes[i].source;
		props[i] = nodes[i].properties;
	}
	for (int c = 0; c < 8; c++)
		values[c] = text_array(cols[c], n);
	values[8] = jsonb_array(props, n);
	for (int k = 0; k < (int) lengthof(node_column_keys); k++)
		keys[k] = (char *) node_column_keys[k];
	values[9] = text_array(keys, lengthof(node_column_keys));
	run_upsert(upsert_nodes_sql, 10, types, values, inserted, updated);
}

/* Edges whose endpoints are not nodes of the tenant: their ordinals and missing ids. */
static const char *const unresolved_edges_sql =
"SELECT t.ord, t.s, t.e, (s.id IS NULL) AS start_missing"
"  FROM unnest($1::int4[], $2::text[], $3::text[]) AS t(ord, s, e)"
"  LEFT JOIN infracast.nodes s ON s.tenant_id = $4 AND s.external_id = t.s"
"  LEFT JOIN infracast.nodes d ON d.tenant_id = $4 AND d.external_id = t.e"
" WHERE s.id IS NULL OR d.id IS NULL ORDER BY t.ord";

static const char *const upsert_edges_sql =
"WITH input AS ("
"  SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],"
"                       $7::int4[], $8::text[], $9::text[], $10::jsonb[])"
"    AS t(ord, s, e, kind, likelihood, fix_cost, port, protocol, source, props)),"
" resolved AS ("
"  SELECT s.id AS src, d.id AS dst, i.* FROM input i"
"  JOIN infracast.nodes s ON s.tenant_id = $11 AND s.external_id = i.s"
"  JOIN infracast.nodes d ON d.tenant_id = $11 AND d.external_id = i.e),"
" up AS ("
"  INSERT INTO infracast.edges AS x (src, dst, kind, likelihood, fix_cost, port, protocol, source, attrs)"
"  SELECT r.src, r.dst, r.kind, coalesce(r.likelihood, k.likelihood), coalesce(r.fix_cost, k.fix_cost),"
"         r.port, r.protocol, coalesce(r.source, 'import'), coalesce(r.props, '{}') - $12::text[]"
"  FROM resolved r JOIN infracast.edge_kinds k ON k.name = r.kind"
"  ON CONFLICT (tenant_id, src, dst, kind, port, protocol) DO UPDATE SET"
"    likelihood = EXCLUDED.likelihood, fix_cost = EXCLUDED.fix_cost, source = EXCLUDED.source,"
"    attrs = EXCLUDED.attrs, last_seen = pg_catalog.now()"
"  WHERE (x.likelihood, x.fix_cost, x.source, x.attrs)"
"        IS DISTINCT FROM (EXCLUDED.likelihood, EXCLUDED.fix_cost, EXCLUDED.source, EXCLUDED.attrs)"
"  RETURNING (xmax = 0) AS inserted)"
" SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";

static void
upsert_edges(ImportState *st, ImportEdge *edges, int n, int64 tenant,
			 int64 *inserted, int64 *updated)
{
	int		   *ord = palloc(sizeof(int) * Max(n, 1));
	int		   *port = palloc(sizeof(int) * Max(n, 1));
	bool	   *port_null = palloc(sizeof(bool) * Max(n, 1));
	bool	   *lik_null = palloc(sizeof(bool) * Max(n, 1));
	bool	   *fix_null = palloc(sizeof(bool) * Max(n, 1));
	double	   *lik = palloc(sizeof(double) * Max(n, 1));
	double	   *fix = palloc(sizeof(double) * Max(n, 1));
	char	  **cols[5];
	Jsonb	  **props = palloc(sizeof(Jsonb *) * Max(n, 1));
	bool	   *noneull = palloc0(sizeof(bool) * Max(n, 1));
	char	   *keys[lengthof(edge_column_keys)];
	Datum		values[12];
	Oid			types[12] = {INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, FLOAT8ARRAYOID,
	FLOAT8ARRAYOID, INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, INT8OID, TEXTARRAYOID};

	for (int c = 0; c < 5; c++)
		cols[c] = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		ord[i] = edges[i].ordinal;
		cols[0][i] = edges[i].start;
		cols[1][i] = edges[i].end;
		cols[2][i] = edges[i].kind;
		cols[3][i] = edges[i].protocol;
		cols[4][i] = edges[i].source;
		lik[i] = edges[i].likelihood;
		lik_null[i] = !edges[i].has_likelihood;
		fix[i] = edges[i].fix_cost;
		fix_null[i] = !edges[i].has_fix_cost;
		port[i] = edges[i].port;
		port_null[i] = edges[i].port < 0;
		props[i] = edges[i].properties;
	}

	/* First the edges that name unknown nodes: rejected, or fatal when strict. */
	{
		Datum		args[4] = {int4_array(ord, noneull, n), text_array(cols[0], n),
		text_array(cols[1], n), Int64GetDatum(tenant)};
		Oid			argtypes[4] = {INT4ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8OID};

		if (SPI_execute_with_args(unresolved_edges_sql, 4, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not resolve import edges");
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			TupleDesc	desc = SPI_tuptable->tupdesc;
			bool		start_missing = strcmp(SPI_getvalue(tup, desc, 4), "t") == 0;

			st->edges_rejected++;
			import_reject(st, ERRCODE_IC_UNKNOWN_NODE_REF,
						  "edge #%s (%s -> %s): %s node \"%s\" is neither in this document nor in the tenant",
						  SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2),
						  SPI_getvalue(tup, desc, 3), start_missing ? "start" : "end",
						  SPI_getvalue(tup, desc, start_missing ? 2 : 3));
		}
	}

	values[0] = int4_array(ord, noneull, n);
	for (int c = 0; c < 3; c++)
		values[1 + c] = text_array(cols[c], n);
	values[4] = float8_array(lik, lik_null, n);
	values[5] = float8_array(fix, fix_null, n);
	values[6] = int4_array(port, port_null, n);
	values[7] = text_array(cols[3], n);
	values[8] = text_array(cols[4], n);
	values[9] = jsonb_array(props, n);
	values[10] = Int64GetDatum(tenant);
	for (int k = 0; k < (int) lengthof(edge_column_keys); k++)
		keys[k] = (char *) edge_column_keys[k];
	values[11] = text_array(keys, lengthof(edge_column_keys));
	run_upsert(upsert_edges_sql, 12, types, values, inserted, updated);
}

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Returns the array under graph.<key>, or NULL when absent; malformed when not an array. */
static JsonbContainer *
graph_array(JsonbContainer *graph, const char *key)
{
	JsonbValue	v;

	if (!jsonb_get_key(graph, key, &v) || v.type == jbvNull)
		return NULL;
	if (!jbv_is_array(&v))
		import_malformed(psprintf("graph.%s", key), psprintf("must be an array, not %s", jbv_type_name(&v)),
						 NULL);
	return v.val.binary.data;
}

/* A set of C strings, keyed by pointer to the (palloc'd, never freed) string. */
static uint32
strptr_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return string_hash(s, strlen(s) + 1);
}

static int
strptr_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static HTAB *
string_set_create(const char *name, long size)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(char *);
	ctl.hash = strptr_hash;
	ctl.match = strptr_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, Max(size, 16), &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* Adds s to a set of strings; returns true when it was already there. */
static bool
seen_before(HTAB *set, const char *s)
{
	bool		found;

	(void) hash_search(set, &s, HASH_ENTER, &found);
	return found;
}

Datum
infracast_import_graph(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc;
	bool		strict = PG_ARGISNULL(1) ? false : PG_GETARG_BOOL(1);
	JsonbValue	v;
	JsonbContainer *graph;
	JsonbContainer *jnodes;
	JsonbContainer *jedges;
	int			nnodes_in,
				nedges_in;
	ImportNode *nodes;
	ImportEdge *edges;
	int			nnodes = 0,
				nedges = 0;
	int64		tenant;
	int64		counts[6] = {0};
	ImportState st;
	TupleDesc	tupdesc;
	Datum		result[7];
	bool		nulls[7] = {false};
	HTAB	   *node_ids;
	HTAB	   *edge_keys;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("import document must not be null"),
				 errhint("Pass a jsonb document {\"graph\": {\"nodes\": [...], \"edges\": [...]}}.")));
	doc = PG_GETARG_JSONB_P(0);
	tenant = tenant_current();

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "import_graph must return a composite");
	tupdesc = BlessTupleDesc(tupdesc);

	if (!JB_ROOT_IS_OBJECT(doc))
		import_malformed("the document", "must be a JSON object", NULL);
	if (!jsonb_get_key(&doc->root, "graph", &v) || !jbv_is_object(&v))
		import_malformed("the document", "must have a \"graph\" object", NULL);
	graph = v.val.binary.data;
	jnodes = graph_array(graph, "nodes");
	jedges = graph_array(graph, "edges");
	nnodes_in = jnodes ? JsonContainerSize(jnodes) : 0;
	nedges_in = jedges ? JsonContainerSize(jedges) : 0;

	memset(&st, 0, sizeof(st));
	st.strict = strict;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	st.node_kinds = load_kinds("node_kinds");
	st.edge_kinds = load_kinds("edge_kinds");

	/* Duplicate node ids make a document ambiguous: that is malformed, not a rejected item. */
	node_ids = string_set_create("import node ids", nnodes_in);
	edge_keys = string_set_create("import edge keys", nedges_in);

	nodes = palloc(sizeof(ImportNode) * Max(nnodes_in, 1));
	for (int i = 0; i < nnodes_in; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(jnodes, i);
		char	   *path = psprintf("graph.nodes[%d]", i);

		CHECK_FOR_INTERRUPTS();
		if (!jbv_is_object(item))
			import_malformed(path, psprintf("must be an object, not %s", jbv_type_name(item)), NULL);
		if (read_node(&st, item->val.binary.data, path, &nodes[nnodes]))
		{
			if (seen_before(node_ids, nodes[nnodes].external_id))
				import_malformed(path, psprintf("repeats node id \"%s\"", nodes[nnodes].external_id),
								 "Each node id appears once per document; merge the duplicates.");
			nnodes++;
		}
		else
			st.nodes_rejected++;
	}

	edges = palloc(sizeof(ImportEdge) * Max(nedges_in, 1));
	for (int i = 0; i < nedges_in; i++)
	{
		JsonbValue *item = getIthJsonbValueFromContainer(jedges, i);
		char	   *path = psprintf("graph.edges[%d]", i);

		CHECK_FOR_INTERRUPTS();
		if (!jbv_is_object(item))
			import_malformed(path, psprintf("must be an object, not %s", jbv_type_name(item)), NULL);
		if (read_edge(&st, item->val.binary.data, path, i, &edges[nedges]))
		{
			ImportEdge *e = &edges[nedges];
			char	   *key = psprintf("%s\x1f%s\x1f%s\x1f%d\x1f%s", e->start, e->end, e->kind,
									   e->port, e->protocol ? e->protocol : "");

			if (seen_before(edge_keys, key))
			{
				st.edges_rejected++;
				import_reject(&st, ERRCODE_INVALID_PARAMETER_VALUE,
							  "edge #%d (%s -> %s): repeats an earlier edge of kind %s between the same nodes",
							  i, e->start, e->end, e->kind);
				continue;
			}
			nedges++;
		}
		else
			st.edges_rejected++;
	}

	if (nnodes > 0)
		upsert_nodes(nodes, nnodes, &counts[0], &counts[1]);
	if (nedges > 0)
		upsert_edges(&st, edges, nedges, tenant, &counts[3], &counts[4]);
	counts[2] = st.nodes_rejected;
	counts[5] = st.edges_rejected;

	SPI_finish();

	for (int i = 0; i < 6; i++)
		result[i] = Int64GetDatum(counts[i]);
	{
		int			nmsg = list_length(st.messages) + (st.nmessages > IMPORT_MAX_MESSAGES ? 1 : 0);
		char	  **msgs = palloc(sizeof(char *) * Max(nmsg, 1));
		int			j = 0;
		ListCell   *lc;

		foreach(lc, st.messages)
			msgs[j++] = lfirst(lc);
		if (st.nmessages > IMPORT_MAX_MESSAGES)
			msgs[j++] = psprintf("... and %d more rejected items", st.nmessages - IMPORT_MAX_MESSAGES);
		result[6] = text_array(msgs, nmsg);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result, nulls)));
}
