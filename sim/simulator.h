// Public entry of the cycle model: one workload layer, batched, on the accelerator described by
// an ArchConfig. Returns the output tensor (bit-exact with GoldenExecutor::run_layer) and the
// layer's counters.
#pragma once
#include <cstddef>
#include <vector>

#include "sim/arch_config.h"
#include "sim/counters.h"
#include "workloads/golden.h"

namespace qarray {

struct SimResult {
  IntTensor output;
  LayerCounters counters;
};

// Any layer kind: conv, depthwise and fc on the array; add, max pool and average pool on the
// post-processing unit. `inputs` as for GoldenExecutor::run_layer (two tensors for add).
// Throws InputError for inputs that do not match the layer, operands wider than the array's
// multipliers, an accumulator width different from the network's, or a buffer too small for one
// tile.
SimResult simulate_layer(const Network& net, size_t index, const std::vector<const IntTensor*>& inputs,
                         const ArchConfig& arch);
// A layer with one input.
SimResult simulate_layer(const Network& net, size_t index, const IntTensor& input, const ArchConfig& arch);

struct NetworkSimResult {
  IntTensor output;                  // the network output, as GoldenExecutor::run returns it
  std::vector<LayerCounters> layers; // one per layer, in execution order
};

// The whole network, layer after layer, each layer reading the cycle model's own outputs.
NetworkSimResult simulate_network(const Network& net, const IntTensor& input, const ArchConfig& arch);

}  // namespace qarray
