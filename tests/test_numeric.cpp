// Numeric contract (DESIGN §3): gemmlowp SRDHM and RoundingDivideByPOT against exact 128-bit
// references on edge values and 10^6 random cases; multiplier quantization; the worked example
// of REFERENCE_FIGURES.md; accumulator wrap.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "base/errors.h"
#include "models/quant_grid.h"
#include "workloads/numeric.h"

namespace qarray {
namespace {

using i128 = __int128;

i128 floor_div(i128 a, i128 b) {  // b > 0
  i128 q = a / b;
  if ((a % b) != 0 && a < 0) --q;
  return q;
}

// SRDHM by definition: round(a*b / 2^31) with ties toward +inf, saturating the one overflow.
int32_t ref_srdhm(int32_t a, int32_t b) {
  const i128 v = floor_div(static_cast<i128>(a) * b + (i128{1} << 30), i128{1} << 31);
  if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(v);
}

// RoundingDivideByPOT by definition: x / 2^n to nearest, ties away from zero.
int32_t ref_rdivpot(int32_t x, int n) {
  if (n == 0) return x;
  const i128 mag = x < 0 ? -static_cast<i128>(x) : static_cast<i128>(x);
  const i128 q = (mag + (i128{1} << (n - 1))) >> n;
  return static_cast<int32_t>(x < 0 ? -q : q);
}

std::vector<int32_t> edge_values() {
  std::vector<int32_t> v = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::min() + 1,
                            -1, 0, 1, std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::max() - 1, 1 << 30, -(1 << 30)};
  for (int s = 0; s < 31; ++s) {
    v.push_back(1 << s);
    v.push_back(-(1 << s));
    v.push_back((1 << s) + 1);
    v.push_back(-(1 << s) - 1);
  }
  return v;
}

TEST(Srdhm, MatchesExactReferenceOnEdgeValues) {
  for (int32_t a : edge_values())
    for (int32_t b : edge_values())
      ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), ref_srdhm(a, b)) << "a=" << a << " b=" << b;
}

TEST(Srdhm, SaturatesOnlyForMinTimesMin) {
  const int32_t mn = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(saturating_rounding_doubling_high_mul(mn, mn), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(saturating_rounding_doubling_high_mul(mn, mn + 1), std::numeric_limits<int32_t>::max());
}

TEST(Srdhm, TiesRoundTowardPlusInfinity) {
  // a*b = +-2^30 is exactly half a unit of 2^31.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1 << 15, 1 << 15), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(1 << 15), 1 << 15), 0);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3 << 15, 1 << 15), 2);    // 1.5 -> 2
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-(3 << 15), 1 << 15), -1);  // -1.5 -> -1
}

TEST(Srdhm, MatchesExactReferenceOnAMillionRandomCases) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  for (int i = 0; i < 1000000; ++i) {
    const int32_t a = any(rng), b = any(rng);
    ASSERT_EQ(saturating_rounding_doubling_high_mul(a, b), ref_srdhm(a, b)) << "a=" << a << " b=" << b;
  }
}

TEST(RoundingDivideByPot, MatchesExactReferenceForEveryShift) {
  for (int n = 0; n <= 31; ++n)
    for (int32_t x : edge_values()) ASSERT_EQ(rounding_divide_by_pot(x, n), ref_rdivpot(x, n)) << x << " >> " << n;
}

TEST(RoundingDivideByPot, TiesRoundAwayFromZero) {
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);
  EXPECT_EQ(rounding_divide_by_pot(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(rounding_divide_by_pot(std::numeric_limits<int32_t>::min(), 31), -1);
}

TEST(RoundingDivideByPot, MatchesExactReferenceOnAMillionRandomCases) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int> shift(0, 31);
  for (int i = 0; i < 1000000; ++i) {
    const int32_t x = any(rng);
    const int n = shift(rng);
    ASSERT_EQ(rounding_divide_by_pot(x, n), ref_rdivpot(x, n)) << x << " >> " << n;
  }
}

TEST(QuantizeMultiplier, M0IsNormalizedAndExactToHalfAnUlp) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> expo(-30.0, 20.0);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::pow(2.0, expo(rng));
    const QuantizedMultiplier q = quantize_multiplier(m);
    ASSERT_GE(q.m0, 1 << 30) << m;
    ASSERT_LE(std::fabs(real_multiplier(q) - m), std::ldexp(m, -31)) << m;
  }
}

TEST(QuantizeMultiplier, ZeroTinyAndRoundUpCases) {
  EXPECT_EQ(quantize_multiplier(0.0).m0, 0);
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -40)).m0, 0);
  const QuantizedMultiplier one = quantize_multiplier(1.0);
  EXPECT_EQ(one.m0, 1 << 30);
  EXPECT_EQ(one.shift, 1);
  // Just below a power of two rounds M0 up to 2^31, renormalized to 2^30 with shift + 1.
  const QuantizedMultiplier up = quantize_multiplier(std::nextafter(0.5, 0.0));
  EXPECT_EQ(up.m0, 1 << 30);
  EXPECT_EQ(up.shift, 0);
  EXPECT_THROW(quantize_multiplier(-0.5), InputError);
  EXPECT_THROW(quantize_multiplier(std::nan("")), InputError);
}

TEST(MultiplyByQuantizedMultiplier, WithinOneOfTheRealProduct) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> expo(-20.0, 4.0);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  for (int i = 0; i < 200000; ++i) {
    const QuantizedMultiplier q = quantize_multiplier(std::pow(2.0, expo(rng)));
    const int32_t x = acc(rng);
    const double exact = x * real_multiplier(q);
    if (std::fabs(exact) > 2e9) continue;
    ASSERT_LE(std::fabs(multiply_by_quantized_multiplier(x, q) - exact), 1.0) << x;
  }
}

TEST(MultiplyByQuantizedMultiplier, HalfUsesBothRoundings) {
  const QuantizedMultiplier half = quantize_multiplier(0.5);  // M0 = 2^30, shift 0
  EXPECT_EQ(multiply_by_quantized_multiplier(3, half), 2);    // SRDHM tie 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(-3, half), -1);  // SRDHM tie -1.5 -> -1
  const QuantizedMultiplier quarter = quantize_multiplier(0.25);  // shift -1: RDivPOT by 2
  EXPECT_EQ(multiply_by_quantized_multiplier(6, quarter), 2);     // 3/2 = 1.5 -> 2 (away)
  EXPECT_EQ(multiply_by_quantized_multiplier(-6, quarter), -2);   // -1.5 -> -2 (away)
}

TEST(Requantize, ClampsToFusedBoundsAndAddsZeroPoint) {
  const QuantizedMultiplier m = quantize_multiplier(0.5);
  EXPECT_EQ(requantize(100, m, 10, 0, 255), 60);
  EXPECT_EQ(requantize(-100, m, 10, 10, 255), 10);  // ReLU: lo = z
  EXPECT_EQ(requantize(1000, m, 10, 0, 255), 255);
  // M = 1 is M0 = 2^30 with a left shift of 1; the shift wraps like a 32-bit hardware shifter:
  // INT32_MAX << 1 = -2, SRDHM(-2, 2^30) = -1, so z - 1.
  EXPECT_EQ(requantize(std::numeric_limits<int32_t>::max(), quantize_multiplier(1.0), 65535, 0, 65535), 65534);
  EXPECT_EQ(requantize(1000, quantize_multiplier(1.0), 0, 0, 65535), 1000);
}

TEST(WrapToBits, TwoComplementRegister) {
  EXPECT_EQ(wrap_to_bits(127, 8), 127);
  EXPECT_EQ(wrap_to_bits(128, 8), -128);
  EXPECT_EQ(wrap_to_bits(-129, 8), 127);
  EXPECT_EQ(wrap_to_bits(int64_t{1} << 31, 32), std::numeric_limits<int32_t>::min());
  EXPECT_TRUE(fits_bits(-128, 8));
  EXPECT_FALSE(fits_bits(128, 8));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = static_cast<int64_t>(rng() >> 20) - (int64_t{1} << 43);
    const int bits = 2 + static_cast<int>(rng() % 31);
    const int64_t mod = int64_t{1} << bits;
    int64_t r = ((v % mod) + mod) % mod;
    if (r >= mod / 2) r -= mod;
    ASSERT_EQ(wrap_to_bits(v, bits), r) << v << " in " << bits << " bits";
  }
}

// REFERENCE_FIGURES.md, "the worked example from the quantization seed".
// The inputs are float32, as every activation tensor is: 0.90f * 255 = 229.49999 rounds to 229
// (in double, 0.90 * 255 would be the tie 229.5 and round to 230).
TEST(WorkedExample, UnsignedEightBitOverUnitRange) {
  const float at[4][4] = {{0.97, 0.64, 0.74, 1.00}, {0.58, 0.84, 0.84, 0.81},
                           {0.00, 0.18, 0.90, 0.28}, {0.57, 0.96, 0.80, 0.81}};
  const int32_t expected[4][4] = {{247, 163, 189, 255}, {148, 214, 214, 207},
                                  {0, 46, 229, 71}, {145, 245, 204, 207}};
  const ActQuant q = act_quant_from_range(0.0, 1.0, 8);
  EXPECT_DOUBLE_EQ(q.scale, 1.0 / 255.0);
  EXPECT_EQ(q.zero_point, 0);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(q.quantize(at[i][j]), expected[i][j]) << i << "," << j;
}

TEST(QuantGrid, WeightsUseTheNarrowSymmetricGrid) {
  EXPECT_EQ(weight_qmax(8), 127);
  EXPECT_EQ(weight_qmax(2), 1);
  EXPECT_EQ(quantize_weight(-1.0, 1.0 / 127, 8), -127);
  EXPECT_EQ(quantize_weight(-5.0, 1.0 / 127, 8), -127);  // never -128
  EXPECT_EQ(quantize_weight(0.5 / 127, 1.0 / 127, 8), 1);  // half away from zero
  EXPECT_EQ(quantize_weight(-0.5 / 127, 1.0 / 127, 8), -1);
  const ActQuant a = act_quant_from_range(-1.0, 3.0, 4);
  EXPECT_DOUBLE_EQ(a.scale, 4.0 / 15);
  EXPECT_EQ(a.zero_point, 4);  // round(3.75)
  EXPECT_EQ(a.quantize(0.0), 4);
}

}  // namespace
}  // namespace qarray
