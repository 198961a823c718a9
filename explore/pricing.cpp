// Pricing of a design's counters (explore/pricing.h).
#include "explore/pricing.h"

#include <limits>
#include <utility>

namespace qarray::explore {

PricedDesign price_design(const Network& net, const ArchConfig& arch, std::vector<LayerCounters> counters,
                          const EnergyTable& table) {
  PricedDesign d;
  d.arch = arch;
  d.counters = std::move(counters);
  for (size_t i = 0; i < d.counters.size(); ++i) {
    d.layers.push_back(layer_energy(d.counters[i], net.layers[i].on_array(), arch, table));
    d.total += d.layers.back();
  }
  const NetworkTotals t = network_totals(d.counters);
  d.cycles = t.cycles;
  d.macs = t.macs;
  d.area = design_area(arch, table);
  return d;
}

double ratio_or_nan(double a, double b) { return b != 0 ? a / b : std::numeric_limits<double>::quiet_NaN(); }

}  // namespace qarray::explore
