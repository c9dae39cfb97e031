/*
 * kev_seed.c: the KEV catalogue built into infracast.so.
 *
 * `make INFRACAST_KEV_SEED=path/to/known_exploited_vulnerabilities.json` embeds that file (default:
 * the small seed in test/fixtures/feeds/kev_seed.json). CREATE EXTENSION loads it into
 * infracast.kev when no KEV load was ever recorded, and feed_status says so (state 'warning'), so
 * an enclave that has not carried a KEV file in yet still knows the exploited CVEs of build time.
 *
 * The file is pulled in by the assembler (.incbin), so no generated source lands in the tree. The
 * LLVM bitcode copy of this file (for JIT inlining) leaves the bytes out: nothing inlines them.
 */
#include "feeds/feeds.h"

#ifndef INFRACAST_KEV_SEED_PATH	/* set by mk/feeds.mk; this default serves linters */
#define INFRACAST_KEV_SEED_PATH "test/fixtures/feeds/kev_seed.json"
#endif

#ifndef INFRACAST_KEV_SEED_BITCODE
__asm__(".section .rodata\n"
		".balign 16\n"
		"infracast_kev_seed_start:\n"
		".incbin \"" INFRACAST_KEV_SEED_PATH "\"\n"
		"infracast_kev_seed_end:\n"
		".byte 0\n"
		".previous\n");
extern const char infracast_kev_seed_start[] __asm__("infracast_kev_seed_start");
extern const char infracast_kev_seed_end[] __asm__("infracast_kev_seed_end");
#endif

/* The seed's bytes and the name of the file it was built from. */
const char *
feeds_kev_seed(size_t *len, const char **name)
{
	const char *base = strrchr(INFRACAST_KEV_SEED_PATH, '/');

	*name = base ? base + 1 : INFRACAST_KEV_SEED_PATH;
#ifndef INFRACAST_KEV_SEED_BITCODE
	*len = (size_t) ((uintptr_t) infracast_kev_seed_end - (uintptr_t) infracast_kev_seed_start);
	return infracast_kev_seed_start;
#else
	*len = 0;
	return "";
#endif
}
