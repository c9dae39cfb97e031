/*
 * feed_status_recorder.c: a one-shot background worker that writes a failed load's 'error' row to
 * infracast.feed_status in its own transaction (see src/feeds/feed_status.c for why).
 */
#include "feeds/feeds.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"

#include "feeds/feed_status_job.h"

void
feeds_status_recorder_main(Datum arg)
{
	dsm_segment *seg;
	FeedStatusJob *job;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	seg = dsm_attach(DatumGetUInt32(arg));
	if (seg == NULL)
		proc_exit(0);			/* the backend gave up waiting */
	job = dsm_segment_address(seg);
	BackgroundWorkerInitializeConnectionByOid(job->database, job->role, 0);

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "recording a feed load failure");
		/* never wait long for a row lock: the backend that asked is waiting for us */
		feeds_spi_exec("SET LOCAL lock_timeout = '10s'", 0, NULL, NULL, NULL);
		feeds_status_write_error(job->feed, job->path, job->message);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		job->done = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		HOLD_INTERRUPTS();
		edata = CopyErrorData();
		strlcpy(job->failure, edata->message, sizeof(job->failure));
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		RESUME_INTERRUPTS();
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	dsm_detach(seg);
	proc_exit(0);
}
