#include "workloads/lut.h"

#include <algorithm>
#include <cmath>

#include "base/errors.h"
#include "workloads/vector_rules.h"

namespace qarray {

LutTable build_lut(const std::function<double(double)>& f, const ActQuant& in, const ActQuant& out,
                   const std::string& where) {
  LutTable t;
  const int k = std::min(in.bits, kLutIndexBits);
  t.shift = in.bits - k;
  const double qmax = act_qmax(out.bits);
  for (int64_t j = 0; j <= (int64_t{1} << k); ++j) {
    const int64_t code = j << t.shift;
    const double y = f(in.scale * static_cast<double>(code - in.zero_point));
    if (std::isnan(y))
      throw UnsupportedError(where + ": the function is undefined at input code " + std::to_string(code) + " (x = " +
                             std::to_string(in.scale * static_cast<double>(code - in.zero_point)) + ")");
    // Clamp in double first: round_half_away of an infinite or huge value is undefined.
    // (|v| > qmax + 1 clamps to the same grid end as v itself, since z_y is on the grid.)
    const double v = std::clamp(y / out.scale, -(qmax + 1.0), qmax + 1.0);
    const int64_t q = round_half_away(v) + out.zero_point;
    t.table.push_back(static_cast<int32_t>(std::clamp<int64_t>(q, 0, act_qmax(out.bits))));
  }
  return t;
}

}  // namespace qarray
