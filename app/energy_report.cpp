#include "app/energy_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace qarray::cli {
namespace {

double ratio(double a, double b) { return b != 0 ? a / b : std::numeric_limits<double>::quiet_NaN(); }

// pJ per MAC: undefined (null, empty cell) for a layer without MACs.
nlohmann::json per_mac_json(double pj, int64_t macs) {
  return macs > 0 ? nlohmann::json(pj / static_cast<double>(macs)) : nlohmann::json();
}

std::string shortest(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

nlohmann::json breakdown_json(const EnergyBreakdown& e, int64_t macs, int64_t cycles, const ArchConfig& a) {
  return {{"macs", macs},
          {"cycles", cycles},
          {"latency_us", cycles / a.clock_mhz},
          {"utilization", cycles ? static_cast<double>(macs) / (static_cast<double>(cycles) * a.rows * a.cols) : 0.0},
          {"mac_pj", e.mac_pj},
          {"register_pj", e.register_pj},
          {"ifmap_sram_pj", e.ifmap_sram_pj},
          {"weight_sram_pj", e.weight_sram_pj},
          {"ofmap_sram_pj", e.ofmap_sram_pj},
          {"dram_pj", e.dram_pj},
          {"total_pj", e.total_pj()},
          {"total_uj", e.total_pj() / 1e6},
          {"pj_per_mac", per_mac_json(e.total_pj(), macs)}};
}

nlohmann::json design_json(const Network& net, const PricedDesign& d, const EnergyTable& t) {
  nlohmann::json layers = nlohmann::json::array();
  for (size_t i = 0; i < d.layers.size(); ++i) {
    const LayerCounters& k = d.counters[i];
    nlohmann::json row = breakdown_json(d.layers[i], k.macs, k.total_cycles, d.arch);
    row["name"] = net.layers[i].name;
    row["kind"] = layer_kind_name(net.layers[i].kind);
    row["stall_cycles"] = k.stall_cycles;
    row["dram_read_bytes"] = k.dram_read_bytes;
    row["dram_write_bytes"] = k.dram_write_bytes;
    layers.push_back(row);
  }
  return {{"arch", d.arch.name},
          {"operands", operand_mode_name(d.arch.operands)},
          {"pj_per_mac_op", mac_energy_pj(d.arch, t)},
          {"layers", layers},
          {"total", breakdown_json(d.total, d.macs, d.cycles, d.arch)},
          {"pe_area_um2", d.area.pe_um2},
          {"array_area_mm2", d.area.array_mm2},
          {"sram_area_mm2", d.area.sram_mm2},
          {"area_mm2", d.area.total_mm2}};
}

}  // namespace

PricedDesign price_design(const Network& net, const ArchConfig& arch, std::vector<LayerCounters> counters,
                          const EnergyTable& table) {
  PricedDesign d;
  d.arch = arch;
  d.counters = std::move(counters);
  for (size_t i = 0; i < d.counters.size(); ++i) {
    const LayerCounters& k = d.counters[i];
    d.layers.push_back(layer_energy(k, net.layers[i].on_array(), arch, table));
    d.total += d.layers.back();
    d.cycles += k.total_cycles;
    d.macs += k.macs;
  }
  d.area = design_area(arch, table);
  return d;
}

nlohmann::json energy_json(const Network& net, const PricedDesign& q, const PricedDesign& fp,
                           const EnergyTable& table, const YosysAreaComparison& y) {
  nlohmann::json yosys = {{"available", y.available}, {"path", y.path}, {"table_pe_um2", y.table_pe_um2}};
  if (y.available) {
    yosys.update({{"design", y.design}, {"rows", y.rows}, {"cols", y.cols}, {"cells", y.cells},
                  {"transistors", y.transistors}, {"cells_per_pe", y.cells_per_pe},
                  {"transistors_per_pe", y.transistors_per_pe},
                  {"table_um2_per_transistor", y.table_um2_per_transistor}});
  } else {
    yosys["reason"] = y.reason;
  }
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"table", table.name},
          {"node", table.node},
          {"table_path", table.path},
          {"images", 1},
          {"int", design_json(net, q, table)},
          {"fp32", design_json(net, fp, table)},
          {"ratios",
           {{"energy", num(ratio(q.total.total_pj(), fp.total.total_pj()))},
            {"latency", num(ratio(static_cast<double>(q.cycles), static_cast<double>(fp.cycles)))},
            {"area", num(ratio(q.area.total_mm2, fp.area.total_mm2))}}},
          {"yosys", yosys}};
}

void print_energy(const Network& net, const PricedDesign& q, const PricedDesign& fp, const EnergyTable& table,
                  const YosysAreaComparison& y) {
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
                static_cast<long long>(fp_cycles), f.total_pj(), ratio(e.total_pj(), f.total_pj()));
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
  std::printf("INT/FP32: energy %.4f, latency %.4f, area %.4f\n", ratio(q.total.total_pj(), fp.total.total_pj()),
              ratio(static_cast<double>(q.cycles), static_cast<double>(fp.cycles)),
              ratio(q.area.total_mm2, fp.area.total_mm2));
  if (y.available)
    std::printf("yosys (%s, %dx%d): %.0f cells, %.0f transistors per PE; table PE %.1f um2 = %.3f um2 per transistor\n",
                y.design.c_str(), y.rows, y.cols, y.cells_per_pe, y.transistors_per_pe, y.table_pe_um2,
                y.table_um2_per_transistor);
  else
    std::printf("yosys area: %s\n", y.reason.c_str());
}

const char* const kEnergyCsvColumns =
    "mac_pj,register_pj,ifmap_sram_pj,weight_sram_pj,ofmap_sram_pj,dram_pj,total_pj,pj_per_mac,"
    "fp32_total_cycles,fp32_latency_us,fp32_mac_pj,fp32_register_pj,fp32_ifmap_sram_pj,fp32_weight_sram_pj,"
    "fp32_ofmap_sram_pj,fp32_dram_pj,fp32_total_pj,fp32_pj_per_mac,fp32_dram_read_bytes,fp32_dram_write_bytes,"
    "energy_ratio";

void write_energy_csv(std::ostream& out, const PricedDesign& q, const PricedDesign& fp, size_t i) {
  auto parts = [&](const EnergyBreakdown& e, int64_t macs) {
    out << shortest(e.mac_pj) << "," << shortest(e.register_pj) << "," << shortest(e.ifmap_sram_pj) << ","
        << shortest(e.weight_sram_pj) << "," << shortest(e.ofmap_sram_pj) << "," << shortest(e.dram_pj) << ","
        << shortest(e.total_pj()) << ",";
    if (macs > 0) out << shortest(e.total_pj() / static_cast<double>(macs));
  };
  const LayerCounters& f = fp.counters[i];
  parts(q.layers[i], q.counters[i].macs);
  out << "," << f.total_cycles << "," << shortest(f.total_cycles / fp.arch.clock_mhz) << ",";
  parts(fp.layers[i], f.macs);
  out << "," << f.dram_read_bytes << "," << f.dram_write_bytes << ",";
  const double r = ratio(q.layers[i].total_pj(), fp.layers[i].total_pj());
  if (std::isfinite(r)) out << shortest(r);
}

}  // namespace qarray::cli
