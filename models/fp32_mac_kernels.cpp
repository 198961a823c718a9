// Multiply-accumulate kernels of the FP32 executor: convolutions and fully connected.
// Group-1 convolutions are lowered to one GEMM per image with im2col (batching several small
// images into one GEMM measured no faster). Depthwise convolutions have too little reuse for
// GEMM and run as a direct loop over zero-padded planes.
#include <algorithm>
#include <vector>

#include <Eigen/Core>

#include "models/fp32_kernels.h"

namespace qarray::fp32 {
namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Geometry {
  int64_t c, h, w;            // input plane
  int64_t kh, kw, sh, sw, dh, dw, pt, pl;
  int64_t ho, wo;             // output plane
};

Geometry geometry(const Tensor& x, const Node& node, const Shape& out_shape) {
  return {x.dim(1), x.dim(2), x.dim(3), node.kernel[0], node.kernel[1], node.strides[0],
          node.strides[1], node.dilations[0], node.dilations[1], node.pads[0], node.pads[1],
          out_shape[2], out_shape[3]};
}

// Output columns [lo, hi) whose input column ow*sw - pl + off lies inside [0, w).
void valid_range(int64_t off, int64_t w, int64_t sw, int64_t wo, int64_t& lo, int64_t& hi) {
  lo = std::min(wo, off >= 0 ? 0 : (-off + sw - 1) / sw);  // a tap left of every window
  hi = off >= w ? 0 : std::min(wo, (w - 1 - off) / sw + 1);
  hi = std::max(hi, lo);
}

// One image into rows (c, ki, kj) x columns (oh, ow) of a matrix with row stride ld.
void im2col(const float* x, const Geometry& g, float* cols, int64_t ld) {
  for (int64_t c = 0; c < g.c; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        float* row = cols + ((c * g.kh + ki) * g.kw + kj) * ld;
        int64_t off = kj * g.dw - g.pl, lo, hi;
        valid_range(off, g.w, g.sw, g.wo, lo, hi);
        for (int64_t oh = 0; oh < g.ho; ++oh) {
          float* dst = row + oh * g.wo;
          int64_t ih = oh * g.sh - g.pt + ki * g.dh;
          if (ih < 0 || ih >= g.h) {
            std::fill(dst, dst + g.wo, 0.0f);
            continue;
          }
          const float* src = x + (c * g.h + ih) * g.w;
          std::fill(dst, dst + lo, 0.0f);
          for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * g.sw + off];
          std::fill(dst + hi, dst + g.wo, 0.0f);
        }
      }
    }
  }
}

// Depthwise taps over a zero-padded plane with row pitch wp:
//   out[i] = b + sum_{ki,kj} w[ki,kj] * plane[ki*dh*wp + kj*dw + i*stride],  i in [0, len).
// KH/KW > 0 fix the kernel at compile time: the taps unroll, and with stride 1 the loop over
// i vectorizes (about 30x faster than a tap-by-tap pass for 3x3). 0 means runtime kh/kw.
template <int KH, int KW>
void dw_taps(const float* plane, const Geometry& g, int64_t wp, int64_t stride, const float* w,
             float b, float* __restrict out, int64_t len) {
  const int64_t kh = KH ? KH : g.kh, kw = KW ? KW : g.kw, row = g.dh * wp, col = g.dw;
  for (int64_t i = 0; i < len; ++i) {
    float a = b;
    for (int64_t ki = 0; ki < kh; ++ki) {
      for (int64_t kj = 0; kj < kw; ++kj) {
        a += w[ki * kw + kj] * plane[ki * row + kj * col + i * stride];
      }
    }
    out[i] = a;
  }
}

using DwTapsFn = void (*)(const float*, const Geometry&, int64_t, int64_t, const float*, float,
                          float*, int64_t);

DwTapsFn dw_taps_for(const Geometry& g) {
  if (g.kh == 3 && g.kw == 3) return dw_taps<3, 3>;
  if (g.kh == 5 && g.kw == 5) return dw_taps<5, 5>;
  return dw_taps<0, 0>;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node,
              const Shape& out_shape) {
  const Geometry g = geometry(x, node, out_shape);
  const int64_t n = x.dim(0), m = out_shape[1], k = g.c * g.kh * g.kw, p = g.ho * g.wo;
  // 1x1, stride 1, no padding: the image [C, H*W] already is the GEMM operand.
  const bool direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 &&
                      g.pl == 0 && p == g.h * g.w;
  Tensor y(out_shape);
  Eigen::Map<const RowMat> wm(w.ptr(), m, k);
  std::vector<float> cols(direct ? 0 : k * p);
  for (int64_t img = 0; img < n; ++img) {
    const float* xi = x.ptr() + img * g.c * g.h * g.w;
    if (!direct) im2col(xi, g, cols.data(), p);
    Eigen::Map<RowMat> ym(y.ptr() + img * m * p, m, p);
    ym.noalias() = wm * Eigen::Map<const RowMat>(direct ? xi : cols.data(), k, p);
    if (bias) ym.colwise() += Eigen::Map<const Eigen::VectorXf>(bias->ptr(), m);
  }
  return y;
}

Tensor depthwise_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node,
                        const Shape& out_shape) {
  const Geometry g = geometry(x, node, out_shape);
  // Each channel plane is first copied into a zero-padded plane, so the taps need no bounds
  // checks. With stride 1 the output is computed in rows as wide as the padded plane: output
  // i then reads padded element i + offset(tap) for every tap, one flat loop over the whole
  // plane (the columns past wo are scratch), which vectorizes well even for 7x7 maps.
  const int64_t hp = g.h + g.pt + node.pads[2], wp = g.w + g.pl + node.pads[3];
  const bool wide = g.sh == 1 && g.sw == 1;
  const int64_t acc_w = wide ? wp : g.wo, n = x.dim(0);
  const DwTapsFn taps = dw_taps_for(g);
  std::vector<float> padded(hp * wp, 0.0f), acc(g.ho * acc_w);
  Tensor y(out_shape);
  for (int64_t img = 0; img < n; ++img) {
    for (int64_t c = 0; c < g.c; ++c) {
      const float* src = x.ptr() + (img * g.c + c) * g.h * g.w;
      for (int64_t r = 0; r < g.h; ++r) {
        std::copy_n(src + r * g.w, g.w, padded.data() + (r + g.pt) * wp + g.pl);
      }
      const float* wk = w.ptr() + c * g.kh * g.kw;
      const float b = bias ? bias->data[c] : 0.0f;
      if (wide) {
        taps(padded.data(), g, wp, 1, wk, b, acc.data(), (g.ho - 1) * wp + g.wo);
      } else {
        for (int64_t oh = 0; oh < g.ho; ++oh) {
          taps(padded.data() + oh * g.sh * wp, g, wp, g.sw, wk, b, acc.data() + oh * g.wo, g.wo);
        }
      }
      float* dst = y.ptr() + (img * g.c + c) * g.ho * g.wo;
      for (int64_t oh = 0; oh < g.ho; ++oh) {
        std::copy_n(acc.data() + oh * acc_w, g.wo, dst + oh * g.wo);
      }
    }
  }
  return y;
}

Tensor gemm(const Tensor& x, const Tensor& b, const Tensor* c, bool trans_b, float alpha,
            float beta) {
  const int64_t n = x.dim(0), k = x.size() / n;
  const int64_t m = trans_b ? b.dim(0) : b.dim(1);
  Tensor y(Shape{n, m});
  Eigen::Map<const RowMat> xm(x.ptr(), n, k);
  Eigen::Map<RowMat> ym(y.ptr(), n, m);
  if (trans_b) {
    ym.noalias() = alpha * (xm * Eigen::Map<const RowMat>(b.ptr(), m, k).transpose());
  } else {
    ym.noalias() = alpha * (xm * Eigen::Map<const RowMat>(b.ptr(), k, m));
  }
  if (c && c->size() == m) {
    ym.rowwise() += beta * Eigen::Map<const Eigen::RowVectorXf>(c->ptr(), m);
  } else if (c) {
    ym.array() += beta * c->data[0];
  }
  return y;
}

}  // namespace qarray::fp32
