/*
 * CLBlast SGEMM on an OpenCL device: the yardstick for deltaprop's forward kernel (issue 3).
 *
 *   C = A·B, all N×N float, row-major, no transposes (the shape of U = Z·W with B = n_in = n_out = N)
 *
 * Usage: clblast-sgemm [N [WARMUP [RUNS]]]   (defaults 1024, 2, 5)
 * The device is the first one found, or the one DELTAPROP_OPENCL_DEVICE names: an index into
 * the devices of all platforms in order, or a substring of a device name (as deltaprop does).
 *
 * Each run is CLBlastSgemm then clFinish, timed on the host with CLOCK_MONOTONIC, so it is
 * the whole call as an application sees it; the first calls build CLBlast's kernels, which is
 * what the warm-up runs absorb. It prints the median of the runs as GFLOP/s = 2·N³ / t, and
 * checks 64 entries of C against a double-precision dot product so that a fast wrong answer
 * cannot pass for a figure.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <clblast_c.h>
#include <CL/cl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEVICES 64

static void check(cl_int status, const char *call) {
    if (status != CL_SUCCESS) {
        fprintf(stderr, "clblast-sgemm: %s failed with OpenCL status %d\n", call, (int) status);
        exit(1);
    }
}

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
        fprintf(stderr, "clblast-sgemm: %s: expected an integer from %ld to %ld, found '%s'\n", name, min, max, text);
        exit(2);
    }
    return value;
}

/* The device DELTAPROP_OPENCL_DEVICE names (index or name substring), else the first. */
static cl_device_id choose_device(char *name, size_t name_size) {
    cl_platform_id platforms[16];
    cl_uint platform_count = 0;
    check(clGetPlatformIDs(16, platforms, &platform_count), "clGetPlatformIDs");
    if (platform_count == 0) {
        fprintf(stderr, "clblast-sgemm: no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)\n");
        exit(1);
    }
    cl_device_id devices[MAX_DEVICES];
    cl_uint device_count = 0;
    for (cl_uint p = 0; p < platform_count && device_count < MAX_DEVICES; p++) {
        cl_uint found = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES - device_count, devices + device_count,
                           &found) == CL_SUCCESS) {
            device_count += found;
        }
    }
    if (device_count == 0) {
        fprintf(stderr, "clblast-sgemm: the OpenCL platforms have no devices\n");
        exit(1);
    }
    const char *wanted = getenv("DELTAPROP_OPENCL_DEVICE");
    for (cl_uint d = 0; d < device_count; d++) {
        check(clGetDeviceInfo(devices[d], CL_DEVICE_NAME, name_size, name, NULL), "clGetDeviceInfo(NAME)");
        char *end;
        long index = wanted ? strtol(wanted, &end, 10) : 0;
        int by_index = wanted == NULL || (*wanted != '\0' && *end == '\0');
        if ((by_index && index == (long) d) || (!by_index && strstr(name, wanted) != NULL)) {
            return devices[d];
        }
    }
    fprintf(stderr, "clblast-sgemm: DELTAPROP_OPENCL_DEVICE='%s' names none of the %u devices\n", wanted,
            (unsigned) device_count);
    exit(1);
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t) parse_count(argv[1], "N", 1, 16384) : 1024;
    int warmup = argc > 2 ? (int) parse_count(argv[2], "WARMUP", 0, 1000) : 2;
    int runs = argc > 3 ? (int) parse_count(argv[3], "RUNS", 1, 1000) : 5;

    char name[256] = {0}, version[256] = {0};
    cl_device_id device = choose_device(name, sizeof name);
    check(clGetDeviceInfo(device, CL_DEVICE_VERSION, sizeof version, version, NULL), "clGetDeviceInfo(VERSION)");
    cl_int status;
    cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &status);
    check(status, "clCreateContext");
    cl_command_queue queue = clCreateCommandQueue(context, device, 0, &status);
    check(status, "clCreateCommandQueue");

    size_t count = n * n, bytes = count * sizeof(float);
    float *a = malloc(bytes), *b = malloc(bytes), *c = malloc(bytes);
    if (!a || !b || !c) {
        fprintf(stderr, "clblast-sgemm: out of host memory for 3 × %zu bytes\n", bytes);
        return 1;
    }
    srand(42);
    for (size_t k = 0; k < count; k++) {
        a[k] = 2.0f * rand() / RAND_MAX - 1.0f;
        b[k] = 2.0f * rand() / RAND_MAX - 1.0f;
    }
    cl_mem a_buffer = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, a, &status);
    check(status, "clCreateBuffer(A)");
    cl_mem b_buffer = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, b, &status);
    check(status, "clCreateBuffer(B)");
    cl_mem c_buffer = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, NULL, &status);
    check(status, "clCreateBuffer(C)");

    double *times = malloc(sizeof(double) * runs);
    for (int r = -warmup; r < runs; r++) {
        double start = seconds();
        CLBlastStatusCode code = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo,
                                              n, n, n, 1.0f, a_buffer, 0, n, b_buffer, 0, n, 0.0f, c_buffer, 0, n,
                                              &queue, NULL);
        if (code != CLBlastSuccess) {
            fprintf(stderr, "clblast-sgemm: CLBlastSgemm failed with status %d\n", (int) code);
            return 1;
        }
        check(clFinish(queue), "clFinish");
        if (r >= 0) {
            times[r] = seconds() - start;
        }
    }
    check(clEnqueueReadBuffer(queue, c_buffer, CL_TRUE, 0, bytes, c, 0, NULL, NULL), "clEnqueueReadBuffer(C)");

    /* 64 entries against a double dot product: relative error of the sample as a vector */
    double error = 0, norm = 0;
    for (int s = 0; s < 64; s++) {
        size_t i = (size_t) rand() % n, j = (size_t) rand() % n;
        double exact = 0;
        for (size_t k = 0; k < n; k++) {
            exact += (double) a[i * n + k] * b[k * n + j];
        }
        error += (c[i * n + j] - exact) * (c[i * n + j] - exact);
        norm += exact * exact;
    }
    double relative = norm > 0 ? sqrt(error / norm) : sqrt(error);
    qsort(times, runs, sizeof(double), compare_doubles);
    double median = runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    double gflops = 2.0 * n * n * n / median / 1e9;

    printf("device   %s (%s)\n", name, version);
    printf("clblast  SGEMM %zu×%zu×%zu row-major NN: median %.3f ms of %d runs (%d warm-up, min %.3f, max %.3f)\n",
           n, n, n, median * 1e3, runs, warmup, times[0] * 1e3, times[runs - 1] * 1e3);
    printf("         %.2f GFLOP/s\n", gflops);
    printf("check    64 entries against a double dot product: relative error %.2e\n", relative);

    clReleaseMemObject(a_buffer);
    clReleaseMemObject(b_buffer);
    clReleaseMemObject(c_buffer);
    clReleaseCommandQueue(queue);
    clReleaseContext(context);
    free(a);
    free(b);
    free(c);
    free(times);
    if (!(relative <= 1e-4)) {
        fprintf(stderr, "clblast-sgemm: the result is wrong (relative error %.2e > 1e-4)\n", relative);
        return 1;
    }
    return 0;
}
