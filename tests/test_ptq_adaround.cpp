// AdaRound (models/ptq/adaround.h) through the PTQ pipeline, on the hand-built graphs.
//
// What is checked, per Conv/Gemm layer L of the final integer network:
//   - every integer weight is clip(floor(W/s)) or clip(ceil(W/s)) for L's FP32 weight W and scale s;
//   - the reconstruction error E(q) = mean over calibration images and output positions of
//     sum_o (f(s*q x~ + b) - f(W x + b))^2, computed here by a direct double convolution
//     (x~: the golden executor's input to L, dequantized; x: the FP32 executor's; f: the Relu /
//     Clip fused into L) is at most nearest rounding's; the library's reported losses agree with it;
//   - two runs, and runs on 1 or 2 threads, give the same bits;
//   - bad options are a one-line InputError; a weighted layer AdaRound does not handle is listed.
// The fixtures have 8x8 images and `positions` covers every output position, so the sampled
// patches are the whole calibration data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/ptq/layer_weights.h"
#include "models/ptq/range_setting.h"
#include "tests/ptq_fixtures.h"
#include "workloads/golden.h"
#include "workloads/ptq_pipeline.h"

namespace qarray {
namespace {

using namespace ptq_test;
using ::testing::HasSubstr;

Tensor calib_images(unsigned seed, int64_t n = 32) {
  std::mt19937 rng(seed);
  return random_tensor({n, 1, 8, 8}, rng, 0.0f, 1.0f);
}

PtqOptions adaround_options(const std::string& method, bool per_channel) {
  PtqOptions opt;
  opt.method = parse_ptq_method(method);
  opt.spec.weight_bits = 4;
  opt.spec.per_channel = per_channel;
  opt.adaround.iterations = 400;
  opt.adaround.positions = 64;
  opt.adaround.batch = 8;
  return opt;
}

int node_of(const Graph& g, const std::string& name) {
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i)
    if (g.nodes[i].name == name) return i;
  ADD_FAILURE() << "no node " << name;
  return 0;
}

// f: the clamp of the Relu / Clip that is the layer's only reader, or none.
std::pair<double, double> fused_clamp(const Graph& g, int node) {
  const std::vector<int> r = g.consumers(g.nodes[node].outputs[0]);
  if (r.size() == 1 && r[0] >= 0 && g.nodes[r[0]].op == OpType::Relu) return {0.0, INFINITY};
  if (r.size() == 1 && r[0] >= 0 && g.nodes[r[0]].op == OpType::Clip)
    return {g.nodes[r[0]].clip_min, g.nodes[r[0]].clip_max};
  return {-INFINITY, INFINITY};
}

// f(w * x + b) at every output position of every image, [image][position][o], flattened; w in
// the lowering's layout (row_major_weights), x the layer's input [N, ...].
std::vector<double> layer_outputs(const Graph& g, int node, const std::vector<double>& w, const std::vector<float>& b,
                                  const Tensor& x) {
  const LayerWeights v = layer_weights(g, node);
  const Node& n = g.nodes[node];
  const auto [lo, hi] = fused_clamp(g, node);
  const int64_t batch = x.shape[0], per = row_length(v);
  std::vector<double> y;
  if (n.op == OpType::Gemm) {
    for (int64_t s = 0; s < batch; ++s)
      for (int64_t o = 0; o < v.oc; ++o) {
        double a = b[o];
        for (int64_t k = 0; k < v.ic; ++k) a += w[o * per + k] * x.data[s * v.ic + k];
        y.push_back(std::clamp(a, lo, hi));
      }
    return y;
  }
  const Shape &in = g.shapes.at(n.inputs[0]), &out = g.shapes.at(n.outputs[0]);
  const int64_t c = in[0], h = in[1], wd = in[2], k = n.kernel[0];
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t oy = 0; oy < out[1]; ++oy)
      for (int64_t ox = 0; ox < out[2]; ++ox)
        for (int64_t o = 0; o < v.oc; ++o) {
          double a = b[o];
          for (int64_t i = (v.depthwise ? o : 0); i < (v.depthwise ? o + 1 : c); ++i)
            for (int64_t ky = 0; ky < k; ++ky)
              for (int64_t kx = 0; kx < k; ++kx) {
                const int64_t yy = oy * n.strides[0] - n.pads[0] + ky, xx = ox * n.strides[1] - n.pads[1] + kx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                a += w[o * per + (v.depthwise ? 0 : i * k * k) + ky * k + kx] * x.data[((s * c + i) * h + yy) * wd + xx];
              }
          y.push_back(std::clamp(a, lo, hi));
        }
  return y;
}

double mean_squared_error(const std::vector<double>& a, const std::vector<double>& b, int64_t rows) {
  double e = 0.0;
  for (size_t i = 0; i < a.size(); ++i) e += (a[i] - b[i]) * (a[i] - b[i]);
  return e / rows;
}

std::vector<double> dequantize(const std::vector<int32_t>& q, const std::vector<double>& scale, int64_t oc) {
  std::vector<double> d(q.size());
  const size_t per = q.size() / oc;
  for (size_t k = 0; k < q.size(); ++k) d[k] = scale[scale.size() == 1 ? 0 : k / per] * q[k];
  return d;
}

struct LayerCheck {
  std::string layer;
  double nearest = 0.0, adaround = 0.0;
  int64_t rows = 0, weights = 0, flipped = 0, floor_or_ceil = 0;
};

// Every array layer of the final network against FP32, with its weights and nearest's.
std::vector<LayerCheck> check_layers(const PtqResult& r, const Tensor& calib, const PtqOptions& opt) {
  const Network& net = r.network;
  const GoldenExecutor gold(net);
  const std::vector<IntTensor> values = gold.run_all(gold.quantize_input(calib));
  std::map<std::string, Tensor> fp;
  Fp32Executor(r.reference).run(calib, [&](const std::string& v, const Tensor& t) { fp[v] = t; });
  std::vector<LayerCheck> out;
  for (const Layer& l : net.layers) {
    if (!l.on_array()) continue;
    const int node = node_of(r.reference, l.name);
    const LayerWeights v = layer_weights(r.reference, node);
    const ActTensor& in = net.tensors[l.inputs[0]];
    Tensor xq(values[l.inputs[0]].shape);
    for (int64_t k = 0; k < xq.size(); ++k) xq.data[k] = float(in.quant.dequantize(values[l.inputs[0]].data[k]));
    const std::vector<float> w = row_major_weights(r.reference, v), b = bias_values(r.reference, v);
    const QuantWeights near =
        quantize_layer_weights(r.reference, node, opt.spec.weight_bits, opt.spec.per_channel, RangeOptions{});
    EXPECT_EQ(near.scale, l.weight_scale) << l.name;
    const std::vector<double> target = layer_outputs(r.reference, node, {w.begin(), w.end()}, b,
                                                     fp.at(r.reference.nodes[node].inputs[0]));
    const int64_t rows = static_cast<int64_t>(target.size()) / v.oc;
    LayerCheck c;
    c.layer = l.name;
    c.rows = rows;
    c.nearest = mean_squared_error(layer_outputs(r.reference, node, dequantize(near.q, near.scale, v.oc), b, xq), target, rows);
    c.adaround = mean_squared_error(layer_outputs(r.reference, node, dequantize(l.weights, l.weight_scale, v.oc), b, xq), target, rows);
    const int64_t per = row_length(v), qmax = weight_qmax(opt.spec.weight_bits);
    for (size_t k = 0; k < w.size(); ++k) {
      const double ratio = double(w[k]) / l.weight_scale[l.weight_scale.size() == 1 ? 0 : k / per];
      const int64_t lo = std::clamp<int64_t>(int64_t(std::floor(ratio)), -qmax, qmax);
      const int64_t hi = std::clamp<int64_t>(int64_t(std::ceil(ratio)), -qmax, qmax);
      c.floor_or_ceil += l.weights[k] == lo || l.weights[k] == hi;
      c.flipped += l.weights[k] != near.q[k];
    }
    c.weights = static_cast<int64_t>(w.size());
    out.push_back(c);
  }
  return out;
}

TEST(AdaRound, EveryWeightIsFloorOrCeilAndTheErrorAtMostNearests) {
  for (const char* method : {"adaround", "cle+adaround"})
    for (bool per_channel : {false, true})
      for (int which = 0; which < 2; ++which) {
        const unsigned seed = 11 + which;
        const Tensor calib = calib_images(seed);
        const PtqOptions opt = adaround_options(method, per_channel);
        const PtqResult r = quantize_ptq(which == 0 ? mobilenet_block(seed) : resnet_block(seed), calib, opt);
        const std::string where = std::string(method) + (per_channel ? " per-channel " : " per-tensor ") +
                                  (which == 0 ? "mobilenet_block" : "resnet_block");
        const std::vector<LayerCheck> layers = check_layers(r, calib, opt);
        ASSERT_EQ(layers.size(), r.adaround.layers.size()) << where;
        double nearest = 0.0, adaround = 0.0;
        int64_t flipped = 0;
        for (size_t i = 0; i < layers.size(); ++i) {
          const LayerCheck& c = layers[i];
          const AdaRoundLayer& rep = r.adaround.layers[i];
          EXPECT_EQ(c.layer, rep.layer) << where;
          EXPECT_EQ(c.floor_or_ceil, c.weights) << where << " " << c.layer;
          // 1e-9 relative: the float rounding of two otherwise identical computations.
          EXPECT_LE(c.adaround, c.nearest * (1.0 + 1e-9)) << where << " " << c.layer;
          EXPECT_NEAR(rep.loss_nearest, c.nearest, 1e-4 * c.nearest + 1e-12) << where << " " << c.layer;
          EXPECT_NEAR(rep.loss_adaround, c.adaround, 1e-4 * c.adaround + 1e-12) << where << " " << c.layer;
          EXPECT_EQ(rep.patches, c.rows) << where << " " << c.layer;  // every output position
          EXPECT_NEAR(rep.flipped, double(c.flipped) / c.weights, 1e-12) << where << " " << c.layer;
          nearest += c.nearest, adaround += c.adaround, flipped += c.flipped;
        }
        EXPECT_GT(flipped, 0) << where;
        EXPECT_LT(adaround, 0.9 * nearest) << where;  // AdaRound buys something back
      }
}

TEST(AdaRound, SameInputsGiveIdenticalBitsOnAnyThreadCount) {
  const Tensor calib = calib_images(5);
  PtqOptions opt = adaround_options("cle+adaround+bc", true);
  opt.adaround.positions = 20;  // sampled positions, not all
  opt.threads = 2;
  const PtqResult a = quantize_ptq(mobilenet_block(5), calib, opt), b = quantize_ptq(mobilenet_block(5), calib, opt);
  opt.threads = 1;
  const PtqResult c = quantize_ptq(mobilenet_block(5), calib, opt);
  ASSERT_EQ(a.network.layers.size(), b.network.layers.size());
  for (size_t i = 0; i < a.network.layers.size(); ++i) {
    EXPECT_EQ(a.network.layers[i].weights, b.network.layers[i].weights) << a.network.layers[i].name;
    EXPECT_EQ(a.network.layers[i].bias, b.network.layers[i].bias) << a.network.layers[i].name;
    EXPECT_EQ(a.network.layers[i].weights, c.network.layers[i].weights) << a.network.layers[i].name;
    EXPECT_EQ(a.network.layers[i].bias, c.network.layers[i].bias) << a.network.layers[i].name;
  }
  for (size_t i = 0; i < a.adaround.layers.size(); ++i) {
    EXPECT_EQ(a.adaround.layers[i].loss_adaround, c.adaround.layers[i].loss_adaround);
    EXPECT_EQ(a.adaround.layers[i].patches, calib.shape[0] * (a.adaround.layers[i].kind == "fc" ? 1 : 20));
  }
  std::vector<std::string> steps;
  for (const PtqStep& s : a.steps) steps.push_back(s.name);
  EXPECT_EQ(steps, (std::vector<std::string>{"bn fold", "cle", "activation ranges", "weights", "adaround",
                                             "bias correction", "lowering"}));
}

// A weighted layer the PTQ passes do not handle (here a MatMul head) keeps nearest rounding and is
// listed; so is a layer whose learned rounding ends worse than nearest (forced by a huge step).
TEST(AdaRound, LayersItCannotImproveFallBackToNearestAndAreListed) {
  Builder b(3);
  const std::string a = b.add(OpType::Relu, "a.act", {b.conv_bn("a", "x", 1, 6, 3)});
  const std::string f = b.add(OpType::Flatten, "flatten", {b.add(OpType::GlobalAveragePool, "gap", {a})});
  b.g.initializers["head.w"] = random_tensor({6, 4}, b.rng, -1.0f, 1.0f);
  const Graph g = b.finish(b.add(OpType::MatMul, "head", {f, "head.w"}));
  const Tensor calib = calib_images(3);
  PtqOptions opt = adaround_options("adaround", false);
  PtqResult r = quantize_ptq(g, calib, opt);
  ASSERT_EQ(r.adaround.fallback.size(), 1u);
  EXPECT_EQ(r.adaround.fallback[0].layer, "head");
  EXPECT_THAT(r.adaround.fallback[0].reason, HasSubstr("MatMul is not a Conv"));

  opt.adaround.learning_rate = 50.0;
  opt.adaround.iterations = 3;
  opt.adaround.lambda = 0.0;
  r = quantize_ptq(resnet_block(3), calib, opt);
  int kept = 0;
  for (const AdaRoundLayer& l : r.adaround.layers) {
    if (!l.kept_nearest) continue;
    ++kept;
    EXPECT_EQ(l.flipped, 0.0) << l.layer;
    EXPECT_EQ(l.loss_adaround, l.loss_nearest) << l.layer;
    bool listed = false;
    for (const AdaRoundFallback& fb : r.adaround.fallback) listed |= fb.layer == l.layer;
    EXPECT_TRUE(listed) << l.layer;
  }
  EXPECT_GT(kept, 0);
}

TEST(AdaRound, BadOptionsAreAOneLineInputError) {
  const Graph g = mobilenet_block(1);
  const Tensor calib = calib_images(1, 4);
  const std::vector<std::pair<std::function<void(AdaRoundOptions&)>, std::string>> cases = {
      {[](AdaRoundOptions& o) { o.iterations = 0; }, "AdaRound iterations 0 must be at least 1"},
      {[](AdaRoundOptions& o) { o.positions = 0; }, "AdaRound positions per image 0 must be at least 1"},
      {[](AdaRoundOptions& o) { o.batch = -2; }, "AdaRound batch -2 must be at least 1"},
      {[](AdaRoundOptions& o) { o.images = -1; }, "AdaRound images -1 must be 0 (all calibration images) or more"},
      {[](AdaRoundOptions& o) { o.learning_rate = 0; }, "AdaRound learning rate 0 must be > 0"},
      {[](AdaRoundOptions& o) { o.lambda = -1; }, "AdaRound lambda -1 must be >= 0"},
      {[](AdaRoundOptions& o) { o.beta_end = 0.5; }, "AdaRound end beta 0.5 must be >= 1"},
      {[](AdaRoundOptions& o) { o.beta_start = 1.5; }, "AdaRound start beta 1.5 must be >= the end beta"},
      {[](AdaRoundOptions& o) { o.warm_start = 1.0; }, "AdaRound warm start 1 must be in [0, 1)"},
  };
  for (const auto& [set, message] : cases) {
    PtqOptions opt = adaround_options("adaround", false);
    set(opt.adaround);
    EXPECT_EQ(error_of([&] { quantize_ptq(g, calib, opt); }), message);
  }
  PtqOptions opt = adaround_options("adaround", false);
  opt.adaround.images = 5;
  EXPECT_EQ(error_of([&] { quantize_ptq(g, calib, opt); }), "AdaRound images: 5 requested, only 4 calibration images");
  for (const char* m : {"adaround", "cle+adaround", "adaround+bc", "cle+adaround+bc"})
    EXPECT_EQ(ptq_method_name(parse_ptq_method(m)), m);
  EXPECT_TRUE(parse_ptq_method("cle+adaround").cle && parse_ptq_method("cle+adaround").adaround);
}

}  // namespace
}  // namespace qarray
