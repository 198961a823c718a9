// Random single-layer networks for golden-executor tests: seeded, any bit widths, the bias fold
// done as the lowering does it (bias' = bias_q - z_x * sum w_q).
#pragma once
#include <random>

#include "workloads/network.h"

namespace qarray::testing {

struct ConvCase {
  LayerKind kind = LayerKind::Conv;
  int64_t c = 3, h = 7, w = 6, oc = 4;
  Window win{3, 3, 1, 1, 1, 1, 1, 1};
  int weight_bits = 8, act_bits = 8, acc_bits = 32;
};

inline Network random_mac_network(const ConvCase& cc, std::mt19937& rng, std::vector<int64_t>* bias_q) {
  Network net;
  net.acc_bits = cc.acc_bits;
  std::uniform_int_distribution<int32_t> zp(0, act_qmax(cc.act_bits));
  const bool fc = cc.kind == LayerKind::Fc;
  const Shape in_shape = fc ? Shape{cc.c * cc.h * cc.w} : Shape{cc.c, cc.h, cc.w};
  const int64_t oc = cc.kind == LayerKind::Depthwise ? cc.c : cc.oc;
  Shape out_shape{oc};
  if (!fc)
    out_shape = {oc, window_out(cc.h, cc.win.kh, cc.win.stride_h, cc.win.pad_top, cc.win.pad_bottom),
                 window_out(cc.w, cc.win.kw, cc.win.stride_w, cc.win.pad_left, cc.win.pad_right)};
  net.tensors.push_back({"x", in_shape, {0.05, zp(rng), cc.act_bits}});
  net.tensors.push_back({"y", out_shape, {0.1, zp(rng), cc.act_bits}});
  net.input = 0;
  net.output = 1;
  Layer l;
  l.kind = cc.kind;
  l.name = "layer";
  l.inputs = {0};
  l.output = 1;
  l.window = cc.win;
  l.weight_bits = cc.weight_bits;
  if (fc) l.weight_shape = {oc, num_elements(in_shape)};
  else l.weight_shape = {oc, cc.kind == LayerKind::Depthwise ? 1 : cc.c, cc.win.kh, cc.win.kw};
  std::uniform_int_distribution<int32_t> wq(-weight_qmax(cc.weight_bits), weight_qmax(cc.weight_bits));
  l.weights.resize(num_elements(l.weight_shape));
  for (auto& v : l.weights) v = wq(rng);
  const int64_t per = static_cast<int64_t>(l.weights.size()) / oc;
  std::uniform_int_distribution<int32_t> bq(-(1 << 20), 1 << 20);
  std::uniform_real_distribution<double> mexp(-16.0, -4.0);
  const int32_t zx = net.tensors[0].quant.zero_point;
  bias_q->clear();
  for (int64_t o = 0; o < oc; ++o) {
    int64_t wsum = 0;
    for (int64_t j = 0; j < per; ++j) wsum += l.weights[o * per + j];
    // The folded bias must fit its int32 register (the lowering rejects a layer where it does
    // not); with wide operands, pick bias_q near z_x * sum(w) so that it does.
    int64_t b = bq(rng);
    if (!fits_bits(b - int64_t{zx} * wsum, 32)) b += int64_t{zx} * wsum;
    bias_q->push_back(b);
    l.bias.push_back(static_cast<int32_t>(b - int64_t{zx} * wsum));
    l.requant.push_back(quantize_multiplier(std::pow(2.0, mexp(rng))));
  }
  l.weight_scale = {0.01};
  std::uniform_int_distribution<int32_t> lo(0, act_qmax(cc.act_bits) / 4);
  l.clamp_lo = lo(rng);
  l.clamp_hi = act_qmax(cc.act_bits) - lo(rng);
  net.layers.push_back(l);
  return net;
}

}  // namespace qarray::testing
