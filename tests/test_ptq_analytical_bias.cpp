// Analytical bias correction: the clipped-normal mean against a numerical integral, and the
// correction against the exact weight-quantization error when the BN statistics are the data's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "models/fp32_executor.h"
#include "models/ptq/analytical_bias.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/layer_weights.h"
#include "tests/ptq_fixtures.h"

namespace qarray {
namespace {

using namespace ptq_test;

// Simpson's rule for E[clamp(X, lo, hi)], X ~ N(mu, sigma^2), over mu +- 14 sigma.
double integral_mean(double mu, double sigma, double lo, double hi) {
  const int n = 200000;
  const double a = mu - 14 * sigma, h = 28 * sigma / n;
  double s = 0.0;
  for (int k = 0; k <= n; ++k) {
    const double x = a + k * h, z = (x - mu) / sigma;
    const double f = std::fmin(std::fmax(x, lo), hi) * std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * M_PI));
    s += f * (k == 0 || k == n ? 1 : (k % 2 ? 4 : 2));
  }
  return s * h / 3;
}

TEST(ClippedNormalMean, MatchesTheNumericalIntegralForNoneReluAndRelu6) {
  const double bounds[3][2] = {{-INFINITY, INFINITY}, {0.0, INFINITY}, {0.0, 6.0}};
  for (const auto& b : bounds)
    for (double mu : {-3.0, -0.5, 0.0, 0.7, 5.0, 8.0})
      for (double sigma : {0.05, 1.0, 3.0}) {
        const double got = clipped_normal_mean(mu, sigma, b[0], b[1]);
        EXPECT_NEAR(got, integral_mean(mu, sigma, b[0], b[1]), 1e-9 * (1 + std::fabs(mu) + sigma))
            << "mu " << mu << " sigma " << sigma << " [" << b[0] << ", " << b[1] << "]";
      }
}

TEST(ClippedNormalMean, GammaNearZeroIsTheClampedConstant) {
  for (double sigma : {0.0, 1e-300, -0.0})
    for (double mu : {-2.0, 3.0, 7.5}) {
      EXPECT_EQ(clipped_normal_mean(mu, sigma, 0.0, 6.0), std::fmin(std::fmax(mu, 0.0), 6.0));
      EXPECT_EQ(clipped_normal_mean(mu, sigma, -INFINITY, INFINITY), mu);
    }
}

// a (3x3 conv + BN) -> Identity -> b (1x1 conv + BN) -> ReLU -> GAP -> FC. With a's recorded
// beta/gamma replaced by the mean/std of its output on the data, and no clipping or padding
// before b, E[x] is exact, so the corrected b has the FP32 mean output on FP32 inputs:
// sum (s_w w_q) M + b' == sum w M + b per channel (M: mean input).
TEST(AnalyticalBiasCorrection, CancelsTheWeightErrorWhenTheStatisticsAreExact) {
  Builder bld(12);
  const std::string a = bld.add(OpType::Identity, "a.id", {bld.conv_bn("a", "x", 1, 6, 3)});
  const std::string b = bld.add(OpType::Relu, "b.act", {bld.conv_bn("b", a, 6, 4, 1)});
  const Graph g = bld.finish(bld.head(b, 4, 3));
  std::vector<FoldedBn> bn;
  const Graph f = fold_batchnorm(g, &bn);
  std::mt19937 rng(3);
  const Tensor x = random_tensor({64, 1, 8, 8}, rng, 0.0f, 1.0f);
  Tensor a_out;
  const std::string a_value = f.nodes[0].outputs[0];
  Fp32Executor(f).run(x, [&](const std::string& v, const Tensor& t) {
    if (v == a_value) a_out = t;
  });
  const int64_t plane = 64;
  std::vector<double> mean(6, 0.0);
  for (int64_t n = 0; n < 64; ++n)
    for (int64_t c = 0; c < 6; ++c)
      for (int64_t k = 0; k < plane; ++k) mean[c] += a_out.data[(n * 6 + c) * plane + k] / (64.0 * plane);
  for (FoldedBn& r : bn)
    if (r.layer == "a")
      for (int c = 0; c < 6; ++c) r.beta[c] = static_cast<float>(mean[c]), r.gamma[c] = 0.3f;

  std::map<std::string, QuantWeights> weights;
  for (int i = 0; i < static_cast<int>(f.nodes.size()); ++i)
    if (is_ptq_layer(f, i)) weights[f.nodes[i].name] = quantize_layer_weights(f, i, 3, false, RangeOptions{});
  BiasCorrectionReport rep;
  std::vector<AnalyticalSkip> skipped;
  const Graph corrected = correct_bias_analytical(f, bn, weights, &rep, &skipped);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].layer, "a");
  EXPECT_THAT(skipped[0].reason, ::testing::HasSubstr("network input"));
  ASSERT_EQ(rep.layers.size(), 2u);  // b and fc

  int bi = 0;
  while (f.nodes[bi].name != "b") ++bi;
  const LayerWeights v = layer_weights(f, bi);
  const std::vector<double> w = float_weights(f, bi), wq = dequantized_weights(weights.at("b"), v.oc);
  const std::vector<float> b0 = bias_values(f, v), b1 = bias_values(corrected, layer_weights(corrected, bi));
  double worst_before = 0.0;
  for (int64_t o = 0; o < v.oc; ++o) {
    double fp = b0[o], q0 = b0[o], q1 = b1[o];
    for (int64_t i = 0; i < v.ic; ++i) fp += w[o * v.ic + i] * mean[i], q0 += wq[o * v.ic + i] * mean[i], q1 += wq[o * v.ic + i] * mean[i];
    EXPECT_NEAR(q1, fp, 1e-5 * (1 + std::fabs(fp))) << o;
    worst_before = std::max(worst_before, std::fabs(q0 - fp));
  }
  EXPECT_GT(worst_before, 1e-3);
}

}  // namespace
}  // namespace qarray
