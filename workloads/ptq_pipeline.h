// The PTQ pipeline from an imported FP32 graph to integer workloads (models/ptq passes, then the
// lowering), with bias correction measured on the integer golden executor:
//   BN fold -> [CLE + high-bias absorption] -> activation ranges (FP32, calibration images)
//   -> integer weights (range method, per tensor / channel) -> [AdaRound: the rounding learned
//   layer by layer on the quantized network, scales kept] -> [bias correction: empirical or
//   analytical, on the final integer weights]
//   -> lower_graph with those weights fixed.
// Deterministic: same graph, images and options give the same bits.
#pragma once
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/ptq/adaround.h"
#include "models/ptq/analytical_bias.h"
#include "models/ptq/bias_correction.h"
#include "models/ptq/cle.h"
#include "models/ptq/range_setting.h"
#include "workloads/golden.h"
#include "workloads/lowering.h"

namespace qarray {

enum class BiasCorrection {
  None,
  Empirical,   // on calibration data through the golden executor (bias_correction.h)
  Analytical,  // data-free, from the folded BN statistics (analytical_bias.h)
};

struct PtqMethod {
  bool cle = false;
  BiasCorrection bias = BiasCorrection::None;
  bool adaround = false;  // learned rounding (adaround.h) instead of nearest
};
// "nearest", "cle", "bc", "cle+bc", "bc-analytic", "cle+bc-analytic", "adaround", "cle+adaround",
// "adaround+bc", "cle+adaround+bc"; throws InputError (one line) naming the accepted methods.
PtqMethod parse_ptq_method(const std::string& name);
std::string ptq_method_name(const PtqMethod& m);

struct PtqOptions {
  PtqMethod method{true, BiasCorrection::Empirical};
  QuantSpec spec;               // bits, accumulator, per-channel weights
  RangeOptions act_ranges;      // activations, per tensor
  RangeOptions weight_ranges;   // weights, per tensor or per channel (spec.per_channel)
  CleOptions cle;
  AdaRoundOptions adaround;     // images: the first of the calibration images; threads: below
  int threads = 2;              // workers: golden executor (bias correction, AdaRound inputs), AdaRound
};

// Throws InputError for bit widths outside [2, 16], bad range or AdaRound options.
void validate(const PtqOptions& opt);

struct PtqStep {
  std::string name;
  double seconds = 0.0;
};

struct PtqResult {
  Graph reference;   // the FP32 function approximated: folded, equalized (ReLU6 may be ReLU)
  Graph quantized;   // reference with corrected biases: the float graph that was lowered
  Network network;
  RangeTable ranges;
  CleReport cle;
  BiasCorrectionReport bias;
  AdaRoundReport adaround;
  std::vector<AnalyticalSkip> bias_skipped;  // analytical: layers left uncorrected
  std::vector<PtqStep> steps;  // wall time per step, in order
};

// calib: calibration images [N, C, H, W] (e.g. calibration_images(train, n)).
PtqResult quantize_ptq(const Graph& graph, const Tensor& calib, const PtqOptions& opt);

// QuantizedInputs over the golden executor: relowers the graph it is given and reruns only the
// layers from the first whose workload changed since the previous call (layers are visited in
// order, so each layer runs about twice in all); values no later layer reads are freed.
// set_weights replaces a layer's fixed integer weights (AdaRound, layer by layer).
class GoldenInputs : public RoundingInputs {
 public:
  GoldenInputs(const RangeTable& ranges, const QuantSpec& spec, const std::map<std::string, FixedWeights>& fixed,
               const Tensor& calib, int threads = 2);
  Tensor layer_input(const Graph& graph, const std::string& layer) override;
  void set_weights(const std::string& layer, const QuantWeights& w) override;

 private:
  RangeTable ranges_;
  QuantSpec spec_;
  std::map<std::string, FixedWeights> fixed_;
  const Tensor& calib_;  // must outlive this object
  int threads_;
  Network net_;
  std::vector<IntTensor> values_;  // by tensor id
  size_t valid_ = 0;               // layers [0, valid_) of net_ have their outputs computed
  size_t dead_before_ = 0;         // values read only by layers before this one were freed
};

}  // namespace qarray
