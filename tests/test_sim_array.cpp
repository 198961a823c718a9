// The cycle model, every dataflow: bit-exact with the golden executor on random conv, depthwise
// and fc layers, and cycle counts equal to the formulas of sim/README.md.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "base/errors.h"
#include "sim/post_processing.h"
#include "sim/simulator.h"
#include "tests/golden_fixtures.h"
#include "workloads/golden.h"

namespace qarray {
namespace {

using testing::ConvCase;

ArchConfig array_arch(int rows, int cols, int bits, Dataflow df = Dataflow::WeightStationary) {
  ArchConfig a;
  a.dataflow = df;
  a.name = std::to_string(rows) + "x" + std::to_string(cols);
  a.rows = rows;
  a.cols = cols;
  a.weight_bits = a.act_bits = bits;
  return a;
}

IntTensor random_input(const Network& net, int64_t images, std::mt19937& rng) {
  const ActTensor& in = net.tensors[net.input];
  Shape s{images};
  s.insert(s.end(), in.shape.begin(), in.shape.end());
  IntTensor x(s);
  std::uniform_int_distribution<int32_t> v(0, act_qmax(in.quant.bits));
  for (auto& e : x.data) e = v(rng);
  return x;
}

// sim/README.md's formulas, written independently of the model, for a pass of K x OC weights and P
// vectors; `tile` is the buffer-limited tile of the streamed dimension (P for ws, OC for is,
// K for os). Per fold: ws 2R + C + p_len - 2, is 2R + C + oc_len - 2, os k_len + 2R + C - 2;
// plus the post-processing drain once per layer.
int64_t formula_cycles(int64_t K, int64_t OC, int64_t P, int64_t tile, const ArchConfig& a) {
  const int64_t R = a.rows, C = a.cols;
  auto ceil_div = [](int64_t x, int64_t y) { return (x + y - 1) / y; };
  int64_t cycles = 0;
  switch (a.dataflow) {
    case Dataflow::WeightStationary:
      for (int64_t p0 = 0; p0 < P; p0 += tile)
        cycles += ceil_div(K, R) * ceil_div(OC, C) * (2 * R + C + std::min(tile, P - p0) - 2);
      break;
    case Dataflow::InputStationary:
      for (int64_t o0 = 0; o0 < OC; o0 += tile)
        cycles += ceil_div(K, R) * ceil_div(P, C) * (2 * R + C + std::min(tile, OC - o0) - 2);
      break;
    case Dataflow::OutputStationary:
      for (int64_t k0 = 0; k0 < K; k0 += tile)
        cycles += ceil_div(P, R) * ceil_div(OC, C) * (std::min(tile, K - k0) + 2 * R + C - 2);
      break;
  }
  return cycles + PostProcessing::kLatencyCycles;
}
// Cycles not spent waiting for memory: what the compute formulas predict. These configs' SRAM
// ports keep up with the array (tests/test_sim_sram.cpp times the ones that do not).
int64_t busy(const LayerCounters& k) {
  EXPECT_EQ(k.sram_stall_cycles, 0);
  return k.total_cycles - k.stall_cycles;
}

// One DMA transfer of the given tiles (each rounded up to whole bursts).
int64_t load_cycles(std::vector<int64_t> tile_bytes, const ArchConfig& a) {
  int64_t bytes = 0;
  for (int64_t b : tile_bytes) bytes += (b + a.dram.burst_bytes - 1) / a.dram.burst_bytes * a.dram.burst_bytes;
  return a.dram.latency_cycles + static_cast<int64_t>(std::ceil(bytes / a.dram.bytes_per_cycle));
}

int64_t ws_cycles(int64_t k, int64_t oc, int64_t p, int64_t p_tile, const ArchConfig& a) {
  return formula_cycles(k, oc, p, p_tile, a);
}

// The fixture's random multipliers often saturate every output of a small layer; pick, per
// output channel, the power-of-two scale that spreads its outputs over the most grid values, so
// that equality with golden means something.
void spread_outputs(Network& net, const IntTensor& x) {
  Layer& l = net.layers[0];
  const int64_t oc = l.out_channels();
  const int64_t per = [&] {
    int64_t n = 1;
    for (size_t i = 1; i < net.tensors[l.output].shape.size(); ++i) n *= net.tensors[l.output].shape[i];
    return n;
  }();
  std::vector<size_t> best(oc, 0);
  std::vector<QuantizedMultiplier> chosen(oc, l.requant[0]);
  for (int e = -31; e <= 0; ++e) {
    const QuantizedMultiplier m = quantize_multiplier(0.75 * std::ldexp(1.0, e));
    l.requant.assign(oc, m);
    const IntTensor y = GoldenExecutor(net).run_layer(0, {&x});
    for (int64_t c = 0; c < oc; ++c) {
      std::set<int32_t> values;
      for (int64_t n = 0; n < x.shape[0]; ++n)
        values.insert(y.data.begin() + (n * oc + c) * per, y.data.begin() + (n * oc + c + 1) * per);
      if (values.size() > best[c]) {
        best[c] = values.size();
        chosen[c] = m;
      }
    }
  }
  l.requant = chosen;
}

void expect_bit_exact(const ConvCase& cc, int rows, int cols, int64_t images, uint32_t seed,
                      Dataflow df = Dataflow::WeightStationary) {
  std::mt19937 rng(seed);
  std::vector<int64_t> bias_q;
  Network net = testing::random_mac_network(cc, rng, &bias_q);
  const IntTensor x = random_input(net, images, rng);
  // Shrink the fixture's bias (up to 2^20) so it does not drown the sums of a small layer.
  for (size_t o = 0; o < bias_q.size(); ++o)
    net.layers[0].bias[o] -= static_cast<int32_t>(bias_q[o] - bias_q[o] / 4096);
  spread_outputs(net, x);
  net.validate("random");
  ArchConfig arch = array_arch(rows, cols, std::max(cc.weight_bits, cc.act_bits), df);
  arch.acc_bits = cc.acc_bits;
  const IntTensor want = GoldenExecutor(net).run_layer(0, {&x});
  const SimResult got = simulate_layer(net, 0, x, arch);
  ASSERT_EQ(got.output.shape, want.shape);
  int64_t mismatches = 0;
  for (int64_t i = 0; i < want.size(); ++i)
    if (got.output.data[i] != want.data[i] && ++mismatches <= 3)
      ADD_FAILURE() << layer_kind_name(cc.kind) << " " << dataflow_name(df) << " on " << rows << "x" << cols << " W" << cc.weight_bits
                    << "A" << cc.act_bits << ": output " << i << " got " << got.output.data[i] << " expected "
                    << want.data[i];
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(got.counters.macs, net.macs_per_sample() * images);
  // Guard against a trivially equal case (everything clamped to one value).
  EXPECT_GT(std::set<int32_t>(want.data.begin(), want.data.end()).size(), 4u);
}

class BitExact : public ::testing::TestWithParam<std::tuple<Dataflow, int, int>> {};

TEST_P(BitExact, ConvDepthwiseFcEqualGolden) {
  const auto [df, dim, bits] = GetParam();
  const uint32_t seed = 1000u * dim + 10u * static_cast<uint32_t>(df) + bits;
  ConvCase conv{LayerKind::Conv, 5, 9, 8, 11, {3, 3, 1, 1, 1, 1, 1, 1}, bits, bits, 32};
  expect_bit_exact(conv, dim, dim, 2, seed, df);
  ConvCase strided{LayerKind::Conv, 3, 11, 10, 6, {3, 2, 2, 1, 0, 1, 2, 0}, bits, bits, 32};
  expect_bit_exact(strided, dim, dim, 1, seed + 1, df);
  ConvCase pointwise{LayerKind::Conv, 20, 5, 5, 18, {1, 1, 1, 1, 0, 0, 0, 0}, bits, bits, 32};
  expect_bit_exact(pointwise, dim, dim, 2, seed + 2, df);
  ConvCase dw{LayerKind::Depthwise, 7, 8, 9, 7, {3, 3, 1, 2, 1, 1, 1, 1}, bits, bits, 32};
  expect_bit_exact(dw, dim, dim, 2, seed + 3, df);
  ConvCase fc{LayerKind::Fc, 4, 3, 3, 13, {1, 1, 1, 1, 0, 0, 0, 0}, bits, bits, 32};
  expect_bit_exact(fc, dim, dim, 3, seed + 4, df);
}

std::string param_name(const ::testing::TestParamInfo<BitExact::ParamType>& info) {
  const auto [df, dim, bits] = info.param;
  return std::string(dataflow_name(df)) + "_" + std::to_string(dim) + "x" + std::to_string(dim) + "_int" +
         std::to_string(bits);
}

INSTANTIATE_TEST_SUITE_P(DataflowsArraysWidths, BitExact,
                         ::testing::Combine(::testing::Values(Dataflow::WeightStationary, Dataflow::InputStationary,
                                                              Dataflow::OutputStationary),
                                            ::testing::Values(4, 8, 16), ::testing::Values(4, 8)),
                         param_name);

TEST(BitExactShapes, NonSquareArrays) {
  for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
    ConvCase conv{LayerKind::Conv, 6, 7, 7, 9, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 32};
    expect_bit_exact(conv, 3, 7, 1, 7, df);
    expect_bit_exact(conv, 8, 2, 1, 8, df);
    expect_bit_exact(conv, 1, 1, 1, 10, df);  // a single PE
    expect_bit_exact(conv, 1, 6, 1, 11, df);
    expect_bit_exact(conv, 6, 1, 1, 12, df);
    ConvCase dw{LayerKind::Depthwise, 5, 6, 6, 5, {5, 5, 1, 1, 2, 2, 2, 2}, 8, 8, 32};
    expect_bit_exact(dw, 4, 8, 1, 9, df);  // 25 taps > 4 rows: several k folds per channel
  }
}

TEST(BitExactShapes, NarrowAccumulatorWrapsLikeGolden) {
  // 18-bit accumulators overflow on 8x8-bit sums of 72 taps; the wrapped bits must agree.
  ConvCase conv{LayerKind::Conv, 8, 6, 6, 5, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 18};
  std::mt19937 rng(5);
  std::vector<int64_t> bias_q;
  const Network net = testing::random_mac_network(conv, rng, &bias_q);
  const IntTensor x = random_input(net, 2, rng);
  LayerStats stats;
  GoldenExecutor(net).run_layer(0, {&x}, &stats);
  EXPECT_GT(stats.overflows, 0);
  for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
    expect_bit_exact(conv, 4, 4, 2, 5, df);
    expect_bit_exact(conv, 8, 8, 2, 5, df);
  }
}

// ---- Timing rules (compute-bound: every tile fits, memory ideal) ----

struct Timed {
  Network net;
  SimResult r;
};

Timed run_fc(int64_t k, int64_t oc, int64_t images, const ArchConfig& arch) {
  std::mt19937 rng(11);
  std::vector<int64_t> bias_q;
  ConvCase cc{LayerKind::Fc, k, 1, 1, oc, {1, 1, 1, 1, 0, 0, 0, 0}, 8, 8, 32};
  Timed t{testing::random_mac_network(cc, rng, &bias_q), {}};
  t.r = simulate_layer(t.net, 0, random_input(t.net, images, rng), arch);
  return t;
}

TEST(WsTiming, OneFoldTakesTwoRowsPlusColsPlusVectorsMinusTwo) {
  const ArchConfig arch = array_arch(8, 8, 8);
  for (int64_t p : {1, 2, 7, 40}) {
    const LayerCounters k = run_fc(8, 8, p, arch).r.counters;
    EXPECT_EQ(k.folds, 1);
    EXPECT_EQ(busy(k), 2 * 8 + 8 + p - 2 + PostProcessing::kLatencyCycles) << "P=" << p;
    EXPECT_EQ(k.weight_load_cycles, 8);
    EXPECT_EQ(k.compute_cycles, p + 8 + 8 - 2);
    EXPECT_EQ(k.drain_cycles, PostProcessing::kLatencyCycles);
    EXPECT_EQ(k.stall_cycles, load_cycles({8 * p, 64}, arch) + load_cycles({8 * p}, arch));  // cold load, write-back
  }
}

TEST(WsTiming, FirstOutputValidAfterTwoRowsPlusColsMinusOnePlusPipeline) {
  // Vector 0 leaves the de-skew buffer at the end of stream cycle R + C - 2, after the R-cycle
  // preload: valid after 2R + C - 1 cycles, then kLatency post-processing stages.
  for (int dim : {4, 8, 16}) {
    const ArchConfig arch = array_arch(dim, dim + 3, 8);
    const LayerCounters k = run_fc(3, 3, 6, arch).r.counters;
    EXPECT_EQ(k.first_output_cycle - load_cycles({3 * 6, 3 * 3}, arch),
              2 * dim + (dim + 3) - 1 + PostProcessing::kLatencyCycles) << dim;
  }
}

TEST(WsTiming, PhysicalArraySetsLatencyEvenForATinyLayer) {
  // A 1x1 weight matrix still crosses all 16 rows and 16 columns.
  const ArchConfig arch = array_arch(16, 16, 8);
  const LayerCounters k = run_fc(1, 1, 4, arch).r.counters;
  EXPECT_EQ(busy(k), 2 * 16 + 16 + 4 - 2 + PostProcessing::kLatencyCycles);
  EXPECT_EQ(k.macs, 4);
  EXPECT_DOUBLE_EQ(k.pe_utilization, 4.0 / (k.total_cycles * 256.0));
}

TEST(WsTiming, FoldsAreCeilKOverRowsTimesCeilOcOverCols) {
  const ArchConfig arch = array_arch(4, 4, 8);
  for (auto [k, oc] : {std::pair<int64_t, int64_t>{4, 4}, {5, 4}, {4, 5}, {9, 13}, {16, 16}}) {
    const LayerCounters c = run_fc(k, oc, 10, arch).r.counters;
    const int64_t folds = ((k + 3) / 4) * ((oc + 3) / 4);
    EXPECT_EQ(c.folds, folds) << k << "x" << oc;
    EXPECT_EQ(busy(c), ws_cycles(k, oc, 10, 10, arch)) << k << "x" << oc;
    EXPECT_EQ(c.weight.reads, k * oc);
    EXPECT_EQ(c.ifmap.reads, ((oc + 3) / 4) * k * 10);
    EXPECT_EQ(c.ofmap.writes, ((k + 3) / 4) * oc * 10);
    EXPECT_EQ(c.ofmap.reads, ((k + 3) / 4 - 1) * oc * 10);
  }
}

TEST(WsTiming, ConvFollowsTheFormulaOnIm2colShape) {
  std::mt19937 rng(3);
  std::vector<int64_t> bias_q;
  ConvCase cc{LayerKind::Conv, 6, 10, 10, 20, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 32};
  const Network net = testing::random_mac_network(cc, rng, &bias_q);
  const ArchConfig arch = array_arch(16, 16, 8);
  const SimResult r = simulate_layer(net, 0, random_input(net, 1, rng), arch);
  const int64_t k = 6 * 9, p = 100;
  EXPECT_EQ(r.counters.folds, 4 * 2);
  EXPECT_EQ(busy(r.counters), ws_cycles(k, 20, p, p, arch));
  EXPECT_EQ(r.counters.macs, k * 20 * p);
}

TEST(WsTiming, AccumulatorCapacitySplitsTheStreamIntoTiles) {
  // 256-byte accumulator tile (512 double buffered) holds 8 columns x 8 vectors of 32-bit sums.
  ArchConfig arch = array_arch(8, 8, 8);
  arch.ofmap.capacity_bytes = 512;
  arch.ofmap.banks = 1;
  arch.ofmap.word_bytes = 32;
  arch.ofmap.ports = 2;  // a row read-modify-written each cycle on the second k fold
  const LayerCounters k = run_fc(12, 8, 20, arch).r.counters;
  EXPECT_EQ(k.folds, 2 * 3);  // two K folds for each of the tiles of 8, 8 and 4 vectors
  EXPECT_EQ(busy(k), ws_cycles(12, 8, 20, 8, arch));
}

TEST(WsTiming, IfmapCapacitySplitsTheStreamIntoTiles) {
  // 8 rows of 8-bit operands: a 64-byte tile holds 8 vectors.
  ArchConfig arch = array_arch(8, 8, 8);
  arch.ifmap.capacity_bytes = 64;
  arch.ifmap.banks = 1;
  arch.ifmap.word_bytes = 8;
  arch.ifmap.double_buffer = false;
  const LayerCounters k = run_fc(8, 3, 17, arch).r.counters;
  EXPECT_EQ(k.folds, 3);
  EXPECT_EQ(busy(k), ws_cycles(8, 3, 17, 8, arch));
}

TEST(WsTiming, DepthwiseRunsOnePassPerChannelGroup) {
  // 16 rows hold one 3x3 channel (16 / 9 = 1): 7 channels are 7 single-fold passes; on 32 rows
  // three channels share a pass (block-diagonal weights), so 3 passes.
  std::mt19937 rng(4);
  std::vector<int64_t> bias_q;
  ConvCase cc{LayerKind::Depthwise, 7, 6, 6, 7, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 32};
  const Network net = testing::random_mac_network(cc, rng, &bias_q);
  const IntTensor x = random_input(net, 1, rng);
  const ArchConfig a16 = array_arch(16, 16, 8), a32 = array_arch(32, 32, 8);
  const LayerCounters k16 = simulate_layer(net, 0, x, a16).counters;
  const LayerCounters k32 = simulate_layer(net, 0, x, a32).counters;
  EXPECT_EQ(k16.folds, 7);
  EXPECT_EQ(busy(k16), 7 * (2 * 16 + 16 + 36 - 2) + PostProcessing::kLatencyCycles);
  EXPECT_EQ(k32.folds, 3);
  EXPECT_EQ(busy(k32), 3 * (2 * 32 + 32 + 36 - 2) + PostProcessing::kLatencyCycles);
  EXPECT_EQ(k16.macs, 7 * 9 * 36);
  EXPECT_EQ(k32.macs, 7 * 9 * 36);
}

TEST(WsTiming, TimingIsDataIndependent) {
  const ArchConfig arch = array_arch(4, 8, 8);
  std::vector<int64_t> bias_q;
  ConvCase cc{LayerKind::Conv, 3, 6, 6, 9, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 32};
  std::mt19937 a(1), b(2);
  const Network na = testing::random_mac_network(cc, a, &bias_q), nb = testing::random_mac_network(cc, b, &bias_q);
  const LayerCounters ka = simulate_layer(na, 0, random_input(na, 1, a), arch).counters;
  const LayerCounters kb = simulate_layer(nb, 0, random_input(nb, 1, b), arch).counters;
  EXPECT_EQ(ka.total_cycles, kb.total_cycles);
  EXPECT_EQ(ka.first_output_cycle, kb.first_output_cycle);
}

TEST(IsTiming, OneFoldTakesTwoRowsPlusColsPlusChannelsMinusTwo) {
  const ArchConfig arch = array_arch(8, 8, 8, Dataflow::InputStationary);
  for (int64_t oc : {1, 5, 30}) {
    const LayerCounters k = run_fc(8, oc, 8, arch).r.counters;  // K = rows, P = cols
    EXPECT_EQ(k.folds, 1);
    EXPECT_EQ(busy(k), 2 * 8 + 8 + oc - 2 + PostProcessing::kLatencyCycles) << "OC=" << oc;
    EXPECT_EQ(k.weight_load_cycles, 8);  // the input tile preload
    EXPECT_EQ(k.first_output_cycle - load_cycles({64, 8 * oc}, arch), 2 * 8 + 8 - 1 + PostProcessing::kLatencyCycles);
  }
}

TEST(IsTiming, FoldsAreCeilKOverRowsTimesCeilVectorsOverCols) {
  const ArchConfig arch = array_arch(4, 4, 8, Dataflow::InputStationary);
  const LayerCounters k = run_fc(9, 6, 10, arch).r.counters;
  EXPECT_EQ(k.folds, 3 * 3);
  EXPECT_EQ(busy(k), formula_cycles(9, 6, 10, 6, arch));
  EXPECT_EQ(k.ifmap.reads, 9 * 10);  // every input read once into the PEs
  EXPECT_EQ(k.weight.reads, 3 * 9 * 6);  // the weights stream once per vector tile
}

TEST(IsTiming, WeightCapacitySplitsTheWeightStream) {
  // 4 rows of 8-bit weights: a 16-byte tile (32 double buffered) streams 4 weight columns.
  ArchConfig arch = array_arch(4, 4, 8, Dataflow::InputStationary);
  arch.weight.capacity_bytes = 32;
  arch.weight.banks = 1;
  arch.weight.word_bytes = 4;
  const LayerCounters k = run_fc(4, 10, 4, arch).r.counters;
  EXPECT_EQ(k.folds, 3);
  EXPECT_EQ(busy(k), formula_cycles(4, 10, 4, 4, arch));
}

TEST(OsTiming, OneFoldTakesReductionPlusTwoRowsPlusColsMinusTwo) {
  // Compute k_len + R + C - 2 cycles, then R cycles shifting the sums out; no preload.
  const ArchConfig arch = array_arch(8, 8, 8, Dataflow::OutputStationary);
  for (int64_t k : {1, 9, 100}) {
    const LayerCounters c = run_fc(k, 8, 8, arch).r.counters;
    EXPECT_EQ(c.folds, 1);
    EXPECT_EQ(busy(c), k + 2 * 8 + 8 - 2 + PostProcessing::kLatencyCycles) << "K=" << k;
    EXPECT_EQ(c.weight_load_cycles, 0);
    EXPECT_EQ(c.compute_cycles, k + 2 * 8 + 8 - 2);
  }
}

TEST(OsTiming, FirstOutputLeavesOneCycleAfterTheLastProduct) {
  // The last product lands in PE (R-1, C-1) in cycle K + R + C - 3; the bottom row leaves at the
  // end of the next cycle.
  for (int dim : {4, 8, 16}) {
    const ArchConfig arch = array_arch(dim, dim + 2, 8, Dataflow::OutputStationary);
    const LayerCounters c = run_fc(7, 3, dim, arch).r.counters;
    EXPECT_EQ(c.first_output_cycle - load_cycles({7 * dim, 7 * 3}, arch),
              7 + dim + (dim + 2) - 2 + 1 + PostProcessing::kLatencyCycles) << dim;
  }
}

TEST(OsTiming, FoldsAreCeilVectorsOverRowsTimesCeilOcOverCols) {
  const ArchConfig arch = array_arch(4, 4, 8, Dataflow::OutputStationary);
  const LayerCounters k = run_fc(20, 6, 9, arch).r.counters;
  EXPECT_EQ(k.folds, 3 * 2);
  EXPECT_EQ(busy(k), formula_cycles(20, 6, 9, 20, arch));
  EXPECT_EQ(k.ofmap.writes, 6 * 9);  // one write per output, no partial sums
  EXPECT_EQ(k.ofmap.reads, 0);
}

TEST(OsTiming, BufferCapacitySplitsTheReduction) {
  // 4 rows of 8-bit inputs: a 32-byte ifmap tile (64 double buffered) holds 8 reduction steps.
  ArchConfig arch = array_arch(4, 4, 8, Dataflow::OutputStationary);
  arch.ifmap.capacity_bytes = 64;
  arch.ifmap.banks = 1;
  arch.ifmap.word_bytes = 4;
  const LayerCounters k = run_fc(20, 4, 4, arch).r.counters;
  EXPECT_EQ(k.folds, 3);
  EXPECT_EQ(busy(k), formula_cycles(20, 4, 4, 8, arch));
  EXPECT_EQ(k.ofmap.reads, 2 * 16);  // the second and third k tiles read-modify-write
}

TEST(AllDataflowsTiming, RandomConvLayersMatchTheFormula) {
  std::mt19937 rng(21);
  std::uniform_int_distribution<int> d(1, 12);
  for (int i = 0; i < 12; ++i) {
    const int64_t c = d(rng), h = 3 + d(rng) / 2, oc = d(rng) + 2;
    ConvCase cc{LayerKind::Conv, c, h, h, oc, {3, 3, 1, 1, 1, 1, 1, 1}, 8, 8, 32};
    std::vector<int64_t> bias_q;
    const Network net = testing::random_mac_network(cc, rng, &bias_q);
    const IntTensor x = random_input(net, 1, rng);
    for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
      const ArchConfig arch = array_arch(4 + i % 3 * 4, 8, 8, df);
      const int64_t K = c * 9, P = h * h;
      const int64_t whole = df == Dataflow::WeightStationary ? P : (df == Dataflow::InputStationary ? oc : K);
      EXPECT_EQ(busy(simulate_layer(net, 0, x, arch).counters), formula_cycles(K, oc, P, whole, arch))
          << dataflow_name(df) << " C=" << c << " H=" << h << " OC=" << oc;
    }
  }
}

// ---- Bad input ----

TEST(WsErrors, BufferTooSmallForOneTileNamesBufferAndMinimum) {
  ArchConfig arch = array_arch(8, 8, 8);
  arch.weight.capacity_bytes = 64;  // 8x8 8-bit weights need 64 bytes, 128 double buffered
  arch.weight.banks = 1;
  arch.weight.word_bytes = 8;
  try {
    run_fc(8, 8, 2, arch);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("sram.weight.capacity_bytes 64"), std::string::npos) << msg;
    EXPECT_NE(msg.find("at least 128 bytes"), std::string::npos) << msg;
  }
  arch = array_arch(8, 8, 8);
  arch.ofmap.capacity_bytes = 32;  // one row of 8 32-bit sums needs 32 bytes, 64 double buffered
  arch.ofmap.banks = 1;
  arch.ofmap.word_bytes = 32;
  try {
    run_fc(8, 8, 2, arch);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("sram.ofmap.capacity_bytes 32 is too small"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at least 64 bytes"), std::string::npos) << e.what();
  }
}

TEST(WsErrors, OperandsWiderThanTheArrayAndAccumulatorMismatchAreRejected) {
  std::mt19937 rng(1);
  std::vector<int64_t> bias_q;
  ConvCase cc{LayerKind::Fc, 4, 1, 1, 4, {1, 1, 1, 1, 0, 0, 0, 0}, 8, 8, 32};
  const Network net = testing::random_mac_network(cc, rng, &bias_q);
  const IntTensor x = random_input(net, 1, rng);
  EXPECT_THROW(simulate_layer(net, 0, x, array_arch(4, 4, 4)), InputError);
  ArchConfig arch = array_arch(4, 4, 8);
  arch.acc_bits = 24;
  EXPECT_THROW(simulate_layer(net, 0, x, arch), InputError);
  IntTensor wrong({1, 5});
  EXPECT_THROW(simulate_layer(net, 0, wrong, array_arch(4, 4, 8)), InputError);
}

}  // namespace
}  // namespace qarray
