#include "sim/systolic_array.h"

#include <algorithm>
#include <cstring>

namespace qarray {

using sc_core::sc_time;

SystolicArray::SystolicArray(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void SystolicArray::configure(int32_t rows, int32_t cols, Dataflow dataflow, const sc_time& clock_period) {
  rows_ = rows;
  cols_ = cols;
  dataflow_ = dataflow;
  period_ = clock_period;
  const size_t n = static_cast<size_t>(rows) * cols;
  stat_.assign(n, 0);
  west_.assign(n, 0);
  north_.assign(n, 0);
  psum_.assign(n, 0);
  deskew_.assign(static_cast<size_t>(cols) * cols, 0);
}

void SystolicArray::launch(const FoldJob& job, ArrayOutputSink* sink, const EdgeTiming& timing) {
  job_ = job;
  timing_ = timing;
  sink_ = sink;
  start_.notify(sc_core::SC_ZERO_TIME);
}

int64_t SystolicArray::preload_length() const { return dataflow_ == Dataflow::OutputStationary ? 0 : rows_; }

int64_t SystolicArray::stream_length(const FoldJob& job) const {
  switch (dataflow_) {
    case Dataflow::WeightStationary: return job.p_len + rows_ + cols_ - 2;
    case Dataflow::InputStationary: return job.oc_len + rows_ + cols_ - 2;
    case Dataflow::OutputStationary: return job.k_len + rows_ + cols_ - 2 + rows_;
  }
  return 0;
}

int64_t SystolicArray::step_bubbles(const FoldJob& job, int64_t t) const {
  const int64_t skew = rows_ + cols_ - 2;
  int64_t fed = 0, out0 = 0, out1 = 0;  // steps [0, fed) stream operands in, [out0, out1) write sums
  switch (dataflow_) {
    case Dataflow::WeightStationary: fed = job.p_len, out0 = skew, out1 = skew + job.p_len; break;
    case Dataflow::InputStationary: fed = job.oc_len, out0 = skew, out1 = skew + job.oc_len; break;
    case Dataflow::OutputStationary:  // drain step d delivers array row R-1-d
      fed = job.k_len, out1 = job.k_len + skew + rows_, out0 = out1 - job.p_len;
      break;
  }
  int64_t cycles = 1;
  if (t < fed) cycles = std::max(cycles, timing_.feed_cycles);
  if (t >= out0 && t < out1) cycles = std::max(cycles, timing_.out_row_cycles);
  return cycles - 1;
}

void SystolicArray::clear() {
  std::fill(stat_.begin(), stat_.end(), 0u);
  std::fill(west_.begin(), west_.end(), 0u);
  std::fill(north_.begin(), north_.end(), 0u);
  std::fill(psum_.begin(), psum_.end(), 0u);
}

void SystolicArray::run() {
  for (;;) {
    wait(start_);
    const FoldJob job = job_;
    clear();
    // Preload (ws, is): the stationary tile shifts down its columns one row per cycle, R
    // cycles, while nothing else moves; the stretch is skipped in one wait.
    if (dataflow_ == Dataflow::WeightStationary) preload_ws(job);
    if (dataflow_ == Dataflow::InputStationary) preload_is(job);
    // Each of the k_len stationary rows read from SRAM may take longer than its cycle.
    const int64_t preload = preload_length();
    const int64_t preload_stall = preload > 0 ? job.k_len * (timing_.preload_row_cycles - 1) : 0;
    if (preload + preload_stall > 0) wait(period_ * static_cast<double>(preload + preload_stall));
    preload_cycles_ += preload;
    sram_stall_cycles_ += preload_stall;
    // The stream, one clock edge per step. Nothing outside the array reads its registers
    // mid-fold, so it synchronizes with the kernel once per quantum (temporal decoupling);
    // local_time() gives the exact time of the edge being computed.
    const int64_t stream = stream_length(job);
    const bool bubbles = timing_.feed_cycles > 1 || timing_.out_row_cycles > 1;
    pending_ = 0;
    for (int64_t t = 0; t < stream; ++t) {
      if (bubbles) {  // the step's SRAM accesses hold the array before its edge
        const int64_t b = step_bubbles(job, t);
        pending_ += b;
        sram_stall_cycles_ += b;
      }
      switch (dataflow_) {
        case Dataflow::WeightStationary: step_ws(job, t); break;
        case Dataflow::InputStationary: step_is(job, t); break;
        case Dataflow::OutputStationary: step_os(job, t); break;
      }
      if (++pending_ >= sync_quantum_) {
        wait(period_ * static_cast<double>(pending_));
        pending_ = 0;
      }
    }
    if (pending_ > 0) wait(period_ * static_cast<double>(pending_));
    pending_ = 0;
    stream_cycles_ += stream;
    done.notify(sc_core::SC_ZERO_TIME);
  }
}

// One clock edge of a stationary dataflow: every PE takes its left neighbour's operand and its
// upper neighbour's sum; row r of streamed vector i enters at the left edge at cycle i + r.
// Walking from the bottom row up reads each upper neighbour before it is overwritten. The
// bottom edge feeds the de-skew buffer; the row of vector i is complete when column cols-1
// delivers it, at the end of cycle i + rows + cols - 2.
void SystolicArray::step_stationary(int64_t t, int64_t vectors, const int32_t* feed, int64_t feed_stride,
                                    int64_t feed_rows, bool emit_vectors) {
  const size_t C = static_cast<size_t>(cols_);
  for (int64_t r = rows_ - 1; r >= 0; --r) {
    uint32_t* a = west_.data() + r * cols_;
    uint32_t* s = psum_.data() + r * cols_;
    const uint32_t* w = stat_.data() + r * cols_;
    // Activations move one PE right; the left edge takes row r's operand, r cycles behind row 0.
    std::memmove(a + 1, a, (C - 1) * sizeof(uint32_t));
    const int64_t i = t - r;
    a[0] = r < feed_rows && i >= 0 && i < vectors ? static_cast<uint32_t>(feed[r * feed_stride + i]) : 0u;
    // Sums move one PE down: row r adds its products to row r-1's sums of the previous cycle
    // (row r-1 is updated after row r, so it still holds them).
    if (r > 0) {
      const uint32_t* above = psum_.data() + (r - 1) * cols_;
      for (size_t c = 0; c < C; ++c) s[c] = above[c] + w[c] * a[c];
    } else {
      for (size_t c = 0; c < C; ++c) s[c] = w[c] * a[c];
    }
  }
  // Column c delivers vector i = t - (rows-1) - c; only columns with a valid vector write.
  const uint32_t* bottom = psum_.data() + static_cast<size_t>(rows_ - 1) * cols_;
  const int64_t i0 = t - (rows_ - 1);  // the vector column 0 delivers
  const int64_t c_lo = std::max<int64_t>(0, i0 - vectors + 1), c_hi = std::min<int64_t>(cols_ - 1, i0);
  if (c_lo > c_hi) return;
  int64_t slot_index = (i0 - c_lo) % cols_;  // slot of vector i0 - c, stepped down with c
  for (int64_t c = c_lo; c <= c_hi; ++c) {
    uint32_t* slot = deskew_.data() + slot_index * cols_;
    slot[c] = bottom[c];
    if (c == cols_ - 1) {
      if (emit_vectors) sink_->vector_row(i0 - c, slot);
      else sink_->channel_row(i0 - c, slot);
    }
    slot_index = slot_index == 0 ? cols_ - 1 : slot_index - 1;
  }
}

}  // namespace qarray
