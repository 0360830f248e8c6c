// Memory read bandwidth on all cores: each thread sums its half of a buffer several
// times (AVX2 when the compiler may use it), reporting the best pass in GB/s.
// Usage: membw [MiB]   (default 2048; well over the caches)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static size_t words; static float *data; static int threads;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static void *sum(void *arg) {
    size_t id = (size_t)arg, part = words / threads, from = id * part, to = from + part;
    float a[16] = {0};
    for (size_t i = from; i + 16 <= to; i += 16) for (int j = 0; j < 16; j++) a[j] += data[i + j];
    float s = 0; for (int j = 0; j < 16; j++) s += a[j];
    return (void *)(size_t)(s != 12345.0f);
}
int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 2048;
    threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    words = mib * 1024 * 1024 / 4;
    data = aligned_alloc(64, words * 4);
    for (size_t i = 0; i < words; i++) data[i] = (float)(i & 1023) * 1e-3f;
    double best = 1e30;
    for (int pass = 0; pass < 5; pass++) {
        pthread_t t[64]; double start = now();
        for (long i = 0; i < threads; i++) pthread_create(&t[i], 0, sum, (void *)i);
        for (int i = 0; i < threads; i++) pthread_join(t[i], 0);
        double took = now() - start; if (took < best) best = took;
    }
    printf("memory read bandwidth: %.1f GB/s (%d threads, %zu MiB, best of 5)\n", words * 4 / best / 1e9, threads, mib);
    return 0;
}
