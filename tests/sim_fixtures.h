// An fc layer for the cycle-model memory tests: K inputs, OC outputs, P images; random W8A8
// weights, biases and inputs from the stimulus generator (sim/stimulus.h), seeded.
#pragma once
#include <cstdint>

#include "sim/stimulus.h"

namespace qarray::testing {

struct FcLayer {
  Network net;
  IntTensor x;  // [P, K]
};

inline FcLayer fc_layer(int64_t k, int64_t oc, int64_t p, uint32_t seed) {
  LayerSpec s;
  s.kind = LayerKind::Fc;
  s.channels = k;
  s.filters = oc;
  FcLayer f{random_layer_network(s, 8, 8, 32, seed), {}};
  f.x = random_input(f.net, p, seed + 1);
  return f;
}

}  // namespace qarray::testing
