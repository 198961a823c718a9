// The lockstep co-simulation testbench: the SystemC datapath (SystolicArray synchronizing every
// cycle -> Accumulator -> PostProcessing) and the verilated rtl/array_datapath.v of one RTL
// variant in one SystemC top, fed the same folds. Each cycle the driver puts the controller's
// stimulus on the RTL ports (the dataflow unit's rtl_inputs, sim/dataflow/), clocks it, and compares each stage's valid and
// data with what the SystemC side produced for the same cycle (datapath_model.h); the
// post-processed rows that agree go to the caller's sink.
//
// SystemC elaborates once per process: the top (the model's array and post-processing unit and
// every RTL variant of the executable, each with its own clock so idle ones cost nothing) is
// built on first use; a process runs either this or the accelerator of sim/accelerator.h.
//
// Contract: folds run back to back from cycle 0 of the run (one reset cycle before it, not
// counted), then Accumulator::kLatencyCycles + PostProcessing::kLatencyCycles cycles drain the
// pipeline. In every cycle, for each stage (array, accumulator, post-processing) the RTL's valid
// must equal "the SystemC stage delivers a row in this cycle", and a delivered row must be equal
// in every lane in use: array sums and accumulator words in their low acc_bits bits, output codes
// exactly. The first difference stops the run and is returned, never thrown.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cosim/variants.h"
#include "sim/systolic_array.h"
#include "workloads/network.h"

namespace qarray {

struct CosimFold {
  FoldJob job;
  bool first_k = false, last_k = false;
};

enum class CosimStage { Array, Accumulator, PostProcessing };

// The first difference between the two datapaths.
struct DatapathMismatch {
  CosimStage stage = CosimStage::Array;
  int64_t fold = -1;           // the row's fold (a row the RTL delivers alone: the fold in progress)
  int64_t fold_cycle = -1;     // cycle since that fold started (later stages run past its end)
  int64_t run_cycle = -1;      // cycle since the run's first fold started
  bool valid_differs = false;  // the stage's valid differs (else a lane's value)
  bool expected_valid = false, actual_valid = false;
  int64_t column = -1;         // array column / datapath lane whose value differs
  int64_t pe_row = -1;         // os array stage: the array row the drained sums come from
  int64_t index = -1;          // the vector (ws, os) or weight column (is) of the row, in the fold
  int64_t channel = -1;        // post-processing: the output channel of the lane
  int64_t expected = 0, actual = 0;  // array / accumulator: low acc_bits bits as unsigned
};

class CosimRowSink {
 public:
  virtual ~CosimRowSink() = default;
  // A post-processed row both datapaths delivered equally: fold index, vector (ws, os) or weight
  // column (is) relative to the fold's p0 / oc0, the output codes of its row_lanes() lanes.
  virtual void output_row(size_t fold, int64_t index, const uint32_t* codes) = 0;
};

struct LockstepRun {
  const RtlVariant* variant = nullptr;
  std::vector<CosimFold> folds;
  const Layer* layer = nullptr;  // bias', requantization and clamp of the output stage
  int32_t out_zero_point = 0;
  CosimRowSink* sink = nullptr;
  std::string trace_path;  // a trace of the RTL (the variant's format) when not empty
  bool rtl_only = false;   // benchmark: drive the RTL alone (no SystemC side, no comparison)
  // results
  bool mismatch = false;
  DatapathMismatch first;
  int64_t cycles = 0;                                   // cycles compared
  int64_t array_rows = 0, acc_rows = 0, output_rows = 0;  // rows found equal, per stage
};

void run_lockstep(LockstepRun& run);

}  // namespace qarray
