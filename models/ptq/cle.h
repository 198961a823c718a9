// Cross-layer equalization (Nagel et al., "Data-free quantization", ICCV 2019) with high-bias
// absorption, on a BN-folded graph. Positive per-channel scaling commutes with ReLU, max/avg
// pooling and identity, so scaling output channel i of one layer by 1/s_i and input channel i of
// the next by s_i leaves the network function unchanged while equalizing the weight ranges.
//
// Contract:
//   - a link is L1 -> (Relu | ReLU6 | Identity | Dropout | MaxPool | AvgPool | GlobalAveragePool
//     | Flatten of a C x 1 x 1 value)* -> L2 where every value on the way has exactly one reader
//     and L1, L2 are Conv (group 1 or depthwise) / Gemm layers (layer_weights.h);
//   - links form chains; a pair gets s_i = sqrt(r1_i / r2_i) (r1: range of output channel i of L1,
//     r2: range of input channel i of L2), a conv -> depthwise -> conv triplet the closed form
//     that makes all three ranges (r1 r2 r3)^(1/3), longer chains pairwise iteration to
//     convergence (capped); a channel with a zero range is left unscaled;
//   - a pattern that cannot be equalized (fan-out, residual add, other ops, ReLU6 under the skip
//     policy) is listed in CleReport::skipped, never an error;
//   - high-bias absorption, per link whose first layer had a folded BN (gamma, beta scaled with
//     the layer): c = max(0, beta - 3|gamma|) is subtracted from L1's bias and W2 c added to
//     L2's bias (W2 summed over its kernel). Exact when every pre-activation is >= c and only
//     ReLU / identity / pools lie between; a link whose L2 pads its input (padding would insert
//     0, not c) or that passes a ReLU6 kept as ReLU6 is not absorbed and is listed.
#pragma once
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/ptq/bn_fold.h"

namespace qarray {

// What to do with a ReLU6 (Clip 0..6) between two layers: per-channel scaling would move the 6.
enum class Relu6Policy {
  AsRelu,  // replace it by ReLU and equalize (the paper's choice; changes the FP32 function)
  Skip,    // keep it and leave the link unequalized
};

struct CleOptions {
  Relu6Policy relu6 = Relu6Policy::AsRelu;
  bool absorb_high_bias = true;
  int max_iterations = 100;  // chains longer than a pair / dw triplet
  double tolerance = 1e-7;   // stop when every |s_i - 1| is below this
};

struct CleChain {
  std::vector<std::string> layers;  // Conv/Gemm node names, in order
  std::string method;               // "pair", "triplet-closed-form", "iterated"
  int iterations = 1;
  // Per link: max over channels of r_max/r_min among the linked ranges, before and after.
  std::vector<double> imbalance_before, imbalance_after;
};

struct CleSkip {
  std::string layer;   // the layer whose output could not be linked
  std::string reason;  // e.g. "fan-out: value 'x' has 2 readers"
};

struct Absorption {
  std::string from, to;     // L1 -> L2
  int channels = 0;         // channels with c > 0
  double max_c = 0.0;
};

struct CleReport {
  std::vector<CleChain> chains;
  std::vector<CleSkip> skipped;
  std::vector<std::string> relu6_replaced;  // Clip nodes turned into Relu (AsRelu policy)
  std::vector<Absorption> absorbed;
  std::vector<CleSkip> absorption_skipped;
};

// Returns the equalized graph. `bn` holds the folded BNs (fold_batchnorm); their gamma/beta are
// updated in place for the scaling and absorption applied (they keep describing the layer's
// pre-activation distribution). Without BN records no absorption happens.
Graph equalize(const Graph& folded, std::vector<FoldedBn>& bn, const CleOptions& opt, CleReport* report = nullptr);

}  // namespace qarray
