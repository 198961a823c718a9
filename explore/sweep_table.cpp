// The sweep's result table (explore/sweep_table.h): its columns, resume key, reader and writer.
#include "explore/sweep_table.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/csv.h"
#include "base/errors.h"
#include "base/format.h"

namespace qarray::explore {
namespace {

struct SweepColumn {
  Column<PointRecord> column;
  bool key;  // part of the resume key
};

using G = const SweepGrid&;
using P = const SweepPoint&;
using F = const DesignFigures&;

// A column of the point's parameters (or of the grid's settings it runs with).
SweepColumn param(const char* name, bool key, Cell (*get)(G, P)) {
  return {{name, [get](const PointRecord& r) { return r.grid && r.point ? get(*r.grid, *r.point) : Cell(); }}, key};
}

// A figure of the INT design, or with `twin` of its FP32 twin.
SweepColumn figure(const char* name, bool twin, Cell (*get)(F)) {
  return {{name,
           [twin, get](const PointRecord& r) {
             if (!r.result) return Cell();
             const std::optional<DesignFigures>& d = twin ? r.result->fp32_twin : r.result->int_design;
             return d ? get(*d) : Cell();
           }},
          false};
}

SweepColumn optional_number(const char* name, std::optional<double> PointRecord::*member) {
  return {{name, [member](const PointRecord& r) { return r.*member ? Cell(*(r.*member)) : Cell(); }}, false};
}

// A top-1 column: the number, or the text "not measured" on synthetic data (never a number).
SweepColumn accuracy(const char* name, std::optional<double> PointRecord::*member) {
  return {{name,
           [member](const PointRecord& r) {
             if (r.accuracy_not_measured) return Cell(std::string(kNotMeasured));
             return r.*member ? Cell(*(r.*member)) : Cell();
           }},
          false};
}

std::vector<SweepColumn> make_columns() {
  const bool key = true, twin = true;
  return {
      // the schema shared with the plot scripts
      param("point", !key, [](G, P p) -> Cell { return p.id(); }),
      {{"status", [](const PointRecord& r) { return r.result ? Cell(std::string(r.result->ok ? "ok" : "error")) : Cell(); }}, false},
      {{"error", [](const PointRecord& r) { return r.result && !r.result->ok ? Cell(one_line(r.result->error)) : Cell(); }},
       false},
      param("model", key, [](G g, P) -> Cell { return g.model; }),
      param("rows", key, [](G, P p) -> Cell { return int64_t{p.rows}; }),
      param("cols", key, [](G, P p) -> Cell { return int64_t{p.cols}; }),
      param("dataflow", key, [](G, P p) -> Cell { return std::string(dataflow_name(p.dataflow)); }),
      param("weight_bits", key, [](G, P p) -> Cell { return int64_t{p.weight_bits}; }),
      param("act_bits", key, [](G, P p) -> Cell { return int64_t{p.act_bits}; }),
      param("method", key, [](G, P p) -> Cell { return p.method; }),
      param("ifmap_kib", key, [](G, P p) -> Cell { return p.ifmap_kib; }),
      param("weight_kib", key, [](G, P p) -> Cell { return p.weight_kib; }),
      param("ofmap_kib", key, [](G, P p) -> Cell { return p.ofmap_kib; }),
      param("dram_bytes_per_cycle", key, [](G, P p) -> Cell { return p.dram_bytes_per_cycle; }),
      param("energy_table", key, [](G, P p) -> Cell { return p.energy_table; }),
      accuracy("fp32_top1", &PointRecord::fp32_top1),
      accuracy("int_top1", &PointRecord::int_top1),
      figure("cycles", !twin, [](F f) -> Cell { return f.cycles; }),
      figure("latency_us", !twin, [](F f) -> Cell { return f.latency_us; }),
      figure("utilization", !twin, [](F f) -> Cell { return f.utilization; }),
      figure("energy_uj", !twin, [](F f) -> Cell { return f.energy_uj; }),
      figure("fp32_cycles", twin, [](F f) -> Cell { return f.cycles; }),
      figure("fp32_energy_uj", twin, [](F f) -> Cell { return f.energy_uj; }),
      figure("area_mm2", !twin, [](F f) -> Cell { return f.area_mm2; }),
      figure("fp32_area_mm2", twin, [](F f) -> Cell { return f.area_mm2; }),
      figure("pj_per_mac", !twin, [](F f) -> Cell { return f.pj_per_mac; }),
      // extra: what else identifies the point, and more of its results
      param("arch", key, [](G g, P) -> Cell { return g.arch; }),
      param("acc_bits", key, [](G g, P) -> Cell { return int64_t{g.base.acc_bits}; }),
      param("clock_mhz", !key, [](G g, P) -> Cell { return g.base.clock_mhz; }),
      param("eval_images", key, [](G g, P) -> Cell { return g.eval_images; }),
      param("calib_images", key, [](G g, P) -> Cell { return g.calib_images; }),
      param("sim_images", key, [](G g, P) -> Cell { return g.sim_images; }),
      {{"node", [](const PointRecord& r) {
          return r.result && r.result->int_design ? Cell(one_line(r.result->node)) : Cell();
        }},
       false},
      figure("macs", !twin, [](F f) -> Cell { return f.macs; }),
      figure("stall_cycles", !twin, [](F f) -> Cell { return f.stall_cycles; }),
      figure("dram_bytes", !twin, [](F f) -> Cell { return f.dram_bytes; }),
      figure("fp32_latency_us", twin, [](F f) -> Cell { return f.latency_us; }),
      figure("fp32_utilization", twin, [](F f) -> Cell { return f.utilization; }),
      figure("fp32_pj_per_mac", twin, [](F f) -> Cell { return f.pj_per_mac; }),
      figure("fp32_dram_bytes", twin, [](F f) -> Cell { return f.dram_bytes; }),
      figure("pe_area_um2", !twin, [](F f) -> Cell { return f.pe_area_um2; }),
      figure("fp32_pe_area_um2", twin, [](F f) -> Cell { return f.pe_area_um2; }),
      figure("mac_uj", !twin, [](F f) -> Cell { return f.mac_uj; }),
      figure("register_uj", !twin, [](F f) -> Cell { return f.register_uj; }),
      figure("sram_uj", !twin, [](F f) -> Cell { return f.sram_uj; }),
      figure("dram_uj", !twin, [](F f) -> Cell { return f.dram_uj; }),
      optional_number("seconds", &PointRecord::seconds),
  };
}

const std::vector<SweepColumn>& all_columns() {
  static const std::vector<SweepColumn> columns = make_columns();
  return columns;
}

}  // namespace

const Columns<PointRecord>& sweep_columns() {
  static const Columns<PointRecord> columns = [] {
    Columns<PointRecord> out;
    for (const SweepColumn& c : all_columns()) out.push_back(c.column);
    return out;
  }();
  return columns;
}

SweepRow sweep_row(const PointRecord& record) {
  SweepRow row;
  for (const Column<PointRecord>& c : sweep_columns()) row[c.name] = cell_text(c.get(record));
  return row;
}

SweepRow result_cells(const PointResult& result) {
  PointRecord record;
  record.result = &result;
  SweepRow cells;
  for (const auto& [name, text] : sweep_row(record))
    if (!text.empty()) cells[name] = text;
  return cells;
}

std::string sweep_key(const SweepRow& row) {
  std::string key;
  for (const SweepColumn& c : all_columns()) {
    if (!c.key) continue;
    auto it = row.find(c.column.name);
    key += (it == row.end() ? "" : it->second) + '\x1f';
  }
  return key;
}

std::string point_key(const SweepGrid& grid, const SweepPoint& point) {
  PointRecord record;
  record.grid = &grid;
  record.point = &point;
  return sweep_key(sweep_row(record));
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

std::vector<SweepPoint> pending_points(const SweepGrid& grid, const SweepTable& table, bool retry_errors) {
  std::vector<SweepPoint> pending;
  for (const SweepPoint& p : sweep_points(grid)) {
    const SweepRow* r = table.find(point_key(grid, p));
    if (!r || (retry_errors && r->at("status") != "ok")) pending.push_back(p);
  }
  return pending;
}

void sort_in_grid_order(SweepTable& table, size_t first, const SweepGrid& grid) {
  const std::vector<SweepPoint> points = sweep_points(grid);
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < points.size(); ++i) order[point_key(grid, points[i])] = i;
  auto rank = [&](const SweepRow& r) {
    const auto it = order.find(sweep_key(r));
    return it == order.end() ? points.size() : it->second;
  };
  std::stable_sort(table.rows.begin() + static_cast<std::ptrdiff_t>(first), table.rows.end(),
                   [&](const SweepRow& a, const SweepRow& b) { return rank(a) < rank(b); });
}

SweepTable read_sweep_table(const std::string& path) {
  SweepTable t;
  std::ifstream in(path);
  if (!in) {
    if (std::filesystem::exists(path)) throw InputError(path + ": cannot read");
    return t;
  }
  const Columns<PointRecord>& columns = sweep_columns();
  const std::string header = csv_header(columns);
  std::string line;
  if (!std::getline(in, line) || line != header)
    throw InputError(path + ": line 1: not a sweep table of this qarray (expected the header " + header +
                     "); choose another --out or remove the file");
  std::vector<std::string> cells;
  for (int n = 2; std::getline(in, line); ++n) {
    if (!split_csv_line(line, cells) || cells.size() != columns.size())
      throw InputError(path + ": line " + std::to_string(n) + ": expected " + std::to_string(columns.size()) +
                       " cells, got " + std::to_string(cells.size()) + " (file edited by hand?)");
    SweepRow row;
    for (size_t i = 0; i < cells.size(); ++i) row[columns[i].name] = cells[i];
    t.put(row);
  }
  return t;
}

void write_sweep_table(const std::string& path, const SweepTable& t) {
  const Columns<PointRecord>& columns = sweep_columns();
  std::ostringstream out;
  out << csv_header(columns) << "\n";
  for (const SweepRow& r : t.rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      auto it = r.find(columns[i].name);
      out << (i ? "," : "") << (it == r.end() ? "" : csv_field(it->second));
    }
    out << "\n";
  }
  write_file_atomic(path, out.str());
}

}  // namespace qarray::explore
