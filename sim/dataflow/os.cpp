#include "sim/dataflow/os.h"

#include <algorithm>
#include <cstring>

namespace qarray {
namespace {

// Cycles until the last product of the fold has landed: the drain starts after them.
int64_t compute_cycles(const FoldJob& j, int32_t rows, int32_t cols) { return j.k_len + rows + cols - 2; }

}  // namespace

FoldPlan OutputStationary::plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& a) const {
  const int64_t R = a.rows, C = a.cols;
  const int64_t pr = std::min(R, p), oc_c = std::min(C, oc);
  slices_that_fit(a, "ofmap", a.ofmap, pr * oc_c * a.acc_word_bits(), "rows x cols accumulator tile");
  const int64_t by_ifmap = slices_that_fit(a, "ifmap", a.ifmap, pr * a.act_word_bits(), "reduction step of inputs");
  const int64_t by_weight =
      slices_that_fit(a, "weight", a.weight, oc_c * a.weight_word_bits(), "reduction step of weights");
  return plan_with_tiles(k, oc, p, std::min({k, by_ifmap, by_weight}), C, R);
}

int64_t OutputStationary::depthwise_group(int64_t channels, int64_t, const ArchConfig& a) const {
  return std::max<int64_t>(1, std::min(channels, int64_t{a.cols}));
}

FoldRows OutputStationary::tile_rows(const FoldJob& j) const {
  return {{j.k_len, j.p_len}, {j.k_len, j.oc_len}, {j.p_len, j.oc_len}};
}

EdgeTiming OutputStationary::edge_timing(int64_t x, int64_t w, int64_t out) const {
  return {1, std::max(x, w), out};
}

FoldSchedule OutputStationary::schedule(const FoldJob& j, int32_t rows, int32_t cols) const {
  FoldSchedule s;
  s.drain = rows;
  s.stream = compute_cycles(j, rows, cols) + s.drain;
  s.feed_steps = j.k_len;
  s.out_end = s.stream;  // drain step d delivers array row R-1-d: the used rows come last
  s.out_begin = s.out_end - j.p_len;
  return s;
}

int64_t OutputStationary::output_row(const FoldJob& j, int32_t rows, int32_t cols, int64_t n) const {
  const int64_t d = n - compute_cycles(j, rows, cols);
  const int64_t r = rows - 1 - d;
  return d >= 0 && d < rows && r < j.p_len ? r : -1;
}

void OutputStationary::step(ArrayRegisters& regs, const FoldJob& j, int64_t t, ArrayOutputSink& sink) const {
  const GemmPass& pass = *j.pass;
  const int64_t rows = regs.rows, cols = regs.cols;
  const int64_t compute = compute_cycles(j, regs.rows, regs.cols);
  if (t >= compute) {  // drain: at drain cycle d the sums of array row R-1-d leave the bottom
    const int64_t r = rows - 1 - (t - compute);
    if (r < j.p_len) sink.vector_row(r, regs.psum.data() + r * cols);
    return;
  }
  const int32_t* x = pass.operands.data() + j.k0 * pass.p + j.p0;
  const int32_t* w = pass.weights.data() + j.k0 * pass.oc + j.oc0;
  const size_t C = static_cast<size_t>(cols);
  for (int64_t r = rows - 1; r >= 0; --r) {
    uint32_t* a = regs.west.data() + r * cols;
    uint32_t* b = regs.north.data() + r * cols;
    uint32_t* s = regs.psum.data() + r * cols;
    // Inputs move one PE right, row r's left edge carrying X[k][p0 + r] at cycle k + r.
    std::memmove(a + 1, a, (C - 1) * sizeof(uint32_t));
    const int64_t k = t - r;
    a[0] = r < j.p_len && k >= 0 && k < j.k_len ? static_cast<uint32_t>(x[k * pass.p + r]) : 0u;
    // Weights move one PE down (row r-1 is updated after row r, so it still holds last cycle's);
    // the top edge's column c carries W[k][oc0 + c] at cycle k + c.
    if (r > 0) {
      std::memcpy(b, regs.north.data() + (r - 1) * cols, C * sizeof(uint32_t));
    } else {
      for (size_t c = 0; c < C; ++c) {
        const int64_t kc = t - static_cast<int64_t>(c);
        b[c] = static_cast<int64_t>(c) < j.oc_len && kc >= 0 && kc < j.k_len
                   ? static_cast<uint32_t>(w[kc * pass.oc + c])
                   : 0u;
      }
    }
    for (size_t c = 0; c < C; ++c) s[c] += a[c] * b[c];
  }
}

// The RTL skews the edges itself: step k of the reduction enters every lane in the same cycle.
void OutputStationary::rtl_inputs(const FoldJob& j, int32_t rows, int32_t cols, int64_t n,
                                  ArrayCycleInputs& in) const {
  const GemmPass& pass = *j.pass;
  in.idle();
  in.rows_used = static_cast<int32_t>(std::min<int64_t>(rows, j.p_len));
  if (n < j.k_len) {
    in.valid = true;
    for (int64_t r = 0; r < j.p_len; ++r) in.west[r] = static_cast<uint32_t>(pass.operands[(j.k0 + n) * pass.p + j.p0 + r]);
    for (int64_t c = 0; c < j.oc_len; ++c) in.north[c] = static_cast<uint32_t>(pass.weights[(j.k0 + n) * pass.oc + j.oc0 + c]);
  }
  in.drain = n >= compute_cycles(j, rows, cols);
}

int64_t OutputStationary::drained_pe_row(const FoldJob& j, int32_t rows, int32_t cols, int64_t n) const {
  const int64_t drain_start = compute_cycles(j, rows, cols);
  return n >= drain_start ? rows - 1 - (n - drain_start) : -1;
}

RegisterActivity OutputStationary::register_activity(const LayerCounters& k) const {
  return {k.macs, k.macs, k.macs};
}

}  // namespace qarray
