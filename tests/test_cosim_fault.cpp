// The harness can fail: the fault-injection variant (rtl/pe.v `QARRAY_FAULT, one flipped
// product bit in PE (fault_row, fault_col) of a 4x4 output-stationary array) must be reported at
// exactly that PE and at the cycle where its sums leave the array, computed from the fault
// location: the drain starts after k_len + R + C - 2 cycles and array row r leaves in drain
// cycle R - 1 - r.
#include <gtest/gtest.h>

#include "sim/cosim/cosim.h"
#include "sim/stimulus.h"

namespace qarray {
namespace {

const RtlVariant& fault_variant() {
  for (const RtlVariant& v : rtl_variants())
    if (v.fault) return v;
  throw std::runtime_error("no fault-injection variant compiled");
}

TEST(CosimFault, ReportsTheFaultyPeAndTheCycleItsSumLeaves) {
  const RtlVariant& v = fault_variant();
  ASSERT_EQ(v.dataflow, Dataflow::OutputStationary);
  const ArchConfig arch = variant_arch(v);
  // fc, K = 4 inputs, 4 outputs, batch 4: one fold of k_len 4 fills the 4 x 4 array. With
  // K < R + C - 2 the PE adds the flipped bit in more all-zero cycles (+2^bit each) than in
  // data cycles (+-2^bit), so the fault cannot cancel out.
  LayerSpec s;
  s.kind = LayerKind::Fc;
  s.channels = v.rows;
  s.filters = v.cols;
  const Network net = random_layer_network(s, v.weight_bits, v.act_bits, v.acc_bits, 7);
  const IntTensor x = random_input(net, v.rows, 8);
  const int64_t k_len = s.channels;
  const int64_t drain_start = k_len + v.rows + v.cols - 2;
  const int64_t expected_cycle = drain_start + (v.rows - 1 - v.fault_row);
  CosimOptions opt;
  opt.variant = v.name;
  try {
    cosim_layer(net, 0, x, arch, opt, "fault case");
    FAIL() << "the injected fault went unnoticed";
  } catch (const CosimMismatchError& e) {
    const ArrayMismatch& m = e.mismatch;
    EXPECT_EQ(m.fold, 0);
    EXPECT_EQ(m.fold_cycle, expected_cycle);
    EXPECT_EQ(m.run_cycle, expected_cycle);
    EXPECT_FALSE(m.valid_differs);
    EXPECT_EQ(m.pe_row, v.fault_row);
    EXPECT_EQ(m.column, v.fault_col);
    EXPECT_EQ(m.index, v.fault_row);  // os: array row r holds vector p0 + r
    EXPECT_NE(m.expected, m.actual);
    const std::string want = "fault case on RTL variant " + v.name + ": fold 1/1 (pass 0, k0 0, oc0 0, p0 0), cycle " +
                             std::to_string(expected_cycle) + " of the fold (cycle " + std::to_string(expected_cycle) +
                             " of the run): PE (" + std::to_string(v.fault_row) + ", " + std::to_string(v.fault_col) +
                             ") (vector p0+" + std::to_string(v.fault_row) + ", channel oc0+" +
                             std::to_string(v.fault_col) + "): RTL sum " + std::to_string(m.actual) +
                             ", SystemC sum " + std::to_string(m.expected) + " (low 32 bits)";
    EXPECT_EQ(std::string(e.what()), want);
  }
}

}  // namespace
}  // namespace qarray
