// The accelerator top: controller, systolic array, accumulator, post-processing unit, vector unit, DMA and
// the three SRAM buffers wired together, plus the process-wide SystemC kernel that simulates it.
//
// Why one instance per process: SystemC 2.3 elaborates a module hierarchy once per process and
// cannot tear it down, so the hierarchy is built on first use and every layer run is a job on
// it; the units size their register arrays from each job's ArchConfig. Runs are serialized.
#pragma once
#include <systemc>

#include "sim/accumulator.h"
#include "sim/controller.h"
#include "sim/dma.h"
#include "sim/post_processing.h"
#include "sim/sram.h"
#include "sim/systolic_array.h"
#include "sim/vector_unit.h"

namespace qarray {

class Accelerator : public sc_core::sc_module {
 public:
  explicit Accelerator(sc_core::sc_module_name name);

  SystolicArray array;
  Sram ifmap_sram, weight_sram, ofmap_sram;
  Accumulator accumulator;
  PostProcessing post_processing;
  VectorUnit vector_unit;
  Dma dma;
  Controller controller;
};

// Runs one job to completion on the shared accelerator (thread-safe, one job at a time).
void run_on_accelerator(LayerJob& job);

}  // namespace qarray
