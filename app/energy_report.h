// The energy part of `qarray run`'s printout: the per-layer energy table of the INT design next
// to its FP32 twin, the totals, the areas and the INT/FP32 ratios. The figures and the report's
// energy section are explore/'s (pricing.h, energy_columns.h).
#pragma once
#include "energy/area_model.h"
#include "energy/energy_table.h"
#include "explore/pricing.h"
#include "workloads/network.h"

namespace qarray::cli {

void print_energy(const Network& net, const explore::PricedDesign& q, const explore::PricedDesign& fp,
                  const EnergyTable& table, const YosysAreaComparison& yosys);

}  // namespace qarray::cli
