/*
 * feodo_parse.c: abuse.ch Feodo Tracker botnet C2 blocklists (ipblocklist.csv).
 *
 *   ################################################################      banner, '#' lines
 *   # Last updated: 2021-12-20 00:03:32 UTC                        #
 *   "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"
 *   "2021-01-17 07:44:46","51.178.161.32","4643","online","2021-12-20","Dridex"
 *   # END 750 entries                                                       (no final newline)
 *
 * Columns are found by their header names (older and newer lists differ; the JSON-era columns
 * hostname, as_number, as_name and country are taken when present). A "# END n entries" line must
 * agree with the rows read: a list cut short in transit is refused.
 */
#include "feeds/parse/feeds_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEODO_MAX_COLS 16

enum FeodoCol
{
	FC_FIRST_SEEN, FC_IP, FC_PORT, FC_STATUS, FC_HOSTNAME, FC_AS_NUMBER, FC_AS_NAME, FC_COUNTRY,
	FC_LAST_ONLINE, FC_MALWARE, FC_NCOLS
};

static const char *const feodo_col_names[FC_NCOLS][3] = {
	{"first_seen_utc", "first_seen", NULL},
	{"dst_ip", "ip_address", "ip"},
	{"dst_port", "port", NULL},
	{"c2_status", "status", NULL},
	{"hostname", NULL, NULL},
	{"as_number", NULL, NULL},
	{"as_name", NULL, NULL},
	{"country", NULL, NULL},
	{"last_online", NULL, NULL},
	{"malware", NULL, NULL},
};

struct FeodoReader
{
	FeedReader *rd;
	char	   *path;
	int			colpos[FC_NCOLS];	/* -1: column absent */
	int			ncols;
	char		last_updated[64];
	long		lineno;
	long		rows;
	long		end_count;		/* from "# END n entries", -1 when none */
	char	   *fields[FEODO_MAX_COLS];
};

/* Splits a CSV line in place (quotes with "" escapes); returns the field count or -1. */
static int
csv_split(char *line, char **fields, int maxfields)
{
	int			n = 0;
	char	   *p = line;

	for (;;)
	{
		char	   *out;

		if (n == maxfields)
			return -1;
		if (*p == '"')
		{
			fields[n++] = out = ++p;
			for (;;)
			{
				if (*p == '\0')
					return -1;	/* unterminated quote */
				if (*p == '"')
				{
					if (p[1] == '"')
					{
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			if (*p != ',' && *p != '\0')
				return -1;
			*out = '\0';
		}
		else
		{
			fields[n++] = p;
			while (*p && *p != ',')
				p++;
		}
		if (*p == '\0')
		{
			*p = '\0';
			return n;
		}
		*p++ = '\0';
	}
}

static void
feodo_banner(FeodoReader *r, const char *line)
{
	const char *p = strstr(line, "Last updated:");
	const char *q;
	size_t		n;

	if (p == NULL)
		return;
	p += strlen("Last updated:");
	while (*p == ' ')
		p++;
	q = strstr(p, " UTC");
	n = q ? (size_t) (q - p) : strcspn(p, "#");
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n >= sizeof(r->last_updated))
		n = sizeof(r->last_updated) - 1;
	memcpy(r->last_updated, p, n);
	r->last_updated[n] = '\0';
}

FeodoReader *
feodo_open(const char *path, FeedError *err)
{
	FeodoReader *r = calloc(1, sizeof(FeodoReader));
	char	   *line;
	size_t		len;
	int			rc,
				n;

	if (r == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	r->path = strdup(path);
	r->end_count = -1;
	r->rd = feed_reader_open(path, err);
	if (r->rd == NULL)
		goto fail;
	for (;;)
	{
		rc = feed_reader_getline(r->rd, &line, &len, err);
		if (rc < 0)
			goto fail;
		if (rc == 0)
		{
			feed_error_set(err, FEED_ERR_EMPTY, "Feodo file \"%s\" has no header line", path);
			goto fail;
		}
		r->lineno++;
		if (line[0] == '#')
		{
			feodo_banner(r, line);
			continue;
		}
		if (len == 0)
			continue;
		break;
	}
	n = csv_split(line, r->fields, FEODO_MAX_COLS);
	if (n < 0)
	{
		feed_error_set(err, FEED_ERR_FORMAT, "Feodo file \"%s\" line %ld: the header is not valid CSV", path, r->lineno);
		goto fail;
	}
	r->ncols = n;
	for (int c = 0; c < FC_NCOLS; c++)
	{
		r->colpos[c] = -1;
		for (int i = 0; i < n; i++)
			for (int a = 0; a < 3 && feodo_col_names[c][a]; a++)
				if (strcmp(r->fields[i], feodo_col_names[c][a]) == 0)
					r->colpos[c] = i;
	}
	if (r->colpos[FC_IP] < 0 || r->colpos[FC_PORT] < 0 || r->colpos[FC_MALWARE] < 0)
	{
		feed_error_set(err, FEED_ERR_FORMAT,
					   "Feodo file \"%s\" line %ld: the header lacks dst_ip, dst_port or malware (found %d columns)",
					   path, r->lineno, n);
		goto fail;
	}
	return r;
fail:
	feodo_close(r);
	return NULL;
}

static const char *
feodo_field(FeodoReader *r, int col)
{
	int			i = r->colpos[col];

	if (i < 0 || r->fields[i][0] == '\0')
		return NULL;
	return r->fields[i];
}

int
feodo_next(FeodoReader *r, FeodoRow *row, FeedError *err)
{
	char	   *line;
	size_t		len;
	int			rc;

	for (;;)
	{
		const char *port;
		char	   *end;
		long		pv;

		rc = feed_reader_getline(r->rd, &line, &len, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
		{
			if (r->end_count >= 0 && r->end_count != r->rows)
			{
				feed_error_set(err, FEED_ERR_COUNT,
							   "Feodo file \"%s\" says \"END %ld entries\" but has %ld rows",
							   r->path, r->end_count, r->rows);
				return -1;
			}
			if (r->rows == 0 && r->end_count != 0)
			{
				feed_error_set(err, FEED_ERR_EMPTY, "Feodo file \"%s\" has no rows", r->path);
				return -1;
			}
			return 0;
		}
		r->lineno++;
		if (line[0] == '#')
		{
			if (sscanf(line, "# END %ld entries", &pv) == 1)
				r->end_count = pv;
			continue;
		}
		if (len == 0)
			continue;
		if (r->end_count >= 0)
		{
			feed_error_set(err, FEED_ERR_FORMAT, "Feodo file \"%s\" line %ld: rows after the END line", r->path, r->lineno);
			return -1;
		}
		if (csv_split(line, r->fields, FEODO_MAX_COLS) != r->ncols)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "Feodo file \"%s\" line %ld: expected %d CSV columns like the header", r->path, r->lineno, r->ncols);
			return -1;
		}
		memset(row, 0, sizeof(*row));
		row->ip = feodo_field(r, FC_IP);
		row->malware = feodo_field(r, FC_MALWARE);
		port = feodo_field(r, FC_PORT);
		pv = port ? strtol(port, &end, 10) : -1;
		if (row->ip == NULL || row->malware == NULL || port == NULL || *end != '\0' || pv < 0 || pv > 65535)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "Feodo file \"%s\" line %ld: a row needs dst_ip, a port between 0 and 65535 and malware",
						   r->path, r->lineno);
			return -1;
		}
		row->port = (int) pv;
		row->first_seen = feodo_field(r, FC_FIRST_SEEN);
		row->status = feodo_field(r, FC_STATUS);
		row->hostname = feodo_field(r, FC_HOSTNAME);
		row->as_number = feodo_field(r, FC_AS_NUMBER);
		row->as_name = feodo_field(r, FC_AS_NAME);
		row->country = feodo_field(r, FC_COUNTRY);
		row->last_online = feodo_field(r, FC_LAST_ONLINE);
		r->rows++;
		return 1;
	}
}

const char *
feodo_last_updated(const FeodoReader *r)
{
	return r->last_updated[0] ? r->last_updated : NULL;
}

long
feodo_rows(const FeodoReader *r)
{
	return r->rows;
}

int
feodo_file_sha256(FeodoReader *r, char hex[65], FeedError *err)
{
	return feed_reader_finish(r->rd, NULL, hex, err);
}

void
feodo_close(FeodoReader *r)
{
	if (r == NULL)
		return;
	feed_reader_close(r->rd);
	free(r->path);
	free(r);
}
