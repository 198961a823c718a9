// Cross-layer equalization and high-bias absorption: property tests over random graphs and
// inputs (the FP32 function is unchanged, linked channel ranges become equal) and the report of
// what could not be equalized.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "models/fp32_executor.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/cle.h"
#include "models/ptq/layer_weights.h"
#include "tests/ptq_fixtures.h"

namespace qarray {
namespace {

using namespace ptq_test;
using ::testing::HasSubstr;

int node_index(const Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

// The folded graph with the ReLU6 nodes CLE replaced: the FP32 function CLE must preserve.
Graph with_relu(Graph g, const std::vector<std::string>& replaced) {
  for (const std::string& n : replaced) {
    Node& node = g.nodes[node_index(g, n)];
    node.op = OpType::Relu;
    node.clip_min = -INFINITY;
    node.clip_max = INFINITY;
  }
  return g;
}

Graph fixture(int which, unsigned seed) {
  return which == 0 ? mobilenet_block(seed) : which == 1 ? resnet_block(seed) : plain_chain(seed);
}

// Max relative error of the logits between two graphs on random inputs in [0, 1].
float relative_error(const Graph& a, const Graph& b, unsigned seed) {
  std::mt19937 rng(seed);
  const Tensor x = random_tensor({16, 1, 8, 8}, rng, 0.0f, 1.0f);
  const Tensor ya = Fp32Executor(a).run(x), yb = Fp32Executor(b).run(x);
  return max_abs_diff(ya, yb) / max_abs(ya);
}

TEST(Cle, LeavesTheFp32FunctionUnchangedOverRandomGraphs) {
  for (int which = 0; which < 3; ++which)
    for (unsigned seed = 1; seed <= 5; ++seed)
      for (Relu6Policy policy : {Relu6Policy::AsRelu, Relu6Policy::Skip}) {
        std::vector<FoldedBn> bn;
        const Graph folded = fold_batchnorm(fixture(which, seed), &bn);
        CleOptions opt;
        opt.relu6 = policy;
        opt.absorb_high_bias = false;
        CleReport rep;
        const Graph eq = equalize(folded, bn, opt, &rep);
        if (which != 0 || policy == Relu6Policy::AsRelu) {
          ASSERT_FALSE(rep.chains.empty());
        }
        if (policy == Relu6Policy::Skip) {
          EXPECT_TRUE(rep.relu6_replaced.empty());
        }
        EXPECT_LE(relative_error(with_relu(folded, rep.relu6_replaced), eq, seed + 100), 1e-5f)
            << "fixture " << which << " seed " << seed;
      }
}

TEST(Cle, EqualizesTheRangesOfEveryLinkedChannel) {
  for (int which = 0; which < 3; ++which)
    for (unsigned seed = 1; seed <= 5; ++seed) {
      std::vector<FoldedBn> bn;
      CleReport rep;
      const Graph eq = equalize(fold_batchnorm(fixture(which, seed), &bn), bn, CleOptions{}, &rep);
      for (const CleChain& chain : rep.chains) {
        for (double before : chain.imbalance_before) EXPECT_GT(before, 1.5) << chain.layers[0];
        for (double after : chain.imbalance_after) EXPECT_NEAR(after, 1.0, 1e-5) << chain.layers[0];
        for (size_t j = 1; j < chain.layers.size(); ++j) {
          const LayerWeights a = layer_weights(eq, node_index(eq, chain.layers[j - 1]));
          const LayerWeights b = layer_weights(eq, node_index(eq, chain.layers[j]));
          const std::vector<double> r1 = out_channel_absmax(eq, a), r2 = in_channel_absmax(eq, b);
          for (size_t c = 0; c < r1.size(); ++c) EXPECT_NEAR(r1[c] / r2[c], 1.0, 1e-5) << chain.layers[j];
          if (b.depthwise) {  // triplet: the depthwise filter range equals both neighbours'
            const std::vector<double> r3 = out_channel_absmax(eq, b);
            for (size_t c = 0; c < r1.size(); ++c) EXPECT_NEAR(r3[c] / r1[c], 1.0, 1e-5);
          }
        }
      }
    }
}

TEST(Cle, ReportsChainsAndSkippedPatterns) {
  std::vector<FoldedBn> bn;
  CleReport rep;
  equalize(fold_batchnorm(mobilenet_block(3), &bn), bn, CleOptions{}, &rep);
  ASSERT_EQ(rep.chains.size(), 1u);
  EXPECT_EQ(rep.chains[0].layers, (std::vector<std::string>{"expand", "dw", "project"}));
  EXPECT_EQ(rep.chains[0].method, "triplet-closed-form");
  EXPECT_EQ(rep.relu6_replaced, (std::vector<std::string>{"expand.act", "dw.act"}));
  ASSERT_EQ(rep.skipped.size(), 2u);
  EXPECT_EQ(rep.skipped[0].layer, "stem");
  EXPECT_THAT(rep.skipped[0].reason, HasSubstr("fan-out"));
  EXPECT_EQ(rep.skipped[1].layer, "project");
  EXPECT_THAT(rep.skipped[1].reason, HasSubstr("residual add 'add'"));

  std::vector<FoldedBn> bn2;
  CleOptions keep;
  keep.relu6 = Relu6Policy::Skip;
  equalize(fold_batchnorm(mobilenet_block(3), &bn2), bn2, keep, &rep);
  EXPECT_TRUE(rep.chains.empty());
  ASSERT_EQ(rep.skipped.size(), 4u);
  EXPECT_THAT(rep.skipped[1].reason, HasSubstr("ReLU6 Clip 'expand.act' kept"));

  std::vector<FoldedBn> bn3;
  equalize(fold_batchnorm(resnet_block(3), &bn3), bn3, CleOptions{}, &rep);
  ASSERT_EQ(rep.chains.size(), 2u);
  EXPECT_EQ(rep.chains[0].layers, (std::vector<std::string>{"conv1", "conv2"}));
  EXPECT_EQ(rep.chains[1].layers, (std::vector<std::string>{"conv3", "fc"}));  // through GAP + Flatten

  std::vector<FoldedBn> bn4;
  equalize(fold_batchnorm(plain_chain(3), &bn4), bn4, CleOptions{}, &rep);
  ASSERT_EQ(rep.chains.size(), 1u);
  EXPECT_EQ(rep.chains[0].method, "iterated");
  EXPECT_GT(rep.chains[0].iterations, 1);
  EXPECT_LT(rep.chains[0].iterations, 100);
}

// A layer whose pre-activations provably stay above c = beta - 3|gamma|: BN with mean 0 and
// variance 1 gives gamma * conv + beta, and |conv| <= 0.5 < 3 for a 1x1 conv on inputs in [0, 1].
Graph absorbable(unsigned seed) {
  Builder b(seed);
  b.g.initializers["a.w"] = random_tensor({6, 1, 1, 1}, b.rng, -0.5f, 0.5f);
  const std::string a = b.add(OpType::Conv, "a", {"x", "a.w"});
  b.g.nodes.back().kernel = {1, 1};
  b.g.initializers["a.bn.s"] = random_tensor({6}, b.rng, -0.3f, 0.3f);
  b.g.initializers["a.bn.b"] = random_tensor({6}, b.rng, 1.0f, 3.0f);
  b.g.initializers["a.bn.m"] = Tensor({6}, 0.0f);
  b.g.initializers["a.bn.v"] = Tensor({6}, 1.0f);
  const std::string bn = b.add(OpType::BatchNorm, "a.bn", {a, "a.bn.s", "a.bn.b", "a.bn.m", "a.bn.v"});
  b.g.nodes.back().epsilon = 0.0f;
  const std::string r = b.add(OpType::Relu, "a.act", {bn});
  const std::string c = b.add(OpType::Relu, "c.act", {b.conv_bn("c", r, 6, 6, 1)});
  const std::string d = b.relu6("d.act", b.conv_bn("d", c, 6, 6, 3));
  // Downstream BNs get beta = 0 (nothing to absorb), so only a -> c is absorbed.
  b.g.initializers["c.bn.b"] = Tensor({6}, 0.0f);
  b.g.initializers["d.bn.b"] = Tensor({6}, 0.0f);
  return b.finish(b.head(d, 6, 3));
}

TEST(HighBiasAbsorption, LeavesTheFp32FunctionUnchangedWhereExact) {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    std::vector<FoldedBn> bn;
    const Graph folded = fold_batchnorm(absorbable(seed), &bn);
    CleReport rep;
    const Graph eq = equalize(folded, bn, CleOptions{}, &rep);
    ASSERT_EQ(rep.absorbed.size(), 1u) << seed;
    EXPECT_EQ(rep.absorbed[0].from, "a");
    EXPECT_GT(rep.absorbed[0].max_c, 0.0);
    EXPECT_LE(relative_error(with_relu(folded, rep.relu6_replaced), eq, seed), 1e-5f) << seed;
    // c -> d pads its input: not absorbed, and listed.
    bool listed = false;
    for (const CleSkip& s : rep.absorption_skipped)
      listed |= s.layer == "c -> d" && s.reason.find("pads its input") != std::string::npos;
    EXPECT_TRUE(listed) << seed;
    // The recorded beta moved with the absorbed amount and now satisfies beta <= 3|gamma|.
    for (const FoldedBn& r : bn) {
      if (r.layer != "a") continue;
      for (size_t c = 0; c < r.beta.size(); ++c) EXPECT_LE(r.beta[c], 3.0f * std::fabs(r.gamma[c]) + 1e-5f);
    }
  }
}

}  // namespace
}  // namespace qarray
