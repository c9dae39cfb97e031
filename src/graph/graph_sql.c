/*
 * graph_sql.c: the SQL functions of the graph engine (infracast.attack_paths, blast_radius,
 * exposure, exposure_summary, choke_points, remediation_plan, node_exposure, strong_components,
 * graph_stats, graph_cache_clear). Each checks its arguments, takes the current tenant's snapshot
 * (snapshot.c), runs the plain-C algorithms (graph.h) and returns its rows materialized.
 *
 * Edge ids are not kept in the snapshot (it stays at 12 bytes per edge): a path's edges are read
 * back with direct scans of infracast.edges (arcs_resolve; never a planned query, whose plan
 * followed stale statistics); of parallel edges, the most likely one (then the lowest id) is the
 * one the snapshot used. Costs reported by attack_paths are computed from those edges' own
 * likelihoods in double precision, so they equal pgRouting's on cost = -ln(likelihood).
 */
#include "graph/graph_api.h"
#include "license/license.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(infracast_attack_paths);
PG_FUNCTION_INFO_V1(infracast_blast_radius);
PG_FUNCTION_INFO_V1(infracast_exposure);
PG_FUNCTION_INFO_V1(infracast_exposure_summary);
PG_FUNCTION_INFO_V1(infracast_choke_points);
PG_FUNCTION_INFO_V1(infracast_remediation_plan);
PG_FUNCTION_INFO_V1(infracast_node_exposure);
PG_FUNCTION_INFO_V1(infracast_strong_components);
PG_FUNCTION_INFO_V1(infracast_graph_stats);
PG_FUNCTION_INFO_V1(infracast_graph_cache_clear);

/* ---- argument helpers -------------------------------------------------------------------------- */

/*
 * The current tenant's snapshot for an attack-path analysis: the licence must include the
 * attack_paths feature (IC303 otherwise). node_exposure() and graph_stats() skip the check: the
 * first is a building block of risk scoring, the second only describes the cache.
 */
static GraphSnapshot *
analysis_snapshot(void)
{
	license_require_feature("attack_paths");
	return graph_snapshot_current();
}

static int
uint32_cmp(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a,
				y = *(const uint32 *) b;

	return (x > y) - (x < y);
}

/* Every node with `flag` (entry points or crown jewels); IC102/IC103 when there is none. */
static uint32 *
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
static uint32 *
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

static uint8 *
node_mask(const GrGraph *g, const uint32 *nodes, uint32 count)
{
	uint8	   *mask = palloc0(g->n + 1);

	for (uint32 i = 0; i < count; i++)
		mask[nodes[i]] = 1;
	return mask;
}

static uint32
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

static int64
single_node_argument(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", argname)));
	return PG_GETARG_INT64(argno);
}

/* ---- edge ids of arcs ---------------------------------------------------------------------------- */

/*
 * Edge ids of a path's arcs are read with direct scans, not a planned query. A query planned from
 * infracast.edges' statistics went wrong right after a bulk load: statistics gathered before a
 * tenant's rows existed say the tenant has about one edge, so the planner scanned all of the
 * tenant's edges once per call (a nested loop with edges outside), 0.7 to 3 s per warm call
 * until autovacuum analysed the table again. Scans chosen here do not depend on statistics: one
 * index probe per arc on the (tenant_id, src, dst, ...) unique index for the usual few arcs, one
 * pass over the tenant's edges when the arcs are a sizeable share of the graph.
 */
typedef struct ArcEdge
{
	uint32		u,
				v;
	bool		found;			/* false when no edge has these endpoints (deleted since the snapshot) */
	int64		edge;
	double		likelihood;
} ArcEdge;

/* One probe per arc while arcs * this < the tenant's edge rows; one pass over them otherwise. */
#define ARCS_PROBE_RATIO 64

static int
arc_cmp(const void *a, const void *b)
{
	const ArcEdge *x = a,
			   *y = b;

	if (x->u != y->u)
		return x->u < y->u ? -1 : 1;
	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return 0;
}

/* Of parallel edges, the arc keeps the most likely, then the lowest id (what the snapshot used). */
static void
arc_offer(ArcEdge *arc, int64 id, double likelihood)
{
	if (!arc->found || likelihood > arc->likelihood ||
		(likelihood == arc->likelihood && id < arc->edge))
	{
		arc->found = true;
		arc->edge = id;
		arc->likelihood = likelihood;
	}
}

/* The valid b-tree index of infracast.edges whose keys start (tenant_id, src, dst). */
static Relation
edges_endpoint_index(Relation edges, AttrNumber a_tenant, AttrNumber a_src, AttrNumber a_dst)
{
	List	   *indexes = RelationGetIndexList(edges);
	ListCell   *lc;
	Relation	found = NULL;

	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index f = idx->rd_index;

		if (idx->rd_rel->relam == BTREE_AM_OID && f->indisvalid && f->indnkeyatts >= 3 &&
			f->indkey.values[0] == a_tenant && f->indkey.values[1] == a_src &&
			f->indkey.values[2] == a_dst && RelationGetIndexPredicate(idx) == NIL)
		{
			found = idx;
			break;
		}
		index_close(idx, AccessShareLock);
	}
	list_free(indexes);
	if (found == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("infracast.edges has no index on (tenant_id, src, dst)"),
				 errhint("The extension's unique constraint on infracast.edges (tenant_id, src, dst, "
						 "kind, port, protocol) was dropped: recreate it, or reinstall the extension.")));
	return found;
}

/* Fills the arcs' edges with one index probe per arc. */
static void
arcs_probe(Relation edges, const GraphSnapshot *gs, ArcEdge *arcs, uint32 n, Snapshot snap,
		   AttrNumber a_id, AttrNumber a_like)
{
	const GrGraph *g = &gs->g;
	Relation	idx = edges_endpoint_index(edges, graph_attnum(edges, "tenant_id"),
										   graph_attnum(edges, "src"), graph_attnum(edges, "dst"));
	IndexScanDesc scan = index_beginscan(edges, idx, snap, 3, 0);
	TupleTableSlot *slot = table_slot_create(edges, NULL);
	AttrNumber	last = Max(a_id, a_like);

	for (uint32 i = 0; i < n; i++)
	{
		ScanKeyData keys[3];

		CHECK_FOR_INTERRUPTS();
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(gs->tenant_id));
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(g->node_id[arcs[i].u]));
		ScanKeyInit(&keys[2], 3, BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(g->node_id[arcs[i].v]));
		index_rescan(scan, keys, 3, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			slot_getsomeattrs(slot, last);
			arc_offer(&arcs[i], DatumGetInt64(slot->tts_values[a_id - 1]),
					  DatumGetFloat8(slot->tts_values[a_like - 1]));
		}
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, AccessShareLock);
}

/* Fills the arcs' edges with one pass over the tenant's edges. */
static void
arcs_scan(Relation edges, const GraphSnapshot *gs, ArcEdge *arcs, uint32 n, Snapshot snap,
		  AttrNumber a_id, AttrNumber a_like)
{
	const GrGraph *g = &gs->g;
	AttrNumber	a_src = graph_attnum(edges, "src"),
				a_dst = graph_attnum(edges, "dst");
	AttrNumber	last = Max(Max(a_id, a_like), Max(a_src, a_dst));
	ScanKeyData key;
	TableScanDesc scan;
	TupleTableSlot *slot = table_slot_create(edges, NULL);

	ScanKeyInit(&key, graph_attnum(edges, "tenant_id"), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(gs->tenant_id));
	scan = table_beginscan(edges, snap, 1, &key);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		ArcEdge		probe = {0};
		ArcEdge    *hit;

		CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, last);
		probe.u = gr_node_index(g, DatumGetInt64(slot->tts_values[a_src - 1]));
		probe.v = gr_node_index(g, DatumGetInt64(slot->tts_values[a_dst - 1]));
		if (probe.u == GR_NONE || probe.v == GR_NONE)
			continue;
		hit = bsearch(&probe, arcs, n, sizeof(ArcEdge), arc_cmp);
		if (hit)
			arc_offer(hit, DatumGetInt64(slot->tts_values[a_id - 1]),
					  DatumGetFloat8(slot->tts_values[a_like - 1]));
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Sorts arcs, drops repeats, and fills in the id and likelihood of each arc's edge. Reads with
 * the calling query's snapshot, only the current tenant's rows (the caller's SELECT on
 * infracast.edges was checked when the snapshot was taken).
 */
static uint32
arcs_resolve(const GraphSnapshot *gs, ArcEdge *arcs, uint32 n)
{
	const GrGraph *g = &gs->g;
	uint32		w = 0;
	Relation	edges;
	AttrNumber	a_id,
				a_like;
	bool		pushed = false;

	if (n == 0)
		return 0;
	qsort(arcs, n, sizeof(ArcEdge), arc_cmp);
	for (uint32 i = 0; i < n; i++)
		if (w == 0 || arc_cmp(&arcs[w - 1], &arcs[i]) != 0)
			arcs[w++] = arcs[i];
	n = w;
	for (uint32 i = 0; i < n; i++)
	{
		arcs[i].found = false;
		arcs[i].edge = 0;
		/* kept when the edge has vanished since the snapshot was built */
		arcs[i].likelihood = exp(-(double) gr_arc_cost(g, arcs[i].u, arcs[i].v));
	}
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	edges = table_open(graph_relid("edges"), AccessShareLock);
	a_id = graph_attnum(edges, "id");
	a_like = graph_attnum(edges, "likelihood");
	if ((uint64) n * ARCS_PROBE_RATIO < g->edge_rows)
		arcs_probe(edges, gs, arcs, n, GetActiveSnapshot(), a_id, a_like);
	else
		arcs_scan(edges, gs, arcs, n, GetActiveSnapshot(), a_id, a_like);
	table_close(edges, AccessShareLock);
	if (pushed)
		PopActiveSnapshot();
	return n;
}

static ArcEdge *
arc_lookup(ArcEdge *arcs, uint32 n, uint32 u, uint32 v)
{
	ArcEdge		key = {0};

	key.u = u;
	key.v = v;
	return bsearch(&key, arcs, n, sizeof(ArcEdge), arc_cmp);
}

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

/* ---- node_exposure, strong_components, graph_stats, graph_cache_clear --------------------------- */

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

/* infracast.graph_stats() */
Datum
infracast_graph_stats(PG_FUNCTION_ARGS)
{
	GraphSnapshot *gs = graph_snapshot_current();
	TupleDesc	desc;
	Datum		values[15];
	bool		nulls[15] = {0};
	Size		bytes = gr_graph_bytes(&gs->g);
	uint64		builds,
				hits;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "graph_stats must return a row");
	values[0] = Int64GetDatum(gs->tenant_id);
	values[1] = Int64GetDatum(gs->version);
	values[2] = Int64GetDatum((int64) gs->g.n);
	values[3] = Int64GetDatum((int64) gs->g.m);
	values[4] = Int64GetDatum((int64) gs->g.edge_rows);
	values[5] = Int64GetDatum((int64) bytes);
	values[6] = Float8GetDatum(gs->g.m ? (double) bytes / (double) gs->g.m : 0.0);
	values[7] = Float8GetDatum(gs->build_ms);
	values[8] = TimestampTzGetDatum(gs->built_at);
	values[9] = Int64GetDatum((int64) gs->entry_points);
	values[10] = Int64GetDatum((int64) gs->crown_jewels);
	values[11] = Int64GetDatum((int64) graph_cache_bytes());
	/* Read after taking the snapshot: this call's own build or hit is counted. */
	graph_cache_counters(&builds, &hits);
	values[12] = CStringGetTextDatum(graph_build_reason_name(gs->build_reason));
	values[13] = Int64GetDatum((int64) builds);
	values[14] = Int64GetDatum((int64) hits);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/* infracast.graph_cache_clear(): forget this backend's snapshots (the next call rebuilds). */
Datum
infracast_graph_cache_clear(PG_FUNCTION_ARGS)
{
	graph_cache_clear();
	PG_RETURN_VOID();
}
