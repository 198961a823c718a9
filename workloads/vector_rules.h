// Integer rules of the layers that run on the vector unit (lookup tables, tensor x tensor
// multiply, concatenation), shared bit for bit by the golden executor (golden_kernels.cpp) and
// the SystemC vector unit (sim/vector_unit.cpp).
//
// Contract (q: input codes on [0, 2^b - 1] with zero point z; M = M0 * 2^(shift - 31) as in
// workloads/numeric.h, M0 in [2^30, 2^31), shift in [-31, 30]):
//   RDivPOT64(x, n) = x / 2^n rounded to nearest, ties away from zero, x int64, n in [0, 62]
//                     (numeric.h's RoundingDivideByPOT widened to 64 bits).
//   rescale(p, M)   = RDivPOT64(p * M0, 31 - shift) for |p| < 2^32: the product fits int64
//                     (|p * M0| < 2^63), so the real p * M is rounded once, ties away from zero.
//   lut:    k = min(b_x, kLutIndexBits) index bits, s = b_x - k; the table T holds 2^k + 1
//           entries on the output grid, built at lowering (workloads/lut.h):
//             T[j] = clamp(round_half_away(f(s_x (j 2^s - z_x)) / s_y) + z_y, 0, 2^b_y - 1);
//           i = q >> s, r = q & (2^s - 1):
//             y = clamp(T[i] + RDivPOT(T[i+1] - T[i]) * r, s), lo, hi)
//           so for b_x <= kLutIndexBits (s = 0) y = clamp(T[q], lo, hi): one entry per input code;
//           16-bit inputs read 1025 entries and interpolate linearly with the s = 6 low bits
//           (|T[i+1] - T[i]| * r < 2^16 * 2^6 fits int32).
//   mul:    p = (q_a - z_a) * (q_b - z_b) (exact in int64, b_b broadcast to a's shape),
//           y = clamp(z_y + rescale(p, M), lo, hi),  M = s_a s_b / s_y.
//   concat: output element from input i: y = clamp(z_y + rescale(q - z_i, M_i), 0, 2^b_y - 1),
//           M_i = s_i / s_y (M_i = 1 exactly when the grids agree: M0 = 2^30, shift 1, y = q - z_i + z_y).
#pragma once
#include <cstdint>
#include <vector>

#include "workloads/numeric.h"

namespace qarray {

constexpr int kLutIndexBits = 10;

inline int64_t rounding_divide_by_pot64(int64_t x, int exponent) {
  const int64_t mask = static_cast<int64_t>((uint64_t{1} << exponent) - 1);
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

inline int64_t rescale(int64_t p, const QuantizedMultiplier& m) {
  return rounding_divide_by_pot64(p * m.m0, 31 - m.shift);
}

inline int32_t clamp_code(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

// One table lookup with interpolation; `shift` = b_x - index bits.
inline int32_t lut_lookup(const std::vector<int32_t>& table, int32_t shift, int32_t q, int32_t lo, int32_t hi) {
  const int32_t i = q >> shift, r = q & ((1 << shift) - 1);
  const int32_t t0 = table[i], t1 = table[i + 1];
  return clamp_code(t0 + rounding_divide_by_pot((t1 - t0) * r, shift), lo, hi);
}

inline int32_t mul_output(int32_t qa, int32_t za, int32_t qb, int32_t zb, const QuantizedMultiplier& m, int32_t zy,
                          int32_t lo, int32_t hi) {
  const int64_t p = static_cast<int64_t>(qa - za) * static_cast<int64_t>(qb - zb);
  return clamp_code(zy + rescale(p, m), lo, hi);
}

inline int32_t concat_output(int32_t q, int32_t z, const QuantizedMultiplier& m, int32_t zy, int32_t hi) {
  return clamp_code(zy + rescale(q - z, m), 0, hi);
}

}  // namespace qarray
