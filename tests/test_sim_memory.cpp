// Memory timing: DRAM latency and bandwidth through the DMA, double buffering, tile re-fetch.
// Stalls appear exactly when a fold's tiles take longer to load than the fold before them takes
// to compute, and grow by that difference per fold.
#include <gtest/gtest.h>

#include <random>

#include "sim/dram.h"
#include "sim/post_processing.h"
#include "sim/simulator.h"
#include "sim/stimulus.h"
#include "tests/sim_fixtures.h"

namespace qarray {
namespace {

// An fc layer of K inputs and OC outputs on P images: K x OC weights, P vectors.
using Fc = testing::FcLayer;
Fc fc(int64_t k, int64_t oc, int64_t p) { return testing::fc_layer(k, oc, p, 1); }

ArchConfig arch8(double bytes_per_cycle, int64_t latency) {
  ArchConfig a;
  a.rows = a.cols = 8;
  a.dram.bytes_per_cycle = bytes_per_cycle;
  a.dram.latency_cycles = latency;
  a.dram.burst_bytes = 64;
  return a;
}

// The stalls here are DRAM's alone: these buffers' ports keep up (tests/test_sim_sram.cpp).
LayerCounters run(const Fc& f, const ArchConfig& a) {
  const LayerCounters k = simulate_layer(f.net, 0, f.x, a).counters;
  EXPECT_EQ(k.sram_stall_cycles, 0);
  EXPECT_EQ(k.dram_stall_cycles, k.stall_cycles);
  return k;
}

// K = 32 on 8 rows: 4 folds, each loading a new 8 x 64 input tile (512 B) and 8 x 8 weight tile
// (64 B); each fold computes T = 2*8 + 8 + 64 - 2 = 86 cycles; the 64 x 8 output (512 B) is
// written back at the end.
constexpr int64_t kT = 86, kFoldBytes = 576, kOutBytes = 512, kLatency = 10;

TEST(Dram, TransferIsLatencyPlusWholeBurstsOverBandwidth) {
  Dram d;
  d.configure({2.5, 40, 32});  // 2.5 B/cycle, 40 cycles, 32-byte bursts
  EXPECT_EQ(d.burst_bytes(0), 0);
  EXPECT_EQ(d.burst_bytes(1), 32);
  EXPECT_EQ(d.burst_bytes(32), 32);
  EXPECT_EQ(d.burst_bytes(33), 64);
  EXPECT_EQ(d.transfer_cycles(0), 0);
  EXPECT_EQ(d.transfer_cycles(32), 40 + 13);  // 12.8 beats round up
  EXPECT_EQ(d.transfer_cycles(64), 40 + 26);  // 25.6
  EXPECT_EQ(d.transfer_cycles(160), 40 + 64);  // exactly 64: no extra cycle
}

TEST(MemoryStalls, OnlyColdLoadAndWriteBackWhenBandwidthCoversTheFold) {
  const Fc f = fc(32, 8, 64);
  const ArchConfig a = arch8(8, kLatency);  // a fold loads in 10 + 576/8 = 82 <= 86 cycles
  const LayerCounters k = run(f, a);
  EXPECT_EQ(k.folds, 4);
  EXPECT_EQ(k.stall_cycles, (kLatency + kFoldBytes / 8) + (kLatency + kOutBytes / 8));
  EXPECT_EQ(k.total_cycles, 82 + 4 * kT + PostProcessing::kLatencyCycles + 74);
  EXPECT_EQ(k.dram_read_bytes, 4 * kFoldBytes);  // every tile once: the compulsory traffic
  EXPECT_EQ(k.dram_write_bytes, kOutBytes);
}

TEST(MemoryStalls, AppearExactlyWhenALoadOutlastsTheFold) {
  const Fc f = fc(32, 8, 64);
  // 7.5 B/cycle: a fold loads in 10 + ceil(576 / 7.5) = 87 cycles, one more than it computes.
  const LayerCounters k = run(f, arch8(7.5, kLatency));
  EXPECT_EQ(k.stall_cycles, 87 + 3 * (87 - kT) + (kLatency + 69));  // write-back: ceil(512 / 7.5) = 69
}

TEST(MemoryStalls, GrowByTheLoadMinusComputePerFold) {
  const Fc f = fc(32, 8, 64);
  for (double bw : {4.0, 2.0, 1.0}) {
    const int64_t load = kLatency + static_cast<int64_t>(kFoldBytes / bw);
    const int64_t write = kLatency + static_cast<int64_t>(kOutBytes / bw);
    const LayerCounters k = run(f, arch8(bw, kLatency));
    EXPECT_EQ(k.stall_cycles, load + 3 * (load - kT) + write) << bw << " B/cycle";
    EXPECT_EQ(k.total_cycles - k.stall_cycles, 4 * kT + PostProcessing::kLatencyCycles);
  }
}

TEST(MemoryStalls, WithoutDoubleBufferingEveryLoadIsExposed) {
  const Fc f = fc(32, 8, 64);
  ArchConfig a = arch8(8, kLatency);
  a.ifmap.double_buffer = a.weight.double_buffer = false;
  const LayerCounters k = run(f, a);
  EXPECT_EQ(k.stall_cycles, 4 * (kLatency + kFoldBytes / 8) + (kLatency + kOutBytes / 8));
}

TEST(MemoryStalls, ASingleBufferedOfmapWaitsForEachWriteBack) {
  // fc 8 -> 8 on 64 vectors; 256-byte accumulator tiles (8 rows of 8 x 4 bytes) split P into 8
  // folds of T = 2*8 + 8 + 8 - 2 = 30 cycles, each its own tile. At 64 B/cycle the DMA
  // ports bind (sim/README.md "SRAM banks and ports"): an 8 x 8-byte tile is 8 words over 4 banks,
  // 2 cycles, so a fold's input tile loads in 10 + 2 = 12 cycles, the cold load (inputs and
  // weights) in 10 + 2 + 2 = 14, and a tile's write-back (8 x 8 output codes) in W = 10 + 2 = 12.
  // With a double-buffered ofmap both hide behind the next fold (3 + W + 12 <= 30): only the cold
  // load and the last write-back stall. With one buffer, each of the 7 later tiles first waits for
  // the previous one to leave post-processing (3 cycles) and reach DRAM (W).
  const Fc f = fc(8, 8, 64);
  ArchConfig a = arch8(64, kLatency);
  a.ofmap.capacity_bytes = 512;
  const LayerCounters twice = run(f, a);
  a.ofmap.capacity_bytes = 256;
  a.ofmap.double_buffer = false;
  const LayerCounters once = run(f, a);
  constexpr int64_t kCold = kLatency + 2 + 2, kW = kLatency + 2;
  EXPECT_EQ(twice.folds, 8);
  EXPECT_EQ(once.folds, 8);
  EXPECT_EQ(twice.stall_cycles, kCold + kW);
  EXPECT_EQ(once.stall_cycles, kCold + 7 * (PostProcessing::kLatencyCycles + kW) + kW);
  EXPECT_EQ(once.total_cycles - once.stall_cycles, twice.total_cycles - twice.stall_cycles);
  EXPECT_EQ(once.dram_write_bytes, twice.dram_write_bytes);
}

TEST(MemoryTraffic, ResidentWeightsAreFetchedOnceOthersPerUse) {
  // 16 outputs = 2 column tiles; a 256-byte input tile holds 32 of the 64 vectors = 2 p tiles.
  // Folds: (p0, oc0) (p0, oc1) (p1, oc0) (p1, oc1). Inputs change with p: fetched twice.
  const Fc f = fc(8, 16, 64);
  ArchConfig a = arch8(16, 100);
  a.ifmap.capacity_bytes = 512;
  a.ifmap.banks = 1;
  a.ifmap.word_bytes = 8;
  a.weight.banks = 1;
  a.weight.word_bytes = 8;
  a.weight.capacity_bytes = 256;  // 128-byte tiles hold all 8 x 16 weights: each tile once
  const LayerCounters resident = run(f, a);
  EXPECT_EQ(resident.folds, 4);
  EXPECT_EQ(resident.dram_read_bytes, 2 * 256 + 2 * 64);
  EXPECT_EQ(resident.dram_write_bytes, 4 * 256);
  a.weight.capacity_bytes = 128;  // 64-byte tiles: one weight tile at a time, re-fetched
  const LayerCounters refetch = run(f, a);
  EXPECT_EQ(refetch.dram_read_bytes, 2 * 256 + 4 * 64);
  EXPECT_EQ(refetch.dram_write_bytes, 4 * 256);
}

TEST(MemoryTraffic, TilesAreMovedInWholeBursts) {
  const Fc f = fc(3, 5, 2);  // 6 input bytes, 15 weight bytes, 10 output bytes
  ArchConfig a = arch8(16, 7);
  a.dram.burst_bytes = 32;
  const LayerCounters k = run(f, a);
  EXPECT_EQ(k.dram_read_bytes, 64);
  EXPECT_EQ(k.dram_write_bytes, 32);
  EXPECT_EQ(k.stall_cycles, (7 + 64 / 16) + (7 + 32 / 16));
}

TEST(MemoryTraffic, LayersLargerThanTheBuffersAreTiledNotRejected) {
  // edge8: 8 KiB tiles. A 3x3 conv 32 -> 16 on 28x28 has a 288 x 784 operand matrix (220 KiB).
  LayerSpec s;
  s.ifmap_h = s.ifmap_w = 28;
  s.filter_h = s.filter_w = 3;
  s.channels = 32;
  s.filters = 16;
  s.pad = 1;
  const Network net = random_layer_network(s, 8, 8, 32, 5);
  const IntTensor x = random_input(net, 1, 6);
  const IntTensor want = GoldenExecutor(net).run_layer(0, {&x});
  for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
    ArchConfig a = load_arch_config(std::string(QARRAY_SOURCE_DIR) + "/configs/edge8.json");
    a.dataflow = df;
    const SimResult r = simulate_layer(net, 0, x, a);
    EXPECT_EQ(r.output.data, want.data) << dataflow_name(df);
    const LayerCounters& k = r.counters;
    EXPECT_GE(k.folds, 36 * 2) << dataflow_name(df);
    EXPECT_GE(k.dram_read_bytes, 288 * 784 + 288 * 16) << dataflow_name(df);  // at least compulsory
    EXPECT_EQ(k.total_cycles, k.weight_load_cycles + k.compute_cycles + k.drain_cycles + k.stall_cycles);
    EXPECT_GT(k.stall_cycles, 0);  // 4 B/cycle cannot feed the array
  }
}

}  // namespace
}  // namespace qarray
