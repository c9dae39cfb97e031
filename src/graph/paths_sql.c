/*
 * paths_sql.c: infracast.attack_paths, the most likely paths (one per pair, or Yen's k loopless
 * paths) from sources to targets. Costs are computed from the path edges' own likelihoods in
 * double precision, so they equal pgRouting's on cost = -ln(likelihood).
 */
#include "graph/graph_sql.h"

#include <math.h>

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(infracast_attack_paths);

/* ---- attack_paths ---------------------------------------------------------------------------- */

typedef struct PathList
{
	GrPath	   *items;
	uint32		len;
	uint32		cap;
} PathList;

static void
paths_add(PathList *pl, const uint32 *nodes, uint32 len)
{
	if (pl->len == pl->cap)
	{
		pl->cap = pl->cap ? pl->cap * 2 : 64;
		pl->items = pl->items ? repalloc_huge(pl->items, sizeof(GrPath) * pl->cap)
			: palloc(sizeof(GrPath) * pl->cap);
	}
	pl->items[pl->len].len = len;
	pl->items[pl->len].nodes = palloc(sizeof(uint32) * len);
	memcpy(pl->items[pl->len].nodes, nodes, sizeof(uint32) * len);
	pl->len++;
}

/*
 * infracast.attack_paths(sources bigint[], targets bigint[], k int, max_hops int)
 *   -> (path_id, path_seq, node, edge, cost, agg_cost, likelihood)
 */
Datum
infracast_attack_paths(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GraphSnapshot *gs = analysis_snapshot();
	const GrGraph *g = &gs->g;
	uint32		ns,
				nt,
				k,
				max_hops,
				narcs = 0;
	uint32	   *sources = nodes_argument(fcinfo, 0, "sources", gs, GR_ENTRY, &ns);
	uint32	   *targets = nodes_argument(fcinfo, 1, "targets", gs, GR_JEWEL, &nt);
	uint64		pairs = 0;
	PathList	pl = {NULL, 0, 0};
	GrSearch   *s;
	uint32	   *buf;
	ArcEdge    *arcs;
	uint64		total_arcs = 0;
	uint8	   *in_targets;

	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("k must not be NULL")));
	if (PG_GETARG_INT32(2) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be at least 1 (got %d)", PG_GETARG_INT32(2))));
	if (PG_GETARG_INT32(2) > GRAPH_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_IC_TOO_MANY_PATHS),
				 errmsg("k must be at most %d (got %d)", GRAPH_MAX_K, PG_GETARG_INT32(2)),
				 errhint("Ask for the few most likely paths; each one more costs a search per node of the path before it.")));
	k = (uint32) PG_GETARG_INT32(2);
	max_hops = max_hops_argument(fcinfo, 3);

	in_targets = node_mask(g, targets, nt);
	for (uint32 i = 0; i < ns; i++)
		pairs += nt - (in_targets[sources[i]] ? 1 : 0);
	if (pairs == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("every source is also the only target: there is no path to find"),
				 errhint("A path needs a source and a target that are different nodes.")));
	if (pairs * k > GRAPH_MAX_PATHS)
		ereport(ERROR,
				(errcode(ERRCODE_IC_TOO_MANY_PATHS),
				 errmsg("%llu source-target pairs times k = %u is more than %d paths",
						(unsigned long long) pairs, k, GRAPH_MAX_PATHS),
				 errhint("Pass fewer sources or targets, or use infracast.blast_radius() or "
						 "infracast.exposure() for whole-graph reach.")));

	s = gr_search_new(g);
	buf = palloc(sizeof(uint32) * (g->n + 1));
	for (uint32 i = 0; i < ns; i++)
	{
		uint32		src = sources[i];

		if (k == 1 && max_hops == GR_NO_LIMIT && nt <= 4)
		{
			/* few targets: one bidirectional search per pair settles far less of the graph */
			for (uint32 j = 0; j < nt; j++)
			{
				double		cost;
				uint32		len;

				if (targets[j] == src)
					continue;
				len = gr_best_path(s, src, targets[j], NULL, 0, buf, &cost);
				if (len > 0)
					paths_add(&pl, buf, len);
			}
		}
		else if (k == 1)
		{
			/* stop once every target is settled */
			s->stop_mask = in_targets;
			s->stop_count = nt;
			gr_shortest_paths(s, &src, 1, false, nt == 1 ? targets[0] : GR_NONE, INFINITY, max_hops,
							  NULL, 0);
			s->stop_mask = NULL;
			for (uint32 j = 0; j < nt; j++)
			{
				uint32		len;

				if (targets[j] == src)
					continue;
				len = gr_path_nodes(s, targets[j], buf);
				if (len > 0)
					paths_add(&pl, buf, len);
			}
		}
		else
		{
			GrPath	   *out = palloc(sizeof(GrPath) * k);

			for (uint32 j = 0; j < nt; j++)
			{
				uint32		got;

				if (targets[j] == src)
					continue;
				got = gr_k_shortest_paths(s, src, targets[j], k, max_hops, out);
				for (uint32 r = 0; r < got; r++)
				{
					paths_add(&pl, out[r].nodes, out[r].len);
					pfree(out[r].nodes);
				}
			}
			pfree(out);
		}
	}
	gr_search_free(s);

	for (uint32 i = 0; i < pl.len; i++)
		total_arcs += pl.items[i].len - 1;
	arcs = palloc(sizeof(ArcEdge) * (total_arcs + 1));
	for (uint32 i = 0; i < pl.len; i++)
		for (uint32 j = 0; j + 1 < pl.items[i].len; j++)
		{
			arcs[narcs].u = pl.items[i].nodes[j];
			arcs[narcs].v = pl.items[i].nodes[j + 1];
			narcs++;
		}
	narcs = arcs_resolve(gs, arcs, narcs);

	InitMaterializedSRF(fcinfo, 0);
	for (uint32 i = 0; i < pl.len; i++)
	{
		const GrPath *p = &pl.items[i];
		double		agg = 0.0,
					like = 1.0;

		for (uint32 j = 0; j < p->len; j++)
		{
			Datum		values[7];
			bool		nulls[7] = {false, false, false, false, false, false, false};
			double		cost = 0.0;

			CHECK_FOR_INTERRUPTS();
			values[0] = Int32GetDatum((int32) i + 1);
			values[1] = Int32GetDatum((int32) j + 1);
			values[2] = Int64GetDatum(g->node_id[p->nodes[j]]);
			if (j + 1 < p->len)
			{
				ArcEdge    *a = arc_lookup(arcs, narcs, p->nodes[j], p->nodes[j + 1]);

				cost = -log(a->likelihood);
				if (cost <= 0.0)
					cost = 0.0;
				values[3] = Int64GetDatum(a->edge);
				nulls[3] = !a->found;
			}
			else
				nulls[3] = true;
			values[4] = Float8GetDatum(cost);
			values[5] = Float8GetDatum(agg);
			values[6] = Float8GetDatum(like);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			if (j + 1 < p->len)
			{
				agg += cost;
				like *= arc_lookup(arcs, narcs, p->nodes[j], p->nodes[j + 1])->likelihood;
			}
		}
	}
	return (Datum) 0;
}
