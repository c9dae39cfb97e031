/*
 * log.c: one line per event on stderr, "<UTC time> <level> <message>". Secrets (tokens,
 * passwords, the JWT key) are never passed here, except the generated first-boot admin password,
 * which is logged once on purpose.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "proxy.h"

LogLevel	log_level = LOG_LEVEL_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

bool
log_level_parse(const char *name, LogLevel *out)
{
	for (int i = 0; i <= LOG_LEVEL_DEBUG; i++)
	{
		if (strcasecmp(name, level_names[i]) == 0)
		{
			*out = (LogLevel) i;
			return true;
		}
	}
	if (strcasecmp(name, "warning") == 0)
	{
		*out = LOG_LEVEL_WARN;
		return true;
	}
	return false;
}

void
log_msg(LogLevel level, const char *fmt,...)
{
	char		line[2048];
	char		stamp[32];
	struct timeval tv;
	struct tm	tm;
	va_list		ap;
	int			n;

	if (level > log_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03dZ %s ", stamp, (int) (tv.tv_usec / 1000), level_names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so that lines of concurrent threads do not interleave. */
	fprintf(stderr, "%s\n", line);
}
