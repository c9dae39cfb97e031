/*
 * graph_core.h: the attack-path engine's plain-C core (no PostgreSQL headers, so it is
 * unit-tested with test/unit and Valgrind). Other subsystems include graph/graph.h, the server
 * side, which includes this one.
 *
 * A tenant's graph is held as a compressed sparse row (CSR) snapshot with dense node indexes
 * 0..n-1 (node ids ascending), a forward adjacency (destination + cost per arc) and a reverse
 * adjacency (source per arc; its cost is found in the forward row, which is sorted by
 * destination). Parallel edges (same source and destination) are merged into one arc with the
 * smallest cost, as pgRouting does, so a path is a sequence of nodes. An arc's cost is
 * -ln(likelihood), kept as float (4 bytes) to hold the snapshot to 12 bytes per arc plus 17 bytes
 * per node; searches add costs in double, and the SQL layer reports exact costs computed from the
 * edges' own likelihoods.
 *
 * The core never raises errors. It allocates through gr_hooks (palloc in the server, malloc in
 * the unit tests) and calls GR_CHECK_INTERRUPTS() in every loop, which in the server is
 * CHECK_FOR_INTERRUPTS() (so query cancel and statement_timeout work; memory is reclaimed by the
 * memory context).
 */
#ifndef INFRACAST_GRAPH_CORE_H
#define INFRACAST_GRAPH_CORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GR_NONE      UINT32_MAX			/* "no node" in a uint32 node slot */
#define GR_NO_LIMIT  UINT32_MAX			/* no hop limit */
#define GR_MAX_ARCS  ((uint64_t) INT32_MAX)	/* largest snapshot the 32-bit offsets allow */

/* node_flags bits */
#define GR_ENTRY     0x01				/* nodes.entry_point */
#define GR_JEWEL     0x02				/* nodes.crown_jewel */
#define GR_PRINCIPAL 0x04				/* its node kind is a principal (account, host, vm...) */

/* Allocation and interrupt hooks: the server points them at palloc and CHECK_FOR_INTERRUPTS. */
typedef struct GrHooks
{
	void	   *(*alloc) (size_t size);		/* scratch memory; never returns NULL */
	void	   *(*alloc_keep) (size_t size);	/* memory of a snapshot being built */
	void		(*release) (void *ptr);
	void		(*interrupt) (void);			/* called when *interrupt_pending is set */
	volatile sig_atomic_t *interrupt_pending;
} GrHooks;

extern GrHooks gr_hooks;

/* A copy of old (oldbytes of it, then released) in newbytes of scratch: how growing arrays grow. */
extern void *gr_grow(void *old, size_t oldbytes, size_t newbytes);

#define GR_CHECK_INTERRUPTS() \
	do { if (__builtin_expect(*gr_hooks.interrupt_pending != 0, 0)) gr_hooks.interrupt(); } while (0)

/* The snapshot. All arrays are allocated with gr_hooks.alloc_keep. */
typedef struct GrGraph
{
	uint32_t	n;				/* nodes */
	uint32_t	m;				/* arcs (distinct source/destination pairs) */
	uint64_t	edge_rows;		/* edge rows read, before parallel edges were merged */
	uint64_t	edges_skipped;	/* edge rows naming a node not in the snapshot */
	int64_t    *node_id;		/* [n] ascending */
	uint8_t    *node_flags;		/* [n] GR_* bits */
	uint32_t   *fwd_off;		/* [n+1] */
	uint32_t   *fwd_dst;		/* [m] ascending within each row */
	float	   *fwd_cost;		/* [m] -ln(best likelihood among the parallel edges) */
	uint32_t   *rev_off;		/* [n+1] */
	uint32_t   *rev_src;		/* [m] ascending within each row */
	double		cost_mean;		/* mean and largest arc cost, for gr_reach()'s bucket width */
	float		cost_max;
} GrGraph;

/* ---- csr.c: building a snapshot ---------------------------------------------------------- */
typedef struct GrBuilder GrBuilder;

extern GrBuilder *gr_builder_new(void);
extern void gr_builder_add_node(GrBuilder *b, int64_t id, uint8_t flags);
/* After the last node: sorts the ids and builds the id map. False when an id repeats. */
extern bool gr_builder_nodes_done(GrBuilder *b);
extern void gr_builder_add_edge(GrBuilder *b, int64_t src, int64_t dst, double likelihood);
/* Bytes the finished snapshot will take if no more edges come. */
extern size_t gr_builder_snapshot_bytes(const GrBuilder *b);
extern uint64_t gr_builder_edge_rows(const GrBuilder *b);
/* Builds the snapshot into *g (arrays from alloc_keep) and releases the builder's scratch. */
extern void gr_builder_finish(GrBuilder *b, GrGraph *g);

extern size_t gr_graph_bytes(const GrGraph *g);
/* Dense index of a node id, or GR_NONE. */
extern uint32_t gr_node_index(const GrGraph *g, int64_t id);
/* Position of arc u->v in the forward arrays, or GR_NONE. */
extern uint32_t gr_arc_find(const GrGraph *g, uint32_t u, uint32_t v);
/* Cost of arc u->v (must exist). */
extern double gr_arc_cost(const GrGraph *g, uint32_t u, uint32_t v);
/* Index of the row (source node) holding forward position pos. */
extern uint32_t gr_arc_source(const GrGraph *g, uint32_t pos);

/* ---- search.c: shortest paths and reachability ------------------------------------------- */

/*
 * Scratch of one SQL call, reused by its many searches: per-node arrays sized n, reset in time
 * proportional to what the last search touched (Yen runs hundreds of searches on big graphs).
 */
typedef struct GrSearch
{
	const GrGraph *g;
	double	   *dist;			/* [n] best cost found, INFINITY when unreached */
	uint32_t   *pred;			/* [n] predecessor on the best path, GR_NONE for a source; of
								 * equally good ones (Dijkstra), the lowest index */
	uint32_t   *hops;			/* [n] fewest hops (BFS), arcs on the best path (hop-bounded) */
	uint32_t   *order;			/* nodes in the order they were settled */
	uint32_t	norder;
	uint8_t    *blocked;		/* [n] nodes a search must not enter (set by the caller) */
	/* Optional early stop of Dijkstra (set by the caller): once stop_count nodes marked in
	 * stop_mask are settled, the rest of the graph is left unsettled. */
	const uint8_t *stop_mask;
	uint32_t	stop_count;
	/* private */
	uint32_t   *touched;		/* nodes whose slots the last search wrote */
	uint32_t	ntouched;
	struct GrHeap *heap;
	struct GrLazyHeap *lazy;
	bool		last_reverse;	/* the last search walked arcs backwards */
	bool		last_hop_bounded;	/* ... and kept its paths in the hop log */
	struct GrHopLog *log;
	struct GrBackward *back;	/* the backward half of bidirectional searches */
	struct GrReach *reach;		/* gr_reach()'s scratch (reach.c) */
} GrSearch;

extern GrSearch *gr_search_new(const GrGraph *g);
extern void gr_search_free(GrSearch *s);
/* Forgets the last search (in time proportional to what it touched). */
extern void gr_search_reset(GrSearch *s);

/*
 * Most likely paths from every source (multi-source; reverse = walk arcs backwards, i.e. paths
 * *to* the sources). Stops when `target` (unless GR_NONE) is settled or costs pass max_cost.
 * With max_hops != GR_NO_LIMIT the paths have at most max_hops arcs (hop-bounded Bellman-Ford).
 * Arcs out of the single source into banned[0..nbanned-1] are ignored (Yen's spur searches).
 * Afterwards dist/pred/hops describe every node in order[0..norder-1]; the others are unreached.
 */
extern void gr_shortest_paths(GrSearch *s, const uint32_t *sources, uint32_t nsources,
							  bool reverse, uint32_t target, double max_cost, uint32_t max_hops,
							  const uint32_t *banned, uint32_t nbanned);

/*
 * The most likely path from src to dst (src != dst) by bidirectional Dijkstra, which settles far
 * fewer nodes than a one-sided search on large graphs. Honours blocked[] and, like
 * gr_shortest_paths, ignores arcs out of src into banned[]. Writes the path's nodes into out
 * (capacity n) and its cost into *cost; returns the node count, 0 when dst is unreachable.
 * It leaves dist/pred/order of the search undefined.
 */
extern uint32_t gr_best_path(GrSearch *s, uint32_t src, uint32_t dst, const uint32_t *banned,
							 uint32_t nbanned, uint32_t *out, double *cost);

/* Fewest hops from the sources (reverse: to them), up to max_hops; fills hops/pred/order. */
extern void gr_bfs(GrSearch *s, const uint32_t *sources, uint32_t nsources, bool reverse,
				   uint32_t max_hops);

/*
 * Everything reachable from the sources (forward, no hop limit, blocked[] ignored), for
 * infracast.blast_radius: hops[] the fewest arcs, dist[]/pred[] the most likely path (the same
 * values as gr_shortest_paths), order[0..norder-1] the nodes with dist <= max_cost in ascending
 * index. Faster than gr_bfs + gr_shortest_paths on graphs larger than the caches (reach.c).
 */
extern void gr_reach(GrSearch *s, const uint32_t *sources, uint32_t nsources, double max_cost);
/* Relaxations per arc gr_reach() allows itself before it finishes with Dijkstra (default 4). */
extern uint32_t gr_reach_budget;
extern void gr_reach_release(GrSearch *s);	/* frees gr_reach()'s scratch */

/*
 * The path the last search found to t, in attack order, into out (capacity n): source..t for a
 * forward search, t..source for a reverse one. Returns its node count, 0 when t is unreached.
 */
extern uint32_t gr_path_nodes(const GrSearch *s, uint32_t t, uint32_t *out);

/* ---- yen.c: k most likely loopless paths ------------------------------------------------- */
typedef struct GrPath
{
	uint32_t	len;			/* nodes */
	uint32_t   *nodes;
	double		cost;			/* sum of arc costs */
} GrPath;

/* Up to k paths from src to dst in order of cost (ties: fewer hops, then node ids). */
extern uint32_t gr_k_shortest_paths(GrSearch *s, uint32_t src, uint32_t dst, uint32_t k,
									uint32_t max_hops, GrPath *out);

/* ---- analysis.c: path counts, dominators, strongly connected components ------------------ */

/*
 * For each source, the most likely path to each target it reaches; node_paths[v] / arc_paths[pos]
 * count how many of those (source, target) paths cross v / the arc (arrays zeroed by the caller).
 * Returns the number of (source, target) pairs with a path (source = target pairs excluded).
 */
extern uint64_t gr_count_best_paths(GrSearch *s, const uint32_t *sources, uint32_t nsources,
									const uint8_t *is_target, uint64_t *node_paths,
									uint64_t *arc_paths);

/*
 * Dominators of the graph reached from all sources (a virtual root above them): idom[v] is v's
 * immediate dominator, GR_NONE for a source (dominated by the root only) or an unreached node.
 * dominated_targets[v] counts the targets whose every path from the sources crosses v (v itself
 * counted when it is a target). Returns the number of reached nodes.
 */
extern uint32_t gr_dominators(const GrGraph *g, const uint32_t *sources, uint32_t nsources,
							  const uint8_t *is_target, uint32_t *idom,
							  uint32_t *dominated_targets);

/* Strongly connected components: comp[v] in 0..count-1; returns count. */
extern uint32_t gr_strong_components(const GrGraph *g, uint32_t *comp);

/* ---- mincut.c: cheapest set of arcs separating sources from targets ------------------------ */

/*
 * Minimum cut between the sources and the targets with capacity cap[pos] per forward arc
 * (cap >= 0). Of the cheapest cuts it returns the one nearest the sources (the arcs leaving the
 * set of nodes the sources still reach in the residual graph), which is unique. Sources that are
 * also targets must be left out by the caller. Writes the cut arcs' forward positions, ascending,
 * into cut (capacity m) and returns their count; *total gets the cut's capacity.
 */
extern uint32_t gr_min_cut(const GrGraph *g, const uint32_t *sources, uint32_t nsources,
						   const uint8_t *is_target, const double *cap, uint32_t *cut,
						   double *total);

#endif							/* INFRACAST_GRAPH_CORE_H */
