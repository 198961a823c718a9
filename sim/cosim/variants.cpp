#include "sim/cosim/variants.h"

#include "base/errors.h"
#include "sim/cosim/rtl_params.h"

namespace qarray {
namespace {

std::string array_name(int32_t rows, int32_t cols, Dataflow df, int32_t wb, int32_t ab, int32_t acc) {
  return std::to_string(rows) + "x" + std::to_string(cols) + " " + dataflow_name(df) + " W" + std::to_string(wb) +
         "A" + std::to_string(ab) + " acc" + std::to_string(acc);
}

std::string variant_list() {
  std::string s;
  for (const RtlVariant& v : rtl_variants())
    if (v.fault == RtlFault::None) s += (s.empty() ? " " : "; ") + v.describe();
  const bool on_demand = !rtl_variants().empty() && rtl_variants().front().on_demand;
  return s + (on_demand ? " (verilated on demand)" : " (files in sim/cosim/variants/)");
}

}  // namespace

std::string RtlVariant::describe() const {
  std::string s = name + ": " + array_name(rows, cols, dataflow, weight_bits, act_bits, acc_bits);
  if (fault == RtlFault::Pe)
    s += " (fault: PE (" + std::to_string(fault_row) + ", " + std::to_string(fault_col) + ") product bit " +
         std::to_string(fault_bit) + ")";
  if (fault == RtlFault::Datapath)
    s += " (fault: lane " + std::to_string(fault_lane) + " flips bit " + std::to_string(fault_bit) +
         " of accumulator sums and output codes)";
  return s;
}

std::string rtl_array_name(const ArchConfig& a) {
  return array_name(a.rows, a.cols, a.dataflow, a.weight_bits, a.act_bits, a.acc_bits);
}

const RtlVariant* match_rtl_variant(const ArchConfig& a) {
  const int64_t depth = rtl_accumulator_depth(a);
  for (const RtlVariant& v : rtl_variants())
    if (v.fault == RtlFault::None && v.rows == a.rows && v.cols == a.cols && v.dataflow == a.dataflow &&
        v.weight_bits == a.weight_bits && v.act_bits == a.act_bits && v.acc_bits == a.acc_bits &&
        v.acc_depth >= depth)
      return &v;
  return nullptr;
}

const RtlVariant& find_rtl_variant(const ArchConfig& a) {
  if (const RtlVariant* v = match_rtl_variant(a)) return *v;
  throw InputError("arch '" + a.name + "' (" + rtl_array_name(a) + ", accumulator depth " +
                   std::to_string(rtl_accumulator_depth(a)) + ") matches no compiled RTL variant; compiled variants:" +
                   variant_list());
}

const RtlVariant& rtl_variant_named(const std::string& name) {
  for (const RtlVariant& v : rtl_variants())
    if (v.name == name) return v;
  throw InputError("no compiled RTL variant named '" + name + "'; compiled variants:" + variant_list());
}

}  // namespace qarray
