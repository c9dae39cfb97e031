/*
 * graph.h: what the graph engine offers the rest of the extension (server side); the header
 * other subsystems include.
 *
 * Other subsystems (risk scoring, the API) call graph_node_exposure() to learn, for inventory
 * nodes of the current tenant, whether an entry point can reach them, the best path likelihood
 * and the fewest hops; or take the current snapshot with graph_snapshot_current() and run the
 * plain-C algorithms of graph/graph_core.h on it. Error SQLSTATEs of the engine (docs/graph.md):
 *   IC101  a node id is not a node of the current tenant
 *   IC102  no sources given and the tenant has no entry points
 *   IC103  no targets given and the tenant has no crown jewels
 *   IC104  the snapshot does not fit in infracast.graph_cache_mb
 *   IC105  too many paths asked for (k above 100, or pairs times k above 100000)
 *   IC106  the graph is beyond the engine's 32-bit indexes
 */
#ifndef INFRACAST_GRAPH_H
#define INFRACAST_GRAPH_H

#include "infracast.h"

#include "graph/graph_core.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#define ERRCODE_IC_UNKNOWN_NODE        MAKE_SQLSTATE('I', 'C', '1', '0', '1')
#define ERRCODE_IC_NO_ENTRY_POINTS     MAKE_SQLSTATE('I', 'C', '1', '0', '2')
#define ERRCODE_IC_NO_CROWN_JEWELS     MAKE_SQLSTATE('I', 'C', '1', '0', '3')
#define ERRCODE_IC_GRAPH_CACHE_FULL    MAKE_SQLSTATE('I', 'C', '1', '0', '4')
#define ERRCODE_IC_TOO_MANY_PATHS      MAKE_SQLSTATE('I', 'C', '1', '0', '5')
#define ERRCODE_IC_GRAPH_TOO_LARGE     MAKE_SQLSTATE('I', 'C', '1', '0', '6')

#define GRAPH_MAX_K            100
#define GRAPH_MAX_PATHS        100000

/* infracast.graph_cache_mb: bound on the snapshots one backend keeps (MB). */
extern int	graph_cache_mb;

/* Why a snapshot was built (graph_stats().build_reason). */
typedef enum GraphBuildReason
{
	GRAPH_BUILD_FIRST_USE,		/* no snapshot of this tenant in this backend yet */
	GRAPH_BUILD_VERSION_CHANGED,	/* the graph version (or its row's xmin) moved */
	GRAPH_BUILD_MEMORY_BUDGET,	/* evicted to stay within infracast.graph_cache_mb */
	GRAPH_BUILD_CACHE_SLOTS,	/* evicted: more tenants than the cache has slots */
	GRAPH_BUILD_CACHE_CLEARED	/* infracast.graph_cache_clear() */
} GraphBuildReason;

/* A tenant's snapshot, cached in the backend until its graph version moves. */
typedef struct GraphSnapshot
{
	int64		tenant_id;
	int64		version;		/* infracast.graph_versions.version it was built at */
	TransactionId version_xmin; /* ... and the xmin of that row (tells a rolled-back bump) */
	MemoryContext cxt;			/* holds everything below */
	GrGraph		g;
	uint32		entry_points;
	uint32		crown_jewels;
	double		build_ms;
	TimestampTz built_at;
	GraphBuildReason build_reason;
	uint64		last_used;
	/* Reach from the entry points, computed on first use (graph_node_exposure). */
	bool		entry_reach_ready;
	float	   *entry_cost;		/* [n] -ln(best likelihood), INFINITY when unreachable */
	uint32	   *entry_hops;		/* [n] fewest hops, UINT32_MAX when unreachable */
} GraphSnapshot;

/*
 * The current tenant's snapshot, rebuilt first if the tenant's graph changed (a change made
 * earlier in this transaction included). Raises IC001 when no tenant is set, 42501 without
 * SELECT on infracast.nodes and infracast.edges, IC104 past infracast.graph_cache_mb. Valid until
 * the next call.
 */
extern GraphSnapshot *graph_snapshot_current(void);

/* Drops every cached snapshot of this backend. */
extern void graph_cache_clear(void);

/* This backend's snapshot builds and cache hits since it started (every tenant). */
extern void graph_cache_counters(uint64 *builds, uint64 *hits);

/* The text graph_stats() shows for a build reason. */
extern const char *graph_build_reason_name(GraphBuildReason reason);

/* Total bytes of the snapshots cached in this backend. */
extern Size graph_cache_bytes(void);

/* Fills entry_cost / entry_hops of the snapshot if not yet done. */
extern void graph_entry_reach(GraphSnapshot *snap);

/* Exposure of one inventory node to the tenant's entry points. */
typedef struct GraphNodeExposure
{
	int64		node;			/* in: node id */
	bool		known;			/* out: a node of the current tenant */
	bool		reachable;		/* out: some entry point has a path to it (an entry point: true) */
	double		best_likelihood;	/* out: of the most likely such path (0 when unreachable) */
	int32		hops;			/* out: fewest hops from an entry point (-1 when unreachable) */
} GraphNodeExposure;

/* Fills items[0..nitems-1] for the current tenant. Unknown ids get known = false (no error). */
extern void graph_node_exposure(GraphNodeExposure *items, int nitems);

/* infracast.<name>'s oid (42P01 with a hint when the extension is missing). */
extern Oid	graph_relid(const char *name);

/* The attribute number of a column of an infracast table (elog when absent: can't happen). */
extern AttrNumber graph_attnum(Relation rel, const char *name);

/* Installs the allocation and interrupt hooks of the core (called from graph_init). */
extern void graph_install_hooks(void);

#endif							/* INFRACAST_GRAPH_H */
