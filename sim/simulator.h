// Public entry of the cycle model: one workload layer, batched, on the accelerator described by
// an ArchConfig. Returns the output tensor (bit-exact with GoldenExecutor::run_layer) and the
// layer's counters.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "base/errors.h"
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

// The first output where the cycle model and the golden executor disagree.
struct SimMismatchError : Error {
  SimMismatchError(const std::string& what, size_t layer, int64_t element)
      : Error(what), layer(layer), element(element) {}
  size_t layer;     // index in net.layers
  int64_t element;  // flat index in the layer's (batched) output
};

// simulate_network, with every layer's output compared to golden.run_layer on the same inputs
// (the cycle model's own outputs of the earlier layers). Throws SimMismatchError at the first
// differing element: "layer 12 'b3.project' (conv): output 345 is 7 on the cycle model, golden
// gives 9".
NetworkSimResult simulate_network_checked(const Network& net, const GoldenExecutor& golden, const IntTensor& input,
                                          const ArchConfig& arch);

// Throws the InputError simulate_layer would throw for the first layer whose tile does not fit a
// buffer of the arch at this batch, without simulating anything (the tiling is data-independent):
// "arch 'x': sram.ifmap.capacity_bytes 8 is too small for one input vector; needs at least 32 bytes
// (double buffered) for layer 'b' (conv)".
void check_tiling(const Network& net, int64_t batch, const ArchConfig& arch);

// Throws InputError "<where>: ..." (one line) unless a network quantized to these widths runs on
// the arch: the same acc_bits, weights and activations no wider than the multipliers' operands.
void check_widths(const ArchConfig& arch, const std::string& where, int32_t weight_bits, int32_t act_bits,
                  int32_t acc_bits);

}  // namespace qarray
