// The baseline quantization flow from an imported FP32 graph to integer workloads:
// BN folding -> per-tensor min-max ranges on calibration images -> lowering (nearest rounding).
#pragma once
#include <vector>

#include "models/dataset.h"
#include "models/graph.h"
#include "workloads/lowering.h"

namespace qarray {

struct QuantizedModel {
  Graph folded;     // the BN-folded FP32 graph the workloads were lowered from
  Network network;  // the integer workloads
};

// The first `count` images of the calibration split (deterministic, label-free).
Tensor calibration_images(const Dataset& train, int64_t count);

QuantizedModel quantize_minmax(const Graph& graph, const Tensor& calib, const QuantSpec& spec);

}  // namespace qarray
