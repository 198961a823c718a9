// The energy columns and the report's energy section (explore/energy_columns.h).
#include "explore/energy_columns.h"

#include <cmath>

namespace qarray::explore {
namespace {

// One energy breakdown and the MACs it paid for.
struct BreakdownRow {
  const EnergyBreakdown& e;
  int64_t macs;
};

Columns<BreakdownRow> make_breakdown_columns() {
  auto pj = [](const char* name, double (*get)(const EnergyBreakdown&)) {
    return Column<BreakdownRow>{name, [get](const BreakdownRow& r) { return Cell(get(r.e)); }};
  };
  using E = const EnergyBreakdown&;
  return {pj("mac_pj", [](E e) { return e.mac_pj; }),
          pj("register_pj", [](E e) { return e.register_pj; }),
          pj("ifmap_sram_pj", [](E e) { return e.ifmap_sram_pj; }),
          pj("weight_sram_pj", [](E e) { return e.weight_sram_pj; }),
          pj("ofmap_sram_pj", [](E e) { return e.ofmap_sram_pj; }),
          pj("dram_pj", [](E e) { return e.dram_pj; }),
          pj("total_pj", [](E e) { return e.total_pj(); }),
          {"pj_per_mac", [](const BreakdownRow& r) {
             return r.macs > 0 ? Cell(r.e.total_pj() / static_cast<double>(r.macs)) : Cell();
           }}};
}

const Columns<BreakdownRow>& breakdown_columns() {
  static const Columns<BreakdownRow> columns = make_breakdown_columns();
  return columns;
}

Columns<LayerEnergyRow> make_energy_columns() {
  using R = const LayerEnergyRow&;
  auto fp32 = [](R r) -> const LayerCounters& { return r.fp32_twin.counters[r.layer]; };
  const Columns<LayerEnergyRow> fp32_time = {
      {"fp32_total_cycles", [fp32](R r) { return Cell(fp32(r).total_cycles); }},
      {"fp32_latency_us", [fp32](R r) { return Cell(fp32(r).total_cycles / r.fp32_twin.arch.clock_mhz); }}};
  const Columns<LayerEnergyRow> fp32_dram = {
      {"fp32_dram_read_bytes", [fp32](R r) { return Cell(fp32(r).dram_read_bytes); }},
      {"fp32_dram_write_bytes", [fp32](R r) { return Cell(fp32(r).dram_write_bytes); }},
      {"energy_ratio", [](R r) {
         const double x = ratio_or_nan(r.int_design.layers[r.layer].total_pj(), r.fp32_twin.layers[r.layer].total_pj());
         return std::isfinite(x) ? Cell(x) : Cell();
       }}};
  auto of = [](bool twin) {
    return [twin](R r) {
      const PricedDesign& d = twin ? r.fp32_twin : r.int_design;
      return BreakdownRow{d.layers[r.layer], d.counters[r.layer].macs};
    };
  };
  return project_columns<LayerEnergyRow>(breakdown_columns(), "", of(false)) + fp32_time +
         project_columns<LayerEnergyRow>(breakdown_columns(), "fp32_", of(true)) + fp32_dram;
}

nlohmann::json breakdown_json(const EnergyBreakdown& e, int64_t macs, int64_t cycles, const ArchConfig& a) {
  nlohmann::json j = {{"macs", macs},
                      {"cycles", cycles},
                      {"latency_us", cycles / a.clock_mhz},
                      {"utilization", pe_utilization(macs, cycles, a.rows, a.cols)},
                      {"total_uj", e.total_pj() / 1e6}};
  add_json(j, breakdown_columns(), BreakdownRow{e, macs});
  return j;
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

const Columns<LayerEnergyRow>& energy_columns() {
  static const Columns<LayerEnergyRow> columns = make_energy_columns();
  return columns;
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
  auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"table", table.name},
          {"node", table.node},
          {"table_path", table.path},
          {"images", 1},
          {"int", design_json(net, q, table)},
          {"fp32", design_json(net, fp, table)},
          {"ratios",
           {{"energy", finite(ratio_or_nan(q.total.total_pj(), fp.total.total_pj()))},
            {"latency", finite(ratio_or_nan(static_cast<double>(q.cycles), static_cast<double>(fp.cycles)))},
            {"area", finite(ratio_or_nan(q.area.total_mm2, fp.area.total_mm2))}}},
          {"yosys", yosys}};
}

}  // namespace qarray::explore
