// Energy and area reference table: the per-action costs of one technology node, one CSV row per
// component action with its value, unit, node, reference width(s) or capacity and the cited
// source. Tables are data files (energy/tables/*.csv); this unit reads and validates them once.
//
// Contract (checked by parse_energy_table; errors name the file, row and column):
//   header   action,value,unit,node,width_a_bits,width_b_bits,capacity_bytes,source
//            (lines starting with '#' and blank lines are skipped; cells may be "quoted");
//   action   one of kTableActions; each exactly once, except sram_read / sram_write: one row or
//            more, each at a different capacity;
//   value    a finite number >= 0, in the action's unit (kTableActions[i].unit);
//   widths   width_a_bits (and width_b_bits) >= 1 exactly where the action has reference widths,
//            empty elsewhere; capacity_bytes >= 1 exactly for the SRAM actions;
//   node     the same non-empty text on every row; source non-empty.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qarray {

struct TableRow {
  std::string action;
  double value = 0.0;
  std::string unit;
  std::string node;
  int32_t width_a_bits = 0;    // multiplier: activation (a) and weight (b) widths; adder, SRAM: a
  int32_t width_b_bits = 0;
  int64_t capacity_bytes = 0;  // SRAM rows
  std::string source;
  int line = 0;                // in the file, for messages
};

// The actions a table must define, their units and which reference columns they use.
struct TableAction {
  const char* name;
  const char* unit;
  int widths;     // 0, 1 (width_a_bits) or 2 (width_a_bits and width_b_bits)
  bool capacity;  // capacity_bytes (SRAM; one row or more)
};
extern const std::vector<TableAction> kTableActions;

struct EnergyTable {
  std::string name;  // "horowitz45", "aladdin40", or a file's stem
  std::string node;  // "45nm"
  std::string path;  // the CSV it was read from
  std::vector<TableRow> rows;

  // The single row of a one-row action (every action but sram_read / sram_write).
  const TableRow& row(const std::string& action) const;
  // All rows of an action, in file order.
  std::vector<const TableRow*> rows_of(const std::string& action) const;
};

// The shipped tables, by their canonical names: "horowitz45" (default), "aladdin40".
std::vector<std::string> known_energy_tables();

// "45nm" / "horowitz45", "40nm" / "aladdin40", or a path to a CSV table (anything with a '/' or
// ending in .csv). Throws InputError for an unknown name (listing the known ones), an unreadable
// file, or any violation of the contract above.
EnergyTable load_energy_table(const std::string& name_or_path);

// Parses table text; `where` (a file name) prefixes every error.
EnergyTable parse_energy_table(const std::string& csv_text, const std::string& where, const std::string& name);

}  // namespace qarray
