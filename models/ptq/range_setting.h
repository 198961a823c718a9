// Range setting: the clipping range each quantization grid covers. Activations per tensor
// (asymmetric grid, quant_grid.h), weights per tensor or per output channel (symmetric narrow
// grid). Three methods:
//   min-max     the observed range;
//   MSE         the range (lo, hi) = a * (min, max), a in {1/K, 2/K, ..., 1}, minimizing the
//               expected squared quantization error: weights exactly over their values,
//               activations over a histogram of the calibration values (rounding noise step^2/12
//               inside the range, squared distance to the bound outside; exact zeros cost
//               nothing since 0 is always on the grid);
//   percentile  the p-th percentile of |w| for weights; for activations the p-th percentile of
//               the values as hi and, for signed tensors, the (100-p)-th as lo.
// The network input and output keep their min-max range (clipping logits would tie the top class).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/fp32_executor.h"
#include "models/graph.h"

namespace qarray {

enum class RangeMethod { MinMax, Mse, Percentile };

const char* range_method_name(RangeMethod m);            // "minmax", "mse", "percentile"
RangeMethod parse_range_method(const std::string& name);  // throws InputError (one line)

struct RangeOptions {
  RangeMethod method = RangeMethod::MinMax;
  double percentile = 99.99;  // in (50, 100]
  int bins = 2048;            // activation histogram bins
  int candidates = 100;       // K, MSE search points
};

struct ClipRange {
  float lo = 0.0f;
  float hi = 0.0f;
};
using ClipTable = std::map<std::string, ClipRange>;

// Runs `images` [N, C, H, W] through the FP32 graph in batches of 128, calling f for every value.
void for_each_batch(const Graph& g, const Tensor& images, const ValueObserver& f);

// Runs `images` [N, C, H, W] through the FP32 graph (batches of 128) and returns the clipping
// range of every value for act_bits-bit activation grids.
ClipTable activation_ranges(const Graph& g, const Tensor& images, int act_bits, const RangeOptions& opt);

// Integer weights of one Conv/Gemm layer in the lowering's layout ([OC, IC/group, KH, KW] or
// [OC, K]), with one scale (per tensor) or OC scales (per channel).
struct QuantWeights {
  std::vector<int32_t> q;
  std::vector<double> scale;
  double scale_of(int64_t oc) const { return scale.size() == 1 ? scale[0] : scale[oc]; }
};

QuantWeights quantize_layer_weights(const Graph& g, int node, int bits, bool per_channel, const RangeOptions& opt);

// The chosen range for a 1-D sample set (exposed for tests): weights use |x| and a symmetric grid.
double weight_clip(const std::vector<float>& w, int bits, const RangeOptions& opt);

}  // namespace qarray
