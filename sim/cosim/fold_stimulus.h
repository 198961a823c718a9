// The array's edge stimulus of one fold, cycle by cycle: what the controller puts on the RTL
// array's ports (rtl/systolic_array.v) so that it computes the fold the SystemC SystolicArray
// computes from the same FoldJob, in the same cycles (sim/README.md "Cycle model").
//
// Contract (R x C physical PEs; n = cycle within the fold, 0-based):
//   ws  n <  R: load, north lane c = W[k0 + R-1-n][oc0 + c]   (zero outside the tile)
//       n >= R: vector i = n - R (i < p_len) valid, west lane r = X[k0 + r][p0 + i]
//       fold_cycles = R + p_len + R + C - 2
//   is  as ws with the operands exchanged: north lane c = X[k0 + R-1-n][p0 + c],
//       west lane r = W[k0 + r][oc0 + i] for i = n - R < oc_len; fold_cycles = R + oc_len + R + C - 2
//   os  n < k_len: step k = n valid, west lane r = X[k0 + k][p0 + r], north lane c =
//       W[k0 + k][oc0 + c]; n >= k_len + R + C - 2: drain; row_mask = rows r < p_len;
//       fold_cycles = k_len + R + C - 2 + R
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arch_config.h"
#include "sim/systolic_array.h"

namespace qarray {

struct ArrayCycleInputs {
  bool load = false, drain = false, valid = false;
  uint32_t row_mask = 0;
  std::vector<uint32_t> west;   // R lanes (signed weights as their two's-complement bits)
  std::vector<uint32_t> north;  // C lanes
};

int64_t fold_cycles(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job);
// Fills `in` (west / north sized rows / cols) for cycle n of the fold.
void fold_inputs(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job, int64_t n, ArrayCycleInputs& in);

}  // namespace qarray
