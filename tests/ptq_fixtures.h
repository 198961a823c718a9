// Small hand-built graphs with the patterns of the shipped models, for the PTQ tests: a
// MobileNetV2-style inverted residual (ReLU6, depthwise, residual add), a ResNet-style basic
// block (padded 3x3 pair, residual add, max pool, GAP -> FC) and a plain chain of four layers.
// BN parameters are spread over two decades so that CLE has real imbalance to remove.
#pragma once
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "base/errors.h"
#include "models/graph.h"

namespace qarray::ptq_test {

inline Tensor random_tensor(Shape s, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  Tensor t(std::move(s));
  for (auto& v : t.data) v = d(rng);
  return t;
}

inline Tensor log_uniform(Shape s, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(std::log(lo), std::log(hi));
  Tensor t(std::move(s));
  for (auto& v : t.data) v = std::exp(d(rng));
  return t;
}

struct Builder {
  Graph g;
  std::mt19937 rng;
  explicit Builder(unsigned seed, Shape input = {1, 8, 8}) : rng(seed) {
    g.name = "ptq_fixture";
    g.input = "x";
    g.input_shape = std::move(input);
  }

  std::string add(OpType op, const std::string& name, std::vector<std::string> in) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(in);
    n.outputs = {name + ".out"};
    g.nodes.push_back(n);
    return n.outputs[0];
  }
  // Conv (k x k, stride 1, same padding) + BN; group = cin for depthwise.
  std::string conv_bn(const std::string& name, const std::string& in, int64_t cin, int64_t cout, int64_t k,
                      bool depthwise = false) {
    const int64_t per = depthwise ? 1 : cin;
    g.initializers[name + ".w"] = random_tensor({cout, per, k, k}, rng, -0.5f, 0.5f);
    std::string v = add(OpType::Conv, name, {in, name + ".w"});
    Node& c = g.nodes.back();
    c.kernel = {k, k};
    c.pads = {k / 2, k / 2, k / 2, k / 2};
    c.group = depthwise ? cin : 1;
    g.initializers[name + ".bn.s"] = log_uniform({cout}, rng, 0.05f, 5.0f);
    g.initializers[name + ".bn.b"] = random_tensor({cout}, rng, -0.5f, 1.5f);
    g.initializers[name + ".bn.m"] = random_tensor({cout}, rng, -0.2f, 0.2f);
    g.initializers[name + ".bn.v"] = random_tensor({cout}, rng, 0.5f, 2.0f);
    return add(OpType::BatchNorm, name + ".bn",
               {v, name + ".bn.s", name + ".bn.b", name + ".bn.m", name + ".bn.v"});
  }
  std::string relu6(const std::string& name, const std::string& in) {
    std::string v = add(OpType::Clip, name, {in});
    g.nodes.back().clip_min = 0.0f;
    g.nodes.back().clip_max = 6.0f;
    return v;
  }
  std::string head(const std::string& in, int64_t c, int64_t classes) {
    const std::string p = add(OpType::GlobalAveragePool, "gap", {in});
    const std::string f = add(OpType::Flatten, "flatten", {p});
    g.initializers["fc.w"] = random_tensor({classes, c}, rng, -1.0f, 1.0f);
    g.initializers["fc.b"] = random_tensor({classes}, rng, -0.1f, 0.1f);
    const std::string out = add(OpType::Gemm, "fc", {f, "fc.w", "fc.b"});
    g.nodes.back().trans_b = true;
    return out;
  }
  Graph finish(const std::string& out) {
    g.output = out;
    infer_shapes(g);
    return g;
  }
};

// stem(ReLU6, fan-out) -> expand(ReLU6) -> dw(ReLU6) -> project -> add(stem) -> GAP -> FC.
inline Graph mobilenet_block(unsigned seed) {
  Builder b(seed);
  const std::string stem = b.relu6("stem.act", b.conv_bn("stem", "x", 1, 8, 3));
  const std::string e = b.relu6("expand.act", b.conv_bn("expand", stem, 8, 16, 1));
  const std::string d = b.relu6("dw.act", b.conv_bn("dw", e, 16, 16, 3, true));
  const std::string p = b.conv_bn("project", d, 16, 8, 1);
  const std::string s = b.add(OpType::Add, "add", {stem, p});
  return b.finish(b.head(s, 8, 5));
}

// stem(ReLU, fan-out) -> conv1(ReLU) -> conv2 -> add(stem) -> ReLU -> maxpool -> conv3(ReLU)
// -> GAP -> FC.
inline Graph resnet_block(unsigned seed) {
  Builder b(seed);
  const std::string stem = b.add(OpType::Relu, "stem.act", {b.conv_bn("stem", "x", 1, 8, 3)});
  const std::string c1 = b.add(OpType::Relu, "conv1.act", {b.conv_bn("conv1", stem, 8, 8, 3)});
  const std::string c2 = b.conv_bn("conv2", c1, 8, 8, 3);
  const std::string r = b.add(OpType::Relu, "add.act", {b.add(OpType::Add, "add", {stem, c2})});
  const std::string mp = b.add(OpType::MaxPool, "pool", {r});
  b.g.nodes.back().kernel = {2, 2};
  b.g.nodes.back().strides = {2, 2};
  const std::string c3 = b.add(OpType::Relu, "conv3.act", {b.conv_bn("conv3", mp, 8, 12, 1)});
  return b.finish(b.head(c3, 12, 5));
}

// conv(ReLU) -> conv(ReLU) -> conv1x1 -> GAP -> FC: one chain of four layers.
inline Graph plain_chain(unsigned seed) {
  Builder b(seed);
  const std::string a = b.add(OpType::Relu, "a.act", {b.conv_bn("a", "x", 1, 6, 3)});
  const std::string c = b.add(OpType::Relu, "b.act", {b.conv_bn("b", a, 6, 6, 3)});
  const std::string d = b.conv_bn("c", c, 6, 6, 1);
  return b.finish(b.head(d, 6, 4));
}

inline float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.data) m = std::max(m, std::fabs(v));
  return m;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  float m = 0;
  for (size_t i = 0; i < a.data.size(); ++i) m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  return m;
}

// The message of the InputError f throws, or "(no InputError)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace qarray::ptq_test
