// The post-processing unit alone: add, max pool and average pool are bit-exact with the golden
// executor and take ceil(outputs / cols) * taps + kLatency cycles.
#include <gtest/gtest.h>

#include <random>

#include "sim/post_processing.h"
#include "sim/simulator.h"
#include "workloads/golden.h"

namespace qarray {
namespace {

Network vector_net(LayerKind kind, Shape in, Shape out, ActQuant qa, ActQuant qb, ActQuant qy, Window w = {}) {
  Network net;
  net.tensors = {{"a", in, qa}, {"b", in, qb}, {"y", out, qy}};
  Layer l;
  l.kind = kind;
  l.name = layer_kind_name(kind);
  l.inputs = kind == LayerKind::Add ? std::vector<int32_t>{0, 1} : std::vector<int32_t>{0};
  l.output = 2;
  l.window = w;
  l.clamp_lo = 0;
  l.clamp_hi = act_qmax(qy.bits);
  if (kind == LayerKind::Add) {
    // The TFLite reference scaling: both inputs to twice the larger scale, 20 guard bits.
    const double s2 = 2.0 * std::max(qa.scale, qb.scale);
    l.add_left_shift = 20;
    l.add_input_mult[0] = quantize_multiplier(qa.scale / s2);
    l.add_input_mult[1] = quantize_multiplier(qb.scale / s2);
    l.requant = {quantize_multiplier(s2 / ((1 << 20) * qy.scale))};
  }
  net.layers = {l};
  net.input = 0;
  net.output = 2;
  if (kind != LayerKind::Add) net.validate("vector_net");  // (a one-layer add has two inputs)
  return net;
}

IntTensor random_tensor(Shape s, int bits, std::mt19937& rng) {
  IntTensor x(std::move(s));
  std::uniform_int_distribution<int32_t> v(0, act_qmax(bits));
  for (auto& e : x.data) e = v(rng);
  return x;
}

// Two ifmap ports: a group of lanes may read two words of one bank (a global pool's group spans
// the two images), which one port would serve in two cycles (tests/test_sim_sram.cpp has the
// port rule; here the lane timing alone).
ArchConfig lanes(int cols) {
  ArchConfig a;
  a.rows = 4;
  a.cols = cols;
  a.ifmap.ports = 2;
  return a;
}

void expect_equal(const IntTensor& got, const IntTensor& want, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  int64_t bad = 0;
  for (int64_t i = 0; i < want.size(); ++i)
    if (got.data[i] != want.data[i] && ++bad <= 3)
      ADD_FAILURE() << what << ": output " << i << " got " << got.data[i] << " expected " << want.data[i];
}

TEST(PostProcessingUnit, AddIsBitExactAndTakesOneCyclePerGroupOfLanes) {
  std::mt19937 rng(1);
  for (int bits : {4, 8}) {
    const Network net = vector_net(LayerKind::Add, {3, 5, 7}, {3, 5, 7}, {0.05, 3, bits}, {0.11, 9, bits},
                                   {0.09, 5, bits});
    const IntTensor a = random_tensor({2, 3, 5, 7}, bits, rng), b = random_tensor({2, 3, 5, 7}, bits, rng);
    const IntTensor want = GoldenExecutor(net).run_layer(0, {&a, &b});
    for (int cols : {4, 16}) {
      const SimResult r = simulate_layer(net, 0, {&a, &b}, lanes(cols));
      expect_equal(r.output, want, "add");
      EXPECT_EQ(r.counters.total_cycles - r.counters.stall_cycles, (210 + cols - 1) / cols + PostProcessing::kLatencyCycles);
      EXPECT_EQ(r.counters.ifmap.reads, 2 * 210);
      EXPECT_EQ(r.counters.ofmap.writes, 210);
      EXPECT_EQ(r.counters.macs, 0);
    }
  }
}

TEST(PostProcessingUnit, PoolsAreBitExactAndTakeOneCyclePerTap) {
  std::mt19937 rng(2);
  const ActQuant q{0.1, 7, 8};
  struct Case {
    LayerKind kind;
    Window w;
    bool include_pad;
  };
  const std::vector<Case> cases = {
      {LayerKind::MaxPool, {2, 2, 2, 2, 0, 0, 0, 0}, false},
      {LayerKind::MaxPool, {3, 3, 2, 2, 1, 1, 1, 1}, false},
      {LayerKind::AvgPool, {3, 3, 1, 1, 1, 1, 1, 1}, false},
      {LayerKind::AvgPool, {3, 3, 2, 2, 1, 1, 1, 1}, true},
      {LayerKind::AvgPool, {9, 9, 1, 1, 0, 0, 0, 0}, false},  // a global average pool
  };
  for (const Case& c : cases) {
    const int64_t oh = window_out(9, c.w.kh, c.w.stride_h, c.w.pad_top, c.w.pad_bottom);
    const int64_t ow = window_out(9, c.w.kw, c.w.stride_w, c.w.pad_left, c.w.pad_right);
    Network net = vector_net(c.kind, {4, 9, 9}, {4, oh, ow}, q, q, q, c.w);
    net.layers[0].count_include_pad = c.include_pad;
    net.layers[0].clamp_lo = 20;  // a fused clamp must apply too
    const IntTensor x = random_tensor({2, 4, 9, 9}, 8, rng);
    const IntTensor want = GoldenExecutor(net).run_layer(0, {&x});
    const SimResult r = simulate_layer(net, 0, x, lanes(8));
    const std::string what = std::string(layer_kind_name(c.kind)) + " " + std::to_string(c.w.kh);
    expect_equal(r.output, want, what);
    const int64_t outputs = 2 * 4 * oh * ow, taps = int64_t{c.w.kh} * c.w.kw;
    EXPECT_EQ(r.counters.total_cycles - r.counters.stall_cycles, (outputs + 7) / 8 * taps + PostProcessing::kLatencyCycles) << what;
    EXPECT_EQ(r.counters.compute_cycles, (outputs + 7) / 8 * taps) << what;
    // Memory: the input is loaded before and the output written after (not overlapped yet).
    const auto burst = [](int64_t b) { return (b + 63) / 64 * 64; };
    EXPECT_EQ(r.counters.stall_cycles, 100 + burst(2 * 4 * 81) / 16 + 100 + burst(outputs) / 16) << what;
    EXPECT_LE(r.counters.ifmap.reads, outputs * taps);  // padded taps are not read
  }
}

}  // namespace
}  // namespace qarray
