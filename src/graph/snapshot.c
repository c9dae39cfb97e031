/*
 * snapshot.c: builds a tenant's CSR snapshot from infracast.nodes and infracast.edges and keeps it
 * in the backend between calls (the PostgreSQL side of the graph engine).
 *
 * Reading: direct table scans with the calling query's snapshot (GetActiveSnapshot), filtered on
 * tenant_id by a scan key: several times faster than SPI at millions of rows, and one snapshot
 * for the version, the nodes and the edges, so they agree. Row-level security is not applied by
 * a direct scan, so the caller must hold SELECT on both tables (checked on every call) and only
 * the current tenant's rows are read (set only by infracast.set_tenant, which checks the role).
 *
 * Caching: a snapshot is valid for (tenant, version, raw xmin of the graph_versions row).
 * Statement triggers bump the version on every change, so a committed change is always seen; a
 * change made earlier in this transaction bumps it too (and is in our snapshot). The xmin tells
 * apart two bumps to the same number when one was rolled back: a snapshot built from this
 * transaction's uncommitted rows is never mistaken for another transaction's later commit. It is
 * the raw xmin: HeapTupleHeaderGetXmin() answers FrozenTransactionId once VACUUM has frozen the
 * row (VACUUM FREEZE, an aggressive autovacuum), which made every backend rebuild a snapshot of
 * an unchanged graph; freezing only sets infomask bits and keeps the raw xmin.
 *
 * Counters: each backend counts its builds and cache hits, and each snapshot says why it was
 * built (first use, version change, evicted for the memory budget or the slot count, cache
 * cleared), so graph_stats() shows whether warm calls really are warm (docs/graph.md).
 *
 * Memory: each snapshot lives in its own context under one cache context; a build happens under
 * the caller's context and is moved into the cache only when complete, so an error or a cancel
 * mid-build leaks nothing. infracast.graph_cache_mb bounds the sum; older tenants' snapshots are
 * evicted first, and a snapshot that alone exceeds it raises IC104 naming the setting.
 */
#include "graph/graph.h"

#include <math.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#define GRAPH_CACHE_SLOTS 32

int			graph_cache_mb = 1024;

static GraphSnapshot *cache[GRAPH_CACHE_SLOTS];
static MemoryContext cache_cxt = NULL;
static uint64 use_clock = 0;
static MemoryContext build_target = NULL;

/* This backend's counters (graph_stats). */
static uint64 stat_builds = 0;
static uint64 stat_hits = 0;

/*
 * Tenants whose snapshot was dropped while still current, and why: the next build for such a
 * tenant reports that reason rather than "first use". A small ring; an entry lost from it only
 * makes a later reason read "first use".
 */
#define GRAPH_FORGOTTEN_SLOTS (2 * GRAPH_CACHE_SLOTS)
typedef struct ForgottenTenant
{
	int64		tenant_id;
	int64		version;		/* of the dropped snapshot: a build at another one is a version change */
	TransactionId version_xmin;
	GraphBuildReason reason;
	bool		used;
} ForgottenTenant;
static ForgottenTenant forgotten[GRAPH_FORGOTTEN_SLOTS];
static int	forgotten_next = 0;

/* ---- hooks of the plain-C core ---------------------------------------------------------------- */

static void *
pg_alloc(size_t size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size);
}

static void *
pg_alloc_keep(size_t size)
{
	return MemoryContextAllocHuge(build_target ? build_target : CurrentMemoryContext, size);
}

static void
pg_release(void *ptr)
{
	pfree(ptr);
}

static void
pg_interrupt(void)
{
	CHECK_FOR_INTERRUPTS();
}

void
graph_install_hooks(void)
{
	gr_hooks.alloc = pg_alloc;
	gr_hooks.alloc_keep = pg_alloc_keep;
	gr_hooks.release = pg_release;
	gr_hooks.interrupt = pg_interrupt;
	gr_hooks.interrupt_pending = &InterruptPending;
}

/* ---- catalog helpers -------------------------------------------------------------------------- */

Oid
graph_relid(const char *name)
{
	Oid			nsp = get_namespace_oid("infracast", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;

	if (!OidIsValid(rel))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"infracast.%s\" does not exist", name),
				 errhint("Run CREATE EXTENSION infracast in this database.")));
	return rel;
}

AttrNumber
graph_attnum(Relation rel, const char *name)
{
	AttrNumber	a = get_attnum(RelationGetRelid(rel), name);

	if (a == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of \"%s\" not found", name, RelationGetRelationName(rel));
	return a;
}

static void
require_select(Oid relid, const char *name)
{
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table infracast.%s", name),
				 errhint("The graph functions read the inventory: grant the role infracast_reader.")));
}

/* The tenant's graph version and the xmin of the row that holds it (0 and invalid if none). */
static void
read_version(int64 tenant, Snapshot snap, int64 *version, TransactionId *xmin)
{
	Relation	rel = table_open(graph_relid("graph_versions"), AccessShareLock);
	ScanKeyData key;
	TableScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, graph_attnum(rel, "tenant_id"), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(tenant));
	scan = table_beginscan(rel, snap, 1, &key);
	*version = 0;
	*xmin = InvalidTransactionId;
	if ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, graph_attnum(rel, "version"), RelationGetDescr(rel), &isnull);

		*version = isnull ? 0 : DatumGetInt64(d);
		/* Raw: a frozen row keeps its xmin but GetXmin would answer FrozenTransactionId. */
		*xmin = HeapTupleHeaderGetRawXmin(tup->t_data);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* Names of the node kinds that are principals. */
static List *
principal_kinds(Snapshot snap)
{
	Relation	rel = table_open(graph_relid("node_kinds"), AccessShareLock);
	AttrNumber	a_name = graph_attnum(rel, "name"),
				a_principal = graph_attnum(rel, "principal");
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	TableScanDesc scan = table_beginscan(rel, snap, 0, NULL);
	List	   *kinds = NIL;

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		p = slot_getattr(slot, a_principal, &isnull);

		if (!isnull && DatumGetBool(p))
			kinds = lappend(kinds, TextDatumGetCString(slot_getattr(slot, a_name, &isnull)));
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	return kinds;
}

static bool
kind_is_principal(List *kinds, Datum kind)
{
	text	   *t = DatumGetTextPP(kind);
	int			len = VARSIZE_ANY_EXHDR(t);
	ListCell   *lc;

	foreach(lc, kinds)
	{
		const char *k = lfirst(lc);

		if ((int) strlen(k) == len && memcmp(k, VARDATA_ANY(t), len) == 0)
			return true;
	}
	return false;
}

static void
check_size(const GrBuilder *b, int64 tenant, uint32 nodes)
{
	Size		limit = (Size) graph_cache_mb * 1024 * 1024;
	Size		need = gr_builder_snapshot_bytes(b);

	if (need > limit)
		ereport(ERROR,
				(errcode(ERRCODE_IC_GRAPH_CACHE_FULL),
				 errmsg("the current tenant's graph does not fit in infracast.graph_cache_mb (%d MB)",
						graph_cache_mb),
				 errdetail("Reading stopped at %u nodes and %llu edges, already %zu bytes; a snapshot "
						   "takes 17 bytes per node and 12 per edge.",
						   nodes, (unsigned long long) gr_builder_edge_rows(b), need),
				 errhint("Raise infracast.graph_cache_mb (a superuser setting, for example "
						 "SET infracast.graph_cache_mb = '4GB' or in postgresql.conf).")));
	if (gr_builder_edge_rows(b) >= GR_MAX_ARCS || nodes >= GR_NONE - 1)
		ereport(ERROR,
				(errcode(ERRCODE_IC_GRAPH_TOO_LARGE),
				 errmsg("the current tenant's graph has more than %u nodes or edges", (unsigned) INT32_MAX),
				 errhint("Split the inventory into several tenants.")));
}

/* Reads the tenant's nodes and edges into a builder and finishes the snapshot into snap->g. */
static void
build_snapshot(GraphSnapshot *gs, Snapshot snap)
{
	Relation	nodes = table_open(graph_relid("nodes"), AccessShareLock);
	Relation	edges;
	List	   *kinds = principal_kinds(snap);
	AttrNumber	a_tenant = graph_attnum(nodes, "tenant_id"),
				a_id = graph_attnum(nodes, "id"),
				a_kind = graph_attnum(nodes, "kind"),
				a_jewel = graph_attnum(nodes, "crown_jewel"),
				a_entry = graph_attnum(nodes, "entry_point");
	AttrNumber	a_etenant,
				a_src,
				a_dst,
				a_like;
	ScanKeyData key;
	TableScanDesc scan;
	TupleTableSlot *slot;
	GrBuilder  *b = gr_builder_new();
	uint32		nnodes = 0;
	uint64		rows = 0;

	gs->entry_points = gs->crown_jewels = 0;
	ScanKeyInit(&key, a_tenant, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(gs->tenant_id));
	slot = table_slot_create(nodes, NULL);
	scan = table_beginscan(nodes, snap, 1, &key);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		int64		id = DatumGetInt64(slot_getattr(slot, a_id, &isnull));
		uint8		flags = 0;

		CHECK_FOR_INTERRUPTS();
		if (DatumGetBool(slot_getattr(slot, a_entry, &isnull)))
		{
			flags |= GR_ENTRY;
			gs->entry_points++;
		}
		if (DatumGetBool(slot_getattr(slot, a_jewel, &isnull)))
		{
			flags |= GR_JEWEL;
			gs->crown_jewels++;
		}
		if (kind_is_principal(kinds, slot_getattr(slot, a_kind, &isnull)))
			flags |= GR_PRINCIPAL;
		gr_builder_add_node(b, id, flags);
		if ((++nnodes & 0xffff) == 0)
			check_size(b, gs->tenant_id, nnodes);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(nodes, AccessShareLock);
	check_size(b, gs->tenant_id, nnodes);
	if (!gr_builder_nodes_done(b))
		elog(ERROR, "duplicate node id in tenant %lld", (long long) gs->tenant_id);

	edges = table_open(graph_relid("edges"), AccessShareLock);
	a_etenant = graph_attnum(edges, "tenant_id");
	a_src = graph_attnum(edges, "src");
	a_dst = graph_attnum(edges, "dst");
	a_like = graph_attnum(edges, "likelihood");
	ScanKeyInit(&key, a_etenant, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(gs->tenant_id));
	slot = table_slot_create(edges, NULL);
	scan = table_beginscan(edges, snap, 1, &key);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		int64		src,
					dst;
		double		p;

		CHECK_FOR_INTERRUPTS();
		slot_getsomeattrs(slot, a_like);
		src = DatumGetInt64(slot->tts_values[a_src - 1]);
		dst = DatumGetInt64(slot->tts_values[a_dst - 1]);
		isnull = slot->tts_isnull[a_like - 1];
		p = isnull ? 1.0 : DatumGetFloat8(slot->tts_values[a_like - 1]);
		gr_builder_add_edge(b, src, dst, p);
		if ((++rows & 0xffff) == 0)
			check_size(b, gs->tenant_id, nnodes);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(edges, AccessShareLock);
	check_size(b, gs->tenant_id, nnodes);

	gr_builder_finish(b, &gs->g);
	list_free_deep(kinds);
}

static Size
snapshot_bytes(const GraphSnapshot *gs)
{
	return gr_graph_bytes(&gs->g) +
		(gs->entry_reach_ready ? (Size) gs->g.n * (sizeof(float) + sizeof(uint32)) : 0);
}

Size
graph_cache_bytes(void)
{
	Size		total = 0;

	for (int i = 0; i < GRAPH_CACHE_SLOTS; i++)
		if (cache[i])
			total += snapshot_bytes(cache[i]);
	return total;
}

static void
forget_snapshot(const GraphSnapshot *gs, GraphBuildReason reason)
{
	for (int i = 0; i < GRAPH_FORGOTTEN_SLOTS; i++)
		if (forgotten[i].used && forgotten[i].tenant_id == gs->tenant_id)
			forgotten[i].used = false;
	forgotten[forgotten_next].tenant_id = gs->tenant_id;
	forgotten[forgotten_next].version = gs->version;
	forgotten[forgotten_next].version_xmin = gs->version_xmin;
	forgotten[forgotten_next].reason = reason;
	forgotten[forgotten_next].used = true;
	forgotten_next = (forgotten_next + 1) % GRAPH_FORGOTTEN_SLOTS;
}

/* Why a snapshot of `tenant` at `version` is being built (and forgets the record). */
static GraphBuildReason
build_reason(int64 tenant, int64 version, TransactionId xmin, bool stale_dropped)
{
	GraphBuildReason reason = stale_dropped ? GRAPH_BUILD_VERSION_CHANGED : GRAPH_BUILD_FIRST_USE;

	for (int i = 0; i < GRAPH_FORGOTTEN_SLOTS; i++)
		if (forgotten[i].used && forgotten[i].tenant_id == tenant)
		{
			forgotten[i].used = false;
			if (forgotten[i].version != version ||
				!TransactionIdEquals(forgotten[i].version_xmin, xmin))
				reason = GRAPH_BUILD_VERSION_CHANGED;
			else if (!stale_dropped)
				reason = forgotten[i].reason;
		}
	return reason;
}

/* Drops a cached snapshot; `reason` is kept for the tenant's next build (not for a stale one). */
static void
cache_drop(int slot, GraphBuildReason reason)
{
	if (cache[slot])
	{
		if (reason != GRAPH_BUILD_VERSION_CHANGED)
			forget_snapshot(cache[slot], reason);
		MemoryContextDelete(cache[slot]->cxt);
		cache[slot] = NULL;
	}
}

void
graph_cache_clear(void)
{
	for (int i = 0; i < GRAPH_CACHE_SLOTS; i++)
		cache_drop(i, GRAPH_BUILD_CACHE_CLEARED);
}

const char *
graph_build_reason_name(GraphBuildReason reason)
{
	switch (reason)
	{
		case GRAPH_BUILD_FIRST_USE:
			return "first use";
		case GRAPH_BUILD_VERSION_CHANGED:
			return "version changed";
		case GRAPH_BUILD_MEMORY_BUDGET:
			return "evicted for memory budget";
		case GRAPH_BUILD_CACHE_SLOTS:
			return "evicted for cache slots";
		case GRAPH_BUILD_CACHE_CLEARED:
			return "cache cleared";
	}
	return "unknown";
}

void
graph_cache_counters(uint64 *builds, uint64 *hits)
{
	*builds = stat_builds;
	*hits = stat_hits;
}

/* Evicts the least recently used snapshots (never `keep`) until `need` more bytes fit. */
static void
cache_make_room(Size need, GraphSnapshot *keep)
{
	Size		limit = (Size) graph_cache_mb * 1024 * 1024;

	while (graph_cache_bytes() + need > limit)
	{
		int			victim = -1;

		for (int i = 0; i < GRAPH_CACHE_SLOTS; i++)
			if (cache[i] && cache[i] != keep &&
				(victim < 0 || cache[i]->last_used < cache[victim]->last_used))
				victim = i;
		if (victim < 0)
			break;
		cache_drop(victim, GRAPH_BUILD_MEMORY_BUDGET);
	}
}

GraphSnapshot *
graph_snapshot_current(void)
{
	int64		tenant = tenant_current();
	bool		pushed = false;
	Snapshot	snap;
	int64		version;
	TransactionId xmin;
	GraphSnapshot *gs;
	MemoryContext cxt,
				old;
	instr_time	start,
				elapsed;
	int			slot = -1;
	bool		stale_dropped = false;

	require_select(graph_relid("nodes"), "nodes");
	require_select(graph_relid("edges"), "edges");
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	snap = GetActiveSnapshot();
	read_version(tenant, snap, &version, &xmin);
	for (int i = 0; i < GRAPH_CACHE_SLOTS; i++)
	{
		if (cache[i] == NULL || cache[i]->tenant_id != tenant)
			continue;
		if (cache[i]->version == version && TransactionIdEquals(cache[i]->version_xmin, xmin))
		{
			cache[i]->last_used = ++use_clock;
			stat_hits++;
			if (pushed)
				PopActiveSnapshot();
			return cache[i];
		}
		cache_drop(i, GRAPH_BUILD_VERSION_CHANGED); /* stale */
		stale_dropped = true;
	}

	if (cache_cxt == NULL)
		cache_cxt = AllocSetContextCreate(TopMemoryContext, "infracast graph cache",
										  ALLOCSET_DEFAULT_SIZES);
	/* Built under the caller's context: an error here frees it all. */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "infracast graph snapshot",
								ALLOCSET_DEFAULT_SIZES);
	gs = MemoryContextAllocZero(cxt, sizeof(GraphSnapshot));
	gs->cxt = cxt;
	gs->tenant_id = tenant;
	gs->version = version;
	gs->version_xmin = xmin;
	gs->build_reason = build_reason(tenant, version, xmin, stale_dropped);
	INSTR_TIME_SET_CURRENT(start);
	old = build_target;
	build_target = cxt;
	PG_TRY();
	{
		MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "infracast graph build",
													  ALLOCSET_DEFAULT_SIZES);
		MemoryContext prev = MemoryContextSwitchTo(scratch);

		build_snapshot(gs, snap);
		MemoryContextSwitchTo(prev);
		MemoryContextDelete(scratch);
	}
	PG_FINALLY();
	{
		build_target = old;
	}
	PG_END_TRY();
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	gs->build_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	gs->built_at = GetCurrentTimestamp();
	gs->last_used = ++use_clock;
	stat_builds++;
	if (pushed)
		PopActiveSnapshot();

	cache_make_room(snapshot_bytes(gs), NULL);
	for (int i = 0; i < GRAPH_CACHE_SLOTS && slot < 0; i++)
		if (cache[i] == NULL)
			slot = i;
	if (slot < 0)
	{
		slot = 0;
		for (int i = 1; i < GRAPH_CACHE_SLOTS; i++)
			if (cache[i]->last_used < cache[slot]->last_used)
				slot = i;
		cache_drop(slot, GRAPH_BUILD_CACHE_SLOTS);
	}
	MemoryContextSetParent(cxt, cache_cxt);
	cache[slot] = gs;
	return gs;
}

void
graph_entry_reach(GraphSnapshot *gs)
{
	const GrGraph *g = &gs->g;
	uint32	   *sources;
	uint32		ns = 0;
	GrSearch   *s;
	float	   *cost;
	uint32	   *hops;

	if (gs->entry_reach_ready)
		return;
	cache_make_room((Size) g->n * (sizeof(float) + sizeof(uint32)), gs);
	sources = palloc(sizeof(uint32) * (g->n + 1));
	for (uint32 v = 0; v < g->n; v++)
		if (g->node_flags[v] & GR_ENTRY)
			sources[ns++] = v;
	cost = MemoryContextAllocHuge(gs->cxt, sizeof(float) * (g->n + 1));
	hops = MemoryContextAllocHuge(gs->cxt, sizeof(uint32) * (g->n + 1));
	s = gr_search_new(g);
	gr_shortest_paths(s, sources, ns, false, GR_NONE, INFINITY, GR_NO_LIMIT, NULL, 0);
	for (uint32 v = 0; v < g->n; v++)
		cost[v] = (float) s->dist[v];
	gr_bfs(s, sources, ns, false, GR_NO_LIMIT);
	for (uint32 v = 0; v < g->n; v++)
		hops[v] = s->hops[v];
	gr_search_free(s);
	pfree(sources);
	gs->entry_cost = cost;
	gs->entry_hops = hops;
	gs->entry_reach_ready = true;
}

void
graph_node_exposure(GraphNodeExposure *items, int nitems)
{
	GraphSnapshot *gs = graph_snapshot_current();

	graph_entry_reach(gs);
	for (int i = 0; i < nitems; i++)
	{
		uint32		v = gr_node_index(&gs->g, items[i].node);

		items[i].known = (v != GR_NONE);
		items[i].reachable = items[i].known && gs->entry_hops[v] != UINT32_MAX;
		items[i].best_likelihood = items[i].reachable ? exp(-(double) gs->entry_cost[v]) : 0.0;
		items[i].hops = items[i].reachable ? (int32) gs->entry_hops[v] : -1;
	}
}
