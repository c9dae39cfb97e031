/*
 * nvd_record.c: one CVE record of an NVD 2.0 feed file, for the stream (nvd_stream.c).
 *
 * An element of "vulnerabilities" is read where it lies in the stream's input buffer by json_pull.c,
 * which takes the fields stored as spans of the buffer and checks and skips the rest (the
 * "references" list, a third of the bytes, the metrics' sub-scores, other languages, ...). The spans
 * (NvdRaw) are then copied into a ring slot the stream owns, decoded, and checked against what the
 * rows need (NvdCve). Nothing here reads the file or touches the ring's locks.
 */
#include "feeds/parse/nvd_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Text from the file, for a message: its first max bytes, each byte that is not printable ASCII
 * written as \xNN, so that the message is valid in any server encoding (it goes into the ERROR and
 * into feed_status.message) and no multibyte character is cut. out: 4 * max + 1 bytes.
 */
const char *
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
void
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

/* ---- a record copied into a ring slot ------------------------------------------------------- */

/* Room for a span's decoded text and its '\0' (decoding never lengthens a string). */
static size_t
span_room(const JsonSpan *sp)
{
	return sp->p ? (size_t) sp->len + 1 : 0;
}

/*
 * Room for a criteria's attributes, split and unescaped: never more than the criteria itself, which
 * cpe_name_split() refuses past CPE_MAX_LEN bytes.
 */
static size_t
cpe_room(const JsonSpan *criteria)
{
	size_t		n = span_room(criteria);

	return n < CPE_MAX_LEN ? n : CPE_MAX_LEN;
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

/* A slot keeps its buffers from CVE to CVE, but not an outsized one's: past 1 MB
 * (nvd_limits.slot_keep) they shrink again. */

/*
 * The consumer hands back a slot: buffers past nvd_limits.slot_keep are freed now, not when the
 * slot is next filled, so that the free slots do not keep what the budget no longer counts.
 */
void
nvd_slot_trim(NvdSlot *sl)
{
	if (sl->acap > nvd_limits.slot_keep)
	{
		free(sl->arena);
		sl->arena = NULL;
		sl->acap = 0;
	}
	if (sizeof(NvdCpeMatch) * (size_t) sl->mcap > nvd_limits.slot_keep)
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
	if (need > sl->acap || (sl->acap > nvd_limits.slot_keep && need < sl->acap / 4))
	{
		char	   *na = realloc(sl->arena, need);

		if (na == NULL)
			return false;
		sl->arena = na;
		sl->acap = need;
	}
	if (nmatches > sl->mcap ||
		(sizeof(NvdCpeMatch) * (size_t) sl->mcap > nvd_limits.slot_keep && nmatches < sl->mcap / 4))
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
bool
nvd_slot_fill(const NvdRaw *r, NvdSlot *sl, const char *path, long index, FeedError *err)
{
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
						   path, nvd_printable(d->id, 31, id));
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

			ok = cpe_name_split(y->criteria, sl->arena + used, room, y->cpe, NULL);
			used += room;
		}
		if (y->criteria == NULL || !ok)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "NVD file \"%s\": %s has a cpeMatch whose criteria is not a CPE 2.3 name: \"%s\"",
						   path, nvd_printable(d->id, 31, id),
						   y->criteria ? nvd_printable(y->criteria, 200, criteria) : "(missing)");
			return false;
		}
	}
	return true;
lacks:
	feed_error_set(err, FEED_ERR_FORMAT,
				   "NVD file \"%s\": vulnerabilities[%ld] lacks cve.id, cve.lastModified or cve.vulnStatus",
				   path, index);
	return false;
}
