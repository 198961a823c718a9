// Test images on the cycle model, checked against the golden executor: the simulation behind
// `run`'s timing and every sweep point, and the FP32 twin's run for its counters.
//
// Contract: a network's timing does not depend on the data. simulate_images() checks it: every
// image's per-layer counters equal image 0's (same_timing()), so image 0's counters stand for all.
#pragma once
#include <cstdint>
#include <vector>

#include "models/dataset.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "workloads/network.h"

namespace qarray::explore {

struct SimImages {
  int64_t images = 0;
  double seconds = 0.0;               // wall time of the simulation and its checks
  std::vector<LayerCounters> layers;  // of one image (batch 1); identical for every image
};

// Runs test images [0, n) one at a time (batch 1) through the cycle model: every layer's output
// must equal the golden executor's on the same inputs, the predicted class golden's prediction
// (`golden_predictions[i]`), and the counters those of image 0. Throws Error "image I: layer L
// 'name' (kind): ..." at the first difference; InputError "--sim-images N: only M test images
// were evaluated by golden (--images)" when n exceeds the predictions.
SimImages simulate_images(const Network& net, const Dataset& test, int64_t n,
                          const std::vector<int32_t>& golden_predictions, const ArchConfig& arch);

// Runs test image 0 (batch 1) on `twin` (an FP32 twin, fp32_twin()) for its counters: the integer
// network runs on it for the schedule, its values do not change any counter (timing is
// data-independent). Throws InputError "FP32 twin '<name>': ..." when a tile does not fit.
SimImages simulate_twin(const Network& net, const Dataset& test, const ArchConfig& twin);

// The timing counters of two runs of one layer agree: total and stall cycles, MACs, DRAM bytes.
bool same_timing(const LayerCounters& a, const LayerCounters& b);

}  // namespace qarray::explore
