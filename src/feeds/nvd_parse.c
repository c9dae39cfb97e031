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
 * the scanner replaces its "references" list (a third of the bytes, and not stored) with [], and
 * drops whitespace between tokens: json-c then builds less, which is most of the parse time.
 *
 * At the end: the element count must equal "totalResults", and when an NVD .meta file sits beside
 * the feed, the sha256 and size of the inflated JSON must equal what it states.
 */
#include "feeds/feeds_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#define NVD_CHUNK (256 * 1024)

struct NvdStream
{
	FeedReader *rd;
	char	   *path;
	/* input */
	char	   *ibuf;
	size_t		ilen;
	size_t		ipos;
	bool		ieof;
	/* the element being cut out */
	char	   *ebuf;
	size_t		elen;
	size_t		ecap;
	json_tokener *tok;
	json_object *cur;
	NvdCpeMatch *matches;
	int			mcap;
	/* header */
	long		total_results;
	char		timestamp[64];
	char		version[16];
	/* progress */
	bool		first;
	bool		done;
	long		cves;
	/* .meta */
	bool		has_meta;
	char		meta_sha256[65];
	long long	meta_size;
};

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
 * Cuts the next JSON value out of the input into ebuf (whitespace between tokens dropped). With
 * drop_references, the member "references" of the object two levels down (the CVE) gets [] as value.
 */
static int
nvd_capture(NvdStream *s, bool drop_references, FeedError *err)
{
	int			depth = 0;
	bool		instr = false,
				esc = false;
	int			skip_depth = -1;
	size_t		str_start = 0,
				str_end = (size_t) -1;
	int			str_depth = -1;
	bool		scalar = false;
	int			c0;

	s->elen = 0;
	c0 = nvd_peek(s, false, err);
	if (c0 < 0)
		return -1;
	scalar = (c0 != '{' && c0 != '[' && c0 != '"');
	for (;;)
	{
		int			rc = nvd_fill(s, err);
		size_t		run;

		if (rc < 0)
			return -1;
		if (rc == 0)
		{
			if (scalar && s->elen > 0)
				break;
			nvd_truncated(s, err);
			return -1;
		}
		run = s->ipos;
		while (s->ipos < s->ilen)
		{
			char		c = s->ibuf[s->ipos];

			if (instr)
			{
				/* fast path through the string's plain bytes */
				if (esc)
					esc = false;
				else if (c == '\\')
					esc = true;
				else if (c == '"')
				{
					instr = false;
					if (skip_depth < 0)
					{
						if (nvd_append(s, s->ibuf + run, s->ipos + 1 - run, err) < 0)
							return -1;
						str_end = s->elen;
						run = s->ipos + 1;
					}
					if (depth == 0)
					{
						s->ipos++;
						return 0;
					}
				}
				s->ipos++;
				continue;
			}
			if (scalar)
			{
				if (c == ',' || c == '}' || c == ']' || isspace((unsigned char) c))
				{
					if (nvd_append(s, s->ibuf + run, s->ipos - run, err) < 0)
						return -1;
					return 0;
				}
				s->ipos++;
				continue;
			}
			switch (c)
			{
				case '"':
					instr = true;
					if (skip_depth < 0)
					{
						if (nvd_append(s, s->ibuf + run, s->ipos - run, err) < 0)
							return -1;
						run = s->ipos;
						str_start = s->elen;
						str_depth = depth;
					}
					break;
				case ' ':
				case '\n':
				case '\r':
				case '\t':
					if (skip_depth < 0 && nvd_append(s, s->ibuf + run, s->ipos - run, err) < 0)
						return -1;
					run = s->ipos + 1;
					break;
				case '{':
				case '[':
					depth++;
					break;
				case '}':
				case ']':
					if (skip_depth >= 0 && depth == skip_depth)
					{
						/* the skipped value ends here; this bracket closes the CVE object */
						skip_depth = -1;
						run = s->ipos;
					}
					depth--;
					if (depth == 0)
					{
						if (nvd_append(s, s->ibuf + run, s->ipos + 1 - run, err) < 0)
							return -1;
						s->ipos++;
						return 0;
					}
					break;
				case ',':
					if (skip_depth >= 0 && depth == skip_depth)
					{
						skip_depth = -1;
						run = s->ipos;
					}
					break;
				case ':':
					if (drop_references && skip_depth < 0 && depth == 2 && str_depth == 2 &&
						str_end == s->elen && s->ipos == run &&
						str_end - str_start == 12 && memcmp(s->ebuf + str_start, "\"references\"", 12) == 0)
					{
						if (nvd_append(s, ":[]", 3, err) < 0)
							return -1;
						skip_depth = depth;
						run = s->ipos + 1;
					}
					break;
				default:
					break;
			}
			s->ipos++;
		}
		if (skip_depth < 0 && nvd_append(s, s->ibuf + run, s->ipos - run, err) < 0)
			return -1;
	}
	return 0;
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
		meta[n -= 5] = '\0';
	strcat(meta, ".meta");
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
	char		sha[65];

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
	if (s->has_meta)
	{
		feed_reader_content_sha256(s->rd, sha);
		if (strcmp(sha, s->meta_sha256) != 0)
		{
			feed_error_set(err, FEED_ERR_CHECKSUM,
						   "NVD file \"%s\": the sha256 of its JSON is %s but its .meta says %s",
						   s->path, sha, s->meta_sha256);
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

int
nvd_next(NvdStream *s, NvdCve *cve, FeedError *err)
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
nvd_close(NvdStream *s)
{
	if (s == NULL)
		return;
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
