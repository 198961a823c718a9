// The lockstep co-simulation testbench: the SystemC SystolicArray (synchronizing every cycle)
// and the verilated rtl/systolic_array.v of one compiled variant in one SystemC top, fed the
// same folds. Each cycle the driver puts the fold's edge stimulus on the RTL ports
// (fold_stimulus.h), clocks it, and compares out_valid and out_sums with what the SystemC array
// delivered in the same cycle; the rows that agree go to the caller's sink.
//
// SystemC elaborates once per process: the top (the model array, a post-processing unit for
// the caller, and every compiled RTL variant, each with its own clock so idle ones cost nothing)
// is built on first use; a process runs either this or the accelerator of sim/accelerator.h.
//
// Contract: folds run back to back from cycle 0 of the run (one reset cycle before it, not
// counted); the RTL's out_valid must equal "the SystemC array delivered a row in this cycle" in
// every cycle, and the sums of a delivered row must be equal in their low acc_bits bits in every
// column. The first difference stops the run and is returned, never thrown.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cosim/variants.h"
#include "sim/post_processing.h"
#include "sim/systolic_array.h"

namespace qarray {

struct CosimFold {
  FoldJob job;
  bool first_k = false, last_k = false;
};

// The first difference between the two arrays.
struct ArrayMismatch {
  int64_t fold = -1;           // index in the run's folds
  int64_t fold_cycle = -1;     // cycle within that fold
  int64_t run_cycle = -1;      // cycle since the run's first fold started
  bool valid_differs = false;  // out_valid differs (else a column's sum)
  bool expected_valid = false, actual_valid = false;
  int64_t column = -1;         // array column whose sum differs
  int64_t pe_row = -1;         // os: the array row the drained sums come from (-1 otherwise)
  int64_t index = -1;          // the vector (ws, os) or weight column (is) of the row, in the fold
  int64_t expected = 0, actual = 0;  // the column's sum, low acc_bits bits as unsigned
};

class CosimRowSink {
 public:
  virtual ~CosimRowSink() = default;
  // A row both arrays delivered equally: fold index, vector (ws, os) or weight column (is)
  // relative to the fold's p0 / oc0, the sums (cols words, 32-bit wrapping as SystemC's).
  virtual void row(size_t fold, int64_t index, const uint32_t* sums) = 0;
};

struct LockstepRun {
  const RtlVariant* variant = nullptr;
  std::vector<CosimFold> folds;
  CosimRowSink* sink = nullptr;
  std::string trace_path;  // VCD of the RTL when not empty
  bool rtl_only = false;   // benchmark: drive the RTL alone (no SystemC array, no comparison)
  // results
  bool mismatch = false;
  ArrayMismatch first;
  int64_t cycles = 0;        // cycles compared
  int64_t rows_compared = 0; // rows delivered by both arrays and found equal
};

void run_lockstep(LockstepRun& run);

// The post-processing unit of the co-simulation top (its apply() for the rows' outputs).
PostProcessing& cosim_post_processing();

}  // namespace qarray
