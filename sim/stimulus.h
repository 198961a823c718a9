// Stimulus for timing layers without a network: layer shapes (from flags or a topology CSV in
// the column order architects already use), turned into one-layer integer networks filled with
// seeded random weights, biases and inputs on the configured grids.
//
// Topology CSV (SCALE-Sim order), one layer per line, a header line allowed:
//   layer name, ifmap height, ifmap width, filter height, filter width, channels,
//   number of filters, stride[, kind]   (kind: conv (default), depthwise or fc; a trailing comma
//   is fine). An fc line uses ifmap height x width x channels inputs and `number of filters`
//   outputs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/golden.h"

namespace qarray {

struct LayerSpec {
  std::string name = "layer";
  LayerKind kind = LayerKind::Conv;
  int64_t ifmap_h = 1, ifmap_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  int64_t channels = 1;
  int64_t filters = 1;  // output channels (ignored for depthwise: one per channel)
  int32_t stride = 1;
  int32_t pad = 0;      // on every side

  // Throws InputError naming `where` and the offending field.
  void validate(const std::string& where) const;
};

std::vector<LayerSpec> load_topology_csv(const std::string& path);

// A valid one-layer network for `spec`; acc_bits as the network's accumulator width.
Network random_layer_network(const LayerSpec& spec, int weight_bits, int act_bits, int acc_bits, uint32_t seed);
// A batch [images, ...] of random activations on the network input's grid.
IntTensor random_input(const Network& net, int64_t images, uint32_t seed);

}  // namespace qarray
