// The sweep's result table (points.csv): one row per design point, its columns defined once
// (name and value) in sweep_table.cpp, rewritten whole through a temporary file and a rename
// after every finished point, so a killed sweep leaves the previous complete table, never a
// half-written row.
//
// Columns, in file order (docs/cli.md "Sweeps and plots"): the schema shared with the plot scripts
//   point, status, error, model, rows, cols, dataflow, weight_bits, act_bits, method, ifmap_kib,
//   weight_kib, ofmap_kib, dram_bytes_per_cycle, energy_table, fp32_top1, int_top1, cycles,
//   latency_us, utilization, energy_uj, fp32_cycles, fp32_energy_uj, area_mm2, fp32_area_mm2,
//   pj_per_mac,
// then what else identifies the point, and more of its results
//   arch, acc_bits, clock_mhz, eval_images, calib_images, sim_images, node, macs, stall_cycles,
//   dram_bytes, fp32_latency_us, fp32_utilization, fp32_pj_per_mac, fp32_dram_bytes,
//   pe_area_um2, fp32_pe_area_um2, mac_uj, register_uj, sram_uj, dram_uj, seconds.
//
// Contract: a row's resume key is its parameter columns (model, arch, rows, cols, dataflow,
// weight_bits, act_bits, acc_bits, method, the three *_kib, dram_bytes_per_cycle, energy_table,
// eval_images, calib_images, sim_images) as text; a rerun skips the points whose key has a row.
// read_sweep_table accepts only this qarray's header.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "explore/columns.h"
#include "explore/sweep_grid.h"
#include "explore/sweep_point.h"

namespace qarray::explore {

inline constexpr const char* kNotMeasured = "not measured";

// What a row says about one point; a part left out gives empty cells.
struct PointRecord {
  const SweepGrid* grid = nullptr;  // with point: the parameter columns
  const SweepPoint* point = nullptr;
  std::optional<double> fp32_top1, int_top1;
  bool accuracy_not_measured = false;  // synthetic data: both top-1 cells say "not measured"
  const PointResult* result = nullptr;  // status, error and the figures
  std::optional<double> seconds;        // wall time of the point
};

const Columns<PointRecord>& sweep_columns();

using SweepRow = std::map<std::string, std::string>;  // column -> cell text (missing = empty)

// Every column's cell text (csv quoting is the writer's).
SweepRow sweep_row(const PointRecord& record);
// The non-empty cells of a result alone (status, error, figures): what a worker sends back.
SweepRow result_cells(const PointResult& result);

std::string sweep_key(const SweepRow& row);
// The resume key of a point of the grid.
std::string point_key(const SweepGrid& grid, const SweepPoint& point);

struct SweepTable {
  std::vector<SweepRow> rows;  // file order: earlier runs' rows, then a sweep's own in grid order

  const SweepRow* find(const std::string& key) const;
  void put(const SweepRow& row);  // replaces the row with the same key, else appends
};

// The grid's points that have no row yet, and with `retry_errors` those whose row failed.
std::vector<SweepPoint> pending_points(const SweepGrid& grid, const SweepTable& table, bool retry_errors);
// Sorts rows [first, end) into the grid's order (rows of other grids last, in their order), so
// that a table does not depend on which point finished first.
void sort_in_grid_order(SweepTable& table, size_t first, const SweepGrid& grid);

// An absent file is an empty table; a file with another header or a malformed line throws
// InputError naming the file and line.
SweepTable read_sweep_table(const std::string& path);
// Writes the whole table to a temporary file beside `path`, then renames it over `path`.
void write_sweep_table(const std::string& path, const SweepTable& t);

}  // namespace qarray::explore
