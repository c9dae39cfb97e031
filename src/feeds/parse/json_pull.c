/*
 * json_pull.c: a validating pull reader for one JSON value held in memory, building no tree.
 *
 * The NVD loader reads up to 175 MB of JSON per year file and keeps a small part of it. A tree
 * parser (json-c) allocates an object, a hash table or a string for every value, and the loader
 * then looks each one up again by name: that was most of a load's CPU time. Here the caller walks
 * the value in document order instead, takes the strings it wants as spans of the input (nothing
 * is copied; escapes are decoded only when a span is copied out, json_span_decode) and skips the
 * rest. Everything passed over, skipped or not, is checked, so a damaged file is still refused.
 *
 * The input must be followed by one '\0' byte that is not part of it (a sentinel): the inner loops
 * then need no bounds checks, and the reader can tell "the input ended in the middle of the value"
 * (JSON_PULL_MORE: the caller may read more and start the value again) from "this is not JSON"
 * (JSON_PULL_BAD). Once either is set, every call returns at once, so the caller's loops end.
 *
 * Accepted beyond RFC 8259, because json-c, which read these files before, accepts them: control
 * characters inside strings, leading zeros, a comma before a closing bracket. Escapes decode as
 * json-c decodes them: an unpaired surrogate becomes U+FFFD, and \u0000 ends the string for readers
 * of C strings.
 */
#include "feeds/parse/feeds_parse.h"

#include <stdlib.h>
#include <string.h>

static const bool json_space[256] = {[' '] = true, ['\t'] = true, ['\n'] = true, ['\r'] = true};

/* Bytes that end a run of plain string content. */
static const bool json_string_stop[256] = {['"'] = true, ['\\'] = true, ['\0'] = true};

static const signed char json_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9,
	['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16
};								/* value + 1; 0: not a hex digit */

void
json_pull_init(JsonPull *j, const char *buf, size_t len, int max_depth)
{
	memset(j, 0, sizeof(*j));
	j->p = buf;
	j->end = buf + len;
	j->max_depth = max_depth > 64 ? 64 : max_depth;
}

/* Stops the reader at q: the input ended there (a '\0' at the end), or else it is not JSON. */
static bool
json_pull_fail(JsonPull *j, const char *q, const char *what)
{
	if (j->status != JSON_PULL_OK)
		return false;
	j->p = q;
	if (q >= j->end)
		j->status = JSON_PULL_MORE;
	else
	{
		j->status = JSON_PULL_BAD;
		j->error = what;
	}
	return false;
}

/*
 * Word-at-a-time scanning (SWAR): pretty-printed NVD files indent with long runs of spaces, and
 * most of their bytes are inside strings, so the two inner loops look at eight bytes per step. On a
 * big-endian machine they go byte by byte.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define JSON_SWAR 1
#define JSON_ONES UINT64_C(0x0101010101010101)
#define JSON_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t
json_load8(const unsigned char *p)
{
	uint64_t	w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* The high bit of each byte of v that is zero (exact up to the first one: enough for its index). */
static inline uint64_t
json_zero_bytes(uint64_t v)
{
	return (v - JSON_ONES) & ~v & JSON_HIGHS;
}
#endif

/* The high bit of each byte of w equal to the byte c (exact, for every byte). */
#ifdef JSON_SWAR
static inline uint64_t
json_eq_bytes(uint64_t w, unsigned char c)
{
	uint64_t	t = w ^ (JSON_ONES * c);

	return ~(((t & ~JSON_HIGHS) + ~JSON_HIGHS) | t) & JSON_HIGHS;
}
#endif

/* Skips white space; the next byte ('\0' at the end). */
static inline unsigned char
json_pull_peek(JsonPull *j)
{
	const unsigned char *p = (const unsigned char *) j->p;

	if (!json_space[*p])
		return *p;
#ifdef JSON_SWAR
	{
		const unsigned char *end = (const unsigned char *) j->end;

		while (end - p >= 8)
		{
			uint64_t	w = json_load8(p);
			uint64_t	other = ~(json_eq_bytes(w, ' ') | json_eq_bytes(w, '\n') | json_eq_bytes(w, '\r') |
								  json_eq_bytes(w, '\t')) & JSON_HIGHS;

			if (other != 0)
			{
				p += __builtin_ctzll(other) >> 3;
				j->p = (const char *) p;
				return *p;
			}
			p += 8;
		}
	}
#endif
	while (json_space[*p])
		p++;
	j->p = (const char *) p;
	return *p;
}

/* The first '"', '\\' or '\0' at or after p. */
static inline const unsigned char *
json_string_run(const unsigned char *p, const unsigned char *end)
{
#ifdef JSON_SWAR
	while (end - p >= 8)
	{
		uint64_t	w = json_load8(p);
		uint64_t	x = json_zero_bytes(w ^ (JSON_ONES * '"')) | json_zero_bytes(w ^ (JSON_ONES * '\\')) |
			json_zero_bytes(w);

		if (x != 0)
			return p + (__builtin_ctzll(x) >> 3);
		p += 8;
	}
#endif
	while (!json_string_stop[*p])
		p++;
	return p;
}

/* The string starting at j->p (a '"'), as a span of the input. */
static bool
json_pull_scan_string(JsonPull *j, JsonSpan *out)
{
	const unsigned char *start = (const unsigned char *) j->p + 1;
	const unsigned char *p = start;
	bool		escaped = false;

	for (;;)
	{
		p = json_string_run(p, (const unsigned char *) j->end);
		if (*p == '"')
			break;
		if (*p == '\0')
			return json_pull_fail(j, (const char *) p,
								  (const char *) p < j->end ? "unexpected character" : "quoted string not terminated");
		/* a backslash */
		escaped = true;
		p++;
		switch (*p)
		{
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				p++;
				break;
			case 'u':
				for (int i = 1; i <= 4; i++)
					if (json_hex[p[i]] == 0)
						return json_pull_fail(j, (const char *) p + i, "invalid string sequence");
				p += 5;
				break;
			default:
				return json_pull_fail(j, (const char *) p, "invalid string sequence");
		}
	}
	if (out)
	{
		out->p = (const char *) start;
		out->len = (uint32_t) (p - start);
		out->escaped = escaped;
	}
	j->p = (const char *) p + 1;
	return true;
}

static inline bool
json_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* The number starting at j->p; its value when out is not NULL. */
static bool
json_pull_scan_number(JsonPull *j, double *out)
{
	const unsigned char *start = (const unsigned char *) j->p;
	const unsigned char *p = start;

	if (*p == '-')
		p++;
	if (!json_is_digit(*p))
		return json_pull_fail(j, (const char *) p, "number expected");
	while (json_is_digit(*p))
		p++;
	if (*p == '.')
	{
		p++;
		if (!json_is_digit(*p))
			return json_pull_fail(j, (const char *) p, "number expected");
		while (json_is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!json_is_digit(*p))
			return json_pull_fail(j, (const char *) p, "number expected");
		while (json_is_digit(*p))
			p++;
	}
	if ((const char *) p >= j->end)
		return json_pull_fail(j, (const char *) p, NULL);	/* more digits may follow */
	/* strtod stops where the syntax above stopped (the byte after is no part of a number) */
	if (out)
		*out = strtod((const char *) start, NULL);
	j->p = (const char *) p;
	return true;
}

static bool
json_pull_scan_literal(JsonPull *j, const char *lit, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (j->p[i] != lit[i])
			return json_pull_fail(j, j->p + i, what);
	j->p += n;
	return true;
}

/* Enters the container whose opening bracket is at j->p. */
static bool
json_pull_enter(JsonPull *j)
{
	if (j->depth >= j->max_depth)
		return json_pull_fail(j, j->p, "nesting too deep");
	j->depth++;
	j->comma &= ~((uint64_t) 1 << (j->depth - 1));
	j->p++;
	return true;
}

/*
 * Before the next item of the current container: true when one follows; false when the closing
 * bracket was reached (and consumed) or on error. ',' between items; one after the last is allowed.
 */
static bool
json_pull_next_item(JsonPull *j, unsigned char close, const char *sep_expected)
{
	uint64_t	bit = (uint64_t) 1 << (j->depth - 1);
	unsigned char c = json_pull_peek(j);

	if (c == close)
	{
		j->p++;
		j->depth--;
		return false;
	}
	if (j->comma & bit)
	{
		if (c != ',')
			return json_pull_fail(j, j->p, sep_expected);
		j->p++;
		if (json_pull_peek(j) == close)
		{
			j->p++;
			j->depth--;
			return false;
		}
	}
	j->comma |= bit;
	return true;
}

bool
json_pull_object(JsonPull *j)
{
	if (j->status != JSON_PULL_OK)
		return false;
	if (json_pull_peek(j) != '{')
	{
		json_pull_skip(j);
		return false;
	}
	return json_pull_enter(j);
}

bool
json_pull_member(JsonPull *j, JsonSpan *key)
{
	if (j->status != JSON_PULL_OK || !json_pull_next_item(j, '}', "object value separator ',' expected"))
		return false;
	if (*j->p != '"')
		return json_pull_fail(j, j->p, "quoted object property name expected");
	if (!json_pull_scan_string(j, key))
		return false;
	if (json_pull_peek(j) != ':')
		return json_pull_fail(j, j->p, "object property name separator ':' expected");
	j->p++;
	return true;
}

bool
json_pull_array(JsonPull *j)
{
	if (j->status != JSON_PULL_OK)
		return false;
	if (json_pull_peek(j) != '[')
	{
		json_pull_skip(j);
		return false;
	}
	return json_pull_enter(j);
}

bool
json_pull_element(JsonPull *j)
{
	return j->status == JSON_PULL_OK && json_pull_next_item(j, ']', "array value separator ',' expected");
}

void
json_pull_string(JsonPull *j, JsonSpan *out)
{
	out->p = NULL;
	out->len = 0;
	out->escaped = false;
	if (j->status != JSON_PULL_OK)
		return;
	if (json_pull_peek(j) == '"')
	{
		if (!json_pull_scan_string(j, out))
			out->p = NULL;
	}
	else
		json_pull_skip(j);
}

int
json_pull_bool(JsonPull *j)
{
	unsigned char c;

	if (j->status != JSON_PULL_OK)
		return -1;
	c = json_pull_peek(j);
	if (c == 't')
		return json_pull_scan_literal(j, "true", 4, "boolean expected") ? 1 : -1;
	if (c == 'f')
		return json_pull_scan_literal(j, "false", 5, "boolean expected") ? 0 : -1;
	json_pull_skip(j);
	return -1;
}

bool
json_pull_number(JsonPull *j, double *out)
{
	unsigned char c;

	if (j->status != JSON_PULL_OK)
		return false;
	c = json_pull_peek(j);
	if (c == '-' || json_is_digit(c))
		return json_pull_scan_number(j, out);
	json_pull_skip(j);
	return false;
}

void
json_pull_skip(JsonPull *j)
{
	JsonSpan	key;

	if (j->status != JSON_PULL_OK)
		return;
	switch (json_pull_peek(j))
	{
		case '{':
			if (json_pull_enter(j))
				while (json_pull_member(j, &key))
					json_pull_skip(j);
			break;
		case '[':
			if (json_pull_enter(j))
				while (json_pull_element(j))
					json_pull_skip(j);
			break;
		case '"':
			json_pull_scan_string(j, NULL);
			break;
		case 't':
			json_pull_scan_literal(j, "true", 4, "boolean expected");
			break;
		case 'f':
			json_pull_scan_literal(j, "false", 5, "boolean expected");
			break;
		case 'n':
			json_pull_scan_literal(j, "null", 4, "null expected");
			break;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			json_pull_scan_number(j, NULL);
			break;
		default:
			json_pull_fail(j, j->p, "unexpected character");
			break;
	}
}

/* ---- spans ----------------------------------------------------------------------------------- */

static unsigned
json_hex4(const char *p)
{
	unsigned	v = 0;

	for (int i = 0; i < 4; i++)
		v = (v << 4) | (unsigned) (json_hex[(unsigned char) p[i]] - 1);
	return v;
}

static size_t
json_utf8(unsigned cp, char *o)
{
	if (cp < 0x80)
	{
		o[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		o[0] = (char) (0xC0 | (cp >> 6));
		o[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		o[0] = (char) (0xE0 | (cp >> 12));
		o[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char) (0xF0 | (cp >> 18));
	o[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* Decoding never lengthens a string: \n is 2 bytes for 1, \uXXXX 6 for at most 3, a pair 12 for 4. */
size_t
json_span_decode(const JsonSpan *s, char *out)
{
	const char *p = s->p;
	const char *e = s->p + s->len;
	char	   *o = out;

	if (!s->escaped)
	{
		memcpy(out, s->p, s->len);
		out[s->len] = '\0';
		return s->len;
	}
	while (p < e)
	{
		const char *bs = memchr(p, '\\', (size_t) (e - p));
		size_t		run = bs ? (size_t) (bs - p) : (size_t) (e - p);
		unsigned	cp;

		memcpy(o, p, run);
		o += run;
		p += run;
		if (p == e)
			break;
		p++;					/* the backslash; the scanner checked what follows */
		switch (*p++)
		{
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'u':
				cp = json_hex4(p);
				p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF)
				{
					unsigned	lo = (e - p >= 6 && p[0] == '\\' && p[1] == 'u') ? json_hex4(p + 2) : 0;

					if (lo >= 0xDC00 && lo <= 0xDFFF)
					{
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						p += 6;
					}
					else
						cp = 0xFFFD;	/* what follows is decoded on its own */
				}
				else if (cp >= 0xDC00 && cp <= 0xDFFF)
					cp = 0xFFFD;
				o += json_utf8(cp, o);
				break;
			default:			/* " \ / */
				*o++ = p[-1];
				break;
		}
	}
	*o = '\0';
	return (size_t) (o - out);
}

/* A span's decoded text as a C string: in buf when it fits, else malloc'd (*heap set); NULL on OOM. */
static char *
json_span_cstring(const JsonSpan *s, char *buf, size_t buflen, char **heap)
{
	char	   *d = buf;

	*heap = NULL;
	if (s->len >= buflen)
	{
		d = malloc((size_t) s->len + 1);
		if (d == NULL)
			return NULL;
		*heap = d;
	}
	json_span_decode(s, d);
	return d;
}

bool
json_span_is_decoded(const JsonSpan *s, const char *lit)
{
	char		buf[128];
	char	   *heap;
	char	   *d;
	bool		eq;

	d = json_span_cstring(s, buf, sizeof(buf), &heap);
	eq = d != NULL && strcmp(d, lit) == 0;
	free(heap);
	return eq;
}

bool
json_span_equal(const JsonSpan *a, const JsonSpan *b)
{
	char		abuf[128],
				bbuf[128];
	char	   *aheap,
			   *bheap;
	char	   *x,
			   *y;
	bool		eq;

	if (!a->escaped && !b->escaped)
		return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
	x = json_span_cstring(a, abuf, sizeof(abuf), &aheap);
	y = json_span_cstring(b, bbuf, sizeof(bbuf), &bheap);
	eq = x != NULL && y != NULL && strcmp(x, y) == 0;
	free(aheap);
	free(bheap);
	return eq;
}
