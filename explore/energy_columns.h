// The energy part of `run`'s outputs, built from the two priced designs (the INT design and its
// FP32 twin): the energy columns of layers.csv and the report.json "energy" section (docs/cli.md
// documents every key and unit).
//
// Energy columns of a layer, in order: mac_pj, register_pj, ifmap_sram_pj, weight_sram_pj,
// ofmap_sram_pj, dram_pj, total_pj, pj_per_mac, fp32_total_cycles, fp32_latency_us, the same
// eight with the prefix fp32_, fp32_dram_read_bytes, fp32_dram_write_bytes, energy_ratio.
// pj_per_mac is empty (JSON null) for a layer without MACs, energy_ratio for an FP32 layer
// without energy.
#pragma once
#include <nlohmann/json.hpp>

#include "energy/area_model.h"
#include "explore/columns.h"
#include "explore/pricing.h"

namespace qarray::explore {

// One layer of the INT design next to the same layer of its FP32 twin.
struct LayerEnergyRow {
  const PricedDesign& int_design;
  const PricedDesign& fp32_twin;
  size_t layer;
};

const Columns<LayerEnergyRow>& energy_columns();

// report.json "energy": table, node, table_path, images, int, fp32 (per layer and total),
// ratios (INT/FP32 energy, latency, area; null when undefined), yosys (the RTL's area next to the
// table's, or the reason it is not available).
nlohmann::json energy_json(const Network& net, const PricedDesign& q, const PricedDesign& fp,
                           const EnergyTable& table, const YosysAreaComparison& yosys);

}  // namespace qarray::explore
