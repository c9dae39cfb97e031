/*
 * feed_insert.c: bulk inserts for the loaders, the way COPY FROM does them.
 *
 * Rows are built straight into table slots (no text round trip), handed to table_multi_insert() a
 * thousand at a time with a bulk-insert state, and their index entries are made right after, with
 * the unique checks of a normal insert. This is why a 340k-row EPSS file loads at COPY speed rather
 * than at one-SPI-call-per-row speed. The tables written have no triggers, no CHECK constraints and
 * no foreign keys (see 40_feeds.sql); the loaders fill every NOT NULL column themselves.
 */
#include "feeds/feeds.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "utils/memutils.h"

#define FEED_INSERT_BATCH 1000

struct FeedInserter
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	BulkInsertState bistate;
	CommandId	cid;
	TupleDesc	desc;			/* the table's, copied: see feed_inserter_begin() */
	TupleTableSlot *slots[FEED_INSERT_BATCH];
	int			nslots;			/* slots created */
	int			nused;			/* slots holding rows not yet inserted */
	MemoryContext cxt;			/* the inserter and its slots */
	MemoryContext batchcxt;		/* the rows' values, reset after each flush */
	MemoryContext callercxt;
	FeedInserterHook before_flush;
	void	   *before_flush_arg;
};

Oid
feeds_relid(const char *relname)
{
	return RangeVarGetRelid(makeRangeVar("infracast", (char *) relname, -1), NoLock, false);
}

FeedInserter *
feed_inserter_begin(Oid relid)
{
	FeedInserter *fi = palloc0(sizeof(FeedInserter));

	fi->rel = table_open(relid, RowExclusiveLock);
	fi->estate = CreateExecutorState();
	fi->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(fi->rri, fi->rel, 1, NULL, 0);
	ExecOpenIndices(fi->rri, false);
	fi->bistate = GetBulkInsertState();
	fi->cid = GetCurrentCommandId(true);
	fi->cxt = CurrentMemoryContext;

	/*
	 * The slots get a copy of the table's descriptor, which is not reference-counted. With the
	 * relation's own, each of the thousand slots pins it in the resource owner, whose lookups then
	 * degrade to a linear probe over a thousand equal entries; every unique check that meets an
	 * old row (a reload replacing its CVEs) makes and drops a slot, and paid for that probe twice.
	 */
	fi->desc = CreateTupleDescCopy(RelationGetDescr(fi->rel));
	fi->batchcxt = AllocSetContextCreate(CurrentMemoryContext, "feed insert batch", ALLOCSET_DEFAULT_SIZES);
	return fi;
}

int
feed_inserter_natts(FeedInserter *fi)
{
	return RelationGetDescr(fi->rel)->natts;
}

static void
feed_inserter_flush(FeedInserter *fi)
{
	if (fi->nused == 0)
		return;
	if (fi->before_flush != NULL)
		fi->before_flush(fi->before_flush_arg);
	table_multi_insert(fi->rel, fi->slots, fi->nused, fi->cid, 0, fi->bistate);
	for (int i = 0; i < fi->nused; i++)
	{
		if (fi->rri->ri_NumIndices > 0)
		{
			List	   *recheck = ExecInsertIndexTuples(fi->rri, fi->slots[i], fi->estate,
														false, false, NULL, NIL);

			list_free(recheck);
		}
		ExecClearTuple(fi->slots[i]);
	}
	ResetPerTupleExprContext(fi->estate);
	fi->nused = 0;
	MemoryContextReset(fi->batchcxt);
}

/* Runs hook(arg) before each batch is written (the NVD loader deletes the rows being replaced). */
void
feed_inserter_before_flush(FeedInserter *fi, FeedInserterHook hook, void *arg)
{
	fi->before_flush = hook;
	fi->before_flush_arg = arg;
}

/*
 * The next row's value and null arrays (all nulls false to start). The caller builds the values in
 * the current memory context, which is the batch context until feed_inserter_store().
 */
Datum *
feed_inserter_row(FeedInserter *fi, bool **nulls)
{
	TupleTableSlot *slot;

	if (fi->nused == fi->nslots)
	{
		MemoryContext old = MemoryContextSwitchTo(fi->cxt);

		fi->slots[fi->nslots++] = MakeSingleTupleTableSlot(fi->desc, table_slot_callbacks(fi->rel));
		MemoryContextSwitchTo(old);
	}
	slot = fi->slots[fi->nused];
	ExecClearTuple(slot);
	memset(slot->tts_isnull, 0, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	*nulls = slot->tts_isnull;
	fi->callercxt = MemoryContextSwitchTo(fi->batchcxt);
	return slot->tts_values;
}

void
feed_inserter_store(FeedInserter *fi)
{
	MemoryContextSwitchTo(fi->callercxt);
	ExecStoreVirtualTuple(fi->slots[fi->nused]);
	fi->nused++;
	if (fi->nused == FEED_INSERT_BATCH)
		feed_inserter_flush(fi);
}

void
feed_inserter_end(FeedInserter *fi)
{
	feed_inserter_flush(fi);
	for (int i = 0; i < fi->nslots; i++)
		ExecDropSingleTupleTableSlot(fi->slots[i]);
	FreeBulkInsertState(fi->bistate);
	table_finish_bulk_insert(fi->rel, 0);
	ExecCloseIndices(fi->rri);
	FreeExecutorState(fi->estate);
	table_close(fi->rel, NoLock);
	MemoryContextDelete(fi->batchcxt);
	pfree(fi);
	CommandCounterIncrement();
}

/* Runs one statement with typed parameters; errors are raised as usual. */
void
feeds_spi_exec(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute_with_args failed (%d): %s", rc, sql);
}
