/*
 * feeds_hash.c: gives the plain-C feed readers PostgreSQL's SHA-256 (OpenSSL, with the CPU's SHA
 * instructions) instead of libsodium's portable one: hashing a 175 MB NVD file drops from most of
 * a second to about a tenth. Contexts are created and freed on the backend's thread and tracked
 * by the current resource owner, so an ERROR in the middle of a load cannot leak them.
 */
#include "feeds/feeds.h"

#include "common/cryptohash.h"

static void *
pg_sha256_create(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx != NULL && pg_cryptohash_init(ctx) < 0)
	{
		pg_cryptohash_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * update and final run on the NVD reader's parse thread, so they must not raise: OpenSSL's digest
 * calls do not fail on a valid context, and if one did, the all-zero digest would not match any
 * checksum and the load would fail as a checksum mismatch.
 */
static void
pg_sha256_update(void *ctx, const unsigned char *data, size_t len)
{
	(void) pg_cryptohash_update(ctx, data, len);
}

static void
pg_sha256_final(void *ctx, unsigned char out[32])
{
	if (pg_cryptohash_final(ctx, out, 32) < 0)
		memset(out, 0, 32);
}

static void
pg_sha256_destroy(void *ctx)
{
	pg_cryptohash_free(ctx);
}

static const FeedHashOps pg_sha256_ops = {
	pg_sha256_create, pg_sha256_update, pg_sha256_final, pg_sha256_destroy
};

/* Called from feeds_init(). */
void
feeds_hash_init(void)
{
	feed_hash_set_ops(&pg_sha256_ops);
}
