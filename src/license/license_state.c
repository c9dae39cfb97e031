/*
 * license_state.c: the licence state machine (PostgreSQL side).
 *
 * The state is judged afresh on every call, in this order (the first that applies wins):
 *   missing            infracast.license_file unset, or no file at that path
 *   malformed          not a licence document, bad base64, claims missing or of the wrong type
 *   invalid_signature  not signed by the key embedded in this build
 *   clock_rollback     the clock is more than a day behind the highest time this database has seen
 *                      (or behind the licence's issued_at)
 *   not_yet_valid      before not_before
 *   expired            at or after expires_at
 *   over_limit         more licensable nodes than node_limit (only after a licence swap or a kind change:
 *                      inserts themselves never pass the limit)
 *   valid
 *
 * What is cached: the verdict on the file, per backend, keyed on the file's identity (path, device,
 * inode, size, mtime and ctime to the nanosecond). Each call costs one stat(); the file is read and the
 * signature checked again only when it changed (a swapped file takes effect at the next call, no
 * restart), or after a reload (SIGHUP) that changes infracast.license_file.
 *
 * What is read from the database, per call that needs it: the licensable node counter
 * (infracast.license_usage, maintained by triggers on infracast.nodes) and the licence memory
 * (infracast.license_memory: the highest time seen and the features of the last authentic licence). The
 * memory is written at most about once a minute, never blocking (SKIP LOCKED), never in a read-only
 * transaction. Both are read as the bootstrap superuser with search_path pinned, so the caller's row-level
 * security view and search_path change nothing.
 *
 * A change of state is logged once per database: in shared memory when the library is preloaded, else
 * once per backend.
 */
#include "license/license.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "license/license_format.h"
#include "license/license_status.h"

#define CLOCK_TOLERANCE_SECONDS	86400	/* a clock this far behind what was seen is rolled back */
#define MEMORY_WRITE_INTERVAL	60		/* seconds between writes of the highest time seen */
#define LOGGED_STATE_SLOTS		64

/* ---------------------------------------------------------------------------------------------- */
/* The file, cached per backend                                                                     */
/* ---------------------------------------------------------------------------------------------- */

typedef struct FileIdentity
{
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec mtime;
	struct timespec ctime;
} FileIdentity;

typedef struct FileVerdict
{
	bool		loaded;
	char		path[MAXPGPATH];
	bool		exists;
	FileIdentity id;
	LicenseState state;			/* MISSING, MALFORMED, INVALID_SIGNATURE or VALID (= authentic) */
	char		reason[256];
	LicenseClaims claims;		/* malloc'd; filled when state is VALID */
} FileVerdict;

static FileVerdict file_cache;
static bool embedded_key_ready = false;
static unsigned char embedded_key[LICENSE_PUBKEY_BYTES];
static char embedded_fingerprint[LICENSE_FINGERPRINT_LEN + 1];
static bool embedded_is_development = false;

/* Per-backend fallback of the logged state when the library is not preloaded. */
static int	backend_logged_state = -1;
static Oid	backend_logged_db = InvalidOid;

typedef struct LoggedStateSlot
{
	Oid			db;
	int			state;
} LoggedStateSlot;

typedef struct LicenseShared
{
	slock_t		mutex;
	LoggedStateSlot slots[LOGGED_STATE_SLOTS];
} LicenseShared;

static LicenseShared *license_shared = NULL;

static const char *const state_names[] = {
	"valid", "missing", "malformed", "invalid_signature", "clock_rollback", "not_yet_valid", "expired",
	"over_limit"
};

const char *
license_state_name(LicenseState state)
{
	return state_names[state];
}

/* The key this build trusts, decoded once. */
static void
embedded_key_load(void)
{
	unsigned char dev[LICENSE_PUBKEY_BYTES];

	if (embedded_key_ready)
		return;
	if (!license_pubkey_from_base64(license_embedded_pubkey_base64(), embedded_key))
		elog(ERROR, "the licence public key embedded in this build is not base64 of 32 bytes");
	embedded_is_development = license_pubkey_from_base64(license_development_pubkey_base64(), dev) &&
		memcmp(dev, embedded_key, LICENSE_PUBKEY_BYTES) == 0;
	license_key_fingerprint(embedded_key, embedded_fingerprint);
	embedded_key_ready = true;
}

static void
file_cache_reset(void)
{
	license_claims_free(&file_cache.claims);
	memset(&file_cache, 0, sizeof(file_cache));
}

/* Called when infracast.license_file is set (at start and on reload): judge the file afresh. */
void
license_file_changed(void)
{
	file_cache.loaded = false;
}

static bool
identity_equal(const FileIdentity *a, const FileIdentity *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
		a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
		a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void
identity_from_stat(const struct stat *st, FileIdentity *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

/* Reads and judges the file (no ereport in between: the claims are malloc'd). */
static void
file_judge(const char *path, FileIdentity *id)
{
	/* O_NONBLOCK: a FIFO put where the licence belongs must not hang the backend */
	int			fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | PG_BINARY, 0);
	struct stat st;
	char	   *buf;
	ssize_t		got = 0;
	LicenseVerdict verdict;

	file_cache.exists = true;
	if (fd < 0)
	{
		file_cache.state = LICENSE_STATE_MISSING;
		snprintf(file_cache.reason, sizeof(file_cache.reason), "the licence file \"%s\" cannot be opened: %s",
				 path, strerror(errno));
		return;
	}
	/* The identity of what we read, not of what stat() saw a moment ago. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		close(fd);
		file_cache.state = LICENSE_STATE_MALFORMED;
		snprintf(file_cache.reason, sizeof(file_cache.reason), "the licence file \"%s\" is not a regular file", path);
		return;
	}
	identity_from_stat(&st, id);
	buf = malloc(LICENSE_MAX_FILE_BYTES + 2);
	if (buf == NULL)
	{
		close(fd);
		file_cache.state = LICENSE_STATE_MALFORMED;
		snprintf(file_cache.reason, sizeof(file_cache.reason), "out of memory reading the licence file");
		return;
	}
	while (got <= LICENSE_MAX_FILE_BYTES)
	{
		ssize_t		n = read(fd, buf + got, LICENSE_MAX_FILE_BYTES + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	verdict = license_verify_document(buf, (size_t) got, embedded_key, &file_cache.claims,
									  file_cache.reason, sizeof(file_cache.reason));
	free(buf);
	file_cache.state = verdict == LICENSE_VERDICT_OK ? LICENSE_STATE_VALID :
		verdict == LICENSE_VERDICT_BAD_SIGNATURE ? LICENSE_STATE_INVALID_SIGNATURE : LICENSE_STATE_MALFORMED;
}

/* Brings the cached verdict up to date: one stat() when nothing changed. */
static void
file_refresh(void)
{
	const char *path = license_file_guc ? license_file_guc : "";
	struct stat st;
	FileIdentity id;
	bool		exists;
	int			stat_errno;

	embedded_key_load();
	if (path[0] == '\0')
	{
		if (!file_cache.loaded || file_cache.path[0] != '\0')
		{
			file_cache_reset();
			file_cache.loaded = true;
			file_cache.state = LICENSE_STATE_MISSING;
			snprintf(file_cache.reason, sizeof(file_cache.reason), "infracast.license_file is not set");
		}
		return;
	}
	exists = (stat(path, &st) == 0);
	stat_errno = errno;
	if (exists)
		identity_from_stat(&st, &id);
	if (file_cache.loaded && strcmp(file_cache.path, path) == 0 && exists == file_cache.exists &&
		(!exists || identity_equal(&id, &file_cache.id)))
		return;

	file_cache_reset();
	strlcpy(file_cache.path, path, sizeof(file_cache.path));
	file_cache.loaded = true;
	if (!exists)
	{
		file_cache.exists = false;
		file_cache.state = LICENSE_STATE_MISSING;
		snprintf(file_cache.reason, sizeof(file_cache.reason), "the licence file \"%s\" does not exist%s%s",
				 path, stat_errno == ENOENT ? "" : ": ", stat_errno == ENOENT ? "" : strerror(stat_errno));
		return;
	}
	file_judge(path, &id);
	file_cache.id = id;
}

/* ---------------------------------------------------------------------------------------------- */
/* The database side: counter and memory, read as the bootstrap superuser (privileged.c)          */
/* ---------------------------------------------------------------------------------------------- */

/* Are the licence tables there (the extension created in this database, inside a transaction)? */
static bool
db_available(void)
{
	Oid			ns;

	if (!IsTransactionState())
		return false;
	ns = get_namespace_oid("infracast", true);
	return OidIsValid(ns) && OidIsValid(get_relname_relid("license_usage", ns)) &&
		OidIsValid(get_relname_relid("license_memory", ns));
}

static SPIPlanPtr read_plan = NULL;

typedef struct DbFacts
{
	bool		available;
	int64		nodes_used;
	bool		has_highest;
	int64		highest_seen;	/* Unix seconds */
	char	   *memory_fingerprint;
	char	   *memory_license_id;
	char	  **memory_features;
	int			n_memory_features;
} DbFacts;

/* A copy in the caller's memory context, which outlives SPI_finish (NULL stays NULL). */
static char *
spi_strdup(const char *text)
{
	size_t		len;
	char	   *copy;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	copy = SPI_palloc(len + 1);
	memcpy(copy, text, len + 1);
	return copy;
}

static void
db_read(DbFacts *f)
{
	IcPrivileged a;
	bool		isnull;
	HeapTuple	tup;
	TupleDesc	desc;
	Datum		d;

	memset(f, 0, sizeof(*f));
	if (!db_available())
		return;
	ic_privileged_enter(&a, false);
	/* planned once per backend: no operator, no function, every name qualified */
	if (read_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT u.nodes_used, m.highest_seen, m.last_key_fingerprint, "
									   "m.last_license_id, m.last_features "
									   "FROM infracast.license_usage u CROSS JOIN infracast.license_memory m",
									   0, NULL);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "preparing the licence counter query failed");
		read_plan = plan;
	}
	if (SPI_execute_plan(read_plan, NULL, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the licence counters failed");
	if (SPI_processed == 1)
	{
		tup = SPI_tuptable->vals[0];
		desc = SPI_tuptable->tupdesc;
		f->available = true;
		d = SPI_getbinval(tup, desc, 1, &isnull);
		f->nodes_used = isnull ? 0 : DatumGetInt64(d);
		d = SPI_getbinval(tup, desc, 2, &isnull);
		f->has_highest = !isnull;
		if (!isnull)
			f->highest_seen = (int64) timestamptz_to_time_t(DatumGetTimestampTz(d));
		/* what we keep must outlive SPI_finish: SPI_palloc allocates in the caller's context */
		{
			char	   *fp = SPI_getvalue(tup, desc, 3);
			char	   *id = SPI_getvalue(tup, desc, 4);

			d = SPI_getbinval(tup, desc, 5, &isnull);
			f->memory_fingerprint = spi_strdup(fp);
			f->memory_license_id = spi_strdup(id);
			if (!isnull)
			{
				Datum	   *elems;
				bool	   *enulls;
				int			n;

				deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
				f->memory_features = SPI_palloc(sizeof(char *) * Max(n, 1));
				for (int i = 0; i < n; i++)
				{
					if (!enulls[i])
					{
						f->memory_features[f->n_memory_features++] = spi_strdup(TextDatumGetCString(elems[i]));
					}
				}
			}
		}
	}
	ic_privileged_leave(&a);
}

/*
 * Remembers the highest time seen and the last authentic licence. Never blocks: a row locked by another
 * transaction is skipped (that one is writing it); never in a read-only transaction or on a standby.
 */
static bool
db_remember(const DbFacts *f, int64 now, const LicenseClaims *authentic)
{
	bool		time_due = !f->has_highest || now > f->highest_seen + MEMORY_WRITE_INTERVAL;
	bool		license_due = false;
	IcPrivileged a;
	Oid			types[4] = {TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTARRAYOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	if (!f->available || XactReadOnly || RecoveryInProgress() || IsInParallelMode())
		return false;
	if (authentic != NULL)
	{
		license_due = f->memory_fingerprint == NULL || f->memory_license_id == NULL ||
			strcmp(f->memory_fingerprint, embedded_fingerprint) != 0 ||
			strcmp(f->memory_license_id, authentic->license_id) != 0 ||
			f->n_memory_features != authentic->nfeatures;
		for (int i = 0; !license_due && i < authentic->nfeatures; i++)
			license_due = strcmp(f->memory_features[i], authentic->features[i]) != 0;
	}
	if (!time_due && !license_due)
		return false;

	values[0] = TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) now));
	if (authentic != NULL)
	{
		Datum	   *elems = palloc(sizeof(Datum) * Max(authentic->nfeatures, 1));

		for (int i = 0; i < authentic->nfeatures; i++)
			elems[i] = CStringGetTextDatum(authentic->features[i]);
		values[1] = CStringGetTextDatum(embedded_fingerprint);
		values[2] = CStringGetTextDatum(authentic->license_id);
		values[3] = PointerGetDatum(construct_array(elems, authentic->nfeatures, TEXTOID, -1, false, TYPALIGN_INT));
	}
	else
		nulls[1] = nulls[2] = nulls[3] = 'n';

	ic_privileged_enter(&a, true);
	if (SPI_execute_with_args(
							  "UPDATE infracast.license_memory m SET "
							  " highest_seen = GREATEST(m.highest_seen, $1), updated_at = $1,"
							  " last_key_fingerprint = COALESCE($2, m.last_key_fingerprint),"
							  " last_license_id = COALESCE($3, m.last_license_id),"
							  " last_features = COALESCE($4, m.last_features) "
							  "FROM (SELECT l.id FROM infracast.license_memory l FOR UPDATE SKIP LOCKED) s "
							  "WHERE m.id IS NOT DISTINCT FROM s.id",
							  4, types, values, nulls, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "updating the licence memory failed");
	time_due = SPI_processed > 0;
	ic_privileged_leave(&a);
	return time_due;
}

/* ---------------------------------------------------------------------------------------------- */
/* The state                                                                                        */
/* ---------------------------------------------------------------------------------------------- */

static char *
format_time(int64 t)
{
	return pstrdup(timestamptz_to_str(time_t_to_timestamptz((pg_time_t) t)));
}

/* The status shows the highest time seen including the one just written. */
static void
status_saw(LicenseStatus *s, int64 now)
{
	if (!s->has_highest_seen || now > s->highest_seen)
	{
		s->has_highest_seen = true;
		s->highest_seen = now;
	}
}

/* Judges the licence now; fills *s (strings palloc'd in the current context). */
void
license_evaluate(LicenseStatus *s)
{
	DbFacts		f;
	int64		now = (int64) time(NULL);
	int64		highest;
	const LicenseClaims *c;

	memset(s, 0, sizeof(*s));
	file_refresh();
	db_read(&f);
	s->now = now;
	s->path = file_cache.path[0] ? pstrdup(file_cache.path) : NULL;
	s->fingerprint = embedded_fingerprint;
	s->development_key = embedded_is_development;
	s->nodes_used = f.nodes_used;
	s->counters_available = f.available;
	s->has_highest_seen = f.has_highest;
	s->highest_seen = f.highest_seen;
	if (f.memory_fingerprint != NULL && strcmp(f.memory_fingerprint, embedded_fingerprint) == 0)
	{
		s->remembered_features = f.memory_features;
		s->n_remembered_features = f.n_memory_features;
		s->remembered_license_id = f.memory_license_id;
	}

	if (file_cache.state != LICENSE_STATE_VALID)
	{
		s->state = file_cache.state;
		s->reason = pstrdup(file_cache.reason);
		if (db_remember(&f, now, NULL))
			status_saw(s, now);
		return;
	}
	c = &file_cache.claims;
	s->claims = c;
	highest = f.has_highest ? Max(f.highest_seen, c->issued_at) : c->issued_at;
	if (now < highest - CLOCK_TOLERANCE_SECONDS)
	{
		s->state = LICENSE_STATE_CLOCK_ROLLBACK;
		s->reason = psprintf("the system clock (%s) is more than a day behind %s, a time this database or the licence has already seen",
							 format_time(now), format_time(highest));
		return;
	}
	if (db_remember(&f, now, c))
		status_saw(s, now);
	if (c->has_not_before && now < c->not_before)
	{
		s->state = LICENSE_STATE_NOT_YET_VALID;
		s->reason = psprintf("licence %s is not valid before %s", c->license_id, format_time(c->not_before));
	}
	else if (now >= c->expires_at)
	{
		s->state = LICENSE_STATE_EXPIRED;
		s->reason = psprintf("licence %s expired at %s", c->license_id, format_time(c->expires_at));
	}
	else if (f.available && f.nodes_used > c->node_limit)
	{
		s->state = LICENSE_STATE_OVER_LIMIT;
		s->reason = psprintf("%lld licensable nodes are in use, more than the licence's node_limit of %lld",
							 (long long) f.nodes_used, (long long) c->node_limit);
	}
	else
	{
		s->state = LICENSE_STATE_VALID;
		s->reason = psprintf("licence %s for %s is valid until %s", c->license_id, c->customer,
							 format_time(c->expires_at));
	}
	if (embedded_is_development)
		s->reason = psprintf("%s (development key: not for production)", s->reason);
}

/* What to do about a state, in one sentence or two. */
const char *
license_state_fix(const LicenseStatus *s)
{
	switch (s->state)
	{
		case LICENSE_STATE_VALID:
			return "Nothing to do.";
		case LICENSE_STATE_MISSING:
			return "Put the license.json your vendor sent where infracast.license_file points (set it in postgresql.conf and run SELECT pg_reload_conf()).";
		case LICENSE_STATE_MALFORMED:
			return "Replace the file with the license.json your vendor sent, unchanged; check it with: infracast-license verify <public key> license.json.";
		case LICENSE_STATE_INVALID_SIGNATURE:
			return psprintf("Restore the original license.json, unchanged; a licence must be signed for this build's key (fingerprint %s).",
							s->fingerprint);
		case LICENSE_STATE_CLOCK_ROLLBACK:
			return "Correct the system clock. If it is right and the recorded time was wrong, a superuser can run SELECT infracast.license_clock_reset().";
		case LICENSE_STATE_NOT_YET_VALID:
			return "Wait until the licence's not_before date, or check the system clock.";
		case LICENSE_STATE_EXPIRED:
			return "Renew: ask your vendor for a new licence and swap the file (no restart needed).";
		case LICENSE_STATE_OVER_LIMIT:
			return psprintf("Delete nodes until at most %lld licensable nodes remain, or ask your vendor for a licence with a larger node_limit.",
							(long long) (s->claims ? s->claims->node_limit : 0));
	}
	return "";
}

/* Logs the state when it differs from the last one logged for this database. */
static void
log_if_changed(const LicenseStatus *s)
{
	bool		changed = false;

	if (license_shared != NULL)
	{
		int			free_slot = -1;
		int			i;

		SpinLockAcquire(&license_shared->mutex);
		for (i = 0; i < LOGGED_STATE_SLOTS; i++)
		{
			if (license_shared->slots[i].db == MyDatabaseId)
				break;
			if (free_slot < 0 && license_shared->slots[i].db == InvalidOid)
				free_slot = i;
		}
		if (i == LOGGED_STATE_SLOTS)
			i = free_slot >= 0 ? free_slot : (int) (MyDatabaseId % LOGGED_STATE_SLOTS);
		if (license_shared->slots[i].db != MyDatabaseId || license_shared->slots[i].state != (int) s->state)
		{
			license_shared->slots[i].db = MyDatabaseId;
			license_shared->slots[i].state = (int) s->state;
			changed = true;
		}
		SpinLockRelease(&license_shared->mutex);
	}
	else if (backend_logged_state != (int) s->state || backend_logged_db != MyDatabaseId)
	{
		backend_logged_state = (int) s->state;
		backend_logged_db = MyDatabaseId;
		changed = true;
	}
	if (changed)
		ereport(LOG,
				(errmsg("infracast licence state is %s: %s", license_state_name(s->state), s->reason),
				 s->state == LICENSE_STATE_VALID ? 0 :
				 errdetail("Adding nodes, discovery and documents are refused until the licence is valid; reads and analyses still work."),
				 s->state == LICENSE_STATE_VALID ? 0 : errhint("%s", license_state_fix(s))));
}

LicenseState
license_current_state(void)
{
	LicenseStatus s;

	license_evaluate(&s);
	log_if_changed(&s);
	return s.state;
}

/* Called by license_status() too, so that whoever looks first logs the change. */
void
license_note_state(const LicenseStatus *s)
{
	log_if_changed(s);
}

bool
license_allows_writes(void)
{
	return license_current_state() == LICENSE_STATE_VALID;
}

static void raise_restricted(const LicenseStatus *s, const char *action) pg_attribute_noreturn();

/* IC301, naming the action, the state, its reason and its fix. */
static void
raise_restricted(const LicenseStatus *s, const char *action)
{
	ereport(ERROR,
			(errcode(ERRCODE_IC_LICENSE_RESTRICTED),
			 errmsg("cannot %s: the infracast licence is %s", action, license_state_name(s->state)),
			 errdetail("%s.", s->reason),
			 errhint("%s", license_state_fix(s))));
	pg_unreachable();
}

void
license_require_writable(const char *action)
{
	LicenseStatus s;

	license_evaluate(&s);
	log_if_changed(&s);
	if (s.state != LICENSE_STATE_VALID)
		raise_restricted(&s, action);
}

/* Checks a node count about to be committed against the licence (called by the nodes triggers). */
void
license_check_node_count(int64 added, int64 total)
{
	LicenseStatus s;

	license_evaluate(&s);
	/* restricted before this statement: refuse, naming the state */
	if (s.state != LICENSE_STATE_VALID && s.state != LICENSE_STATE_OVER_LIMIT)
	{
		log_if_changed(&s);
		raise_restricted(&s, "add nodes");
	}
	/* valid and over_limit are only judged on an authentic licence */
	Assert(s.claims != NULL);
	if (s.claims == NULL)
		elog(ERROR, "licence state %s without claims", license_state_name(s.state));
	/*
	 * The counter already includes this statement's rows, so over_limit may be this statement's doing:
	 * that is a refused insert (IC302), not a change of state, and is not logged as one.
	 */
	if (added > 0 && total > s.claims->node_limit)
		ereport(ERROR,
				(errcode(ERRCODE_IC_LICENSE_NODE_LIMIT),
				 errmsg("adding %lld licensable nodes would make %lld, past the licence's node_limit of %lld",
						(long long) added, (long long) total, (long long) s.claims->node_limit),
				 errdetail("Licensable nodes are counted across all tenants; see SELECT * FROM infracast.license_status()."),
				 errhint("Delete nodes you no longer need, or ask your vendor for a licence with a larger node_limit and swap the file.")));
	log_if_changed(&s);
	if (s.state == LICENSE_STATE_OVER_LIMIT)
		raise_restricted(&s, "add nodes");
}

/* The features in force: the file's when it is authentic, else those of the last authentic licence. */
static bool
features_include(const LicenseStatus *s, const char *feature)
{
	if (s->claims != NULL)
		return license_claims_has_feature(s->claims, feature);
	for (int i = 0; i < s->n_remembered_features; i++)
		if (strcmp(s->remembered_features[i], feature) == 0)
			return true;
	return false;
}

static void
feature_name_check(const char *feature)
{
	if (feature == NULL || !license_feature_is_known(feature))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown licence feature \"%s\"", feature ? feature : "(null)"),
				 errhint("The features are attack_paths, feeds, vuln_matching, risk_scoring, api, discovery, compliance, reports and sbom.")));
}

/*
 * The fast path of a feature check: when the file is authentic, its features decide and the database is
 * not read (one stat() per call). Only without an authentic file is the licence memory consulted.
 */
static bool
feature_in_force(const char *feature, LicenseStatus *s)
{
	memset(s, 0, sizeof(*s));
	feature_name_check(feature);
	file_refresh();
	if (file_cache.state == LICENSE_STATE_VALID)
		return license_claims_has_feature(&file_cache.claims, feature);
	license_evaluate(s);
	log_if_changed(s);
	return features_include(s, feature);
}

bool
license_has_feature(const char *feature)
{
	LicenseStatus s;

	return feature_in_force(feature, &s);
}

void
license_require_feature(const char *feature)
{
	LicenseStatus s;

	if (feature_in_force(feature, &s))
		return;
	if (s.reason == NULL)
		license_evaluate(&s);	/* the fast path judged nothing: judge now, for the message */
	ereport(ERROR,
			(errcode(ERRCODE_IC_LICENSE_FEATURE),
			 errmsg("the infracast licence does not include the feature \"%s\"", feature),
			 s.claims != NULL ?
			 errdetail("Licence %s (tier %s) includes: %s.", s.claims->license_id, s.claims->tier,
					   s.claims->nfeatures > 0 ? license_features_text(s.claims) : "no features") :
			 errdetail("There is no authentic licence (state %s: %s).", license_state_name(s.state), s.reason),
			 errhint("Ask your vendor for a licence that includes \"%s\" and swap the file.", feature)));
}

/* "a, b, c" */
char *
license_features_text(const LicenseClaims *c)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < c->nfeatures; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", c->features[i]);
	return buf.data;
}

/* ---------------------------------------------------------------------------------------------- */
/* Shared memory (only when preloaded)                                                              */
/* ---------------------------------------------------------------------------------------------- */

void
license_shmem_request(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(LicenseShared)));
}

void
license_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	license_shared = ShmemInitStruct("infracast licence", sizeof(LicenseShared), &found);
	if (!found)
	{
		memset(license_shared, 0, sizeof(LicenseShared));
		SpinLockInit(&license_shared->mutex);
		for (int i = 0; i < LOGGED_STATE_SLOTS; i++)
			license_shared->slots[i].state = -1;
	}
	LWLockRelease(AddinShmemInitLock);
}
