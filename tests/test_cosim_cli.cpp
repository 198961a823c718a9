// `qarray cosim` as a user runs it: random cases and model layers print a summary with zero
// mismatches, --trace writes a VCD of the RTL, and bad input (an arch without a compiled
// variant, a bad --layers, no work given) is one line on stderr and exit 1.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli_runner.h"

namespace qarray {
namespace {

using testing::run_qarray;

TEST(CosimCli, RandomCasesPrintASummaryWithZeroMismatches) {
  const auto r = run_qarray("cosim --arch cosim3x5_os_w4a4 --random 8 --seed 3");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("RTL variant cosim3x5_os_w4a4: 3x5 os W4A4 acc16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: 8 cases (0 layers skipped)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mismatches 0"), std::string::npos) << r.out;
}

TEST(CosimCli, ModelLayersSkipVectorLayersWithANote) {
  const auto r = run_qarray("cosim --arch cosim8x8_ws_w8a8 --model mobilenetv2 --layers 3-4");
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("mobilenetv2 layer 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mobilenetv2 layer 4 '/blocks/blocks.0/Add' (add)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("skipped: no RTL (runs on the post-processing unit)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: 1 cases (1 layers skipped)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mismatches 0"), std::string::npos) << r.out;
}

TEST(CosimCli, TraceWritesAVcdOfTheRtl) {
  const std::string vcd = (testing::cli_temp_dir("qarray_cosim_cli") / "t.vcd").string();
  const auto r = run_qarray("cosim --arch cosim1x1_ws_w8a8 --random 1 --trace " + vcd);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  std::ifstream f(vcd);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_NE(text.str().find("$enddefinitions"), std::string::npos);
  EXPECT_NE(text.str().find("out_valid"), std::string::npos);
}

TEST(CosimCli, TheFaultBuildPrintsTheFirstMismatchAndExitsOne) {
  const auto r = run_qarray("cosim --variant cosim4x4_os_w8a8_fault --random 1");
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("MISMATCH cosim4x4_os_w8a8_fault random case 0 on RTL variant cosim4x4_os_w8a8_fault: fold 1/"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("PE (2, 1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mismatches 1"), std::string::npos) << r.out;
}

TEST(CosimCli, BadInputIsOneLineAndExitOne) {
  struct Case {
    const char* args;
    const char* message;
  };
  for (const Case& c : {Case{"cosim --arch ws16 --random 1",
                             "arch 'ws16' (16x16 ws W8A8 acc32) matches no compiled RTL variant; compiled variants:"},
                        Case{"cosim --arch cosim8x8_ws_w8a8 --model resnet --layers 2-x", "--layers '2-x': '2-x'"},
                        Case{"cosim --arch cosim8x8_ws_w8a8", "give --model M (with --layers) or --random N"},
                        Case{"cosim --arch cosim8x8_ws_w8a8 --random 1 --trace t.txt", "only VCD traces"}}) {
    const auto r = run_qarray(c.args);
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace qarray
