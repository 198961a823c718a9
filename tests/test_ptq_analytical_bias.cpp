// Analytical bias correction: the clipped-normal mean against a numerical integral, the
// correction against the exact weight-quantization error when the BN statistics are the data's,
// and, for a padded convolution, against the error averaged over every output position.
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

// A stride-2 4x4 kernel with asymmetric padding over 7x7: tap (ky, kx) is inside for
// (rows inside) * (columns inside) of the 4x4 output positions, counted by hand.
TEST(AnalyticalBiasCorrection, TapCoverageCountsTheOutputPositionsInsideTheInput) {
  Builder bld(5, {1, 7, 7});
  bld.g.initializers["c.w"] = random_tensor({2, 1, 4, 4}, bld.rng, -1.0f, 1.0f);
  bld.add(OpType::Conv, "c", {"x", "c.w"});
  Node& c = bld.g.nodes.back();
  c.kernel = {4, 4};
  c.strides = {2, 2};
  c.pads = {1, 2, 1, 0};  // top 1, left 2, bottom 1, right 0: output (7+2-4)/2+1 = 3 rows, (7+2-4)/2+1 = 3 cols
  const Graph g = bld.finish("c.out");
  ASSERT_EQ(g.shapes.at("c.out"), (Shape{2, 3, 3}));
  // Rows: input row = 2*oy - 1 + ky, oy in {0,1,2}: ky=0 -> {-1,1,3}: 2 inside; ky=1..3 -> 3.
  // Cols: input col = 2*ox - 2 + kx: kx=0 -> {-2,0,2}: 2; kx=1 -> {-1,1,3}: 2; kx=2,3 -> 3.
  const double ry[4] = {2, 3, 3, 3}, rx[4] = {2, 2, 3, 3};
  const std::vector<double> cover = tap_coverage(g, 0);
  ASSERT_EQ(cover.size(), 16u);
  for (int ky = 0; ky < 4; ++ky)
    for (int kx = 0; kx < 4; ++kx) EXPECT_DOUBLE_EQ(cover[ky * 4 + kx], ry[ky] / 3 * rx[kx] / 3) << ky << "," << kx;
}

// Layer a's BN has gamma = 0, so its ReLU output is exactly max(beta_i, 0) at every position and
// E[x_i] is exact. Layer b is a padded 3x3 conv: its border positions read zeros. After the
// correction, b's mean pre-activation output over all images and positions with dequantized
// weights equals the FP32 one (run through the FP32 executor); ignoring the padding (every tap
// sees E[x_i]) would leave a measurable error.
TEST(AnalyticalBiasCorrection, PaddedConvMeanOutputMatchesFp32) {
  Builder bld(21);
  const std::string a = bld.add(OpType::Relu, "a.act", {bld.conv_bn("a", "x", 1, 6, 3)});
  bld.g.initializers["a.bn.s"] = Tensor({6}, 0.0f);
  const std::string b = bld.add(OpType::Relu, "b.act", {bld.conv_bn("b", a, 6, 5, 3)});
  const Graph g = bld.finish(bld.head(b, 5, 3));
  std::vector<FoldedBn> bn;
  const Graph f = fold_batchnorm(g, &bn);
  std::map<std::string, QuantWeights> weights;
  for (int i = 0; i < static_cast<int>(f.nodes.size()); ++i)
    if (is_ptq_layer(f, i)) weights[f.nodes[i].name] = quantize_layer_weights(f, i, 3, false, RangeOptions{});
  const Graph corrected = correct_bias_analytical(f, bn, weights);

  int bi = 0;
  while (f.nodes[bi].name != "b") ++bi;
  const LayerWeights v = layer_weights(f, bi);
  // The corrected graph with b's weights replaced by the dequantized ones.
  Graph q = corrected;
  make_layer_mutable(q, bi);
  Tensor& wt = weight_tensor(q, layer_weights(q, bi));
  const std::vector<double> wq = dequantized_weights(weights.at("b"), v.oc);
  for (size_t k = 0; k < wq.size(); ++k) wt.data[k] = static_cast<float>(wq[k]);

  std::mt19937 rng(4);
  const Tensor x = random_tensor({8, 1, 8, 8}, rng, 0.0f, 1.0f);
  auto mean_output = [&](const Graph& graph) {
    std::vector<double> m(5, 0.0);
    const std::string value = graph.nodes[bi].outputs[0];
    Fp32Executor(graph).run(x, [&](const std::string& name, const Tensor& t) {
      if (name != value) return;
      for (int64_t k = 0; k < t.size(); ++k) m[(k / 64) % 5] += t.data[k] / (8.0 * 64);
    });
    return m;
  };
  const std::vector<double> fp = mean_output(f), qm = mean_output(q);
  // What ignoring the padding would have added: sum_{i,t} dW E[x_i] (1 - coverage_t).
  const std::vector<double> w = float_weights(f, bi), cover = tap_coverage(f, bi);
  const std::vector<float>& beta = bn[0].layer == "a" ? bn[0].beta : bn[1].beta;
  double worst_border = 0.0;
  for (int64_t o = 0; o < 5; ++o) {
    EXPECT_NEAR(qm[o], fp[o], 1e-5 * (1 + std::fabs(fp[o]))) << "channel " << o;
    double border = 0.0;
    for (int64_t j = 0; j < 6 * 9; ++j)
      border += (wq[o * 54 + j] - w[o * 54 + j]) * std::max(0.0f, beta[j / 9]) * (1.0 - cover[j % 9]);
    worst_border = std::max(worst_border, std::fabs(border));
  }
  EXPECT_GT(worst_border, 1e-3);
}

}  // namespace
}  // namespace qarray
