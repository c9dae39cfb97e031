/*
 * discovery_worker.c: the discovery worker, which takes jobs from infracast.discovery_jobs and
 * walks their devices with SNMP, or collects from them over SSH.
 *
 * Runs only with shared_preload_libraries (registered in registration.c), connected to
 * infracast.database; it waits quietly until CREATE EXTENSION infracast has been run there.
 *
 *  - Every infracast.discovery_poll_interval it claims the oldest due queued job (FOR UPDATE SKIP
 *    LOCKED, state running, attempts + 1) — unless the licence is not valid or lacks the discovery
 *    feature: then jobs wait, and it says so once.
 *  - It opens the job's credential in memory, expands the targets and walks up to
 *    infracast.discovery_concurrency devices at once: one net-snmp session each, all driven from
 *    one WaitEventSet (the sockets, the latch, postmaster death), each with its own deadline
 *    (infracast.discovery_device_timeout).
 *  - SSH jobs go the same way with one libssh session per device (src/discovery/ssh_collect.c,
 *    non-blocking, driven from the same kind of wait), checked against the host keys pinned in
 *    infracast.ssh_host_keys (read once per job, before any connection).
 *  - Each device is stored in its own transaction (infracast.discovery_store_snmp or
 *    discovery_store_ssh), so a device done is never lost; a device that fails is recorded in
 *    discovery_runs with the reason, and nothing known before about it is touched.
 *  - The job ends done (or queued again for its schedule) when a device answered, else queued again
 *    after a back-off doubling from infracast.discovery_retry_delay, and failed after
 *    infracast.discovery_max_attempts attempts.
 *
 * SIGTERM ends it at the next CHECK_FOR_INTERRUPTS (within one wait: at most a second); a job it
 * was running is queued again when the worker starts next. SIGHUP re-reads the GUCs between jobs.
 */
#include "discovery/discovery.h"
#include "discovery/snmp_walk.h"
#include "discovery/ssh_collect.h"
#include "discovery/ssh_parse.h"
#include "license/license.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PGDLLEXPORT void discovery_worker_main(Datum arg);

typedef struct DiscoveryJob
{
	int64		tenant;
	int64		id;
	int			attempt;
	int			port;
	bool		ssh;			/* method ssh, else snmp */
	bool		have_credential;
	char	   *kind;
	char	   *username;
	char	   *auth_protocol;
	char	   *priv_protocol;
	DiscoverySecrets secrets;
	char	  **targets;
	int			ntargets;
	/* SSH: the host key pinned for each target (NULL on first use) */
	char	  **pin_type;
	char	  **pin_fingerprint;
	/* outcome */
	int			answered;		/* devices ok or partial */
	int			failed;
	char	   *first_error;
} DiscoveryJob;

typedef struct DeviceSlot
{
	SnmpWalk   *walk;			/* an SNMP job's device */
	SshCollect *ssh;			/* an SSH job's device */
	int			target;
	TimestampTz started;
	TimestampTz deadline;
} DeviceSlot;

/* The walks of the running job: closed by the error path too, so no session or socket leaks. */
static DeviceSlot *slots = NULL;
static int	nslots = 0;

/* The running job's opened secrets: wiped by the error path too, before its memory is reused. */
static DiscoverySecrets *open_secrets = NULL;

static void
worker_close_slots(void)
{
	for (int i = 0; i < nslots; i++)
	{
		if (slots[i].walk)
			snmp_walk_free(slots[i].walk);
		if (slots[i].ssh)
			ssh_collect_free(slots[i].ssh);
	}
	nslots = 0;
}

/* ---- transactions ----------------------------------------------------------------------- */

static void
worker_xact_begin(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/* The job's memory context (reset after every job); set once the worker has made it. */
static MemoryContext worker_job_context = NULL;

/*
 * Commits, then returns to the job's memory context: CommitTransactionCommand leaves
 * TopMemoryContext current, where whatever the walk allocated next would never be freed.
 */
static void
worker_xact_commit(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(worker_job_context ? worker_job_context : TopMemoryContext);
}

static void
worker_exec(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls, int expect)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

	if (rc != expect)
		elog(ERROR, "infracast discovery worker: SPI returned %d for: %s", rc, sql);
}

/* Ends the current (failed) transaction and returns the error's message, in ctx. */
static char *
worker_catch_error(MemoryContext ctx)
{
	ErrorData  *edata;
	char	   *msg;

	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(ctx);
	edata = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	MemoryContextSwitchTo(ctx);	/* the abort left TopMemoryContext current */
	RESUME_INTERRUPTS();
	msg = edata->message ? pstrdup(edata->message) : pstrdup("unknown error");
	FreeErrorData(edata);
	return msg;
}

static bool
worker_extension_ready(void)
{
	bool		ready;

	worker_xact_begin();
	/* at this library's version: after an upgrade, wait for ALTER EXTENSION ... UPDATE */
	worker_exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'infracast' AND extversion = '" INFRACAST_EXTVERSION "'",
				0, NULL, NULL, NULL, SPI_OK_SELECT);
	ready = SPI_processed > 0;
	worker_xact_commit();
	return ready;
}

/* Jobs left running by a worker that ended (SIGTERM, crash, shutdown) are queued again. */
static void
worker_requeue_interrupted(void)
{
	worker_xact_begin();
	worker_exec("UPDATE infracast.discovery_jobs j SET state = CASE WHEN EXISTS ("
				"  SELECT 1 FROM infracast.discovery_jobs d WHERE d.tenant_id = j.tenant_id AND d.state = 'queued'"
				"   AND d.method = j.method AND d.targets = j.targets AND d.port = j.port"
				"   AND d.credential_id IS NOT DISTINCT FROM j.credential_id) THEN 'failed' ELSE 'queued' END,"
				" last_error = 'interrupted: the discovery worker stopped during the job', not_before = pg_catalog.now()"
				" WHERE state = 'running'", 0, NULL, NULL, NULL, SPI_OK_UPDATE);
	if (SPI_processed > 0)
		ereport(LOG, (errmsg("infracast discovery worker queued again %lu interrupted job(s)", (unsigned long) SPI_processed)));
	worker_xact_commit();
}

static char *
worker_getstr(int row, int col, MemoryContext ctx)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(ctx, v) : NULL;
}

/*
 * Claims the oldest due job (its own transaction). Returns false when there is none or when the
 * licence does not allow discovery (*refused then says why).
 */
static bool
worker_claim(DiscoveryJob *job, MemoryContext jobcxt, const char **refused)
{
	bool		isnull;
	Oid			types[2] = {INT8OID, TEXTARRAYOID};
	Datum		values[2];

	*refused = NULL;
	worker_xact_begin();
	if (!license_allows_writes())
		*refused = psprintf("the licence is %s", license_state_name(license_current_state()));
	else if (!license_has_feature("discovery"))
		*refused = "the licence does not include the discovery feature";
	if (*refused)
	{
		*refused = MemoryContextStrdup(jobcxt, *refused);
		worker_xact_commit();
		return false;
	}
	worker_exec("WITH c AS (SELECT tenant_id, id FROM infracast.discovery_jobs"
				"  WHERE state = 'queued' AND not_before <= pg_catalog.now()"
				"  ORDER BY not_before, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
				" UPDATE infracast.discovery_jobs j SET state = 'running', attempts = j.attempts + 1,"
				"   started_at = pg_catalog.now(), finished_at = NULL"
				" FROM c WHERE j.tenant_id = c.tenant_id AND j.id = c.id"
				" RETURNING j.tenant_id, j.id, j.attempts, j.port, j.targets, j.method = 'ssh'",
				0, NULL, NULL, NULL, SPI_OK_UPDATE_RETURNING);
	if (SPI_processed == 0)
	{
		worker_xact_commit();
		return false;
	}
	memset(job, 0, sizeof(*job));
	job->tenant = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	job->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	job->attempt = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	job->port = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	job->ssh = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6, &isnull));
	values[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull);
	worker_exec("SELECT t FROM infracast.discovery_expand($2) t", 2, types, values, NULL, SPI_OK_SELECT);
	job->ntargets = (int) SPI_processed;
	job->targets = MemoryContextAlloc(jobcxt, sizeof(char *) * Max(job->ntargets, 1));
	for (int i = 0; i < job->ntargets; i++)
		job->targets[i] = worker_getstr(i, 1, jobcxt);
	worker_xact_commit();
	return true;
}

/* Reads the job's credential and opens its secrets into jobcxt (its own transaction). */
static void
worker_open_credential(DiscoveryJob *job, MemoryContext jobcxt)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(job->tenant), Int64GetDatum(job->id)};
	bool		isnull;
	Datum		sealed;
	MemoryContext old;

	worker_xact_begin();
	worker_exec("SELECT c.kind, c.username, c.auth_protocol, c.priv_protocol, c.sealed,"
				"       infracast.discovery_target_outside(j.targets, c.allowed_targets)"
				" FROM infracast.discovery_jobs j JOIN infracast.credentials c"
				"   ON c.tenant_id = j.tenant_id AND c.id = j.credential_id"
				" WHERE j.tenant_id = $1 AND j.id = $2", 2, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the job's credential no longer exists"),
				 errhint("Queue the job again with an existing credential.")));
	/*
	 * The credential's restriction as it stands now, before its secret is opened: a job queued
	 * before an admin restricted the credential (or outside discover()) is not run outside it.
	 */
	if (SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6) != NULL)
		ereport(ERROR,
				(errcode(MAKE_SQLSTATE('I', 'C', '9', '0', '4')),
				 errmsg("the job aims its credential outside the networks it is restricted to (%s)",
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6)),
				 errhint("Queue it again inside them, or ask an admin to widen the credential with infracast.credential_restrict().")));
	job->kind = worker_getstr(0, 1, jobcxt);
	job->username = worker_getstr(0, 2, jobcxt);
	job->auth_protocol = worker_getstr(0, 3, jobcxt);
	job->priv_protocol = worker_getstr(0, 4, jobcxt);
	sealed = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5, &isnull);
	old = MemoryContextSwitchTo(jobcxt);
	discovery_secrets_open(DatumGetByteaPP(sealed), &job->secrets);
	open_secrets = &job->secrets;
	MemoryContextSwitchTo(old);
	if (!job->ssh && strcmp(job->kind, "snmp_v2c") != 0 && strcmp(job->kind, "snmp_v3") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the job's credential is a %s credential, not an SNMP one", job->kind)));
	if (job->ssh && strcmp(job->kind, "ssh_password") != 0 && strcmp(job->kind, "ssh_key") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the job's credential is a %s credential, not an SSH one", job->kind)));
	job->have_credential = true;
	worker_xact_commit();
}

/* Records reason for targets [from, to) of the job (its own transaction). */
static void
worker_record_failure(DiscoveryJob *job, int from, int to, TimestampTz started, const char *reason)
{
	Oid			types[6] = {INT8OID, INT8OID, INT4OID, TEXTARRAYOID, TIMESTAMPTZOID, TEXTOID};
	Datum		values[6];
	Datum	   *elems = palloc(sizeof(Datum) * Max(to - from, 1));

	for (int i = from; i < to; i++)
		elems[i - from] = CStringGetTextDatum(job->targets[i]);
	values[0] = Int64GetDatum(job->tenant);
	values[1] = Int64GetDatum(job->id);
	values[2] = Int32GetDatum(job->attempt);
	values[3] = PointerGetDatum(construct_array(elems, to - from, TEXTOID, -1, false, TYPALIGN_INT));
	values[4] = TimestampTzGetDatum(started);
	values[5] = CStringGetTextDatum(reason);
	worker_xact_begin();
	worker_exec("SELECT infracast.discovery_record_failure($1, $2, $3, $4, $5, $6)", 6, types, values, NULL, SPI_OK_SELECT);
	worker_xact_commit();
	job->failed += to - from;
}

static void
worker_note_failure(DiscoveryJob *job, MemoryContext jobcxt, const char *target, const char *reason)
{
	if (job->first_error == NULL)
		job->first_error = MemoryContextStrdup(jobcxt, psprintf("%s: %s", target, reason));
}

/* ---- from SNMP values to SQL arrays -------------------------------------------------------- */

/* Printable text in the database encoding, or NULL (binary values go as hex only). */
static char *
worker_value_text(const SnmpValue *v)
{
	switch (v->kind)
	{
		case SNMP_VAL_INT:
			return psprintf(INT64_FORMAT, (int64) v->num);
		case SNMP_VAL_IPADDR:
			if (v->bytes_len != 4)
				return NULL;
			return psprintf("%u.%u.%u.%u", v->bytes[0], v->bytes[1], v->bytes[2], v->bytes[3]);
		case SNMP_VAL_OID:
			return pstrdup((const char *) v->bytes);
		case SNMP_VAL_OCTETS:
			for (size_t i = 0; i < v->bytes_len; i++)
				if (v->bytes[i] < 0x20 && v->bytes[i] != '\t' && v->bytes[i] != '\n' && v->bytes[i] != '\r')
					return NULL;
			if (!pg_verifymbstr((const char *) v->bytes, (int) v->bytes_len, true))
				return NULL;
			return pnstrdup((const char *) v->bytes, v->bytes_len);
		default:
			return NULL;
	}
}

static char *
worker_value_hex(const SnmpValue *v)
{
	static const char digits[] = "0123456789abcdef";
	char	   *out;

	if (v->kind != SNMP_VAL_OCTETS && v->kind != SNMP_VAL_IPADDR)
		return NULL;
	out = palloc(v->bytes_len * 2 + 1);
	for (size_t i = 0; i < v->bytes_len; i++)
	{
		out[2 * i] = digits[v->bytes[i] >> 4];
		out[2 * i + 1] = digits[v->bytes[i] & 15];
	}
	out[v->bytes_len * 2] = '\0';
	return out;
}

/* The OID below its subtree's root, dotted ("5.0", "1.4.192.0.2.7"). */
static char *
worker_value_index(const SnmpValue *v)
{
	StringInfoData s;
	size_t		start = snmp_walk_roots[v->root].oid_len;

	initStringInfo(&s);
	for (size_t i = start; i < v->oid_len; i++)
		appendStringInfo(&s, "%s%u", i > start ? "." : "", v->oid[i]);
	return s.data;
}

static Datum
worker_text_array(Datum *elems, bool *nulls, int n)
{
	int			dims[1] = {n};
	int			lbs[1] = {1};

	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * Runs a device's store function (SQL that returns the discovery_runs id it wrote) in its own
 * transaction and counts the run as answered or failed; a storing error becomes a failed run with
 * the reason. Shared by the SNMP and SSH paths, which differ only in what they pass.
 */
static void
worker_store_run(DiscoveryJob *job, MemoryContext jobcxt, DeviceSlot *slot, MemoryContext storecxt,
				 const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	const char *target = job->targets[slot->target];

	PG_TRY();
	{
		Datum		run;
		Oid			run_type = INT8OID;
		bool		isnull;

		worker_xact_begin();
		worker_exec(sql, nargs, types, values, nulls, SPI_OK_SELECT);
		run = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		worker_exec("SELECT r.state, r.reason FROM infracast.discovery_runs r WHERE r.id = $1",
					1, &run_type, &run, NULL, SPI_OK_SELECT);
		if (SPI_processed != 1)
			elog(ERROR, "the discovery run just stored is missing");
		if (strcmp(TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)), "failed") == 0)
		{
			job->failed++;
			worker_note_failure(job, jobcxt, target, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
		}
		else
			job->answered++;
		worker_xact_commit();
	}
	PG_CATCH();
	{
		char	   *msg = worker_catch_error(storecxt);
		char	   *reason = psprintf("could not store what the device answered: %s", msg);

		ereport(WARNING, (errmsg("infracast discovery of \"%s\" (job " INT64_FORMAT "): %s", target, job->id, reason)));
		worker_record_failure(job, slot->target, slot->target + 1, slot->started, reason);
		worker_note_failure(job, jobcxt, target, reason);
	}
	PG_END_TRY();
}

/* Stores one finished walk (its own transaction); a storing error becomes a failed run. */
static void
worker_store(DiscoveryJob *job, MemoryContext jobcxt, DeviceSlot *slot)
{
	SnmpWalk   *w = slot->walk;
	const char *target = job->targets[slot->target];
	size_t		n;
	const SnmpValue *vals = snmp_walk_values(w, &n);
	bool		failed = snmp_walk_state(w) == SNMP_WALK_FAILED;
	MemoryContext storecxt = AllocSetContextCreate(jobcxt, "discovery store", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(storecxt);
	Datum	   *roots = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *idx = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *txt = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *hex = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *txt_null = palloc(sizeof(bool) * Max(n, 1));
	bool	   *hex_null = palloc(sizeof(bool) * Max(n, 1));
	Datum		complete[SNMP_N_ROOTS];
	int			ncomplete = 0;
	Oid			types[12] = {INT8OID, INT8OID, INT4OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
	TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[12];
	char		nulls[13] = "            ";

	for (size_t i = 0; i < n; i++)
	{
		char	   *t = worker_value_text(&vals[i]);
		char	   *h = worker_value_hex(&vals[i]);

		roots[i] = CStringGetTextDatum(snmp_walk_roots[vals[i].root].name);
		idx[i] = CStringGetTextDatum(worker_value_index(&vals[i]));
		txt_null[i] = t == NULL;
		txt[i] = t ? CStringGetTextDatum(t) : (Datum) 0;
		hex_null[i] = h == NULL;
		hex[i] = h ? CStringGetTextDatum(h) : (Datum) 0;
	}
	for (int r = 0; r < SNMP_N_ROOTS; r++)
		if (snmp_walk_root_complete(w, (SnmpRootId) r))
			complete[ncomplete++] = CStringGetTextDatum(snmp_walk_roots[r].name);
	values[0] = Int64GetDatum(job->tenant);
	values[1] = Int64GetDatum(job->id);
	values[2] = Int32GetDatum(job->attempt);
	values[3] = CStringGetTextDatum(target);
	values[4] = TimestampTzGetDatum(slot->started);
	values[5] = failed ? CStringGetTextDatum(snmp_walk_error(w)) : (Datum) 0;
	nulls[5] = failed ? ' ' : 'n';
	values[6] = CStringGetTextDatum(snmp_walk_notes(w));
	values[7] = worker_text_array(complete, NULL, ncomplete);
	values[8] = worker_text_array(roots, NULL, (int) n);
	values[9] = worker_text_array(idx, NULL, (int) n);
	values[10] = worker_text_array(txt, txt_null, (int) n);
	values[11] = worker_text_array(hex, hex_null, (int) n);

	worker_store_run(job, jobcxt, slot, storecxt,
					 "SELECT infracast.discovery_store_snmp($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
					 12, types, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(storecxt);
}

/* ---- walking ------------------------------------------------------------------------------ */

static bool
worker_start_device(DiscoveryJob *job, MemoryContext jobcxt, int target, DeviceSlot *slot)
{
	const char *host = job->targets[target];
	char		peer[512];
	char		err[512];
	SnmpWalkConfig cfg = {0};

	if (strchr(host, ':') != NULL)
		snprintf(peer, sizeof(peer), "udp6:[%s]:%d", host, job->port);
	else
		snprintf(peer, sizeof(peer), "udp:%s:%d", host, job->port);
	cfg.peer = peer;
	cfg.version = strcmp(job->kind, "snmp_v3") == 0 ? 3 : 2;
	cfg.community = job->secrets.secret;
	cfg.user = job->username;
	cfg.auth_protocol = job->auth_protocol;
	cfg.auth_pass = job->secrets.secret;
	cfg.priv_protocol = job->priv_protocol;
	cfg.priv_pass = job->secrets.priv_secret ? job->secrets.priv_secret : "";
	cfg.timeout_ms = discovery_snmp_timeout_ms;
	cfg.retries = discovery_snmp_retries;
	cfg.max_values = (size_t) discovery_max_values;

	slot->target = target;
	slot->started = GetCurrentTimestamp();
	slot->deadline = TimestampTzPlusMilliseconds(slot->started, discovery_device_timeout_s * 1000L);
	slot->walk = snmp_walk_start(&cfg, err, sizeof(err));
	if (slot->walk == NULL)
	{
		worker_record_failure(job, target, target + 1, slot->started, err);
		worker_note_failure(job, jobcxt, host, err);
		return false;
	}
	return true;
}

/* Waits for any walk's socket, the latch or the nearest timer (at most a second). */
static void
worker_wait(void)
{
	WaitEventSet *set = CreateWaitEventSet(CurrentMemoryContext, nslots + 2);
	WaitEvent  *events = palloc(sizeof(WaitEvent) * (nslots + 2));
	long		timeout = 1000;
	TimestampTz now = GetCurrentTimestamp();
	int			nev;

	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int i = 0; i < nslots; i++)
	{
		long		ms;
		long		to_deadline = TimestampDifferenceMilliseconds(now, slots[i].deadline);
		int			sock;

		if (slots[i].ssh)
		{
			SshCollect *c = slots[i].ssh;

			/*
			 * libssh's own progress (a TCP connect under way, a send it buffered) shows on no
			 * readable socket: look at every session at least every 50 ms.
			 */
			timeout = Min(timeout, Min(to_deadline, 50));
			sock = ssh_collect_socket(c);
			if (sock >= 0 && ssh_collect_state(c) == SSH_COLLECT_RUNNING)
				AddWaitEventToSet(set, WL_SOCKET_READABLE | (ssh_collect_wants_write(c) ? WL_SOCKET_WRITEABLE : 0),
								  sock, NULL, NULL);
			continue;
		}
		ms = snmp_walk_wait_ms(slots[i].walk);
		sock = snmp_walk_socket(slots[i].walk);
		if (ms >= 0)
			timeout = Min(timeout, ms);
		timeout = Min(timeout, to_deadline);
		if (sock >= 0 && snmp_walk_state(slots[i].walk) == SNMP_WALK_RUNNING)
			AddWaitEventToSet(set, WL_SOCKET_READABLE, sock, NULL, slots[i].walk);
		else
			timeout = 0;
	}
	nev = WaitEventSetWait(set, Max(timeout, 0), events, nslots + 2, PG_WAIT_EXTENSION);
	for (int i = 0; i < nev; i++)
	{
		if (events[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);
		if ((events[i].events & WL_SOCKET_READABLE) && events[i].user_data)
			snmp_walk_readable((SnmpWalk *) events[i].user_data);
	}
	FreeWaitEventSet(set);
	pfree(events);
}

/* ---- SSH ---------------------------------------------------------------------------------- */

/* Reads the host keys pinned for the job's targets and port (its own transaction). */
static void
worker_ssh_load_pins(DiscoveryJob *job, MemoryContext jobcxt)
{
	Oid			types[3] = {INT8OID, TEXTARRAYOID, INT4OID};
	Datum		values[3];
	Datum	   *elems = palloc(sizeof(Datum) * Max(job->ntargets, 1));

	for (int i = 0; i < job->ntargets; i++)
		elems[i] = CStringGetTextDatum(job->targets[i]);
	values[0] = Int64GetDatum(job->tenant);
	values[1] = PointerGetDatum(construct_array(elems, job->ntargets, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = Int32GetDatum(job->port);
	job->pin_type = MemoryContextAllocZero(jobcxt, sizeof(char *) * Max(job->ntargets, 1));
	job->pin_fingerprint = MemoryContextAllocZero(jobcxt, sizeof(char *) * Max(job->ntargets, 1));
	worker_xact_begin();
	worker_exec("SELECT k.key_type, k.fingerprint FROM pg_catalog.unnest($2) WITH ORDINALITY AS u(host, o)"
				" LEFT JOIN infracast.ssh_host_keys k ON k.tenant_id = $1 AND k.host = u.host AND k.port = $3"
				" ORDER BY u.o", 3, types, values, NULL, SPI_OK_SELECT);
	for (uint64 i = 0; i < SPI_processed && i < (uint64) job->ntargets; i++)
	{
		job->pin_type[i] = worker_getstr((int) i, 1, jobcxt);
		job->pin_fingerprint[i] = worker_getstr((int) i, 2, jobcxt);
	}
	worker_xact_commit();
}

static bool
worker_ssh_start_device(DiscoveryJob *job, MemoryContext jobcxt, int target, DeviceSlot *slot)
{
	SshCollectConfig cfg = {0};
	char		err[512];

	cfg.host = job->targets[target];
	cfg.port = job->port;
	cfg.user = job->username;
	if (strcmp(job->kind, "ssh_key") == 0)
	{
		cfg.private_key = job->secrets.secret;
		cfg.key_passphrase = job->secrets.priv_secret;
	}
	else
		cfg.password = job->secrets.secret;
	cfg.pinned_type = job->pin_type[target];
	cfg.pinned_fingerprint = job->pin_fingerprint[target];
	cfg.max_output = (size_t) discovery_ssh_max_output;
	cfg.timeout_s = discovery_device_timeout_s;

	memset(slot, 0, sizeof(*slot));
	slot->target = target;
	slot->started = GetCurrentTimestamp();
	slot->deadline = TimestampTzPlusMilliseconds(slot->started, discovery_device_timeout_s * 1000L);
	slot->ssh = ssh_collect_start(&cfg, err, sizeof(err));
	if (slot->ssh == NULL)
	{
		worker_record_failure(job, target, target + 1, slot->started, err);
		worker_note_failure(job, jobcxt, cfg.host, err);
		return false;
	}
	return true;
}

/* The arrays discovery_store_ssh takes, built from the parsed outputs. */
typedef struct SshStoreArgs
{
	List	   *complete;
	List	   *notes;
	List	   *fact_keys;
	List	   *fact_values;
	List	   *sw_name;
	List	   *sw_version;
	List	   *sw_purl;
	List	   *svc_protocol;
	List	   *svc_address;
	List	   *svc_port;
	List	   *svc_process;
	List	   *acc_name;
	List	   *acc_uid;
	List	   *acc_gid;
	List	   *acc_home;
	List	   *acc_shell;
	List	   *acc_system;
	List	   *acc_login;
} SshStoreArgs;

/* Text that is valid in the database encoding, or NULL (a target's bytes are not trusted). */
static char *
worker_clean_text(const char *s)
{
	if (s == NULL || !pg_verifymbstr(s, (int) strlen(s), true))
		return NULL;
	return pstrdup(s);
}

static void
worker_ssh_fact(SshStoreArgs *a, const char *key, const char *value)
{
	char	   *v = worker_clean_text(value);

	if (v == NULL)
		return;
	a->fact_keys = lappend(a->fact_keys, pstrdup(key));
	a->fact_values = lappend(a->fact_values, v);
}

static Datum
worker_list_text_array(List *l)
{
	int			n = list_length(l);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			i = 0;
	ListCell   *lc;

	foreach(lc, l)
	{
		char	   *s = lfirst(lc);

		nulls[i] = s == NULL;
		elems[i++] = s ? CStringGetTextDatum(s) : (Datum) 0;
	}
	return worker_text_array(elems, nulls, n);
}

static Datum
worker_list_array(List *l, Oid type)
{
	int			n = list_length(l);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i = 0;
	int			dims[1] = {n};
	int			lbs[1] = {1};
	ListCell   *lc;

	foreach(lc, l)
	{
		if (type == INT4OID)
			elems[i++] = Int32GetDatum(lfirst_int(lc));
		else if (type == BOOLOID)
			elems[i++] = BoolGetDatum(lfirst_int(lc) != 0);
		else
			elems[i++] = Int64GetDatum(*(int64 *) lfirst(lc));
	}
	if (type == INT4OID)
		return PointerGetDatum(construct_md_array(elems, NULL, 1, dims, lbs, INT4OID, 4, true, TYPALIGN_INT));
	if (type == BOOLOID)
		return PointerGetDatum(construct_md_array(elems, NULL, 1, dims, lbs, BOOLOID, 1, true, TYPALIGN_CHAR));
	return PointerGetDatum(construct_md_array(elems, NULL, 1, dims, lbs, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static int64 *
worker_int64(int64 v)
{
	int64	   *p = palloc(sizeof(int64));

	*p = v;
	return p;
}

/* Notes why a command gave nothing usable; true when its output may be read. */
static bool
worker_ssh_command_ok(SshCollect *c, SshCommandId id, SshStoreArgs *a)
{
	const char *name = ssh_collect_commands[id].name;

	switch (ssh_collect_result(c, id))
	{
		case SSH_RESULT_OK:
			return true;
		case SSH_RESULT_NOT_RUN:
			return false;		/* the session's error says why */
		case SSH_RESULT_ABSENT:
			if (id != SSH_CMD_DPKG && id != SSH_CMD_RPM)
				a->notes = lappend(a->notes, psprintf("%s: not found on the host", name));
			return false;
		case SSH_RESULT_TOO_LARGE:
			a->notes = lappend(a->notes, psprintf("%s: output larger than %d bytes (infracast.discovery_ssh_max_output), nothing of it stored",
												  name, discovery_ssh_max_output));
			return false;
		case SSH_RESULT_EXIT:
			a->notes = lappend(a->notes, psprintf("%s: %s", name,
												  worker_clean_text(ssh_collect_command_error(c, id)) ? ssh_collect_command_error(c, id) : "failed"));
			return false;
	}
	return false;
}

/* Parses what the commands printed into the store's arguments (plain-C parsers, ssh_parse.c). */
static void
worker_ssh_parse(SshCollect *c, SshStoreArgs *a)
{
	SshOsRelease os = {0};
	bool		have_os = false;
	char	   *distro = NULL;
	size_t		len;
	const char *out;

	if (worker_ssh_command_ok(c, SSH_CMD_OS_RELEASE, a))
	{
		out = ssh_collect_output(c, SSH_CMD_OS_RELEASE, &len);
		if (ssh_parse_os_release(out, len, &os) == 0)
		{
			have_os = true;
			a->complete = lappend(a->complete, pstrdup("os-release"));
			worker_ssh_fact(a, "os_id", os.id);
			worker_ssh_fact(a, "os_id_like", os.id_like);
			worker_ssh_fact(a, "os_name", os.name);
			worker_ssh_fact(a, "os_version", os.version);
			worker_ssh_fact(a, "os_version_id", os.version_id);
			worker_ssh_fact(a, "os_codename", os.version_codename);
			worker_ssh_fact(a, "os_pretty_name", os.pretty_name);
			distro = ssh_distro_qualifier(&os);
		}
		else
			a->notes = lappend(a->notes, pstrdup("os-release: no ID= line"));
	}
	if (worker_ssh_command_ok(c, SSH_CMD_UNAME, a))
	{
		SshUname u;

		out = ssh_collect_output(c, SSH_CMD_UNAME, &len);
		if (ssh_parse_uname(out, len, &u) == 0)
		{
			a->complete = lappend(a->complete, pstrdup("uname"));
			worker_ssh_fact(a, "kernel_name", u.sysname);
			worker_ssh_fact(a, "hostname", u.nodename);
			worker_ssh_fact(a, "kernel", u.release);
			worker_ssh_fact(a, "arch", u.machine);
			ssh_uname_free(&u);
		}
		else
			a->notes = lappend(a->notes, pstrdup("uname: not the four words of uname -snrm"));
	}
	for (int pm = 0; pm < 2; pm++)
	{
		SshCommandId id = pm == 0 ? SSH_CMD_DPKG : SSH_CMD_RPM;
		SshPackageList pkgs;

		if (!worker_ssh_command_ok(c, id, a))
			continue;
		out = ssh_collect_output(c, id, &len);
		if (id == SSH_CMD_DPKG)
			ssh_parse_dpkg(out, len, &pkgs);
		else
			ssh_parse_rpm(out, len, &pkgs);
		a->complete = lappend(a->complete, pstrdup(ssh_collect_commands[id].name));
		for (size_t i = 0; i < pkgs.n; i++)
		{
			char	   *purl = ssh_purl(id == SSH_CMD_DPKG ? "deb" : "rpm",
										have_os ? os.id : (id == SSH_CMD_DPKG ? "debian" : NULL),
										pkgs.items[i].name, pkgs.items[i].version, pkgs.items[i].arch, distro);
			char	   *name = worker_clean_text(pkgs.items[i].name);
			char	   *version = worker_clean_text(pkgs.items[i].version);

			if (name && version)
			{
				a->sw_name = lappend(a->sw_name, name);
				a->sw_version = lappend(a->sw_version, version);
				a->sw_purl = lappend(a->sw_purl, pstrdup(purl));
			}
			free(purl);
		}
		ssh_package_list_free(&pkgs);
	}
	if (ssh_collect_result(c, SSH_CMD_DPKG) == SSH_RESULT_ABSENT && ssh_collect_result(c, SSH_CMD_RPM) == SSH_RESULT_ABSENT)
		a->notes = lappend(a->notes, pstrdup("no package list: neither dpkg-query nor rpm is on the host"));
	if (worker_ssh_command_ok(c, SSH_CMD_SS, a))
	{
		SshListenerList ls;

		out = ssh_collect_output(c, SSH_CMD_SS, &len);
		ssh_parse_ss(out, len, &ls);
		a->complete = lappend(a->complete, pstrdup("ss"));
		for (size_t i = 0; i < ls.n; i++)
		{
			char	   *address = worker_clean_text(ls.items[i].address);

			if (address == NULL)
				continue;
			a->svc_protocol = lappend(a->svc_protocol, pstrdup(ls.items[i].proto));
			a->svc_address = lappend(a->svc_address, address);
			a->svc_port = lappend_int(a->svc_port, ls.items[i].port);
			a->svc_process = lappend(a->svc_process, worker_clean_text(ls.items[i].process));
		}
		ssh_listener_list_free(&ls);
	}
	if (worker_ssh_command_ok(c, SSH_CMD_GETENT, a))
	{
		SshAccountList acc;

		out = ssh_collect_output(c, SSH_CMD_GETENT, &len);
		ssh_parse_passwd(out, len, &acc);
		a->complete = lappend(a->complete, pstrdup("getent passwd"));
		for (size_t i = 0; i < acc.n; i++)
		{
			char	   *name = worker_clean_text(acc.items[i].name);

			if (name == NULL)
				continue;
			a->acc_name = lappend(a->acc_name, name);
			a->acc_uid = lappend(a->acc_uid, worker_int64(acc.items[i].uid));
			a->acc_gid = lappend(a->acc_gid, worker_int64(acc.items[i].gid));
			a->acc_home = lappend(a->acc_home, worker_clean_text(acc.items[i].home));
			a->acc_shell = lappend(a->acc_shell, worker_clean_text(acc.items[i].shell));
			a->acc_system = lappend_int(a->acc_system, acc.items[i].system);
			a->acc_login = lappend_int(a->acc_login, acc.items[i].login);
		}
		ssh_account_list_free(&acc);
	}
	free(distro);
	ssh_os_release_free(&os);
}

/* The notes, joined for discovery_runs.reason. */
static char *
worker_join(List *l)
{
	StringInfoData s;
	ListCell   *lc;

	if (l == NIL)
		return NULL;
	initStringInfo(&s);
	foreach(lc, l)
		appendStringInfo(&s, "%s%s", s.len ? "; " : "", (char *) lfirst(lc));
	return s.data;
}

/* Stores one finished SSH collection (its own transaction); a storing error becomes a failed run. */
static void
worker_ssh_store(DiscoveryJob *job, MemoryContext jobcxt, DeviceSlot *slot)
{
	SshCollect *c = slot->ssh;
	const char *target = job->targets[slot->target];
	MemoryContext storecxt = AllocSetContextCreate(jobcxt, "discovery ssh store", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(storecxt);
	SshStoreArgs a = {0};
	bool		failed = ssh_collect_state(c) == SSH_COLLECT_FAILED;
	const char *key_type = NULL;
	const char *key_fp = NULL;
	bool		have_key = ssh_collect_host_key(c, &key_type, &key_fp);
	char	   *notes;
	Oid			types[30] = {INT8OID, INT8OID, INT4OID, TEXTOID, INT4OID, TIMESTAMPTZOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID, BOOLOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT4ARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID, BOOLARRAYOID};
	Datum		values[30];
	char		nulls[31];

	memset(nulls, ' ', 30);
	nulls[30] = '\0';
	worker_ssh_parse(c, &a);
	notes = worker_join(a.notes);
	values[0] = Int64GetDatum(job->tenant);
	values[1] = Int64GetDatum(job->id);
	values[2] = Int32GetDatum(job->attempt);
	values[3] = CStringGetTextDatum(target);
	values[4] = Int32GetDatum(job->port);
	values[5] = TimestampTzGetDatum(slot->started);
	values[6] = failed ? CStringGetTextDatum(ssh_collect_error(c)) : (Datum) 0;
	nulls[6] = failed ? ' ' : 'n';
	values[7] = notes ? CStringGetTextDatum(notes) : (Datum) 0;
	nulls[7] = notes ? ' ' : 'n';
	values[8] = have_key ? CStringGetTextDatum(key_type) : (Datum) 0;
	nulls[8] = have_key ? ' ' : 'n';
	values[9] = have_key ? CStringGetTextDatum(key_fp) : (Datum) 0;
	nulls[9] = have_key ? ' ' : 'n';
	values[10] = BoolGetDatum(ssh_collect_host_key_changed(c));
	values[11] = job->pin_type[slot->target] ? CStringGetTextDatum(job->pin_type[slot->target]) : (Datum) 0;
	nulls[11] = job->pin_type[slot->target] ? ' ' : 'n';
	values[12] = job->pin_fingerprint[slot->target] ? CStringGetTextDatum(job->pin_fingerprint[slot->target]) : (Datum) 0;
	nulls[12] = job->pin_fingerprint[slot->target] ? ' ' : 'n';
	values[13] = worker_list_text_array(a.complete);
	values[14] = worker_list_text_array(a.fact_keys);
	values[15] = worker_list_text_array(a.fact_values);
	values[16] = worker_list_text_array(a.sw_name);
	values[17] = worker_list_text_array(a.sw_version);
	values[18] = worker_list_text_array(a.sw_purl);
	values[19] = worker_list_text_array(a.svc_protocol);
	values[20] = worker_list_text_array(a.svc_address);
	values[21] = worker_list_array(a.svc_port, INT4OID);
	values[22] = worker_list_text_array(a.svc_process);
	values[23] = worker_list_text_array(a.acc_name);
	values[24] = worker_list_array(a.acc_uid, INT8OID);
	values[25] = worker_list_array(a.acc_gid, INT8OID);
	values[26] = worker_list_text_array(a.acc_home);
	values[27] = worker_list_text_array(a.acc_shell);
	values[28] = worker_list_array(a.acc_system, BOOLOID);
	values[29] = worker_list_array(a.acc_login, BOOLOID);

	worker_store_run(job, jobcxt, slot, storecxt,
					 "SELECT infracast.discovery_store_ssh($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
					 " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)",
					 30, types, values, nulls);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(storecxt);
}

/*
 * One step of a device's collection, SNMP walk or SSH session; a device past its deadline is
 * aborted with the reason. True once it no longer runs (done, failed or aborted).
 */
static bool
worker_slot_step(DeviceSlot *s, TimestampTz now)
{
	char		why[160];

	if (s->ssh)
	{
		ssh_collect_step(s->ssh);
		if (ssh_collect_state(s->ssh) == SSH_COLLECT_RUNNING && now >= s->deadline)
		{
			snprintf(why, sizeof(why), "deadline of %d s passed (infracast.discovery_device_timeout)",
					 discovery_device_timeout_s);
			ssh_collect_abort(s->ssh, why);
		}
		return ssh_collect_state(s->ssh) != SSH_COLLECT_RUNNING;
	}
	snmp_walk_tick(s->walk);
	if (snmp_walk_state(s->walk) == SNMP_WALK_RUNNING && now >= s->deadline)
	{
		size_t		got;

		(void) snmp_walk_values(s->walk, &got);
		snprintf(why, sizeof(why), "deadline of %d s passed (infracast.discovery_device_timeout) after %zu values",
				 discovery_device_timeout_s, got);
		snmp_walk_abort(s->walk, why);
	}
	return snmp_walk_state(s->walk) != SNMP_WALK_RUNNING;
}

/*
 * Walks (SNMP) or collects from (SSH) every target of a job, up to infracast.discovery_concurrency
 * devices at once, all driven from one wait; each device is stored as soon as it ends.
 */
static void
worker_drive_devices(DiscoveryJob *job, MemoryContext jobcxt)
{
	int			concurrency = Max(discovery_concurrency, 1);
	int			next = 0;

	if (job->ssh)
		worker_ssh_load_pins(job, jobcxt);
	slots = MemoryContextAllocZero(jobcxt, sizeof(DeviceSlot) * concurrency);
	nslots = 0;
	while (next < job->ntargets || nslots > 0)
	{
		TimestampTz now;

		CHECK_FOR_INTERRUPTS();
		while (nslots < concurrency && next < job->ntargets)
		{
			/* opening an SNMPv3 session probes the agent synchronously: notice SIGTERM between them */
			CHECK_FOR_INTERRUPTS();
			if (job->ssh ? worker_ssh_start_device(job, jobcxt, next, &slots[nslots])
				: worker_start_device(job, jobcxt, next, &slots[nslots]))
				nslots++;
			next++;
		}
		if (nslots == 0)
			continue;
		pgstat_report_activity(STATE_RUNNING, psprintf("discovery job " INT64_FORMAT " (%s): %d of %d devices started",
													   job->id, job->ssh ? "ssh" : "snmp", next, job->ntargets));
		worker_wait();
		now = GetCurrentTimestamp();
		for (int i = 0; i < nslots; i++)
		{
			DeviceSlot *s = &slots[i];

			if (!worker_slot_step(s, now))
				continue;
			if (s->ssh)
			{
				worker_ssh_store(job, jobcxt, s);
				ssh_collect_free(s->ssh);
				s->ssh = NULL;
			}
			else
			{
				worker_store(job, jobcxt, s);
				snmp_walk_free(s->walk);
				s->walk = NULL;
			}
			slots[i] = slots[--nslots];
			i--;
		}
	}
}

/* Ends the attempt: done / queued again (schedule or back-off) / failed (its own transaction). */
static void
worker_finish_job(DiscoveryJob *job)
{
	Oid			types[6] = {INT8OID, INT8OID, BOOLOID, INT4OID, INT4OID, TEXTOID};
	Datum		values[6];
	char		nulls[7] = "      ";
	char	   *last_error = NULL;

	if (job->failed > 0 && job->answered == 0)
		last_error = job->ntargets > 1
			? psprintf("all %d devices failed; first: %s", job->ntargets, job->first_error ? job->first_error : "?")
			: (job->first_error ? job->first_error : "the device failed");
	else if (job->failed > 0)
		last_error = psprintf("%d of %d devices failed; first: %s", job->failed, job->ntargets,
							  job->first_error ? job->first_error : "?");
	values[0] = Int64GetDatum(job->tenant);
	values[1] = Int64GetDatum(job->id);
	values[2] = BoolGetDatum(job->answered > 0);
	values[3] = Int32GetDatum(discovery_max_attempts);
	values[4] = Int32GetDatum(discovery_retry_delay_s);
	values[5] = last_error ? CStringGetTextDatum(last_error) : (Datum) 0;
	nulls[5] = last_error ? ' ' : 'n';
	worker_xact_begin();
	worker_exec("UPDATE infracast.discovery_jobs j SET"
				" state = CASE WHEN dup.found THEN (CASE WHEN $3 THEN 'done' ELSE 'failed' END)"
				"              WHEN $3 THEN (CASE WHEN j.schedule IS NULL THEN 'done' ELSE 'queued' END)"
				"              WHEN j.attempts >= $4 THEN 'failed' ELSE 'queued' END,"
				" not_before = CASE WHEN $3 THEN pg_catalog.now() + coalesce(j.schedule, interval '0')"
				"              ELSE pg_catalog.now() + pg_catalog.make_interval(secs => $5 * pg_catalog.power(2, j.attempts - 1)) END,"
				" attempts = CASE WHEN $3 AND j.schedule IS NOT NULL THEN 0 ELSE j.attempts END,"
				" last_error = $6, finished_at = pg_catalog.now()"
				" FROM (SELECT EXISTS (SELECT 1 FROM infracast.discovery_jobs d, infracast.discovery_jobs me"
				"        WHERE me.tenant_id = $1 AND me.id = $2 AND d.tenant_id = me.tenant_id AND d.id <> me.id"
				"          AND d.state = 'queued' AND d.method = me.method AND d.targets = me.targets AND d.port = me.port"
				"          AND d.credential_id IS NOT DISTINCT FROM me.credential_id) AS found) dup"
				" WHERE j.tenant_id = $1 AND j.id = $2", 6, types, values, nulls, SPI_OK_UPDATE);
	worker_xact_commit();
}

static void
worker_run_job(DiscoveryJob *job, MemoryContext jobcxt)
{
	TimestampTz started = GetCurrentTimestamp();

	PG_TRY();
	{
		worker_open_credential(job, jobcxt);
	}
	PG_CATCH();
	{
		char	   *msg = worker_catch_error(jobcxt);
		char	   *reason = psprintf("the credential could not be used: %s", msg);

		ereport(WARNING, (errmsg("infracast discovery job " INT64_FORMAT ": %s", job->id, reason)));
		worker_record_failure(job, 0, job->ntargets, started, reason);
		job->first_error = reason;
	}
	PG_END_TRY();
	snmp_walk_forget_users();
	if (job->have_credential)
		worker_drive_devices(job, jobcxt);
	snmp_walk_forget_users();
	discovery_secrets_free(&job->secrets);
	open_secrets = NULL;
	worker_finish_job(job);
	ereport(LOG, (errmsg("infracast discovery job " INT64_FORMAT " attempt %d: %d of %d devices answered",
						 job->id, job->attempt, job->answered, job->ntargets)));
}

void
discovery_worker_main(Datum arg)
{
	MemoryContext jobcxt;
	const char *database = GetConfigOption("infracast.database", true, false);
	volatile int backoff_s = 0;
	volatile bool said_waiting = false;
	volatile bool requeued = false;
	const char *volatile said_refused = NULL;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(database ? database : "postgres", NULL, 0);
	snmp_walk_library_init();
	ereport(LOG, (errmsg("infracast discovery worker started in database \"%s\"", database ? database : "postgres")));

	jobcxt = AllocSetContextCreate(TopMemoryContext, "infracast discovery job", ALLOCSET_DEFAULT_SIZES);
	worker_job_context = jobcxt;
	for (;;)
	{
		long		wait_ms = (long) discovery_poll_interval_s * 1000L;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		PG_TRY();
		{
			MemoryContextSwitchTo(jobcxt);	/* everything a job allocates goes when it ends */
			if (!worker_extension_ready())
			{
				if (!said_waiting)
					ereport(LOG, (errmsg("infracast discovery worker: extension infracast (version " INFRACAST_EXTVERSION ") is not in database \"%s\" yet; jobs are taken once it is created or updated",
										 database ? database : "postgres")));
				said_waiting = true;
			}
			else
			{
				/* in jobcxt, not on the stack: the error path wipes its secrets */
				DiscoveryJob *job = MemoryContextAllocZero(jobcxt, sizeof(DiscoveryJob));
				const char *refused;

				said_waiting = false;
				if (!requeued)
				{
					worker_requeue_interrupted();
					requeued = true;
				}
				if (worker_claim(job, jobcxt, &refused))
				{
					worker_run_job(job, jobcxt);
					wait_ms = 0;	/* look for the next job at once */
				}
				else if (refused && (said_refused == NULL || strcmp(said_refused, refused) != 0))
				{
					ereport(LOG, (errmsg("infracast discovery worker runs no job: %s; queued jobs wait", refused)));
					said_refused = MemoryContextStrdup(TopMemoryContext, refused);
				}
				else if (!refused)
					said_refused = NULL;
			}
			backoff_s = 0;
		}
		PG_CATCH();
		{
			HOLD_INTERRUPTS();
			EmitErrorReport();
			FlushErrorState();
			AbortCurrentTransaction();
			worker_close_slots();
			snmp_walk_forget_users();
			if (open_secrets)
				discovery_secrets_free(open_secrets);
			open_secrets = NULL;
			RESUME_INTERRUPTS();
			backoff_s = backoff_s == 0 ? 5 : Min(backoff_s * 2, 300);
			wait_ms = backoff_s * 1000L;
			ereport(LOG, (errmsg("infracast discovery worker will try again in %d s", backoff_s)));
		}
		PG_END_TRY();
		MemoryContextSwitchTo(TopMemoryContext);
		worker_close_slots();
		MemoryContextReset(jobcxt);
		pgstat_report_activity(STATE_IDLE, NULL);

		if (wait_ms > 0)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, wait_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
}

/* Registers the worker (called from bgworkers_init, only while preloading). */
void
discovery_worker_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* after SIGTERM or a crash: back within seconds, so an interrupted job resumes soon */
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "infracast", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "discovery_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "infracast discovery worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "infracast discovery worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}
