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

}  // namespace qarray::stationary
