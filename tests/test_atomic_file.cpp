// write_file_atomic: the one way qarray writes a whole file (reports, CSV tables, workloads,
// tensors). A failure must leave the target as it was and no temporary file beside it.
#include "base/atomic_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/errors.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("qarray_atomic_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string error_of(const std::string& path, const std::string& bytes) {
  try {
    write_file_atomic(path, bytes);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(AtomicFile, WritesAndOverwritesLeavingOnlyTheTarget) {
  const fs::path dir = fresh_dir("overwrite");
  const fs::path p = dir / "table.csv";
  write_file_atomic(p.string(), "first\n");
  write_file_atomic(p.string(), std::string("second\0with a NUL\n", 18));
  EXPECT_EQ(slurp(p), std::string("second\0with a NUL\n", 18));
  EXPECT_EQ(listing(dir), (std::set<std::string>{"table.csv"}));
}

TEST(AtomicFile, MissingFolderIsAnErrorNamingThePathAndCreatesNothing) {
  const fs::path dir = fresh_dir("missing");
  const fs::path p = dir / "no" / "such" / "report.json";
  EXPECT_EQ(error_of(p.string(), "{}"), "cannot write '" + p.string() + "': No such file or directory");
  EXPECT_TRUE(listing(dir).empty());
}

TEST(AtomicFile, FailedRenameKeepsTheTargetAndRemovesTheTemporary) {
  // The target is a non-empty folder: the temporary file is written, the rename over it fails.
  const fs::path dir = fresh_dir("rename");
  const fs::path target = dir / "points.csv";
  fs::create_directories(target);
  std::ofstream(target / "keep") << "kept";
  EXPECT_EQ(error_of(target.string(), "rows\n"), "cannot write '" + target.string() + "': Is a directory");
  EXPECT_EQ(listing(dir), (std::set<std::string>{"points.csv"}));
  EXPECT_EQ(slurp(target / "keep"), "kept");
}

}  // namespace
}  // namespace qarray
