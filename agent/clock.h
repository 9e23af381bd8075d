/* SPDX-License-Identifier: GPL-2.0 */
#ifndef OVSKVM_CLOCK_H
#define OVSKVM_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The agent's one clock: CLOCK_MONOTONIC in milliseconds. */
static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

#endif
