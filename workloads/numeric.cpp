#include "workloads/numeric.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "base/errors.h"

namespace qarray {

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

}  // namespace qarray
