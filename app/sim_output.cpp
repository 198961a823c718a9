#include "app/sim_output.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>

#include "base/errors.h"
#include "sim/simulator.h"
#include "workloads/golden.h"

namespace qarray::cli {

std::string shipped_path(const std::string& name, const std::string& folder, const std::string& ext,
                         const std::string& what) {
  namespace fs = std::filesystem;
  if (name.find('/') != std::string::npos || name.find(ext) != std::string::npos) return name;
  const fs::path dir = fs::path(QARRAY_SOURCE_DIR) / folder;
  const fs::path file = dir / (name + ext);
  // error_code overloads throughout: a name the file system refuses (too long, ...) is just unknown.
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) return file.string();
  if (fs::exists(name, ec)) return name;  // a file or folder of that name here: the loader says what is wrong with it
  std::vector<std::string> shipped;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext) shipped.push_back(e.path().stem().string());
  std::sort(shipped.begin(), shipped.end());
  std::string list;
  for (const std::string& s : shipped) list += (list.empty() ? "" : ", ") + s;
  throw InputError("unknown " + what + " '" + name + "' (shipped: " + list + "; or give the path of a " + ext +
                   " file)");
}

std::string arch_path(const std::string& name) { return shipped_path(name, "configs", ".json", "architecture preset"); }

std::string arch_where(const std::string& name) {
  const std::string file = arch_path(name);
  return "--arch " + name + (name == file ? "" : " (" + file + ")");
}

void add_arch_override_flags(CLI::App& app, ArchOverrides& o) {
  app.add_option("--dataflow", o.dataflow, "Override the --arch dataflow: ws, is or os");
  app.add_option("--rows", o.rows, "Override the --arch array rows (1-256)");
  app.add_option("--cols", o.cols, "Override the --arch array columns (1-256)");
}

ArchConfig load_arch(const std::string& name_or_file, const ArchOverrides& o) {
  const std::string path = arch_path(name_or_file);
  ArchConfig a = load_arch_config(path);
  if (!o.dataflow.empty()) {
    try {
      a.dataflow = parse_dataflow(o.dataflow);
    } catch (const InputError& e) {
      throw InputError(std::string("--dataflow: ") + e.what());
    }
  }
  if (o.rows) a.rows = *o.rows;
  if (o.cols) a.cols = *o.cols;
  a.validate(path + " with the command-line overrides");
  return a;
}

const char* const kCounterCsvColumns =
    "folds,total_cycles,latency_us,weight_load_cycles,compute_cycles,drain_cycles,stall_cycles,macs,"
    "pe_utilization,ifmap_reads,weight_reads,ofmap_reads,ofmap_writes,dram_read_bytes,dram_write_bytes,"
    "dram_stall_cycles,sram_stall_cycles,ifmap_fill_writes,weight_fill_writes,ofmap_drain_reads,"
    "array_busy_cycles,array_stall_cycles,array_idle_cycles,ppu_busy_cycles,ppu_stall_cycles,ppu_idle_cycles,"
    "dma_busy_cycles,dma_stall_cycles,dma_idle_cycles,ifmap_busy_cycles,ifmap_stall_cycles,ifmap_idle_cycles,"
    "weight_busy_cycles,weight_stall_cycles,weight_idle_cycles,ofmap_busy_cycles,ofmap_stall_cycles,"
    "ofmap_idle_cycles";

namespace {

// The units of the per-unit cycle columns, in column order.
std::vector<std::pair<const char*, const UnitCycles*>> units(const LayerCounters& k) {
  return {{"array", &k.array},          {"ppu", &k.post_processing},    {"dma", &k.dma},
          {"ifmap", &k.ifmap.cycles}, {"weight", &k.weight.cycles}, {"ofmap", &k.ofmap.cycles}};
}

// The shortest text that reads back as exactly `v` (as the JSON writer prints it), so the CSV
// holds the same numbers as the report.
std::string shortest(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace

void write_counter_csv(std::ostream& out, const LayerCounters& k, double clock_mhz) {
  out << k.folds << "," << k.total_cycles << "," << shortest(k.total_cycles / clock_mhz) << ","
      << k.weight_load_cycles << "," << k.compute_cycles << "," << k.drain_cycles << "," << k.stall_cycles << ","
      << k.macs << "," << shortest(k.pe_utilization) << "," << k.ifmap.reads << "," << k.weight.reads << "," << k.ofmap.reads << ","
      << k.ofmap.writes << "," << k.dram_read_bytes << "," << k.dram_write_bytes << "," << k.dram_stall_cycles << ","
      << k.sram_stall_cycles << "," << k.ifmap.fill_writes << "," << k.weight.fill_writes << ","
      << k.ofmap.drain_reads;
  for (const auto& [name, u] : units(k)) out << "," << u->busy << "," << u->stall << "," << u->idle;
}

nlohmann::json counters_json(const LayerCounters& k, double clock_mhz) {
  nlohmann::json j = {{"folds", k.folds},
          {"total_cycles", k.total_cycles},
          {"latency_us", k.total_cycles / clock_mhz},
          {"weight_load_cycles", k.weight_load_cycles},
          {"compute_cycles", k.compute_cycles},
          {"drain_cycles", k.drain_cycles},
          {"stall_cycles", k.stall_cycles},
          {"macs", k.macs},
          {"pe_utilization", k.pe_utilization},
          {"ifmap_reads", k.ifmap.reads},
          {"weight_reads", k.weight.reads},
          {"ofmap_reads", k.ofmap.reads},
          {"ofmap_writes", k.ofmap.writes},
          {"dram_read_bytes", k.dram_read_bytes},
          {"dram_write_bytes", k.dram_write_bytes},
          {"dram_stall_cycles", k.dram_stall_cycles},
          {"sram_stall_cycles", k.sram_stall_cycles},
          {"ifmap_fill_writes", k.ifmap.fill_writes},
          {"weight_fill_writes", k.weight.fill_writes},
          {"ofmap_drain_reads", k.ofmap.drain_reads}};
  for (const auto& [name, u] : units(k)) {
    const std::string unit = name;
    j[unit + "_busy_cycles"] = u->busy;
    j[unit + "_stall_cycles"] = u->stall;
    j[unit + "_idle_cycles"] = u->idle;
  }
  nlohmann::json& banks = j["sram_banks"];
  for (const auto& [name, b] : {std::pair<const char*, const BufferCounters*>{"ifmap", &k.ifmap},
                                {"weight", &k.weight}, {"ofmap", &k.ofmap}}) {
    nlohmann::json& list = banks[name] = nlohmann::json::array();
    for (const BankCounters& c : b->banks)
      list.push_back({{"reads", c.reads}, {"writes", c.writes}, {"fill_writes", c.fill_writes},
                      {"drain_reads", c.drain_reads}});
  }
  return j;
}

namespace {

bool same_timing(const LayerCounters& a, const LayerCounters& b) {
  return a.total_cycles == b.total_cycles && a.stall_cycles == b.stall_cycles &&
         a.sram_stall_cycles == b.sram_stall_cycles && a.macs == b.macs &&
         a.dram_read_bytes == b.dram_read_bytes && a.dram_write_bytes == b.dram_write_bytes;
}

uint8_t argmax(const IntTensor& logits) {
  int64_t best = 0;
  for (int64_t i = 1; i < logits.size(); ++i)
    if (logits.data[i] > logits.data[best]) best = i;
  return static_cast<uint8_t>(best);
}

}  // namespace

SimImages simulate_images(const Network& net, const Dataset& test, int64_t n,
                          const std::vector<uint8_t>& golden_predictions, const ArchConfig& arch) {
  if (n > static_cast<int64_t>(golden_predictions.size()))
    throw InputError("--sim-images " + std::to_string(n) + ": only " + std::to_string(golden_predictions.size()) +
                     " test images were evaluated by golden (--images)");
  const auto t0 = std::chrono::steady_clock::now();
  const GoldenExecutor golden(net);
  SimImages r;
  r.images = n;
  for (int64_t i = 0; i < n; ++i) {
    const std::string at = "image " + std::to_string(i) + ": ";
    const IntTensor x = golden.quantize_input(test.batch(i, i + 1));
    NetworkSimResult s;
    try {
      s = simulate_network_checked(net, golden, x, arch);
    } catch (const SimMismatchError& e) {
      throw Error(at + e.what());
    }
    const uint8_t cls = argmax(s.output);
    if (cls != golden_predictions[i])
      throw Error(at + "the cycle model predicts class " + std::to_string(cls) + ", golden " +
                  std::to_string(golden_predictions[i]));
    if (i == 0) {
      r.layers = std::move(s.layers);
      continue;
    }
    for (size_t l = 0; l < s.layers.size(); ++l)
      if (!same_timing(s.layers[l], r.layers[l]))
        throw Error(at + "layer " + std::to_string(l) + " '" + net.layers[l].name + "' takes " +
                    std::to_string(s.layers[l].total_cycles) + " cycles, image 0 took " +
                    std::to_string(r.layers[l].total_cycles) + " (timing must not depend on the data)");
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

SimImages simulate_twin(const Network& net, const Dataset& test, const ArchConfig& twin) {
  const auto t0 = std::chrono::steady_clock::now();
  const GoldenExecutor golden(net);
  SimImages r;
  r.images = 1;
  try {
    r.layers = simulate_network(net, golden.quantize_input(test.batch(0, 1)), twin).layers;
  } catch (const InputError& e) {
    throw InputError("FP32 twin '" + twin.name + "': " + e.what());
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace qarray::cli
