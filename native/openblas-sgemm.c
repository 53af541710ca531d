/*
 * OpenBLAS SGEMM on the host CPU: the ceiling that deltaprop's figures on a CPU OpenCL device
 * (PoCL) are read against (issue 3).
 *
 *   C = A·B, all N×N float, row-major, no transposes
 *
 * Usage: openblas-sgemm [N [WARMUP [RUNS]]]   (defaults 1024, 2, 5)
 * OpenBLAS uses all cores unless OPENBLAS_NUM_THREADS says otherwise. Each run is one
 * cblas_sgemm call timed with CLOCK_MONOTONIC; it prints the median as GFLOP/s = 2·N³ / t and
 * checks 64 entries of C against a double-precision dot product.
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static long parse_count(const char *text, const char *name, long min, long max) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < min || value > max) {
        fprintf(stderr, "openblas-sgemm: %s: expected an integer from %ld to %ld, found '%s'\n", name, min, max, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? (int) parse_count(argv[1], "N", 1, 16384) : 1024;
    int warmup = argc > 2 ? (int) parse_count(argv[2], "WARMUP", 0, 1000) : 2;
    int runs = argc > 3 ? (int) parse_count(argv[3], "RUNS", 1, 1000) : 5;
    size_t count = (size_t) n * n;
    float *a = malloc(count * sizeof(float)), *b = malloc(count * sizeof(float)), *c = malloc(count * sizeof(float));
    double *times = malloc(sizeof(double) * runs);
    if (!a || !b || !c || !times) {
        fprintf(stderr, "openblas-sgemm: out of host memory\n");
        return 1;
    }
    srand(42);
    for (size_t k = 0; k < count; k++) {
        a[k] = 2.0f * rand() / RAND_MAX - 1.0f;
        b[k] = 2.0f * rand() / RAND_MAX - 1.0f;
    }
    for (int r = -warmup; r < runs; r++) {
        double start = seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        if (r >= 0) {
            times[r] = seconds() - start;
        }
    }
    double error = 0, norm = 0;
    for (int s = 0; s < 64; s++) {
        size_t i = (size_t) rand() % n, j = (size_t) rand() % n;
        double exact = 0;
        for (size_t k = 0; k < (size_t) n; k++) {
            exact += (double) a[i * n + k] * b[k * n + j];
        }
        error += (c[i * n + j] - exact) * (c[i * n + j] - exact);
        norm += exact * exact;
    }
    double relative = norm > 0 ? sqrt(error / norm) : sqrt(error);
    qsort(times, runs, sizeof(double), compare_doubles);
    double median = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    printf("openblas SGEMM %d×%d×%d row-major NN, %d threads: median %.3f ms of %d runs (%d warm-up, min %.3f, max %.3f)\n",
           n, n, n, openblas_get_num_threads(), median * 1e3, runs, warmup, times[0] * 1e3, times[runs - 1] * 1e3);
    printf("         %.2f GFLOP/s\n", 2.0 * n * n * n / median / 1e9);
    printf("check    64 entries against a double dot product: relative error %.2e\n", relative);
    free(a);
    free(b);
    free(c);
    free(times);
    if (!(relative <= 1e-4)) {
        fprintf(stderr, "openblas-sgemm: the result is wrong (relative error %.2e > 1e-4)\n", relative);
        return 1;
    }
    return 0;
}
