/*
 * nvd_parse.c: NVD 2.0 feed files (nvdcve-2.0-YYYY.json[.gz], -modified, -recent), one CVE at a time.
 *
 *   {"resultsPerPage": n, "startIndex": 0, "totalResults": n, "format": "NVD_CVE", "version": "2.0",
 *    "timestamp": "...", "vulnerabilities": [{"cve": {...}}, {"cve": {...}}, ...]}
 *
 * Year files are up to 175 MB of JSON, so the document is never held whole. A small byte scanner
 * walks the top-level object: header members are read as they come, and each element of the
 * "vulnerabilities" array is cut out on its own and handed to json-c's tokener, so at most one CVE
 * is in memory (plus the largest element seen, as the capture buffer). While cutting an element out
 * the scanner replaces its "references" list (a third of the bytes, and not stored) with []:
 * json-c then builds less, which is most of the parse time.
 *
 * At the end: the element count must equal "totalResults", and when an NVD .meta file sits beside
 * the feed, the sha256 and size of the inflated JSON must equal what it states.
 */
#include "feeds/feeds_parse.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#define NVD_CHUNK (256 * 1024)
#define NVD_RING 32

/* A parsed CVE owned by the ring: its strings in arena, its matches in its own array. */
typedef struct NvdSlot
{
	NvdCve		cve;
	NvdCpeMatch *matches;
	int			mcap;
	char	   *arena;
	size_t		acap;
} NvdSlot;

struct NvdStream
{
	/* (ordered by alignment: clang's padding check) */
	FeedReader *rd;
	char	   *path;
	/* input */
	char	   *ibuf;
	size_t		ilen;
	size_t		ipos;
	/* the element being cut out */
	char	   *ebuf;
	size_t		elen;
	size_t		ecap;
	json_tokener *tok;
	json_object *cur;
	NvdCpeMatch *matches;
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
	int			mcap;
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
	bool		producer_done;
	bool		stop;
	char		version[16];
	char		timestamp[64];
	char		meta_sha256[65];
	char		content_sha256[65];
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
	got = feed_reader_read(s->rd, s->ibuf, NVD_CHUNK, err);
	if (got < 0)
		return -1;
	s->ipos = 0;
	s->ilen = (size_t) got;
	if (got == 0)
	{
		s->ieof = true;
		return 0;
	}
	return 1;
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
		feed_error_set(err, FEED_ERR_FORMAT,
					   "NVD file \"%s\" is not an NVD 2.0 feed: expected '%c' %s, found '%c' (after %ld CVEs)",
					   s->path, want, where, c, s->cves);
		return -1;
	}
	s->ipos++;
	return 0;
}

static int
nvd_append(NvdStream *s, const char *p, size_t n, FeedError *err)
{
	if (s->elen + n + 2 > s->ecap)
	{
		size_t		cap = s->ecap ? s->ecap : 65536;
		char	   *nb;

		while (s->elen + n + 2 > cap)
			cap *= 2;
		if (cap > (size_t) 1 << 30 || (nb = realloc(s->ebuf, cap)) == NULL)
		{
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\": one record is larger than 1 GB", s->path);
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
 * Cuts the next JSON value out of the input into ebuf, copying runs of bytes (not byte by byte).
 * With drop_references, the member "references" of the object two levels down (the CVE) gets []
 * as its value. Member names at that level are collected as they pass; every other string is
 * skipped with a tight loop that only looks for '"' and '\\'.
 */
/* Bytes that end a run inside a string, and bytes that matter between tokens. */
static const bool nvd_string_special[256] = {['"'] = true, ['\\'] = true};
static const bool nvd_structural[256] = {
	['"'] = true, ['{'] = true, ['}'] = true, ['['] = true, [']'] = true, [','] = true, [':'] = true
};

static int
nvd_capture(NvdStream *s, bool drop_references, FeedError *err)
{
	int			depth = 0;
	bool		instr = false,
				esc = false,
				skipping = false;
	bool		key_pending = false;	/* a string at depth 2 just ended: a member name if ':' follows */
	char		key[16];
	int			keylen = 0;
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
				if (depth == 2 && !skipping)
				{
					/* a CVE-level string: keep its first bytes to recognise "references" */
					c = buf[pos];
					if (c == '\\')
						esc = true;
					else if (c == '"')
					{
						instr = false;
						key_pending = true;
					}
					else if (keylen < (int) sizeof(key))
						key[keylen++] = c;
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
				case ' ':
				case '\n':
				case '\r':
				case '\t':
					break;
				case '"':
					instr = true;
					key_pending = false;
					keylen = 0;
					break;
				case ':':
					if (key_pending && drop_references && !skipping && depth == 2 &&
						keylen == 10 && memcmp(key, "references", 10) == 0)
					{
						if (nvd_append(s, buf + run, pos + 1 - run, err) < 0 ||
							nvd_append(s, "[]", 2, err) < 0)
							return -1;
						skipping = true;
						run = pos + 1;
					}
					key_pending = false;
					break;
				case '{':
				case '[':
					key_pending = false;
					depth++;
					break;
				case '}':
				case ']':
					key_pending = false;
					if (skipping && depth == 2)
					{
						/* the skipped value ended; this bracket closes the CVE object */
						skipping = false;
						run = pos;
					}
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
				case ',':
					key_pending = false;
					if (skipping && depth == 2)
					{
						skipping = false;
						run = pos;
					}
					break;
				default:
					break;
			}
			pos++;
		}
		if (!skipping && nvd_append(s, buf + run, pos - run, err) < 0)
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

	if (nvd_capture(s, false, err) < 0)
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
		if (nvd_capture(s, false, err) < 0)
			return -1;
		v = nvd_parse_captured(s, key, err);
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
						   s->path, json_object_get_string(v));
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
	s->ibuf = malloc(NVD_CHUNK);
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

/* ---- one CVE out of its json-c object ------------------------------------------------------- */

static const char *
js_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *
js_get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static bool
js_bool(json_object *o, const char *key, bool dflt)
{
	json_object *v = js_get(o, key, json_type_boolean);

	return v ? json_object_get_boolean(v) : dflt;
}

/* The Primary (NVD) metric of a cvssMetricVxx list, else the first. */
static void
nvd_cvss(json_object *metrics, const char *key, NvdCvss *out)
{
	json_object *list = js_get(metrics, key, json_type_array);
	json_object *pick = NULL,
			   *data,
			   *score;
	size_t		n;

	memset(out, 0, sizeof(*out));
	if (list == NULL || (n = json_object_array_length(list)) == 0)
		return;
	for (size_t i = 0; i < n && pick == NULL; i++)
	{
		json_object *m = json_object_array_get_idx(list, i);
		const char *type = js_str(m, "type");

		if (type && strcmp(type, "Primary") == 0)
			pick = m;
	}
	if (pick == NULL)
		pick = json_object_array_get_idx(list, 0);
	data = js_get(pick, "cvssData", json_type_object);
	if (data == NULL)
		return;
	if (!json_object_object_get_ex(data, "baseScore", &score) ||
		!(json_object_is_type(score, json_type_double) || json_object_is_type(score, json_type_int)))
		return;
	out->present = true;
	out->score = json_object_get_double(score);
	out->vector = js_str(data, "vectorString");
	out->severity = js_str(data, "baseSeverity");
	if (out->severity == NULL)
		out->severity = js_str(pick, "baseSeverity");	/* CVSS v2 keeps it beside cvssData */
}

static int
nvd_add_match(NvdStream *s, NvdCve *cve, FeedError *err)
{
	if (cve->nmatches == s->mcap)
	{
		int			cap = s->mcap ? s->mcap * 2 : 64;
		uintptr_t	oldbase = (uintptr_t) s->matches;
		NvdCpeMatch *nm = realloc(s->matches, sizeof(NvdCpeMatch) * (size_t) cap);

		if (nm == NULL)
		{
			feed_error_set(err, FEED_ERR_IO, "out of memory");
			return -1;
		}
		/* the parsed CPE attributes point into each match's own buffer: move them along */
		for (int i = 0; i < cve->nmatches && (uintptr_t) nm != oldbase; i++)
			for (int a = 0; a < CPE_ATTRS; a++)
				nm[i].cpe.attr[a] = (char *) ((uintptr_t) nm + ((uintptr_t) nm[i].cpe.attr[a] - oldbase));
		s->matches = nm;
		s->mcap = cap;
		cve->matches = nm;
	}
	return cve->nmatches++;
}

static int
nvd_configurations(NvdStream *s, json_object *c, NvdCve *cve, FeedError *err)
{
	json_object *configs = js_get(c, "configurations", json_type_array);
	size_t		nc = configs ? json_object_array_length(configs) : 0;

	cve->matches = s->matches;
	for (size_t ci = 0; ci < nc; ci++)
	{
		json_object *conf = json_object_array_get_idx(configs, ci);
		json_object *nodes = js_get(conf, "nodes", json_type_array);
		size_t		nn = nodes ? json_object_array_length(nodes) : 0;

		for (size_t ni = 0; ni < nn; ni++)
		{
			json_object *node = json_object_array_get_idx(nodes, ni);
			json_object *ms = js_get(node, "cpeMatch", json_type_array);
			size_t		nm = ms ? json_object_array_length(ms) : 0;

			for (size_t mi = 0; mi < nm; mi++)
			{
				json_object *m = json_object_array_get_idx(ms, mi);
				int			k = nvd_add_match(s, cve, err);
				NvdCpeMatch *x;

				if (k < 0)
					return -1;
				x = &cve->matches[k];
				x->config_index = (int) ci;
				x->config_operator = js_str(conf, "operator");
				x->config_negate = js_bool(conf, "negate", false);
				x->node_index = (int) ni;
				x->node_operator = js_str(node, "operator");
				if (x->node_operator == NULL)
					x->node_operator = "OR";
				x->node_negate = js_bool(node, "negate", false);
				x->match_index = (int) mi;
				x->vulnerable = js_bool(m, "vulnerable", true);
				x->criteria = js_str(m, "criteria");
				x->match_criteria_id = js_str(m, "matchCriteriaId");
				x->version_start_including = js_str(m, "versionStartIncluding");
				x->version_start_excluding = js_str(m, "versionStartExcluding");
				x->version_end_including = js_str(m, "versionEndIncluding");
				x->version_end_excluding = js_str(m, "versionEndExcluding");
				if (x->criteria == NULL || !cpe_parse(x->criteria, &x->cpe))
				{
					feed_error_set(err, FEED_ERR_FORMAT,
								   "NVD file \"%s\": %s has a cpeMatch whose criteria is not a CPE 2.3 name: \"%.200s\"",
								   s->path, cve->id, x->criteria ? x->criteria : "(missing)");
					return -1;
				}
			}
		}
	}
	return 0;
}

static int
nvd_extract(NvdStream *s, json_object *item, NvdCve *cve, FeedError *err)
{
	json_object *c = js_get(item, "cve", json_type_object);
	json_object *descs,
			   *metrics,
			   *weak;

	memset(cve, 0, sizeof(*cve));
	cve->id = js_str(c, "id");
	cve->last_modified = js_str(c, "lastModified");
	cve->vuln_status = js_str(c, "vulnStatus");
	if (cve->id == NULL || strncmp(cve->id, "CVE-", 4) != 0 || strlen(cve->id) > 31 ||
		cve->last_modified == NULL || cve->vuln_status == NULL)
	{
		feed_error_set(err, FEED_ERR_FORMAT,
					   "NVD file \"%s\": vulnerabilities[%ld] lacks cve.id, cve.lastModified or cve.vulnStatus",
					   s->path, s->cves);
		return -1;
	}
	cve->source_identifier = js_str(c, "sourceIdentifier");
	cve->published = js_str(c, "published");
	descs = js_get(c, "descriptions", json_type_array);
	if (descs != NULL)
	{
		size_t		n = json_object_array_length(descs);

		for (size_t i = 0; i < n && cve->description == NULL; i++)
		{
			json_object *d = json_object_array_get_idx(descs, i);
			const char *lang = js_str(d, "lang");

			if (lang && strcmp(lang, "en") == 0)
				cve->description = js_str(d, "value");
		}
	}
	metrics = js_get(c, "metrics", json_type_object);
	nvd_cvss(metrics, "cvssMetricV40", &cve->v40);
	nvd_cvss(metrics, "cvssMetricV31", &cve->v31);
	nvd_cvss(metrics, "cvssMetricV30", &cve->v30);
	nvd_cvss(metrics, "cvssMetricV2", &cve->v2);
	weak = js_get(c, "weaknesses", json_type_array);
	if (weak != NULL)
	{
		size_t		n = json_object_array_length(weak);

		for (size_t i = 0; i < n; i++)
		{
			json_object *dl = js_get(json_object_array_get_idx(weak, i), "description", json_type_array);
			size_t		nd = dl ? json_object_array_length(dl) : 0;

			for (size_t k = 0; k < nd && cve->ncwes < 64; k++)
			{
				const char *v = js_str(json_object_array_get_idx(dl, k), "value");
				bool		dup = false;

				if (v == NULL)
					continue;
				for (int j = 0; j < cve->ncwes && !dup; j++)
					dup = strcmp(cve->cwes[j], v) == 0;
				if (!dup)
					cve->cwes[cve->ncwes++] = v;
			}
		}
	}
	return nvd_configurations(s, c, cve, err);
}

/* Checks done when the document is complete: its count, and the .meta checksum and size. */
static int
nvd_finish(NvdStream *s, FeedError *err)
{
	char		tail;
	long		got;

	if (nvd_peek(s, true, err) != -1)
	{
		if (err->kind == FEED_OK)
			feed_error_set(err, FEED_ERR_FORMAT, "NVD file \"%s\" has data after the end of the JSON document", s->path);
		return -1;
	}
	/* drain, so that a damaged gzip trailer is noticed and the checksum covers every byte */
	while ((got = feed_reader_read(s->rd, &tail, 1, err)) > 0)
		;
	if (got < 0)
		return -1;
	feed_reader_content_sha256(s->rd, s->content_sha256);
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

/* Parses the next CVE on the calling thread (pointers into s->cur, valid until the next call). */
static int
nvd_next_sync(NvdStream *s, NvdCve *cve, FeedError *err)
{
	int			c;
	int			rc;

	if (s->done)
		return 0;
	if (s->cur != NULL)
	{
		json_object_put(s->cur);
		s->cur = NULL;
	}
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
	if (nvd_capture(s, true, err) < 0)
		return -1;
	s->cur = nvd_parse_captured(s, "a CVE record", err);
	if (s->cur == NULL)
		return -1;
	if (nvd_extract(s, s->cur, cve, err) < 0)
		return -1;
	s->cves++;
	return 1;
}

/* ---- the parse thread ------------------------------------------------------------------------
 *
 * Parsing (scanner + json-c) and storing rows (PostgreSQL) each take about half of a load, so the
 * stream parses on a thread of its own and hands complete CVEs to nvd_next() through a ring of
 * NVD_RING slots; memory stays bounded by the ring. The thread runs only this file's code, json-c,
 * zlib and the SHA-256 update (never a PostgreSQL function that can raise or allocate), with every
 * signal blocked so that PostgreSQL's handlers run on the backend's own thread. nvd_close() stops
 * and joins it, also when the backend leaves a load with an ERROR.
 */

static size_t
slot_strlen(const char *p)
{
	return p ? strlen(p) + 1 : 0;
}

static const char *
slot_strdup(NvdSlot *sl, size_t *used, const char *p)
{
	char	   *d;
	size_t		n;

	if (p == NULL)
		return NULL;
	n = strlen(p) + 1;
	d = sl->arena + *used;
	memcpy(d, p, n);
	*used += n;
	return d;
}

/* Copies a parsed CVE (pointing into json-c objects) into a slot it owns. */
static bool
nvd_slot_fill(NvdSlot *sl, const NvdCve *c)
{
	size_t		need = 0,
				used = 0;
	NvdCve	   *d = &sl->cve;
	const NvdCvss *cv[4] = {&c->v40, &c->v31, &c->v30, &c->v2};
	NvdCvss    *dv[4] = {&d->v40, &d->v31, &d->v30, &d->v2};

	need += slot_strlen(c->id) + slot_strlen(c->source_identifier) + slot_strlen(c->published) +
		slot_strlen(c->last_modified) + slot_strlen(c->vuln_status) + slot_strlen(c->description);
	for (int k = 0; k < 4; k++)
		need += slot_strlen(cv[k]->vector) + slot_strlen(cv[k]->severity);
	for (int k = 0; k < c->ncwes; k++)
		need += slot_strlen(c->cwes[k]);
	for (int m = 0; m < c->nmatches; m++)
	{
		const NvdCpeMatch *x = &c->matches[m];

		need += slot_strlen(x->config_operator) + slot_strlen(x->node_operator) + slot_strlen(x->criteria) +
			slot_strlen(x->match_criteria_id) + slot_strlen(x->version_start_including) +
			slot_strlen(x->version_start_excluding) + slot_strlen(x->version_end_including) +
			slot_strlen(x->version_end_excluding);
	}
	if (need > sl->acap)
	{
		char	   *na = realloc(sl->arena, need);

		if (na == NULL)
			return false;
		sl->arena = na;
		sl->acap = need;
	}
	if (c->nmatches > sl->mcap)
	{
		NvdCpeMatch *nm = realloc(sl->matches, sizeof(NvdCpeMatch) * (size_t) c->nmatches);

		if (nm == NULL)
			return false;
		sl->matches = nm;
		sl->mcap = c->nmatches;
	}
	*d = *c;
	d->id = slot_strdup(sl, &used, c->id);
	d->source_identifier = slot_strdup(sl, &used, c->source_identifier);
	d->published = slot_strdup(sl, &used, c->published);
	d->last_modified = slot_strdup(sl, &used, c->last_modified);
	d->vuln_status = slot_strdup(sl, &used, c->vuln_status);
	d->description = slot_strdup(sl, &used, c->description);
	for (int k = 0; k < 4; k++)
	{
		dv[k]->vector = slot_strdup(sl, &used, cv[k]->vector);
		dv[k]->severity = slot_strdup(sl, &used, cv[k]->severity);
	}
	for (int k = 0; k < c->ncwes; k++)
		d->cwes[k] = slot_strdup(sl, &used, c->cwes[k]);
	d->matches = sl->matches;
	for (int m = 0; m < c->nmatches; m++)
	{
		const NvdCpeMatch *x = &c->matches[m];
		NvdCpeMatch *y = &sl->matches[m];

		y->config_index = x->config_index;
		y->config_negate = x->config_negate;
		y->node_index = x->node_index;
		y->node_negate = x->node_negate;
		y->match_index = x->match_index;
		y->vulnerable = x->vulnerable;
		y->config_operator = slot_strdup(sl, &used, x->config_operator);
		y->node_operator = slot_strdup(sl, &used, x->node_operator);
		y->criteria = slot_strdup(sl, &used, x->criteria);
		y->match_criteria_id = slot_strdup(sl, &used, x->match_criteria_id);
		y->version_start_including = slot_strdup(sl, &used, x->version_start_including);
		y->version_start_excluding = slot_strdup(sl, &used, x->version_start_excluding);
		y->version_end_including = slot_strdup(sl, &used, x->version_end_including);
		y->version_end_excluding = slot_strdup(sl, &used, x->version_end_excluding);
		/* the CPE attributes: copy the used part of the buffer, point into the copy */
		{
			const char *last = x->cpe.attr[CPE_ATTRS - 1];
			size_t		n = (size_t) (last - x->cpe.buf) + strlen(last) + 1;

			memcpy(y->cpe.buf, x->cpe.buf, n);
			for (int a = 0; a < CPE_ATTRS; a++)
				y->cpe.attr[a] = y->cpe.buf + (x->cpe.attr[a] - x->cpe.buf);
		}
	}
	return true;
}

static void *
nvd_producer(void *arg)
{
	NvdStream  *s = arg;

	for (;;)
	{
		NvdCve		cve;
		FeedError	err = {0};
		int			rc = nvd_next_sync(s, &cve, &err);
		int			tail;

		pthread_mutex_lock(&s->mu);
		while (rc > 0 && s->count == NVD_RING && !s->stop)
		{
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
		if (!nvd_slot_fill(&s->ring[tail], &cve))
		{
			pthread_mutex_lock(&s->mu);
			s->producer_done = true;
			s->producer_rc = -1;
			feed_error_set(&s->producer_err, FEED_ERR_IO, "out of memory");
			pthread_cond_signal(&s->not_empty);
			pthread_mutex_unlock(&s->mu);
			break;
		}
		pthread_mutex_lock(&s->mu);
		s->count++;
		/* wake a sleeping consumer with a batch, not with every CVE */
		if (s->consumer_waiting && s->count >= NVD_RING / 4)
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
		s->head = (s->head + 1) % NVD_RING;
		s->count--;
		s->holding = false;
		/* let the producer sleep until half the ring is free */
		if (s->producer_waiting && s->count <= NVD_RING / 2)
			pthread_cond_signal(&s->not_full);
	}
	if (s->count == 0 && !s->producer_done)
	{
		/* sleep until a quarter of the ring is ready (or the stream ends) */
		s->consumer_waiting = true;
		while (s->count < NVD_RING / 4 && !s->producer_done)
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
	for (int i = 0; i < NVD_RING; i++)
	{
		free(s->ring[i].arena);
		free(s->ring[i].matches);
	}
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

bool
nvd_is_gzip(const NvdStream *s)
{
	return s->rd != NULL && feed_reader_is_gzip(s->rd);
}

void
nvd_content_sha256(NvdStream *s, char hex[65])
{
	memcpy(hex, s->content_sha256, 65);
}

void
nvd_close(NvdStream *s)
{
	if (s == NULL)
		return;
	nvd_stop_thread(s);
	if (s->cur)
		json_object_put(s->cur);
	if (s->tok)
		json_tokener_free(s->tok);
	feed_reader_close(s->rd);
	free(s->ibuf);
	free(s->ebuf);
	free(s->matches);
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
