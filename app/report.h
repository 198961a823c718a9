// Report output of the CLI: the run report as JSON, written atomically; shared table lines.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/evaluate.h"

namespace qarray::cli {

// "gap (integer - fake-quant)" and "same class" lines of the evaluation tables, and their JSON.
void print_fake_quant_gap(const FakeQuantGap& gap, int label_width);
nlohmann::json fake_quant_gap_json(const FakeQuantGap& gap);

// Writes `text` to `path` through a temporary file and a rename (write_file_atomic); creates
// missing parent folders.
void write_output_file(const std::string& path, const std::string& text);
// write_output_file of the report, indented.
void write_json(const std::string& path, const nlohmann::json& report);

// Throws InputError "<flag> <dir>: ..." unless files can be created in the output folder `dir`
// or, if it does not exist yet, in its nearest existing ancestor (which must be a folder). It
// leaves nothing behind (no folder, no file): commands call it before their long work, so a bad
// --out fails at once instead of after the evaluation.
void check_output_dir(const std::string& dir, const std::string& flag);

// Progress on stderr: a rewritten line on a terminal, a line per quarter otherwise.
class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  void operator()(int64_t done, int64_t total);

 private:
  std::string label_;
  bool tty_;
  int64_t last_quarter_ = -1;
};

}  // namespace qarray::cli
