/*
 * cpe.c: splits a CPE 2.3 formatted string into its eleven attributes.
 *
 *   cpe:2.3:a:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other
 *
 * A backslash quotes the next character (so "\:" is a colon inside an attribute); the stored
 * attributes have the quoting removed, which is how inventory CPEs are compared with them.
 */
#include "feeds/parse/feeds_parse.h"

#include <string.h>

/*
 * Splits s into attr[], the attributes unescaped into buf (buflen bytes, 1024 at most: a name whose
 * attributes need more is refused, as it always was).
 */
bool
cpe_split(const char *s, char *buf, size_t buflen, char *attr[CPE_ATTRS])
{
	const char *p;
	char	   *o = buf;
	char	   *end = buf + (buflen < CPE_MAX_BYTES ? buflen : CPE_MAX_BYTES) - 1;
	int			n = 0;

	if (strncmp(s, "cpe:2.3:", 8) != 0)
		return false;
	p = s + 8;
	attr[n++] = o;
	for (; *p; p++)
	{
		if (o >= end)
			return false;
		if (*p == '\\' && p[1] != '\0')
			*o++ = *++p;
		else if (*p == ':')
		{
			*o++ = '\0';
			if (n == CPE_ATTRS)
				return false;
			attr[n++] = o;
		}
		else
			*o++ = *p;
	}
	*o = '\0';
	if (n != CPE_ATTRS || attr[0][0] == '\0' || attr[0][1] != '\0')
		return false;
	return true;
}

bool
cpe_parse(const char *s, CpeName *out)
{
	return cpe_split(s, out->buf, sizeof(out->buf), out->attr);
}
