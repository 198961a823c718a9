// `qarray plot` (plots/qarray_plots.py under /usr/bin/python3): from a real `qarray run` report
// and a tiny real sweep it writes the five figures as PNG files of the documented pixel sizes
// (read from the PNG header); bad inputs are one line, exit 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliResult;
using testing::run_qarray;

struct PngSize {
  bool png = false;
  uint32_t width = 0, height = 0;
};

// The 8-byte signature, then the IHDR chunk: length, "IHDR", width and height big-endian.
PngSize png_size(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  unsigned char h[24] = {};
  f.read(reinterpret_cast<char*>(h), sizeof h);
  PngSize s;
  const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  s.png = f.gcount() == 24 && std::equal(sig, sig + 8, h) && std::string(h + 12, h + 16) == "IHDR";
  s.width = (uint32_t{h[16]} << 24) | (h[17] << 16) | (h[18] << 8) | h[19];
  s.height = (uint32_t{h[20]} << 24) | (h[21] << 16) | (h[22] << 8) | h[23];
  return s;
}

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_plot", name); }

// One run report and one 8-point sweep (2 array sizes x 2 dataflows x 2 weight widths), made once.
class PlotCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(temp("inputs"));
    fs::create_directories(*dir_);
    std::ofstream(*dir_ / "grid.json") << R"({"model": "mobilenetv2", "arch": "ws16",
      "array": [[8, 8], [16, 16]], "dataflow": ["ws", "os"], "weight_bits": [4, 8],
      "eval_images": 64, "calib_images": 32})";
    const CliResult s = run_qarray("sweep " + (*dir_ / "grid.json").string() + " --out " + (*dir_ / "sweep").string());
    ASSERT_EQ(s.status, 0) << s.err;
    const CliResult r = run_qarray("run --images 64 --calib-images 32 --sim-images 1 --out " + (*dir_ / "run").string());
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path report() { return *dir_ / "run" / "report.json"; }
  static fs::path sweep() { return *dir_ / "sweep" / "points.csv"; }
  static fs::path* dir_;
};
fs::path* PlotCli::dir_ = nullptr;

TEST_F(PlotCli, RunReportAndSweepGiveTheFiguresOfTheDocumentedSizes) {
  const fs::path out = temp("all");
  const CliResult r =
      run_qarray("plot --report " + report().string() + " --sweep " + sweep().string() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::vector<std::tuple<const char*, uint32_t, uint32_t>> expected = {
      {"energy_breakdown.png", 1200, 800}, {"area.png", 1100, 450}, {"accuracy_vs_bits.png", 700, 500},
      {"latency_utilization.png", 1100, 450}, {"pareto.png", 700, 500}};
  for (const auto& [name, w, h] : expected) {
    const fs::path p = out / name;
    EXPECT_THAT(r.out, HasSubstr(p.string()));
    ASSERT_TRUE(fs::exists(p)) << name;
    EXPECT_GT(fs::file_size(p), 10000u) << name;  // drawn, not blank
    const PngSize s = png_size(p);
    EXPECT_TRUE(s.png) << name;
    EXPECT_EQ(s.width, w) << name;
    EXPECT_EQ(s.height, h) << name;
  }

  // The report alone: its energy breakdown and its design's area.
  const fs::path out2 = temp("report");
  const CliResult r2 = run_qarray("plot --report " + report().string() + " --out " + out2.string());
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(png_size(out2 / "energy_breakdown.png").width, 1200u);
  EXPECT_EQ(png_size(out2 / "area.png").width, 1100u);
  EXPECT_FALSE(fs::exists(out2 / "pareto.png"));
}

TEST(PlotCliInput, BadInputsAreOneLineErrors) {
  const fs::path dir = temp("bad");
  fs::create_directories(dir);
  CliResult r = run_qarray("plot --out " + (dir / "o").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("give --report, --sweep or both"));

  r = run_qarray("plot --report " + (dir / "nosuch.json").string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr((dir / "nosuch.json").string() + ": no such file"));

  std::ofstream(dir / "noenergy.json") << R"({"model": "m"})";
  r = run_qarray("plot --report " + (dir / "noenergy.json").string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("qarray plot: error: " + (dir / "noenergy.json").string() + ": missing key 'energy'"));

  std::ofstream(dir / "cols.csv") << "point,status\nx,ok\n";
  r = run_qarray("plot --sweep " + (dir / "cols.csv").string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr((dir / "cols.csv").string() + ": missing column(s) model, rows"));
  EXPECT_FALSE(fs::exists(dir / "o"));
}

}  // namespace
}  // namespace qarray
