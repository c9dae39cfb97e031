/*
 * uuid5.c: SHA-1 and name-based UUIDs (RFC 4122 version 5) for the generated documents.
 *
 * OSCAL documents regenerated from the same data must carry the same ids, so that two versions of
 * an SSP diff cleanly. A version-5 UUID of (namespace, "system/kind/control/subject") gives exactly
 * that, and it is the form OSCAL 1.1 allows besides random v4 ids. Version 5 is defined over
 * SHA-1; PostgreSQL 15 offers md5 and the SHA-2 family in SQL but no SHA-1 (that is pgcrypto's,
 * and Infracast does not depend on pgcrypto), so this file carries a small SHA-1 (FIPS 180-4,
 * checked against the RFC 3174 vectors in sql/documents_uuid.sql). SHA-1 is used here only as
 * RFC 4122 prescribes, to name things, never to protect anything: report hashes are sha256.
 */
#include "postgres.h"

#include <string.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

typedef struct Sha1
{
	uint32		h[5];
	uint64		length;			/* bytes hashed so far */
	uint8		block[64];
	int			used;			/* bytes waiting in block */
} Sha1;

static inline uint32
rol32(uint32 x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* One 64-byte block into the state (FIPS 180-4, 6.1.2). */
static void
sha1_block(Sha1 *s, const uint8 *p)
{
	uint32		w[80];
	uint32		a = s->h[0],
				b = s->h[1],
				c = s->h[2],
				d = s->h[3],
				e = s->h[4];

	for (int t = 0; t < 16; t++)
		w[t] = ((uint32) p[4 * t] << 24) | ((uint32) p[4 * t + 1] << 16) |
			((uint32) p[4 * t + 2] << 8) | (uint32) p[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (int t = 0; t < 80; t++)
	{
		uint32		f,
					k,
					tmp;

		if (t < 20)
		{
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		}
		else if (t < 40)
		{
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		}
		else if (t < 60)
		{
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		}
		else
		{
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		tmp = rol32(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = tmp;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void
sha1_init(Sha1 *s)
{
	s->h[0] = 0x67452301;
	s->h[1] = 0xEFCDAB89;
	s->h[2] = 0x98BADCFE;
	s->h[3] = 0x10325476;
	s->h[4] = 0xC3D2E1F0;
	s->length = 0;
	s->used = 0;
}

static void
sha1_update(Sha1 *s, const uint8 *p, size_t n)
{
	s->length += n;
	while (n > 0)
	{
		size_t		take = Min(n, (size_t) (64 - s->used));

		memcpy(s->block + s->used, p, take);
		s->used += (int) take;
		p += take;
		n -= take;
		if (s->used == 64)
		{
			sha1_block(s, s->block);
			s->used = 0;
		}
	}
}

static void
sha1_final(Sha1 *s, uint8 out[20])
{
	uint64		bits = s->length * 8;
	uint8		pad = 0x80;
	uint8		zero = 0;
	uint8		len[8];

	sha1_update(s, &pad, 1);
	while (s->used != 56)
		sha1_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8) (bits >> (56 - 8 * i));
	sha1_update(s, len, 8);
	for (int i = 0; i < 5; i++)
	{
		out[4 * i] = (uint8) (s->h[i] >> 24);
		out[4 * i + 1] = (uint8) (s->h[i] >> 16);
		out[4 * i + 2] = (uint8) (s->h[i] >> 8);
		out[4 * i + 3] = (uint8) s->h[i];
	}
}

PG_FUNCTION_INFO_V1(infracast_sha1);
/* infracast.sha1(bytea) → bytea: the 20-byte SHA-1 digest (for the RFC 3174 test vectors). */
Datum
infracast_sha1(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	bytea	   *out = (bytea *) palloc(VARHDRSZ + 20);
	Sha1		s;

	sha1_init(&s);
	sha1_update(&s, (const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	sha1_final(&s, (uint8 *) VARDATA(out));
	SET_VARSIZE(out, VARHDRSZ + 20);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(infracast_uuid5);
/*
 * infracast.uuid5(namespace uuid, name text) → uuid (RFC 4122, 4.3): SHA-1 of the namespace's 16
 * bytes followed by the name's UTF-8 bytes, the first 16 bytes kept, version 5 and variant 10xx set.
 */
Datum
infracast_uuid5(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *ns = PG_GETARG_UUID_P(0);
	text	   *name = PG_GETARG_TEXT_PP(1);
	pg_uuid_t  *out = (pg_uuid_t *) palloc(sizeof(pg_uuid_t));
	int			len = (int) VARSIZE_ANY_EXHDR(name);
	/* the name in UTF-8 whatever the database's encoding, so ids agree with other implementations */
	const char *utf8 = (const char *) pg_server_to_any(VARDATA_ANY(name), len, PG_UTF8);
	uint8		digest[20];
	Sha1		s;

	if (utf8 != VARDATA_ANY(name))
		len = (int) strlen(utf8);
	sha1_init(&s);
	sha1_update(&s, ns->data, UUID_LEN);
	sha1_update(&s, (const uint8 *) utf8, (size_t) len);
	sha1_final(&s, digest);
	memcpy(out->data, digest, UUID_LEN);
	out->data[6] = (uint8) ((out->data[6] & 0x0F) | 0x50);
	out->data[8] = (uint8) ((out->data[8] & 0x3F) | 0x80);
	PG_RETURN_UUID_P(out);
}
