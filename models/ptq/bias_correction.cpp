#include "models/ptq/bias_correction.h"

#include <cmath>

#include "base/errors.h"
#include "models/ptq/layer_weights.h"

namespace qarray {

OutputMeans::OutputMeans(const Graph& g, int node) : g_(g), node_(node) {
  const LayerWeights v = layer_weights(g, node);
  sum_.assign(v.ic * v.taps, 0.0);
}

void OutputMeans::add(const Tensor& input) {
  const Node& n = g_.nodes[node_];
  const int64_t batch = input.shape.at(0);
  if (n.op == OpType::Gemm) {
    const int64_t k = static_cast<int64_t>(sum_.size());
    if (input.size() != batch * k) throw InputError("bias correction: input of '" + n.name + "' has the wrong size");
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t i = 0; i < k; ++i) sum_[i] += input.data[b * k + i];
    count_ += batch;
    return;
  }
  const Shape& in = g_.shapes.at(n.inputs[0]);
  const int64_t c = in.at(0), h = in.at(1), w = in.at(2);
  if (input.size() != batch * c * h * w) throw InputError("bias correction: input of '" + n.name + "' has the wrong size");
  const int64_t kh = n.kernel.empty() ? g_.init(n.inputs[1]).dim(2) : n.kernel[0];
  const int64_t kw = n.kernel.empty() ? g_.init(n.inputs[1]).dim(3) : n.kernel[1];
  const int64_t sh = n.strides[0], sw = n.strides[1], pt = n.pads[0], pl = n.pads[1];
  const int64_t oh = (h + n.pads[0] + n.pads[2] - kh) / sh + 1, ow = (w + n.pads[1] + n.pads[3] - kw) / sw + 1;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < c; ++i) {
      const float* x = input.ptr() + (b * c + i) * h * w;
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          double s = 0.0;  // padded taps contribute 0 (real zero)
          for (int64_t oy = 0; oy < oh; ++oy) {
            const int64_t y = oy * sh - pt + ky;
            if (y < 0 || y >= h) continue;
            for (int64_t ox = 0; ox < ow; ++ox) {
              const int64_t xx = ox * sw - pl + kx;
              if (xx >= 0 && xx < w) s += x[y * w + xx];
            }
          }
          sum_[i * kh * kw + ky * kw + kx] += s;
        }
    }
  count_ += batch * oh * ow;
}

std::vector<double> OutputMeans::mean(const std::vector<double>& w, const std::vector<double>& bias) const {
  const LayerWeights v = layer_weights(g_, node_);
  const int64_t per = row_length(v);
  std::vector<double> m(v.oc, 0.0);
  const double inv = count_ ? 1.0 / count_ : 0.0;
  for (int64_t o = 0; o < v.oc; ++o) {
    double acc = 0.0;
    for (int64_t j = 0; j < per; ++j) {
      const int64_t i = v.depthwise ? o : j / v.taps;
      acc += w[o * per + j] * sum_[i * v.taps + j % v.taps];
    }
    m[o] = acc * inv + bias[o];
  }
  return m;
}

std::vector<double> float_weights(const Graph& g, int node) {
  const std::vector<float> w = row_major_weights(g, layer_weights(g, node));
  return std::vector<double>(w.begin(), w.end());
}

std::vector<double> dequantized_weights(const QuantWeights& w, int64_t oc) {
  std::vector<double> d(w.q.size());
  const int64_t per = oc ? static_cast<int64_t>(w.q.size()) / oc : 0;
  for (size_t k = 0; k < d.size(); ++k) d[k] = w.scale_of(static_cast<int64_t>(k) / per) * w.q[k];
  return d;
}

Graph correct_bias_empirical(const Graph& reference, const Graph& quantized,
                             const std::map<std::string, QuantWeights>& weights, const Tensor& calib,
                             QuantizedInputs& source, BiasCorrectionReport* report) {
  if (reference.nodes.size() != quantized.nodes.size())
    throw InputError("bias correction: the quantized graph differs from the reference");
  std::vector<int> layers;
  std::map<int, OutputMeans> fp;
  for (int i = 0; i < static_cast<int>(reference.nodes.size()); ++i)
    if (is_ptq_layer(reference, i)) layers.push_back(i), fp.emplace(i, OutputMeans(reference, i));
  for_each_batch(reference, calib, [&](const std::string& value, const Tensor& t) {
    for (auto& [i, m] : fp)
      if (reference.nodes[i].inputs[0] == value) m.add(t);
  });
  Graph q = quantized;
  BiasCorrectionReport rep;
  for (int i : layers) {
    const std::string& name = q.nodes[i].name;
    const auto w = weights.find(name);
    if (w == weights.end()) throw InputError("bias correction: no integer weights for layer '" + name + "'");
    const LayerWeights v = layer_weights(q, i);
    OutputMeans qm(q, i);
    qm.add(source.layer_input(q, name));
    const std::vector<float> b_ref = bias_values(reference, layer_weights(reference, i)), b_q = bias_values(q, v);
    const std::vector<double> e_fp = fp.at(i).mean(float_weights(reference, i), {b_ref.begin(), b_ref.end()});
    const std::vector<double> e_q = qm.mean(dequantized_weights(w->second, v.oc), {b_q.begin(), b_q.end()});
    make_layer_mutable(q, i);
    Tensor& bias = bias_tensor(q, layer_weights(q, i));
    BiasCorrectionLayer l{name, v.oc, 0.0, 0.0, 0.0};
    for (int64_t o = 0; o < v.oc; ++o) {
      const double d = e_q[o] - e_fp[o];
      bias.data[o] = static_cast<float>(b_q[o] - d);
      l.mean_abs_shift += std::fabs(d) / v.oc;
      l.max_abs_shift = std::max(l.max_abs_shift, std::fabs(d));
      l.mean_abs_output += std::fabs(e_fp[o]) / v.oc;
    }
    rep.layers.push_back(l);
  }
  if (report) *report = std::move(rep);
  return q;
}

}  // namespace qarray
