/*
 * openblas-sgemm.c: the CPU's SGEMM ceiling on this machine, for docs/perf-cpu.md.
 *
 * C[M×N] = A[M×K] · B[K×N], row-major, fp32, through Debian's OpenBLAS (cblas_sgemm), the
 * same shape as deltaprop's forward GEMM (U = Z W). Prints one line per size: the median of
 * the timed repetitions after warm-up, and GFLOP/s = 2·M·N·K / time. The thread count is
 * OpenBLAS's (OPENBLAS_NUM_THREADS), printed with the result.
 *
 * usage: openblas-sgemm M N K [repetitions]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s M N K [repetitions]\n", argv[0]);
        return 2;
    }
    int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]);
    int repetitions = argc > 4 ? atoi(argv[4]) : 20;
    if (m < 1 || n < 1 || k < 1 || repetitions < 1) {
        fprintf(stderr, "M, N, K and repetitions must be at least 1\n");
        return 2;
    }
    float *a = malloc(sizeof(float) * (size_t) m * k);
    float *b = malloc(sizeof(float) * (size_t) k * n);
    float *c = malloc(sizeof(float) * (size_t) m * n);
    double *seconds = malloc(sizeof(double) * repetitions);
    if (!a || !b || !c || !seconds) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    srand(42);
    for (size_t i = 0; i < (size_t) m * k; i++) a[i] = (float) rand() / RAND_MAX - 0.5f;
    for (size_t i = 0; i < (size_t) k * n; i++) b[i] = (float) rand() / RAND_MAX - 0.5f;
    for (int w = 0; w < 3; w++) {  /* warm-up: thread pool start, page faults */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
    }
    for (int r = 0; r < repetitions; r++) {
        double start = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        seconds[r] = now_seconds() - start;
    }
    qsort(seconds, repetitions, sizeof(double), compare_doubles);
    double median = seconds[repetitions / 2];
    printf("openblas sgemm %dx%dx%d threads=%d config=\"%s\" median_us=%.1f gflops=%.1f best_gflops=%.1f\n",
           m, n, k, openblas_get_num_threads(), openblas_get_config(), median * 1e6,
           2.0 * m * n * k / median * 1e-9, 2.0 * m * n * k / seconds[0] * 1e-9);
    free(a); free(b); free(c); free(seconds);
    return 0;
}
