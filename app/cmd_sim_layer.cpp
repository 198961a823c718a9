// `qarray sim-layer`: time conv / depthwise / fc layers on the cycle model without a network.
// Shapes come from flags or a topology CSV; each layer is filled with seeded random integer
// data, run on the SystemC model, checked bit for bit against the golden executor, and its
// counters printed (and written as CSV with --csv, once every layer has passed).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/arch_flags.h"
#include "app/commands.h"
#include "app/report.h"
#include "base/errors.h"
#include "explore/columns.h"
#include "explore/counter_columns.h"
#include "explore/shipped.h"
#include "sim/arch_config.h"
#include "sim/simulator.h"
#include "sim/stimulus.h"

namespace qarray::cli {
namespace {

using namespace qarray::explore;

struct SimLayerFlags {
  std::string arch = "ws16";
  ArchOverrides overrides;
  std::string topology;
  std::string kind = "conv";
  LayerSpec spec;
  int64_t batch = 1;
  std::optional<int> weight_bits, act_bits;
  uint32_t seed = 1;
  std::string csv;
};

// One row of the --csv table: a layer's shape, the design, its counters and the golden check.
struct SimLayerRow {
  const LayerSpec& spec;
  int64_t batch;
  const ArchConfig& arch;
  const LayerCounters& counters;
  bool bit_exact;
};

const Columns<SimLayerRow>& sim_layer_columns() {
  using R = const SimLayerRow&;
  static const Columns<SimLayerRow> columns =
      Columns<SimLayerRow>{
          {"layer", [](R r) { return Cell(r.spec.name); }},
          {"kind", [](R r) { return Cell(std::string(layer_kind_name(r.spec.kind))); }},
          {"batch", [](R r) { return Cell(r.batch); }},
          {"dataflow", [](R r) { return Cell(std::string(dataflow_name(r.arch.dataflow))); }},
          {"rows", [](R r) { return Cell(int64_t{r.arch.rows}); }},
          {"cols", [](R r) { return Cell(int64_t{r.arch.cols}); }}} +
      project_columns<SimLayerRow>(counter_columns(), "",
                                   [](R r) { return CounterRow{r.counters, r.arch.clock_mhz}; }) +
      Columns<SimLayerRow>{{"bit_exact", [](R r) { return Cell(int64_t{r.bit_exact ? 1 : 0}); }}};
  return columns;
}

int sim_layer(const SimLayerFlags& f) {
  const ArchConfig arch = load_arch(f.arch, f.overrides);
  const std::string where = arch_where(f.arch);
  std::vector<LayerSpec> specs;
  if (!f.topology.empty()) {
    specs = load_topology_csv(f.topology);
  } else {
    LayerSpec s = f.spec;
    s.kind = parse_layer_kind(f.kind);
    s.validate("flags");
    specs.push_back(s);
  }
  if (f.batch < 1) throw InputError("--batch " + std::to_string(f.batch) + " must be positive");
  const int wb = f.weight_bits.value_or(arch.weight_bits);
  const int ab = f.act_bits.value_or(arch.act_bits);
  if (wb < 2 || wb > arch.weight_bits)
    throw InputError("--weight-bits " + std::to_string(wb) + " not in [2, " + std::to_string(arch.weight_bits) +
                     "] (the arch's weight_bits)");
  if (ab < 2 || ab > arch.act_bits)
    throw InputError("--act-bits " + std::to_string(ab) + " not in [2, " + std::to_string(arch.act_bits) +
                     "] (the arch's act_bits)");

  // The CSV is written whole at the end, so a failing layer leaves no partial table behind.
  if (!f.csv.empty()) check_output_dir(std::filesystem::path(f.csv).parent_path().string(), "--csv");
  std::ostringstream csv;
  csv << csv_header(sim_layer_columns()) << "\n";
  // Every layer's tiles must fit the buffers before any is simulated (nothing half-printed).
  std::vector<Network> nets;
  for (size_t i = 0; i < specs.size(); ++i) {
    nets.push_back(random_layer_network(specs[i], wb, ab, arch.acc_bits, f.seed + static_cast<uint32_t>(i)));
    try {
      check_tiling(nets.back(), f.batch, arch);
    } catch (const InputError& e) {
      throw InputError(where + ": " + e.what());
    }
  }
  std::printf("arch %s: %dx%d %s, W%dA%d, %d-bit accumulators, %.0f MHz; batch %lld, seed %u\n",
              arch.name.c_str(), arch.rows, arch.cols, dataflow_name(arch.dataflow), wb, ab, arch.acc_bits,
              arch.clock_mhz, static_cast<long long>(f.batch), f.seed);
  std::printf("%-14s %-9s %6s %10s %10s %7s %12s %9s %9s %8s %8s %11s %11s %12s  %s\n", "layer", "kind",
              "folds", "cycles", "us", "util%", "MACs", "preload", "compute", "dram_st", "sram_st", "ifmap_rd",
              "weight_rd", "dram_bytes", "golden");
  int64_t total_cycles = 0, total_macs = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const LayerSpec& s = specs[i];
    const Network& net = nets[i];
    const IntTensor x = random_input(net, f.batch, f.seed + 1000u + static_cast<uint32_t>(i));
    const SimResult r = simulate_layer(net, 0, x, arch);
    const IntTensor want = GoldenExecutor(net).run_layer(0, {&x});
    int64_t first_bad = -1;
    for (int64_t j = 0; j < want.size() && first_bad < 0; ++j)
      if (r.output.data[j] != want.data[j]) first_bad = j;
    const LayerCounters& k = r.counters;
    const double us = static_cast<double>(k.total_cycles) / arch.clock_mhz;
    std::printf("%-14s %-9s %6lld %10lld %10.3f %7.2f %12lld %9lld %9lld %8lld %8lld %11lld %11lld %12lld  %s\n",
                s.name.c_str(), layer_kind_name(s.kind), static_cast<long long>(k.folds),
                static_cast<long long>(k.total_cycles), us, 100.0 * k.pe_utilization,
                static_cast<long long>(k.macs), static_cast<long long>(k.weight_load_cycles),
                static_cast<long long>(k.compute_cycles), static_cast<long long>(k.dram_stall_cycles),
                static_cast<long long>(k.sram_stall_cycles),
                static_cast<long long>(k.ifmap.reads), static_cast<long long>(k.weight.reads),
                static_cast<long long>(k.dram_read_bytes + k.dram_write_bytes), first_bad < 0 ? "bit-exact" : "MISMATCH");
    csv << csv_row(sim_layer_columns(), SimLayerRow{s, f.batch, arch, k, first_bad < 0}) << "\n";
    if (first_bad >= 0)
      throw Error("layer '" + s.name + "': the cycle model differs from golden at output " + std::to_string(first_bad) +
                  ": got " + std::to_string(r.output.data[first_bad]) + ", expected " +
                  std::to_string(want.data[first_bad]));
    total_cycles += k.total_cycles;
    total_macs += k.macs;
  }
  std::printf("total: %lld cycles, %.3f us, %lld MACs, %zu layer(s) bit-exact with golden\n",
              static_cast<long long>(total_cycles), total_cycles / arch.clock_mhz, static_cast<long long>(total_macs),
              specs.size());
  if (!f.csv.empty()) {
    write_output_file(f.csv, csv.str());
    std::cout << "wrote " << f.csv << "\n";
  }
  return 0;
}

}  // namespace

Action add_sim_layer(CLI::App& app) {
  auto f = std::make_shared<SimLayerFlags>();
  app.add_option("--arch", f->arch, "Architecture file, or a preset in configs/ (ws16, gemmini16, ws32, edge8)")
      ->capture_default_str();
  add_arch_override_flags(app, f->overrides);
  auto* topo = app.add_option("--topology", f->topology,
                              "Topology CSV: name, ifmap h, ifmap w, filter h, filter w, channels, filters, stride[, kind]");
  app.add_option("--kind", f->kind, "conv, depthwise or fc")->capture_default_str()->excludes(topo);
  app.add_option("--ifmap-h", f->spec.ifmap_h, "Input height")->capture_default_str()->excludes(topo);
  app.add_option("--ifmap-w", f->spec.ifmap_w, "Input width")->capture_default_str()->excludes(topo);
  app.add_option("--filter-h", f->spec.filter_h, "Filter height")->capture_default_str()->excludes(topo);
  app.add_option("--filter-w", f->spec.filter_w, "Filter width")->capture_default_str()->excludes(topo);
  app.add_option("--channels", f->spec.channels, "Input channels")->capture_default_str()->excludes(topo);
  app.add_option("--filters", f->spec.filters, "Output channels (conv, fc)")->capture_default_str()->excludes(topo);
  app.add_option("--stride", f->spec.stride, "Stride")->capture_default_str()->excludes(topo);
  app.add_option("--pad", f->spec.pad, "Padding on every side")->capture_default_str()->excludes(topo);
  app.add_option("--name", f->spec.name, "Layer name")->capture_default_str()->excludes(topo);
  app.add_option("--batch", f->batch, "Images per layer run")->capture_default_str();
  app.add_option("--weight-bits", f->weight_bits, "Weight bits (default: the arch's)");
  app.add_option("--act-bits", f->act_bits, "Activation bits (default: the arch's)");
  app.add_option("--seed", f->seed, "Random data seed")->capture_default_str();
  app.add_option("--csv", f->csv, "Also write the per-layer counters as CSV");
  return [f] { return sim_layer(*f); };
}

}  // namespace qarray::cli
