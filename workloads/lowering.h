// Lowering: a BN-folded FP32 graph plus activation ranges becomes integer layer workloads under
// the numeric contract (DESIGN §3). Conv/Gemm/MatMul followed by their only reader Relu/Clip
// fuse the clamp; Add followed by Relu likewise; Flatten/Reshape/Identity/Dropout are views
// (NCHW is contiguous) and may only feed an fc or the graph output.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/graph.h"
#include "workloads/calibration.h"
#include "workloads/network.h"

namespace qarray {

struct QuantSpec {
  int weight_bits = 8;
  int act_bits = 8;
  int acc_bits = 32;
  bool per_channel = false;  // weight scales per output channel instead of per tensor

  // Throws InputError naming the field: bit widths in [2, 16], acc_bits in [2, 32].
  void validate() const;
};

// Integer weights decided by a PTQ pass (e.g. AdaRound), handed to the lowering as they are so
// they are never re-quantized from floats. Keyed by the Conv/Gemm node name.
struct FixedWeights {
  std::vector<int32_t> q;      // the layer's weight layout [OC, ...]
  std::vector<double> scale;   // one or OC scales
};

// Throws UnsupportedError naming the node for a pattern the accelerator cannot run (a BN that
// was not folded, a standalone Relu, a reshape feeding a conv) and InputError for a value with no
// observed range or a bias that does not fit in 32 bits.
Network lower_graph(const Graph& folded, const RangeTable& ranges, const QuantSpec& spec,
                    const std::map<std::string, FixedWeights>& fixed = {});

}  // namespace qarray
