#include "sim/dataflow/stationary.h"

#include <algorithm>
#include <cstring>

namespace qarray::stationary {

FoldSchedule schedule(int64_t k_len, int64_t streamed, int32_t rows, int32_t cols) {
  const int64_t skew = int64_t{rows} + cols - 2;
  FoldSchedule s;
  s.preload = rows;
  s.preload_reads = k_len;
  s.stream = streamed + skew;
  s.feed_steps = streamed;
  s.out_begin = skew;
  s.out_end = skew + streamed;
  return s;
}

int64_t output_row(int64_t streamed, int32_t rows, int32_t cols, int64_t n) {
  const int64_t i = n - (2 * int64_t{rows} + cols - 2);
  return i >= 0 && i < streamed ? i : -1;
}

void preload(ArrayRegisters& regs, const int32_t* tile, int64_t stride, int64_t k_len, int64_t width) {
  for (int64_t r = 0; r < k_len; ++r)
    for (int64_t c = 0; c < width; ++c) regs.stat[r * regs.cols + c] = static_cast<uint32_t>(tile[r * stride + c]);
}

// Walking from the bottom row up reads each upper neighbour before it is overwritten. The bottom
// edge feeds the de-skew buffer; the row of vector i is complete when column cols-1 delivers it,
// at the end of cycle i + rows + cols - 2.
void step(ArrayRegisters& regs, int64_t t, int64_t vectors, const int32_t* feed, int64_t feed_stride,
          int64_t feed_rows, RowKind kind, ArrayOutputSink& sink) {
  const int64_t rows = regs.rows, cols = regs.cols;
  const size_t C = static_cast<size_t>(cols);
  for (int64_t r = rows - 1; r >= 0; --r) {
    uint32_t* a = regs.west.data() + r * cols;
    uint32_t* s = regs.psum.data() + r * cols;
    const uint32_t* w = regs.stat.data() + r * cols;
    // Operands move one PE right; the left edge takes row r's operand, r cycles behind row 0.
    std::memmove(a + 1, a, (C - 1) * sizeof(uint32_t));
    const int64_t i = t - r;
    a[0] = r < feed_rows && i >= 0 && i < vectors ? static_cast<uint32_t>(feed[r * feed_stride + i]) : 0u;
    // Sums move one PE down: row r adds its products to row r-1's sums of the previous cycle
    // (row r-1 is updated after row r, so it still holds them).
    if (r > 0) {
      const uint32_t* above = regs.psum.data() + (r - 1) * cols;
      for (size_t c = 0; c < C; ++c) s[c] = above[c] + w[c] * a[c];
    } else {
      for (size_t c = 0; c < C; ++c) s[c] = w[c] * a[c];
    }
  }
  // Column c delivers vector i = t - (rows-1) - c; only columns with a valid vector write.
  const uint32_t* bottom = regs.psum.data() + static_cast<size_t>(rows - 1) * cols;
  const int64_t i0 = t - (rows - 1);  // the vector column 0 delivers
  const int64_t c_lo = std::max<int64_t>(0, i0 - vectors + 1), c_hi = std::min<int64_t>(cols - 1, i0);
  if (c_lo > c_hi) return;
  int64_t slot_index = (i0 - c_lo) % cols;  // slot of vector i0 - c, stepped down with c
  for (int64_t c = c_lo; c <= c_hi; ++c) {
    uint32_t* slot = regs.deskew.data() + slot_index * cols;
    slot[c] = bottom[c];
    if (c == cols - 1) {
      if (kind == RowKind::Vector) sink.vector_row(i0 - c, slot);
      else sink.channel_row(i0 - c, slot);
    }
    slot_index = slot_index == 0 ? cols - 1 : slot_index - 1;
  }
}

}  // namespace qarray::stationary
