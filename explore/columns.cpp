// Cell formatting of the column lists (explore/columns.h).
#include "explore/columns.h"

#include "base/csv.h"
#include "base/format.h"

namespace qarray::explore {

std::string cell_text(const Cell& c) {
  if (const auto* i = std::get_if<int64_t>(&c)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&c)) return shortest_text(*d);
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return "";
}

std::string cell_csv(const Cell& c) {
  if (const auto* s = std::get_if<std::string>(&c)) return csv_field(*s);
  return cell_text(c);
}

nlohmann::json cell_json(const Cell& c) {
  if (const auto* i = std::get_if<int64_t>(&c)) return *i;
  if (const auto* d = std::get_if<double>(&c)) return *d;
  if (const auto* s = std::get_if<std::string>(&c)) return *s;
  return nullptr;
}

}  // namespace qarray::explore
