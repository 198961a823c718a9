// Energy, area and FP32-twin part of `qarray run`'s output: the per-layer energy table it prints,
// the report.json "energy" section and the energy columns of layers.csv (README "Report
// columns" documents every key and unit).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "energy/area_model.h"
#include "energy/energy_model.h"
#include "energy/energy_table.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "workloads/network.h"

namespace qarray::cli {

// One design (the INT design or its FP32 twin) priced layer by layer, one image.
struct PricedDesign {
  ArchConfig arch;
  std::vector<LayerCounters> counters;  // from the cycle model
  std::vector<EnergyBreakdown> layers;  // layer_energy of each
  EnergyBreakdown total;
  int64_t cycles = 0, macs = 0;
  AreaBreakdown area;
};

PricedDesign price_design(const Network& net, const ArchConfig& arch, std::vector<LayerCounters> counters,
                          const EnergyTable& table);

// report.json "energy": table, node, int, fp32, ratios (schema in README), yosys comparison.
nlohmann::json energy_json(const Network& net, const PricedDesign& q, const PricedDesign& fp,
                           const EnergyTable& table, const YosysAreaComparison& yosys);

// Prints the per-layer energy table, the totals, the areas and the INT/FP32 ratios.
void print_energy(const Network& net, const PricedDesign& q, const PricedDesign& fp, const EnergyTable& table,
                  const YosysAreaComparison& yosys);

// The energy columns of layers.csv after the counter columns (comma separated, no leading comma):
// mac_pj,register_pj,ifmap_sram_pj,weight_sram_pj,ofmap_sram_pj,dram_pj,total_pj,pj_per_mac,
// fp32_total_cycles,fp32_latency_us,fp32_mac_pj,fp32_register_pj,fp32_ifmap_sram_pj,
// fp32_weight_sram_pj,fp32_ofmap_sram_pj,fp32_dram_pj,fp32_total_pj,fp32_pj_per_mac,
// fp32_dram_read_bytes,fp32_dram_write_bytes,energy_ratio
extern const char* const kEnergyCsvColumns;
void write_energy_csv(std::ostream& out, const PricedDesign& q, const PricedDesign& fp, size_t layer);

}  // namespace qarray::cli
