// Shared by the libFuzzer targets: the loaders read files, so each input is written to a scratch
// file first. A qarray::Error is the expected answer to a malformed input; anything else that
// escapes (std::out_of_range, a JSON library exception, a crash) is a finding.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace qarray::fuzz {

// A per-process scratch directory under /tmp (the fuzzer forks workers with -jobs), removed
// when the fuzzer exits.
inline const std::string& scratch_dir() {
  // Never destroyed: the exit handler that removes the folder runs after static destructors.
  static const std::string* dir = [] {
    auto* d = new std::string("/tmp/qarray-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(*d);
    std::atexit([] { std::filesystem::remove_all(scratch_dir()); });
    return d;
  }();
  return *dir;
}

inline void write_file(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace qarray::fuzz
