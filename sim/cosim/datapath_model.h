// The SystemC side of the datapath behind the array in the co-simulation: every row the model's
// SystolicArray delivers goes through the model's Accumulator and, after the last k fold,
// PostProcessing::apply, as the controller does (sim/controller.cpp); the results are queued
// with the run cycle in which the RTL must show them.
//
// Contract: an array row delivered in cycle n is expected on the accumulator's output in cycle
// n + Accumulator::kLatencyCycles and, if its fold is the last k fold, as output codes in cycle
// n + Accumulator::kLatencyCycles + PostProcessing::kLatencyCycles (the rtl/array_datapath.v
// timing). Lanes are row_lanes() words: accumulator words 32-bit wrapping, codes in [lo, hi].
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/accumulator.h"
#include "sim/cosim/lockstep.h"
#include "sim/dataflow/dataflow_unit.h"
#include "sim/post_processing.h"

namespace qarray {

struct ExpectedRow {
  int64_t cycle = 0;  // run cycle
  size_t fold = 0;
  int64_t index = 0;  // vector (RowKind::Vector) or weight column (RowKind::Channel), relative to p0 / oc0
  std::vector<uint32_t> lanes;
};

class DatapathModel {
 public:
  explicit DatapathModel(PostProcessing& ppu) : ppu_(ppu) {}

  void begin(const LockstepRun& run, const DataflowUnit& unit);
  void begin_fold(size_t f);
  // The model array delivered row `index` of the current fold in run cycle `cycle`.
  void array_row(int64_t cycle, size_t f, int64_t index, const uint32_t* sums);

  std::deque<ExpectedRow> acc, out;  // oldest first

 private:
  PostProcessing& ppu_;
  Accumulator acc_;
  const LockstepRun* run_ = nullptr;
  const DataflowUnit* unit_ = nullptr;
};

}  // namespace qarray
