// The vector unit's layers (lookup table, tensor x tensor multiply, concat): the golden executor
// against independent loop references of the rules in workloads/vector_rules.h (exact rational
// arithmetic in 128 bits, ties away from zero), the SystemC vector unit against golden bit for bit,
// and its timing: ceil(outputs / lanes) + kLatencyCycles cycles without port stalls.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "sim/simulator.h"
#include "sim/vector_unit.h"
#include "workloads/golden.h"
#include "workloads/lut.h"
#include "workloads/vector_rules.h"

namespace qarray {
namespace {

IntTensor random_codes(Shape s, int bits, std::mt19937& rng) {
  IntTensor x(std::move(s));
  std::uniform_int_distribution<int32_t> v(0, act_qmax(bits));
  for (auto& e : x.data) e = v(rng);
  return x;
}

Shape batched(int64_t n, const Shape& s) {
  Shape b{n};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

// round(num / 2^r), ties away from zero, on 128-bit integers: the reference rounding.
int64_t round_shift(__int128 num, int r) {
  const __int128 mag = num < 0 ? -num : num;
  const __int128 q = (mag + (static_cast<__int128>(1) << (r - 1))) >> r;
  return static_cast<int64_t>(num < 0 ? -q : q);
}

// The real multiplier M0 * 2^(shift - 31) applied to p exactly, then rounded.
int64_t ref_rescale(int64_t p, const QuantizedMultiplier& m) { return round_shift(static_cast<__int128>(p) * m.m0, 31 - m.shift); }

int32_t ref_clamp(int64_t v, int64_t lo, int64_t hi) { return static_cast<int32_t>(std::min(std::max(v, lo), hi)); }

ArchConfig lanes(int cols, int act_bits = 8) {
  ArchConfig a;
  a.rows = 4;
  a.cols = cols;
  a.act_bits = act_bits;
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

Network one_layer(Layer l, std::vector<ActTensor> tensors) {
  Network net;
  net.tensors = std::move(tensors);
  net.input = 0;
  net.output = static_cast<int32_t>(net.tensors.size()) - 1;
  l.output = net.output;
  l.name = layer_kind_name(l.kind);
  net.layers = {l};
  return net;
}

// Every input code of a b-bit tensor through a sigmoid table: b <= 10 reads entry q; above 10
// bits the rule interpolates between entries q >> s and (q >> s) + 1.
TEST(VectorUnit, LookupTableIsTheRuleForEveryCodeAndBitExactOnTheUnit) {
  std::mt19937 rng(7);
  for (int bits : {2, 4, 8, 10, 12, 16}) {
    const ActQuant qx{8.0 / act_qmax(bits), act_qmax(bits) / 2, bits}, qy{1.0 / act_qmax(bits), 0, bits};
    const auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    const LutTable t = build_lut(sigmoid, qx, qy, "sigmoid");
    const int k = std::min(bits, kLutIndexBits), s = bits - k;
    ASSERT_EQ(t.shift, s);
    ASSERT_EQ(t.table.size(), (size_t{1} << k) + 1);
    Layer l;
    l.kind = LayerKind::Lut;
    l.inputs = {0};
    l.table = t.table;
    l.lut_shift = t.shift;
    l.clamp_lo = 1;  // a fused clamp
    l.clamp_hi = act_qmax(bits) - 1;
    const Shape shape{1, 1, act_qmax(bits) + 1};
    Network net = one_layer(l, {{"x", shape, qx}, {"y", shape, qy}});
    net.validate("lut");
    IntTensor x(batched(1, shape));
    for (int64_t q = 0; q < x.size(); ++q) x.data[q] = static_cast<int32_t>(q);
    const IntTensor y = GoldenExecutor(net).run_layer(0, {&x});
    for (int64_t q = 0; q < x.size(); ++q) {
      // Table entry j: sigmoid at code j * 2^s on the output grid.
      auto entry = [&](int64_t j) {
        const double v = sigmoid(qx.scale * static_cast<double>((j << s) - qx.zero_point)) / qy.scale;
        return std::clamp<int64_t>(static_cast<int64_t>(std::llround(v)) + qy.zero_point, 0, act_qmax(bits));
      };
      const int64_t i = q >> s, r = q & ((1 << s) - 1);
      const int64_t interp = s == 0 ? entry(i) : entry(i) + round_shift(static_cast<__int128>(entry(i + 1) - entry(i)) * r, s);
      ASSERT_EQ(y.data[q], ref_clamp(interp, l.clamp_lo, l.clamp_hi)) << bits << "-bit code " << q;
    }
    const IntTensor xr = random_codes(batched(2, shape), bits, rng);
    const SimResult sim = simulate_layer(net, 0, xr, lanes(16, bits));
    expect_equal(sim.output, GoldenExecutor(net).run_layer(0, {&xr}), "lut " + std::to_string(bits) + " bits");
    EXPECT_EQ(sim.counters.vector_lookups, xr.size() * (s > 0 ? 2 : 1));
  }
}

// Squeeze-excite shape: [C, H, W] times [C, 1, 1], random grids and bits, including 16 x 16.
TEST(VectorUnit, MulWithBroadcastIsTheRuleAndBitExactOnTheUnit) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> scale(0.001, 0.2);
  for (int bits : {4, 8, 16}) {
    for (int trial = 0; trial < 4; ++trial) {
      std::uniform_int_distribution<int32_t> zp(0, act_qmax(bits));
      const ActQuant qa{scale(rng), zp(rng), bits}, qb{scale(rng), zp(rng), bits}, qy{scale(rng), zp(rng), bits};
      Layer l;
      l.kind = LayerKind::Mul;
      l.inputs = {0, 1};
      l.requant = {quantize_multiplier(qa.scale * qb.scale / qy.scale)};
      l.clamp_lo = 0;
      l.clamp_hi = act_qmax(bits);
      const Shape sa{3, 4, 5}, sb{3, 1, 1};
      Network net = one_layer(l, {{"a", sa, qa}, {"b", sb, qb}, {"y", sa, qy}});
      const IntTensor a = random_codes(batched(2, sa), bits, rng), b = random_codes(batched(2, sb), bits, rng);
      const IntTensor y = GoldenExecutor(net).run_layer(0, {&a, &b});
      for (int64_t n = 0; n < 2; ++n)
        for (int64_t c = 0; c < 3; ++c)
          for (int64_t p = 0; p < 20; ++p) {
            const int64_t i = (n * 3 + c) * 20 + p;
            const int64_t prod = int64_t{a.data[i] - qa.zero_point} * (b.data[n * 3 + c] - qb.zero_point);
            ASSERT_EQ(y.data[i], ref_clamp(qy.zero_point + ref_rescale(prod, l.requant[0]), 0, act_qmax(bits)));
          }
      for (int cols : {4, 16}) {
        const SimResult sim = simulate_layer(net, 0, {&a, &b}, lanes(cols, bits));
        expect_equal(sim.output, y, "mul");
        EXPECT_EQ(sim.counters.vector_multiplies, 2 * y.size());
      }
    }
  }
}

// Two inputs on different grids concatenated along channels: each requantized to the output's.
TEST(VectorUnit, ConcatRequantizesEachInputAndIsBitExactOnTheUnit) {
  std::mt19937 rng(5);
  const ActQuant q0{0.02, 10, 8}, q1{0.05, 128, 8}, qy{0.04, 60, 8};
  Layer l;
  l.kind = LayerKind::Concat;
  l.inputs = {0, 1};
  l.concat_axis = 0;
  l.requant = {quantize_multiplier(q0.scale / qy.scale), quantize_multiplier(q1.scale / qy.scale)};
  l.clamp_hi = 255;
  Network net = one_layer(l, {{"a", {2, 3, 3}, q0}, {"b", {3, 3, 3}, q1}, {"y", {5, 3, 3}, qy}});
  const IntTensor a = random_codes({2, 2, 3, 3}, 8, rng), b = random_codes({2, 3, 3, 3}, 8, rng);
  const IntTensor y = GoldenExecutor(net).run_layer(0, {&a, &b});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 5; ++c)
      for (int64_t p = 0; p < 9; ++p) {
        const bool first = c < 2;
        const int32_t q = first ? a.data[(n * 2 + c) * 9 + p] : b.data[(n * 3 + c - 2) * 9 + p];
        const ActQuant& qi = first ? q0 : q1;
        const int64_t want = qy.zero_point + ref_rescale(q - qi.zero_point, l.requant[first ? 0 : 1]);
        ASSERT_EQ(y.data[(n * 5 + c) * 9 + p], ref_clamp(want, 0, 255)) << n << "," << c << "," << p;
      }
  const SimResult sim = simulate_layer(net, 0, {&a, &b}, lanes(8));
  expect_equal(sim.output, y, "concat");
}

// 90 outputs on 16 lanes with two ifmap ports and no stalls: 6 groups + 3 pipeline cycles; one
// more lane group each time the lane count divides less evenly.
TEST(VectorUnit, TakesOneCyclePerGroupOfLanesPlusItsLatency) {
  const ActQuant q{0.1, 0, 8};
  Layer l;
  l.kind = LayerKind::Lut;
  l.inputs = {0};
  l.table = build_lut([](double x) { return std::tanh(x); }, q, q, "tanh").table;
  l.clamp_hi = 255;
  Network net = one_layer(l, {{"x", {5, 3, 3}, q}, {"y", {5, 3, 3}, q}});
  std::mt19937 rng(3);
  const IntTensor x = random_codes({2, 5, 3, 3}, 8, rng);
  for (int cols : {1, 16, 90, 128}) {
    const SimResult sim = simulate_layer(net, 0, x, lanes(cols));
    EXPECT_EQ(sim.counters.total_cycles - sim.counters.stall_cycles, (90 + cols - 1) / cols + VectorUnit::kLatencyCycles)
        << cols << " lanes";
    EXPECT_EQ(sim.counters.vector_unit.busy, (90 + cols - 1) / cols + VectorUnit::kLatencyCycles);
    EXPECT_EQ(sim.counters.post_processing.busy, 0);
    EXPECT_EQ(sim.counters.ifmap.reads, 90);
    EXPECT_EQ(sim.counters.ofmap.writes, 90);
  }
}

}  // namespace
}  // namespace qarray
