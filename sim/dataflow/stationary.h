// What the two stationary dataflows (ws, is) share: the array wiring. A tile is held in the PEs
// (PE (r, c) holds row r, column c of it), the other operand streams in from the left edge one
// vector per cycle (row r of vector i enters at cycle i + r), partial sums move down and leave at
// the bottom edge through the de-skew buffer. ws holds weights and streams input vectors; is
// holds inputs and streams weight columns. Timing per fold (R x C physical PEs):
//   preload R cycles (the stationary rows shift in from the top, k_len of them read from SRAM),
//   stream n + R + C - 2 cycles for n streamed vectors; vector i leaves at the end of stream
//   step R + C - 2 + i, i.e. fold cycle 2R + C - 2 + i.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "sim/dataflow/dataflow_unit.h"

namespace qarray::stationary {

FoldSchedule schedule(int64_t k_len, int64_t streamed, int32_t rows, int32_t cols);
int64_t output_row(int64_t streamed, int32_t rows, int32_t cols, int64_t n);

// Copies the [k_len][width] tile at `tile` (row stride `stride`) into the stationary registers.
void preload(ArrayRegisters& regs, const int32_t* tile, int64_t stride, int64_t k_len, int64_t width);

// One clock edge: every PE takes its left neighbour's operand and its upper neighbour's sum; row
// r of streamed vector i (feed[r * feed_stride + i], rows r < feed_rows) enters the left edge at
// cycle i + r. A finished row goes to the sink as a vector row (ws) or a channel row (is). Inline:
// the hot loop of the cycle model, compiled into each dataflow's step.
// Walking from the bottom row up reads each upper neighbour before it is overwritten. The bottom
// edge feeds the de-skew buffer; the row of vector i is complete when column cols-1 delivers it,
// at the end of cycle i + rows + cols - 2.
template <RowKind kKind>
inline void step(ArrayRegisters& regs, int64_t t, int64_t vectors, const int32_t* feed, int64_t feed_stride,
                 int64_t feed_rows, ArrayOutputSink& sink) {
  const int64_t rows = regs.rows, cols = regs.cols;
  const size_t C = static_cast<size_t>(cols);
  uint32_t* const west = regs.west.data();
  uint32_t* const psum = regs.psum.data();
  const uint32_t* const stat = regs.stat.data();
  for (int64_t r = rows - 1; r >= 0; --r) {
    uint32_t* a = west + r * cols;
    uint32_t* s = psum + r * cols;
    const uint32_t* w = stat + r * cols;
    // Operands move one PE right; the left edge takes row r's operand, r cycles behind row 0.
    std::memmove(a + 1, a, (C - 1) * sizeof(uint32_t));
    const int64_t i = t - r;
    a[0] = r < feed_rows && i >= 0 && i < vectors ? static_cast<uint32_t>(feed[r * feed_stride + i]) : 0u;
    // Sums move one PE down: row r adds its products to row r-1's sums of the previous cycle
    // (row r-1 is updated after row r, so it still holds them).
    if (r > 0) {
      const uint32_t* above = psum + (r - 1) * cols;
      for (size_t c = 0; c < C; ++c) s[c] = above[c] + w[c] * a[c];
    } else {
      for (size_t c = 0; c < C; ++c) s[c] = w[c] * a[c];
    }
  }
  // Column c delivers vector i = t - (rows-1) - c; only columns with a valid vector write.
  const uint32_t* bottom = psum + static_cast<size_t>(rows - 1) * cols;
  const int64_t i0 = t - (rows - 1);  // the vector column 0 delivers
  const int64_t c_lo = std::max<int64_t>(0, i0 - vectors + 1), c_hi = std::min<int64_t>(cols - 1, i0);
  if (c_lo > c_hi) return;
  int64_t slot_index = (i0 - c_lo) % cols;  // slot of vector i0 - c, stepped down with c
  for (int64_t c = c_lo; c <= c_hi; ++c) {
    uint32_t* slot = regs.deskew.data() + slot_index * cols;
    slot[c] = bottom[c];
    if (c == cols - 1) {
      if constexpr (kKind == RowKind::Vector) sink.vector_row(i0 - c, slot);
      else sink.channel_row(i0 - c, slot);
    }
    slot_index = slot_index == 0 ? cols - 1 : slot_index - 1;
  }
}

// The RTL ports of fold cycle n: the preload shifts stationary row R-1-n in at the top (north
// lane c = stat(R-1-n, c), `load`); then vector i = n - R enters at the west edge (lane r =
// feed(r, i), `valid`).
template <typename Stat, typename Feed>
void rtl_inputs(int64_t k_len, int64_t stat_width, int64_t streamed, int32_t rows, int64_t n, Stat stat, Feed feed,
                ArrayCycleInputs& in) {
  in.idle();
  if (n < rows) {
    in.load = true;
    const int64_t r = rows - 1 - n;
    if (r < k_len)
      for (int64_t c = 0; c < stat_width; ++c) in.north[c] = stat(r, c);
    return;
  }
  const int64_t i = n - rows;
  if (i >= streamed) return;
  in.valid = true;
  for (int64_t r = 0; r < k_len; ++r) in.west[r] = feed(r, i);
}

}  // namespace qarray::stationary
