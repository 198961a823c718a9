// Prints the energy table of `qarray run` (app/energy_report.h).
#include "app/energy_report.h"

#include <algorithm>
#include <cstdio>

namespace qarray::cli {

void print_energy(const Network& net, const explore::PricedDesign& q, const explore::PricedDesign& fp,
                  const EnergyTable& table, const YosysAreaComparison& y) {
  std::printf("\nenergy per image, table %s (%s): INT design %s (%.4g pJ per MAC) next to its FP32 twin %s "
              "(%.4g pJ per MAC, 4-byte operands, simulated)\n",
              table.name.c_str(), table.node.c_str(), q.arch.name.c_str(), mac_energy_pj(q.arch, table),
              fp.arch.name.c_str(), mac_energy_pj(fp.arch, table));
  int w = 17;
  for (const Layer& l : net.layers) w = std::max(w, static_cast<int>(l.name.size()));
  std::printf("%-*s %9s %9s %9s %9s %9s %10s %10s %7s %10s %11s %6s\n", w, "layer (pJ)", "MAC", "registers",
              "ifmap", "weight", "ofmap", "DRAM", "total", "pJ/MAC", "FP32 cyc", "FP32 total", "ratio");
  auto line = [&](const char* name, const EnergyBreakdown& e, int64_t macs, int64_t fp_cycles,
                  const EnergyBreakdown& f) {
    char per_mac[16] = "-";
    if (macs > 0) std::snprintf(per_mac, sizeof per_mac, "%.3f", e.total_pj() / macs);
    std::printf("%-*s %9.4g %9.4g %9.4g %9.4g %9.4g %10.4g %10.4g %7s %10lld %11.4g %6.3f\n", w, name, e.mac_pj,
                e.register_pj, e.ifmap_sram_pj, e.weight_sram_pj, e.ofmap_sram_pj, e.dram_pj, e.total_pj(), per_mac,
                static_cast<long long>(fp_cycles), f.total_pj(), explore::ratio_or_nan(e.total_pj(), f.total_pj()));
  };
  for (size_t i = 0; i < q.layers.size(); ++i)
    line(net.layers[i].name.c_str(), q.layers[i], q.counters[i].macs, fp.counters[i].total_cycles, fp.layers[i]);
  line("total", q.total, q.macs, fp.cycles, fp.total);
  std::printf("total: INT %.4f uJ, %.3f us; FP32 twin %.4f uJ, %.3f us\n", q.total.total_pj() / 1e6,
              q.cycles / q.arch.clock_mhz, fp.total.total_pj() / 1e6, fp.cycles / fp.arch.clock_mhz);
  std::printf("area: INT PE %.1f um2, array %.4f mm2 + SRAM %.4f mm2 = %.4f mm2; FP32 PE %.1f um2, array %.4f mm2 + "
              "SRAM %.4f mm2 = %.4f mm2\n",
              q.area.pe_um2, q.area.array_mm2, q.area.sram_mm2, q.area.total_mm2, fp.area.pe_um2, fp.area.array_mm2,
              fp.area.sram_mm2, fp.area.total_mm2);
  std::printf("INT/FP32: energy %.4f, latency %.4f, area %.4f\n", explore::ratio_or_nan(q.total.total_pj(), fp.total.total_pj()),
              explore::ratio_or_nan(static_cast<double>(q.cycles), static_cast<double>(fp.cycles)),
              explore::ratio_or_nan(q.area.total_mm2, fp.area.total_mm2));
  if (y.available)
    std::printf("yosys (%s, %dx%d): %.0f cells, %.0f transistors per PE; table PE %.1f um2 = %.3f um2 per transistor\n",
                y.design.c_str(), y.rows, y.cols, y.cells_per_pe, y.transistors_per_pe, y.table_pe_um2,
                y.table_um2_per_transistor);
  else
    std::printf("yosys area: %s\n", y.reason.c_str());
}

}  // namespace qarray::cli
