#include "energy/area_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "base/csv.h"
#include "base/errors.h"

namespace qarray {

AreaBreakdown design_area(const ArchConfig& a, const EnergyTable& t) {
  AreaBreakdown r;
  const double reg = t.row("area_register_bit").value;
  if (a.operands == OperandMode::Fp32) {
    r.pe_um2 = t.row("area_mult_fp32").value + t.row("area_add_fp32").value + reg * 96;
  } else {
    const TableRow& m = t.row("area_mult_int");
    const TableRow& add = t.row("area_add_int");
    r.pe_um2 = m.value * (static_cast<double>(a.act_bits) * a.weight_bits) /
                   (static_cast<double>(m.width_a_bits) * m.width_b_bits) +
               add.value * a.acc_bits / add.width_a_bits + reg * (a.act_bits + a.weight_bits + a.acc_bits);
  }
  r.array_mm2 = static_cast<double>(a.rows) * a.cols * r.pe_um2 / 1e6;
  const double kib = static_cast<double>(a.ifmap.capacity_bytes + a.weight.capacity_bytes + a.ofmap.capacity_bytes) / 1024;
  r.sram_mm2 = kib * t.row("area_sram_kib").value / 1e6;
  r.total_mm2 = r.array_mm2 + r.sram_mm2;
  return r;
}

namespace {

const std::vector<std::string> kYosysColumns = {"design", "rows", "cols", "weight_bits",
                                                "act_bits", "acc_bits", "cells", "transistors"};

int64_t whole(const std::string& s, const std::string& at, const std::string& column) {
  size_t used = 0;
  long long v = -1;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != s.size() || v < 0)
    throw InputError(at + ", column '" + column + "': '" + s + "' is not a whole number >= 0");
  return v;
}

}  // namespace

YosysAreaComparison compare_yosys_area(const std::string& csv_path, const ArchConfig& a, const AreaBreakdown& area) {
  YosysAreaComparison c;
  c.path = csv_path;
  c.table_pe_um2 = area.pe_um2;
  if (a.operands == OperandMode::Fp32) {
    c.reason = "not available: the RTL is integer only (no FP32 synthesis)";
    return c;
  }
  std::ifstream in(csv_path);
  if (!in) {
    c.reason = "not available: " + csv_path + " not found (written by the RTL synthesis flow)";
    return c;
  }
  std::string line;
  if (!std::getline(in, line)) throw InputError(csv_path + ": empty (expected a header line)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const std::vector<std::string> header = csv_cells(line, csv_path + ": header");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const std::string& name : kYosysColumns)
    if (!col.count(name)) throw InputError(csv_path + ": header has no column '" + name + "'");
  bool found_pe = false;
  for (int row_no = 1; std::getline(in, line); ++row_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string at = csv_path + ": row " + std::to_string(row_no);
    const std::vector<std::string> cells = csv_cells(line, at);
    if (cells.size() != header.size())
      throw InputError(at + ": " + std::to_string(cells.size()) + " cells, the header has " +
                       std::to_string(header.size()));
    // Only the MAC array and its PE compare with the table's PE model; other synthesized units
    // (the post-processing datapath) have their own rows and empty operand widths.
    if (col.count("top") && cells[col["top"]] != "pe" && cells[col["top"]] != "systolic_array") continue;
    auto num = [&](const std::string& name) { return whole(cells[col[name]], at, name); };
    const int64_t rows = num("rows"), cols = num("cols");
    const bool widths = num("weight_bits") == a.weight_bits && num("act_bits") == a.act_bits &&
                        num("acc_bits") == a.acc_bits;
    const bool whole_array = rows == a.rows && cols == a.cols;
    const bool one_pe = rows == 1 && cols == 1;
    if (!widths || !(whole_array || (one_pe && !found_pe)) || rows < 1 || cols < 1) continue;
    c.available = true;
    c.design = cells[col["design"]];
    c.rows = static_cast<int32_t>(rows);
    c.cols = static_cast<int32_t>(cols);
    c.cells = num("cells");
    c.transistors = num("transistors");
    found_pe = true;
    if (whole_array) break;  // the exact design beats a single PE
  }
  if (!c.available) {
    c.reason = "not available: no row for " + std::to_string(a.rows) + "x" + std::to_string(a.cols) + " (or 1x1) W" +
               std::to_string(a.weight_bits) + "A" + std::to_string(a.act_bits) + " acc" +
               std::to_string(a.acc_bits) + " in " + csv_path;
    return c;
  }
  const double pes = static_cast<double>(c.rows) * c.cols;
  c.cells_per_pe = c.cells / pes;
  c.transistors_per_pe = c.transistors / pes;
  c.table_um2_per_transistor = c.transistors_per_pe > 0 ? area.pe_um2 / c.transistors_per_pe : 0.0;
  return c;
}

}  // namespace qarray
