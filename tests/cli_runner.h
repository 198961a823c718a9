// Runs the real qarray binary (QARRAY_EXE) as a user would: stdout and stderr captured apart,
// the exit status decoded. Shared by the CLI test files, with the small helpers they all need to
// read what the binary wrote (files, JSON reports, CSV lines).
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/csv.h"

namespace qarray::testing {

struct CliResult {
  int status = -1;  // exit code, or 128 + signal
  std::string out;  // stdout
  std::string err;  // stderr
};

// A per-process scratch folder under the test temp dir.
inline std::filesystem::path cli_temp_dir(const std::string& tag) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / (tag + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// `name` inside cli_temp_dir(tag), removed if an earlier run left it: a fresh path.
inline std::filesystem::path cli_temp_path(const std::string& tag, const std::string& name) {
  const std::filesystem::path p = cli_temp_dir(tag) / name;
  std::filesystem::remove_all(p);
  return p;
}

// The whole file as text ("" if it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_file(p)); }

// The cells of one CSV line (quoted cells as the writers quote them, base/csv.h).
inline std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells;
  EXPECT_TRUE(split_csv_line(line, cells)) << "unterminated quoted cell in: " << line;
  return cells;
}

// The shipped files of a source folder (stems of its `ext` files, sorted, comma separated), listed
// here independently of the CLI's own listing: shipped("configs", ".json") are the arch presets.
inline std::string shipped(const std::string& folder, const std::string& ext) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::string(QARRAY_SOURCE_DIR) + "/" + folder))
    if (e.path().extension() == ext) names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

// An error report is exactly one line.
inline bool one_line(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

// env: "NAME=value " assignments put before the command (shell syntax), or empty.
inline CliResult run_qarray(const std::string& args, const std::string& env = "") {
  const std::string err_file = (cli_temp_dir("qarray_cli") / "stderr.txt").string();
  const std::string cmd = env + std::string(QARRAY_EXE) + " " + args + " 2>" + err_file;
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  std::ifstream f(err_file);
  r.err.assign(std::istreambuf_iterator<char>(f), {});
  return r;
}

}  // namespace qarray::testing
