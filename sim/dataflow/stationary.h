// What the two stationary dataflows (ws, is) share: the array wiring. A tile is held in the PEs
// (PE (r, c) holds row r, column c of it), the other operand streams in from the left edge one
// vector per cycle (row r of vector i enters at cycle i + r), partial sums move down and leave at
// the bottom edge through the de-skew buffer. ws holds weights and streams input vectors; is
// holds inputs and streams weight columns. Timing per fold (R x C physical PEs):
//   preload R cycles (the stationary rows shift in from the top, k_len of them read from SRAM),
//   stream n + R + C - 2 cycles for n streamed vectors; vector i leaves at the end of stream
//   step R + C - 2 + i, i.e. fold cycle 2R + C - 2 + i.
#pragma once
#include <cstdint>

#include "sim/dataflow/dataflow_unit.h"

namespace qarray::stationary {

FoldSchedule schedule(int64_t k_len, int64_t streamed, int32_t rows, int32_t cols);
int64_t output_row(int64_t streamed, int32_t rows, int32_t cols, int64_t n);

// Copies the [k_len][width] tile at `tile` (row stride `stride`) into the stationary registers.
void preload(ArrayRegisters& regs, const int32_t* tile, int64_t stride, int64_t k_len, int64_t width);

// One clock edge: every PE takes its left neighbour's operand and its upper neighbour's sum; row
// r of streamed vector i (feed[r * feed_stride + i], rows r < feed_rows) enters the left edge at
// cycle i + r. A finished row goes to the sink as a vector row (ws) or a channel row (is).
void step(ArrayRegisters& regs, int64_t t, int64_t vectors, const int32_t* feed, int64_t feed_stride,
          int64_t feed_rows, RowKind kind, ArrayOutputSink& sink);

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
