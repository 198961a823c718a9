// Architecture configuration of the accelerator: array shape and dataflow, operand and
// accumulator widths, clock, the three SRAM buffers and DRAM. One plain struct, filled once by
// the parser below, validated once, then passed by const& to every unit (each unit reads only the
// scalars it uses).
//
// Contract (checked by validate(), errors name the file and the key):
//   rows, cols in [1, 256]; weight_bits, act_bits in [2, 16];
//   acc_bits in [weight_bits + act_bits, 32] (one signed product must fit the accumulator);
//   clock_mhz in (0, 100000]; every buffer: capacity_bytes, banks, word_bytes, ports >= 1 and capacity a
//   whole number of words in every bank; dram: bytes_per_cycle > 0, latency_cycles >= 0,
//   burst_bytes >= 1.
//   operands (optional key, default "int"): "fp32" makes the FP32 twin of the design: FP32
//   multipliers and adders, every operand and accumulator word 4 bytes in the buffers and in
//   DRAM. weight_bits/act_bits/acc_bits then still describe the integer network the simulator
//   runs for the schedule (its values do not change any counter; timing is data-independent).
#pragma once
#include <cstdint>
#include <string>

#include "sim/dataflow/dataflow.h"

namespace qarray {

// What the PEs compute on: integers of the configured widths, or IEEE single precision.
enum class OperandMode { Int, Fp32 };

const char* operand_mode_name(OperandMode m);  // "int", "fp32"

// One banked buffer (sim/sram.h): `banks` word-interleaved banks of `word_bytes`-wide words;
// each bank serves `ports` accesses per cycle to the array and the post-processing unit, and
// one more, of its own, to the DMA.
struct SramBuffer {
  int64_t capacity_bytes = 64 * 1024;
  int32_t banks = 4;
  int32_t word_bytes = 16;
  int32_t ports = 1;
  bool double_buffer = true;

  // Bytes one tile may use: half the capacity when double buffered (the other half fills).
  int64_t tile_bytes() const { return double_buffer ? capacity_bytes / 2 : capacity_bytes; }
};

struct DramConfig {
  double bytes_per_cycle = 16.0;
  int64_t latency_cycles = 100;
  int64_t burst_bytes = 64;
};

// The defaults are the ws16 preset's (configs/ws16.json).
struct ArchConfig {
  std::string name = "ws16";
  int32_t rows = 16;
  int32_t cols = 16;
  Dataflow dataflow = Dataflow::WeightStationary;
  int32_t weight_bits = 8;
  int32_t act_bits = 8;
  int32_t acc_bits = 32;
  double clock_mhz = 1000.0;
  SramBuffer ifmap;
  SramBuffer weight;
  SramBuffer ofmap{64 * 1024, 4, 64, 1, true};  // output / accumulator buffer
  DramConfig dram;
  OperandMode operands = OperandMode::Int;

  // Bits one weight, activation or accumulator word occupies in the buffers and in DRAM: the
  // configured widths, or 32 for every word of an FP32 design. Tiling and DMA sizes use these.
  int32_t weight_word_bits() const { return operands == OperandMode::Fp32 ? 32 : weight_bits; }
  int32_t act_word_bits() const { return operands == OperandMode::Fp32 ? 32 : act_bits; }
  int32_t acc_word_bits() const { return operands == OperandMode::Fp32 ? 32 : acc_bits; }

  // Throws InputError "<where>: <key>: <what>" for the first violated rule of the contract.
  void validate(const std::string& where) const;
};

// Parses JSON text; `where` (a file name) prefixes every error. Every key is required except
// "name" (defaults to `default_name`), "description" and "operands" ("int" or "fp32", default
// "int"); unknown keys are errors.
ArchConfig parse_arch_config(const std::string& json_text, const std::string& where,
                             const std::string& default_name = "arch");
// Reads, parses and validates a file; the default name is the file's stem.
ArchConfig load_arch_config(const std::string& path);

}  // namespace qarray
