// BN folding and lowering on a small hand-built graph with every pattern of the shipped models
// (conv+BN+ReLU, depthwise+BN+ReLU6, 1x1 conv+BN, residual add+ReLU, global pool, flatten, FC).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/ptq/bn_fold.h"
#include "workloads/calibration.h"
#include "workloads/golden.h"
#include "workloads/lowering.h"

namespace qarray {
namespace {

Tensor random_tensor(Shape s, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(std::move(s));
  for (auto& v : t.data) v = d(rng);
  return t;
}

Node node(OpType op, std::string name, std::vector<std::string> in, std::string out) {
  Node n;
  n.op = op;
  n.name = std::move(name);
  n.inputs = std::move(in);
  n.outputs = {std::move(out)};
  return n;
}

void add_bn(Graph& g, std::mt19937& rng, const std::string& name, int64_t c, const std::string& in,
            const std::string& out) {
  g.initializers[name + ".s"] = random_tensor({c}, rng, 0.5f, 1.5f);
  g.initializers[name + ".b"] = random_tensor({c}, rng, -0.3f, 0.3f);
  g.initializers[name + ".m"] = random_tensor({c}, rng, -0.2f, 0.2f);
  g.initializers[name + ".v"] = random_tensor({c}, rng, 0.5f, 2.0f);
  g.nodes.push_back(node(OpType::BatchNorm, name, {in, name + ".s", name + ".b", name + ".m", name + ".v"}, out));
}

Graph small_graph() {
  std::mt19937 rng(31);
  Graph g;
  g.name = "small";
  g.input = "x";
  g.input_shape = {1, 8, 8};
  g.output = "logits";
  g.initializers["w1"] = random_tensor({4, 1, 3, 3}, rng, -0.5f, 0.5f);
  Node c1 = node(OpType::Conv, "conv1", {"x", "w1"}, "c1");
  c1.kernel = {3, 3};
  c1.pads = {1, 1, 1, 1};
  g.nodes.push_back(c1);
  add_bn(g, rng, "bn1", 4, "c1", "b1");
  g.nodes.push_back(node(OpType::Relu, "relu1", {"b1"}, "r1"));
  g.initializers["wd"] = random_tensor({4, 1, 3, 3}, rng, -0.8f, 0.8f);
  Node dw = node(OpType::Conv, "dw", {"r1", "wd"}, "d");
  dw.group = 4;
  dw.kernel = {3, 3};
  dw.pads = {1, 1, 1, 1};
  g.nodes.push_back(dw);
  add_bn(g, rng, "bn2", 4, "d", "b2");
  Node clip = node(OpType::Clip, "relu6", {"b2"}, "r2");
  clip.clip_min = 0.0f;
  clip.clip_max = 6.0f;
  g.nodes.push_back(clip);
  g.initializers["wp"] = random_tensor({4, 4, 1, 1}, rng, -0.6f, 0.6f);
  Node project = node(OpType::Conv, "project", {"r2", "wp"}, "p");
  project.kernel = {1, 1};
  g.nodes.push_back(project);
  add_bn(g, rng, "bn3", 4, "p", "b3");
  g.nodes.push_back(node(OpType::Add, "add", {"b3", "r1"}, "s"));
  g.nodes.push_back(node(OpType::Relu, "relu_add", {"s"}, "r3"));
  g.nodes.push_back(node(OpType::GlobalAveragePool, "gap", {"r3"}, "gp"));
  g.nodes.push_back(node(OpType::Flatten, "flatten", {"gp"}, "f"));
  g.initializers["wfc"] = random_tensor({3, 4}, rng, -1.0f, 1.0f);
  g.initializers["bfc"] = random_tensor({3}, rng, -0.1f, 0.1f);
  Node fc = node(OpType::Gemm, "fc", {"f", "wfc", "bfc"}, "logits");
  fc.trans_b = true;
  g.nodes.push_back(fc);
  infer_shapes(g);
  return g;
}

float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.data) m = std::max(m, std::fabs(v));
  return m;
}

TEST(BnFold, LeavesTheFp32FunctionUnchanged) {
  const Graph g = small_graph();
  std::vector<FoldedBn> folded;
  const Graph f = fold_batchnorm(g, &folded);
  ASSERT_EQ(folded.size(), 3u);
  EXPECT_EQ(folded[0].layer, "conv1");
  for (const Node& n : f.nodes) EXPECT_NE(n.op, OpType::BatchNorm);
  std::mt19937 rng(8);
  const Tensor x = random_tensor({16, 1, 8, 8}, rng, 0.0f, 1.0f);
  const Tensor a = Fp32Executor(g).run(x), b = Fp32Executor(f).run(x);
  float err = 0;
  for (size_t i = 0; i < a.data.size(); ++i) err = std::max(err, std::fabs(a.data[i] - b.data[i]));
  EXPECT_LE(err, 1e-5f * max_abs(a));
}

TEST(Lowering, FusesActivationsAndKeepsPoolGrids) {
  const Graph f = fold_batchnorm(small_graph());
  std::mt19937 rng(9);
  const RangeTable ranges = observe_minmax(f, random_tensor({64, 1, 8, 8}, rng, 0.0f, 1.0f));
  const Network net = lower_graph(f, ranges, QuantSpec{});
  std::vector<std::string> kinds;
  for (const Layer& l : net.layers) kinds.push_back(layer_kind_name(l.kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"conv", "depthwise", "conv", "add", "avgpool", "fc"}));
  const Layer& dw = net.layers[1];
  const ActQuant& q = net.tensors[dw.output].quant;
  EXPECT_EQ(dw.clamp_lo, q.zero_point);               // ReLU6 lower bound is real 0
  EXPECT_EQ(dw.clamp_hi, std::min(255, q.quantize(6.0)));  // and upper bound real 6
  EXPECT_EQ(net.tensors[net.layers[4].output].quant.scale, net.tensors[net.layers[4].inputs[0]].quant.scale);
  EXPECT_EQ(net.tensors[net.input].quant.scale, ranges.at("x").hi / 255.0);
}

// The integer network tracks the FP32 one, and tracks it far closer at 12 bits than at 8 (not 16:
// 16x16-bit products overflow a 32-bit accumulator within a few taps, as the contract reports).
TEST(Lowering, IntegerOutputsTrackFp32AndImproveWithBits) {
  const Graph f = fold_batchnorm(small_graph());
  std::mt19937 rng(10);
  // Calibrate on the evaluated inputs themselves so that no value is clipped: what remains is
  // rounding error alone, which must shrink with the grid.
  const Tensor x = random_tensor({32, 1, 8, 8}, rng, 0.0f, 1.0f);
  const Tensor& calib = x;
  const Tensor ref = Fp32Executor(f).run(x);
  float errs[2];
  int bits[2] = {8, 12};
  for (int i = 0; i < 2; ++i) {
    QuantSpec spec;
    spec.weight_bits = spec.act_bits = bits[i];
    const Network net = lower_graph(f, observe_minmax(f, calib), spec);
    const GoldenExecutor gold(net);
    const Tensor y = gold.dequantize_output(gold.run(gold.quantize_input(x)));
    errs[i] = 0;
    for (size_t k = 0; k < y.data.size(); ++k) errs[i] = std::max(errs[i], std::fabs(y.data[k] - ref.data[k]));
    errs[i] /= max_abs(ref);
  }
  EXPECT_LT(errs[0], 0.05f);
  EXPECT_LT(errs[1], errs[0] / 8);
}

// A ReLU after the global pool has no conv/fc/add to fuse into: it becomes a lookup table on the
// vector unit, one entry per input code (workloads/vector_rules.h), and an op without an integer
// rule is refused by name.
TEST(Lowering, StandaloneActivationBecomesALookupTable) {
  Graph g = small_graph();
  g.nodes.insert(g.nodes.begin() + static_cast<long>(g.nodes.size()) - 2, node(OpType::Relu, "late_relu", {"gp"}, "gp2"));
  for (Node& n : g.nodes)
    if (n.name == "flatten") n.inputs = {"gp2"};
  infer_shapes(g);
  const Graph f = fold_batchnorm(g);
  std::mt19937 rng(1);
  const RangeTable ranges = observe_minmax(f, random_tensor({4, 1, 8, 8}, rng, 0.0f, 1.0f));
  const Network net = lower_graph(f, ranges, QuantSpec{});
  const Layer* lut = nullptr;
  for (const Layer& l : net.layers)
    if (l.name == "late_relu") lut = &l;
  ASSERT_NE(lut, nullptr);
  EXPECT_EQ(lut->kind, LayerKind::Lut);
  EXPECT_EQ(lut->lut_shift, 0);
  ASSERT_EQ(lut->table.size(), 257u);
  const ActQuant& x = net.tensors[lut->inputs[0]].quant;
  const ActQuant& y = net.tensors[lut->output].quant;
  for (int32_t q = 0; q < 256; ++q) {
    const int64_t want = std::clamp<int64_t>(round_half_away(std::max(0.0, x.scale * (q - x.zero_point)) / y.scale) + y.zero_point, 0, 255);
    EXPECT_EQ(lut->table[q], want) << "code " << q;
  }
  Graph h = g;
  for (Node& n : h.nodes)
    if (n.name == "late_relu") n.op = OpType::Softmax, n.axes = {0};
  infer_shapes(h);
  const Graph fh = fold_batchnorm(h);
  try {
    lower_graph(fh, observe_minmax(fh, random_tensor({4, 1, 8, 8}, rng, 0.0f, 1.0f)), QuantSpec{});
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("Softmax node 'late_relu': the op has no integer rule"));
  }
}

}  // namespace
}  // namespace qarray
