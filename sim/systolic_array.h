// The systolic MAC array: rows x cols PEs with skew buffers on the left and top edges and a
// de-skew buffer at the bottom edge. One clocked SC_THREAD advances plain register arrays (never
// one process per PE), one clock edge per step, synchronizing with the kernel once per
// kSyncQuantumCycles; stretches where only a preload moves are skipped in one wait.
//
// Three dataflows, one file each for their cycle rule (systolic_array_{ws,is,os}.cpp):
//   ws  weights stationary (array row = k, column = oc); input vectors p stream from the left.
//   is  inputs stationary (row = k, column = p); weight columns oc stream from the left.
//   os  outputs stationary (row = p, column = oc); inputs stream from the left, weights from
//       the top, both indexed by k; the finished sums then shift out at the bottom.
// Timing per fold (cycles; R, C the physical rows and columns, which set the latency even when
// a fold uses fewer of them; README "Cycle model" derives these):
//   ws  preload R, stream p_len  + R + C - 2
//   is  preload R, stream oc_len + R + C - 2
//   os  preload 0, stream k_len  + R + C - 2, drain R
// Sums are 32-bit wrapping registers; an acc_bits register is their low acc_bits bits.
// SRAM port limits (EdgeTiming) add bubbles: a step whose accesses need more than one cycle
// holds the whole array (a global stall) for the extra cycles before its clock edge, so the
// register timing stays the RTL's; the default EdgeTiming adds none.
#pragma once
#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/arch_config.h"
#include "sim/gemm_pass.h"

namespace qarray {

// One tile of a pass: weight-matrix rows [k0, k0+k_len), columns [oc0, oc0+oc_len) and input
// vectors [p0, p0+p_len).
struct FoldJob {
  const GemmPass* pass = nullptr;
  int64_t k0 = 0, k_len = 0;
  int64_t oc0 = 0, oc_len = 0;
  int64_t p0 = 0, p_len = 0;
};

// Cycles the SRAM ports need for each access step of a fold (sim/sram.h; 1 = they keep up):
// each stationary row read during the preload (ws weights, is inputs; rows [0, k_len)), each
// step that streams operands in (ws vectors t < p_len, is weight columns t < oc_len, os
// reduction steps t < k_len), and each step that writes a finished row of sums to the
// accumulator (ws/is: t in [R+C-2, R+C-2 + p_len / oc_len); os: the drain steps of rows < p_len).
// A step touching both an operand buffer and the accumulator takes the larger of the two.
struct EdgeTiming {
  int64_t preload_row_cycles = 1;
  int64_t feed_cycles = 1;
  int64_t out_row_cycles = 1;
};

// Receives the array's finished sums, relative to the fold's p0 / oc0.
class ArrayOutputSink {
 public:
  virtual ~ArrayOutputSink() = default;
  // ws, os: the sums of vector p for columns oc in [0, oc_len).
  virtual void vector_row(int64_t p, const uint32_t* sums) = 0;
  // is: the sums of weight column oc for vectors p in [0, p_len).
  virtual void channel_row(int64_t oc, const uint32_t* sums) = 0;
};

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
  void clear();
  int64_t preload_length() const;
  int64_t stream_length(const FoldJob& job) const;
  int64_t step_bubbles(const FoldJob& job, int64_t t) const;
  // Stationary dataflows (ws, is): the tile held in the PEs and one clock edge of the stream.
  void preload_ws(const FoldJob& job);
  void preload_is(const FoldJob& job);
  void step_stationary(int64_t t, int64_t vectors, const int32_t* feed, int64_t feed_stride,
                       int64_t feed_rows, bool emit_vectors);
  void step_ws(const FoldJob& job, int64_t t);
  void step_is(const FoldJob& job, int64_t t);
  void step_os(const FoldJob& job, int64_t t);

  sc_core::sc_event start_;
  sc_core::sc_time period_;
  Dataflow dataflow_ = Dataflow::WeightStationary;
  int32_t rows_ = 0, cols_ = 0;
  FoldJob job_;
  EdgeTiming timing_;
  ArrayOutputSink* sink_ = nullptr;
  std::vector<uint32_t> stat_;    // [rows][cols] stationary operands (ws: weights, is: inputs)
  std::vector<uint32_t> west_;    // [rows][cols] operands moving right
  std::vector<uint32_t> north_;   // [rows][cols] operands moving down (os: weights)
  std::vector<uint32_t> psum_;    // [rows][cols] partial sums (ws/is: moving down; os: stationary)
  std::vector<uint32_t> deskew_;  // [cols][cols] ring of rows, slot i % cols
  int64_t pending_ = 0;  // cycles computed since the last synchronization
  int64_t sync_quantum_ = kSyncQuantumCycles;
  int64_t preload_cycles_ = 0, stream_cycles_ = 0, sram_stall_cycles_ = 0;
};

}  // namespace qarray
