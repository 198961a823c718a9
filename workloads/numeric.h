// Integer arithmetic of the numeric contract (DESIGN §3): the exact rules the golden executor,
// the SystemC model and the RTL share, bit for bit.
//
// Contract:
//   SRDHM(a, b)   = gemmlowp SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b,
//                   rounded with nudge (1<<30) for ab >= 0 and (1 - (1<<30)) otherwise, i.e. ties
//                   toward +inf; the single overflow case a == b == INT32_MIN saturates to
//                   INT32_MAX.
//   RDivPOT(x, n) = gemmlowp RoundingDivideByPOT: x / 2^n rounded to nearest, ties away from
//                   zero (mask/remainder/threshold form), n in [0, 31].
//   requantize(acc) = clamp(z_y + RDivPOT(SRDHM(acc << l, M0), r), lo, hi) with
//                   M = s_w*s_x/s_y = M0 * 2^(shift-31), M0 in [2^30, 2^31), l = max(shift, 0),
//                   r = max(-shift, 0). The left shift (only for M >= 1) is a 32-bit
//                   two's-complement shift that wraps, as a hardware shifter does. z_y + ... is
//                   formed in 64 bits before the clamp, so it cannot overflow.
//   wrap(v, bits) = v reduced to a bits-wide two's-complement register (bits in [2, 32]).
#pragma once
#include <cstdint>
#include <limits>

namespace qarray {

// Inline: these run once per output element in every executor.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  // gemmlowp fixedpoint.h: the only overflowing product is INT32_MIN * INT32_MIN.
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division (truncation toward zero), not a shift: this is what makes ties go toward +inf.
  const int32_t high = static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  // gemmlowp fixedpoint.h: remainder compared with a threshold raised by one for negatives,
  // which rounds ties away from zero.
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// A real multiplier M as M0 * 2^(shift - 31). M0 == 0 encodes M == 0 (or M < 2^-32, which
// rounds every int32 accumulator to 0 anyway).
struct QuantizedMultiplier {
  int32_t m0 = 0;
  int32_t shift = 0;  // > 0: left shift, < 0: right shift; in [-31, 30]
};

// Throws InputError for a negative, NaN or too large (>= 2^30) multiplier.
QuantizedMultiplier quantize_multiplier(double m);
double real_multiplier(const QuantizedMultiplier& q);

// RDivPOT(SRDHM(x << l, M0), r) — TFLite's MultiplyByQuantizedMultiplier.
inline int32_t multiply_by_quantized_multiplier(int32_t x, const QuantizedMultiplier& q) {
  const int left = q.shift > 0 ? q.shift : 0;
  const int right = q.shift > 0 ? 0 : -q.shift;
  // Wrapping 32-bit left shift (done on uint32 to stay defined behaviour in C++).
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, q.m0), right);
}

// Full output stage: clamp(z_y + multiply_by_quantized_multiplier(acc, q), lo, hi).
inline int32_t requantize(int32_t acc, const QuantizedMultiplier& q, int32_t z_y, int32_t lo,
                          int32_t hi) {
  const int64_t y = static_cast<int64_t>(z_y) + multiply_by_quantized_multiplier(acc, q);
  return static_cast<int32_t>(y < lo ? lo : (y > hi ? hi : y));
}

// Two's-complement wrap of an exact sum into a bits-wide accumulator.
inline int32_t wrap_to_bits(int64_t v, int bits) {
  const uint64_t mask = bits >= 64 ? ~0ull : ((1ull << bits) - 1);
  uint64_t u = static_cast<uint64_t>(v) & mask;
  if (bits < 64 && (u >> (bits - 1)) & 1u) u |= ~mask;  // sign-extend
  return static_cast<int32_t>(static_cast<int64_t>(u));
}
inline bool fits_bits(int64_t v, int bits) {
  const int64_t lo = -(int64_t{1} << (bits - 1));
  const int64_t hi = (int64_t{1} << (bits - 1)) - 1;
  return v >= lo && v <= hi;
}

}  // namespace qarray
