// Energy model of the accelerator: prices the cycle model's event counters with a reference
// table (energy = sum over counters x per-action energy), and the FP32 twin of a design. The
// rules and the counter -> action mapping are written out with formulas in energy/README.md.
//
// Contract:
//   mac_pj       = macs x (mult(b_a, b_w) + add(acc_bits))   [fp32: macs x (mult_fp32 + add_fp32)]
//                  mult(a, w) = mult_int x (a*w) / (ref_a*ref_w); add(n) = add_int x n / ref
//   register_pj  = register_bit x register bits written (register_bits(), array layers only)
//   *_sram_pj    = sum over reads (+ DMA drain reads) and writes (+ DMA fill writes) of
//                  (count x word_bits_of_operand / buffer word bits)
//                  x sram_access_pj(bank capacity, buffer word bits)
//   dram_pj      = dram_byte x (dram_read_bytes + dram_write_bytes)
//   vector_pj    = vector_lookups x act_bits x lut_read + vector_multiplies x mult(32, 32)
//                  (vector unit, sim/vector_unit.h: every multiply priced as the 32 x 32 bit
//                  rescale multiply, an upper bound for the operand products of mul layers)
//   Operand widths are the design's (ArchConfig::*_word_bits(): 32 on an FP32 design).
#pragma once
#include <cstdint>
#include <string>

#include "energy/energy_table.h"
#include "sim/arch_config.h"
#include "sim/counters.h"

namespace qarray {

struct EnergyBreakdown {
  double mac_pj = 0.0;
  double register_pj = 0.0;
  double ifmap_sram_pj = 0.0;
  double weight_sram_pj = 0.0;
  double ofmap_sram_pj = 0.0;
  double dram_pj = 0.0;
  double vector_pj = 0.0;
  double total_pj() const {
    return mac_pj + register_pj + ifmap_sram_pj + weight_sram_pj + ofmap_sram_pj + dram_pj + vector_pj;
  }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

// One integer multiply of a_bits x w_bits operands, and one acc_bits-wide add (pJ).
double mult_int_pj(const EnergyTable& t, int32_t a_bits, int32_t w_bits);
double add_int_pj(const EnergyTable& t, int32_t acc_bits);
// One multiply-accumulate of the design's PE (pJ): integer of its widths, or FP32.
double mac_energy_pj(const ArchConfig& arch, const EnergyTable& t);

// One access of `word_bits` to an SRAM bank of `bank_bytes` (pJ); `action` sram_read or
// sram_write. Each table row is taken per bit (value / width_a_bits, linear in word width); between
// two table capacities the per-bit energy is interpolated linearly in log(capacity) and
// log(energy); outside the table's range the nearest segment is extended; a single row is
// constant in capacity. At a table capacity the row's own value comes back exactly.
double sram_access_pj(const EnergyTable& t, const std::string& action, int64_t bank_bytes, int32_t word_bits);

// Bits written into PE registers by a layer on the array: the dataflow unit's register activity
// (sim/dataflow/{ws,is,os}.h) at the operand and accumulator word widths, e.g.
//   ws: macs x (act + acc) + weight_reads x weight    is: macs x (weight + acc) + ifmap_reads x act
//   os: macs x (act + weight + acc)
int64_t register_bits(const LayerCounters& k, const ArchConfig& arch);

// Prices one layer's counters. `on_array`: conv / depthwise / fc (Layer::on_array()); the other
// layers run on the post-processing unit: no MACs or PE registers, ifmap reads of activations,
// ofmap writes of activations (not accumulators).
EnergyBreakdown layer_energy(const LayerCounters& k, bool on_array, const ArchConfig& arch, const EnergyTable& t);

// The FP32 twin: the same array, dataflow, clock, buffers and DRAM, FP32 multipliers and adders,
// 4-byte operands and accumulator words (OperandMode::Fp32); name "<name>-fp32".
ArchConfig fp32_twin(const ArchConfig& arch);

}  // namespace qarray
