#include "workloads/pipeline.h"

#include "base/errors.h"
#include "models/ptq/bn_fold.h"
#include "workloads/calibration.h"

namespace qarray {

Tensor calibration_images(const Dataset& train, int64_t count) {
  if (count <= 0 || count > train.count)
    throw InputError("calibration images: " + std::to_string(count) + " requested, the " +
                     (train.split == "train" ? "training" : "calibration") + " set holds " + std::to_string(train.count));
  return train.batch(0, count);
}

QuantizedModel quantize_minmax(const Graph& graph, const Tensor& calib, const QuantSpec& spec) {
  spec.validate();
  QuantizedModel m;
  m.folded = fold_batchnorm(graph);
  m.network = lower_graph(m.folded, observe_minmax(m.folded, calib), spec);
  return m;
}

}  // namespace qarray
