#include "sim/gemm_pass.h"

#include <algorithm>

#include "sim/dataflow/dataflow_unit.h"

namespace qarray {
namespace {

// Operand rows [row0, row0 + KH*KW) of channel c, one per tap (i, j), columns (n, oh, ow).
void im2col_channel(const Layer& l, const ActTensor& in, const IntTensor& x, int64_t c, int64_t OH,
                    int64_t OW, GemmPass& pass, int64_t row0) {
  const Window& w = l.window;
  const int64_t N = x.shape[0], C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int32_t zx = in.quant.zero_point;
  for (int32_t i = 0; i < w.kh; ++i)
    for (int32_t j = 0; j < w.kw; ++j) {
      int32_t* dst = pass.operands.data() + (row0 + i * w.kw + j) * pass.p;
      for (int64_t n = 0; n < N; ++n) {
        const int32_t* plane = x.ptr() + (n * C + c) * H * W;
        for (int64_t oh = 0; oh < OH; ++oh) {
          const int64_t ih = oh * w.stride_h - w.pad_top + i;
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t iw = ow * w.stride_w - w.pad_left + j;
            const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
            *dst++ = inside ? plane[ih * W + iw] : zx;
          }
        }
      }
    }
}

GemmPass conv_pass(const Layer& l, const ActTensor& in, const IntTensor& x, int64_t OH, int64_t OW) {
  const int64_t C = in.shape[0], OC = l.weight_shape[0], taps = int64_t{l.window.kh} * l.window.kw;
  GemmPass pass;
  pass.k = C * taps;
  pass.oc = OC;
  pass.p = x.shape[0] * OH * OW;
  pass.weights.resize(pass.k * OC);
  for (int64_t o = 0; o < OC; ++o)  // layer weights are [OC][K]; the array wants [K][OC]
    for (int64_t k = 0; k < pass.k; ++k) pass.weights[k * OC + o] = l.weights[o * pass.k + k];
  pass.operands.resize(pass.k * pass.p);
  for (int64_t c = 0; c < C; ++c) im2col_channel(l, in, x, c, OH, OW, pass, c * taps);
  pass.channel.resize(OC);
  for (int64_t o = 0; o < OC; ++o) pass.channel[o] = o;
  pass.useful_macs = pass.k * OC * pass.p;
  return pass;
}

GemmPass fc_pass(const Layer& l, const IntTensor& x) {
  GemmPass pass;
  pass.oc = l.weight_shape[0];
  pass.k = l.weight_shape[1];
  pass.p = x.shape[0];
  pass.weights.resize(pass.k * pass.oc);
  for (int64_t o = 0; o < pass.oc; ++o)
    for (int64_t k = 0; k < pass.k; ++k) pass.weights[k * pass.oc + o] = l.weights[o * pass.k + k];
  pass.operands.resize(pass.k * pass.p);
  for (int64_t n = 0; n < pass.p; ++n)
    for (int64_t k = 0; k < pass.k; ++k) pass.operands[k * pass.p + n] = x.data[n * pass.k + k];
  pass.channel.resize(pass.oc);
  for (int64_t o = 0; o < pass.oc; ++o) pass.channel[o] = o;
  pass.useful_macs = pass.k * pass.oc * pass.p;
  return pass;
}

GemmPass depthwise_pass(const Layer& l, const ActTensor& in, const IntTensor& x, int64_t c0, int64_t G,
                        int64_t OH, int64_t OW) {
  const int64_t taps = int64_t{l.window.kh} * l.window.kw;
  GemmPass pass;
  pass.k = G * taps;
  pass.oc = G;
  pass.p = x.shape[0] * OH * OW;
  pass.weights.assign(pass.k * G, 0);
  pass.operands.resize(pass.k * pass.p);
  pass.channel.resize(G);
  for (int64_t g = 0; g < G; ++g) {
    for (int64_t t = 0; t < taps; ++t) pass.weights[(g * taps + t) * G + g] = l.weights[(c0 + g) * taps + t];
    im2col_channel(l, in, x, c0 + g, OH, OW, pass, g * taps);
    pass.channel[g] = c0 + g;
  }
  pass.useful_macs = taps * G * pass.p;
  return pass;
}

}  // namespace

LayerGemm lower_to_gemm(const Layer& l, const ActTensor& in, const ActTensor& out, const IntTensor& x,
                        const ArchConfig& arch) {
  LayerGemm g;
  g.images = x.shape[0];
  g.out_channels = out.shape[0];
  if (l.kind == LayerKind::Fc) {
    g.pixels = 1;
    g.passes.push_back(fc_pass(l, x));
    return g;
  }
  const int64_t OH = out.shape[1], OW = out.shape[2];
  g.pixels = OH * OW;
  if (l.kind == LayerKind::Conv) {
    g.passes.push_back(conv_pass(l, in, x, OH, OW));
    return g;
  }
  const int64_t C = in.shape[0], taps = int64_t{l.window.kh} * l.window.kw;
  const int64_t G = dataflow_unit(arch).depthwise_group(C, taps, arch);
  for (int64_t c0 = 0; c0 < C; c0 += G)
    g.passes.push_back(depthwise_pass(l, in, x, c0, std::min(G, C - c0), OH, OW));
  return g;
}

}  // namespace qarray
