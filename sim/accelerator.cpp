#include "sim/accelerator.h"

#include <cstdlib>
#include <mutex>

// libsystemc references sc_main; qarray executables have their own main() and drive the kernel
// through run_on_accelerator(), so this one is never called.
int sc_main(int, char**) { return 1; }

namespace qarray {

Accelerator::Accelerator(sc_core::sc_module_name name)
    : sc_module(name),
      array("array"),
      post_processing("post_processing"),
      vector_unit("vector_unit"),
      dma("dma"),
      controller("controller", array, accumulator, post_processing, vector_unit, dma, ifmap_sram, weight_sram,
                 ofmap_sram) {}

namespace {

Accelerator& accelerator() {
  static Accelerator* top = [] {
    // Libraries never print: keep the kernel's banner and info reports off stdout.
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    auto* a = new Accelerator("qarray_accelerator");  // lives as long as the kernel
    sc_core::sc_start(sc_core::SC_ZERO_TIME);        // elaborate and initialize the processes
    return a;
  }();
  return *top;
}

}  // namespace

void run_on_accelerator(LayerJob& job) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  Accelerator& top = accelerator();
  top.controller.launch(&job);
  sc_core::sc_start();  // runs until every process waits for a new job
}

}  // namespace qarray
