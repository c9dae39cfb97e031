/*
 * nvd_stream.c: NVD 2.0 feed files (nvdcve-2.0-YYYY.json[.gz], -modified, -recent), one CVE at a time.
 *
 *   {"resultsPerPage": n, "startIndex": 0, "totalResults": n, "format": "NVD_CVE", "version": "2.0",
 *    "timestamp": "...", "vulnerabilities": [{"cve": {...}}, {"cve": {...}}, ...]}
 *
 * Year files are up to 175 MB of JSON, so the document is never held whole. A small byte scanner
 * walks the top-level object and reads the header members as they come (with json-c: a few short
 * values). Each element of the "vulnerabilities" array is read where it lies in the input buffer
 * (nvd_record.c, with json_pull.c); an element that runs past the end of the buffer is moved to its
 * start, more is read behind it and the element is read again. At most one CVE is in the buffer at a time (plus the largest element
 * seen, as the buffer's size), and the ring of parsed CVEs (below) holds 64.
 *
 * At the end: the element count must equal "totalResults", and when an NVD .meta file sits beside
 * the feed, the sha256 and size of the inflated JSON must equal what it states.
 */
#include "feeds/parse/nvd_internal.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

/* the buffer sizes and limits are in nvd_limits (nvd_limits.h) */
#define NVD_RING 64				/* parsed CVEs waiting for the backend (and nvd_limits.ring_bytes) */
#define NVD_MAX_DEPTH 64		/* nesting a CVE record may have (json-c's limit, used before) */

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


static void
nvd_record_too_large(NvdStream *s, FeedError *err)
{
	char		limit[32];

	feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": vulnerabilities[%ld] is larger than %s",
				   s->path, s->cves, nvd_size_text(nvd_limits.max_record, limit, sizeof(limit)));
}

/*
 * The element starting at ipos runs past the end of the buffer: moves it to the start, doubles the
 * buffer when the element fills more than half of it (so an element is read again O(1) times), up
 * to nvd_limits.max_record, and fills the rest. 1: more was read; 0: the input ended; -1: error.
 *
 * An element is refused when it has nvd_limits.max_record bytes and has not ended, wherever it
 * started in the buffer: whether a file loads must not depend on how the reads fell.
 */
static int
nvd_read_more(NvdStream *s, FeedError *err)
{
	size_t		keep = s->ilen - s->ipos;

	if (keep >= nvd_limits.max_record)
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
	if (keep > s->icap / 2 && s->icap < nvd_limits.max_record)
	{
		size_t		cap = s->icap < nvd_limits.max_record / 2 ? s->icap * 2 : nvd_limits.max_record;
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
	if (s->elen + n > nvd_limits.max_header)
	{
		char		limit[32];

		feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": a header member (a name or value outside \"vulnerabilities\") is larger than %s",
					   s->path, nvd_size_text(nvd_limits.max_header, limit, sizeof(limit)));
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
	s->icap = nvd_limits.chunk;
	s->ibuf = malloc(nvd_limits.chunk + 1);
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
		 * A buffer larger than the limit (nvd_limits.chunk set larger) shows more of a record than the
		 * limit allows: what lies past the limit is "too large", as it is with any other buffer.
		 */
		if (j.status == JSON_PULL_BAD && (size_t) (j.p - (s->ibuf + s->ipos)) >= nvd_limits.max_record)
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
	if ((size_t) (j.p - (s->ibuf + s->ipos)) > nvd_limits.max_record)
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
 * take nvd_limits.ring_bytes. The thread runs only this file's code, nvd_record.c, json_pull.c,
 * zlib and the SHA-256 update (never a PostgreSQL function that can raise or allocate), with every
 * signal blocked so that PostgreSQL's handlers run on the backend's own thread. nvd_close() stops and joins it,
 * also when the backend leaves a load with an ERROR.
 */

/* The next CVE on the calling thread (when the parse thread could not start). */
static int
nvd_next_sync(NvdStream *s, NvdCve *cve, FeedError *err)
{
	int			rc = nvd_read_next(s, err);

	if (rc <= 0)
		return rc;
	if (!nvd_slot_fill(&s->raw, &s->ring[0], s->path, s->cves, err))
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
			   (s->count == NVD_RING || (s->count > 0 && s->ring_bytes >= nvd_limits.ring_bytes)))
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
		if (!nvd_slot_fill(&s->raw, &s->ring[tail], s->path, s->cves, &err))
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
		if (s->consumer_waiting && (s->count >= NVD_RING / 4 || s->ring_bytes >= nvd_limits.ring_bytes))
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
			(s->count <= NVD_RING / 4 ||
			 (s->producer_over_budget && s->ring_bytes <= nvd_limits.ring_bytes / 4)))
			pthread_cond_signal(&s->not_full);
	}
	if (s->count == 0 && !s->producer_done)
	{
		/* sleep until a quarter of the ring is ready, or less when the producer waits for the
		 * budget (or the stream ends) */
		s->consumer_waiting = true;
		while (!s->producer_done &&
			   (s->count == 0 ||
				(s->count < NVD_RING / 4 && !s->producer_waiting && s->ring_bytes < nvd_limits.ring_bytes)))
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
