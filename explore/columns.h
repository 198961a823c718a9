// A table column defined once: its name and how to get its value from what a row describes.
// The CSV header, the CSV cells and the JSON object of a row are all generated from one list of
// columns, so a table and the report holding the same fields cannot disagree on a name, an order
// or a digit.
//
// Contract: a cell is empty (CSV "", JSON null), an integer (decimal), a double (CSV: the
// shortest text that reads back exactly, shortest_text(); JSON: the writer's own round-trip
// digits) or text (CSV: csv_field() quoting). Column names are unique within a list.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace qarray::explore {

using Cell = std::variant<std::monostate, int64_t, double, std::string>;

template <typename Row>
struct Column {
  std::string name;
  std::function<Cell(const Row&)> get;
};

template <typename Row>
using Columns = std::vector<Column<Row>>;

// The cell as text, unquoted: "" when empty.
std::string cell_text(const Cell& c);
// The cell as a CSV field: cell_text, text quoted by csv_field().
std::string cell_csv(const Cell& c);
// The cell as a JSON value: null when empty.
nlohmann::json cell_json(const Cell& c);

// "name1,name2,..." (no newline).
template <typename Row>
std::string csv_header(const Columns<Row>& columns) {
  std::string out;
  for (const Column<Row>& c : columns) out += (out.empty() ? "" : ",") + c.name;
  return out;
}

// The row's CSV fields, comma separated (no newline).
template <typename Row>
std::string csv_row(const Columns<Row>& columns, const Row& row) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + cell_csv(columns[i].get(row));
  return out;
}

// Sets one key per column in the JSON object `out`.
template <typename Row>
void add_json(nlohmann::json& out, const Columns<Row>& columns, const Row& row) {
  for (const Column<Row>& c : columns) out[c.name] = cell_json(c.get(row));
}

// `columns` (of rows of type From) as columns of rows of type To, each row mapped to its From by
// `project`, each name prefixed with `prefix`.
template <typename To, typename From, typename Project>
Columns<To> project_columns(const Columns<From>& columns, const std::string& prefix, Project project) {
  Columns<To> out;
  for (const Column<From>& c : columns)
    out.push_back({prefix + c.name, [get = c.get, project](const To& row) { return get(project(row)); }});
  return out;
}

// The concatenation of column lists.
template <typename Row>
Columns<Row> operator+(Columns<Row> a, const Columns<Row>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace qarray::explore
