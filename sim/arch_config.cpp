#include "sim/arch_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/errors.h"
#include "base/json_reader.h"

namespace qarray {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& key, const std::string& what) {
  json_fail(where, key, what);
}

// One JSON object being read: every key must be consumed exactly as listed, unknown keys fail.
class ObjectReader {
 public:
  ObjectReader(const json& j, std::string where, std::string prefix,
               std::set<std::string> allowed)
      : j_(j), where_(std::move(where)), prefix_(std::move(prefix)) {
    if (!j.is_object()) fail(where_, prefix_.empty() ? "(top level)" : prefix_, "expected an object");
    for (const auto& item : j.items())
      if (!allowed.count(item.key())) fail(where_, key(item.key()), "unknown key");
  }
  std::string key(const std::string& k) const { return prefix_.empty() ? k : prefix_ + "." + k; }
  const json& at(const std::string& k) const {
    if (!j_.contains(k)) fail(where_, key(k), "missing");
    return j_.at(k);
  }
  bool has(const std::string& k) const { return j_.contains(k); }
  // Numbers, booleans and strings through the checked reader (base/json_reader.h).
  int64_t integer(const std::string& k) const { return json_integer<int64_t>(at(k), where_, key(k)); }
  int32_t int32(const std::string& k) const { return json_integer<int32_t>(at(k), where_, key(k)); }
  double number(const std::string& k) const { return json_number(at(k), where_, key(k)); }
  bool boolean(const std::string& k) const { return json_boolean(at(k), where_, key(k)); }
  std::string string(const std::string& k) const { return json_string(at(k), where_, key(k)); }

 private:
  const json& j_;
  std::string where_, prefix_;
};

SramBuffer parse_buffer(const json& j, const std::string& where, const std::string& prefix) {
  ObjectReader r(j, where, prefix, {"capacity_bytes", "banks", "word_bytes", "ports", "double_buffer"});
  SramBuffer b;
  b.capacity_bytes = r.integer("capacity_bytes");
  b.banks = r.int32("banks");
  b.word_bytes = r.int32("word_bytes");
  b.ports = r.int32("ports");
  b.double_buffer = r.boolean("double_buffer");
  return b;
}

void check_buffer(const SramBuffer& b, const std::string& where, const std::string& prefix) {
  auto check = [&](bool ok, const std::string& k, const std::string& what) {
    if (!ok) fail(where, prefix + "." + k, what);
  };
  check(b.capacity_bytes > 0, "capacity_bytes", std::to_string(b.capacity_bytes) + " must be positive");
  check(b.banks > 0, "banks", std::to_string(b.banks) + " must be positive");
  check(b.word_bytes > 0, "word_bytes", std::to_string(b.word_bytes) + " must be positive");
  check(b.ports > 0, "ports", std::to_string(b.ports) + " must be positive");
  const int64_t row = int64_t{b.banks} * b.word_bytes;
  check(b.capacity_bytes % row == 0, "capacity_bytes",
        std::to_string(b.capacity_bytes) + " is not a whole number of " + std::to_string(b.word_bytes) +
            "-byte words in each of " + std::to_string(b.banks) + " banks");
}

}  // namespace

const char* operand_mode_name(OperandMode m) { return m == OperandMode::Fp32 ? "fp32" : "int"; }

void ArchConfig::validate(const std::string& where) const {
  auto check = [&](bool ok, const std::string& k, const std::string& what) {
    if (!ok) fail(where, k, what);
  };
  check(rows >= 1 && rows <= 256, "array.rows", std::to_string(rows) + " not in [1, 256]");
  check(cols >= 1 && cols <= 256, "array.cols", std::to_string(cols) + " not in [1, 256]");
  check(weight_bits >= 2 && weight_bits <= 16, "weight_bits", std::to_string(weight_bits) + " not in [2, 16]");
  check(act_bits >= 2 && act_bits <= 16, "act_bits", std::to_string(act_bits) + " not in [2, 16]");
  check(acc_bits <= 32, "acc_bits", std::to_string(acc_bits) + " exceeds 32");
  check(acc_bits >= weight_bits + act_bits, "acc_bits",
        std::to_string(acc_bits) + " too small for " + std::to_string(weight_bits) + "-bit weights times " +
            std::to_string(act_bits) + "-bit activations (needs at least " +
            std::to_string(weight_bits + act_bits) + ")");
  check(std::isfinite(clock_mhz) && clock_mhz > 0 && clock_mhz <= 100000, "clock_mhz",
        "must be in (0, 100000]");
  check_buffer(ifmap, where, "sram.ifmap");
  check_buffer(weight, where, "sram.weight");
  check_buffer(ofmap, where, "sram.ofmap");
  check(std::isfinite(dram.bytes_per_cycle) && dram.bytes_per_cycle > 0, "dram.bytes_per_cycle",
        "bandwidth must be positive");
  check(dram.latency_cycles >= 0, "dram.latency_cycles", "must not be negative");
  check(dram.burst_bytes > 0, "dram.burst_bytes", std::to_string(dram.burst_bytes) + " must be positive");
}

ArchConfig parse_arch_config(const std::string& json_text, const std::string& where,
                             const std::string& default_name) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number overflow
    const std::string what = e.what();     // "[json.exception.<kind>.<id>] <message>"
    throw InputError(where + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  ObjectReader top(j, where, "",
                   {"name", "description", "array", "weight_bits", "act_bits", "acc_bits", "clock_mhz",
                    "sram", "dram", "operands"});
  ArchConfig a;
  a.name = top.has("name") ? top.string("name") : default_name;
  if (top.has("description")) top.string("description");
  ObjectReader arr(top.at("array"), where, "array", {"rows", "cols", "dataflow"});
  a.rows = arr.int32("rows");
  a.cols = arr.int32("cols");
  try {
    a.dataflow = parse_dataflow(arr.string("dataflow"));
  } catch (const InputError& e) {
    fail(where, "array.dataflow", e.what());
  }
  a.weight_bits = top.int32("weight_bits");
  a.act_bits = top.int32("act_bits");
  a.acc_bits = top.int32("acc_bits");
  a.clock_mhz = top.number("clock_mhz");
  if (top.has("operands")) {
    const std::string m = top.string("operands");
    if (m == "fp32") a.operands = OperandMode::Fp32;
    else if (m != "int") fail(where, "operands", "unknown operand mode '" + m + "' (expected int or fp32)");
  }
  ObjectReader sram(top.at("sram"), where, "sram", {"ifmap", "weight", "ofmap"});
  a.ifmap = parse_buffer(sram.at("ifmap"), where, "sram.ifmap");
  a.weight = parse_buffer(sram.at("weight"), where, "sram.weight");
  a.ofmap = parse_buffer(sram.at("ofmap"), where, "sram.ofmap");
  ObjectReader dram(top.at("dram"), where, "dram", {"bytes_per_cycle", "latency_cycles", "burst_bytes"});
  a.dram.bytes_per_cycle = dram.number("bytes_per_cycle");
  a.dram.latency_cycles = dram.integer("latency_cycles");
  a.dram.burst_bytes = dram.integer("burst_bytes");
  a.validate(where);
  return a;
}

ArchConfig load_arch_config(const std::string& path) {
  // A directory opens and reads as empty: name it rather than report empty JSON.
  std::error_code ec;  // a path the file system refuses (too long, ...) fails the open below
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not an architecture file");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the architecture file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_arch_config(text.str(), path, std::filesystem::path(path).stem().string());
}

}  // namespace qarray
