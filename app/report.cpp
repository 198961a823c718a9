// Report files and shared table lines of the CLI (app/report.h).
#include "app/report.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/atomic_file.h"
#include "base/errors.h"

namespace qarray::cli {

void write_output_file(const std::string& path, const std::string& text) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  write_file_atomic(path, text);
}

void write_json(const std::string& path, const nlohmann::json& report) { write_output_file(path, report.dump(2) + "\n"); }

void check_output_dir(const std::string& dir, const std::string& flag) {
  namespace fs = std::filesystem;
  const std::string at = flag + " " + dir + ": ";
  fs::path p = dir.empty() ? fs::path(".") : fs::path(dir);
  for (;;) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) throw InputError(at + p.string() + " is not a directory");
      break;
    }
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
      throw InputError(at + "cannot access " + p.string() + " (" + ec.message() + ")");
    p = p.has_parent_path() && p.parent_path() != p ? p.parent_path() : fs::path(".");
  }
  // Create a real file: permission bits do not say what root may do, nor what /proc allows.
  std::string probe = (p / ".qarray-write-check-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0) throw InputError(at + "cannot create files in " + p.string() + " (" + std::strerror(errno) + ")");
  close(fd);
  std::error_code ec;
  fs::remove(probe, ec);
}

void print_fake_quant_gap(const FakeQuantGap& gap, int label_width) {
  std::printf("%-*s %8.2f pp\n", label_width, "gap INT - fake-quant", gap.gap_pp);
  std::printf("%-*s %8.2f %%  (%lld/%lld images)\n", label_width, "same class INT/fake-q", gap.agreement_percent(),
              static_cast<long long>(gap.agree), static_cast<long long>(gap.images));
}

nlohmann::json fake_quant_gap_json(const FakeQuantGap& gap) {
  return {{"gap_pp", gap.gap_pp}, {"images", gap.images}, {"same_class", gap.agree},
          {"same_class_percent", gap.agreement_percent()}};
}

ProgressLine::ProgressLine(std::string label) : label_(std::move(label)), tty_(isatty(2)) {}

void ProgressLine::operator()(int64_t done, int64_t total) {
  if (tty_) {
    std::cerr << "\r  " << label_ << " " << done << "/" << total << (done == total ? "\n" : "")
              << std::flush;
    return;
  }
  const int64_t quarter = total ? 4 * done / total : 4;
  if (quarter != last_quarter_ && (quarter > 0)) {
    last_quarter_ = quarter;
    std::cerr << "  " << label_ << " " << done << "/" << total << "\n";
  }
}

}  // namespace qarray::cli
