// Input-stationary: PE (r, c) holds X[k0 + r][p0 + c]; weight column oc0 + i streams in from the
// left (row r carries W[k0 + r][oc0 + i]); the bottom edge delivers the sums of output channel i
// over the fold's vectors (RowKind::Channel). The wiring of weight-stationary with the roles of
// the two operands exchanged (stationary.h).
//   tiling   k_tile = R, p_tile = C, oc_tile = the most weight columns that fit the weight
//            buffer and whose accumulator columns fit the ofmap buffer; depthwise packs
//            min(C_in, R / taps) channels per pass (the streamed columns keep them apart)
//   SRAM     ifmap k_len rows of p_len inputs, weight oc_len rows of k_len, ofmap oc_len rows of
//            p_len; the input rows' port time stalls the preload, the weight rows' the feed
//   timing   preload R, stream oc_len + R + C - 2; first row leaves at fold cycle 2R + C - 2
//   RTL      west = weights (W_BITS), north = activations (A_BITS)
//   energy   every MAC writes a weight and a sum register; every input read an input register
#pragma once
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

class InputStationary final : public DataflowUnit {
 public:
  Dataflow id() const override { return Dataflow::InputStationary; }
  FoldPlan plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& arch) const override;
  int64_t depthwise_group(int64_t channels, int64_t taps, const ArchConfig& arch) const override;
  FoldRows tile_rows(const FoldJob& job) const override;
  EdgeTiming edge_timing(int64_t x_row_cycles, int64_t w_row_cycles, int64_t out_row_cycles) const override;
  FoldSchedule schedule(const FoldJob& job, int32_t rows, int32_t cols) const override;
  int64_t output_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const override;
  void preload(ArrayRegisters& regs, const FoldJob& job) const override;
  void step(ArrayRegisters& regs, const FoldJob& job, int64_t t, ArrayOutputSink& sink) const override;
  RowKind row_kind() const override { return RowKind::Channel; }
  void rtl_inputs(const FoldJob& job, int32_t rows, int32_t cols, int64_t n, ArrayCycleInputs& in) const override;
  int32_t west_bits(int32_t weight_bits, int32_t) const override { return weight_bits; }
  int32_t north_bits(int32_t, int32_t act_bits) const override { return act_bits; }
  RegisterActivity register_activity(const LayerCounters& k) const override;
};

}  // namespace qarray
