// Runs the real qarray binary (QARRAY_EXE) as a user would: stdout and stderr captured apart,
// the exit status decoded. Shared by the CLI test files.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

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
