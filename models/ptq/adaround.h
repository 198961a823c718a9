// AdaRound (Nagel et al., "Up or down? Adaptive rounding for post-training quantization", ICML
// 2020): per Conv/Gemm layer, in graph order, learn for every weight whether it rounds down or up
// so that the layer's output, its following activation included, matches FP32 on calibration data.
//
// Contract, per layer L with FP32 weights W in the lowering's layout (row o = output channel o)
// and the scales s_o the range setting chose (kept as they are):
//   soft weights  W~ = s_o * clip(floor(W/s_o) + h(V), -qmax, qmax),
//                 h(V) = clip(sigmoid(V) * (zeta - gamma) + gamma, 0, 1), zeta = 1.1, gamma = -0.1;
//   loss          mean over patches of sum_o (f(W~ x~ + b) - f(W x + b))^2
//                 + lambda * sum (1 - |2h - 1|^beta)        (the second term not in the warm start)
//                 x~: L's input in the already-quantized network (asymmetric reconstruction),
//                 dequantized; x: L's FP32 input; b: L's float bias; f: the Relu / Clip the
//                 lowering fuses into L (none if it fuses none);
//   V starts where h(V) is the fractional part of W/s; Adam on V; beta cosine-annealed from
//   beta_start to beta_end after the warm start; at the end q = clip(floor(W/s) + [h(V) >= 0.5],
//   -qmax, qmax): every weight is the floor or the ceiling of W/s, then clipped. A weight whose
//   W/s is an integer keeps it.
//   Patches: a conv layer samples `positions` output positions per image (all if it has fewer),
//   fixed by (seed, layer, image); an fc layer has one patch per image. A step draws `batch`
//   images and uses all their patches.
//   A layer whose hard-rounded loss on its patches exceeds nearest rounding's, or whose loss is
//   not finite, keeps nearest rounding and is listed; so is a weighted layer the PTQ passes do not
//   handle (MatMul, grouped or dilated Conv), which the lowering rounds to nearest.
// Deterministic for any thread count: the loss separates over output channels, which are
// optimized in fixed chunks on one shared, seeded sequence of batches.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/ptq/bias_correction.h"
#include "models/ptq/range_setting.h"

namespace qarray {

struct AdaRoundLayer {
  std::string layer;
  std::string kind;            // "conv", "depthwise", "fc"
  int64_t weights = 0;
  int64_t patches = 0;         // patches the losses below are measured on (all calibration images)
  double loss_float = 0.0;     // FP32 weights on x~: what no rounding removes
  double loss_nearest = 0.0;   // before: nearest rounding
  double loss_adaround = 0.0;  // after: the weights kept (AdaRound's, or nearest's if kept_nearest)
  double flipped = 0.0;        // fraction of weights rounded the other way from nearest
  double seconds = 0.0;
  bool kept_nearest = false;
};

struct AdaRoundFallback {
  std::string layer;
  std::string reason;
};

struct AdaRoundReport {
  std::vector<AdaRoundLayer> layers;        // graph order
  std::vector<AdaRoundFallback> fallback;   // layers left at nearest rounding, and why
};

// Defaults: the reference's 10,000 steps and batch 32, but patches rather than whole images
// (32 positions per image): MobileNetV2-style model on 512 images, 2 cores, about 2 minutes.
struct AdaRoundOptions {
  int iterations = 10000;      // Adam steps per layer
  int64_t images = 0;          // calibration images used (the first ones); 0 = all
  int positions = 32;          // output positions sampled per image (conv layers)
  int batch = 32;              // images per step (all of them if fewer)
  double learning_rate = 1e-3;
  double lambda = 0.01;
  double beta_start = 20.0;
  double beta_end = 2.0;
  double warm_start = 0.2;     // fraction of the steps without the regularizer
  uint64_t seed = 0;
  int threads = 2;
  // Called after each layer (progress); `done` layers of `total` are finished.
  std::function<void(const AdaRoundLayer& layer, int done, int total)> on_layer;
};

// Throws InputError (one line, naming the option) for a value outside its range.
void validate(const AdaRoundOptions& opt);

// The quantized network as AdaRound sees it: a layer's dequantized input (QuantizedInputs) given
// the integer weights decided so far. After set_weights, layer_input uses `w` for `layer`.
class RoundingInputs : public QuantizedInputs {
 public:
  virtual void set_weights(const std::string& layer, const QuantWeights& w) = 0;
};

// Rounds every Conv/Gemm layer of `reference` (BN-folded FP32 graph) in graph order. `nearest`
// holds each layer's nearest-rounded integer weights and scales by node name; `source` must
// start from them and be computed on the images `calib` [N, C, H, W]. Returns the new integer
// weights (same scales) for every layer of `nearest`.
std::map<std::string, QuantWeights> adaround(const Graph& reference, const Tensor& calib, int weight_bits,
                                             const std::map<std::string, QuantWeights>& nearest,
                                             RoundingInputs& source, const AdaRoundOptions& opt,
                                             AdaRoundReport* report = nullptr);

}  // namespace qarray
