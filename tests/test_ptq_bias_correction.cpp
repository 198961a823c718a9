// Empirical bias correction against an independent computation.
//
// What is compared, per Conv/Gemm layer L and output channel o, on the calibration images:
//   E_fp[o] = mean over images and output positions of L's FP32 pre-activation in the reference
//             graph (the FP32 executor's input to L, FP32 weights and bias);
//   E_q[o]  = the same mean for the quantized layer in the final lowered network: the golden
//             executor's integer input to L, dequantized s_x*(q - z_x), times the dequantized
//             integer weights s_w*w_q, plus L's corrected float bias.
// Both are computed here by a direct double-precision convolution (not the patch means the
// library uses). After correction |E_q[o] - E_fp[o]| <= 1e-6 * mean_|y_fp[o]| for every channel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "models/fp32_executor.h"
#include "models/ptq/bias_correction.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/cle.h"
#include "models/ptq/layer_weights.h"
#include "tests/ptq_fixtures.h"
#include "workloads/golden.h"
#include "workloads/ptq_pipeline.h"

namespace qarray {
namespace {

using namespace ptq_test;

struct ChannelMeans {
  std::vector<double> mean, mean_abs;
};

// Direct convolution / FC in double: per-channel mean and mean |y| of w (row-major) * x + b.
ChannelMeans direct_means(const Graph& g, int node, const std::vector<double>& w, const std::vector<float>& b,
                          const Tensor& x) {
  const LayerWeights v = layer_weights(g, node);
  const Node& n = g.nodes[node];
  const int64_t batch = x.shape[0], per = row_length(v);
  ChannelMeans m{std::vector<double>(v.oc, 0.0), std::vector<double>(v.oc, 0.0)};
  if (n.op == OpType::Gemm) {
    for (int64_t s = 0; s < batch; ++s)
      for (int64_t o = 0; o < v.oc; ++o) {
        double y = b[o];
        for (int64_t k = 0; k < v.ic; ++k) y += w[o * per + k] * x.data[s * v.ic + k];
        m.mean[o] += y / batch, m.mean_abs[o] += std::fabs(y) / batch;
      }
    return m;
  }
  const Shape& in = g.shapes.at(n.inputs[0]);
  const int64_t c = in[0], h = in[1], wd = in[2], k = n.kernel[0];
  const Shape& out = g.shapes.at(n.outputs[0]);
  const int64_t oh = out[1], ow = out[2], count = batch * oh * ow;
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t o = 0; o < v.oc; ++o)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double y = b[o];
          for (int64_t i = (v.depthwise ? o : 0); i < (v.depthwise ? o + 1 : c); ++i)
            for (int64_t ky = 0; ky < k; ++ky)
              for (int64_t kx = 0; kx < k; ++kx) {
                const int64_t yy = oy * n.strides[0] - n.pads[0] + ky, xx = ox * n.strides[1] - n.pads[1] + kx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                const int64_t j = (v.depthwise ? 0 : i * k * k) + ky * k + kx;
                y += w[o * per + j] * x.data[((s * c + i) * h + yy) * wd + xx];
              }
          m.mean[o] += y / count, m.mean_abs[o] += std::fabs(y) / count;
        }
  return m;
}

struct Prepared {
  Graph reference;
  RangeTable ranges;
  std::map<std::string, QuantWeights> weights;
  std::map<std::string, FixedWeights> fixed;
};

Prepared prepare(const Graph& graph, const Tensor& calib, const QuantSpec& spec) {
  Prepared s;
  std::vector<FoldedBn> bn;
  s.reference = equalize(fold_batchnorm(graph, &bn), bn, CleOptions{});
  for (const auto& [v, c] : activation_ranges(s.reference, calib, spec.act_bits, RangeOptions{}))
    s.ranges[v] = {c.lo, c.hi};
  for (int i = 0; i < static_cast<int>(s.reference.nodes.size()); ++i) {
    if (!is_ptq_layer(s.reference, i)) continue;
    QuantWeights w = quantize_layer_weights(s.reference, i, spec.weight_bits, spec.per_channel, RangeOptions{});
    s.fixed[s.reference.nodes[i].name] = {w.q, w.scale};
    s.weights[s.reference.nodes[i].name] = w;
  }
  return s;
}

TEST(BiasCorrection, PerChannelMeanOutputsMatchFp32OnTheCalibrationData) {
  for (int which = 0; which < 2; ++which)
    for (bool per_channel : {false, true}) {
      const unsigned seed = 7 + which;
      std::mt19937 rng(seed);
      const Tensor calib = random_tensor({24, 1, 8, 8}, rng, 0.0f, 1.0f);
      QuantSpec spec;
      spec.weight_bits = 4;
      spec.per_channel = per_channel;
      const Prepared s = prepare(which == 0 ? mobilenet_block(seed) : resnet_block(seed), calib, spec);
      GoldenInputs source(s.ranges, spec, s.fixed, calib);
      BiasCorrectionReport rep;
      const Graph corrected = correct_bias_empirical(s.reference, s.reference, s.weights, calib, source, &rep);

      // Independent evaluation of the final network, layer by layer.
      const Network net = lower_graph(corrected, s.ranges, spec, s.fixed);
      const GoldenExecutor gold(net);
      const std::vector<IntTensor> values = gold.run_all(gold.quantize_input(calib));
      std::map<std::string, Tensor> fp_values;
      Fp32Executor(s.reference).run(calib, [&](const std::string& v, const Tensor& t) { fp_values[v] = t; });

      double worst_before = 0.0;
      size_t checked = 0;
      for (const Layer& l : net.layers) {
        if (!l.on_array()) continue;
        int node = 0;
        while (s.reference.nodes[node].name != l.name) ++node;
        const ActTensor& in = net.tensors[l.inputs[0]];
        Tensor xq(values[l.inputs[0]].shape);
        for (int64_t k = 0; k < xq.size(); ++k) xq.data[k] = float(in.quant.dequantize(values[l.inputs[0]].data[k]));
        const int64_t oc = l.weight_shape[0];
        const std::vector<double> wq = dequantized_weights(s.weights.at(l.name), oc);
        const ChannelMeans fp = direct_means(s.reference, node, float_weights(s.reference, node),
                                             bias_values(s.reference, layer_weights(s.reference, node)),
                                             fp_values.at(s.reference.nodes[node].inputs[0]));
        const ChannelMeans after = direct_means(corrected, node, wq, bias_values(corrected, layer_weights(corrected, node)), xq);
        const ChannelMeans before = direct_means(s.reference, node, wq, bias_values(s.reference, layer_weights(s.reference, node)), xq);
        for (int64_t o = 0; o < oc; ++o) {
          EXPECT_LE(std::fabs(after.mean[o] - fp.mean[o]), 1e-6 * fp.mean_abs[o]) << l.name << " channel " << o;
          worst_before = std::max(worst_before, std::fabs(before.mean[o] - fp.mean[o]) / fp.mean_abs[o]);
        }
        ++checked;
      }
      EXPECT_EQ(checked, rep.layers.size());
      EXPECT_GT(worst_before, 1e-3);  // the correction had something to correct
    }
}

TEST(BiasCorrection, ReportsEveryLayerInGraphOrder) {
  std::mt19937 rng(3);
  const Tensor calib = random_tensor({8, 1, 8, 8}, rng, 0.0f, 1.0f);
  const Prepared s = prepare(resnet_block(3), calib, QuantSpec{});
  GoldenInputs source(s.ranges, QuantSpec{}, s.fixed, calib);
  BiasCorrectionReport rep;
  correct_bias_empirical(s.reference, s.reference, s.weights, calib, source, &rep);
  std::vector<std::string> names;
  for (const auto& l : rep.layers) names.push_back(l.layer);
  EXPECT_EQ(names, (std::vector<std::string>{"stem", "conv1", "conv2", "conv3", "fc"}));
  for (const auto& l : rep.layers) EXPECT_GT(l.max_abs_shift, 0.0) << l.layer;
}

// The cache of GoldenInputs never changes a bit: out-of-order requests and upstream changes give
// what a fresh instance computes.
TEST(GoldenInputs, CachedAnswersEqualFreshOnes) {
  std::mt19937 rng(4);
  const Tensor calib = random_tensor({8, 1, 8, 8}, rng, 0.0f, 1.0f);
  const Prepared s = prepare(resnet_block(4), calib, QuantSpec{});
  Graph changed = s.reference;
  int stem = 0;
  while (changed.nodes[stem].name != "stem") ++stem;
  make_layer_mutable(changed, stem);
  for (float& b : bias_tensor(changed, layer_weights(changed, stem)).data) b += 0.05f;
  GoldenInputs cached(s.ranges, QuantSpec{}, s.fixed, calib);
  cached.layer_input(s.reference, "fc");
  cached.layer_input(s.reference, "conv3");
  for (const char* layer : {"conv2", "fc", "conv1"}) {
    GoldenInputs fresh(s.ranges, QuantSpec{}, s.fixed, calib, 1);
    EXPECT_EQ(cached.layer_input(changed, layer).data, fresh.layer_input(changed, layer).data) << layer;
  }
}

}  // namespace
}  // namespace qarray
