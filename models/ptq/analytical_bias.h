// Analytical (data-free) bias correction (Nagel et al. 2019, §4.2): the mean output error of a
// layer with quantized weights is (W~ - W) E[x]; when the layer's input is the (clipped) output
// of a BN-folded layer, E[x_i] is the mean of a clipped normal N(beta_i, gamma_i^2), from the
// folded BN's parameters alone.
//
// Contract: for a Conv/Gemm layer L2 whose input value is produced by
//   L1 (BN folded, record in `bn`) -> [Relu | Clip(lo, hi)] -> [Identity | Dropout | Flatten |
//   Reshape | GlobalAveragePool]*
// bias[o] -= sum_{i,t} (s_w w_q - w)(o, i, t) * E[x_i] (padding ignored: every tap sees E[x_i]).
// Any other producer (the network input, a residual add, a max pool) leaves L2 uncorrected and
// is listed in the report.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "models/graph.h"
#include "models/ptq/bias_correction.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/range_setting.h"

namespace qarray {

// E[clamp(X, lo, hi)] for X ~ N(mu, sigma^2); lo / hi may be -inf / +inf. For sigma <= 1e-12 *
// (1 + |mu|) (gamma ~ 0) the variable is the constant mu: returns clamp(mu, lo, hi).
double clipped_normal_mean(double mu, double sigma, double lo, double hi);

struct AnalyticalSkip {
  std::string layer;
  std::string reason;
};

// Returns `graph` with the biases corrected; report->layers gets the applied shifts (mean_abs_output
// is left 0: no data), skipped the layers it could not correct.
Graph correct_bias_analytical(const Graph& graph, const std::vector<FoldedBn>& bn,
                              const std::map<std::string, QuantWeights>& weights, BiasCorrectionReport* report = nullptr,
                              std::vector<AnalyticalSkip>* skipped = nullptr);

}  // namespace qarray
