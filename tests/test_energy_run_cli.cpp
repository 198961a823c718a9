// `qarray run` energy report: every key of the report schema (docs/cli.md) in
// report.json, layers.csv with the counter columns then the energy columns, the CSV equal to the
// JSON, totals equal to the sum of the layers, ratios INT/FP32; bad --energy-table values are one
// line, exit 1, nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliResult;
using testing::run_qarray;

const std::vector<std::string> kEnergyKeys = {"mac_pj", "register_pj", "ifmap_sram_pj", "weight_sram_pj",
                                              "ofmap_sram_pj", "dram_pj", "total_pj"};
const std::vector<std::string> kLayerKeys = {"name", "kind", "macs", "cycles", "latency_us", "utilization",
                                             "mac_pj", "register_pj", "ifmap_sram_pj", "weight_sram_pj",
                                             "ofmap_sram_pj", "dram_pj", "total_pj", "pj_per_mac"};

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_energy_run", name); }

void expect_design(const nlohmann::json& d, size_t layers, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(d.at("layers").size(), layers);
  for (const char* key : {"pe_area_um2", "sram_area_mm2", "area_mm2"}) EXPECT_GT(d.at(key).get<double>(), 0) << key;
  std::map<std::string, double> sum;
  int64_t cycles = 0, macs = 0;
  for (const auto& l : d.at("layers")) {
    for (const std::string& key : kLayerKeys) EXPECT_TRUE(l.contains(key)) << key;
    for (const std::string& key : kEnergyKeys) sum[key] += l.at(key).get<double>();
    double parts = 0;
    for (size_t i = 0; i + 1 < kEnergyKeys.size(); ++i) parts += l.at(kEnergyKeys[i]).get<double>();
    EXPECT_DOUBLE_EQ(l.at("total_pj").get<double>(), parts) << l.at("name");
    cycles += l.at("cycles").get<int64_t>();
    macs += l.at("macs").get<int64_t>();
    if (l.at("macs").get<int64_t>() > 0) {
      EXPECT_DOUBLE_EQ(l.at("pj_per_mac").get<double>(), l.at("total_pj").get<double>() / l.at("macs").get<double>());
    } else {
      EXPECT_TRUE(l.at("pj_per_mac").is_null());
    }
  }
  const auto& t = d.at("total");
  for (const std::string& key : kLayerKeys) {
    if (key != "name" && key != "kind") {
      EXPECT_TRUE(t.contains(key)) << key;
    }
  }
  for (const std::string& key : kEnergyKeys) EXPECT_NEAR(t.at(key).get<double>(), sum[key], 1e-9 * sum[key]) << key;
  EXPECT_EQ(t.at("cycles").get<int64_t>(), cycles);
  EXPECT_EQ(t.at("macs").get<int64_t>(), macs);
  EXPECT_GT(t.at("mac_pj").get<double>(), 0);
  EXPECT_GT(t.at("dram_pj").get<double>(), 0);
}

TEST(EnergyRunCli, ReportHasTheSchemaKeysAndLayersCsvMatches) {
  const fs::path out = temp("run");
  const CliResult r = run_qarray("run --images 64 --calib-images 64 --sim-images 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("energy per image, table horowitz45 (45nm): INT design ws16"));
  EXPECT_THAT(r.out, HasSubstr("FP32 twin ws16-fp32"));
  EXPECT_THAT(r.out, HasSubstr("INT/FP32: energy "));

  const auto j = testing::read_json(out / "report.json");
  EXPECT_EQ(j.at("model").at("name").get<std::string>().empty(), false);
  const auto& arch = j.at("arch");
  EXPECT_EQ(arch.at("name"), "ws16");
  EXPECT_EQ(arch.at("rows"), 16);
  EXPECT_EQ(arch.at("cols"), 16);
  EXPECT_EQ(arch.at("dataflow"), "ws");
  EXPECT_EQ(arch.at("weight_bits"), 8);
  EXPECT_EQ(arch.at("act_bits"), 8);
  EXPECT_EQ(arch.at("acc_bits"), 32);
  EXPECT_EQ(arch.at("clock_mhz"), 1000.0);
  const auto& acc = j.at("accuracy");
  EXPECT_EQ(acc.at("fp32_top1"), j.at("fp32").at("top1_percent"));
  EXPECT_EQ(acc.at("int_top1"), j.at("int").at("top1_percent"));
  EXPECT_EQ(acc.at("method"), "cle+bc");
  EXPECT_EQ(acc.at("weight_bits"), 8);
  EXPECT_EQ(acc.at("act_bits"), 8);

  const auto& e = j.at("energy");
  EXPECT_EQ(e.at("table"), "horowitz45");
  EXPECT_EQ(e.at("node"), "45nm");
  const size_t n = j.at("layers").size();
  expect_design(e.at("int"), n, "int");
  expect_design(e.at("fp32"), n, "fp32");
  const auto& qi = e.at("int").at("total");
  const auto& qf = e.at("fp32").at("total");
  EXPECT_DOUBLE_EQ(e.at("ratios").at("energy").get<double>(),
                   qi.at("total_pj").get<double>() / qf.at("total_pj").get<double>());
  EXPECT_DOUBLE_EQ(e.at("ratios").at("latency").get<double>(),
                   qi.at("cycles").get<double>() / qf.at("cycles").get<double>());
  EXPECT_DOUBLE_EQ(e.at("ratios").at("area").get<double>(),
                   e.at("int").at("area_mm2").get<double>() / e.at("fp32").at("area_mm2").get<double>());
  EXPECT_LT(e.at("ratios").at("energy").get<double>(), 1.0);
  // The twin moves 4-byte operands: at least 3x the INT8 design's DRAM bytes (4x up to burst rounding).
  int64_t qb = 0, fb = 0;
  for (size_t i = 0; i < n; ++i) {
    qb += e.at("int").at("layers")[i].at("dram_read_bytes").get<int64_t>();
    fb += e.at("fp32").at("layers")[i].at("dram_read_bytes").get<int64_t>();
  }
  EXPECT_GT(fb, 3 * qb);
  EXPECT_LE(fb, 4 * qb);
  EXPECT_TRUE(e.at("yosys").contains("available"));

  std::ifstream cf(out / "layers.csv");
  std::string line;
  ASSERT_TRUE(std::getline(cf, line));
  const std::vector<std::string> header = testing::csv_cells(line);
  const std::vector<std::string> energy_cols = {
      "mac_pj", "register_pj", "ifmap_sram_pj", "weight_sram_pj", "ofmap_sram_pj", "dram_pj", "total_pj",
      "pj_per_mac", "fp32_total_cycles", "fp32_latency_us", "fp32_mac_pj", "fp32_register_pj",
      "fp32_ifmap_sram_pj", "fp32_weight_sram_pj", "fp32_ofmap_sram_pj", "fp32_dram_pj", "fp32_total_pj",
      "fp32_pj_per_mac", "fp32_dram_read_bytes", "fp32_dram_write_bytes", "energy_ratio"};
  // layer, kind and the 38 counter columns (test_sim_run_cli checks those) come first.
  ASSERT_EQ(header.size(), 40 + energy_cols.size());
  EXPECT_EQ(header[39], "ofmap_idle_cycles");
  EXPECT_EQ(std::vector<std::string>(header.begin() + 40, header.end()), energy_cols);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(std::getline(cf, line));
    const std::vector<std::string> row = testing::csv_cells(line);
    ASSERT_EQ(row.size(), header.size()) << line;
    const auto& li = e.at("int").at("layers")[i];
    const auto& lf = e.at("fp32").at("layers")[i];
    for (const std::string& key : kEnergyKeys) {
      const size_t c = std::find(header.begin(), header.end(), key) - header.begin();
      const size_t cf32 = std::find(header.begin(), header.end(), "fp32_" + key) - header.begin();
      EXPECT_EQ(std::stod(row[c]), li.at(key).get<double>()) << key << " row " << i;
      EXPECT_EQ(std::stod(row[cf32]), lf.at(key).get<double>()) << key << " row " << i;
    }
    EXPECT_EQ(std::stoll(row[48]), lf.at("cycles").get<int64_t>());  // fp32_total_cycles
    EXPECT_DOUBLE_EQ(std::stod(row.back()), li.at("total_pj").get<double>() / lf.at("total_pj").get<double>());
  }
}

TEST(EnergyRunCli, UnknownTableListsKnownOnesAndWritesNothing) {
  const fs::path out = temp("unknown");
  const CliResult r = run_qarray("run --images 64 --energy-table 7nm --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: unknown energy table '7nm' (known: horowitz45, aladdin40; also 45nm, 40nm, or a path "
                   "to a CSV table)\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(EnergyRunCli, MalformedAndNegativeTableRowsNameFileRowColumn) {
  const fs::path dir = temp("tables");
  fs::create_directories(dir);
  const std::string s = testing::read_file(std::string(QARRAY_SOURCE_DIR) + "/energy/tables/aladdin40.csv");
  const std::string neg = std::string(s).replace(s.find("dram_byte,64,"), 13, "dram_byte,-64,");
  const std::string bad = std::string(s).replace(s.find("add_int,0.21,"), 13, "add_int,0.2.1,");
  std::ofstream(dir / "neg.csv") << neg;
  std::ofstream(dir / "bad.csv") << bad;
  const fs::path out = dir / "out";
  CliResult r = run_qarray("run --images 64 --energy-table " + (dir / "neg.csv").string() + " --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_EQ(r.err, "qarray: error: " + (dir / "neg.csv").string() +
                       ": row 14 (line 18), column 'value': -64 is negative (costs are >= 0)\n");
  r = run_qarray("run --images 64 --energy-table " + (dir / "bad.csv").string() + " --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr((dir / "bad.csv").string() + ": row 2 (line 6), column 'value': '0.2.1' is not a finite number"));
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace qarray
