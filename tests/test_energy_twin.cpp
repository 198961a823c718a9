// The FP32 twin on the real cycle model: 4-byte operands and accumulator words size its tiles and
// DMA transfers. For a layer whose tiles are the same on both designs (and 1-byte bursts, so no
// rounding) every DRAM byte count is exactly 4x the INT8 design's and the schedule is unchanged;
// when the ifmap buffer limits the tile, the twin needs 4x the folds of 8-bit activations.
#include <gtest/gtest.h>

#include "energy/energy_model.h"
#include "sim/controller.h"
#include "sim/simulator.h"
#include "sim/stimulus.h"

namespace qarray {
namespace {

ArchConfig int8_design() {
  ArchConfig a;  // 16x16 ws, W8A8, acc 32, 64 KiB buffers
  a.dram.burst_bytes = 1;
  return a;
}

struct Pair {
  LayerCounters q, fp;
};

Pair run_both(const LayerSpec& spec, const ArchConfig& a) {
  const Network net = random_layer_network(spec, 8, 8, 32, 7);
  const IntTensor x = random_input(net, 1, 8);
  const SimResult q = simulate_layer(net, 0, x, a);
  const SimResult fp = simulate_layer(net, 0, x, fp32_twin(a));
  EXPECT_EQ(fp.output.data, q.output.data);  // the twin runs the integer network for its schedule
  return {q.counters, fp.counters};
}

TEST(Fp32TwinSim, LayerThatFitsMovesExactlyFourTimesTheBytes) {
  LayerSpec fc;
  fc.kind = LayerKind::Fc;
  fc.channels = 64;
  fc.filters = 32;
  const Pair r = run_both(fc, int8_design());
  // 64 inputs + 64 x 32 weights in, 32 outputs back: one byte each on the INT8 design.
  EXPECT_EQ(r.q.dram_read_bytes, 64 + 64 * 32);
  EXPECT_EQ(r.q.dram_write_bytes, 32);
  EXPECT_EQ(r.fp.dram_read_bytes, 4 * r.q.dram_read_bytes);
  EXPECT_EQ(r.fp.dram_write_bytes, 4 * r.q.dram_write_bytes);
  EXPECT_EQ(r.fp.folds, r.q.folds);
  EXPECT_EQ(r.fp.macs, r.q.macs);
  EXPECT_EQ(r.fp.ifmap.reads, r.q.ifmap.reads);
  EXPECT_EQ(r.fp.weight.reads, r.q.weight.reads);
  EXPECT_EQ(r.fp.ofmap.writes, r.q.ofmap.writes);
}

TEST(Fp32TwinSim, EveryDataflowMovesExactlyFourTimesTheBytesOfALayerThatFits) {
  LayerSpec fc;
  fc.kind = LayerKind::Fc;
  fc.channels = 48;
  fc.filters = 40;
  for (Dataflow d : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
    ArchConfig a = int8_design();
    a.dataflow = d;
    const Pair r = run_both(fc, a);
    EXPECT_EQ(r.q.dram_read_bytes, 48 + 48 * 40) << dataflow_name(d);
    EXPECT_EQ(r.fp.dram_read_bytes, 4 * r.q.dram_read_bytes) << dataflow_name(d);
    EXPECT_EQ(r.fp.dram_write_bytes, 4 * r.q.dram_write_bytes) << dataflow_name(d);
    EXPECT_EQ(r.fp.folds, r.q.folds) << dataflow_name(d);
  }
}

TEST(Fp32TwinSim, ConvLayerThatFitsMovesExactlyFourTimesTheBytes) {
  LayerSpec conv;
  conv.ifmap_h = conv.ifmap_w = 10;
  conv.filter_h = conv.filter_w = 3;
  conv.channels = 8;
  conv.filters = 24;
  const Pair r = run_both(conv, int8_design());
  EXPECT_GT(r.q.dram_read_bytes, 0);
  EXPECT_EQ(r.fp.dram_read_bytes, 4 * r.q.dram_read_bytes);
  EXPECT_EQ(r.fp.dram_write_bytes, 4 * r.q.dram_write_bytes);
  EXPECT_EQ(r.fp.folds, r.q.folds);
  EXPECT_GE(r.fp.total_cycles, r.q.total_cycles);  // same compute, more bytes over the same DRAM
}

TEST(Fp32TwinSim, SmallIfmapBufferHoldsAQuarterOfTheVectors) {
  ArchConfig a = int8_design();
  a.ifmap = {1024, 1, 16, 1, true};  // 512 bytes per tile: 32 vectors of 16 x 8 bits, 8 of 16 x 32 bits
  LayerSpec conv;
  conv.ifmap_h = conv.ifmap_w = 8;   // 64 output pixels, 1x1 filter: K = 16, OC = 16, P = 64
  conv.channels = 16;
  conv.filters = 16;
  EXPECT_EQ(dataflow_unit(a).plan(16, 16, 64, a).p_tile, 32);
  EXPECT_EQ(dataflow_unit(a).plan(16, 16, 64, fp32_twin(a)).p_tile, 8);
  const Pair r = run_both(conv, a);
  EXPECT_EQ(r.q.folds, 2);
  EXPECT_EQ(r.fp.folds, 8);
  EXPECT_EQ(r.fp.macs, r.q.macs);
  EXPECT_GT(r.fp.total_cycles, r.q.total_cycles);
}

TEST(Fp32TwinSim, ArchFileSelectsFp32Operands) {
  const std::string json = R"({"name": "t", "array": {"rows": 4, "cols": 4, "dataflow": "os"},
    "weight_bits": 8, "act_bits": 8, "acc_bits": 32, "clock_mhz": 500, "operands": "fp32",
    "sram": {"ifmap": {"capacity_bytes": 4096, "banks": 1, "word_bytes": 8, "ports": 1, "double_buffer": true},
             "weight": {"capacity_bytes": 4096, "banks": 1, "word_bytes": 8, "ports": 1, "double_buffer": true},
             "ofmap": {"capacity_bytes": 4096, "banks": 1, "word_bytes": 8, "ports": 1, "double_buffer": true}},
    "dram": {"bytes_per_cycle": 8, "latency_cycles": 10, "burst_bytes": 32}})";
  const ArchConfig a = parse_arch_config(json, "t.json");
  EXPECT_EQ(a.operands, OperandMode::Fp32);
  EXPECT_EQ(a.act_word_bits(), 32);
  std::string bad = json;
  bad.replace(bad.find("\"fp32\""), 6, "\"fp16\"");
  try {
    parse_arch_config(bad, "t.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "t.json: operands: unknown operand mode 'fp16' (expected int or fp32)");
  }
}

}  // namespace
}  // namespace qarray
