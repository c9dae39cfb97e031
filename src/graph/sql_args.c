/*
 * sql_args.c: the arguments of the graph engine's SQL functions, checked with a precise SQLSTATE
 * each and turned into the snapshot's node indexes; and the licence check of the analyses.
 */
#include "graph/graph_sql.h"
#include "license/license.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

/* ---- argument helpers -------------------------------------------------------------------------- */

/*
 * The current tenant's snapshot for an attack-path analysis: the licence must include the
 * attack_paths feature (IC303 otherwise). node_exposure() and graph_stats() skip the check: the
 * first is a building block of risk scoring, the second only describes the cache.
 */
GraphSnapshot *
analysis_snapshot(void)
{
	license_require_feature("attack_paths");
	return graph_snapshot_current();
}

int
uint32_cmp(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a,
				y = *(const uint32 *) b;

	return (x > y) - (x < y);
}

/* Every node with `flag` (entry points or crown jewels); IC102/IC103 when there is none. */
uint32 *
flagged_nodes(GraphSnapshot *gs, uint8 flag, const char *argname, uint32 *count)
{
	const GrGraph *g = &gs->g;
	uint32	   *out = palloc(sizeof(uint32) * (g->n + 1));
	uint32		n = 0;

	for (uint32 v = 0; v < g->n; v++)
		if (g->node_flags[v] & flag)
			out[n++] = v;
	if (n == 0 && flag == GR_ENTRY)
		ereport(ERROR,
				(errcode(ERRCODE_IC_NO_ENTRY_POINTS),
				 errmsg("the current tenant has no entry points"),
				 errhint("Mark where attackers start with UPDATE infracast.nodes SET entry_point = true "
						 "WHERE ..., or pass the %s as an array of node ids.", argname)));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_IC_NO_CROWN_JEWELS),
				 errmsg("the current tenant has no crown jewels"),
				 errhint("Mark what attackers want with UPDATE infracast.nodes SET crown_jewel = true "
						 "WHERE ..., or pass the %s as an array of node ids.", argname)));
	*count = n;
	return out;
}

/*
 * Node indexes from a bigint[] argument, sorted and without repeats; NULL means flagged_nodes().
 */
uint32 *
nodes_argument(FunctionCallInfo fcinfo, int argno, const char *argname, GraphSnapshot *gs,
			   uint8 flag, uint32 *count)
{
	const GrGraph *g = &gs->g;
	uint32	   *out;
	uint32		n = 0;

	if (PG_ARGISNULL(argno))
		return flagged_nodes(gs, flag, argname, count);
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(argno);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;

		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &nelems);
		if (nelems == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not be an empty array", argname),
					 errhint("Pass node ids, or NULL for the tenant's %s.",
							 flag == GR_ENTRY ? "entry points" : "crown jewels")));
		out = palloc(sizeof(uint32) * nelems);
		for (int i = 0; i < nelems; i++)
		{
			uint32		v;

			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s must not contain NULL", argname)));
			v = gr_node_index(g, DatumGetInt64(elems[i]));
			if (v == GR_NONE)
				ereport(ERROR,
						(errcode(ERRCODE_IC_UNKNOWN_NODE),
						 errmsg("node %lld in %s is not a node of the current tenant",
								(long long) DatumGetInt64(elems[i]), argname),
						 errhint("Node ids are infracast.nodes.id of the current tenant.")));
			out[n++] = v;
		}
		qsort(out, n, sizeof(uint32), uint32_cmp);
		{
			uint32		w = 0;

			for (uint32 i = 0; i < n; i++)
				if (w == 0 || out[w - 1] != out[i])
					out[w++] = out[i];
			n = w;
		}
	}
	*count = n;
	return out;
}

uint8 *
node_mask(const GrGraph *g, const uint32 *nodes, uint32 count)
{
	uint8	   *mask = palloc0(g->n + 1);

	for (uint32 i = 0; i < count; i++)
		mask[nodes[i]] = 1;
	return mask;
}

uint32
max_hops_argument(FunctionCallInfo fcinfo, int argno)
{
	int32		h;

	if (PG_ARGISNULL(argno))
		return GR_NO_LIMIT;
	h = PG_GETARG_INT32(argno);
	if (h < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_hops must not be negative (got %d)", h),
				 errhint("Pass NULL for no limit.")));
	return (uint32) h;
}

int64
single_node_argument(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return PG_GETARG_INT64(argno);
}
