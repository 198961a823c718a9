// Top-1 evaluation of the FP32 graph, of the integer golden network and of its fake-quant twin
// on a dataset (models/dataset.h), in batches spread over worker threads. Predictions are the
// first arg-max of each output row (integer logits for golden: the output grid is monotonic, so
// no dequantization is needed). On an unlabelled dataset (synthetic inputs) the predictions are
// made but nothing is counted correct: `labelled` is false and top-1 is not measured.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "models/dataset.h"
#include "models/graph.h"
#include "workloads/fake_quant.h"
#include "workloads/golden.h"

namespace qarray {

struct EvalResult {
  int64_t images = 0;
  int64_t correct = 0;               // 0 when not labelled
  bool labelled = true;              // false: the dataset has no labels, top-1 is not measured
  double seconds = 0.0;              // wall time of the pass
  std::vector<int32_t> predictions;  // per image
  std::vector<LayerStats> layers;    // golden only: per-layer output and overflow counts

  double top1_percent() const { return images ? 100.0 * correct / images : 0.0; }
  double images_per_second() const { return seconds > 0 ? images / seconds : 0.0; }
};

// Called with (images done, total) after each batch; calls are serialized.
using Progress = std::function<void(int64_t done, int64_t total)>;

struct EvalOptions {
  int64_t images = 0;  // first N images of the dataset; 0 = all
  int threads = 2;
  int64_t batch = 64;  // small enough that every activation of a batch stays in L2/L3
  Progress progress;
};

EvalResult evaluate_fp32(const Graph& graph, const Dataset& data, const EvalOptions& opt);
EvalResult evaluate_golden(const Network& net, const Dataset& data, const EvalOptions& opt);
// The float simulation of the integer network (workloads/fake_quant.h).
EvalResult evaluate_fake_quant(const FakeQuantNet& net, const Dataset& data, const EvalOptions& opt);

// Integer vs fake-quant on the same images: top-1 gap (integer - fake-quant, percentage points)
// and the images whose predicted class agrees. Throws InputError if the image counts differ.
struct FakeQuantGap {
  double gap_pp = 0.0;
  int64_t images = 0;
  int64_t agree = 0;
  double agreement_percent() const { return images ? 100.0 * agree / images : 0.0; }
};
FakeQuantGap fake_quant_gap(const EvalResult& integer, const EvalResult& fake_quant);

}  // namespace qarray
