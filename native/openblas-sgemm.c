/*
 * OpenBLAS SGEMM on the host CPU: the ceiling that deltaprop's figures on a CPU OpenCL device
 * (PoCL) are read against (issue 3).
 *
 *   C = op(A)·op(B), float, row-major; C is M×N, the shared dimension K
 *
 * Usage: openblas-sgemm [SHAPE [WARMUP [RUNS]]]   (defaults 1024, 2, 5)
 *   SHAPE  N (N×N×N, NN) or MxNxK[:OP], OP one of the training families' transposes:
 *          NN  forward   U = Z·W            (A M×K, B K×N)
 *          NT  δ         S = Δ·Wᵀ           (A M×K, B N×K)
 *          TN  update    G = Zᵀ·Δ           (A K×M, B K×N)
 * OpenBLAS uses all cores unless OPENBLAS_NUM_THREADS says otherwise. Each run is one
 * cblas_sgemm call timed with CLOCK_MONOTONIC; it prints the median as GFLOP/s = 2·N³ / t and
 * checks 64 entries of C against a double-precision dot product. It also prints the best process
 * CPU time of a call (CLOCK_PROCESS_CPUTIME_ID): with one thread, what the call cost on a shared
 * machine without the time it was descheduled (how the cpu backend's one-thread figures are taken).
 * The first line names the kernels OpenBLAS chose (its own CPU detection or OPENBLAS_CORETYPE):
 * a CPU newer than the library may get older ones (native/openblas-coretype.sh).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
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
    int m = 1024, n = 1024, depth = 1024;
    char op[3] = "NN";
    if (argc > 1) {
        if (strchr(argv[1], 'x')) {
            char text[64], *colon;
            snprintf(text, sizeof text, "%s", argv[1]);
            if ((colon = strchr(text, ':'))) {
                *colon = '\0';
                if (strcmp(colon + 1, "NN") && strcmp(colon + 1, "NT") && strcmp(colon + 1, "TN")) {
                    fprintf(stderr, "openblas-sgemm: SHAPE: expected OP NN, NT or TN, found '%s'\n", colon + 1);
                    return 2;
                }
                memcpy(op, colon + 1, 2);
            }
            char *mText = strtok(text, "x"), *nText = strtok(NULL, "x"), *kText = strtok(NULL, "x");
            if (!mText || !nText || !kText || strtok(NULL, "x")) {
                fprintf(stderr, "openblas-sgemm: SHAPE: expected MxNxK[:OP], found '%s'\n", argv[1]);
                return 2;
            }
            m = (int) parse_count(mText, "M", 1, 16384);
            n = (int) parse_count(nText, "N", 1, 16384);
            depth = (int) parse_count(kText, "K", 1, 16384);
        } else {
            m = n = depth = (int) parse_count(argv[1], "N", 1, 16384);
        }
    }
    int transA = op[0] == 'T', transB = op[1] == 'T';
    int warmup = argc > 2 ? (int) parse_count(argv[2], "WARMUP", 0, 1000) : 2;
    int runs = argc > 3 ? (int) parse_count(argv[3], "RUNS", 1, 1000) : 5;
    size_t aCount = (size_t) m * depth, bCount = (size_t) depth * n;
    float *a = malloc(aCount * sizeof(float)), *b = malloc(bCount * sizeof(float)), *c = malloc((size_t) m * n * sizeof(float));
    /* leading dimensions of the row-major operands as stored */
    int lda = transA ? m : depth, ldb = transB ? depth : n;
    double *times = malloc(sizeof(double) * runs);
    double bestCpu = 1e300;
    if (!a || !b || !c || !times) {
        fprintf(stderr, "openblas-sgemm: out of host memory\n");
        return 1;
    }
    srand(42);
    for (size_t k = 0; k < aCount; k++) {
        a[k] = 2.0f * rand() / RAND_MAX - 1.0f;
    }
    for (size_t k = 0; k < bCount; k++) {
        b[k] = 2.0f * rand() / RAND_MAX - 1.0f;
    }
    for (int r = -warmup; r < runs; r++) {
        double start = seconds(), startCpu = cpu_seconds();
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, depth,
                    1.0f, a, lda, b, ldb, 0.0f, c, n);
        if (r >= 0) {
            times[r] = seconds() - start;
            double cpu = cpu_seconds() - startCpu;
            bestCpu = cpu < bestCpu ? cpu : bestCpu;
        }
    }
    double error = 0, norm = 0;
    for (int s = 0; s < 64; s++) {
        size_t i = (size_t) rand() % m, j = (size_t) rand() % n;
        double exact = 0;
        for (size_t k = 0; k < (size_t) depth; k++) {
            double aik = transA ? a[k * m + i] : a[i * depth + k];
            double bkj = transB ? b[j * depth + k] : b[k * n + j];
            exact += aik * bkj;
        }
        error += (c[i * n + j] - exact) * (c[i * n + j] - exact);
        norm += exact * exact;
    }
    double relative = norm > 0 ? sqrt(error / norm) : sqrt(error);
    qsort(times, runs, sizeof(double), compare_doubles);
    double median = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    printf("openblas SGEMM %d×%d×%d row-major %s, %d threads, %s kernels: median %.3f ms of %d runs (%d warm-up, min %.3f, max %.3f)\n",
           m, n, depth, op, openblas_get_num_threads(), openblas_get_corename(), median * 1e3, runs, warmup, times[0] * 1e3, times[runs - 1] * 1e3);
    printf("         %.2f GFLOP/s\n", 2.0 * m * n * depth / median / 1e9);
    printf("cpu      best %.3f ms of process CPU time, %.2f GFLOP/s\n", bestCpu * 1e3, 2.0 * m * n * depth / bestCpu / 1e9);
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
