// The RTL variants compiled into this build: each is rtl/systolic_array.v verilated (--sc) with
// the parameters of one ArchConfig file of sim/cosim/variants/ (generated at configure time by
// qarray_rtl_params from the same parser the SystemC model uses). A Verilated model's parameters
// are fixed, so `qarray cosim` runs only on an arch whose array matches one of them.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/arch_config.h"
#include "sim/cosim/rtl_array.h"

namespace qarray {

struct RtlVariant {
  std::string name;       // the variant file's stem, e.g. "cosim8x8_ws_w8a8"
  std::string arch_file;  // sim/cosim/variants/<name>.json
  int32_t rows = 0, cols = 0, weight_bits = 0, act_bits = 0, acc_bits = 0;
  Dataflow dataflow = Dataflow::WeightStationary;
  // The fault-injection build (rtl/pe.v `QARRAY_FAULT): PE (fault_row, fault_col) flips bit
  // fault_bit of every product. Never chosen for an arch, only by name.
  bool fault = false;
  int32_t fault_row = -1, fault_col = -1, fault_bit = -1;
  std::function<std::unique_ptr<RtlArray>(const char* name)> make;

  std::string describe() const;  // "cosim8x8_ws_w8a8: 8x8 ws W8A8 acc32"
};

const std::vector<RtlVariant>& rtl_variants();

// The fault-free variant whose rows, cols, dataflow and widths equal the arch's; InputError
// naming the arch and listing every compiled variant otherwise.
const RtlVariant& find_rtl_variant(const ArchConfig& arch);
// By name (fault builds included); InputError listing the names otherwise.
const RtlVariant& rtl_variant_named(const std::string& name);

}  // namespace qarray
