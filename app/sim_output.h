// Cycle-model output shared by `run` and `sim-layer`: the --arch resolver and its overrides, the
// counter columns of their CSV files (and the same fields as JSON), and run's check of test
// images on the cycle model against the golden executor.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/csv.h"  // csv_field for the text cells of those rows
#include "models/fashion_mnist.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "workloads/network.h"

namespace qarray::cli {

// The file a command-line name stands for: `name` itself if it has a '/' or contains `ext`;
// else FOLDER/NAME<ext> of the source tree if shipped; else `name` if such a file or folder
// exists here; else InputError "unknown <what> 'name' (shipped: a, b; or give the path of a
// <ext> file)".
std::string shipped_path(const std::string& name, const std::string& folder, const std::string& ext,
                         const std::string& what);
// An architecture preset (configs/NAME.json) or an arch file, through shipped_path().
std::string arch_path(const std::string& name_or_file);
// How errors about the design name it: "--arch NAME", plus the file a preset resolved to.
std::string arch_where(const std::string& name_or_file);

// --dataflow, --rows, --cols: command-line overrides of the --arch file (run, sim-layer).
struct ArchOverrides {
  std::string dataflow;
  std::optional<int32_t> rows, cols;
};
void add_arch_override_flags(CLI::App& app, ArchOverrides& overrides);
// Loads --arch (a preset or a file) and applies the overrides; InputError naming the flag, or the
// file and the key ("<file> with the command-line overrides: array.rows: ...").
ArchConfig load_arch(const std::string& name_or_file, const ArchOverrides& overrides);

// The per-layer counter columns, in this order, comma separated (no layer or kind):
// folds,total_cycles,latency_us,weight_load_cycles,compute_cycles,drain_cycles,stall_cycles,
// macs,pe_utilization,ifmap_reads,weight_reads,ofmap_reads,ofmap_writes,dram_read_bytes,
// dram_write_bytes,dram_stall_cycles,sram_stall_cycles,ifmap_fill_writes,weight_fill_writes,
// ofmap_drain_reads, then {array,ppu,dma,ifmap,weight,ofmap}_{busy,stall,idle}_cycles.
// latency_us = total_cycles / clock_mhz.
extern const char* const kCounterCsvColumns;
// One row's counter fields in kCounterCsvColumns order (no leading or trailing comma or newline);
// doubles as the shortest text that reads back exactly (the same digits as the JSON report).
void write_counter_csv(std::ostream& out, const LayerCounters& k, double clock_mhz);
// The same fields as a JSON object, keyed by the column names, plus "sram_banks": per buffer
// (ifmap, weight, ofmap) one object per bank with reads, writes, fill_writes, drain_reads.
nlohmann::json counters_json(const LayerCounters& k, double clock_mhz);

struct SimImages {
  int64_t images = 0;
  double seconds = 0.0;              // wall time of the simulation and its checks
  std::vector<LayerCounters> layers; // of one image (batch 1); identical for every image
};

// Runs test images [0, n) one at a time (batch 1) through the cycle model: every layer's output
// must equal the golden executor's on the same inputs, the predicted class golden's prediction
// (`golden_predictions[i]`), and the counters those of image 0 (timing is data-independent).
// Throws Error "image I: layer L 'name' (kind): ..." at the first difference.
SimImages simulate_images(const Network& net, const Dataset& test, int64_t n,
                          const std::vector<uint8_t>& golden_predictions, const ArchConfig& arch);

// Runs test image 0 (batch 1) on `twin` (an FP32 twin, fp32_twin()) for its counters: the integer
// network runs on it for the schedule, its values do not change any counter (timing is
// data-independent). Throws InputError "FP32 twin '<name>': ..." when a tile does not fit.
SimImages simulate_twin(const Network& net, const Dataset& test, const ArchConfig& twin);

}  // namespace qarray::cli
