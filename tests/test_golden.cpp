// Golden executor against independent references: MAC layers computed with explicit (x - z)
// arithmetic, real-zero padding and the unfolded bias (so zero-point folding and padding with z
// are checked to be exact), accumulator wrap and overflow counts; add and pools on hand cases.
#include <gtest/gtest.h>

#include <random>

#include "golden_fixtures.h"
#include "workloads/golden.h"

namespace qarray {
namespace {

IntTensor random_input(const Network& net, int64_t n, std::mt19937& rng) {
  Shape s{n};
  for (int64_t d : net.tensors[net.input].shape) s.push_back(d);
  IntTensor x(s);
  std::uniform_int_distribution<int32_t> v(0, act_qmax(net.tensors[net.input].quant.bits));
  for (auto& e : x.data) e = v(rng);
  return x;
}

// Reference MAC layer: exact = bias_q + sum w * (x - z) with taps outside the input counted as
// real zero (x - z = 0), wrapped by modular arithmetic, requantized.
IntTensor reference_mac(const Network& net, const std::vector<int64_t>& bias_q, const IntTensor& x,
                        int64_t* overflows) {
  const Layer& l = net.layers[0];
  const ActTensor& in = net.tensors[0];
  const ActTensor& out = net.tensors[1];
  const int64_t n_img = x.shape[0], oc = out.shape[0];
  const bool fc = l.kind == LayerKind::Fc, dw = l.kind == LayerKind::Depthwise;
  const int64_t C = fc ? num_elements(in.shape) : in.shape[0];
  const int64_t H = fc ? 1 : in.shape[1], W = fc ? 1 : in.shape[2];
  const int64_t OH = fc ? 1 : out.shape[1], OW = fc ? 1 : out.shape[2];
  const Window w = fc ? Window{} : l.window;
  const int64_t mod = int64_t{1} << net.acc_bits;
  IntTensor y(fc ? Shape{n_img, oc} : Shape{n_img, oc, OH, OW});
  for (int64_t n = 0; n < n_img; ++n)
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t exact = bias_q[o];
          const int64_t c0 = dw ? o : 0, c1 = dw ? o + 1 : C;
          for (int64_t c = c0; c < c1; ++c)
            for (int32_t i = 0; i < w.kh; ++i)
              for (int32_t j = 0; j < w.kw; ++j) {
                const int64_t ih = oh * w.stride_h - w.pad_top + i, iw = ow * w.stride_w - w.pad_left + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // real zero
                const int64_t xv = x.data[((n * C + c) * H + ih) * W + iw] - in.quant.zero_point;
                const int64_t wi = fc ? o * C + c : ((o * (dw ? 1 : C) + (c - c0)) * w.kh + i) * w.kw + j;
                exact += l.weights[wi] * xv;
              }
          int64_t r = ((exact % mod) + mod) % mod;
          if (r >= mod / 2) r -= mod;
          if (r != exact) ++*overflows;
          const auto& m = l.requant.size() == 1 ? l.requant[0] : l.requant[o];
          y.data[((n * oc + o) * OH + oh) * OW + ow] =
              requantize(static_cast<int32_t>(r), m, out.quant.zero_point, l.clamp_lo, l.clamp_hi);
        }
  return y;
}

void check_case(const testing::ConvCase& cc, std::mt19937& rng) {
  std::vector<int64_t> bias_q;
  const Network net = testing::random_mac_network(cc, rng, &bias_q);
  net.validate("test");
  const IntTensor x = random_input(net, 3, rng);
  int64_t ref_overflows = 0;
  const IntTensor expect = reference_mac(net, bias_q, x, &ref_overflows);
  LayerStats stats;
  const IntTensor got = GoldenExecutor(net).run_layer(0, {&x}, &stats);
  ASSERT_EQ(got.shape, expect.shape);
  ASSERT_EQ(got.data, expect.data) << layer_kind_name(cc.kind) << " w" << cc.weight_bits << "a" << cc.act_bits
                                   << " acc" << cc.acc_bits;
  EXPECT_EQ(stats.overflows, ref_overflows);
  EXPECT_EQ(stats.outputs, expect.size());
}

TEST(GoldenMacLayers, EqualExplicitZeroPointArithmeticOnRandomLayers) {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> dim(1, 9), k(1, 4), s(1, 3), p(0, 2), bits(2, 16), kind(0, 2);
  for (int t = 0; t < 300; ++t) {
    testing::ConvCase cc;
    cc.kind = static_cast<LayerKind>(kind(rng));
    cc.c = dim(rng);
    cc.oc = dim(rng);
    cc.win = {k(rng), k(rng), s(rng), s(rng), p(rng), p(rng), p(rng), p(rng)};
    cc.h = cc.win.kh + dim(rng) - 1;
    cc.w = cc.win.kw + dim(rng) - 1;
    cc.weight_bits = bits(rng);
    cc.act_bits = bits(rng);
    cc.acc_bits = 32;
    check_case(cc, rng);
  }
}

TEST(GoldenMacLayers, NarrowAccumulatorWrapsAndCountsOverflows) {
  std::mt19937 rng(11);
  int64_t total_overflows = 0;
  for (LayerKind kind : {LayerKind::Conv, LayerKind::Depthwise, LayerKind::Fc}) {
    testing::ConvCase cc;
    cc.kind = kind;
    cc.c = 8;
    cc.acc_bits = 16;
    std::vector<int64_t> bias_q;
    const Network net = testing::random_mac_network(cc, rng, &bias_q);
    const IntTensor x = random_input(net, 2, rng);
    int64_t ref = 0;
    const IntTensor expect = reference_mac(net, bias_q, x, &ref);
    LayerStats stats;
    EXPECT_EQ(GoldenExecutor(net).run_layer(0, {&x}, &stats).data, expect.data);
    EXPECT_EQ(stats.overflows, ref);
    total_overflows += ref;
  }
  EXPECT_GT(total_overflows, 0) << "biases up to 2^20 must overflow a 16-bit accumulator";
}

TEST(GoldenMacLayers, SixteenBitOperandsTakeTheExactDoublePath) {
  std::mt19937 rng(12);
  testing::ConvCase cc;
  cc.c = 16;
  cc.weight_bits = 16;
  cc.act_bits = 16;
  check_case(cc, rng);  // bound 32767 * 65535 * 144 > 2^24: the GEMM runs in double
}

// A one-layer pool/add network with the given input grid.
Network elementwise_net(LayerKind kind, Shape in, Shape out, ActQuant qin, ActQuant qout) {
  Network net;
  net.tensors = {{"a", in, qin}, {"b", in, qin}, {"y", out, qout}};
  Layer l;
  l.kind = kind;
  l.name = "op";
  l.inputs = kind == LayerKind::Add ? std::vector<int32_t>{0, 1} : std::vector<int32_t>{0};
  l.output = 2;
  l.clamp_lo = 0;
  l.clamp_hi = act_qmax(qout.bits);
  net.layers = {l};
  net.input = 0;
  net.output = 2;
  return net;
}

TEST(GoldenMaxPool, MaxOfInBoundsTapsIgnoresPadding) {
  const ActQuant q{0.1, 50, 8};
  Network net = elementwise_net(LayerKind::MaxPool, {1, 2, 3}, {1, 2, 2}, q, q);
  net.layers[0].window = {2, 2, 1, 2, 1, 1, 0, 0};
  net.validate("test");
  // Padding is never a candidate, even where every in-bounds tap is below z.
  const IntTensor x({1, 1, 2, 3}, {10, 20, 30, 40, 5, 60});
  const IntTensor y = GoldenExecutor(net).run_layer(0, {&x});
  EXPECT_EQ(y.data, (std::vector<int32_t>{10, 30, 40, 60}));
}

TEST(GoldenAvgPool, RoundsHalfUpAndCountsOnlyValidTapsUnlessIncludePad) {
  const ActQuant q{0.1, 7, 8};
  Network net = elementwise_net(LayerKind::AvgPool, {1, 2, 2}, {1, 2, 2}, q, q);
  net.layers[0].window = {2, 2, 1, 1, 1, 1, 0, 0};
  const IntTensor x({1, 1, 2, 2}, {1, 2, 4, 8});
  // out(0,0): {1} -> 1; out(0,1): {1,2} -> (3+1)/2 = 2; out(1,0): {1,4} -> (5+1)/2 = 3;
  // out(1,1): {1,2,4,8} -> (15+2)/4 = 4.
  EXPECT_EQ(GoldenExecutor(net).run_layer(0, {&x}).data, (std::vector<int32_t>{1, 2, 3, 4}));
  net.layers[0].count_include_pad = true;  // padded taps are z = 7, count is always 4
  // (1+21+2)/4 = 6; (3+14+2)/4 = 4; (5+14+2)/4 = 5; (15+2)/4 = 4.
  EXPECT_EQ(GoldenExecutor(net).run_layer(0, {&x}).data, (std::vector<int32_t>{6, 4, 5, 4}));
}

TEST(GoldenAdd, MatchesRealArithmeticWithinOneStepAndFusesRelu) {
  const ActQuant qa{0.05, 128, 8}, qb{0.02, 10, 8}, qy{0.08, 100, 8};
  Network net = elementwise_net(LayerKind::Add, {1, 1, 64}, {1, 1, 64}, qa, qy);
  net.tensors[1].quant = qb;
  Layer& l = net.layers[0];
  l.add_left_shift = 20;
  const double twice = 2 * std::max(qa.scale, qb.scale);
  l.add_input_mult[0] = quantize_multiplier(qa.scale / twice);
  l.add_input_mult[1] = quantize_multiplier(qb.scale / twice);
  l.requant = {quantize_multiplier(twice / (std::ldexp(1.0, 20) * qy.scale))};
  std::mt19937 rng(4);
  std::uniform_int_distribution<int32_t> v(0, 255);
  IntTensor a({1, 1, 1, 64}), b({1, 1, 1, 64});
  for (int i = 0; i < 64; ++i) {
    a.data[i] = v(rng);
    b.data[i] = v(rng);
  }
  const IntTensor y = GoldenExecutor(net).run_layer(0, {&a, &b});
  for (int i = 0; i < 64; ++i) {
    const double real = qa.dequantize(a.data[i]) + qb.dequantize(b.data[i]);
    const double ideal = std::clamp(real / qy.scale + qy.zero_point, 0.0, 255.0);
    EXPECT_LE(std::fabs(y.data[i] - ideal), 1.0) << i;
  }
  // Hand case: (200-128)*0.05 + (60-10)*0.02 = 3.6 + 1.0 = 4.6 -> 4.6/0.08 + 100 = 157.5.
  IntTensor a1({1, 1, 1, 64}, std::vector<int32_t>(64, 200)), b1({1, 1, 1, 64}, std::vector<int32_t>(64, 60));
  EXPECT_NEAR(GoldenExecutor(net).run_layer(0, {&a1, &b1}).data[0], 157.5, 0.5);
  l.clamp_lo = qy.zero_point;  // fused ReLU
  IntTensor a2({1, 1, 1, 64}, std::vector<int32_t>(64, 0)), b2({1, 1, 1, 64}, std::vector<int32_t>(64, 0));
  EXPECT_EQ(GoldenExecutor(net).run_layer(0, {&a2, &b2}).data[0], qy.zero_point);
}

}  // namespace
}  // namespace qarray
