// The systolic MAC array: rows x cols PEs with skew buffers on the left and top edges and a
// de-skew buffer at the bottom edge. One clocked SC_THREAD advances plain register arrays (never
// one process per PE), one clock edge per step, synchronizing with the kernel once per
// kSyncQuantumCycles; stretches where only a preload moves are skipped in one wait.
//
// The dataflow's unit (sim/dataflow/) says what the edges carry and when: its preload, its step
// (one clock edge of every PE) and its FoldSchedule (preload, stream, which steps read operands
// and which deliver rows). The array runs them and counts the cycles.
// SRAM port limits (EdgeTiming) add bubbles: a step whose accesses need more than one cycle
// holds the whole array (a global stall) for the extra cycles before its clock edge, so the
// register timing stays the RTL's; the default EdgeTiming adds none.
#pragma once
#include <cstdint>
#include <systemc>

#include "sim/arch_config.h"
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

class SystolicArray : public sc_core::sc_module {
 public:
  // Cycles the array runs ahead of the kernel before it synchronizes by default (1 = every
  // clock edge, as lockstep co-simulation needs: set_sync_quantum(1)).
  static constexpr int64_t kSyncQuantumCycles = 4096;

  SC_HAS_PROCESS(SystolicArray);
  explicit SystolicArray(sc_core::sc_module_name name);

  // Sizes the register arrays; called by the controller between layers, never mid-fold.
  void configure(int32_t rows, int32_t cols, Dataflow dataflow, const sc_core::sc_time& clock_period);
  // Starts a fold in the next delta cycle; `done` fires when its last sums have left.
  void launch(const FoldJob& job, ArrayOutputSink* sink, const EdgeTiming& timing = {});
  sc_core::sc_event done;

  // Time of the clock edge being computed (the kernel's time plus the cycles run ahead); the
  // sink's callbacks use it to time-stamp outputs.
  sc_core::sc_time local_time() const { return sc_core::sc_time_stamp() + period_ * static_cast<double>(pending_); }

  int64_t preload_cycles() const { return preload_cycles_; }
  int64_t stream_cycles() const { return stream_cycles_; }
  int64_t sram_stall_cycles() const { return sram_stall_cycles_; }  // bubbles waiting for SRAM ports
  void reset_counters() { preload_cycles_ = stream_cycles_ = sram_stall_cycles_ = 0; }
  // Runtime sync quantum (>= 1 cycles); the timing of the folds does not depend on it.
  void set_sync_quantum(int64_t cycles) { sync_quantum_ = cycles < 1 ? 1 : cycles; }

 private:
  void run();
  int64_t step_bubbles(const FoldSchedule& s, int64_t t) const;

  sc_core::sc_event start_;
  sc_core::sc_time period_;
  const DataflowUnit* unit_ = nullptr;
  ArrayRegisters regs_;
  FoldJob job_;
  EdgeTiming timing_;
  ArrayOutputSink* sink_ = nullptr;
  int64_t pending_ = 0;  // cycles computed since the last synchronization
  int64_t sync_quantum_ = kSyncQuantumCycles;
  int64_t preload_cycles_ = 0, stream_cycles_ = 0, sram_stall_cycles_ = 0;
};

}  // namespace qarray
