/*
 * epss_parse.c: FIRST EPSS score files (epss_scores-YYYY-MM-DD.csv[.gz]).
 *
 *   #model_version:v2025.03.14,score_date:2025-12-26T12:55:00Z      (absent in older files)
 *   cve,epss,percentile
 *   CVE-1999-0001,0.01151,0.7802
 *
 * Scores may be written in scientific notation (7e-05); score_date ends in Z or +0000. Every row
 * is checked (three columns, a CVE id, both numbers within [0, 1]) so that a damaged file is
 * refused as a whole before the loader replaces anything.
 */
#include "feeds/parse/feeds_parse.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct EpssReader
{
	FeedReader *rd;
	char	   *path;
	char		model_version[64];
	char		score_date[64];
	bool		has_comment;
	long		lineno;
	long		rows;
};

/* Pulls "key:value" out of the comment line's comma-separated list. */
static void
epss_comment_field(const char *line, const char *key, char *out, size_t outlen)
{
	const char *p = strstr(line, key);
	size_t		n = 0;

	out[0] = '\0';
	if (p == NULL || p[strlen(key)] != ':')
		return;
	p += strlen(key) + 1;
	while (p[n] && p[n] != ',' && !isspace((unsigned char) p[n]) && n + 1 < outlen)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

EpssReader *
epss_open(const char *path, FeedError *err)
{
	EpssReader *r;
	char	   *line;
	size_t		len;
	int			rc;

	r = calloc(1, sizeof(EpssReader));
	if (r == NULL)
	{
		feed_error_set(err, FEED_ERR_IO, "out of memory");
		return NULL;
	}
	r->path = strdup(path);
	r->rd = feed_reader_open(path, err);
	if (r->rd == NULL)
	{
		epss_close(r);
		return NULL;
	}
	for (;;)
	{
		rc = feed_reader_getline(r->rd, &line, &len, err);
		if (rc < 0)
			goto fail;
		if (rc == 0)
		{
			feed_error_set(err, FEED_ERR_EMPTY, "EPSS file \"%s\" has no header line", path);
			goto fail;
		}
		r->lineno++;
		if (line[0] == '#')
		{
			if (strstr(line, "model_version") != NULL)
			{
				epss_comment_field(line, "model_version", r->model_version, sizeof(r->model_version));
				epss_comment_field(line, "score_date", r->score_date, sizeof(r->score_date));
				r->has_comment = true;
			}
			continue;
		}
		if (len == 0)
			continue;
		if (strcmp(line, "cve,epss,percentile") != 0)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "EPSS file \"%s\" line %ld: expected the header \"cve,epss,percentile\", found another "
						   "line of %zu bytes", path, r->lineno, len);
			goto fail;
		}
		return r;
	}
fail:
	epss_close(r);
	return NULL;
}

/* A score: a plain or scientific decimal within [0, 1]. */
static bool
epss_parse_score(const char *s, size_t len, double *out)
{
	char		tmp[64];
	char	   *end;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, &end);
	return *end == '\0' && isfinite(*out) && *out >= 0.0 && *out <= 1.0;
}

static bool
epss_valid_cve(const char *s, size_t len)
{
	size_t		i;

	if (len < 13 || len >= 32 || memcmp(s, "CVE-", 4) != 0)
		return false;
	for (i = 4; i < 8; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	if (s[8] != '-')
		return false;
	for (i = 9; i < len; i++)
		if (!isdigit((unsigned char) s[i]))
			return false;
	return true;
}

int
epss_next(EpssReader *r, EpssRow *row, FeedError *err)
{
	char	   *line;
	size_t		len;
	int			rc;

	for (;;)
	{
		char	   *c1,
				   *c2;

		rc = feed_reader_getline(r->rd, &line, &len, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
		{
			if (r->rows == 0)
			{
				feed_error_set(err, FEED_ERR_EMPTY, "EPSS file \"%s\" has a header but no rows", r->path);
				return -1;
			}
			return 0;
		}
		r->lineno++;
		if (len == 0)
			continue;
		c1 = memchr(line, ',', len);
		c2 = c1 ? memchr(c1 + 1, ',', len - (size_t) (c1 + 1 - line)) : NULL;
		if (c2 == NULL || memchr(c2 + 1, ',', len - (size_t) (c2 + 1 - line)) != NULL)
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "EPSS file \"%s\" line %ld: expected 3 columns (cve,epss,percentile), found %s",
						   r->path, r->lineno, c1 == NULL ? "1" : c2 == NULL ? "2" : "more");
			return -1;
		}
		if (!epss_valid_cve(line, (size_t) (c1 - line)))
		{
			feed_error_set(err, FEED_ERR_FORMAT, "EPSS file \"%s\" line %ld: the first column is not a CVE id",
						   r->path, r->lineno);
			return -1;
		}
		if (!epss_parse_score(c1 + 1, (size_t) (c2 - c1 - 1), &row->epss) ||
			!epss_parse_score(c2 + 1, len - (size_t) (c2 + 1 - line), &row->percentile))
		{
			feed_error_set(err, FEED_ERR_FORMAT,
						   "EPSS file \"%s\" line %ld (%.*s): scores must be numbers between 0 and 1",
						   r->path, r->lineno, (int) (c1 - line), line);
			return -1;
		}
		memcpy(row->cve, line, (size_t) (c1 - line));
		row->cve[c1 - line] = '\0';
		r->rows++;
		return 1;
	}
}

const char *
epss_model_version(const EpssReader *r)
{
	return r->model_version[0] ? r->model_version : NULL;
}

const char *
epss_score_date(const EpssReader *r)
{
	return r->score_date[0] ? r->score_date : NULL;
}

long
epss_rows(const EpssReader *r)
{
	return r->rows;
}

int
epss_file_sha256(EpssReader *r, char hex[65], FeedError *err)
{
	return feed_reader_finish(r->rd, NULL, hex, err);
}

void
epss_close(EpssReader *r)
{
	if (r == NULL)
		return;
	feed_reader_close(r->rd);
	free(r->path);
	free(r);
}
