// RTL unit test of rtl/accumulator.v (verilated, plain C++) against the read-modify-write rule of
// sim/accumulator.{h,cpp}: the first fold overwrites, later folds add with ACC_BITS wrap-around
// (workloads/numeric.h wrap_to_bits), the result is out_acc one edge later and is written back.
// rst clears out_valid and blocks the write. Two parameter sets: COLS=1/ACC_BITS=8/DEPTH=16 and
// COLS=16/ACC_BITS=32/DEPTH=256.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "Vrtl_acc_c16_a32_d256.h"
#include "Vrtl_acc_c1_a8_d16.h"
#include "tests/rtl_ports.h"
#include "workloads/numeric.h"

namespace qarray {
namespace {

using rtl_test::get_field;
using rtl_test::set_field;
using rtl_test::sign_extend;

template <typename Model, int kCols, int kAccBits, int kDepth>
struct AccumulatorRtl {
  static constexpr int cols = kCols, acc_bits = kAccBits, depth = kDepth;
  VerilatedContext context;
  std::unique_ptr<Model> m = std::make_unique<Model>(&context);
  // The reference buffer: one acc_bits word (held sign-extended) per row and column.
  std::vector<int32_t> ref = std::vector<int32_t>(static_cast<size_t>(kDepth) * kCols, 0);
  int64_t failures = 0;

  AccumulatorRtl() {
    m->clk = 0;
    m->rst = 0;
    m->in_valid = 0;
    m->eval();
  }
  void edge() {
    m->clk = 1;
    m->eval();
    m->clk = 0;
    m->eval();
  }
  void drive(bool valid, bool first, int addr, const std::vector<int64_t>& sums) {
    m->in_valid = valid;
    m->in_first = first;
    m->in_addr = static_cast<std::remove_reference_t<decltype(m->in_addr)>>(addr);
    for (int c = 0; c < kCols; ++c) set_field(m->in_sums, c * kAccBits, kAccBits, static_cast<uint64_t>(sums[c]));
  }
  int32_t out(int c) const {
    return static_cast<int32_t>(sign_extend(get_field(m->out_acc, c * kAccBits, kAccBits), kAccBits));
  }
  // One fold of row addr: drives it, clocks one edge and checks out_valid/out_acc against the
  // reference; `what` names the case in failure messages.
  void fold(bool first, int addr, const std::vector<int64_t>& sums, const char* what, int64_t step) {
    drive(true, first, addr, sums);
    edge();
    EXPECT_EQ(m->out_valid, 1) << what << " step " << step << ": out_valid after the edge";
    for (int c = 0; c < kCols; ++c) {
      int32_t& w = ref[static_cast<size_t>(addr) * kCols + c];
      w = first ? wrap_to_bits(sums[c], kAccBits) : wrap_to_bits(int64_t{w} + sums[c], kAccBits);
      const int32_t got = out(c);
      if (got != w && ++failures <= 20)
        ADD_FAILURE() << what << " step " << step << " row " << addr << " column " << c
                      << (first ? " (first)" : " (add)") << " sum " << sums[c] << ": got " << got << ", expected "
                      << w;
    }
    m->in_valid = 0;
  }
  void idle() {
    m->in_valid = 0;
    edge();
  }
};

using Small = AccumulatorRtl<Vrtl_acc_c1_a8_d16, 1, 8, 16>;
using Wide = AccumulatorRtl<Vrtl_acc_c16_a32_d256, 16, 32, 256>;

template <typename Rtl>
std::vector<int64_t> row_of(int64_t v) {
  return std::vector<int64_t>(Rtl::cols, v);
}

// Overwrite on the first fold whatever the row held; add afterwards; wrap at both ends.
template <typename Rtl>
void check_rules(Rtl& rtl) {
  const int64_t amax = (int64_t{1} << (Rtl::acc_bits - 1)) - 1, amin = -amax - 1;
  int64_t step = 0;
  // Latency 1: after an idle edge out_valid is low; the edge that samples in_valid raises it
  // with the row (fold checks out_valid and out_acc right after that edge).
  rtl.idle();
  EXPECT_EQ(rtl.m->out_valid, 0) << "out_valid after an idle edge";
  rtl.fold(true, 0, row_of<Rtl>(1), "latency", step++);
  for (int addr = 0; addr < Rtl::depth; ++addr) rtl.fold(true, addr, row_of<Rtl>(addr * 3 - 7), "fill", step++);
  rtl.fold(true, 5, row_of<Rtl>(42), "first overwrites", step++);
  rtl.fold(false, 5, row_of<Rtl>(-50), "add", step++);
  rtl.fold(true, 7, row_of<Rtl>(amax), "max", step++);
  rtl.fold(false, 7, row_of<Rtl>(1), "max + 1 wraps to min", step++);
  EXPECT_EQ(rtl.out(0), amin);
  rtl.fold(false, 7, row_of<Rtl>(-1), "min - 1 wraps to max", step++);
  EXPECT_EQ(rtl.out(0), amax);
  rtl.fold(false, 7, row_of<Rtl>(amin), "max + min", step++);
  EXPECT_EQ(rtl.out(0), -1);
  rtl.fold(false, 7, row_of<Rtl>(amin), "-1 + min wraps", step++);
  EXPECT_EQ(rtl.out(0), amax);
  // Back-to-back folds of one row (no idle edge between): each sees the previous write.
  for (int k = 0; k < 5; ++k) rtl.fold(false, 7, row_of<Rtl>(amax / 2 + k), "back-to-back", step++);
  // in_valid low: nothing is written, out_valid drops.
  rtl.drive(false, true, 7, row_of<Rtl>(99));
  rtl.edge();
  EXPECT_EQ(rtl.m->out_valid, 0) << "out_valid one edge after in_valid fell";
  rtl.fold(false, 7, row_of<Rtl>(0), "read back after an invalid cycle", step++);
  rtl.fold(false, Rtl::depth - 1, row_of<Rtl>(1), "last row", step++);
  EXPECT_EQ(rtl.failures, 0);
}

// Random tiles: per row a first fold then several adds, rows interleaved, random bubbles and
// column values, full-range sums (wrap-around happens often).
template <typename Rtl>
void check_random(Rtl& rtl, uint64_t seed, int64_t min_words) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const int64_t amax = (int64_t{1} << (Rtl::acc_bits - 1)) - 1;
  std::vector<bool> started(Rtl::depth, false);
  int64_t words = 0, step = 0;
  while (words < min_words) {
    const int addr = static_cast<int>(uni(0, Rtl::depth - 1));
    const bool first = !started[addr] || uni(0, 7) == 0;
    started[addr] = true;
    std::vector<int64_t> sums(Rtl::cols);
    for (int64_t& s : sums) s = uni(0, 1) ? uni(-amax - 1, amax) : uni(-300, 300);
    rtl.fold(first, addr, sums, "random", step++);
    words += Rtl::cols;
    if (uni(0, 9) == 0) rtl.idle();
  }
  EXPECT_EQ(rtl.failures, 0);
}

TEST(RtlAccumulator, SmallOverwriteAddAndWrapAround) {
  Small rtl;
  check_rules(rtl);
}
TEST(RtlAccumulator, WideOverwriteAddAndWrapAround) {
  Wide rtl;
  check_rules(rtl);
}
// rst (synchronous) clears out_valid and writes nothing, even with in_valid high; the row it
// would have written keeps its value.
template <typename Rtl>
void check_reset(Rtl& rtl) {
  rtl.fold(true, 3, row_of<Rtl>(11), "before reset", 0);
  EXPECT_EQ(rtl.m->out_valid, 1);
  rtl.drive(true, true, 3, row_of<Rtl>(99));
  rtl.m->rst = 1;
  rtl.edge();
  EXPECT_EQ(rtl.m->out_valid, 0) << "out_valid right after a reset edge with in_valid high";
  rtl.m->rst = 0;
  rtl.fold(false, 3, row_of<Rtl>(1), "after reset: the row still holds 11", 1);
  EXPECT_EQ(rtl.out(0), 12);
  EXPECT_EQ(rtl.failures, 0);
}

TEST(RtlAccumulator, SmallResetClearsValidAndBlocksTheWrite) {
  Small rtl;
  check_reset(rtl);
}
TEST(RtlAccumulator, WideResetClearsValidAndBlocksTheWrite) {
  Wide rtl;
  check_reset(rtl);
}
TEST(RtlAccumulator, SmallRandomFoldsEqualReference) {
  Small rtl;
  check_random(rtl, 3, 100000);
}
TEST(RtlAccumulator, WideRandomFoldsEqualReference) {
  Wide rtl;
  check_random(rtl, 4, 200000);
}

}  // namespace
}  // namespace qarray
