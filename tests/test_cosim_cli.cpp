// `qarray cosim` as a user runs it: random cases and model layers print a summary with zero
// mismatches, --trace writes a VCD of the RTL (compiled variants) or an FST (verilated on
// demand), an arch without a compiled variant is verilated on demand once and reused, and bad
// input (a bad --layers or --trace name, no work, an FP32 arch, no verilator for an on-demand
// build) is one line on stderr and exit 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_runner.h"
#include "tests/fst_reader.h"

namespace qarray {
namespace {

using testing::run_qarray;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream text;
  text << f.rdbuf();
  return text.str();
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST(CosimCli, RandomCasesPrintASummaryWithZeroMismatches) {
  const auto r = run_qarray("cosim --arch cosim3x5_os_w4a4 --random 8 --seed 3");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "RTL variant cosim3x5_os_w4a4: 3x5 os W4A4 acc16\n")) << r.out;
  EXPECT_TRUE(has(r.out, "summary: 8 cases (0 layers skipped)")) << r.out;
  EXPECT_TRUE(has(r.out, "mismatches 0")) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(CosimCli, ModelLayersSkipVectorLayersWithANote) {
  const auto r = run_qarray("cosim --arch cosim8x8_ws_w8a8 --model mobilenetv2 --layers 3-4");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "mobilenetv2 layer 3")) << r.out;
  EXPECT_TRUE(has(r.out, "mobilenetv2 layer 4 '/blocks/blocks.0/Add' (add)")) << r.out;
  EXPECT_TRUE(has(r.out, "skipped: no RTL (runs on the post-processing unit)")) << r.out;
  EXPECT_TRUE(has(r.out, "summary: 1 cases (1 layers skipped)")) << r.out;
  EXPECT_TRUE(has(r.out, "mismatches 0")) << r.out;
}

TEST(CosimCli, TraceWritesAVcdOfTheRtlDatapath) {
  const std::string vcd = (testing::cli_temp_dir("qarray_cosim_cli") / "t.vcd").string();
  const auto r = run_qarray("cosim --arch cosim1x1_ws_w8a8 --random 1 --trace " + vcd);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const std::string text = slurp(vcd);
  EXPECT_TRUE(has(text, "$timescale")) << text.substr(0, 400);
  EXPECT_TRUE(has(text, "$enddefinitions"));
  // "$var wire <width> <id> <name> [<range>] $end" for the three stages' outputs and a PE's register
  for (const char* signal : {" out_valid ", " acc_valid ", " pp_valid ", " pp_q ", " psum_q "})
    EXPECT_TRUE(has(text, signal)) << signal;
  EXPECT_TRUE(has(text, "$var wire  1 ")) << text.substr(0, 400);
}

TEST(CosimCli, TheFaultBuildPrintsTheFirstMismatchAndExitsOne) {
  const auto r = run_qarray("cosim --variant cosim4x4_os_w8a8_fault --random 1");
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "MISMATCH cosim4x4_os_w8a8_fault random case 0 on RTL variant cosim4x4_os_w8a8_fault: fold 1/"))
      << r.out;
  EXPECT_TRUE(has(r.out, "PE (2, 1)")) << r.out;
  EXPECT_TRUE(has(r.out, "mismatches 1")) << r.out;
}

// An arch no compiled variant matches (2x3 input-stationary, W4A6, 14-bit accumulators, an
// 4 KiB ofmap buffer): the first run verilates it (FST, as its trace asks), says so on stderr and
// co-simulates; the FST holds the datapath's signals; the second run reuses the build silently.
TEST(CosimCli, AnyArchIsVerilatedOnDemandOnceWithAnFstTrace) {
  const auto dir = testing::cli_temp_dir("qarray_cosim_ondemand");
  const std::string cache = std::string(QARRAY_BINARY_DIR) + "/tests/cosim_ondemand_cache";
  std::filesystem::remove_all(cache);  // a stable path (ccache hits on reruns), always a first build
  const std::string arch = (dir / "is2x3.json").string();
  std::ofstream(arch) << R"({"name": "is2x3", "array": {"rows": 2, "cols": 3, "dataflow": "is"},
    "weight_bits": 4, "act_bits": 6, "acc_bits": 14, "clock_mhz": 500,
    "sram": {"ifmap":  {"capacity_bytes": 65536, "banks": 1, "word_bytes": 16, "ports": 1, "double_buffer": true},
             "weight": {"capacity_bytes": 65536, "banks": 1, "word_bytes": 16, "ports": 1, "double_buffer": true},
             "ofmap":  {"capacity_bytes": 4096, "banks": 1, "word_bytes": 16, "ports": 1, "double_buffer": true}},
    "dram": {"bytes_per_cycle": 16, "latency_cycles": 100, "burst_bytes": 64}})";
  const std::string env = "QARRAY_COSIM_CACHE=" + cache + " ";
  const std::string fst = (dir / "t.fst").string();
  const auto first = run_qarray("cosim --arch " + arch + " --random 8 --seed 2 --trace " + fst, env);
  ASSERT_EQ(first.status, 0) << first.out << first.err;
  // depth = 4096 / 2 bytes * 8 / 14 bits = 1170 rows
  EXPECT_TRUE(has(first.err, "qarray cosim: verilating 2x3 is W4A6 acc14 (accumulator depth 1170, FST trace) on "
                             "demand, once; cache " + cache + "/rtl2x3_is_w4a6_acc14_d1170_fst\n"))
      << first.err;
  EXPECT_TRUE(has(first.err, "qarray cosim: built " + cache + "/rtl2x3_is_w4a6_acc14_d1170_fst/qarray in ")) << first.err;
  EXPECT_TRUE(has(first.out, "RTL variant rtl2x3_is_w4a6_acc14_d1170_fst: 2x3 is W4A6 acc14 (verilated on demand)\n"))
      << first.out;
  EXPECT_TRUE(has(first.out, "summary: 8 cases (0 layers skipped)")) << first.out;
  EXPECT_TRUE(has(first.out, "mismatches 0")) << first.out;

  // FST: the header block first (type 0, FST_BL_HDR, then its big-endian length 329), then a
  // file the FST library reads, with the datapath's ports and the PEs' registers in it.
  const std::string bytes = slurp(fst);
  ASSERT_GT(bytes.size(), 9u);
  EXPECT_EQ(bytes[0], 0);
  uint64_t header_len = 0;
  for (int i = 1; i <= 8; ++i) header_len = header_len << 8 | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(header_len, 329u);
  const testing::FstContents c = testing::read_fst(fst);
  ASSERT_TRUE(c.opened);
  EXPECT_GT(c.end_time, 0u);
  EXPECT_GT(c.value_changes, 100);
  // Names as the FST library reports them: scope path, name, then the range of a vector (2x3:
  // 3 lanes of 6-bit codes, 3 lanes of 14-bit accumulator words, a PE's 14-bit partial sum).
  for (const std::string name : {"array_datapath.out_valid", "array_datapath.acc_valid", "array_datapath.pp_valid",
                                 "array_datapath.pp_q [17:0]", "array_datapath.acc_row [41:0]",
                                 "array_datapath.u_array.row[1].col[2].u_pe.psum_q [13:0]"}) {
    const bool found = std::any_of(c.variables.begin(), c.variables.end(), [&](const std::string& v) {
      return v.size() >= name.size() && v.compare(v.size() - name.size(), name.size(), name) == 0;
    });
    EXPECT_TRUE(found) << name;
  }

  const auto second = run_qarray("cosim --arch " + arch + " --random 3 --seed 5", env);
  ASSERT_EQ(second.status, 0) << second.out << second.err;
  EXPECT_EQ(second.err, "");
  EXPECT_TRUE(has(second.out, "summary: 3 cases")) << second.out;
  EXPECT_TRUE(has(second.out, "mismatches 0")) << second.out;
}

TEST(CosimCli, BadInputIsOneLineAndExitOne) {
  const auto dir = testing::cli_temp_dir("qarray_cosim_bad");
  const std::string fp32 = (dir / "fp32.json").string();
  std::ofstream(fp32) << std::ifstream(std::string(QARRAY_SOURCE_DIR) + "/configs/edge8.json").rdbuf();
  {
    std::string text = slurp(fp32);
    text.insert(text.find('{') + 1, "\"operands\": \"fp32\", ");
    std::ofstream(fp32) << text;
  }
  const std::string empty_cache = "QARRAY_COSIM_CACHE=" + (dir / "cache").string() + " ";
  struct Case {
    std::string env, args, message;
  };
  for (const Case& c :
       {Case{"", "cosim --arch cosim8x8_ws_w8a8 --model resnet --layers 2-x", "--layers '2-x': '2-x'"},
        Case{"", "cosim --arch cosim8x8_ws_w8a8", "give --model M (with --layers) or --random N"},
        Case{"", "cosim --arch cosim8x8_ws_w8a8 --random 1 --trace t.txt",
             "--trace t.txt: name the file *.vcd (VCD) or *.fst (FST)"},
        Case{"", "cosim --all-variants --random 1 --trace t.fst",
             "--trace t.fst: the compiled variants write VCD traces (give --arch for an FST one)"},
        Case{"", "cosim --variant cosim4x4_os_w8a8_fault --random 1 --trace t.fst",
             "--trace t.fst: the fault build cosim4x4_os_w8a8_fault writes vcd traces only"},
        Case{"", "cosim --variant nope --random 1", "no compiled RTL variant named 'nope'; compiled variants:"},
        Case{"", "cosim --arch nope --random 1",
             "unknown architecture preset 'nope' (shipped: " + testing::shipped("configs", ".json") +
                 "; or give the path of a .json file); compiled RTL variants: cosim16x16_os_w4a8, "
                 "cosim16x16_ws_w16a16, cosim1x1_ws_w8a8, cosim3x5_os_w4a4, cosim4x4_is_w16a16, cosim5x3_is_w2a2, "
                 "cosim8x8_is_w8a8, cosim8x8_os_w8a8, cosim8x8_ws_w8a8\n"},
        Case{empty_cache, "cosim --arch " + fp32 + " --random 1",
             "arch 'edge8': operands fp32 have no RTL (the Verilog array computes on integers)"},
        Case{empty_cache + "PATH=/nonexistent ", "cosim --arch ws16 --random 1",
             "arch 'ws16' (16x16 ws W8A8 acc32) needs an RTL variant verilated on demand, but verilator is not on "
             "PATH (Debian: apt-get install verilator)"}}) {
    const auto r = run_qarray(c.args, c.env);
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.out << r.err;
    EXPECT_TRUE(has(r.err, "qarray: error: " + c.message)) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace qarray
