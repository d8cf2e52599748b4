/* memory_pattern.h: the values the memory-rewriting workloads fill their
 * memory with, so that a chunk restored from the wrong place or generation
 * shows in their sums. Header-only. */
#ifndef STASIS_MEMORY_PATTERN_H
#define STASIS_MEMORY_PATTERN_H

#include <stdint.h>

/* A 64-bit finalizer (MurmurHash3's): every input bit moves every output bit. */
static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

#endif
