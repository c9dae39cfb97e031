/*
 * feed_status_job.h: what a backend hands the feed status recorder (in a DSM segment).
 */
#ifndef FEED_STATUS_JOB_H
#define FEED_STATUS_JOB_H

typedef struct FeedStatusJob
{
	Oid			database;
	Oid			role;
	char		feed[64];
	char		path[1024];
	char		message[4096];
	bool		done;			/* set by the recorder after its commit */
	char		failure[512];	/* set by the recorder when it could not write */
} FeedStatusJob;

#endif							/* FEED_STATUS_JOB_H */
