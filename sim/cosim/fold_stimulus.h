// The controller's side of the RTL datapath's ports (rtl/array_datapath.v) for one fold, cycle
// by cycle: the array's edge stimulus, so that it computes the fold the SystemC SystolicArray
// computes from the same FoldJob in the same cycles (sim/README.md "Cycle model"), and the
// schedule of the rows it delivers, which tags them for the accumulator and picks their
// post-processing parameters. The schedule is data independent, as the controller's.
//
// Contract (R x C physical PEs; n = cycle within the fold, 0-based):
//   ws  n <  R: load, north lane c = W[k0 + R-1-n][oc0 + c]   (zero outside the tile)
//       n >= R: vector i = n - R (i < p_len) valid, west lane r = X[k0 + r][p0 + i]
//       fold_cycles = R + p_len + R + C - 2; vector i leaves in cycle 2R + C - 2 + i
//   is  as ws with the operands exchanged: north lane c = X[k0 + R-1-n][p0 + c],
//       west lane r = W[k0 + r][oc0 + i] for i = n - R < oc_len; fold_cycles = R + oc_len + R + C - 2;
//       weight column i leaves in cycle 2R + C - 2 + i
//   os  n < k_len: step k = n valid, west lane r = X[k0 + k][p0 + r], north lane c =
//       W[k0 + k][oc0 + c]; n >= k_len + R + C - 2: drain; rows_used = p_len;
//       fold_cycles = k_len + R + C - 2 + R; in drain cycle d array row R-1-d (vector p0 + R-1-d)
//       leaves if it is used
//   A row's lanes are its columns: ws / os lane c = channel oc0 + c (oc_len lanes used), is lane
//   c = vector p0 + c of weight column oc0 + i (p_len lanes used).
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arch_config.h"
#include "sim/systolic_array.h"
#include "workloads/network.h"

namespace qarray {

struct ArrayCycleInputs {
  bool load = false, drain = false, valid = false;
  int32_t rows_used = 0;        // os: row_mask holds rows r < rows_used
  std::vector<uint32_t> west;   // R lanes (signed weights as their two's-complement bits)
  std::vector<uint32_t> north;  // C lanes
};

int64_t fold_cycles(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job);
// Fills `in` (west / north sized rows / cols) for cycle n of the fold; n < 0: an idle cycle.
void fold_inputs(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job, int64_t n, ArrayCycleInputs& in);
// The row the array delivers at the end of cycle n of the fold (the vector or weight column
// index relative to p0 / oc0), or -1.
int64_t fold_output_row(Dataflow df, int32_t rows, int32_t cols, const FoldJob& job, int64_t n);
// Lanes of a delivered row that carry outputs of the tile.
int64_t row_lanes(Dataflow df, const FoldJob& job);
// The output channel of lane c of row `index`.
int64_t row_channel(Dataflow df, const FoldJob& job, int64_t index, int64_t lane);
// Post-processing parameters of row `index` for `cols` lanes: the channel's bias', M0 and shift
// (zero on lanes outside the tile).
void row_post_processing(Dataflow df, const Layer& layer, const FoldJob& job, int64_t index, int32_t cols,
                         int32_t* bias, int32_t* m0, int32_t* shift);

}  // namespace qarray
