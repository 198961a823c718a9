// explore/'s column lists, each the one definition of a table's columns: the CSV header, the CSV
// cells and the JSON keys come from the same list (same names, same order, same digits), and the
// column names and order are the documented ones that the plot scripts and resumed sweeps read.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/csv.h"
#include "base/format.h"
#include "explore/counter_columns.h"
#include "explore/energy_columns.h"
#include "explore/layer_table.h"
#include "explore/sweep_grid.h"
#include "explore/sweep_table.h"

namespace qarray::explore {
namespace {

// Distinct values in every counter, so that a column reading the wrong field shows.
LayerCounters sample_counters(int64_t base) {
  LayerCounters k;
  int64_t v = base;
  for (int64_t* f : {&k.total_cycles, &k.weight_load_cycles, &k.compute_cycles, &k.drain_cycles, &k.stall_cycles,
                     &k.dram_stall_cycles, &k.sram_stall_cycles, &k.folds, &k.macs, &k.dram_read_bytes,
                     &k.dram_write_bytes})
    *f = ++v;
  for (BufferCounters* b : {&k.ifmap, &k.weight, &k.ofmap}) {
    b->reads = ++v, b->writes = ++v, b->fill_writes = ++v, b->drain_reads = ++v;
    b->cycles = {++v, ++v, ++v};
    b->banks.push_back({1, 2, 3, 4});
  }
  for (UnitCycles* u : {&k.array, &k.post_processing, &k.dma}) *u = {++v, ++v, ++v};
  k.pe_utilization = 0.1 + 0.2;
  return k;
}

std::vector<std::string> names(const std::string& header) {
  std::vector<std::string> cells;
  EXPECT_TRUE(split_csv_line(header, cells));
  return cells;
}

TEST(CounterColumns, AreTheDocumentedOnes) {
  EXPECT_EQ(csv_header(counter_columns()),
            "folds,total_cycles,latency_us,weight_load_cycles,compute_cycles,drain_cycles,stall_cycles,macs,"
            "pe_utilization,ifmap_reads,weight_reads,ofmap_reads,ofmap_writes,dram_read_bytes,dram_write_bytes,"
            "dram_stall_cycles,sram_stall_cycles,ifmap_fill_writes,weight_fill_writes,ofmap_drain_reads,"
            "array_busy_cycles,array_stall_cycles,array_idle_cycles,ppu_busy_cycles,ppu_stall_cycles,"
            "ppu_idle_cycles,dma_busy_cycles,dma_stall_cycles,dma_idle_cycles,ifmap_busy_cycles,"
            "ifmap_stall_cycles,ifmap_idle_cycles,weight_busy_cycles,weight_stall_cycles,weight_idle_cycles,"
            "ofmap_busy_cycles,ofmap_stall_cycles,ofmap_idle_cycles");
}

TEST(CounterColumns, CsvRowAndJsonHoldTheSameValues) {
  const LayerCounters k = sample_counters(100);
  const double clock_mhz = 700.0;
  const std::vector<std::string> header = names(csv_header(counter_columns()));
  std::vector<std::string> row;
  ASSERT_TRUE(split_csv_line(csv_row(counter_columns(), CounterRow{k, clock_mhz}), row));
  ASSERT_EQ(row.size(), header.size());
  const nlohmann::json j = counters_json(k, clock_mhz);
  EXPECT_EQ(j.size(), header.size() + 1);  // and sram_banks
  for (size_t i = 0; i < header.size(); ++i) {
    ASSERT_TRUE(j.contains(header[i])) << header[i];
    const nlohmann::json& v = j.at(header[i]);
    EXPECT_EQ(row[i], v.is_number_integer() ? std::to_string(v.get<int64_t>()) : shortest_text(v.get<double>()))
        << header[i];
  }
  EXPECT_EQ(j.at("total_cycles"), k.total_cycles);
  EXPECT_EQ(j.at("latency_us"), k.total_cycles / clock_mhz);
  EXPECT_EQ(j.at("pe_utilization"), 0.1 + 0.2);
  EXPECT_EQ(j.at("ofmap_idle_cycles"), k.ofmap.cycles.idle);
  EXPECT_EQ(j.at("ppu_busy_cycles"), k.post_processing.busy);
  EXPECT_EQ(j.at("sram_banks").at("weight").at(0).at("drain_reads"), 4);
}

PricedDesign sample_design(int64_t base, int64_t macs) {
  PricedDesign d;
  d.arch.clock_mhz = 500;
  d.counters = {sample_counters(base)};
  d.counters[0].macs = macs;
  EnergyBreakdown e;
  e.mac_pj = 1.5, e.register_pj = 0.25, e.ifmap_sram_pj = 3, e.weight_sram_pj = 4, e.ofmap_sram_pj = 5;
  e.dram_pj = base;
  d.layers = {e};
  return d;
}

TEST(EnergyColumns, IntThenTwinThenRatio) {
  EXPECT_EQ(csv_header(energy_columns()),
            "mac_pj,register_pj,ifmap_sram_pj,weight_sram_pj,ofmap_sram_pj,dram_pj,total_pj,pj_per_mac,"
            "fp32_total_cycles,fp32_latency_us,fp32_mac_pj,fp32_register_pj,fp32_ifmap_sram_pj,fp32_weight_sram_pj,"
            "fp32_ofmap_sram_pj,fp32_dram_pj,fp32_total_pj,fp32_pj_per_mac,fp32_dram_read_bytes,"
            "fp32_dram_write_bytes,energy_ratio");
  const PricedDesign q = sample_design(10, 4), fp = sample_design(90, 0);
  const LayerEnergyRow row{q, fp, 0};
  // 23.75 pJ over 4 MACs; the twin has no MACs (empty pJ/MAC); ratio 23.75 / 103.75.
  EXPECT_EQ(csv_row(energy_columns(), row),
            "1.5,0.25,3,4,5,10,23.75,5.9375,91,0.182,1.5,0.25,3,4,5,90,103.75,,100,101," +
                shortest_text(23.75 / 103.75));
}

TEST(LayerTable, NameKindCountersEnergy) {
  const std::vector<std::string> header = names(csv_header(layer_table_columns()));
  const std::vector<std::string> counters = names(csv_header(counter_columns()));
  const std::vector<std::string> energy = names(csv_header(energy_columns()));
  ASSERT_EQ(header.size(), 2 + counters.size() + energy.size());
  EXPECT_EQ(header[0], "layer");
  EXPECT_EQ(header[1], "kind");
  EXPECT_EQ(std::vector<std::string>(header.begin() + 2, header.begin() + 2 + counters.size()), counters);
  EXPECT_EQ(std::vector<std::string>(header.end() - energy.size(), header.end()), energy);
}

TEST(SweepColumns, AreTheDocumentedOnes) {
  EXPECT_EQ(csv_header(sweep_columns()),
            "point,status,error,model,rows,cols,dataflow,weight_bits,act_bits,method,ifmap_kib,weight_kib,ofmap_kib,"
            "dram_bytes_per_cycle,energy_table,fp32_top1,int_top1,cycles,latency_us,utilization,energy_uj,"
            "fp32_cycles,fp32_energy_uj,area_mm2,fp32_area_mm2,pj_per_mac,arch,acc_bits,clock_mhz,eval_images,"
            "calib_images,sim_images,node,macs,stall_cycles,dram_bytes,fp32_latency_us,fp32_utilization,"
            "fp32_pj_per_mac,fp32_dram_bytes,pe_area_um2,fp32_pe_area_um2,mac_uj,register_uj,sram_uj,dram_uj,"
            "seconds");
}

TEST(SweepColumns, ParametersAloneMakeTheResumeKey) {
  const SweepGrid g = parse_sweep_grid(R"({"model": "mobilenetv2", "arch": "ws16", "dram_bytes_per_cycle": [0.5, 16]})",
                                       "grid.json");
  const std::vector<SweepPoint> points = sweep_points(g);
  ASSERT_EQ(points.size(), 2u);
  PointRecord params;
  params.grid = &g;
  params.point = &points[0];
  SweepRow row = sweep_row(params);
  EXPECT_EQ(row.at("point"), "16x16-ws-w8a8-cle+bc-i64w64o64k-d0.5-horowitz45");
  EXPECT_EQ(row.at("dram_bytes_per_cycle"), "0.5");
  EXPECT_EQ(row.at("clock_mhz"), "1000");
  EXPECT_EQ(row.at("status"), "");
  EXPECT_EQ(sweep_key(row), point_key(g, points[0]));
  EXPECT_NE(point_key(g, points[0]), point_key(g, points[1]));
  // Results, accuracy and wall time do not change the key.
  PointResult result = failed_point("simulation\nfailed");
  PointRecord full = params;
  full.result = &result;
  full.fp32_top1 = 91.5;
  full.seconds = 3.25;
  const SweepRow done = sweep_row(full);
  EXPECT_EQ(sweep_key(done), point_key(g, points[0]));
  EXPECT_EQ(done.at("status"), "error");
  EXPECT_EQ(done.at("error"), "simulation failed");
  EXPECT_EQ(done.at("fp32_top1"), "91.5");
  EXPECT_EQ(done.at("int_top1"), "");
  EXPECT_EQ(done.at("seconds"), "3.25");
}

TEST(SweepColumns, ResultCellsHoldOnlyWhatTheResultSays) {
  EXPECT_EQ(result_cells(failed_point("boom")), (SweepRow{{"error", "boom"}, {"status", "error"}}));
  PointResult r;
  r.node = "45nm";
  r.int_design = DesignFigures{};
  r.int_design->cycles = 1234;
  r.int_design->utilization = 0.25;
  r.ok = false;
  r.error = "FP32 twin 'x': too small";
  const SweepRow cells = result_cells(r);
  EXPECT_EQ(cells.at("cycles"), "1234");
  EXPECT_EQ(cells.at("utilization"), "0.25");
  EXPECT_EQ(cells.at("pj_per_mac"), "0");
  EXPECT_EQ(cells.at("node"), "45nm");
  EXPECT_EQ(cells.at("status"), "error");
  EXPECT_EQ(cells.count("fp32_cycles"), 0u);  // the twin failed: no FP32 figures
  EXPECT_EQ(cells.count("point"), 0u);
}

}  // namespace
}  // namespace qarray::explore
