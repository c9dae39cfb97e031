/*
 * nvd_limits.h: the NVD reader's buffer sizes and limits (nvd_stream.c, nvd_record.c).
 *
 * They are variables, not constants, so that a test can lower them: the fuzz harness
 * (test/fuzz/fuzz_nvd.c) sets small ones per input, so that inputs of a few KB reach every limit,
 * and starts the input buffer small, so that records are split at every kind of place. The
 * extension never changes them. Set them only while no stream is open: the parse thread reads them.
 */
#ifndef NVD_LIMITS_H
#define NVD_LIMITS_H

#include <stddef.h>

#define NVD_MAX_CWES 64			/* CWEs kept per CVE (NvdCve.cwes) */

typedef struct NvdLimits
{
	size_t		chunk;			/* the input buffer's first size */
	size_t		max_record;		/* bytes a CVE record may have; the largest real ones have a few hundred KB */
	size_t		max_header;		/* bytes a member name or value of the header may have */
	size_t		ring_bytes;		/* memory the ring's parsed CVEs may hold, past one */
	size_t		slot_keep;		/* a ring slot keeps buffers up to this size from CVE to CVE */
} NvdLimits;

/* The production values: 256 KB, 64 MB, 1 MB, 32 MB, 1 MB (nvd_limits.c). */
extern NvdLimits nvd_limits;

#endif							/* NVD_LIMITS_H */
