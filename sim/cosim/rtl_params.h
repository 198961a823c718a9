// The RTL parameters an ArchConfig implies beyond its array shape and widths, shared by the
// configure-time generator (rtl_params.cpp) and the harness's variant matching (variants.cpp),
// so the verilated accumulator and the model's tiling cannot disagree.
//
// Contract: the accumulator (rtl/accumulator.v) holds one tile of the ofmap buffer: DEPTH =
// ofmap.tile_bytes() * 8 / acc_bits rows, the most rows a tile can have (DataflowUnit::plan
// bounds a tile's words by that count, and a tile with oc_len or p_len lanes < COLS still needs one row per
// vector or weight column). The RTL is integer only: an FP32 design has no RTL (InputError).
#pragma once
#include <algorithm>
#include <cstdint>

#include "base/errors.h"
#include "sim/arch_config.h"

namespace qarray {

inline int64_t rtl_accumulator_depth(const ArchConfig& a) {
  if (a.operands != OperandMode::Int)
    throw InputError("arch '" + a.name + "': operands " + operand_mode_name(a.operands) +
                     " have no RTL (the Verilog array computes on integers)");
  return std::max<int64_t>(1, a.ofmap.tile_bytes() * 8 / a.acc_bits);
}

// Width of the accumulator's row address: ceil(log2(depth)), at least 1.
inline int32_t rtl_address_bits(int64_t depth) {
  int32_t bits = 1;
  while ((int64_t{1} << bits) < depth) ++bits;
  return bits;
}

}  // namespace qarray
