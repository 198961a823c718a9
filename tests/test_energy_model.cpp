// The energy model's rules on the shipped tables: multiplier energy scales with b_a*b_w, adders
// linearly with acc_bits; the INT8/FP32 MAC ratio is the table's; SRAM access energy at and
// between table capacities; PE register bits per dataflow; a hand-computed layer priced as
// sum(counts x cost) from the table rows; areas from the rows; the FP32 twin's configuration.
#include <gtest/gtest.h>

#include <cmath>

#include "energy/area_model.h"
#include "energy/energy_model.h"
#include "energy/energy_table.h"

namespace qarray {
namespace {

const EnergyTable& horowitz() {
  static const EnergyTable t = load_energy_table("horowitz45");
  return t;
}
const EnergyTable& aladdin() {
  static const EnergyTable t = load_energy_table("aladdin40");
  return t;
}

ArchConfig w8a8() {
  ArchConfig a;  // ws16 defaults: 16x16 ws, W8A8, 32-bit accumulators, 64 KiB buffers
  a.weight_bits = a.act_bits = 8;
  a.acc_bits = 32;
  return a;
}

TEST(EnergyTable, ShippedTablesLoadByNameAndNode) {
  EXPECT_EQ(horowitz().name, "horowitz45");
  EXPECT_EQ(horowitz().node, "45nm");
  EXPECT_EQ(load_energy_table("45nm").name, "horowitz45");
  EXPECT_EQ(aladdin().name, "aladdin40");
  EXPECT_EQ(aladdin().node, "40nm");
  EXPECT_EQ(load_energy_table("40nm").name, "aladdin40");
  for (const EnergyTable* t : {&horowitz(), &aladdin()})
    for (const TableRow& r : t->rows) EXPECT_FALSE(r.source.empty()) << t->name << " " << r.action;
}

TEST(MultiplierEnergy, DoublingBothOperandWidthsQuadruplesIt) {
  for (const EnergyTable* t : {&horowitz(), &aladdin()}) {
    EXPECT_EQ(mult_int_pj(*t, 16, 16), 4 * mult_int_pj(*t, 8, 8)) << t->name;
    EXPECT_EQ(mult_int_pj(*t, 8, 8), 4 * mult_int_pj(*t, 4, 4)) << t->name;
    EXPECT_EQ(mult_int_pj(*t, 8, 4), 2 * mult_int_pj(*t, 4, 4)) << t->name;
  }
  EXPECT_EQ(mult_int_pj(horowitz(), 8, 8), 0.2);      // the table's own 8-bit row
  EXPECT_EQ(mult_int_pj(aladdin(), 32, 32), 12.68);   // the table's own 32x32 row
}

TEST(AdderEnergy, IsLinearInAccumulatorWidth) {
  for (const EnergyTable* t : {&horowitz(), &aladdin()}) {
    EXPECT_EQ(add_int_pj(*t, 32), 2 * add_int_pj(*t, 16)) << t->name;
    EXPECT_DOUBLE_EQ(add_int_pj(*t, 24), 0.75 * add_int_pj(*t, 32)) << t->name;
  }
  EXPECT_EQ(add_int_pj(horowitz(), 32), 0.1);
}

TEST(MacEnergy, Int8OverFp32RatioIsTheTables) {
  ArchConfig a = w8a8();
  const ArchConfig fp = fp32_twin(a);
  // Horowitz 45 nm: (8-bit multiply 0.2 + 32-bit add 0.1) / (FP32 multiply 3.7 + FP32 add 0.9).
  EXPECT_DOUBLE_EQ(mac_energy_pj(a, horowitz()) / mac_energy_pj(fp, horowitz()), 0.3 / 4.6);
  // Aladdin 40 nm: (32x32 multiply 12.68 x 64/1024 + 32-bit add 0.21) / (15.1342 + 1.89).
  EXPECT_DOUBLE_EQ(mac_energy_pj(a, aladdin()) / mac_energy_pj(fp, aladdin()), (12.68 / 16 + 0.21) / (15.1342 + 1.89));
  EXPECT_EQ(mac_energy_pj(fp, horowitz()), 3.7 + 0.9);
}

TEST(SramEnergy, TablePointsComeBackExactly) {
  EXPECT_EQ(sram_access_pj(horowitz(), "sram_read", 8192, 64), 10.0);
  EXPECT_EQ(sram_access_pj(horowitz(), "sram_read", 32768, 64), 20.0);
  EXPECT_EQ(sram_access_pj(horowitz(), "sram_write", 1048576, 64), 100.0);
  EXPECT_EQ(sram_access_pj(aladdin(), "sram_read", 262144, 64), 43.4);
  EXPECT_EQ(sram_access_pj(aladdin(), "sram_write", 262144, 64), 30.9);
}

TEST(SramEnergy, LinearInWordWidth) {
  EXPECT_EQ(sram_access_pj(horowitz(), "sram_read", 32768, 128), 40.0);
  EXPECT_EQ(sram_access_pj(horowitz(), "sram_read", 32768, 32), 10.0);
  EXPECT_DOUBLE_EQ(sram_access_pj(horowitz(), "sram_read", 16384, 512),
                   8 * sram_access_pj(horowitz(), "sram_read", 16384, 64));
}

TEST(SramEnergy, LogLogBetweenAndBeyondTablePoints) {
  // 16 KiB: halfway between 8 KB (10 pJ) and 32 KB (20 pJ) in log(capacity): 10 x 2^(1/2).
  EXPECT_DOUBLE_EQ(sram_access_pj(horowitz(), "sram_read", 16384, 64), 10 * std::sqrt(2.0));
  // 64 KiB: one doubling above 32 KB on the 32 KB -> 1 MB segment (x5 over 32x capacity).
  EXPECT_DOUBLE_EQ(sram_access_pj(horowitz(), "sram_read", 65536, 64), 20 * std::pow(5.0, 1.0 / 5.0));
  // Outside the table: the end segments extended.
  EXPECT_DOUBLE_EQ(sram_access_pj(horowitz(), "sram_read", 4096, 64), 10 / std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(sram_access_pj(horowitz(), "sram_read", 2097152, 64), 100 * std::pow(5.0, 1.0 / 5.0));
  // Aladdin's derived points lie on the same log-log lines through the CACTI 256 KiB figure.
  EXPECT_NEAR(sram_access_pj(aladdin(), "sram_read", 65536, 64),
              43.4 * std::pow(5.0, -2.0 / 5.0), 1e-3);
}

TEST(RegisterBits, MovingOperandAndPartialSumPerMacPlusStationaryLoads) {
  LayerCounters k;
  k.macs = 1000;
  k.weight.reads = 64;
  k.ifmap.reads = 100;
  ArchConfig a = w8a8();
  a.weight_bits = 4;
  a.act_bits = 6;
  a.acc_bits = 24;
  a.dataflow = Dataflow::WeightStationary;
  EXPECT_EQ(register_bits(k, a), 1000 * (6 + 24) + 64 * 4);
  a.dataflow = Dataflow::InputStationary;
  EXPECT_EQ(register_bits(k, a), 1000 * (4 + 24) + 100 * 6);
  a.dataflow = Dataflow::OutputStationary;
  EXPECT_EQ(register_bits(k, a), 1000 * (6 + 4 + 24));
  EXPECT_EQ(register_bits(k, fp32_twin(a)), 1000 * 96);
}

// A conv-like layer on a design whose buffers' banks sit on table capacities (32 KB), priced by
// hand from the table's rows.
TEST(LayerEnergy, EqualsCountsTimesCostsFromTheRows) {
  ArchConfig a = w8a8();
  a.ifmap = {65536, 2, 16, 1, true};   // 32 KiB banks, 128-bit words
  a.weight = {65536, 2, 8, 1, true};   // 32 KiB banks, 64-bit words
  a.ofmap = {65536, 2, 64, 1, true};   // 32 KiB banks, 512-bit words
  LayerCounters k;
  k.macs = 123456;
  k.ifmap.reads = 5000;
  k.weight.reads = 2304;
  k.ofmap.reads = 7000;
  k.ofmap.writes = 7500;
  k.dram_read_bytes = 40000;
  k.dram_write_bytes = 9000;
  const EnergyTable& t = horowitz();
  const double mult = t.row("mult_int").value, add = t.row("add_int").value, reg = t.row("register_bit").value;
  const double dram = t.row("dram_byte").value;
  double read32k = 0, write32k = 0;  // 64-bit access at 32 KB
  for (const TableRow* r : t.rows_of("sram_read"))
    if (r->capacity_bytes == 32768) read32k = r->value;
  for (const TableRow* r : t.rows_of("sram_write"))
    if (r->capacity_bytes == 32768) write32k = r->value;
  ASSERT_EQ(read32k, 20.0);
  ASSERT_EQ(write32k, 20.0);
  const EnergyBreakdown e = layer_energy(k, true, a, t);
  EXPECT_DOUBLE_EQ(e.mac_pj, 123456 * (mult * 64 / 64 + add * 32 / 32));
  EXPECT_DOUBLE_EQ(e.register_pj, (123456.0 * (8 + 32) + 2304.0 * 8) * reg);
  // accesses = operands x operand bits / word bits; energy per access = 64-bit value x word bits / 64
  EXPECT_DOUBLE_EQ(e.ifmap_sram_pj, (5000.0 * 8 / 128) * (read32k * 128 / 64));
  EXPECT_DOUBLE_EQ(e.weight_sram_pj, (2304.0 * 8 / 64) * read32k);
  EXPECT_DOUBLE_EQ(e.ofmap_sram_pj, (7000.0 * 32 / 512) * (read32k * 8) + (7500.0 * 32 / 512) * (write32k * 8));
  EXPECT_DOUBLE_EQ(e.dram_pj, 49000 * dram);
  EXPECT_DOUBLE_EQ(e.total_pj(), e.mac_pj + e.register_pj + e.ifmap_sram_pj + e.weight_sram_pj + e.ofmap_sram_pj +
                                     e.dram_pj);
  // The same counters on the post-processing unit: no MACs, no PE registers, activations in ofmap.
  const EnergyBreakdown v = layer_energy(k, false, a, t);
  EXPECT_EQ(v.mac_pj, 0.0);
  EXPECT_EQ(v.register_pj, 0.0);
  EXPECT_DOUBLE_EQ(v.ofmap_sram_pj, (7000.0 * 8 / 512) * (read32k * 8) + (7500.0 * 8 / 512) * (write32k * 8));
  // The FP32 twin prices 4-byte words and FP32 MACs on the same counters.
  const EnergyBreakdown f = layer_energy(k, true, fp32_twin(a), t);
  EXPECT_DOUBLE_EQ(f.mac_pj, 123456 * (3.7 + 0.9));
  EXPECT_DOUBLE_EQ(f.ifmap_sram_pj, 4 * e.ifmap_sram_pj);
  EXPECT_DOUBLE_EQ(f.weight_sram_pj, 4 * e.weight_sram_pj);
}

// The DMA's accesses of the buffers: fills priced as writes, drains as reads, of the same operand
// widths as the array's accesses.
TEST(LayerEnergy, DmaFillsAreWritesAndDrainsAreReads) {
  ArchConfig a = w8a8();
  a.ifmap = {65536, 2, 16, 1, true};  // 32 KiB banks
  a.weight = {65536, 2, 8, 1, true};
  a.ofmap = {65536, 2, 64, 1, true};
  LayerCounters k;
  k.ifmap.fill_writes = 4096;
  k.weight.fill_writes = 1024;
  k.ofmap.drain_reads = 512;
  const EnergyTable& t = horowitz();
  const EnergyBreakdown e = layer_energy(k, true, a, t);
  EXPECT_DOUBLE_EQ(e.ifmap_sram_pj, (4096.0 * 8 / 128) * sram_access_pj(t, "sram_write", 32768, 128));
  EXPECT_DOUBLE_EQ(e.weight_sram_pj, (1024.0 * 8 / 64) * sram_access_pj(t, "sram_write", 32768, 64));
  EXPECT_DOUBLE_EQ(e.ofmap_sram_pj, (512.0 * 32 / 512) * sram_access_pj(t, "sram_read", 32768, 512));  // accumulator words
  EXPECT_DOUBLE_EQ(layer_energy(k, false, a, t).ofmap_sram_pj,
                   (512.0 * 8 / 512) * sram_access_pj(t, "sram_read", 32768, 512));  // output activations
  // On aladdin40 a write costs less than a read: the fills use the write rows.
  const EnergyBreakdown w = layer_energy(k, true, a, aladdin());
  EXPECT_DOUBLE_EQ(w.ifmap_sram_pj, (4096.0 * 8 / 128) * sram_access_pj(aladdin(), "sram_write", 32768, 128));
  EXPECT_LT(w.ifmap_sram_pj, (4096.0 * 8 / 128) * sram_access_pj(aladdin(), "sram_read", 32768, 128));
}

TEST(Area, PeAndSramFromTheRows) {
  ArchConfig a = w8a8();
  const AreaBreakdown q = design_area(a, horowitz());
  // 8x8 multiply 282 + 32-bit add 36 x 32/8 + (8 + 8 + 32) flip-flop bits x 36/8.
  EXPECT_DOUBLE_EQ(q.pe_um2, 282 + 144 + 48 * 4.5);
  EXPECT_DOUBLE_EQ(q.array_mm2, 256 * q.pe_um2 / 1e6);
  EXPECT_DOUBLE_EQ(q.sram_mm2, 192 * 8192 * 0.346 / 1e6);  // 3 x 64 KiB of 0.346 um2 cells
  EXPECT_DOUBLE_EQ(q.total_mm2, q.array_mm2 + q.sram_mm2);
  const AreaBreakdown f = design_area(fp32_twin(a), horowitz());
  EXPECT_DOUBLE_EQ(f.pe_um2, 7700 + 4184 + 96 * 4.5);
  EXPECT_EQ(f.sram_mm2, q.sram_mm2);
  a.weight_bits = a.act_bits = 4;
  a.acc_bits = 16;
  EXPECT_DOUBLE_EQ(design_area(a, horowitz()).pe_um2, 282.0 / 4 + 72 + 24 * 4.5);
}

TEST(Fp32Twin, SameDesignWithFp32Operands) {
  ArchConfig a = w8a8();
  a.name = "edge";
  a.rows = 8;
  a.dataflow = Dataflow::OutputStationary;
  const ArchConfig t = fp32_twin(a);
  EXPECT_EQ(t.operands, OperandMode::Fp32);
  EXPECT_EQ(t.name, "edge-fp32");
  EXPECT_EQ(t.rows, 8);
  EXPECT_EQ(t.dataflow, Dataflow::OutputStationary);
  EXPECT_EQ(t.ifmap.capacity_bytes, a.ifmap.capacity_bytes);
  EXPECT_EQ(t.dram.bytes_per_cycle, a.dram.bytes_per_cycle);
  EXPECT_EQ(t.act_word_bits(), 32);
  EXPECT_EQ(t.weight_word_bits(), 32);
  EXPECT_EQ(t.acc_word_bits(), 32);
  EXPECT_EQ(a.act_word_bits(), 8);
  EXPECT_EQ(fp32_twin(t).name, "edge-fp32");  // idempotent
}

}  // namespace
}  // namespace qarray
