#include "sim/dataflow/ws.h"

#include <algorithm>

#include "sim/dataflow/stationary.h"

namespace qarray {

FoldPlan WeightStationary::plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& a) const {
  const int64_t R = a.rows, C = a.cols;
  slices_that_fit(a, "weight", a.weight, R * C * a.weight_word_bits(), "rows x cols weight tile");
  const int64_t kr = std::min(R, k), oc_c = std::min(C, oc);
  const int64_t by_ifmap = slices_that_fit(a, "ifmap", a.ifmap, kr * a.act_word_bits(), "input vector");
  const int64_t by_ofmap = slices_that_fit(a, "ofmap", a.ofmap, oc_c * a.acc_word_bits(), "row of accumulators");
  return plan_with_tiles(k, oc, p, R, C, std::min({p, by_ifmap, by_ofmap}));
}

int64_t WeightStationary::depthwise_group(int64_t channels, int64_t taps, const ArchConfig& a) const {
  return std::max<int64_t>(1, std::min({channels, int64_t{a.cols}, a.rows / taps}));
}

FoldRows WeightStationary::tile_rows(const FoldJob& j) const {
  return {{j.p_len, j.k_len}, {j.k_len, j.oc_len}, {j.p_len, j.oc_len}};
}

EdgeTiming WeightStationary::edge_timing(int64_t x, int64_t w, int64_t out) const { return {w, x, out}; }

FoldSchedule WeightStationary::schedule(const FoldJob& j, int32_t rows, int32_t cols) const {
  return stationary::schedule(j.k_len, j.p_len, rows, cols);
}

int64_t WeightStationary::output_row(const FoldJob& j, int32_t rows, int32_t cols, int64_t n) const {
  return stationary::output_row(j.p_len, rows, cols, n);
}

void WeightStationary::preload(ArrayRegisters& regs, const FoldJob& j) const {
  const GemmPass& pass = *j.pass;
  stationary::preload(regs, pass.weights.data() + j.k0 * pass.oc + j.oc0, pass.oc, j.k_len, j.oc_len);
}

void WeightStationary::step(ArrayRegisters& regs, const FoldJob& j, int64_t t, ArrayOutputSink& sink) const {
  const GemmPass& pass = *j.pass;
  stationary::step<RowKind::Vector>(regs, t, j.p_len,
                                   pass.operands.data() + j.k0 * pass.p + j.p0, pass.p, j.k_len, sink);
}

void WeightStationary::rtl_inputs(const FoldJob& j, int32_t rows, int32_t, int64_t n, ArrayCycleInputs& in) const {
  const GemmPass& pass = *j.pass;
  stationary::rtl_inputs(
      j.k_len, j.oc_len, j.p_len, rows, n,
      [&](int64_t r, int64_t c) { return static_cast<uint32_t>(pass.weights[(j.k0 + r) * pass.oc + j.oc0 + c]); },
      [&](int64_t r, int64_t i) { return static_cast<uint32_t>(pass.operands[(j.k0 + r) * pass.p + j.p0 + i]); }, in);
}

RegisterActivity WeightStationary::register_activity(const LayerCounters& k) const {
  return {k.macs, k.weight.reads, k.macs};
}

}  // namespace qarray
