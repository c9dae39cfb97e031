/*
 * nvd_internal.h: what the two halves of the NVD reader share (private to src/feeds/parse/).
 *
 *   nvd_record.c  one CVE record: read where it lies in the input buffer (JSON -> NvdRaw, spans of
 *                 the buffer), then copied, decoded and checked into a ring slot (NvdRaw -> NvdCve)
 *   nvd_stream.c  the file: the byte scanner, the header, the parse thread and the ring of slots
 *
 * The stream calls the record reader, never the other way round.
 */
#ifndef NVD_INTERNAL_H
#define NVD_INTERNAL_H

#include "feeds/parse/feeds_parse.h"
#include "feeds/parse/nvd_limits.h"

/* One CVSS metric of a cvssMetricVxx list, as read. */
typedef struct NvdRawCvss
{
	double		score;
	JsonSpan	vector;
	JsonSpan	severity;		/* cvssData.baseSeverity */
	JsonSpan	outer_severity; /* baseSeverity beside cvssData (CVSS v2 keeps it there) */
	bool		object;
	bool		primary;
	bool		data;			/* cvssData is an object */
	bool		scored;			/* ... with a numeric baseScore */
} NvdRawCvss;

/* One cpeMatch, as read; the configuration's and node's fields are set when they end. */
typedef struct NvdRawMatch
{
	JsonSpan	config_operator;
	JsonSpan	node_operator;
	JsonSpan	criteria;
	JsonSpan	match_criteria_id;
	JsonSpan	version_start_including;
	JsonSpan	version_start_excluding;
	JsonSpan	version_end_including;
	JsonSpan	version_end_excluding;
	int			config_index;
	int			node_index;
	int			match_index;
	bool		config_negate;
	bool		node_negate;
	bool		vulnerable;
} NvdRawMatch;

/*
 * One CVE record as read: spans of the input buffer, copied into a ring slot by nvd_slot_fill().
 * Where a member occurs twice the last one counts, as it did with json-c's objects.
 */
typedef struct NvdRaw
{
	JsonSpan	id;
	JsonSpan	source_identifier;
	JsonSpan	published;
	JsonSpan	last_modified;
	JsonSpan	vuln_status;
	JsonSpan	description;
	NvdRawCvss	cvss[4];		/* v40, v31, v30, v2: the metric chosen */
	JsonSpan	cwes[NVD_MAX_CWES];
	uint64_t	cwe_hash[NVD_MAX_CWES];	/* nvd_span_hash() of each */
	NvdRawMatch *matches;
	int			nmatches;
	int			mcap;
	int			missing_at;		/* a cpeMatch without criteria came after matches[missing_at - 1]; -1 */
	int			ncwes;
	bool		has_cve;
	bool		oom;
} NvdRaw;

/* A parsed CVE owned by the ring: its strings in arena, its matches in its own array. */
typedef struct NvdSlot
{
	NvdCve		cve;
	NvdCpeMatch *matches;
	int			mcap;
	char	   *arena;
	size_t		acap;
	size_t		bytes;			/* acap and the matches' size, when filled */
} NvdSlot;

/* One element of "vulnerabilities" ({"cve": {...}}) into r; j->status says whether it was whole. */
extern void nvd_read_item(JsonPull *j, NvdRaw *r);

/*
 * Copies the record just read into a slot it owns and checks what the rows need; path and index
 * (the element's position in "vulnerabilities") name it in err.
 */
extern bool nvd_slot_fill(const NvdRaw *r, NvdSlot *sl, const char *path, long index, FeedError *err);
/* The consumer hands back a slot: outsized buffers are freed now. */
extern void nvd_slot_trim(NvdSlot *sl);

/* Text from the file, for a message, with bytes that are not printable ASCII as \xNN (out: 4 * max + 1). */
extern const char *nvd_printable(const char *in, size_t max, char *out);

#endif							/* NVD_INTERNAL_H */
