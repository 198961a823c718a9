#include "sim/systolic_array.h"

#include <algorithm>

namespace qarray {

using sc_core::sc_time;

SystolicArray::SystolicArray(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void SystolicArray::configure(int32_t rows, int32_t cols, Dataflow dataflow, const sc_time& clock_period) {
  unit_ = &dataflow_unit(dataflow);
  period_ = clock_period;
  regs_.resize(rows, cols);
}

void SystolicArray::launch(const FoldJob& job, ArrayOutputSink* sink, const EdgeTiming& timing) {
  job_ = job;
  timing_ = timing;
  sink_ = sink;
  start_.notify(sc_core::SC_ZERO_TIME);
}

// Extra cycles the SRAM ports hold stream step t: steps that take operands wait for the feed,
// steps that deliver a row for the accumulator write; a step doing both waits for the slower.
int64_t SystolicArray::step_bubbles(const FoldSchedule& s, int64_t t) const {
  int64_t cycles = 1;
  if (t < s.feed_steps) cycles = std::max(cycles, timing_.feed_cycles);
  if (t >= s.out_begin && t < s.out_end) cycles = std::max(cycles, timing_.out_row_cycles);
  return cycles - 1;
}

void SystolicArray::run() {
  for (;;) {
    wait(start_);
    const FoldJob job = job_;
    const DataflowUnit& unit = *unit_;
    const FoldSchedule s = unit.schedule(job, regs_.rows, regs_.cols);
    regs_.clear();
    // Preload (ws, is): the stationary tile shifts down its columns one row per cycle while
    // nothing else moves; the stretch is skipped in one wait. Each stationary row read from SRAM
    // may take longer than its cycle.
    unit.preload(regs_, job);
    const int64_t preload_stall = s.preload_reads * (timing_.preload_row_cycles - 1);
    if (s.preload + preload_stall > 0) wait(period_ * static_cast<double>(s.preload + preload_stall));
    preload_cycles_ += s.preload;
    sram_stall_cycles_ += preload_stall;
    // The stream, one clock edge per step. Nothing outside the array reads its registers
    // mid-fold, so it synchronizes with the kernel once per quantum (temporal decoupling);
    // local_time() gives the exact time of the edge being computed.
    const bool bubbles = timing_.feed_cycles > 1 || timing_.out_row_cycles > 1;
    pending_ = 0;
    for (int64_t t = 0; t < s.stream; ++t) {
      if (bubbles) {  // the step's SRAM accesses hold the array before its edge
        const int64_t b = step_bubbles(s, t);
        pending_ += b;
        sram_stall_cycles_ += b;
      }
      unit.step(regs_, job, t, *sink_);
      if (++pending_ >= sync_quantum_) {
        wait(period_ * static_cast<double>(pending_));
        pending_ = 0;
      }
    }
    if (pending_ > 0) wait(period_ * static_cast<double>(pending_));
    pending_ = 0;
    stream_cycles_ += s.stream;
    done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
