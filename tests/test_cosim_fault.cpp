// The harness can fail, at every stage of the datapath, and says where:
//  - the PE fault build (rtl/pe.v `QARRAY_FAULT, one flipped product bit in PE (fault_row,
//    fault_col) of a 4x4 output-stationary array) is reported at exactly that PE and at the cycle
//    its sums leave the array: the drain starts after k_len + R + C - 2 cycles and array row r
//    leaves in drain cycle R - 1 - r;
//  - the datapath fault build (rtl/accumulator.v `QARRAY_FAULT_ACC and rtl/post_processing.v
//    `QARRAY_FAULT_PP: lane fault_lane flips bit fault_bit of every read-modify-write sum and of
//    every output code, 4x4 weight-stationary) is reported in post-processing when a layer has
//    one k fold, and in the accumulator at the first row of the second k fold when it has two,
//    at that lane and at the cycle computed from the pipeline: ws vector i leaves the array in
//    fold cycle 2R + C - 2 + i, the accumulator Accumulator::kLatencyCycles and post-processing
//    PostProcessing::kLatencyCycles later.
#include <gtest/gtest.h>

#include "sim/accumulator.h"
#include "sim/cosim/cosim.h"
#include "sim/post_processing.h"
#include "sim/stimulus.h"

namespace qarray {
namespace {

const RtlVariant& fault_variant(RtlFault kind) {
  for (const RtlVariant& v : rtl_variants())
    if (v.fault == kind) return v;
  throw std::runtime_error("no fault-injection variant of this kind compiled");
}

// fc layer with K inputs, C outputs and a batch of R vectors on the variant's array.
CosimMismatchError run_fault_case(const RtlVariant& v, int64_t k, const std::string& label) {
  LayerSpec s;
  s.kind = LayerKind::Fc;
  s.channels = k;
  s.filters = v.cols;
  const Network net = random_layer_network(s, v.weight_bits, v.act_bits, v.acc_bits, 7);
  const IntTensor x = random_input(net, v.rows, 8);
  CosimOptions opt;
  opt.variant = v.name;
  try {
    cosim_layer(net, 0, x, variant_arch(v), opt, label);
  } catch (const CosimMismatchError& e) {
    return e;
  }
  throw std::runtime_error("the injected fault went unnoticed");
}

// A datapath fault: at `stage`, in the row of vector 0 of fold `fold`, at lane fault_lane, the
// flipped bit being the only difference.
void expect_lane_fault(const DatapathMismatch& m, const RtlVariant& v, CosimStage stage, int64_t fold,
                       int64_t fold_cycle, int64_t run_cycle) {
  EXPECT_EQ(m.stage, stage);
  EXPECT_EQ(m.fold, fold);
  EXPECT_EQ(m.fold_cycle, fold_cycle);
  EXPECT_EQ(m.run_cycle, run_cycle);
  EXPECT_FALSE(m.valid_differs);
  EXPECT_EQ(m.column, v.fault_lane);
  EXPECT_EQ(m.index, 0);
  EXPECT_EQ(m.actual, m.expected ^ (int64_t{1} << v.fault_bit));
}

TEST(CosimFault, ReportsTheFaultyPeAndTheCycleItsSumLeaves) {
  const RtlVariant& v = fault_variant(RtlFault::Pe);
  ASSERT_EQ(v.dataflow, Dataflow::OutputStationary);
  // K = R: one fold of k_len R fills the array. With K < R + C - 2 the PE adds the flipped bit
  // in more all-zero cycles (+2^bit each) than in data cycles (+-2^bit): it cannot cancel out.
  const int64_t k_len = v.rows;
  const int64_t drain_start = k_len + v.rows + v.cols - 2;
  const int64_t expected_cycle = drain_start + (v.rows - 1 - v.fault_row);
  const CosimMismatchError e = run_fault_case(v, k_len, "fault case");
  const DatapathMismatch& m = e.mismatch;
  EXPECT_EQ(m.stage, CosimStage::Array);
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
                           std::to_string(v.fault_col) + "): RTL sum " + std::to_string(m.actual) + ", SystemC sum " +
                           std::to_string(m.expected) + " (low 32 bits)";
  EXPECT_EQ(std::string(e.what()), want);
}

TEST(CosimFault, OneKFoldReportsThePostProcessingLaneAndCycle) {
  const RtlVariant& v = fault_variant(RtlFault::Datapath);
  ASSERT_EQ(v.dataflow, Dataflow::WeightStationary);
  // K = R: one k fold, so no read-modify-write (the accumulator's fault stays silent); vector 0
  // is the first row post-processed.
  const int64_t expected_cycle =
      2 * v.rows + v.cols - 2 + Accumulator::kLatencyCycles + PostProcessing::kLatencyCycles;
  const CosimMismatchError e = run_fault_case(v, v.rows, "pp fault");
  const DatapathMismatch& m = e.mismatch;
  expect_lane_fault(m, v, CosimStage::PostProcessing, 0, expected_cycle, expected_cycle);
  EXPECT_EQ(m.channel, v.fault_lane);  // fc: weight column c is output channel c
  const std::string want = "pp fault on RTL variant " + v.name + ": fold 1/1 (pass 0, k0 0, oc0 0, p0 0), cycle " +
                           std::to_string(expected_cycle) + " of the fold (cycle " + std::to_string(expected_cycle) +
                           " of the run): post-processing lane " + std::to_string(v.fault_lane) +
                           " (vector p0+0, channel oc0+" + std::to_string(v.fault_lane) + ", output channel " +
                           std::to_string(v.fault_lane) + "): RTL code " + std::to_string(m.actual) +
                           ", SystemC code " + std::to_string(m.expected);
  EXPECT_EQ(std::string(e.what()), want);
}

TEST(CosimFault, TwoKFoldsReportTheAccumulatorLaneAndCycleOfTheSecondFold) {
  const RtlVariant& v = fault_variant(RtlFault::Datapath);
  // K = 2R: fold 0 (k0 0) overwrites, fold 1 (k0 R) adds: its vector 0 is the first
  // read-modify-write, one cycle after it leaves the array. A ws fold lasts R + p_len + R + C - 2
  // cycles (p_len = R vectors).
  const int64_t fold_len = v.rows + v.rows + v.rows + v.cols - 2;
  const int64_t expected_fold_cycle = 2 * v.rows + v.cols - 2 + Accumulator::kLatencyCycles;
  const CosimMismatchError e = run_fault_case(v, 2 * v.rows, "acc fault");
  const DatapathMismatch& m = e.mismatch;
  expect_lane_fault(m, v, CosimStage::Accumulator, 1, expected_fold_cycle, fold_len + expected_fold_cycle);
  const std::string want = "acc fault on RTL variant " + v.name + ": fold 2/2 (pass 0, k0 " + std::to_string(v.rows) +
                           ", oc0 0, p0 0), cycle " + std::to_string(expected_fold_cycle) + " of the fold (cycle " +
                           std::to_string(fold_len + expected_fold_cycle) + " of the run): accumulator lane " +
                           std::to_string(v.fault_lane) + " (vector p0+0, channel oc0+" +
                           std::to_string(v.fault_lane) + "): RTL accumulator " + std::to_string(m.actual) +
                           ", SystemC accumulator " + std::to_string(m.expected) + " (low 32 bits)";
  EXPECT_EQ(std::string(e.what()), want);
}

}  // namespace
}  // namespace qarray
