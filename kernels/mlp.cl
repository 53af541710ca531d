/*
 * mlp.cl — the OpenCL entry: every kernel family, compiled as one program. The engine hands it
 * to the driver with every #include resolved (KernelSource) and the tile macros as -D options
 * (TileProfile). The CUDA entry, mlp.cu, includes the same bodies.
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
