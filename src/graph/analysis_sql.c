/*
 * analysis_sql.c: what to fix: infracast.choke_points (nodes and edges on the most attack paths,
 * and dominators), remediation_plan (the cheapest set of edges to cut, a minimum cut on fix_cost)
 * and strong_components (nodes that can all reach each other).
 */
#include "graph/graph_sql.h"

#include <math.h>

#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(infracast_choke_points);
PG_FUNCTION_INFO_V1(infracast_remediation_plan);
PG_FUNCTION_INFO_V1(infracast_strong_components);

/* ---- choke_points ------------------------------------------------------------------------------- */

typedef struct Ranked
{
	uint32		idx;			/* node index or forward position */
	uint64		paths;
	uint32		dominated;
} Ranked;

static int
ranked_cmp(const void *a, const void *b)
{
	const Ranked *x = a,
			   *y = b;

	if (x->paths != y->paths)
		return x->paths > y->paths ? -1 : 1;
	if (x->dominated != y->dominated)
		return x->dominated > y->dominated ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

static int
ranked_dom_cmp(const void *a, const void *b)
{
	const Ranked *x = a,
			   *y = b;

	if (x->dominated != y->dominated)
		return x->dominated > y->dominated ? -1 : 1;
	return ranked_cmp(a, b);
}

/*
 * infracast.choke_points(sources bigint[], targets bigint[], top int)
 *   -> (object, rank, node, edge, src, dst, paths, path_share, dominated_targets)
 */
Datum
infracast_choke_points(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GraphSnapshot *gs = analysis_snapshot();
	const GrGraph *g = &gs->g;
	uint32		ns,
				nt,
				top,
				nnodes = 0,
				nsel = 0,
				narcs_ranked = 0,
				narcs;
	uint32	   *sources = nodes_argument(fcinfo, 0, "sources", gs, GR_ENTRY, &ns);
	uint32	   *targets = nodes_argument(fcinfo, 1, "targets", gs, GR_JEWEL, &nt);
	uint8	   *is_target = node_mask(g, targets, nt);
	uint8	   *is_source = node_mask(g, sources, ns);
	uint64	   *node_paths = palloc0(sizeof(uint64) * (g->n + 1));
	uint64	   *arc_paths = palloc0(sizeof(uint64) * (g->m + 1));
	uint32	   *idom = palloc(sizeof(uint32) * (g->n + 1));
	uint32	   *dominated = palloc(sizeof(uint32) * (g->n + 1));
	uint8	   *selected = palloc0(g->n + 1);
	Ranked	   *nodes,
			   *arcs_r;
	ArcEdge    *arcs;
	uint64		pairs;
	GrSearch   *s;

	if (PG_ARGISNULL(2) || PG_GETARG_INT32(2) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top must be a positive number")));
	top = (uint32) Min(PG_GETARG_INT32(2), 100000);

	s = gr_search_new(g);
	pairs = gr_count_best_paths(s, sources, ns, is_target, node_paths, arc_paths);
	gr_search_free(s);
	gr_dominators(g, sources, ns, is_target, idom, dominated);

	/* Nodes: neither a source nor a target (they are on every one of their paths). */
	nodes = palloc(sizeof(Ranked) * (g->n + 1));
	for (uint32 v = 0; v < g->n; v++)
		if (!is_source[v] && !is_target[v] && (node_paths[v] > 0 || dominated[v] > 0))
		{
			nodes[nnodes].idx = v;
			nodes[nnodes].paths = node_paths[v];
			nodes[nnodes].dominated = dominated[v];
			nnodes++;
		}
	/* the top by paths, and the top dominators */
	qsort(nodes, nnodes, sizeof(Ranked), ranked_dom_cmp);
	for (uint32 i = 0; i < nnodes && i < top && nodes[i].dominated > 0; i++)
		selected[nodes[i].idx] = 1;
	qsort(nodes, nnodes, sizeof(Ranked), ranked_cmp);
	for (uint32 i = 0; i < nnodes && i < top; i++)
		selected[nodes[i].idx] = 1;

	arcs_r = palloc(sizeof(Ranked) * (g->m + 1));
	for (uint32 p = 0; p < g->m; p++)
		if (arc_paths[p] > 0)
		{
			arcs_r[narcs_ranked].idx = p;
			arcs_r[narcs_ranked].paths = arc_paths[p];
			arcs_r[narcs_ranked].dominated = 0;
			narcs_ranked++;
		}
	qsort(arcs_r, narcs_ranked, sizeof(Ranked), ranked_cmp);
	narcs = Min(narcs_ranked, top);
	arcs = palloc(sizeof(ArcEdge) * (narcs + 1));
	for (uint32 i = 0; i < narcs; i++)
	{
		arcs[i].u = gr_arc_source(g, arcs_r[i].idx);
		arcs[i].v = g->fwd_dst[arcs_r[i].idx];
	}
	narcs = arcs_resolve(gs, arcs, narcs);

	InitMaterializedSRF(fcinfo, 0);
	for (uint32 i = 0; i < nnodes; i++)
	{
		Datum		values[9];
		bool		nulls[9] = {false, false, false, true, true, true, false, false, false};

		if (!selected[nodes[i].idx])
			continue;
		values[0] = CStringGetTextDatum("node");
		values[1] = Int32GetDatum((int32) ++nsel);
		values[2] = Int64GetDatum(g->node_id[nodes[i].idx]);
		values[6] = Int64GetDatum((int64) nodes[i].paths);
		values[7] = Float8GetDatum(pairs ? (double) nodes[i].paths / (double) pairs : 0.0);
		values[8] = Int32GetDatum((int32) nodes[i].dominated);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	for (uint32 i = 0; i < Min(narcs_ranked, top); i++)
	{
		Datum		values[9];
		bool		nulls[9] = {false, false, true, false, false, false, false, false, true};
		uint32		u = gr_arc_source(g, arcs_r[i].idx),
					v = g->fwd_dst[arcs_r[i].idx];
		ArcEdge    *a = arc_lookup(arcs, narcs, u, v);

		values[0] = CStringGetTextDatum("edge");
		values[1] = Int32GetDatum((int32) i + 1);
		values[3] = Int64GetDatum(a->edge);
		nulls[3] = !a->found;
		values[4] = Int64GetDatum(g->node_id[u]);
		values[5] = Int64GetDatum(g->node_id[v]);
		values[6] = Int64GetDatum((int64) arcs_r[i].paths);
		values[7] = Float8GetDatum(pairs ? (double) arcs_r[i].paths / (double) pairs : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- remediation_plan ------------------------------------------------------------------------- */

/*
 * Scans the tenant's edges; with cut == NULL sums fix_cost per arc into cap, else emits one row
 * per edge on a cut arc (in_cut marks them).
 */
static void
scan_fix_costs(GraphSnapshot *gs, double *cap, const uint8 *in_cut, const uint64 *arc_paths,
			   FunctionCallInfo fcinfo)
{
	const GrGraph *g = &gs->g;
	Oid			nsp = get_namespace_oid("infracast", false);
	Relation	rel = table_open(get_relname_relid("edges", nsp), AccessShareLock);
	AttrNumber	a_tenant = get_attnum(RelationGetRelid(rel), "tenant_id"),
				a_id = get_attnum(RelationGetRelid(rel), "id"),
				a_src = get_attnum(RelationGetRelid(rel), "src"),
				a_dst = get_attnum(RelationGetRelid(rel), "dst"),
				a_kind = get_attnum(RelationGetRelid(rel), "kind"),
				a_fix = get_attnum(RelationGetRelid(rel), "fix_cost");
	ScanKeyData key;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TableScanDesc scan;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	ScanKeyInit(&key, a_tenant, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(gs->tenant_id));
	scan = table_beginscan(rel, GetActiveSnapshot(), 1, &key);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		uint32		u = gr_node_index(g, DatumGetInt64(slot_getattr(slot, a_src, &isnull)));
		uint32		v = gr_node_index(g, DatumGetInt64(slot_getattr(slot, a_dst, &isnull)));
		uint32		pos;
		double		fix;

		CHECK_FOR_INTERRUPTS();
		if (u == GR_NONE || v == GR_NONE || (pos = gr_arc_find(g, u, v)) == GR_NONE)
			continue;
		fix = DatumGetFloat8(slot_getattr(slot, a_fix, &isnull));
		if (in_cut == NULL)
			cap[pos] += fix;
		else if (in_cut[pos])
		{
			Datum		values[6];
			bool		nulls[6] = {false, false, false, false, false, false};

			values[0] = slot_getattr(slot, a_id, &isnull);
			values[1] = PointerGetDatum(DatumGetTextPCopy(slot_getattr(slot, a_kind, &isnull)));
			values[2] = Int64GetDatum(g->node_id[u]);
			values[3] = Int64GetDatum(g->node_id[v]);
			values[4] = Float8GetDatum(fix);
			values[5] = Int64GetDatum((int64) arc_paths[pos]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
}

/*
 * infracast.remediation_plan(sources bigint[], targets bigint[])
 *   -> (edge, kind, src, dst, fix_cost, paths_broken)
 */
Datum
infracast_remediation_plan(PG_FUNCTION_ARGS)
{
	GraphSnapshot *gs = analysis_snapshot();
	const GrGraph *g = &gs->g;
	uint32		ns,
				nt,
				ncut,
				nkeep = 0;
	uint32	   *sources = nodes_argument(fcinfo, 0, "sources", gs, GR_ENTRY, &ns);
	uint32	   *targets = nodes_argument(fcinfo, 1, "targets", gs, GR_JEWEL, &nt);
	uint8	   *is_target = node_mask(g, targets, nt);
	double	   *cap = palloc0(sizeof(double) * (g->m + 1));
	uint32	   *cut = palloc(sizeof(uint32) * (g->m + 1));
	uint8	   *in_cut = palloc0(g->m + 1);
	uint64	   *node_paths = palloc0(sizeof(uint64) * (g->n + 1));
	uint64	   *arc_paths = palloc0(sizeof(uint64) * (g->m + 1));
	double		total;
	GrSearch   *s;

	/* A source that is itself a target cannot be cut off from it: say so and plan for the rest. */
	for (uint32 i = 0; i < ns; i++)
	{
		if (is_target[sources[i]])
			ereport(NOTICE,
					(errmsg("node %lld is both a source and a target; no fix can cut it off from itself",
							(long long) g->node_id[sources[i]])));
		else
			sources[nkeep++] = sources[i];
	}
	ns = nkeep;

	s = gr_search_new(g);
	gr_count_best_paths(s, sources, ns, is_target, node_paths, arc_paths);
	gr_search_free(s);
	scan_fix_costs(gs, cap, NULL, NULL, fcinfo);
	ncut = gr_min_cut(g, sources, ns, is_target, cap, cut, &total);
	for (uint32 i = 0; i < ncut; i++)
		in_cut[cut[i]] = 1;
	InitMaterializedSRF(fcinfo, 0);
	if (ncut > 0)
		scan_fix_costs(gs, NULL, in_cut, arc_paths, fcinfo);
	return (Datum) 0;
}

/* ---- strong_components ------------------------------------------------------------------------ */

typedef struct CompSize
{
	uint32		comp;
	uint32		size;
	uint32		first;			/* lowest node index in it */
} CompSize;

static int
compsize_cmp(const void *a, const void *b)
{
	const CompSize *x = a,
			   *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->first < y->first ? -1 : (x->first > y->first);
}

/* infracast.strong_components() -> (node, component, size); component 1 is the largest. */
Datum
infracast_strong_components(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GraphSnapshot *gs = analysis_snapshot();
	const GrGraph *g = &gs->g;
	uint32	   *comp = palloc(sizeof(uint32) * (g->n + 1));
	uint32		count = gr_strong_components(g, comp);
	CompSize   *cs = palloc0(sizeof(CompSize) * (count + 1));
	uint32	   *rank = palloc(sizeof(uint32) * (count + 1));

	for (uint32 c = 0; c < count; c++)
	{
		cs[c].comp = c;
		cs[c].first = GR_NONE;
	}
	for (uint32 v = 0; v < g->n; v++)
	{
		cs[comp[v]].size++;
		if (v < cs[comp[v]].first)
			cs[comp[v]].first = v;
	}
	qsort(cs, count, sizeof(CompSize), compsize_cmp);
	for (uint32 i = 0; i < count; i++)
		rank[cs[i].comp] = i;
	InitMaterializedSRF(fcinfo, 0);
	for (uint32 v = 0; v < g->n; v++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(g->node_id[v]);
		values[1] = Int64GetDatum((int64) rank[comp[v]] + 1);
		values[2] = Int64GetDatum((int64) cs[rank[comp[v]]].size);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
