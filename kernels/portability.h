/*
 * portability.h — the dozen names that let one kernel body compile as OpenCL C and as CUDA C.
 *
 * The bodies in this directory use only these names, plain C99 arithmetic, float/int, float4
 * member access (.x .y .z .w), `#pragma unroll`, and the math functions that exist under the
 * same name in both languages for float arguments (exp, log, sqrt, tanh, log1p, fabs, fmax, min, max —
 * OpenCL C overloads them, CUDA C++ has float overloads in device code).
 *
 *   KERNEL       a kernel entry point (CUDA: extern "C" so the driver finds it by name)
 *   DEVICE_FN    a helper function, inlined
 *   GLOBAL       qualifier of a pointer into device (global) memory
 *   LOCAL        declares an array in work-group memory (CUDA: shared memory)
 *   LOCAL_PTR    qualifier of a pointer parameter into work-group memory
 *   RESTRICT     the pointer is not aliased
 *   BARRIER()    every work-item of the group has reached this point and its local writes are visible
 *   GROUP_ID(d)  index of this work-group (block) in dimension d, as int
 *   LOCAL_ID(d)  index of this work-item (thread) in its group in dimension d, as int
 *   LOCAL_SIZE(d) work-items per group in dimension d, as int
 *   NUM_GROUPS(d) work-groups in dimension d, as int
 *
 * Dimension 0 runs along the columns of a result, dimension 1 along its rows.
 */
#ifndef DELTAPROP_PORTABILITY_H
#define DELTAPROP_PORTABILITY_H

#if defined(__OPENCL_VERSION__)

#define KERNEL __kernel
#define DEVICE_FN static inline
#define GLOBAL __global
#define LOCAL __local
#define LOCAL_PTR __local
#define RESTRICT restrict
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define GROUP_ID(d) ((int) get_group_id(d))
#define LOCAL_ID(d) ((int) get_local_id(d))
#define LOCAL_SIZE(d) ((int) get_local_size(d))
#define NUM_GROUPS(d) ((int) get_num_groups(d))

#elif defined(__CUDACC__)

#define KERNEL extern "C" __global__
#define DEVICE_FN static __device__ __forceinline__
#define GLOBAL
#define LOCAL __shared__
#define LOCAL_PTR
#define RESTRICT __restrict__
#define BARRIER() __syncthreads()
#define DELTAPROP_DIM_(v, d) ((int) ((d) == 0 ? (v).x : (d) == 1 ? (v).y : (v).z))
#define GROUP_ID(d) DELTAPROP_DIM_(blockIdx, d)
#define LOCAL_ID(d) DELTAPROP_DIM_(threadIdx, d)
#define LOCAL_SIZE(d) DELTAPROP_DIM_(blockDim, d)
#define NUM_GROUPS(d) DELTAPROP_DIM_(gridDim, d)

#else
#error "kernels/portability.h: compile as OpenCL C or CUDA C"
#endif

#endif
