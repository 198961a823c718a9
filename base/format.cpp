// Shortest round-trip text of doubles and one-line text (base/format.h).
#include "base/format.h"

#include <algorithm>
#include <charconv>

namespace qarray {

std::string shortest_text(double v) {
  char buf[32];  // the longest shortest form, "-2.2250738585072014e-308", takes 24
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

}  // namespace qarray
