// Quantization grids of the numeric contract (DESIGN §3), float side: how real values map to the
// integer grids. Shared by calibration, PTQ and lowering so they cannot disagree.
//   weights:     signed symmetric, narrow grid [-(2^(b-1)-1), 2^(b-1)-1], no zero point;
//   activations: unsigned asymmetric, grid [0, 2^b-1], zero point z, q = clamp(rha(x/s) + z).
#pragma once
#include <cmath>
#include <cstdint>

namespace qarray {

// Round half away from zero (std::round semantics), the rounding of every float->int step.
inline int64_t round_half_away(double x) { return static_cast<int64_t>(std::llround(x)); }

inline int32_t weight_qmax(int bits) { return (1 << (bits - 1)) - 1; }
inline int32_t act_qmax(int bits) { return (1 << bits) - 1; }

// Affine parameters of one activation tensor.
struct ActQuant {
  double scale = 1.0;
  int32_t zero_point = 0;
  int bits = 8;

  int32_t quantize(double x) const {
    const int64_t q = round_half_away(x / scale) + zero_point;
    return static_cast<int32_t>(q < 0 ? 0 : (q > act_qmax(bits) ? act_qmax(bits) : q));
  }
  double dequantize(int32_t q) const { return scale * (q - zero_point); }
};

// Asymmetric parameters covering [lo, hi]; the range is widened to include 0 so that real 0
// (padding, ReLU) is exactly representable. A degenerate range gets scale 1.
inline ActQuant act_quant_from_range(double lo, double hi, int bits) {
  lo = std::fmin(lo, 0.0);
  hi = std::fmax(hi, 0.0);
  ActQuant q;
  q.bits = bits;
  q.scale = hi > lo ? (hi - lo) / act_qmax(bits) : 1.0;
  const int64_t z = round_half_away(-lo / q.scale);
  q.zero_point = static_cast<int32_t>(z < 0 ? 0 : (z > act_qmax(bits) ? act_qmax(bits) : z));
  return q;
}

// Symmetric weight scale for max |w| = amax; a zero tensor gets scale 1.
inline double weight_scale_from_absmax(double amax, int bits) {
  return amax > 0 ? amax / weight_qmax(bits) : 1.0;
}

inline int32_t quantize_weight(double w, double scale, int bits) {
  const int64_t q = round_half_away(w / scale);
  const int32_t m = weight_qmax(bits);
  return static_cast<int32_t>(q < -m ? -m : (q > m ? m : q));
}

}  // namespace qarray
