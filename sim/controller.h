// The controller: tiles each matrix pass of a layer into folds that fit the array and the
// buffers, has the DMA bring each fold's operand tiles from DRAM, drives the array fold by
// fold, routes finished accumulator rows through the post-processing unit into the output
// tensor and their tiles back to DRAM, and collects the layer's counters.
//
// Contract:
//   The dataflow's unit (sim/dataflow/) plans each pass's folds, says how its tiles sit in the
//   buffers (one row per edge step) and which tile's port timing stalls which phase; the
//   controller runs the folds in fold_order() (p tiles, oc tiles, k tiles innermost, so each
//   accumulator tile is finished by its last k fold and leaves through post-processing).
//   A buffer holds half its capacity per tile when double buffered. Operands occupy the
//   configured widths (act_bits, weight_bits, acc_bits), 32 bits each on an FP32 design
//   (ArchConfig::*_word_bits()).
//   Memory: a fold reads its input tile X[k][p] and weight tile W[k][oc] from DRAM unless the
//   same tile is already in the buffer: the previous fold's tile, or any tile seen before when
//   the whole operand matrix fits one buffer tile. With ifmap and weight both double buffered
//   the next fold's tiles load while the current fold computes; otherwise after it. A finished
//   accumulator tile is written back once it has left post-processing. The layer ends when the
//   last write-back is in DRAM. Timing is data-independent.
//   SRAM: a row step moves ceil(n*bits / word_bits) words; an accumulator row twice that after
//   the first k fold (read-modify-write); Sram::step_cycles of it is the step's port time. Every
//   row is read (written) once per fold, filled once per DMA load, drained once per write-back.
#pragma once
#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/accumulator.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "sim/dataflow/dataflow_unit.h"
#include "sim/dma.h"
#include "sim/gemm_pass.h"
#include "sim/post_processing.h"
#include "sim/sram.h"
#include "sim/systolic_array.h"
#include "sim/vector_unit.h"

namespace qarray {

// Everything one layer run needs; owned by the caller for the duration of the run.
struct LayerJob {
  const ArchConfig* arch = nullptr;
  const Layer* layer = nullptr;
  int32_t out_zero_point = 0;
  IntTensor* output = nullptr;
  const LayerGemm* gemm = nullptr;  // array layers (conv, depthwise, fc)
  std::vector<FoldPlan> plans;      // one per pass
  VectorJob vector;                 // add and pools, on the post-processing unit
  VectorUnitJob vector_unit;        // lut, mul and concat, on the vector unit
  LayerCounters counters;           // filled by the run
};

class Controller : public sc_core::sc_module, private ArrayOutputSink {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, SystolicArray& array, Accumulator& acc, PostProcessing& ppu,
             VectorUnit& vector_unit, Dma& dma, Sram& ifmap, Sram& weight, Sram& ofmap);

  // Starts the job in the next delta cycle; the simulation runs dry when it is finished.
  void launch(LayerJob* job);

 private:
  // One fold in schedule order with the DRAM traffic it causes and its SRAM port timing.
  struct ScheduledFold {
    FoldJob job;
    bool first_k = false, last_k = false;
    bool x_new = false, w_new = false;  // its input / weight tile comes from DRAM
    std::vector<DmaSegment> load;       // new input and weight tiles, whole bursts
    std::vector<DmaSegment> store;      // the finished output tile (last k fold only)
  };
  std::vector<ScheduledFold> schedule() const;
  void run();
  void run_array_layer();
  void run_vector_layer();
  void run_vector_unit_layer();
  void finish_counters();
  int64_t fetch(const ScheduledFold& f);
  EdgeTiming count_fold(const ScheduledFold& f);
  void vector_row(int64_t p, const uint32_t* sums) override;
  void channel_row(int64_t oc, const uint32_t* sums) override;
  void finish(int64_t p, int64_t oc, uint32_t acc);
  void note_first_output();
  int64_t cycles_since_start() const;

  SystolicArray& array_;
  Accumulator& acc_;
  PostProcessing& ppu_;
  VectorUnit& vu_;
  Dma& dma_;
  Sram &ifmap_, &weight_, &ofmap_;
  sc_core::sc_event start_;
  sc_core::sc_time period_, t0_;
  LayerJob* job_ = nullptr;
  FoldJob fold_;
  bool first_k_ = false, last_k_ = false;
  int64_t ppu_rows_ = 0;  // finished rows that passed the post-processing unit
};

}  // namespace qarray
