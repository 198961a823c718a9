// `qarray sweep`: one CSV row per design point with the documented columns; the numbers of a
// point equal those `qarray run` reports for the same design; a rerun skips finished points and
// leaves their rows byte for byte, also after the sweep was killed; a point that fails (a buffer
// too small for one tile) is reported in its row while the others complete; a bad grid file is
// one line, exit 1, nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliResult;
using testing::run_qarray;

// The columns docs/cli.md documents for points.csv, in order (the first 26 are the plot schema's).
const std::vector<std::string> kColumns = {
    "point", "status", "error", "model", "rows", "cols", "dataflow", "weight_bits", "act_bits", "method",
    "ifmap_kib", "weight_kib", "ofmap_kib", "dram_bytes_per_cycle", "energy_table", "fp32_top1", "int_top1",
    "cycles", "latency_us", "utilization", "energy_uj", "fp32_cycles", "fp32_energy_uj", "area_mm2",
    "fp32_area_mm2", "pj_per_mac", "arch", "acc_bits", "clock_mhz", "eval_images", "calib_images", "sim_images",
    "node", "macs", "stall_cycles", "dram_bytes", "fp32_latency_us", "fp32_utilization", "fp32_pj_per_mac",
    "fp32_dram_bytes", "pe_area_um2", "fp32_pe_area_um2", "mac_uj", "register_uj", "sram_uj", "dram_uj",
    "seconds"};

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_sweep", name); }

fs::path write_grid(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

// points.csv as rows keyed by the "point" column.
std::map<std::string, std::map<std::string, std::string>> table(const fs::path& csv, std::string* header = nullptr) {
  std::ifstream f(csv);
  std::string line;
  std::getline(f, line);
  if (header) *header = line;
  const std::vector<std::string> cols = testing::csv_cells(line);
  std::map<std::string, std::map<std::string, std::string>> rows;
  while (std::getline(f, line)) {
    const std::vector<std::string> c = testing::csv_cells(line);
    EXPECT_EQ(c.size(), cols.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < c.size() && i < cols.size(); ++i) row[cols[i]] = c[i];
    rows[row["point"]] = row;
  }
  return rows;
}

const char* kTinyGrid = R"({"model": "mobilenetv2", "arch": "ws16", "array": [[8, 8], [16, 16]],
  "dataflow": ["ws"], "weight_bits": [8], "eval_images": 32, "calib_images": 32, "sim_images": 1})";

TEST(SweepCli, RowsEqualQarrayRunOnTheSameDesign) {
  const fs::path dir = temp("equal");
  const fs::path grid = write_grid(dir, "grid.json", kTinyGrid);
  const CliResult s = run_qarray("sweep " + grid.string() + " --jobs 2 --out " + (dir / "sweep").string());
  ASSERT_EQ(s.status, 0) << s.err;
  std::string header;
  auto rows = table(dir / "sweep" / "points.csv", &header);
  std::string expected;
  for (const std::string& c : kColumns) expected += (expected.empty() ? "" : ",") + c;
  EXPECT_EQ(header, expected);
  ASSERT_EQ(rows.size(), 2u);
  const auto& p = rows.at("16x16-ws-w8a8-cle+bc-i64w64o64k-d16-horowitz45");
  EXPECT_EQ(p.at("status"), "ok");
  EXPECT_EQ(p.at("error"), "");
  EXPECT_EQ(p.at("node"), "45nm");

  // The same design through `qarray run` (ws16 preset = 16x16 ws W8A8, 64 KiB buffers).
  const CliResult r = run_qarray("run --images 32 --calib-images 32 --sim-images 1 --arch ws16 --out " +
                                 (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = testing::read_json(dir / "run" / "report.json");
  const auto& e = j.at("energy");
  EXPECT_EQ(std::stoll(p.at("cycles")), j.at("sim").at("per_image").at("total_cycles").get<int64_t>());
  EXPECT_EQ(std::stod(p.at("int_top1")), j.at("int").at("top1_percent").get<double>());
  EXPECT_EQ(std::stod(p.at("fp32_top1")), j.at("fp32").at("top1_percent").get<double>());
  EXPECT_EQ(std::stod(p.at("energy_uj")), e.at("int").at("total").at("total_pj").get<double>() / 1e6);
  EXPECT_EQ(std::stod(p.at("fp32_energy_uj")), e.at("fp32").at("total").at("total_pj").get<double>() / 1e6);
  EXPECT_EQ(std::stoll(p.at("fp32_cycles")), e.at("fp32").at("total").at("cycles").get<int64_t>());
  EXPECT_EQ(std::stod(p.at("area_mm2")), e.at("int").at("area_mm2").get<double>());
  EXPECT_EQ(std::stod(p.at("fp32_area_mm2")), e.at("fp32").at("area_mm2").get<double>());
  EXPECT_EQ(std::stod(p.at("pe_area_um2")), e.at("int").at("pe_area_um2").get<double>());
  EXPECT_EQ(std::stod(p.at("latency_us")), std::stod(p.at("cycles")) / 1000.0);
}

TEST(SweepCli, RerunSkipsFinishedPointsAndKeepsTheirRows) {
  const fs::path dir = temp("resume");
  const fs::path grid = write_grid(dir, "grid.json", kTinyGrid);
  const std::string out = (dir / "sweep").string();
  const CliResult a = run_qarray("sweep " + grid.string() + " --out " + out);
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_THAT(a.err, HasSubstr("2 points, 0 done in " + out + "/points.csv, 2 to run"));
  const std::string first = testing::read_file(dir / "sweep" / "points.csv");

  const CliResult b = run_qarray("sweep " + grid.string() + " --out " + out);
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_THAT(b.err, HasSubstr("2 points, 2 done in " + out + "/points.csv, 0 to run"));
  EXPECT_THAT(b.err, ::testing::Not(HasSubstr("quantized")));  // nothing quantized or simulated again
  EXPECT_EQ(testing::read_file(dir / "sweep" / "points.csv"), first);
  EXPECT_THAT(b.out, HasSubstr("16x16-ws-w8a8-cle+bc-i64w64o64k-d16-horowitz45 ok"));

  // A grown grid runs only the new point; the old rows stay as they were, in place.
  const fs::path grid3 = write_grid(dir, "grid3.json", R"({"model": "mobilenetv2", "arch": "ws16",
    "array": [[8, 8], [16, 16]], "dataflow": ["ws", "os"], "weight_bits": [8], "eval_images": 32,
    "calib_images": 32, "sim_images": 1})");
  const CliResult c = run_qarray("sweep " + grid3.string() + " --out " + out);
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_THAT(c.err, HasSubstr("4 points, 2 done in " + out + "/points.csv, 2 to run"));
  const std::string grown = testing::read_file(dir / "sweep" / "points.csv");
  EXPECT_EQ(grown.substr(0, first.size()), first);
  EXPECT_EQ(table(dir / "sweep" / "points.csv").size(), 4u);
  for (const auto& e : fs::directory_iterator(dir / "sweep"))  // no temporary table left behind
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

// Killed (SIGKILL) once its first row is in: every row left is whole, and a rerun runs exactly the
// points that have none. (If the sweep finished before the kill, the same must hold with 0 to run.)
TEST(SweepCli, KilledSweepLeavesWholeRowsAndARerunFinishesIt) {
  const fs::path dir = temp("kill");
  const fs::path grid = write_grid(dir, "grid.json", R"({"model": "mobilenetv2", "arch": "ws16",
    "array": [[8, 8], [16, 16], [32, 32]], "dataflow": ["ws", "os"], "eval_images": 16, "calib_images": 16})");
  const fs::path csv = dir / "sweep" / "points.csv";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(QARRAY_EXE, QARRAY_EXE, "sweep", grid.c_str(), "--jobs", "1", "--out", (dir / "sweep").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (fs::exists(csv) && table(csv).size() >= 1) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(20000);
  }
  const auto rows = table(csv);  // EXPECTs every line to have all the cells
  ASSERT_GE(rows.size(), 1u);
  for (const auto& [point, row] : rows) EXPECT_EQ(row.at("status"), "ok") << point;
  const CliResult r = run_qarray("sweep " + grid.string() + " --out " + (dir / "sweep").string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("6 points, " + std::to_string(rows.size()) + " done in " + csv.string() + ", " +
                                   std::to_string(6 - rows.size()) + " to run"));
  EXPECT_EQ(table(csv).size(), 6u);
}

TEST(SweepCli, FailingPointIsReportedInItsRowAndTheOthersComplete) {
  const fs::path dir = temp("fail");
  // 1 KiB of weight SRAM, double buffered: a 32x32 tile of 8-bit weights (1 KiB) needs 2 KiB.
  const fs::path grid = write_grid(dir, "grid.json", R"({"model": "mobilenetv2", "arch": "ws16",
    "array": [[8, 8], [32, 32]], "weight_kib": [1], "eval_images": 16, "calib_images": 16})");
  const CliResult r = run_qarray("sweep " + grid.string() + " --out " + (dir / "sweep").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("1 of 2 point(s) failed"));
  const auto rows = table(dir / "sweep" / "points.csv");
  ASSERT_EQ(rows.size(), 2u);
  const auto& bad = rows.at("32x32-ws-w8a8-cle+bc-i64w1o64k-d16-horowitz45");
  EXPECT_EQ(bad.at("status"), "error");
  EXPECT_EQ(bad.at("error"),
            "arch '32x32-ws-w8a8-cle+bc-i64w1o64k-d16-horowitz45': sram.weight.capacity_bytes 1024 is too small "
            "for one rows x cols weight tile; needs at least 2048 bytes (double buffered) for layer '/stem/stem.0/Conv' "
            "(conv)");
  EXPECT_EQ(bad.at("cycles"), "");
  const auto& good = rows.at("8x8-ws-w8a8-cle+bc-i64w1o64k-d16-horowitz45");
  EXPECT_EQ(good.at("status"), "ok");
  EXPECT_GT(std::stoll(good.at("cycles")), 0);
  EXPECT_GT(std::stod(good.at("fp32_energy_uj")), std::stod(good.at("energy_uj")));
}

struct BadGrid {
  const char* name;
  const char* text;
  const char* message;  // after "qarray: error: <grid file>: "
};

TEST(SweepCli, BadGridFilesAreOneLineErrorsAndWriteNothing) {
  const std::vector<BadGrid> cases = {
      {"malformed", R"({"model": "mobilenetv2", "arch": )", "not valid JSON"},
      {"unknown", R"({"model": "mobilenetv2", "arch": "ws16", "arrays": [[8, 8]]})", "arrays: unknown key"},
      {"empty", R"({"model": "mobilenetv2", "arch": "ws16", "dataflow": []})", "dataflow: empty list"},
      {"dataflow", R"({"model": "mobilenetv2", "arch": "ws16", "dataflow": ["ws", "xs"]})",
       "dataflow: unknown dataflow 'xs' (expected ws, os or is)"},
      {"bits", R"({"model": "mobilenetv2", "arch": "ws16", "weight_bits": [8, 17]})",
       "weight_bits: 17 out of range [2, 16]"},
      {"duplicate", R"({"model": "mobilenetv2", "arch": "ws16", "weight_bits": [8, 8]})",
       "weight_bits: value 8 listed twice"},
      {"pair", R"({"model": "mobilenetv2", "arch": "ws16", "array": [16]})", "array: expected [rows, cols] pairs"},
      {"method", R"({"model": "mobilenetv2", "arch": "ws16", "method": ["cle+xx"]})", "method: "},
      {"missing", R"({"arch": "ws16"})", "model: missing (required)"},
      {"arch", R"({"model": "mobilenetv2", "arch": "nosuch"})", "arch: "},
      {"sram", R"({"model": "mobilenetv2", "arch": "ws16", "ofmap_kib": [64, 0]})", "ofmap_kib: 0 out of range"},
      {"table", R"({"model": "mobilenetv2", "arch": "ws16", "energy_table": ["7nm"]})", "energy_table: "},
      {"images", R"({"model": "mobilenetv2", "arch": "ws16", "eval_images": 4, "sim_images": 8})",
       "sim_images: 8 exceeds eval_images 4"},
  };
  const fs::path dir = temp("bad");
  for (const BadGrid& c : cases) {
    const fs::path grid = write_grid(dir, std::string(c.name) + ".json", c.text);
    const fs::path out = dir / (std::string(c.name) + "_out");
    const CliResult r = run_qarray("sweep " + grid.string() + " --out " + out.string());
    EXPECT_EQ(r.status, 1) << c.name;
    EXPECT_TRUE(testing::one_line(r.err)) << c.name << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("qarray: error: " + grid.string() + ": " + c.message)) << c.name;
    EXPECT_FALSE(fs::exists(out)) << c.name;
  }
  const CliResult missing = run_qarray("sweep " + (dir / "nosuch.json").string() + " --out " + (dir / "o").string());
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.err, "qarray: error: " + (dir / "nosuch.json").string() + ": cannot read the grid file\n");
  EXPECT_FALSE(fs::exists(dir / "o"));
}

// Found by fuzz_sweep_grid: a number too large for a double escaped the parser as the JSON
// library's out_of_range (an "internal error", exit 2) instead of the one-line InputError.
TEST(SweepCli, NumberOverflowInTheGridIsAOneLineError) {
  const fs::path dir = temp("overflow");
  const fs::path grid = write_grid(dir, "grid.json", R"({"model": "mobilenetv2", "arch": "ws16",
    "dram_bytes_per_cycle": [8888e8888887]})");
  const CliResult r = run_qarray("sweep " + grid.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + grid.string() + ": not valid JSON (number overflow parsing '8888e8888887')\n");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(SweepCli, IntegerBeyondInt64InTheGridIsOutOfRangeNotWrapped) {
  const fs::path dir = temp("u64");
  const fs::path grid = write_grid(dir, "grid.json", R"({"model": "mobilenetv2", "arch": "ws16",
    "eval_images": 18446744073709551615})");
  const CliResult r = run_qarray("sweep " + grid.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + grid.string() +
                       ": eval_images: 18446744073709551615 out of range [0, 1073741824]\n");
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(SweepCli, ForeignTableInTheOutputFolderIsRefusedAndKept) {
  const fs::path dir = temp("foreign");
  const fs::path grid = write_grid(dir, "grid.json", kTinyGrid);
  fs::create_directories(dir / "sweep");
  std::ofstream(dir / "sweep" / "points.csv") << "a,b\n1,2\n";
  const CliResult r = run_qarray("sweep " + grid.string() + " --out " + (dir / "sweep").string());
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr((dir / "sweep" / "points.csv").string() + ": line 1: not a sweep table"));
  EXPECT_EQ(testing::read_file(dir / "sweep" / "points.csv"), "a,b\n1,2\n");
}

}  // namespace
}  // namespace qarray
