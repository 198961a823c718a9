// The sweep's result table (points.csv): one row per design point, columns by name, rewritten
// whole through a temporary file and a rename after every finished point, so a killed sweep
// leaves the previous complete table, never a half-written row.
//
// Contract: a row's resume key is its parameter columns (kSweepKeyColumns) as text; a rerun skips
// the points whose key has a row. read_sweep_table accepts only this qarray's header.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace qarray::cli {

// Every column, in file order: the schema's, then the extra ones (README "Sweep CSV").
extern const std::vector<std::string> kSweepColumns;
// The parameter columns that identify a point.
extern const std::vector<std::string> kSweepKeyColumns;

using SweepRow = std::map<std::string, std::string>;  // column -> cell text (missing = empty)

std::string sweep_key(const SweepRow& row);

struct SweepTable {
  std::vector<SweepRow> rows;  // file order: earlier runs' rows, then a sweep's own in grid order

  const SweepRow* find(const std::string& key) const;
  void put(const SweepRow& row);  // replaces the row with the same key, else appends
};

// An absent file is an empty table; a file with another header or a malformed line throws
// InputError naming the file and line.
SweepTable read_sweep_table(const std::string& path);
// Writes the whole table to a temporary file beside `path`, then renames it over `path`.
void write_sweep_table(const std::string& path, const SweepTable& t);

}  // namespace qarray::cli
