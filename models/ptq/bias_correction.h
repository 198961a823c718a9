// Empirical bias correction (Nagel et al. 2019, §4.2, on data): quantizing a layer's weights
// and inputs shifts the mean of its outputs; the shift is measured per output channel on the
// calibration images and subtracted from the layer's float bias before lowering. Layers are
// corrected in graph order, each seeing the quantized network with every upstream layer
// already quantized and corrected.
//
// Contract (what is equalized, per Conv/Gemm layer L and output channel o):
//   E_fp[o] = mean over calibration images and output positions of L's FP32 pre-activation
//             output in the reference graph (FP32 input, FP32 weights, zero padding);
//   E_q[o]  = the same mean for the quantized layer: dequantized weights s_w*w_q on the
//             dequantized input the quantized network feeds L, s_x*(x_q - z_x) (padding
//             inserts z_x, i.e. 0), plus L's float bias;
//   bias[o] -= E_q[o] - E_fp[o], so that afterwards E_q[o] == E_fp[o] up to float rounding.
// Both means are linear in the input, so they are computed exactly (in double) from the mean
// input patch. The lowering then rounds the bias to int32 at s_w*s_x, a residual of at most
// s_w*s_x/2 per channel; requantization rounding and the activation clamp are not corrected.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/ptq/range_setting.h"

namespace qarray {

// The quantized network seen from the graph: the dequantized input of layer `layer` on the
// calibration images, [N, ...] with the per-sample shape of the layer's input value, computed
// with the float biases currently in `graph`. Implemented over the integer golden executor
// (workloads/ptq_pipeline.h), so the correction sees the hardware's exact arithmetic.
class QuantizedInputs {
 public:
  virtual ~QuantizedInputs() = default;
  virtual Tensor layer_input(const Graph& graph, const std::string& layer) = 0;
};

// Per-output-channel means of a layer's pre-activation output over a batch, from mean patches.
class OutputMeans {
 public:
  OutputMeans(const Graph& g, int node);
  void add(const Tensor& input);  // [N, ...] per-sample shape of the layer's input value
  // Mean over everything added of sum_{i,t} W(o,i,t) x_patch(i,t) + bias[o], with w in the
  // lowering's layout (row_major_weights in layer_weights.h).
  std::vector<double> mean(const std::vector<double>& w, const std::vector<double>& bias) const;
  int64_t patches() const { return count_; }

 private:
  const Graph& g_;
  int node_;
  int64_t count_ = 0;
  std::vector<double> sum_;  // [ic][taps]
};

struct BiasCorrectionLayer {
  std::string layer;
  int64_t channels = 0;
  double mean_abs_shift = 0.0;  // mean over channels of |E_q - E_fp| before correction
  double max_abs_shift = 0.0;
  double mean_abs_output = 0.0; // mean over channels of |E_fp|, for scale
};

struct BiasCorrectionReport {
  std::vector<BiasCorrectionLayer> layers;
};

// Returns `quantized` (a copy of the reference graph, possibly with other biases) with every
// Conv/Gemm layer's bias corrected. `weights` holds each layer's integer weights by node name.
Graph correct_bias_empirical(const Graph& reference, const Graph& quantized,
                             const std::map<std::string, QuantWeights>& weights, const Tensor& calib,
                             QuantizedInputs& source, BiasCorrectionReport* report = nullptr);

// The layer's float weights in the lowering's layout (alpha applied), as doubles.
std::vector<double> float_weights(const Graph& g, int node);
// Dequantized integer weights s_w * w_q in the same layout.
std::vector<double> dequantized_weights(const QuantWeights& w, int64_t oc);

}  // namespace qarray
