// FP32 kernels of the ops beyond the shipped networks': element-wise functions and broadcasting
// arithmetic, data movement (concat, transpose, slice, pad, resize), reductions and softmax,
// grouped convolution. Straight loops over row-major strides: these ops move little data next
// to the convolutions.
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/fp32_kernels.h"
#include "models/unary.h"

namespace qarray::fp32 {
namespace {

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int64_t k = static_cast<int64_t>(s.size()) - 2; k >= 0; --k) st[k] = st[k + 1] * s[k + 1];
  return st;
}

// Strides of `s` (right-aligned into rank `rank`) with 0 on broadcast axes.
std::vector<int64_t> broadcast_strides(const Shape& s, size_t rank) {
  const std::vector<int64_t> own = strides_of(s);
  std::vector<int64_t> st(rank, 0);
  for (size_t k = 0; k < s.size(); ++k) st[rank - s.size() + k] = s[k] == 1 ? 0 : own[k];
  return st;
}

}  // namespace

Tensor grouped_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node, const Shape& out_shape) {
  const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), g = node.group;
  const int64_t cg = c / g, m = out_shape[1], mg = m / g, plane = h * wd, oplane = out_shape[2] * out_shape[3];
  Node one = node;
  one.group = 1;
  Tensor y(out_shape);
  for (int64_t k = 0; k < g; ++k) {
    Tensor xs(Shape{n, cg, h, wd});
    for (int64_t img = 0; img < n; ++img)
      std::copy_n(x.ptr() + (img * c + k * cg) * plane, cg * plane, xs.ptr() + img * cg * plane);
    Tensor ws(Shape{mg, cg, w.dim(2), w.dim(3)},
              std::vector<float>(w.data.begin() + k * mg * cg * w.dim(2) * w.dim(3),
                                 w.data.begin() + (k + 1) * mg * cg * w.dim(2) * w.dim(3)));
    Tensor bs;
    if (bias) bs = Tensor(Shape{mg}, std::vector<float>(bias->data.begin() + k * mg, bias->data.begin() + (k + 1) * mg));
    const Tensor ys = conv2d(xs, ws, bias ? &bs : nullptr, one, Shape{n, mg, out_shape[2], out_shape[3]});
    for (int64_t img = 0; img < n; ++img)
      std::copy_n(ys.ptr() + img * mg * oplane, mg * oplane, y.ptr() + (img * m + k * mg) * oplane);
  }
  return y;
}

void unary(Tensor& x, const Node& node) {
  for (float& v : x.data) v = static_cast<float>(unary_value(node, v));
}

Tensor binary(const Tensor& a, const Tensor& b, OpType op, const Shape& out_shape) {
  Tensor y(out_shape);
  const size_t rank = out_shape.size();
  const std::vector<int64_t> sa = broadcast_strides(a.shape, rank), sb = broadcast_strides(b.shape, rank);
  const std::vector<int64_t> so = strides_of(out_shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t coord = i / so[d] % out_shape[d];
      ia += coord * sa[d];
      ib += coord * sb[d];
    }
    const float u = a.data[ia], v = b.data[ib];
    switch (op) {
      case OpType::Add: y.data[i] = u + v; break;
      case OpType::Sub: y.data[i] = u - v; break;
      case OpType::Mul: y.data[i] = u * v; break;
      case OpType::Div: y.data[i] = u / v; break;
      default: y.data[i] = u < 0.0f ? v * u : u; break;  // PRelu
    }
  }
  return y;
}

Tensor concat(const std::vector<const Tensor*>& parts, int64_t axis, const Shape& out_shape) {
  Tensor y(out_shape);
  const int64_t outer = num_elements(Shape(out_shape.begin(), out_shape.begin() + axis));
  float* dst = y.ptr();
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* p : parts) {
      const int64_t chunk = p->size() / outer;
      dst = std::copy_n(p->ptr() + o * chunk, chunk, dst);
    }
  return y;
}

Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm, const Shape& out_shape) {
  Tensor y(out_shape);
  const std::vector<int64_t> si = strides_of(x.shape), so = strides_of(out_shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d) src += (i / so[d] % out_shape[d]) * si[perm[d]];
    y.data[i] = x.data[src];
  }
  return y;
}

Tensor slice(const Tensor& x, const Node& node, const Shape& out_shape) {
  const size_t rank = x.shape.size();
  std::vector<int64_t> begin(rank, 0), step(rank, 1);
  for (size_t k = 0; k < node.axes.size(); ++k) {
    const size_t a = node.axes[k] + 1;
    const int64_t d = x.shape[a];
    int64_t s = node.starts[k] < 0 ? node.starts[k] + d : node.starts[k];
    s = node.steps[k] > 0 ? std::clamp<int64_t>(s, 0, d) : std::clamp<int64_t>(s, 0, d - 1);
    begin[a] = s;
    step[a] = node.steps[k];
  }
  Tensor y(out_shape);
  const std::vector<int64_t> si = strides_of(x.shape), so = strides_of(out_shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d) src += (begin[d] + (i / so[d] % out_shape[d]) * step[d]) * si[d];
    y.data[i] = x.data[src];
  }
  return y;
}

Tensor pad(const Tensor& x, const Node& node, const Shape& out_shape) {
  const size_t rank = x.shape.size(), r = rank - 1;
  Tensor y(out_shape);
  const std::vector<int64_t> si = strides_of(x.shape), so = strides_of(out_shape);
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t src = 0;
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      int64_t c = i / so[d] % out_shape[d];
      if (d > 0) {
        c -= node.pad_amounts[d - 1];
        const int64_t n = x.shape[d];
        if (c < 0 || c >= n) {
          if (node.pad_mode == "constant") outside = true;
          else if (node.pad_mode == "edge") c = std::clamp<int64_t>(c, 0, n - 1);
          else c = c < 0 ? -c : 2 * (n - 1) - c;  // reflect (pads < n, checked)
        }
      }
      src += c * si[d];
    }
    (void)r;
    y.data[i] = outside ? node.pad_value : x.data[src];
  }
  return y;
}

namespace {

// Input coordinate of output coordinate `o` (ONNX Resize coordinate_transformation_mode).
double source_coord(const Node& node, int64_t o, int64_t in, int64_t out, double scale) {
  const std::string& m = node.coordinate_mode;
  if (m == "asymmetric") return o / scale;
  // ONNX takes the resized length as in * scale, before flooring.
  if (m == "align_corners") return out == 1 ? 0.0 : o * static_cast<double>(in - 1) / (in * scale - 1.0);
  if (m == "pytorch_half_pixel") return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  return (o + 0.5) / scale - 0.5;  // half_pixel
}

int64_t nearest_index(const Node& node, double c, int64_t in) {
  const std::string& m = node.nearest_mode;
  double r;
  if (m == "floor") r = std::floor(c);
  else if (m == "ceil") r = std::ceil(c);
  else if (m == "round_prefer_ceil") r = std::floor(c + 0.5);
  else r = (c - std::floor(c) == 0.5) ? std::floor(c) : std::round(c);  // round_prefer_floor
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

}  // namespace

Tensor resize(const Tensor& x, const Node& node, const Shape& out_shape) {
  const size_t rank = x.shape.size();
  Tensor y(out_shape);
  const std::vector<int64_t> si = strides_of(x.shape), so = strides_of(out_shape);
  // Per axis: the source coordinate of every output coordinate.
  std::vector<std::vector<double>> coord(rank);
  for (size_t d = 1; d < rank; ++d) {
    const double scale = node.sizes.empty() ? node.scales[d - 1] : static_cast<double>(out_shape[d]) / x.shape[d];
    for (int64_t o = 0; o < out_shape[d]; ++o) coord[d].push_back(source_coord(node, o, x.shape[d], out_shape[d], scale));
  }
  const bool linear = node.resize_mode == "linear";
  for (int64_t i = 0; i < y.size(); ++i) {
    // Linear: the 2^k corners of the axes that move, weighted; nearest: one index per axis.
    int64_t base = 0;
    std::vector<std::pair<int64_t, double>> terms{{0, 1.0}};
    for (size_t d = 0; d < rank; ++d) {
      const int64_t o = i / so[d] % out_shape[d];
      if (d == 0) {
        base += o * si[0];
        continue;
      }
      const int64_t n = x.shape[d];
      if (!linear) {
        base += nearest_index(node, coord[d][o], n) * si[d];
        continue;
      }
      const double c = std::clamp(coord[d][o], 0.0, static_cast<double>(n - 1));
      const int64_t lo = static_cast<int64_t>(std::floor(c)), hi = std::min<int64_t>(lo + 1, n - 1);
      const double f = c - lo;
      if (hi == lo || f == 0.0) {
        base += lo * si[d];
        continue;
      }
      std::vector<std::pair<int64_t, double>> next;
      for (const auto& [off, wgt] : terms) {
        next.push_back({off + lo * si[d], wgt * (1.0 - f)});
        next.push_back({off + hi * si[d], wgt * f});
      }
      terms.swap(next);
    }
    double v = 0.0;
    for (const auto& [off, wgt] : terms) v += wgt * x.data[base + off];
    y.data[i] = static_cast<float>(v);
  }
  return y;
}

Tensor reduce(const Tensor& x, const Node& node, bool mean) {
  const size_t rank = x.shape.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : node.axes) reduced[a + 1] = true;
  Shape kept = x.shape;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d)
    if (reduced[d]) {
      count *= kept[d];
      kept[d] = 1;
    }
  Tensor acc(kept, mean ? 0.0f : -std::numeric_limits<float>::infinity());
  std::vector<double> sum(mean ? acc.size() : 0, 0.0);
  const std::vector<int64_t> si = strides_of(x.shape), sk = strides_of(kept);
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t dst = 0;
    for (size_t d = 0; d < rank; ++d) dst += reduced[d] ? 0 : (i / si[d] % x.shape[d]) * sk[d];
    if (mean) sum[dst] += x.data[i];
    else acc.data[dst] = std::max(acc.data[dst], x.data[i]);
  }
  if (mean)
    for (int64_t k = 0; k < acc.size(); ++k) acc.data[k] = static_cast<float>(sum[k] / count);
  if (!node.keepdims) {
    Shape s;
    for (size_t d = 0; d < rank; ++d)
      if (!reduced[d]) s.push_back(kept[d]);
    acc.shape = s;
  }
  return acc;
}

Tensor global_max_pool(const Tensor& x) {
  const int64_t nc = x.dim(0) * x.dim(1), plane = x.size() / nc;
  Shape s = x.shape;
  for (size_t d = 2; d < s.size(); ++d) s[d] = 1;
  Tensor y(s);
  for (int64_t i = 0; i < nc; ++i) y.data[i] = *std::max_element(x.ptr() + i * plane, x.ptr() + (i + 1) * plane);
  return y;
}

void softmax(Tensor& x, const Node& node, bool log) {
  const size_t a0 = node.axes.front() + 1, a1 = node.axes.back() + 1;
  const int64_t outer = num_elements(Shape(x.shape.begin(), x.shape.begin() + a0));
  const int64_t len = num_elements(Shape(x.shape.begin() + a0, x.shape.begin() + a1 + 1));
  const int64_t inner = num_elements(Shape(x.shape.begin() + a1 + 1, x.shape.end()));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      float* p = x.ptr() + o * len * inner + in;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < len; ++k) mx = std::max(mx, p[k * inner]);
      double sum = 0.0;
      for (int64_t k = 0; k < len; ++k) sum += std::exp(static_cast<double>(p[k * inner]) - mx);
      for (int64_t k = 0; k < len; ++k) {
        const double z = static_cast<double>(p[k * inner]) - mx;
        p[k * inner] = static_cast<float>(log ? z - std::log(sum) : std::exp(z) / sum);
      }
    }
}

}  // namespace qarray::fp32
