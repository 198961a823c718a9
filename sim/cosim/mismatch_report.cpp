#include "sim/cosim/mismatch_report.h"

#include "sim/dataflow/dataflow_unit.h"

namespace qarray {
namespace {

std::string n(int64_t v) { return std::to_string(v); }

}  // namespace

std::string describe_mismatch(const std::string& label, const LockstepRun& run, const std::vector<size_t>& fold_pass) {
  const RtlVariant& v = *run.variant;
  const DatapathMismatch& m = run.first;
  const FoldJob& j = run.folds[m.fold].job;
  std::string s = label + " on RTL variant " + v.name + ": fold " + n(m.fold + 1) + "/" + n(run.folds.size()) +
                  " (pass " + n(fold_pass[m.fold]) + ", k0 " + n(j.k0) + ", oc0 " + n(j.oc0) + ", p0 " + n(j.p0) +
                  "), cycle " + n(m.fold_cycle) + " of the fold (cycle " + n(m.run_cycle) + " of the run): ";
  const bool is = dataflow_unit(v.dataflow).row_kind() == RowKind::Channel;
  const std::string row = is ? "weight column oc0+" + n(m.index) : "vector p0+" + n(m.index);
  const char* stage = m.stage == CosimStage::Array         ? ""
                      : m.stage == CosimStage::Accumulator ? "accumulator "
                                                           : "post-processing ";
  const char* model = m.stage == CosimStage::Array         ? "the SystemC array"
                      : m.stage == CosimStage::Accumulator ? "the SystemC accumulator"
                                                           : "the SystemC post-processing unit";
  if (m.valid_differs) {
    if (m.actual_valid) return s + stage + "out_valid is 1 on the RTL but " + model + " delivers no row";
    return s + stage + "out_valid is 0 on the RTL but " + model + " delivers the row of " + row;
  }
  const std::string bits = " (low " + n(v.acc_bits) + " bits)";
  if (m.stage == CosimStage::Array) {
    std::string where = "column " + n(m.column) + " (" + row + ")";
    if (m.pe_row >= 0)
      where = "PE (" + n(m.pe_row) + ", " + n(m.column) + ") (" + row + ", channel oc0+" + n(m.column) + ")";
    return s + where + ": RTL sum " + n(m.actual) + ", SystemC sum " + n(m.expected) + bits;
  }
  // Lane c: of a vector row, the tile's channel oc0 + c; of a channel row (is), vector p0 + c.
  const std::string lane = "lane " + n(m.column) + " (" +
                           (is ? row + ", vector p0+" + n(m.column) : row + ", channel oc0+" + n(m.column));
  if (m.stage == CosimStage::Accumulator)
    return s + "accumulator " + lane + "): RTL accumulator " + n(m.actual) + ", SystemC accumulator " +
           n(m.expected) + bits;
  return s + "post-processing " + lane + ", output channel " + n(m.channel) + "): RTL code " + n(m.actual) +
         ", SystemC code " + n(m.expected);
}

}  // namespace qarray
