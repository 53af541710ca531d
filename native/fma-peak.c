/*
 * The host's single-precision FMA peak: what its cores' FMA pipes allow with nothing else to do,
 * no loads, no stores. Every CPU rate in docs/perf.md (the cpu backend's, OpenBLAS's, PyTorch's)
 * is bounded by it, so it is what a target like "1.2× PyTorch on wide" (issue 14) is read against.
 *
 * Usage: fma-peak [THREADS [ROUNDS]]   (defaults 1 and 5)
 *
 * Each thread runs twelve independent chains of vector FMAs (acc = acc·x + y) in registers:
 * twelve, so that latency × pipes (4 × 2 on the x86 cores of docs/perf.md) never starves a pipe.
 * The vector is the widest the compiler was allowed (-march=native): zmm with AVX-512, else ymm
 * with FMA3. A round is THREADS threads started together on ITERATIONS each, timed by the wall
 * clock from the first start to the last join; it prints each round and then the best, as
 * GFLOP/s = 2 · lanes · FMAs / seconds summed over the threads.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define ISA "zmm (AVX-512)"
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define STORE _mm512_storeu_ps
#elif defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define ISA "ymm (AVX2+FMA)"
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define STORE _mm256_storeu_ps
#else
#error "fma-peak needs FMA3 or AVX-512 (build with -march=native on an x86-64 CPU that has them)"
#endif

#define CHAINS 12
#define ITERATIONS 100000000L

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One thread's chains; the sum is written out so that the compiler keeps every FMA. */
static void *chains(void *out) {
    vec x = SET1(0.99999994f), y = SET1(1e-7f);
    vec a0 = SET1(1.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    vec a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (long i = 0; i < ITERATIONS; i++) {
        a0 = FMA(a0, x, y); a1 = FMA(a1, x, y); a2 = FMA(a2, x, y); a3 = FMA(a3, x, y);
        a4 = FMA(a4, x, y); a5 = FMA(a5, x, y); a6 = FMA(a6, x, y); a7 = FMA(a7, x, y);
        a8 = FMA(a8, x, y); a9 = FMA(a9, x, y); a10 = FMA(a10, x, y); a11 = FMA(a11, x, y);
        /* an empty asm that claims to change the accumulators: no folding of the loop */
        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5));
        __asm__ volatile("" : "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
    }
    vec sum = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));
    sum = ADD(sum, ADD(ADD(a8, a9), ADD(a10, a11)));
    float lanes[LANES];
    STORE(lanes, sum);
    *(float *) out = lanes[0];
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (threads < 1 || threads > 1024 || rounds < 1) {
        fprintf(stderr, "fma-peak: THREADS must be 1..1024 and ROUNDS >= 1 (got %s %s)\n",
                argc > 1 ? argv[1] : "1", argc > 2 ? argv[2] : "5");
        return 2;
    }
    pthread_t *ids = malloc(sizeof(pthread_t) * threads);
    float *sums = malloc(sizeof(float) * threads);
    double flops = 2.0 * LANES * CHAINS * ITERATIONS * threads, best = 0;
    for (int round = 0; round < rounds; round++) {
        double start = seconds();
        for (int t = 0; t < threads; t++) {
            if (pthread_create(&ids[t], NULL, chains, &sums[t]) != 0) {
                fprintf(stderr, "fma-peak: cannot start thread %d\n", t);
                return 1;
            }
        }
        for (int t = 0; t < threads; t++) {
            pthread_join(ids[t], NULL);
        }
        double rate = flops / (seconds() - start) / 1e9;
        printf("round %d: %.1f GFLOP/s\n", round + 1, rate);
        best = rate > best ? rate : best;
    }
    printf("%s FMA peak, %d threads: %.1f GFLOP/s (best of %d rounds)\n", ISA, threads, best, rounds);
    free(ids);
    free(sums);
    return 0;
}
