/*
 * kev_parse.c: the CISA Known Exploited Vulnerabilities catalogue (JSON).
 *
 *   {"title": ..., "catalogVersion": "2025.08.25", "dateReleased": "...", "count": 1404,
 *    "vulnerabilities": [{"cveID": ..., "vendorProject": ..., ..., "cwes": ["CWE-59"]}, ...]}
 *
 * The catalogue is small (about 1.3 MB for 1,400 entries), so it is parsed whole. "count" must
 * agree with the array: a catalogue cut short is refused. The same parser reads the seed built
 * into the extension.
 */
#include "feeds/parse/feeds_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct KevDoc
{
	json_object *root;
	json_object *vulns;
	const char *name;
	char	   *namebuf;
	char		catalog_version[64];
	char		date_released[64];
};

static const char *
kev_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

KevDoc *
kev_open_buffer(const char *buf, size_t len, const char *name, FeedError *err)
{
	KevDoc	   *d = calloc(1, sizeof(KevDoc));
	json_tokener *tok;
	json_object *count;
	const char *s;

	if (d == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	d->namebuf = strdup(name);
	d->name = d->namebuf;
	if (len == 0)
	{
		feed_error_set(err, FEED_ERR_EMPTY, "KEV file \"%s\" is empty", name);
		goto fail;
	}
	tok = json_tokener_new_ex(64);
	d->root = json_tokener_parse_ex(tok, buf, (int) len);
	if (d->root == NULL || json_tokener_get_parse_end(tok) < len)
	{
		enum json_tokener_error jerr = json_tokener_get_error(tok);
		size_t		end = json_tokener_get_parse_end(tok);

		/* Trailing whitespace after the document is fine. */
		if (d->root != NULL)
		{
			while (end < len && isspace((unsigned char) buf[end]))
				end++;
			if (end == len)
				goto parsed;
		}
		feed_error_set(err, FEED_ERR_FORMAT, "KEV file \"%s\" is not valid JSON at byte %zu: %s", name, end,
					   jerr == json_tokener_continue ? "the document is truncated" :
					   jerr == json_tokener_success ? "extra data after the document" :
					   json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		goto fail;
	}
parsed:
	json_tokener_free(tok);
	if (!json_object_is_type(d->root, json_type_object) ||
		!json_object_object_get_ex(d->root, "vulnerabilities", &d->vulns) ||
		!json_object_is_type(d->vulns, json_type_array))
	{
		feed_error_set(err, FEED_ERR_FORMAT,
					   "KEV file \"%s\" is not a KEV catalogue: it has no \"vulnerabilities\" array", name);
		goto fail;
	}
	if ((s = kev_str(d->root, "catalogVersion")) != NULL)
		snprintf(d->catalog_version, sizeof(d->catalog_version), "%s", s);
	if ((s = kev_str(d->root, "dateReleased")) != NULL)
		snprintf(d->date_released, sizeof(d->date_released), "%s", s);
	if (json_object_object_get_ex(d->root, "count", &count) && count != NULL)
	{
		int64_t		n = json_object_get_int64(count);

		if (!json_object_is_type(count, json_type_int) ||
			n != (int64_t) json_object_array_length(d->vulns))
		{
			feed_error_set(err, FEED_ERR_COUNT,
						   "KEV file \"%s\" says \"count\": %s but lists %zu vulnerabilities",
						   name, json_object_get_string(count), json_object_array_length(d->vulns));
			goto fail;
		}
	}
	if (json_object_array_length(d->vulns) == 0)
	{
		feed_error_set(err, FEED_ERR_EMPTY, "KEV file \"%s\" lists no vulnerabilities", name);
		goto fail;
	}
	return d;
fail:
	kev_close(d);
	return NULL;
}

KevDoc *
kev_open_file(const char *path, char file_sha256[65], FeedError *err)
{
	FeedReader *r = feed_reader_open(path, err);
	char	   *buf = NULL;
	size_t		len = 0,
				cap = 0;
	long		got;
	KevDoc	   *d;

	if (r == NULL)
		return NULL;
	for (;;)
	{
		if (cap - len < 65536)
		{
			char	   *nb;

			cap = cap ? cap * 2 : 1 << 20;
			if (cap > (size_t) 1 << 30 || (nb = realloc(buf, cap)) == NULL)
			{
				feed_error_set(err, FEED_ERR_FORMAT, "KEV file \"%s\" is too large (over 1 GB)", path);
				free(buf);
				feed_reader_close(r);
				return NULL;
			}
			buf = nb;
		}
		got = feed_reader_read(r, buf + len, cap - len, err);
		if (got < 0)
		{
			free(buf);
			feed_reader_close(r);
			return NULL;
		}
		if (got == 0)
			break;
		len += (size_t) got;
	}
	if (feed_reader_finish(r, NULL, file_sha256, err) < 0)
	{
		free(buf);
		feed_reader_close(r);
		return NULL;
	}
	feed_reader_close(r);
	d = kev_open_buffer(buf, len, path, err);
	free(buf);
	return d;
}

const char *
kev_catalog_version(const KevDoc *d)
{
	return d->catalog_version[0] ? d->catalog_version : NULL;
}

const char *
kev_date_released(const KevDoc *d)
{
	return d->date_released[0] ? d->date_released : NULL;
}

int
kev_count(const KevDoc *d)
{
	return (int) json_object_array_length(d->vulns);
}

static bool
kev_valid_date(const char *s)
{
	if (s == NULL)
		return true;
	return strlen(s) == 10 && isdigit((unsigned char) s[0]) && isdigit((unsigned char) s[3]) &&
		s[4] == '-' && isdigit((unsigned char) s[5]) && isdigit((unsigned char) s[6]) && s[7] == '-' &&
		isdigit((unsigned char) s[8]) && isdigit((unsigned char) s[9]);
}

int
kev_entry(KevDoc *d, int i, KevEntry *e, FeedError *err)
{
	json_object *o = json_object_array_get_idx(d->vulns, (size_t) i);
	json_object *cwes;

	memset(e, 0, sizeof(*e));
	if (o == NULL || !json_object_is_type(o, json_type_object))
	{
		feed_error_set(err, FEED_ERR_FORMAT, "KEV file \"%s\": vulnerabilities[%d] is not an object", d->name, i);
		return -1;
	}
	e->cve_id = kev_str(o, "cveID");
	if (e->cve_id == NULL || strncmp(e->cve_id, "CVE-", 4) != 0 || strlen(e->cve_id) > 31)
	{
		feed_error_set(err, FEED_ERR_FORMAT, "KEV file \"%s\": vulnerabilities[%d] has no valid \"cveID\"", d->name, i);
		return -1;
	}
	e->vendor_project = kev_str(o, "vendorProject");
	e->product = kev_str(o, "product");
	e->vulnerability_name = kev_str(o, "vulnerabilityName");
	e->date_added = kev_str(o, "dateAdded");
	e->short_description = kev_str(o, "shortDescription");
	e->required_action = kev_str(o, "requiredAction");
	e->due_date = kev_str(o, "dueDate");
	e->known_ransomware_campaign_use = kev_str(o, "knownRansomwareCampaignUse");
	e->notes = kev_str(o, "notes");
	if (!kev_valid_date(e->date_added) || !kev_valid_date(e->due_date))
	{
		feed_error_set(err, FEED_ERR_FORMAT, "KEV file \"%s\": %s has a dateAdded or dueDate that is not YYYY-MM-DD",
					   d->name, e->cve_id);
		return -1;
	}
	if (json_object_object_get_ex(o, "cwes", &cwes) && json_object_is_type(cwes, json_type_array))
	{
		size_t		n = json_object_array_length(cwes);

		for (size_t k = 0; k < n && e->ncwes < 32; k++)
		{
			json_object *c = json_object_array_get_idx(cwes, k);

			if (json_object_is_type(c, json_type_string))
				e->cwes[e->ncwes++] = json_object_get_string(c);
		}
	}
	return 0;
}

void
kev_close(KevDoc *d)
{
	if (d == NULL)
		return;
	if (d->root)
		json_object_put(d->root);
	free(d->namebuf);
	free(d);
}
