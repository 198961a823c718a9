// Range setting: min-max reproduces the baseline lowering bit for bit, MSE never does worse than
// min-max on the error it minimizes, percentile picks the stated order statistic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/errors.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/layer_weights.h"
#include "models/ptq/range_setting.h"
#include "models/quant_grid.h"
#include "tests/ptq_fixtures.h"
#include "workloads/calibration.h"
#include "workloads/lowering.h"

namespace qarray {
namespace {

using namespace ptq_test;

double weight_mse(const std::vector<float>& w, double clip, int bits) {
  const double s = weight_scale_from_absmax(clip, bits);
  double e = 0.0;
  for (float x : w) e += std::pow(x - s * quantize_weight(x, s, bits), 2);
  return e;
}

TEST(RangeSetting, MinMaxWeightsAndRangesReproduceTheBaselineLowering) {
  std::mt19937 rng(5);
  const Graph f = fold_batchnorm(mobilenet_block(5));
  const Tensor calib = random_tensor({16, 1, 8, 8}, rng, 0.0f, 1.0f);
  RangeTable ranges;
  for (const auto& [v, c] : activation_ranges(f, calib, 8, RangeOptions{})) ranges[v] = {c.lo, c.hi};
  const RangeTable baseline = observe_minmax(f, calib);
  ASSERT_EQ(ranges.size(), baseline.size());
  for (const auto& [v, r] : baseline) {
    EXPECT_EQ(ranges.at(v).lo, r.lo) << v;
    EXPECT_EQ(ranges.at(v).hi, r.hi) << v;
  }
  for (bool per_channel : {false, true}) {
    QuantSpec spec;
    spec.weight_bits = 5;
    spec.per_channel = per_channel;
    std::map<std::string, FixedWeights> fixed;
    for (int i = 0; i < static_cast<int>(f.nodes.size()); ++i)
      if (is_ptq_layer(f, i)) {
        const QuantWeights w = quantize_layer_weights(f, i, 5, per_channel, RangeOptions{});
        fixed[f.nodes[i].name] = {w.q, w.scale};
      }
    const Network a = lower_graph(f, baseline, spec), b = lower_graph(f, baseline, spec, fixed);
    ASSERT_EQ(a.layers.size(), b.layers.size());
    for (size_t i = 0; i < a.layers.size(); ++i) {
      EXPECT_EQ(a.layers[i].weights, b.layers[i].weights) << a.layers[i].name;
      EXPECT_EQ(a.layers[i].weight_scale, b.layers[i].weight_scale) << a.layers[i].name;
      EXPECT_EQ(a.layers[i].bias, b.layers[i].bias) << a.layers[i].name;
    }
  }
}

TEST(RangeSetting, MseWeightClipNeverLosesToMinMaxAndWinsOnLaplaceWeights) {
  std::mt19937 rng(11);
  std::exponential_distribution<float> laplace(20.0f);
  std::bernoulli_distribution sign(0.5);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> w(400);
    for (float& x : w) x = (sign(rng) ? 1.0f : -1.0f) * laplace(rng);
    for (int bits : {3, 4, 8}) {
      RangeOptions mse;
      mse.method = RangeMethod::Mse;
      const double amax = weight_clip(w, bits, RangeOptions{});
      const double clip = weight_clip(w, bits, mse);
      EXPECT_LE(clip, amax);
      EXPECT_LE(weight_mse(w, clip, bits), weight_mse(w, amax, bits));
      if (bits == 4) {
        EXPECT_LT(weight_mse(w, clip, bits), 0.9 * weight_mse(w, amax, bits));
      }
    }
  }
}

TEST(RangeSetting, PercentilePicksTheOrderStatistic) {
  std::vector<float> w;
  for (int i = 1; i <= 1000; ++i) w.push_back((i % 2 ? -1.0f : 1.0f) * i);
  RangeOptions p;
  p.method = RangeMethod::Percentile;
  p.percentile = 99.0;
  EXPECT_EQ(weight_clip(w, 8, p), 990.0);
  p.percentile = 100.0;
  EXPECT_EQ(weight_clip(w, 8, p), 1000.0);
}

TEST(RangeSetting, ActivationClippingStaysInsideMinMaxAndKeepsInputAndOutput) {
  std::mt19937 rng(2);
  const Graph f = fold_batchnorm(resnet_block(2));
  const Tensor calib = random_tensor({16, 1, 8, 8}, rng, 0.0f, 1.0f);
  const ClipTable mm = activation_ranges(f, calib, 4, RangeOptions{});
  for (RangeMethod m : {RangeMethod::Mse, RangeMethod::Percentile}) {
    RangeOptions opt;
    opt.method = m;
    opt.percentile = 99.0;
    const ClipTable c = activation_ranges(f, calib, 4, opt);
    int clipped = 0;
    for (const auto& [v, r] : mm) {
      EXPECT_GE(c.at(v).lo, std::min(r.lo, 0.0f) - 1e-6f) << v;
      EXPECT_LE(c.at(v).hi, r.hi) << v;
      clipped += c.at(v).hi < r.hi;
    }
    EXPECT_GT(clipped, 0) << range_method_name(m);
    for (const std::string& v : {f.input, f.output}) {
      EXPECT_EQ(c.at(v).lo, mm.at(v).lo);
      EXPECT_EQ(c.at(v).hi, mm.at(v).hi);
    }
  }
}

// The histogram MSE search against a brute-force exact MSE over the same candidates: the chosen
// range is within a few percent of the exact optimum's error.
TEST(RangeSetting, HistogramMseIsCloseToTheExactOptimum) {
  Builder b(4, {1, 1, 1});
  b.g.initializers["w"] = Tensor({1, 1, 1, 1}, 1.0f);
  const std::string out = b.add(OpType::Conv, "id", {"x", "w"});
  b.g.nodes.back().kernel = {1, 1};
  const Graph g = b.finish(b.add(OpType::Relu, "relu", {out}));
  std::mt19937 rng(9);
  std::exponential_distribution<float> e(1.0f);
  Tensor x({20000, 1, 1, 1});
  for (float& v : x.data) v = e(rng);
  RangeOptions opt;
  opt.method = RangeMethod::Mse;
  const ClipRange r = activation_ranges(g, x, 4, opt).at("id.out");
  auto exact = [&](double hi) {
    const ActQuant q = act_quant_from_range(0.0, hi, 4);
    double s = 0.0;
    for (float v : x.data) s += std::pow(v - q.dequantize(q.quantize(v)), 2);
    return s;
  };
  double best = INFINITY, mx = 0.0;
  for (float v : x.data) mx = std::max<double>(mx, v);
  for (int k = 1; k <= 100; ++k) best = std::min(best, exact(mx * k / 100));
  EXPECT_LT(r.hi, 0.8 * mx);
  EXPECT_LE(exact(r.hi), 1.05 * best);
}

TEST(RangeSetting, BadOptionsAreOneLineInputErrors) {
  EXPECT_THROW(parse_range_method("kl"), InputError);
  try {
    parse_range_method("kl");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "unknown range method 'kl' (expected minmax, mse or percentile)");
  }
  RangeOptions p;
  p.method = RangeMethod::Percentile;
  p.percentile = 120.0;
  EXPECT_THROW(weight_clip({1.0f}, 8, p), InputError);
}

}  // namespace
}  // namespace qarray
