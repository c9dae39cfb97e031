/*
 * arc_edges.c: the edges of infracast.edges behind a path's steps (arcs), for the edge ids and
 * likelihoods that attack_paths and choke_points return. Edge ids are not kept in the snapshot
 * (it stays at 12 bytes per edge); of parallel edges, the most likely one (then the lowest id) is
 * the one the snapshot used.
 */
#include "graph/graph_sql.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_index.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

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
uint32
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

ArcEdge *
arc_lookup(ArcEdge *arcs, uint32 n, uint32 u, uint32 v)
{
	ArcEdge		key = {0};

	key.u = u;
	key.v = v;
	return bsearch(&key, arcs, n, sizeof(ArcEdge), arc_cmp);
}
