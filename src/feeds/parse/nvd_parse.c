/*
 * nvd_parse.c: NVD 2.0 feed files (nvdcve-2.0-YYYY.json[.gz], -modified, -recent), one CVE at a time.
 *
 *   {"resultsPerPage": n, "startIndex": 0, "totalResults": n, "format": "NVD_CVE", "version": "2.0",
 *    "timestamp": "...", "vulnerabilities": [{"cve": {...}}, {"cve": {...}}, ...]}
 *
 * Year files are up to 175 MB of JSON, so the document is never held whole. A small byte scanner
 * walks the top-level object and reads the header members as they come (with json-c: a few short
 * values). Each element of the "vulnerabilities" array is read where it lies in the input buffer by
 * json_pull.c, which takes the fields stored as spans of the buffer and checks and skips the rest
 * (the "references" list, a third of the bytes, the metrics' sub-scores, other languages, ...);
 * an element that runs past the end of the buffer is moved to its start, more is read behind it and
 * the element is read again. At most one CVE is in the buffer at a time (plus the largest element
 * seen, as the buffer's size), and the ring of parsed CVEs (below) holds 64.
 *
 * At the end: the element count must equal "totalResults", and when an NVD .meta file sits beside
 * the feed, the sha256 and size of the inflated JSON must equal what it states.
 */
#include "feeds/parse/feeds_parse.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#ifndef NVD_CHUNK				/* the input buffer's first size (a fuzz build starts it small) */
#define NVD_CHUNK (256 * 1024)
#endif
#ifndef NVD_MAX_RECORD			/* bytes a CVE record may have; the largest real ones have a few hundred KB */
#define NVD_MAX_RECORD ((size_t) 64 << 20)
#endif
#ifndef NVD_MAX_HEADER			/* bytes a member name or value of the header may have */
#define NVD_MAX_HEADER ((size_t) 1 << 20)
#endif
#define NVD_RING 64				/* parsed CVEs waiting for the backend */
#ifndef NVD_RING_BYTES			/* ... and the memory they may hold, past one */
#define NVD_RING_BYTES ((size_t) 32 << 20)
#endif
#define NVD_MAX_DEPTH 64		/* nesting a CVE record may have (json-c's limit, used before) */
#define NVD_MAX_CWES 64

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

struct NvdStream
{
	/* (ordered by alignment: clang's padding check) */
	FeedReader *rd;
	char	   *path;
	/* input: ibuf[ilen] is always '\0' (json_pull.c's sentinel) */
	char	   *ibuf;
	size_t		icap;
	size_t		ilen;
	size_t		ipos;
	/* a header value being cut out */
	char	   *ebuf;
	size_t		elen;
	size_t		ecap;
	json_tokener *tok;
	/* the CVE just read (the parse thread's) */
	NvdRaw		raw;
	/* header, progress, .meta */
	long		total_results;
	long		cves;
	long long	meta_size;
	/* the parse thread and the ring of parsed CVEs it hands to nvd_next() */
	pthread_t	thread;
	pthread_mutex_t mu;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	NvdSlot		ring[NVD_RING];
	size_t		ring_bytes;		/* the bytes of the filled slots */
	int			head;			/* oldest filled slot */
	int			count;			/* filled slots, including the one the consumer holds */
	int			producer_rc;
	FeedError	producer_err;
	bool		ieof;
	bool		first;
	bool		done;
	bool		has_meta;
	bool		threaded;
	bool		holding;		/* the consumer is using ring[head] */
	bool		producer_waiting;	/* wake-ups only when the other side sleeps: a */
	bool		consumer_waiting;	/* futex call per CVE costs more than it saves */
	bool		producer_over_budget;	/* it waits for ring_bytes, not for a free slot */
	bool		producer_done;
	bool		stop;
	char		version[16];
	char		timestamp[64];
	char		meta_sha256[65];
	char		content_sha256[65];
	char		file_sha256[65];
};

static void nvd_start_thread(NvdStream *s);

/* ---- byte scanner ---------------------------------------------------------------------------- */

/* Makes at least one unread byte available: 1, or 0 at end of input, -1 on error. */
static int
nvd_fill(NvdStream *s, FeedError *err)
{
	long		got;

	if (s->ipos < s->ilen)
		return 1;
	if (s->ieof)
		return 0;
	got = feed_reader_read(s->rd, s->ibuf, s->icap, err);
	if (got < 0)
		return -1;
	s->ipos = 0;
	s->ilen = (size_t) got;
	s->ibuf[s->ilen] = '\0';
	if (got == 0)
	{
		s->ieof = true;
		return 0;
	}
	return 1;
}

/* A limit as a person reads it: "64 MB", or bytes when it is not a number of MB. */
static const char *
nvd_size_text(size_t n, char *buf, size_t buflen)
{
	if (n >= ((size_t) 1 << 20) && n % ((size_t) 1 << 20) == 0)
		snprintf(buf, buflen, "%zu MB", n >> 20);
	else
		snprintf(buf, buflen, "%zu bytes", n);
	return buf;
}

/*
 * Text from the file, for a message: its first max bytes, each byte that is not printable ASCII
 * written as \xNN, so that the message is valid in any server encoding (it goes into the ERROR and
 * into feed_status.message) and no multibyte character is cut. out: 4 * max + 1 bytes.
 */
static const char *
nvd_printable(const char *in, size_t max, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char	   *o = out;

	for (size_t i = 0; i < max && in[i] != '\0'; i++)
	{
		unsigned char c = (unsigned char) in[i];

		if (c >= 0x20 && c < 0x7f)
			*o++ = (char) c;
		else
		{
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static void
nvd_record_too_large(NvdStream *s, FeedError *err)
{
	char		limit[32];

	feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": vulnerabilities[%ld] is larger than %s",
				   s->path, s->cves, nvd_size_text(NVD_MAX_RECORD, limit, sizeof(limit)));
}

/*
 * The element starting at ipos runs past the end of the buffer: moves it to the start, doubles the
 * buffer when the element fills more than half of it (so an element is read again O(1) times), up
 * to NVD_MAX_RECORD, and fills the rest. 1: more was read; 0: the input ended; -1: error.
 *
 * An element is refused when it has NVD_MAX_RECORD bytes and has not ended, wherever it started in
 * the buffer: whether a file loads must not depend on how the reads fell.
 */
static int
nvd_read_more(NvdStream *s, FeedError *err)
{
	size_t		keep = s->ilen - s->ipos;

	if (keep >= NVD_MAX_RECORD)
	{
		nvd_record_too_large(s, err);
		return -1;
	}
	if (s->ipos > 0)
	{
		memmove(s->ibuf, s->ibuf + s->ipos, keep);
		s->ipos = 0;
		s->ilen = keep;
	}
	if (keep > s->icap / 2 && s->icap < NVD_MAX_RECORD)
	{
		size_t		cap = s->icap < NVD_MAX_RECORD / 2 ? s->icap * 2 : NVD_MAX_RECORD;
		char	   *nb = realloc(s->ibuf, cap + 1);

		if (nb == NULL)
		{
			feed_error_set(err, FEED_ERR_IO, "out of memory");
			return -1;
		}
		s->ibuf = nb;
		s->icap = cap;
	}
	while (!s->ieof && s->ilen < s->icap)
	{
		long		got = feed_reader_read(s->rd, s->ibuf + s->ilen, s->icap - s->ilen, err);

		if (got < 0)
			return -1;
		if (got == 0)
			s->ieof = true;
		s->ilen += (size_t) got;
	}
	s->ibuf[s->ilen] = '\0';
	return s->ilen > keep ? 1 : 0;
}

static void
nvd_truncated(NvdStream *s, FeedError *err)
{
	feed_error_set(err, FEED_ERR_FORMAT,
				   "NVD file \"%s\" ends in the middle of the JSON document (after %ld CVEs): the file is truncated",
				   s->path, s->cves);
}

/* The next non-space byte without consuming it; -1 at end (err set unless at_end_ok), -2 error. */
static int
nvd_peek(NvdStream *s, bool at_end_ok, FeedError *err)
{
	for (;;)
	{
		int			rc = nvd_fill(s, err);

		if (rc < 0)
			return -2;
		if (rc == 0)
		{
			if (!at_end_ok)
				nvd_truncated(s, err);
			return -1;
		}
		while (s->ipos < s->ilen)
		{
			unsigned char c = (unsigned char) s->ibuf[s->ipos];

			if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
				return c;
			s->ipos++;
		}
	}
}

static int
nvd_expect(NvdStream *s, char want, const char *where, FeedError *err)
{
	int			c = nvd_peek(s, false, err);

	if (c < 0)
		return -1;
	if (c != want)
	{
		char		found[16];

		/* a byte that is not printable ASCII (a BOM, a NUL, binary data) goes in as hex: the
		 * message must be valid text in any server encoding */
		if (c >= 0x20 && c < 0x7f)
			snprintf(found, sizeof(found), "'%c'", c);
		else
			snprintf(found, sizeof(found), "byte 0x%02X", (unsigned) c);
		feed_error_set(err, FEED_ERR_FORMAT,
					   "NVD file \"%s\" is not an NVD 2.0 feed: expected '%c' %s, found %s (after %ld CVEs)",
					   s->path, want, where, found, s->cves);
		return -1;
	}
	s->ipos++;
	return 0;
}

/*
 * Appends to the header value being cut out. A header member is parsed whole by json-c, which takes
 * tens of bytes per value (a million zeros in 2 MB took 56 MB), so it has a limit of its own, far
 * above the few bytes the real ones have.
 */
static int
nvd_append(NvdStream *s, const char *p, size_t n, FeedError *err)
{
	if (s->elen + n > NVD_MAX_HEADER)
	{
		char		limit[32];

		feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": a header member (a name or value outside \"vulnerabilities\") is larger than %s",
					   s->path, nvd_size_text(NVD_MAX_HEADER, limit, sizeof(limit)));
		return -1;
	}
	if (s->elen + n + 2 > s->ecap)
	{
		size_t		cap = s->ecap ? s->ecap : 4096;
		char	   *nb;

		while (s->elen + n + 2 > cap)
			cap *= 2;
		if ((nb = realloc(s->ebuf, cap)) == NULL)
		{
			feed_error_set(err, FEED_ERR_IO, "out of memory");
			return -1;
		}
		s->ebuf = nb;
		s->ecap = cap;
	}
	memcpy(s->ebuf + s->elen, p, n);
	s->elen += n;
	return 0;
}

/*
 * Cuts the next JSON value (a header member's name or value) out of the input into ebuf, copying
 * runs of bytes. Strings are passed over with a tight loop that only looks for '"' and '\\'.
 */
/* Bytes that end a run inside a string, and bytes that matter between tokens. */
static const bool nvd_string_special[256] = {['"'] = true, ['\\'] = true};
static const bool nvd_structural[256] = {
	['"'] = true, ['{'] = true, ['}'] = true, ['['] = true, [']'] = true, [','] = true, [':'] = true
};

static int
nvd_capture(NvdStream *s, FeedError *err)
{
	int			depth = 0;
	bool		instr = false,
				esc = false;
	bool		scalar;
	int			c0;

	s->elen = 0;
	c0 = nvd_peek(s, false, err);
	if (c0 < 0)
		return -1;
	scalar = (c0 != '{' && c0 != '[' && c0 != '"');
	for (;;)
	{
		int			rc = nvd_fill(s, err);
		const char *buf = s->ibuf;
		size_t		len = s->ilen;
		size_t		pos = s->ipos;
		size_t		run = pos;

		if (rc < 0)
			return -1;
		if (rc == 0)
		{
			if (scalar && s->elen > 0)
				return 0;
			nvd_truncated(s, err);
			return -1;
		}
		while (pos < len)
		{
			char		c;

			if (instr)
			{
				if (esc)
				{
					esc = false;
					pos++;
					continue;
				}
				while (pos < len && !nvd_string_special[(unsigned char) buf[pos]])
					pos++;
				if (pos == len)
					break;
				if (buf[pos] == '\\')
					esc = true;
				else
				{
					instr = false;
					if (depth == 0)
					{
						pos++;
						if (nvd_append(s, buf + run, pos - run, err) < 0)
							return -1;
						s->ipos = pos;
						return 0;
					}
				}
				pos++;
				continue;
			}
			/* JSON allows only whitespace between a string and the ':' or ',' after it, so
			 * everything that is not structure can be passed over without a look */
			if (!scalar)
			{
				while (pos < len && !nvd_structural[(unsigned char) buf[pos]])
					pos++;
				if (pos == len)
					break;
			}
			c = buf[pos];
			if (scalar)
			{
				if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
				{
					if (nvd_append(s, buf + run, pos - run, err) < 0)
						return -1;
					s->ipos = pos;
					return 0;
				}
				pos++;
				continue;
			}
			switch (c)
			{
				case '"':
					instr = true;
					break;
				case '{':
				case '[':
					depth++;
					break;
				case '}':
				case ']':
					depth--;
					if (depth == 0)
					{
						pos++;
						if (nvd_append(s, buf + run, pos - run, err) < 0)
							return -1;
						s->ipos = pos;
						return 0;
					}
					break;
				default:
					break;
			}
			pos++;
		}
		if (nvd_append(s, buf + run, pos - run, err) < 0)
			return -1;
		s->ipos = pos;
	}
}

/* Parses ebuf with json-c; the result is owned by the caller. */
static json_object *
nvd_parse_captured(NvdStream *s, const char *what, FeedError *err)
{
	json_object *o;

	s->ebuf[s->elen] = ' ';		/* a delimiter, so that a bare number is complete */
	json_tokener_reset(s->tok);
	o = json_tokener_parse_ex(s->tok, s->ebuf, (int) s->elen + 1);
	if (o == NULL)
	{
		enum json_tokener_error jerr = json_tokener_get_error(s->tok);

		feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": %s is not valid JSON: %s", s->path, what,
					   jerr == json_tokener_continue ? "it is incomplete" : json_tokener_error_desc(jerr));
	}
	return o;
}

/* Reads a member name (a JSON string) into out. */
static int
nvd_read_key(NvdStream *s, char *out, size_t outlen, FeedError *err)
{
	json_object *o;

	if (nvd_capture(s, err) < 0)
		return -1;
	if (s->elen < 2 || s->ebuf[0] != '"')
	{
		feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" is not an NVD 2.0 feed: expected a member name", s->path);
		return -1;
	}
	o = nvd_parse_captured(s, "a member name", err);
	if (o == NULL)
		return -1;
	snprintf(out, outlen, "%s", json_object_get_string(o));
	json_object_put(o);
	return 0;
}

/*
 * Reads top-level members. Returns 1 when positioned at the start of the vulnerabilities array's
 * first element, 0 at the closing brace of the document, -1 on error. after_value: a member was just
 * read, so a ',' or '}' comes first.
 */
static int
nvd_read_members(NvdStream *s, bool after_value, FeedError *err)
{
	char		key[64];
	char		shown[4 * 64 + 1];

	for (;;)
	{
		int			c = nvd_peek(s, false, err);
		json_object *v;

		if (c < 0)
			return -1;
		if (c == '}')
		{
			s->ipos++;
			return 0;
		}
		if (after_value)
		{
			if (nvd_expect(s, ',', "between members", err) < 0)
				return -1;
		}
		after_value = true;
		if (nvd_read_key(s, key, sizeof(key), err) < 0 || nvd_expect(s, ':', "after a member name", err) < 0)
			return -1;
		if (strcmp(key, "vulnerabilities") == 0)
		{
			if (nvd_expect(s, '[', "to open \"vulnerabilities\"", err) < 0)
				return -1;
			return 1;
		}
		if (nvd_capture(s, err) < 0)
			return -1;
		v = nvd_parse_captured(s, nvd_printable(key, sizeof(key), shown), err);
		if (v == NULL)
			return -1;
		if (strcmp(key, "totalResults") == 0 && json_object_is_type(v, json_type_int))
			s->total_results = (long) json_object_get_int64(v);
		else if (strcmp(key, "timestamp") == 0 && json_object_is_type(v, json_type_string))
			snprintf(s->timestamp, sizeof(s->timestamp), "%s", json_object_get_string(v));
		else if (strcmp(key, "version") == 0 && json_object_is_type(v, json_type_string))
			snprintf(s->version, sizeof(s->version), "%s", json_object_get_string(v));
		else if (strcmp(key, "format") == 0 && json_object_is_type(v, json_type_string) &&
				 strcmp(json_object_get_string(v), "NVD_CVE") != 0)
		{
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" has format \"%s\", not NVD_CVE",
						   s->path, nvd_printable(json_object_get_string(v), 64, shown));
			json_object_put(v);
			return -1;
		}
		json_object_put(v);
	}
}

/* Reads the NVD .meta beside path, if any: lastModifiedDate, size, zipSize, gzSize, sha256. */
static int
nvd_read_meta(NvdStream *s, FeedError *err)
{
	char		meta[4096];
	char		line[256];
	size_t		n = strlen(s->path);
	FILE	   *f;

	if (n + 8 > sizeof(meta))
		return 0;
	memcpy(meta, s->path, n + 1);
	if (feed_path_has_suffix(meta, ".gz"))
		meta[n -= 3] = '\0';
	if (feed_path_has_suffix(meta, ".json"))
		n -= 5;
	snprintf(meta + n, sizeof(meta) - n, ".meta");
	f = fopen(meta, "r");
	if (f == NULL)
		return 0;
	s->meta_size = -1;
	while (fgets(line, sizeof(line), f) != NULL)
	{
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "sha256:", 7) == 0 && strlen(line + 7) == 64)
		{
			for (int i = 0; i < 64; i++)
				s->meta_sha256[i] = (char) tolower((unsigned char) line[7 + i]);
			s->meta_sha256[64] = '\0';
		}
		else if (strncmp(line, "size:", 5) == 0)
			s->meta_size = atoll(line + 5);
	}
	fclose(f);
	if (s->meta_sha256[0] == '\0')
	{
		feed_error_set(err, FEED_ERR_FORMAT, "NVD meta file \"%s\" has no sha256 line", meta);
		return -1;
	}
	s->has_meta = true;
	return 0;
}

NvdStream *
nvd_open(const char *path, FeedError *err)
{
	NvdStream  *s = calloc(1, sizeof(NvdStream));
	int			rc;

	if (s == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	s->path = strdup(path);
	s->total_results = -1;
	s->first = true;
	s->icap = NVD_CHUNK;
	s->ibuf = malloc(NVD_CHUNK + 1);
	s->tok = json_tokener_new_ex(64);
	if (s->path == NULL || s->ibuf == NULL || s->tok == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		goto fail;
	}
	if (nvd_read_meta(s, err) < 0)
		goto fail;
	s->rd = feed_reader_open(path, err);
	if (s->rd == NULL)
		goto fail;
	rc = nvd_peek(s, true, err);
	if (rc == -1)
	{
		feed_error_set(err, FEED_ERR_EMPTY, "NVD file \"%s\" is empty", path);
		goto fail;
	}
	if (rc < 0 || nvd_expect(s, '{', "at the start", err) < 0)
		goto fail;
	rc = nvd_read_members(s, false, err);
	if (rc < 0)
		goto fail;
	if (rc == 0)
	{
		feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" has no \"vulnerabilities\" array", path);
		goto fail;
	}
	nvd_start_thread(s);
	return s;
fail:
	nvd_close(s);
	return NULL;
}

/* ---- one CVE record, read where it lies in the input buffer ---------------------------------- */

/* A cvssMetricVxx element's cvssData; a repeated cvssData replaces the one before. */
static void
nvd_read_cvss_data(JsonPull *j, NvdRawCvss *m)
{
	JsonSpan	key;

	m->data = m->scored = false;
	m->vector.p = m->severity.p = NULL;
	if (!json_pull_object(j))
		return;
	m->data = true;
	while (json_pull_member(j, &key))
	{
		if (json_span_is(&key, "baseScore"))
			m->scored = json_pull_number(j, &m->score);
		else if (json_span_is(&key, "vectorString"))
			json_pull_string(j, &m->vector);
		else if (json_span_is(&key, "baseSeverity"))
			json_pull_string(j, &m->severity);
		else
			json_pull_skip(j);
	}
}

static void
nvd_read_cvss_metric(JsonPull *j, NvdRawCvss *m)
{
	JsonSpan	key,
				type;

	memset(m, 0, sizeof(*m));
	if (!json_pull_object(j))
		return;
	m->object = true;
	while (json_pull_member(j, &key))
	{
		if (json_span_is(&key, "type"))
		{
			json_pull_string(j, &type);
			m->primary = json_span_is(&type, "Primary");
		}
		else if (json_span_is(&key, "cvssData"))
			nvd_read_cvss_data(j, m);
		else if (json_span_is(&key, "baseSeverity"))
			json_pull_string(j, &m->outer_severity);
		else
			json_pull_skip(j);
	}
}

/* A cvssMetricVxx list: keeps the Primary (NVD) metric when there is one, else the first. */
static void
nvd_read_cvss_list(JsonPull *j, NvdRawCvss *out)
{
	NvdRawCvss	m;
	bool		have_primary = false;
	int			n = 0;

	memset(out, 0, sizeof(*out));
	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		nvd_read_cvss_metric(j, &m);
		if ((n++ == 0 && !m.primary) || (m.primary && !have_primary))
			*out = m;
		have_primary |= m.primary;
	}
}

static void
nvd_read_metrics(JsonPull *j, NvdRaw *r)
{
	static const char *const keys[4] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"};
	JsonSpan	key;

	memset(r->cvss, 0, sizeof(r->cvss));
	if (!json_pull_object(j))
		return;
	while (json_pull_member(j, &key))
	{
		int			k = 0;

		while (k < 4 && !json_span_is(&key, keys[k]))
			k++;
		if (k < 4)
			nvd_read_cvss_list(j, &r->cvss[k]);
		else
			json_pull_skip(j);
	}
}

/* The first English description that has a value. */
static void
nvd_read_descriptions(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;

	r->description.p = NULL;
	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		JsonSpan	lang = {0},
					value = {0};

		if (json_pull_object(j))
			while (json_pull_member(j, &key))
			{
				if (json_span_is(&key, "lang"))
					json_pull_string(j, &lang);
				else if (json_span_is(&key, "value"))
					json_pull_string(j, &value);
				else
					json_pull_skip(j);
			}
		if (r->description.p == NULL && json_span_is(&lang, "en"))
			r->description = value;
	}
}

/* FNV-1a of a span's text as json_span_equal() compares it: decoded, up to its first '\0'. */
static uint64_t
nvd_span_hash(const JsonSpan *s)
{
	char		buf[128];
	char	   *d = buf;
	const char *t = s->p;
	size_t		n = s->len;
	uint64_t	h = UINT64_C(0xcbf29ce484222325);

	if (s->escaped)
	{
		if (s->len >= sizeof(buf) && (d = malloc((size_t) s->len + 1)) == NULL)
			return 0;			/* out of memory: json_span_equal() finds nothing equal either */
		json_span_decode(s, d);
		t = d;
		n = strlen(d);
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char) t[i]) * UINT64_C(0x100000001b3);
	if (d != buf)
		free(d);
	return h;
}

/*
 * One weakness's description list: its values, each once, up to NVD_MAX_CWES in all. A value is
 * compared only with the kept ones of the same hash: comparing an escaped value decodes both, and
 * comparing each with all 63 kept before made a list of duplicates cost 400 times its parse.
 */
static void
nvd_read_cwe_list(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;

	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		JsonSpan	value = {0};
		bool		dup = false;
		uint64_t	hash;

		if (json_pull_object(j))
			while (json_pull_member(j, &key))
			{
				if (json_span_is(&key, "value"))
					json_pull_string(j, &value);
				else
					json_pull_skip(j);
			}
		if (value.p == NULL || r->ncwes == NVD_MAX_CWES)
			continue;
		hash = nvd_span_hash(&value);
		for (int k = 0; k < r->ncwes && !dup; k++)
			dup = r->cwe_hash[k] == hash && json_span_equal(&r->cwes[k], &value);
		if (!dup)
		{
			r->cwe_hash[r->ncwes] = hash;
			r->cwes[r->ncwes++] = value;
		}
	}
}

static void
nvd_read_weaknesses(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;

	r->ncwes = 0;
	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		int			before = r->ncwes;

		if (json_pull_object(j))
			while (json_pull_member(j, &key))
			{
				if (json_span_is(&key, "description"))
				{
					r->ncwes = before;
					nvd_read_cwe_list(j, r);
				}
				else
					json_pull_skip(j);
			}
	}
}

/* The match just added has no criteria: takes it back, noting where the first such one was. */
static void
nvd_drop_match(NvdRaw *r)
{
	r->nmatches--;
	if (r->missing_at < 0)
		r->missing_at = r->nmatches;
}

/* A cpeMatch list read again (the member given twice) replaces the one read before, from first. */
static void
nvd_reset_matches(NvdRaw *r, int first, int missing_at)
{
	r->nmatches = first;
	r->missing_at = missing_at;
}

static NvdRawMatch *
nvd_add_match(NvdRaw *r)
{
	NvdRawMatch *m;

	if (r->nmatches == r->mcap)
	{
		int			cap = r->mcap ? r->mcap * 2 : 64;
		NvdRawMatch *nm = realloc(r->matches, sizeof(NvdRawMatch) * (size_t) cap);

		if (nm == NULL)
		{
			r->oom = true;
			return NULL;
		}
		r->matches = nm;
		r->mcap = cap;
	}
	m = &r->matches[r->nmatches++];
	memset(m, 0, sizeof(*m));
	m->vulnerable = true;
	return m;
}

/*
 * A node's cpeMatch list. An element without a criteria string (one that is not an object too) makes
 * the record fail (nvd_slot_fill), so only where the first one was is kept: an entry for each took
 * 144 bytes for as little as two bytes of input ("0,"), 72 times the record's size.
 */
static void
nvd_read_cpe_matches(JsonPull *j, NvdRaw *r, int ci, int ni)
{
	JsonSpan	key;
	int			mi = 0;

	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		NvdRawMatch *m = nvd_add_match(r);

		if (m == NULL)
		{
			json_pull_skip(j);
			continue;
		}
		m->config_index = ci;
		m->node_index = ni;
		m->match_index = mi++;
		if (!json_pull_object(j))
		{
			nvd_drop_match(r);
			continue;
		}
		while (json_pull_member(j, &key))
		{
			if (json_span_is(&key, "criteria"))
				json_pull_string(j, &m->criteria);
			else if (json_span_is(&key, "vulnerable"))
				m->vulnerable = json_pull_bool(j) != 0;
			else if (json_span_is(&key, "matchCriteriaId"))
				json_pull_string(j, &m->match_criteria_id);
			else if (json_span_is(&key, "versionStartIncluding"))
				json_pull_string(j, &m->version_start_including);
			else if (json_span_is(&key, "versionStartExcluding"))
				json_pull_string(j, &m->version_start_excluding);
			else if (json_span_is(&key, "versionEndIncluding"))
				json_pull_string(j, &m->version_end_including);
			else if (json_span_is(&key, "versionEndExcluding"))
				json_pull_string(j, &m->version_end_excluding);
			else
				json_pull_skip(j);
		}
		if (m->criteria.p == NULL)
			nvd_drop_match(r);
	}
}

/* A configuration's nodes; a node's operator and negate may follow its cpeMatch list. */
static void
nvd_read_nodes(JsonPull *j, NvdRaw *r, int ci)
{
	JsonSpan	key;
	int			ni = -1;

	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		JsonSpan	op = {0};
		bool		negate = false;
		int			first = r->nmatches;
		int			missing_at = r->missing_at;

		ni++;
		if (!json_pull_object(j))
			continue;
		while (json_pull_member(j, &key))
		{
			if (json_span_is(&key, "cpeMatch"))
			{
				nvd_reset_matches(r, first, missing_at);
				nvd_read_cpe_matches(j, r, ci, ni);
			}
			else if (json_span_is(&key, "operator"))
				json_pull_string(j, &op);
			else if (json_span_is(&key, "negate"))
				negate = json_pull_bool(j) == 1;
			else
				json_pull_skip(j);
		}
		for (int k = first; k < r->nmatches; k++)
		{
			r->matches[k].node_operator = op;
			r->matches[k].node_negate = negate;
		}
	}
}

static void
nvd_read_configurations(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;
	int			ci = -1;

	nvd_reset_matches(r, 0, -1);
	if (!json_pull_array(j))
		return;
	while (json_pull_element(j))
	{
		JsonSpan	op = {0};
		bool		negate = false;
		int			first = r->nmatches;
		int			missing_at = r->missing_at;

		ci++;
		if (!json_pull_object(j))
			continue;
		while (json_pull_member(j, &key))
		{
			if (json_span_is(&key, "nodes"))
			{
				nvd_reset_matches(r, first, missing_at);
				nvd_read_nodes(j, r, ci);
			}
			else if (json_span_is(&key, "operator"))
				json_pull_string(j, &op);
			else if (json_span_is(&key, "negate"))
				negate = json_pull_bool(j) == 1;
			else
				json_pull_skip(j);
		}
		for (int k = first; k < r->nmatches; k++)
		{
			r->matches[k].config_operator = op;
			r->matches[k].config_negate = negate;
		}
	}
}

/* The "cve" object: every member that is stored; the rest (references, ...) is checked and skipped. */
static void
nvd_read_cve(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;

	r->id.p = r->source_identifier.p = r->published.p = r->last_modified.p = r->vuln_status.p = NULL;
	r->description.p = NULL;
	memset(r->cvss, 0, sizeof(r->cvss));
	r->ncwes = 0;
	nvd_reset_matches(r, 0, -1);
	r->has_cve = json_pull_object(j);
	if (!r->has_cve)
		return;
	while (json_pull_member(j, &key))
	{
		if (json_span_is(&key, "id"))
			json_pull_string(j, &r->id);
		else if (json_span_is(&key, "sourceIdentifier"))
			json_pull_string(j, &r->source_identifier);
		else if (json_span_is(&key, "published"))
			json_pull_string(j, &r->published);
		else if (json_span_is(&key, "lastModified"))
			json_pull_string(j, &r->last_modified);
		else if (json_span_is(&key, "vulnStatus"))
			json_pull_string(j, &r->vuln_status);
		else if (json_span_is(&key, "descriptions"))
			nvd_read_descriptions(j, r);
		else if (json_span_is(&key, "metrics"))
			nvd_read_metrics(j, r);
		else if (json_span_is(&key, "weaknesses"))
			nvd_read_weaknesses(j, r);
		else if (json_span_is(&key, "configurations"))
			nvd_read_configurations(j, r);
		else
			json_pull_skip(j);
	}
}

/* One element of "vulnerabilities": {"cve": {...}}. */
static void
nvd_read_item(JsonPull *j, NvdRaw *r)
{
	JsonSpan	key;

	r->has_cve = false;
	r->oom = false;
	if (!json_pull_object(j))
		return;
	while (json_pull_member(j, &key))
	{
		if (json_span_is(&key, "cve"))
			nvd_read_cve(j, r);
		else
			json_pull_skip(j);
	}
}

/* Checks done when the document is complete: its count, and the .meta checksum and size. */
static int
nvd_finish(NvdStream *s, FeedError *err)
{
	if (nvd_peek(s, true, err) != -1)
	{
		if (err->kind == FEED_OK)
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" has data after the end of the JSON document", s->path);
		return -1;
	}
	/* drains the reader, so that a damaged gzip trailer is noticed and the checksums cover every byte */
	if (feed_reader_finish(s->rd, s->content_sha256, s->file_sha256, err) < 0)
		return -1;
	if (s->has_meta)
	{
		if (strcmp(s->content_sha256, s->meta_sha256) != 0)
		{
			feed_error_set(err, FEED_ERR_CHECKSUM,
						   "NVD file \"%s\": the sha256 of its JSON is %s but its .meta says %s",
						   s->path, s->content_sha256, s->meta_sha256);
			return -1;
		}
		if (s->meta_size >= 0 && (unsigned long long) s->meta_size != feed_reader_bytes(s->rd))
		{
			feed_error_set(err, FEED_ERR_CHECKSUM, "NVD file \"%s\": its JSON is %llu bytes but its .meta says %lld",
						   s->path, (unsigned long long) feed_reader_bytes(s->rd), s->meta_size);
			return -1;
		}
	}
	if (s->total_results >= 0 && s->total_results != s->cves)
	{
		feed_error_set(err, FEED_ERR_COUNT, "NVD file \"%s\" says \"totalResults\": %ld but holds %ld CVEs",
					   s->path, s->total_results, s->cves);
		return -1;
	}
	return 0;
}

/* Reads the next CVE record into s->raw: 1, or 0 after the last one (the document checked), -1 error. */
static int
nvd_read_next(NvdStream *s, FeedError *err)
{
	JsonPull	j;
	int			c;
	int			rc;

	if (s->done)
		return 0;
	c = nvd_peek(s, false, err);
	if (c < 0)
		return -1;
	if (c == ']')
	{
		s->ipos++;
		rc = nvd_read_members(s, true, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
		{
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" has two \"vulnerabilities\" arrays", s->path);
			return -1;
		}
		if (nvd_finish(s, err) < 0)
			return -1;
		s->done = true;
		return 0;
	}
	if (!s->first && nvd_expect(s, ',', "between CVEs", err) < 0)
		return -1;
	s->first = false;
	if (nvd_peek(s, false, err) < 0)
		return -1;
	for (;;)
	{
		json_pull_init(&j, s->ibuf + s->ipos, s->ilen - s->ipos, NVD_MAX_DEPTH);
		nvd_read_item(&j, &s->raw);
		if (j.status == JSON_PULL_OK)
			break;
		/*
		 * A buffer larger than the limit (NVD_CHUNK set larger) shows more of a record than the
		 * limit allows: what lies past the limit is "too large", as it is with any other buffer.
		 */
		if (j.status == JSON_PULL_BAD && (size_t) (j.p - (s->ibuf + s->ipos)) >= NVD_MAX_RECORD)
		{
			nvd_record_too_large(s, err);
			return -1;
		}
		if (j.status == JSON_PULL_BAD)
		{
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": a CVE record (vulnerabilities[%ld]) is not valid JSON: %s",
						   s->path, s->cves, j.error);
			return -1;
		}
		rc = nvd_read_more(s, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
		{
			nvd_truncated(s, err);
			return -1;
		}
	}
	if ((size_t) (j.p - (s->ibuf + s->ipos)) > NVD_MAX_RECORD)
	{
		nvd_record_too_large(s, err);
		return -1;
	}
	s->ipos = (size_t) (j.p - s->ibuf);
	if (s->raw.oom)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return -1;
	}
	return 1;
}

/* ---- the parse thread ------------------------------------------------------------------------
 *
 * Reading records and storing rows (PostgreSQL) are two halves of a load, so the stream reads on a
 * thread of its own and hands complete CVEs to nvd_next() through a ring of NVD_RING slots; memory
 * stays bounded by the ring, which also stops taking CVEs (past the first) when the ones it holds
 * take NVD_RING_BYTES. The thread runs only this file's code, json_pull.c, zlib and the
 * SHA-256 update (never a PostgreSQL function that can raise or allocate), with every signal blocked
 * so that PostgreSQL's handlers run on the backend's own thread. nvd_close() stops and joins it,
 * also when the backend leaves a load with an ERROR.
 */

/* Room for a span's decoded text and its '\0' (decoding never lengthens a string). */
static size_t
span_room(const JsonSpan *sp)
{
	return sp->p ? (size_t) sp->len + 1 : 0;
}

/* Room for a criteria's attributes, split and unescaped (never more than the criteria itself). */
static size_t
cpe_room(const JsonSpan *criteria)
{
	size_t		n = span_room(criteria);

	return n < CPE_MAX_BYTES ? n : CPE_MAX_BYTES;
}

static const char *
slot_copy(NvdSlot *sl, size_t *used, const JsonSpan *sp)
{
	char	   *d;

	if (sp->p == NULL)
		return NULL;
	d = sl->arena + *used;
	*used += json_span_decode(sp, d) + 1;
	return d;
}

/* A slot keeps its buffers from CVE to CVE, but not an outsized one's: past 1 MB they shrink again. */
#ifndef NVD_SLOT_KEEP
#define NVD_SLOT_KEEP (1024 * 1024)
#endif

/*
 * The consumer hands back a slot: buffers past NVD_SLOT_KEEP are freed now, not when the slot is
 * next filled, so that the free slots do not keep what the budget no longer counts.
 */
static void
nvd_slot_trim(NvdSlot *sl)
{
	if (sl->acap > NVD_SLOT_KEEP)
	{
		free(sl->arena);
		sl->arena = NULL;
		sl->acap = 0;
	}
	if (sizeof(NvdCpeMatch) * (size_t) sl->mcap > NVD_SLOT_KEEP)
	{
		free(sl->matches);
		sl->matches = NULL;
		sl->mcap = 0;
	}
	sl->bytes = 0;
}

static bool
nvd_slot_reserve(NvdSlot *sl, size_t need, int nmatches)
{
	if (need > sl->acap || (sl->acap > NVD_SLOT_KEEP && need < sl->acap / 4))
	{
		char	   *na = realloc(sl->arena, need);

		if (na == NULL)
			return false;
		sl->arena = na;
		sl->acap = need;
	}
	if (nmatches > sl->mcap ||
		(sizeof(NvdCpeMatch) * (size_t) sl->mcap > NVD_SLOT_KEEP && nmatches < sl->mcap / 4))
	{
		int			cap = nmatches > 16 ? nmatches : 16;
		NvdCpeMatch *nm = realloc(sl->matches, sizeof(NvdCpeMatch) * (size_t) cap);

		if (nm == NULL)
			return false;
		sl->matches = nm;
		sl->mcap = cap;
	}
	return true;
}

static void
nvd_slot_cvss(NvdSlot *sl, size_t *used, const NvdRawCvss *m, NvdCvss *out)
{
	if (!(m->object && m->data && m->scored))
		return;
	out->present = true;
	out->score = m->score;
	out->vector = slot_copy(sl, used, &m->vector);
	out->severity = slot_copy(sl, used, m->severity.p ? &m->severity : &m->outer_severity);
}

/*
 * Copies the CVE just read (s->raw, spans of the input) into a slot it owns, decoding its strings,
 * and checks what the rows need: an id, lastModified and vulnStatus, and CPE 2.3 criteria.
 */
static bool
nvd_slot_fill(NvdStream *s, NvdSlot *sl, FeedError *err)
{
	const NvdRaw *r = &s->raw;
	NvdCve	   *d = &sl->cve;
	NvdCvss    *dv[4] = {&d->v40, &d->v31, &d->v30, &d->v2};
	size_t		need,
				used = 0;
	char		id[4 * 31 + 1],
				criteria[4 * 200 + 1];

	if (!r->has_cve || r->id.p == NULL || r->last_modified.p == NULL || r->vuln_status.p == NULL)
		goto lacks;
	need = span_room(&r->id) + span_room(&r->source_identifier) + span_room(&r->published) +
		span_room(&r->last_modified) + span_room(&r->vuln_status) + span_room(&r->description);
	for (int k = 0; k < 4; k++)
		need += span_room(&r->cvss[k].vector) + span_room(&r->cvss[k].severity) +
			span_room(&r->cvss[k].outer_severity);
	for (int k = 0; k < r->ncwes; k++)
		need += span_room(&r->cwes[k]);
	for (int m = 0; m < r->nmatches; m++)
	{
		const NvdRawMatch *x = &r->matches[m];

		need += span_room(&x->config_operator) + span_room(&x->node_operator) + span_room(&x->criteria) +
			span_room(&x->match_criteria_id) + span_room(&x->version_start_including) +
			span_room(&x->version_start_excluding) + span_room(&x->version_end_including) +
			span_room(&x->version_end_excluding);
		need += cpe_room(&x->criteria);
	}
	if (!nvd_slot_reserve(sl, need, r->nmatches))
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return false;
	}
	memset(d, 0, sizeof(*d));
	d->id = slot_copy(sl, &used, &r->id);
	if (strncmp(d->id, "CVE-", 4) != 0 || strlen(d->id) > 31)
		goto lacks;
	d->source_identifier = slot_copy(sl, &used, &r->source_identifier);
	d->published = slot_copy(sl, &used, &r->published);
	d->last_modified = slot_copy(sl, &used, &r->last_modified);
	d->vuln_status = slot_copy(sl, &used, &r->vuln_status);
	d->description = slot_copy(sl, &used, &r->description);
	for (int k = 0; k < 4; k++)
		nvd_slot_cvss(sl, &used, &r->cvss[k], dv[k]);
	for (int k = 0; k < r->ncwes; k++)
		d->cwes[k] = slot_copy(sl, &used, &r->cwes[k]);
	d->ncwes = r->ncwes;
	d->matches = sl->matches;
	d->nmatches = r->nmatches;
	for (int m = 0; m <= r->nmatches; m++)
	{
		const NvdRawMatch *x;
		NvdCpeMatch *y;
		bool		ok = false;

		if (m == r->missing_at)
		{
			/* where the first cpeMatch without criteria was (nvd_read_cpe_matches kept no entry) */
			feed_error_set(err, FEED_ERR_FORMAT,
						   "NVD file \"%s\": %s has a cpeMatch whose criteria is not a CPE 2.3 name: \"(missing)\"",
						   s->path, nvd_printable(d->id, 31, id));
			return false;
		}
		if (m == r->nmatches)
			break;
		x = &r->matches[m];
		y = &sl->matches[m];
		y->config_index = x->config_index;
		y->config_operator = slot_copy(sl, &used, &x->config_operator);
		y->config_negate = x->config_negate;
		y->node_index = x->node_index;
		y->node_operator = x->node_operator.p ? slot_copy(sl, &used, &x->node_operator) : "OR";
		y->node_negate = x->node_negate;
		y->match_index = x->match_index;
		y->vulnerable = x->vulnerable;
		y->criteria = slot_copy(sl, &used, &x->criteria);
		y->match_criteria_id = slot_copy(sl, &used, &x->match_criteria_id);
		y->version_start_including = slot_copy(sl, &used, &x->version_start_including);
		y->version_start_excluding = slot_copy(sl, &used, &x->version_start_excluding);
		y->version_end_including = slot_copy(sl, &used, &x->version_end_including);
		y->version_end_excluding = slot_copy(sl, &used, &x->version_end_excluding);
		if (y->criteria != NULL)
		{
			size_t		room = cpe_room(&x->criteria);

			ok = cpe_split(y->criteria, sl->arena + used, room, y->cpe.attr);
			used += room;
		}
		if (y->criteria == NULL || !ok)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "NVD file \"%s\": %s has a cpeMatch whose criteria is not a CPE 2.3 name: \"%s\"",
						   s->path, nvd_printable(d->id, 31, id),
						   y->criteria ? nvd_printable(y->criteria, 200, criteria) : "(missing)");
			return false;
		}
	}
	return true;
lacks:
	feed_error_set(err, FEED_ERR_FORMAT,
				   "NVD file \"%s\": vulnerabilities[%ld] lacks cve.id, cve.lastModified or cve.vulnStatus",
				   s->path, s->cves);
	return false;
}

/* The next CVE on the calling thread (when the parse thread could not start). */
static int
nvd_next_sync(NvdStream *s, NvdCve *cve, FeedError *err)
{
	int			rc = nvd_read_next(s, err);

	if (rc <= 0)
		return rc;
	if (!nvd_slot_fill(s, &s->ring[0], err))
		return -1;
	s->cves++;
	*cve = s->ring[0].cve;
	return 1;
}

static void
nvd_producer_fail(NvdStream *s, const FeedError *err)
{
	pthread_mutex_lock(&s->mu);
	s->producer_done = true;
	s->producer_rc = -1;
	s->producer_err = *err;
	pthread_cond_signal(&s->not_empty);
	pthread_mutex_unlock(&s->mu);
}

static void *
nvd_producer(void *arg)
{
	NvdStream  *s = arg;

	for (;;)
	{
		FeedError	err = {0};
		int			rc = nvd_read_next(s, &err);
		int			tail;

		pthread_mutex_lock(&s->mu);
		while (rc > 0 && !s->stop &&
			   (s->count == NVD_RING || (s->count > 0 && s->ring_bytes >= NVD_RING_BYTES)))
		{
			s->producer_over_budget = s->count < NVD_RING;
			/* a consumer waiting for a quarter of the ring would wait for ever */
			if (s->consumer_waiting)
				pthread_cond_signal(&s->not_empty);
			s->producer_waiting = true;
			pthread_cond_wait(&s->not_full, &s->mu);
			s->producer_waiting = false;
		}
		if (s->stop)
		{
			pthread_mutex_unlock(&s->mu);
			break;
		}
		if (rc <= 0)
		{
			s->producer_done = true;
			s->producer_rc = rc;
			s->producer_err = err;
			pthread_cond_signal(&s->not_empty);
			pthread_mutex_unlock(&s->mu);
			break;
		}
		tail = (s->head + s->count) % NVD_RING;
		pthread_mutex_unlock(&s->mu);
		/* the slot at tail is neither filled nor held: only this thread touches it */
		if (!nvd_slot_fill(s, &s->ring[tail], &err))
		{
			nvd_producer_fail(s, &err);
			break;
		}
		s->cves++;				/* read by the backend only once the stream has ended */
		s->ring[tail].bytes = s->ring[tail].acap + sizeof(NvdCpeMatch) * (size_t) s->ring[tail].mcap;
		pthread_mutex_lock(&s->mu);
		s->count++;
		s->ring_bytes += s->ring[tail].bytes;
		/* wake a sleeping consumer with a batch, not with every CVE (or with what the budget allows) */
		if (s->consumer_waiting && (s->count >= NVD_RING / 4 || s->ring_bytes >= NVD_RING_BYTES))
			pthread_cond_signal(&s->not_empty);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* Starts the parse thread; without it (it could not start) the stream parses on the caller's thread. */
static void
nvd_start_thread(NvdStream *s)
{
	sigset_t	all,
				old;

	if (pthread_mutex_init(&s->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&s->not_full, NULL) != 0 || pthread_cond_init(&s->not_empty, NULL) != 0)
	{
		pthread_mutex_destroy(&s->mu);
		return;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->threaded = pthread_create(&s->thread, NULL, nvd_producer, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->threaded)
	{
		pthread_cond_destroy(&s->not_full);
		pthread_cond_destroy(&s->not_empty);
		pthread_mutex_destroy(&s->mu);
	}
}

int
nvd_next(NvdStream *s, NvdCve *cve, FeedError *err)
{
	if (!s->threaded)
		return nvd_next_sync(s, cve, err);
	pthread_mutex_lock(&s->mu);
	if (s->holding)
	{
		s->ring_bytes -= s->ring[s->head].bytes;
		nvd_slot_trim(&s->ring[s->head]);
		s->head = (s->head + 1) % NVD_RING;
		s->count--;
		s->holding = false;
		/* let the producer sleep until three quarters of the ring are free: a wake-up costs both
		 * threads a few microseconds, so each should refill many slots (or, when it waits for
		 * the budget, until three quarters of that are free) */
		if (s->producer_waiting &&
			(s->count <= NVD_RING / 4 || (s->producer_over_budget && s->ring_bytes <= NVD_RING_BYTES / 4)))
			pthread_cond_signal(&s->not_full);
	}
	if (s->count == 0 && !s->producer_done)
	{
		/* sleep until a quarter of the ring is ready, or less when the producer waits for the
		 * budget (or the stream ends) */
		s->consumer_waiting = true;
		while (!s->producer_done &&
			   (s->count == 0 ||
				(s->count < NVD_RING / 4 && !s->producer_waiting && s->ring_bytes < NVD_RING_BYTES)))
			pthread_cond_wait(&s->not_empty, &s->mu);
		s->consumer_waiting = false;
	}
	if (s->count == 0)
	{
		int			rc = s->producer_rc;

		if (rc < 0)
			*err = s->producer_err;
		pthread_mutex_unlock(&s->mu);
		return rc;
	}
	s->holding = true;
	*cve = s->ring[s->head].cve;
	pthread_mutex_unlock(&s->mu);
	return 1;
}

static void
nvd_stop_thread(NvdStream *s)
{
	if (!s->threaded)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->not_full);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->not_full);
	pthread_cond_destroy(&s->not_empty);
	pthread_mutex_destroy(&s->mu);
	s->threaded = false;
}

long
nvd_total_results(const NvdStream *s)
{
	return s->total_results;
}

const char *
nvd_timestamp(const NvdStream *s)
{
	return s->timestamp[0] ? s->timestamp : NULL;
}

const char *
nvd_version(const NvdStream *s)
{
	return s->version[0] ? s->version : NULL;
}

bool
nvd_has_meta(const NvdStream *s)
{
	return s->has_meta;
}

long
nvd_cves(const NvdStream *s)
{
	return s->cves;
}

void
nvd_content_sha256(NvdStream *s, char hex[65])
{
	memcpy(hex, s->content_sha256, 65);
}

void
nvd_file_sha256(NvdStream *s, char hex[65])
{
	memcpy(hex, s->file_sha256, 65);
}

void
nvd_close(NvdStream *s)
{
	if (s == NULL)
		return;
	nvd_stop_thread(s);
	for (int i = 0; i < NVD_RING; i++)
	{
		free(s->ring[i].arena);
		free(s->ring[i].matches);
	}
	if (s->tok)
		json_tokener_free(s->tok);
	feed_reader_close(s->rd);
	free(s->ibuf);
	free(s->ebuf);
	free(s->raw.matches);
	free(s->path);
	free(s);
}

bool
nvd_file_feed(const char *path, char *out, size_t outlen)
{
	const char *base = strrchr(path, '/');
	char		stem[256];
	const char *p;
	size_t		n;

	base = base ? base + 1 : path;
	snprintf(stem, sizeof(stem), "%s", base);
	n = strlen(stem);
	if (feed_path_has_suffix(stem, ".gz"))
		stem[n -= 3] = '\0';
	if (!feed_path_has_suffix(stem, ".json"))
		return false;
	stem[n - 5] = '\0';
	p = stem;
	if (strncasecmp(p, "nvdcve-", 7) == 0)
		p += 7;
	if (strncmp(p, "2.0-", 4) == 0 || strncmp(p, "1.1-", 4) == 0)
		p += 4;
	if (*p == '\0')
		return false;
	snprintf(out, outlen, "%s", p);
	return true;
}
