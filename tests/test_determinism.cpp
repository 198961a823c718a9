// Determinism through the real binary: the same command run twice writes the same reports byte
// for byte apart from the wall-clock fields (docs/determinism.md: every key named `seconds` or
// `images_per_second` in the JSON reports, the `seconds` column of points.csv), and a sweep
// writes the same table whatever --jobs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "cli_runner.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_qarray;

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_determinism", name); }

// The documented wall-clock keys, wherever they are in the report.
bool wall_clock_key(const std::string& key) { return key == "seconds" || key == "images_per_second"; }

// `j` without the wall-clock keys; returns how many it removed.
int strip_wall_clock(nlohmann::json& j) {
  int removed = 0;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (wall_clock_key(it.key())) {
        it = j.erase(it);
        ++removed;
      } else {
        removed += strip_wall_clock(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j) removed += strip_wall_clock(e);
  }
  return removed;
}

// A JSON report's text without its wall-clock keys (and how many there were), re-serialized.
std::string report_text(const std::string& text, int* removed) {
  nlohmann::json j = nlohmann::json::parse(text);
  *removed = strip_wall_clock(j);
  return j.dump(1);
}

// The files of `dir` (recursively) with their bytes.
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) m[fs::relative(e.path(), dir).string()] = testing::read_file(e.path());
  return m;
}

// Runs `command` twice with the same --out; returns the files of both runs.
std::pair<std::map<std::string, std::string>, std::map<std::string, std::string>> run_twice(const std::string& command,
                                                                                           const fs::path& out) {
  std::map<std::string, std::string> first;
  for (int i = 0; i < 2; ++i) {
    fs::remove_all(out);
    const CliResult r = run_qarray(command + " --out " + out.string());
    EXPECT_EQ(r.status, 0) << r.err;
    if (i == 0) first = files_of(out);
  }
  return {first, files_of(out)};
}

TEST(Determinism, RunTwiceWritesTheSameReports) {
  const fs::path out = temp("run");
  const auto [a, b] = run_twice("run --images 64 --calib-images 32 --sim-images 1", out);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    if (name == "report.json") continue;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs";  // layers.csv, workloads/network.json, tensors.bin
  }
  for (const char* f : {"layers.csv", "workloads/network.json", "workloads/tensors.bin"}) EXPECT_TRUE(a.count(f)) << f;
  // report.json: the wall-clock keys are those of the PTQ steps, the four evaluation and simulation
  // paths; everything else is the same byte for byte.
  int removed_a = 0, removed_b = 0;
  EXPECT_EQ(report_text(a.at("report.json"), &removed_a), report_text(b.at("report.json"), &removed_b));
  const auto j = nlohmann::json::parse(b.at("report.json"));
  const size_t steps = j.at("ptq").at("steps").size();
  EXPECT_EQ(removed_a, static_cast<int>(steps) + 3 * 2 + 1);  // steps, fp32/int/fake_quant x 2, sim
  EXPECT_EQ(removed_b, removed_a);
  EXPECT_NE(a.at("report.json"), b.at("report.json"));  // the timings are real, so they differ
}

TEST(Determinism, PtqTwiceWritesTheSameReport) {
  const fs::path out = temp("ptq");
  const auto [a, b] = run_twice("ptq --evaluate --images 64 --calib-images 32", out);
  EXPECT_EQ(a.at("workloads/network.json"), b.at("workloads/network.json"));
  EXPECT_TRUE(a.at("workloads/tensors.bin") == b.at("workloads/tensors.bin"));
  int removed_a = 0, removed_b = 0;
  EXPECT_EQ(report_text(a.at("ptq_report.json"), &removed_a), report_text(b.at("ptq_report.json"), &removed_b));
  EXPECT_GT(removed_a, 4);
}

// points.csv without its `seconds` column.
std::string without_seconds(const std::string& csv) {
  std::istringstream in(csv);
  std::string line, out;
  size_t col = std::string::npos;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = testing::csv_cells(line);
    if (col == std::string::npos) col = std::find(cells.begin(), cells.end(), "seconds") - cells.begin();
    EXPECT_LT(col, cells.size()) << line;
    if (col < cells.size()) cells.erase(cells.begin() + static_cast<std::ptrdiff_t>(col));
    for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
    out += "\n";
  }
  return out;
}

TEST(Determinism, SweepRowsDoNotDependOnJobs) {
  const fs::path dir = temp("sweep");
  fs::create_directories(dir);
  const fs::path grid = dir / "grid.json";
  std::ofstream(grid) << R"({"model": "mobilenetv2", "arch": "ws16", "array": [[16, 16], [8, 8]],
    "dataflow": ["ws", "os"], "eval_images": 32, "calib_images": 32, "sim_images": 1})";
  std::string tables[2];
  for (int jobs : {1, 2}) {
    const fs::path out = dir / ("jobs" + std::to_string(jobs));
    const CliResult r = run_qarray("sweep " + grid.string() + " --jobs " + std::to_string(jobs) + " --out " + out.string());
    ASSERT_EQ(r.status, 0) << r.err;
    tables[jobs - 1] = testing::read_file(out / "points.csv");
  }
  EXPECT_EQ(without_seconds(tables[0]), without_seconds(tables[1]));
  // Rows in grid order (array outermost, then dataflow), not in the order the workers finished.
  std::istringstream in(tables[1]);
  std::string line;
  std::vector<std::string> points;
  std::getline(in, line);
  while (std::getline(in, line)) points.push_back(testing::csv_cells(line).at(0));
  EXPECT_EQ(points, (std::vector<std::string>{"16x16-ws-w8a8-cle+bc-i64w64o64k-d16-horowitz45",
                                              "16x16-os-w8a8-cle+bc-i64w64o64k-d16-horowitz45",
                                              "8x8-ws-w8a8-cle+bc-i64w64o64k-d16-horowitz45",
                                              "8x8-os-w8a8-cle+bc-i64w64o64k-d16-horowitz45"}));
}

}  // namespace
}  // namespace qarray
