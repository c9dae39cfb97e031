/*
 * graph_sql.h: what the SQL entry points of the graph engine share (private to src/graph): the
 * argument helpers (sql_args.c) and the read-back of the edges behind a path's steps
 * (arc_edges.c). Nothing outside src/graph includes it.
 */
#ifndef INFRACAST_GRAPH_SQL_H
#define INFRACAST_GRAPH_SQL_H

#include "graph/graph.h"

#include "fmgr.h"

/* ---- arguments (sql_args.c) ---- */

/* The current tenant's snapshot for an attack-path analysis (licence feature attack_paths). */
extern GraphSnapshot *analysis_snapshot(void);

/* qsort comparator of uint32 values. */
extern int	uint32_cmp(const void *a, const void *b);

/* Every node with `flag` (GR_ENTRY or GR_JEWEL); IC102/IC103 when there is none. */
extern uint32 *flagged_nodes(GraphSnapshot *gs, uint8 flag, const char *argname, uint32 *count);

/* Node indexes from a bigint[] argument, sorted and unique; NULL means flagged_nodes(). */
extern uint32 *nodes_argument(FunctionCallInfo fcinfo, int argno, const char *argname,
							  GraphSnapshot *gs, uint8 flag, uint32 *count);

/* A byte per node, 1 for the given nodes. */
extern uint8 *node_mask(const GrGraph *g, const uint32 *nodes, uint32 count);

/* A max_hops argument: NULL means no bound; negative raises 22023. */
extern uint32 max_hops_argument(FunctionCallInfo fcinfo, int argno);

/* A bigint argument that must not be NULL. */
extern int64 single_node_argument(FunctionCallInfo fcinfo, int argno, const char *argname);

/* ---- edges of path steps (arc_edges.c) ---- */

typedef struct ArcEdge
{
	uint32		u,
				v;
	bool		found;			/* false when no edge has these endpoints (deleted since the snapshot) */
	int64		edge;
	double		likelihood;
} ArcEdge;

/* Sorts arcs, drops repeats, fills in each arc's edge (id, likelihood); returns the new count. */
extern uint32 arcs_resolve(const GraphSnapshot *gs, ArcEdge *arcs, uint32 n);

/* The arc (u, v) among n resolved arcs (NULL when absent). */
extern ArcEdge *arc_lookup(ArcEdge *arcs, uint32 n, uint32 u, uint32 v);

#endif							/* INFRACAST_GRAPH_SQL_H */
