/*
 * feeds_time.c: the feeds' date-times, read as UTC whatever the session's TimeZone.
 *
 * NVD writes "2026-03-07T05:16:26.243" (UTC, no zone, up to 7 fraction digits), KEV "2025-08-25" and
 * "...T17:04:19.9796Z", EPSS "2024-10-25T00:00:00+0000" or "...Z", Feodo "2021-12-20 00:03:32" (UTC).
 * timestamptz_in would read the zone-less ones in the session's time zone, so they are read here.
 */
#include "feeds/feeds.h"

#include <ctype.h>

#include "utils/datetime.h"
#include "utils/timestamp.h"

static int
take_digits(const char **p, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) **p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

bool
feeds_parse_utc(const char *s, TimestampTz *out)
{
	const char *p = s;
	struct pg_tm tm = {0};
	fsec_t		fsec = 0;
	int			offset = 0;		/* seconds east of UTC */
	Timestamp	ts;

	if (s == NULL)
		return false;
	tm.tm_year = take_digits(&p, 4);
	if (tm.tm_year < 0 || *p++ != '-' || (tm.tm_mon = take_digits(&p, 2)) < 1 || tm.tm_mon > 12 ||
		*p++ != '-' || (tm.tm_mday = take_digits(&p, 2)) < 1 ||
		tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1])
		return false;
	if (*p == 'T' || *p == ' ')
	{
		p++;
		if ((tm.tm_hour = take_digits(&p, 2)) < 0 || tm.tm_hour > 23 || *p++ != ':' ||
			(tm.tm_min = take_digits(&p, 2)) < 0 || tm.tm_min > 59)
			return false;
		if (*p == ':')
		{
			p++;
			if ((tm.tm_sec = take_digits(&p, 2)) < 0 || tm.tm_sec > 60)
				return false;
			if (*p == '.')
			{
				int			scale = 100000;

				p++;
				if (!isdigit((unsigned char) *p))
					return false;
				for (; isdigit((unsigned char) *p); p++, scale /= 10)
					fsec += (*p - '0') * scale;
			}
		}
	}
	if (*p == 'Z')
		p++;
	else if (strcmp(p, " UTC") == 0)
		p += 4;
	else if (*p == '+' || *p == '-')
	{
		int			sign = (*p++ == '+') ? 1 : -1;
		int			hh = take_digits(&p, 2),
					mm = 0;

		if (hh < 0 || hh > 15)
			return false;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char) *p) && (mm = take_digits(&p, 2)) < 0)
			return false;
		offset = sign * (hh * 3600 + mm * 60);
	}
	if (*p != '\0')
		return false;
	if (tm2timestamp(&tm, fsec, NULL, &ts) != 0)
		return false;
	*out = ts - (TimestampTz) offset * USECS_PER_SEC;
	return true;
}
