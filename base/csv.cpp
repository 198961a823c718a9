// The CSV dialect of every qarray table (base/csv.h).
#include "base/csv.h"

#include "base/errors.h"

namespace qarray {

bool split_csv_line(const std::string& line, std::vector<std::string>& cells) {
  cells.assign(1, "");
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') cells.back() += c;
      else if (i + 1 < line.size() && line[i + 1] == '"') cells.back() += '"', ++i;
      else quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return !quoted;
}

std::vector<std::string> csv_cells(const std::string& line, const std::string& at) {
  std::vector<std::string> cells;
  if (!split_csv_line(line, cells)) throw InputError(at + ": unterminated quoted cell");
  return cells;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace qarray
