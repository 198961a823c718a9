#include "sim/cosim/variants.h"

#include "models/errors.h"

namespace qarray {

std::string RtlVariant::describe() const {
  std::string s = name + ": " + std::to_string(rows) + "x" + std::to_string(cols) + " " + dataflow_name(dataflow) +
                  " W" + std::to_string(weight_bits) + "A" + std::to_string(act_bits) + " acc" +
                  std::to_string(acc_bits);
  if (fault)
    s += " (fault: PE (" + std::to_string(fault_row) + ", " + std::to_string(fault_col) + ") product bit " +
         std::to_string(fault_bit) + ")";
  return s;
}

namespace {

std::string variant_list() {
  std::string s;
  for (const RtlVariant& v : rtl_variants())
    if (!v.fault) s += (s.empty() ? " " : "; ") + v.describe();
  return s + " (files in sim/cosim/variants/)";
}

}  // namespace

const RtlVariant& find_rtl_variant(const ArchConfig& a) {
  for (const RtlVariant& v : rtl_variants())
    if (!v.fault && v.rows == a.rows && v.cols == a.cols && v.dataflow == a.dataflow &&
        v.weight_bits == a.weight_bits && v.act_bits == a.act_bits && v.acc_bits == a.acc_bits)
      return v;
  throw InputError("arch '" + a.name + "' (" + std::to_string(a.rows) + "x" + std::to_string(a.cols) + " " +
                   dataflow_name(a.dataflow) + " W" + std::to_string(a.weight_bits) + "A" +
                   std::to_string(a.act_bits) + " acc" + std::to_string(a.acc_bits) +
                   ") matches no compiled RTL variant; compiled variants:" + variant_list());
}

const RtlVariant& rtl_variant_named(const std::string& name) {
  for (const RtlVariant& v : rtl_variants())
    if (v.name == name) return v;
  throw InputError("no compiled RTL variant named '" + name + "'; compiled variants:" + variant_list());
}

}  // namespace qarray
