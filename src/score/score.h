/*
 * score.h: the scoring subsystem's error codes (docs/scoring.md):
 *   22003  cvss outside 0..10, epss or exposure outside 0..1
 *   22023  unknown criticality
 * The formula itself is plain C in score/risk.h.
 */
#ifndef INFRACAST_SCORE_H
#define INFRACAST_SCORE_H

#include "infracast.h"

#include "score/risk.h"

#endif							/* INFRACAST_SCORE_H */
