// `qarray sim-layer` as an architect runs it: shapes from flags or a topology CSV, random data,
// every layer checked bit-exactly against golden, counters printed and written as CSV; bad input
// is one line on stderr and exit 1. Also the topology reader and the random-layer stimulus.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_runner.h"
#include "base/errors.h"
#include "sim/stimulus.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;

using Result = testing::CliResult;

fs::path temp_dir() { return testing::cli_temp_dir("qarray_sim_cli"); }

Result qarray(const std::string& args) { return testing::run_qarray(args); }

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = (temp_dir() / name).string();
  std::ofstream(path) << text;
  return path;
}

const char* kTopology =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    "conv1, 12, 12, 3, 3, 3, 8, 1,\n"
    "conv2, 10, 10, 3, 3, 8, 12, 2,\n"
    "dw, 8, 8, 3, 3, 12, 12, 1, depthwise\n"
    "head, 4, 4, 1, 1, 12, 10, 1, fc\n";

// The CSV row as column name -> value.
std::map<std::string, std::string> csv_row(const std::string& path, int row) {
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  for (int i = 0; i <= row; ++i) std::getline(in, line);
  std::map<std::string, std::string> m;
  std::stringstream h(header), v(line);
  for (std::string key, value; std::getline(h, key, ',') && std::getline(v, value, ',');) m[key] = value;
  return m;
}

TEST(SimLayerCli, FlagsLayerRunsBitExactWithTheFormulaCycles) {
  // 1x1 conv, 8 -> 8 channels, 4x4 map on a 16x16 ws array: one fold of P = 16 vectors,
  // 2*16 + 16 + 16 - 2 + 3 = 65 busy cycles; ws16's DRAM (100 cycles, 16 B/cycle, 64 B bursts)
  // adds the cold load of two 128-byte / 64-byte tiles and the 128-byte write-back.
  const std::string csv = (temp_dir() / "one.csv").string();
  const Result r = qarray("sim-layer --ifmap-h 4 --ifmap-w 4 --channels 8 --filters 8 --csv " + csv);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("bit-exact"), std::string::npos) << r.out;
  auto row = csv_row(csv, 0);
  EXPECT_EQ(std::stoll(row["total_cycles"]) - std::stoll(row["stall_cycles"]), 65);
  EXPECT_EQ(std::stoll(row["stall_cycles"]), (100 + 192 / 16) + (100 + 128 / 16));
  EXPECT_EQ(row["folds"], "1");
  EXPECT_EQ(row["macs"], "1024");
  EXPECT_EQ(row["bit_exact"], "1");
}

TEST(SimLayerCli, TopologyOnEveryDataflowWritesCsv) {
  const std::string topo = write_file("topo.csv", kTopology);
  for (const char* df : {"ws", "is", "os"}) {
    const std::string csv = (temp_dir() / (std::string(df) + ".csv")).string();
    const Result r = qarray("sim-layer --arch edge8 --topology " + topo + " --dataflow " + df + " --batch 2 --csv " + csv);
    ASSERT_EQ(r.status, 0) << df << ": " << r.err;
    EXPECT_NE(r.out.find("4 layer(s) bit-exact with golden"), std::string::npos) << r.out;
    std::ifstream in(csv);
    std::string header, line;
    std::getline(in, header);
    EXPECT_EQ(header.rfind("layer,kind,batch,dataflow,rows,cols,folds,total_cycles,", 0), 0u) << header;
    int rows = 0;
    while (std::getline(in, line)) {
      ++rows;
      EXPECT_EQ(line.substr(line.size() - 2), ",1") << line;  // bit_exact
    }
    EXPECT_EQ(rows, 4);
  }
}

TEST(SimLayerCli, BadInputIsOneLineAndExitOne) {
  const std::string bad_topo = write_file("bad.csv", "conv1, 12, 12, 3, 3, 3, 0, 1\n");
  const std::string short_topo = write_file("short.csv", "conv1, 12, 12, 3\n");
  const std::string bad_arch = write_file("arch.json", "{\"array\": {\"rows\": 4}}");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sim-layer --rows 0", "array.rows"},
      {"sim-layer --arch " + bad_arch, "arch.json: array.cols: missing"},
      {"sim-layer --arch nosuch", "unknown architecture preset 'nosuch' (shipped: " + testing::shipped("configs", ".json")},
      {"sim-layer --dataflow xs", "--dataflow: unknown dataflow 'xs'"},
      {"sim-layer --channels 0", "flags: channels: 0 must be positive"},
      {"sim-layer --ifmap-h 2 --filter-h 3", "larger than the padded ifmap"},
      {"sim-layer --kind add", "kind must be conv, depthwise or fc"},
      {"sim-layer --act-bits 9", "--act-bits 9"},
      {"sim-layer --topology " + bad_topo, "bad.csv:1: number of filters: 0 must be positive"},
      {"sim-layer --topology " + short_topo, "short.csv:1: expected 8 columns"},
  };
  for (const auto& [args, expect] : cases) {
    const Result r = qarray(args);
    EXPECT_EQ(r.status, 1) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << "\n" << r.err;
  }
}

TEST(Stimulus, TopologyCsvReadsEveryColumn) {
  const std::vector<LayerSpec> specs = load_topology_csv(write_file("t.csv", kTopology));
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[1].name, "conv2");
  EXPECT_EQ(specs[1].ifmap_h, 10);
  EXPECT_EQ(specs[1].filter_w, 3);
  EXPECT_EQ(specs[1].channels, 8);
  EXPECT_EQ(specs[1].filters, 12);
  EXPECT_EQ(specs[1].stride, 2);
  EXPECT_EQ(specs[0].kind, LayerKind::Conv);
  EXPECT_EQ(specs[2].kind, LayerKind::Depthwise);
  EXPECT_EQ(specs[3].kind, LayerKind::Fc);
  EXPECT_THROW(load_topology_csv(write_file("x.csv", "a, 1, 1, 1, 1, 1, 1, x\n")), InputError);
  EXPECT_THROW(load_topology_csv(write_file("empty.csv", "\n")), InputError);
}

TEST(Stimulus, RandomLayersAreValidSeededAndSpread) {
  LayerSpec s;
  s.ifmap_h = s.ifmap_w = 6;
  s.filter_h = s.filter_w = 3;
  s.channels = 4;
  s.filters = 5;
  s.pad = 1;
  for (LayerKind kind : {LayerKind::Conv, LayerKind::Depthwise, LayerKind::Fc}) {
    s.kind = kind;
    const Network a = random_layer_network(s, 8, 8, 32, 3), b = random_layer_network(s, 8, 8, 32, 3);
    EXPECT_EQ(a.layers[0].weights, b.layers[0].weights);
    EXPECT_EQ(a.layers[0].bias, b.layers[0].bias);
    const IntTensor x = random_input(a, 2, 4);
    EXPECT_EQ(x.data, random_input(a, 2, 4).data);
    const IntTensor y = GoldenExecutor(a).run_layer(0, {&x});
    const auto [lo, hi] = std::minmax_element(y.data.begin(), y.data.end());
    EXPECT_GT(*hi - *lo, 10) << layer_kind_name(kind);  // outputs use the grid, not one clamp value
  }
}

}  // namespace
}  // namespace qarray
