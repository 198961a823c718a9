// CSV text as the project's tables use it (energy tables, the Yosys area table, the sweep's
// points.csv, layers.csv): one record per line, cells separated by commas, RFC 4180 quoting (a
// cell in double quotes may hold commas; "" inside it is one quote), no newline inside a cell.
// Shared by every reader and writer so that they agree on one dialect.
#pragma once
#include <string>
#include <vector>

namespace qarray {

// Splits one line into its cells (a line of n commas has n + 1 cells, "" is one empty cell).
// Returns false, with the cells read so far, when a quoted cell is not closed.
bool split_csv_line(const std::string& line, std::vector<std::string>& cells);
// The cells of one line; throws InputError "<at>: unterminated quoted cell".
std::vector<std::string> csv_cells(const std::string& line, const std::string& at);

// A text cell: as is, or in double quotes (quotes doubled) if it holds a comma, quote or newline.
std::string csv_field(const std::string& text);

}  // namespace qarray
