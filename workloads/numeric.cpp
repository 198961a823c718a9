#include "workloads/numeric.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "models/errors.h"

namespace qarray {

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  // gemmlowp fixedpoint.h: the only overflowing product is INT32_MIN * INT32_MIN.
  const bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division (truncation toward zero), not a shift: this is what makes ties go toward +inf.
  const int32_t high = static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : high;
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  // gemmlowp fixedpoint.h: remainder compared with a threshold raised by one for negatives,
  // which rounds ties away from zero.
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

QuantizedMultiplier quantize_multiplier(double m) {
  if (!(m >= 0.0) || !std::isfinite(m) || m >= std::ldexp(1.0, 30)) {
    std::ostringstream msg;
    msg << "requantization multiplier " << m << " is out of range [0, 2^30)";
    throw InputError(msg.str());
  }
  QuantizedMultiplier q;
  if (m == 0.0) return q;
  int exp = 0;
  const double frac = std::frexp(m, &exp);  // m = frac * 2^exp, frac in [0.5, 1)
  int64_t m0 = std::llround(frac * std::ldexp(1.0, 31));
  if (m0 == (int64_t{1} << 31)) {  // frac rounded up to 1.0
    m0 /= 2;
    ++exp;
  }
  if (exp < -31) return q;  // M < 2^-32: every int32 accumulator requantizes to 0
  q.m0 = static_cast<int32_t>(m0);
  q.shift = exp;
  return q;
}

double real_multiplier(const QuantizedMultiplier& q) {
  return std::ldexp(static_cast<double>(q.m0), q.shift - 31);
}

int32_t multiply_by_quantized_multiplier(int32_t x, const QuantizedMultiplier& q) {
  const int left = q.shift > 0 ? q.shift : 0;
  const int right = q.shift > 0 ? 0 : -q.shift;
  // Wrapping 32-bit left shift (done on uint32 to stay defined behaviour in C++).
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, q.m0), right);
}

}  // namespace qarray
