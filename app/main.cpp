// qarray: quantize a trained network, run it on integer hardware models, report accuracy.
// Errors are one line on stderr and a non-zero exit; libraries throw, only this file prints them.
#include <malloc.h>

#include <algorithm>
#include <iostream>

#include "app/commands.h"
#include "base/errors.h"

int main(int argc, char** argv) {
  // Executors allocate activation tensors of a few MB per layer and batch. glibc's defaults hand
  // such blocks back to the kernel on free, so every batch page-faults them in again; measured,
  // that cost more than the arithmetic. Keep freed memory in the process instead.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app{"qarray: post-training quantization and systolic-array workbench"};
  app.require_subcommand(1);
  std::map<CLI::App*, qarray::cli::Action> actions;
  CLI::App* run = app.add_subcommand("run", "Quantize the model and compare FP32 with INT (golden) accuracy");
  actions[run] = qarray::cli::add_run(*run);
  CLI::App* infer = app.add_subcommand("infer", "Run a model on ONNX TensorProto inputs (FP32 or integer)");
  actions[infer] = qarray::cli::add_infer(*infer);
  CLI::App* ptq = app.add_subcommand("ptq", "Quantize only (PTQ: nearest, CLE, bias correction); write workloads and a report");
  actions[ptq] = qarray::cli::add_ptq(*ptq);
  CLI::App* sim_layer = app.add_subcommand("sim-layer", "Time conv/depthwise/fc layers on the cycle model (random data, checked against golden)");
  actions[sim_layer] = qarray::cli::add_sim_layer(*sim_layer);
  CLI::App* sweep = app.add_subcommand("sweep", "Run a grid of designs (array, dataflow, bits, PTQ method, SRAM, DRAM, table) in parallel; resumable CSV");
  actions[sweep] = qarray::cli::add_sweep(*sweep);
  CLI::App* plot = app.add_subcommand("plot", "Render PNG figures (matplotlib) from a run report and a sweep table");
  actions[plot] = qarray::cli::add_plot(*plot);
#ifdef QARRAY_WITH_COSIM
  CLI::App* cosim = app.add_subcommand("cosim", "Co-simulate the verilated RTL array with the SystemC array in lockstep (and golden)");
  actions[cosim] = qarray::cli::add_cosim(*cosim);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; a bad command line is one line and exit 1, as every
    // other bad input (CLI11's own report takes two lines and exits 100-199).
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::string what = e.what(), help = "qarray --help";
    std::replace(what.begin(), what.end(), '\n', ' ');
    for (auto& [sub, action] : actions)
      if (sub->parsed()) help = "qarray " + sub->get_name() + " --help";
    std::cerr << "qarray: error: " << what << " (" << help << " lists the flags)\n";
    return 1;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const qarray::Error& e) {
    std::cerr << "qarray: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "qarray: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
