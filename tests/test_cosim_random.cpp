// Cross-implementation regression: seeded random layers on every compiled RTL variant (1x1 to
// 16x16, non-square, operand widths 2, 4, 8, 16, ws / os / is), the verilated RTL array in
// lockstep with the SystemC array every cycle and the final tensors equal to golden. 56 cases
// per variant (seven rounds of the eight case kinds of sim/cosim/random_cases.cpp: random conv /
// fc / depthwise with partial tiles, all -max weights x all +max activations, all +max, zero
// points at both ends, reductions that cross the accumulator limit, 1-wide tiles).
#include <gtest/gtest.h>

#include "sim/cosim/cosim.h"

namespace qarray {
namespace {

constexpr int64_t kCasesPerVariant = 56;

std::vector<std::string> fault_free_variants() {
  std::vector<std::string> names;
  for (const RtlVariant& v : rtl_variants())
    if (v.fault == RtlFault::None) names.push_back(v.name);
  return names;
}

class CosimRandom : public ::testing::TestWithParam<std::string> {};

TEST_P(CosimRandom, EveryCaseEqualCycleByCycleAndBitExactWithGolden) {
  const RtlVariant& v = rtl_variant_named(GetParam());
  const ArchConfig arch = variant_arch(v);
  CosimStats total;
  for (int64_t c = 0; c < kCasesPerVariant; ++c) {
    std::string what;
    try {
      total.add(cosim_random_case(v, arch, 20261125u + static_cast<uint32_t>(c) * 7919u, c, &what));
    } catch (const CosimMismatchError& e) {
      FAIL() << e.what();
    }
  }
  EXPECT_EQ(total.layers, kCasesPerVariant);
  EXPECT_GT(total.array_rows, 0);
  EXPECT_GT(total.output_rows, 0);
  EXPECT_GT(total.outputs, 0);
}

INSTANTIATE_TEST_SUITE_P(Variants, CosimRandom, ::testing::ValuesIn(fault_free_variants()),
                         [](const auto& info) { return info.param; });

TEST(CosimVariants, CoverTheSizesWidthsAndDataflowsOfTheIssue) {
  std::set<std::pair<int, int>> sizes;
  std::set<int> widths;
  std::set<Dataflow> dataflows;
  for (const RtlVariant& v : rtl_variants()) {
    if (v.fault != RtlFault::None) continue;
    sizes.insert({v.rows, v.cols});
    widths.insert(v.weight_bits);
    widths.insert(v.act_bits);
    dataflows.insert(v.dataflow);
  }
  for (auto s : {std::pair{1, 1}, std::pair{3, 5}, std::pair{4, 4}, std::pair{8, 8}, std::pair{16, 16}})
    EXPECT_TRUE(sizes.count(s)) << s.first << "x" << s.second;
  for (int w : {2, 4, 8, 16}) EXPECT_TRUE(widths.count(w)) << w;
  EXPECT_EQ(dataflows.size(), 3u);
}

TEST(CosimVariants, AnArchWithoutAVariantIsAnErrorListingTheVariants) {
  ArchConfig a;
  a.name = "odd";
  a.rows = 7;
  a.cols = 9;
  try {
    find_rtl_variant(a);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("arch 'odd' (7x9 ws W8A8 acc32, accumulator depth 8192) matches no compiled RTL variant"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("cosim8x8_ws_w8a8: 8x8 ws W8A8 acc32"), std::string::npos) << m;
    EXPECT_EQ(m.find("fault"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace qarray
