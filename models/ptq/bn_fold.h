// Batch-norm folding: y = gamma * (conv(x) - mean) / sqrt(var + eps) + beta becomes a conv with
// weights w * gamma/sigma (per output channel) and bias (b - mean) * gamma/sigma + beta. The
// folded BN's gamma and beta are kept: they describe the pre-activation distribution of the
// folded layer's outputs (mean beta, std |gamma|), which CLE's high-bias absorption and
// analytical bias correction need.
#pragma once
#include <string>
#include <vector>

#include "models/graph.h"

namespace qarray {

struct FoldedBn {
  std::string layer;          // name of the Conv/Gemm node that absorbed the BN
  std::string output;         // the value it now produces (the BN's former output)
  std::vector<float> gamma;   // per output channel
  std::vector<float> beta;
};

// Returns the graph with every BatchNormalization that directly follows a Conv or Gemm (whose
// output has no other reader) folded into it. A BN that follows anything else is left in place;
// the lowering reports it. The result's Conv/Gemm nodes always have a bias initializer.
Graph fold_batchnorm(const Graph& graph, std::vector<FoldedBn>* folded = nullptr);

}  // namespace qarray
