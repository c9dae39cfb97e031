/*
 * graph_init.c: GUCs and hooks of the graph subsystem, defined from _PG_init.
 */
#include "graph/graph.h"

#include <limits.h>

#include "utils/guc.h"

/* Defines infracast.graph_cache_mb and points the plain-C core at palloc and interrupts. */
void
graph_init(void)
{
	DefineCustomIntVariable("infracast.graph_cache_mb",
							"Memory one backend may keep for cached graph snapshots.",
							"A snapshot takes about 12 bytes per edge and 17 per node; older "
							"tenants' snapshots are evicted first, and a graph that alone does not "
							"fit raises SQLSTATE IC104.",
							&graph_cache_mb,
							1024, 1, INT_MAX / 2,
							PGC_SUSET,
							GUC_UNIT_MB,
							NULL, NULL, NULL);
	graph_install_hooks();
}
