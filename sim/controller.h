// The controller: tiles each matrix pass of a layer into folds that fit the array and the
// buffers, has the DMA bring each fold's operand tiles from DRAM, drives the array fold by
// fold, routes finished accumulator rows through the post-processing unit into the output
// tensor and their tiles back to DRAM, and collects the layer's counters.
//
// Contract:
//   a fold covers at most k_tile x oc_tile x p_tile of the pass (K x OC weights, P vectors):
//     ws  k_tile = rows, oc_tile = cols, p_tile = the most vectors whose operands fit the
//         ifmap buffer and whose accumulators fit the ofmap buffer;
//     is  k_tile = rows, p_tile = cols, oc_tile = the most weight columns that fit the weight
//         buffer and whose accumulators fit the ofmap buffer;
//     os  p_tile = rows, oc_tile = cols, k_tile = the longest reduction whose operands fit the
//         ifmap and the weight buffers.
//   A buffer holds half its capacity per tile when double buffered. Operands occupy the
//   configured widths (act_bits, weight_bits, acc_bits), 32 bits each on an FP32 design
//   (ArchConfig::*_word_bits()).
//   Fold order: p tiles, then oc tiles, then k tiles (innermost), so each accumulator tile is
//   finished by its last k fold and leaves through post-processing.
//   Memory: a fold reads its input tile X[k][p] and weight tile W[k][oc] from DRAM unless the
//   same tile is already in the buffer: the previous fold's tile, or any tile seen before when
//   the whole operand matrix fits one buffer tile. With ifmap and weight both double buffered
//   the next fold's tiles load while the current fold computes; otherwise after it. A finished
//   accumulator tile is written back once it has left post-processing. The layer ends when the
//   last write-back is in DRAM. Timing is data-independent.
//   SRAM (sim/sram.h layout): each buffer holds its tile as rows, one row per edge step:
//     ws  ifmap p_len rows of k_len inputs, weight k_len rows of oc_len, ofmap p_len rows of oc_len
//     is  ifmap k_len rows of p_len, weight oc_len rows of k_len, ofmap oc_len rows of p_len
//     os  ifmap k_len rows of p_len, weight k_len rows of oc_len, ofmap p_len rows of oc_len
//   A row step moves ceil(n*bits / word_bits) words; an accumulator row twice that after the first
//   k fold (read-modify-write); Sram::step_cycles of it is the step's EdgeTiming. Every row is
//   read (written) once per fold, filled once per DMA load, drained once per write-back.
#pragma once
#include <cstdint>
#include <systemc>
#include <vector>

#include "sim/accumulator.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "sim/dma.h"
#include "sim/gemm_pass.h"
#include "sim/post_processing.h"
#include "sim/sram.h"
#include "sim/systolic_array.h"

namespace qarray {

struct FoldPlan {
  int64_t k_tile = 0, oc_tile = 0, p_tile = 0;
  int64_t k_tiles = 0, oc_tiles = 0, p_tiles = 0;
  int64_t folds() const { return k_tiles * oc_tiles * p_tiles; }
};

// Throws InputError naming the buffer and its minimum size when not even one tile fits.
FoldPlan plan_folds(int64_t k, int64_t oc, int64_t p, const ArchConfig& arch);

// One fold of a pass with its tile indices along k, oc and p.
struct FoldTile {
  FoldJob job;
  int64_t kt = 0, ot = 0, pt = 0;
  bool first_k = false, last_k = false;
};
// The folds of a pass in the controller's order: p tiles, then oc tiles, then k tiles innermost
// (an accumulator tile is finished by its last k fold). The co-simulation replays this order.
std::vector<FoldTile> fold_order(const GemmPass& pass, const FoldPlan& plan);

// Everything one layer run needs; owned by the caller for the duration of the run.
struct LayerJob {
  const ArchConfig* arch = nullptr;
  const Layer* layer = nullptr;
  int32_t out_zero_point = 0;
  IntTensor* output = nullptr;
  const LayerGemm* gemm = nullptr;  // array layers (conv, depthwise, fc)
  std::vector<FoldPlan> plans;      // one per pass
  VectorJob vector;                 // add and pools, on the post-processing unit
  LayerCounters counters;           // filled by the run
};

class Controller : public sc_core::sc_module, private ArrayOutputSink {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, SystolicArray& array, Accumulator& acc, PostProcessing& ppu, Dma& dma,
             Sram& ifmap, Sram& weight, Sram& ofmap);

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
