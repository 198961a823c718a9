// `qarray run` with the cycle model: --sim-images runs test images on the arch given by --arch,
// checked against golden, and writes the per-layer table (layers.csv, report.json "sim"); a bad
// --arch or an arch whose widths do not fit the network is one line and exit 1, nothing written.
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

// The columns docs/cli.md documents for layers.csv, in order.
const std::vector<std::string> kColumns = {
    "layer",           "kind",              "folds",              "total_cycles",       "latency_us",
    "weight_load_cycles", "compute_cycles", "drain_cycles",       "stall_cycles",       "macs",
    "pe_utilization",  "ifmap_reads",       "weight_reads",       "ofmap_reads",        "ofmap_writes",
    "dram_read_bytes", "dram_write_bytes",  "dram_stall_cycles",  "sram_stall_cycles",  "ifmap_fill_writes",
    "weight_fill_writes", "ofmap_drain_reads", "array_busy_cycles", "array_stall_cycles", "array_idle_cycles",
    "ppu_busy_cycles", "ppu_stall_cycles",  "ppu_idle_cycles",    "dma_busy_cycles",    "dma_stall_cycles",
    "dma_idle_cycles", "ifmap_busy_cycles", "ifmap_stall_cycles", "ifmap_idle_cycles",  "weight_busy_cycles",
    "weight_stall_cycles", "weight_idle_cycles", "ofmap_busy_cycles", "ofmap_stall_cycles", "ofmap_idle_cycles"};
const std::vector<std::string> kUnits = {"array", "ppu", "dma", "ifmap", "weight", "ofmap"};

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_sim_run", name); }

TEST(SimRunCli, SimImagesWriteLayersCsvAndSimSection) {
  const fs::path out = temp("sim2");
  const CliResult r = run_qarray("run --images 64 --calib-images 64 --sim-images 2 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cycle model: arch ws16 (16x16 ws"));
  EXPECT_THAT(r.out, HasSubstr("2 test image(s) one at a time: every layer bit-exact with golden, same class"));

  const auto j = testing::read_json(out / "report.json");
  const auto& sim = j.at("sim");
  EXPECT_EQ(sim.at("images"), 2);
  EXPECT_EQ(sim.at("bit_exact"), true);
  EXPECT_EQ(sim.at("arch").at("name"), "ws16");
  EXPECT_EQ(sim.at("arch").at("acc_bits"), 32);
  const auto& layers = sim.at("layers");
  ASSERT_EQ(layers.size(), j.at("layers").size());

  std::ifstream cf(out / "layers.csv");
  std::string line;
  ASSERT_TRUE(std::getline(cf, line));
  // The counter columns come first; the energy columns follow them (test_energy_run_cli checks those).
  const std::vector<std::string> header = testing::csv_cells(line);
  ASSERT_GE(header.size(), kColumns.size());
  EXPECT_EQ(std::vector<std::string>(header.begin(), header.begin() + kColumns.size()), kColumns);
  int64_t cycles = 0, macs = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    ASSERT_TRUE(std::getline(cf, line)) << "row " << i;
    const std::vector<std::string> row = testing::csv_cells(line);
    ASSERT_EQ(row.size(), header.size()) << line;
    const auto& l = layers[i];
    EXPECT_EQ(row[0], l.at("name"));
    EXPECT_EQ(row[0], j.at("layers")[i].at("name"));
    EXPECT_EQ(row[1], l.at("kind"));
    for (size_t c = 2; c < kColumns.size(); ++c)
      EXPECT_DOUBLE_EQ(std::stod(row[c]), l.at(kColumns[c]).get<double>()) << kColumns[c] << " of row " << i;
    const int64_t total = l.at("total_cycles");
    EXPECT_EQ(total, l.at("weight_load_cycles").get<int64_t>() + l.at("compute_cycles").get<int64_t>() +
                         l.at("drain_cycles").get<int64_t>() + l.at("dram_stall_cycles").get<int64_t>() +
                         l.at("sram_stall_cycles").get<int64_t>());
    EXPECT_EQ(l.at("stall_cycles").get<int64_t>(),
              l.at("dram_stall_cycles").get<int64_t>() + l.at("sram_stall_cycles").get<int64_t>());
    for (const std::string& u : kUnits)
      EXPECT_EQ(total, l.at(u + "_busy_cycles").get<int64_t>() + l.at(u + "_stall_cycles").get<int64_t>() +
                           l.at(u + "_idle_cycles").get<int64_t>()) << u << " of row " << i;
    // Per-bank SRAM counts: ws16 has 4 banks per buffer; they add up to the buffer's columns.
    for (const std::string& b : {"ifmap", "weight", "ofmap"}) {
      const auto& banks = l.at("sram_banks").at(b);
      ASSERT_EQ(banks.size(), 4u) << b;
      int64_t reads = 0, writes = 0, fills = 0, drains = 0;
      for (const auto& bank : banks) {
        reads += bank.at("reads").get<int64_t>();
        writes += bank.at("writes").get<int64_t>();
        fills += bank.at("fill_writes").get<int64_t>();
        drains += bank.at("drain_reads").get<int64_t>();
      }
      if (b != "ofmap") {
        EXPECT_EQ(reads, l.at(b + "_reads").get<int64_t>()) << b;
        EXPECT_EQ(fills, l.at(b + "_fill_writes").get<int64_t>()) << b;
        EXPECT_EQ(writes, 0) << b;
        EXPECT_EQ(drains, 0) << b;
      } else {
        EXPECT_EQ(reads, l.at("ofmap_reads").get<int64_t>());
        EXPECT_EQ(writes, l.at("ofmap_writes").get<int64_t>());
        EXPECT_EQ(drains, l.at("ofmap_drain_reads").get<int64_t>());
        EXPECT_EQ(fills, 0);
      }
    }
    EXPECT_DOUBLE_EQ(l.at("latency_us").get<double>(), total / 1000.0);  // ws16 runs at 1000 MHz
    cycles += total;
    macs += l.at("macs").get<int64_t>();
  }
  EXPECT_FALSE(std::getline(cf, line));
  EXPECT_EQ(sim.at("per_image").at("total_cycles"), cycles);
  EXPECT_EQ(macs, j.at("model").at("macs_per_image"));
  EXPECT_EQ(sim.at("per_image").at("macs"), macs);
}

TEST(SimRunCli, LayersCsvColumnsAreTheDocumentedOnes) {
  const std::string doc = testing::read_file(std::string(QARRAY_SOURCE_DIR) + "/docs/cli.md");
  const size_t at = doc.find("`layers.csv`");
  ASSERT_NE(at, std::string::npos);
  std::string documented;
  for (const std::string& c : kColumns) documented += (documented.empty() ? "" : ", ") + ("`" + c + "`");
  EXPECT_THAT(doc, HasSubstr(documented));
}

TEST(SimRunCli, NoSimImagesMeansNoCycleModel) {
  const fs::path out = temp("sim0");
  // The widths are checked only when simulating: 24-bit accumulators do not fit ws16 but run.
  const CliResult r = run_qarray("run --images 32 --calib-images 32 --acc-bits 24 --sim-images 0 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("cycle model")));
  EXPECT_TRUE(testing::read_json(out / "report.json").at("sim").is_null());
  EXPECT_FALSE(fs::exists(out / "layers.csv"));
}

TEST(SimRunCli, BadArchNamesTheFile) {
  const fs::path out = temp("bad_arch");
  CliResult r = run_qarray("run --arch /nonexistent/arch.json --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: /nonexistent/arch.json: cannot open the architecture file\n");
  r = run_qarray("run --arch nosuchpreset --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: unknown architecture preset 'nosuchpreset' (shipped: " +
                       testing::shipped("configs", ".json") + "; or give the path of a .json file)\n");

  const fs::path bad = temp("bad.json");
  std::ofstream(bad) << "{\"array\": {\"rows\": 16}}";
  r = run_qarray("run --arch " + bad.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(bad.string() + ": "));
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(SimRunCli, MismatchedWidthsAreOneLineErrors) {
  const fs::path out = temp("widths");
  CliResult r = run_qarray("run --acc-bits 24 --sim-images 2 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  const std::string configs = std::string(QARRAY_SOURCE_DIR) + "/configs/";
  EXPECT_EQ(r.err, "qarray: error: --arch ws16 (" + configs +
                       "ws16.json): acc_bits 32 but the network accumulates in 24 bits; they must be equal\n");
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;

  r = run_qarray("run --weight-bits 12 --arch edge8 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: --arch edge8 (" + configs +
                       "edge8.json): weight_bits 8 is narrower than the network's 12-bit weights\n");
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;

  r = run_qarray("run --act-bits 10 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("act_bits 8 is narrower than the network's 10-bit activations"));
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(SimRunCli, RowsColsAndDataflowOverrideTheArch) {
  const fs::path out = temp("override");
  const CliResult r = run_qarray("run --images 32 --calib-images 32 --sim-images 1 --rows 8 --cols 12 --dataflow os "
                                 "--out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cycle model: arch ws16 (8x12 os, W8A8"));
  const auto j = testing::read_json(out / "report.json");
  for (const auto* arch : {&j.at("arch"), &j.at("sim").at("arch")}) {
    EXPECT_EQ(arch->at("rows"), 8);
    EXPECT_EQ(arch->at("cols"), 12);
    EXPECT_EQ(arch->at("dataflow"), "os");
  }
  EXPECT_EQ(j.at("sim").at("layers")[0].at("weight_load_cycles"), 0);  // os has no preload
}

TEST(SimRunCli, BadOverridesAreOneLineErrorsAndWriteNothing) {
  const fs::path out = temp("bad_override");
  CliResult r = run_qarray("run --dataflow xs --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: --dataflow: unknown dataflow 'xs' (expected ws, os or is)\n");
  r = run_qarray("run --arch edge8 --rows 0 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("configs/edge8.json with the command-line overrides: array.rows: 0 not in [1, 256]"));
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  r = run_qarray("run --cols 300 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("array.cols: 300 not in [1, 256]"));
  EXPECT_FALSE(fs::exists(out));
}

TEST(SimRunCli, SimImagesBeyondTheEvaluatedOnesAreRejected) {
  const fs::path out = temp("too_many");
  const CliResult r = run_qarray("run --images 4 --sim-images 5 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: --sim-images 5 exceeds --images 4 (the simulated images are checked against "
                   "golden's predictions)\n");
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace qarray
