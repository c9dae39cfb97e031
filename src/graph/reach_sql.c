/*
 * reach_sql.c: who an attacker reaches and who reaches a target: infracast.blast_radius (forward
 * from one node), exposure and exposure_summary (backward from the targets), and node_exposure
 * (each node's reach from the entry points, cached with the snapshot for risk scoring).
 */
#include "graph/graph_sql.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(infracast_blast_radius);
PG_FUNCTION_INFO_V1(infracast_exposure);
PG_FUNCTION_INFO_V1(infracast_exposure_summary);
PG_FUNCTION_INFO_V1(infracast_node_exposure);

/* ---- blast_radius and exposure ------------------------------------------------------------------- */

/*
 * Reach from (reverse: to) the start nodes: fewest hops by BFS, best likelihood by Dijkstra or,
 * with max_hops, by the hop-bounded search; rows for the nodes within both bounds. The forward
 * reach without a hop bound (blast_radius) uses gr_reach(), which computes the same values faster
 * on big graphs.
 */
static void
emit_reach(FunctionCallInfo fcinfo, GraphSnapshot *gs, const uint32 *start, uint32 nstart,
		   bool reverse, uint32 max_hops, double min_likelihood)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const GrGraph *g = &gs->g;
	GrSearch   *s = gr_search_new(g);
	uint32	   *hops;			/* fewest arcs, of the nodes in s->order */
	uint32	   *root = NULL;
	double		max_cost = INFINITY;

	if (min_likelihood > 0.0)
		max_cost = -log(min_likelihood) * (1.0 + 1e-6) + 1e-12;
	if (!reverse && max_hops == GR_NO_LIMIT)
	{
		/* the whole graph's reach: both passes at once, tuned for big graphs (reach.c) */
		gr_reach(s, start, nstart, max_cost);
		hops = s->hops;
	}
	else
	{
		/* the second search resets s->hops: keep the BFS's */
		hops = palloc(sizeof(uint32) * (g->n + 1));
		gr_bfs(s, start, nstart, reverse, max_hops);
		for (uint32 i = 0; i < s->norder; i++)
			hops[s->order[i]] = s->hops[s->order[i]];
		gr_shortest_paths(s, start, nstart, reverse, GR_NONE, max_cost, max_hops, NULL, 0);
	}
	if (reverse)
	{
		/* which target each best path ends at: the root of its tree */
		root = palloc(sizeof(uint32) * (g->n + 1));
		if (s->last_hop_bounded)
		{
			uint32	   *path = palloc(sizeof(uint32) * (g->n + 1));

			for (uint32 i = 0; i < s->norder; i++)
			{
				uint32		v = s->order[i],
							len = gr_path_nodes(s, v, path);

				root[v] = path[len - 1];
			}
			pfree(path);
		}
		else
			for (uint32 i = 0; i < s->norder; i++)	/* settle order: pred first */
			{
				uint32		v = s->order[i];

				root[v] = (s->pred[v] == GR_NONE) ? v : root[s->pred[v]];
			}
	}

	InitMaterializedSRF(fcinfo, 0);
	for (uint32 i = 0; i < s->norder; i++)
	{
		uint32		v = s->order[i];
		double		like = exp(-s->dist[v]);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		/* the predecessors' ids are random reads: start them a few rows ahead */
		if (i + 16 < s->norder && s->pred[s->order[i + 16]] != GR_NONE)
			__builtin_prefetch(&g->node_id[s->pred[s->order[i + 16]]]);
		CHECK_FOR_INTERRUPTS();
		if (like < min_likelihood)
			continue;
		values[0] = Int64GetDatum(g->node_id[v]);
		values[1] = Int32GetDatum((int32) hops[v]);
		values[2] = Float8GetDatum(like);
		if (s->pred[v] == GR_NONE)
			nulls[3] = true;
		else
			values[3] = Int64GetDatum(g->node_id[s->pred[v]]);
		if (reverse)
			values[4] = Int64GetDatum(g->node_id[root[v]]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	gr_search_free(s);
}

/* infracast.blast_radius(source bigint, max_hops int, min_likelihood float8) */
Datum
infracast_blast_radius(PG_FUNCTION_ARGS)
{
	int64		id = single_node_argument(fcinfo, 0, "source");
	uint32		max_hops = max_hops_argument(fcinfo, 1);
	double		min_likelihood = PG_ARGISNULL(2) ? 0.0 : PG_GETARG_FLOAT8(2);
	GraphSnapshot *gs;
	uint32		v;

	if (!(min_likelihood >= 0.0 && min_likelihood <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_likelihood must be between 0 and 1 (got %g)", min_likelihood)));
	gs = analysis_snapshot();
	v = gr_node_index(&gs->g, id);
	if (v == GR_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_IC_UNKNOWN_NODE),
				 errmsg("node %lld is not a node of the current tenant", (long long) id),
				 errhint("Node ids are infracast.nodes.id of the current tenant.")));
	emit_reach(fcinfo, gs, &v, 1, false, max_hops, min_likelihood);
	return (Datum) 0;
}

/* infracast.exposure(targets bigint[], max_hops int) */
Datum
infracast_exposure(PG_FUNCTION_ARGS)
{
	GraphSnapshot *gs = analysis_snapshot();
	uint32		nt;
	uint32	   *targets = nodes_argument(fcinfo, 0, "targets", gs, GR_JEWEL, &nt);
	uint32		max_hops = max_hops_argument(fcinfo, 1);

	emit_reach(fcinfo, gs, targets, nt, true, max_hops, 0.0);
	return (Datum) 0;
}

/* infracast.exposure_summary() */
Datum
infracast_exposure_summary(PG_FUNCTION_ARGS)
{
	GraphSnapshot *gs = analysis_snapshot();
	const GrGraph *g = &gs->g;
	uint32		nt,
				ns = 0;
	uint32	   *targets;
	uint32	   *entries = palloc(sizeof(uint32) * (g->n + 1));
	GrSearch   *s;
	int64		principals = 0,
				exposed = 0,
				entries_reaching = 0;
	double		best = INFINITY,
				pct;
	const char *band;
	TupleDesc	desc;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};

	targets = flagged_nodes(gs, GR_JEWEL, "targets", &nt);
	for (uint32 v = 0; v < g->n; v++)
		if (g->node_flags[v] & GR_ENTRY)
			entries[ns++] = v;
	s = gr_search_new(g);
	gr_shortest_paths(s, targets, nt, true, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
	for (uint32 v = 0; v < g->n; v++)
	{
		bool		reaches = (s->dist[v] != INFINITY);

		if ((g->node_flags[v] & GR_PRINCIPAL) && !(g->node_flags[v] & GR_JEWEL))
		{
			principals++;
			if (reaches)
				exposed++;
		}
		if ((g->node_flags[v] & GR_ENTRY) && reaches)
		{
			entries_reaching++;
			if (s->dist[v] < best)
				best = s->dist[v];
		}
	}
	gr_search_free(s);
	pct = principals ? 100.0 * (double) exposed / (double) principals : 0.0;
	band = pct >= 95.0 ? "critical" : pct >= 80.0 ? "high" : pct >= 40.0 ? "moderate" : "low";

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "exposure_summary must return a row");
	values[0] = Int64GetDatum(principals);
	values[1] = Int64GetDatum(exposed);
	values[2] = Float8GetDatum(pct);
	values[3] = CStringGetTextDatum(band);
	values[4] = Int64GetDatum((int64) nt);
	values[5] = Int64GetDatum((int64) ns);
	values[6] = Int64GetDatum(entries_reaching);
	if (best == INFINITY)
		nulls[7] = true;
	else
		values[7] = Float8GetDatum(exp(-best));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}


/* ---- node_exposure ---------------------------------------------------------------------------- */

/* infracast.node_exposure(node_ids bigint[]) -> (node, reachable, best_likelihood, hops) */
Datum
infracast_node_exposure(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GraphSnapshot *gs = graph_snapshot_current();
	const GrGraph *g = &gs->g;
	GraphNodeExposure *items;
	int			n = 0;

	if (PG_ARGISNULL(0))
	{
		items = palloc(sizeof(GraphNodeExposure) * (g->n + 1));
		for (uint32 v = 0; v < g->n; v++)
			items[n++].node = g->node_id[v];
	}
	else
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;

		deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &nelems);
		items = palloc(sizeof(GraphNodeExposure) * (nelems + 1));
		for (int i = 0; i < nelems; i++)
		{
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("node_ids must not contain NULL")));
			items[n++].node = DatumGetInt64(elems[i]);
		}
	}
	graph_node_exposure(items, n);
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (!items[i].known)
			ereport(ERROR,
					(errcode(ERRCODE_IC_UNKNOWN_NODE),
					 errmsg("node %lld in node_ids is not a node of the current tenant",
							(long long) items[i].node)));
		values[0] = Int64GetDatum(items[i].node);
		values[1] = BoolGetDatum(items[i].reachable);
		values[2] = Float8GetDatum(items[i].best_likelihood);
		values[3] = Int32GetDatum(items[i].hops);
		nulls[3] = !items[i].reachable;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
