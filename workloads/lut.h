// Lookup tables of the element-wise layers (workloads/vector_rules.h "lut"), built at lowering:
// T[j] = clamp(round_half_away(f(s_x (j 2^s - z_x)) / s_y) + z_y, 0, 2^b_y - 1) for
// j in [0, 2^k], k = min(b_x, kLutIndexBits), s = b_x - k. f is evaluated in double.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "models/quant_grid.h"

namespace qarray {

struct LutTable {
  std::vector<int32_t> table;
  int32_t shift = 0;
};

// Throws UnsupportedError naming `where` when f is NaN at an input code (e.g. Log of a negative).
LutTable build_lut(const std::function<double(double)>& f, const ActQuant& in, const ActQuant& out,
                   const std::string& where);

}  // namespace qarray
