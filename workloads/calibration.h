// Activation range observation: the FP32 network is run on calibration images and the min/max
// of every value recorded. Per-tensor min-max is the baseline range setting.
#pragma once
#include <map>
#include <string>

#include "models/graph.h"

namespace qarray {

struct ValueRange {
  float lo = 0.0f;
  float hi = 0.0f;
};
using RangeTable = std::map<std::string, ValueRange>;

// Runs `images` [N, C, H, W] through the graph in batches and returns min/max per value name.
RangeTable observe_minmax(const Graph& graph, const Tensor& images);

}  // namespace qarray
