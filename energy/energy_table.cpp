#include "energy/energy_table.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/csv.h"
#include "base/errors.h"

namespace qarray {

const std::vector<TableAction> kTableActions = {
    {"mult_int", "pJ", 2, false},         {"add_int", "pJ", 1, false},
    {"mult_fp32", "pJ", 0, false},        {"add_fp32", "pJ", 0, false},
    {"register_bit", "pJ/bit", 0, false}, {"sram_read", "pJ/access", 1, true},
    {"sram_write", "pJ/access", 1, true}, {"dram_byte", "pJ/byte", 0, false},
    {"lut_read", "pJ/bit", 0, false},
    {"area_mult_int", "um2", 2, false},   {"area_add_int", "um2", 1, false},
    {"area_mult_fp32", "um2", 0, false},  {"area_add_fp32", "um2", 0, false},
    {"area_register_bit", "um2/bit", 0, false}, {"area_sram_kib", "um2/KiB", 0, false},
};

namespace {

const char* const kHeader = "action,value,unit,node,width_a_bits,width_b_bits,capacity_bytes,source";
const std::vector<std::string> kColumns = {"action", "value", "unit", "node",
                                           "width_a_bits", "width_b_bits", "capacity_bytes", "source"};

const TableAction* find_action(const std::string& name) {
  for (const TableAction& a : kTableActions)
    if (name == a.name) return &a;
  return nullptr;
}

std::string action_list() {
  std::string s;
  for (const TableAction& a : kTableActions) s += (s.empty() ? "" : ", ") + std::string(a.name);
  return s;
}

class RowReader {
 public:
  RowReader(std::vector<std::string> cells, std::string at) : cells_(std::move(cells)), at_(std::move(at)) {}
  const std::string& cell(size_t c) const { return cells_[c]; }
  [[noreturn]] void fail(size_t c, const std::string& what) const {
    throw InputError(at_ + ", column '" + kColumns[c] + "': " + what);
  }
  double number(size_t c) const {
    const std::string& s = cells_[c];
    size_t used = 0;
    double v = 0.0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      fail(c, "'" + s + "' is not a number");
    }
    if (used != s.size() || !std::isfinite(v)) fail(c, "'" + s + "' is not a finite number");
    return v;
  }
  // A whole number >= 1 when `wanted`, an empty cell otherwise.
  int64_t count(size_t c, bool wanted, const std::string& action) const {
    const std::string& s = cells_[c];
    if (!wanted) {
      if (!s.empty()) fail(c, "must be empty for action " + action + ", got '" + s + "'");
      return 0;
    }
    if (s.empty()) fail(c, "required for action " + action);
    const double v = number(c);
    if (v < 1 || v != std::floor(v) || v > 1e15) fail(c, "'" + s + "' must be a whole number >= 1");
    return static_cast<int64_t>(v);
  }

 private:
  std::vector<std::string> cells_;
  std::string at_;
};

TableRow parse_row(const std::string& line, const std::string& at) {
  const RowReader r(csv_cells(line, at), at);
  TableRow row;
  row.action = r.cell(0);
  const TableAction* a = find_action(row.action);
  if (!a) r.fail(0, "unknown action '" + row.action + "' (expected one of " + action_list() + ")");
  row.value = r.number(1);
  if (row.value < 0) r.fail(1, r.cell(1) + " is negative (costs are >= 0)");
  row.unit = r.cell(2);
  if (row.unit != a->unit) r.fail(2, "unit '" + row.unit + "' for action " + row.action + ", expected '" + a->unit + "'");
  row.node = r.cell(3);
  if (row.node.empty()) r.fail(3, "empty (the technology node, e.g. 45nm)");
  row.width_a_bits = static_cast<int32_t>(r.count(4, a->widths >= 1, row.action));
  row.width_b_bits = static_cast<int32_t>(r.count(5, a->widths >= 2, row.action));
  row.capacity_bytes = r.count(6, a->capacity, row.action);
  row.source = r.cell(7);
  if (row.source.empty()) r.fail(7, "empty (every value cites its source)");
  return row;
}

// Per-table checks across rows: node, completeness, no duplicates.
void check_rows(const EnergyTable& t, const std::string& where) {
  std::map<std::string, std::set<int64_t>> seen;
  for (const TableRow& r : t.rows) {
    if (r.node != t.node)
      throw InputError(where + ": line " + std::to_string(r.line) + ", column 'node': '" + r.node +
                       "' differs from '" + t.node + "' of the first row");
    // One-row actions have capacity 0 on every row, so a second row is a repeated capacity too.
    const bool multi = find_action(r.action)->capacity;
    if (!seen[r.action].insert(r.capacity_bytes).second)
      throw InputError(where + ": line " + std::to_string(r.line) + ", column '" +
                       (multi ? "capacity_bytes': " + r.action + " at " + std::to_string(r.capacity_bytes) + " bytes"
                              : "action': " + r.action) +
                       " appears twice");
  }
  for (const TableAction& a : kTableActions)
    if (!seen.count(a.name)) throw InputError(where + ": no row for action " + a.name);
}

std::string read_file(const std::string& path) {
  std::error_code ec;  // a path the file system refuses (too long, ...) fails the open below
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not an energy table");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the energy table");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const TableRow& EnergyTable::row(const std::string& action) const {
  for (const TableRow& r : rows)
    if (r.action == action) return r;
  throw InputError("energy table '" + name + "': no row for action " + action);
}

std::vector<const TableRow*> EnergyTable::rows_of(const std::string& action) const {
  std::vector<const TableRow*> out;
  for (const TableRow& r : rows)
    if (r.action == action) out.push_back(&r);
  return out;
}

std::vector<std::string> known_energy_tables() { return {"horowitz45", "aladdin40"}; }

EnergyTable parse_energy_table(const std::string& csv_text, const std::string& where, const std::string& name) {
  EnergyTable t;
  t.name = name;
  t.path = where;
  std::istringstream in(csv_text);
  bool header = false;
  int line_no = 0, row_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      if (line != kHeader)
        throw InputError(where + ": line " + std::to_string(line_no) + ": header '" + line + "', expected '" +
                         kHeader + "'");
      header = true;
      continue;
    }
    ++row_no;
    const std::string at = where + ": row " + std::to_string(row_no) + " (line " + std::to_string(line_no) + ")";
    if (csv_cells(line, at).size() != kColumns.size())
      throw InputError(at + ": " + std::to_string(csv_cells(line, at).size()) + " cells, expected " +
                       std::to_string(kColumns.size()));
    TableRow row = parse_row(line, at);
    row.line = line_no;
    if (t.rows.empty()) t.node = row.node;
    t.rows.push_back(std::move(row));
  }
  if (!header) throw InputError(where + ": no header line (expected '" + std::string(kHeader) + "')");
  check_rows(t, where);
  return t;
}

EnergyTable load_energy_table(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  const std::string& s = name_or_path;
  if (s.find('/') != std::string::npos || (s.size() > 4 && s.compare(s.size() - 4, 4, ".csv") == 0))
    return parse_energy_table(read_file(s), s, fs::path(s).stem().string());
  std::string name = s;
  if (s == "45nm") name = "horowitz45";
  if (s == "40nm") name = "aladdin40";
  std::string known;
  for (const std::string& k : known_energy_tables()) {
    if (k == name) {
      const std::string path = std::string(QARRAY_ENERGY_TABLE_DIR) + "/" + k + ".csv";
      return parse_energy_table(read_file(path), path, k);
    }
    known += (known.empty() ? "" : ", ") + k;
  }
  throw InputError("unknown energy table '" + s + "' (known: " + known +
                   "; also 45nm, 40nm, or a path to a CSV table)");
}

}  // namespace qarray
