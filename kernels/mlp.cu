/*
 * mlp.cu — the CUDA entry: every kernel family, compiled as one module, over the same bodies as
 * mlp.cl (portability.h maps KERNEL, LOCAL, BARRIER() … to CUDA C; KERNEL is extern "C" so the
 * driver finds each kernel by its plain name).
 *
 * native/build-cuda.sh compiles this file, with every #include resolved exactly as the engine
 * resolves it (KernelSource) and with the GPU tile profile as -D macros (TileProfile), into
 * kernels/mlp.fatbin: machine code for sm_80, sm_86, sm_89 and sm_90 plus compute_90 PTX. The
 * CUDA drivers load that fatbin when the source text and the macros match its build record,
 * and otherwise compile this source at run time with NVRTC (see ShippedFatbin).
 */
#include "portability.h"
#include "activation.h"
#include "tiles.h"
#include "loss_record.h"
#include "delta_output.h"
#include "optimizer.h"
#include "gemm_classes.h"
#include "forward_softmax.h"
#include "split_k.h"
#include "fused_mlp.h"
#include "gather.h"
