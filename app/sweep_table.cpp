#include "app/sweep_table.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/csv.h"
#include "base/errors.h"

namespace qarray::cli {

const std::vector<std::string> kSweepColumns = {
    // the schema shared with the plot scripts
    "point", "status", "error", "model", "rows", "cols", "dataflow", "weight_bits", "act_bits", "method",
    "ifmap_kib", "weight_kib", "ofmap_kib", "dram_bytes_per_cycle", "energy_table", "fp32_top1", "int_top1",
    "cycles", "latency_us", "utilization", "energy_uj", "fp32_cycles", "fp32_energy_uj", "area_mm2",
    "fp32_area_mm2", "pj_per_mac",
    // extra: what else identifies the point, and more of its results
    "arch", "acc_bits", "clock_mhz", "eval_images", "calib_images", "sim_images", "node", "macs", "stall_cycles",
    "dram_bytes", "fp32_latency_us", "fp32_utilization", "fp32_pj_per_mac", "fp32_dram_bytes", "pe_area_um2",
    "fp32_pe_area_um2", "mac_uj", "register_uj", "sram_uj", "dram_uj", "seconds"};

const std::vector<std::string> kSweepKeyColumns = {
    "model",     "arch",       "rows",      "cols",       "dataflow",     "weight_bits",
    "act_bits",  "acc_bits",   "method",    "ifmap_kib",  "weight_kib",   "ofmap_kib",
    "dram_bytes_per_cycle", "energy_table", "eval_images", "calib_images", "sim_images"};

std::string sweep_key(const SweepRow& row) {
  std::string key;
  for (const std::string& c : kSweepKeyColumns) {
    auto it = row.find(c);
    key += (it == row.end() ? "" : it->second) + '\x1f';
  }
  return key;
}

const SweepRow* SweepTable::find(const std::string& key) const {
  for (const SweepRow& r : rows)
    if (sweep_key(r) == key) return &r;
  return nullptr;
}

void SweepTable::put(const SweepRow& row) {
  const std::string key = sweep_key(row);
  for (SweepRow& r : rows)
    if (sweep_key(r) == key) {
      r = row;
      return;
    }
  rows.push_back(row);
}

SweepTable read_sweep_table(const std::string& path) {
  SweepTable t;
  std::ifstream in(path);
  if (!in) {
    if (std::filesystem::exists(path)) throw InputError(path + ": cannot read");
    return t;
  }
  std::string line, header;
  for (const std::string& c : kSweepColumns) header += (header.empty() ? "" : ",") + c;
  if (!std::getline(in, line) || line != header)
    throw InputError(path + ": line 1: not a sweep table of this qarray (expected the header " + header +
                     "); choose another --out or remove the file");
  std::vector<std::string> cells;
  for (int n = 2; std::getline(in, line); ++n) {
    if (!split_csv_line(line, cells) || cells.size() != kSweepColumns.size())
      throw InputError(path + ": line " + std::to_string(n) + ": expected " + std::to_string(kSweepColumns.size()) +
                       " cells, got " + std::to_string(cells.size()) + " (file edited by hand?)");
    SweepRow row;
    for (size_t i = 0; i < cells.size(); ++i) row[kSweepColumns[i]] = cells[i];
    t.put(row);
  }
  return t;
}

void write_sweep_table(const std::string& path, const SweepTable& t) {
  std::ostringstream out;
  for (size_t i = 0; i < kSweepColumns.size(); ++i) out << (i ? "," : "") << kSweepColumns[i];
  out << "\n";
  for (const SweepRow& r : t.rows) {
    for (size_t i = 0; i < kSweepColumns.size(); ++i) {
      auto it = r.find(kSweepColumns[i]);
      out << (i ? "," : "") << (it == r.end() ? "" : csv_field(it->second));
    }
    out << "\n";
  }
  write_file_atomic(path, out.str());
}

}  // namespace qarray::cli
