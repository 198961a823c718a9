// Analytical (data-free) bias correction (Nagel et al. 2019, §4.2): the mean output error of a
// layer with quantized weights is (W~ - W) E[x]; when the layer's input is the (clipped) output
// of a BN-folded layer, E[x_i] is the mean of a clipped normal N(beta_i, gamma_i^2), from the
// folded BN's parameters alone.
//
// Contract: for a Conv/Gemm layer L2 whose input value is produced by
//   L1 (BN folded, record in `bn`) -> [Relu | Clip(lo, hi)] -> [Identity | Dropout | Flatten |
//   Reshape | GlobalAveragePool]*
// bias[o] -= sum_{i,t} (s_w w_q - w)(o, i, t) * E[x_i] * c_t, where c_t (tap_coverage) is the
// fraction of the layer's output positions at which tap t reads the input rather than padding
// (padding inserts real 0, i.e. z_x, in both the float and the integer layer, so a padded tap
// contributes no error). This makes the corrected bias exact for the error averaged over all
// output positions, as the empirical correction measures it; the residual per position (border
// positions see fewer taps than interior ones) varies across the plane and cannot be expressed by
// a per-channel bias: it is left, with mean 0 over the positions.
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

// Per kernel tap t = ky*KW + kx of Conv node `node`: the fraction of output positions at which
// the tap falls inside the input (1 everywhere without padding; {1} for a Gemm).
std::vector<double> tap_coverage(const Graph& g, int node);

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
