// RTL unit test of rtl/post_processing.v (verilated, plain C++): every output code equals
// workloads/numeric.h's requantize(wrap_to_bits(acc + bias', ACC_BITS), {M0, shift}, z_y, lo, hi),
// the valid pipeline is exactly 3 stages deep, and rst clears it. Two parameter sets:
// LANES=1/ACC_BITS=16/OUT_BITS=4 and LANES=16/ACC_BITS=32/OUT_BITS=8.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vrtl_pp_l16_a32_o8.h"
#include "Vrtl_pp_l1_a16_o4.h"
#include "tests/rtl_ports.h"
#include "workloads/numeric.h"

namespace qarray {
namespace {

using rtl_test::get_field;
using rtl_test::set_field;

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();

struct LaneIn {
  int64_t acc = 0;  // in [-2^(ACC_BITS-1), 2^(ACC_BITS-1))
  int32_t bias = 0, m0 = 0, shift = 0;
};
struct Row {
  int32_t zero_point = 0, lo = 0, hi = 0;
  std::vector<LaneIn> lanes;
};

// The reference: the golden executor's own arithmetic.
int32_t expected_code(const LaneIn& l, const Row& r, int acc_bits) {
  const int32_t reg = wrap_to_bits(l.acc + l.bias, acc_bits);
  return requantize(reg, QuantizedMultiplier{l.m0, l.shift}, r.zero_point, r.lo, r.hi);
}

std::string describe(const LaneIn& l, const Row& r) {
  std::ostringstream s;
  s << "acc=" << l.acc << " bias=" << l.bias << " m0=" << l.m0 << " shift=" << l.shift
    << " z_y=" << r.zero_point << " lo=" << r.lo << " hi=" << r.hi;
  return s.str();
}

// One verilated parameter set and the clocking around it.
template <typename Model, int kLanes, int kAccBits, int kOutBits>
struct PostProcessingRtl {
  static constexpr int lanes = kLanes, acc_bits = kAccBits, out_bits = kOutBits;
  VerilatedContext context;
  std::unique_ptr<Model> m = std::make_unique<Model>(&context);

  PostProcessingRtl() {
    m->clk = 0;
    m->rst = 1;
    m->in_valid = 0;
    m->eval();
    edge();
    m->rst = 0;
  }
  // One rising edge, then the falling edge; outputs are read after it.
  void edge() {
    m->clk = 1;
    m->eval();
    m->clk = 0;
    m->eval();
  }
  void drive(bool valid, const Row& r) {
    m->in_valid = valid;
    m->zero_point = static_cast<uint32_t>(r.zero_point);
    m->clamp_lo = static_cast<uint32_t>(r.lo);
    m->clamp_hi = static_cast<uint32_t>(r.hi);
    for (int i = 0; i < kLanes; ++i) {
      const LaneIn& l = r.lanes[i];
      set_field(m->in_acc, i * kAccBits, kAccBits, static_cast<uint64_t>(l.acc));
      set_field(m->in_bias, i * 32, 32, static_cast<uint32_t>(l.bias));
      set_field(m->in_m0, i * 32, 32, static_cast<uint32_t>(l.m0));
      set_field(m->in_shift, i * 6, 6, static_cast<uint64_t>(l.shift));
    }
  }
  int32_t out(int lane) const { return static_cast<int32_t>(get_field(m->out_q, lane * kOutBits, kOutBits)); }
};

using Small = PostProcessingRtl<Vrtl_pp_l1_a16_o4, 1, 16, 4>;
using Wide = PostProcessingRtl<Vrtl_pp_l16_a32_o8, 16, 32, 8>;

// Streams rows through the pipeline (valid[i] says whether row i is a real row or a bubble
// carrying the same data) and checks out_valid and every lane of every valid row, 3 edges later.
template <typename Rtl>
int64_t stream_and_check(Rtl& rtl, const std::vector<Row>& rows, const std::vector<bool>& valid) {
  constexpr int kLatency = 3;
  std::deque<int64_t> in_flight;  // row index or -1 (bubble), one per edge
  int64_t checked = 0, failures = 0;
  for (size_t t = 0; t < rows.size() + kLatency; ++t) {
    const bool v = t < rows.size() && valid[t];
    rtl.drive(v, rows[t < rows.size() ? t : rows.size() - 1]);
    rtl.edge();
    in_flight.push_back(v ? static_cast<int64_t>(t) : -1);
    if (in_flight.size() < kLatency) {
      EXPECT_EQ(rtl.m->out_valid, 0) << "out_valid high " << t + 1 << " edges after reset";
      continue;
    }
    const int64_t row = in_flight.front();
    in_flight.pop_front();
    if (rtl.m->out_valid != (row >= 0 ? 1 : 0) && ++failures <= 20)
      ADD_FAILURE() << "out_valid at edge " << t + 1 << ": got " << int(rtl.m->out_valid) << ", expected "
                    << (row >= 0);
    if (row < 0) continue;
    const Row& r = rows[row];
    for (int i = 0; i < Rtl::lanes; ++i) {
      const int32_t want = expected_code(r.lanes[i], r, Rtl::acc_bits);
      const int32_t got = rtl.out(i);
      ++checked;
      if (got != want && ++failures <= 20)
        ADD_FAILURE() << "row " << row << " lane " << i << " (" << describe(r.lanes[i], r) << "): got " << got
                      << ", expected " << want;
    }
  }
  EXPECT_EQ(failures, 0) << "mismatches in total";
  return checked;
}

// Packs lane cases into rows of `lanes`, each row with one (z_y, lo, hi) of `clamps` (cycling).
std::vector<Row> pack(const std::vector<LaneIn>& cases, const std::vector<Row>& clamps, int lanes) {
  std::vector<Row> rows;
  for (size_t c = 0; c < clamps.size(); ++c)
    for (size_t i = 0; i < cases.size(); i += lanes) {
      Row r = clamps[c];
      for (int k = 0; k < lanes; ++k) r.lanes.push_back(cases[(i + k) % cases.size()]);
      rows.push_back(r);
    }
  return rows;
}

// Output-stage settings: full range at both zero-point ends and mid, ReLU6-style windows,
// lo == hi, and int32 extremes of z_y (the sum is formed in 64 bits before the clamp).
std::vector<Row> clamp_settings(int out_bits) {
  const int32_t top = (1 << out_bits) - 1;
  return {{0, 0, top, {}},          {top, 0, top, {}},       {top / 2, 0, top, {}},
          {3, 3, std::min(9, top), {}}, {0, 0, std::min(6, top), {}}, {1, 2, 2, {}},
          {kMax32, 0, top, {}},     {kMin32, 0, top, {}}};
}

std::vector<LaneIn> edge_cases(int acc_bits) {
  const int64_t amin = -(int64_t{1} << (acc_bits - 1)), amax = (int64_t{1} << (acc_bits - 1)) - 1;
  const std::vector<int64_t> accs = {amin, amin + 1, -2, -1, 0, 1, 2, amax - 1, amax, 12345 % amax};
  const std::vector<int32_t> biases = {0, 1, -1, kMin32, kMax32, int32_t(uint32_t{1} << (acc_bits - 1)),
                                       0x5A5A5A5A};
  // M0 == INT32_MIN is outside the M0 contract but the datapath is exact for it (saturation).
  const std::vector<int32_t> m0s = {0, 1 << 30, (1 << 30) + 1, kMax32, 0x5DEADBEE, kMin32};
  std::vector<LaneIn> cases;
  for (int64_t a : accs)
    for (int32_t b : biases)
      for (int32_t m : m0s)
        for (int s = -31; s <= 30; ++s) cases.push_back({a, b, m, s});
  return cases;
}

// Rounding ties of SRDHM (2*x*M0 exactly halfway: M0 = 2^30 with odd x, 3*2^29 with x = 2 mod 4)
// and of RDivPOT (M0 = 2^31 - 1 keeps small x, x = odd * 2^(r-1)), both signs, and the
// saturating INT32_MIN * INT32_MIN (x reaches INT32_MIN through the wrapping left shift).
std::vector<LaneIn> tie_cases(int acc_bits) {
  const int64_t amax = (int64_t{1} << (acc_bits - 1)) - 1;
  std::vector<LaneIn> cases;
  for (int64_t odd : {int64_t{1}, int64_t{3}, int64_t{5}, int64_t{77}, amax, amax - 2})
    for (int sign : {1, -1}) {
      cases.push_back({sign * odd, 0, 1 << 30, 0});
      if (2 * odd <= amax) cases.push_back({sign * 2 * odd, 0, 3 << 29, 0});
      for (int l = 1; l <= 30; ++l) cases.push_back({sign * odd, 0, 1 << 30, l});
    }
  for (int r = 1; r <= 31; ++r)
    for (int64_t odd : {1, 3, 5})
      for (int sign : {1, -1}) {
        const int64_t x = sign * odd * (int64_t{1} << (r - 1));
        if (x >= -amax && x <= amax) cases.push_back({x, 0, kMax32, -r});
        if (x >= -amax && x <= amax) cases.push_back({x - 7, 7, kMax32, -r});  // via the bias add
      }
  cases.push_back({-(amax + 1), 0, kMin32, 32 - acc_bits});
  cases.push_back({-(amax + 1), 0, kMin32, 32 - acc_bits + 1 <= 30 ? 32 - acc_bits + 1 : 30});
  return cases;
}

bool srdhm_tie(int32_t x, int32_t m0) {
  const int64_t ab = int64_t{x} * m0, half = int64_t{1} << 30, unit = int64_t{1} << 31;
  return ((ab % unit) + unit) % unit == half;
}
bool rdivpot_tie(int32_t h, int r) { return r > 0 && (h & ((int64_t{1} << r) - 1)) == (int64_t{1} << (r - 1)); }

template <typename Rtl>
void check_edges(Rtl& rtl) {
  const auto clamps = clamp_settings(Rtl::out_bits);
  std::vector<LaneIn> cases = edge_cases(Rtl::acc_bits);
  const std::vector<LaneIn> ties = tie_cases(Rtl::acc_bits);
  cases.insert(cases.end(), ties.begin(), ties.end());
  // Count what the cases actually reach, so the coverage claims cannot rot silently.
  int64_t srdhm_ties = 0, rdivpot_ties = 0, saturations = 0;
  for (const LaneIn& l : cases) {
    const int32_t reg = wrap_to_bits(l.acc + l.bias, Rtl::acc_bits);
    const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(reg) << (l.shift > 0 ? l.shift : 0));
    srdhm_ties += srdhm_tie(x, l.m0);
    saturations += x == kMin32 && l.m0 == kMin32;
    rdivpot_ties += rdivpot_tie(saturating_rounding_doubling_high_mul(x, l.m0), l.shift < 0 ? -l.shift : 0);
  }
  EXPECT_GE(srdhm_ties, 100);
  EXPECT_GE(rdivpot_ties, 100);
  EXPECT_GE(saturations, 2);
  const std::vector<Row> rows = pack(cases, clamps, Rtl::lanes);
  const int64_t checked = stream_and_check(rtl, rows, std::vector<bool>(rows.size(), true));
  EXPECT_EQ(checked, static_cast<int64_t>(rows.size()) * Rtl::lanes);
  std::cout << "lanes checked " << checked << " (" << cases.size() << " cases x " << clamps.size()
            << " clamp settings), SRDHM ties " << srdhm_ties << ", RDivPOT ties " << rdivpot_ties
            << ", saturations " << saturations << "\n";
}

template <typename Rtl>
void check_random(Rtl& rtl, uint64_t seed, int64_t min_lanes) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const int64_t amax = (int64_t{1} << (Rtl::acc_bits - 1)) - 1, top = (int64_t{1} << Rtl::out_bits) - 1;
  const int64_t n_rows = (min_lanes + Rtl::lanes - 1) / Rtl::lanes;
  std::vector<Row> rows(n_rows);
  std::vector<bool> valid(n_rows);
  int64_t inside = 0;  // outputs strictly between lo and hi: the requantized value itself shows
  for (int64_t t = 0; t < n_rows; ++t) {
    Row& r = rows[t];
    r.zero_point = static_cast<int32_t>(uni(0, top));
    int64_t a = uni(0, top), b = uni(0, top);
    if (uni(0, 4) == 0) a = 0, b = top;
    r.lo = static_cast<int32_t>(std::min(a, b));
    r.hi = static_cast<int32_t>(std::max(a, b));
    valid[t] = uni(0, 9) != 0;  // ~10% bubbles
    for (int i = 0; i < Rtl::lanes; ++i) {
      LaneIn l;
      l.acc = uni(0, 1) ? uni(-amax - 1, amax) : uni(-4096, 4096);
      l.bias = static_cast<int32_t>(uni(0, 3) == 0 ? uni(kMin32, kMax32) : uni(-100000, 100000));
      l.m0 = uni(0, 19) == 0 ? 0 : static_cast<int32_t>(uni(int64_t{1} << 30, kMax32));
      l.shift = static_cast<int32_t>(uni(0, 1) ? uni(-31, 30) : uni(-16, 0));
      const int32_t y = expected_code(l, r, Rtl::acc_bits);
      inside += valid[t] && y > r.lo && y < r.hi;
      r.lanes.push_back(l);
    }
  }
  const int64_t checked = stream_and_check(rtl, rows, valid);
  EXPECT_GE(checked, min_lanes * 8 / 10);
  EXPECT_GE(inside, checked / 10) << "too few unclamped outputs to exercise requantization";
  std::cout << "lanes checked " << checked << ", strictly inside (lo, hi) " << inside << "\n";
}

// A single row at edge 1: out_valid must be low after edges 1 and 2 (probe cycle 2), high with
// the result after edge 3 (probe cycle 3), low again after edge 4.
template <typename Rtl>
void check_latency(Rtl& rtl) {
  Row r{5, 0, (1 << Rtl::out_bits) - 1, {}};
  for (int i = 0; i < Rtl::lanes; ++i) r.lanes.push_back({1000 + 37 * i, -13 * i, 1 << 30, -4});
  rtl.drive(true, r);
  rtl.edge();
  Row idle = r;
  for (LaneIn& l : idle.lanes) l = {0, 0, 0, 0};
  rtl.drive(false, idle);
  EXPECT_EQ(rtl.m->out_valid, 0) << "after edge 1";
  rtl.edge();
  EXPECT_EQ(rtl.m->out_valid, 0) << "after edge 2";
  rtl.edge();
  ASSERT_EQ(rtl.m->out_valid, 1) << "after edge 3";
  for (int i = 0; i < Rtl::lanes; ++i)
    EXPECT_EQ(rtl.out(i), expected_code(r.lanes[i], r, Rtl::acc_bits)) << "lane " << i << " after edge 3";
  rtl.edge();
  EXPECT_EQ(rtl.m->out_valid, 0) << "after edge 4";
}

// rst (synchronous) empties the valid pipeline: rows in flight never come out.
template <typename Rtl>
void check_reset(Rtl& rtl) {
  Row r{0, 0, 1, std::vector<LaneIn>(Rtl::lanes)};
  rtl.drive(true, r);
  rtl.edge();
  rtl.edge();
  rtl.m->in_valid = 0;
  rtl.m->rst = 1;
  rtl.edge();
  rtl.m->rst = 0;
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(rtl.m->out_valid, 0) << "edge " << k << " after reset";
    rtl.edge();
  }
}

TEST(RtlPostProcessing, SmallEdgeValuesTiesAndSaturationEqualNumeric) {
  Small rtl;
  check_edges(rtl);
}
TEST(RtlPostProcessing, WideEdgeValuesTiesAndSaturationEqualNumeric) {
  Wide rtl;
  check_edges(rtl);
}
TEST(RtlPostProcessing, SmallRandomLanesEqualNumeric) {
  Small rtl;
  check_random(rtl, 1, 120000);
}
TEST(RtlPostProcessing, WideRandomLanesEqualNumeric) {
  Wide rtl;
  check_random(rtl, 2, 120000);
}
TEST(RtlPostProcessing, SmallLatencyIsThreeCycles) {
  Small rtl;
  check_latency(rtl);
}
TEST(RtlPostProcessing, WideLatencyIsThreeCycles) {
  Wide rtl;
  check_latency(rtl);
}
TEST(RtlPostProcessing, ResetClearsTheValidPipeline) {
  Small small;
  check_reset(small);
  Wide wide;
  check_reset(wide);
}

}  // namespace
}  // namespace qarray
