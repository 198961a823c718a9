// SRAM banks and ports (sim/sram.h, sim/README.md "SRAM banks and ports"): the word-interleaved
// address -> bank mapping and its per-bank counts, the port rule (a step moving v words takes
// ceil(v / (banks * ports)) cycles) as global stalls of the array, exactly zero when the ports
// keep up and appearing one word, bank or port below; the DMA's own ports; the per-unit
// busy / stall / idle cycles.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "sim/post_processing.h"
#include "sim/simulator.h"
#include "sim/sram.h"
#include "sim/stimulus.h"
#include "tests/sim_fixtures.h"

namespace qarray {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

Sram sram(int32_t banks, int32_t word_bytes, int32_t ports) {
  Sram s;
  s.configure({int64_t{banks} * word_bytes * 64, banks, word_bytes, ports, true});
  return s;
}

std::vector<int64_t> bank_column(const BufferCounters& c, int64_t BankCounters::*field) {
  std::vector<int64_t> v;
  for (const BankCounters& b : c.banks) v.push_back(b.*field);
  return v;
}

int64_t sum(const std::vector<int64_t>& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }

TEST(SramLayout, RowsArePackedIntoWholeWords) {
  const Sram s = sram(4, 16, 1);  // 128-bit words
  EXPECT_EQ(s.row_words(16, 8), 1);
  EXPECT_EQ(s.row_words(17, 8), 2);
  EXPECT_EQ(s.row_words(9, 8), 1);
  EXPECT_EQ(s.row_words(32, 4), 1);
  EXPECT_EQ(s.row_words(16, 32), 4);
  EXPECT_EQ(s.row_words(3, 12), 1);  // 36 bits
}

TEST(SramLayout, ConsecutiveRowsRotateOverTheBanks) {
  // Rows of 8 one-byte operands in 16-byte words: row j is word j, in bank j mod 4.
  Sram s = sram(4, 16, 1);
  s.count_rows(SramAccess::Read, 10, 8, 8);
  EXPECT_EQ(bank_column(s.counters(), &BankCounters::reads), (std::vector<int64_t>{24, 24, 16, 16}));
  EXPECT_EQ(s.counters().reads, 80);
  // Rows of 24 operands: words 2j (16 operands) and 2j+1 (8): even rows in banks 0, 1, odd in 2, 3.
  Sram t = sram(4, 16, 1);
  t.count_rows(SramAccess::Fill, 3, 24, 8);
  EXPECT_EQ(bank_column(t.counters(), &BankCounters::fill_writes), (std::vector<int64_t>{32, 16, 16, 8}));
  EXPECT_EQ(t.counters().fill_writes, 72);
  EXPECT_EQ(t.counters().reads, 0);
}

TEST(SramLayout, AnOperandCountsInTheBankOfItsFirstBit) {
  // 12-bit operands in 16-bit words: operands 0 and 1 start in word 0, 2 in word 1, 3 in word 2.
  Sram s = sram(3, 2, 1);
  s.count_rows(SramAccess::Write, 1, 4, 12);
  EXPECT_EQ(bank_column(s.counters(), &BankCounters::writes), (std::vector<int64_t>{2, 1, 1}));
  // A row starting at word 5 (bank 2) shifts the pattern.
  Sram t = sram(3, 2, 1);
  t.count_rows(SramAccess::Drain, 1, 4, 12, 5);
  EXPECT_EQ(bank_column(t.counters(), &BankCounters::drain_reads), (std::vector<int64_t>{1, 1, 2}));
}

TEST(SramPorts, AStepTakesItsWordsOverBanksTimesPorts) {
  EXPECT_EQ(sram(4, 16, 1).step_cycles(0), 0);
  EXPECT_EQ(sram(4, 16, 1).step_cycles(4), 1);
  EXPECT_EQ(sram(4, 16, 1).step_cycles(5), 2);
  EXPECT_EQ(sram(4, 16, 2).step_cycles(8), 1);
  EXPECT_EQ(sram(4, 16, 2).step_cycles(9), 2);
  EXPECT_EQ(sram(3, 16, 1).step_cycles(7), 3);
  EXPECT_EQ(sram(4, 16, 1).dma_cycles(9), 3);  // the DMA: one word per bank per cycle
}

TEST(SramPorts, AGatherTakesItsBusiestBank) {
  std::vector<int64_t> same_bank{0, 4, 8};
  EXPECT_EQ(sram(4, 16, 1).gather_cycles(same_bank), 3);
  std::vector<int64_t> two_ports{0, 4, 8};
  EXPECT_EQ(sram(4, 16, 2).gather_cycles(two_ports), 2);
  std::vector<int64_t> spread{0, 1, 2, 3, 1, 1};  // a word read by several lanes is one access
  EXPECT_EQ(sram(4, 16, 1).gather_cycles(spread), 1);
}

// ---- The array's edge on the SRAM ports ----

using Fc = testing::FcLayer;
Fc fc(int64_t k, int64_t oc, int64_t p) { return testing::fc_layer(k, oc, p, 3); }

// 8x8, 8-bit operands, 32-bit sums; buffers whose ports keep up with every edge (16-byte input
// and weight words, 64-byte accumulator words, 4 banks, 1 port); a fast DRAM.
ArchConfig arch8(Dataflow df = Dataflow::WeightStationary) {
  ArchConfig a;
  a.rows = a.cols = 8;
  a.dataflow = df;
  a.dram = {64, 10, 64};
  return a;
}

SimResult run(const Fc& f, const ArchConfig& a) {
  const SimResult r = simulate_layer(f.net, 0, f.x, a);
  EXPECT_EQ(r.output.data, GoldenExecutor(f.net).run_layer(0, {&f.x}).data);
  const LayerCounters& k = r.counters;
  EXPECT_EQ(k.total_cycles,
            k.weight_load_cycles + k.compute_cycles + k.drain_cycles + k.dram_stall_cycles + k.sram_stall_cycles);
  EXPECT_EQ(k.stall_cycles, k.dram_stall_cycles + k.sram_stall_cycles);
  return r;
}

SramBuffer buffer(int32_t banks, int32_t word_bytes, int32_t ports) {
  return {int64_t{banks} * word_bytes * 2048, banks, word_bytes, ports, true};
}

// sim/README.md's ws rule for one fold of P vectors on R x C with the feed taking sx cycles per
// vector, the accumulator so per row and the preload sw per weight row:
//   k_len (sw - 1) + (P - ov)(sx - 1) + (P - ov)(so - 1) + ov (max(sx, so) - 1),
// ov = max(0, P - (R + C - 2)) the steps that both read a vector and write a row.
int64_t ws_fold_stall(int64_t k_len, int64_t P, int64_t R, int64_t C, int64_t sx, int64_t so, int64_t sw) {
  const int64_t ov = std::max<int64_t>(0, P - (R + C - 2));
  return k_len * (sw - 1) + (P - ov) * (sx - 1) + (P - ov) * (so - 1) + ov * (std::max(sx, so) - 1);
}

TEST(SramStalls, WsFeedIsFreeWhenBanksTimesPortsTimesWordCoverTheVector) {
  // The ws feed moves one vector of 8 one-byte inputs per step: 8 bytes.
  const Fc f = fc(8, 8, 40);
  for (SramBuffer b : {buffer(1, 8, 1), buffer(2, 4, 1), buffer(1, 4, 2), buffer(8, 1, 1), buffer(2, 2, 2)}) {
    ArchConfig a = arch8();
    a.ifmap = b;
    EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 0) << b.banks << " x " << b.word_bytes << " B x " << b.ports;
  }
}

TEST(SramStalls, WsFeedStallsAppearOneWordBankOrPortBelowTheNeed) {
  const Fc f = fc(8, 8, 40);
  // Each a half of the 8 bytes per cycle: every vector takes 2 cycles, 40 bubbles.
  for (SramBuffer b : {buffer(1, 4, 1), buffer(1, 2, 2), buffer(2, 2, 1)}) {
    ArchConfig a = arch8();
    a.ifmap = b;
    const LayerCounters k = run(f, a).counters;
    EXPECT_EQ(k.sram_stall_cycles, 40) << b.banks << " x " << b.word_bytes << " B x " << b.ports;
    EXPECT_EQ(k.compute_cycles, 40 + 8 + 8 - 2);  // the array's own cycles do not change
    EXPECT_EQ(k.ifmap.cycles.busy, 40);
    EXPECT_EQ(k.ifmap.cycles.stall, 40);
    EXPECT_EQ(k.array.busy, 8 + 54);
  }
}

TEST(SramStalls, WsFeedStallsScaleWithWordsPerVectorOverBanksTimesPorts) {
  const Fc f = fc(8, 8, 40);
  for (auto [word, ports] : {std::pair<int32_t, int32_t>{1, 1}, {1, 3}, {2, 1}, {1, 8}, {1, 5}}) {
    ArchConfig a = arch8();
    a.ifmap = buffer(1, word, ports);
    const int64_t s = ceil_div(8 / word, ports);  // cycles per vector
    EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 40 * (s - 1)) << word << " B x " << ports;
  }
}

TEST(SramStalls, AccumulatorReadModifyWriteNeedsTwiceTheWords) {
  // K = 16 on 8 rows: two k folds. A row of 8 sums is 32 bytes: one word; the second fold
  // reads and writes it (2 words per row step).
  const Fc f = fc(16, 8, 30);
  ArchConfig a = arch8();
  a.ofmap = buffer(1, 32, 1);
  const LayerCounters k = run(f, a).counters;
  EXPECT_EQ(k.folds, 2);
  EXPECT_EQ(k.sram_stall_cycles, ws_fold_stall(8, 30, 8, 8, 1, 1, 1) + ws_fold_stall(8, 30, 8, 8, 1, 2, 1));
  EXPECT_EQ(k.sram_stall_cycles, 30);
  EXPECT_EQ(k.ofmap.cycles.stall, 30);
  // Two words per cycle. (One 64-byte word per row would not do: a row starts on a word
  // boundary, so the read and the write are two accesses of one bank.)
  for (SramBuffer b : {buffer(2, 32, 1), buffer(1, 32, 2), buffer(1, 16, 4)}) {
    a.ofmap = b;
    EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 0) << b.banks << " x " << b.word_bytes << " B x " << b.ports;
  }
  a.ofmap = buffer(1, 8, 1);  // 4 words per row: 4 cycles written, 8 read-modify-written
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, ws_fold_stall(8, 30, 8, 8, 1, 4, 1) + ws_fold_stall(8, 30, 8, 8, 1, 8, 1));
}

TEST(SramStalls, FeedAndAccumulatorStepsOverlapAsTheRuleSays) {
  // Vectors take 2 cycles and rows 4; 40 vectors, rows leave from step 14 on: 26 steps do both.
  const Fc f = fc(8, 8, 40);
  ArchConfig a = arch8();
  a.ifmap = buffer(1, 4, 1);
  a.ofmap = buffer(1, 8, 1);
  const LayerCounters k = run(f, a).counters;
  EXPECT_EQ(k.sram_stall_cycles, ws_fold_stall(8, 40, 8, 8, 2, 4, 1));
  EXPECT_EQ(k.sram_stall_cycles, 14 * 1 + 14 * 3 + 26 * 3);
}

TEST(SramStalls, WsPreloadRowsWaitForTheWeightPorts) {
  // A row of 8 one-byte weights in 2-byte words: 4 cycles per row, 8 rows per fold, 2 x 3 folds.
  const Fc f = fc(16, 24, 5);
  ArchConfig a = arch8();
  a.weight = buffer(1, 2, 1);
  const LayerCounters k = run(f, a).counters;
  EXPECT_EQ(k.folds, 6);
  EXPECT_EQ(k.sram_stall_cycles, 6 * 8 * 3);
  EXPECT_EQ(k.weight_load_cycles, 6 * 8);
  EXPECT_EQ(k.weight.cycles.busy, 6 * 8);
  EXPECT_EQ(k.weight.cycles.stall, 6 * 8 * 3);
}

TEST(SramStalls, IsStreamsWeightColumnsAndPreloadsInputRows) {
  // is on 8x8: K = 8, P = 8 (one input tile), OC = 20 weight columns streamed.
  const Fc f = fc(8, 20, 8);
  ArchConfig a = arch8(Dataflow::InputStationary);
  a.weight = buffer(1, 4, 1);  // a column of 8 weights: 2 words
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 20);
  a = arch8(Dataflow::InputStationary);
  a.ifmap = buffer(1, 2, 1);  // a preloaded row of 8 inputs: 4 words
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 8 * 3);
  a = arch8(Dataflow::InputStationary);
  a.ofmap = buffer(1, 16, 1);  // a column of 8 sums for 8 vectors: 2 words, 20 of them
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 20);
}

TEST(SramStalls, OsReadsBothEdgesInOneStepAndDrainsRows) {
  // os on 8x8: P = 8 vectors, OC = 8, K = 50 reduction steps, each reading 8 inputs and 8 weights.
  const Fc f = fc(50, 8, 8);
  ArchConfig a = arch8(Dataflow::OutputStationary);
  a.ifmap = buffer(1, 4, 1);   // 2 cycles per step
  a.weight = buffer(1, 2, 1);  // 4 cycles per step: the step takes 4
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 50 * 3);
  a = arch8(Dataflow::OutputStationary);
  a.ofmap = buffer(1, 16, 1);  // 8 drained rows of 32 bytes: 2 words each
  EXPECT_EQ(run(f, a).counters.sram_stall_cycles, 8);
}

TEST(SramStalls, TimingStaysDataIndependent) {
  ArchConfig a = arch8();
  a.ifmap = buffer(1, 2, 1);
  a.ofmap = buffer(1, 8, 1);
  LayerSpec s;
  s.kind = LayerKind::Fc;
  s.channels = 20;
  s.filters = 12;
  const Network n1 = random_layer_network(s, 8, 8, 32, 1), n2 = random_layer_network(s, 8, 8, 32, 2);
  const LayerCounters k1 = simulate_layer(n1, 0, random_input(n1, 9, 3), a).counters;
  const LayerCounters k2 = simulate_layer(n2, 0, random_input(n2, 9, 4), a).counters;
  EXPECT_EQ(k1.total_cycles, k2.total_cycles);
  EXPECT_EQ(k1.sram_stall_cycles, k2.sram_stall_cycles);
  EXPECT_GT(k1.sram_stall_cycles, 0);
}

// ---- Per-bank counts of a layer ----

TEST(SramBankCounts, SplitAsTheMappingSaysAndSumToTheBuffer) {
  // ws, K = OC = 8, P = 10: input rows of 8 bytes in 4-byte words (rows j at words 2j, 2j+1: even
  // rows in banks 0, 1, odd rows in banks 2, 3); weight rows of 8 bytes, one 16-byte word each,
  // row j in bank j mod 4; accumulator rows of 32 bytes, one 64-byte word, row j in bank j mod 4.
  const Fc f = fc(8, 8, 10);
  ArchConfig a = arch8();
  a.ifmap = buffer(4, 4, 1);
  const LayerCounters k = run(f, a).counters;
  EXPECT_EQ(bank_column(k.ifmap, &BankCounters::reads), (std::vector<int64_t>{20, 20, 20, 20}));
  EXPECT_EQ(bank_column(k.ifmap, &BankCounters::fill_writes), (std::vector<int64_t>{20, 20, 20, 20}));
  EXPECT_EQ(bank_column(k.weight, &BankCounters::reads), (std::vector<int64_t>{16, 16, 16, 16}));
  EXPECT_EQ(bank_column(k.ofmap, &BankCounters::writes), (std::vector<int64_t>{24, 24, 16, 16}));
  EXPECT_EQ(bank_column(k.ofmap, &BankCounters::drain_reads), (std::vector<int64_t>{24, 24, 16, 16}));
  EXPECT_EQ(bank_column(k.ofmap, &BankCounters::reads), (std::vector<int64_t>{0, 0, 0, 0}));
  for (const BufferCounters* b : {&k.ifmap, &k.weight, &k.ofmap}) {
    EXPECT_EQ(sum(bank_column(*b, &BankCounters::reads)), b->reads);
    EXPECT_EQ(sum(bank_column(*b, &BankCounters::writes)), b->writes);
    EXPECT_EQ(sum(bank_column(*b, &BankCounters::fill_writes)), b->fill_writes);
    EXPECT_EQ(sum(bank_column(*b, &BankCounters::drain_reads)), b->drain_reads);
  }
  EXPECT_EQ(k.ifmap.reads, 80);
  EXPECT_EQ(k.weight.fill_writes, 64);
  EXPECT_EQ(k.ofmap.drain_reads, 80);
}

TEST(SramBankCounts, EveryDataflowAndLayerKindSumsToItsBuffers) {
  LayerSpec conv;
  conv.ifmap_h = conv.ifmap_w = 7;
  conv.filter_h = conv.filter_w = 3;
  conv.channels = 5;
  conv.filters = 11;
  conv.pad = 1;
  LayerSpec dw = conv;
  dw.kind = LayerKind::Depthwise;
  for (const LayerSpec& s : {conv, dw})
    for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
      const Network net = random_layer_network(s, 8, 8, 32, 9);
      ArchConfig a = arch8(df);
      a.ifmap = buffer(3, 4, 1);
      const LayerCounters k = simulate_layer(net, 0, random_input(net, 2, 10), a).counters;
      for (const BufferCounters* b : {&k.ifmap, &k.weight, &k.ofmap}) {
        EXPECT_EQ(sum(bank_column(*b, &BankCounters::reads)), b->reads) << dataflow_name(df);
        EXPECT_EQ(sum(bank_column(*b, &BankCounters::writes)), b->writes) << dataflow_name(df);
        EXPECT_EQ(sum(bank_column(*b, &BankCounters::fill_writes)), b->fill_writes) << dataflow_name(df);
        EXPECT_EQ(sum(bank_column(*b, &BankCounters::drain_reads)), b->drain_reads) << dataflow_name(df);
      }
      EXPECT_EQ(k.ifmap.banks.size(), 3u);
      EXPECT_EQ(k.ofmap.drain_reads, num_elements(net.tensors[net.output].shape) * 2);  // every output once, 2 images
    }
}

// ---- The DMA's ports ----

TEST(DmaPorts, ATransferIsLimitedByTheBuffersDmaPortsOnlyBelowTheDramRate) {
  // ws 8x8, K = OC = 8, P = 64; DRAM 16 B/cycle, latency 10. The input tile is 64 rows of 8 bytes:
  // 512 bytes, 32 DRAM cycles; in 8-byte words on one bank it is 64 words, 64 DMA cycles.
  const Fc f = fc(8, 8, 64);
  ArchConfig a = arch8();
  a.dram = {16, 10, 64};
  a.ifmap = buffer(1, 8, 1);
  const LayerCounters slow = run(f, a).counters;
  // load: 10 + (max(32, 64) + max(64 / 16, 8 / 4)) = 78; fold 86; drain 3; store 512 bytes: 10 + 32.
  EXPECT_EQ(slow.total_cycles, 78 + 86 + 3 + 42);
  EXPECT_EQ(slow.dma.busy, (10 + 36) + (10 + 32));
  EXPECT_EQ(slow.dma.stall, 64 - 32);
  EXPECT_EQ(slow.dma.idle, slow.total_cycles - slow.dma.busy - slow.dma.stall);
  EXPECT_EQ(slow.sram_stall_cycles, 0);  // the array's ports are not the DMA's
  a.ifmap = buffer(2, 8, 1);  // 32 DMA cycles: DRAM-bound again
  const LayerCounters fast = run(f, a).counters;
  EXPECT_EQ(fast.dma.stall, 0);
  EXPECT_EQ(fast.total_cycles, (10 + 36) + 86 + 3 + 42);
}

// ---- Per-unit cycles ----

TEST(UnitCycles, BusyStallIdleOfEveryUnitAddUpToTheLayer) {
  const Fc f = fc(16, 8, 30);
  ArchConfig a = arch8();
  a.ifmap = buffer(1, 4, 1);
  a.dram = {8, 10, 64};
  const LayerCounters k = run(f, a).counters;
  for (const UnitCycles* u : {&k.array, &k.post_processing, &k.dma, &k.ifmap.cycles, &k.weight.cycles, &k.ofmap.cycles}) {
    EXPECT_EQ(u->busy + u->stall + u->idle, k.total_cycles);
    EXPECT_GE(u->idle, 0);
  }
  EXPECT_EQ(k.array.busy, k.weight_load_cycles + k.compute_cycles);
  // The array stalls in its SRAM bubbles and while it waits for its first tiles (the second fold's
  // arrive during the first); it idles through the drain and the write-back.
  // The first tiles: 240 input bytes (4 bursts, 32 DRAM cycles) in 60 four-byte words of one
  // bank (60 DMA cycles), then 64 weight bytes (8 DRAM cycles, 8 words over 4 banks).
  const int64_t load = 10 + 60 + 8;
  EXPECT_EQ(k.array.stall, k.sram_stall_cycles + load);
  EXPECT_EQ(k.array.idle, PostProcessing::kLatencyCycles + 10 + 256 / 8);  // 240 output bytes
  EXPECT_EQ(k.post_processing.busy, 30 + PostProcessing::kLatencyCycles);  // the finished rows, then the flush
  EXPECT_EQ(k.post_processing.stall, 0);
  EXPECT_EQ(k.ifmap.cycles.busy, 2 * 30);
  EXPECT_EQ(k.ifmap.cycles.stall, 2 * 30);
  EXPECT_EQ(k.weight.cycles.busy, 2 * 8);
  EXPECT_EQ(k.ofmap.cycles.busy, 2 * 30);
}

// ---- The shipped presets ----

TEST(SramPresets, ShippedPresetsKeepUpWithTheirArraysOnEveryDataflow) {
  // A conv with several k folds (read-modify-write) and more vectors than a fold's skew.
  LayerSpec s;
  s.ifmap_h = s.ifmap_w = 12;
  s.filter_h = s.filter_w = 3;
  s.channels = 24;
  s.filters = 40;
  s.pad = 1;
  const Network net = random_layer_network(s, 8, 8, 32, 11);
  const IntTensor x = random_input(net, 1, 12);
  for (const char* preset : {"ws16", "gemmini16", "ws32", "edge8"})
    for (Dataflow df : {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary}) {
      ArchConfig a = load_arch_config(std::string(QARRAY_SOURCE_DIR) + "/configs/" + preset + ".json");
      a.dataflow = df;
      const LayerCounters k = simulate_layer(net, 0, x, a).counters;
      EXPECT_EQ(k.sram_stall_cycles, 0) << preset << " " << dataflow_name(df);
      EXPECT_EQ(k.dma.stall, 0) << preset << " " << dataflow_name(df);
    }
  // Their FP32 twins (4-byte operands in the same buffers): ws16's and ws32's words still hold a
  // whole 16- or 32-operand vector across their 4 banks. gemmini16 (2 banks of 16 bytes) needs 2
  // cycles per 16-input vector and per 16-weight row (64 bytes), 1 for the last k tile's 8 inputs
  // and the last column tile's 8 weights (K = 216 = 13 x 16 + 8, OC = 40 = 16 + 16 + 8): 2 x 216
  // preload rows and 13 x 3 folds of 144 vectors. edge8 (2 banks of 8 bytes): every 8-operand
  // vector and row is 32 bytes, 2 cycles: 5 x 216 rows and 27 x 5 folds of 144 vectors.
  for (auto [preset, stall] : {std::pair<const char*, int64_t>{"ws16", 0}, {"ws32", 0},
                               {"gemmini16", 2 * 216 + 39 * 144}, {"edge8", 5 * 216 + 135 * 144}}) {
    ArchConfig a = load_arch_config(std::string(QARRAY_SOURCE_DIR) + "/configs/" + preset + ".json");
    a.operands = OperandMode::Fp32;
    EXPECT_EQ(simulate_layer(net, 0, x, a).counters.sram_stall_cycles, stall) << preset;
  }
}

TEST(SramPresets, AWiderArrayThanThePresetsBuffersIsSramBound) {
  // ws16 with 64 columns: a row of 64 sums is 256 bytes, 4 accumulator words: written in one
  // cycle on the first k fold, read-modify-written in two after it (8 words over 4 banks).
  ArchConfig a = load_arch_config(std::string(QARRAY_SOURCE_DIR) + "/configs/ws16.json");
  a.cols = 64;
  const Fc f = fc(32, 64, 30);
  const LayerCounters k = run(f, a).counters;
  EXPECT_EQ(k.folds, 2);
  EXPECT_EQ(k.sram_stall_cycles, 30);
  EXPECT_EQ(k.ofmap.cycles.stall, 30);
}

// ---- Vector layers on the post-processing unit ----

TEST(SramVectorLayers, AnAddsTwoInputsSitInDifferentBanks) {
  // 16 lanes of 8-bit operands: a group reads one 16-byte word of a and one of b.
  Network net;
  net.tensors = {{"a", {16, 4, 4}, {0.05, 3, 8}}, {"b", {16, 4, 4}, {0.07, 1, 8}}, {"y", {16, 4, 4}, {0.1, 2, 8}}};
  Layer l;
  l.kind = LayerKind::Add;
  l.name = "add";
  l.inputs = {0, 1};
  l.output = 2;
  l.clamp_hi = 255;
  l.add_left_shift = 20;
  l.add_input_mult[0] = quantize_multiplier(0.05 / 0.14);
  l.add_input_mult[1] = quantize_multiplier(0.07 / 0.14);
  l.requant = {quantize_multiplier(0.14 / ((1 << 20) * 0.1))};
  net.layers = {l};
  net.input = 0;
  net.output = 2;
  std::mt19937 rng(5);
  IntTensor xa({1, 16, 4, 4}), xb({1, 16, 4, 4});
  for (auto* t : {&xa, &xb})
    for (auto& v : t->data) v = static_cast<int32_t>(rng() % 256);
  const IntTensor want = GoldenExecutor(net).run_layer(0, {&xa, &xb});
  ArchConfig a;
  a.ifmap = buffer(1, 16, 1);  // one bank: a's and b's words collide, 2 cycles per group
  SimResult r = simulate_layer(net, 0, {&xa, &xb}, a);
  EXPECT_EQ(r.output.data, want.data);
  EXPECT_EQ(r.counters.compute_cycles, 16);
  EXPECT_EQ(r.counters.sram_stall_cycles, 16);
  EXPECT_EQ(r.counters.post_processing.stall, 16);
  a.ifmap = buffer(2, 16, 1);  // b starts one bank after a: no stall
  r = simulate_layer(net, 0, {&xa, &xb}, a);
  EXPECT_EQ(r.output.data, want.data);
  EXPECT_EQ(r.counters.sram_stall_cycles, 0);
  EXPECT_EQ(r.counters.ifmap.reads, 2 * 256);
  EXPECT_EQ(r.counters.ifmap.fill_writes, 2 * 256);
  EXPECT_EQ(r.counters.ofmap.writes, 256);
  EXPECT_EQ(r.counters.ofmap.drain_reads, 256);
  // a: 16 words from word 0; b: from word 16 + 1 = 17: a's 128 operands in each bank, b's too.
  EXPECT_EQ(bank_column(r.counters.ifmap, &BankCounters::reads), (std::vector<int64_t>{256, 256}));
}

}  // namespace
}  // namespace qarray
