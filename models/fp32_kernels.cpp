// Elementwise and pooling kernels of the FP32 executor.
#include "models/fp32_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qarray::fp32 {

void batch_norm(Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& mean,
                const Tensor& var, float epsilon) {
  const int64_t n = x.dim(0), c = x.dim(1), plane = x.size() / (n * c);
  for (int64_t ch = 0; ch < c; ++ch) {
    // Same operation order as the ONNX definition, folded to one multiply-add per element.
    const float a = scale.data[ch] / std::sqrt(var.data[ch] + epsilon);
    const float b = shift.data[ch] - mean.data[ch] * a;
    for (int64_t img = 0; img < n; ++img) {
      float* p = x.ptr() + (img * c + ch) * plane;
      for (int64_t i = 0; i < plane; ++i) p[i] = p[i] * a + b;
    }
  }
}

void clip(Tensor& x, float lo, float hi) {
  for (float& v : x.data) v = std::min(std::max(v, lo), hi);
}

void add(Tensor& a, const Tensor& b) {
  float* pa = a.ptr();
  const float* pb = b.ptr();
  for (int64_t i = 0, n = a.size(); i < n; ++i) pa[i] += pb[i];
}

namespace {

// Visits every output position of a 2-D window op. The window starts at input (h0, w0), which
// may lie in the padding; kernel rows [ki0, ki1) and columns [kj0, kj1) are those inside the
// input. fn reduces them to the output value.
template <typename Fn>
Tensor pool(const Tensor& x, const Node& node, const Shape& out_shape, Fn fn) {
  const int64_t nc = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t ho = out_shape[2], wo = out_shape[3];
  const int64_t kh = node.kernel[0], kw = node.kernel[1], sh = node.strides[0],
                sw = node.strides[1], dh = node.dilations[0], dw = node.dilations[1];
  Tensor y(out_shape);
  for (int64_t plane = 0; plane < nc; ++plane) {
    const float* src = x.ptr() + plane * h * w;
    float* dst = y.ptr() + plane * ho * wo;
    for (int64_t oh = 0; oh < ho; ++oh) {
      const int64_t h0 = oh * sh - node.pads[0];
      // First/last kernel rows that land inside the input.
      int64_t ki0 = 0, ki1 = kh;
      while (ki0 < kh && h0 + ki0 * dh < 0) ++ki0;
      while (ki1 > ki0 && h0 + (ki1 - 1) * dh >= h) --ki1;
      for (int64_t ow = 0; ow < wo; ++ow) {
        const int64_t w0 = ow * sw - node.pads[1];
        int64_t kj0 = 0, kj1 = kw;
        while (kj0 < kw && w0 + kj0 * dw < 0) ++kj0;
        while (kj1 > kj0 && w0 + (kj1 - 1) * dw >= w) --kj1;
        dst[oh * wo + ow] = fn(src, w, h0, w0, ki0, ki1, kj0, kj1);
      }
    }
  }
  return y;
}

}  // namespace

Tensor max_pool(const Tensor& x, const Node& node, const Shape& out_shape) {
  const int64_t dh = node.dilations[0], dw = node.dilations[1];
  return pool(x, node, out_shape,
              [dh, dw](const float* src, int64_t w, int64_t h0, int64_t w0, int64_t ki0,
                       int64_t ki1, int64_t kj0, int64_t kj1) {
                float best = -std::numeric_limits<float>::infinity();  // padding never wins
                for (int64_t ki = ki0; ki < ki1; ++ki) {
                  const float* row = src + (h0 + ki * dh) * w;
                  for (int64_t kj = kj0; kj < kj1; ++kj) best = std::max(best, row[w0 + kj * dw]);
                }
                return best;
              });
}

Tensor average_pool(const Tensor& x, const Node& node, const Shape& out_shape) {
  const bool include_pad = node.count_include_pad;
  const int64_t dh = node.dilations[0], dw = node.dilations[1];
  // With count_include_pad the divisor counts the taps inside input + pads: the whole kernel,
  // except for a ceil_mode window that reaches past the bottom/right pad.
  const int64_t kh = node.kernel[0], kw = node.kernel[1], h_end = x.dim(2) + node.pads[2],
                w_end = x.dim(3) + node.pads[3];
  return pool(x, node, out_shape,
              [=](const float* src, int64_t w, int64_t h0, int64_t w0,
                  int64_t ki0, int64_t ki1, int64_t kj0, int64_t kj1) {
                float sum = 0.0f;
                for (int64_t ki = ki0; ki < ki1; ++ki) {
                  const float* row = src + (h0 + ki * dh) * w;
                  for (int64_t kj = kj0; kj < kj1; ++kj) sum += row[w0 + kj * dw];
                }
                float count = static_cast<float>((ki1 - ki0) * (kj1 - kj0));
                const float padded = static_cast<float>((std::min(h0 + kh, h_end) - h0) * (std::min(w0 + kw, w_end) - w0));
                return sum / (include_pad ? padded : count);
              });
}

Tensor global_average_pool(const Tensor& x) {
  const int64_t n = x.dim(0), c = x.dim(1), plane = x.size() / (n * c);
  Tensor y(Shape{n, c, 1, 1});
  for (int64_t i = 0; i < n * c; ++i) {
    const float* p = x.ptr() + i * plane;
    float sum = 0.0f;
    for (int64_t j = 0; j < plane; ++j) sum += p[j];
    y.data[i] = sum / static_cast<float>(plane);
  }
  return y;
}

}  // namespace qarray::fp32
