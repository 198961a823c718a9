#include "models/ptq/layer_weights.h"

#include <algorithm>
#include <cmath>

#include "base/errors.h"

namespace qarray {

bool is_ptq_layer(const Graph& g, int node) {
  if (node < 0 || node >= static_cast<int>(g.nodes.size())) return false;
  const Node& n = g.nodes[node];
  if (n.op == OpType::Gemm) return !n.trans_a && n.inputs.size() >= 2 && g.is_init(n.inputs[1]);
  if (n.op != OpType::Conv || n.inputs.size() < 2 || !g.is_init(n.inputs[1])) return false;
  if (n.dilations != std::vector<int64_t>{1, 1}) return false;
  const Tensor& w = g.init(n.inputs[1]);
  const auto in = g.shapes.find(n.inputs[0]);
  if (w.shape.size() != 4 || in == g.shapes.end()) return false;
  const int64_t ic = in->second.at(0);
  return n.group == 1 || (n.group == ic && w.dim(0) == ic && w.dim(1) == 1);
}

LayerWeights layer_weights(const Graph& g, int node) {
  if (!is_ptq_layer(g, node))
    throw UnsupportedError("PTQ: node '" + (node >= 0 && node < static_cast<int>(g.nodes.size()) ? g.nodes[node].name : std::string("?")) +
                           "' is not a Conv (group 1 or depthwise) or Gemm layer");
  const Node& n = g.nodes[node];
  const Tensor& w = g.init(n.inputs[1]);
  LayerWeights v;
  v.node = node;
  if (n.op == OpType::Gemm) {
    v.k_major = !n.trans_b;
    v.oc = n.trans_b ? w.dim(0) : w.dim(1);
    v.ic = n.trans_b ? w.dim(1) : w.dim(0);
    return v;
  }
  v.oc = w.dim(0);
  v.ic = g.shapes.at(n.inputs[0]).at(0);
  v.taps = w.dim(2) * w.dim(3);
  v.depthwise = n.group != 1;
  return v;
}

void make_layer_mutable(Graph& g, int node) {
  const LayerWeights v = layer_weights(g, node);
  Node& n = g.nodes[node];
  const std::string wname = n.name + ".w_ptq", bname = n.name + ".b_ptq";
  if (n.inputs[1] != wname) {
    Tensor w = g.init(n.inputs[1]);
    if (n.op == OpType::Gemm)
      for (float& x : w.data) x *= n.alpha;
    g.initializers[wname] = std::move(w);
    n.inputs[1] = wname;
  }
  if (n.inputs.size() < 3 || n.inputs[2] != bname) {
    g.initializers[bname] = Tensor({v.oc}, bias_values(g, v));
    n.inputs.resize(3);
    n.inputs[2] = bname;
  }
  if (n.op == OpType::Gemm) n.alpha = n.beta = 1.0f;
}

Tensor& weight_tensor(Graph& g, const LayerWeights& v) { return g.initializers.at(g.nodes[v.node].inputs[1]); }
const Tensor& weight_tensor(const Graph& g, const LayerWeights& v) { return g.init(g.nodes[v.node].inputs[1]); }

Tensor& bias_tensor(Graph& g, const LayerWeights& v) {
  const Node& n = g.nodes[v.node];
  if (n.inputs.size() < 3 || n.inputs[2].empty())
    throw UnsupportedError("PTQ: layer '" + n.name + "' has no bias (make_layer_mutable first)");
  return g.initializers.at(n.inputs[2]);
}

std::vector<float> bias_values(const Graph& g, const LayerWeights& v) {
  const Node& n = g.nodes[v.node];
  std::vector<float> b(v.oc, 0.0f);
  if (n.inputs.size() < 3 || n.inputs[2].empty()) return b;
  const Tensor& t = g.init(n.inputs[2]);
  if (t.size() != v.oc) throw UnsupportedError("PTQ: bias of '" + n.name + "' must hold one value per output");
  const float beta = n.op == OpType::Gemm ? n.beta : 1.0f;
  for (int64_t o = 0; o < v.oc; ++o) b[o] = beta * t.data[o];
  return b;
}

namespace {
// Calls f(o, i, flat index) for every weight of the layer.
template <typename F>
void for_each_weight(const LayerWeights& v, F f) {
  for (int64_t o = 0; o < v.oc; ++o) {
    const int64_t i0 = v.depthwise ? o : 0, i1 = v.depthwise ? o + 1 : v.ic;
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t t = 0; t < v.taps; ++t) f(o, i, v.index(o, i, t));
  }
}

double gemm_alpha(const Graph& g, const LayerWeights& v) {
  const Node& n = g.nodes[v.node];
  return n.op == OpType::Gemm ? std::fabs(n.alpha) : 1.0;
}
}  // namespace

std::vector<double> out_channel_absmax(const Graph& g, const LayerWeights& v) {
  const Tensor& w = weight_tensor(g, v);
  const double a = gemm_alpha(g, v);
  std::vector<double> r(v.oc, 0.0);
  for_each_weight(v, [&](int64_t o, int64_t, int64_t k) { r[o] = std::max(r[o], a * std::fabs(w.data[k])); });
  return r;
}

std::vector<double> in_channel_absmax(const Graph& g, const LayerWeights& v) {
  const Tensor& w = weight_tensor(g, v);
  const double a = gemm_alpha(g, v);
  std::vector<double> r(v.ic, 0.0);
  for_each_weight(v, [&](int64_t, int64_t i, int64_t k) { r[i] = std::max(r[i], a * std::fabs(w.data[k])); });
  return r;
}

void scale_layer(Graph& g, const LayerWeights& v, const std::vector<double>& in_mul,
                 const std::vector<double>& out_div) {
  Tensor& w = weight_tensor(g, v);
  for_each_weight(v, [&](int64_t o, int64_t i, int64_t k) {
    double f = 1.0;
    if (!in_mul.empty()) f *= in_mul[i];
    if (!out_div.empty()) f /= out_div[o];
    w.data[k] = static_cast<float>(w.data[k] * f);
  });
  if (out_div.empty()) return;
  Tensor& b = bias_tensor(g, v);
  for (int64_t o = 0; o < v.oc; ++o) b.data[o] = static_cast<float>(b.data[o] / out_div[o]);
}

std::vector<double> weights_times_channels(const Graph& g, const LayerWeights& v, const std::vector<double>& x) {
  const Tensor& w = weight_tensor(g, v);
  const double a = g.nodes[v.node].op == OpType::Gemm ? g.nodes[v.node].alpha : 1.0;
  std::vector<double> y(v.oc, 0.0);
  for_each_weight(v, [&](int64_t o, int64_t i, int64_t k) { y[o] += a * w.data[k] * x[i]; });
  return y;
}

int64_t row_length(const LayerWeights& v) { return v.depthwise ? v.taps : v.ic * v.taps; }

std::vector<float> row_major_weights(const Graph& g, const LayerWeights& v) {
  const Tensor& t = weight_tensor(g, v);
  const Node& n = g.nodes[v.node];
  const float alpha = n.op == OpType::Gemm ? n.alpha : 1.0f;
  const int64_t per = row_length(v);
  std::vector<float> w(v.oc * per);
  for (int64_t o = 0; o < v.oc; ++o)
    for (int64_t j = 0; j < per; ++j) {
      const int64_t i = v.depthwise ? o : j / v.taps;
      w[o * per + j] = alpha * t.data[v.index(o, i, j % v.taps)];
    }
  return w;
}

}  // namespace qarray
