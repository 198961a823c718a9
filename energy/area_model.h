// Area model of the accelerator from a reference table: one PE (multiplier + adder + its
// pipeline registers) times rows x cols, plus the three SRAM buffers per KiB; and the comparison of
// the table's PE with the Yosys synthesis of the RTL (energy/yosys_area.csv, when present).
//
// Contract:
//   pe_um2  = area_mult(b_a, b_w) + area_add(acc_bits) + area_register_bit x (b_a + b_w + acc_bits)
//             area_mult(a, w) = area_mult_int x (a*w) / (ref_a*ref_w); area_add(n) = area_add_int x n / ref
//             FP32: area_mult_fp32 + area_add_fp32 + area_register_bit x 96
//   array_mm2 = rows x cols x pe_um2 / 1e6; sram_mm2 = KiB of ifmap + weight + ofmap x area_sram_kib / 1e6
//   total_mm2 = array_mm2 + sram_mm2 (edge skew buffers, controller, DMA and wiring not included)
#pragma once
#include <cstdint>
#include <string>

#include "energy/energy_table.h"
#include "sim/arch_config.h"

namespace qarray {

struct AreaBreakdown {
  double pe_um2 = 0.0;
  double array_mm2 = 0.0;
  double sram_mm2 = 0.0;
  double total_mm2 = 0.0;
};

AreaBreakdown design_area(const ArchConfig& arch, const EnergyTable& t);

// The table's PE next to the synthesized RTL. Columns of the CSV (header by name, extra columns
// allowed): design,rows,cols,weight_bits,act_bits,acc_bits,cells,transistors. The row for the
// arch's rows x cols and widths is used; failing that, a 1 x 1 row (one PE) of those widths.
// With a "top" column, only rows of the modules pe and systolic_array are read.
struct YosysAreaComparison {
  bool available = false;
  std::string reason;          // why not, when !available ("... not found", "no row for ...")
  std::string path;
  std::string design;          // of the matched row
  int32_t rows = 0, cols = 0;  // of the matched row
  int64_t cells = 0, transistors = 0;
  double cells_per_pe = 0.0, transistors_per_pe = 0.0;
  double table_pe_um2 = 0.0;
  double table_um2_per_transistor = 0.0;  // table_pe_um2 / transistors_per_pe
};

// A missing file is not an error: available = false with the reason. A malformed file throws
// InputError naming the file, row and column. FP32 designs have no RTL: not available.
YosysAreaComparison compare_yosys_area(const std::string& csv_path, const ArchConfig& arch,
                                       const AreaBreakdown& area);

}  // namespace qarray
