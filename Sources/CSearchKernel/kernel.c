#include "CSearchKernel.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static void dots_portable(const int8_t *rows, size_t count, size_t stride, const int16_t *query,
                          int32_t *out, uint32_t lanes[8]) {
    for (size_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * stride;
        int32_t sum = 0;
        for (size_t i = 0; i < stride; i++) sum += (int32_t)row[i] * (int32_t)query[i];
        for (size_t w = 0; w < stride / 4; w++) {
            uint32_t word;
            memcpy(&word, row + 4 * w, 4);
            lanes[w & 7] += word;
        }
        out[r] = sum;
    }
}

#if defined(__x86_64__)

static void dots_sse2(const int8_t *rows, size_t count, size_t stride, const int16_t *query,
                      int32_t *out, uint32_t lanes[8]) {
    __m128i s0 = _mm_loadu_si128((const __m128i *)lanes);
    __m128i s1 = _mm_loadu_si128((const __m128i *)(lanes + 4));
    for (size_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * stride;
        __m128i a0 = _mm_setzero_si128(), a1 = _mm_setzero_si128();
        for (size_t i = 0; i < stride; i += 32) {
            __m128i b0 = _mm_loadu_si128((const __m128i *)(row + i));
            __m128i b1 = _mm_loadu_si128((const __m128i *)(row + i + 16));
            s0 = _mm_add_epi32(s0, b0);
            s1 = _mm_add_epi32(s1, b1);
            // Each byte doubled into a 16-bit lane, shifted back: sign-extended int8.
            __m128i l0 = _mm_srai_epi16(_mm_unpacklo_epi8(b0, b0), 8);
            __m128i h0 = _mm_srai_epi16(_mm_unpackhi_epi8(b0, b0), 8);
            __m128i l1 = _mm_srai_epi16(_mm_unpacklo_epi8(b1, b1), 8);
            __m128i h1 = _mm_srai_epi16(_mm_unpackhi_epi8(b1, b1), 8);
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(l0, _mm_loadu_si128((const __m128i *)(query + i))));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(h0, _mm_loadu_si128((const __m128i *)(query + i + 8))));
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(l1, _mm_loadu_si128((const __m128i *)(query + i + 16))));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(h1, _mm_loadu_si128((const __m128i *)(query + i + 24))));
        }
        __m128i a = _mm_add_epi32(a0, a1);
        a = _mm_add_epi32(a, _mm_shuffle_epi32(a, _MM_SHUFFLE(1, 0, 3, 2)));
        a = _mm_add_epi32(a, _mm_shuffle_epi32(a, _MM_SHUFFLE(2, 3, 0, 1)));
        out[r] = _mm_cvtsi128_si32(a);
    }
    _mm_storeu_si128((__m128i *)lanes, s0);
    _mm_storeu_si128((__m128i *)(lanes + 4), s1);
}

__attribute__((target("avx2")))
static void dots_avx2(const int8_t *rows, size_t count, size_t stride, const int16_t *query,
                      int32_t *out, uint32_t lanes[8]) {
    __m256i sums = _mm256_loadu_si256((const __m256i *)lanes);
    for (size_t r = 0; r < count; r++) {
        const int8_t *row = rows + r * stride;
        __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
        for (size_t i = 0; i < stride; i += 32) {
            __m256i bytes = _mm256_loadu_si256((const __m256i *)(row + i));
            sums = _mm256_add_epi32(sums, bytes);
            __m256i lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(bytes));
            __m256i hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(bytes, 1));
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)(query + i))));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(query + i + 16))));
        }
        __m256i a = _mm256_add_epi32(a0, a1);
        __m128i h = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
        h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(1, 0, 3, 2)));
        h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(2, 3, 0, 1)));
        out[r] = _mm_cvtsi128_si32(h);
    }
    _mm256_storeu_si256((__m256i *)lanes, sums);
}

/// Whether the CPU has AVX2 and the OS saves the YMM registers (OSXSAVE, XCR0 bits 1-2).
static int has_avx2(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX)) return 0;
    unsigned int xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

int llmq_i8_best_level(void) {
    // Computed once per process; a racing first call computes the same value.
    static _Atomic int level = -1;
    int known = level;
    if (known < 0) {
        known = has_avx2() ? 2 : 1;
        level = known;
    }
    return known;
}

#else

int llmq_i8_best_level(void) { return 0; }

#endif

void llmq_i8_dots_level(int level, const int8_t *rows, size_t count, size_t stride,
                        const int16_t *query, int32_t *out, uint32_t lanes[8]) {
    int best = llmq_i8_best_level();
    if (level > best) level = best;
#if defined(__x86_64__)
    if (level == 2) { dots_avx2(rows, count, stride, query, out, lanes); return; }
    if (level == 1) { dots_sse2(rows, count, stride, query, out, lanes); return; }
#endif
    dots_portable(rows, count, stride, query, out, lanes);
}

void llmq_i8_dots(const int8_t *rows, size_t count, size_t stride, const int16_t *query,
                  int32_t *out, uint32_t lanes[8]) {
    llmq_i8_dots_level(llmq_i8_best_level(), rows, count, stride, query, out, lanes);
}
