// The PTQ pipeline end to end on hand-built graphs: agreement with the baseline flow, bit-exact
// determinism, the integer network's mean logits after bias correction, and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "tests/ptq_fixtures.h"
#include "workloads/golden.h"
#include "workloads/pipeline.h"
#include "workloads/ptq_pipeline.h"

namespace qarray {
namespace {

using namespace ptq_test;
using ::testing::HasSubstr;

void expect_same_network(const Network& a, const Network& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(a.tensors[i].quant.scale, b.tensors[i].quant.scale) << a.tensors[i].name;
    EXPECT_EQ(a.tensors[i].quant.zero_point, b.tensors[i].quant.zero_point) << a.tensors[i].name;
  }
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const Layer &x = a.layers[i], &y = b.layers[i];
    EXPECT_EQ(x.weights, y.weights) << x.name;
    EXPECT_EQ(x.bias, y.bias) << x.name;
    ASSERT_EQ(x.requant.size(), y.requant.size()) << x.name;
    for (size_t k = 0; k < x.requant.size(); ++k) {
      EXPECT_EQ(x.requant[k].m0, y.requant[k].m0) << x.name;
      EXPECT_EQ(x.requant[k].shift, y.requant[k].shift) << x.name;
    }
    EXPECT_EQ(x.clamp_lo, y.clamp_lo) << x.name;
    EXPECT_EQ(x.clamp_hi, y.clamp_hi) << x.name;
  }
}

Tensor calib_images(unsigned seed, int64_t n = 32) {
  std::mt19937 rng(seed);
  return random_tensor({n, 1, 8, 8}, rng, 0.0f, 1.0f);
}

TEST(PtqPipeline, NearestWithMinMaxIsTheBaselineFlow) {
  const Graph g = mobilenet_block(4);
  const Tensor calib = calib_images(4);
  for (bool per_channel : {false, true}) {
    PtqOptions opt;
    opt.method = parse_ptq_method("nearest");
    opt.spec.per_channel = per_channel;
    expect_same_network(quantize_ptq(g, calib, opt).network, quantize_minmax(g, calib, opt.spec).network);
  }
}

TEST(PtqPipeline, SameInputsGiveIdenticalBits) {
  const Tensor calib = calib_images(6);
  PtqOptions opt;  // cle+bc
  opt.spec.weight_bits = 6;
  opt.act_ranges.method = RangeMethod::Mse;
  opt.weight_ranges.method = RangeMethod::Mse;
  const PtqResult a = quantize_ptq(resnet_block(6), calib, opt), b = quantize_ptq(resnet_block(6), calib, opt);
  expect_same_network(a.network, b.network);
  std::vector<std::string> steps;
  for (const PtqStep& s : a.steps) steps.push_back(s.name);
  EXPECT_EQ(steps, (std::vector<std::string>{"bn fold", "cle", "activation ranges", "weights", "bias correction",
                                             "lowering"}));
}

// After bias correction the final FC's mean output error is gone up to the integer rounding: the
// golden executor's dequantized logits, averaged over the calibration images, match the FP32
// reference's per class within one output step.
// Max over classes of |mean(golden logits - FP32 logits)| in output steps.
double mean_logit_error_in_steps(const PtqResult& r, const Tensor& calib) {
  const GoldenExecutor gold(r.network);
  const Tensor yq = gold.dequantize_output(gold.run(gold.quantize_input(calib)));
  const Tensor yf = Fp32Executor(r.reference).run(calib);
  const int64_t n = yf.dim(0), classes = yf.size() / n;
  double worst = 0.0;
  for (int64_t c = 0; c < classes; ++c) {
    double err = 0.0;
    for (int64_t i = 0; i < n; ++i) err += (double(yq.data[i * classes + c]) - yf.data[i * classes + c]) / n;
    worst = std::max(worst, std::fabs(err));
  }
  return worst / r.network.tensors[r.network.output].quant.scale;
}

TEST(PtqPipeline, BiasCorrectedLogitsMatchFp32OnAverage) {
  double worst_without = 0.0;
  for (unsigned seed : {1u, 2u, 3u}) {
    const Tensor calib = calib_images(seed, 48);
    PtqOptions opt;
    opt.spec.weight_bits = 4;
    EXPECT_LE(mean_logit_error_in_steps(quantize_ptq(mobilenet_block(seed), calib, opt), calib), 1.0) << seed;
    opt.method = parse_ptq_method("cle");
    worst_without = std::max(worst_without, mean_logit_error_in_steps(quantize_ptq(mobilenet_block(seed), calib, opt), calib));
  }
  EXPECT_GT(worst_without, 2.0);
}

TEST(PtqPipeline, BadInputIsAOneLineInputError) {
  const Graph g = mobilenet_block(1);
  const Tensor calib = calib_images(1, 4);
  for (int bits : {1, 17}) {
    PtqOptions w, a;
    w.spec.weight_bits = bits;
    a.spec.act_bits = bits;
    EXPECT_EQ(error_of([&] { quantize_ptq(g, calib, w); }),
              "weight bit width " + std::to_string(bits) + " is outside [2, 16]");
    EXPECT_EQ(error_of([&] { quantize_ptq(g, calib, a); }),
              "activation bit width " + std::to_string(bits) + " is outside [2, 16]");
  }
  EXPECT_EQ(error_of([] { parse_ptq_method("brecq"); }),
            "unknown PTQ method 'brecq' (expected one of nearest, cle, bc, cle+bc, bc-analytic, cle+bc-analytic, "
            "adaround, cle+adaround, adaround+bc, cle+adaround+bc)");
  Dataset tiny;
  tiny.split = "train";
  tiny.count = 3;
  tiny.sample_shape = {1, 8, 8};
  tiny.labels.assign(3, 0);
  EXPECT_EQ(error_of([&] { calibration_images(tiny, 4); }),
            "calibration images: 4 requested, the training set holds 3");
  PtqOptions p;
  p.act_ranges.percentile = 30.0;
  EXPECT_THAT(error_of([&] { quantize_ptq(g, calib, p); }), HasSubstr("percentile"));
}

}  // namespace
}  // namespace qarray
