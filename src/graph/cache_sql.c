/*
 * cache_sql.c: the snapshot cache as SQL sees it: infracast.graph_stats (the current tenant's
 * snapshot, why it was built, this backend's builds and hits) and graph_cache_clear.
 */
#include "graph/graph_sql.h"

#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(infracast_graph_stats);
PG_FUNCTION_INFO_V1(infracast_graph_cache_clear);

/* ---- graph_stats, graph_cache_clear ----------------------------------------------------------- */

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
