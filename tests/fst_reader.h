// Reads an FST waveform with the FST library Verilator ships (GTKWave's fstapi, compiled in
// fst_reader.cpp as Verilator's own verilated_fst_c.cpp compiles it): the header's end time, every
// variable with its scope path, and the number of value changes. An independent check that a
// trace qarray wrote is a well-formed FST file holding the RTL's signals.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qarray::testing {

struct FstContents {
  bool opened = false;
  uint64_t end_time = 0;
  std::vector<std::string> variables;  // "scope.scope.name"
  int64_t value_changes = 0;
};

FstContents read_fst(const std::string& path);

}  // namespace qarray::testing
