#include "workloads/golden_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "workloads/vector_rules.h"

namespace qarray::golden {
namespace {

template <typename T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const QuantizedMultiplier& mult_for(const Layer& l, int64_t oc) {
  return l.requant.size() == 1 ? l.requant[0] : l.requant[static_cast<size_t>(oc)];
}

// The output stage (exact sum -> wrapped register -> requantized value) over a row of n
// exact-in-T sums of one output channel, written branch-free so the
// compiler vectorizes it; the same arithmetic as requantize() (numeric.h) — m0 is never INT32_MIN,
// so SRDHM's saturation case cannot arise. Returns the overflow count.
template <typename T>
int64_t output_row(const T* sums, int64_t n, int32_t bias, const QuantizedMultiplier& q, int acc_bits,
                   int32_t z_y, int32_t lo, int32_t hi, int32_t* dst) {
  const int left = q.shift > 0 ? q.shift : 0;
  const int right = q.shift > 0 ? 0 : -q.shift;
  const int64_t m0 = q.m0;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  const int64_t acc_lo = -(int64_t{1} << (acc_bits - 1)), acc_hi = (int64_t{1} << (acc_bits - 1)) - 1;
  const int sext = 64 - acc_bits;
  int64_t overflows = 0;
  for (int64_t p = 0; p < n; ++p) {
    const int64_t exact = bias + static_cast<int64_t>(sums[p]);
    overflows += (exact < acc_lo) | (exact > acc_hi);
    const int32_t acc = static_cast<int32_t>(static_cast<int64_t>(static_cast<uint64_t>(exact) << sext) >> sext);
    const int64_t ab = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(acc) << left)) * m0;
    const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
    const int32_t high = static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
    const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    const int32_t r = (high >> right) + ((high & mask) > threshold ? 1 : 0);
    const int64_t y = int64_t{z_y} + r;
    dst[p] = static_cast<int32_t>(y < lo ? lo : (y > hi ? hi : y));
  }
  return overflows;
}

// im2col of images [n0, n1) into rows k = (c, i, j) and columns (n, oh, ow) of `cols`;
// padded taps take z_x.
template <typename T>
void im2col(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x, int64_t n0,
            int64_t n1, RowMat<T>& cols) {
  const Window& w = l.window;
  const int64_t C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int64_t OH = out.shape[1], OW = out.shape[2], P = OH * OW;
  const T zx = static_cast<T>(in.quant.zero_point);
  cols.resize(C * w.kh * w.kw, (n1 - n0) * P);
  for (int64_t c = 0; c < C; ++c)
    for (int32_t i = 0; i < w.kh; ++i)
      for (int32_t j = 0; j < w.kw; ++j) {
        T* row = cols.row((c * w.kh + i) * w.kw + j).data();
        // Output columns [lo, hi) read an in-bounds input column; the rest are padding.
        const int64_t off = j - w.pad_left;
        const int64_t lo = std::min<int64_t>(OW, off >= 0 ? 0 : (-off + w.stride_w - 1) / w.stride_w);
        const int64_t hi = std::max<int64_t>(lo, off >= W ? 0 : std::min<int64_t>(OW, (W - 1 - off) / w.stride_w + 1));
        for (int64_t n = n0; n < n1; ++n) {
          const int32_t* plane = x.ptr() + (n * C + c) * H * W;
          for (int64_t oh = 0; oh < OH; ++oh) {
            const int64_t ih = oh * w.stride_h - w.pad_top + i;
            T* dst = row + (n - n0) * P + oh * OW;
            if (ih < 0 || ih >= H) {
              std::fill(dst, dst + OW, zx);
              continue;
            }
            const int32_t* src = plane + ih * W;
            std::fill(dst, dst + lo, zx);
            if (w.stride_w == 1) {  // contiguous: the int->float conversion vectorizes
              for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = static_cast<T>(src[ow + off]);
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = static_cast<T>(src[ow * w.stride_w + off]);
            }
            std::fill(dst + hi, dst + OW, zx);
          }
        }
      }
}

// Working buffers reused across calls on the same thread: allocating (and page-faulting) the
// im2col and product matrices per batch cost more than the GEMM itself.
template <typename T>
struct Scratch {
  RowMat<T> cols, sums;
};
template <typename T>
Scratch<T>& scratch() {
  thread_local Scratch<T> s;
  return s;
}

template <typename T>
IntTensor conv_typed(const Layer& l, const RowMat<T>& wm, const ActTensor& in,
                     const ActTensor& out, int acc_bits, const IntTensor& x, LayerStats* stats) {
  const int64_t n_img = x.shape[0], OC = out.shape[0], P = out.shape[1] * out.shape[2];
  // Images per GEMM: enough columns for an efficient GEMM, few enough to stay in cache.
  const int64_t chunk = std::max<int64_t>(1, 2048 / P);
  Scratch<T>& s = scratch<T>();
  IntTensor y({n_img, OC, out.shape[1], out.shape[2]});
  int64_t overflows = 0;
  for (int64_t n0 = 0; n0 < n_img; n0 += chunk) {
    const int64_t n1 = std::min(n_img, n0 + chunk);
    im2col<T>(l, in, out, x, n0, n1, s.cols);
    s.sums.resize(OC, (n1 - n0) * P);
    s.sums.noalias() = wm * s.cols;
    for (int64_t oc = 0; oc < OC; ++oc) {
      const T* src = s.sums.row(oc).data();
      for (int64_t n = n0; n < n1; ++n)
        overflows += output_row(src + (n - n0) * P, P, l.bias[oc], mult_for(l, oc), acc_bits,
                                out.quant.zero_point, l.clamp_lo, l.clamp_hi, y.ptr() + (n * OC + oc) * P);
    }
  }
  if (stats) {
    stats->outputs += y.size();
    stats->overflows += overflows;
  }
  return y;
}

template <typename T>
IntTensor fc_typed(const Layer& l, const RowMat<T>& wm, const ActTensor& in, const ActTensor& out,
                   int acc_bits, const IntTensor& x, LayerStats* stats) {
  const int64_t n_img = x.shape[0], K = num_elements(in.shape), OC = out.shape[0];
  RowMat<T> cols(K, n_img);
  for (int64_t n = 0; n < n_img; ++n)
    for (int64_t k = 0; k < K; ++k) cols(k, n) = static_cast<T>(x.data[n * K + k]);
  RowMat<T> sums(OC, n_img);
  sums.noalias() = wm * cols;
  IntTensor y({n_img, OC});
  int64_t overflows = 0;
  std::vector<int32_t> row(n_img);  // one output channel over the batch, then scattered
  for (int64_t oc = 0; oc < OC; ++oc) {
    overflows += output_row(sums.row(oc).data(), n_img, l.bias[oc], mult_for(l, oc), acc_bits,
                            out.quant.zero_point, l.clamp_lo, l.clamp_hi, row.data());
    for (int64_t n = 0; n < n_img; ++n) y.data[n * OC + oc] = row[n];
  }
  if (stats) {
    stats->outputs += y.size();
    stats->overflows += overflows;
  }
  return y;
}

}  // namespace

GemmWeights prepare_gemm(const Layer& l, int input_bits) {
  const int64_t OC = l.weight_shape[0];
  const int64_t K = static_cast<int64_t>(l.weights.size()) / OC;
  int64_t max_row_abs = 0;
  for (int64_t oc = 0; oc < OC; ++oc) {
    int64_t row = 0;
    for (int64_t k = 0; k < K; ++k) row += std::abs(static_cast<int64_t>(l.weights[oc * K + k]));
    max_row_abs = std::max(max_row_abs, row);
  }
  const double bound = static_cast<double>(max_row_abs) * act_qmax(input_bits);
  GemmWeights gw;
  gw.use_float = bound < 16777216.0;  // 2^24
  if (gw.use_float) {
    gw.wf.resize(OC, K);
    for (int64_t i = 0; i < OC * K; ++i) gw.wf.data()[i] = static_cast<float>(l.weights[i]);
  } else {
    gw.wd.resize(OC, K);
    for (int64_t i = 0; i < OC * K; ++i) gw.wd.data()[i] = static_cast<double>(l.weights[i]);
  }
  return gw;
}

IntTensor conv(const Layer& l, const GemmWeights& gw, const ActTensor& in, const ActTensor& out,
               int acc_bits, const IntTensor& x, LayerStats* stats) {
  return gw.use_float ? conv_typed<float>(l, gw.wf, in, out, acc_bits, x, stats)
                      : conv_typed<double>(l, gw.wd, in, out, acc_bits, x, stats);
}

IntTensor fc(const Layer& l, const GemmWeights& gw, const ActTensor& in, const ActTensor& out,
             int acc_bits, const IntTensor& x, LayerStats* stats) {
  return gw.use_float ? fc_typed<float>(l, gw.wf, in, out, acc_bits, x, stats)
                      : fc_typed<double>(l, gw.wd, in, out, acc_bits, x, stats);
}

namespace {
// Depthwise with accumulator type A: int32 when every per-channel sum provably fits (then the
// inner loops vectorize 16 wide), int64 otherwise; both are exact.
template <typename A>
IntTensor depthwise_typed(const Layer& l, const ActTensor& in, const ActTensor& out, int acc_bits,
                          const IntTensor& x, LayerStats* stats) {
  const Window& w = l.window;
  const int64_t n_img = x.shape[0], C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int64_t OH = out.shape[1], OW = out.shape[2];
  const int64_t PH = H + w.pad_top + w.pad_bottom, PW = W + w.pad_left + w.pad_right;
  const A zx = static_cast<A>(in.quant.zero_point);
  IntTensor y({n_img, C, OH, OW});
  std::vector<A> padded(PH * PW);
  std::vector<A> acc(OH * OW);
  int64_t overflows = 0;
  for (int64_t n = 0; n < n_img; ++n)
    for (int64_t c = 0; c < C; ++c) {
      // The plane framed by z_x: padding inserts the zero point, as the contract says.
      std::fill(padded.begin(), padded.end(), zx);
      const int32_t* plane = x.ptr() + (n * C + c) * H * W;
      for (int64_t h = 0; h < H; ++h)
        std::copy(plane + h * W, plane + (h + 1) * W, padded.begin() + (h + w.pad_top) * PW + w.pad_left);
      std::fill(acc.begin(), acc.end(), A{0});
      const int32_t* wk = l.weights.data() + c * w.kh * w.kw;
      for (int32_t i = 0; i < w.kh; ++i)
        for (int32_t j = 0; j < w.kw; ++j) {
          const A wv = static_cast<A>(wk[i * w.kw + j]);
          for (int64_t oh = 0; oh < OH; ++oh) {
            const A* src = padded.data() + (oh * w.stride_h + i) * PW + j;
            A* dst = acc.data() + oh * OW;
            if (w.stride_w == 1) {
              for (int64_t ow = 0; ow < OW; ++ow) dst[ow] += wv * src[ow];
            } else {
              for (int64_t ow = 0; ow < OW; ++ow) dst[ow] += wv * src[ow * w.stride_w];
            }
          }
        }
      overflows += output_row(acc.data(), OH * OW, l.bias[c], mult_for(l, c), acc_bits,
                              out.quant.zero_point, l.clamp_lo, l.clamp_hi, y.ptr() + (n * C + c) * OH * OW);
    }
  if (stats) {
    stats->outputs += y.size();
    stats->overflows += overflows;
  }
  return y;
}
}  // namespace

IntTensor depthwise(const Layer& l, const ActTensor& in, const ActTensor& out, int acc_bits,
                    const IntTensor& x, LayerStats* stats) {
  const int64_t taps = static_cast<int64_t>(l.window.kh) * l.window.kw;
  int64_t max_abs = 0;
  for (int64_t c = 0; c < static_cast<int64_t>(l.weights.size()) / taps; ++c) {
    int64_t sum = 0;
    for (int64_t t = 0; t < taps; ++t) sum += std::abs(static_cast<int64_t>(l.weights[c * taps + t]));
    max_abs = std::max(max_abs, sum);
  }
  const bool fits32 = max_abs * act_qmax(in.quant.bits) < (int64_t{1} << 31);
  return fits32 ? depthwise_typed<int32_t>(l, in, out, acc_bits, x, stats)
                : depthwise_typed<int64_t>(l, in, out, acc_bits, x, stats);
}

IntTensor add(const Layer& l, const ActTensor& a, const ActTensor& b, const ActTensor& out,
              const IntTensor& xa, const IntTensor& xb, LayerStats* stats) {
  IntTensor y(xa.shape);
  const int32_t za = a.quant.zero_point, zb = b.quant.zero_point, zy = out.quant.zero_point;
  const int32_t lo = l.clamp_lo, hi = l.clamp_hi, scale = 1 << l.add_left_shift;
  const QuantizedMultiplier ma = l.add_input_mult[0], mb = l.add_input_mult[1], mo = l.requant[0];
  const int32_t* pa = xa.ptr();
  const int32_t* pb = xb.ptr();
  int32_t* py = y.ptr();
  for (int64_t i = 0; i < y.size(); ++i) {
    // (x - z) << L stays within 32 bits because L <= 29 - bits (validate() enforces it).
    const int32_t sa = multiply_by_quantized_multiplier((pa[i] - za) * scale, ma);
    const int32_t sb = multiply_by_quantized_multiplier((pb[i] - zb) * scale, mb);
    const int64_t v = int64_t{zy} + multiply_by_quantized_multiplier(sa + sb, mo);
    py[i] = static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
  }
  if (stats) stats->outputs += y.size();
  return y;
}

namespace {
// Shared window walk of both pools: reduce(taps) over the in-bounds taps of every output.
template <typename Reduce>
IntTensor pool(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
               Reduce reduce) {
  const Window& w = l.window;
  const int64_t n_img = x.shape[0], C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int64_t OH = out.shape[1], OW = out.shape[2];
  IntTensor y({n_img, C, OH, OW});
  for (int64_t nc = 0; nc < n_img * C; ++nc) {
    const int32_t* plane = x.ptr() + nc * H * W;
    int32_t* dst = y.ptr() + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * w.stride_h - w.pad_top, w0 = ow * w.stride_w - w.pad_left;
        const int64_t hs = std::max<int64_t>(h0, 0), he = std::min<int64_t>(h0 + w.kh, H);
        const int64_t ws = std::max<int64_t>(w0, 0), we = std::min<int64_t>(w0 + w.kw, W);
        const int32_t v = reduce(plane, W, hs, he, ws, we);
        dst[oh * OW + ow] = std::clamp(v, l.clamp_lo, l.clamp_hi);
      }
  }
  return y;
}
}  // namespace

IntTensor maxpool(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                  LayerStats* stats) {
  IntTensor y = pool(l, in, out, x,
                     [](const int32_t* p, int64_t W, int64_t hs, int64_t he, int64_t ws, int64_t we) {
                       int32_t m = p[hs * W + ws];
                       for (int64_t h = hs; h < he; ++h)
                         for (int64_t c = ws; c < we; ++c) m = std::max(m, p[h * W + c]);
                       return m;
                     });
  if (stats) stats->outputs += y.size();
  return y;
}

IntTensor avgpool(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                  LayerStats* stats) {
  const int64_t taps = static_cast<int64_t>(l.window.kh) * l.window.kw;
  const int64_t zx = in.quant.zero_point;
  const bool include_pad = l.count_include_pad;
  IntTensor y = pool(l, in, out, x,
                     [&](const int32_t* p, int64_t W, int64_t hs, int64_t he, int64_t ws, int64_t we) {
                       int64_t sum = 0;
                       for (int64_t h = hs; h < he; ++h)
                         for (int64_t c = ws; c < we; ++c) sum += p[h * W + c];
                       int64_t count = (he - hs) * (we - ws);
                       if (include_pad) {
                         sum += (taps - count) * zx;
                         count = taps;
                       }
                       return static_cast<int32_t>((sum + count / 2) / count);
                     });
  if (stats) stats->outputs += y.size();
  return y;
}

IntTensor lut(const Layer& l, const ActTensor& in, const IntTensor& x, LayerStats* stats) {
  (void)in;
  IntTensor y(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) y.data[i] = lut_lookup(l.table, l.lut_shift, x.data[i], l.clamp_lo, l.clamp_hi);
  if (stats) stats->outputs += y.size();
  return y;
}

int64_t broadcast_index(int64_t i, const Shape& a, const Shape& b) {
  int64_t src = 0, stride_a = 1, stride_b = 1;
  for (int64_t d = static_cast<int64_t>(a.size()) - 1; d >= 0; --d) {
    const int64_t coord = i / stride_a % a[d];
    if (b[d] != 1) src += coord * stride_b;
    stride_a *= a[d];
    stride_b *= b[d];
  }
  return src;
}

IntTensor mul(const Layer& l, const ActTensor& a, const ActTensor& b, const ActTensor& out, const IntTensor& xa,
              const IntTensor& xb, LayerStats* stats) {
  IntTensor y(xa.shape);
  const int32_t za = a.quant.zero_point, zb = b.quant.zero_point, zy = out.quant.zero_point;
  const bool same = xa.shape == xb.shape;
  for (int64_t i = 0; i < y.size(); ++i) {
    const int64_t j = same ? i : broadcast_index(i, xa.shape, xb.shape);
    y.data[i] = mul_output(xa.data[i], za, xb.data[j], zb, l.requant[0], zy, l.clamp_lo, l.clamp_hi);
  }
  if (stats) stats->outputs += y.size();
  return y;
}

IntTensor concat(const Layer& l, const std::vector<const ActTensor*>& ins, const ActTensor& out,
                 const std::vector<const IntTensor*>& xs, LayerStats* stats) {
  Shape shape{xs[0]->shape[0]};
  shape.insert(shape.end(), out.shape.begin(), out.shape.end());
  IntTensor y(shape);
  const int64_t outer = num_elements(Shape(shape.begin(), shape.begin() + l.concat_axis + 1));
  const int32_t zy = out.quant.zero_point, hi = act_qmax(out.quant.bits);
  int32_t* dst = y.ptr();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < xs.size(); ++k) {
      const int64_t chunk = xs[k]->size() / outer;
      const int32_t* src = xs[k]->ptr() + o * chunk;
      for (int64_t e = 0; e < chunk; ++e) *dst++ = concat_output(src[e], ins[k]->quant.zero_point, l.requant[k], zy, hi);
    }
  if (stats) stats->outputs += y.size();
  return y;
}

}  // namespace qarray::golden
