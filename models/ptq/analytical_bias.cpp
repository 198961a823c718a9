#include "models/ptq/analytical_bias.h"

#include <cmath>

#include "base/errors.h"
#include "models/ptq/layer_weights.h"

namespace qarray {

double clipped_normal_mean(double mu, double sigma, double lo, double hi) {
  if (!(sigma > 1e-12 * (1.0 + std::fabs(mu)))) return std::fmin(std::fmax(mu, lo), hi);
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  const auto pdf = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); };
  const double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  const double ca = std::isfinite(a) ? cdf(a) : (a < 0 ? 0.0 : 1.0);
  const double cb = std::isfinite(b) ? cdf(b) : (b < 0 ? 0.0 : 1.0);
  const double pa = std::isfinite(a) ? pdf(a) : 0.0, pb = std::isfinite(b) ? pdf(b) : 0.0;
  double m = mu * (cb - ca) + sigma * (pa - pb);
  if (std::isfinite(lo)) m += lo * ca;
  if (std::isfinite(hi)) m += hi * (1.0 - cb);
  return m;
}

namespace {

// Per input channel E[x] of node `layer`, or an empty vector with the reason.
std::vector<double> input_means(const Graph& g, const std::vector<FoldedBn>& bn, int layer, std::string& why) {
  std::string v = g.nodes[layer].inputs[0];
  double lo = -INFINITY, hi = INFINITY;
  bool clipped = false;
  for (;;) {
    const int p = g.producer(v);
    if (p < 0) return why = "its input is the network input", std::vector<double>{};
    const Node& n = g.nodes[p];
    switch (n.op) {
      case OpType::Identity:
      case OpType::Dropout:
      case OpType::Flatten:
      case OpType::Reshape:
      case OpType::GlobalAveragePool:
        if (clipped) return why = std::string(op_name(n.op)) + " '" + n.name + "' before the activation", std::vector<double>{};
        break;
      case OpType::Relu:
      case OpType::Clip:
        if (clipped) return why = "two activations in a row", std::vector<double>{};
        clipped = true;
        lo = n.op == OpType::Relu ? 0.0 : n.clip_min;
        hi = n.op == OpType::Relu ? INFINITY : n.clip_max;
        break;
      case OpType::Conv:
      case OpType::Gemm: {
        for (const FoldedBn& r : bn)
          if (r.layer == n.name && r.output == v) {
            std::vector<double> m(r.beta.size());
            for (size_t i = 0; i < m.size(); ++i) m[i] = clipped_normal_mean(r.beta[i], std::fabs(r.gamma[i]), lo, hi);
            return m;
          }
        return why = "'" + n.name + "' has no folded BatchNorm", std::vector<double>{};
      }
      default: return why = std::string(op_name(n.op)) + " '" + n.name + "' produces its input", std::vector<double>{};
    }
    v = n.inputs[0];
  }
}

}  // namespace

std::vector<double> tap_coverage(const Graph& g, int node) {
  const Node& n = g.nodes[node];
  if (n.op != OpType::Conv) return {1.0};
  const Shape &in = g.shapes.at(n.inputs[0]), &out = g.shapes.at(n.outputs[0]);
  const Tensor& w = g.init(n.inputs[1]);
  // Per axis: for kernel offset k, the fraction of output rows whose tap lands inside the input.
  const auto axis = [](int64_t size, int64_t out_size, int64_t k_size, int64_t stride, int64_t pad) {
    std::vector<double> f(static_cast<size_t>(k_size), 0.0);
    for (int64_t k = 0; k < k_size; ++k) {
      int64_t inside = 0;
      for (int64_t o = 0; o < out_size; ++o) {
        const int64_t i = o * stride - pad + k;
        inside += i >= 0 && i < size;
      }
      f[static_cast<size_t>(k)] = static_cast<double>(inside) / static_cast<double>(out_size);
    }
    return f;
  };
  const std::vector<double> fy = axis(in.at(1), out.at(1), w.dim(2), n.strides[0], n.pads[0]);
  const std::vector<double> fx = axis(in.at(2), out.at(2), w.dim(3), n.strides[1], n.pads[1]);
  std::vector<double> c;
  for (double y : fy)
    for (double x : fx) c.push_back(y * x);
  return c;
}

Graph correct_bias_analytical(const Graph& graph, const std::vector<FoldedBn>& bn,
                              const std::map<std::string, QuantWeights>& weights, BiasCorrectionReport* report,
                              std::vector<AnalyticalSkip>* skipped) {
  Graph g = graph;
  BiasCorrectionReport rep;
  std::vector<AnalyticalSkip> skip;
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
    if (!is_ptq_layer(g, i)) continue;
    const std::string name = g.nodes[i].name;
    const auto w = weights.find(name);
    if (w == weights.end()) throw InputError("bias correction: no integer weights for layer '" + name + "'");
    std::string why;
    const std::vector<double> ex = input_means(g, bn, i, why);
    const LayerWeights v = layer_weights(g, i);
    if (ex.size() != static_cast<size_t>(v.ic)) {
      skip.push_back({name, why.empty() ? "channel count mismatch" : why});
      continue;
    }
    const std::vector<double> wf = float_weights(g, i), wq = dequantized_weights(w->second, v.oc);
    const int64_t per = row_length(v);
    const std::vector<double> cover = tap_coverage(g, i);  // padded taps read real 0
    make_layer_mutable(g, i);
    Tensor& bias = bias_tensor(g, layer_weights(g, i));
    BiasCorrectionLayer l{name, v.oc, 0.0, 0.0, 0.0};
    for (int64_t o = 0; o < v.oc; ++o) {
      double d = 0.0;
      for (int64_t j = 0; j < per; ++j)
        d += (wq[o * per + j] - wf[o * per + j]) * ex[v.depthwise ? o : j / v.taps] * cover[j % v.taps];
      bias.data[o] = static_cast<float>(bias.data[o] - d);
      l.mean_abs_shift += std::fabs(d) / v.oc;
      l.max_abs_shift = std::max(l.max_abs_shift, std::fabs(d));
    }
    rep.layers.push_back(l);
  }
  if (report) *report = std::move(rep);
  if (skipped) *skipped = std::move(skip);
  return g;
}

}  // namespace qarray
