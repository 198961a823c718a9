#include "energy/energy_model.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/errors.h"
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  mac_pj += o.mac_pj;
  register_pj += o.register_pj;
  ifmap_sram_pj += o.ifmap_sram_pj;
  weight_sram_pj += o.weight_sram_pj;
  ofmap_sram_pj += o.ofmap_sram_pj;
  vector_pj += o.vector_pj;
  dram_pj += o.dram_pj;
  return *this;
}

double mult_int_pj(const EnergyTable& t, int32_t a_bits, int32_t w_bits) {
  const TableRow& r = t.row("mult_int");
  return r.value * (static_cast<double>(a_bits) * w_bits) / (static_cast<double>(r.width_a_bits) * r.width_b_bits);
}

double add_int_pj(const EnergyTable& t, int32_t acc_bits) {
  const TableRow& r = t.row("add_int");
  return r.value * acc_bits / r.width_a_bits;
}

double mac_energy_pj(const ArchConfig& arch, const EnergyTable& t) {
  if (arch.operands == OperandMode::Fp32) return t.row("mult_fp32").value + t.row("add_fp32").value;
  return mult_int_pj(t, arch.act_bits, arch.weight_bits) + add_int_pj(t, arch.acc_bits);
}

double sram_access_pj(const EnergyTable& t, const std::string& action, int64_t bank_bytes, int32_t word_bits) {
  std::vector<const TableRow*> rows = t.rows_of(action);
  if (rows.empty()) throw InputError("energy table '" + t.name + "': no row for action " + action);
  if (bank_bytes < 1 || word_bits < 1)
    throw InputError("energy table '" + t.name + "': " + action + " of a " + std::to_string(bank_bytes) +
                     "-byte bank with " + std::to_string(word_bits) + "-bit words");
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->capacity_bytes < b->capacity_bytes; });
  auto per_bit = [](const TableRow* r) { return r->value / r->width_a_bits; };
  for (const TableRow* r : rows)
    if (r->capacity_bytes == bank_bytes) return per_bit(r) * word_bits;
  if (rows.size() == 1) return per_bit(rows[0]) * word_bits;
  // The segment holding bank_bytes, or the nearest end segment.
  size_t i = 0;
  while (i + 2 < rows.size() && bank_bytes > rows[i + 1]->capacity_bytes) ++i;
  const TableRow *lo = rows[i], *hi = rows[i + 1];
  const double x0 = std::log(static_cast<double>(lo->capacity_bytes));
  const double x1 = std::log(static_cast<double>(hi->capacity_bytes));
  const double y0 = std::log(per_bit(lo)), y1 = std::log(per_bit(hi));
  const double x = std::log(static_cast<double>(bank_bytes));
  return std::exp(y0 + (x - x0) * (y1 - y0) / (x1 - x0)) * word_bits;
}

int64_t register_bits(const LayerCounters& k, const ArchConfig& a) {
  const RegisterActivity r = dataflow_unit(a).register_activity(k);
  return r.act_writes * a.act_word_bits() + r.weight_writes * a.weight_word_bits() +
         r.acc_writes * a.acc_word_bits();
}

namespace {

// Energy of `operands` accesses of `operand_bits` each to buffer b: packed into b's words.
double sram_pj(const EnergyTable& t, const std::string& action, const SramBuffer& b, int64_t operands,
               int32_t operand_bits) {
  if (operands == 0) return 0.0;
  const int32_t word_bits = b.word_bytes * 8;
  const double accesses = static_cast<double>(operands) * operand_bits / word_bits;
  return accesses * sram_access_pj(t, action, b.capacity_bytes / b.banks, word_bits);
}

// Every access of a buffer: the array's or post-processing unit's reads and writes and the
// DMA's fills (writes) and drains (reads), all of operands `operand_bits` wide.
double buffer_pj(const EnergyTable& t, const SramBuffer& b, const BufferCounters& c, int32_t operand_bits) {
  return sram_pj(t, "sram_read", b, c.reads + c.drain_reads, operand_bits) +
         sram_pj(t, "sram_write", b, c.writes + c.fill_writes, operand_bits);
}

}  // namespace

EnergyBreakdown layer_energy(const LayerCounters& k, bool on_array, const ArchConfig& a, const EnergyTable& t) {
  EnergyBreakdown e;
  const int32_t act = a.act_word_bits(), w = a.weight_word_bits();
  // Array layers keep accumulators in the ofmap buffer; vector layers write activations there.
  const int32_t ofmap_bits = on_array ? a.acc_word_bits() : act;
  if (on_array) {
    e.mac_pj = static_cast<double>(k.macs) * mac_energy_pj(a, t);
    e.register_pj = static_cast<double>(register_bits(k, a)) * t.row("register_bit").value;
  }
  e.ifmap_sram_pj = buffer_pj(t, a.ifmap, k.ifmap, act);
  e.weight_sram_pj = buffer_pj(t, a.weight, k.weight, w);
  e.ofmap_sram_pj = buffer_pj(t, a.ofmap, k.ofmap, ofmap_bits);
  e.dram_pj = static_cast<double>(k.dram_read_bytes + k.dram_write_bytes) * t.row("dram_byte").value;
  if (k.vector_lookups || k.vector_multiplies)  // the vector unit's layers only
    e.vector_pj = static_cast<double>(k.vector_lookups) * act * t.row("lut_read").value +
                  static_cast<double>(k.vector_multiplies) * mult_int_pj(t, 32, 32);
  return e;
}

ArchConfig fp32_twin(const ArchConfig& arch) {
  ArchConfig twin = arch;
  twin.operands = OperandMode::Fp32;
  if (arch.operands != OperandMode::Fp32) twin.name = arch.name + "-fp32";
  return twin;
}

}  // namespace qarray
