// Kernels of the golden executor, one function per layer kind. Each takes the layer, its
// resolved tensor descriptors and batched inputs, and returns the batched output.
#pragma once
#include <Eigen/Dense>

#include "workloads/golden.h"

namespace qarray::golden {

// Exact integer GEMM operand: the weight matrix [OC x K] held in float when every partial sum is
// provably below 2^24 in magnitude (then float arithmetic on integers is exact in any order),
// else in double (exact below 2^53). The bound is x_max * max_oc sum_k |w[oc,k]|.
struct GemmWeights {
  bool use_float = true;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> wf;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> wd;
};
GemmWeights prepare_gemm(const Layer& layer, int input_bits);

IntTensor conv(const Layer& l, const GemmWeights& gw, const ActTensor& in, const ActTensor& out,
               int acc_bits, const IntTensor& x, LayerStats* stats);
IntTensor depthwise(const Layer& l, const ActTensor& in, const ActTensor& out, int acc_bits,
                    const IntTensor& x, LayerStats* stats);
IntTensor fc(const Layer& l, const GemmWeights& gw, const ActTensor& in, const ActTensor& out,
             int acc_bits, const IntTensor& x, LayerStats* stats);
IntTensor add(const Layer& l, const ActTensor& a, const ActTensor& b, const ActTensor& out,
              const IntTensor& xa, const IntTensor& xb, LayerStats* stats);
IntTensor maxpool(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                  LayerStats* stats);
IntTensor avgpool(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                  LayerStats* stats);

// The vector-unit layers (workloads/vector_rules.h). xs: the batched inputs in layer order.
IntTensor lut(const Layer& l, const ActTensor& in, const IntTensor& x, LayerStats* stats);
IntTensor mul(const Layer& l, const ActTensor& a, const ActTensor& b, const ActTensor& out, const IntTensor& xa,
              const IntTensor& xb, LayerStats* stats);
IntTensor concat(const Layer& l, const std::vector<const ActTensor*>& ins, const ActTensor& out,
                 const std::vector<const IntTensor*>& xs, LayerStats* stats);
// Flat index in the batched b of output element i of a batched a-shaped output (b broadcasts).
int64_t broadcast_index(int64_t i, const Shape& a, const Shape& b);

}  // namespace qarray::golden
