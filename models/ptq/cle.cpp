#include "models/ptq/cle.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/ptq/layer_weights.h"

namespace qarray {
namespace {

bool is_relu6(const Node& n) { return n.op == OpType::Clip && n.clip_min == 0.0f && n.clip_max == 6.0f; }
bool is_relu(const Node& n) {
  return n.op == OpType::Relu || (n.op == OpType::Clip && n.clip_min == 0.0f && std::isinf(n.clip_max) && n.clip_max > 0);
}

struct Link {
  int first = -1, second = -1;
  std::vector<int> via;  // nodes between the two layers
};

// Follows layer `from`'s output to the next layer. Returns false with the reason the output
// cannot be linked (empty when it simply reaches the graph output).
bool find_link(const Graph& g, int from, Relu6Policy relu6, Link& link, std::string& why) {
  link = Link{from, -1, {}};
  std::string v = g.nodes[from].outputs[0];
  for (;;) {
    const std::vector<int> readers = g.consumers(v);
    if (readers.size() == 1 && readers[0] == -1) return why.clear(), false;
    if (readers.size() != 1) {
      why = "fan-out: value '" + v + "' has " + std::to_string(readers.size()) + " readers";
      return false;
    }
    const int r = readers[0];
    const Node& n = g.nodes[r];
    const std::string quoted = std::string(op_name(n.op)) + " '" + n.name + "'";
    switch (n.op) {
      case OpType::Relu:
      case OpType::Identity:
      case OpType::Dropout:
      case OpType::MaxPool:
      case OpType::GlobalAveragePool: break;
      case OpType::AveragePool:
        if (n.count_include_pad && std::any_of(n.pads.begin(), n.pads.end(), [](int64_t p) { return p != 0; }))
          return why = quoted + " averages padded zeros between", false;
        break;
      case OpType::Clip:
        if (is_relu6(n) && relu6 == Relu6Policy::Skip) return why = "ReLU6 " + quoted + " kept (policy: skip)", false;
        if (!is_relu6(n) && !is_relu(n)) return why = quoted + " with bounds other than ReLU/ReLU6 between", false;
        break;
      case OpType::Flatten:
      case OpType::Reshape: {
        const Shape& s = g.shapes.at(v);
        if (s.empty() || num_elements(s) != s[0]) return why = quoted + " mixes spatial positions into channels", false;
        break;
      }
      case OpType::Conv:
      case OpType::Gemm:
        if (n.inputs[0] != v || !is_ptq_layer(g, r))
          return why = quoted + " is not an equalizable layer (grouped, dilated, or reads it as a weight)", false;
        if (layer_weights(g, r).ic != layer_weights(g, from).oc)
          return why = quoted + " input channels differ from the output channels", false;
        link.second = r;
        return true;
      case OpType::Add: return why = "residual add '" + n.name + "' between", false;
      default: return why = quoted + " between", false;
    }
    link.via.push_back(r);
    v = n.outputs[0];
  }
}

FoldedBn* bn_of(std::vector<FoldedBn>& bn, const std::string& layer) {
  for (FoldedBn& b : bn)
    if (b.layer == layer) return &b;
  return nullptr;
}

// max over channels of max(r)/min(r) across the given per-channel ranges (zero channels ignored).
double imbalance(const std::vector<std::vector<double>>& ranges) {
  double worst = 1.0;
  for (size_t c = 0; c < ranges[0].size(); ++c) {
    double lo = INFINITY, hi = 0.0;
    for (const auto& r : ranges) lo = std::min(lo, r[c]), hi = std::max(hi, r[c]);
    if (lo > 0) worst = std::max(worst, hi / lo);
  }
  return worst;
}

double safe_ratio(double num, double den) {
  const double s = num / den;
  return num > 0 && den > 0 && std::isfinite(s) ? s : 1.0;
}

struct Equalizer {
  Graph& g;
  std::vector<FoldedBn>& bn;
  const CleOptions& opt;

  // Output channel c of layer a divided by s[c], input channel c of layer b multiplied by s[c].
  void apply(const LayerWeights& a, const LayerWeights& b, const std::vector<double>& s) {
    scale_layer(g, a, {}, s);
    scale_layer(g, b, s, {});
    if (FoldedBn* r = bn_of(bn, g.nodes[a.node].name))
      for (size_t c = 0; c < s.size(); ++c) {
        r->gamma[c] = static_cast<float>(r->gamma[c] / s[c]);
        r->beta[c] = static_cast<float>(r->beta[c] / s[c]);
      }
  }

  std::vector<double> link_imbalance(const std::vector<LayerWeights>& v) {
    std::vector<double> out;
    for (size_t j = 1; j < v.size(); ++j) {
      std::vector<std::vector<double>> r{out_channel_absmax(g, v[j - 1]), in_channel_absmax(g, v[j])};
      out.push_back(imbalance(r));
    }
    return out;
  }

  CleChain run(const std::vector<int>& layers) {
    CleChain chain;
    std::vector<LayerWeights> v;
    for (int n : layers) {
      make_layer_mutable(g, n);
      v.push_back(layer_weights(g, n));
      chain.layers.push_back(g.nodes[n].name);
    }
    chain.imbalance_before = link_imbalance(v);
    if (v.size() == 3 && v[1].depthwise) {
      chain.method = "triplet-closed-form";
      const auto r1 = out_channel_absmax(g, v[0]), r2 = out_channel_absmax(g, v[1]), r3 = in_channel_absmax(g, v[2]);
      std::vector<double> s1(r1.size()), s2(r1.size());
      for (size_t c = 0; c < r1.size(); ++c) {
        const double t = std::cbrt(r1[c] * r2[c] * r3[c]);
        s1[c] = t > 0 ? safe_ratio(r1[c], t) : 1.0;
        s2[c] = t > 0 ? safe_ratio(t, r3[c]) : 1.0;
      }
      apply(v[0], v[1], s1);
      apply(v[1], v[2], s2);
    } else {
      chain.method = v.size() == 2 ? "pair" : "iterated";
      const int cap = v.size() == 2 ? 1 : opt.max_iterations;
      for (chain.iterations = 1; chain.iterations <= cap; ++chain.iterations) {
        double dev = 0.0;
        for (size_t j = 1; j < v.size(); ++j) {
          const auto r1 = out_channel_absmax(g, v[j - 1]), r2 = in_channel_absmax(g, v[j]);
          std::vector<double> s(r1.size());
          for (size_t c = 0; c < s.size(); ++c) s[c] = std::sqrt(safe_ratio(r1[c], r2[c]));
          for (double x : s) dev = std::max(dev, std::fabs(x - 1.0));
          apply(v[j - 1], v[j], s);
        }
        if (dev < opt.tolerance || chain.iterations == cap) break;
      }
    }
    chain.imbalance_after = link_imbalance(v);
    return chain;
  }

  // High-bias absorption over one link; returns false with a reason when it does not apply.
  bool absorb(const Link& link, Absorption& done, std::string& why) {
    const Node& second = g.nodes[link.second];
    FoldedBn* r = bn_of(bn, g.nodes[link.first].name);
    if (!r) return why = "no folded BatchNorm statistics", false;
    if (second.op == OpType::Conv && std::any_of(second.pads.begin(), second.pads.end(), [](int64_t p) { return p != 0; }))
      return why = "'" + second.name + "' pads its input (padding would insert 0, not c)", false;
    const LayerWeights a = layer_weights(g, link.first), b = layer_weights(g, link.second);
    std::vector<double> c(a.oc, 0.0);
    for (int64_t i = 0; i < a.oc; ++i) {
      c[i] = std::max(0.0, double(r->beta[i]) - 3.0 * std::fabs(double(r->gamma[i])));
      done.channels += c[i] > 0;
      done.max_c = std::max(done.max_c, c[i]);
    }
    if (done.channels == 0) return why = "no channel has beta > 3|gamma|", false;
    const std::vector<double> shift = weights_times_channels(g, b, c);
    Tensor& b1 = bias_tensor(g, a);
    Tensor& b2 = bias_tensor(g, b);
    for (int64_t i = 0; i < a.oc; ++i) {
      b1.data[i] = static_cast<float>(b1.data[i] - c[i]);
      r->beta[i] = static_cast<float>(r->beta[i] - c[i]);
    }
    for (int64_t o = 0; o < b.oc; ++o) b2.data[o] = static_cast<float>(b2.data[o] + shift[o]);
    return true;
  }
};

}  // namespace

Graph equalize(const Graph& folded, std::vector<FoldedBn>& bn, const CleOptions& opt, CleReport* report) {
  Graph g = folded;
  CleReport rep;
  const int count = static_cast<int>(g.nodes.size());
  std::map<int, Link> next;
  std::vector<bool> has_prev(count, false);
  for (int i = 0; i < count; ++i) {
    if (!is_ptq_layer(g, i)) continue;
    Link link;
    std::string why;
    if (find_link(g, i, opt.relu6, link, why)) {
      next[i] = link;
      has_prev[link.second] = true;
    } else if (!why.empty()) {
      rep.skipped.push_back({g.nodes[i].name, why});
    }
  }
  Equalizer eq{g, bn, opt};
  for (const auto& [start, unused] : next) {
    if (has_prev[start]) continue;
    std::vector<int> layers{start};
    std::vector<Link> links;
    for (auto it = next.find(start); it != next.end(); it = next.find(it->second.second)) {
      links.push_back(it->second);
      layers.push_back(it->second.second);
    }
    for (const Link& l : links)
      for (int n : l.via)
        if (is_relu6(g.nodes[n])) {  // only reachable under Relu6Policy::AsRelu
          g.nodes[n].op = OpType::Relu;
          g.nodes[n].clip_min = -INFINITY;
          g.nodes[n].clip_max = INFINITY;
          rep.relu6_replaced.push_back(g.nodes[n].name);
        }
    rep.chains.push_back(eq.run(layers));
    if (!opt.absorb_high_bias) continue;
    for (const Link& l : links) {
      Absorption a{g.nodes[l.first].name, g.nodes[l.second].name, 0, 0.0};
      std::string why;
      if (eq.absorb(l, a, why)) rep.absorbed.push_back(a);
      else rep.absorption_skipped.push_back({a.from + " -> " + a.to, why});
    }
  }
  if (report) *report = std::move(rep);
  return g;
}

}  // namespace qarray
