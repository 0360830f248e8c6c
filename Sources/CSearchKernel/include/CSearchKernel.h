#ifndef LLMQ_CSEARCHKERNEL_H
#define LLMQ_CSEARCHKERNEL_H

#include <stddef.h>
#include <stdint.h>

/// The int8 first pass of `llmq search`: exact integer dot products of int8 vector codes
/// with an int16 query, with a checksum of the codes read, in one pass over memory.
///
/// `rows` holds `count` rows of `stride` bytes (a multiple of 32), `query` `stride`
/// int16 values. `out[r]` receives the dot product of row r with `query`, computed in
/// 32-bit integers without rounding: the caller keeps `stride * 127 * max|query|` below
/// 2^31 so no sum can overflow. Every 4-byte word of the rows is added (wrapping) to
/// `lanes[w % 8]`, w counted from the row's start (the Search module's LaneChecksum).
/// Uses AVX2 where the CPU and OS support it, else SSE2 (x86-64), else portable C.
void llmq_i8_dots(const int8_t *rows, size_t count, size_t stride, const int16_t *query,
                  int32_t *out, uint32_t lanes[8]);

/// The same with a chosen implementation (0 portable, 1 SSE2, 2 AVX2), for tests that
/// compare them. A level the machine lacks falls back to the best it has below it.
void llmq_i8_dots_level(int level, const int8_t *rows, size_t count, size_t stride,
                        const int16_t *query, int32_t *out, uint32_t lanes[8]);

/// The best implementation this machine runs: 0 portable, 1 SSE2, 2 AVX2.
int llmq_i8_best_level(void);

#endif
