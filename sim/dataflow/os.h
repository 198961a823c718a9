// Output-stationary: PE (r, c) accumulates output (vector p0 + r, channel oc0 + c) in place. Row
// r's left edge carries X[k0 + k][p0 + r] at cycle k + r; column c's top edge carries
// W[k0 + k][oc0 + c] at cycle k + c; so PE (r, c) multiplies the pair of index k at cycle
// k + r + c, and its last product lands at cycle k_len + r + c - 1. After the compute phase
// (k_len + R + C - 2 cycles) the sums shift down and leave at the bottom, one array row per
// cycle (bottom row first): R drain cycles, delivering vector rows (RowKind::Vector).
//   tiling   p_tile = R, oc_tile = C, k_tile = the longest reduction whose inputs fit the ifmap
//            and whose weights fit the weight buffer; depthwise packs min(C_in, C) channels
//   SRAM     ifmap k_len rows of p_len inputs, weight k_len rows of oc_len, ofmap p_len rows of
//            oc_len; a reduction step reads both operand rows (the slower port decides)
//   timing   preload 0, stream k_len + R + C - 2 + R; row r leaves in drain step R-1-r
//   RTL      west = activations (A_BITS), north = weights (W_BITS); row_mask = rows < p_len
//   energy   every MAC writes an activation, a weight and a sum register
#pragma once
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

class OutputStationary final : public DataflowUnit {
 public:
  Dataflow id() const override { return Dataflow::OutputStationary; }
  FoldPlan plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& arch) const override;
  int64_t depthwise_group(int64_t channels, int64_t taps, const ArchConfig& arch) const override;
  FoldRows tile_rows(const FoldJob& job) const override;
  EdgeTiming edge_timing(int64_t x_row_cycles, int64_t w_row_cycles, int64_t out_row_cycles) const override;
  FoldSchedule schedule(const FoldJob& job, int32_t rows, int32_t cols) const override;
  int64_t output_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const override;
  void preload(ArrayRegisters&, const FoldJob&) const override {}
  void step(ArrayRegisters& regs, const FoldJob& job, int64_t t, ArrayOutputSink& sink) const override;
  RowKind row_kind() const override { return RowKind::Vector; }
  void rtl_inputs(const FoldJob& job, int32_t rows, int32_t cols, int64_t n, ArrayCycleInputs& in) const override;
  int32_t west_bits(int32_t, int32_t act_bits) const override { return act_bits; }
  int32_t north_bits(int32_t weight_bits, int32_t) const override { return weight_bits; }
  int64_t drained_pe_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const override;
  RegisterActivity register_activity(const LayerCounters& k) const override;
};

}  // namespace qarray
