// Weight-stationary: PE (r, c) holds W[k0 + r][oc0 + c]; input vector p0 + i streams in from the
// left (row r carries X[k0 + r][p0 + i]); the bottom edge delivers the sums of vector i over the
// fold's columns (RowKind::Vector).
//   tiling   k_tile = R, oc_tile = C, p_tile = the most vectors whose inputs fit the ifmap
//            buffer and whose accumulator rows fit the ofmap buffer; depthwise packs
//            min(C, R / taps) channels per pass
//   SRAM     ifmap p_len rows of k_len inputs, weight k_len rows of oc_len, ofmap p_len rows of
//            oc_len; the weight rows' port time stalls the preload, the input rows' the feed
//   timing   preload R, stream p_len + R + C - 2 (stationary.h); first row leaves at fold
//            cycle 2R + C - 2
//   RTL      west = activations (A_BITS), north = weights (W_BITS)
//   energy   every MAC writes an activation and a sum register; every weight read a weight
//            register
#pragma once
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

class WeightStationary final : public DataflowUnit {
 public:
  Dataflow id() const override { return Dataflow::WeightStationary; }
  FoldPlan plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& arch) const override;
  int64_t depthwise_group(int64_t channels, int64_t taps, const ArchConfig& arch) const override;
  FoldRows tile_rows(const FoldJob& job) const override;
  EdgeTiming edge_timing(int64_t x_row_cycles, int64_t w_row_cycles, int64_t out_row_cycles) const override;
  FoldSchedule schedule(const FoldJob& job, int32_t rows, int32_t cols) const override;
  int64_t output_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const override;
  void preload(ArrayRegisters& regs, const FoldJob& job) const override;
  void step(ArrayRegisters& regs, const FoldJob& job, int64_t t, ArrayOutputSink& sink) const override;
  RowKind row_kind() const override { return RowKind::Vector; }
  void rtl_inputs(const FoldJob& job, int32_t rows, int32_t cols, int64_t n, ArrayCycleInputs& in) const override;
  int32_t west_bits(int32_t, int32_t act_bits) const override { return act_bits; }
  int32_t north_bits(int32_t weight_bits, int32_t) const override { return weight_bits; }
  RegisterActivity register_activity(const LayerCounters& k) const override;
};

}  // namespace qarray
