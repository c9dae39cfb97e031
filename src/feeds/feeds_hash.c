/*
 * feeds_hash.c: gives the plain-C feed readers PostgreSQL's SHA-256 (OpenSSL, with the CPU's SHA
 * instructions) instead of libsodium's portable one: hashing a 175 MB NVD file drops from most of
 * a second to about a tenth. Contexts are tracked by the current resource owner, so an ERROR in
 * the middle of a load cannot leak them.
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

static void
pg_sha256_update(void *ctx, const unsigned char *data, size_t len)
{
	if (pg_cryptohash_update(ctx, data, len) < 0)
		elog(ERROR, "could not update a SHA-256 digest: %s", pg_cryptohash_error(ctx));
}

static void
pg_sha256_final(void *ctx, unsigned char out[32])
{
	if (pg_cryptohash_final(ctx, out, 32) < 0)
		elog(ERROR, "could not finish a SHA-256 digest: %s", pg_cryptohash_error(ctx));
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
