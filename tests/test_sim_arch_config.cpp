// ArchConfig: the shipped presets load and validate; every bad input is a one-line InputError
// naming the file and the key.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "sim/arch_config.h"

namespace qarray {
namespace {

std::string preset(const std::string& name) { return std::string(QARRAY_SOURCE_DIR) + "/configs/" + name + ".json"; }

nlohmann::json ws16_json() {
  std::ifstream in(preset("ws16"));
  return nlohmann::json::parse(in);
}

// Parses `j` as file "bad.json" and returns the error message ("" if it parsed).
std::string error_of(const nlohmann::json& j) {
  try {
    parse_arch_config(j.dump(), "bad.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ArchConfig, ShippedPresetsLoadAndValidate) {
  for (const char* name : {"ws16", "gemmini16", "ws32", "edge8"}) {
    const ArchConfig a = load_arch_config(preset(name));
    EXPECT_EQ(a.name, name);
    EXPECT_EQ(a.dataflow, Dataflow::WeightStationary);
  }
  const ArchConfig g = load_arch_config(preset("gemmini16"));
  EXPECT_EQ(g.rows, 16);
  EXPECT_EQ(g.cols, 16);
  EXPECT_EQ(g.ifmap.capacity_bytes + g.weight.capacity_bytes, 256 * 1024);  // the scratchpad
  EXPECT_EQ(g.ifmap.banks + g.weight.banks, 4);
  EXPECT_EQ(g.ofmap.capacity_bytes, 64 * 1024);  // the accumulator
  EXPECT_EQ(g.ofmap.banks, 2);
  EXPECT_EQ(g.ofmap.ports, 2);  // Gemmini's accumulator banks are two-ported (a read and a write)
  const ArchConfig w = load_arch_config(preset("ws32"));
  EXPECT_EQ(w.rows, 32);
  const ArchConfig e = load_arch_config(preset("edge8"));
  EXPECT_EQ(e.cols, 8);
}

TEST(ArchConfig, DefaultStructIsTheWs16Preset) {
  const ArchConfig def, file = load_arch_config(preset("ws16"));
  EXPECT_EQ(def.rows, file.rows);
  EXPECT_EQ(def.cols, file.cols);
  EXPECT_EQ(def.acc_bits, file.acc_bits);
  EXPECT_EQ(def.ifmap.capacity_bytes, file.ifmap.capacity_bytes);
  EXPECT_EQ(def.dram.bytes_per_cycle, file.dram.bytes_per_cycle);
  for (auto [d, f] : {std::pair<const SramBuffer*, const SramBuffer*>{&def.ifmap, &file.ifmap},
                      {&def.weight, &file.weight}, {&def.ofmap, &file.ofmap}}) {
    EXPECT_EQ(d->capacity_bytes, f->capacity_bytes);
    EXPECT_EQ(d->banks, f->banks);
    EXPECT_EQ(d->word_bytes, f->word_bytes);
    EXPECT_EQ(d->ports, f->ports);
    EXPECT_EQ(d->double_buffer, f->double_buffer);
  }
  EXPECT_NO_THROW(def.validate("default"));
}

TEST(ArchConfig, ParsesEveryField) {
  nlohmann::json j = ws16_json();
  j["array"] = {{"rows", 8}, {"cols", 4}, {"dataflow", "os"}};
  j["sram"]["ofmap"]["double_buffer"] = false;
  j["dram"]["bytes_per_cycle"] = 0.5;
  j["clock_mhz"] = 700.5;
  const ArchConfig a = parse_arch_config(j.dump(), "x.json");
  EXPECT_EQ(a.rows, 8);
  EXPECT_EQ(a.cols, 4);
  EXPECT_EQ(a.dataflow, Dataflow::OutputStationary);
  EXPECT_FALSE(a.ofmap.double_buffer);
  EXPECT_EQ(a.ofmap.tile_bytes(), a.ofmap.capacity_bytes);
  EXPECT_EQ(a.ifmap.tile_bytes(), a.ifmap.capacity_bytes / 2);
  EXPECT_DOUBLE_EQ(a.dram.bytes_per_cycle, 0.5);
  EXPECT_DOUBLE_EQ(a.clock_mhz, 700.5);
}

TEST(ArchConfig, BadInputNamesFileAndKey) {
  struct Case {
    std::function<void(nlohmann::json&)> edit;
    std::string key;
  };
  const std::vector<Case> cases = {
      {[](auto& j) { j["colour"] = 1; }, "colour: unknown key"},
      {[](auto& j) { j["sram"]["ifmap"]["bank"] = 1; }, "sram.ifmap.bank: unknown key"},
      {[](auto& j) { j["array"]["rows"] = 0; }, "array.rows"},
      {[](auto& j) { j["array"]["cols"] = -3; }, "array.cols"},
      {[](auto& j) { j["array"]["rows"] = 257; }, "array.rows"},
      {[](auto& j) { j["array"]["dataflow"] = "rs"; }, "array.dataflow: unknown dataflow 'rs'"},
      {[](auto& j) { j["acc_bits"] = 15; }, "acc_bits: 15 too small"},
      {[](auto& j) { j["acc_bits"] = 33; }, "acc_bits"},
      {[](auto& j) { j["weight_bits"] = 1; }, "weight_bits"},
      {[](auto& j) { j["act_bits"] = 17; }, "act_bits"},
      {[](auto& j) { j["clock_mhz"] = 0; }, "clock_mhz"},
      {[](auto& j) { j["dram"]["bytes_per_cycle"] = 0; }, "dram.bytes_per_cycle: bandwidth must be positive"},
      {[](auto& j) { j["dram"]["latency_cycles"] = -1; }, "dram.latency_cycles"},
      {[](auto& j) { j["dram"]["burst_bytes"] = 0; }, "dram.burst_bytes"},
      {[](auto& j) { j["sram"]["weight"]["capacity_bytes"] = 0; }, "sram.weight.capacity_bytes"},
      {[](auto& j) { j["sram"]["ofmap"]["banks"] = 0; }, "sram.ofmap.banks"},
      {[](auto& j) { j["sram"]["ifmap"]["word_bytes"] = -16; }, "sram.ifmap.word_bytes"},
      {[](auto& j) { j["sram"]["ifmap"]["ports"] = 0; }, "sram.ifmap.ports"},
      {[](auto& j) { j["sram"]["ifmap"]["capacity_bytes"] = 1000; }, "sram.ifmap.capacity_bytes: 1000 is not a whole"},
      {[](auto& j) { j["sram"]["ifmap"]["double_buffer"] = 1; }, "sram.ifmap.double_buffer: expected true or false"},
      {[](auto& j) { j["array"]["rows"] = 16.5; }, "array.rows: expected an integer"},
      {[](auto& j) { j["dram"].erase("burst_bytes"); }, "dram.burst_bytes: missing"},
      {[](auto& j) { j.erase("sram"); }, "sram: missing"},
  };
  for (const Case& c : cases) {
    nlohmann::json j = ws16_json();
    c.edit(j);
    const std::string msg = error_of(j);
    EXPECT_EQ(msg.rfind("bad.json: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.key), std::string::npos) << "expected '" << c.key << "' in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(ArchConfig, FileErrorsNameThePath) {
  const auto dir = std::filesystem::temp_directory_path() / ("qarray_arch_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "broken.json").string();
  std::ofstream(path) << "{ \"array\": ";
  try {
    load_arch_config(path);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not valid JSON"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
  EXPECT_THROW(load_arch_config(path), InputError);
}

// Found by fuzz_arch_config: a number too large for a double escaped the parser as the JSON
// library's out_of_range instead of the one-line InputError.
TEST(ArchConfig, NumberOverflowIsAOneLineInputError) {
  std::string text = ws16_json().dump();
  text.replace(text.find("\"clock_mhz\":1000"), 16, "\"clock_mhz\":8888e8888887");
  try {
    parse_arch_config(text, "overflow.json");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "overflow.json: not valid JSON (number overflow parsing '8888e8888887')");
  }
}

// An integer beyond int64 (the parser keeps it unsigned) is out of range, not read as -1.
TEST(ArchConfig, IntegerBeyondInt64IsOutOfRangeNotWrapped) {
  std::string text = ws16_json().dump();
  text.replace(text.find("\"rows\":16"), 9, "\"rows\":18446744073709551615");
  try {
    parse_arch_config(text, "u64.json");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "u64.json: array.rows: 18446744073709551615 out of range [-2147483648, 2147483647]");
  }
}

TEST(ArchConfig, NameDefaultsToTheFileStem) {
  nlohmann::json j = ws16_json();
  j.erase("name");
  EXPECT_EQ(parse_arch_config(j.dump(), "my.json", "my").name, "my");
}

}  // namespace
}  // namespace qarray
