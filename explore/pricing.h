// A design priced: the cycle model's per-layer counters of one image times an energy table,
// per layer and in total, and the design's area. The INT design and its FP32 twin are priced
// alike, so that every INT figure has its FP32 counterpart (DESIGN.md §6).
#pragma once
#include <cstdint>
#include <vector>

#include "energy/area_model.h"
#include "energy/energy_model.h"
#include "energy/energy_table.h"
#include "sim/arch_config.h"
#include "sim/counters.h"
#include "workloads/network.h"

namespace qarray::explore {

// Contract: layers[i] = layer_energy(counters[i]); total = their sum; cycles and macs are
// network_totals(counters) (layers in sequence, one image).
struct PricedDesign {
  ArchConfig arch;
  std::vector<LayerCounters> counters;  // from the cycle model, one per network layer
  std::vector<EnergyBreakdown> layers;
  EnergyBreakdown total;
  int64_t cycles = 0, macs = 0;
  AreaBreakdown area;
};

PricedDesign price_design(const Network& net, const ArchConfig& arch, std::vector<LayerCounters> counters,
                          const EnergyTable& table);

// a / b; NaN when b is 0 (an INT/FP32 ratio without an FP32 figure).
double ratio_or_nan(double a, double b);

}  // namespace qarray::explore
