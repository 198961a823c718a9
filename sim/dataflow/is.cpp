#include "sim/dataflow/is.h"

#include <algorithm>

#include "sim/dataflow/stationary.h"

namespace qarray {

FoldPlan InputStationary::plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& a) const {
  const int64_t R = a.rows, C = a.cols;
  slices_that_fit(a, "ifmap", a.ifmap, R * C * a.act_word_bits(), "rows x cols input tile");
  const int64_t kr = std::min(R, k), pc = std::min(C, p);
  const int64_t by_weight = slices_that_fit(a, "weight", a.weight, kr * a.weight_word_bits(), "weight column");
  const int64_t by_ofmap = slices_that_fit(a, "ofmap", a.ofmap, pc * a.acc_word_bits(), "column of accumulators");
  return plan_with_tiles(k, oc, p, R, std::min({oc, by_weight, by_ofmap}), C);
}

int64_t InputStationary::depthwise_group(int64_t channels, int64_t taps, const ArchConfig& a) const {
  return std::max<int64_t>(1, std::min(channels, a.rows / taps));
}

FoldRows InputStationary::tile_rows(const FoldJob& j) const {
  return {{j.k_len, j.p_len}, {j.oc_len, j.k_len}, {j.oc_len, j.p_len}};
}

EdgeTiming InputStationary::edge_timing(int64_t x, int64_t w, int64_t out) const { return {x, w, out}; }

FoldSchedule InputStationary::schedule(const FoldJob& j, int32_t rows, int32_t cols) const {
  return stationary::schedule(j.k_len, j.oc_len, rows, cols);
}

int64_t InputStationary::output_row(const FoldJob& j, int32_t rows, int32_t cols, int64_t n) const {
  return stationary::output_row(j.oc_len, rows, cols, n);
}

void InputStationary::preload(ArrayRegisters& regs, const FoldJob& j) const {
  const GemmPass& pass = *j.pass;
  stationary::preload(regs, pass.operands.data() + j.k0 * pass.p + j.p0, pass.p, j.k_len, j.p_len);
}

void InputStationary::step(ArrayRegisters& regs, const FoldJob& j, int64_t t, ArrayOutputSink& sink) const {
  const GemmPass& pass = *j.pass;
  stationary::step<RowKind::Channel>(regs, t, j.oc_len,
                                    pass.weights.data() + j.k0 * pass.oc + j.oc0, pass.oc, j.k_len, sink);
}

void InputStationary::rtl_inputs(const FoldJob& j, int32_t rows, int32_t, int64_t n, ArrayCycleInputs& in) const {
  const GemmPass& pass = *j.pass;
  stationary::rtl_inputs(
      j.k_len, j.p_len, j.oc_len, rows, n,
      [&](int64_t r, int64_t c) { return static_cast<uint32_t>(pass.operands[(j.k0 + r) * pass.p + j.p0 + c]); },
      [&](int64_t r, int64_t i) { return static_cast<uint32_t>(pass.weights[(j.k0 + r) * pass.oc + j.oc0 + i]); },
      in);
}

RegisterActivity InputStationary::register_activity(const LayerCounters& k) const {
  return {k.ifmap.reads, k.macs, k.macs};
}

}  // namespace qarray
