// The golden executor: the exact integer semantics of every workload layer, timeless. The
// SystemC model and the RTL are checked against it for equality, bit for bit.
//
// Contract (per output element of a conv / depthwise / fc layer, channel oc):
//   exact = bias'[oc] + sum_k w_q[oc,k] * x_q[k]      (x_q = z_x at padded taps, so the
//                                                     zero-point fold in bias' is exact)
//   acc   = wrap(exact, acc_bits)                     (two's-complement register; an output
//                                                     whose exact sum does not fit counts as
//                                                     one overflow)
//   y     = requantize(acc, M[oc], z_y, lo, hi)       (workloads/numeric.h)
// Add (TFLite reference): a_i = MBQM((x_i - z_i) << L, M_i) for i = 1, 2;
//   y = clamp(z_y + MBQM(a_1 + a_2, M_out), lo, hi), L = add_left_shift.
// MaxPool: max over the in-bounds taps, then clamp(lo, hi). Output grid = input grid.
// AvgPool: s = sum of taps (in-bounds only, or padded taps valued z_x when count_include_pad),
//   n = number of taps summed, y = clamp((s + n/2) / n, lo, hi) (s >= 0: round half up).
//   Output grid = input grid; GlobalAveragePool is an AvgPool over the whole plane.
// Lut, Mul, Concat (the vector unit's layers): workloads/vector_rules.h.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "models/tensor.h"
#include "workloads/network.h"

namespace qarray {

using IntTensor = TensorT<int32_t>;

struct LayerStats {
  int64_t outputs = 0;    // output elements produced
  int64_t overflows = 0;  // of which the exact accumulator sum did not fit acc_bits
};

class GoldenExecutor {
 public:
  explicit GoldenExecutor(const Network& net);  // net must be valid and outlive the executor

  // x: float [N, ...] in real units -> [N, ...] on the input grid (round half away, clamp).
  IntTensor quantize_input(const Tensor& x) const;
  // Dequantized network output, s_y * (q - z_y).
  Tensor dequantize_output(const IntTensor& q) const;

  // Whole network on a batch [N, ...]. stats (if given) is resized to the layer count and
  // accumulated into.
  IntTensor run(const IntTensor& input, std::vector<LayerStats>* stats = nullptr) const;

  // Whole network, keeping every tensor (indexed by tensor id): for per-layer comparisons.
  std::vector<IntTensor> run_all(const IntTensor& input) const;

  // One layer on its input tensors (batched), the per-layer reference for the cycle model.
  IntTensor run_layer(size_t index, const std::vector<const IntTensor*>& inputs,
                      LayerStats* stats = nullptr) const;

 private:
  struct Prepared;  // per-layer weights as exact float/double GEMM operands
  const Network& net_;
  std::vector<std::shared_ptr<const Prepared>> prepared_;
};

}  // namespace qarray
