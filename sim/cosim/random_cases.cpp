// Seeded random co-simulation cases on one variant's array. Eight kinds, chosen by case_index:
//   0 conv, 1 fc, 2 depthwise: random shapes around the array size (partial k, oc and p tiles),
//     operand widths from 2 bits up to the variant's, random data and zero points;
//   3 all weights -max, all activations +max (long fc reduction, wraps when acc_bits allows);
//   4 all weights +max, all activations +max (the same, positive);
//   5 zero points at both ends (z_x, z_y in {0, max}) with padded convolutions;
//   6 a reduction sized to cross the accumulator's limit (random signs near the extremes);
//   7 a batch of tiny 1x1 / single-output layers (1-wide tiles).
#include <algorithm>
#include <random>

#include "models/quant_grid.h"
#include "sim/cosim/cosim.h"
#include "sim/stimulus.h"

namespace qarray {
namespace {

int64_t pick(std::mt19937& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }

// K for an fc reduction that reaches past the accumulator's range with |w| = wq, x = xq (capped
// to keep a case short).
int64_t crossing_k(int acc_bits, int32_t wq, int32_t xq) {
  const double limit = std::ldexp(1.0, acc_bits - 1);
  const double per = std::max(1.0, static_cast<double>(wq) * xq);
  return std::clamp<int64_t>(static_cast<int64_t>(limit / per) + 2, 1, 1536);
}

}  // namespace

CosimStats cosim_random_case(const RtlVariant& v, const ArchConfig& arch, uint32_t seed, int64_t case_index,
                             std::string* what, const std::string& trace_path) {
  std::mt19937 rng(seed);
  const int kind = static_cast<int>(case_index % 8);
  const int R = v.rows, C = v.cols;
  const bool extreme = kind == 3 || kind == 4 || kind == 6;
  int wb = extreme ? v.weight_bits : static_cast<int>(pick(rng, 2, v.weight_bits));
  int ab = extreme ? v.act_bits : static_cast<int>(pick(rng, 2, v.act_bits));
  if (pick(rng, 0, 1) == 0) wb = v.weight_bits, ab = v.act_bits;
  LayerSpec s;
  s.name = "case";
  int64_t batch = 1;
  switch (kind) {
    case 0:
    case 5:
      s.kind = LayerKind::Conv;
      s.channels = pick(rng, 1, 2 * R + 1);
      s.filters = pick(rng, 1, 2 * C + 1);
      s.ifmap_h = pick(rng, 1, 6);
      s.ifmap_w = pick(rng, 1, 6);
      s.filter_h = s.filter_w = static_cast<int32_t>(pick(rng, 1, 3));
      s.pad = kind == 5 ? 1 : static_cast<int32_t>(pick(rng, 0, 1));
      s.ifmap_h = std::max<int64_t>(s.ifmap_h, s.filter_h - 2 * s.pad);
      s.ifmap_w = std::max<int64_t>(s.ifmap_w, s.filter_w - 2 * s.pad);
      s.stride = static_cast<int32_t>(pick(rng, 1, 2));
      break;
    case 1:
      s.kind = LayerKind::Fc;
      s.channels = pick(rng, 1, 3 * R + 2);
      s.filters = pick(rng, 1, 2 * C + 1);
      batch = pick(rng, 1, 2 * R + 1);
      break;
    case 2:
      s.kind = LayerKind::Depthwise;
      s.channels = pick(rng, 1, 2 * C + 1);
      s.ifmap_h = pick(rng, 2, 6);
      s.ifmap_w = pick(rng, 2, 6);
      s.filter_h = s.filter_w = static_cast<int32_t>(pick(rng, 1, 3));
      s.pad = static_cast<int32_t>(pick(rng, 0, 1));
      s.ifmap_h = std::max<int64_t>(s.ifmap_h, s.filter_h);
      s.ifmap_w = std::max<int64_t>(s.ifmap_w, s.filter_w);
      break;
    case 3:
    case 4:
    case 6:
      s.kind = LayerKind::Fc;
      s.channels = crossing_k(v.acc_bits, weight_qmax(wb), act_qmax(ab));
      s.filters = pick(rng, 1, C + 1);
      batch = pick(rng, 1, R + 1);
      break;
    default:
      s.kind = pick(rng, 0, 1) ? LayerKind::Fc : LayerKind::Conv;
      s.channels = pick(rng, 1, 2);
      s.filters = 1;
      batch = pick(rng, 1, 3);
      break;
  }
  s.validate("random case");
  Network net = random_layer_network(s, wb, ab, v.acc_bits, seed ^ 0x9e3779b9u);
  IntTensor x = random_input(net, batch, seed + 1);
  Layer& l = net.layers[0];
  const int32_t wmax = weight_qmax(wb), amax = act_qmax(ab);
  if (kind == 3 || kind == 4) {
    for (auto& w : l.weights) w = kind == 3 ? -wmax : wmax;
    for (auto& e : x.data) e = amax;
  } else if (kind == 6) {
    for (auto& w : l.weights) w = pick(rng, 0, 7) ? wmax : -wmax;
    for (auto& e : x.data) e = amax - static_cast<int32_t>(pick(rng, 0, 1));
  } else if (kind == 5) {
    net.tensors[0].quant.zero_point = pick(rng, 0, 1) ? amax : 0;
    net.tensors[1].quant.zero_point = pick(rng, 0, 1) ? amax : 0;
  }
  // Randomize the clamp and the requantization scale too (the model's values are mid-range).
  if (!extreme && pick(rng, 0, 1)) {
    l.clamp_lo = static_cast<int32_t>(pick(rng, 0, amax / 4));
    l.clamp_hi = static_cast<int32_t>(amax - pick(rng, 0, amax / 4));
  }
  net.validate("random case");
  *what = std::string(layer_kind_name(s.kind)) + " c" + std::to_string(s.channels) + " f" +
          std::to_string(s.filters) + " " + std::to_string(s.ifmap_h) + "x" + std::to_string(s.ifmap_w) + " k" +
          std::to_string(s.filter_h) + " s" + std::to_string(s.stride) + " p" + std::to_string(s.pad) + " batch " +
          std::to_string(batch) + " W" + std::to_string(wb) + "A" + std::to_string(ab) + " zx " +
          std::to_string(net.tensors[0].quant.zero_point) + " zy " + std::to_string(net.tensors[1].quant.zero_point) +
          " (kind " + std::to_string(kind) + ", seed " + std::to_string(seed) + ")";
  CosimOptions opt;
  opt.variant = v.name;
  opt.trace_path = trace_path;
  return cosim_layer(net, 0, x, arch, opt, v.name + " random case " + std::to_string(case_index));
}

}  // namespace qarray
