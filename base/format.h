// Number and text formatting shared by every table and report writer, so that a CSV cell and the
// JSON report hold the same digits for the same value.
#pragma once
#include <string>

namespace qarray {

// The shortest decimal text that reads back as exactly `v` (std::to_chars): "0.5", "1e-07",
// "123", "0". Every double in a CSV table or an identifier (a sweep point's name) is written so.
std::string shortest_text(double v);

// `s` with every line break (\n, \r) replaced by a space: a message fit for one CSV cell or one
// line of output.
std::string one_line(std::string s);

}  // namespace qarray
